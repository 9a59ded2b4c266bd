// SPDX-License-Identifier: GPL-2.0-or-later
#include <glib.h>
#include <string.h>

#include "error.h"
#include "http-cookie.h"
#include "http-response.h"
#include "unit-helper.h"

static char *format(const struct http_cookie_jar *jar)
{
	struct secret *s = http_cookie_jar_format(jar);
	char *copy;

	g_assert_nonnull(s);
	copy = g_strdup(secret_str(s));
	g_assert_cmpuint(strlen(copy), ==, secret_len(s));
	secret_free(s);
	return copy;
}

#define assert_format(jar, want)                                                                   \
	do {                                                                                       \
		g_autofree char *got_ = format(jar);                                               \
		g_assert_cmpstr(got_, ==, (want));                                                 \
	} while (0)

static void test_set_replace_delete(void)
{
	struct http_cookie_jar *jar = http_cookie_jar_new();

	assert_format(jar, "");
	g_assert_cmpuint(http_cookie_jar_count(jar), ==, 0);

	/* ocserv's token: base64 with '+', '/' and '=' kept verbatim. */
	g_assert_cmpint(
	    http_cookie_jar_set_header(
	        jar, "webvpn=ALuQ/o7paVdVMg+355ESFZqDtYxQRsdM5pr5j0PrJFY=; Secure; HttpOnly"),
	    ==, 0);
	g_assert_cmpstr(http_cookie_jar_get(jar, "webvpn"), ==,
	                "ALuQ/o7paVdVMg+355ESFZqDtYxQRsdM5pr5j0PrJFY=");
	g_assert_cmpint(http_cookie_jar_set_header(jar, "webvpnlogin=1"), ==, 0);
	g_assert_cmpint(http_cookie_jar_set_header(jar, "a=b=c==; path=/"), ==, 0);
	g_assert_cmpstr(http_cookie_jar_get(jar, "a"), ==, "b=c==");
	assert_format(jar, "webvpn=ALuQ/o7paVdVMg+355ESFZqDtYxQRsdM5pr5j0PrJFY=; webvpnlogin=1; "
	                   "a=b=c==");
	g_assert_cmpuint(http_cookie_jar_count(jar), ==, 3);

	/* Replacing keeps the place. */
	g_assert_cmpint(http_cookie_jar_set_header(jar, "webvpnlogin=2"), ==, 0);
	assert_format(jar, "webvpn=ALuQ/o7paVdVMg+355ESFZqDtYxQRsdM5pr5j0PrJFY=; webvpnlogin=2; "
	                   "a=b=c==");

	/* Names are case-sensitive. */
	g_assert_null(http_cookie_jar_get(jar, "WEBVPN"));
	g_assert_null(http_cookie_jar_get(jar, "webvpn2"));
	g_assert_null(http_cookie_jar_get(jar, "webvp"));

	/* Empty value deletes; deleting what is not there is fine. */
	g_assert_cmpint(http_cookie_jar_set_header(jar, "webvpnlogin="), ==, 0);
	g_assert_null(http_cookie_jar_get(jar, "webvpnlogin"));
	g_assert_cmpint(http_cookie_jar_set_header(jar, "nothere=; Secure"), ==, 0);
	assert_format(jar, "webvpn=ALuQ/o7paVdVMg+355ESFZqDtYxQRsdM5pr5j0PrJFY=; a=b=c==");

	/* Whitespace around name and value goes; quotes stay. */
	g_assert_cmpint(http_cookie_jar_set_header(jar, " \tq =\t\"quoted\" ;x"), ==, 0);
	g_assert_cmpstr(http_cookie_jar_get(jar, "q"), ==, "\"quoted\"");
	g_assert_cmpint(http_cookie_jar_set_header(jar, "ASA=1@2@3@ABCDEF,x\\y"), ==, 0);
	g_assert_cmpstr(http_cookie_jar_get(jar, "ASA"), ==, "1@2@3@ABCDEF,x\\y");

	http_cookie_jar_clear(jar);
	g_assert_cmpuint(http_cookie_jar_count(jar), ==, 0);
	g_assert_null(http_cookie_jar_get(jar, "webvpn"));
	assert_format(jar, "");
	g_assert_cmpint(http_cookie_jar_set_header(jar, "x=y"), ==, 0);
	assert_format(jar, "x=y");
	http_cookie_jar_free(jar);
	http_cookie_jar_free(NULL);
}

