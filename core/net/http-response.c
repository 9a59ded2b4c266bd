// SPDX-License-Identifier: GPL-2.0-or-later
#include "http-response.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "hex.h"
#include "http-token.h"
#include "secret.h"

/* Longest chunk-size line (with extensions) or trailer line we hold. */
#define CHUNK_LINE_MAX 4096

enum http_response_state {
	HTTP_RESPONSE_STATE_HEAD,        /* status line and headers, 1xx answers skipped */
	HTTP_RESPONSE_STATE_BODY_LENGTH, /* Content-Length bytes */
	HTTP_RESPONSE_STATE_BODY_CLOSE,  /* everything until the peer closes */
	HTTP_RESPONSE_STATE_CHUNK_SIZE,  /* chunk-size [ext] CRLF */
	HTTP_RESPONSE_STATE_CHUNK_DATA,
	HTTP_RESPONSE_STATE_CHUNK_END, /* the CRLF after a chunk's data */
	HTTP_RESPONSE_STATE_TRAILER,   /* trailer lines up to the blank line */
	HTTP_RESPONSE_STATE_DONE,
	HTTP_RESPONSE_STATE_FAILED,
};

/* Offsets into head: the head buffer moves when it grows. */
struct header_pos {
	size_t name;
	size_t value;
};

struct http_response {
	enum http_response_mode mode;
	enum http_response_state state;
	int error;

	/* The current header block, CRLFs included; names and values NUL-terminated in place. */
	char *head;
	size_t head_len;
	size_t head_cap;
	size_t head_total; /* bytes of every header block so far (1xx ones too) */
	size_t line_start;
	bool head_cr; /* the previous byte was CR: only LF may follow */
	bool have_status_line;
	bool head_parsed; /* the final header block is complete */

	int status;
	int version_minor;
	size_t reason;
	struct header_pos *headers;
	size_t n_headers;
	size_t headers_cap;

	bool close_delimited;
	bool keep_alive;
	uint64_t remaining; /* of Content-Length or of the current chunk */

	char *body;
	size_t body_len;
	size_t body_cap;

	/* One chunk-size, chunk end or trailer line, without its CRLF. */
	char line[CHUNK_LINE_MAX];
	size_t line_len;
	bool line_cr;
	size_t trailer_total;
	size_t trailer_count;
};

static void http_response_enter_state(struct http_response *r, enum http_response_state state)
{
	r->state = state;
	r->line_len = 0;
	r->line_cr = false;
}

static int http_response_fail(struct http_response *r, int err)
{
	r->error = err;
	http_response_enter_state(r, HTTP_RESPONSE_STATE_FAILED);
	return err;
}

struct http_response *http_response_new(enum http_response_mode mode)
{
	struct http_response *r;

	if (mode != HTTP_RESPONSE_FULL && mode != HTTP_RESPONSE_HEAD_ONLY)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->mode = mode;
	http_response_enter_state(r, HTTP_RESPONSE_STATE_HEAD);
	return r;
}

void http_response_free(struct http_response *r)
{
	if (!r)
		return;
	if (r->head) {
		secret_wipe(r->head, r->head_cap);
		free(r->head);
	}
	if (r->body) {
		secret_wipe(r->body, r->body_cap);
		free(r->body);
	}
	free(r->headers);
	secret_wipe(r, sizeof(*r));
	free(r);
}

/*
 * Grows *buf to hold at least `need` bytes: doubling, but never beyond `limit` (need > limit is
 * -ERR_TOO_LARGE).  The old copy is wiped rather than realloc'd: it may hold a cookie or a token.
 */
static int grow(char **buf, size_t *cap, size_t used, size_t need, size_t limit)
{
	size_t ncap;
	char *n;

	if (need <= *cap)
		return 0;
	if (need > limit)
		return -ERR_TOO_LARGE;
	ncap = *cap > limit / 2 ? limit : *cap * 2;
	if (ncap < 256)
		ncap = 256;
	if (ncap < need)
		ncap = need;
	if (ncap > limit)
		ncap = limit;
	n = malloc(ncap);
	if (!n)
		return -ERR_NOMEM;
	if (*buf) {
		memcpy(n, *buf, used);
		secret_wipe(*buf, *cap);
		free(*buf);
	}
	*buf = n;
	*cap = ncap;
	return 0;
}

