// SPDX-License-Identifier: GPL-2.0-or-later
#include "utf8.h"

#include <stdint.h>

static bool utf8_control_ok(uint32_t cp, enum utf8_controls policy)
{
	if (cp == '\t' || cp == '\n' || cp == '\r')
		return policy != UTF8_SINGLE_LINE;
	if (cp < 0x20)
		return false;
	if (cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
		return policy == UTF8_XML_TEXT;
	return true;
}

bool utf8_valid(const char *s, size_t len, enum utf8_controls policy)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned char c = p[i];
		uint32_t cp;
		size_t n;

		if (c < 0x80) {
			n = 0;
			cp = c;
		} else if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (len - i - 1 < n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		if ((cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
			return false;
		if (!utf8_control_ok(cp, policy))
			return false;
		i += n + 1;
	}
	return true;
}
