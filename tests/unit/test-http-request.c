// SPDX-License-Identifier: GPL-2.0-or-later
#include <glib.h>
#include <string.h>

#include "error.h"
#include "http-request.h"

static void assert_wire(const struct http_request *req, const char *want, size_t want_len)
{
	struct secret *s = http_request_serialize(req);

	g_assert_nonnull(s);
	g_assert_cmpmem(secret_str(s), secret_len(s), want, want_len);
	secret_free(s);
}

#define S(lit) lit, sizeof(lit) - 1

static void test_get(void)
{
	struct http_request *req = http_request_new("GET", "/profiles%2Fprofile.xml");

	g_assert_nonnull(req);
	g_assert_cmpstr(http_request_method(req), ==, "GET");
	g_assert_cmpstr(http_request_path(req), ==, "/profiles%2Fprofile.xml");
	g_assert_cmpint(
	    http_request_add_common(req, "vpn.example.com:8443", "AnyConnect Linux_64 4.10.07061",
	                            "webvpn=ALuQ/o7paVdVMg+355ESFZqDtYxQRsdM5pr5j0PrJFY=", false),
	    ==, 0);
	assert_wire(req, S("GET /profiles%2Fprofile.xml HTTP/1.1\r\n"
	                   "Host: vpn.example.com:8443\r\n"
	                   "User-Agent: AnyConnect Linux_64 4.10.07061\r\n"
	                   "Cookie: webvpn=ALuQ/o7paVdVMg+355ESFZqDtYxQRsdM5pr5j0PrJFY=\r\n"
	                   "Accept: */*\r\n"
	                   "Accept-Encoding: identity\r\n"
	                   "X-Transcend-Version: 1\r\n"
	                   "\r\n"));
	http_request_free(req);
	http_request_free(NULL);
}

