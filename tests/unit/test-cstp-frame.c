// SPDX-License-Identifier: GPL-2.0-or-later
#include <glib.h>
#include <string.h>

#include "cstp-frame.h"
#include "error.h"

static void test_encode(void)
{
	uint8_t buf[CSTP_FRAME_MAX_LEN];
	static const uint8_t pkt[] = {0x45, 0, 0, 20, 1, 2, 3, 4};
	static const uint8_t want[] = {'S', 'T', 'F', 1, 0, 8, 0, 0, 0x45, 0, 0, 20, 1, 2, 3, 4};
	static const uint8_t ka[] = {'S', 'T', 'F', 1, 0, 0, 7, 0};

	g_assert_cmpint(cstp_frame_encode(buf, sizeof(buf), CSTP_FRAME_DATA, pkt, sizeof(pkt)), ==,
	                16);
	g_assert_cmpmem(buf, 16, want, sizeof(want));
	g_assert_cmpint(cstp_frame_encode(buf, sizeof(buf), CSTP_FRAME_KEEPALIVE, NULL, 0), ==, 8);
	g_assert_cmpmem(buf, 8, ka, sizeof(ka));

	/* Length is big-endian and excludes the header
	 * (docs/protocol.md "Pitfall: the CSTP length excludes the header"). */
	{
		static uint8_t big[0x1234];

		memset(big, 0x5a, sizeof(big));
		g_assert_cmpint(
		    cstp_frame_encode(buf, sizeof(buf), CSTP_FRAME_DPD_REQ, big, sizeof(big)), ==,
		    8 + 0x1234);
		g_assert_cmpuint(buf[4], ==, 0x12);
		g_assert_cmpuint(buf[5], ==, 0x34);
		g_assert_cmpuint(buf[6], ==, 3);
		g_assert_cmpuint(buf[7], ==, 0);
	}
	/* Largest frame fits one TLS record exactly. */
	{
		static uint8_t max[CSTP_FRAME_MAX_PAYLOAD + 1];

		g_assert_cmpint(cstp_frame_encode(buf, sizeof(buf), CSTP_FRAME_DATA, max,
		                                  CSTP_FRAME_MAX_PAYLOAD),
		                ==, CSTP_FRAME_MAX_LEN);
		g_assert_cmpint(cstp_frame_encode(buf, sizeof(buf), CSTP_FRAME_DATA, max,
		                                  CSTP_FRAME_MAX_PAYLOAD + 1),
		                ==, -ERR_INVALID_ARGS);
	}
}

static void test_encode_refuses(void)
{
	uint8_t buf[64];
	uint8_t one = 1;

	g_assert_cmpint(cstp_frame_encode(buf, sizeof(buf), CSTP_FRAME_DATA, NULL, 0), ==,
	                -ERR_INVALID_ARGS);
	g_assert_cmpint(cstp_frame_encode(buf, sizeof(buf), CSTP_FRAME_KEEPALIVE, &one, 1), ==,
	                -ERR_INVALID_ARGS);
	g_assert_cmpint(cstp_frame_encode(buf, sizeof(buf), CSTP_FRAME_TERMINATE, &one, 1), ==,
	                -ERR_INVALID_ARGS);
	g_assert_cmpint(cstp_frame_encode(buf, sizeof(buf), CSTP_FRAME_COMPRESSED, &one, 1), ==,
	                -ERR_INVALID_ARGS);
	g_assert_cmpint(cstp_frame_encode(buf, sizeof(buf), 0x42, NULL, 0), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(cstp_frame_encode(buf, sizeof(buf), CSTP_FRAME_DPD_REQ, NULL, 5), ==,
	                -ERR_INVALID_ARGS);
	g_assert_cmpint(cstp_frame_encode(buf, 8, CSTP_FRAME_DPD_REQ, &one, 1), ==, -ERR_TOO_LARGE);
	g_assert_cmpint(cstp_frame_encode(buf, 7, CSTP_FRAME_KEEPALIVE, NULL, 0), ==,
	                -ERR_TOO_LARGE);
}

static void test_decode_valid(void)
{
	uint8_t buf[128];
	struct cstp_frame f;
	static const uint8_t disc[] = {0xb0, 'b', 'y', 'e'};
	static const uint8_t types[] = {CSTP_FRAME_DPD_REQ, CSTP_FRAME_DPD_RESP,
	                                CSTP_FRAME_DISCONNECT, CSTP_FRAME_KEEPALIVE,
	                                CSTP_FRAME_TERMINATE};

	int n = cstp_frame_encode(buf, sizeof(buf), CSTP_FRAME_DISCONNECT, disc, sizeof(disc));
	g_assert_cmpint(cstp_frame_decode(buf, (size_t)n, &f), ==, 0);
	g_assert_cmpuint(f.type, ==, CSTP_FRAME_DISCONNECT);
	g_assert_cmpmem(f.payload, f.len, disc, sizeof(disc));

	/* Empty payloads where allowed, payload NULL then. */
	for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
		n = cstp_frame_encode(buf, sizeof(buf), types[i], NULL, 0);
		g_assert_cmpint(cstp_frame_decode(buf, (size_t)n, &f), ==, 0);
		g_assert_cmpuint(f.type, ==, types[i]);
		g_assert_cmpuint(f.len, ==, 0);
		g_assert_null(f.payload);
	}
	g_assert_cmpstr(cstp_frame_type_name(CSTP_FRAME_DPD_REQ), ==, "DPD-REQ");
	g_assert_cmpstr(cstp_frame_type_name(0x77), ==, "unknown");
}

