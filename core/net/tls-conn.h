/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * A TLS client connection to a gateway (GnuTLS), shared by the login (core-auth), the CLI, the
 * GUI and the worker.  One connection = one TCP connection + one TLS session; reconnecting
 * means a new tls_conn.
 *
 * Server certificate policy:
 *  - with opts->pin set, exactly the certificate whose key matches the pin is accepted, whatever
 *    its chain says; any other certificate fails with -ERR_CERT_PIN_MISMATCH.  The worker always
 *    runs this way: it never asks anybody.
 *  - without a pin, the chain is verified against opts->cafile (or the system trust store) and
 *    the host name (SAN); a failure is -ERR_CERT_UNTRUSTED.
 * Either way *report (if given) describes the certificate seen, so a UI can show subject, issuer,
 * validity, the reason and the pin, and the caller can connect again with that pin once the user
 * accepted it.
 *
 * Client certificates: any number of identities (tls-identity.h: files in the common formats,
 * or descriptors for the worker, which cannot open the user's files).  When the gateway sends a
 * CertificateRequest, the identity whose issuer is in the gateway's CA list is presented; with
 * one identity and an empty list, that one.
 */
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "cleanup.h"
#include "secret.h"
#include "tls-identity.h"

#define TLS_CONN_MAX_IDENTITIES 8

/* TLS 1.2+ only (gateways refuse older); +SHA256 re-enables the CBC-SHA256 suites some old ASAs
 * still need; %COMPAT pads the ClientHello past the 256..511-byte range some middleboxes drop. */
#define TLS_CONN_DEFAULT_PRIORITY                                                                  \
	"NORMAL:-VERS-SSL3.0:-VERS-TLS1.0:-VERS-TLS1.1:+SHA256:%COMPAT:-3DES-CBC:-ARCFOUR-128"


struct tls_conn_options {
	const char *host;    /* name as the user gave it: SNI (not for IP literals) and verification */
	uint16_t port;       /* 443 if 0 */
	const char *address; /* numeric address to connect to; NULL = resolve host */
	const char *cafile;  /* NULL = system trust store */
	const char *pin;     /* see above; NULL = verify the chain */
	/* Verify nothing yet: the caller sends nothing before tls_conn_check_pin() (a
	 * connection opened ahead of the login, while the pin is not known). */
	bool defer_check;
	const char *priority; /* GnuTLS priority string; NULL = our default */
	int timeout_ms;       /* connect and handshake, and each blocking read/write; 0 = 30000 */
	const struct tls_identity *identities;
	size_t n_identities;
};

struct tls_cert_report {
	bool present;           /* the server sent a certificate at all */
	unsigned gnutls_status; /* GNUTLS_CERT_* bits from the chain verification */
	char reason[256];       /* English summary: "issuer unknown; name mismatch" */
	char subject[512];
	char issuer[512];
	time_t not_before, not_after;
	char pin[64];  /* pin-sha256:<base64> of the leaf key */
	char sha1[41]; /* SHA-1 of the leaf DER, upper-case hex (what gateways report) */
	int identity_sent; /* our client identity presented (index), -1 for none */
	bool cert_requested; /* the gateway asked for a client certificate in the handshake */
	/* -ERR_TLS_OBSOLETE: what the gateway offers that we refuse (core/net/tls-diagnose.h) */
	char refused[200];
};

struct tls_conn;

/* Resolves (unless address is given), connects, handshakes and checks the certificate.
 * Returns 0, -ERR_RESOLVE, -ERR_CONNECT, -ERR_TIMEOUT, -ERR_TLS, -ERR_TLS_OBSOLETE (the gateway
 * offers only versions or ciphers the priority refuses: report->refused says which),
 * -ERR_CERT_UNTRUSTED,
 * -ERR_CERT_PIN_MISMATCH, -ERR_CLIENT_CERT (identity files unusable) or -ERR_INVALID_ARGS.
 * *out is only set on success. */
int tls_conn_open(const struct tls_conn_options *opts, struct tls_conn **out,
		  struct tls_cert_report *report);
void tls_conn_free(struct tls_conn *c); /* sends close_notify (best effort) and closes */
/* The check deferred by defer_check, in pin mode: 0 or -ERR_CERT_PIN_MISMATCH (the report says
 * which certificate came), -ERR_INVALID_ARGS for a malformed pin. */
int tls_conn_check_pin(struct tls_conn *c, const char *pin, struct tls_cert_report *report);

/* Blocking I/O with the configured timeout.  recv returns bytes read, 0 on a clean close,
 * or -ERR_TIMEOUT / -ERR_TLS / -ERR_IO. */
int tls_conn_send_all(struct tls_conn *c, const void *data, size_t len);
ssize_t tls_conn_recv(struct tls_conn *c, void *buf, size_t len);

/* For the data path: the session and socket, to drive them non-blocking. */
gnutls_session_t tls_conn_session(struct tls_conn *c);
int tls_conn_fd(const struct tls_conn *c);
const char *tls_conn_peer_address(const struct tls_conn *c); /* numeric IP actually used */

DEFINE_CLEANUP(struct tls_conn *, tls_conn_free)
