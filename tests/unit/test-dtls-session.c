// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dtls-session.c against a GnuTLS DTLS server set up the way ocserv sets up its end
 * (a fake resumed session for the legacy method, PSK credentials for PSK-NEGOTIATE), over a
 * datagram socketpair in one thread.  Also reads the ClientHello bytes: the session id field
 * must be the App-ID / Session-ID, and no TLS extensions may be sent
 * (docs/protocol.md "Pitfall: no TLS extensions in the legacy DTLS hello").
 */
#include <errno.h>
#include <glib.h>
#include <gnutls/crypto.h>
#include <gnutls/dtls.h>
#include <gnutls/gnutls.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dtls-frame.h"
#include "dtls-session.h"
#include "error.h"

struct end {
	gnutls_session_t s;
	int fd;
	uint8_t first[4096]; /* the first datagram this end sent */
	size_t first_len;
};

static ssize_t end_push(gnutls_transport_ptr_t ptr, const void *data, size_t len)
{
	struct end *e = ptr;
	ssize_t n;

	if (!e->first_len && len <= sizeof(e->first)) {
		memcpy(e->first, data, len);
		e->first_len = len;
	}
	n = send(e->fd, data, len, MSG_DONTWAIT);
	if (n < 0)
		gnutls_transport_set_errno(e->s, errno == EWOULDBLOCK ? EAGAIN : errno);
	return n;
}

static ssize_t end_pull(gnutls_transport_ptr_t ptr, void *data, size_t len)
{
	struct end *e = ptr;
	ssize_t n = recv(e->fd, data, len, MSG_DONTWAIT);

	if (n < 0)
		gnutls_transport_set_errno(e->s, errno == EWOULDBLOCK ? EAGAIN : errno);
	return n;
}

static int end_pull_timeout(gnutls_transport_ptr_t ptr, unsigned ms)
{
	struct end *e = ptr;
	uint8_t b;

	(void)ms;
	return recv(e->fd, &b, 1, MSG_DONTWAIT | MSG_PEEK) >= 0 ? 1 : 0;
}

static void end_attach(struct end *e, gnutls_session_t s, int fd)
{
	e->s = s;
	e->fd = fd;
	e->first_len = 0;
	gnutls_transport_set_ptr(s, e);
	gnutls_transport_set_push_function(s, end_push);
	gnutls_transport_set_pull_function(s, end_pull);
	gnutls_transport_set_pull_timeout_function(s, end_pull_timeout);
}

/* Runs both handshakes to the end: 0 when both succeeded, else the first fatal error. */
static int handshake_both(struct end *c, struct end *s)
{
	int rc = GNUTLS_E_AGAIN, rs = GNUTLS_E_AGAIN;

	for (int i = 0; i < 2000 && (rc != 0 || rs != 0); i++) {
		if (rc != 0)
			rc = gnutls_handshake(c->s);
		if (rs != 0)
			rs = gnutls_handshake(s->s);
		if (rc < 0 && gnutls_error_is_fatal(rc))
			return rc;
		if (rs < 0 && gnutls_error_is_fatal(rs))
			return rs;
	}
	return rc ? rc : rs;
}

/* ClientHello fields (DTLS record 13 + handshake header 12 + version 2 + random 32): the
 * session id, and the extension types (at most 32, *n_ext of them). */
static void hello_fields(const struct end *c, const uint8_t **sid, size_t *sid_len, unsigned *ext,
                         size_t *n_ext)
{
	const uint8_t *p = c->first;
	size_t n = c->first_len, off = 13 + 12 + 2 + 32, end;

	*n_ext = 0;
	g_assert_cmpuint(n, >, off + 1);
	g_assert_cmpuint(p[0], ==, 22); /* handshake */
	g_assert_cmpuint(p[13], ==, 1); /* ClientHello */
	*sid_len = p[off];
	*sid = p + off + 1;
	off += 1 + *sid_len;
	off += 1 + p[off];                             /* cookie */
	off += 2 + ((size_t)p[off] << 8 | p[off + 1]); /* cipher suites */
	off += 1 + p[off];                             /* compression methods */
	g_assert_cmpuint(off, <=, n);
	if (off == n)
		return;
	g_assert_cmpuint(off + 2, <=, n);
	end = off + 2 + ((size_t)p[off] << 8 | p[off + 1]);
	g_assert_cmpuint(end, ==, n);
	for (off += 2; off + 4 <= end && *n_ext < 32;
	     off += 4 + ((size_t)p[off + 2] << 8 | p[off + 3])) {
		ext[(*n_ext)++] = (unsigned)(p[off] << 8 | p[off + 1]);
		g_test_message("ClientHello extension 0x%04x", ext[*n_ext - 1]);
	}
}

