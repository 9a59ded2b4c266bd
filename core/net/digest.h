/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

/* SHA-1 of data as 40 upper-case hex digits and a NUL: how gateways report certificate and
 * profile hashes.  0 or -ERR_INTERNAL. */
int digest_sha1_hex(const void *data, size_t len, char out[41]);
