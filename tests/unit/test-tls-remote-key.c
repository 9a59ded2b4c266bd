// SPDX-License-Identifier: GPL-2.0-or-later
/* A key kept by the login side and used by the worker through a socket: signatures made through
 * it verify with the certificate's key, for RSA (PKCS#1 and PSS) and ECDSA; requests the key's
 * holder must not answer are refused, and it keeps serving. */
#include <glib.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "tls-remote-key.h"

struct holder {
	int fd;
	gnutls_privkey_t key;
	int served;
	int last;
};

static gpointer holder_run(gpointer data)
{
	struct holder *h = data;

	while ((h->last = tls_remote_key_serve(h->fd, h->key)) == 0)
		h->served++;
	return NULL;
}

/* A key and a self-signed certificate for it. */
static void make_identity(gnutls_pk_algorithm_t pk, unsigned bits, gnutls_privkey_t *key,
			  gnutls_x509_crt_t *crt)
{
	gnutls_x509_privkey_t x;

	g_assert_cmpint(gnutls_x509_privkey_init(&x), ==, 0);
	g_assert_cmpint(gnutls_x509_privkey_generate(x, pk, bits, 0), ==, 0);
	g_assert_cmpint(gnutls_x509_crt_init(crt), ==, 0);
	g_assert_cmpint(gnutls_x509_crt_set_key(*crt, x), ==, 0);
	g_assert_cmpint(gnutls_x509_crt_set_version(*crt, 3), ==, 0);
	g_assert_cmpint(gnutls_x509_crt_set_serial(*crt, "\x01", 1), ==, 0);
	g_assert_cmpint(gnutls_x509_crt_set_activation_time(*crt, time(NULL) - 60), ==, 0);
	g_assert_cmpint(gnutls_x509_crt_set_expiration_time(*crt, time(NULL) + 3600), ==, 0);
	g_assert_cmpint(gnutls_x509_crt_set_dn(*crt, "CN=alice", NULL), ==, 0);
	g_assert_cmpint(gnutls_x509_crt_sign2(*crt, *crt, x, GNUTLS_DIG_SHA256, 0), ==, 0);
	g_assert_cmpint(gnutls_privkey_init(key), ==, 0);
	g_assert_cmpint(gnutls_privkey_import_x509(*key, x, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE), ==,
			0);
}

static void check_signatures(gnutls_pk_algorithm_t pk, unsigned bits,
			     const gnutls_sign_algorithm_t *algos, size_t n)
{
	struct holder h = {0};
	gnutls_privkey_t remote;
	gnutls_x509_crt_t crt;
	gnutls_pubkey_t pub;
	GThread *t;
	int sv[2];
	gnutls_datum_t data = {(unsigned char *)"the handshake transcript", 24};

	make_identity(pk, bits, &h.key, &crt);
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), ==, 0);
	h.fd = sv[1];
	t = g_thread_new("holder", holder_run, &h);
	g_assert_cmpint(tls_remote_key_import(sv[0], crt, &remote), ==, 0);
	g_assert_cmpint(gnutls_pubkey_init(&pub), ==, 0);
	g_assert_cmpint(gnutls_pubkey_import_x509(pub, crt, 0), ==, 0);
	g_assert_cmpint(gnutls_privkey_get_pk_algorithm(remote, NULL), ==, (int)pk);
	for (size_t i = 0; i < n; i++) {
		gnutls_datum_t sig = {0}, hash = {0};
		unsigned char digest[64];
		gnutls_digest_algorithm_t dig =
		    (gnutls_digest_algorithm_t)gnutls_sign_get_hash_algorithm(algos[i]);

		g_assert_cmpint(gnutls_privkey_sign_data2(remote, algos[i], 0, &data, &sig), ==, 0);
		g_assert_cmpint(gnutls_pubkey_verify_data2(pub, algos[i], 0, &data, &sig), >=, 0);
		gnutls_free(sig.data);
		/* A hash, as TLS 1.2 signs with ECDSA and RSA PKCS#1. */
		if (algos[i] == GNUTLS_SIGN_RSA_PSS_RSAE_SHA256)
			continue;
		g_assert_cmpint(gnutls_hash_fast(dig, data.data, data.size, digest), ==, 0);
		hash.data = digest;
		hash.size = (unsigned)gnutls_hash_get_len(dig);
		g_assert_cmpint(gnutls_privkey_sign_hash2(remote, algos[i], 0, &hash, &sig), ==, 0);
		g_assert_cmpint(gnutls_pubkey_verify_hash2(pub, algos[i], 0, &hash, &sig), >=, 0);
		gnutls_free(sig.data);
	}
	g_assert_cmpint(h.served, >=, (int)n);
	gnutls_privkey_deinit(remote);
	close(sv[0]);
	g_thread_join(t);
	g_assert_cmpint(h.last, ==, 1); /* the peer closed */
	close(sv[1]);
	gnutls_pubkey_deinit(pub);
	gnutls_x509_crt_deinit(crt);
	gnutls_privkey_deinit(h.key);
}

static void test_rsa(void)
{
	static const gnutls_sign_algorithm_t algos[] = {GNUTLS_SIGN_RSA_SHA256,
							GNUTLS_SIGN_RSA_PSS_RSAE_SHA256};

	check_signatures(GNUTLS_PK_RSA, 2048, algos, G_N_ELEMENTS(algos));
}

static void test_ecdsa(void)
{
	static const gnutls_sign_algorithm_t algos[] = {GNUTLS_SIGN_ECDSA_SECP256R1_SHA256,
							GNUTLS_SIGN_ECDSA_SHA384};

	check_signatures(GNUTLS_PK_ECDSA, 256, algos, G_N_ELEMENTS(algos));
}

