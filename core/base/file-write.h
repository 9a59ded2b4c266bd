/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Writing files so that a crash never leaves half of one: the preferences (a new file renamed
 * over the old) and the helper's resolv.conf (rewritten in place, as the file may be a bind
 * mount or watched by inode).  libc only: the root helper links this.
 */
#include <stddef.h>

/* All of @data, retrying short writes and EINTR.  0, or -ERR_IO with errno set. */
int file_write_all(int fd, const void *data, size_t len);

/* Replaces the whole content of the open file @fd with @data and fsyncs it.  0, or -ERR_IO
 * with errno set. */
int file_write_at_start(int fd, const void *data, size_t len);

/*
 * Writes @data to @final through a temporary file made from @tmpl ("...XXXXXX", in @dir, the
 * directory of @final), mode 0600.  mkostemp creates with O_EXCL, so nothing planted at the
 * temporary name (a symlink included) is ever opened; the temporary file never survives.
 * Returns 0, or -ERR_IO with errno set and *failed naming the step ("create", "chmod",
 * "write", "fsync", "close", "rename").  The directory is not synced: file_write_sync_dir().
 */
int file_write_atomic(const char *final, char *tmpl, const void *data, size_t len,
                      const char **failed);

/* Makes a rename in @dir durable.  0, or -ERR_IO with errno set. */
int file_write_sync_dir(const char *dir);
