/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Server certificate pins (docs/protocol.md "Certificate check and pins").
 *
 * Text forms accepted by cert_pin_parse(), nothing else (no whitespace, no openconnect-style
 * prefix of a pin, no upper-case prefixes):
 *   pin-sha256:<44 chars of padded base64>  SHA-256 of the DER SubjectPublicKeyInfo (canonical
 *                                           base64: case-sensitive, unused bits zero)
 *   sha256:<64 hex>                         the same hash in hex (any case)
 *   sha1:<40 hex>                           SHA-1 of the SubjectPublicKeyInfo
 *   <40 hex>                                SHA-1 of the whole DER certificate: what ocserv
 *                                           announces as `sh:` in webvpnc / ASA server-cert-hash
 * The SPKI pins survive a renewal with the same key; store pin-sha256.
 */
#include <gnutls/x509.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room for any formatted pin, NUL included ("pin-sha256:" + 44 = 55 characters). */
#define CERT_PIN_TEXT_SIZE 64

enum cert_pin_type {
	CERT_PIN_SPKI_SHA256, /* pin-sha256:<b64> and sha256:<hex> */
	CERT_PIN_SPKI_SHA1,   /* sha1:<hex> */
	CERT_PIN_CERT_SHA1,   /* <40 hex>: SHA-1 of the DER certificate */
};

struct cert_pin {
	enum cert_pin_type type;
	uint8_t hash[32];
	size_t hash_len; /* 32 or 20 */
};

/* "pin-sha256:<base64(SHA-256(SubjectPublicKeyInfo DER))>".  0, -ERR_TOO_LARGE if len is below
 * CERT_PIN_TEXT_SIZE-ish (56 needed), -ERR_INVALID_ARGS, or -ERR_TLS if GnuTLS fails. */
int cert_pin_from_cert(gnutls_x509_crt_t crt, char *pin, size_t len);

/* SHA-1 of the whole DER certificate as 40 upper-case hex digits and a NUL.  0 or -ERR_*. */
int cert_pin_sha1_hex(gnutls_x509_crt_t crt, char out[41]);

/* Computes the pin of the given type for a certificate.  0 or -ERR_*. */
int cert_pin_compute(gnutls_x509_crt_t crt, enum cert_pin_type type, struct cert_pin *out);

/* 0 or -ERR_INVALID_ARGS; *out only on success. */
int cert_pin_parse(const char *text, struct cert_pin *out);

/* Whether crt has this pin; the hashes are compared in constant time.  False on any error. */
bool cert_pin_matches(const struct cert_pin *pin, gnutls_x509_crt_t crt);

/* Same type and hash (constant time).  sha256:<hex> and pin-sha256:<b64> are the same pin. */
bool cert_pin_equal(const struct cert_pin *a, const struct cert_pin *b);

/*
 * Canonical text: pin-sha256:<b64> for both SHA-256 forms, sha1:<lower-case hex>, and
 * upper-case hex for the certificate SHA-1.  0, -ERR_INVALID_ARGS or -ERR_TOO_LARGE.
 */
int cert_pin_format(const struct cert_pin *pin, char *buf, size_t len);
