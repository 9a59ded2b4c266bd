// SPDX-License-Identifier: GPL-2.0-or-later
#include "dtls-frame.h"

#include <string.h>

#include "error.h"

const char *dtls_frame_type_name(uint8_t type)
{
	return cstp_frame_type_name(type);
}

/* Payload rules (those of CSTP): bad is the error for a known type with a payload it does not
 * allow; an unknown type is dropped, not fatal, on DTLS (docs/protocol.md "DTLS framing"). */
static int dtls_frame_check(uint8_t type, size_t len, int bad)
{
	int ok = cstp_frame_payload_allowed(type, len);

	return ok < 0 ? -ERR_UNSUPPORTED : ok ? 0 : bad;
}

int dtls_frame_decode(const void *rec, size_t len, struct dtls_frame *f)
{
	const uint8_t *p = rec;

	memset(f, 0, sizeof(*f));
	if (!rec || len < DTLS_FRAME_HEADER_LEN || len > DTLS_FRAME_MAX_LEN)
		return -ERR_PROTOCOL;
	f->type = p[0];
	f->len = len - DTLS_FRAME_HEADER_LEN;
	f->payload = f->len ? p + DTLS_FRAME_HEADER_LEN : NULL;
	return dtls_frame_check(f->type, f->len, -ERR_PROTOCOL);
}

int dtls_frame_encode(void *buf, size_t cap, uint8_t type, const void *payload, size_t len)
{
	uint8_t *p = buf;
	int r;

	if (len > DTLS_FRAME_MAX_PAYLOAD || (len && !payload))
		return -ERR_INVALID_ARGS;
	r = dtls_frame_check(type, len, -ERR_INVALID_ARGS);
	if (r == -ERR_UNSUPPORTED)
		return -ERR_INVALID_ARGS;
	if (r < 0)
		return r;
	if (cap < DTLS_FRAME_HEADER_LEN + len)
		return -ERR_TOO_LARGE;
	p[0] = type;
	if (len)
		memcpy(p + DTLS_FRAME_HEADER_LEN, payload, len);
	return (int)(DTLS_FRAME_HEADER_LEN + len);
}
