// SPDX-License-Identifier: GPL-2.0-or-later
#include <glib.h>
#include <string.h>

#include "dtls-frame.h"
#include "error.h"

static void test_decode(void)
{
	static const uint8_t data[] = {0x00, 0x45, 0, 0, 20};
	static const uint8_t dpd[] = {0x03, 0x5a, 0x5a, 0x5a};
	static const uint8_t dpd_empty[] = {0x03};
	static const uint8_t resp[] = {0x04, 1, 2};
	static const uint8_t ka[] = {0x07};
	static const uint8_t disc[] = {0x05, 0xb0, 'b', 'y', 'e'};
	static const uint8_t term[] = {0x09};
	struct dtls_frame f;

	g_assert_cmpint(dtls_frame_decode(data, sizeof(data), &f), ==, 0);
	g_assert_cmpuint(f.type, ==, CSTP_FRAME_DATA);
	g_assert_cmpuint(f.len, ==, 4);
	g_assert_true(f.payload == data + 1);
	g_assert_cmpint(dtls_frame_decode(dpd, sizeof(dpd), &f), ==, 0);
	g_assert_cmpuint(f.type, ==, CSTP_FRAME_DPD_REQ);
	g_assert_cmpuint(f.len, ==, 3);
	g_assert_cmpint(dtls_frame_decode(dpd_empty, sizeof(dpd_empty), &f), ==, 0);
	g_assert_null(f.payload);
	g_assert_cmpuint(f.len, ==, 0);
	g_assert_cmpint(dtls_frame_decode(resp, sizeof(resp), &f), ==, 0);
	g_assert_cmpuint(f.type, ==, CSTP_FRAME_DPD_RESP);
	g_assert_cmpint(dtls_frame_decode(ka, sizeof(ka), &f), ==, 0);
	g_assert_cmpuint(f.type, ==, CSTP_FRAME_KEEPALIVE);
	g_assert_cmpint(dtls_frame_decode(disc, sizeof(disc), &f), ==, 0);
	g_assert_cmpuint(f.type, ==, CSTP_FRAME_DISCONNECT);
	g_assert_cmpuint(f.payload[0], ==, 0xb0);
	g_assert_cmpint(dtls_frame_decode(term, sizeof(term), &f), ==, 0);
	g_assert_cmpuint(f.type, ==, CSTP_FRAME_TERMINATE);
}

/* Nothing is repaired; unknown types are "unsupported" (ignored by the worker), malformed ones
 * "protocol" errors; both are dropped, never fatal. */
static void test_decode_refuses(void)
{
	static const uint8_t empty_data[] = {0x00};
	static const uint8_t ka_payload[] = {0x07, 0};
	static const uint8_t term_payload[] = {0x09, 1};
	static const uint8_t compressed[] = {0x08, 1, 2, 3};
	static const uint8_t unknown[] = {0x42, 1};
	static const uint8_t cstp_magic[] = {'S', 'T', 'F', 1, 0, 0, 7, 0};
	static uint8_t huge[DTLS_FRAME_MAX_LEN + 1];
	struct dtls_frame f;

	g_assert_cmpint(dtls_frame_decode(empty_data, 0, &f), ==, -ERR_PROTOCOL);
	g_assert_cmpint(dtls_frame_decode(NULL, 3, &f), ==, -ERR_PROTOCOL);
	g_assert_cmpint(dtls_frame_decode(empty_data, sizeof(empty_data), &f), ==, -ERR_PROTOCOL);
	g_assert_cmpint(dtls_frame_decode(ka_payload, sizeof(ka_payload), &f), ==, -ERR_PROTOCOL);
	g_assert_cmpint(dtls_frame_decode(term_payload, sizeof(term_payload), &f), ==,
	                -ERR_PROTOCOL);
	g_assert_cmpint(dtls_frame_decode(compressed, sizeof(compressed), &f), ==,
	                -ERR_UNSUPPORTED);
	g_assert_cmpint(dtls_frame_decode(unknown, sizeof(unknown), &f), ==, -ERR_UNSUPPORTED);
	g_assert_cmpuint(f.type, ==, 0x42);
	/* A CSTP frame sent over DTLS by mistake is type 'S': unknown. */
	g_assert_cmpint(dtls_frame_decode(cstp_magic, sizeof(cstp_magic), &f), ==,
	                -ERR_UNSUPPORTED);
	huge[0] = CSTP_FRAME_DATA;
	g_assert_cmpint(dtls_frame_decode(huge, sizeof(huge), &f), ==, -ERR_PROTOCOL);
	g_assert_cmpint(dtls_frame_decode(huge, sizeof(huge) - 1, &f), ==, 0);
}

