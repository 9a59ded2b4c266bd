// SPDX-License-Identifier: GPL-2.0-or-later
/* The DTLS fallback timeline (docs/protocol.md "DTLS fallback when UDP is blocked"). */
#include <glib.h>

#include "dtls-fallback.h"

#define T0 100000 /* any clock */

/* Silence: tries at 0, 1, 3, 7, 15, 31 s (the first attempt and five retries, 1, 2, 4, 8, 16 s
 * apart), the last one gets 1 s, then the give-up at 32 s. */
static void test_blocked_timeline(void)
{
	_cleanup_(dtls_fallback_freep) struct dtls_fallback *f =
	    dtls_fallback_new(&backoff_policy_dtls);
	static const uint64_t want[] = {0, 1000, 3000, 7000, 15000, 31000};
	uint64_t now = T0;
	unsigned starts = 1;

	g_assert_cmpint(dtls_fallback_state(f), ==, DTLS_FALLBACK_IDLE);
	g_assert_cmpuint(dtls_fallback_next_ms(f), ==, UINT64_MAX);
	g_assert_cmpint(dtls_fallback_start(f, now), ==, DTLS_FALLBACK_START_TRY);
	g_assert_cmpint(dtls_fallback_state(f), ==, DTLS_FALLBACK_TRYING);
	/* Step through time 100 ms at a time like a poll loop would. */
	for (;;) {
		enum dtls_fallback_action a;

		now += 100;
		a = dtls_fallback_tick(f, now);
		if (a == DTLS_FALLBACK_START_TRY) {
			g_assert_cmpuint(now - T0, ==, want[starts]);
			starts++;
		}
		if (a == DTLS_FALLBACK_GIVE_UP)
			break;
		g_assert_cmpuint(now - T0, <, 40000);
	}
	g_assert_cmpuint(starts, ==, 6);
	g_assert_cmpuint(now - T0, ==, 32000);
	g_assert_cmpuint(dtls_fallback_tries(f), ==, 6);
	for (unsigned i = 0; i < 6; i++)
		g_assert_cmpuint(dtls_fallback_try_offset_ms(f, i), ==, want[i]);
	g_assert_cmpuint(dtls_fallback_try_offset_ms(f, 6), ==, UINT64_MAX);
	g_assert_cmpint(dtls_fallback_state(f), ==, DTLS_FALLBACK_GAVE_UP);
	/* Given up is final for this sequence: time passing changes nothing. */
	g_assert_cmpint(dtls_fallback_tick(f, now + 100000), ==, DTLS_FALLBACK_NOTHING);
	g_assert_cmpuint(dtls_fallback_next_ms(f), ==, UINT64_MAX);
	g_assert_cmpint(dtls_fallback_try_failed(f, now), ==, DTLS_FALLBACK_NOTHING);
}

/* next_ms() tells the poll loop exactly when to wake. */
static void test_next_ms(void)
{
	_cleanup_(dtls_fallback_freep) struct dtls_fallback *f =
	    dtls_fallback_new(&backoff_policy_dtls);

	dtls_fallback_start(f, T0);
	g_assert_cmpuint(dtls_fallback_next_ms(f), ==, T0 + 1000);
	g_assert_cmpint(dtls_fallback_tick(f, T0 + 999), ==, DTLS_FALLBACK_NOTHING);
	g_assert_cmpint(dtls_fallback_tick(f, T0 + 1000), ==, DTLS_FALLBACK_START_TRY);
	g_assert_cmpuint(dtls_fallback_next_ms(f), ==, T0 + 3000);
	g_assert_false(dtls_fallback_last_try(f));
}

/* An early failure (ICMP unreachable, fatal alert) does not bring the next try forward. */
static void test_early_failure_waits(void)
{
	_cleanup_(dtls_fallback_freep) struct dtls_fallback *f =
	    dtls_fallback_new(&backoff_policy_dtls);

	dtls_fallback_start(f, T0);
	g_assert_cmpint(dtls_fallback_try_failed(f, T0 + 10), ==, DTLS_FALLBACK_NOTHING);
	g_assert_cmpint(dtls_fallback_state(f), ==, DTLS_FALLBACK_WAITING);
	g_assert_cmpuint(dtls_fallback_next_ms(f), ==, T0 + 1000);
	g_assert_cmpint(dtls_fallback_tick(f, T0 + 500), ==, DTLS_FALLBACK_NOTHING);
	g_assert_cmpint(dtls_fallback_tick(f, T0 + 1000), ==, DTLS_FALLBACK_START_TRY);
	g_assert_cmpint(dtls_fallback_state(f), ==, DTLS_FALLBACK_TRYING);
	/* Failures at every try: the last one failing ends it at once. */
	for (uint64_t at = T0 + 1000;;) {
		enum dtls_fallback_action a = dtls_fallback_try_failed(f, at + 5);

		if (a == DTLS_FALLBACK_GIVE_UP) {
			g_assert_cmpuint(at - T0, ==, 31000);
			break;
		}
		at = dtls_fallback_next_ms(f);
		g_assert_cmpint(dtls_fallback_tick(f, at), ==, DTLS_FALLBACK_START_TRY);
	}
	g_assert_cmpint(dtls_fallback_state(f), ==, DTLS_FALLBACK_GAVE_UP);
}

