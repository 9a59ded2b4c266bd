/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * A private key that stays with its owner: the worker signs its TLS handshakes through a
 * SOCK_SEQPACKET socket whose other end is the login side, which holds the key (a smart card
 * or token the user's session can reach and the worker cannot).  One request, one answer:
 *
 *   request:  op (1 byte: 1 = sign data, 2 = sign a hash), 3 zero bytes, the gnutls sign
 *             algorithm (u32, big-endian), the gnutls signing flags (u32), then 1 to
 *             TLS_REMOTE_KEY_MAX_INPUT bytes to sign
 *   answer:   0 (u32) and the signature, or an error code (u32, positive -ERR_*)
 *
 * The server checks what it is asked (known operation, an algorithm of the key's kind, a hash
 * of that algorithm's length) and signs nothing else; a worker can still have any data signed
 * while the login side serves it, which is what a TLS client certificate needs.
 */
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#define TLS_REMOTE_KEY_MAX_INPUT     4096
#define TLS_REMOTE_KEY_MAX_SIGNATURE 2048
#define TLS_REMOTE_KEY_TIMEOUT_MS    30000

/* The worker's side: a key whose signatures come from fd; leaf names the public key. */
int tls_remote_key_import(int fd, gnutls_x509_crt_t leaf, gnutls_privkey_t *out);

/* The owner's side: answers one request on fd with key.  0 after an answer (also a refusal),
 * 1 when the peer closed the socket, -ERR_IO on a socket error. */
int tls_remote_key_serve(int fd, gnutls_privkey_t key);
