// SPDX-License-Identifier: GPL-2.0-or-later
/* The DTLS channel's session phase (helper/worker/worker-dtls-phase.c): every event in every
 * phase (docs/state-machines.md "DTLS channel"). */
#include <glib.h>

#include "worker-dtls-phase.h"

#define PENDING     WORKER_DTLS_PHASE_PENDING
#define CLOSED      WORKER_DTLS_PHASE_CLOSED
#define HANDSHAKING WORKER_DTLS_PHASE_HANDSHAKING
#define ESTABLISHED WORKER_DTLS_PHASE_ESTABLISHED

static void test_table(void)
{
	static const struct {
		enum worker_dtls_phase from;
		enum worker_dtls_phase_event event;
		enum worker_dtls_phase to;
	} cases[] = {
	    /* Nothing happens before the first wakeup: a quick handshake must not report DTLS
	     * before the tunnel was reported up over TLS. */
	    {PENDING, WORKER_DTLS_EVENT_START, CLOSED},
	    {PENDING, WORKER_DTLS_EVENT_TRY, PENDING},
	    {PENDING, WORKER_DTLS_EVENT_DONE, PENDING},
	    {PENDING, WORKER_DTLS_EVENT_CLOSE, PENDING},
	    {CLOSED, WORKER_DTLS_EVENT_START, CLOSED},
	    {CLOSED, WORKER_DTLS_EVENT_TRY, HANDSHAKING},
	    {CLOSED, WORKER_DTLS_EVENT_DONE, CLOSED},
	    {CLOSED, WORKER_DTLS_EVENT_CLOSE, CLOSED},
	    {HANDSHAKING, WORKER_DTLS_EVENT_START, HANDSHAKING},
	    {HANDSHAKING, WORKER_DTLS_EVENT_TRY, HANDSHAKING},
	    {HANDSHAKING, WORKER_DTLS_EVENT_DONE, ESTABLISHED},
	    {HANDSHAKING, WORKER_DTLS_EVENT_CLOSE, CLOSED},
	    {ESTABLISHED, WORKER_DTLS_EVENT_START, ESTABLISHED},
	    {ESTABLISHED, WORKER_DTLS_EVENT_TRY, HANDSHAKING},
	    {ESTABLISHED, WORKER_DTLS_EVENT_DONE, ESTABLISHED},
	    {ESTABLISHED, WORKER_DTLS_EVENT_CLOSE, CLOSED},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		enum worker_dtls_phase got = worker_dtls_phase_next(cases[i].from, cases[i].event);

		if (got != cases[i].to)
			g_error("%s + event %d: %s, expected %s",
			        worker_dtls_phase_name(cases[i].from), (int)cases[i].event,
			        worker_dtls_phase_name(got), worker_dtls_phase_name(cases[i].to));
	}
}

/* The channel's life as worker-dtls.c drives it: a failed try, a success, a loss, a rekey. */
static void test_sequence(void)
{
	static const enum worker_dtls_phase_event events[] = {
	    WORKER_DTLS_EVENT_START, WORKER_DTLS_EVENT_CLOSE, WORKER_DTLS_EVENT_TRY,
	    WORKER_DTLS_EVENT_CLOSE, WORKER_DTLS_EVENT_CLOSE, WORKER_DTLS_EVENT_TRY,
	    WORKER_DTLS_EVENT_DONE,  WORKER_DTLS_EVENT_CLOSE, WORKER_DTLS_EVENT_CLOSE,
	    WORKER_DTLS_EVENT_TRY,   WORKER_DTLS_EVENT_DONE,
	};
	static const enum worker_dtls_phase expect[] = {
	    CLOSED,      CLOSED, HANDSHAKING, CLOSED,      CLOSED,      HANDSHAKING,
	    ESTABLISHED, CLOSED, CLOSED,      HANDSHAKING, ESTABLISHED,
	};
	enum worker_dtls_phase p = PENDING;

	for (size_t i = 0; i < G_N_ELEMENTS(events); i++) {
		p = worker_dtls_phase_next(p, events[i]);
		g_assert_cmpint(p, ==, expect[i]);
	}
}

static void test_names(void)
{
	g_assert_cmpstr(worker_dtls_phase_name(PENDING), ==, "pending");
	g_assert_cmpstr(worker_dtls_phase_name(CLOSED), ==, "closed");
	g_assert_cmpstr(worker_dtls_phase_name(HANDSHAKING), ==, "handshaking");
	g_assert_cmpstr(worker_dtls_phase_name(ESTABLISHED), ==, "established");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/worker-dtls-phase/table", test_table);
	g_test_add_func("/worker-dtls-phase/sequence", test_sequence);
	g_test_add_func("/worker-dtls-phase/names", test_names);
	return g_test_run();
}
