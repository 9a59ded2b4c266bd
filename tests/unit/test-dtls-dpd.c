// SPDX-License-Identifier: GPL-2.0-or-later
/* DTLS liveness timers (docs/protocol.md "DTLS liveness"). */
#include <glib.h>

#include "dtls-dpd.h"

#define T0 50000

/* Idle: DPD-REQ after D of silence, repeated every D/4, dead D/2 after the first. */
static void test_idle(void)
{
	struct dtls_dpd d;

	dtls_dpd_init(&d, 4, 0, T0);
	g_assert_cmpuint(dtls_dpd_next_ms(&d), ==, T0 + 4000);
	g_assert_cmpint(dtls_dpd_check(&d, T0 + 3999), ==, DTLS_DPD_NOTHING);
	g_assert_cmpint(dtls_dpd_check(&d, T0 + 4000), ==, DTLS_DPD_SEND_DPD);
	dtls_dpd_sent_dpd(&d, T0 + 4000);
	g_assert_cmpuint(dtls_dpd_next_ms(&d), ==, T0 + 5000);
	g_assert_cmpint(dtls_dpd_check(&d, T0 + 4999), ==, DTLS_DPD_NOTHING);
	g_assert_cmpint(dtls_dpd_check(&d, T0 + 5000), ==, DTLS_DPD_SEND_DPD);
	dtls_dpd_sent_dpd(&d, T0 + 5000);
	g_assert_cmpuint(dtls_dpd_next_ms(&d), ==, T0 + 6000);
	g_assert_cmpint(dtls_dpd_check(&d, T0 + 6000), ==, DTLS_DPD_DEAD);
	/* An answer in time keeps it alive and restarts the clock. */
	dtls_dpd_rx(&d, T0 + 5900);
	g_assert_cmpint(dtls_dpd_check(&d, T0 + 6000), ==, DTLS_DPD_NOTHING);
	g_assert_cmpuint(dtls_dpd_next_ms(&d), ==, T0 + 9900);
}

/* Data leaving with nothing coming back: ask after D/2, dead at D. */
static void test_busy(void)
{
	struct dtls_dpd d;

	dtls_dpd_init(&d, 4, 0, T0);
	dtls_dpd_rx(&d, T0 + 100);
	dtls_dpd_tx(&d, T0 + 200, true);
	g_assert_cmpuint(dtls_dpd_next_ms(&d), ==, T0 + 2100);
	g_assert_cmpint(dtls_dpd_check(&d, T0 + 2099), ==, DTLS_DPD_NOTHING);
	g_assert_cmpint(dtls_dpd_check(&d, T0 + 2100), ==, DTLS_DPD_SEND_DPD);
	dtls_dpd_sent_dpd(&d, T0 + 2100);
	g_assert_cmpint(dtls_dpd_check(&d, T0 + 4099), ==, DTLS_DPD_SEND_DPD);
	dtls_dpd_sent_dpd(&d, T0 + 4099);
	g_assert_cmpint(dtls_dpd_check(&d, T0 + 4100), ==, DTLS_DPD_DEAD);
	/* Replies to the data keep it alive: no probe while traffic flows both ways. */
	dtls_dpd_init(&d, 4, 0, T0);
	for (uint64_t t = T0; t < T0 + 20000; t += 200) {
		dtls_dpd_tx(&d, t, true);
		g_assert_cmpint(dtls_dpd_check(&d, t + 50), ==, DTLS_DPD_NOTHING);
		dtls_dpd_rx(&d, t + 50);
	}
	/* Data sent long after the last answer: the probe waits for the data, not earlier. */
	dtls_dpd_init(&d, 10, 0, T0);
	dtls_dpd_tx(&d, T0 + 9000, true);
	g_assert_cmpuint(dtls_dpd_next_ms(&d), ==, T0 + 9000);
}

static void test_keepalive(void)
{
	struct dtls_dpd d;

	dtls_dpd_init(&d, 0, 5, T0);
	g_assert_cmpuint(dtls_dpd_next_ms(&d), ==, T0 + 5000);
	g_assert_cmpint(dtls_dpd_check(&d, T0 + 5000), ==, DTLS_DPD_SEND_KEEPALIVE);
	dtls_dpd_tx(&d, T0 + 5000, false);
	g_assert_cmpint(dtls_dpd_check(&d, T0 + 5001), ==, DTLS_DPD_NOTHING);
	g_assert_cmpuint(dtls_dpd_next_ms(&d), ==, T0 + 10000);
	/* Without DPD, silence is never death. */
	g_assert_cmpint(dtls_dpd_check(&d, T0 + 999999), !=, DTLS_DPD_DEAD);
	/* Everything off. */
	dtls_dpd_init(&d, 0, 0, T0);
	g_assert_cmpuint(dtls_dpd_next_ms(&d), ==, UINT64_MAX);
	g_assert_cmpint(dtls_dpd_check(&d, T0 + 999999), ==, DTLS_DPD_NOTHING);
	/* Death outranks a due keepalive. */
	dtls_dpd_init(&d, 2, 1, T0);
	dtls_dpd_sent_dpd(&d, T0 + 2000);
	g_assert_cmpint(dtls_dpd_check(&d, T0 + 3000), ==, DTLS_DPD_DEAD);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dtls-dpd/idle", test_idle);
	g_test_add_func("/dtls-dpd/busy", test_busy);
	g_test_add_func("/dtls-dpd/keepalive", test_keepalive);
	return g_test_run();
}
