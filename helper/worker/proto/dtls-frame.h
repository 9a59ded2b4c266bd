/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * DTLS record payload framing (docs/protocol.md "DTLS framing"): every DTLS application-data
 * record carries
 * exactly one frame, a type byte followed by the payload, with no length and no magic.  The
 * type values are the CSTP ones (enum cstp_frame_type in cstp-frame.h).
 *
 * Unlike CSTP, a bad DTLS record is never fatal: a datagram can be a stray or reordered one,
 * and openconnect ignores unknown types.  The decoder still classifies strictly (it never
 * "repairs" a record): the caller drops anything that does not decode to 0.
 */
#include <stddef.h>
#include <stdint.h>

#include "cstp-frame.h"

#define DTLS_FRAME_HEADER_LEN 1
/* A record's plaintext never exceeds 2^14 bytes. */
#define DTLS_FRAME_MAX_LEN     16384
#define DTLS_FRAME_MAX_PAYLOAD (DTLS_FRAME_MAX_LEN - DTLS_FRAME_HEADER_LEN)

struct dtls_frame {
	uint8_t type;           /* enum cstp_frame_type */
	const uint8_t *payload; /* points into the record; NULL when len is 0 */
	size_t len;
};

/*
 * Decodes the plaintext of one DTLS record.  Returns 0 with *f filled, or
 *  -ERR_PROTOCOL     an empty record, a record over DTLS_FRAME_MAX_LEN, an empty DATA, or a
 *                    KEEPALIVE/TERMINATE with a payload;
 *  -ERR_UNSUPPORTED  COMPRESSED (nothing was negotiated) or a type we do not know (ignored,
 *                    not fatal: f->type still says which);
 * In every error case the record must be dropped.
 */
int dtls_frame_decode(const void *rec, size_t len, struct dtls_frame *f);

/*
 * Writes one frame (type byte + payload) into buf of size cap.  Returns its length (1 + len),
 * -ERR_INVALID_ARGS for a type we never send (COMPRESSED, unknown), an empty DATA, a payload
 * on KEEPALIVE/TERMINATE or len > DTLS_FRAME_MAX_PAYLOAD, and -ERR_TOO_LARGE when cap is too
 * small.  payload may be NULL when len is 0; payload and buf may not overlap.
 */
int dtls_frame_encode(void *buf, size_t cap, uint8_t type, const void *payload, size_t len);

/* "DATA", "DPD-REQ", ... or "unknown" (the CSTP names). */
const char *dtls_frame_type_name(uint8_t type);
