// SPDX-License-Identifier: GPL-2.0-or-later
/* Connect's options as sslvpn-helper validates them (helper/helper-options.c): built as real
 * D-Bus messages with libdbus, so the iteration code is exercised too. */
#include <dbus/dbus.h>
#include <fcntl.h>
#include <glib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "helper-options.h"
#include "unit-helper.h"

#define PIN  "pin-sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
#define PIN2 "pin-sha256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="

struct opt {
	const char *key;
	int type; /* DBUS_TYPE_STRING, _BOOLEAN, _INT32, _UNIX_FD */
	const char *s;
	int i;
};

static DBusMessage *build(const struct opt *opts, size_t n)
{
	DBusMessage *m = dbus_message_new_method_call("org.sslvpn.Helper1", "/org/sslvpn/Helper1",
	                                              "org.sslvpn.Helper1.Manager", "Connect");
	DBusMessageIter it, arr, entry, var;

	g_assert_nonnull(m);
	dbus_message_iter_init_append(m, &it);
	g_assert_true(dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &arr));
	for (size_t k = 0; k < n; k++) {
		char sig[2] = {(char)opts[k].type, 0};
		dbus_bool_t b = opts[k].i;

		g_assert_true(
		    dbus_message_iter_open_container(&arr, DBUS_TYPE_DICT_ENTRY, NULL, &entry));
		g_assert_true(
		    dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &opts[k].key));
		g_assert_true(
		    dbus_message_iter_open_container(&entry, DBUS_TYPE_VARIANT, sig, &var));
		if (opts[k].type == DBUS_TYPE_STRING)
			g_assert_true(
			    dbus_message_iter_append_basic(&var, DBUS_TYPE_STRING, &opts[k].s));
		else if (opts[k].type == DBUS_TYPE_BOOLEAN)
			g_assert_true(dbus_message_iter_append_basic(&var, DBUS_TYPE_BOOLEAN, &b));
		else
			g_assert_true(
			    dbus_message_iter_append_basic(&var, opts[k].type, &opts[k].i));
		g_assert_true(dbus_message_iter_close_container(&entry, &var));
		g_assert_true(dbus_message_iter_close_container(&arr, &entry));
	}
	g_assert_true(dbus_message_iter_close_container(&it, &arr));
	return m;
}

static int parse(const struct opt *opts, size_t n, struct helper_options **out, char *err,
                 size_t errlen)
{
	DBusMessage *m = build(opts, n);
	DBusMessageIter it;
	int r;

	dbus_message_iter_init(m, &it);
	r = helper_options_parse(&it, out, err, errlen);
	dbus_message_unref(m);
	return r;
}

/* Parses the good set with one entry replaced (or removed when key is NULL in repl). */
static int parse_with(const char *key, const struct opt *repl, char *err, size_t errlen)
{
	struct opt o[8] = {
	    {"Gateway", DBUS_TYPE_STRING, "https://vpn.example.com/", 0},
	    {"Address", DBUS_TYPE_STRING, "192.0.2.10", 0},
	    {"Cookie", DBUS_TYPE_STRING, "AbC123+/=@x", 0},
	    {"ServerCertPin", DBUS_TYPE_STRING, PIN, 0},
	};
	size_t n = 4;
	struct helper_options *out = NULL;
	int r;

	for (size_t k = 0; k < n; k++) {
		if (strcmp(o[k].key, key) != 0)
			continue;
		if (repl)
			o[k] = *repl;
		else
			o[k] = o[--n];
		key = NULL;
		break;
	}
	if (key && repl)
		o[n++] = *repl;
	r = parse(o, n, &out, err, errlen);
	helper_options_free(out);
	return r;
}

