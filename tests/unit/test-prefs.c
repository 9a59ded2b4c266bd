// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The preferences store: round trips, file modes, atomic saves, damaged and hand-edited
 * files (vectors in tests/data/prefs/), the profile cache and its file names.
 * Every test runs in a fresh temporary directory with XDG_CONFIG_HOME pointing into it.
 * Over 900 lines on purpose: the cases share the temporary-directory fixture and the vectors.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "prefs.h"
#include "unit-helper.h"

#define PIN_A  "pin-sha256:ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs="
#define PIN_B  "pin-sha256:PiPoFgA5WUoziU9lZOGxNIu9egCI1CxKy3PurtWcAJ0="
#define SHA1_A "86F7E437FAA5A7FCE15D1DDCB9EAEAEA377667B8"
#define GW_A   "https://vpn.lab.test/"
#define GW_B   "https://[2001:db8::1]:8443/corp"
#define NOBODY 65534

typedef struct {
	char *dir;    /* the test's temporary root */
	char *config; /* $XDG_CONFIG_HOME */
	char *path;   /* default preferences file */
	GString *log;
} Fixture;

static void fixture_setup(Fixture *f, gconstpointer data)
{
	f->dir = unit_tmpdir_new("test-prefs-XXXXXX");
	/* traversable, so tests that drop to an unprivileged uid can reach their files */
	g_assert_cmpint(chmod(f->dir, 0711), ==, 0);
	f->config = g_build_filename(f->dir, "config", NULL);
	f->path = g_build_filename(f->config, "sslvpn", "preferences.xml", NULL);
	g_setenv("XDG_CONFIG_HOME", f->config, TRUE);
	f->log = unit_log_capture();
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
	unit_log_release(f->log);
	unit_tmpdir_remove(f->dir);
	g_free(f->dir);
	g_free(f->config);
	g_free(f->path);
}

static char *vector(const char *name)
{
	return g_build_filename(TEST_DATA_DIR, "prefs", name, NULL);
}

static char *read_file(const char *path, gsize *len)
{
	char *s = NULL;
	GError *error = NULL;

	g_file_get_contents(path, &s, len, &error);
	g_assert_no_error(error);
	return s;
}

static void write_file(const char *path, const char *data, gssize len)
{
	GError *error = NULL;
	g_autofree char *dir = g_path_get_dirname(path);

	g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
	g_file_set_contents(path, data, len, &error);
	g_assert_no_error(error);
}

static void copy_vector(const char *name, const char *dest)
{
	g_autofree char *src = vector(name);
	gsize len;
	g_autofree char *data = read_file(src, &len);

	write_file(dest, data, (gssize)len);
}

/* No "*.tmp-*" file anywhere in @dir (one level). */
static void assert_no_temp_files(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	if (!d)
		return;
	while ((name = g_dir_read_name(d)))
		g_assert_null(strstr(name, ".tmp-"));
	g_dir_close(d);
}

static unsigned count_entries(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	unsigned n = 0;

	g_assert_nonnull(d);
	while (g_dir_read_name(d))
		n++;
	g_dir_close(d);
	return n;
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	g_assert_cmpint(lstat(path, &st), ==, 0);
	return st.st_mode & 07777;
}

static void assert_defaults(struct prefs *p)
{
	g_assert_true(prefs_get_block_untrusted(p));
	g_assert_true(prefs_get_use_dtls(p));
	g_assert_false(prefs_get_start_in_tray(p));
	g_assert_null(prefs_get_last_gateway(p));
	g_assert_cmpuint(prefs_gateway_count(p), ==, 0);
}

/* Saves @p to @path, loads it back, and checks the copy is identical and loads cleanly. */
static void assert_round_trip(struct prefs *p, const char *path)
{
	_cleanup_(prefs_freep) struct prefs *q = prefs_new();

	g_assert_cmpint(prefs_set_path(p, path), ==, 0);
	g_assert_cmpint(prefs_save(p), ==, 0);
	g_assert_cmpint(prefs_load(q, path), ==, 0);
	g_assert_cmpint(prefs_load_status(q), ==, PREFS_LOAD_OK);
	g_assert_cmpuint(prefs_dropped_count(q), ==, 0);
	g_assert_true(prefs_equal(p, q));
}

/*
 * Runs @fn as an unprivileged user (root ignores permissions, so a test of "cannot write"
 * needs another uid): forks and drops to nobody when root, else runs in-process.
 * Returns @fn's result (0 = all its checks passed).
 */
static int run_unprivileged(int (*fn)(void *), void *data)
{
	pid_t pid;
	int status;

	if (geteuid() != 0)
		return fn(data);
	pid = fork();
	g_assert_cmpint(pid, >=, 0);
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
		    setresuid(NOBODY, NOBODY, NOBODY) < 0)
			_exit(100);
		_exit(fn(data));
	}
	g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
	g_assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* chown -R to nobody when root (so the unprivileged child owns what it should). */
static void give_to_nobody(const char *path)
{
	GDir *d;
	const char *name;

	if (geteuid() != 0)
		return;
	g_assert_cmpint(lchown(path, NOBODY, NOBODY), ==, 0);
	d = g_dir_open(path, 0, NULL);
	if (!d)
		return;
	while ((name = g_dir_read_name(d))) {
		g_autofree char *child = g_build_filename(path, name, NULL);

		give_to_nobody(child);
	}
	g_dir_close(d);
}

/* ------------------------------------------------------------------ basics */

static void test_defaults(Fixture *f, gconstpointer data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	g_autofree char *profiles = g_build_filename(f->config, "sslvpn", "profiles", NULL);

	g_assert_nonnull(p);
	assert_defaults(p);
	g_assert_null(prefs_path(p));
	g_assert_cmpint(prefs_load_status(p), ==, PREFS_LOAD_NONE);
	g_assert_cmpint(prefs_load(p, NULL), ==, 0);
	g_assert_cmpint(prefs_load_status(p), ==, PREFS_LOAD_MISSING);
	g_assert_cmpstr(prefs_path(p), ==, f->path);
	g_assert_cmpstr(prefs_profiles_dir(p), ==, profiles);
	assert_defaults(p);
	/* loading never creates anything */
	g_assert_false(g_file_test(f->config, G_FILE_TEST_EXISTS));
	g_assert_null(prefs_gateway(p, GW_A, false));
	g_assert_null(prefs_gateway_at(p, 0));
}

static void test_default_location(Fixture *f, gconstpointer data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	g_autofree char *old_home = g_strdup(g_getenv("HOME"));
	g_autofree char *home = g_build_filename(f->dir, "home", NULL);
	g_autofree char *expect =
	    g_build_filename(home, ".config", "sslvpn", "preferences.xml", NULL);

	g_setenv("HOME", home, TRUE);
	g_unsetenv("XDG_CONFIG_HOME");
	g_assert_cmpint(prefs_load(p, NULL), ==, 0);
	g_assert_cmpstr(prefs_path(p), ==, expect);
	/* a relative XDG_CONFIG_HOME is invalid per the XDG spec and ignored */
	g_setenv("XDG_CONFIG_HOME", "relative/dir", TRUE);
	g_assert_cmpint(prefs_load(p, NULL), ==, 0);
	g_assert_cmpstr(prefs_path(p), ==, expect);
	/* save without load uses the default location and creates it 0700 */
	g_setenv("XDG_CONFIG_HOME", f->config, TRUE);
	{
		_cleanup_(prefs_freep) struct prefs *q = prefs_new();

		g_assert_cmpint(prefs_save(q), ==, 0);
		g_assert_cmpstr(prefs_path(q), ==, f->path);
		g_assert_true(g_file_test(f->path, G_FILE_TEST_IS_REGULAR));
		g_assert_cmpint(mode_of(f->config), ==, 0700);
	}
	if (old_home)
		g_setenv("HOME", old_home, TRUE);
	else
		g_unsetenv("HOME");
}

static void fill_everything(struct prefs *p)
{
	struct prefs_gateway *a = prefs_gateway(p, GW_A, true);
	struct prefs_gateway *b = prefs_gateway(p, GW_B, true);
	const char *names[] = {"Lab (staff)", "實驗室"};
	const char *addrs[] = {"vpn.lab.test/staff", "vpn.lab.test"};
	const char *groups[] = {"staff", NULL};

	g_assert_nonnull(a);
	g_assert_nonnull(b);
	prefs_set_block_untrusted(p, false);
	prefs_set_use_dtls(p, false);
	prefs_set_start_in_tray(p, true);
	g_assert_cmpint(prefs_set_last_gateway(p, GW_B), ==, 0);
	g_assert_cmpint(prefs_gateway_set_pin(a, PIN_A), ==, 0);
	g_assert_cmpint(prefs_gateway_set_cert_sha1(a, SHA1_A), ==, 0);
	g_assert_cmpint(prefs_gateway_set_last_group(a, "staff"), ==, 0);
	g_assert_cmpint(prefs_gateway_set_last_user(a, "alice <&> \"quoted\" 'x'"), ==, 0);
	g_assert_cmpint(prefs_gateway_set_display_name(a, "Lab gateway ünïcödé 🔒"), ==, 0);
	g_assert_cmpint(prefs_gateway_set_last_used(a, 1700000000), ==, 0);
	g_assert_cmpint(prefs_gateway_set_pin(b, PIN_B), ==, 0);
	g_assert_cmpint(prefs_gateway_set_last_user(b, "bob"), ==, 0);
	g_assert_cmpint(prefs_gateway_set_last_used(b, 1700000500), ==, 0);
	g_assert_cmpint(prefs_set_server_list(p, GW_A, names, addrs, groups, 2), ==, 0);
	g_assert_cmpint(prefs_profile_store(p, GW_A, "/profiles/profile.xml", "<x/>", 4, NULL), ==,
	                0);
}

