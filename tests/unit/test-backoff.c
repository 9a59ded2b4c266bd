// SPDX-License-Identifier: GPL-2.0-or-later
#include <glib.h>

#include "backoff.h"

/* 5 retries, 1 s doubling to 16 s, then give up
 * (docs/protocol.md "DTLS fallback when UDP is blocked"). */
static void test_dtls(void)
{
	_cleanup_(backoff_freep) struct backoff *b = backoff_new(&backoff_policy_dtls);
	static const int64_t want[] = {1000, 2000, 4000, 8000, 16000};
	uint64_t now = 5000;

	for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
		int64_t d = backoff_next(b, now);

		g_assert_cmpint(d, ==, want[i]);
		now += (uint64_t)d + 3000;
	}
	g_assert_cmpint(backoff_next(b, now), ==, -1);
	g_assert_cmpuint(backoff_tries(b), ==, 5);
	backoff_reset(b);
	g_assert_cmpuint(backoff_tries(b), ==, 0);
	g_assert_cmpint(backoff_next(b, now), ==, 1000);
}

static void test_reconnect_budget(void)
{
	_cleanup_(backoff_freep) struct backoff *b = backoff_new(&backoff_policy_reconnect);
	static const int64_t want[] = {1000, 2000, 4000, 8000, 16000, 30000, 30000};
	uint64_t now = 0, start = 0;
	int64_t d;
	size_t i = 0;

	/* Each try takes no time: delays alone spend the budget. */
	while ((d = backoff_next(b, now)) >= 0) {
		if (i < G_N_ELEMENTS(want))
			g_assert_cmpint(d, ==, want[i]);
		else
			g_assert_cmpint(d, ==, 30000);
		i++;
		now += (uint64_t)d;
		g_assert_cmpuint(now - start, <=, 300000);
	}
	/* 1+2+4+8+16 = 31 s, then 30 s steps: 31 + 9*30 = 301 > 300, so 8 steps of 30. */
	g_assert_cmpuint(i, ==, 5 + 8);
	g_assert_cmpuint(now, ==, 31000 + 8 * 30000);
}

static void test_budget_counts_wall_time(void)
{
	struct backoff_policy p = {.initial_ms = 100, .factor = 1, .budget_ms = 1000};
	_cleanup_(backoff_freep) struct backoff *b = backoff_new(&p);

	g_assert_cmpint(backoff_next(b, 50000), ==, 100);
	/* Slow tries: 850 ms later, a 100 ms delay would end at 950 < 1000: allowed. */
	g_assert_cmpint(backoff_next(b, 50850), ==, 100);
	/* 950 ms in: 950 + 100 > 1000. */
	g_assert_cmpint(backoff_next(b, 50950), ==, -1);
	/* A clock that goes backwards is not a crash. */
	backoff_reset(b);
	g_assert_cmpint(backoff_next(b, 100), ==, 100);
	g_assert_cmpint(backoff_next(b, 10), ==, 100);
}

static void test_unlimited_and_saturation(void)
{
	struct backoff_policy p = {.initial_ms = 1, .factor = 1000};
	_cleanup_(backoff_freep) struct backoff *b = backoff_new(&p);
	int64_t last = 0;

	for (int i = 0; i < 20; i++) {
		int64_t d = backoff_next(b, (uint64_t)i);

		g_assert_cmpint(d, >=, last);
		last = d;
	}
	g_assert_cmpint(last, ==, INT64_MAX);
}

static void test_constant_and_zero_factor(void)
{
	struct backoff_policy p = {.initial_ms = 500, .factor = 0, .max_tries = 3};
	_cleanup_(backoff_freep) struct backoff *b = backoff_new(&p);

	g_assert_cmpint(backoff_next(b, 0), ==, 500);
	g_assert_cmpint(backoff_next(b, 0), ==, 500);
	g_assert_cmpint(backoff_next(b, 0), ==, 500);
	g_assert_cmpint(backoff_next(b, 0), ==, -1);
	g_assert_null(backoff_new(NULL));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/backoff/dtls", test_dtls);
	g_test_add_func("/backoff/reconnect-budget", test_reconnect_budget);
	g_test_add_func("/backoff/budget-wall-time", test_budget_counts_wall_time);
	g_test_add_func("/backoff/unlimited-saturation", test_unlimited_and_saturation);
	g_test_add_func("/backoff/constant", test_constant_and_zero_factor);
	return g_test_run();
}
