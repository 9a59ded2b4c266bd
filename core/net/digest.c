// SPDX-License-Identifier: GPL-2.0-or-later
#include "digest.h"

#include <gnutls/crypto.h>
#include <stdint.h>

#include "error.h"
#include "hex.h"

int digest_sha1_hex(const void *data, size_t len, char out[41])
{
	uint8_t d[20];

	if (gnutls_hash_fast(GNUTLS_DIG_SHA1, data, len, d) < 0)
		return -ERR_INTERNAL;
	hex_encode(d, sizeof(d), out, true);
	return 0;
}
