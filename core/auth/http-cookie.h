/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The cookie jar of one login (docs/protocol.md "Cookies",
 * docs/protocol.md "Pitfall: the session token may come only as a cookie",
 * docs/protocol.md "Pitfall: every cookie is echoed").
 *
 * Cookies are kept in the order first set and echoed in full (`a=b; c=d`); a cookie set again
 * keeps its place.  Names are case-sensitive RFC 9110 tokens.  Values are kept verbatim (never
 * URL-decoded or trimmed inside: ocserv's are base64 with '+', '/' and '='); they may be wrapped
 * in double quotes, which are kept.  A value may hold the printable ASCII characters 0x21-0x7e
 * except ';'; spaces, controls and non-ASCII are refused.  Every value is a struct secret
 * (the `webvpn` value is the session), so the jar wipes them when a cookie is replaced, deleted or
 * the jar is freed.  Expiry dates in the future are not tracked: the jar lives only as long as a
 * login.
 *
 * Caps (-ERR_TOO_LARGE beyond them): HTTP_COOKIE_MAX_COUNT cookies, names of
 * HTTP_COOKIE_MAX_NAME bytes, values of HTTP_COOKIE_MAX_VALUE bytes, and
 * HTTP_COOKIE_MAX_TOTAL bytes for the formatted Cookie header.
 */
#include <stddef.h>

#include "cleanup.h"
#include "secret.h"

#define HTTP_COOKIE_MAX_COUNT 64
#define HTTP_COOKIE_MAX_NAME  256
#define HTTP_COOKIE_MAX_VALUE 8192
#define HTTP_COOKIE_MAX_TOTAL (32 * 1024)

struct http_cookie_jar;

struct http_cookie_jar *http_cookie_jar_new(void);      /* NULL on ENOMEM */
void http_cookie_jar_free(struct http_cookie_jar *jar); /* wipes every value; NULL is fine */

/*
 * Applies one Set-Cookie header value: `name=value` up to the first ';' (spaces and tabs around
 * the name and the value are dropped), then attributes, which are ignored except that an empty
 * value, `Max-Age` <= 0, or (without a valid Max-Age) an `Expires` date that is not in the future
 * deletes the cookie.  Dates are read as RFC 6265 5.1.1 describes; an unreadable date is ignored.
 * Returns 0, -ERR_PROTOCOL (no '=', name not a token, bad value or control characters) or
 * -ERR_TOO_LARGE; on error the jar is unchanged.  Callers may log a refused cookie and go on.
 */
int http_cookie_jar_set_header(struct http_cookie_jar *jar, const char *set_cookie_value);

struct http_response;
/* Every Set-Cookie header of a response, as above; returns how many were refused. */
size_t http_cookie_jar_set_from(struct http_cookie_jar *jar, const struct http_response *resp);

/* Sets a cookie directly; an empty value deletes it.  Same checks and errors as above, with
 * -ERR_INVALID_ARGS instead of -ERR_PROTOCOL. */
int http_cookie_jar_set(struct http_cookie_jar *jar, const char *name, const char *value);

/* The value of the named cookie (exact, case-sensitive name), or NULL.  Owned by the jar: valid
 * until the cookie is replaced or deleted, or the jar is cleared or freed.  Secret: never log. */
const char *http_cookie_jar_get(const struct http_cookie_jar *jar, const char *name);

size_t http_cookie_jar_count(const struct http_cookie_jar *jar);

/* Deletes every cookie (a redirect to another host does this). */
void http_cookie_jar_clear(struct http_cookie_jar *jar);

/*
 * The Cookie header value for every cookie in the jar: "a=b; c=d" (an empty string when the jar
 * is empty).  A secret because it carries the session; free with secret_free().
 * NULL on ENOMEM.
 */
struct secret *http_cookie_jar_format(const struct http_cookie_jar *jar);

DEFINE_CLEANUP(struct http_cookie_jar *, http_cookie_jar_free)
