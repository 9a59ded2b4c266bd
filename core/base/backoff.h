/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * A retry policy: the delay before try n+1 is initial * factor^n, capped; the policy gives up
 * after max_tries retries or when the next try would start after budget_ms from the first
 * failure.  Time is passed in (milliseconds of any monotonic clock), so tests are exact.
 *
 * Used for the CSTP reconnect (docs/protocol.md "Reconnecting") and for DTLS (5 retries, 1 s
 * doubling to 16 s: docs/protocol.md "DTLS fallback when UDP is blocked").
 */
#include <stdbool.h>
#include <stdint.h>

#include "cleanup.h"

struct backoff_policy {
	uint32_t initial_ms; /* delay before the first retry (0 makes every delay 0) */
	uint32_t factor;     /* multiplier per retry (1 = constant); 0 is treated as 1 */
	uint32_t cap_ms;     /* largest single delay; 0 = no cap */
	uint32_t max_tries;  /* retries allowed; 0 = unlimited */
	uint64_t budget_ms;  /* total time from the first failure; 0 = unlimited */
};

/* CSTP reconnect: 1, 2, 4, 8, 16, 30, 30 ... s, for at most 300 s in total. */
extern const struct backoff_policy backoff_policy_reconnect;
/* DTLS: 1, 2, 4, 8, 16 s, then give up. */
extern const struct backoff_policy backoff_policy_dtls;

struct backoff;

struct backoff *backoff_new(const struct backoff_policy *policy); /* NULL on ENOMEM */
void backoff_free(struct backoff *b);

/* Forget every failure: the next backoff_next() starts the sequence again. */
void backoff_reset(struct backoff *b);

/*
 * A try failed at now_ms.  Returns the delay in milliseconds before the next try, or -1 when
 * the policy gives up (tries or budget exhausted).  The first call after new/reset starts the
 * budget clock.
 */
int64_t backoff_next(struct backoff *b, uint64_t now_ms);

/* Retries handed out since the last reset. */
uint32_t backoff_tries(const struct backoff *b);

DEFINE_CLEANUP(struct backoff *, backoff_free)
