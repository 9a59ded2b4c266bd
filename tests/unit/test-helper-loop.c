// SPDX-License-Identifier: GPL-2.0-or-later
/* The helper's poll() loop (helper/helper-loop.c): timers, fd sources, removal from inside
 * callbacks, the prepare hook. */
#include <glib.h>
#include <poll.h>
#include <unistd.h>

#include "helper-loop.h"

struct ctx {
	struct helper_loop *loop;
	int fired;
	int reads;
	int prepares;
	uint64_t t0;
	struct helper_loop_timer *other;
	struct helper_loop_io *io;
};

static void quit_timer(struct helper_loop_timer *t, void *data)
{
	struct ctx *c = data;

	c->fired++;
	helper_loop_quit(c->loop, 7);
}

static void count_timer(struct helper_loop_timer *t, void *data)
{
	((struct ctx *)data)->fired++;
}

static void test_timers(void)
{
	struct ctx c = {0};
	struct helper_loop_timer *never;

	c.loop = helper_loop_new();
	c.t0 = helper_loop_now_ms();
	helper_loop_timer_add(c.loop, 50, quit_timer, &c);
	never = helper_loop_timer_add(c.loop, 10, count_timer, &c);
	helper_loop_timer_disarm(never);
	g_assert_cmpint(helper_loop_run(c.loop), ==, 7);
	g_assert_cmpint(c.fired, ==, 1);
	g_assert_cmpuint(helper_loop_now_ms() - c.t0, >=, 50);
	helper_loop_free(c.loop);
}

static void remove_other(struct helper_loop_timer *t, void *data)
{
	struct ctx *c = data;

	c->fired++;
	/* Removing a due timer from another timer's callback: it must not run. */
	helper_loop_timer_remove(c->other);
	helper_loop_timer_remove(t);
}

static void test_remove_in_callback(void)
{
	struct ctx c = {0};

	c.loop = helper_loop_new();
	/* Added second, so it sits first in the list and runs first. */
	c.other = helper_loop_timer_add(c.loop, 0, count_timer, &c);
	helper_loop_timer_add(c.loop, 0, remove_other, &c);
	helper_loop_timer_add(c.loop, 30, quit_timer, &c);
	helper_loop_run(c.loop);
	g_assert_cmpint(c.fired, ==, 2);
	helper_loop_free(c.loop);
}

static void on_read(struct helper_loop_io *io, int fd, short revents, void *data)
{
	struct ctx *c = data;
	char b;

	g_assert_true(revents & POLLIN);
	g_assert_cmpint(read(fd, &b, 1), ==, 1);
	if (++c->reads == 2) {
		helper_loop_io_remove(io);
		helper_loop_quit(c->loop, 0);
	}
}

static void prepare(void *data)
{
	((struct ctx *)data)->prepares++;
}

static void test_io(void)
{
	struct ctx c = {0};
	int p[2];

	g_assert_cmpint(pipe(p), ==, 0);
	c.loop = helper_loop_new();
	helper_loop_set_prepare(c.loop, prepare, &c);
	c.io = helper_loop_io_add(c.loop, p[0], POLLIN, on_read, &c);
	g_assert_cmpint(write(p[1], "ab", 2), ==, 2);
	helper_loop_run(c.loop);
	g_assert_cmpint(c.reads, ==, 2);
	g_assert_cmpint(c.prepares, >=, 2);
	close(p[0]);
	close(p[1]);
	helper_loop_free(c.loop);
}

static void test_disabled_io(void)
{
	struct ctx c = {0};
	int p[2];

	g_assert_cmpint(pipe(p), ==, 0);
	c.loop = helper_loop_new();
	c.io = helper_loop_io_add(c.loop, p[0], POLLIN, on_read, &c);
	helper_loop_io_set_events(c.io, 0);
	g_assert_cmpint(write(p[1], "ab", 2), ==, 2);
	helper_loop_timer_add(c.loop, 30, quit_timer, &c);
	helper_loop_run(c.loop);
	/* Left out of poll(): never read. */
	g_assert_cmpint(c.reads, ==, 0);
	close(p[0]);
	close(p[1]);
	helper_loop_free(c.loop);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/helper-loop/timers", test_timers);
	g_test_add_func("/helper-loop/remove-in-callback", test_remove_in_callback);
	g_test_add_func("/helper-loop/io", test_io);
	g_test_add_func("/helper-loop/disabled-io", test_disabled_io);
	return g_test_run();
}