static void test_round_trip(Fixture *f, gconstpointer data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	_cleanup_(prefs_freep) struct prefs *q = prefs_new();
	g_autofree char *first = NULL;
	g_autofree char *second = NULL;
	g_autofree char *sha1 = NULL;
	g_autofree char *local = NULL;
	const char *name, *addr, *group;
	struct prefs_gateway *a;

	g_assert_cmpint(prefs_load(p, NULL), ==, 0);
	fill_everything(p);
	g_assert_cmpint(prefs_save(p), ==, 0);

	g_assert_cmpint(prefs_load(q, NULL), ==, 0);
	g_assert_cmpint(prefs_load_status(q), ==, PREFS_LOAD_OK);
	g_assert_true(prefs_equal(p, q));
	g_assert_false(prefs_get_block_untrusted(q));
	g_assert_false(prefs_get_use_dtls(q));
	g_assert_true(prefs_get_start_in_tray(q));
	g_assert_cmpstr(prefs_get_last_gateway(q), ==, GW_B);
	g_assert_cmpuint(prefs_gateway_count(q), ==, 2);
	/* newest first */
	g_assert_cmpstr(prefs_gateway_key(prefs_gateway_at(q, 0)), ==, GW_B);
	a = prefs_gateway_at(q, 1);
	g_assert_cmpstr(prefs_gateway_key(a), ==, GW_A);
	g_assert_cmpstr(prefs_gateway_get_pin(a), ==, PIN_A);
	g_assert_cmpstr(prefs_gateway_get_cert_sha1(a), ==, SHA1_A);
	g_assert_cmpstr(prefs_gateway_get_last_group(a), ==, "staff");
	g_assert_cmpstr(prefs_gateway_get_last_user(a), ==, "alice <&> \"quoted\" 'x'");
	g_assert_cmpstr(prefs_gateway_get_display_name(a), ==, "Lab gateway ünïcödé 🔒");
	g_assert_cmpint(prefs_gateway_get_last_used(a), ==, 1700000000);
	g_assert_cmpuint(prefs_server_list_count(q, GW_A), ==, 2);
	g_assert_cmpint(prefs_server_list_at(q, GW_A, 1, &name, &addr, &group), ==, 0);
	g_assert_cmpstr(name, ==, "實驗室");
	g_assert_cmpstr(addr, ==, "vpn.lab.test");
	g_assert_cmpstr(group, ==, "");
	g_assert_cmpint(prefs_server_list_at(q, GW_A, 2, &name, &addr, &group), ==, -ERR_NOT_FOUND);
	g_assert_cmpint(prefs_profile_lookup(q, GW_A, "/profiles/profile.xml", &local, &sha1), ==,
	                0);
	g_assert_cmpstr(sha1, ==, "2401ADB2CFFEFDBFCD7F63F17B91A5D946E7855C");

	/* saving what was loaded gives the same bytes: the output is stable */
	first = read_file(f->path, NULL);
	g_assert_cmpint(prefs_save(q), ==, 0);
	second = read_file(f->path, NULL);
	g_assert_cmpstr(first, ==, second);
	/* nothing secret-looking was written */
	g_assert_null(strstr(first, "assword"));
	g_assert_null(strstr(first, "ookie"));
}

static void test_modes(Fixture *f, gconstpointer data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	g_autofree char *dir = g_path_get_dirname(f->path);
	g_autofree char *profiles = g_build_filename(dir, "profiles", NULL);
	g_autofree char *profile = g_build_filename(profiles, "corp.xml", NULL);
	mode_t old = umask(0); /* a careless umask must not widen anything */

	g_assert_cmpint(prefs_load(p, NULL), ==, 0);
	fill_everything(p);
	g_assert_cmpint(prefs_profile_store(p, GW_A, "/CACHE/stc/profiles/corp.xml", "a", 1, NULL),
	                ==, 0);
	g_assert_cmpint(prefs_save(p), ==, 0);
	umask(old);
	g_assert_cmpint(mode_of(f->config), ==, 0700);
	g_assert_cmpint(mode_of(dir), ==, 0700);
	g_assert_cmpint(mode_of(f->path), ==, 0600);
	g_assert_cmpint(mode_of(profiles), ==, 0700);
	g_assert_cmpint(mode_of(profile), ==, 0600);
	assert_no_temp_files(dir);
	assert_no_temp_files(profiles);
	/* preferences.xml and profiles/, nothing else */
	g_assert_cmpuint(count_entries(dir), ==, 2);
	g_assert_cmpuint(count_entries(profiles), ==, 2);
}

/* ------------------------------------------------------------------ atomic saves */

struct unwritable {
	const char *path;
	const char *dir;
	GString *log;
};

static int save_into_unwritable_dir(void *data)
{
	struct unwritable *u = data;
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();

	if (prefs_load(p, u->path) != 0 || prefs_load_status(p) != PREFS_LOAD_OK)
		return 1;
	if (prefs_gateway_set_last_user(prefs_gateway(p, GW_A, true), "changed") != 0)
		return 2;
	if (access(u->dir, W_OK) == 0)
		return 3; /* the setup did not make it unwritable */
	if (prefs_save(p) != -ERR_PREFS)
		return 4;
	if (!strstr(u->log->str, "cannot create a file"))
		return 5;
	return 0;
}

static void test_save_unwritable_dir(Fixture *f, gconstpointer data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	g_autofree char *dir = g_path_get_dirname(f->path);
	g_autofree char *before = NULL;
	g_autofree char *after = NULL;
	struct unwritable u = {f->path, dir, f->log};

	g_assert_cmpint(prefs_load(p, NULL), ==, 0);
	fill_everything(p);
	g_assert_cmpint(prefs_save(p), ==, 0);
	before = read_file(f->path, NULL);
	give_to_nobody(f->config);
	g_assert_cmpint(chmod(dir, 0500), ==, 0);
	g_assert_cmpint(run_unprivileged(save_into_unwritable_dir, &u), ==, 0);
	g_assert_cmpint(chmod(dir, 0700), ==, 0);
	after = read_file(f->path, NULL);
	g_assert_cmpstr(before, ==, after);
	assert_no_temp_files(dir);
}

static void test_save_rename_fails(Fixture *f, gconstpointer data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	g_autofree char *dir = g_path_get_dirname(f->path);
	g_autofree char *inside = g_build_filename(f->path, "keep", NULL);

	g_assert_cmpint(prefs_load(p, NULL), ==, 0);
	fill_everything(p);
	/* something that rename() cannot replace appears at the target after loading */
	write_file(inside, "x", 1);
	g_assert_cmpint(prefs_save(p), ==, -ERR_PREFS);
	assert_no_temp_files(dir);
	g_assert_true(g_file_test(inside, G_FILE_TEST_IS_REGULAR));
	g_assert_nonnull(strstr(f->log->str, "rename"));
}

static void test_save_replaces_symlink(Fixture *f, gconstpointer data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	g_autofree char *victim = g_build_filename(f->dir, "victim", NULL);
	g_autofree char *dir = g_path_get_dirname(f->path);
	g_autofree char *content = NULL;
	struct stat st;

	/* a dangling link: loading finds no file; saving must replace the link, not create
	 * its target */
	g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
	g_assert_cmpint(symlink(victim, f->path), ==, 0);
	g_assert_cmpint(prefs_load(p, NULL), ==, 0);
	g_assert_cmpint(prefs_load_status(p), ==, PREFS_LOAD_MISSING);
	g_assert_cmpint(prefs_save(p), ==, 0);
	g_assert_false(g_file_test(victim, G_FILE_TEST_EXISTS));
	g_assert_cmpint(lstat(f->path, &st), ==, 0);
	g_assert_true(S_ISREG(st.st_mode));

	/* a link to a real file: read through it, but the save never writes into the target */
	g_assert_cmpint(g_unlink(f->path), ==, 0);
	copy_vector("valid/full.xml", victim);
	g_assert_cmpint(symlink(victim, f->path), ==, 0);
	g_assert_cmpint(prefs_load(p, NULL), ==, 0);
	g_assert_cmpint(prefs_load_status(p), ==, PREFS_LOAD_OK);
	g_assert_cmpuint(prefs_gateway_count(p), ==, 2);
	prefs_set_use_dtls(p, true);
	g_assert_cmpint(prefs_save(p), ==, 0);
	content = read_file(victim, NULL);
	g_assert_nonnull(strstr(content, "<use-dtls>false</use-dtls>"));
	g_assert_cmpint(lstat(f->path, &st), ==, 0);
	g_assert_true(S_ISREG(st.st_mode));
}