static void test_decode_malformed(void)
{
	uint8_t good[16], bad[32];
	struct cstp_frame f;
	static const uint8_t pkt[] = {0x45, 0, 0, 8, 9, 9, 9, 9};
	int n = cstp_frame_encode(good, sizeof(good), CSTP_FRAME_DATA, pkt, sizeof(pkt));

	g_assert_cmpint(n, ==, 16);
	/* Every truncation, including the empty record. */
	for (int i = 0; i < n; i++)
		g_assert_cmpint(cstp_frame_decode(good, (size_t)i, &f), ==, -ERR_PROTOCOL);
	g_assert_cmpint(cstp_frame_decode(NULL, 0, &f), ==, -ERR_PROTOCOL);
	/* A second frame (or trailing byte) in the same record
	 * (docs/protocol.md "Pitfall: one CSTP frame per TLS record"). */
	memcpy(bad, good, 16);
	bad[16] = 0;
	g_assert_cmpint(cstp_frame_decode(bad, 17, &f), ==, -ERR_PROTOCOL);
	memcpy(bad + 16, good, 16);
	g_assert_cmpint(cstp_frame_decode(bad, 32, &f), ==, -ERR_PROTOCOL);
	/* Each magic byte and byte 7
	 * (docs/protocol.md "Pitfall: the CSTP length excludes the header"). */
	for (int i = 0; i < 8; i++) {
		if (i >= 4 && i <= 6)
			continue;
		memcpy(bad, good, 16);
		bad[i] ^= 0x20;
		g_assert_cmpint(cstp_frame_decode(bad, 16, &f), ==, -ERR_PROTOCOL);
	}
	/* Length that counts the header, or is off by one either way. */
	memcpy(bad, good, 16);
	bad[5] = 16;
	g_assert_cmpint(cstp_frame_decode(bad, 16, &f), ==, -ERR_PROTOCOL);
	bad[5] = 7;
	g_assert_cmpint(cstp_frame_decode(bad, 16, &f), ==, -ERR_PROTOCOL);
	bad[5] = 9;
	g_assert_cmpint(cstp_frame_decode(bad, 16, &f), ==, -ERR_PROTOCOL);
	bad[4] = 1, bad[5] = 8;
	g_assert_cmpint(cstp_frame_decode(bad, 16, &f), ==, -ERR_PROTOCOL);
	/* Unknown types. */
	for (int t = 0; t < 256; t++) {
		bool known = t == 0 || t == 3 || t == 4 || t == 5 || t == 7 || t == 8 || t == 9;

		memcpy(bad, good, 16);
		bad[6] = (uint8_t)t;
		if (known)
			continue;
		g_assert_cmpint(cstp_frame_decode(bad, 16, &f), ==, -ERR_PROTOCOL);
	}
	/* Payload rules: KEEPALIVE and TERMINATE empty, DATA not empty. */
	memcpy(bad, good, 16);
	bad[6] = CSTP_FRAME_KEEPALIVE;
	g_assert_cmpint(cstp_frame_decode(bad, 16, &f), ==, -ERR_PROTOCOL);
	bad[6] = CSTP_FRAME_TERMINATE;
	g_assert_cmpint(cstp_frame_decode(bad, 16, &f), ==, -ERR_PROTOCOL);
	n = cstp_frame_encode(bad, sizeof(bad), CSTP_FRAME_KEEPALIVE, NULL, 0);
	bad[6] = CSTP_FRAME_DATA;
	g_assert_cmpint(cstp_frame_decode(bad, 8, &f), ==, -ERR_PROTOCOL);
	/* Compression was never negotiated. */
	memcpy(bad, good, 16);
	bad[6] = CSTP_FRAME_COMPRESSED;
	g_assert_cmpint(cstp_frame_decode(bad, 16, &f), ==, -ERR_UNSUPPORTED);
	/* A record larger than any frame. */
	{
		static uint8_t huge[CSTP_FRAME_MAX_LEN + 1];

		memcpy(huge, good, 8);
		huge[4] = 0xff, huge[5] = 0xff;
		g_assert_cmpint(cstp_frame_decode(huge, sizeof(huge), &f), ==, -ERR_PROTOCOL);
		huge[4] = 0x40, huge[5] = 0x00; /* 16384 + 8: one byte per TLS record too many */
		g_assert_cmpint(cstp_frame_decode(huge, sizeof(huge), &f), ==, -ERR_PROTOCOL);
	}
}

