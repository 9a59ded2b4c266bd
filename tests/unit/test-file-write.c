// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "file-write.h"
#include "unit-helper.h"

static char *read_text(const char *path)
{
	char *text = NULL;

	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	return text;
}

static void test_at_start(void)
{
	g_autofree char *dir = unit_tmpdir_new("file-write-XXXXXX");
	g_autofree char *path = g_build_filename(dir, "f", NULL);
	g_autofree char *text = NULL;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(file_write_all(fd, "a longer first version\n", 23), ==, 0);
	/* a shorter content leaves nothing of the longer one behind */
	g_assert_cmpint(file_write_at_start(fd, "short\n", 6), ==, 0);
	close(fd);
	text = read_text(path);
	g_assert_cmpstr(text, ==, "short\n");
	g_assert_cmpint(file_write_at_start(-1, "x", 1), ==, -ERR_IO);
	unit_tmpdir_remove(dir);
}

static void test_atomic(void)
{
	g_autofree char *dir = unit_tmpdir_new("file-write-XXXXXX");
	g_autofree char *path = g_build_filename(dir, "f", NULL);
	g_autofree char *tmpl = g_build_filename(dir, ".f.tmp-XXXXXX", NULL);
	g_autofree char *tmpl2 = g_build_filename(dir, ".f.tmp-XXXXXX", NULL);
	g_autofree char *text = NULL;
	const char *failed = NULL;
	struct stat st;
	GDir *d;

	g_assert_true(g_file_set_contents(path, "old", 3, NULL));
	g_assert_cmpint(file_write_atomic(path, tmpl, "new", 3, &failed), ==, 0);
	text = read_text(path);
	g_assert_cmpstr(text, ==, "new");
	g_assert_cmpint(stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	g_assert_cmpint(file_write_sync_dir(dir), ==, 0);

	/* renaming onto a directory fails, and the temporary file is gone */
	g_unlink(path);
	g_assert_cmpint(g_mkdir(path, 0700), ==, 0);
	g_assert_cmpint(file_write_atomic(path, tmpl2, "x", 1, &failed), ==, -ERR_IO);
	g_assert_cmpstr(failed, ==, "rename");
	d = g_dir_open(dir, 0, NULL);
	g_assert_nonnull(d);
	g_assert_cmpstr(g_dir_read_name(d), ==, "f");
	g_assert_null(g_dir_read_name(d));
	g_dir_close(d);
	g_rmdir(path);
	g_assert_cmpint(file_write_sync_dir(path), ==, -ERR_IO);
	unit_tmpdir_remove(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/file-write/at-start", test_at_start);
	g_test_add_func("/file-write/atomic", test_atomic);
	return g_test_run();
}
