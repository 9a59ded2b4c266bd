/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The gateway address a user types, and redirect targets (docs/protocol.md "The gateway URL",
 * docs/protocol.md "Redirects").
 *
 * Accepted: `host`, `host:port`, `host/path`, with an optional `https://` (any case) in front.
 * host is a DNS name of LDH labels (letters, digits, '-' not at either end of a label, 1-63
 * bytes each, <= 253 in all, last label not all digits, no trailing dot; IDNs only as punycode
 * `xn--`), a dotted IPv4 address, or an IPv6 address in brackets (no zone).  Names are stored
 * lower-case, IPv6 addresses in canonical form without brackets.  port is 1..65535 (default
 * 443).  The path starts with '/' ("/" when none was given) and may carry a query: ocserv's
 * camouflage needs `https://host/?secret`, so a bare `host?secret` gives path "/?secret".  Path
 * characters are RFC 3986 pchars ('%' only before two hex digits), '/' and '?'.
 * Refused (-ERR_INVALID_ARGS): any other scheme (http:// included), userinfo (`user@`), a
 * fragment, spaces or control characters anywhere, non-ASCII bytes, text longer than
 * GATEWAY_URL_MAX_TEXT.  Input is never repaired (no trimming, no percent-encoding).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GATEWAY_URL_MAX_TEXT 2048

struct gateway_url {
	char host[256];  /* name, IPv4 or IPv6 (without brackets) */
	uint16_t port;   /* 1..65535 */
	char path[1024]; /* starts with '/', query kept */
	bool host_is_ip;
};

/* 0 or -ERR_INVALID_ARGS; *out is only written on success. */
int gateway_url_parse(const char *text, struct gateway_url *out);

/* "https://host[:port]/path" (port only if not 443; IPv6 in brackets).
 * 0, -ERR_INVALID_ARGS, or -ERR_TOO_LARGE if buf is too small. */
int gateway_url_format(const struct gateway_url *u, char *buf, size_t len);

/* The Host header value: "host" or "host:port" ("[v6]" / "[v6]:port").  Errors as above. */
int gateway_url_host_header(const struct gateway_url *u, char *buf, size_t len);

/*
 * Resolves a redirect target (a Location header or a form action) against the URL of the
 * request: an absolute `https://` URL, a network-path reference `//host[:port]/path` (taken as
 * https), or an absolute path `/path[?query]` on base's host and port.  Returns 0,
 * -ERR_UNSUPPORTED for another scheme (`http://` is never followed), or -ERR_PROTOCOL for
 * anything else (relative paths, fragments, bad characters, ...).  *out only on success.
 */
int gateway_url_resolve(const char *location, const struct gateway_url *base,
                        struct gateway_url *out);

/* Same host (case-insensitive) and port: a redirect that stays on the same server. */
bool gateway_url_same_server(const struct gateway_url *a, const struct gateway_url *b);
