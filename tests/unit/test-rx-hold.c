// SPDX-License-Identifier: GPL-2.0-or-later
#include <glib.h>

#include "rx-hold.h"

/* A lone record (a ping every 10 ms) never makes the next one wait. */
static void test_sparse_never_holds(void)
{
	struct rx_hold h;
	uint64_t now = 1000000;

	rx_hold_init(&h, 250);
	for (int i = 0; i < 5; i++, now += 10000) {
		rx_hold_drained(&h, now, 1, true);
		g_assert_cmpuint(rx_hold_until(&h, now), ==, 0);
	}
}

/* Records in a stream: after an emptying drain the socket rests for the hold, then is read. */
static void test_stream_holds(void)
{
	struct rx_hold h;

	rx_hold_init(&h, 250);
	rx_hold_drained(&h, 1000, 1, true);
	g_assert_cmpuint(rx_hold_until(&h, 1000), ==, 0); /* first one: no rate known */
	rx_hold_drained(&h, 1020, 2, true);
	g_assert_cmpuint(rx_hold_until(&h, 1020), ==, 1270);
	g_assert_cmpuint(rx_hold_until(&h, 1269), ==, 1270);
	g_assert_cmpuint(rx_hold_until(&h, 1270), ==, 0);
	/* The drain after the hold (a wakeup late) still counts as the stream: hold again. */
	rx_hold_drained(&h, 1300, 20, true);
	g_assert_cmpuint(rx_hold_until(&h, 1300), ==, 1550);
	/* The stream stops: the next record after a pause is read at once. */
	rx_hold_drained(&h, 5000, 1, true);
	g_assert_cmpuint(rx_hold_until(&h, 5000), ==, 0);
}

/* A drain cut by its budget left records behind: no hold.  Empty wakeups change nothing. */
static void test_budget_and_empty(void)
{
	struct rx_hold h;

	rx_hold_init(&h, 250);
	rx_hold_drained(&h, 1000, 3, true);
	rx_hold_drained(&h, 1010, 64, false);
	g_assert_cmpuint(rx_hold_until(&h, 1010), ==, 0);
	rx_hold_drained(&h, 1020, 5, true);
	g_assert_cmpuint(rx_hold_until(&h, 1020), ==, 1270);
	rx_hold_drained(&h, 1100, 0, true);
	g_assert_cmpuint(rx_hold_until(&h, 1100), ==, 1270);
}

/* hold 0 turns it off; a clock that goes backwards is not a hold. */
static void test_off_and_clock(void)
{
	struct rx_hold h;

	rx_hold_init(&h, 0);
	rx_hold_drained(&h, 1000, 1, true);
	rx_hold_drained(&h, 1000, 1, true);
	g_assert_cmpuint(rx_hold_until(&h, 1000), ==, 0);
	rx_hold_init(&h, 250);
	rx_hold_drained(&h, 5000, 1, true);
	rx_hold_drained(&h, 4000, 1, true);
	g_assert_cmpuint(rx_hold_until(&h, 4000), ==, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/rx-hold/sparse-never-holds", test_sparse_never_holds);
	g_test_add_func("/rx-hold/stream-holds", test_stream_holds);
	g_test_add_func("/rx-hold/budget-and-empty", test_budget_and_empty);
	g_test_add_func("/rx-hold/off-and-clock", test_off_and_clock);
	return g_test_run();
}
