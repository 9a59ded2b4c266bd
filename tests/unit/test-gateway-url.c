// SPDX-License-Identifier: GPL-2.0-or-later
#include <glib.h>
#include <string.h>

#include "error.h"
#include "gateway-url.h"

static const struct {
	const char *text;
	const char *host;
	unsigned port;
	const char *path;
	gboolean is_ip;
	const char *formatted;
	const char *host_header;
} valid[] = {
    {"vpn.example.com", "vpn.example.com", 443, "/", FALSE, "https://vpn.example.com/",
     "vpn.example.com"},
    {"vpn.example.com:8443", "vpn.example.com", 8443, "/", FALSE, "https://vpn.example.com:8443/",
     "vpn.example.com:8443"},
    {"https://vpn.example.com/engineering", "vpn.example.com", 443, "/engineering", FALSE,
     "https://vpn.example.com/engineering", "vpn.example.com"},
    {"HTTPS://VPN.Example.COM:443/Eng", "vpn.example.com", 443, "/Eng", FALSE,
     "https://vpn.example.com/Eng", "vpn.example.com"},
    {"[2001:db8::1]:443/grp", "2001:db8::1", 443, "/grp", TRUE, "https://[2001:db8::1]/grp",
     "[2001:db8::1]"},
    {"https://[2001:DB8:0:0::1]:8443", "2001:db8::1", 8443, "/", TRUE,
     "https://[2001:db8::1]:8443/", "[2001:db8::1]:8443"},
    {"[::1]", "::1", 443, "/", TRUE, "https://[::1]/", "[::1]"},
    {"[::ffff:192.0.2.1]", "::ffff:192.0.2.1", 443, "/", TRUE, "https://[::ffff:192.0.2.1]/",
     "[::ffff:192.0.2.1]"},
    {"192.0.2.1", "192.0.2.1", 443, "/", TRUE, "https://192.0.2.1/", "192.0.2.1"},
    {"192.0.2.1:1", "192.0.2.1", 1, "/", TRUE, "https://192.0.2.1:1/", "192.0.2.1:1"},
    {"192.0.2.1:65535/", "192.0.2.1", 65535, "/", TRUE, "https://192.0.2.1:65535/",
     "192.0.2.1:65535"},
    {"https://vpn.example.com/?secret", "vpn.example.com", 443, "/?secret", FALSE,
     "https://vpn.example.com/?secret", "vpn.example.com"},
    {"vpn.example.com?secret", "vpn.example.com", 443, "/?secret", FALSE,
     "https://vpn.example.com/?secret", "vpn.example.com"},
    {"vpn.example.com:444?a=b&c", "vpn.example.com", 444, "/?a=b&c", FALSE,
     "https://vpn.example.com:444/?a=b&c", "vpn.example.com:444"},
    {"vpn/a%2Fb/c-d_e.f~g!$&'()*+,;=:@/x?y/z?", "vpn", 443, "/a%2Fb/c-d_e.f~g!$&'()*+,;=:@/x?y/z?",
     FALSE, "https://vpn/a%2Fb/c-d_e.f~g!$&'()*+,;=:@/x?y/z?", "vpn"},
    {"xn--bcher-kva.example", "xn--bcher-kva.example", 443, "/", FALSE,
     "https://xn--bcher-kva.example/", "xn--bcher-kva.example"},
    {"a-b.c1.2d", "a-b.c1.2d", 443, "/", FALSE, "https://a-b.c1.2d/", "a-b.c1.2d"},
    {"localhost:00443", "localhost", 443, "/", FALSE, "https://localhost/", "localhost"},
    {"vpn.example.com//double", "vpn.example.com", 443, "//double", FALSE,
     "https://vpn.example.com//double", "vpn.example.com"},
};

static void test_valid(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(valid); i++) {
		struct gateway_url u, again;
		char buf[2048];

		g_test_message("%s", valid[i].text);
		g_assert_cmpint(gateway_url_parse(valid[i].text, &u), ==, 0);
		g_assert_cmpstr(u.host, ==, valid[i].host);
		g_assert_cmpuint(u.port, ==, valid[i].port);
		g_assert_cmpstr(u.path, ==, valid[i].path);
		g_assert_cmpint(u.host_is_ip, ==, valid[i].is_ip);
		g_assert_cmpint(gateway_url_format(&u, buf, sizeof(buf)), ==, 0);
		g_assert_cmpstr(buf, ==, valid[i].formatted);
		/* What we print parses back to the same thing. */
		g_assert_cmpint(gateway_url_parse(buf, &again), ==, 0);
		g_assert_cmpmem(&u, sizeof(u), &again, sizeof(again));
		g_assert_cmpint(gateway_url_host_header(&u, buf, sizeof(buf)), ==, 0);
		g_assert_cmpstr(buf, ==, valid[i].host_header);
	}
}

