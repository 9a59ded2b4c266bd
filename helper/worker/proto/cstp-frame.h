/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * CSTP framing inside TLS (docs/protocol.md "CSTP framing"):
 *
 *   'S' 'T' 'F' 0x01 | u16 payload length (big-endian, excluding these 8 bytes) | type | 0x00
 *
 * One frame is exactly one TLS record, in both directions
 * (docs/protocol.md "Pitfall: one CSTP frame per TLS record"): the decoder takes the plaintext
 * of one record and rejects it unless it holds exactly one well-formed frame.  The encoder
 * writes one frame into a caller buffer that the caller hands to one gnutls_record_send().
 * Every framing check lives here: magic bytes 0-3, byte 7 = 0, length = record length - 8
 * (docs/protocol.md "Pitfall: the CSTP length excludes the header"), known type, and the
 * per-type payload rules below.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CSTP_FRAME_HEADER_LEN 8
/* A frame never exceeds one TLS record (2^14 bytes of plaintext). */
#define CSTP_FRAME_MAX_LEN     16384
#define CSTP_FRAME_MAX_PAYLOAD (CSTP_FRAME_MAX_LEN - CSTP_FRAME_HEADER_LEN)

enum cstp_frame_type {
	CSTP_FRAME_DATA = 0x00,       /* one IP packet (non-empty) */
	CSTP_FRAME_DPD_REQ = 0x03,    /* any payload (padding); answer with DPD_RESP echoing it */
	CSTP_FRAME_DPD_RESP = 0x04,   /* any payload; proof of life, never answered */
	CSTP_FRAME_DISCONNECT = 0x05, /* empty, or reason byte + optional ASCII text */
	/* empty; never answered (docs/protocol.md "Pitfall: never answer a keepalive") */
	CSTP_FRAME_KEEPALIVE = 0x07,
	CSTP_FRAME_COMPRESSED = 0x08, /* never valid: we offer no compression */
	CSTP_FRAME_TERMINATE = 0x09,  /* empty; the gateway ends the session */
};

/* DISCONNECT reason bytes (first payload byte). */
enum cstp_disconnect_reason {
	CSTP_DISCONNECT_LOCAL_ERROR = 0x70,
	CSTP_DISCONNECT_RECONNECTING = 0x91, /* keeps the cookie valid on ocserv */
	CSTP_DISCONNECT_PAUSED = 0xd1,
	CSTP_DISCONNECT_USER = 0xb0, /* ends the session; ocserv invalidates the cookie */
};

struct cstp_frame {
	uint8_t type;           /* enum cstp_frame_type */
	const uint8_t *payload; /* points into the decoded record; NULL when len is 0 */
	size_t len;
};

/*
 * Encodes one frame into buf (size cap).  Returns the frame length (8 + len), or
 * -ERR_INVALID_ARGS for an unknown or never-sent type (COMPRESSED), a payload the type does not
 * allow (empty DATA, non-empty KEEPALIVE/TERMINATE) or len > CSTP_FRAME_MAX_PAYLOAD, and
 * -ERR_TOO_LARGE if cap is too small.  payload and buf may not overlap; payload may be NULL
 * when len is 0.
 */
int cstp_frame_encode(void *buf, size_t cap, uint8_t type, const void *payload, size_t len);

/* Writes only the 8-byte header (for a payload the caller already placed after it). Same
 * errors as cstp_frame_encode() apart from -ERR_TOO_LARGE. */
int cstp_frame_encode_header(uint8_t hdr[CSTP_FRAME_HEADER_LEN], uint8_t type, size_t len);

/*
 * Decodes the plaintext of one TLS record.  Returns 0 and fills *f (pointing into rec), or
 * -ERR_PROTOCOL: record shorter than 8 bytes, bad magic, byte 7 != 0, length field !=
 * rec_len - 8, unknown type, a payload the type does not allow (empty DATA, non-empty
 * KEEPALIVE or TERMINATE); -ERR_UNSUPPORTED for COMPRESSED (nothing was negotiated).
 */
int cstp_frame_decode(const void *rec, size_t rec_len, struct cstp_frame *f);

/*
 * Splits a byte stream that should hold whole frames back to back (the bytes that followed
 * the CONNECT answer's blank line in the same record, if a gateway ever does that).  Returns
 * the length of the first frame (> 0) with *f filled, or 0 if len is 0, or the errors of
 * cstp_frame_decode() (a truncated frame is -ERR_PROTOCOL).
 */
int cstp_frame_next(const void *data, size_t len, struct cstp_frame *f);

/* "DATA", "DPD-REQ", ... or "unknown". */
/* The payload rules of each frame type, shared with DTLS framing
 * (docs/protocol.md "CSTP frame types" and docs/protocol.md "DTLS framing"): 1 when a frame of
 * this type may carry len bytes, 0 when it may not, -1 for an unknown type. */
int cstp_frame_payload_allowed(uint8_t type, size_t len);
const char *cstp_frame_type_name(uint8_t type);
