// SPDX-License-Identifier: GPL-2.0-or-later
#include "unit-helper.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"

char *unit_load_data(const char *rel, gsize *len)
{
	g_autofree char *path = g_build_filename(TEST_DATA_DIR, rel, NULL);
	g_autoptr(GError) error = NULL;
	char *data = NULL;

	if (!g_file_get_contents(path, &data, len, &error))
		g_error("%s: %s", path, error->message);
	return data;
}

static void unit_log_sink(int priority, const char *message, void *user_data)
{
	g_string_append_printf(user_data, "<%d>%s\n", priority, message);
}

GString *unit_log_capture(void)
{
	GString *log = g_string_new(NULL);

	log_set_sink(unit_log_sink, log);
	return log;
}

void unit_log_release(GString *log)
{
	log_set_sink(NULL, NULL);
	g_string_free(log, TRUE);
}

char *unit_tmpdir_new(const char *tmpl)
{
	g_autoptr(GError) error = NULL;
	char *dir = g_dir_make_tmp(tmpl, &error);

	if (!dir)
		g_error("%s: %s", tmpl, error->message);
	return dir;
}

void unit_tmpdir_remove(const char *dir)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDir) d = g_dir_open(dir, 0, &error);
	const char *name;

	if (!d)
		g_error("%s: %s", dir, error->message);
	while ((name = g_dir_read_name(d))) {
		g_autofree char *child = g_build_filename(dir, name, NULL);
		struct stat st;

		if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
			unit_tmpdir_remove(child);
		else if (g_unlink(child) != 0)
			g_error("%s: %s", child, g_strerror(errno));
	}
	if (g_rmdir(dir) != 0)
		g_error("%s: %s", dir, g_strerror(errno));
}