static void test_post_pad(void)
{
	static const char body[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<config-auth client=\"vpn\" type=\"auth-reply\"><auth><password>"
	    "hunter2</password></auth></config-auth>";
	size_t len = sizeof(body) - 1; /* 138 */
	struct http_request *req = http_request_new("POST", "/auth");
	GString *want = g_string_new(NULL);

	g_assert_cmpuint(len, ==, 138);
	g_assert_cmpint(http_request_add_common(req, "vpn.example.com", "AnyConnect", NULL, true),
	                ==, 0);
	g_assert_cmpint(http_request_set_body(req, "application/xml; charset=utf-8", body, len), ==,
	                0);
	g_string_append(want, "POST /auth HTTP/1.1\r\n"
	                      "Host: vpn.example.com\r\n"
	                      "User-Agent: AnyConnect\r\n"
	                      "Accept: */*\r\n"
	                      "Accept-Encoding: identity\r\n"
	                      "X-Transcend-Version: 1\r\n"
	                      "X-Aggregate-Auth: 1\r\n"
	                      /* 138 + 54 = 192 = 3 * 64 */
	                      "X-Pad: 000000000000000000000000000000000000000000000000000000\r\n"
	                      "Content-Type: application/xml; charset=utf-8\r\n"
	                      "Content-Length: 138\r\n"
	                      "\r\n");
	g_string_append(want, body);
	assert_wire(req, want->str, want->len);
	/* Only one body. */
	g_assert_cmpint(http_request_set_body(req, "text/xml", "x", 1), ==, -ERR_INVALID_ARGS);
	g_string_free(want, TRUE);
	http_request_free(req);
}

static void test_pad_lengths(void)
{
	char body[300];

	memset(body, 'b', sizeof(body));
	for (size_t len = 0; len < sizeof(body); len++) {
		struct http_request *req = http_request_new("POST", "/");
		struct secret *s;
		const char *pad, *end;
		size_t pad_len;

		g_assert_cmpint(http_request_set_body(req, "text/xml", body, len), ==, 0);
		s = http_request_serialize(req);
		pad = strstr(secret_str(s), "\r\nX-Pad: ");
		g_assert_nonnull(pad);
		pad += strlen("\r\nX-Pad: ");
		end = strstr(pad, "\r\n");
		pad_len = (size_t)(end - pad);
		g_assert_cmpuint(strspn(pad, "0"), ==, pad_len);
		g_assert_cmpuint((len + pad_len) % 64, ==, 0);
		g_assert_cmpuint(pad_len, >=, 1);
		g_assert_cmpuint(pad_len, <=, 64);
		if (len % 64 == 0)
			g_assert_cmpuint(pad_len, ==, 64);
		{
			g_autofree char *cl =
			    g_strdup_printf("\r\nContent-Length: %zu\r\n\r\n", len);
			const char *at = strstr(secret_str(s), cl);

			g_assert_nonnull(at);
			/* the body follows the blank line, byte for byte, and ends the request */
			g_assert_cmpuint(
			    (size_t)(secret_str(s) + secret_len(s) - (at + strlen(cl))), ==, len);
		}
		secret_free(s);
		http_request_free(req);
	}
	/* An empty body still gets framing headers. */
	{
		struct http_request *req = http_request_new("POST", "/");

		g_assert_cmpint(http_request_set_body(req, "text/xml", NULL, 0), ==, 0);
		assert_wire(req,
		            S("POST / HTTP/1.1\r\nX-Pad: "
		              "0000000000000000000000000000000000000000000000000000000000000000\r\n"
		              "Content-Type: text/xml\r\nContent-Length: 0\r\n\r\n"));
		http_request_free(req);
	}
}

static void test_connect(void)
{
	struct http_request *req = http_request_new("CONNECT", "/CSCOSSLC/tunnel");

	g_assert_cmpint(http_request_add_common(req, "[2001:db8::1]:8443",
	                                        "AnyConnect Linux_64 5.1", "webvpn=tok", false),
	                ==, 0);
	g_assert_cmpint(http_request_add_header(req, "X-CSTP-Version", "1"), ==, 0);
	g_assert_cmpint(http_request_add_header(req, "X-CSTP-Address", "198.51.100.50"), ==, 0);
	g_assert_cmpint(http_request_add_header(req, "X-CSTP-Address", "2001:db8:1::50"), ==, 0);
	g_assert_cmpint(http_request_add_header(req, "X-CSTP-Protocol",
	                                        "Copyright (c) 2004 Cisco Systems, Inc."),
	                ==, 0);
	g_assert_cmpint(http_request_add_header(req, "X-Empty", ""), ==, 0);
	g_assert_cmpint(http_request_add_header(req, "X-Tab", "a\tb"), ==, 0);
	assert_wire(req, S("CONNECT /CSCOSSLC/tunnel HTTP/1.1\r\n"
	                   "Host: [2001:db8::1]:8443\r\n"
	                   "User-Agent: AnyConnect Linux_64 5.1\r\n"
	                   "Cookie: webvpn=tok\r\n"
	                   "Accept: */*\r\n"
	                   "Accept-Encoding: identity\r\n"
	                   "X-Transcend-Version: 1\r\n"
	                   "X-CSTP-Version: 1\r\n"
	                   "X-CSTP-Address: 198.51.100.50\r\n"
	                   "X-CSTP-Address: 2001:db8:1::50\r\n"
	                   "X-CSTP-Protocol: Copyright (c) 2004 Cisco Systems, Inc.\r\n"
	                   "X-Empty: \r\n"
	                   "X-Tab: a\tb\r\n"
	                   "\r\n"));
	http_request_free(req);
}

static void test_injection(void)
{
	static const char *const bad_values[] = {
	    "a\r\nX-Evil: 1", "a\nb",  "a\rb",   "\x01",    "a\x7f",
	    "\x1b[0m",        " lead", "trail ", "trail\t",
	};
	static const char *const bad_names[] = {
	    "",
	    "X Y",
	    "X:Y",
	    "X\r\nY",
	    "X-\xc3\xa9",
	    "(X)",
	    "X\t",
	    "Content-Length",
	    "content-length",
	    "Transfer-Encoding",
	    "X-Pad",
	    "x-pad",
	};
	struct http_request *req = http_request_new("GET", "/");

	for (size_t i = 0; i < G_N_ELEMENTS(bad_values); i++)
		g_assert_cmpint(http_request_add_header(req, "X-A", bad_values[i]), ==,
		                -ERR_INVALID_ARGS);
	/* NUL cannot be passed in a C string; a value ending early is just shorter. */
	for (size_t i = 0; i < G_N_ELEMENTS(bad_names); i++)
		g_assert_cmpint(http_request_add_header(req, bad_names[i], "v"), ==,
		                -ERR_INVALID_ARGS);
	g_assert_cmpint(http_request_add_header(req, NULL, "v"), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(http_request_add_header(req, "X", NULL), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(http_request_add_header(NULL, "X", "v"), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(http_request_add_common(req, "host\r\nX: y", "UA", NULL, false), ==,
	                -ERR_INVALID_ARGS);
	g_assert_cmpint(http_request_add_common(req, "", "UA", NULL, false), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(http_request_add_common(req, "h", NULL, NULL, false), ==,
	                -ERR_INVALID_ARGS);
	g_assert_cmpint(http_request_set_body(req, "text/xml\r\nX: y", "b", 1), ==,
	                -ERR_INVALID_ARGS);
	g_assert_cmpint(http_request_set_body(req, "", "b", 1), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(http_request_set_body(req, "text/xml", NULL, 1), ==, -ERR_INVALID_ARGS);
	/* Nothing got in. */
	assert_wire(req, S("GET / HTTP/1.1\r\n\r\n"));
	http_request_free(req);

	/* Cookie header with a newline: refused even through add_common. */
	req = http_request_new("GET", "/");
	g_assert_cmpint(http_request_add_common(req, "h", "UA", "a=b\r\nX-Evil: 1", false), ==,
	                -ERR_INVALID_ARGS);
	http_request_free(req);

	/* Method and path. */
	g_assert_null(http_request_new("GE T", "/"));
	g_assert_null(http_request_new("", "/"));
	g_assert_null(http_request_new("GET\r\n", "/"));
	g_assert_null(http_request_new("GET", ""));
	g_assert_null(http_request_new("GET", "relative"));
	g_assert_null(http_request_new("GET", "/a b"));
	g_assert_null(http_request_new("GET", "/a\r\nX: y"));
	g_assert_null(http_request_new("GET", "/caf\xc3\xa9"));
	g_assert_null(http_request_new("GET", "http://host/"));
	g_assert_null(http_request_new("GET", "/a#frag"));
	g_assert_null(http_request_new(NULL, "/"));
	g_assert_null(http_request_new("GET", NULL));
	req = http_request_new("GET", "/?secret");
	g_assert_nonnull(req);
	assert_wire(req, S("GET /?secret HTTP/1.1\r\n\r\n"));
	http_request_free(req);
}

static void test_caps(void)
{
	struct http_request *req = http_request_new("GET", "/");
	char *big = g_malloc(HTTP_REQUEST_MAX_VALUE + 2);
	char *path = g_malloc(HTTP_REQUEST_MAX_PATH + 2);

	memset(big, 'v', HTTP_REQUEST_MAX_VALUE + 1);
	big[HTTP_REQUEST_MAX_VALUE + 1] = '\0';
	g_assert_cmpint(http_request_add_header(req, "X-Big", big), ==, -ERR_TOO_LARGE);
	big[HTTP_REQUEST_MAX_VALUE] = '\0';
	g_assert_cmpint(http_request_add_header(req, "X-Big", big), ==, 0);
	for (int i = 1; i < HTTP_REQUEST_MAX_HEADERS; i++)
		g_assert_cmpint(http_request_add_header(req, "X-N", "1"), ==, 0);
	g_assert_cmpint(http_request_add_header(req, "X-N", "1"), ==, -ERR_TOO_LARGE);
	g_assert_cmpint(http_request_set_body(req, "text/xml", "b", 1), ==, -ERR_TOO_LARGE);
	http_request_free(req);

	path[0] = '/';
	memset(path + 1, 'p', HTTP_REQUEST_MAX_PATH);
	path[HTTP_REQUEST_MAX_PATH + 1] = '\0';
	g_assert_null(http_request_new("GET", path));
	path[HTTP_REQUEST_MAX_PATH] = '\0';
	req = http_request_new("GET", path);
	g_assert_nonnull(req);
	g_assert_cmpint(http_request_set_body(req, "text/xml", big, HTTP_REQUEST_MAX_BODY + 1), ==,
	                -ERR_TOO_LARGE);
	http_request_free(req);
	g_free(big);
	g_free(path);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/http-request/get", test_get);
	g_test_add_func("/http-request/post-pad", test_post_pad);
	g_test_add_func("/http-request/pad-lengths", test_pad_lengths);
	g_test_add_func("/http-request/connect", test_connect);
	g_test_add_func("/http-request/injection", test_injection);
	g_test_add_func("/http-request/caps", test_caps);
	return g_test_run();
}
