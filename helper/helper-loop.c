// SPDX-License-Identifier: GPL-2.0-or-later
#include "helper-loop.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>

#include "error.h"
#include "log.h"

struct helper_loop_io {
	struct helper_loop_io *next;
	struct helper_loop *loop;
	int fd;
	short events;
	bool dead;
	helper_loop_io_fn fn;
	void *data;
};

struct helper_loop_timer {
	struct helper_loop_timer *next;
	struct helper_loop *loop;
	uint64_t deadline; /* 0 = disarmed */
	bool dead;
	helper_loop_timer_fn fn;
	void *data;
};

struct helper_loop {
	struct helper_loop_io *ios;
	struct helper_loop_timer *timers;
	helper_loop_prepare_fn prepare;
	void *prepare_data;
	bool quit;
	int status;
};

uint64_t helper_loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct helper_loop *helper_loop_new(void)
{
	return calloc(1, sizeof(struct helper_loop));
}

static void helper_loop_sweep(struct helper_loop *loop, bool all)
{
	for (struct helper_loop_io **p = &loop->ios; *p;) {
		struct helper_loop_io *io = *p;

		if (io->dead || all) {
			*p = io->next;
			free(io);
		} else {
			p = &io->next;
		}
	}
	for (struct helper_loop_timer **p = &loop->timers; *p;) {
		struct helper_loop_timer *t = *p;

		if (t->dead || all) {
			*p = t->next;
			free(t);
		} else {
			p = &t->next;
		}
	}
}

void helper_loop_free(struct helper_loop *loop)
{
	if (!loop)
		return;
	helper_loop_sweep(loop, true);
	free(loop);
}

struct helper_loop_io *helper_loop_io_add(struct helper_loop *loop, int fd, short events,
                                          helper_loop_io_fn fn, void *data)
{
	struct helper_loop_io *io = calloc(1, sizeof(*io));

	if (!io)
		return NULL;
	io->loop = loop;
	io->fd = fd;
	io->events = events;
	io->fn = fn;
	io->data = data;
	io->next = loop->ios;
	loop->ios = io;
	return io;
}

void helper_loop_io_set_events(struct helper_loop_io *io, short events)
{
	io->events = events;
}

void helper_loop_io_remove(struct helper_loop_io *io)
{
	if (io)
		io->dead = true;
}

struct helper_loop_timer *helper_loop_timer_add(struct helper_loop *loop, uint64_t ms,
                                                helper_loop_timer_fn fn, void *data)
{
	struct helper_loop_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->loop = loop;
	t->fn = fn;
	t->data = data;
	t->next = loop->timers;
	loop->timers = t;
	helper_loop_timer_rearm(t, ms);
	return t;
}

void helper_loop_timer_rearm(struct helper_loop_timer *timer, uint64_t ms)
{
	/* +1 keeps a deadline of "now" distinct from the disarmed value 0. */
	timer->deadline = helper_loop_now_ms() + ms + 1;
}

void helper_loop_timer_disarm(struct helper_loop_timer *timer)
{
	timer->deadline = 0;
}

void helper_loop_timer_remove(struct helper_loop_timer *timer)
{
	if (timer) {
		timer->dead = true;
		timer->deadline = 0;
	}
}

void helper_loop_set_prepare(struct helper_loop *loop, helper_loop_prepare_fn fn, void *data)
{
	loop->prepare = fn;
	loop->prepare_data = data;
}

void helper_loop_quit(struct helper_loop *loop, int status)
{
	loop->quit = true;
	loop->status = status;
}

static int helper_loop_timeout(struct helper_loop *loop)
{
	uint64_t now = helper_loop_now_ms(), first = 0;

	for (struct helper_loop_timer *t = loop->timers; t; t = t->next)
		if (!t->dead && t->deadline && (!first || t->deadline < first))
			first = t->deadline;
	if (!first)
		return -1;
	if (first <= now)
		return 0;
	return first - now > 60000 ? 60000 : (int)(first - now);
}

static void helper_loop_fire_timers(struct helper_loop *loop)
{
	uint64_t now = helper_loop_now_ms();

	/* A callback may add timers at the list head; those wait for the next iteration. */
	for (struct helper_loop_timer *t = loop->timers; t && !loop->quit; t = t->next) {
		if (t->dead || !t->deadline || t->deadline > now)
			continue;
		t->deadline = 0;
		t->fn(t, t->data);
	}
}

int helper_loop_run(struct helper_loop *loop)
{
	while (!loop->quit) {
		_cleanup_free_ struct pollfd *pfds = NULL;
		_cleanup_free_ struct helper_loop_io **which = NULL;
		size_t n = 0, cap = 0;
		int r;

		helper_loop_sweep(loop, false);
		if (loop->prepare)
			loop->prepare(loop->prepare_data);
		if (loop->quit)
			break;
		for (struct helper_loop_io *io = loop->ios; io; io = io->next)
			cap++;
		pfds = calloc(cap ? cap : 1, sizeof(*pfds));
		which = calloc(cap ? cap : 1, sizeof(*which));
		if (!pfds || !which)
			return -ERR_NOMEM;
		for (struct helper_loop_io *io = loop->ios; io; io = io->next) {
			if (io->dead || !io->events || io->fd < 0)
				continue;
			pfds[n].fd = io->fd;
			pfds[n].events = io->events;
			which[n++] = io;
		}
		r = poll(pfds, n, helper_loop_timeout(loop));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			log_error("poll: %m");
			return -ERR_IO;
		}
		for (size_t i = 0; i < n && !loop->quit; i++) {
			struct helper_loop_io *io = which[i];

			if (!pfds[i].revents || io->dead)
				continue;
			io->fn(io, io->fd, pfds[i].revents, io->data);
		}
		helper_loop_fire_timers(loop);
	}
	return loop->status;
}
