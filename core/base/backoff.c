// SPDX-License-Identifier: GPL-2.0-or-later
#include "backoff.h"

#include <stdlib.h>

const struct backoff_policy backoff_policy_reconnect = {
    .initial_ms = 1000,
    .factor = 2,
    .cap_ms = 30000,
    .max_tries = 0,
    .budget_ms = 300000,
};

const struct backoff_policy backoff_policy_dtls = {
    .initial_ms = 1000,
    .factor = 2,
    .cap_ms = 16000,
    .max_tries = 5,
    .budget_ms = 0,
};

struct backoff {
	struct backoff_policy p;
	uint32_t tries;
	uint64_t start_ms;
	uint64_t delay_ms; /* the delay handed out last; saturates at the cap */
};

struct backoff *backoff_new(const struct backoff_policy *policy)
{
	struct backoff *b;

	if (!policy)
		return NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->p = *policy;
	if (!b->p.factor)
		b->p.factor = 1;
	return b;
}

void backoff_free(struct backoff *b)
{
	free(b);
}

void backoff_reset(struct backoff *b)
{
	b->tries = 0;
	b->start_ms = 0;
	b->delay_ms = 0;
}

int64_t backoff_next(struct backoff *b, uint64_t now_ms)
{
	uint64_t delay;

	if (b->p.max_tries && b->tries >= b->p.max_tries)
		return -1;
	if (b->tries == 0) {
		b->start_ms = now_ms;
		delay = b->p.initial_ms;
	} else {
		/* Saturating multiply: a factor of 2 for a week must not wrap to a tiny delay. */
		delay =
		    b->delay_ms > UINT64_MAX / b->p.factor ? UINT64_MAX : b->delay_ms * b->p.factor;
	}
	if (b->p.cap_ms && delay > b->p.cap_ms)
		delay = b->p.cap_ms;
	if (delay > INT64_MAX)
		delay = INT64_MAX;
	if (b->p.budget_ms) {
		uint64_t elapsed = now_ms >= b->start_ms ? now_ms - b->start_ms : 0;

		if (elapsed >= b->p.budget_ms || delay > b->p.budget_ms - elapsed)
			return -1;
	}
	b->tries++;
	b->delay_ms = delay;
	return (int64_t)delay;
}

uint32_t backoff_tries(const struct backoff *b)
{
	return b->tries;
}