/* ------------------------------------------------------------------ damaged files */

/* Checks @p loaded @path as corrupt: moved aside with the right name and content. */
static void assert_moved_aside(Fixture *f, struct prefs *p, const char *path, const char *orig,
                               gsize orig_len, time_t t0, time_t t1)
{
	const char *moved = prefs_moved_aside_path(p);
	g_autofree char *prefix = g_strconcat(path, ".corrupt-", NULL);
	g_autofree char *content = NULL;
	gsize len;
	char *end;
	long long t;

	g_assert_cmpint(prefs_load_status(p), ==, PREFS_LOAD_CORRUPT);
	g_assert_nonnull(moved);
	g_assert_true(g_str_has_prefix(moved, prefix));
	t = g_ascii_strtoll(moved + strlen(prefix), &end, 10);
	g_assert_cmpint(t, >=, (long long)t0);
	g_assert_cmpint(t, <=, (long long)t1);
	g_assert_true(*end == '\0' || *end == '-');
	g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
	if (orig) {
		content = read_file(moved, &len);
		g_assert_cmpmem(content, len, orig, orig_len);
	}
	g_assert_nonnull(strstr(f->log->str, moved));
	assert_defaults(p);
}

static void test_corrupt_vectors(Fixture *f, gconstpointer data)
{
	g_autofree char *cdir = vector("corrupt");
	GDir *d = g_dir_open(cdir, 0, NULL);
	const char *name;
	unsigned n = 0;

	g_assert_nonnull(d);
	while ((name = g_dir_read_name(d))) {
		g_autofree char *rel = g_build_filename("corrupt", name, NULL);
		g_autofree char *src = vector(rel);
		g_autofree char *path = g_build_filename(f->dir, name, "preferences.xml", NULL);
		g_autofree char *orig = NULL;
		_cleanup_(prefs_freep) struct prefs *p = prefs_new();
		_cleanup_(prefs_freep) struct prefs *q = prefs_new();
		gsize len;
		time_t t0, t1;

		g_test_message("corrupt vector %s", name);
		orig = read_file(src, &len);
		write_file(path, orig, (gssize)len);
		t0 = time(NULL);
		g_assert_cmpint(prefs_load(p, path), ==, 0);
		t1 = time(NULL);
		assert_moved_aside(f, p, path, orig, len, t0, t1);
		/* and the program goes on: a save makes a good file again */
		g_assert_cmpint(prefs_save(p), ==, 0);
		g_assert_cmpint(prefs_load(q, path), ==, 0);
		g_assert_cmpint(prefs_load_status(q), ==, PREFS_LOAD_OK);
		n++;
	}
	g_dir_close(d);
	g_assert_cmpuint(n, >=, 15);
}

static void test_corrupt_huge(Fixture *f, gconstpointer data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	const gsize size = 10 * 1024 * 1024;
	g_autofree char *big = g_malloc(size);
	static const char head[] = "<sslvpn-preferences version=\"1\"><!--";
	time_t t0, t1;

	memset(big, 'A', size);
	memcpy(big, head, strlen(head));
	memcpy(big + size - 24, "--></sslvpn-preferences>", 24);
	write_file(f->path, big, (gssize)size);
	t0 = time(NULL);
	g_assert_cmpint(prefs_load(p, NULL), ==, 0);
	t1 = time(NULL);
	assert_moved_aside(f, p, f->path, big, size, t0, t1);
	g_assert_nonnull(strstr(f->log->str, "larger than"));
}

static void test_corrupt_directory(Fixture *f, gconstpointer data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	time_t t0, t1;

	g_assert_cmpint(g_mkdir_with_parents(f->path, 0700), ==, 0);
	t0 = time(NULL);
	g_assert_cmpint(prefs_load(p, NULL), ==, 0);
	t1 = time(NULL);
	assert_moved_aside(f, p, f->path, NULL, 0, t0, t1);
	g_assert_true(g_file_test(prefs_moved_aside_path(p), G_FILE_TEST_IS_DIR));
	g_assert_cmpint(prefs_save(p), ==, 0);
}

static void test_corrupt_never_overwrites(Fixture *f, gconstpointer data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	g_autofree char *first = NULL;
	time_t now = time(NULL);

	/* earlier damaged copies for every name this second (and the next few) could use */
	for (time_t t = now - 1; t <= now + 3; t++) {
		g_autofree char *a = g_strdup_printf("%s.corrupt-%lld", f->path, (long long)t);
		g_autofree char *b = g_strdup_printf("%s.corrupt-%lld-2", f->path, (long long)t);

		write_file(a, "old", 3);
		write_file(b, "old2", 4);
	}
	write_file(f->path, "<broken", 7);
	g_assert_cmpint(prefs_load(p, NULL), ==, 0);
	g_assert_cmpint(prefs_load_status(p), ==, PREFS_LOAD_CORRUPT);
	g_assert_true(g_str_has_suffix(prefs_moved_aside_path(p), "-3"));
	first = g_strdup(prefs_moved_aside_path(p));
	/* damaged again within the same second: yet another name */
	write_file(f->path, "<broken again", 13);
	g_assert_cmpint(prefs_load(p, NULL), ==, 0);
	g_assert_cmpstr(prefs_moved_aside_path(p), !=, first);
	for (time_t t = now - 1; t <= now + 3; t++) {
		g_autofree char *a = g_strdup_printf("%s.corrupt-%lld", f->path, (long long)t);
		g_autofree char *b = g_strdup_printf("%s.corrupt-%lld-2", f->path, (long long)t);
		g_autofree char *ca = read_file(a, NULL);
		g_autofree char *cb = read_file(b, NULL);

		g_assert_cmpstr(ca, ==, "old");
		g_assert_cmpstr(cb, ==, "old2");
	}
	{
		g_autofree char *c1 = read_file(first, NULL);
		g_autofree char *c2 = read_file(prefs_moved_aside_path(p), NULL);

		g_assert_cmpstr(c1, ==, "<broken");
		g_assert_cmpstr(c2, ==, "<broken again");
	}
}

static void test_newer_version(Fixture *f, gconstpointer data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	g_autofree char *before = NULL;
	g_autofree char *after = NULL;
	g_autofree char *dir = g_path_get_dirname(f->path);

	copy_vector("newer-version.xml", f->path);
	before = read_file(f->path, NULL);
	g_assert_cmpint(prefs_load(p, NULL), ==, 0);
	g_assert_cmpint(prefs_load_status(p), ==, PREFS_LOAD_NEWER_VERSION);
	assert_defaults(p);
	g_assert_cmpint(prefs_save(p), ==, -ERR_PREFS);
	after = read_file(f->path, NULL);
	g_assert_cmpstr(before, ==, after);
	g_assert_cmpuint(count_entries(dir), ==, 1); /* nothing moved aside */
}

static int load_unmovable(void *data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();

	if (prefs_load(p, data) != 0)
		return 1;
	if (prefs_load_status(p) != PREFS_LOAD_CORRUPT || prefs_moved_aside_path(p))
		return 2;
	if (prefs_get_use_dtls(p) != true)
		return 3;
	/* saving would destroy the damaged file, which could not be set aside */
	if (prefs_save(p) != -ERR_PREFS)
		return 4;
	return 0;
}

static void test_corrupt_unmovable(Fixture *f, gconstpointer data)
{
	g_autofree char *dir = g_path_get_dirname(f->path);
	g_autofree char *after = NULL;

	write_file(f->path, "<sslvpn-preferences version=\"1\">", -1);
	give_to_nobody(f->config);
	g_assert_cmpint(chmod(dir, 0500), ==, 0);
	g_assert_cmpint(run_unprivileged(load_unmovable, f->path), ==, 0);
	g_assert_cmpint(chmod(dir, 0700), ==, 0);
	after = read_file(f->path, NULL);
	g_assert_cmpstr(after, ==, "<sslvpn-preferences version=\"1\">");
	g_assert_cmpuint(count_entries(dir), ==, 1);
}

static int load_unreadable(void *data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();

	if (prefs_load(p, data) != 0)
		return 1;
	if (prefs_load_status(p) != PREFS_LOAD_UNREADABLE)
		return 2;
	if (prefs_save(p) != -ERR_PREFS)
		return 3;
	return 0;
}

static void test_unreadable(Fixture *f, gconstpointer data)
{
	g_autofree char *before = NULL;
	g_autofree char *after = NULL;

	copy_vector("valid/full.xml", f->path);
	before = read_file(f->path, NULL);
	give_to_nobody(f->config);
	if (geteuid() == 0)
		g_assert_cmpint(lchown(f->path, 0, 0), ==, 0);
	g_assert_cmpint(chmod(f->path, 0000), ==, 0);
	g_assert_cmpint(run_unprivileged(load_unreadable, f->path), ==, 0);
	g_assert_cmpint(chmod(f->path, 0600), ==, 0);
	after = read_file(f->path, NULL);
	g_assert_cmpstr(before, ==, after);
}