static gboolean survives(const char *attrs)
{
	struct http_cookie_jar *jar = http_cookie_jar_new();
	g_autofree char *header = g_strdup_printf("c=v%s", attrs);
	gboolean kept;

	g_assert_cmpint(http_cookie_jar_set(jar, "c", "old"), ==, 0);
	g_assert_cmpint(http_cookie_jar_set_header(jar, header), ==, 0);
	kept = http_cookie_jar_get(jar, "c") != NULL;
	if (kept)
		g_assert_cmpstr(http_cookie_jar_get(jar, "c"), ==, "v");
	http_cookie_jar_free(jar);
	return kept;
}

static void test_expiry(void)
{
	/* ocserv's way of clearing a cookie. */
	g_assert_false(
	    survives("; expires=Thu, 01 Jan 1970 22:00:00 GMT; path=/; Secure; HttpOnly"));
	g_assert_false(survives("; Expires=Thursday, 01-Jan-70 00:00:01 GMT"));
	g_assert_false(survives("; expires=Thu Jan  1 00:00:01 1970"));
	g_assert_false(survives("; EXPIRES=Sat, 01 Jan 2000 00:00:00 GMT"));
	g_assert_false(survives("; expires = Sun, 06 Nov 1994 08:49:37 GMT ; Secure"));
	g_assert_true(survives("; expires=Fri, 31 Dec 9999 23:59:59 GMT"));
	g_assert_true(survives("; expires=Wed, 01 Jan 2098 00:00:00 GMT"));
	/* Unreadable dates are ignored. */
	g_assert_true(survives("; expires=garbage"));
	g_assert_true(survives("; expires=Thu, 32 Jan 1970 00:00:00 GMT"));
	g_assert_true(survives("; expires=Thu, 01 Foo 1970 00:00:00 GMT"));
	g_assert_true(survives("; expires=Thu, 01 Jan 1970 24:00:00 GMT"));
	g_assert_true(survives("; expires=Thu, 01 Jan 1600 00:00:00 GMT"));
	g_assert_true(survives("; expires="));
	/* Max-Age. */
	g_assert_false(survives("; Max-Age=0"));
	g_assert_false(survives("; max-age=000"));
	g_assert_false(survives("; Max-Age=-1"));
	g_assert_true(survives("; Max-Age=300; Secure; HttpOnly"));
	g_assert_true(survives("; Max-Age=abc"));
	g_assert_true(survives("; Max-Age="));
	g_assert_true(survives("; Max-Age=99999999999999999999999999"));
	/* Max-Age wins over Expires; a bad Max-Age leaves Expires in charge. */
	g_assert_true(survives("; expires=Thu, 01 Jan 1970 22:00:00 GMT; Max-Age=300"));
	g_assert_false(survives("; Max-Age=0; expires=Fri, 31 Dec 9999 23:59:59 GMT"));
	g_assert_false(survives("; Max-Age=x; expires=Thu, 01 Jan 1970 22:00:00 GMT"));
	/* Other attributes do nothing. */
	g_assert_true(survives("; Path=/; Domain=example.com; SameSite=Strict; Secure; HttpOnly;"));
	g_assert_true(survives(";;;"));
	g_assert_true(survives(""));
}