/* `limit` is the buffer size the whole body can need (Content-Length + 1 when known). */
static int body_append(struct http_response *r, const uint8_t *data, size_t n, size_t limit)
{
	int ret;

	if (n > HTTP_RESPONSE_MAX_BODY - r->body_len)
		return -ERR_TOO_LARGE;
	ret = grow(&r->body, &r->body_cap, r->body_len, r->body_len + n + 1, limit);
	if (ret < 0)
		return ret;
	memcpy(r->body + r->body_len, data, n);
	r->body_len += n;
	r->body[r->body_len] = '\0';
	return 0;
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Splits a field line `token ":" OWS value OWS` (no CRLF).  Returns the name length and the
 * trimmed value's offset and length.
 */
static int parse_field_line(const char *line, size_t len, size_t *name_len, size_t *value_off,
                            size_t *value_len)
{
	size_t i = 0, end;

	if (len == 0 || is_ows(line[0]))
		return -ERR_PROTOCOL; /* obsolete line folding */
	while (i < len && http_token_is_tchar(line[i]))
		i++;
	if (i == 0 || i == len || line[i] != ':')
		return -ERR_PROTOCOL; /* empty name, no colon, or junk (space) before the colon */
	*name_len = i;
	i++;
	while (i < len && is_ows(line[i]))
		i++;
	end = len;
	while (end > i && is_ows(line[end - 1]))
		end--;
	*value_off = i;
	*value_len = end - i;
	return 0;
}

static int parse_status_line(struct http_response *r, size_t start, size_t len)
{
	const char *l = r->head + start;

	/* HTTP/1.x SP 3DIGIT [SP reason] */
	if (len < 12 || memcmp(l, "HTTP/1.", 7) != 0 || l[7] < '0' || l[7] > '9' || l[8] != ' ')
		return -ERR_PROTOCOL;
	if (l[9] < '1' || l[9] > '9' || l[10] < '0' || l[10] > '9' || l[11] < '0' || l[11] > '9')
		return -ERR_PROTOCOL;
	if (len > 12 && l[12] != ' ')
		return -ERR_PROTOCOL;
	r->version_minor = l[7] - '0';
	r->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
	r->reason = start + (len > 12 ? 13 : 12);
	r->head[start + len] = '\0'; /* overwrites the CR */
	r->have_status_line = true;
	return 0;
}

static int add_header_line(struct http_response *r, size_t start, size_t len)
{
	size_t name_len, voff, vlen;
	int ret;

	ret = parse_field_line(r->head + start, len, &name_len, &voff, &vlen);
	if (ret < 0)
		return ret;
	if (r->n_headers >= HTTP_RESPONSE_MAX_HEADERS)
		return -ERR_TOO_LARGE;
	if (r->n_headers == r->headers_cap) {
		size_t ncap = r->headers_cap ? r->headers_cap * 2 : 16;
		struct header_pos *n;

		if (ncap > HTTP_RESPONSE_MAX_HEADERS)
			ncap = HTTP_RESPONSE_MAX_HEADERS;
		n = realloc(r->headers, ncap * sizeof(*n));
		if (!n)
			return -ERR_NOMEM;
		r->headers = n;
		r->headers_cap = ncap;
	}
	r->head[start + name_len] = '\0';    /* the colon */
	r->head[start + voff + vlen] = '\0'; /* trailing OWS or the CR */
	r->headers[r->n_headers].name = start;
	r->headers[r->n_headers].value = start + voff;
	r->n_headers++;
	return 0;
}

static bool list_has_token(const char *value, const char *token)
{
	size_t tlen = strlen(token);
	const char *p = value;

	while (*p) {
		const char *end;
		size_t n;

		while (*p == ',' || is_ows(*p))
			p++;
		end = p;
		while (*end && *end != ',')
			end++;
		n = (size_t)(end - p);
		while (n && is_ows(p[n - 1]))
			n--;
		if (n == tlen && strncasecmp(p, token, tlen) == 0)
			return true;
		p = end;
	}
	return false;
}

static int parse_content_length(const char *v, uint64_t *out)
{
	uint64_t n = 0;

	if (!*v)
		return -ERR_PROTOCOL;
	for (; *v; v++) {
		if (*v < '0' || *v > '9')
			return -ERR_PROTOCOL;
		n = n * 10 + (uint64_t)(*v - '0');
		if (n > HTTP_RESPONSE_MAX_BODY)
			return -ERR_TOO_LARGE;
	}
	*out = n;
	return 0;
}

/* The final header block is complete: decide how the body is framed. */
static int start_body(struct http_response *r)
{
	const char *te = NULL;
	size_t n_te = 0;
	bool have_cl = false, conn_close = false, conn_keep = false;
	uint64_t cl = 0;
	int ret;

	for (size_t i = 0; i < r->n_headers; i++) {
		const char *name = r->head + r->headers[i].name;
		const char *value = r->head + r->headers[i].value;

		if (strcasecmp(name, "Content-Length") == 0) {
			uint64_t v;

			ret = parse_content_length(value, &v);
			if (ret < 0)
				return ret;
			if (have_cl && v != cl)
				return -ERR_PROTOCOL;
			have_cl = true;
			cl = v;
		} else if (strcasecmp(name, "Transfer-Encoding") == 0) {
			n_te++;
			te = value;
		} else if (strcasecmp(name, "Connection") == 0) {
			conn_close |= list_has_token(value, "close");
			conn_keep |= list_has_token(value, "keep-alive");
		}
	}
	if (n_te &&
	    (have_cl || n_te > 1 || r->version_minor == 0 || strcasecmp(te, "chunked") != 0))
		return -ERR_PROTOCOL;
	r->keep_alive = !conn_close && (r->version_minor >= 1 || conn_keep);

	if (r->status == 204 || r->status == 304)
		http_response_enter_state(r, HTTP_RESPONSE_STATE_DONE);
	else if (n_te)
		http_response_enter_state(r, HTTP_RESPONSE_STATE_CHUNK_SIZE);
	else if (have_cl && cl == 0)
		http_response_enter_state(r, HTTP_RESPONSE_STATE_DONE);
	else if (have_cl) {
		r->remaining = cl;
		http_response_enter_state(r, HTTP_RESPONSE_STATE_BODY_LENGTH);
	} else {
		r->close_delimited = true;
		http_response_enter_state(r, HTTP_RESPONSE_STATE_BODY_CLOSE);
	}
	return 0;
}

static int end_of_head(struct http_response *r)
{
	if (r->status >= 100 && r->status <= 199) {
		if (r->status == 101)
			return -ERR_PROTOCOL;
		/* Interim answer: forget it, the real one follows. */
		secret_wipe(r->head, r->head_len);
		r->head_len = 0;
		r->line_start = 0;
		r->have_status_line = false;
		r->n_headers = 0;
		r->status = 0;
		r->version_minor = 0;
		r->reason = 0;
		return 0;
	}
	r->head_parsed = true;
	if (r->mode == HTTP_RESPONSE_HEAD_ONLY) {
		http_response_enter_state(r, HTTP_RESPONSE_STATE_DONE);
		return 0;
	}
	return start_body(r);
}

static int head_byte(struct http_response *r, uint8_t c)
{
	size_t start, len;
	int ret;

	if (r->head_total >= HTTP_RESPONSE_MAX_HEAD)
		return -ERR_TOO_LARGE;
	if (r->head_cr != (c == '\n'))
		return -ERR_PROTOCOL; /* CR not followed by LF, or LF without CR */
	if (!http_token_is_line_char(c) && c != '\r' && c != '\n')
		return -ERR_PROTOCOL;
	ret = grow(&r->head, &r->head_cap, r->head_len, r->head_len + 1, HTTP_RESPONSE_MAX_HEAD);
	if (ret < 0)
		return ret;
	r->head[r->head_len++] = (char)c;
	r->head_total++;
	r->head_cr = c == '\r';
	if (c != '\n')
		return 0;

	start = r->line_start;
	len = r->head_len - 2 - start;
	r->line_start = r->head_len;
	if (!r->have_status_line)
		return parse_status_line(r, start, len);
	if (len == 0)
		return end_of_head(r);
	return add_header_line(r, start, len);
}

/* Collects one CRLF-terminated line into r->line.  1 = line complete (NUL-terminated, CRLF
 * dropped), 0 = more needed. */
static int line_byte(struct http_response *r, uint8_t c)
{
	if (r->line_cr != (c == '\n'))
		return -ERR_PROTOCOL;
	if (c == '\n') {
		r->line[r->line_len] = '\0';
		r->line_cr = false;
		return 1;
	}
	if (c == '\r') {
		r->line_cr = true;
		return 0;
	}
	if (!http_token_is_line_char(c))
		return -ERR_PROTOCOL;
	if (r->line_len >= sizeof(r->line) - 1)
		return -ERR_TOO_LARGE;
	r->line[r->line_len++] = (char)c;
	return 0;
}

/* chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] ) */
static int check_chunk_ext(const char *p)
{
	for (;;) {
		while (is_ows(*p))
			p++;
		if (!*p)
			return 0;
		if (*p++ != ';')
			return -ERR_PROTOCOL;
		while (is_ows(*p))
			p++;
		if (!http_token_is_tchar(*p))
			return -ERR_PROTOCOL;
		while (http_token_is_tchar(*p))
			p++;
		while (is_ows(*p))
			p++;
		if (*p != '=')
			continue;
		p++;
		while (is_ows(*p))
			p++;
		if (*p == '"') {
			p++;
			while (*p != '"') {
				if (!*p)
					return -ERR_PROTOCOL;
				if (*p == '\\' && !*++p)
					return -ERR_PROTOCOL;
				p++;
			}
			p++;
		} else {
			if (!http_token_is_tchar(*p))
				return -ERR_PROTOCOL;
			while (http_token_is_tchar(*p))
				p++;
		}
	}
}

static int chunk_size_line(struct http_response *r)
{
	const char *p = r->line;
	uint64_t size = 0;
	int ret;

	if (hex_digit(*p) < 0)
		return -ERR_PROTOCOL;
	for (; hex_digit(*p) >= 0; p++) {
		size = size * 16 + (uint64_t)hex_digit(*p);
		if (size > HTTP_RESPONSE_MAX_BODY)
			return -ERR_TOO_LARGE;
	}
	ret = check_chunk_ext(p);
	if (ret < 0)
		return ret;
	if (size > HTTP_RESPONSE_MAX_BODY - r->body_len)
		return -ERR_TOO_LARGE;
	if (size == 0) {
		http_response_enter_state(r, HTTP_RESPONSE_STATE_TRAILER);
		return 0;
	}
	r->remaining = size;
	http_response_enter_state(r, HTTP_RESPONSE_STATE_CHUNK_DATA);
	return 0;
}

static int trailer_line(struct http_response *r)
{
	size_t name_len, voff, vlen;
	int ret;

	if (r->line_len == 0) {
		http_response_enter_state(r, HTTP_RESPONSE_STATE_DONE);
		return 0;
	}
	ret = parse_field_line(r->line, r->line_len, &name_len, &voff, &vlen);
	if (ret < 0)
		return ret;
	r->trailer_total += r->line_len + 2;
	if (++r->trailer_count > HTTP_RESPONSE_MAX_HEADERS ||
	    r->trailer_total > HTTP_RESPONSE_MAX_HEAD)
		return -ERR_TOO_LARGE;
	r->line_len = 0;
	return 0;
}

/* Body bytes with a known remaining count; returns how many were taken via *used. */
static int take_counted(struct http_response *r, const uint8_t *p, size_t avail, size_t *used,
                        enum http_response_state next)
{
	size_t n = avail < r->remaining ? avail : (size_t)r->remaining;
	size_t limit = next == HTTP_RESPONSE_STATE_DONE ? r->body_len + (size_t)r->remaining + 1
	                                                : HTTP_RESPONSE_MAX_BODY + 1;
	int ret = body_append(r, p, n, limit);

	if (ret < 0)
		return ret;
	*used = n;
	r->remaining -= n;
	if (r->remaining == 0)
		http_response_enter_state(r, next);
	return 0;
}

int http_response_feed(struct http_response *r, const void *data, size_t len, size_t *consumed)
{
	const uint8_t *p = data;
	size_t i = 0;
	int ret = 0;

	*consumed = 0;
	if (r->state == HTTP_RESPONSE_STATE_FAILED)
		return r->error;
	if (!p && len)
		return -ERR_INVALID_ARGS;

	while (i < len && ret >= 0 && r->state != HTTP_RESPONSE_STATE_DONE) {
		size_t used = 0;

		switch (r->state) {
		case HTTP_RESPONSE_STATE_HEAD:
			ret = head_byte(r, p[i++]);
			break;
		case HTTP_RESPONSE_STATE_BODY_LENGTH:
			ret = take_counted(r, p + i, len - i, &used, HTTP_RESPONSE_STATE_DONE);
			i += used;
			break;
		case HTTP_RESPONSE_STATE_BODY_CLOSE:
			ret = body_append(r, p + i, len - i, HTTP_RESPONSE_MAX_BODY + 1);
			i = len;
			break;
		case HTTP_RESPONSE_STATE_CHUNK_SIZE:
			ret = line_byte(r, p[i++]);
			if (ret == 1)
				ret = chunk_size_line(r);
			break;
		case HTTP_RESPONSE_STATE_CHUNK_DATA:
			ret = take_counted(r, p + i, len - i, &used, HTTP_RESPONSE_STATE_CHUNK_END);
			i += used;
			break;
		case HTTP_RESPONSE_STATE_CHUNK_END:
			/* Only CRLF may follow a chunk's data. */
			if (p[i] != '\r' && p[i] != '\n') {
				ret = -ERR_PROTOCOL;
				break;
			}
			ret = line_byte(r, p[i++]);
			if (ret == 1) {
				http_response_enter_state(r, HTTP_RESPONSE_STATE_CHUNK_SIZE);
				ret = 0;
			}
			break;
		case HTTP_RESPONSE_STATE_TRAILER:
			ret = line_byte(r, p[i++]);
			if (ret == 1)
				ret = trailer_line(r);
			break;
		case HTTP_RESPONSE_STATE_DONE:
		case HTTP_RESPONSE_STATE_FAILED:
			ret = -ERR_INTERNAL;
			break;
		}
	}
	*consumed = i;
	if (ret < 0)
		return http_response_fail(r, ret);
	return r->state == HTTP_RESPONSE_STATE_DONE;
}

int http_response_eof(struct http_response *r)
{
	switch (r->state) {
	case HTTP_RESPONSE_STATE_FAILED:
		return r->error;
	case HTTP_RESPONSE_STATE_DONE:
		return 1;
	case HTTP_RESPONSE_STATE_BODY_CLOSE:
		http_response_enter_state(r, HTTP_RESPONSE_STATE_DONE);
		return 1;
	default:
		return http_response_fail(r, -ERR_PROTOCOL);
	}
}

bool http_response_is_complete(const struct http_response *r)
{
	return r->state == HTTP_RESPONSE_STATE_DONE;
}

int http_response_status(const struct http_response *r)
{
	return r->head_parsed ? r->status : 0;
}

const char *http_response_reason(const struct http_response *r)
{
	return r->head_parsed ? r->head + r->reason : NULL;
}

int http_response_version_minor(const struct http_response *r)
{
	return r->head_parsed ? r->version_minor : 0;
}

const char *http_response_header(const struct http_response *r, const char *name)
{
	if (!r->head_parsed || !name)
		return NULL;
	for (size_t i = 0; i < r->n_headers; i++)
		if (strcasecmp(r->head + r->headers[i].name, name) == 0)
			return r->head + r->headers[i].value;
	return NULL;
}

size_t http_response_header_count(const struct http_response *r)
{
	return r->head_parsed ? r->n_headers : 0;
}

int http_response_header_at(const struct http_response *r, size_t i, const char **name,
                            const char **value)
{
	if (!r->head_parsed || i >= r->n_headers)
		return -ERR_INVALID_ARGS;
	if (name)
		*name = r->head + r->headers[i].name;
	if (value)
		*value = r->head + r->headers[i].value;
	return 0;
}

const void *http_response_body(const struct http_response *r, size_t *len)
{
	if (len)
		*len = r->body_len;
	return r->body ? r->body : "";
}

bool http_response_keep_alive(const struct http_response *r)
{
	return r->state == HTTP_RESPONSE_STATE_DONE && r->mode == HTTP_RESPONSE_FULL &&
	       !r->close_delimited && r->keep_alive;
}