static void test_encode(void)
{
	static const uint8_t pkt[] = {0x60, 0, 0, 0};
	uint8_t buf[64];
	struct dtls_frame f;

	g_assert_cmpint(dtls_frame_encode(buf, sizeof(buf), CSTP_FRAME_DATA, pkt, sizeof(pkt)), ==,
	                5);
	g_assert_cmpuint(buf[0], ==, 0);
	g_assert_cmpmem(buf + 1, 4, pkt, 4);
	g_assert_cmpint(dtls_frame_encode(buf, sizeof(buf), CSTP_FRAME_DPD_REQ, NULL, 0), ==, 1);
	g_assert_cmpuint(buf[0], ==, 3);
	g_assert_cmpint(dtls_frame_encode(buf, sizeof(buf), CSTP_FRAME_KEEPALIVE, NULL, 0), ==, 1);
	g_assert_cmpuint(buf[0], ==, 7);
	/* A DPD-RESP echoes the request's payload: decode, re-encode, same bytes
	 * (docs/protocol.md "Pitfall: a DPD response echoes the request's payload"). */
	{
		static const uint8_t req[] = {0x03, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a};
		uint8_t out[16];

		g_assert_cmpint(dtls_frame_decode(req, sizeof(req), &f), ==, 0);
		g_assert_cmpint(
		    dtls_frame_encode(out, sizeof(out), CSTP_FRAME_DPD_RESP, f.payload, f.len), ==,
		    (int)sizeof(req));
		g_assert_cmpuint(out[0], ==, 4);
		g_assert_cmpmem(out + 1, 5, req + 1, 5);
	}
	/* Refused. */
	g_assert_cmpint(dtls_frame_encode(buf, sizeof(buf), CSTP_FRAME_DATA, NULL, 0), ==,
	                -ERR_INVALID_ARGS);
	g_assert_cmpint(dtls_frame_encode(buf, sizeof(buf), CSTP_FRAME_COMPRESSED, pkt, 4), ==,
	                -ERR_INVALID_ARGS);
	g_assert_cmpint(dtls_frame_encode(buf, sizeof(buf), 0x42, pkt, 4), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(dtls_frame_encode(buf, sizeof(buf), CSTP_FRAME_KEEPALIVE, pkt, 4), ==,
	                -ERR_INVALID_ARGS);
	g_assert_cmpint(dtls_frame_encode(buf, sizeof(buf), CSTP_FRAME_DATA, pkt, 4 + 0), ==, 5);
	g_assert_cmpint(dtls_frame_encode(buf, 4, CSTP_FRAME_DATA, pkt, 4), ==, -ERR_TOO_LARGE);
	g_assert_cmpint(
	    dtls_frame_encode(buf, sizeof(buf), CSTP_FRAME_DATA, pkt, DTLS_FRAME_MAX_PAYLOAD + 1),
	    ==, -ERR_INVALID_ARGS);
	g_assert_cmpstr(dtls_frame_type_name(CSTP_FRAME_DPD_RESP), ==, "DPD-RESP");
	g_assert_cmpstr(dtls_frame_type_name(0x42), ==, "unknown");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dtls-frame/decode", test_decode);
	g_test_add_func("/dtls-frame/decode-refuses", test_decode_refuses);
	g_test_add_func("/dtls-frame/encode", test_encode);
	return g_test_run();
}
