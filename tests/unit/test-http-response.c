// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The HTTP response parser against every way a gateway frames an answer: status lines,
 * headers, Content-Length, chunked bodies, close-delimited bodies and the caps, each fed in
 * pieces cut at every byte.  Over 900 lines on purpose: one parser's cases beside the one
 * feeding helper they all share.
 */
#include <glib.h>
#include <string.h>

#include "error.h"
#include "http-response.h"
#include "unit-helper.h"

/* ---- helpers ---- */

/*
 * Feeds `len` bytes in pieces whose boundaries are given by cuts[0..n_cuts) (ascending offsets),
 * stopping at completion or error; calls eof() at the end if `eof` and the parser still wants
 * bytes.  Returns the last result, *consumed = bytes used in total.
 */
static int feed_cuts(struct http_response *r, const char *data, size_t len, const size_t *cuts,
                     size_t n_cuts, gboolean eof, size_t *consumed)
{
	size_t pos = 0;
	int ret = 0;

	*consumed = 0;
	for (size_t c = 0; c <= n_cuts; c++) {
		size_t end = c < n_cuts ? cuts[c] : len;
		size_t used = 12345;

		if (end < pos)
			continue;
		ret = http_response_feed(r, data + pos, end - pos, &used);
		g_assert_cmpuint(used, <=, end - pos);
		*consumed += used;
		if (ret != 0)
			return ret;
		g_assert_cmpuint(used, ==, end - pos);
		pos = end;
	}
	if (eof)
		ret = http_response_eof(r);
	return ret;
}

typedef void (*check_fn)(struct http_response *r);

/*
 * Parses `data` in every way we can think of: at once, one byte at a time, split once at every
 * offset, and in random pieces; each must give the same result, consumed count and (via
 * check) the same parsed response.
 */
static void check_all_splits(enum http_response_mode mode, const char *data, size_t len,
                             gboolean eof, int want_ret, size_t want_consumed, check_fn check)
{
	size_t *cuts = g_new(size_t, len + 1);
	size_t consumed;
	int ret;

	/* whole */
	{
		struct http_response *r = http_response_new(mode);

		ret = feed_cuts(r, data, len, NULL, 0, eof, &consumed);
		g_assert_cmpint(ret, ==, want_ret);
		if (want_ret == 1)
			g_assert_cmpuint(consumed, ==, want_consumed);
		if (check && want_ret == 1)
			check(r);
		http_response_free(r);
	}
	/* one byte at a time */
	{
		struct http_response *r = http_response_new(mode);

		for (size_t i = 0; i < len; i++)
			cuts[i] = i + 1;
		ret = feed_cuts(r, data, len, cuts, len, eof, &consumed);
		g_assert_cmpint(ret, ==, want_ret);
		if (want_ret == 1)
			g_assert_cmpuint(consumed, ==, want_consumed);
		if (check && want_ret == 1)
			check(r);
		http_response_free(r);
	}
	/* one split at every offset */
	for (size_t k = 0; k <= len; k++) {
		struct http_response *r = http_response_new(mode);

		cuts[0] = k;
		ret = feed_cuts(r, data, len, cuts, 1, eof, &consumed);
		g_assert_cmpint(ret, ==, want_ret);
		if (want_ret == 1)
			g_assert_cmpuint(consumed, ==, want_consumed);
		if (check && want_ret == 1)
			check(r);
		http_response_free(r);
	}
	/* random pieces */
	for (int round = 0; round < 30; round++) {
		struct http_response *r = http_response_new(mode);
		size_t n = 0, pos = 0;

		while (pos < len) {
			pos += (size_t)g_test_rand_int_range(1, 40);
			cuts[n++] = pos < len ? pos : len;
		}
		ret = feed_cuts(r, data, len, cuts, n, eof, &consumed);
		g_assert_cmpint(ret, ==, want_ret);
		if (want_ret == 1)
			g_assert_cmpuint(consumed, ==, want_consumed);
		if (check && want_ret == 1)
			check(r);
		http_response_free(r);
	}
	g_free(cuts);
}

#define S(lit) lit, sizeof(lit) - 1

/* The error must come from feed(), not from eof() on a truncated answer. */
static void expect_error(enum http_response_mode mode, const char *data, size_t len, int err)
{
	check_all_splits(mode, data, len, FALSE, err, 0, NULL);
}

static void expect_protocol(const char *text)
{
	expect_error(HTTP_RESPONSE_FULL, text, strlen(text), -ERR_PROTOCOL);
}

static char *read_data(const char *name, size_t *len)
{
	g_autofree char *rel = g_build_filename("http", name, NULL);

	return unit_load_data(rel, len);
}

/* ---- complete responses ---- */

static const char ocserv_auth[] =
    "HTTP/1.1 200 OK\r\n"
    "Connection: Keep-Alive\r\n"
    "Content-Type: text/xml\r\n"
    "Content-Length: 66\r\n"
    "X-Transcend-Version: 1\r\n"
    "Set-Cookie: webvpncontext=AbC+/xyz=; Max-Age=300; Secure\r\n"
    "\r\n"
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<config-auth></config-auth>";

