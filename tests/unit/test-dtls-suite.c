// SPDX-License-Identifier: GPL-2.0-or-later
/* DTLS suite offers and mapping, priority strings, GnuTLS version gate, PSK key derivation. */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <gnutls/gnutls.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dtls-suite.h"
#include "error.h"

/* docs/protocol.md "The CONNECT request": what real clients offer, byte for byte. */
static void test_offer(void)
{
	g_assert_cmpstr(dtls_suite_offer(), ==,
	                "PSK-NEGOTIATE:OC-DTLS1_2-AES256-GCM:OC-DTLS1_2-AES128-GCM:AES256-SHA:"
	                "AES128-SHA");
	g_assert_cmpstr(dtls_suite_offer12(), ==,
	                "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:AES256-GCM-SHA384:"
	                "AES128-GCM-SHA256");
}

/* Every suite we offer maps back, in its own header only
 * (docs/protocol.md "Pitfall: a DTLS suite's version depends on its header"). */
static void test_choose(void)
{
	const struct dtls_suite *s;
	g_auto(GStrv) offer = g_strsplit(dtls_suite_offer(), ":", -1);
	g_auto(GStrv) offer12 = g_strsplit(dtls_suite_offer12(), ":", -1);

	g_assert_cmpint(dtls_suite_choose("PSK-NEGOTIATE", false, &s), ==, DTLS_METHOD_PSK);
	g_assert_null(s);
	g_assert_cmpint(dtls_suite_choose("PSK-NEGOTIATE", true, &s), ==, DTLS_METHOD_NONE);
	for (char **p = offer + 1; *p; p++) {
		g_assert_cmpint(dtls_suite_choose(*p, false, &s), ==, DTLS_METHOD_LEGACY);
		g_assert_cmpstr(s->name, ==, *p);
		g_assert_false(s->dtls12);
		g_assert_cmpint(dtls_suite_choose(*p, true, &s), ==, DTLS_METHOD_NONE);
	}
	for (char **p = offer12; *p; p++) {
		g_assert_cmpint(dtls_suite_choose(*p, true, &s), ==, DTLS_METHOD_LEGACY);
		g_assert_true(s->dtls12);
		g_assert_cmpint(s->version, ==, GNUTLS_DTLS1_2);
		g_assert_cmpint(dtls_suite_choose(*p, false, &s), ==, DTLS_METHOD_NONE);
	}
	/* The CBC names are Cisco's pre-RFC DTLS 0.9 in X-DTLS-CipherSuite. */
	g_assert_cmpint(dtls_suite_choose("AES256-SHA", false, &s), ==, DTLS_METHOD_LEGACY);
	g_assert_cmpint(s->version, ==, GNUTLS_DTLS0_9);
	g_assert_cmpint(s->cipher, ==, GNUTLS_CIPHER_AES_256_CBC);
	g_assert_cmpint(s->mac, ==, GNUTLS_MAC_SHA1);
	g_assert_cmpint(dtls_suite_choose("OC-DTLS1_2-AES128-GCM", false, &s), ==,
	                DTLS_METHOD_LEGACY);
	g_assert_cmpint(s->version, ==, GNUTLS_DTLS1_2);
	g_assert_cmpint(s->mac, ==, GNUTLS_MAC_AEAD);
	/* What ocserv picks in the lab (--no-dtls-psk). */
	g_assert_cmpint(dtls_suite_choose("AES256-GCM-SHA384", true, &s), ==, DTLS_METHOD_LEGACY);
	g_assert_cmpint(s->cipher, ==, GNUTLS_CIPHER_AES_256_GCM);
	g_assert_cmpint(s->kx, ==, GNUTLS_KX_RSA);
	/* Anything else turns DTLS off gracefully. */
	g_assert_cmpint(dtls_suite_choose("ECDHE-ECDSA-AES128-GCM-SHA256", true, &s), ==,
	                DTLS_METHOD_NONE);
	g_assert_cmpint(dtls_suite_choose("DHE-RSA-AES256-SHA", false, &s), ==, DTLS_METHOD_NONE);
	g_assert_cmpint(dtls_suite_choose("DES-CBC3-SHA", false, &s), ==, DTLS_METHOD_NONE);
	g_assert_cmpint(dtls_suite_choose("aes256-sha", false, &s), ==, DTLS_METHOD_NONE);
	g_assert_cmpint(dtls_suite_choose("", false, &s), ==, DTLS_METHOD_NONE);
	g_assert_cmpint(dtls_suite_choose(NULL, false, &s), ==, DTLS_METHOD_NONE);
	g_assert_cmpint(dtls_suite_choose("AES256-SHA:AES128-SHA", false, NULL), ==,
	                DTLS_METHOD_NONE);
}

