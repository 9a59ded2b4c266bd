/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Why a TLS handshake with a gateway failed, when the gateway is obsolete (only TLS 1.0/1.1, or
 * only 3DES or RC4).  GnuTLS then reports a symptom ("unsupported version packet", "non-properly
 * terminated", an alert) that names nothing the user or the administrator can act on.
 *
 * After a failure that looks like a refusal of what we offer (tls_diagnose_worth()),
 * tls_conn_open() calls tls_diagnose(): a second handshake that also allows the old versions
 * and ciphers, from which only the negotiated version, cipher, MAC and key exchange are read;
 * no request is sent, no certificate is checked, the connection is closed at once.  When
 * something of that is outside the priority we connect with, the failure becomes
 * -ERR_TLS_OBSOLETE with a sentence that names it.
 */
#include <gnutls/gnutls.h>
#include <stdbool.h>
#include <stddef.h>

#include "tls-conn.h"

/* Everything GnuTLS 3.7.9 can still negotiate (SSL 3.0 is compiled out). */
#define TLS_DIAGNOSE_PRIORITY "NORMAL:+VERS-TLS1.0:+VERS-TLS1.1:+3DES-CBC:+ARCFOUR-128:%COMPAT"

/* What a handshake settled on. */
struct tls_negotiated {
	gnutls_protocol_t version;
	gnutls_cipher_algorithm_t cipher;
	gnutls_mac_algorithm_t mac;
	gnutls_kx_algorithm_t kx; /* GNUTLS_KX_UNKNOWN in TLS 1.3 */
};

/*
 * Does this gnutls_handshake() error look like the gateway refusing our versions or ciphers
 * (an old ServerHello version, a protocol_version / handshake_failure / insufficient_security
 * alert, a close without an alert, no common suite)?  alert: gnutls_alert_get() after
 * GNUTLS_E_FATAL_ALERT_RECEIVED, else ignored.
 */
bool tls_diagnose_worth(int gnutls_err, gnutls_alert_description_t alert);

/*
 * The sentence for what a gateway negotiated when `priority` refuses part of it, e.g. "the
 * gateway offers only TLS 1.0 with 3DES-CBC; this client needs TLS 1.2 or later and refuses
 * 3DES-CBC".  0 (buf written), -ERR_NOT_FOUND when the priority accepts all of it (the
 * handshake failed for another reason), -ERR_INVALID_ARGS for a priority GnuTLS rejects.
 */
int tls_diagnose_describe(const struct tls_negotiated *n, const char *priority, char *buf,
                          size_t len);

/*
 * The diagnostic handshake with the options of the failed one, at peer_address (the address
 * that failed) and refused by `priority`: 0 with the sentence in buf, or a negative error
 * when it says nothing (the handshake fails here too, or everything it got is acceptable).
 */
int tls_diagnose(const struct tls_conn_options *o, const char *peer_address, const char *priority,
                 char *buf, size_t len);
