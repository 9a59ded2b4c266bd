// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "webvpnc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An absolute path whose segments are all ordinary names. */
static int plain_path(const char *p)
{
	if (p[0] != '/' || strchr(p, '%') || strchr(p, '\\'))
		return 0;
	for (const char *seg = p + 1;;) {
		const char *end = strchr(seg, '/');
		size_t n = end ? (size_t)(end - seg) : strlen(seg);

		if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && !strncmp(seg, "..", 2)))
			return 0;
		if (!end)
			return 1;
		seg = end + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct webvpnc w;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (webvpnc_parse(s, &w) == 0) {
		/* Whatever comes out must be a plain absolute path. */
		if (w.profile_path && !plain_path(w.profile_path))
			abort();
		if (w.server_cert_sha1 && strlen(w.server_cert_sha1) != 40)
			abort();
		webvpnc_clear(&w);
	}
	free(s);
	return 0;
}