static void check_ocserv_auth(struct http_response *r)
{
	size_t len;
	const char *body = http_response_body(r, &len);

	g_assert_true(http_response_is_complete(r));
	g_assert_cmpint(http_response_status(r), ==, 200);
	g_assert_cmpstr(http_response_reason(r), ==, "OK");
	g_assert_cmpint(http_response_version_minor(r), ==, 1);
	g_assert_cmpstr(http_response_header(r, "content-type"), ==, "text/xml");
	g_assert_cmpstr(http_response_header(r, "SET-COOKIE"), ==,
	                "webvpncontext=AbC+/xyz=; Max-Age=300; Secure");
	g_assert_null(http_response_header(r, "Location"));
	g_assert_cmpuint(http_response_header_count(r), ==, 5);
	g_assert_cmpuint(len, ==, 66);
	g_assert_cmpstr(body, ==,
	                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<config-auth></config-auth>");
	g_assert_true(http_response_keep_alive(r));
}

static void test_content_length(void)
{
	g_assert_cmpuint(strlen(strstr(ocserv_auth, "\r\n\r\n") + 4), ==, 66);
	check_all_splits(HTTP_RESPONSE_FULL, S(ocserv_auth), FALSE, 1, sizeof(ocserv_auth) - 1,
	                 check_ocserv_auth);
}

static void check_pipelined(struct http_response *r)
{
	size_t len;

	g_assert_cmpstr(http_response_body(r, &len), ==, "abc");
	g_assert_cmpuint(len, ==, 3);
}

static void test_content_length_leftover(void)
{
	static const char text[] =
	    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\n";

	/* Bytes after the body are not the parser's. */
	check_all_splits(HTTP_RESPONSE_FULL, S(text), FALSE, 1,
	                 strlen("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"),
	                 check_pipelined);
}

static void check_401(struct http_response *r)
{
	size_t len;

	g_assert_cmpint(http_response_status(r), ==, 401);
	g_assert_cmpstr(http_response_reason(r), ==, "Cookie is not acceptable");
	g_assert_cmpstr(http_response_body(r, &len), ==, "");
	g_assert_cmpuint(len, ==, 0);
	g_assert_false(http_response_keep_alive(r));
}

static void test_401_empty(void)
{
	static const char text[] = "HTTP/1.1 401 Cookie is not acceptable\r\n"
	                           "Content-Length: 0\r\nConnection: close\r\n\r\nXYZ";

	check_all_splits(HTTP_RESPONSE_FULL, S(text), FALSE, 1, sizeof(text) - 4, check_401);
}

static void check_302(struct http_response *r)
{
	g_assert_cmpint(http_response_status(r), ==, 302);
	g_assert_cmpstr(http_response_header(r, "location"), ==, "https://vpn2.example.com/");
	g_assert_cmpstr(http_response_body(r, NULL), ==, "moved");
}

static void test_302(void)
{
	static const char text[] = "HTTP/1.1 302 Found\r\nLocation: https://vpn2.example.com/\r\n"
	                           "Content-Length: 5\r\n\r\nmoved";

	check_all_splits(HTTP_RESPONSE_FULL, S(text), FALSE, 1, sizeof(text) - 1, check_302);
}

static void check_chunked(struct http_response *r)
{
	size_t len;
	const char *body = http_response_body(r, &len);

	g_assert_cmpint(http_response_status(r), ==, 200);
	g_assert_cmpuint(len, ==, strlen("<?xml?><auth id=\"main\">hello</auth>"));
	g_assert_cmpstr(body, ==, "<?xml?><auth id=\"main\">hello</auth>");
	g_assert_true(http_response_keep_alive(r));
	g_assert_null(http_response_header(r, "X-Trailer")); /* trailers are not headers */
}

static void test_chunked(void)
{
	/* ASA style: text/html, chunked; extensions, leading zeros, upper/lower hex, trailers. */
	static const char text[] = "HTTP/1.1 200 OK\r\n"
	                           "Content-Type: text/html; charset=utf-8\r\n"
	                           "Transfer-Encoding: chunked\r\n"
	                           "\r\n"
	                           "7\r\n<?xml?>\r\n"
	                           "00010;name=value\r\n<auth id=\"main\">\r\n"
	                           "5 ; a ; b = \"q\\\"s;x\" ;c=d\r\nhello\r\n"
	                           "7\r\n</auth>\r\n"
	                           "0\r\n"
	                           "X-Trailer: ignored\r\n"
	                           "Another: one\r\n"
	                           "\r\nNEXT";
	static const char text2[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
	                            "A\r\n0123456789\r\na\r\nabcdefghij\r\n0;last\r\n\r\n";

	check_all_splits(HTTP_RESPONSE_FULL, S(text), FALSE, 1, sizeof(text) - 5, check_chunked);
	{
		struct http_response *r = http_response_new(HTTP_RESPONSE_FULL);
		size_t used, len;

		g_assert_cmpint(http_response_feed(r, S(text2), &used), ==, 1);
		g_assert_cmpuint(used, ==, sizeof(text2) - 1);
		g_assert_cmpstr(http_response_body(r, &len), ==, "0123456789abcdefghij");
		g_assert_cmpuint(len, ==, 20);
		http_response_free(r);
	}
}

static void check_empty_chunked(struct http_response *r)
{
	size_t len;

	g_assert_cmpstr(http_response_body(r, &len), ==, "");
	g_assert_cmpuint(len, ==, 0);
}

static void test_chunked_empty(void)
{
	static const char text[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";

	check_all_splits(HTTP_RESPONSE_FULL, S(text), FALSE, 1, sizeof(text) - 1,
	                 check_empty_chunked);
}

static void check_close10(struct http_response *r)
{
	size_t len;

	g_assert_cmpint(http_response_version_minor(r), ==, 0);
	g_assert_cmpstr(http_response_body(r, &len), ==, "<auth id=\"main\"></auth>\n");
	g_assert_cmpuint(len, ==, 24);
	g_assert_false(http_response_keep_alive(r));
}

static void test_close_delimited(void)
{
	static const char text10[] = "HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\n"
	                             "<auth id=\"main\"></auth>\n";
	static const char text11[] = "HTTP/1.1 200 OK\r\n\r\n<auth id=\"main\"></auth>\n";
	struct http_response *r;
	size_t used;

	check_all_splits(HTTP_RESPONSE_FULL, S(text10), TRUE, 1, sizeof(text10) - 1, check_close10);

	/* Without eof the body never ends. */
	r = http_response_new(HTTP_RESPONSE_FULL);
	g_assert_cmpint(http_response_feed(r, S(text11), &used), ==, 0);
	g_assert_cmpuint(used, ==, sizeof(text11) - 1);
	g_assert_false(http_response_is_complete(r));
	g_assert_cmpint(http_response_status(r), ==, 200); /* head is known already */
	g_assert_cmpint(http_response_eof(r), ==, 1);
	g_assert_true(http_response_is_complete(r));
	g_assert_false(http_response_keep_alive(r));
	g_assert_cmpint(http_response_eof(r), ==, 1);
	g_assert_cmpint(http_response_feed(r, "x", 1, &used), ==, 1);
	g_assert_cmpuint(used, ==, 0);
	http_response_free(r);
}

static void test_truncated(void)
{
	static const char *const cases[] = {
	    "",
	    "HTTP/1.1 200 OK\r\n",
	    "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n",
	    "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345",
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabc",
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n",
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n",
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n",
	    "HTTP/1.1 200 OK\r",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		check_all_splits(HTTP_RESPONSE_FULL, cases[i], strlen(cases[i]), TRUE,
		                 -ERR_PROTOCOL, 0, NULL);
}

/* ---- HEAD_ONLY (CONNECT) ---- */

static const char connect_head[] = "HTTP/1.1 200 CONNECTED\r\n"
                                   "X-CSTP-Version: 1\r\n"
                                   "X-CSTP-Address: 198.51.100.10\r\n"
                                   "X-CSTP-Netmask: 255.255.255.0\r\n"
                                   "X-CSTP-Split-Include: 203.0.113.0/255.255.255.0\r\n"
                                   "x-cstp-split-include: 10.0.0.0/255.0.0.0\r\n"
                                   "X-CSTP-Split-Include:   192.168.0.0/255.255.0.0  \r\n"
                                   "X-DTLS-Session-ID: 00112233445566778899aabbccddeeff\r\n"
                                   "Content-Length: 100\r\n"
                                   "X-CSTP-MTU: 1399\r\n"
                                   "\r\n";

static void check_connect(struct http_response *r)
{
	const char *name, *value;
	size_t n = 0, len;
	const char *expect[] = {"203.0.113.0/255.255.255.0", "10.0.0.0/255.0.0.0",
	                        "192.168.0.0/255.255.0.0"};

	g_assert_cmpint(http_response_status(r), ==, 200);
	g_assert_cmpstr(http_response_reason(r), ==, "CONNECTED");
	g_assert_cmpuint(http_response_header_count(r), ==, 9);
	for (size_t i = 0; i < http_response_header_count(r); i++) {
		g_assert_cmpint(http_response_header_at(r, i, &name, &value), ==, 0);
		if (g_ascii_strcasecmp(name, "X-CSTP-Split-Include") == 0)
			g_assert_cmpstr(value, ==, expect[n++]);
	}
	g_assert_cmpuint(n, ==, 3);
	g_assert_cmpint(http_response_header_at(r, 1, &name, &value), ==, 0);
	g_assert_cmpstr(name, ==, "X-CSTP-Address");
	g_assert_cmpstr(value, ==, "198.51.100.10");
	g_assert_cmpint(http_response_header_at(r, 4, &name, NULL), ==, 0);
	g_assert_cmpstr(name, ==, "x-cstp-split-include"); /* spelled as received */
	g_assert_cmpint(http_response_header_at(r, 9, &name, &value), ==, -ERR_INVALID_ARGS);
	g_assert_cmpstr(http_response_header(r, "X-CSTP-SPLIT-INCLUDE"), ==,
	                "203.0.113.0/255.255.255.0");
	g_assert_cmpstr(http_response_header(r, "x-cstp-mtu"), ==, "1399");
	http_response_body(r, &len);
	g_assert_cmpuint(len, ==, 0);
	g_assert_false(http_response_keep_alive(r));
}

static void test_head_only(void)
{
	/* CSTP bytes (a DPD-REQ) follow the blank line in the same read: not the parser's,
	 * Content-Length notwithstanding. */
	static const char cstp[] = "STF\x01\x00\x00\x03\x00";
	size_t hl = sizeof(connect_head) - 1;
	g_autofree char *text = g_malloc(hl + 8);

	memcpy(text, connect_head, hl);
	memcpy(text + hl, cstp, 8);
	check_all_splits(HTTP_RESPONSE_HEAD_ONLY, text, hl + 8, FALSE, 1, hl, check_connect);
	check_all_splits(HTTP_RESPONSE_HEAD_ONLY, text, hl, FALSE, 1, hl, check_connect);
}

static void test_head_only_errors(void)
{
	/* An error answer is complete at its blank line too; a bad header is still bad. */
	static const char e401[] = "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n";
	static const char bad[] = "HTTP/1.1 200 OK\r\nX-CSTP-MTU : 1\r\n\r\n";
	struct http_response *r = http_response_new(HTTP_RESPONSE_HEAD_ONLY);
	size_t used;

	g_assert_cmpint(http_response_feed(r, S(e401), &used), ==, 1);
	g_assert_cmpuint(used, ==, sizeof(e401) - 1);
	g_assert_cmpint(http_response_status(r), ==, 401);
	http_response_free(r);
	expect_error(HTTP_RESPONSE_HEAD_ONLY, S(bad), -ERR_PROTOCOL);
	/* Truncated before the blank line. */
	check_all_splits(HTTP_RESPONSE_HEAD_ONLY, connect_head, sizeof(connect_head) - 3, TRUE,
	                 -ERR_PROTOCOL, 0, NULL);
}

/* ---- 1xx, 204, 304, keep-alive, status line ---- */

static void check_after_100(struct http_response *r)
{
	g_assert_cmpint(http_response_status(r), ==, 200);
	g_assert_cmpuint(http_response_header_count(r), ==, 1);
	g_assert_null(http_response_header(r, "X-Interim"));
	g_assert_cmpstr(http_response_body(r, NULL), ==, "ok");
}

static void test_interim(void)
{
	static const char text[] = "HTTP/1.1 100 Continue\r\n\r\n"
	                           "HTTP/1.1 103 Early Hints\r\nX-Interim: 1\r\n\r\n"
	                           "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

	check_all_splits(HTTP_RESPONSE_FULL, S(text), FALSE, 1, sizeof(text) - 1, check_after_100);
	check_all_splits(HTTP_RESPONSE_HEAD_ONLY, S(text), FALSE, 1, sizeof(text) - 3, NULL);
	expect_protocol("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n");
}

static void test_no_body_statuses(void)
{
	static const char t204[] = "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\nHTTP";
	static const char t304[] = "HTTP/1.1 304 Not Modified\r\n\r\n";

	check_all_splits(HTTP_RESPONSE_FULL, S(t204), FALSE, 1, sizeof(t204) - 5, NULL);
	check_all_splits(HTTP_RESPONSE_FULL, S(t304), FALSE, 1, sizeof(t304) - 1, NULL);
}

static gboolean keep_alive_of(const char *text)
{
	struct http_response *r = http_response_new(HTTP_RESPONSE_FULL);
	size_t used;
	gboolean ka;

	g_assert_cmpint(http_response_feed(r, text, strlen(text), &used), ==, 1);
	ka = http_response_keep_alive(r);
	http_response_free(r);
	return ka;
}

static void test_keep_alive(void)
{
	g_assert_true(keep_alive_of("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
	g_assert_false(keep_alive_of("HTTP/1.1 200 OK\r\nConnection: close\r\n"
	                             "Content-Length: 0\r\n\r\n"));
	g_assert_false(keep_alive_of("HTTP/1.1 200 OK\r\nConnection: foo, CLOSE\r\n"
	                             "Content-Length: 0\r\n\r\n"));
	g_assert_false(keep_alive_of("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"));
	g_assert_true(keep_alive_of("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n"
	                            "Content-Length: 0\r\n\r\n"));
	g_assert_true(keep_alive_of("HTTP/1.1 200 OK\r\nConnection: closed\r\n"
	                            "Content-Length: 0\r\n\r\n"));
	g_assert_true(keep_alive_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	                            "0\r\n\r\n"));
}

static const char *reason_of(const char *text, int *status, int *minor)
{
	static char reason[64];
	struct http_response *r = http_response_new(HTTP_RESPONSE_HEAD_ONLY);
	size_t used;

	g_assert_cmpint(http_response_feed(r, text, strlen(text), &used), ==, 1);
	*status = http_response_status(r);
	*minor = http_response_version_minor(r);
	g_strlcpy(reason, http_response_reason(r), sizeof(reason));
	http_response_free(r);
	return reason;
}

static void test_status_line(void)
{
	int status, minor;

	g_assert_cmpstr(reason_of("HTTP/1.1 200 \r\n\r\n", &status, &minor), ==, "");
	g_assert_cmpint(status, ==, 200);
	g_assert_cmpstr(reason_of("HTTP/1.1 404\r\n\r\n", &status, &minor), ==, "");
	g_assert_cmpint(status, ==, 404);
	g_assert_cmpstr(reason_of("HTTP/1.0 503 Service  Unavailable \r\n\r\n", &status, &minor),
	                ==, "Service  Unavailable ");
	g_assert_cmpint(status, ==, 503);
	g_assert_cmpint(minor, ==, 0);
	g_assert_cmpstr(reason_of("HTTP/1.9 999 \xc3\xa9t\xc3\xa9\t\r\n\r\n", &status, &minor), ==,
	                "\xc3\xa9t\xc3\xa9\t");
	g_assert_cmpint(status, ==, 999);
	g_assert_cmpint(minor, ==, 9);

	/* Nothing is known before the head is complete. */
	{
		struct http_response *r = http_response_new(HTTP_RESPONSE_FULL);
		size_t used, len;

		g_assert_cmpint(http_response_feed(r, S("HTTP/1.1 200 OK\r\nA: b\r\n"), &used), ==,
		                0);
		g_assert_cmpint(http_response_status(r), ==, 0);
		g_assert_null(http_response_reason(r));
		g_assert_null(http_response_header(r, "A"));
		g_assert_cmpuint(http_response_header_count(r), ==, 0);
		g_assert_cmpstr(http_response_body(r, &len), ==, "");
		g_assert_false(http_response_keep_alive(r));
		g_assert_false(http_response_is_complete(r));
		http_response_free(r);
	}
}

static void test_header_values(void)
{
	static const char text[] = "HTTP/1.1 200 OK\r\n"
	                           "X-Empty:\r\n"
	                           "X-Spaces: \t \r\n"
	                           "X-Trim:\t  a  b \t\r\n"
	                           "X-Obs: caf\xc3\xa9\r\n"
	                           "X-Tab: a\tb\r\n"
	                           "!#$%&'*+-.^_`|~09azAZ: token\r\n"
	                           "Content-Length: 0\r\n"
	                           "X-Empty: second\r\n"
	                           "\r\n";
	struct http_response *r = http_response_new(HTTP_RESPONSE_FULL);
	size_t used;

	g_assert_cmpint(http_response_feed(r, S(text), &used), ==, 1);
	g_assert_cmpstr(http_response_header(r, "x-empty"), ==, "");
	g_assert_cmpstr(http_response_header(r, "X-Spaces"), ==, "");
	g_assert_cmpstr(http_response_header(r, "X-Trim"), ==, "a  b");
	g_assert_cmpstr(http_response_header(r, "X-Obs"), ==, "caf\xc3\xa9");
	g_assert_cmpstr(http_response_header(r, "X-Tab"), ==, "a\tb");
	g_assert_cmpstr(http_response_header(r, "!#$%&'*+-.^_`|~09azaz"), ==, "token");
	g_assert_cmpuint(http_response_header_count(r), ==, 8);
	http_response_free(r);
}

/* ---- rejections ---- */

static void test_reject_line_endings(void)
{
	expect_protocol("HTTP/1.1 200 OK\n\n");
	expect_protocol("HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n");
	expect_protocol("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\n");
	expect_protocol("HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n");
	expect_protocol("HTTP/1.1 200 OK\r\r\n\r\n");
	expect_protocol("\r\nHTTP/1.1 200 OK\r\n\r\n");
	expect_protocol("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n");
	expect_protocol("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\n0\r\n\r\n");
	expect_protocol("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\n");
}

static void test_reject_status_line(void)
{
	static const char *const bad[] = {
	    "HTTP/2.0 200 OK",
	    "HTTP/1.1 20 OK",
	    "HTTP/1.1 2000 OK",
	    "HTTP/1.1 099 OK",
	    "http/1.1 200 OK",
	    "HTTP/1.1  200 OK",
	    "HTTP/1.10 200 OK",
	    "HTTP/1.1 200OK",
	    "ICY 200 OK",
	    "HTTP/1.1 2x0 OK",
	    "HTTP/1 200 OK",
	    "HTTP/1.x 200 OK",
	    "HTTP/1.1\t200 OK",
	    " HTTP/1.1 200 OK",
	    "HTTP/1.1 -20 OK",
	    "HTTP/1.1 200\tOK",
	    "",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree char *text = g_strdup_printf("%s\r\nContent-Length: 0\r\n\r\n", bad[i]);

		expect_protocol(text);
		expect_error(HTTP_RESPONSE_HEAD_ONLY, text, strlen(text), -ERR_PROTOCOL);
	}
}

static void test_reject_headers(void)
{
	static const char *const bad[] = {
	    "X-A: b\r\n c",  /* obsolete folding */
	    "X-A: b\r\n\tc", /* obsolete folding */
	    " X-A: b",       /* folding as first header */
	    "X-A : b",       /* space before the colon */
	    "X-A\t: b",      /* tab before the colon */
	    "X-A b",         /* no colon */
	    ": b",           /* empty name */
	    "X(A): b",       /* not a token */
	    "X A: b",        /* not a token */
	    "X-\xc3\xa9: b", /* non-ASCII name */
	    "X-A: b\x01",    /* control character */
	    "X-A: b\x7f",    /* DEL */
	    "X-A: \x1b[31m", /* escape */
	    "X-A: \x0b",     /* VT */
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree char *text =
		    g_strdup_printf("HTTP/1.1 200 OK\r\n%s\r\nContent-Length: 0\r\n\r\n", bad[i]);

		expect_protocol(text);
	}
}

static void test_reject_nul(void)
{
	static const char in_value[] = "HTTP/1.1 200 OK\r\nX-A: b\0c\r\nContent-Length: 0\r\n\r\n";
	static const char in_reason[] = "HTTP/1.1 200 O\0K\r\nContent-Length: 0\r\n\r\n";
	static const char in_name[] = "HTTP/1.1 200 OK\r\nX\0A: b\r\nContent-Length: 0\r\n\r\n";
	static const char in_chunk[] =
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;a\0\r\nabc\r\n0\r\n\r\n";
	static const char in_trailer[] =
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: \0\r\n\r\n";
	static const char in_body[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\na\0b";

	expect_error(HTTP_RESPONSE_FULL, S(in_value), -ERR_PROTOCOL);
	expect_error(HTTP_RESPONSE_FULL, S(in_reason), -ERR_PROTOCOL);
	expect_error(HTTP_RESPONSE_FULL, S(in_name), -ERR_PROTOCOL);
	expect_error(HTTP_RESPONSE_FULL, S(in_chunk), -ERR_PROTOCOL);
	expect_error(HTTP_RESPONSE_FULL, S(in_trailer), -ERR_PROTOCOL);
	/* NUL in a body is just a byte. */
	{
		struct http_response *r = http_response_new(HTTP_RESPONSE_FULL);
		size_t used, len;
		const char *b;

		g_assert_cmpint(http_response_feed(r, S(in_body), &used), ==, 1);
		b = http_response_body(r, &len);
		g_assert_cmpuint(len, ==, 3);
		g_assert_cmpmem(b, 4, "a\0b\0", 4);
		http_response_free(r);
	}
}

static void test_reject_framing(void)
{
	static const char *const bad[] = {
	    "Content-Length: abc",
	    "Content-Length: -1",
	    "Content-Length: +5",
	    "Content-Length: 1 2",
	    "Content-Length: 5, 5",
	    "Content-Length: 0x5",
	    "Content-Length:",
	    "Content-Length: 5\r\nContent-Length: 6",
	    "Content-Length: 5\r\ncontent-length: 05\r\nContent-Length: 6",
	    "Content-Length: 5\r\nTransfer-Encoding: chunked",
	    "Transfer-Encoding: chunked\r\nContent-Length: 5",
	    "Transfer-Encoding: gzip",
	    "Transfer-Encoding: gzip, chunked",
	    "Transfer-Encoding: chunked, chunked",
	    "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked",
	    "Transfer-Encoding: identity",
	    "Transfer-Encoding:",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree char *text =
		    g_strdup_printf("HTTP/1.1 200 OK\r\n%s\r\n\r\n0\r\n\r\n", bad[i]);

		expect_protocol(text);
	}
	/* HTTP/1.0 has no chunked coding. */
	expect_protocol("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");

	/* Repeated identical lengths are fine. */
	{
		static const char ok[] =
		    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nhi";
		struct http_response *r = http_response_new(HTTP_RESPONSE_FULL);
		size_t used;

		g_assert_cmpint(http_response_feed(r, S(ok), &used), ==, 1);
		g_assert_cmpstr(http_response_body(r, NULL), ==, "hi");
		http_response_free(r);
	}
}

static void test_reject_chunks(void)
{
	static const char *const bad[] = {
	    "zz\r\n",               /* not hex */
	    "\r\n",                 /* empty size */
	    " 5\r\nhello\r\n",      /* leading space */
	    "-5\r\nhello\r\n",      /* sign */
	    "0x5\r\nhello\r\n",     /* prefix */
	    "5\r\nhelloX\r\n",      /* no CRLF after data */
	    "5\r\nhello\r\r\n",     /* CR CR */
	    "5;\r\nhello\r\n",      /* empty extension */
	    "5;=x\r\nhello\r\n",    /* extension without a name */
	    "5;a=\r\nhello\r\n",    /* extension without a value */
	    "5;a=\"x\r\nhello\r\n", /* unterminated quoted string */
	    "5;a=b c\r\nhello\r\n", /* junk after the value */
	    "5 x\r\nhello\r\n",     /* junk after the size */
	    "5\r\nhello\r\n0\r\nbad trailer\r\n\r\n",
	    "5\r\nhello\r\n0\r\n folded: x\r\n\r\n",
	    "5\r\nhello\r\n0\r\nA : x\r\n\r\n",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree char *text = g_strdup_printf(
		    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%s0\r\n\r\n", bad[i]);

		expect_protocol(text);
	}
}

static void test_sticky_error(void)
{
	struct http_response *r = http_response_new(HTTP_RESPONSE_FULL);
	size_t used = 99;

	g_assert_cmpint(http_response_feed(r, S("HTTP/1.1 200 OK\nA: b\r\n"), &used), ==,
	                -ERR_PROTOCOL);
	g_assert_cmpint(http_response_feed(r, S("HTTP/1.1 200 OK\r\n\r\n"), &used), ==,
	                -ERR_PROTOCOL);
	g_assert_cmpuint(used, ==, 0);
	g_assert_cmpint(http_response_eof(r), ==, -ERR_PROTOCOL);
	g_assert_false(http_response_is_complete(r));
	g_assert_cmpint(http_response_status(r), ==, 0);
	http_response_free(r);

	/* NULL data with a length is a caller bug, not sticky. */
	r = http_response_new(HTTP_RESPONSE_FULL);
	g_assert_cmpint(http_response_feed(r, NULL, 3, &used), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(http_response_feed(r, NULL, 0, &used), ==, 0);
	http_response_free(r);
	http_response_free(NULL);
	g_assert_null(http_response_new((enum http_response_mode)7));
}

/* ---- limits ---- */

/* A head of exactly `size` bytes: status line, filler headers, Content-Length: 0, blank line. */
static GString *head_of_size(size_t size)
{
	GString *s = g_string_new("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n");
	size_t last;

	while (size - s->len > 2000)
		g_string_append_printf(s, "X-F: %0900d\r\n", 0);
	/* "X-L:" + value + CRLF fills what is left before the final CRLF. */
	last = size - s->len - 2 - 6;
	g_string_append(s, "X-L:");
	for (size_t i = 0; i < last; i++)
		g_string_append_c(s, 'v');
	g_string_append(s, "\r\n\r\n");
	return s;
}

static void test_limit_head(void)
{
	for (size_t size = HTTP_RESPONSE_MAX_HEAD - 3; size <= HTTP_RESPONSE_MAX_HEAD + 3; size++) {
		g_autoptr(GString) s = head_of_size(size);
		struct http_response *r = http_response_new(HTTP_RESPONSE_FULL);
		size_t used;
		int ret;

		g_assert_cmpuint(s->len, ==, size);
		ret = http_response_feed(r, s->str, s->len, &used);
		if (size <= HTTP_RESPONSE_MAX_HEAD) {
			g_assert_cmpint(ret, ==, 1);
			g_assert_cmpuint(used, ==, size);
		} else {
			g_assert_cmpint(ret, ==, -ERR_TOO_LARGE);
		}
		http_response_free(r);
	}
	/* One long header line. */
	{
		GString *s = g_string_new("HTTP/1.1 200 OK\r\nX-Big: ");
		struct http_response *r = http_response_new(HTTP_RESPONSE_HEAD_ONLY);
		size_t used;

		while (s->len < HTTP_RESPONSE_MAX_HEAD + 10)
			g_string_append_c(s, 'a');
		g_assert_cmpint(http_response_feed(r, s->str, s->len, &used), ==, -ERR_TOO_LARGE);
		http_response_free(r);
		g_string_free(s, TRUE);
	}
	/* 1xx heads count towards the limit. */
	{
		GString *s = g_string_new("");
		struct http_response *r = http_response_new(HTTP_RESPONSE_FULL);
		size_t used;

		while (s->len < HTTP_RESPONSE_MAX_HEAD)
			g_string_append(s, "HTTP/1.1 100 Continue\r\n\r\n");
		g_string_append(s, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
		g_assert_cmpint(http_response_feed(r, s->str, s->len, &used), ==, -ERR_TOO_LARGE);
		http_response_free(r);
		g_string_free(s, TRUE);
	}
}

static void test_limit_header_count(void)
{
	for (size_t n = HTTP_RESPONSE_MAX_HEADERS - 1; n <= HTTP_RESPONSE_MAX_HEADERS + 1; n++) {
		GString *s = g_string_new("HTTP/1.1 200 OK\r\n");
		struct http_response *r = http_response_new(HTTP_RESPONSE_HEAD_ONLY);
		size_t used;
		int ret;

		for (size_t i = 0; i < n; i++)
			g_string_append_printf(
			    s, "X-CSTP-Split-Include: 10.%zu.0.0/255.255.0.0\r\n", i);
		g_string_append(s, "\r\n");
		ret = http_response_feed(r, s->str, s->len, &used);
		if (n <= HTTP_RESPONSE_MAX_HEADERS) {
			g_assert_cmpint(ret, ==, 1);
			g_assert_cmpuint(http_response_header_count(r), ==, n);
		} else {
			g_assert_cmpint(ret, ==, -ERR_TOO_LARGE);
		}
		http_response_free(r);
		g_string_free(s, TRUE);
	}
	/* Trailers are capped too. */
	{
		GString *s =
		    g_string_new("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n");
		struct http_response *r = http_response_new(HTTP_RESPONSE_FULL);
		size_t used;

		for (size_t i = 0; i <= HTTP_RESPONSE_MAX_HEADERS; i++)
			g_string_append(s, "T: x\r\n");
		g_string_append(s, "\r\n");
		g_assert_cmpint(http_response_feed(r, s->str, s->len, &used), ==, -ERR_TOO_LARGE);
		http_response_free(r);
		g_string_free(s, TRUE);
	}
}

static int feed_body(enum http_response_mode mode, const char *head, size_t body_len,
                     gboolean chunk_it)
{
	struct http_response *r = http_response_new(mode);
	char *zeros = g_malloc0(1024 * 1024);
	size_t used, left = body_len;
	int ret;

	ret = http_response_feed(r, head, strlen(head), &used);
	while (ret == 0 && left) {
		size_t n = MIN(left, 1024 * 1024);

		if (chunk_it) {
			char line[32];

			g_snprintf(line, sizeof(line), "%zx\r\n", n);
			ret = http_response_feed(r, line, strlen(line), &used);
			if (ret)
				break;
		}
		ret = http_response_feed(r, zeros, n, &used);
		if (ret == 0 && chunk_it)
			ret = http_response_feed(r, "\r\n", 2, &used);
		left -= n;
	}
	if (ret == 0 && chunk_it)
		ret = http_response_feed(r, "0\r\n\r\n", 5, &used);
	if (ret == 0)
		ret = http_response_eof(r);
	if (ret == 1) {
		size_t len;

		http_response_body(r, &len);
		g_assert_cmpuint(len, ==, body_len);
	}
	http_response_free(r);
	g_free(zeros);
	return ret;
}

static void test_limit_body(void)
{
	const size_t max = HTTP_RESPONSE_MAX_BODY;
	g_autofree char *cl_max =
	    g_strdup_printf("HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", max);
	g_autofree char *cl_over =
	    g_strdup_printf("HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", max + 1);
	static const char chunked[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
	static const char close[] = "HTTP/1.1 200 OK\r\n\r\n";
	struct http_response *r;
	size_t used;

	g_assert_cmpint(feed_body(HTTP_RESPONSE_FULL, cl_max, max, FALSE), ==, 1);
	g_assert_cmpint(feed_body(HTTP_RESPONSE_FULL, cl_over, 0, FALSE), ==, -ERR_TOO_LARGE);
	g_assert_cmpint(feed_body(HTTP_RESPONSE_FULL, close, max, FALSE), ==, 1);
	g_assert_cmpint(feed_body(HTTP_RESPONSE_FULL, close, max + 1, FALSE), ==, -ERR_TOO_LARGE);
	g_assert_cmpint(feed_body(HTTP_RESPONSE_FULL, chunked, max, TRUE), ==, 1);
	g_assert_cmpint(feed_body(HTTP_RESPONSE_FULL, chunked, max + 1, TRUE), ==, -ERR_TOO_LARGE);

	/* Absurd sizes are refused when announced, before any body byte. */
	r = http_response_new(HTTP_RESPONSE_FULL);
	g_assert_cmpint(http_response_feed(r,
	                                   S("HTTP/1.1 200 OK\r\nContent-Length: "
	                                     "99999999999999999999999999\r\n\r\n"),
	                                   &used),
	                ==, -ERR_TOO_LARGE);
	http_response_free(r);
	r = http_response_new(HTTP_RESPONSE_FULL);
	g_assert_cmpint(http_response_feed(r,
	                                   S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	                                     "\r\nFFFFFFFFFFFFFFFFFFFFFFFF\r\n"),
	                                   &used),
	                ==, -ERR_TOO_LARGE);
	http_response_free(r);
	r = http_response_new(HTTP_RESPONSE_FULL);
	g_assert_cmpint(http_response_feed(r,
	                                   S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	                                     "\r\n1000001\r\n"),
	                                   &used),
	                ==, -ERR_TOO_LARGE);
	http_response_free(r);
	/* An endless chunk-size line. */
	{
		GString *s = g_string_new(chunked);

		g_string_append(s, "1");
		for (int i = 0; i < 5000; i++)
			g_string_append_c(s, i < 3 ? ' ' : 'a');
		r = http_response_new(HTTP_RESPONSE_FULL);
		g_assert_cmpint(http_response_feed(r, s->str, s->len, &used), <, 0);
		http_response_free(r);
		g_string_free(s, TRUE);
	}
	/* Leading zeros do not overflow anything. */
	{
		GString *s = g_string_new(chunked);

		for (int i = 0; i < 3000; i++)
			g_string_append_c(s, '0');
		g_string_append(s, "2\r\nok\r\n0\r\n\r\n");
		r = http_response_new(HTTP_RESPONSE_FULL);
		g_assert_cmpint(http_response_feed(r, s->str, s->len, &used), ==, 1);
		g_assert_cmpstr(http_response_body(r, NULL), ==, "ok");
		http_response_free(r);
		g_string_free(s, TRUE);
	}
}

/* ---- real captures ---- */

static void test_captures(void)
{
	static const struct {
		const char *file;
		enum http_response_mode mode;
		int status;
		const char *header;
		const char *value;
	} caps[] = {
	    {"ocserv-init.txt", HTTP_RESPONSE_FULL, 200, "X-Transcend-Version", "1"},
	    {"ocserv-password-form.txt", HTTP_RESPONSE_FULL, 200, "Content-Type", "text/xml"},
	    {"ocserv-wrong-password.txt", HTTP_RESPONSE_FULL, 200, "Content-Length", "324"},
	    {"ocserv-success.txt", HTTP_RESPONSE_FULL, 200, "Set-Cookie",
	     "webvpncontext=ALuQ/o7paVdVMg+355ESFZqDtYxQRsdM5pr5j0PrJFY=; Secure; HttpOnly"},
	    {"ocserv-profile.txt", HTTP_RESPONSE_FULL, 200, "Content-Length", "92"},
	    {"ocserv-404.txt", HTTP_RESPONSE_FULL, 404, "Connection", "close"},
	    {"ocserv-connect-401.txt", HTTP_RESPONSE_FULL, 401, "Content-Length", NULL},
	    {"ocserv-connect-401.txt", HTTP_RESPONSE_HEAD_ONLY, 401, "Content-Length", NULL},
	    {"ocserv-connect.txt", HTTP_RESPONSE_HEAD_ONLY, 200, "X-DTLS-App-ID",
	     "63417e89f17d1e8533e6a2ec5e3a453b6d402eba046f79c17ba3081be78219b3"},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(caps); i++) {
		size_t len, used;
		g_autofree char *data = read_data(caps[i].file, &len);
		struct http_response *r = http_response_new(caps[i].mode);
		int ret = http_response_feed(r, data, len, &used);

		if (ret == 0)
			ret = http_response_eof(r);
		g_assert_cmpint(ret, ==, 1);
		g_assert_cmpint(http_response_status(r), ==, caps[i].status);
		g_assert_cmpstr(http_response_header(r, caps[i].header), ==, caps[i].value);
		if (caps[i].mode == HTTP_RESPONSE_FULL) {
			size_t blen;
			const char *cl = http_response_header(r, "Content-Length");

			http_response_body(r, &blen);
			if (cl)
				g_assert_cmpuint(blen, ==, g_ascii_strtoull(cl, NULL, 10));
			g_assert_cmpuint(used, ==, len);
		} else {
			g_assert_nonnull(g_strstr_len(data, len, "\r\n\r\n"));
			g_assert_cmpuint(used, ==,
			                 (size_t)(g_strstr_len(data, len, "\r\n\r\n") - data) + 4);
		}
		http_response_free(r);
		check_all_splits(caps[i].mode, data, len, caps[i].mode == HTTP_RESPONSE_FULL, 1,
		                 used, NULL);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/http-response/content-length", test_content_length);
	g_test_add_func("/http-response/content-length-leftover", test_content_length_leftover);
	g_test_add_func("/http-response/401-empty", test_401_empty);
	g_test_add_func("/http-response/302", test_302);
	g_test_add_func("/http-response/chunked", test_chunked);
	g_test_add_func("/http-response/chunked-empty", test_chunked_empty);
	g_test_add_func("/http-response/close-delimited", test_close_delimited);
	g_test_add_func("/http-response/truncated", test_truncated);
	g_test_add_func("/http-response/head-only", test_head_only);
	g_test_add_func("/http-response/head-only-errors", test_head_only_errors);
	g_test_add_func("/http-response/interim", test_interim);
	g_test_add_func("/http-response/no-body-statuses", test_no_body_statuses);
	g_test_add_func("/http-response/keep-alive", test_keep_alive);
	g_test_add_func("/http-response/status-line", test_status_line);
	g_test_add_func("/http-response/header-values", test_header_values);
	g_test_add_func("/http-response/reject/line-endings", test_reject_line_endings);
	g_test_add_func("/http-response/reject/status-line", test_reject_status_line);
	g_test_add_func("/http-response/reject/headers", test_reject_headers);
	g_test_add_func("/http-response/reject/nul", test_reject_nul);
	g_test_add_func("/http-response/reject/framing", test_reject_framing);
	g_test_add_func("/http-response/reject/chunks", test_reject_chunks);
	g_test_add_func("/http-response/sticky-error", test_sticky_error);
	g_test_add_func("/http-response/limit/head", test_limit_head);
	g_test_add_func("/http-response/limit/header-count", test_limit_header_count);
	g_test_add_func("/http-response/limit/body", test_limit_body);
	g_test_add_func("/http-response/captures", test_captures);
	return g_test_run();
}