/* Established: no more tries; lost: a whole new sequence from its first try. */
static void test_up_and_lost(void)
{
	_cleanup_(dtls_fallback_freep) struct dtls_fallback *f =
	    dtls_fallback_new(&backoff_policy_dtls);

	dtls_fallback_start(f, T0);
	dtls_fallback_tick(f, T0 + 1000);
	dtls_fallback_tick(f, T0 + 3000);
	g_assert_cmpuint(dtls_fallback_tries(f), ==, 3);
	dtls_fallback_established(f, T0 + 3020);
	g_assert_cmpint(dtls_fallback_state(f), ==, DTLS_FALLBACK_UP);
	g_assert_cmpuint(dtls_fallback_next_ms(f), ==, UINT64_MAX);
	g_assert_cmpint(dtls_fallback_tick(f, T0 + 60000), ==, DTLS_FALLBACK_NOTHING);
	/* Established twice, or a failure report while up, changes nothing. */
	dtls_fallback_established(f, T0 + 60000);
	g_assert_cmpint(dtls_fallback_try_failed(f, T0 + 60000), ==, DTLS_FALLBACK_NOTHING);
	g_assert_cmpint(dtls_fallback_state(f), ==, DTLS_FALLBACK_UP);
	/* DPD death at 100 s: a fresh sequence, timeline relative to it. */
	g_assert_cmpint(dtls_fallback_start(f, T0 + 100000), ==, DTLS_FALLBACK_START_TRY);
	g_assert_cmpuint(dtls_fallback_tries(f), ==, 1);
	g_assert_cmpuint(dtls_fallback_try_offset_ms(f, 0), ==, 0);
	g_assert_cmpuint(dtls_fallback_next_ms(f), ==, T0 + 101000);
	/* Up at the 2nd try of the new sequence. */
	dtls_fallback_tick(f, T0 + 101000);
	dtls_fallback_established(f, T0 + 101002);
	g_assert_cmpuint(dtls_fallback_try_offset_ms(f, 1), ==, 1000);
	g_assert_cmpint(dtls_fallback_state(f), ==, DTLS_FALLBACK_UP);
}

static void test_policy(void)
{
	struct backoff_policy forever = {.initial_ms = 1000, .factor = 2};
	struct backoff_policy two = {.initial_ms = 500, .factor = 3, .max_tries = 2};
	_cleanup_(dtls_fallback_freep) struct dtls_fallback *f = NULL;

	/* A policy without a try limit would never give up: refused. */
	g_assert_null(dtls_fallback_new(&forever));
	g_assert_null(dtls_fallback_new(NULL));
	f = dtls_fallback_new(&two);
	dtls_fallback_start(f, 0);
	g_assert_cmpint(dtls_fallback_tick(f, 500), ==, DTLS_FALLBACK_START_TRY);
	g_assert_cmpint(dtls_fallback_tick(f, 2000), ==, DTLS_FALLBACK_START_TRY);
	g_assert_true(dtls_fallback_last_try(f));
	g_assert_cmpint(dtls_fallback_tick(f, 2499), ==, DTLS_FALLBACK_NOTHING);
	g_assert_cmpint(dtls_fallback_tick(f, 2500), ==, DTLS_FALLBACK_GIVE_UP);
	g_assert_cmpstr(dtls_fallback_state_name(DTLS_FALLBACK_GAVE_UP), ==, "gave-up");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dtls-fallback/blocked-timeline", test_blocked_timeline);
	g_test_add_func("/dtls-fallback/next-ms", test_next_ms);
	g_test_add_func("/dtls-fallback/early-failure-waits", test_early_failure_waits);
	g_test_add_func("/dtls-fallback/up-and-lost", test_up_and_lost);
	g_test_add_func("/dtls-fallback/policy", test_policy);
	return g_test_run();
}