/* Every legacy priority is one GnuTLS accepts. */
static void test_legacy_priorities(void)
{
	g_auto(GStrv) offer = g_strsplit(dtls_suite_offer(), ":", -1);
	g_auto(GStrv) offer12 = g_strsplit(dtls_suite_offer12(), ":", -1);
	char **lists[2] = {offer + 1, offer12};

	for (int l = 0; l < 2; l++) {
		for (char **p = lists[l]; *p; p++) {
			const struct dtls_suite *s;
			gnutls_priority_t prio;
			const char *err = NULL;

			dtls_suite_choose(*p, l == 1, &s);
			g_assert_nonnull(s);
			g_assert_cmpint(gnutls_priority_init(&prio, s->priority, &err), ==, 0);
			gnutls_priority_deinit(prio);
		}
	}
}

static void test_psk_priority(void)
{
	char buf[512];
	gnutls_priority_t prio;
	const unsigned int *list;
	int n;

	g_assert_cmpint(dtls_suite_psk_priority("NORMAL:%COMPAT", buf, sizeof(buf)), ==, 0);
	g_assert_cmpstr(buf, ==,
	                "NORMAL:%COMPAT:-VERS-TLS-ALL:+VERS-DTLS-ALL:-KX-ALL:+PSK:"
	                "-CHACHA20-POLY1305:+CHACHA20-POLY1305");
	g_assert_cmpint(dtls_suite_psk_priority("NORMAL", buf, 20), ==, -ERR_TOO_LARGE);
	g_assert_cmpint(dtls_suite_psk_priority("", buf, sizeof(buf)), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(dtls_suite_psk_priority(NULL, buf, sizeof(buf)), ==, -ERR_INVALID_ARGS);

	/* The worker's TLS priority gives a DTLS-only, PSK-only list that starts with AES-GCM and
	 * still holds ChaCha20, last (a gateway matching a ChaCha20 TLS session offers only it). */
	g_assert_cmpint(dtls_suite_psk_priority("NORMAL:-VERS-SSL3.0:-VERS-TLS1.0:-VERS-TLS1.1:"
	                                        "+SHA256:%COMPAT:-3DES-CBC:-ARCFOUR-128",
	                                        buf, sizeof(buf)),
	                ==, 0);
	g_assert_cmpint(gnutls_priority_init(&prio, buf, NULL), ==, 0);
	n = gnutls_priority_cipher_list(prio, &list);
	g_assert_cmpint(n, >, 0);
	g_assert_cmpint(list[0], ==, GNUTLS_CIPHER_AES_256_GCM);
	g_assert_cmpint(list[n - 1], ==, GNUTLS_CIPHER_CHACHA20_POLY1305);
	for (int i = 0; i < n - 1; i++)
		g_assert_cmpint(list[i], !=, GNUTLS_CIPHER_CHACHA20_POLY1305);
	n = gnutls_priority_kx_list(prio, &list);
	g_assert_cmpint(n, ==, 1);
	g_assert_cmpint(list[0], ==, GNUTLS_KX_PSK);
	n = gnutls_priority_protocol_list(prio, &list);
	g_assert_cmpint(n, >, 0);
	for (int i = 0; i < n; i++)
		g_assert_cmpint(list[i], >=, GNUTLS_DTLS_VERSION_MIN);
	gnutls_priority_deinit(prio);
}

static void test_gnutls_version(void)
{
	/* 3.6.3 to 3.6.12 sent all-zero DTLS ClientHello randoms
	 * (docs/protocol.md "When DTLS is tried"). */
	g_assert_true(dtls_suite_gnutls_ok("3.7.9"));
	g_assert_true(dtls_suite_gnutls_ok("3.6.2"));
	g_assert_true(dtls_suite_gnutls_ok("3.6.13"));
	g_assert_true(dtls_suite_gnutls_ok("3.8.1"));
	g_assert_true(dtls_suite_gnutls_ok("3.5.19"));
	g_assert_false(dtls_suite_gnutls_ok("3.6.3"));
	g_assert_false(dtls_suite_gnutls_ok("3.6.8"));
	g_assert_false(dtls_suite_gnutls_ok("3.6.12"));
	g_assert_true(dtls_suite_gnutls_ok("3.6.13-beta"));
	g_assert_false(dtls_suite_gnutls_ok("3.6"));
	g_assert_false(dtls_suite_gnutls_ok("3.6.x"));
	g_assert_false(dtls_suite_gnutls_ok("3.6.1234"));
	g_assert_false(dtls_suite_gnutls_ok("3.6.5.1"));
	g_assert_false(dtls_suite_gnutls_ok(""));
	g_assert_false(dtls_suite_gnutls_ok(NULL));
	/* The library this test runs with. */
	g_assert_true(dtls_suite_gnutls_ok(gnutls_check_version(NULL)));
}

/* ---- PSK key: a real TLS session between two GnuTLS ends on a socketpair ---- */

static int psk_server_cb(gnutls_session_t s, const char *user, gnutls_datum_t *key)
{
	(void)s;
	(void)user;
	key->data = gnutls_malloc(16);
	memset(key->data, 0x11, 16);
	key->size = 16;
	return 0;
}

struct tls_pair {
	gnutls_session_t c, s;
	gnutls_psk_client_credentials_t cc;
	gnutls_psk_server_credentials_t sc;
	int fd[2];
};

static void tls_pair_open(struct tls_pair *p, const char *prio)
{
	gnutls_datum_t key = {(unsigned char *)"\x11\x11\x11\x11\x11\x11\x11\x11"
	                                       "\x11\x11\x11\x11\x11\x11\x11\x11",
	                      16};
	int rc = GNUTLS_E_AGAIN, rs = GNUTLS_E_AGAIN;

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, p->fd), ==, 0);
	g_assert_cmpint(gnutls_psk_allocate_client_credentials(&p->cc), ==, 0);
	g_assert_cmpint(gnutls_psk_set_client_credentials(p->cc, "u", &key, GNUTLS_PSK_KEY_RAW), ==,
	                0);
	g_assert_cmpint(gnutls_psk_allocate_server_credentials(&p->sc), ==, 0);
	gnutls_psk_set_server_credentials_function(p->sc, psk_server_cb);
	g_assert_cmpint(gnutls_init(&p->c, GNUTLS_CLIENT | GNUTLS_NONBLOCK), ==, 0);
	g_assert_cmpint(gnutls_init(&p->s, GNUTLS_SERVER | GNUTLS_NONBLOCK), ==, 0);
	g_assert_cmpint(gnutls_priority_set_direct(p->c, prio, NULL), ==, 0);
	g_assert_cmpint(gnutls_priority_set_direct(p->s, prio, NULL), ==, 0);
	gnutls_credentials_set(p->c, GNUTLS_CRD_PSK, p->cc);
	gnutls_credentials_set(p->s, GNUTLS_CRD_PSK, p->sc);
	gnutls_transport_set_int(p->c, p->fd[0]);
	gnutls_transport_set_int(p->s, p->fd[1]);
	for (int i = 0; i < 1000 && (rc != 0 || rs != 0); i++) {
		if (rc != 0)
			rc = gnutls_handshake(p->c);
		if (rs != 0)
			rs = gnutls_handshake(p->s);
		if (rc < 0 && gnutls_error_is_fatal(rc))
			g_error("client handshake: %s", gnutls_strerror(rc));
		if (rs < 0 && gnutls_error_is_fatal(rs))
			g_error("server handshake: %s", gnutls_strerror(rs));
	}
	g_assert_cmpint(rc, ==, 0);
	g_assert_cmpint(rs, ==, 0);
}

