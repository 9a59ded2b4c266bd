/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Building one HTTP/1.1 request (docs/protocol.md "Request headers",
 * docs/protocol.md "The CONNECT request").
 *
 * Headers are sent in the order added, with names exactly as the caller spells them (at least one
 * deployed peer matches X-CSTP-* names case-sensitively;
 * docs/protocol.md "Pitfall: header names are matched case-insensitively, sent exactly").  Nothing
 * that could split the request is accepted: the method and header names must be RFC 9110 tokens,
 * header values may not contain CR, LF, NUL or other control characters (HTAB is fine), the path
 * must be an origin-form target of printable ASCII without spaces.  Header values and the body may
 * carry the cookie or the password, so the request keeps them as secrets and its serialisation is a
 * struct secret.
 *
 * Caps: HTTP_REQUEST_MAX_HEADERS headers, HTTP_REQUEST_MAX_VALUE bytes per value,
 * HTTP_REQUEST_MAX_PATH bytes of path, HTTP_REQUEST_MAX_BODY bytes of body (-ERR_TOO_LARGE).
 */
#include <stdbool.h>
#include <stddef.h>

#include "cleanup.h"
#include "secret.h"

#define HTTP_REQUEST_MAX_HEADERS 64
#define HTTP_REQUEST_MAX_VALUE   (64 * 1024)
#define HTTP_REQUEST_MAX_PATH    4096
#define HTTP_REQUEST_MAX_BODY    (1024 * 1024)

struct http_request;

/*
 * method: a token ("GET", "POST", "CONNECT"); path: starts with '/' and may carry a query
 * ("/?secret").  NULL if either is invalid or on ENOMEM.
 */
struct http_request *http_request_new(const char *method, const char *path);
void http_request_free(struct http_request *req); /* wipes; NULL is fine */

/*
 * Appends `name: value`.  -ERR_INVALID_ARGS for a name that is not a token, a value with
 * control characters (header injection) or leading/trailing spaces, or for Content-Length,
 * Transfer-Encoding and X-Pad, which only http_request_set_body() writes; -ERR_TOO_LARGE past
 * the caps.  The same name may be added more than once (X-CSTP-Address for v4 and v6).
 */
int http_request_add_header(struct http_request *req, const char *name, const char *value);

/*
 * Attaches a body (copied, kept as a secret) and appends, in this order, `X-Pad: 000...`,
 * `Content-Type: <content_type>` and `Content-Length: <len>`.  The pad has 1 to 64 '0'
 * characters so that len + pad is a multiple of 64 (hides the password's length; a body already
 * a multiple of 64 gets 64, as openconnect does).  Once per request: -ERR_INVALID_ARGS the second
 * time or for a bad content type.
 */
int http_request_set_body(struct http_request *req, const char *content_type, const void *body,
                          size_t len);

/*
 * Appends the headers every request to the gateway carries, in this order: Host, User-Agent,
 * Cookie (only if cookie_header is neither NULL nor ""), Accept: * / *, Accept-Encoding:
 * identity, X-Transcend-Version: 1, and X-Aggregate-Auth: 1 when aggregate_auth (XML mode).
 * X-Support-HTTP-Auth and X-AnyConnect-Platform are never sent.  host_header is "host" or
 * "host:port" (gateway_url_host_header()).  Errors as http_request_add_header(); on error
 * some of the headers may have been added: discard the request.
 */
int http_request_add_common(struct http_request *req, const char *host_header,
                            const char *user_agent, const char *cookie_header, bool aggregate_auth);

/*
 * The request on the wire: "METHOD path HTTP/1.1\r\n", each "Name: value\r\n", "\r\n", body.
 * NULL on ENOMEM.  A secret (it may hold the cookie and the password): never log it.
 */
struct secret *http_request_serialize(const struct http_request *req);

const char *http_request_method(const struct http_request *req);
const char *http_request_path(const struct http_request *req);

DEFINE_CLEANUP(struct http_request *, http_request_free)
