/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Character classes of RFC 9110 shared by the HTTP response parser, the cookie jar and the
 * request builder (core/net and core/auth; no state, static inline only).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* tchar: "!#$%&'*+-.^_`|~", digits and letters. */
static inline bool http_token_is_tchar(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	switch (c) {
	case '!':
	case '#':
	case '$':
	case '%':
	case '&':
	case '\'':
	case '*':
	case '+':
	case '-':
	case '.':
	case '^':
	case '_':
	case '`':
	case '|':
	case '~':
		return true;
	default:
		return false;
	}
}

/* A non-empty run of tchars of exactly len bytes. */
static inline bool http_token_valid(const char *s, size_t len)
{
	if (!s || len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!http_token_is_tchar((unsigned char)s[i]))
			return false;
	return true;
}

/* What may appear inside a header line: VCHAR, SP, HTAB and obs-text (0x80-0xff).  Everything
 * else (NUL, CR, LF, other controls, DEL) may not. */
static inline bool http_token_is_line_char(int c)
{
	uint8_t u = (uint8_t)c;

	return u == '\t' || (u >= 0x20 && u != 0x7f);
}