/* ------------------------------------------------------------------ vectors */

static void test_valid_vectors(Fixture *f, gconstpointer data)
{
	g_autofree char *vdir = vector("valid");
	GDir *d = g_dir_open(vdir, 0, NULL);
	const char *name;

	g_assert_nonnull(d);
	while ((name = g_dir_read_name(d))) {
		g_autofree char *rel = g_build_filename("valid", name, NULL);
		g_autofree char *src = vector(rel);
		g_autofree char *copy = g_build_filename(f->dir, name, "preferences.xml", NULL);
		_cleanup_(prefs_freep) struct prefs *p = prefs_new();

		g_test_message("valid vector %s", name);
		g_assert_cmpint(prefs_load(p, src), ==, 0);
		g_assert_cmpint(prefs_load_status(p), ==, PREFS_LOAD_OK);
		g_assert_cmpuint(prefs_dropped_count(p), ==, 0);
		assert_round_trip(p, copy);
	}
	g_dir_close(d);
}

static void test_valid_full(Fixture *f, gconstpointer data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	g_autofree char *src = vector("valid/full.xml");
	g_autofree char *local = NULL;
	g_autofree char *sha1 = NULL;
	struct prefs_gateway *g;

	g_assert_cmpint(prefs_load(p, src), ==, 0);
	g_assert_false(prefs_get_block_untrusted(p));
	g_assert_false(prefs_get_use_dtls(p));
	g_assert_true(prefs_get_start_in_tray(p));
	g_assert_cmpstr(prefs_get_last_gateway(p), ==, GW_A);
	g = prefs_gateway(p, GW_A, false);
	g_assert_nonnull(g);
	g_assert_cmpstr(prefs_gateway_get_display_name(g), ==, "Lab gateway");
	g_assert_cmpstr(prefs_gateway_get_pin(g), ==, PIN_A);
	g_assert_cmpstr(prefs_gateway_get_cert_sha1(g), ==, SHA1_A);
	g_assert_cmpstr(prefs_gateway_get_last_group(g), ==, "staff");
	g_assert_cmpstr(prefs_gateway_get_last_user(g), ==, "alice");
	g_assert_cmpint(prefs_gateway_get_last_used(g), ==, 1700000000);
	g_assert_cmpuint(prefs_server_list_count(p, GW_A), ==, 2);
	g_assert_cmpint(prefs_profile_lookup(p, GW_A, "/profiles/profile.xml", &local, &sha1), ==,
	                0);
	g_assert_true(g_str_has_suffix(local, "/prefs/valid/profiles/profile.xml"));
	g_assert_cmpstr(sha1, ==, "E9D71F5EE7C92D6DC9E92FFDAD17B8BD49418F98");
	g = prefs_gateway(p, GW_B, false);
	g_assert_cmpstr(prefs_gateway_get_display_name(g), ==, "實驗室 VPN");
	g_assert_cmpstr(prefs_gateway_get_last_user(g), ==, "bob & carol");
	g_assert_null(prefs_gateway_get_pin(g));
	g_assert_null(prefs_gateway_get_cert_sha1(g));
}

static void test_valid_hand_formatted(Fixture *f, gconstpointer data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	g_autofree char *src = vector("valid/hand-formatted.xml");
	struct prefs_gateway *g;

	g_assert_cmpint(prefs_load(p, src), ==, 0);
	g_assert_cmpint(prefs_load_status(p), ==, PREFS_LOAD_OK);
	g_assert_true(prefs_get_start_in_tray(p)); /* from a CDATA section */
	g = prefs_gateway(p, "https://gw.example.com/", false);
	g_assert_nonnull(g);
	/* a lower-case thumbprint is accepted and normalised */
	g_assert_cmpstr(prefs_gateway_get_cert_sha1(g), ==, SHA1_A);
	g_assert_cmpint(prefs_gateway_get_last_used(g), ==, 0);
}

static void test_valid_bom(Fixture *f, gconstpointer data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	g_autofree char *src = vector("valid/utf8-bom.xml");

	/* what some editors put in front of UTF-8 */
	g_assert_cmpint(prefs_load(p, src), ==, 0);
	g_assert_cmpint(prefs_load_status(p), ==, PREFS_LOAD_OK);
	g_assert_false(prefs_get_use_dtls(p));
}

static void test_unknown_elements_kept(Fixture *f, gconstpointer data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	g_autofree char *src = vector("valid/unknown-elements.xml");
	g_autofree char *saved = NULL;

	g_assert_cmpint(prefs_load(p, src), ==, 0);
	g_assert_cmpint(prefs_load_status(p), ==, PREFS_LOAD_OK);
	g_assert_cmpstr(
	    prefs_gateway_get_last_user(prefs_gateway(p, "https://vpn.lab.test:4443/", false)), ==,
	    "alice");
	prefs_set_start_in_tray(p, true);
	assert_round_trip(p, f->path);
	saved = read_file(f->path, NULL);
	g_assert_nonnull(strstr(saved, "<theme>dark</theme>"));
	g_assert_nonnull(strstr(
	    saved, "<client-cert id=\"7\"><label>Work &lt;smartcard&gt;</label></client-cert>"));
	g_assert_nonnull(
	    strstr(saved, "<x:hint xmlns:x=\"urn:example:future\" x:level=\"2\">text</x:hint>"));
	g_assert_nonnull(strstr(saved, "<telemetry enabled=\"false\"/>"));
	g_assert_nonnull(strstr(saved, "<start-in-tray>true</start-in-tray>"));
}

static void test_hand_edited_bad_pin(Fixture *f, gconstpointer data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	struct prefs_gateway *a, *b;

	copy_vector("hand-edited/one-bad-pin.xml", f->path);
	g_assert_cmpint(prefs_load(p, NULL), ==, 0);
	g_assert_cmpint(prefs_load_status(p), ==, PREFS_LOAD_DROPPED);
	g_assert_cmpuint(prefs_dropped_count(p), ==, 1);
	g_assert_true(g_file_test(f->path, G_FILE_TEST_IS_REGULAR)); /* not moved aside */
	g_assert_null(prefs_moved_aside_path(p));
	g_assert_cmpstr(prefs_get_last_gateway(p), ==, "https://a.lab.test/");
	a = prefs_gateway(p, "https://a.lab.test/", false);
	b = prefs_gateway(p, "https://b.lab.test/", false);
	g_assert_nonnull(a);
	g_assert_nonnull(b);
	g_assert_null(prefs_gateway_get_pin(a));
	g_assert_cmpstr(prefs_gateway_get_last_user(a), ==, "alice");
	g_assert_cmpint(prefs_gateway_get_last_used(a), ==, 1700000001);
	g_assert_cmpstr(prefs_gateway_get_pin(b), ==, PIN_B);
	g_assert_cmpstr(prefs_gateway_get_last_user(b), ==, "bob");
	g_assert_nonnull(strstr(f->log->str, "server-pin"));
	/* saving writes the cleaned file, which then loads without complaint */
	assert_round_trip(p, f->path);
}

static void test_hand_edited_mixed(Fixture *f, gconstpointer data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	g_autofree char *src = vector("hand-edited/mixed.xml");
	g_autofree char *local = NULL;
	struct prefs_gateway *g;
	const char *name, *addr, *group;

	g_assert_cmpint(prefs_load(p, src), ==, 0);
	g_assert_cmpint(prefs_load_status(p), ==, PREFS_LOAD_DROPPED);
	g_assert_cmpuint(prefs_dropped_count(p), ==, 19);
	g_assert_true(prefs_get_block_untrusted(p)); /* "yes" dropped: default */
	g_assert_false(prefs_get_use_dtls(p));       /* the first one counts */
	g_assert_null(prefs_get_last_gateway(p));    /* http:// dropped */
	g_assert_cmpuint(prefs_gateway_count(p), ==, 1);
	g = prefs_gateway(p, "https://ok.lab.test/", false);
	g_assert_nonnull(g);
	g_assert_null(prefs_gateway_get_cert_sha1(g));
	g_assert_null(prefs_gateway_get_last_user(g));
	g_assert_null(prefs_gateway_get_last_group(g));
	g_assert_null(prefs_gateway_get_display_name(g));
	g_assert_cmpint(prefs_gateway_get_last_used(g), ==, 0);
	g_assert_cmpint(
	    prefs_profile_lookup(p, "https://ok.lab.test/", "/profiles/a.xml", &local, NULL), ==,
	    0);
	g_assert_cmpint(
	    prefs_profile_lookup(p, "https://ok.lab.test/", "/profiles/b.xml", NULL, NULL), ==,
	    -ERR_NOT_FOUND);
	g_assert_cmpint(
	    prefs_profile_lookup(p, "https://ok.lab.test/", "/profiles/c.xml", NULL, NULL), ==,
	    -ERR_NOT_FOUND);
	g_assert_cmpuint(prefs_server_list_count(p, "https://ok.lab.test/"), ==, 1);
	g_assert_cmpint(prefs_server_list_at(p, "https://ok.lab.test/", 0, &name, &addr, &group),
	                ==, 0);
	g_assert_cmpstr(name, ==, "ok");
	g_assert_cmpstr(addr, ==, "ok.lab.test");
	g_assert_cmpstr(group, ==, "");
	/* the warnings are capped, never flood */
	g_assert_nonnull(strstr(f->log->str, "more problems, not reported"));
	assert_round_trip(p, f->path);
}

