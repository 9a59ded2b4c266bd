// SPDX-License-Identifier: GPL-2.0-or-later
#include "webvpnc.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "error.h"
#include "hex.h"
#include "log.h"

void webvpnc_clear(struct webvpnc *w)
{
	if (!w)
		return;
	free(w->base_url);
	free(w->server_cert_sha1);
	free(w->profile_path);
	free(w->profile_sha1);
	memset(w, 0, sizeof(*w));
}

/* A path that stays a plain path: see the header. */
static bool is_safe_path(const char *s, bool absolute)
{
	const char *seg;

	if (!s[0] || (absolute && s[0] != '/'))
		return false;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '?' || c == '#' || c == '%')
			return false;
	}
	seg = s[0] == '/' ? s + 1 : s;
	if (!*seg)
		return absolute; /* "/" alone is a fine base */
	for (;;) {
		const char *end = strchr(seg, '/');
		size_t n = end ? (size_t)(end - seg) : strlen(seg);

		if (n == 0 && !end)
			return true; /* a trailing slash ("/CACHE/stc/") */
		if (n == 0 || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return false;
		if (!end)
			return true;
		seg = end + 1;
	}
}

/* Decodes %XX escapes; a decoded byte must be printable ASCII (no NUL, no double escape). */
static int percent_decode(const char *s, size_t n, char **out)
{
	char *buf = malloc(n + 1), *o = buf;

	if (!buf)
		return -ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		int hi, lo, c;

		if (s[i] != '%') {
			*o++ = s[i];
			continue;
		}
		if (i + 2 >= n || (hi = hex_digit(s[i + 1])) < 0 || (lo = hex_digit(s[i + 2])) < 0) {
			free(buf);
			return -ERR_PROTOCOL;
		}
		c = hi << 4 | lo;
		if (c <= 0x20 || c >= 0x7f || c == '%') {
			free(buf);
			return -ERR_PROTOCOL;
		}
		*o++ = (char)c;
		i += 2;
	}
	*o = '\0';
	*out = buf;
	return 0;
}

static int set_once(char **slot, const char *v, size_t n)
{
	if (*slot)
		return -ERR_PROTOCOL;
	*slot = strndup(v, n);
	return *slot ? 0 : -ERR_NOMEM;
}

int webvpnc_parse(const char *value, struct webvpnc *out)
{
	struct webvpnc w = {0};
	_cleanup_free_ char *fu = NULL;
	size_t len;
	int r = 0;
	/* Keys that are known but ignored still must not repeat. */
	bool seen_p = false, seen_iu = false, seen_lu = false;

	if (!value || !out)
		return -ERR_INVALID_ARGS;
	memset(out, 0, sizeof(*out));
	len = strnlen(value, WEBVPNC_MAX_LEN + 1);
	if (len > WEBVPNC_MAX_LEN)
		return -ERR_TOO_LARGE;
	if (len == 0)
		return -ERR_PROTOCOL;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)value[i] <= 0x20 || (unsigned char)value[i] >= 0x7f ||
		    value[i] == ';')
			return -ERR_PROTOCOL;

	for (const char *item = value; r == 0;) {
		const char *end = strchr(item, '&');
		size_t n = end ? (size_t)(end - item) : strlen(item);
		const char *colon = memchr(item, ':', n);
		size_t klen, vlen;
		const char *v;

		if (!colon || colon == item) {
			r = -ERR_PROTOCOL;
			break;
		}
		klen = (size_t)(colon - item);
		v = colon + 1;
		vlen = n - klen - 1;
		if (klen == 2 && !memcmp(item, "bu", 2)) {
			r = set_once(&w.base_url, v, vlen);
			if (r == 0 && !is_safe_path(w.base_url, true))
				r = -ERR_PROTOCOL;
		} else if (klen == 2 && !memcmp(item, "sh", 2)) {
			r = set_once(&w.server_cert_sha1, v, vlen);
			if (r == 0 && !hex_is_sha1(w.server_cert_sha1))
				r = -ERR_PROTOCOL;
		} else if (klen == 2 && !memcmp(item, "fh", 2)) {
			r = set_once(&w.profile_sha1, v, vlen);
			if (r == 0 && !hex_is_sha1(w.profile_sha1))
				r = -ERR_PROTOCOL;
		} else if (klen == 2 && !memcmp(item, "fu", 2)) {
			r = fu ? -ERR_PROTOCOL : percent_decode(v, vlen, &fu);
		} else if ((klen == 1 && item[0] == 'p') || (klen == 2 && !memcmp(item, "iu", 2)) ||
		           (klen == 2 && !memcmp(item, "lu", 2))) {
			bool *seen = klen == 1 ? &seen_p : item[0] == 'i' ? &seen_iu : &seen_lu;

			if (*seen)
				r = -ERR_PROTOCOL;
			*seen = true;
		}
		if (!end)
			break;
		item = end + 1;
	}

	if (r == 0 && fu) {
		const char *base = w.base_url ? w.base_url : "/";
		size_t blen = strlen(base);
		char *path;

		if (fu[0] == '/') {
			path = strdup(fu);
		} else if (asprintf(&path, "%s%s%s", base, base[blen - 1] == '/' ? "" : "/", fu) <
		           0) {
			path = NULL;
		}
		if (!path)
			r = -ERR_NOMEM;
		else if (strlen(path) > WEBVPNC_MAX_LEN || !is_safe_path(path, true) ||
		         path[strlen(path) - 1] == '/')
			r = -ERR_PROTOCOL;
		w.profile_path = path;
	}
	if (r < 0) {
		log_debug("webvpnc: refusing a malformed webvpnc cookie");
		webvpnc_clear(&w);
		return r;
	}
	for (char *c = w.server_cert_sha1; c && *c; c++)
		*c = (char)toupper((unsigned char)*c);
	for (char *c = w.profile_sha1; c && *c; c++)
		*c = (char)toupper((unsigned char)*c);
	*out = w;
	return 0;
}
