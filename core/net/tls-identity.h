/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Client identities (a certificate chain and its private key) in the formats users are handed:
 *  - PEM: certificates, and the key in the same file or in its own; the key as PKCS#1 or PKCS#8,
 *    unencrypted or encrypted (PKCS#8 PBES1/PBES2, OpenSSL's PKCS#1 with DEK-Info);
 *  - DER: one certificate, and its key (PKCS#1, PKCS#8, encrypted PKCS#8) in a second file;
 *  - PKCS#12 (.p12/.pfx), with or without a password, the password in UTF-8;
 *  - a key kept elsewhere: key_fd is then a socket to whoever holds it (tls-remote-key.h), and
 *    the certificate file holds only the chain (a smart card's key never leaves the card).
 *
 * The login side decodes what the user named (asking for the password when one is needed) and
 * seals the result into an anonymous memory file as one unencrypted PEM bundle: that descriptor
 * serves the login's own TLS connections and travels to the helper for the worker's, so neither
 * the helper nor the worker ever sees a password or the user's files.
 */
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stddef.h>

#include "secret.h"

struct tls_identity {
	const char *cert_file; /* PEM, DER or PKCS#12 */
	const char *key_file;  /* NULL when cert_file holds the key */
	int cert_fd;           /* instead of the file names: -1 when unused */
	int key_fd;
	const struct secret *password; /* for an encrypted key or PKCS#12; may be NULL */
};

/* A decoded identity. */
struct tls_identity_parts {
	gnutls_x509_crt_t *chain; /* leaf first */
	unsigned n_chain;
	gnutls_x509_privkey_t key; /* NULL for a key kept elsewhere */
};

/* Returns 0, -ERR_KEY_PASSWORD (a password is needed, or the one given is wrong),
 * -ERR_CLIENT_CERT (unreadable, unknown format, no key, key and certificate do not match) or
 * -ERR_NOMEM.  why (may be NULL) gets one English sentence on failure. */
int tls_identity_decode(const struct tls_identity *id, struct tls_identity_parts *out, char *why,
			size_t why_len);
void tls_identity_parts_clear(struct tls_identity_parts *p);

/* For a TLS session: the chain as pcerts (*n entries, calloc'ed) and the key. */
int tls_identity_load(const struct tls_identity *id, gnutls_pcert_st **pcerts, unsigned *n,
		      gnutls_privkey_t *key);

/* Decodes the identity and writes its chain and unencrypted key as PEM into a sealed memfd.
 * Same returns as tls_identity_decode; *fd is set (close-on-exec) on success. */
int tls_identity_seal(const struct tls_identity *id, int *fd, char *why, size_t why_len);
/* The same for parts already decoded; without a key, only the chain is written. */
int tls_identity_seal_parts(const struct tls_identity_parts *p, int *fd);