/* One DATA frame each way. */
static void exchange(struct end *c, struct end *s)
{
	uint8_t frame[64], buf[2048];
	static const uint8_t pkt[] = {0x45, 0, 0,  20, 0, 0, 0,  0, 64, 1,
	                              0,    0, 10, 0,  0, 1, 10, 0, 0,  2};
	struct dtls_frame f;
	int n = dtls_frame_encode(frame, sizeof(frame), CSTP_FRAME_DATA, pkt, sizeof(pkt));
	ssize_t r;

	g_assert_cmpint(gnutls_record_send(c->s, frame, (size_t)n), ==, n);
	r = gnutls_record_recv(s->s, buf, sizeof(buf));
	g_assert_cmpint(r, ==, n);
	g_assert_cmpint(dtls_frame_decode(buf, (size_t)r, &f), ==, 0);
	g_assert_cmpmem(f.payload, f.len, pkt, sizeof(pkt));
	g_assert_cmpint(gnutls_record_send(s->s, frame, (size_t)n), ==, n);
	g_assert_cmpint(gnutls_record_recv(c->s, buf, sizeof(buf)), ==, n);
}

/* ---- legacy ---- */

struct legacy_server {
	gnutls_session_t s;
	gnutls_certificate_credentials_t cert; /* only for the impostor */
};

static void legacy_server_new(struct legacy_server *ls, const struct dtls_suite *suite,
                              const uint8_t *master, const uint8_t *sid, bool impostor)
{
	gnutls_datum_t m = {(unsigned char *)master, 48}, id = {(unsigned char *)sid, 32};
	g_autofree char *prio =
	    g_strdup_printf("%s:%%NO_SESSION_HASH:%%DISABLE_SAFE_RENEGOTIATION", suite->priority);

	memset(ls, 0, sizeof(*ls));
	g_assert_cmpint(gnutls_init(&ls->s, GNUTLS_SERVER | GNUTLS_DATAGRAM | GNUTLS_NONBLOCK), ==,
	                0);
	g_assert_cmpint(gnutls_priority_set_direct(ls->s, prio, NULL), ==, 0);
	gnutls_dtls_set_timeouts(ls->s, 1000, 60000);
	if (!impostor) {
		/* What ocserv does with X-DTLS-Master-Secret and the session id it handed out. */
		g_assert_cmpint(gnutls_session_set_premaster(ls->s, GNUTLS_SERVER, suite->version,
		                                             suite->kx, suite->cipher, suite->mac,
		                                             GNUTLS_COMP_NULL, &m, &id),
		                ==, 0);
		return;
	}
	/* An impostor knows neither: it answers with a full handshake and a certificate. */
	g_assert_cmpint(gnutls_certificate_allocate_credentials(&ls->cert), ==, 0);
	g_assert_cmpint(gnutls_certificate_set_x509_key_file(
	                    ls->cert, TEST_DATA_DIR "/http/server-rsa.pem",
	                    TEST_DATA_DIR "/http/server-rsa-key.pem", GNUTLS_X509_FMT_PEM),
	                >=, 0);
	gnutls_credentials_set(ls->s, GNUTLS_CRD_CERTIFICATE, ls->cert);
}

static void legacy_server_free(struct legacy_server *ls)
{
	gnutls_deinit(ls->s);
	if (ls->cert)
		gnutls_certificate_free_credentials(ls->cert);
}