static void test_good(void)
{
	struct opt o[] = {
	    {"Gateway", DBUS_TYPE_STRING, "https://vpn.example.com:8443/group", 0},
	    {"Address", DBUS_TYPE_STRING, "2001:db8::10", 0},
	    {"Cookie", DBUS_TYPE_STRING, "AbC123+/=@x", 0},
	    {"ServerCertPin", DBUS_TYPE_STRING, PIN2, 0},
	    {"NoDtls", DBUS_TYPE_BOOLEAN, NULL, 1},
	    {"UserAgent", DBUS_TYPE_STRING, "AnyConnect Linux_64 4.10.07061", 0},
	};
	_cleanup_(helper_options_freep) struct helper_options *out = NULL;
	char err[256];

	g_assert_cmpint(parse(o, G_N_ELEMENTS(o), &out, err, sizeof(err)), ==, 0);
	g_assert_cmpstr(out->gateway, ==, "https://vpn.example.com:8443/group");
	g_assert_cmpstr(out->host, ==, "vpn.example.com");
	g_assert_cmpuint(out->port, ==, 8443);
	g_assert_cmpstr(out->address, ==, "2001:db8::10");
	g_assert_cmpstr(secret_str(out->cookie), ==, "AbC123+/=@x");
	g_assert_cmpstr(out->pin, ==, PIN2);
	g_assert_true(out->no_dtls);
	g_assert_cmpstr(out->user_agent, ==, "AnyConnect Linux_64 4.10.07061");
	g_assert_cmpint(out->cert_fd, ==, -1);
	g_assert_cmpint(out->key_fd, ==, -1);
}

static void expect_invalid(const char *key, const struct opt *repl, const char *reason_part)
{
	char err[256] = "";

	g_assert_cmpint(parse_with(key, repl, err, sizeof(err)), ==, -ERR_INVALID_ARGS);
	if (reason_part && !strstr(err, reason_part))
		g_error("reason \"%s\" lacks \"%s\"", err, reason_part);
}

static void test_missing_and_types(void)
{
	static const char *const required[] = {"Gateway", "Address", "Cookie", "ServerCertPin"};
	struct opt wrong = {"Gateway", DBUS_TYPE_INT32, NULL, 5};
	struct opt unknown = {"Frobnicate", DBUS_TYPE_STRING, "x", 0};
	struct opt nodtls = {"NoDtls", DBUS_TYPE_STRING, "yes", 0};
	struct opt fd_as_string = {"ClientCertFd", DBUS_TYPE_STRING, "/etc/passwd", 0};

	for (size_t k = 0; k < G_N_ELEMENTS(required); k++)
		expect_invalid(required[k], NULL, required[k]);
	expect_invalid("Gateway", &wrong, "type 's'");
	expect_invalid("Frobnicate", &unknown, "unknown option 'Frobnicate'");
	expect_invalid("NoDtls", &nodtls, "type 'b'");
	expect_invalid("ClientCertFd", &fd_as_string, "type 'h'");
}

static void test_duplicates_and_count(void)
{
	struct opt o[40];
	struct helper_options *out = NULL;
	char err[256];

	o[0] = (struct opt){"Gateway", DBUS_TYPE_STRING, "https://vpn.example.com/", 0};
	o[1] = (struct opt){"Address", DBUS_TYPE_STRING, "192.0.2.10", 0};
	o[2] = (struct opt){"Cookie", DBUS_TYPE_STRING, "c", 0};
	o[3] = (struct opt){"ServerCertPin", DBUS_TYPE_STRING, PIN, 0};
	o[4] = o[2];
	g_assert_cmpint(parse(o, 5, &out, err, sizeof(err)), ==, -ERR_INVALID_ARGS);
	g_assert_nonnull(strstr(err, "twice"));
	for (size_t k = 4; k < G_N_ELEMENTS(o); k++)
		o[k] = (struct opt){"Unknown", DBUS_TYPE_STRING, "x", 0};
	g_assert_cmpint(parse(o, G_N_ELEMENTS(o), &out, err, sizeof(err)), ==, -ERR_INVALID_ARGS);
	g_assert_null(out);
}

