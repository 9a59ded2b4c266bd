// SPDX-License-Identifier: GPL-2.0-or-later
#include "prefs.h"

#include <string.h>

#include "base64.h"
#include "hex.h"
#include "utf8.h"
#include "prefs-internal.h"

/*
 * What a stored value may be.  The same checks guard the setters and the reader, so a file the
 * reader accepts can always be written back.
 */

bool prefs_validate_string(const char *s)
{
	size_t len;

	if (!s)
		return false;
	len = strnlen(s, PREFS_STRING_MAX + 1);
	return len <= PREFS_STRING_MAX && utf8_valid(s, len, UTF8_SINGLE_LINE);
}

/* "https://" authority [path/query]; authority = host | [v6] , optional :port (1-65535).
 * No user info and no fragment: neither belongs in a gateway's identity.  Everything
 * gateway_url_format() produces passes. */
bool prefs_validate_gateway_key(const char *key)
{
	static const char url_chars[] = "-._~:/?[]!$&'()*+,;=%@";
	const char *a, *end;
	size_t len;

	if (!key)
		return false;
	len = strnlen(key, PREFS_GATEWAY_KEY_MAX + 1);
	if (len > PREFS_GATEWAY_KEY_MAX || strncmp(key, "https://", 8) != 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!prefs_is_alnum(key[i]) && !strchr(url_chars, key[i]))
			return false;
	a = key + 8;
	end = a + strcspn(a, "/?");
	if (*a == '[') {
		const char *close = memchr(a, ']', (size_t)(end - a));

		if (!close || close == a + 1)
			return false;
		for (const char *c = a + 1; c < close; c++)
			if (hex_digit(*c) < 0 && *c != ':' && *c != '.')
				return false;
		a = close + 1;
	} else {
		const char *h = a;

		while (a < end && (prefs_is_alnum(*a) || *a == '-' || *a == '.'))
			a++;
		if (a == h)
			return false;
	}
	if (a == end)
		return true;
	if (*a != ':')
		return false;
	a++;
	if (end - a < 1 || end - a > 5)
		return false;
	{
		long port = 0;

		for (const char *c = a; c < end; c++) {
			if (!prefs_is_digit(*c))
				return false;
			port = port * 10 + (*c - '0');
		}
		return port >= 1 && port <= 65535;
	}
}


/* "pin-sha256:" + the canonical base64 of 32 bytes, nothing else. */
bool prefs_validate_pin(const char *pin)
{
	static const char prefix[] = "pin-sha256:";
	uint8_t hash[32];

	return pin && strncmp(pin, prefix, sizeof(prefix) - 1) == 0 &&
	       base64_decode_exact(pin + sizeof(prefix) - 1, hash, sizeof(hash));
}

bool prefs_validate_sha1_hex(const char *hex)
{
	return hex_is_sha1(hex);
}

bool prefs_validate_profile_uri(const char *uri)
{
	size_t len;

	if (!uri)
		return false;
	len = strnlen(uri, PREFS_PROFILE_URI_MAX + 1);
	if (len == 0 || len > PREFS_PROFILE_URI_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)uri[i] <= 0x20 || (unsigned char)uri[i] >= 0x7f)
			return false;
	return true;
}

bool prefs_validate_profile_char(char c)
{
	return prefs_is_alnum(c) || c == '.' || c == '_' || c == '-';
}

/* A plain file name inside profiles/: no separators, no leading dot (so no ".", "..", hidden
 * or temporary names). */
bool prefs_validate_profile_file(const char *name)
{
	size_t len;

	if (!name)
		return false;
	len = strnlen(name, PREFS_PROFILE_NAME_MAX + 1);
	if (len == 0 || len > PREFS_PROFILE_NAME_MAX || name[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!prefs_validate_profile_char(name[i]))
			return false;
	return true;
}
