// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The gateway's X-DTLS-CipherSuite / X-DTLS12-CipherSuite answer (first byte: which header)
 * and version strings: whatever comes, the result is PSK, NONE, or a suite we offered in
 * that same header.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dtls-suite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[256];
	const struct dtls_suite *s;
	enum dtls_method m;
	bool dtls12;

	if (size < 1 || size > sizeof(name))
		return 0;
	dtls12 = data[0] & 1;
	memcpy(name, data + 1, size - 1);
	name[size - 1] = '\0';
	m = dtls_suite_choose(name, dtls12, &s);
	switch (m) {
	case DTLS_METHOD_PSK:
		if (dtls12 || s || strcmp(name, DTLS_SUITE_PSK_NEGOTIATE) != 0)
			abort();
		break;
	case DTLS_METHOD_LEGACY: {
		/* The name is one whole entry of the offer in that header. */
		const char *offer = dtls12 ? dtls_suite_offer12() : dtls_suite_offer();
		size_t n = strlen(name);
		bool found = false;

		for (const char *p = offer; *p;) {
			size_t len = strcspn(p, ":");

			found |= len == n && memcmp(p, name, n) == 0;
			p += len + (p[len] == ':');
		}
		if (!s || s->dtls12 != dtls12 || strcmp(s->name, name) != 0 || !found)
			abort();
		break;
	}
	case DTLS_METHOD_NONE:
		if (s)
			abort();
		break;
	default:
		abort();
	}
	(void)dtls_suite_gnutls_ok(name);
	return 0;
}