static void test_unprintable_key(void)
{
	char key[200];
	struct opt o = {key, DBUS_TYPE_STRING, "x", 0};
	char err[256];

	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = 0;
	g_assert_cmpint(parse_with("none", &o, err, sizeof(err)), ==, -ERR_INVALID_ARGS);
	/* A caller's long text is not quoted back. */
	g_assert_null(
	    strstr(err, "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"));
}

static void test_gateway(void)
{
	static const struct {
		const char *url;
		const char *host;
		unsigned port;
	} good[] = {
	    {"https://vpn.example.com/", "vpn.example.com", 443},
	    {"https://vpn.example.com:8443/", "vpn.example.com", 8443},
	    {"https://192.0.2.1/", "192.0.2.1", 443},
	    {"https://[2001:db8::1]:444/x/y", "2001:db8::1", 444},
	    {"https://vpn.example.com/?secret", "vpn.example.com", 443},
	};
	static const char *const bad[] = {
	    "http://vpn.example.com/",
	    "https://vpn.example.com",
	    "https://VPN.example.com/",
	    "https://vpn.example.com:443/",
	    "https://vpn_x.example.com/",
	    "https://-a.example.com/",
	    "https://a..example.com/",
	    "https://user@vpn.example.com/",
	    "https://vpn.example.com:0/",
	    "https://vpn.example.com:65536/",
	    "https://[2001:db8::1/",
	    "https://vpn.example.com/ x",
	    "https://vpn.example.com/#f",
	    "https://1.2.3/",
	    "vpn.example.com",
	    "",
	    "https:///",
	};
	char *host;
	uint16_t port;

	for (size_t k = 0; k < G_N_ELEMENTS(good); k++) {
		host = NULL;
		g_assert_cmpint(helper_options_parse_gateway(good[k].url, &host, &port), ==, 0);
		g_assert_cmpstr(host, ==, good[k].host);
		g_assert_cmpuint(port, ==, good[k].port);
		g_free(host);
	}
	for (size_t k = 0; k < G_N_ELEMENTS(bad); k++) {
		if (helper_options_parse_gateway(bad[k], NULL, NULL) != -ERR_INVALID_ARGS)
			g_error("accepted %s", bad[k]);
	}
	{
		g_autofree char *huge = g_strnfill(HELPER_OPTIONS_MAX_GATEWAY + 1, 'a');

		memcpy(huge, "https://a.b/", 12);
		g_assert_cmpint(helper_options_parse_gateway(huge, NULL, NULL), ==,
		                -ERR_INVALID_ARGS);
	}
}

