// SPDX-License-Identifier: GPL-2.0-or-later
#include "base64.h"

#include <string.h>

static const char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int base64_value(char c)
{
	const char *p = c ? strchr(base64_alphabet, c) : NULL;

	return p ? (int)(p - base64_alphabet) : -1;
}

void base64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = base64_alphabet[(v >> 18) & 63];
		out[o++] = base64_alphabet[(v >> 12) & 63];
		out[o++] = i + 1 < n ? base64_alphabet[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? base64_alphabet[v & 63] : '=';
	}
	out[o] = '\0';
}

bool base64_decode_exact(const char *in, uint8_t *out, size_t n)
{
	size_t len = BASE64_LEN(n), pad = (3 - n % 3) % 3, o = 0;
	uint32_t acc = 0;
	int bits = 0;

	if (strnlen(in, len + 1) != len)
		return false;
	for (size_t i = 0; i < len - pad; i++) {
		int v = base64_value(in[i]);

		if (v < 0)
			return false;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	for (size_t i = len - pad; i < len; i++)
		if (in[i] != '=')
			return false;
	/* The bits left over must be zero: otherwise another string decodes to the same bytes. */
	return o == n && acc == 0;
}