static void test_hostile_vectors(Fixture *f, gconstpointer data)
{
	static const struct {
		const char *name;
		unsigned dropped;
		size_t gateways;
	} cases[] = {
	    {"hostile/path-traversal.xml", 7, 1},
	    {"hostile/xinclude.xml", 0, 1},
	    {"hostile/markup-in-values.xml", 0, 1},
	    {"hostile/control-chars.xml", 4, 1},
	    {"hostile/too-many-gateways.xml", 44, PREFS_GATEWAYS_MAX},
	    {"hostile/too-many-servers.xml", 1, 1},
	    {"hostile/too-many-unknown.xml", 8, 0},
	    {"hostile/deep-unknown.xml", 0, 1},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *src = vector(cases[i].name);
		g_autofree char *copy = g_build_filename(f->dir, "h", cases[i].name, NULL);
		_cleanup_(prefs_freep) struct prefs *p = prefs_new();

		g_test_message("hostile vector %s", cases[i].name);
		g_assert_cmpint(prefs_load(p, src), ==, 0);
		g_assert_cmpint(prefs_load_status(p), ==,
		                cases[i].dropped ? PREFS_LOAD_DROPPED : PREFS_LOAD_OK);
		g_assert_cmpuint(prefs_dropped_count(p), ==, cases[i].dropped);
		g_assert_cmpuint(prefs_gateway_count(p), ==, cases[i].gateways);
		assert_round_trip(p, copy);
	}
}

static void test_hostile_details(Fixture *f, gconstpointer data)
{
	{
		_cleanup_(prefs_freep) struct prefs *p = prefs_new();
		g_autofree char *src = vector("hostile/path-traversal.xml");
		g_autofree char *local = NULL;
		g_autofree char *expect = NULL;

		g_assert_cmpint(prefs_load(p, src), ==, 0);
		for (int i = 1; i <= 7; i++) {
			g_autofree char *uri = g_strdup_printf("/profiles/p%d.xml", i);

			g_assert_cmpint(prefs_profile_lookup(p, GW_A, uri, &local, NULL), ==,
			                -ERR_NOT_FOUND);
			g_assert_null(local);
		}
		g_assert_cmpint(prefs_profile_lookup(p, GW_A, "/profiles/ok.xml", &local, NULL), ==,
		                0);
		expect = g_build_filename(prefs_profiles_dir(p), "ok.xml", NULL);
		g_assert_cmpstr(local, ==, expect);
	}
	{
		_cleanup_(prefs_freep) struct prefs *p = prefs_new();
		g_autofree char *src = vector("hostile/markup-in-values.xml");
		struct prefs_gateway *g;
		const char *name, *addr, *group;

		g_assert_cmpint(prefs_load(p, src), ==, 0);
		g = prefs_gateway(p, GW_A, false);
		g_assert_cmpstr(prefs_gateway_get_display_name(g), ==,
		                "</display-name><server-pin>pin-sha256:x</server-pin>");
		g_assert_null(prefs_gateway_get_pin(g));
		g_assert_cmpstr(prefs_gateway_get_last_user(g), ==, "]]><!--");
		g_assert_cmpint(prefs_server_list_at(p, GW_A, 0, &name, &addr, &group), ==, 0);
		g_assert_cmpstr(name, ==, "\"/><server name=\"x");
		g_assert_cmpstr(addr, ==, "a&b");
		g_assert_cmpstr(group, ==, "<g>");
		g_assert_cmpuint(prefs_server_list_count(p, GW_A), ==, 1);
	}
	{
		_cleanup_(prefs_freep) struct prefs *p = prefs_new();
		g_autofree char *src = vector("hostile/xinclude.xml");
		g_autofree char *saved = NULL;

		g_assert_cmpint(prefs_load(p, src), ==, 0);
		g_assert_cmpint(prefs_set_path(p, f->path), ==, 0);
		g_assert_cmpint(prefs_save(p), ==, 0);
		saved = read_file(f->path, NULL);
		/* kept as an unknown element, never processed */
		g_assert_nonnull(strstr(saved, "xi:include"));
		g_assert_null(strstr(saved, "root:"));
	}
	{
		_cleanup_(prefs_freep) struct prefs *p = prefs_new();
		g_autofree char *src = vector("hostile/too-many-gateways.xml");

		/* the first 256 in file order are kept; then sorted newest first */
		g_assert_cmpint(prefs_load(p, src), ==, 0);
		g_assert_cmpstr(prefs_gateway_key(prefs_gateway_at(p, 0)), ==,
		                "https://gw255.lab.test/");
		g_assert_null(prefs_gateway(p, "https://gw256.lab.test/", false));
		g_assert_null(prefs_gateway(p, "https://gw299.lab.test/", true));
	}
}

static void test_load_replaces(Fixture *f, gconstpointer data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	g_autofree char *full = vector("valid/full.xml");
	g_autofree char *minimal = vector("valid/minimal.xml");

	g_assert_cmpint(prefs_load(p, full), ==, 0);
	g_assert_cmpuint(prefs_gateway_count(p), ==, 2);
	g_assert_cmpint(prefs_load(p, minimal), ==, 0);
	assert_defaults(p);
}

static void test_load_from_memory(Fixture *f, gconstpointer data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	static const char good[] = "<sslvpn-preferences version=\"1\"><global><use-dtls>false"
	                           "</use-dtls></global></sslvpn-preferences>";
	static const char newer[] = "<sslvpn-preferences version=\"7\"/>";
	static const char bad[] = "<sslvpn-preferences version=\"1\">";

	g_assert_cmpint(prefs_load_from_memory(p, good, strlen(good), "test"), ==, 0);
	g_assert_false(prefs_get_use_dtls(p));
	g_assert_cmpint(prefs_load_from_memory(p, bad, strlen(bad), "test"), ==, -ERR_PREFS);
	assert_defaults(p);
	g_assert_cmpint(prefs_load_from_memory(p, good, strlen(good), "test"), ==, 0);
	g_assert_cmpint(prefs_load_from_memory(p, newer, strlen(newer), "test"), ==, 1);
	assert_defaults(p);
	g_assert_cmpint(prefs_load_from_memory(p, NULL, 0, "test"), ==, -ERR_PREFS);
	/* memory loads never touch files */
	g_assert_null(prefs_path(p));
}

/* ------------------------------------------------------------------ validation */

