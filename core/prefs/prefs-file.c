// SPDX-License-Identifier: GPL-2.0-or-later
#include "prefs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cert-pin.h"
#include "error.h"
#include "file-write.h"
#include "log.h"
#include "prefs-internal.h"

/* The preferences file on disk: directories, atomic replacement, moving a damaged file aside. */

/* Like mkdir -p, with 0700 for every directory it creates (the XDG spec asks for 0700). */
static int mkdir_p(const char *dir)
{
	_cleanup_free_ char *buf = strdup(dir);
	struct stat st;

	if (!buf)
		return -ERR_NOMEM;
	for (char *s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, 0700) < 0 && errno != EEXIST) {
			log_warning("preferences: cannot create %s: %s", buf, strerror(errno));
			return -ERR_PREFS;
		}
		*s = '/';
	}
	if (mkdir(buf, 0700) < 0 && errno != EEXIST) {
		log_warning("preferences: cannot create %s: %s", buf, strerror(errno));
		return -ERR_PREFS;
	}
	if (stat(buf, &st) < 0 || !S_ISDIR(st.st_mode)) {
		log_warning("preferences: %s is not a directory", buf);
		return -ERR_PREFS;
	}
	return 0;
}

/* Writes @data to @final through the temporary name @tmpl in @dir (file_write_atomic()). */
int prefs_file_write_atomic(const char *dir, const char *final, char *tmpl, const void *data,
                            size_t len)
{
	const char *what = NULL;
	int r = mkdir_p(dir);

	if (r < 0)
		return r;
	if (file_write_atomic(final, tmpl, data, len, &what) < 0) {
		if (strcmp(what, "create") == 0)
			log_warning("preferences: cannot create a file in %s: %s", dir,
			            strerror(errno));
		else
			log_warning("preferences: cannot write %s (%s: %s)", final, what,
			            strerror(errno));
		return -ERR_PREFS;
	}
	/* The rename already happened; this only makes it durable, so failure is a warning. */
	if (file_write_sync_dir(dir) < 0)
		log_warning("preferences: cannot sync directory %s: %s", dir, strerror(errno));
	return 0;
}

/* Renames a corrupt file aside without ever replacing an earlier one (RENAME_NOREPLACE). */
int prefs_file_move_aside(struct prefs *p)
{
	long long now = (long long)time(NULL);

	for (unsigned i = 1; i <= 100; i++) {
		_cleanup_free_ char *name = NULL;
		int r;

		if ((i == 1 ? asprintf(&name, "%s.corrupt-%lld", p->path, now)
		            : asprintf(&name, "%s.corrupt-%lld-%u", p->path, now, i)) < 0)
			return -ERR_NOMEM;
		r = renameat2(AT_FDCWD, p->path, AT_FDCWD, name, RENAME_NOREPLACE);
		if (r < 0 && (errno == EINVAL || errno == ENOSYS)) {
			/* file system without RENAME_NOREPLACE: check, then rename */
			struct stat st;

			if (lstat(name, &st) == 0)
				continue;
			r = rename(p->path, name);
		}
		if (r == 0) {
			log_warning("preferences: %s is damaged; moved it to %s and started from "
			            "defaults",
			            p->path, name);
			free(p->moved_aside);
			p->moved_aside = steal_ptr(&name);
			p->corrupt_pending = false;
			return 0;
		}
		if (errno != EEXIST) {
			log_warning("preferences: %s is damaged and cannot be moved aside (%s); "
			            "using defaults",
			            p->path, strerror(errno));
			p->corrupt_pending = true;
			return -ERR_PREFS;
		}
	}
	log_warning("preferences: %s is damaged and too many damaged copies exist; using defaults",
	            p->path);
	p->corrupt_pending = true;
	return -ERR_PREFS;
}
