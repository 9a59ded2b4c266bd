/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * When to try DTLS, and when to give up on it
 * (docs/protocol.md "DTLS fallback when UDP is blocked").  Pure: the caller passes the time in
 * and performs the actions, so the whole timeline is a unit test.
 *
 * A sequence of tries starts when the tunnel comes up (and again when DTLS dies or is
 * rebuilt).  The first try starts at once; each retry starts when the previous try's window
 * ends, the windows being the DTLS back-off policy's delays (backoff_policy_dtls: 1, 2, 4, 8,
 * 16 s).  With that policy the tries start at 0, 1, 3, 7, 15 and 31 s: the first attempt and
 * five retries.  A try that is still handshaking when its window ends is abandoned for a new
 * one (GnuTLS retransmits inside a window); a try that fails early (an ICMP error, a fatal
 * alert) just waits for its window to end, so tries are never closer than the policy says.
 * The last try gets last_window_ms (the policy's first delay, 1 s) to answer; then the
 * sequence gives up: TLS carries the data for good and the tun device gets X-CSTP-MTU.
 *
 * States: docs/state-machines.md "DTLS channel".
 */
#include <stdbool.h>
#include <stdint.h>

#include "backoff.h"
#include "cleanup.h"

#define DTLS_FALLBACK_MAX_TRIES 16 /* timeline entries kept per sequence */

enum dtls_fallback_state {
	DTLS_FALLBACK_IDLE,    /* not started */
	DTLS_FALLBACK_TRYING,  /* a handshake runs */
	DTLS_FALLBACK_WAITING, /* the try failed early; the next one starts when its window ends */
	DTLS_FALLBACK_UP,      /* established: DTLS carries the data */
	DTLS_FALLBACK_GAVE_UP, /* every try failed: TLS only */
};

enum dtls_fallback_action {
	DTLS_FALLBACK_NOTHING,
	DTLS_FALLBACK_START_TRY, /* drop any half-done handshake, start a fresh one now */
	DTLS_FALLBACK_GIVE_UP,   /* drop it; TLS carries the data, the tun MTU is X-CSTP-MTU */
};

struct dtls_fallback;

/* policy: backoff_policy_dtls in the worker (its max_tries must be non-zero).  NULL on
 * ENOMEM or a policy that would retry forever. */
struct dtls_fallback *dtls_fallback_new(const struct backoff_policy *policy);
void dtls_fallback_free(struct dtls_fallback *f);

/* Starts a new sequence (from any state): START_TRY. */
enum dtls_fallback_action dtls_fallback_start(struct dtls_fallback *f, uint64_t now_ms);
/* The running try failed before its window ended: NOTHING (wait), or GIVE_UP if it was the
 * last.  Ignored (NOTHING) unless TRYING. */
enum dtls_fallback_action dtls_fallback_try_failed(struct dtls_fallback *f, uint64_t now_ms);
/* The handshake completed (TRYING -> UP; ignored otherwise). */
void dtls_fallback_established(struct dtls_fallback *f, uint64_t now_ms);
/* Time passed: START_TRY or GIVE_UP when the current window has ended, else NOTHING. */
enum dtls_fallback_action dtls_fallback_tick(struct dtls_fallback *f, uint64_t now_ms);
/* When tick() will next have something to do; UINT64_MAX for never. */
uint64_t dtls_fallback_next_ms(const struct dtls_fallback *f);

enum dtls_fallback_state dtls_fallback_state(const struct dtls_fallback *f);
const char *dtls_fallback_state_name(enum dtls_fallback_state s);
/* Tries started in the current sequence (1 = the first attempt). */
unsigned dtls_fallback_tries(const struct dtls_fallback *f);
/* Is the running try the last one of the sequence? */
bool dtls_fallback_last_try(const struct dtls_fallback *f);
/* Timeline of the current sequence: start of try i (0-based) in ms after the sequence
 * started; UINT64_MAX for i >= tries. */
uint64_t dtls_fallback_try_offset_ms(const struct dtls_fallback *f, unsigned i);

DEFINE_CLEANUP(struct dtls_fallback *, dtls_fallback_free)