/* Sends one raw request and returns the answer's status (0 = signed). */
static unsigned ask_raw(int fd, const unsigned char *req, size_t len)
{
	unsigned char ans[4 + TLS_REMOTE_KEY_MAX_SIGNATURE];

	g_assert_cmpint(send(fd, req, len, 0), ==, (ssize_t)len);
	g_assert_cmpint(recv(fd, ans, sizeof(ans), 0), >=, 4);
	return (unsigned)ans[0] << 24 | (unsigned)ans[1] << 16 | (unsigned)ans[2] << 8 | ans[3];
}

static void put_req(unsigned char *r, int op, unsigned algo, unsigned flags)
{
	memset(r, 0, 12);
	r[0] = (unsigned char)op;
	r[4] = (unsigned char)(algo >> 24), r[5] = (unsigned char)(algo >> 16);
	r[6] = (unsigned char)(algo >> 8), r[7] = (unsigned char)algo;
	r[8] = (unsigned char)(flags >> 24), r[9] = (unsigned char)(flags >> 16);
	r[10] = (unsigned char)(flags >> 8), r[11] = (unsigned char)flags;
}

static void test_refusals(void)
{
	static unsigned char big[12 + TLS_REMOTE_KEY_MAX_INPUT + 1];
	struct holder h = {0};
	gnutls_x509_crt_t crt;
	unsigned char r[12 + 64];
	GThread *t;
	int sv[2];

	make_identity(GNUTLS_PK_RSA, 2048, &h.key, &crt);
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), ==, 0);
	h.fd = sv[1];
	t = g_thread_new("holder", holder_run, &h);

	memset(r + 12, 'x', 64);
	put_req(r, 1, GNUTLS_SIGN_RSA_SHA256, 0);
	g_assert_cmpuint(ask_raw(sv[0], r, sizeof(r)), ==, 0); /* the good one */
	put_req(r, 3, GNUTLS_SIGN_RSA_SHA256, 0);
	g_assert_cmpuint(ask_raw(sv[0], r, sizeof(r)), ==, ERR_INVALID_ARGS); /* unknown op */
	put_req(r, 1, GNUTLS_SIGN_ECDSA_SHA256, 0);
	g_assert_cmpuint(ask_raw(sv[0], r, sizeof(r)), ==, ERR_INVALID_ARGS); /* not this key's */
	put_req(r, 1, GNUTLS_SIGN_RSA_SHA256, 1u << 30);
	g_assert_cmpuint(ask_raw(sv[0], r, sizeof(r)), ==, ERR_INVALID_ARGS); /* unknown flag */
	put_req(r, 2, GNUTLS_SIGN_RSA_SHA256, 0);
	g_assert_cmpuint(ask_raw(sv[0], r, 12 + 31), ==, ERR_INVALID_ARGS); /* not a SHA-256 */
	put_req(r, 2, GNUTLS_SIGN_RSA_RAW, 0);
	g_assert_cmpuint(ask_raw(sv[0], r, sizeof(r)), ==, ERR_INVALID_ARGS); /* raw, no DigestInfo */
	put_req(r, 1, GNUTLS_SIGN_RSA_SHA256, 0);
	r[2] = 1;
	g_assert_cmpuint(ask_raw(sv[0], r, sizeof(r)), ==, ERR_INVALID_ARGS); /* reserved bytes */
	g_assert_cmpuint(ask_raw(sv[0], r, 12), ==, ERR_INVALID_ARGS);       /* nothing to sign */
	g_assert_cmpuint(ask_raw(sv[0], r, 5), ==, ERR_INVALID_ARGS);        /* short */
	put_req(big, 1, GNUTLS_SIGN_RSA_SHA256, 0);
	g_assert_cmpuint(ask_raw(sv[0], big, sizeof(big)), ==, ERR_TOO_LARGE);
	put_req(r, 1, GNUTLS_SIGN_RSA_SHA256, 0);
	g_assert_cmpuint(ask_raw(sv[0], r, sizeof(r)), ==, 0); /* and it still serves */

	close(sv[0]);
	g_thread_join(t);
	g_assert_cmpint(h.last, ==, 1);
	g_assert_cmpint(h.served, ==, 11);
	close(sv[1]);
	gnutls_x509_crt_deinit(crt);
	gnutls_privkey_deinit(h.key);
}

/* The worker's side when the holder is gone: the signature fails, it does not hang. */
static void test_holder_gone(void)
{
	gnutls_privkey_t key, remote;
	gnutls_x509_crt_t crt;
	gnutls_datum_t data = {(unsigned char *)"x", 1}, sig = {0};
	int sv[2];

	make_identity(GNUTLS_PK_ECDSA, 256, &key, &crt);
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), ==, 0);
	close(sv[1]);
	g_assert_cmpint(tls_remote_key_import(sv[0], crt, &remote), ==, 0);
	g_assert_cmpint(gnutls_privkey_sign_data2(remote, GNUTLS_SIGN_ECDSA_SECP256R1_SHA256, 0,
						  &data, &sig),
			<, 0);
	gnutls_privkey_deinit(remote);
	close(sv[0]);
	gnutls_x509_crt_deinit(crt);
	gnutls_privkey_deinit(key);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/tls-remote-key/rsa", test_rsa);
	g_test_add_func("/tls-remote-key/ecdsa", test_ecdsa);
	g_test_add_func("/tls-remote-key/refusals", test_refusals);
	g_test_add_func("/tls-remote-key/holder-gone", test_holder_gone);
	return g_test_run();
}
