// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The HTTP response parser on hostile bytes.  Input: one control byte, then the response.
 * Each mode (FULL, HEAD_ONLY) parses the bytes three ways: at once, split in two at a point
 * the control byte picks, and (for small inputs) one byte at a time; all three must agree
 * exactly.  Invariants: consumed <= len, a complete answer has a status of 200..999 (1xx are
 * skipped), bounded counts, headers without CR/LF/NUL or surrounding whitespace, a
 * NUL-terminated body, and nothing after a completed answer is consumed.  Set-Cookie values go
 * through the cookie jar as well.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "http-cookie.h"
#include "http-response.h"
#include "secret.h"
#include "fuzz-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
	struct http_response *r;
	int ret;
	size_t consumed;
};

/* Feeds a first piece of `first` bytes (may be 0), then pieces of `step` (>= 1) bytes. */
static struct run parse(enum http_response_mode mode, const uint8_t *p, size_t len, size_t first,
                        size_t step)
{
	struct run out = {http_response_new(mode), 0, 0};
	size_t pos = 0;
	bool first_piece = true;

	CHECK(out.r);
	CHECK(step >= 1);
	while (pos < len) {
		size_t n = first_piece ? first : step;
		size_t used = (size_t)-1;

		first_piece = false;

		if (n > len - pos)
			n = len - pos;
		out.ret = http_response_feed(out.r, p + pos, n, &used);
		CHECK(used <= n);
		out.consumed += used;
		if (out.ret != 0)
			break;
		CHECK(used == n);
		pos += n;
	}
	if (out.ret == 0)
		out.ret = http_response_eof(out.r);
	CHECK(out.ret == 1 || out.ret == -ERR_PROTOCOL || out.ret == -ERR_TOO_LARGE);
	return out;
}

static void check_invariants(const struct run *a, enum http_response_mode mode, size_t len)
{
	const struct http_response *r = a->r;
	size_t n, blen;
	const char *body;

	CHECK(a->consumed <= len);
	if (a->ret != 1) {
		CHECK(!http_response_is_complete(r));
		return;
	}
	CHECK(http_response_is_complete(r));
	CHECK(http_response_status(r) >= 200 && http_response_status(r) <= 999);
	CHECK(http_response_reason(r) != NULL);
	CHECK(http_response_version_minor(r) >= 0 && http_response_version_minor(r) <= 9);
	n = http_response_header_count(r);
	CHECK(n <= HTTP_RESPONSE_MAX_HEADERS);
	for (size_t i = 0; i < n; i++) {
		const char *name, *value;
		size_t vl;

		CHECK(http_response_header_at(r, i, &name, &value) == 0);
		CHECK(name[0] != '\0');
		CHECK(strpbrk(name, " \t:\r\n") == NULL);
		CHECK(strpbrk(value, "\r\n") == NULL);
		vl = strlen(value);
		CHECK(vl == 0 || (value[0] != ' ' && value[0] != '\t' && value[vl - 1] != ' ' &&
		                  value[vl - 1] != '\t'));
		CHECK(http_response_header(r, name) != NULL);
	}
	CHECK(http_response_header_at(r, n, NULL, NULL) == -ERR_INVALID_ARGS);
	body = http_response_body(r, &blen);
	CHECK(body && body[blen] == '\0');
	CHECK(blen <= HTTP_RESPONSE_MAX_BODY);
	if (mode == HTTP_RESPONSE_HEAD_ONLY) {
		CHECK(blen == 0);
		CHECK(!http_response_keep_alive(r));
	}
}

static void check_same(const struct run *a, const struct run *b)
{
	size_t na, nb, la, lb;
	const void *ba, *bb;

	CHECK(a->ret == b->ret);
	if (a->ret != 1)
		return;
	CHECK(a->consumed == b->consumed);
	CHECK(http_response_status(a->r) == http_response_status(b->r));
	CHECK(strcmp(http_response_reason(a->r), http_response_reason(b->r)) == 0);
	CHECK(http_response_keep_alive(a->r) == http_response_keep_alive(b->r));
	na = http_response_header_count(a->r);
	nb = http_response_header_count(b->r);
	CHECK(na == nb);
	for (size_t i = 0; i < na; i++) {
		const char *n1, *v1, *n2, *v2;

		CHECK(http_response_header_at(a->r, i, &n1, &v1) == 0);
		CHECK(http_response_header_at(b->r, i, &n2, &v2) == 0);
		CHECK(strcmp(n1, n2) == 0 && strcmp(v1, v2) == 0);
	}
	ba = http_response_body(a->r, &la);
	bb = http_response_body(b->r, &lb);
	CHECK(la == lb && memcmp(ba, bb, la) == 0);
}

static void after_completion(struct run *a)
{
	size_t used = 7;

	if (a->ret != 1)
		return;
	CHECK(http_response_eof(a->r) == 1);
	CHECK(http_response_feed(a->r, "HTTP/1.1 200 OK\r\n\r\n", 19, &used) == 1);
	CHECK(used == 0);
}

static void cookies(const struct run *a)
{
	struct http_cookie_jar *jar;
	struct secret *s;

	if (a->ret != 1)
		return;
	jar = http_cookie_jar_new();
	CHECK(jar);
	for (size_t i = 0; i < http_response_header_count(a->r); i++) {
		const char *name, *value;

		http_response_header_at(a->r, i, &name, &value);
		if (strcasecmp(name, "Set-Cookie") == 0) {
			int ret = http_cookie_jar_set_header(jar, value);

			CHECK(ret == 0 || ret == -ERR_PROTOCOL || ret == -ERR_TOO_LARGE);
		}
	}
	CHECK(http_cookie_jar_count(jar) <= HTTP_COOKIE_MAX_COUNT);
	s = http_cookie_jar_format(jar);
	CHECK(s);
	CHECK(secret_len(s) <= HTTP_COOKIE_MAX_TOTAL);
	CHECK(strpbrk(secret_str(s), "\r\n") == NULL);
	secret_free(s);
	http_cookie_jar_free(jar);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum http_response_mode modes[] = {HTTP_RESPONSE_FULL,
	                                                HTTP_RESPONSE_HEAD_ONLY};
	size_t split;

	if (size < 1)
		return 0;
	split = (size_t)data[0] * (size - 1) / 255;
	data++;
	size--;
	for (size_t m = 0; m < 2; m++) {
		struct run whole = parse(modes[m], data, size, size, size ? size : 1);
		struct run halves = parse(modes[m], data, size, split, size ? size : 1);

		check_invariants(&whole, modes[m], size);
		check_invariants(&halves, modes[m], size);
		check_same(&whole, &halves);
		if (size <= 4096) {
			struct run bytes = parse(modes[m], data, size, 1, 1);

			check_invariants(&bytes, modes[m], size);
			check_same(&whole, &bytes);
			http_response_free(bytes.r);
		}
		cookies(&whole);
		after_completion(&whole);
		http_response_free(whole.r);
		http_response_free(halves.r);
	}
	return 0;
}
