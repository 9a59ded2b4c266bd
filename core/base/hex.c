// SPDX-License-Identifier: GPL-2.0-or-later
#include "hex.h"

#include <string.h>


int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool hex_decode(const char *in, uint8_t *out, size_t n)
{
	if (strnlen(in, 2 * n + 1) != 2 * n)
		return false;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(in[2 * i]), lo = hex_digit(in[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

bool hex_is_sha1(const char *s)
{
	if (!s || strnlen(s, 41) != 40)
		return false;
	for (size_t i = 0; i < 40; i++)
		if (hex_digit(s[i]) < 0)
			return false;
	return true;
}

void hex_encode(const void *in, size_t n, char *out, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	const uint8_t *p = in;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}
