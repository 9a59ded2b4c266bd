// SPDX-License-Identifier: GPL-2.0-or-later
/* Datagram batches and their GSO plan (docs/architecture.md "Data path"). */
#include <glib.h>
#include <string.h>

#include "dtls-batch.h"
#include "error.h"

static struct dtls_batch *batch_of(const size_t *lens, size_t n)
{
	struct dtls_batch *b = dtls_batch_new(256 * 1024, DTLS_BATCH_MAX_DGRAMS);
	static uint8_t fill[20000];

	g_assert_nonnull(b);
	for (size_t i = 0; i < n; i++) {
		memset(fill, (int)i, lens[i]);
		g_assert_cmpint(dtls_batch_add(b, fill, lens[i]), ==, 0);
	}
	return b;
}

static void test_add_consume(void)
{
	_cleanup_(dtls_batch_freep) struct dtls_batch *b = dtls_batch_new(100, 3);
	const void *parts[2] = {"\x00", "abc"};
	size_t plens[2] = {1, 3};

	g_assert_null(dtls_batch_new(0, 1));
	g_assert_null(dtls_batch_new(10, DTLS_BATCH_MAX_DGRAMS + 1));
	g_assert_cmpint(dtls_batch_add(b, "hello", 5), ==, 0);
	g_assert_cmpint(dtls_batch_addv(b, parts, plens, 2), ==, 0);
	g_assert_cmpint(dtls_batch_add(b, "x", 0), ==, -ERR_INVALID_ARGS);
	g_assert_cmpuint(b->n, ==, 2);
	g_assert_cmpmem(dtls_batch_data(b, 1), dtls_batch_len(b, 1),
	                "\x00"
	                "abc",
	                4);
	g_assert_true(dtls_batch_room(b, 91));
	g_assert_false(dtls_batch_room(b, 92));
	g_assert_cmpint(dtls_batch_add(b, "0123456789", 10), ==, 0);
	/* Three datagrams is the limit, whatever the bytes. */
	g_assert_false(dtls_batch_room(b, 1));
	g_assert_cmpint(dtls_batch_add(b, "y", 1), ==, -ERR_TOO_LARGE);
	dtls_batch_consume(b, 1);
	g_assert_cmpuint(b->n, ==, 2);
	g_assert_cmpuint(b->used, ==, 14);
	g_assert_cmpmem(dtls_batch_data(b, 0), 4,
	                "\x00"
	                "abc",
	                4);
	g_assert_cmpmem(dtls_batch_data(b, 1), 10, "0123456789", 10);
	g_assert_null(dtls_batch_data(b, 2));
	g_assert_cmpuint(dtls_batch_len(b, 2), ==, 0);
	dtls_batch_consume(b, 5);
	g_assert_cmpuint(b->n, ==, 0);
	g_assert_cmpuint(b->used, ==, 0);
}

static void check_groups(const size_t *lens, size_t n, size_t max_segs, size_t max_bytes,
                         const size_t *want_counts, size_t want_n)
{
	_cleanup_(dtls_batch_freep) struct dtls_batch *b = batch_of(lens, n);
	struct dtls_batch_group g[DTLS_BATCH_MAX_DGRAMS];
	size_t ng = dtls_batch_plan(b, 0, max_segs, max_bytes, g, DTLS_BATCH_MAX_DGRAMS);
	size_t next = 0;

	g_assert_cmpuint(ng, ==, want_n);
	for (size_t i = 0; i < ng; i++) {
		size_t bytes = 0;

		g_assert_cmpuint(g[i].first, ==, next);
		g_assert_cmpuint(g[i].count, ==, want_counts[i]);
		g_assert_cmpuint(g[i].seg, ==, lens[g[i].first]);
		for (size_t j = g[i].first; j < g[i].first + g[i].count; j++) {
			bytes += lens[j];
			/* GSO rule: all equal but the last, which may be shorter. */
			if (j + 1 < g[i].first + g[i].count)
				g_assert_cmpuint(lens[j], ==, g[i].seg);
			else
				g_assert_cmpuint(lens[j], <=, g[i].seg);
		}
		g_assert_cmpuint(g[i].bytes, ==, bytes);
		next += g[i].count;
	}
	g_assert_cmpuint(next, ==, n);
}