static void test_invalid(void)
{
	static const char *const bad[] = {
	    "",
	    "http://vpn.example.com/", /* never plain http */
	    "HTTP://vpn.example.com",
	    "ftp://vpn.example.com",
	    "https:vpn.example.com",
	    "https:/vpn.example.com",
	    "https://",
	    "https:///path",
	    "://vpn.example.com",
	    "vpn.example.com:0",     /* port 0 */
	    "vpn.example.com:65536", /* port too big */
	    "vpn.example.com:99999",
	    "vpn.example.com:123456",
	    "vpn.example.com:", /* empty port */
	    "vpn.example.com:-1",
	    "vpn.example.com:+443",
	    "vpn.example.com:44a",
	    "vpn.example.com:443:443",
	    "user@vpn.example.com", /* userinfo */
	    "https://user:pw@vpn.example.com/",
	    "vpn.example.com/#frag", /* fragment */
	    "vpn.example.com#frag",
	    " vpn.example.com", /* whitespace is not trimmed */
	    "vpn.example.com ",
	    "vpn.example.com/a b",
	    "vpn.example.com\t",
	    "vpn.exa\nmple.com",
	    "vpn.example.com/\x7f",
	    "vpn.example.com/caf\xc3\xa9", /* non-ASCII path */
	    "b\xc3\xbc"
	    "cher.example",       /* IDN not as punycode */
	    "vpn_gw.example.com", /* not LDH */
	    "-vpn.example.com",
	    "vpn-.example.com",
	    "vpn..example.com",
	    ".vpn.example.com",
	    "vpn.example.com.", /* trailing dot */
	    "1.2.3",            /* numeric, not IPv4 */
	    "192.0.2.256",
	    "192.0.2.1.5",
	    "01.2.3.4",
	    "2001:db8::1", /* IPv6 without brackets */
	    "[2001:db8::1",
	    "[2001:db8::1]x",
	    "[2001:db8::1]:",
	    "[2001:db8::1]:0",
	    "[fe80::1%eth0]", /* zone */
	    "[192.0.2.1]",
	    "[]",
	    "[vpn.example.com]",
	    "vpn.example.com/%", /* bad escapes */
	    "vpn.example.com/%2",
	    "vpn.example.com/%zz",
	    "vpn.example.com/a\"b",
	    "vpn.example.com/<x>",
	    "vpn.example.com/a\\b",
	    "vpn.example.com/{x}",
	    "vpn.example.com/a|b",
	    "vpn.example.com/a^b",
	    "vpn.example.com/a`b",
	};
	struct gateway_url u;

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_test_message("case %zu: %s", i, bad[i]);
		memset(&u, 0x5a, sizeof(u));
		g_assert_cmpint(gateway_url_parse(bad[i], &u), ==, -ERR_INVALID_ARGS);
		g_assert_cmpuint(u.port, ==, 0x5a5a); /* untouched */
	}
	g_assert_cmpint(gateway_url_parse(NULL, &u), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(gateway_url_parse("vpn", NULL), ==, -ERR_INVALID_ARGS);
}

static void test_lengths(void)
{
	GString *s = g_string_new(NULL);
	struct gateway_url u;
	char small[32];

	/* A 63-byte label is fine, 64 is not; 253 bytes in all are fine, 254 are not. */
	{
		g_autofree char *l63 = g_strnfill(63, 'a');
		g_autofree char *l61 = g_strnfill(61, 'b');
		g_autofree char *h64 = g_strdup_printf("%sa.example.com", l63);
		g_autofree char *h63 = g_strdup_printf("%s.example.com", l63);

		g_assert_cmpint(gateway_url_parse(h63, &u), ==, 0);
		g_assert_cmpint(gateway_url_parse(h64, &u), ==, -ERR_INVALID_ARGS);
		g_string_printf(s, "%s.%s.%s.%s", l63, l63, l63, l61);
	}
	g_assert_cmpuint(s->len, ==, 253);
	g_assert_cmpint(gateway_url_parse(s->str, &u), ==, 0);
	g_assert_cmpstr(u.host, ==, s->str);
	g_string_append_c(s, 'b');
	g_assert_cmpint(gateway_url_parse(s->str, &u), ==, -ERR_INVALID_ARGS);

	/* Paths up to 1023 bytes. */
	g_string_assign(s, "vpn/");
	while (s->len < 4 + 1022)
		g_string_append_c(s, 'p');
	g_assert_cmpint(gateway_url_parse(s->str, &u), ==, 0);
	g_assert_cmpuint(strlen(u.path), ==, 1023);
	g_string_append_c(s, 'p');
	g_assert_cmpint(gateway_url_parse(s->str, &u), ==, -ERR_INVALID_ARGS);
	/* "?q" becomes "/?q": the added slash counts. */
	g_string_assign(s, "vpn?");
	while (s->len < 4 + 1021)
		g_string_append_c(s, 'q');
	g_assert_cmpint(gateway_url_parse(s->str, &u), ==, 0);
	g_assert_cmpuint(strlen(u.path), ==, 1023);
	g_string_append_c(s, 'q');
	g_assert_cmpint(gateway_url_parse(s->str, &u), ==, -ERR_INVALID_ARGS);

	/* Whole text capped. */
	g_string_assign(s, "vpn/");
	while (s->len <= GATEWAY_URL_MAX_TEXT)
		g_string_append_c(s, 'p');
	g_assert_cmpint(gateway_url_parse(s->str, &u), ==, -ERR_INVALID_ARGS);
	g_string_free(s, TRUE);

	/* Small output buffers. */
	g_assert_cmpint(gateway_url_parse("vpn.example.com:8443/x", &u), ==, 0);
	g_assert_cmpint(gateway_url_format(&u, small, 16), ==, -ERR_TOO_LARGE);
	g_assert_cmpint(gateway_url_host_header(&u, small, 16), ==, -ERR_TOO_LARGE);
	g_assert_cmpint(gateway_url_host_header(&u, small, 21), ==, 0);
	g_assert_cmpstr(small, ==, "vpn.example.com:8443");
	g_assert_cmpint(gateway_url_host_header(&u, small, 20), ==, -ERR_TOO_LARGE);
}

