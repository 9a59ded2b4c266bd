// SPDX-License-Identifier: GPL-2.0-or-later
/* What an obsolete gateway offers: the classification of handshake failures, the sentence,
 * and tls_conn_open() against in-process GnuTLS servers that speak only old things. */
#include <arpa/inet.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "tls-conn.h"
#include "tls-diagnose.h"
#include "unit-helper.h"

static void test_worth(void)
{
	g_assert_true(tls_diagnose_worth(GNUTLS_E_UNSUPPORTED_VERSION_PACKET, 0));
	g_assert_true(tls_diagnose_worth(GNUTLS_E_PREMATURE_TERMINATION, 0));
	g_assert_true(tls_diagnose_worth(GNUTLS_E_NO_CIPHER_SUITES, 0));
	g_assert_true(tls_diagnose_worth(GNUTLS_E_FATAL_ALERT_RECEIVED, GNUTLS_A_PROTOCOL_VERSION));
	g_assert_true(
	    tls_diagnose_worth(GNUTLS_E_FATAL_ALERT_RECEIVED, GNUTLS_A_HANDSHAKE_FAILURE));
	g_assert_true(
	    tls_diagnose_worth(GNUTLS_E_FATAL_ALERT_RECEIVED, GNUTLS_A_INSUFFICIENT_SECURITY));
	/* Not about what we offer: no second handshake. */
	g_assert_false(tls_diagnose_worth(GNUTLS_E_FATAL_ALERT_RECEIVED, GNUTLS_A_BAD_CERTIFICATE));
	g_assert_false(
	    tls_diagnose_worth(GNUTLS_E_FATAL_ALERT_RECEIVED, GNUTLS_A_CERTIFICATE_REQUIRED));
	g_assert_false(tls_diagnose_worth(GNUTLS_E_TIMEDOUT, GNUTLS_A_PROTOCOL_VERSION));
	g_assert_false(tls_diagnose_worth(GNUTLS_E_PULL_ERROR, 0));
	g_assert_false(tls_diagnose_worth(GNUTLS_E_DECRYPTION_FAILED, 0));
}

static void check_describe(gnutls_protocol_t v, gnutls_cipher_algorithm_t c,
                           gnutls_mac_algorithm_t m, gnutls_kx_algorithm_t kx, const char *want)
{
	struct tls_negotiated n = {.version = v, .cipher = c, .mac = m, .kx = kx};
	char buf[200] = "";

	g_assert_cmpint(tls_diagnose_describe(&n, TLS_CONN_DEFAULT_PRIORITY, buf, sizeof(buf)), ==,
	                want ? 0 : -ERR_NOT_FOUND);
	if (want)
		g_assert_cmpstr(buf, ==, want);
}

static void test_describe(void)
{
	check_describe(
	    GNUTLS_TLS1_0, GNUTLS_CIPHER_AES_256_CBC, GNUTLS_MAC_SHA1, GNUTLS_KX_ECDHE_RSA,
	    "the gateway offers only TLS 1.0 with AES-256-CBC; this client needs TLS 1.2 "
	    "or later");
	check_describe(
	    GNUTLS_TLS1_1, GNUTLS_CIPHER_AES_128_CBC, GNUTLS_MAC_SHA1, GNUTLS_KX_RSA,
	    "the gateway offers only TLS 1.1 with AES-128-CBC; this client needs TLS 1.2 "
	    "or later");
	check_describe(
	    GNUTLS_TLS1_2, GNUTLS_CIPHER_3DES_CBC, GNUTLS_MAC_SHA1, GNUTLS_KX_RSA,
	    "the gateway offers only TLS 1.2 with 3DES-CBC; this client refuses 3DES-CBC");
	check_describe(
	    GNUTLS_TLS1_0, GNUTLS_CIPHER_ARCFOUR_128, GNUTLS_MAC_MD5, GNUTLS_KX_RSA,
	    "the gateway offers only TLS 1.0 with ARCFOUR-128; this client needs TLS 1.2 "
	    "or later and refuses ARCFOUR-128 and refuses MD5 MACs");
	/* What we accept explains nothing: the handshake failed for another reason. */
	check_describe(GNUTLS_TLS1_2, GNUTLS_CIPHER_AES_256_GCM, GNUTLS_MAC_AEAD,
	               GNUTLS_KX_ECDHE_RSA, NULL);
	check_describe(GNUTLS_TLS1_3, GNUTLS_CIPHER_AES_128_GCM, GNUTLS_MAC_AEAD, GNUTLS_KX_UNKNOWN,
	               NULL);
	check_describe(GNUTLS_TLS1_2, GNUTLS_CIPHER_AES_256_CBC, GNUTLS_MAC_SHA256, GNUTLS_KX_RSA,
	               NULL);
	{
		struct tls_negotiated n = {.version = GNUTLS_TLS1_0};
		char buf[64];

		g_assert_cmpint(
		    tls_diagnose_describe(&n, "NORMAL:+NO-SUCH-THING", buf, sizeof(buf)), ==,
		    -ERR_INVALID_ARGS);
	}
}

/* ---- in-process gateways ---- */

static char *dir, *cert, *key;

struct gateway {
	const char *priority; /* NULL: close every connection without a word */
	int listen_fd;
	uint16_t port;
	int accepted;
	pthread_t thread;
};

