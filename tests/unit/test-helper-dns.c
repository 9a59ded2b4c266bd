// SPDX-License-Identifier: GPL-2.0-or-later
/* resolv.conf handling of sslvpn-helper (helper/helper-dns.c) on files in a temporary
 * directory: the text we write, the byte-exact restore, the "someone else changed it" rule,
 * symlinks, and recovery after a helper died. */
#include <arpa/inet.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "helper-dns.h"
#include "unit-helper.h"

/* No trailing newline, odd spacing, a NUL-free comment: restored exactly as it was. */
static const char original[] = "# managed by hand\n"
                               "nameserver 192.0.2.1\n"
                               "nameserver 192.0.2.2\n"
                               "search example.org  example.net\n"
                               "options edns0 trust-ad\n"
                               "sortlist 130.155.160.0/255.255.240.0";

static struct tunnel_config *config(void)
{
	struct tunnel_config *cfg = tunnel_config_new();

	cfg->has_addr4 = true;
	inet_pton(AF_INET, "198.51.100.7", &cfg->addr4);
	cfg->prefix4 = 24;
	cfg->mtu = 1400;
	inet_pton(AF_INET, "203.0.113.53", &cfg->dns4[cfg->n_dns4++]);
	inet_pton(AF_INET, "203.0.113.54", &cfg->dns4[cfg->n_dns4++]);
	inet_pton(AF_INET6, "2001:db8::53", &cfg->dns6[cfg->n_dns6++]);
	inet_pton(AF_INET6, "2001:db8::54", &cfg->dns6[cfg->n_dns6++]);
	strcpy(cfg->domains[cfg->n_domains++], "lab.test");
	strcpy(cfg->domains[cfg->n_domains++], "corp.test");
	return cfg;
}

static void test_text(void)
{
	struct tunnel_config *cfg = config();
	g_autofree char *text =
	    helper_dns_resolv_conf_text(original, strlen(original), cfg, "tun9");

	g_assert_cmpstr(text, ==,
	                "# Written by sslvpn-helper for the VPN on tun9; the original comes back "
	                "when it disconnects.\n"
	                "nameserver 203.0.113.53\n"
	                "nameserver 203.0.113.54\n"
	                "nameserver 2001:db8::53\n"
	                "search lab.test corp.test example.org  example.net\n"
	                "options edns0 trust-ad\n");
	tunnel_config_free(cfg);
}

static void test_text_domains_only(void)
{
	struct tunnel_config *cfg = config();
	g_autofree char *text = NULL;

	cfg->n_dns4 = cfg->n_dns6 = 0;
	text = helper_dns_resolv_conf_text(original, strlen(original), cfg, "tun9");
	/* Without pushed servers the system's stay. */
	g_assert_nonnull(strstr(text, "nameserver 192.0.2.1\nnameserver 192.0.2.2\n"));
	g_assert_nonnull(strstr(text, "search lab.test corp.test example.org  example.net\n"));
	tunnel_config_free(cfg);
}

static char *read_file(const char *path, gsize *len)
{
	char *data = NULL;

	g_assert_true(g_file_get_contents(path, &data, len, NULL));
	return data;
}

struct fixture {
	char *dir;
	char *state;
	char *conf;
};

static void fixture_setup(struct fixture *f, gconstpointer data)
{
	f->dir = unit_tmpdir_new("helper-dns-XXXXXX");
	f->state = g_build_filename(f->dir, "state", NULL);
	f->conf = g_build_filename(f->dir, "resolv.conf", NULL);
	g_assert_true(g_file_set_contents(f->conf, original, strlen(original), NULL));
	g_assert_cmpint(chmod(f->conf, 0640), ==, 0);
}

static void fixture_teardown(struct fixture *f, gconstpointer data)
{
	unit_tmpdir_remove(f->dir);
	g_free(f->dir);
	g_free(f->state);
	g_free(f->conf);
}

static void test_apply_undo(struct fixture *f, gconstpointer data)
{
	struct tunnel_config *cfg = config();
	struct helper_dns *d = helper_dns_new(NULL, f->conf, f->state);
	g_autofree char *orig_copy = g_build_filename(f->state, "resolv.conf.orig", NULL);
	struct stat before, during, after;
	char *text;
	gsize len;

	g_assert_cmpint(stat(f->conf, &before), ==, 0);
	g_assert_cmpint(helper_dns_apply(d, 9, "tun9", cfg), ==, 0);
	text = read_file(f->conf, &len);
	g_assert_nonnull(strstr(text, "nameserver 203.0.113.53\n"));
	g_free(text);
	g_assert_cmpint(stat(f->conf, &during), ==, 0);
	/* Written in place: the inode (and so any bind mount) stays. */
	g_assert_cmpuint(during.st_ino, ==, before.st_ino);
	text = read_file(orig_copy, &len);
	g_assert_cmpmem(text, len, original, strlen(original));
	g_free(text);
	g_assert_cmpint(helper_dns_apply(d, 9, "tun9", cfg), ==, -ERR_BUSY);

	helper_dns_undo(d);
	text = read_file(f->conf, &len);
	g_assert_cmpmem(text, len, original, strlen(original));
	g_free(text);
	g_assert_cmpint(stat(f->conf, &after), ==, 0);
	g_assert_cmpuint(after.st_ino, ==, before.st_ino);
	g_assert_cmpuint(after.st_mode, ==, before.st_mode);
	g_assert_false(g_file_test(orig_copy, G_FILE_TEST_EXISTS));
	helper_dns_free(d);
	tunnel_config_free(cfg);
}

