// SPDX-License-Identifier: GPL-2.0-or-later
#include "gateway-url.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "hex.h"

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 3986 pchar without '%' (checked separately), plus '/' and '?' (path and query). */
static bool is_path_char(char c)
{
	if (is_alpha(c) || is_digit(c))
		return true;
	return c != '\0' && strchr("-._~!$&'()*+,;=:@/?", c) != NULL;
}

/* Length of a scheme followed by "://" at the start of s, or 0. */
static size_t scheme_len(const char *s)
{
	size_t i = 0;

	if (!is_alpha(s[0]))
		return 0;
	while (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')
		i++;
	return strncmp(s + i, "://", 3) == 0 ? i : 0;
}

/* path (len bytes) -> out (starting with '/'); the text must be '/' or '?' first, or empty. */
static int copy_path(const char *p, size_t len, char out[1024])
{
	size_t o = 0;

	if (len == 0) {
		strcpy(out, "/");
		return 0;
	}
	if (p[0] != '/' && p[0] != '?')
		return -ERR_INVALID_ARGS;
	if (p[0] == '?')
		out[o++] = '/';
	if (o + len >= 1024)
		return -ERR_INVALID_ARGS;
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '%') {
			if (i + 2 >= len || hex_digit(p[i + 1]) < 0 || hex_digit(p[i + 2]) < 0)
				return -ERR_INVALID_ARGS;
			i += 2;
		} else if (!is_path_char(p[i])) {
			return -ERR_INVALID_ARGS;
		}
	}
	memcpy(out + o, p, len);
	out[o + len] = '\0';
	return 0;
}

static bool dns_name_valid(const char *h, size_t len)
{
	size_t label = 0;
	bool all_digits = true;

	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? h[i] : '.';

		if (c == '.') {
			if (label == 0 || label > 63 || h[i - 1] == '-')
				return false;
			if (i == len && all_digits)
				return false; /* "1.2.3" or "1.2.3.256": not a name, not an IPv4 */
			label = 0;
			all_digits = true;
			continue;
		}
		if (!is_alpha(c) && !is_digit(c) && c != '-')
			return false;
		if (label == 0 && c == '-')
			return false;
		all_digits &= is_digit(c);
		label++;
	}
	return true;
}

static int parse_port(const char *p, size_t len, uint16_t *out)
{
	unsigned v = 0;

	if (len == 0 || len > 5)
		return -ERR_INVALID_ARGS;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(p[i]))
			return -ERR_INVALID_ARGS;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -ERR_INVALID_ARGS;
	*out = (uint16_t)v;
	return 0;
}

static int parse_authority(const char *a, size_t len, struct gateway_url *u)
{
	const char *host, *port = NULL;
	size_t host_len, port_len = 0;

	if (len == 0 || memchr(a, '@', len))
		return -ERR_INVALID_ARGS;
	if (a[0] == '[') {
		const char *close = memchr(a, ']', len);
		char tmp[64];
		struct in6_addr in6;

		if (!close)
			return -ERR_INVALID_ARGS;
		host = a + 1;
		host_len = (size_t)(close - host);
		if (host_len == 0 || host_len >= sizeof(tmp))
			return -ERR_INVALID_ARGS;
		memcpy(tmp, host, host_len);
		tmp[host_len] = '\0';
		if (inet_pton(AF_INET6, tmp, &in6) != 1)
			return -ERR_INVALID_ARGS;
		if (close + 1 < a + len) {
			if (close[1] != ':')
				return -ERR_INVALID_ARGS;
			port = close + 2;
			port_len = (size_t)(a + len - port);
		}
		if (!inet_ntop(AF_INET6, &in6, u->host, sizeof(u->host)))
			return -ERR_INVALID_ARGS;
		u->host_is_ip = true;
	} else {
		const char *colon = memchr(a, ':', len);
		char tmp[256];
		struct in_addr in4;

		host = a;
		host_len = colon ? (size_t)(colon - a) : len;
		if (colon) {
			port = colon + 1;
			port_len = (size_t)(a + len - port);
		}
		if (host_len == 0 || host_len >= sizeof(tmp))
			return -ERR_INVALID_ARGS;
		memcpy(tmp, host, host_len);
		tmp[host_len] = '\0';
		if (inet_pton(AF_INET, tmp, &in4) == 1) {
			u->host_is_ip = true;
		} else if (dns_name_valid(tmp, host_len)) {
			u->host_is_ip = false;
			for (size_t i = 0; i < host_len; i++)
				if (tmp[i] >= 'A' && tmp[i] <= 'Z')
					tmp[i] = (char)(tmp[i] - 'A' + 'a');
		} else {
			return -ERR_INVALID_ARGS;
		}
		memcpy(u->host, tmp, host_len + 1);
	}
	u->port = 443;
	if (port)
		return parse_port(port, port_len, &u->port);
	return 0;
}