static void check_legacy(const char *name, bool dtls12)
{
	const struct dtls_suite *suite;
	uint8_t master[48], sid[32];
	struct dtls_session_params p = {.method = DTLS_METHOD_LEGACY};
	_cleanup_(dtls_session_freep) struct dtls_session *cs = NULL;
	struct legacy_server ls;
	struct end c, s;
	const uint8_t *hsid;
	size_t hsid_len, n_ext;
	unsigned ext[32];
	int fd[2];

	g_test_message("legacy suite %s (%s)", name, dtls12 ? "DTLS12" : "DTLS");
	g_assert_cmpint(dtls_suite_choose(name, dtls12, &suite), ==, DTLS_METHOD_LEGACY);
	gnutls_rnd(GNUTLS_RND_NONCE, master, sizeof(master));
	gnutls_rnd(GNUTLS_RND_NONCE, sid, sizeof(sid));
	p.suite = suite;
	p.key = master;
	p.key_len = 48;
	p.session_id = sid;
	p.session_id_len = 32;
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_DGRAM, 0, fd), ==, 0);
	g_assert_cmpint(dtls_session_new(&p, &cs), ==, 0);
	legacy_server_new(&ls, suite, master, sid, false);
	end_attach(&c, cs->session, fd[0]);
	end_attach(&s, ls.s, fd[1]);
	g_assert_cmpint(handshake_both(&c, &s), ==, 0);
	g_assert_cmpint(dtls_session_verify(cs, &p), ==, 0);
	g_assert_true(gnutls_session_is_resumed(cs->session));
	g_assert_cmpint(gnutls_protocol_get_version(cs->session), ==, suite->version);
	/* Session id = X-DTLS-Session-ID, and not one extension
	 * (docs/protocol.md "Pitfall: no TLS extensions in the legacy DTLS hello"). */
	hello_fields(&c, &hsid, &hsid_len, ext, &n_ext);
	g_assert_cmpmem(hsid, hsid_len, sid, 32);
	g_assert_cmpuint(n_ext, ==, 0);
	exchange(&c, &s);
	legacy_server_free(&ls);
	close(fd[0]);
	close(fd[1]);
}

static void test_legacy(void)
{
	check_legacy("AES256-GCM-SHA384", true);
	check_legacy("ECDHE-RSA-AES128-GCM-SHA256", true);
	check_legacy("OC-DTLS1_2-AES256-GCM", false);
	check_legacy("AES128-SHA", false);
	check_legacy("AES256-SHA", false);
}

/* A peer that does not hold our session id: the handshake must not end in a usable channel
 * (docs/protocol.md "Pitfall: a legacy DTLS handshake must be a resumption").  Even when GnuTLS
 * could complete a full handshake (the client would accept a certificate), dtls_session_verify()
 * refuses it. */
static void test_legacy_impostor(void)
{
	const struct dtls_suite *suite;
	uint8_t master[48] = {1}, sid[32] = {2};
	struct dtls_session_params p = {.method = DTLS_METHOD_LEGACY,
	                                .key = master,
	                                .key_len = 48,
	                                .session_id = sid,
	                                .session_id_len = 32};
	_cleanup_(dtls_session_freep) struct dtls_session *cs = NULL;
	gnutls_certificate_credentials_t ccred;
	struct legacy_server ls;
	struct end c, s;
	int fd[2], r;

	dtls_suite_choose("AES256-GCM-SHA384", true, &suite);
	p.suite = suite;
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_DGRAM, 0, fd), ==, 0);
	g_assert_cmpint(dtls_session_new(&p, &cs), ==, 0);
	/* Give the client what a full handshake needs, to reach the verify step. */
	g_assert_cmpint(gnutls_certificate_allocate_credentials(&ccred), ==, 0);
	gnutls_credentials_set(cs->session, GNUTLS_CRD_CERTIFICATE, ccred);
	legacy_server_new(&ls, suite, master, sid, true);
	end_attach(&c, cs->session, fd[0]);
	end_attach(&s, ls.s, fd[1]);
	r = handshake_both(&c, &s);
	if (r == 0) {
		g_assert_false(gnutls_session_is_resumed(cs->session));
		g_assert_cmpint(dtls_session_verify(cs, &p), ==, -ERR_TLS);
	} else {
		g_test_message("the impostor's handshake failed outright: %s", gnutls_strerror(r));
	}
	legacy_server_free(&ls);
	gnutls_certificate_free_credentials(ccred);
	close(fd[0]);
	close(fd[1]);
}

