// SPDX-License-Identifier: GPL-2.0-or-later
#include "tls-remote-key.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <gnutls/crypto.h>

#include "error.h"
#include "log.h"

#define TLS_REMOTE_KEY_HEAD 12

enum { TLS_REMOTE_KEY_SIGN_DATA = 1, TLS_REMOTE_KEY_SIGN_HASH = 2 };

/* Flags a signature may carry; anything else is refused rather than passed to the key. */
#define TLS_REMOTE_KEY_FLAGS                                                                       \
	(GNUTLS_PRIVKEY_SIGN_FLAG_RSA_PSS | GNUTLS_PRIVKEY_FLAG_REPRODUCIBLE)

struct tls_remote_key {
	int fd;
	gnutls_pk_algorithm_t pk;
	unsigned bits;
};

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* One datagram within the timeout: its length, 0 when the peer closed, or -ERR_*. */
static ssize_t tls_remote_key_recv(int fd, unsigned char *buf, size_t len, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ssize_t n;
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return -ERR_TIMEOUT;
	if (r < 0)
		return -ERR_IO;
	do
		n = recv(fd, buf, len, MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -ERR_IO;
	if ((size_t)n > len)
		return -ERR_TOO_LARGE;
	return n;
}

static int tls_remote_key_send(int fd, const unsigned char *buf, size_t len)
{
	ssize_t n;

	do
		n = send(fd, buf, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -ERR_IO;
}

static int tls_remote_key_ask(struct tls_remote_key *k, int op, gnutls_sign_algorithm_t algo,
			      unsigned flags, const gnutls_datum_t *in, gnutls_datum_t *sig)
{
	unsigned char req[TLS_REMOTE_KEY_HEAD + TLS_REMOTE_KEY_MAX_INPUT];
	unsigned char ans[4 + TLS_REMOTE_KEY_MAX_SIGNATURE];
	ssize_t n;
	uint32_t status;

	if (in->size == 0 || in->size > TLS_REMOTE_KEY_MAX_INPUT)
		return GNUTLS_E_INVALID_REQUEST;
	memset(req, 0, TLS_REMOTE_KEY_HEAD);
	req[0] = (unsigned char)op;
	put32(req + 4, (uint32_t)algo);
	put32(req + 8, flags);
	memcpy(req + TLS_REMOTE_KEY_HEAD, in->data, in->size);
	if (tls_remote_key_send(k->fd, req, TLS_REMOTE_KEY_HEAD + in->size) < 0) {
		log_error("client certificate: the login that holds its key is gone");
		return GNUTLS_E_PK_SIGN_FAILED;
	}
	n = tls_remote_key_recv(k->fd, ans, sizeof(ans), TLS_REMOTE_KEY_TIMEOUT_MS);
	if (n < 4) {
		log_error("client certificate: no signature from the login that holds its key (%s)",
			  n < 0 ? error_text((int)n) : "it is gone");
		return GNUTLS_E_PK_SIGN_FAILED;
	}
	status = get32(ans);
	if (status != 0 || n == 4) {
		log_error("client certificate: the key's holder refused to sign: %s",
			  error_text((int)status));
		return GNUTLS_E_PK_SIGN_FAILED;
	}
	sig->data = gnutls_malloc((size_t)n - 4);
	if (!sig->data)
		return GNUTLS_E_MEMORY_ERROR;
	memcpy(sig->data, ans + 4, (size_t)n - 4);
	sig->size = (unsigned)(n - 4);
	return 0;
}

static int tls_remote_key_sign_data(gnutls_privkey_t key, gnutls_sign_algorithm_t algo,
				    void *userdata, unsigned flags, const gnutls_datum_t *data,
				    gnutls_datum_t *sig)
{
	return tls_remote_key_ask(userdata, TLS_REMOTE_KEY_SIGN_DATA, algo, flags, data, sig);
}

static int tls_remote_key_sign_hash(gnutls_privkey_t key, gnutls_sign_algorithm_t algo,
				    void *userdata, unsigned flags, const gnutls_datum_t *hash,
				    gnutls_datum_t *sig)
{
	return tls_remote_key_ask(userdata, TLS_REMOTE_KEY_SIGN_HASH, algo, flags, hash, sig);
}

static int tls_remote_key_info(gnutls_privkey_t key, unsigned flags, void *userdata)
{
	struct tls_remote_key *k = userdata;

	if (flags & GNUTLS_PRIVKEY_INFO_PK_ALGO)
		return (int)k->pk;
	if (flags & GNUTLS_PRIVKEY_INFO_PK_ALGO_BITS)
		return (int)k->bits;
	if (flags & GNUTLS_PRIVKEY_INFO_HAVE_SIGN_ALGO)
		return gnutls_sign_supports_pk_algorithm(GNUTLS_FLAGS_TO_SIGN_ALGO(flags), k->pk);
	return -1;
}

static void tls_remote_key_deinit(gnutls_privkey_t key, void *userdata)
{
	free(userdata);
}

int tls_remote_key_import(int fd, gnutls_x509_crt_t leaf, gnutls_privkey_t *out)
{
	struct tls_remote_key *k = calloc(1, sizeof(*k));
	int pk;

	*out = NULL;
	if (!k)
		return -ERR_NOMEM;
	k->fd = fd;
	pk = gnutls_x509_crt_get_pk_algorithm(leaf, &k->bits);
	if (pk < 0) {
		free(k);
		return -ERR_CLIENT_CERT;
	}
	k->pk = (gnutls_pk_algorithm_t)pk;
	if (gnutls_privkey_init(out) < 0) {
		free(k);
		return -ERR_NOMEM;
	}
	if (gnutls_privkey_import_ext4(*out, k, tls_remote_key_sign_data, tls_remote_key_sign_hash,
				       NULL, tls_remote_key_deinit, tls_remote_key_info,
				       GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE) < 0) {
		gnutls_privkey_deinit(*out);
		*out = NULL;
		free(k);
		return -ERR_CLIENT_CERT;
	}
	return 0;
}

/* GnuTLS signs RSA PKCS#1 v1.5 through an external key as "raw": the padded input is a
 * DigestInfo it built.  Only those are signed, so the socket is no general RSA oracle. */
static bool tls_remote_key_is_digest_info(const gnutls_datum_t *in)
{
	static const struct {
		unsigned char prefix[19];
		unsigned prefix_len, hash_len;
	} known[] = {
	    {{0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
	      0x14},
	     15, 20},
	    {{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
	      0x01, 0x05, 0x00, 0x04, 0x20},
	     19, 32},
	    {{0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
	      0x02, 0x05, 0x00, 0x04, 0x30},
	     19, 48},
	    {{0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
	      0x03, 0x05, 0x00, 0x04, 0x40},
	     19, 64},
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (in->size == known[i].prefix_len + known[i].hash_len &&
		    memcmp(in->data, known[i].prefix, known[i].prefix_len) == 0)
			return true;
	return false;
}

/* 0 when the request is one this key may answer; the signature in *sig. */
static int tls_remote_key_sign(gnutls_privkey_t key, const unsigned char *req, size_t len,
			       gnutls_datum_t *sig)
{
	gnutls_sign_algorithm_t algo = (gnutls_sign_algorithm_t)get32(req + 4);
	unsigned flags = get32(req + 8);
	gnutls_datum_t in = {(unsigned char *)req + TLS_REMOTE_KEY_HEAD,
			     (unsigned)(len - TLS_REMOTE_KEY_HEAD)};
	int op = req[0], pk = gnutls_privkey_get_pk_algorithm(key, NULL);

	if (len <= TLS_REMOTE_KEY_HEAD || req[1] || req[2] || req[3] ||
	    (flags & ~TLS_REMOTE_KEY_FLAGS) || pk < 0 ||
	    !gnutls_sign_supports_pk_algorithm(algo, (gnutls_pk_algorithm_t)pk))
		return -ERR_INVALID_ARGS;
	if (op == TLS_REMOTE_KEY_SIGN_DATA)
		return gnutls_privkey_sign_data2(key, algo, flags, &in, sig) < 0 ? -ERR_CLIENT_CERT
										 : 0;
	if (op != TLS_REMOTE_KEY_SIGN_HASH)
		return -ERR_INVALID_ARGS;
	if (algo == GNUTLS_SIGN_RSA_RAW ? !tls_remote_key_is_digest_info(&in)
					: in.size != (unsigned)gnutls_hash_get_len(
							 (gnutls_digest_algorithm_t)
							     gnutls_sign_get_hash_algorithm(algo)))
		return -ERR_INVALID_ARGS;
	return gnutls_privkey_sign_hash2(key, algo, flags, &in, sig) < 0 ? -ERR_CLIENT_CERT : 0;
}

int tls_remote_key_serve(int fd, gnutls_privkey_t key)
{
	unsigned char req[TLS_REMOTE_KEY_HEAD + TLS_REMOTE_KEY_MAX_INPUT];
	unsigned char ans[4 + TLS_REMOTE_KEY_MAX_SIGNATURE];
	gnutls_datum_t sig = {0};
	size_t len = 4;
	ssize_t n;
	int r;

	n = tls_remote_key_recv(fd, req, sizeof(req), -1);
	if (n == 0)
		return 1;
	if (n == -ERR_IO)
		return -ERR_IO;
	r = n < 0 ? (int)n : tls_remote_key_sign(key, req, (size_t)n, &sig);
	if (r == 0 && (sig.size == 0 || sig.size > TLS_REMOTE_KEY_MAX_SIGNATURE))
		r = -ERR_CLIENT_CERT;
	if (r == 0) {
		memcpy(ans + 4, sig.data, sig.size);
		len += sig.size;
	} else {
		log_warning("client certificate: refused a signature request (%s)", error_text(r));
	}
	gnutls_free(sig.data);
	put32(ans, (uint32_t)-r);
	return tls_remote_key_send(fd, ans, len) < 0 ? -ERR_IO : 0;
}