static void test_nothing_pushed(struct fixture *f, gconstpointer data)
{
	struct tunnel_config *cfg = config();
	struct helper_dns *d = helper_dns_new(NULL, f->conf, f->state);
	char *text;
	gsize len;

	cfg->n_dns4 = cfg->n_dns6 = cfg->n_domains = 0;
	g_assert_cmpint(helper_dns_apply(d, 9, "tun9", cfg), ==, 0);
	text = read_file(f->conf, &len);
	g_assert_cmpmem(text, len, original, strlen(original));
	g_free(text);
	g_assert_false(g_file_test(f->state, G_FILE_TEST_EXISTS));
	helper_dns_undo(d);
	helper_dns_free(d);
	tunnel_config_free(cfg);
}

static void test_changed_by_someone_else(struct fixture *f, gconstpointer data)
{
	struct tunnel_config *cfg = config();
	struct helper_dns *d = helper_dns_new(NULL, f->conf, f->state);
	static const char theirs[] = "nameserver 192.0.2.99\n";
	char *text;
	gsize len;

	g_assert_cmpint(helper_dns_apply(d, 9, "tun9", cfg), ==, 0);
	g_assert_true(g_file_set_contents(f->conf, theirs, -1, NULL));
	helper_dns_undo(d);
	text = read_file(f->conf, &len);
	g_assert_cmpstr(text, ==, theirs);
	g_free(text);
	helper_dns_free(d);
	tunnel_config_free(cfg);
}

static void test_symlink(struct fixture *f, gconstpointer data)
{
	struct tunnel_config *cfg = config();
	g_autofree char *link = g_build_filename(f->dir, "link.conf", NULL);
	struct helper_dns *d = helper_dns_new(NULL, link, f->state);
	g_autofree char *target = NULL;
	char *text;
	gsize len;

	g_assert_cmpint(symlink("resolv.conf", link), ==, 0);
	g_assert_cmpint(helper_dns_apply(d, 9, "tun9", cfg), ==, 0);
	/* The link stays a link; its target carries our text. */
	target = g_file_read_link(link, NULL);
	g_assert_cmpstr(target, ==, "resolv.conf");
	text = read_file(f->conf, &len);
	g_assert_nonnull(strstr(text, "sslvpn-helper"));
	g_free(text);
	helper_dns_undo(d);
	text = read_file(f->conf, &len);
	g_assert_cmpmem(text, len, original, strlen(original));
	g_free(text);
	g_assert_true(g_file_test(link, G_FILE_TEST_IS_SYMLINK));
	helper_dns_free(d);
	tunnel_config_free(cfg);
}

static void test_recover(struct fixture *f, gconstpointer data)
{
	struct tunnel_config *cfg = config();
	struct helper_dns *d = helper_dns_new(NULL, f->conf, f->state);
	char *text;
	gsize len;

	g_assert_cmpint(helper_dns_apply(d, 9, "tun9", cfg), ==, 0);
	/* The helper dies here: nothing is undone, the state directory remains. */
	helper_dns_free(d);
	helper_dns_recover(f->conf, f->state);
	text = read_file(f->conf, &len);
	g_assert_cmpmem(text, len, original, strlen(original));
	g_free(text);
	/* Nothing left to recover a second time. */
	g_assert_true(g_file_set_contents(f->conf, "nameserver 192.0.2.77\n", -1, NULL));
	helper_dns_recover(f->conf, f->state);
	text = read_file(f->conf, &len);
	g_assert_cmpstr(text, ==, "nameserver 192.0.2.77\n");
	g_free(text);
	tunnel_config_free(cfg);
}

static void test_not_regular(struct fixture *f, gconstpointer data)
{
	struct tunnel_config *cfg = config();
	struct helper_dns *d = helper_dns_new(NULL, f->dir, f->state);

	g_assert_cmpint(helper_dns_apply(d, 9, "tun9", cfg), ==, -ERR_NETWORK_CONFIG);
	helper_dns_undo(d);
	helper_dns_free(d);
	tunnel_config_free(cfg);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/helper-dns/text", test_text);
	g_test_add_func("/helper-dns/text-domains-only", test_text_domains_only);
	g_test_add("/helper-dns/apply-undo", struct fixture, NULL, fixture_setup, test_apply_undo,
	           fixture_teardown);
	g_test_add("/helper-dns/nothing-pushed", struct fixture, NULL, fixture_setup,
	           test_nothing_pushed, fixture_teardown);
	g_test_add("/helper-dns/changed-by-someone-else", struct fixture, NULL, fixture_setup,
	           test_changed_by_someone_else, fixture_teardown);
	g_test_add("/helper-dns/symlink", struct fixture, NULL, fixture_setup, test_symlink,
	           fixture_teardown);
	g_test_add("/helper-dns/recover", struct fixture, NULL, fixture_setup, test_recover,
	           fixture_teardown);
	g_test_add("/helper-dns/not-regular", struct fixture, NULL, fixture_setup, test_not_regular,
	           fixture_teardown);
	return g_test_run();
}