int gateway_url_parse(const char *text, struct gateway_url *out)
{
	struct gateway_url u = {0};
	const char *p, *auth_end;
	size_t len, slen;
	int ret;

	if (!text || !out)
		return -ERR_INVALID_ARGS;
	len = strnlen(text, GATEWAY_URL_MAX_TEXT + 1);
	if (len == 0 || len > GATEWAY_URL_MAX_TEXT)
		return -ERR_INVALID_ARGS;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] <= 0x20 || (unsigned char)text[i] >= 0x7f ||
		    text[i] == '#')
			return -ERR_INVALID_ARGS;
	p = text;
	slen = scheme_len(text);
	if (slen) {
		if (slen != 5 || strncasecmp(text, "https", 5) != 0)
			return -ERR_INVALID_ARGS;
		p += slen + 3;
	}
	auth_end = p + strcspn(p, "/?");
	ret = parse_authority(p, (size_t)(auth_end - p), &u);
	if (ret < 0)
		return ret;
	ret = copy_path(auth_end, strlen(auth_end), u.path);
	if (ret < 0)
		return ret;
	*out = u;
	return 0;
}

static int host_part(const struct gateway_url *u, char *buf, size_t len, bool with_port)
{
	bool v6;
	int n;

	if (!u || !buf || !u->host[0] || u->port == 0)
		return -ERR_INVALID_ARGS;
	v6 = strchr(u->host, ':') != NULL;
	if (with_port && u->port != 443)
		n = snprintf(buf, len, v6 ? "[%s]:%u" : "%s:%u", u->host, (unsigned)u->port);
	else
		n = snprintf(buf, len, v6 ? "[%s]" : "%s", u->host);
	if (n < 0)
		return -ERR_INVALID_ARGS;
	return (size_t)n < len ? 0 : -ERR_TOO_LARGE;
}

int gateway_url_format(const struct gateway_url *u, char *buf, size_t len)
{
	char host[300];
	int ret, n;

	ret = host_part(u, host, sizeof(host), true);
	if (ret < 0)
		return ret;
	if (u->path[0] != '/')
		return -ERR_INVALID_ARGS;
	n = snprintf(buf, len, "https://%s%s", host, u->path);
	if (n < 0)
		return -ERR_INVALID_ARGS;
	return (size_t)n < len ? 0 : -ERR_TOO_LARGE;
}

int gateway_url_host_header(const struct gateway_url *u, char *buf, size_t len)
{
	return host_part(u, buf, len, true);
}

int gateway_url_resolve(const char *location, const struct gateway_url *base,
                        struct gateway_url *out)
{
	struct gateway_url u;
	size_t len, slen;

	if (!location || !base || !out)
		return -ERR_INVALID_ARGS;
	len = strnlen(location, GATEWAY_URL_MAX_TEXT + 1);
	if (len == 0 || len > GATEWAY_URL_MAX_TEXT)
		return -ERR_PROTOCOL;
	if (location[0] == '/' && location[1] == '/') {
		char tmp[GATEWAY_URL_MAX_TEXT + 8];

		snprintf(tmp, sizeof(tmp), "https:%s", location);
		if (gateway_url_parse(tmp, &u) < 0)
			return -ERR_PROTOCOL;
	} else if ((slen = scheme_len(location))) {
		if (slen != 5 || strncasecmp(location, "https", 5) != 0)
			return -ERR_UNSUPPORTED;
		if (gateway_url_parse(location, &u) < 0)
			return -ERR_PROTOCOL;
	} else if (location[0] == '/') {
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)location[i] <= 0x20 ||
			    (unsigned char)location[i] >= 0x7f || location[i] == '#')
				return -ERR_PROTOCOL;
		u = *base;
		if (copy_path(location, len, u.path) < 0)
			return -ERR_PROTOCOL;
	} else {
		return -ERR_PROTOCOL;
	}
	*out = u;
	return 0;
}

bool gateway_url_same_server(const struct gateway_url *a, const struct gateway_url *b)
{
	return a && b && a->port == b->port && strcasecmp(a->host, b->host) == 0;
}
