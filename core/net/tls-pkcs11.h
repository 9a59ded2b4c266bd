/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Client identities on smart cards and tokens, named by PKCS#11 URIs (RFC 7512) and reached
 * through the modules p11-kit is configured with.  Only the login side opens a token: the key
 * never leaves it, and the worker signs through the login (tls-remote-key.h).
 */
#include <gnutls/abstract.h>
#include <stdbool.h>

#include "secret.h"
#include "tls-identity.h"

bool tls_pkcs11_is_uri(const char *s);

/* Opens the certificate at cert_uri and the private key at key_uri (NULL: the same URI) and
 * makes one signature with the key, checked against the certificate: a missing PIN or a key
 * that is not the certificate's shows here, not in a handshake.  chain gets the certificate,
 * *key the key.  Returns 0, -ERR_KEY_PASSWORD (the token wants its PIN, or pin is wrong; a wrong
 * PIN is never retried, so that the token does not lock), -ERR_CLIENT_CERT or -ERR_NOMEM; why
 * (may be NULL) gets one English sentence on failure. */
int tls_pkcs11_open(const char *cert_uri, const char *key_uri, const struct secret *pin,
		    struct tls_identity_parts *chain, gnutls_privkey_t *key, char *why,
		    size_t why_len);