static void test_pin_cookie_address_ua(void)
{
	g_assert_true(helper_options_pin_valid(PIN));
	g_assert_true(helper_options_pin_valid(PIN2));
	g_assert_false(
	    helper_options_pin_valid("sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
	g_assert_false(
	    helper_options_pin_valid("pin-sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
	g_assert_false(
	    helper_options_pin_valid("pin-sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB="));
	g_assert_false(
	    helper_options_pin_valid("pin-sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*A="));
	g_assert_false(
	    helper_options_pin_valid("pin-sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="));
	g_assert_false(helper_options_pin_valid(""));

	g_assert_true(helper_options_cookie_valid("webvpn@x+/=", 11));
	g_assert_false(helper_options_cookie_valid("", 0));
	g_assert_false(helper_options_cookie_valid("a;b", 3));
	g_assert_false(helper_options_cookie_valid("a b", 3));
	g_assert_false(helper_options_cookie_valid("a\r\nb", 4));
	g_assert_false(helper_options_cookie_valid("caf\xc3\xa9", 5));
	{
		g_autofree char *big = g_strnfill(HELPER_OPTIONS_MAX_COOKIE + 1, 'c');

		g_assert_true(helper_options_cookie_valid(big, HELPER_OPTIONS_MAX_COOKIE));
		g_assert_false(helper_options_cookie_valid(big, HELPER_OPTIONS_MAX_COOKIE + 1));
	}

	g_assert_true(helper_options_address_valid("192.0.2.1"));
	g_assert_true(helper_options_address_valid("127.0.0.1"));
	g_assert_true(helper_options_address_valid("2001:db8::1"));
	g_assert_false(helper_options_address_valid("0.0.0.0"));
	g_assert_false(helper_options_address_valid("255.255.255.255"));
	g_assert_false(helper_options_address_valid("224.0.0.1"));
	g_assert_false(helper_options_address_valid("::"));
	g_assert_false(helper_options_address_valid("ff02::1"));
	g_assert_false(helper_options_address_valid("fe80::1%lo"));
	g_assert_false(helper_options_address_valid("vpn.example.com"));
	g_assert_false(helper_options_address_valid(" 192.0.2.1"));

	g_assert_true(helper_options_user_agent_valid("Open AnyConnect VPN Agent v9.01"));
	g_assert_false(helper_options_user_agent_valid(""));
	g_assert_false(helper_options_user_agent_valid("a\nb"));
}

static void test_literal_address_must_match(void)
{
	struct opt gw = {"Gateway", DBUS_TYPE_STRING, "https://192.0.2.9/", 0};
	struct opt gw6 = {"Gateway", DBUS_TYPE_STRING, "https://[2001:db8::9]/", 0};

	expect_invalid("Gateway", &gw, "differs");
	expect_invalid("Gateway", &gw6, "differs");
}

static void test_fds(void)
{
	g_autofree char *dir = unit_tmpdir_new("helper-options-XXXXXX");
	g_autofree char *cert = g_build_filename(dir, "cert.pem", NULL);
	g_autofree char *empty = g_build_filename(dir, "empty", NULL);
	_cleanup_(helper_options_freep) struct helper_options *out = NULL;
	char err[256];
	int fd, efd, dfd, nfd;

	g_assert_true(g_file_set_contents(cert, "-----BEGIN CERTIFICATE-----\n", -1, NULL));
	g_assert_true(g_file_set_contents(empty, "", 0, NULL));
	fd = open(cert, O_RDONLY);
	efd = open(empty, O_RDONLY);
	dfd = open(dir, O_RDONLY);
	nfd = open("/dev/null", O_RDONLY);
	g_assert_cmpint(fd, >=, 0);

	{
		struct opt o[] = {
		    {"Gateway", DBUS_TYPE_STRING, "https://vpn.example.com/", 0},
		    {"Address", DBUS_TYPE_STRING, "192.0.2.10", 0},
		    {"Cookie", DBUS_TYPE_STRING, "c", 0},
		    {"ServerCertPin", DBUS_TYPE_STRING, PIN, 0},
		    {"ClientCertFd", DBUS_TYPE_UNIX_FD, NULL, fd},
		    {"ClientKeyFd", DBUS_TYPE_UNIX_FD, NULL, fd},
		};

		g_assert_cmpint(parse(o, G_N_ELEMENTS(o), &out, err, sizeof(err)), ==, 0);
		/* Our own duplicates, not the caller's numbers. */
		g_assert_cmpint(out->cert_fd, >=, 0);
		g_assert_cmpint(out->key_fd, >=, 0);
		g_assert_cmpint(out->cert_fd, !=, fd);
		g_assert_cmpint(out->cert_fd, !=, out->key_fd);
	}
	{
		struct opt key_only = {"ClientKeyFd", DBUS_TYPE_UNIX_FD, NULL, fd};
		struct opt to_empty = {"ClientCertFd", DBUS_TYPE_UNIX_FD, NULL, efd};
		struct opt to_dir = {"ClientCertFd", DBUS_TYPE_UNIX_FD, NULL, dfd};
		struct opt to_dev = {"ClientCertFd", DBUS_TYPE_UNIX_FD, NULL, nfd};

		expect_invalid("ClientKeyFd", &key_only, "needs");
		expect_invalid("ClientCertFd", &to_empty, "1 byte");
		expect_invalid("ClientCertFd", &to_dir, "regular file");
		expect_invalid("ClientCertFd", &to_dev, "regular file");
	}
	{
		/* Prepared (no Cookie, no ServerCertPin): the worker's handshake precedes the pin
		 * check, so it must have no certificate to present. */
		struct opt o[] = {
		    {"Gateway", DBUS_TYPE_STRING, "https://vpn.example.com/", 0},
		    {"Address", DBUS_TYPE_STRING, "192.0.2.10", 0},
		    {"ClientCertFd", DBUS_TYPE_UNIX_FD, NULL, fd},
		};
		struct helper_options *prepared = NULL;

		g_assert_cmpint(parse(o, G_N_ELEMENTS(o), &prepared, err, sizeof(err)), ==,
		                -ERR_INVALID_ARGS);
		g_assert_null(prepared);
		g_assert_nonnull(strstr(err, "'ClientCertFd' needs 'Cookie'"));
		g_assert_cmpint(parse(o, 2, &prepared, err, sizeof(err)), ==, 0);
		g_assert_null(prepared->cookie);
		helper_options_free(prepared);
	}
	{
		/* A token's key stays with the caller: the key is a SOCK_SEQPACKET socket to it;
		 * any other socket is refused. */
		int seq[2], stream[2];

		g_assert_cmpint(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, seq), ==, 0);
		g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, stream), ==, 0);
		{
			struct opt o[] = {
			    {"Gateway", DBUS_TYPE_STRING, "https://vpn.example.com/", 0},
			    {"Address", DBUS_TYPE_STRING, "192.0.2.10", 0},
			    {"Cookie", DBUS_TYPE_STRING, "c", 0},
			    {"ServerCertPin", DBUS_TYPE_STRING, PIN, 0},
			    {"ClientCertFd", DBUS_TYPE_UNIX_FD, NULL, fd},
			    {"ClientKeyFd", DBUS_TYPE_UNIX_FD, NULL, seq[0]},
			};
			struct helper_options *signer = NULL;
			struct opt to_stream = {"ClientKeyFd", DBUS_TYPE_UNIX_FD, NULL, stream[0]};

			g_assert_cmpint(parse(o, G_N_ELEMENTS(o), &signer, err, sizeof(err)), ==, 0);
			g_assert_cmpint(signer->key_fd, >=, 0);
			helper_options_free(signer);
			o[5] = to_stream;
			g_assert_cmpint(parse(o, G_N_ELEMENTS(o), &signer, err, sizeof(err)), ==,
			                -ERR_INVALID_ARGS);
			g_assert_nonnull(strstr(err, "'ClientKeyFd' must be a regular file"));
		}
		close(seq[0]);
		close(seq[1]);
		close(stream[0]);
		close(stream[1]);
	}
	close(fd);
	close(efd);
	close(dfd);
	close(nfd);
	unit_tmpdir_remove(dir);
}

/* A handle whose descriptor the message does not carry, as a sender that evaluated its
 * descriptor list before filling it sends: built with a uint32 in the handle's place (libdbus
 * will not append a handle without a descriptor), its variant signature then turned into 'h'. */
static void test_fd_missing(void)
{
	struct opt o[] = {
	    {"Gateway", DBUS_TYPE_STRING, "https://vpn.example.com/", 0},
	    {"Address", DBUS_TYPE_STRING, "192.0.2.10", 0},
	    {"Cookie", DBUS_TYPE_STRING, "c", 0},
	    {"ServerCertPin", DBUS_TYPE_STRING, PIN, 0},
	    {"ClientCertFd", DBUS_TYPE_UINT32, NULL, 0},
	};
	_cleanup_(helper_options_freep) struct helper_options *out = NULL;
	DBusMessage *m = build(o, G_N_ELEMENTS(o));
	DBusMessageIter it;
	DBusError derr;
	char *blob = NULL, *sig;
	int len = 0;
	char err[256];

	dbus_message_set_serial(m, 1);
	g_assert_true(dbus_message_marshal(m, &blob, &len));
	dbus_message_unref(m);
	sig = memmem(blob, (size_t)len, "\001u\0", 3);
	g_assert_nonnull(sig);
	sig[1] = 'h';
	dbus_error_init(&derr);
	m = dbus_message_demarshal(blob, len, &derr);
	dbus_free(blob);
	g_assert_nonnull(m);
	dbus_message_iter_init(m, &it);
	g_assert_cmpint(helper_options_parse(&it, &out, err, sizeof(err)), ==, -ERR_INVALID_ARGS);
	g_assert_nonnull(strstr(err, "'ClientCertFd' has no descriptor"));
	g_assert_null(out);
	dbus_message_unref(m);
}

static void test_relogin(void)
{
	/* The shape of a Relogin reply; a method call carries it as well. */
	DBusMessage *m = dbus_message_new_method_call("a.b", "/", "a.b", "c");
	DBusMessageIter it, arr, entry, var;
	const char *k1 = "Cookie", *v1 = "new-cookie", *k2 = "ServerCertPin", *v2 = PIN2;
	struct secret *cookie = NULL;
	char *pin = NULL, err[256];

	dbus_message_iter_init_append(m, &it);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &arr);
	dbus_message_iter_open_container(&arr, DBUS_TYPE_DICT_ENTRY, NULL, &entry);
	dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &k1);
	dbus_message_iter_open_container(&entry, DBUS_TYPE_VARIANT, "s", &var);
	dbus_message_iter_append_basic(&var, DBUS_TYPE_STRING, &v1);
	dbus_message_iter_close_container(&entry, &var);
	dbus_message_iter_close_container(&arr, &entry);
	dbus_message_iter_open_container(&arr, DBUS_TYPE_DICT_ENTRY, NULL, &entry);
	dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &k2);
	dbus_message_iter_open_container(&entry, DBUS_TYPE_VARIANT, "s", &var);
	dbus_message_iter_append_basic(&var, DBUS_TYPE_STRING, &v2);
	dbus_message_iter_close_container(&entry, &var);
	dbus_message_iter_close_container(&arr, &entry);
	dbus_message_iter_close_container(&it, &arr);

	dbus_message_iter_init(m, &it);
	g_assert_cmpint(helper_options_parse_relogin(&it, &cookie, &pin, err, sizeof(err)), ==, 0);
	g_assert_cmpstr(secret_str(cookie), ==, "new-cookie");
	g_assert_cmpstr(pin, ==, PIN2);
	secret_free(cookie);
	g_free(pin);
	dbus_message_unref(m);

	{
		/* Connect-only keys are unknown in a Relogin result. */
		struct opt o[] = {
		    {"Cookie", DBUS_TYPE_STRING, "c", 0},
		    {"Gateway", DBUS_TYPE_STRING, "https://vpn.example.com/", 0},
		};
		DBusMessage *m2 = build(o, 2);

		dbus_message_iter_init(m2, &it);
		cookie = NULL;
		pin = NULL;
		g_assert_cmpint(helper_options_parse_relogin(&it, &cookie, &pin, err, sizeof(err)),
		                ==, -ERR_INVALID_ARGS);
		g_assert_null(cookie);
		dbus_message_unref(m2);
		m2 = build(o + 1, 1);
		dbus_message_iter_init(m2, &it);
		g_assert_cmpint(helper_options_parse_relogin(&it, &cookie, &pin, err, sizeof(err)),
		                ==, -ERR_INVALID_ARGS);
		dbus_message_unref(m2);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/helper-options/good", test_good);
	g_test_add_func("/helper-options/missing-and-types", test_missing_and_types);
	g_test_add_func("/helper-options/duplicates-and-count", test_duplicates_and_count);
	g_test_add_func("/helper-options/unprintable-key", test_unprintable_key);
	g_test_add_func("/helper-options/gateway", test_gateway);
	g_test_add_func("/helper-options/pin-cookie-address-ua", test_pin_cookie_address_ua);
	g_test_add_func("/helper-options/literal-address", test_literal_address_must_match);
	g_test_add_func("/helper-options/fds", test_fds);
	g_test_add_func("/helper-options/fd-missing", test_fd_missing);
	g_test_add_func("/helper-options/relogin", test_relogin);
	return g_test_run();
}
