/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Incremental HTTP/1.1 response parser (docs/protocol.md "Reading responses",
 * docs/protocol.md "The CONNECT answer status",
 * docs/protocol.md "Pitfall: header names are matched case-insensitively, sent exactly",
 * docs/protocol.md "Pitfall: Content-Type and Content-Length lie",
 * docs/protocol.md "Pitfall: after CONNECT 200 everything is CSTP").
 *
 * It reads bytes a gateway sent, so it is strict and bounded:
 * - status line `HTTP/1.<digit> SP <3 digits, 100..999> SP <reason>`; the reason may be empty
 *   and the SP before an empty reason may be missing ("HTTP/1.1 200" is accepted);
 * - every line ends in CRLF.  A bare LF or a bare CR is rejected: ASAs and ocserv send CRLF,
 *   and accepting both is what makes request/response smuggling possible;
 * - header names are RFC 9110 tokens directly followed by ':'; values are trimmed of SP/HTAB at
 *   both ends; obsolete line folding, NUL and other control characters (except HTAB inside a
 *   value) are rejected; bytes 0x80-0xff are allowed in values and the reason (obs-text);
 * - Content-Length is digits only; repeats must carry the same value; Content-Length together
 *   with Transfer-Encoding is an error; the only transfer coding accepted is a single
 *   `chunked` (any case), and not in HTTP/1.0; chunk extensions are allowed and ignored,
 *   trailers are checked like header lines and ignored;
 * - limits: the status line and headers (of all 1xx interim answers and the final answer
 *   together) <= HTTP_RESPONSE_MAX_HEAD bytes, <= HTTP_RESPONSE_MAX_HEADERS header lines, the
 *   body <= HTTP_RESPONSE_MAX_BODY bytes; exceeding one gives -ERR_TOO_LARGE;
 * - 1xx interim answers (100 Continue, 102, 103) are skipped; 101 is refused because we never
 *   ask to switch protocols;
 * - 204 and 304 have no body whatever their headers say.
 *
 * Errors are sticky: once feed() or eof() has returned an error every later call returns it.
 * The body and the headers may hold secrets (Set-Cookie: webvpn=..., a session token in XML), so
 * every buffer is wiped before it is released.
 */
#include <stdbool.h>
#include <stddef.h>

#include "cleanup.h"

/*
 * A CONNECT answer carries one header line per split route, and gateways push thousands
 * (large split-tunnel ACLs).  8192 lines of up to 128 bytes (an IPv6 route line is about 75)
 * fit in the head cap, so the line cap is the one that bites; the head buffer and the array
 * of header offsets (16 bytes a line) both grow by doubling up to these caps, so a hostile
 * answer costs at most about 1.2 MiB.
 */
#define HTTP_RESPONSE_MAX_HEAD    (1024 * 1024)
#define HTTP_RESPONSE_MAX_HEADERS 8192
#define HTTP_RESPONSE_MAX_BODY    (16 * 1024 * 1024)

enum http_response_mode {
	/* Status line, headers and the body as framed by Content-Length, chunked or close. */
	HTTP_RESPONSE_FULL,
	/*
	 * For CONNECT: the parser stops right after the blank line that ends the headers and never
	 * looks at a byte after it; those bytes (CSTP frames, or the body of an error answer,
	 * which the caller does not read since it closes the connection) belong to the caller.
	 * Content-Length / Transfer-Encoding are not interpreted in this mode.
	 */
	HTTP_RESPONSE_HEAD_ONLY,
};

struct http_response;

/* NULL on ENOMEM. */
struct http_response *http_response_new(enum http_response_mode mode);
void http_response_free(struct http_response *r); /* wipes; NULL is fine */

/*
 * Feeds the next bytes from the connection.  Returns 0 when more bytes are needed (all of
 * `len` was used), 1 when the response is complete, or -ERR_PROTOCOL / -ERR_TOO_LARGE.
 * *consumed (required) tells how many bytes of this chunk the parser used; on 1 the bytes from
 * data + *consumed on are not the parser's (pipelined data, CSTP after CONNECT).
 * Calling it again after completion returns 1 and consumes nothing.
 */
int http_response_feed(struct http_response *r, const void *data, size_t len, size_t *consumed);

/*
 * The peer closed the connection.  Completes a close-delimited body (no Content-Length, not
 * chunked) and returns 1; returns 1 too if the response was already complete; otherwise the
 * response was truncated: -ERR_PROTOCOL.
 */
int http_response_eof(struct http_response *r);

/* True once feed() or eof() returned 1. */
bool http_response_is_complete(const struct http_response *r);

/*
 * The following describe the final (non-1xx) answer and are valid as soon as its header block
 * has been parsed (even while the body is still arriving); before that they return 0 / NULL.
 */
int http_response_status(const struct http_response *r);         /* 200..999: 1xx are skipped */
const char *http_response_reason(const struct http_response *r); /* may be "" */
int http_response_version_minor(const struct http_response *r);  /* 1 for HTTP/1.1 */

/* First value of the named header (case-insensitive name), or NULL. */
const char *http_response_header(const struct http_response *r, const char *name);
/* Headers in the order received, repeats kept, names as the server spelled them. */
size_t http_response_header_count(const struct http_response *r);
/* 0, or -ERR_INVALID_ARGS if i is out of range. name/value may be NULL if not wanted. */
int http_response_header_at(const struct http_response *r, size_t i, const char **name,
                            const char **value);

/*
 * The body received so far (all of it once complete), de-chunked, NUL-terminated for
 * convenience (*len excludes the NUL; the body itself may contain NULs).  Never NULL; empty in
 * HEAD_ONLY mode.  len may be NULL.
 */
const void *http_response_body(const struct http_response *r, size_t *len);

/*
 * Whether the connection may carry another request after this complete response: HTTP/1.1
 * without `Connection: close`, or HTTP/1.0 with `Connection: keep-alive`, and a body delimited
 * by length or chunking.  Always false in HEAD_ONLY mode and before completion.
 */
bool http_response_keep_alive(const struct http_response *r);

DEFINE_CLEANUP(struct http_response *, http_response_free)
