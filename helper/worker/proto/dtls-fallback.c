// SPDX-License-Identifier: GPL-2.0-or-later
#include "dtls-fallback.h"

#include <stdlib.h>

#include "log.h"

struct dtls_fallback {
	enum dtls_fallback_state state;
	struct backoff *backoff;
	uint32_t last_window_ms;
	uint64_t seq_start_ms;
	uint64_t window_end_ms; /* TRYING/WAITING: when the current try's window ends */
	bool last;              /* the current window is the last one */
	unsigned tries;
	uint64_t try_ms[DTLS_FALLBACK_MAX_TRIES];
};

static const char *const dtls_fallback_names[] = {
    [DTLS_FALLBACK_IDLE] = "idle",       [DTLS_FALLBACK_TRYING] = "trying",
    [DTLS_FALLBACK_WAITING] = "waiting", [DTLS_FALLBACK_UP] = "up",
    [DTLS_FALLBACK_GAVE_UP] = "gave-up",
};

const char *dtls_fallback_state_name(enum dtls_fallback_state s)
{
	if ((unsigned)s >= sizeof(dtls_fallback_names) / sizeof(dtls_fallback_names[0]))
		return "?";
	return dtls_fallback_names[s];
}

struct dtls_fallback *dtls_fallback_new(const struct backoff_policy *policy)
{
	struct dtls_fallback *f;

	if (!policy || !policy->max_tries)
		return NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->backoff = backoff_new(policy);
	if (!f->backoff) {
		free(f);
		return NULL;
	}
	f->last_window_ms = policy->initial_ms;
	return f;
}

void dtls_fallback_free(struct dtls_fallback *f)
{
	if (!f)
		return;
	backoff_free(f->backoff);
	free(f);
}

/* The only place that assigns f->state. */
static void dtls_fallback_enter_state(struct dtls_fallback *f, enum dtls_fallback_state s,
                                      uint64_t now_ms)
{
	if (f->state != s)
		log_debug("DTLS fallback %s -> %s at +%llu ms (try %u)",
		          dtls_fallback_state_name(f->state), dtls_fallback_state_name(s),
		          (unsigned long long)(now_ms - f->seq_start_ms), f->tries);
	f->state = s;
}

static enum dtls_fallback_action dtls_fallback_begin_try(struct dtls_fallback *f, uint64_t now_ms)
{
	int64_t d = backoff_next(f->backoff, now_ms);

	if (f->tries < DTLS_FALLBACK_MAX_TRIES)
		f->try_ms[f->tries] = now_ms - f->seq_start_ms;
	f->tries++;
	f->last = d < 0;
	f->window_end_ms = now_ms + (d < 0 ? f->last_window_ms : (uint64_t)d);
	dtls_fallback_enter_state(f, DTLS_FALLBACK_TRYING, now_ms);
	return DTLS_FALLBACK_START_TRY;
}

enum dtls_fallback_action dtls_fallback_start(struct dtls_fallback *f, uint64_t now_ms)
{
	backoff_reset(f->backoff);
	f->seq_start_ms = now_ms;
	f->tries = 0;
	return dtls_fallback_begin_try(f, now_ms);
}

enum dtls_fallback_action dtls_fallback_try_failed(struct dtls_fallback *f, uint64_t now_ms)
{
	if (f->state != DTLS_FALLBACK_TRYING)
		return DTLS_FALLBACK_NOTHING;
	if (f->last) {
		dtls_fallback_enter_state(f, DTLS_FALLBACK_GAVE_UP, now_ms);
		return DTLS_FALLBACK_GIVE_UP;
	}
	dtls_fallback_enter_state(f, DTLS_FALLBACK_WAITING, now_ms);
	return DTLS_FALLBACK_NOTHING;
}

void dtls_fallback_established(struct dtls_fallback *f, uint64_t now_ms)
{
	if (f->state == DTLS_FALLBACK_TRYING)
		dtls_fallback_enter_state(f, DTLS_FALLBACK_UP, now_ms);
}

enum dtls_fallback_action dtls_fallback_tick(struct dtls_fallback *f, uint64_t now_ms)
{
	if (f->state != DTLS_FALLBACK_TRYING && f->state != DTLS_FALLBACK_WAITING)
		return DTLS_FALLBACK_NOTHING;
	if (now_ms < f->window_end_ms)
		return DTLS_FALLBACK_NOTHING;
	if (f->last) {
		dtls_fallback_enter_state(f, DTLS_FALLBACK_GAVE_UP, now_ms);
		return DTLS_FALLBACK_GIVE_UP;
	}
	return dtls_fallback_begin_try(f, now_ms);
}

uint64_t dtls_fallback_next_ms(const struct dtls_fallback *f)
{
	if (f->state == DTLS_FALLBACK_TRYING || f->state == DTLS_FALLBACK_WAITING)
		return f->window_end_ms;
	return UINT64_MAX;
}

enum dtls_fallback_state dtls_fallback_state(const struct dtls_fallback *f)
{
	return f->state;
}

unsigned dtls_fallback_tries(const struct dtls_fallback *f)
{
	return f->tries;
}

bool dtls_fallback_last_try(const struct dtls_fallback *f)
{
	return f->last;
}

uint64_t dtls_fallback_try_offset_ms(const struct dtls_fallback *f, unsigned i)
{
	if (i >= f->tries || i >= DTLS_FALLBACK_MAX_TRIES)
		return UINT64_MAX;
	return f->try_ms[i];
}