/* ---- PSK-NEGOTIATE ---- */

static uint8_t psk_server_key[32];

static int psk_cb(gnutls_session_t s, const char *user, gnutls_datum_t *key)
{
	(void)s;
	(void)user;
	key->data = gnutls_malloc(32);
	memcpy(key->data, psk_server_key, 32);
	key->size = 32;
	return 0;
}

/* ocserv's end: the default DTLS priority, or with match-tls-dtls-ciphers only the TLS
 * session's cipher. */
#define PSK_SERVER_PRIORITY        "NORMAL:-VERS-TLS-ALL:+VERS-DTLS-ALL:-KX-ALL:+PSK"
#define PSK_SERVER_PRIORITY_CHACHA PSK_SERVER_PRIORITY ":-CIPHER-ALL:+CHACHA20-POLY1305"

static int check_psk(const uint8_t *client_key, const uint8_t *server_key, size_t app_id_len,
                     const char *server_priority, gnutls_cipher_algorithm_t want_cipher)
{
	uint8_t app_id[32];
	char prio[512];
	struct dtls_session_params p = {.method = DTLS_METHOD_PSK};
	_cleanup_(dtls_session_freep) struct dtls_session *cs = NULL;
	gnutls_psk_server_credentials_t scred;
	gnutls_session_t ss;
	struct end c, s;
	const uint8_t *hsid;
	size_t hsid_len, n_ext;
	unsigned ext[32];
	int fd[2], r;

	memset(app_id, 0xa5, sizeof(app_id));
	memcpy(psk_server_key, server_key, 32);
	g_assert_cmpint(dtls_suite_psk_priority("NORMAL:-VERS-SSL3.0:-VERS-TLS1.0:-VERS-TLS1.1:"
	                                        "+SHA256:%COMPAT:-3DES-CBC:-ARCFOUR-128",
	                                        prio, sizeof(prio)),
	                ==, 0);
	p.psk_priority = prio;
	p.key = client_key;
	p.key_len = 32;
	p.session_id = app_id;
	p.session_id_len = app_id_len;
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_DGRAM, 0, fd), ==, 0);
	g_assert_cmpint(dtls_session_new(&p, &cs), ==, 0);
	g_assert_cmpint(gnutls_init(&ss, GNUTLS_SERVER | GNUTLS_DATAGRAM | GNUTLS_NONBLOCK), ==, 0);
	g_assert_cmpint(gnutls_priority_set_direct(ss, server_priority, NULL), ==, 0);
	g_assert_cmpint(gnutls_psk_allocate_server_credentials(&scred), ==, 0);
	gnutls_psk_set_server_credentials_function(scred, psk_cb);
	gnutls_credentials_set(ss, GNUTLS_CRD_PSK, scred);
	end_attach(&c, cs->session, fd[0]);
	end_attach(&s, ss, fd[1]);
	r = handshake_both(&c, &s);
	/* The session id field routes the hello to the session: it is the App-ID. */
	hello_fields(&c, &hsid, &hsid_len, ext, &n_ext);
	g_assert_cmpmem(hsid, hsid_len, app_id, app_id_len);
	/* Not the old private App-ID extension 48018 (docs/protocol.md "PSK-NEGOTIATE"), no
	 * session ticket. */
	for (size_t i = 0; i < n_ext; i++) {
		g_assert_cmpuint(ext[i], !=, 48018);
		g_assert_cmpuint(ext[i], !=, 0x0023);
	}
	if (r == 0) {
		g_assert_cmpint(dtls_session_verify(cs, &p), ==, 0);
		g_assert_cmpint(gnutls_protocol_get_version(cs->session), ==, GNUTLS_DTLS1_2);
		g_assert_cmpint(gnutls_kx_get(cs->session), ==, GNUTLS_KX_PSK);
		/* AES-GCM whenever the gateway has it, ChaCha20 when it has nothing else
		 * (docs/architecture.md "Data path"). */
		g_assert_cmpint(gnutls_cipher_get(cs->session), ==, want_cipher);
		exchange(&c, &s);
	}
	gnutls_deinit(ss);
	gnutls_psk_free_server_credentials(scred);
	close(fd[0]);
	close(fd[1]);
	return r;
}

