// SPDX-License-Identifier: GPL-2.0-or-later
#include "worker-dtls-phase.h"

enum worker_dtls_phase worker_dtls_phase_next(enum worker_dtls_phase p,
                                              enum worker_dtls_phase_event e)
{
	switch (e) {
	case WORKER_DTLS_EVENT_START:
		return p == WORKER_DTLS_PHASE_PENDING ? WORKER_DTLS_PHASE_CLOSED : p;
	case WORKER_DTLS_EVENT_TRY:
		/* A try replaces whatever session there was; never before the first wakeup. */
		return p == WORKER_DTLS_PHASE_PENDING ? p : WORKER_DTLS_PHASE_HANDSHAKING;
	case WORKER_DTLS_EVENT_DONE:
		return p == WORKER_DTLS_PHASE_HANDSHAKING ? WORKER_DTLS_PHASE_ESTABLISHED : p;
	case WORKER_DTLS_EVENT_CLOSE:
		/* Freeing a channel that never started keeps it pending. */
		return p == WORKER_DTLS_PHASE_PENDING ? p : WORKER_DTLS_PHASE_CLOSED;
	}
	return p;
}

const char *worker_dtls_phase_name(enum worker_dtls_phase p)
{
	switch (p) {
	case WORKER_DTLS_PHASE_PENDING:
		return "pending";
	case WORKER_DTLS_PHASE_CLOSED:
		return "closed";
	case WORKER_DTLS_PHASE_HANDSHAKING:
		return "handshaking";
	case WORKER_DTLS_PHASE_ESTABLISHED:
		return "established";
	}
	return "?";
}