static void test_validation(Fixture *f, gconstpointer data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	struct prefs_gateway *g = prefs_gateway(p, GW_A, true);
	g_autofree char *long_str = g_strnfill(PREFS_STRING_MAX + 1, 'x');
	g_autofree char *max_str = g_strnfill(PREFS_STRING_MAX, 'x');
	g_autofree char *long_key = g_strconcat("https://a.test/", long_str, long_str, NULL);
	static const char *const bad_pins[] = {
	    "pin-sha256:ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs",   /* no padding */
	    "pin-sha256:ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLt=",  /* unused bits set */
	    "pin-sha256:ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs==", /* too long */
	    "pin-sha256:ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSL=",   /* too short */
	    "pin-sha256:ypeBEsobvcr6wjGzmiPcTaeG7_gUfE5yuYB3ha/uSLs=",  /* base64url */
	    "PIN-SHA256:ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs=",
	    " pin-sha256:ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs=",
	    "sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb",
	    SHA1_A,
	};
	static const char *const bad_keys[] = {
	    "http://vpn.lab.test/",
	    "https://",
	    "https:///path",
	    "https://user@vpn.lab.test/",
	    "https://vpn.lab.test/#frag",
	    "https://vpn.lab.test:0/",
	    "https://vpn.lab.test:65536/",
	    "https://vpn.lab.test:/",
	    "https://vpn .lab.test/",
	    "https://vpn.lab.test/a b",
	    "https://[]/",
	    "https://[zz::1]/",
	    "HTTPS://vpn.lab.test/",
	    "vpn.lab.test",
	    "https://vpn.lab.test/\n",
	    "https://vpn_lab.test/",
	    "",
	};
	static const char *const good_keys[] = {
	    "https://vpn.lab.test",
	    "https://vpn.lab.test/",
	    "https://vpn.lab.test:443/",
	    "https://10.0.0.1:8443/group",
	    "https://[2001:db8::1]/",
	    "https://[::1]:65535/a?b=c",
	    "https://vpn.lab.test/~a/b@c;d=e",
	    "https://vpn.lab.test/?secret",
	};
	static const char *const bad_strings[] = {
	    "a\nb",
	    "a\tb",
	    "a\x7f",
	    "\x1b[31m",
	    "\xc2\x85", /* NEL, a C1 control */
	    "\xff",
	    "\xc0\xaf",
	    "\xed\xa0\x80",
	    "\xef\xbf\xbe", /* overlong, surrogate, U+FFFE */
	    "\xf4\x90\x80\x80",
	    "\xe4\xb8", /* > U+10FFFF, truncated */
	};

	g_assert_nonnull(g);
	for (size_t i = 0; i < G_N_ELEMENTS(bad_pins); i++) {
		g_test_message("bad pin %s", bad_pins[i]);
		g_assert_false(prefs_validate_pin(bad_pins[i]));
		g_assert_cmpint(prefs_gateway_set_pin(g, bad_pins[i]), ==, -ERR_INVALID_ARGS);
	}
	g_assert_true(prefs_validate_pin(PIN_A));
	g_assert_cmpint(prefs_gateway_set_pin(g, PIN_A), ==, 0);
	g_assert_cmpint(prefs_gateway_set_pin(g, "bogus"), ==, -ERR_INVALID_ARGS);
	g_assert_cmpstr(prefs_gateway_get_pin(g), ==, PIN_A); /* kept on error */
	prefs_gateway_forget_pin(g);
	g_assert_null(prefs_gateway_get_pin(g));
	g_assert_cmpint(prefs_gateway_set_pin(g, PIN_B), ==, 0);
	g_assert_cmpint(prefs_gateway_set_pin(g, ""), ==, 0);
	g_assert_null(prefs_gateway_get_pin(g));

	g_assert_cmpint(prefs_gateway_set_cert_sha1(g, "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8"),
	                ==, 0);
	g_assert_cmpstr(prefs_gateway_get_cert_sha1(g), ==, SHA1_A);
	g_assert_cmpint(prefs_gateway_set_cert_sha1(g, "86F7E437FAA5A7FCE15D1DDCB9EAEAEA377667B"),
	                ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(prefs_gateway_set_cert_sha1(g, "86F7E437FAA5A7FCE15D1DDCB9EAEAEA377667B8A"),
	                ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(prefs_gateway_set_cert_sha1(g, "G6F7E437FAA5A7FCE15D1DDCB9EAEAEA377667B8"),
	                ==, -ERR_INVALID_ARGS);
	g_assert_cmpstr(prefs_gateway_get_cert_sha1(g), ==, SHA1_A);
	g_assert_cmpint(prefs_gateway_set_cert_sha1(g, NULL), ==, 0);
	g_assert_null(prefs_gateway_get_cert_sha1(g));

	for (size_t i = 0; i < G_N_ELEMENTS(bad_keys); i++) {
		g_test_message("bad key %s", bad_keys[i]);
		g_assert_false(prefs_validate_gateway_key(bad_keys[i]));
		g_assert_null(prefs_gateway(p, bad_keys[i], true));
		g_assert_cmpint(prefs_set_last_gateway(p, bad_keys[i][0] ? bad_keys[i] : "x"), ==,
		                -ERR_INVALID_ARGS);
	}
	g_assert_false(prefs_validate_gateway_key(long_key));
	g_assert_false(prefs_validate_gateway_key(NULL));
	for (size_t i = 0; i < G_N_ELEMENTS(good_keys); i++) {
		g_test_message("good key %s", good_keys[i]);
		g_assert_true(prefs_validate_gateway_key(good_keys[i]));
	}

	for (size_t i = 0; i < G_N_ELEMENTS(bad_strings); i++) {
		g_assert_false(prefs_validate_string(bad_strings[i]));
		g_assert_cmpint(prefs_gateway_set_last_user(g, bad_strings[i]), ==,
		                -ERR_INVALID_ARGS);
		g_assert_cmpint(prefs_gateway_set_last_group(g, bad_strings[i]), ==,
		                -ERR_INVALID_ARGS);
		g_assert_cmpint(prefs_gateway_set_display_name(g, bad_strings[i]), ==,
		                -ERR_INVALID_ARGS);
	}
	g_assert_cmpint(prefs_gateway_set_last_user(g, long_str), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(prefs_gateway_set_last_user(g, max_str), ==, 0);
	g_assert_cmpint(prefs_gateway_set_last_user(g, "用户 \xf0\x9f\x94\x92"), ==, 0);
	g_assert_cmpint(prefs_gateway_set_last_user(g, ""), ==, 0);
	g_assert_null(prefs_gateway_get_last_user(g));

	g_assert_cmpint(prefs_gateway_set_last_used(g, -1), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(prefs_gateway_set_last_used(g, INT64_MAX), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(prefs_gateway_set_last_used(g, 1), ==, 0);

	g_assert_cmpint(prefs_set_last_gateway(p, GW_B), ==, 0);
	g_assert_cmpint(prefs_set_last_gateway(p, NULL), ==, 0);
	g_assert_null(prefs_get_last_gateway(p));

	g_assert_true(prefs_validate_sha1_hex(SHA1_A));
	g_assert_false(prefs_validate_sha1_hex(NULL));
}

static void test_gateway_order(Fixture *f, gconstpointer data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	static const struct {
		const char *key;
		int64_t used;
	} gws[] = {
	    {"https://c.test/", 5},
	    {"https://b.test/", 10},
	    {"https://never.test/", 0},
	    {"https://a.test/", 10},
	};
	static const char *const order[] = {"https://a.test/", "https://b.test/", "https://c.test/",
	                                    "https://never.test/"};
	struct prefs_gateway *g;

	for (size_t i = 0; i < G_N_ELEMENTS(gws); i++) {
		g = prefs_gateway(p, gws[i].key, true);
		g_assert_nonnull(g);
		g_assert_true(prefs_gateway(p, gws[i].key, true) == g); /* no duplicate */
		g_assert_cmpint(prefs_gateway_set_last_used(g, gws[i].used), ==, 0);
	}
	g_assert_cmpuint(prefs_gateway_count(p), ==, 4);
	for (size_t i = 0; i < 4; i++)
		g_assert_cmpstr(prefs_gateway_key(prefs_gateway_at(p, i)), ==, order[i]);
	g_assert_null(prefs_gateway_at(p, 4));
	/* using one moves it to the front */
	g_assert_cmpint(
	    prefs_gateway_set_last_used(prefs_gateway(p, "https://never.test/", false), 20), ==, 0);
	g_assert_cmpstr(prefs_gateway_key(prefs_gateway_at(p, 0)), ==, "https://never.test/");
	g_assert_cmpint(prefs_gateway_remove(p, "https://b.test/"), ==, 0);
	g_assert_cmpint(prefs_gateway_remove(p, "https://b.test/"), ==, -ERR_NOT_FOUND);
	g_assert_cmpuint(prefs_gateway_count(p), ==, 3);
	g_assert_null(prefs_gateway(p, "https://b.test/", false));
	g_assert_cmpstr(prefs_gateway_key(prefs_gateway_at(p, 1)), ==, "https://a.test/");

	/* the cap */
	for (int i = 0; prefs_gateway_count(p) < PREFS_GATEWAYS_MAX; i++) {
		g_autofree char *key = g_strdup_printf("https://gw%d.test/", i);

		g_assert_nonnull(prefs_gateway(p, key, true));
	}
	g_assert_null(prefs_gateway(p, "https://one-too-many.test/", true));
	g_assert_nonnull(prefs_gateway(p, "https://a.test/", true));
}

/* ------------------------------------------------------------------ profile cache */

static void test_profile_store_lookup(Fixture *f, gconstpointer data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	_cleanup_(prefs_freep) struct prefs *q = prefs_new();
	static const char body[] = "<AnyConnectProfile/>";
	static const char body2[] = "<AnyConnectProfile><ServerList/></AnyConnectProfile>";
	g_autofree char *local = NULL;
	g_autofree char *local2 = NULL;
	g_autofree char *local3 = NULL;
	g_autofree char *sha1 = NULL;
	g_autofree char *content = NULL;
	char file_sha1[41], expect[41];
	g_autofree char *expect_path = NULL;
	g_autofree char *expect_lower = NULL;
	GChecksum *ck;

	g_assert_cmpint(prefs_load(p, NULL), ==, 0);
	ck = g_checksum_new(G_CHECKSUM_SHA1);
	g_checksum_update(ck, (const guchar *)body, strlen(body));
	g_strlcpy(expect, g_checksum_get_string(ck), sizeof(expect));
	g_checksum_free(ck);
	for (char *c = expect; *c; c++)
		*c = g_ascii_toupper(*c);

	g_assert_cmpint(prefs_profile_lookup(p, GW_A, "/profiles/profile.xml", &local, &sha1), ==,
	                -ERR_NOT_FOUND);
	/* a hash that does not match the data is refused and nothing is written */
	g_assert_cmpint(
	    prefs_profile_store(p, GW_A, "/profiles/profile.xml", body, strlen(body), SHA1_A), ==,
	    -ERR_INVALID_ARGS);
	g_assert_false(g_file_test(prefs_profiles_dir(p), G_FILE_TEST_EXISTS));
	g_assert_cmpint(prefs_profile_store(p, GW_A, "/profiles/profile.xml", body, strlen(body),
	                                    (expect_lower = g_ascii_strdown(expect, -1))),
	                ==, 0);
	g_assert_cmpint(prefs_profile_lookup(p, GW_A, "/profiles/profile.xml", &local, &sha1), ==,
	                0);
	expect_path = g_build_filename(prefs_profiles_dir(p), "profile.xml", NULL);
	g_assert_cmpstr(local, ==, expect_path);
	g_assert_cmpstr(sha1, ==, expect);
	content = read_file(local, NULL);
	g_assert_cmpstr(content, ==, body);
	g_assert_cmpint(prefs_profile_file_sha1(local, file_sha1), ==, 0);
	g_assert_cmpstr(file_sha1, ==, expect);
	g_clear_pointer(&sha1, g_free);

	/* the same name from another gateway gets its own file */
	g_assert_cmpint(prefs_profile_store(p, GW_B, "/CACHE/stc/profiles/profile.xml", body2,
	                                    strlen(body2), NULL),
	                ==, 0);
	g_assert_cmpint(
	    prefs_profile_lookup(p, GW_B, "/CACHE/stc/profiles/profile.xml", &local2, NULL), ==, 0);
	g_assert_true(g_str_has_suffix(local2, "/profile-2.xml"));
	/* storing the same (gateway, uri) again replaces that file in place */
	g_assert_cmpint(
	    prefs_profile_store(p, GW_A, "/profiles/profile.xml", body2, strlen(body2), NULL), ==,
	    0);
	g_assert_cmpint(prefs_profile_lookup(p, GW_A, "/profiles/profile.xml", &local3, &sha1), ==,
	                0);
	g_assert_cmpstr(local3, ==, local);
	g_clear_pointer(&content, g_free);
	content = read_file(local, NULL);
	g_assert_cmpstr(content, ==, body2);
	g_assert_cmpint(prefs_profile_file_sha1(local, file_sha1), ==, 0);
	g_assert_cmpstr(file_sha1, ==, sha1);
	g_assert_cmpuint(count_entries(prefs_profiles_dir(p)), ==, 2);

	/* the index survives a save and load */
	g_assert_cmpint(prefs_save(p), ==, 0);
	g_assert_cmpint(prefs_load(q, NULL), ==, 0);
	g_assert_true(prefs_equal(p, q));
	g_clear_pointer(&local3, g_free);
	g_assert_cmpint(
	    prefs_profile_lookup(q, GW_B, "/CACHE/stc/profiles/profile.xml", &local3, NULL), ==, 0);
	g_assert_cmpstr(local3, ==, local2);

	/* forgetting a gateway deletes its cached files */
	g_assert_cmpint(prefs_gateway_remove(q, GW_A), ==, 0);
	g_assert_false(g_file_test(local, G_FILE_TEST_EXISTS));
	g_assert_true(g_file_test(local2, G_FILE_TEST_EXISTS));

	/* bounds */
	g_assert_cmpint(prefs_profile_store(p, GW_A, "/p.xml", NULL, PREFS_PROFILE_MAX + 1, NULL),
	                ==, -ERR_INVALID_ARGS);
	{
		g_autofree char *big = g_malloc0(PREFS_PROFILE_MAX + 1);

		g_assert_cmpint(
		    prefs_profile_store(p, GW_A, "/p.xml", big, PREFS_PROFILE_MAX + 1, NULL), ==,
		    -ERR_TOO_LARGE);
	}
	g_assert_cmpint(prefs_profile_store(p, "http://x.test/", "/p.xml", "a", 1, NULL), ==,
	                -ERR_INVALID_ARGS);
	g_assert_cmpint(prefs_profile_store(p, GW_A, "/p.xml", "a", 1, "xyz"), ==,
	                -ERR_INVALID_ARGS);
	for (int i = 0; i < PREFS_PROFILES_MAX - 1; i++) {
		g_autofree char *uri = g_strdup_printf("/profiles/n%d.xml", i);

		g_assert_cmpint(prefs_profile_store(p, GW_A, uri, "a", 1, NULL), ==, 0);
	}
	g_assert_cmpint(prefs_profile_store(p, GW_A, "/profiles/one-more.xml", "a", 1, NULL), ==,
	                -ERR_TOO_LARGE);
	assert_no_temp_files(prefs_profiles_dir(p));
}

static void test_profile_hostile_names(Fixture *f, gconstpointer data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	g_autofree char *l1000 = g_strnfill(1000, 'L');
	g_autofree char *l1100 = g_strnfill(1100, 'L');
	g_autofree char *long_uri = g_strdup_printf("/profiles/%s.xml", l1000);
	g_autofree char *too_long = g_strdup_printf("/profiles/%s", l1100);
	static const struct {
		const char *uri;
		const char *name; /* expected file name */
	} cases[] = {
	    {"../../etc/passwd", "passwd"},
	    {"..", "profile"},
	    {"/profiles/..", "profile-2"},
	    {"/profiles/.", "profile-3"},
	    {"/profiles/", "profile-4"},
	    {"/", "profile-5"},
	    {"/profiles/.bashrc", "_bashrc"},
	    {"/a/%2e%2e", "profile-6"},
	    {"/a/%2e%2e%2f%2e%2e%2fetc%2fshadow", "shadow"},
	    {"profiles%2Fcorp.xml", "corp.xml"},
	    {"/x/..%5c..%5cwin.ini", "win.ini"},
	    {"/x/a%00b.xml", "a_b.xml"},
	    {"/x/%C3%A9t%C3%A9.xml", "__t__.xml"},
	    {"/x/name.xml?query=/../../x#frag", "name.xml"},
	    {"/x/%zz.xml", "_zz.xml"},
	    {"/x/a%2", "a_2"},
	    {"/y/passwd", "passwd-2"},
	};
	g_autofree char *outside = g_build_filename(f->dir, "etc", NULL);
	unsigned files = 0;

	g_assert_cmpint(prefs_load(p, NULL), ==, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *local = NULL;
		g_autofree char *dir = NULL;
		g_autofree char *base = NULL;

		const char *key = i < 12 ? GW_A : GW_B; /* at most PREFS_PROFILES_MAX each */

		g_test_message("uri %s", cases[i].uri);
		g_assert_cmpint(prefs_profile_store(p, key, cases[i].uri, "x", 1, NULL), ==, 0);
		files++;
		g_assert_cmpint(prefs_profile_lookup(p, key, cases[i].uri, &local, NULL), ==, 0);
		dir = g_path_get_dirname(local);
		base = g_path_get_basename(local);
		g_assert_cmpstr(dir, ==, prefs_profiles_dir(p));
		g_assert_cmpstr(base, ==, cases[i].name);
		g_assert_true(g_file_test(local, G_FILE_TEST_IS_REGULAR));
	}
	g_assert_cmpint(prefs_profile_store(p, GW_B, long_uri, "x", 1, NULL), ==, 0);
	files++;
	{
		g_autofree char *local = NULL;
		g_autofree char *base = NULL;

		g_assert_cmpint(prefs_profile_lookup(p, GW_B, long_uri, &local, NULL), ==, 0);
		base = g_path_get_basename(local);
		g_assert_cmpuint(strlen(base), <=, PREFS_PROFILE_NAME_MAX);
		g_assert_true(g_str_has_prefix(base, "LLLL"));
	}
	/* rejected outright: empty, too long, spaces and controls */
	g_assert_cmpint(prefs_profile_store(p, GW_B, "", "x", 1, NULL), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(prefs_profile_store(p, GW_B, too_long, "x", 1, NULL), ==,
	                -ERR_INVALID_ARGS);
	g_assert_cmpint(prefs_profile_store(p, GW_B, "/a b.xml", "x", 1, NULL), ==,
	                -ERR_INVALID_ARGS);
	g_assert_cmpint(prefs_profile_store(p, GW_B, "/a\n.xml", "x", 1, NULL), ==,
	                -ERR_INVALID_ARGS);
	g_assert_cmpint(prefs_profile_store(p, GW_B, NULL, "x", 1, NULL), ==, -ERR_INVALID_ARGS);
	/* everything landed in profiles/, nothing anywhere else */
	g_assert_cmpuint(count_entries(prefs_profiles_dir(p)), ==, files);
	g_assert_false(g_file_test(outside, G_FILE_TEST_EXISTS));
	g_assert_cmpuint(count_entries(f->dir), ==, 1);    /* config/ */
	g_assert_cmpuint(count_entries(f->config), ==, 1); /* sslvpn/ */
	{
		g_autofree char *d = g_path_get_dirname(f->path);

		g_assert_cmpuint(count_entries(d), ==, 1); /* profiles/ (nothing saved yet) */
	}
	/* and the index with all these names saves and loads cleanly */
	assert_round_trip(p, f->path);
}

static void test_profile_file_sha1(Fixture *f, gconstpointer data)
{
	g_autofree char *path = g_build_filename(f->dir, "abc", NULL);
	g_autofree char *empty = g_build_filename(f->dir, "empty", NULL);
	g_autofree char *missing = g_build_filename(f->dir, "missing", NULL);
	char out[41];

	write_file(path, "abc", 3);
	write_file(empty, "", 0);
	g_assert_cmpint(prefs_profile_file_sha1(path, out), ==, 0);
	g_assert_cmpstr(out, ==, "A9993E364706816ABA3E25717850C26C9CD0D89D");
	g_assert_cmpint(prefs_profile_file_sha1(empty, out), ==, 0);
	g_assert_cmpstr(out, ==, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709");
	g_assert_cmpint(prefs_profile_file_sha1(missing, out), ==, -ERR_NOT_FOUND);
	g_assert_cmpint(prefs_profile_file_sha1(f->dir, out), ==, -ERR_IO);
	g_assert_cmpint(prefs_profile_file_sha1(NULL, out), ==, -ERR_INVALID_ARGS);
}

/* ------------------------------------------------------------------ server list */

static void test_server_list(Fixture *f, gconstpointer data)
{
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	const char *names[] = {"A", NULL, "C"};
	const char *addrs[] = {"a.test", "b.test/grp", "c.test:444"};
	const char *groups[] = {"g1", "g2", NULL};
	const char *bad_addrs[] = {"a.test", "", "c.test"};
	const char *bad_names[] = {"A", "B\n", "C"};
	const char *n, *a, *g;
	const char **many_addrs = g_new0(const char *, PREFS_SERVERS_MAX + 1);

	g_assert_cmpint(prefs_set_server_list(p, GW_A, names, addrs, groups, 3), ==, 0);
	g_assert_cmpuint(prefs_server_list_count(p, GW_A), ==, 3);
	g_assert_cmpint(prefs_server_list_at(p, GW_A, 1, &n, &a, &g), ==, 0);
	g_assert_cmpstr(n, ==, "");
	g_assert_cmpstr(a, ==, "b.test/grp");
	g_assert_cmpstr(g, ==, "g2");
	g_assert_cmpint(prefs_server_list_at(p, GW_A, 2, &n, &a, &g), ==, 0);
	g_assert_cmpstr(g, ==, "");
	/* all or nothing */
	g_assert_cmpint(prefs_set_server_list(p, GW_A, names, bad_addrs, groups, 3), ==,
	                -ERR_INVALID_ARGS);
	g_assert_cmpint(prefs_set_server_list(p, GW_A, bad_names, addrs, groups, 3), ==,
	                -ERR_INVALID_ARGS);
	g_assert_cmpuint(prefs_server_list_count(p, GW_A), ==, 3);
	for (int i = 0; i <= PREFS_SERVERS_MAX; i++)
		many_addrs[i] = "x.test";
	g_assert_cmpint(
	    prefs_set_server_list(p, GW_A, NULL, many_addrs, NULL, PREFS_SERVERS_MAX + 1), ==,
	    -ERR_TOO_LARGE);
	g_assert_cmpint(prefs_set_server_list(p, GW_A, NULL, many_addrs, NULL, PREFS_SERVERS_MAX),
	                ==, 0);
	g_assert_cmpuint(prefs_server_list_count(p, GW_A), ==, PREFS_SERVERS_MAX);
	g_assert_cmpint(prefs_set_server_list(p, "ftp://x/", NULL, addrs, NULL, 1), ==,
	                -ERR_INVALID_ARGS);
	g_assert_cmpuint(prefs_server_list_count(p, "https://unknown.test/"), ==, 0);
	/* an empty list clears */
	g_assert_cmpint(prefs_set_server_list(p, GW_A, NULL, NULL, NULL, 0), ==, 0);
	g_assert_cmpuint(prefs_server_list_count(p, GW_A), ==, 0);
	g_assert_cmpint(prefs_set_server_list(p, GW_B, names, addrs, groups, 3), ==, 0);
	assert_round_trip(p, f->path);
	g_free(many_addrs);
}

/* ------------------------------------------------------------------ no secrets */

static void collect_names(xmlNode *n, GHashTable *names)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		g_hash_table_add(names, g_strdup((const char *)n->name));
		for (xmlAttr *a = n->properties; a; a = a->next)
			g_hash_table_add(names, g_strdup_printf("@%s", (const char *)a->name));
		collect_names(n->children, names);
	}
}

static void test_no_secrets(Fixture *f, gconstpointer data)
{
	g_autofree char *header =
	    g_build_filename(TEST_DATA_DIR, "..", "..", "core", "prefs", "prefs.h", NULL);
	g_autofree char *text = read_file(header, NULL);
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	static const char *const words[] = {"password", "passwd", "cookie",    "token",
	                                    "secret",   "otp",    "passphrase"};
	static const char *const allowed[] = {
	    "sslvpn-preferences",
	    "@version",
	    "global",
	    "block-untrusted-servers",
	    "use-dtls",
	    "start-in-tray",
	    "last-gateway",
	    "gateway",
	    "@url",
	    "display-name",
	    "server-pin",
	    "server-cert-sha1",
	    "last-group",
	    "last-user",
	    "last-used",
	    "profile",
	    "@uri",
	    "@file",
	    "@sha1",
	    "server-list",
	    "server",
	    "@name",
	    "@address",
	    "@group",
	};
	_cleanup_(prefs_freep) struct prefs *p = prefs_new();
	g_autoptr(GHashTable) names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	xmlDoc *doc;
	GHashTableIter it;
	gpointer key;
	unsigned decls = 0;

	/* no declaration in the API mentions a secret */
	for (char **l = lines; *l; l++) {
		g_autofree char *lower = g_ascii_strdown(*l, -1);

		if (!strstr(lower, "prefs_") || !strchr(lower, '('))
			continue;
		decls++;
		for (size_t i = 0; i < G_N_ELEMENTS(words); i++)
			g_assert_null(strstr(lower, words[i]));
	}
	g_assert_cmpuint(decls, >, 30);

	/* and a file with everything set holds only the documented names */
	g_assert_cmpint(prefs_load(p, NULL), ==, 0);
	fill_everything(p);
	g_assert_cmpint(prefs_save(p), ==, 0);
	doc = xmlReadFile(f->path, NULL, XML_PARSE_NONET);
	g_assert_nonnull(doc);
	collect_names(xmlDocGetRootElement(doc), names);
	xmlFreeDoc(doc);
	g_hash_table_iter_init(&it, names);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		gboolean ok = FALSE;

		for (size_t i = 0; i < G_N_ELEMENTS(allowed); i++)
			ok |= strcmp(key, allowed[i]) == 0;
		if (!ok)
			g_error("undocumented name %s in preferences.xml", (const char *)key);
	}
	g_assert_cmpuint(g_hash_table_size(names), ==, G_N_ELEMENTS(allowed));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD("/prefs/defaults", test_defaults);
	ADD("/prefs/default-location", test_default_location);
	ADD("/prefs/round-trip", test_round_trip);
	ADD("/prefs/modes", test_modes);
	ADD("/prefs/save/unwritable-dir", test_save_unwritable_dir);
	ADD("/prefs/save/rename-fails", test_save_rename_fails);
	ADD("/prefs/save/replaces-symlink", test_save_replaces_symlink);
	ADD("/prefs/corrupt/vectors", test_corrupt_vectors);
	ADD("/prefs/corrupt/huge", test_corrupt_huge);
	ADD("/prefs/corrupt/directory", test_corrupt_directory);
	ADD("/prefs/corrupt/never-overwrites", test_corrupt_never_overwrites);
	ADD("/prefs/corrupt/unmovable", test_corrupt_unmovable);
	ADD("/prefs/newer-version", test_newer_version);
	ADD("/prefs/unreadable", test_unreadable);
	ADD("/prefs/valid/all", test_valid_vectors);
	ADD("/prefs/valid/full", test_valid_full);
	ADD("/prefs/valid/hand-formatted", test_valid_hand_formatted);
	ADD("/prefs/valid/utf8-bom", test_valid_bom);
	ADD("/prefs/valid/unknown-elements", test_unknown_elements_kept);
	ADD("/prefs/hand-edited/bad-pin", test_hand_edited_bad_pin);
	ADD("/prefs/hand-edited/mixed", test_hand_edited_mixed);
	ADD("/prefs/hostile/vectors", test_hostile_vectors);
	ADD("/prefs/hostile/details", test_hostile_details);
	ADD("/prefs/load-replaces", test_load_replaces);
	ADD("/prefs/load-from-memory", test_load_from_memory);
	ADD("/prefs/validation", test_validation);
	ADD("/prefs/gateway-order", test_gateway_order);
	ADD("/prefs/profile/store-lookup", test_profile_store_lookup);
	ADD("/prefs/profile/hostile-names", test_profile_hostile_names);
	ADD("/prefs/profile/file-sha1", test_profile_file_sha1);
	ADD("/prefs/server-list", test_server_list);
	ADD("/prefs/no-secrets", test_no_secrets);
#undef ADD
	return g_test_run();
}