static void test_plan(void)
{
	/* Bulk TCP: full records, an ACK-sized one ends the run, full ones again. */
	static const size_t bulk[] = {1471, 1471, 1471, 80, 1471, 1471};
	static const size_t bulk_g[] = {4, 2};
	/* A larger datagram after a smaller one starts a new run. */
	static const size_t grow[] = {100, 200, 200, 50, 50};
	static const size_t grow_g[] = {1, 3, 1};
	static const size_t one[] = {999};
	static const size_t one_g[] = {1};
	size_t many[100], many_g[2] = {64, 36};
	size_t big[50], big_g[2] = {44, 6};
	static const size_t nogso_g[] = {1, 1, 1, 1, 1, 1};

	check_groups(bulk, 6, DTLS_BATCH_GSO_MAX_SEGS, DTLS_BATCH_GSO_MAX_BYTES, bulk_g, 2);
	check_groups(grow, 5, DTLS_BATCH_GSO_MAX_SEGS, DTLS_BATCH_GSO_MAX_BYTES, grow_g, 3);
	check_groups(one, 1, DTLS_BATCH_GSO_MAX_SEGS, DTLS_BATCH_GSO_MAX_BYTES, one_g, 1);
	/* At most 64 segments per send. */
	for (size_t i = 0; i < 100; i++)
		many[i] = 500;
	check_groups(many, 100, DTLS_BATCH_GSO_MAX_SEGS, DTLS_BATCH_GSO_MAX_BYTES, many_g, 2);
	/* At most 65000 bytes per send: 44 x 1471 = 64724. */
	for (size_t i = 0; i < 50; i++)
		big[i] = 1471;
	check_groups(big, 50, DTLS_BATCH_GSO_MAX_SEGS, DTLS_BATCH_GSO_MAX_BYTES, big_g, 2);
	/* GSO refused by the kernel: one datagram per message. */
	check_groups(bulk, 6, 1, DTLS_BATCH_GSO_MAX_BYTES, nogso_g, 6);
	check_groups(bulk, 6, 0, DTLS_BATCH_GSO_MAX_BYTES, nogso_g, 6);
}

/* The plan can start in the middle and stop at the output's size. */
static void test_plan_partial(void)
{
	static const size_t lens[] = {10, 20, 20, 5, 30, 30};
	_cleanup_(dtls_batch_freep) struct dtls_batch *b = batch_of(lens, 6);
	struct dtls_batch_group g[2];

	g_assert_cmpuint(dtls_batch_plan(b, 1, 64, 65000, g, 2), ==, 2);
	g_assert_cmpuint(g[0].first, ==, 1);
	g_assert_cmpuint(g[0].count, ==, 3);
	g_assert_cmpuint(g[1].first, ==, 4);
	g_assert_cmpuint(g[1].count, ==, 2);
	g_assert_cmpuint(dtls_batch_plan(b, 0, 64, 65000, g, 1), ==, 1);
	g_assert_cmpuint(g[0].count, ==, 1);
	g_assert_cmpuint(dtls_batch_plan(b, 6, 64, 65000, g, 2), ==, 0);
}

static void test_gro(void)
{
	g_assert_cmpuint(dtls_batch_gro_count(0, 1400), ==, 0);
	g_assert_cmpuint(dtls_batch_gro_count(1000, 0), ==, 1);
	g_assert_cmpuint(dtls_batch_gro_len(1000, 0, 0), ==, 1000);
	g_assert_cmpuint(dtls_batch_gro_len(1000, 0, 1), ==, 0);
	g_assert_cmpuint(dtls_batch_gro_count(1400, 1400), ==, 1);
	g_assert_cmpuint(dtls_batch_gro_count(2800, 1400), ==, 2);
	g_assert_cmpuint(dtls_batch_gro_count(2900, 1400), ==, 3);
	g_assert_cmpuint(dtls_batch_gro_len(2900, 1400, 0), ==, 1400);
	g_assert_cmpuint(dtls_batch_gro_len(2900, 1400, 1), ==, 1400);
	g_assert_cmpuint(dtls_batch_gro_len(2900, 1400, 2), ==, 100);
	g_assert_cmpuint(dtls_batch_gro_len(2900, 1400, 3), ==, 0);
	g_assert_cmpuint(dtls_batch_gro_count(500, 1400), ==, 1);
	g_assert_cmpuint(dtls_batch_gro_len(500, 1400, 0), ==, 500);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dtls-batch/add-consume", test_add_consume);
	g_test_add_func("/dtls-batch/plan", test_plan);
	g_test_add_func("/dtls-batch/plan-partial", test_plan_partial);
	g_test_add_func("/dtls-batch/gro", test_gro);
	return g_test_run();
}