static void test_reject(void)
{
	static const char *const bad[] = {
	    "novalue", "=value", "a b=c",  "a(b)=c",        "a:b=c",      "a@b=c",       "a=b c",
	    "a=b\tc",  "a=\x01", "a=\x7f", "a=caf\xc3\xa9", "\xc3\xa9=1", "a=b\r\nX: y", "a\x01=b",
	    "a=b\nc",  "a,b=c",  "",       ";a=b",          " =b",        "a=\"b c\"",
	};
	struct http_cookie_jar *jar = http_cookie_jar_new();

	g_assert_cmpint(http_cookie_jar_set(jar, "keep", "me"), ==, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_test_message("case %zu: %s", i, bad[i]);
		g_assert_cmpint(http_cookie_jar_set_header(jar, bad[i]), ==, -ERR_PROTOCOL);
	}
	g_assert_cmpint(http_cookie_jar_set_header(NULL, "a=b"), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(http_cookie_jar_set_header(jar, NULL), ==, -ERR_INVALID_ARGS);
	/* Attributes are not checked beyond control characters. */
	g_assert_cmpint(http_cookie_jar_set_header(jar, "x=1; \x01"), ==, -ERR_PROTOCOL);
	g_assert_cmpint(http_cookie_jar_set_header(jar, "x=1; caf\xc3\xa9 ok"), ==, 0);
	g_assert_cmpint(http_cookie_jar_set(jar, "x", ""), ==, 0);
	assert_format(jar, "keep=me");

	g_assert_cmpint(http_cookie_jar_set(jar, "a b", "c"), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(http_cookie_jar_set(jar, "", "c"), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(http_cookie_jar_set(jar, "a", "b;c"), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(http_cookie_jar_set(jar, "a", "b\r\nc"), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(http_cookie_jar_set(jar, "a", NULL), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(http_cookie_jar_set(jar, NULL, "b"), ==, -ERR_INVALID_ARGS);
	assert_format(jar, "keep=me");
	g_assert_cmpint(http_cookie_jar_set(jar, "keep", ""), ==, 0);
	assert_format(jar, "");
	http_cookie_jar_free(jar);
}

static void test_caps(void)
{
	struct http_cookie_jar *jar = http_cookie_jar_new();
	char *big = g_malloc(HTTP_COOKIE_MAX_VALUE + 2);
	char *name = g_malloc(HTTP_COOKIE_MAX_NAME + 2);
	char hdr[32];

	memset(big, 'v', HTTP_COOKIE_MAX_VALUE + 1);
	big[HTTP_COOKIE_MAX_VALUE + 1] = '\0';
	memset(name, 'n', HTTP_COOKIE_MAX_NAME + 1);
	name[HTTP_COOKIE_MAX_NAME + 1] = '\0';
	g_assert_cmpint(http_cookie_jar_set(jar, "big", big), ==, -ERR_TOO_LARGE);
	g_assert_cmpint(http_cookie_jar_set(jar, name, "v"), ==, -ERR_TOO_LARGE);
	big[HTTP_COOKIE_MAX_VALUE] = '\0';
	name[HTTP_COOKIE_MAX_NAME] = '\0';
	g_assert_cmpint(http_cookie_jar_set(jar, "big", big), ==, 0);
	g_assert_cmpint(http_cookie_jar_set(jar, name, "v"), ==, 0);
	{
		g_autofree char *h = g_strdup_printf("big2=%sv", big);

		g_assert_cmpint(http_cookie_jar_set_header(jar, h), ==, -ERR_TOO_LARGE);
	}
	http_cookie_jar_clear(jar);

	/* Count. */
	for (int i = 0; i < HTTP_COOKIE_MAX_COUNT; i++) {
		g_snprintf(hdr, sizeof(hdr), "c%d=%d", i, i);
		g_assert_cmpint(http_cookie_jar_set_header(jar, hdr), ==, 0);
	}
	g_assert_cmpint(http_cookie_jar_set_header(jar, "one=more"), ==, -ERR_TOO_LARGE);
	/* Replacing and deleting still work at the cap. */
	g_assert_cmpint(http_cookie_jar_set_header(jar, "c5=five"), ==, 0);
	g_assert_cmpstr(http_cookie_jar_get(jar, "c5"), ==, "five");
	g_assert_cmpint(http_cookie_jar_set_header(jar, "c0="), ==, 0);
	g_assert_cmpint(http_cookie_jar_set_header(jar, "one=more"), ==, 0);
	g_assert_cmpuint(http_cookie_jar_count(jar), ==, HTTP_COOKIE_MAX_COUNT);
	http_cookie_jar_clear(jar);

	/* Total size of the Cookie header. */
	{
		size_t total = 0;
		int i = 0, ret = 0;

		big[8000] = '\0';
		while (ret == 0) {
			char n[16];

			g_snprintf(n, sizeof(n), "k%d", i++);
			ret = http_cookie_jar_set(jar, n, big);
			if (ret == 0)
				total += strlen(n) + 1 + 8000 + 2;
		}
		g_assert_cmpint(ret, ==, -ERR_TOO_LARGE);
		g_assert_cmpuint(total, <=, HTTP_COOKIE_MAX_TOTAL);
		g_assert_cmpuint(total + 8010, >, HTTP_COOKIE_MAX_TOTAL);
		{
			g_autofree char *f = format(jar);

			g_assert_cmpuint(strlen(f), <=, HTTP_COOKIE_MAX_TOTAL);
		}
		/* Growing an existing value past the total is refused, the old value stays. */
		g_assert_cmpuint(total, ==, 4 * (2 + 1 + 8000 + 2));
		big[8000] = 'v';
		big[700] = '\0';
		g_assert_cmpint(http_cookie_jar_set(jar, "s", big), ==, 0); /* 32724 bytes */
		big[700] = 'v';
		big[800] = '\0';
		g_assert_cmpint(http_cookie_jar_set(jar, "s", big), ==, -ERR_TOO_LARGE);
		g_assert_cmpuint(strlen(http_cookie_jar_get(jar, "s")), ==, 700);
		/* Shrinking is fine. */
		g_assert_cmpint(http_cookie_jar_set(jar, "s", "small"), ==, 0);
		g_assert_cmpint(http_cookie_jar_set(jar, "k0", "small"), ==, 0);
	}
	http_cookie_jar_free(jar);
	g_free(big);
	g_free(name);
}

/* The Set-Cookie headers of a real ocserv login success, applied in order. */
static void test_ocserv_success(void)
{
	size_t len, used;
	g_autofree char *data = unit_load_data("http/ocserv-success.txt", &len);
	struct http_response *r = http_response_new(HTTP_RESPONSE_FULL);
	struct http_cookie_jar *jar = http_cookie_jar_new();

	g_assert_cmpint(http_response_feed(r, data, len, &used), ==, 1);
	/* What the earlier rounds left. */
	g_assert_cmpint(http_cookie_jar_set(jar, "webvpncontext", "earlier"), ==, 0);
	g_assert_cmpint(http_cookie_jar_set(jar, "webvpnc", "stale"), ==, 0);
	g_assert_cmpuint(http_cookie_jar_set_from(jar, r), ==, 0);
	g_assert_cmpstr(http_cookie_jar_get(jar, "webvpn"), ==,
	                "ALuQ/o7paVdVMg+355ESFZqDtYxQRsdM5pr5j0PrJFY=");
	g_assert_cmpstr(http_cookie_jar_get(jar, "webvpncontext"), ==,
	                "ALuQ/o7paVdVMg+355ESFZqDtYxQRsdM5pr5j0PrJFY=");
	/* Cleared with a 1970 expiry, then set again: it moved to the end. */
	g_assert_cmpstr(http_cookie_jar_get(jar, "webvpnc"), ==,
	                "bu:/&p:t&iu:1/&sh:7F28DDDF73C7D668617A3572D6C7E06D60EBF0B0&lu:/+CSCOT+/"
	                "translation-table?textdomain%3DAnyConnect%26type%3Dmanifest&fu:profiles%"
	                "2Fprofile.xml&fh:CE5702D249093A2E62E2863901DEC69821E4E166");
	assert_format(jar, "webvpncontext=ALuQ/o7paVdVMg+355ESFZqDtYxQRsdM5pr5j0PrJFY=; "
	                   "webvpn=ALuQ/o7paVdVMg+355ESFZqDtYxQRsdM5pr5j0PrJFY=; "
	                   "webvpnc=bu:/&p:t&iu:1/&sh:7F28DDDF73C7D668617A3572D6C7E06D60EBF0B0&lu:/"
	                   "+CSCOT+/translation-table?textdomain%3DAnyConnect%26type%3Dmanifest&fu:"
	                   "profiles%2Fprofile.xml&fh:CE5702D249093A2E62E2863901DEC69821E4E166");
	http_cookie_jar_free(jar);
	http_response_free(r);
}

/* A malformed Set-Cookie is counted and skipped; the ones around it still apply, any case. */
static void test_set_from_refused(void)
{
	static const char resp[] = "HTTP/1.1 200 OK\r\n"
	                           "Set-Cookie: a=1\r\n"
	                           "Set-Cookie: =bad\r\n"
	                           "set-cookie: b=2\r\n"
	                           "X-Set-Cookie: c=3\r\n"
	                           "Content-Length: 0\r\n\r\n";
	struct http_response *r = http_response_new(HTTP_RESPONSE_FULL);
	struct http_cookie_jar *jar = http_cookie_jar_new();
	size_t used;

	g_assert_cmpint(http_response_feed(r, resp, sizeof(resp) - 1, &used), ==, 1);
	g_assert_cmpuint(http_cookie_jar_set_from(jar, r), ==, 1);
	assert_format(jar, "a=1; b=2");
	http_cookie_jar_free(jar);
	http_response_free(r);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/http-cookie/set-replace-delete", test_set_replace_delete);
	g_test_add_func("/http-cookie/expiry", test_expiry);
	g_test_add_func("/http-cookie/reject", test_reject);
	g_test_add_func("/http-cookie/caps", test_caps);
	g_test_add_func("/http-cookie/ocserv-success", test_ocserv_success);
	g_test_add_func("/http-cookie/set-from-refused", test_set_from_refused);
	return g_test_run();
}