static void test_psk(void)
{
	uint8_t k[32], other[32];

	memset(k, 0x42, sizeof(k));
	memset(other, 0x43, sizeof(other));
	g_assert_cmpint(check_psk(k, k, 32, PSK_SERVER_PRIORITY, GNUTLS_CIPHER_AES_256_GCM), ==, 0);
	g_assert_cmpint(check_psk(k, k, 16, PSK_SERVER_PRIORITY, GNUTLS_CIPHER_AES_256_GCM), ==, 0);
	g_assert_cmpint(check_psk(k, k, 32, PSK_SERVER_PRIORITY_CHACHA,
	                          GNUTLS_CIPHER_CHACHA20_POLY1305),
	                ==, 0);
	/* A key from another TLS session never completes
	 * (docs/protocol.md "Pitfall: the PSK comes from this CONNECT's TLS session"). */
	g_assert_cmpint(check_psk(k, other, 32, PSK_SERVER_PRIORITY, GNUTLS_CIPHER_AES_256_GCM), <,
	                0);
}

static void test_params(void)
{
	uint8_t key[48] = {0}, sid[32] = {0};
	const struct dtls_suite *suite;
	struct dtls_session *s = NULL;
	struct dtls_session_params p = {.method = DTLS_METHOD_LEGACY,
	                                .key = key,
	                                .key_len = 48,
	                                .session_id = sid,
	                                .session_id_len = 32};

	/* Legacy without a suite, with a 31-byte session id, a short secret
	 * (docs/protocol.md "Pitfall: PSK has an App-ID, legacy a 32-byte session ID"). */
	g_assert_cmpint(dtls_session_new(&p, &s), ==, -ERR_INVALID_ARGS);
	dtls_suite_choose("AES128-SHA", false, &suite);
	p.suite = suite;
	p.session_id_len = 31;
	g_assert_cmpint(dtls_session_new(&p, &s), ==, -ERR_INVALID_ARGS);
	p.session_id_len = 32;
	p.key_len = 32;
	g_assert_cmpint(dtls_session_new(&p, &s), ==, -ERR_INVALID_ARGS);
	/* PSK without priority, with an empty or 33-byte App-ID. */
	p = (struct dtls_session_params){.method = DTLS_METHOD_PSK,
	                                 .key = key,
	                                 .key_len = 32,
	                                 .session_id = sid,
	                                 .session_id_len = 32};
	g_assert_cmpint(dtls_session_new(&p, &s), ==, -ERR_INVALID_ARGS);
	p.psk_priority = "NORMAL:-KX-ALL:+PSK";
	p.session_id_len = 0;
	g_assert_cmpint(dtls_session_new(&p, &s), ==, -ERR_INVALID_ARGS);
	p.session_id_len = 33;
	g_assert_cmpint(dtls_session_new(&p, &s), ==, -ERR_INVALID_ARGS);
	p.session_id_len = 32;
	p.psk_priority = "NORMAL:+NOT-A-THING";
	g_assert_cmpint(dtls_session_new(&p, &s), ==, -ERR_TLS);
	p.method = DTLS_METHOD_NONE;
	g_assert_cmpint(dtls_session_new(&p, &s), ==, -ERR_INVALID_ARGS);
	g_assert_null(s);
	dtls_session_free(NULL);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dtls-session/legacy", test_legacy);
	g_test_add_func("/dtls-session/legacy-impostor", test_legacy_impostor);
	g_test_add_func("/dtls-session/psk", test_psk);
	g_test_add_func("/dtls-session/params", test_params);
	return g_test_run();
}