static void test_next(void)
{
	uint8_t stream[64];
	struct cstp_frame f;
	static const uint8_t pkt[] = {0x60, 1, 2, 3};
	int a = cstp_frame_encode(stream, sizeof(stream), CSTP_FRAME_DATA, pkt, sizeof(pkt));
	int b =
	    cstp_frame_encode(stream + a, sizeof(stream) - (size_t)a, CSTP_FRAME_DPD_REQ, pkt, 2);
	size_t total = (size_t)(a + b);

	g_assert_cmpint(cstp_frame_next(stream, total, &f), ==, a);
	g_assert_cmpuint(f.type, ==, CSTP_FRAME_DATA);
	g_assert_cmpint(cstp_frame_next(stream + a, total - (size_t)a, &f), ==, b);
	g_assert_cmpuint(f.type, ==, CSTP_FRAME_DPD_REQ);
	g_assert_cmpuint(f.len, ==, 2);
	g_assert_cmpint(cstp_frame_next(stream, 0, &f), ==, 0);
	for (size_t i = 1; i < (size_t)a; i++)
		g_assert_cmpint(cstp_frame_next(stream, i, &f), ==, -ERR_PROTOCOL);
	stream[0] = 'X';
	g_assert_cmpint(cstp_frame_next(stream, total, &f), ==, -ERR_PROTOCOL);
}

/* A DPD-RESP echoing a padded DPD-REQ keeps the length
 * (docs/protocol.md "Pitfall: a DPD response echoes the request's payload"). */
static void test_dpd_echo(void)
{
	uint8_t req[CSTP_FRAME_MAX_LEN], resp[CSTP_FRAME_MAX_LEN], pad[1400];
	struct cstp_frame f;
	int n;

	memset(pad, 0x5a, sizeof(pad));
	n = cstp_frame_encode(req, sizeof(req), CSTP_FRAME_DPD_REQ, pad, sizeof(pad));
	g_assert_cmpint(cstp_frame_decode(req, (size_t)n, &f), ==, 0);
	n = cstp_frame_encode(resp, sizeof(resp), CSTP_FRAME_DPD_RESP, f.payload, f.len);
	g_assert_cmpint(n, ==, 8 + 1400);
	g_assert_cmpint(cstp_frame_decode(resp, (size_t)n, &f), ==, 0);
	g_assert_cmpuint(f.type, ==, CSTP_FRAME_DPD_RESP);
	g_assert_cmpmem(f.payload, f.len, pad, sizeof(pad));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/cstp-frame/encode", test_encode);
	g_test_add_func("/cstp-frame/encode-refuses", test_encode_refuses);
	g_test_add_func("/cstp-frame/decode-valid", test_decode_valid);
	g_test_add_func("/cstp-frame/decode-malformed", test_decode_malformed);
	g_test_add_func("/cstp-frame/next", test_next);
	g_test_add_func("/cstp-frame/dpd-echo", test_dpd_echo);
	return g_test_run();
}