/* Serves connections until the listening socket is shut down. */
static void *gateway_main(void *data)
{
	struct gateway *g = data;
	gnutls_certificate_credentials_t creds;
	int fd;

	gnutls_certificate_allocate_credentials(&creds);
	g_assert_cmpint(gnutls_certificate_set_x509_key_file(creds, cert, key, GNUTLS_X509_FMT_PEM),
	                >=, 0);
	while ((fd = accept(g->listen_fd, NULL, NULL)) >= 0) {
		gnutls_session_t s;

		g->accepted++;
		if (g->priority) {
			gnutls_init(&s, GNUTLS_SERVER);
			g_assert_cmpint(gnutls_priority_set_direct(s, g->priority, NULL), ==, 0);
			gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, creds);
			gnutls_transport_set_int(s, fd);
			gnutls_handshake_set_timeout(s, 5000);
			if (gnutls_handshake(s) >= 0) {
				char buf[64];

				/* A request would arrive here: the diagnosis must send none. */
				g_assert_cmpint(gnutls_record_recv(s, buf, sizeof(buf)), <=, 0);
			}
			gnutls_deinit(s);
		} else {
			char hello[4096];

			/* Read first: closing with unread data would send a reset, not a close. */
			(void)!read(fd, hello, sizeof(hello));
		}
		close(fd);
	}
	gnutls_certificate_free_credentials(creds);
	return NULL;
}

static int gateway_connect(struct gateway *g, struct tls_cert_report *rep)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	struct tls_conn_options o = {
	    .host = "gateway.test", .address = "127.0.0.1", .cafile = cert, .timeout_ms = 5000};
	struct tls_conn *c = NULL;
	int r;

	g->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	g_assert_cmpint(bind(g->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
	g_assert_cmpint(listen(g->listen_fd, 4), ==, 0);
	getsockname(g->listen_fd, (struct sockaddr *)&sa, &len);
	o.port = ntohs(sa.sin_port);
	pthread_create(&g->thread, NULL, gateway_main, g);
	r = tls_conn_open(&o, &c, rep);
	tls_conn_free(c);
	shutdown(g->listen_fd, SHUT_RDWR);
	pthread_join(g->thread, NULL);
	close(g->listen_fd);
	return r;
}

static void test_obsolete_gateway(void)
{
	struct gateway tls10 = {.priority = "NORMAL:-VERS-ALL:+VERS-TLS1.0"};
	struct gateway des = {.priority = "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+3DES-CBC"};
	struct tls_cert_report rep;

	g_assert_cmpint(gateway_connect(&tls10, &rep), ==, -ERR_TLS_OBSOLETE);
	g_assert_cmpint(tls10.accepted, ==, 2);
	g_assert_cmpstr(
	    rep.refused, ==,
	    "the gateway offers only TLS 1.0 with AES-256-CBC; this client needs TLS 1.2 "
	    "or later");
	g_assert_cmpint(gateway_connect(&des, &rep), ==, -ERR_TLS_OBSOLETE);
	g_assert_cmpstr(
	    rep.refused, ==,
	    "the gateway offers only TLS 1.2 with 3DES-CBC; this client refuses 3DES-CBC");
}

static void test_silent_gateway(void)
{
	struct gateway silent = {.priority = NULL};
	struct gateway modern = {.priority = "NORMAL:-VERS-ALL:+VERS-TLS1.3"};
	struct tls_cert_report rep;

	/* Closed without a word twice: the diagnosis says nothing, the failure stays ERR_TLS. */
	g_assert_cmpint(gateway_connect(&silent, &rep), ==, -ERR_TLS);
	g_assert_cmpint(silent.accepted, ==, 2);
	g_assert_cmpstr(rep.refused, ==, "");
	/* A gateway we can talk to is never asked twice. */
	g_assert_cmpint(gateway_connect(&modern, &rep), ==, 0);
	g_assert_cmpint(modern.accepted, ==, 1);
	g_assert_cmpstr(rep.refused, ==, "");
}

static void make_cert(void)
{
	g_autofree char *cmd = NULL, *err = NULL;
	int status;

	dir = unit_tmpdir_new("test-tls-diagnose-XXXXXX");
	g_assert_nonnull(dir);
	cert = g_build_filename(dir, "cert.pem", NULL);
	key = g_build_filename(dir, "key.pem", NULL);
	cmd = g_strdup_printf(
	    "sh -c 'cd %s && certtool --generate-privkey --key-type=rsa --bits=2048 "
	    "--outfile key.pem 2>/dev/null && printf \"cn = gateway.test\\ndns_name = "
	    "gateway.test\\n"
	    "ca\\ncert_signing_key\\nsigning_key\\nencryption_key\\ntls_www_server\\n"
	    "expiration_days = 30\\n\" > t.tmpl && certtool --generate-self-signed "
	    "--load-privkey key.pem --template t.tmpl --outfile cert.pem 2>/dev/null'",
	    dir);
	g_assert_true(g_spawn_command_line_sync(cmd, NULL, &err, &status, NULL));
	g_assert_cmpint(status, ==, 0);
}

int main(int argc, char **argv)
{
	int r;

	g_test_init(&argc, &argv, NULL);
	make_cert();
	g_test_add_func("/tls-diagnose/worth", test_worth);
	g_test_add_func("/tls-diagnose/describe", test_describe);
	g_test_add_func("/tls-diagnose/obsolete-gateway", test_obsolete_gateway);
	g_test_add_func("/tls-diagnose/silent-gateway", test_silent_gateway);
	r = g_test_run();
	unit_tmpdir_remove(dir);
	g_free(cert);
	g_free(key);
	g_free(dir);
	return r;
}
