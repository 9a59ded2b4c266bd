// SPDX-License-Identifier: GPL-2.0-or-later
#include "http-request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "http-token.h"

#define HTTP_REQUEST_MAX_METHOD 32
#define HTTP_REQUEST_MAX_NAME   256

struct http_request {
	char *method;
	char *path;
	struct secret *lines[HTTP_REQUEST_MAX_HEADERS]; /* "Name: value" each */
	size_t n_lines;
	struct secret *body;
};

static bool path_valid(const char *p)
{
	size_t len = strnlen(p, HTTP_REQUEST_MAX_PATH + 1);

	if (len == 0 || len > HTTP_REQUEST_MAX_PATH || p[0] != '/')
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f || p[i] == '#')
			return false;
	return true;
}

struct http_request *http_request_new(const char *method, const char *path)
{
	struct http_request *req;

	if (!method || !path || !path_valid(path))
		return NULL;
	if (!http_token_valid(method, strnlen(method, HTTP_REQUEST_MAX_METHOD + 1)) ||
	    strlen(method) > HTTP_REQUEST_MAX_METHOD)
		return NULL;
	req = calloc(1, sizeof(*req));
	if (!req)
		return NULL;
	req->method = strdup(method);
	req->path = strdup(path);
	if (!req->method || !req->path) {
		http_request_free(req);
		return NULL;
	}
	return req;
}

void http_request_free(struct http_request *req)
{
	if (!req)
		return;
	for (size_t i = 0; i < req->n_lines; i++)
		secret_free(req->lines[i]);
	secret_free(req->body);
	free(req->method);
	free(req->path);
	free(req);
}

static int check_value(const char *v, size_t *len_out)
{
	size_t len = strnlen(v, HTTP_REQUEST_MAX_VALUE + 1);

	if (len > HTTP_REQUEST_MAX_VALUE)
		return -ERR_TOO_LARGE;
	for (size_t i = 0; i < len; i++)
		if (!http_token_is_line_char((unsigned char)v[i]))
			return -ERR_INVALID_ARGS;
	if (len && (v[0] == ' ' || v[0] == '\t' || v[len - 1] == ' ' || v[len - 1] == '\t'))
		return -ERR_INVALID_ARGS;
	*len_out = len;
	return 0;
}

static int append_line(struct http_request *req, const char *name, size_t nlen, const char *value,
                       size_t vlen)
{
	size_t total = nlen + 2 + vlen;
	char *buf;
	struct secret *s;

	if (req->n_lines >= HTTP_REQUEST_MAX_HEADERS)
		return -ERR_TOO_LARGE;
	buf = malloc(total);
	if (!buf)
		return -ERR_NOMEM;
	memcpy(buf, name, nlen);
	memcpy(buf + nlen, ": ", 2);
	memcpy(buf + nlen + 2, value, vlen);
	s = secret_new(buf, total);
	secret_wipe(buf, total);
	free(buf);
	if (!s)
		return -ERR_NOMEM;
	req->lines[req->n_lines++] = s;
	return 0;
}

static int add_header(struct http_request *req, const char *name, const char *value, bool internal)
{
	size_t nlen, vlen;
	int ret;

	if (!req || !name || !value)
		return -ERR_INVALID_ARGS;
	nlen = strnlen(name, HTTP_REQUEST_MAX_NAME + 1);
	if (nlen > HTTP_REQUEST_MAX_NAME || !http_token_valid(name, nlen))
		return -ERR_INVALID_ARGS;
	if (!internal &&
	    (strcasecmp(name, "Content-Length") == 0 ||
	     strcasecmp(name, "Transfer-Encoding") == 0 || strcasecmp(name, "X-Pad") == 0))
		return -ERR_INVALID_ARGS;
	ret = check_value(value, &vlen);
	if (ret < 0)
		return ret;
	return append_line(req, name, nlen, value, vlen);
}

int http_request_add_header(struct http_request *req, const char *name, const char *value)
{
	return add_header(req, name, value, false);
}

int http_request_set_body(struct http_request *req, const char *content_type, const void *body,
                          size_t len)
{
	char pad[65], num[32];
	size_t pad_len = 64 - len % 64;
	size_t ct_len;
	int ret;

	if (!req || !content_type || (!body && len) || req->body)
		return -ERR_INVALID_ARGS;
	if (len > HTTP_REQUEST_MAX_BODY)
		return -ERR_TOO_LARGE;
	ret = check_value(content_type, &ct_len);
	if (ret < 0 || ct_len == 0)
		return -ERR_INVALID_ARGS;
	if (req->n_lines + 3 > HTTP_REQUEST_MAX_HEADERS)
		return -ERR_TOO_LARGE;
	memset(pad, '0', pad_len);
	pad[pad_len] = '\0';
	snprintf(num, sizeof(num), "%zu", len);
	req->body = secret_new(len ? body : "", len);
	if (!req->body)
		return -ERR_NOMEM;
	ret = add_header(req, "X-Pad", pad, true);
	if (ret == 0)
		ret = add_header(req, "Content-Type", content_type, true);
	if (ret == 0)
		ret = add_header(req, "Content-Length", num, true);
	return ret;
}

int http_request_add_common(struct http_request *req, const char *host_header,
                            const char *user_agent, const char *cookie_header, bool aggregate_auth)
{
	int ret;

	if (!host_header || !*host_header || !user_agent || !*user_agent)
		return -ERR_INVALID_ARGS;
	ret = http_request_add_header(req, "Host", host_header);
	if (ret == 0)
		ret = http_request_add_header(req, "User-Agent", user_agent);
	if (ret == 0 && cookie_header && *cookie_header)
		ret = http_request_add_header(req, "Cookie", cookie_header);
	if (ret == 0)
		ret = http_request_add_header(req, "Accept", "*/*");
	if (ret == 0)
		ret = http_request_add_header(req, "Accept-Encoding", "identity");
	if (ret == 0)
		ret = http_request_add_header(req, "X-Transcend-Version", "1");
	if (ret == 0 && aggregate_auth)
		ret = http_request_add_header(req, "X-Aggregate-Auth", "1");
	return ret;
}

struct secret *http_request_serialize(const struct http_request *req)
{
	size_t mlen, plen, total, pos = 0;
	struct secret *s;
	char *buf;

	if (!req)
		return NULL;
	mlen = strlen(req->method);
	plen = strlen(req->path);
	total = mlen + 1 + plen + sizeof(" HTTP/1.1\r\n") - 1 + 2 + secret_len(req->body);
	for (size_t i = 0; i < req->n_lines; i++)
		total += secret_len(req->lines[i]) + 2;
	buf = malloc(total);
	if (!buf)
		return NULL;
#define PUT(p, n)                                                                                  \
	do {                                                                                       \
		memcpy(buf + pos, (p), (n));                                                       \
		pos += (n);                                                                        \
	} while (0)
	PUT(req->method, mlen);
	PUT(" ", 1);
	PUT(req->path, plen);
	PUT(" HTTP/1.1\r\n", 11);
	for (size_t i = 0; i < req->n_lines; i++) {
		PUT(secret_str(req->lines[i]), secret_len(req->lines[i]));
		PUT("\r\n", 2);
	}
	PUT("\r\n", 2);
	if (req->body)
		PUT(secret_str(req->body), secret_len(req->body));
#undef PUT
	s = secret_new(buf, pos);
	secret_wipe(buf, total);
	free(buf);
	return s;
}

const char *http_request_method(const struct http_request *req)
{
	return req ? req->method : NULL;
}

const char *http_request_path(const struct http_request *req)
{
	return req ? req->path : NULL;
}
