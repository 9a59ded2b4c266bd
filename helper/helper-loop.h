/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The helper's event loop: one poll() over file descriptors (the bus connection's watches,
 * worker sockets, the signalfd) and one-shot timers on CLOCK_MONOTONIC.  Single-threaded; no
 * callback ever blocks on anything but the kernel or the bus daemon.
 *
 * Sources may be removed from inside any callback (their own included): removal only marks
 * them, and the loop frees them between iterations, so a callback never runs on a freed
 * source.
 */
#include <stdbool.h>
#include <stdint.h>

#include "cleanup.h"

struct helper_loop;
struct helper_loop_io;
struct helper_loop_timer;

typedef void (*helper_loop_io_fn)(struct helper_loop_io *io, int fd, short revents, void *data);
typedef void (*helper_loop_timer_fn)(struct helper_loop_timer *timer, void *data);
/* Runs before every poll(); used to drain the bus connection's incoming queue. */
typedef void (*helper_loop_prepare_fn)(void *data);

struct helper_loop *helper_loop_new(void);
void helper_loop_free(struct helper_loop *loop);

/* events: POLLIN/POLLOUT; 0 keeps the source but leaves it out of poll(). */
struct helper_loop_io *helper_loop_io_add(struct helper_loop *loop, int fd, short events,
                                          helper_loop_io_fn fn, void *data);
void helper_loop_io_set_events(struct helper_loop_io *io, short events);
void helper_loop_io_remove(struct helper_loop_io *io); /* NULL is fine; does not close fd */

/* One-shot: fires once after ms milliseconds unless removed or re-armed. */
struct helper_loop_timer *helper_loop_timer_add(struct helper_loop *loop, uint64_t ms,
                                                helper_loop_timer_fn fn, void *data);
void helper_loop_timer_rearm(struct helper_loop_timer *timer, uint64_t ms);
void helper_loop_timer_disarm(struct helper_loop_timer *timer); /* keeps it for a later rearm */
void helper_loop_timer_remove(struct helper_loop_timer *timer); /* NULL is fine */

void helper_loop_set_prepare(struct helper_loop *loop, helper_loop_prepare_fn fn, void *data);

/* Runs until helper_loop_quit(); returns the status given there, or -ERR_IO if poll() fails. */
int helper_loop_run(struct helper_loop *loop);
void helper_loop_quit(struct helper_loop *loop, int status);

uint64_t helper_loop_now_ms(void);

DEFINE_CLEANUP(struct helper_loop *, helper_loop_free)
