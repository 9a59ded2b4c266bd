// SPDX-License-Identifier: GPL-2.0-or-later
#include "file-write.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

int file_write_all(int fd, const void *data, size_t len)
{
	const char *d = data;

	while (len) {
		ssize_t n = write(fd, d, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -ERR_IO;
		if (n == 0) {
			/* a regular file never takes nothing; do not spin on it */
			errno = EIO;
			return -ERR_IO;
		}
		d += n;
		len -= (size_t)n;
	}
	return 0;
}

int file_write_at_start(int fd, const void *data, size_t len)
{
	if (lseek(fd, 0, SEEK_SET) < 0 || file_write_all(fd, data, len) < 0 ||
	    ftruncate(fd, (off_t)len) < 0 || fsync(fd) < 0)
		return -ERR_IO;
	return 0;
}

int file_write_atomic(const char *final, char *tmpl, const void *data, size_t len,
                      const char **failed)
{
	const char *what = NULL;
	int fd, err = 0;

	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0) {
		*failed = "create";
		return -ERR_IO;
	}
	if (fchmod(fd, 0600) < 0)
		what = "chmod";
	else if (file_write_all(fd, data, len) < 0)
		what = "write";
	else if (fsync(fd) < 0)
		what = "fsync";
	if (what)
		err = errno;
	if (close(fd) < 0 && !what) {
		what = "close";
		err = errno;
	}
	if (!what && rename(tmpl, final) < 0) {
		what = "rename";
		err = errno;
	}
	if (what) {
		unlink(tmpl);
		*failed = what;
		errno = err;
		return -ERR_IO;
	}
	return 0;
}

int file_write_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int err;

	if (fd < 0)
		return -ERR_IO;
	if (fsync(fd) == 0) {
		close(fd);
		return 0;
	}
	/* the caller reports errno: close() must not overwrite fsync()'s */
	err = errno;
	close(fd);
	errno = err;
	return -ERR_IO;
}
