/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * A DTLS client session for the data channel (docs/protocol.md "Legacy Cisco DTLS" and
 * docs/protocol.md "PSK-NEGOTIATE"), without its transport: the caller installs push/pull
 * functions and drives the non-blocking handshake.
 *
 *  - both methods: GNUTLS_CLIENT | GNUTLS_DATAGRAM | GNUTLS_NONBLOCK | GNUTLS_NO_TICKETS and
 *    GnuTLS's no-default-extensions flag (as openconnect; GnuTLS 3.7.9 still sends a few);
 *  - legacy: the suite's one-of-everything priority, which also turns every extension off
 *    (the fake session has no extended master secret or renegotiation info; see dtls-suite.c
 *    and docs/protocol.md "Pitfall: no TLS extensions in the legacy DTLS hello"), record
 *    padding off, and gnutls_session_set_premaster() with the 48-byte master secret and the
 *    32-byte session id; after the handshake dtls_session_verify() insists on a resumption
 *    (docs/protocol.md "Pitfall: a legacy DTLS handshake must be a resumption");
 *  - PSK: the derived priority, PSK credentials (identity "psk", the exporter key), and the
 *    App-ID as the ClientHello session id.
 */
#include <gnutls/gnutls.h>
#include <stddef.h>
#include <stdint.h>

#include "cleanup.h"
#include "dtls-suite.h"

struct dtls_session_params {
	enum dtls_method method;
	const struct dtls_suite *suite; /* legacy */
	const char *psk_priority;       /* PSK: from dtls_suite_psk_priority() */
	const uint8_t *key;             /* legacy: master secret (48), PSK: key (32) */
	size_t key_len;
	const uint8_t *session_id; /* legacy: X-DTLS-Session-ID (32), PSK: App-ID (1..32) */
	size_t session_id_len;
	unsigned retrans_ms; /* GnuTLS retransmission timeout of the handshake (0 = 1000) */
	unsigned total_ms;   /* handshake timeout (0 = 60000) */
};

struct dtls_session {
	gnutls_session_t session;
	gnutls_psk_client_credentials_t psk; /* PSK only */
	enum dtls_method method;
};

/* 0 with *out ready for the handshake, or -ERR_INVALID_ARGS (bad lengths, no suite),
 * -ERR_UNSUPPORTED (this GnuTLS cannot run DTLS: dtls_suite_gnutls_ok()), -ERR_TLS (GnuTLS
 * refused a setting), -ERR_NOMEM. */
int dtls_session_new(const struct dtls_session_params *p, struct dtls_session **out);
void dtls_session_free(struct dtls_session *s); /* NULL is fine; no close_notify is sent */

/* After gnutls_handshake() returned 0: 0, or -ERR_TLS when a legacy handshake was a full one
 * (someone else answered) or the negotiated version is not the suite's. */
int dtls_session_verify(const struct dtls_session *s, const struct dtls_session_params *p);

DEFINE_CLEANUP(struct dtls_session *, dtls_session_free)