static void test_resolve(void)
{
	static const struct {
		const char *location;
		int ret;
		const char *formatted;
	} cases[] = {
	    {"https://vpn2.example.com/", 0, "https://vpn2.example.com/"},
	    {"https://vpn2.example.com:8443/grp?x", 0, "https://vpn2.example.com:8443/grp?x"},
	    {"HTTPS://VPN2.example.com", 0, "https://vpn2.example.com/"},
	    {"//vpn3.example.com/other", 0, "https://vpn3.example.com/other"},
	    {"/+webvpn+/index.html", 0, "https://vpn.example.com:8443/+webvpn+/index.html"},
	    {"/", 0, "https://vpn.example.com:8443/"},
	    {"/auth?x=1", 0, "https://vpn.example.com:8443/auth?x=1"},
	    {"http://vpn2.example.com/", -ERR_UNSUPPORTED, NULL},
	    {"HTTP://vpn.example.com:8443/", -ERR_UNSUPPORTED, NULL},
	    {"javascript://x", -ERR_UNSUPPORTED, NULL},
	    {"ftp://vpn2.example.com/", -ERR_UNSUPPORTED, NULL},
	    {"relative/path", -ERR_PROTOCOL, NULL},
	    {"index.html", -ERR_PROTOCOL, NULL},
	    {"?query", -ERR_PROTOCOL, NULL},
	    {"", -ERR_PROTOCOL, NULL},
	    {"/a b", -ERR_PROTOCOL, NULL},
	    {"/a#frag", -ERR_PROTOCOL, NULL},
	    {"/a\r\nX: y", -ERR_PROTOCOL, NULL},
	    {"https://user@vpn2.example.com/", -ERR_PROTOCOL, NULL},
	    {"https://vpn2.example.com:0/", -ERR_PROTOCOL, NULL},
	    {"https:///path", -ERR_PROTOCOL, NULL},
	    {"//", -ERR_PROTOCOL, NULL},
	    {"/%zz", -ERR_PROTOCOL, NULL},
	};
	struct gateway_url base, out;

	g_assert_cmpint(gateway_url_parse("vpn.example.com:8443/start", &base), ==, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char buf[2048];

		g_test_message("case %zu: %s", i, cases[i].location);
		memset(&out, 0x5a, sizeof(out));
		g_assert_cmpint(gateway_url_resolve(cases[i].location, &base, &out), ==,
		                cases[i].ret);
		if (cases[i].ret < 0) {
			g_assert_cmpuint(out.port, ==, 0x5a5a);
			continue;
		}
		g_assert_cmpint(gateway_url_format(&out, buf, sizeof(buf)), ==, 0);
		g_assert_cmpstr(buf, ==, cases[i].formatted);
	}
	g_assert_cmpint(gateway_url_resolve(NULL, &base, &out), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(gateway_url_resolve("/", NULL, &out), ==, -ERR_INVALID_ARGS);
}

static void test_same_server(void)
{
	struct gateway_url a, b;

	g_assert_cmpint(gateway_url_parse("vpn.example.com/a", &a), ==, 0);
	g_assert_cmpint(gateway_url_parse("https://VPN.example.com:443/b", &b), ==, 0);
	g_assert_true(gateway_url_same_server(&a, &b));
	g_assert_cmpint(gateway_url_parse("vpn.example.com:8443/a", &b), ==, 0);
	g_assert_false(gateway_url_same_server(&a, &b));
	g_assert_cmpint(gateway_url_parse("vpn2.example.com/a", &b), ==, 0);
	g_assert_false(gateway_url_same_server(&a, &b));
	g_assert_cmpint(gateway_url_parse("[2001:db8::1]", &a), ==, 0);
	g_assert_cmpint(gateway_url_parse("[2001:DB8:0::1]:443", &b), ==, 0);
	g_assert_true(gateway_url_same_server(&a, &b));
	g_assert_false(gateway_url_same_server(&a, NULL));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/gateway-url/valid", test_valid);
	g_test_add_func("/gateway-url/invalid", test_invalid);
	g_test_add_func("/gateway-url/lengths", test_lengths);
	g_test_add_func("/gateway-url/resolve", test_resolve);
	g_test_add_func("/gateway-url/same-server", test_same_server);
	return g_test_run();
}
