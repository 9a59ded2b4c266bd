/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * What the DTLS channel negotiates in CONNECT (docs/protocol.md "Which suite the gateway picked"):
 *  - the suite lists we offer (X-DTLS-CipherSuite / X-DTLS12-CipherSuite), built from the one
 *    table that also maps the gateway's answer back to GnuTLS parameters, so we can never
 *    accept a suite we did not offer;
 *  - the answer: "PSK-NEGOTIATE" in X-DTLS-CipherSuite selects the PSK method; anything else
 *    is a legacy (Cisco) suite whose DTLS version depends on WHICH header named it
 *    (docs/protocol.md "Pitfall: a DTLS suite's version depends on its header"): AES256-SHA
 *    answered in X-DTLS-CipherSuite is DTLS 0.9, the same name in X-DTLS12-CipherSuite would be
 *    DTLS 1.2 (we offer no CBC suite there);
 *  - the GnuTLS priority strings of both methods (ChaCha20 only in PSK mode and there last:
 *    docs/architecture.md "Data path"; no legacy suite uses it, as ocserv 1.1.6 and Cisco's
 *    gateways offer none);
 *  - the GnuTLS versions that must not run DTLS (all-zero ClientHello random);
 *  - the PSK key: 32 bytes of the RFC 5705 exporter of the CURRENT CSTP TLS session, label
 *    "EXPORTER-openconnect-psk", no context, computed exactly as ocserv does
 *    (docs/protocol.md "Pitfall: the PSK comes from this CONNECT's TLS session").
 */
#include <gnutls/gnutls.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dtls_method {
	DTLS_METHOD_NONE = 0,
	DTLS_METHOD_PSK, /* PSK-NEGOTIATE: real DTLS handshake, App-ID as ClientHello session id */
	DTLS_METHOD_LEGACY, /* resumption of a session made of X-DTLS-Master-Secret + Session-ID */
};

#define DTLS_SUITE_PSK_NEGOTIATE "PSK-NEGOTIATE"
#define DTLS_SUITE_PSK_KEY_LEN   32
#define DTLS_SUITE_PSK_LABEL     "EXPORTER-openconnect-psk"
#define DTLS_SUITE_PSK_IDENTITY  "psk"
#define DTLS_SUITE_MASTER_LEN    48 /* X-DTLS-Master-Secret */
#define DTLS_SUITE_SESSION_LEN   32 /* X-DTLS-Session-ID */

/* A legacy suite: the fake session handed to gnutls_session_set_premaster(). */
struct dtls_suite {
	const char *name; /* as it appears in the header */
	bool dtls12;      /* offered (and only accepted) in X-DTLS12-CipherSuite */
	gnutls_protocol_t version;
	gnutls_kx_algorithm_t kx;
	gnutls_cipher_algorithm_t cipher;
	gnutls_mac_algorithm_t mac;
	const char *priority; /* exactly one version, cipher, MAC and key exchange */
};

/* The offer, in the order real clients send it (docs/protocol.md "The CONNECT request"). */
const char *dtls_suite_offer(void);   /* X-DTLS-CipherSuite, starts with PSK-NEGOTIATE */
const char *dtls_suite_offer12(void); /* X-DTLS12-CipherSuite */

/*
 * Maps the gateway's choice.  name is the value, dtls12 true when it came in
 * X-DTLS12-CipherSuite.  Returns DTLS_METHOD_PSK (PSK-NEGOTIATE in X-DTLS-CipherSuite),
 * DTLS_METHOD_LEGACY with *suite set (a suite we offered in that very header; names compare
 * case-sensitively, as gateways echo our spelling), or DTLS_METHOD_NONE for anything else
 * (unknown, not offered, PSK-NEGOTIATE in the 1.2 header, NULL): DTLS off, gracefully.
 */
enum dtls_method dtls_suite_choose(const char *name, bool dtls12, const struct dtls_suite **suite);

/*
 * PSK priority from the TLS one: TLS versions removed, DTLS added, key exchange restricted to
 * plain PSK, ChaCha20-Poly1305 moved to the end (the gateway's choice when it has nothing else,
 * e.g. ocserv's match-tls-dtls-ciphers after a ChaCha20 TLS session).  Returns 0,
 * -ERR_INVALID_ARGS (empty or NULL tls priority) or -ERR_TOO_LARGE (out too small).
 */
int dtls_suite_psk_priority(const char *tls_priority, char *out, size_t len);

/*
 * May this GnuTLS run DTLS?  version is "3.7.9"-style (gnutls_check_version(NULL)).  False for
 * 3.6.3 up to 3.6.12, which sent an all-zero ClientHello random (ocserv drops those hellos),
 * and for anything that does not parse.
 */
bool dtls_suite_gnutls_ok(const char *version);

/*
 * The PSK-NEGOTIATE key from the CSTP TLS session (gnutls_prf, label first, client random
 * first, no context).  0 or -ERR_TLS.  The key is secret: wipe it after use.
 */
int dtls_suite_psk_key(gnutls_session_t tls, uint8_t key[DTLS_SUITE_PSK_KEY_LEN]);
