/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Where the DTLS channel's current GnuTLS session is (docs/state-machines.md "DTLS channel"):
 * a sub-state of the channel beside its tries and give-up (helper/worker/proto/dtls-fallback.h).
 * Pure: worker-dtls.c passes the events in and stores the result in one place.
 */

enum worker_dtls_phase {
	WORKER_DTLS_PHASE_PENDING,     /* made with the tunnel; the first try waits for a wakeup */
	WORKER_DTLS_PHASE_CLOSED,      /* no session: between tries, given up, or lost */
	WORKER_DTLS_PHASE_HANDSHAKING, /* a try's handshake is running */
	WORKER_DTLS_PHASE_ESTABLISHED, /* handshake done and verified: the channel carries data */
};

enum worker_dtls_phase_event {
	WORKER_DTLS_EVENT_START, /* the first wakeup after the tunnel was reported up over TLS */
	WORKER_DTLS_EVENT_TRY,   /* a try's socket and session are set up */
	WORKER_DTLS_EVENT_DONE,  /* the handshake completed and was verified */
	WORKER_DTLS_EVENT_CLOSE, /* the session and its socket were dropped */
};

/* The phase after event e in phase p; an event that does not apply leaves p as it is. */
enum worker_dtls_phase worker_dtls_phase_next(enum worker_dtls_phase p,
                                              enum worker_dtls_phase_event e);
const char *worker_dtls_phase_name(enum worker_dtls_phase p);