static void tls_pair_close(struct tls_pair *p)
{
	gnutls_deinit(p->c);
	gnutls_deinit(p->s);
	gnutls_psk_free_client_credentials(p->cc);
	gnutls_psk_free_server_credentials(p->sc);
	close(p->fd[0]);
	close(p->fd[1]);
}

static void check_psk_key(const char *prio, gnutls_protocol_t want)
{
	struct tls_pair a, b;
	uint8_t kc[32], ks[32], kb[32], ref[32], zero[32] = {0};

	tls_pair_open(&a, prio);
	g_assert_cmpint(gnutls_protocol_get_version(a.c), ==, want);
	g_assert_cmpint(dtls_suite_psk_key(a.c, kc), ==, 0);
	/* The gateway derives the same key from its end (ocserv makes the same call). */
	g_assert_cmpint(dtls_suite_psk_key(a.s, ks), ==, 0);
	g_assert_cmpmem(kc, 32, ks, 32);
	g_assert_true(memcmp(kc, zero, 32) != 0);
	/* It is the RFC 5705 exporter with NO context, not an empty one
	 * (docs/protocol.md "Pitfall: the PSK comes from this CONNECT's TLS session"). */
	g_assert_cmpint(gnutls_prf_rfc5705(a.c, strlen(DTLS_SUITE_PSK_LABEL), DTLS_SUITE_PSK_LABEL,
	                                   0, NULL, 32, (char *)ref),
	                ==, 0);
	g_assert_cmpmem(kc, 32, ref, 32);
	/* Another TLS session (a reconnect): another key. */
	tls_pair_open(&b, prio);
	g_assert_cmpint(dtls_suite_psk_key(b.c, kb), ==, 0);
	g_assert_true(memcmp(kc, kb, 32) != 0);
	tls_pair_close(&a);
	tls_pair_close(&b);
}

static void test_psk_key(void)
{
	uint8_t k[32];

	check_psk_key("NORMAL:-VERS-ALL:+VERS-TLS1.3:+PSK:+ECDHE-PSK", GNUTLS_TLS1_3);
	check_psk_key("NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+PSK", GNUTLS_TLS1_2);
	g_assert_cmpint(dtls_suite_psk_key(NULL, k), ==, -ERR_INVALID_ARGS);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dtls-suite/offer", test_offer);
	g_test_add_func("/dtls-suite/choose", test_choose);
	g_test_add_func("/dtls-suite/legacy-priorities", test_legacy_priorities);
	g_test_add_func("/dtls-suite/psk-priority", test_psk_priority);
	g_test_add_func("/dtls-suite/gnutls-version", test_gnutls_version);
	g_test_add_func("/dtls-suite/psk-key", test_psk_key);
	return g_test_run();
}
