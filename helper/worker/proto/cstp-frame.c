// SPDX-License-Identifier: GPL-2.0-or-later
#include "cstp-frame.h"

#include <string.h>

#include "error.h"

static const uint8_t cstp_magic[4] = {'S', 'T', 'F', 0x01};

const char *cstp_frame_type_name(uint8_t type)
{
	switch (type) {
	case CSTP_FRAME_DATA:
		return "DATA";
	case CSTP_FRAME_DPD_REQ:
		return "DPD-REQ";
	case CSTP_FRAME_DPD_RESP:
		return "DPD-RESP";
	case CSTP_FRAME_DISCONNECT:
		return "DISCONNECT";
	case CSTP_FRAME_KEEPALIVE:
		return "KEEPALIVE";
	case CSTP_FRAME_COMPRESSED:
		return "COMPRESSED";
	case CSTP_FRAME_TERMINATE:
		return "TERMINATE";
	default:
		return "unknown";
	}
}

int cstp_frame_payload_allowed(uint8_t type, size_t len)
{
	switch (type) {
	case CSTP_FRAME_DATA:
		return len != 0;
	case CSTP_FRAME_DPD_REQ:
	case CSTP_FRAME_DPD_RESP:
	case CSTP_FRAME_DISCONNECT:
		return 1;
	case CSTP_FRAME_KEEPALIVE:
	case CSTP_FRAME_TERMINATE:
		return len == 0;
	default:
		return -1;
	}
}

/* Payload rules shared by both directions.  0 = fine, else the error to return. */
static int cstp_frame_check_payload(uint8_t type, size_t len, int bad)
{
	return cstp_frame_payload_allowed(type, len) == 1 ? 0 : bad;
}

int cstp_frame_encode_header(uint8_t hdr[CSTP_FRAME_HEADER_LEN], uint8_t type, size_t len)
{
	int r;

	if (len > CSTP_FRAME_MAX_PAYLOAD)
		return -ERR_INVALID_ARGS;
	r = cstp_frame_check_payload(type, len, -ERR_INVALID_ARGS);
	if (r < 0)
		return r;
	memcpy(hdr, cstp_magic, sizeof(cstp_magic));
	hdr[4] = (uint8_t)(len >> 8);
	hdr[5] = (uint8_t)len;
	hdr[6] = type;
	hdr[7] = 0;
	return CSTP_FRAME_HEADER_LEN + (int)len;
}

int cstp_frame_encode(void *buf, size_t cap, uint8_t type, const void *payload, size_t len)
{
	int r;

	if (!buf || (len && !payload))
		return -ERR_INVALID_ARGS;
	if (len <= CSTP_FRAME_MAX_PAYLOAD && cap < CSTP_FRAME_HEADER_LEN + len)
		return -ERR_TOO_LARGE;
	r = cstp_frame_encode_header(buf, type, len);
	if (r < 0)
		return r;
	if (len)
		memcpy((uint8_t *)buf + CSTP_FRAME_HEADER_LEN, payload, len);
	return r;
}

/* Checks a header and returns the payload length it announces, or a negative error. */
static int cstp_frame_parse_header(const uint8_t *p, uint8_t *type)
{
	size_t len;
	int r;

	if (memcmp(p, cstp_magic, sizeof(cstp_magic)) != 0 || p[7] != 0)
		return -ERR_PROTOCOL;
	len = (size_t)p[4] << 8 | p[5];
	if (len > CSTP_FRAME_MAX_PAYLOAD)
		return -ERR_PROTOCOL;
	*type = p[6];
	if (*type == CSTP_FRAME_COMPRESSED)
		return -ERR_UNSUPPORTED;
	r = cstp_frame_check_payload(*type, len, -ERR_PROTOCOL);
	return r < 0 ? r : (int)len;
}

int cstp_frame_decode(const void *rec, size_t rec_len, struct cstp_frame *f)
{
	const uint8_t *p = rec;
	uint8_t type;
	int len;

	if (!p || rec_len < CSTP_FRAME_HEADER_LEN || rec_len > CSTP_FRAME_MAX_LEN)
		return -ERR_PROTOCOL;
	len = cstp_frame_parse_header(p, &type);
	if (len < 0)
		return len;
	if ((size_t)len != rec_len - CSTP_FRAME_HEADER_LEN)
		return -ERR_PROTOCOL;
	f->type = type;
	f->len = (size_t)len;
	f->payload = len ? p + CSTP_FRAME_HEADER_LEN : NULL;
	return 0;
}

int cstp_frame_next(const void *data, size_t len, struct cstp_frame *f)
{
	const uint8_t *p = data;
	uint8_t type;
	int plen;

	if (len == 0)
		return 0;
	if (!p || len < CSTP_FRAME_HEADER_LEN)
		return -ERR_PROTOCOL;
	plen = cstp_frame_parse_header(p, &type);
	if (plen < 0)
		return plen;
	if ((size_t)plen > len - CSTP_FRAME_HEADER_LEN)
		return -ERR_PROTOCOL;
	f->type = type;
	f->len = (size_t)plen;
	f->payload = plen ? p + CSTP_FRAME_HEADER_LEN : NULL;
	return CSTP_FRAME_HEADER_LEN + plen;
}
