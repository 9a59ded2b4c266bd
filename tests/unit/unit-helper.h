/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * What the unit and GUI tests share: test data, core's log lines, temporary directories.
 * Every function fails the running test (g_error) rather than return an error, so that a test
 * never goes on with half its fixture.
 */
#include <glib.h>

G_BEGIN_DECLS

/* The file REL under tests/data/ (TEST_DATA_DIR), NUL-terminated; LEN may be NULL. */
char *unit_load_data(const char *rel, gsize *len);

/* Installs a sink on core's log that appends "<priority>message\n" per line to the returned
 * buffer; unit_log_release() restores the default sink and frees it. */
GString *unit_log_capture(void);
void unit_log_release(GString *log);

/* A new directory from TMPL ("name-XXXXXX") in the temporary directory. */
char *unit_tmpdir_new(const char *tmpl);
/* Removes DIR and everything in it; symbolic links are removed, not followed. */
void unit_tmpdir_remove(const char *dir);

G_END_DECLS
