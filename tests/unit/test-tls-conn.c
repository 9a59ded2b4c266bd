// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * core/net/tls-conn.c against a real GnuTLS server on 127.0.0.1 (a thread of this test): chain and
 * name verification with the reasons a user sees, pins, and the choice of client certificate
 * from the CA list the server sends.  Certificates are made fresh with certtool for each run.
 */
#include <arpa/inet.h>
#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "tls-conn.h"
#include "unit-helper.h"

static char *dir;

static void run(const char *cmd)
{
	g_autofree char *full = g_strdup_printf("sh -c 'cd %s && %s'", dir, cmd);
	g_autofree char *err = NULL;
	int status;

	g_assert_true(g_spawn_command_line_sync(full, NULL, &err, &status, NULL));
	if (status != 0)
		g_error("%s failed: %s", cmd, err);
}

static void make_ca(const char *name)
{
	g_autofree char *cmd = g_strdup_printf(
		"certtool --generate-privkey --key-type=ecdsa --outfile %s-key.pem 2>/dev/null && "
		"printf \"cn = %s\\nca\\ncert_signing_key\\nexpiration_days = 30\\n\" > %s.tmpl && "
		"certtool --generate-self-signed --load-privkey %s-key.pem --template %s.tmpl "
		"--outfile %s.pem 2>/dev/null",
		name, name, name, name, name, name);
	run(cmd);
}

/* make_cert NAME CA TEMPLATE-LINES */
static void make_cert(const char *name, const char *ca, const char *tmpl)
{
	g_autofree char *cmd = g_strdup_printf(
		"certtool --generate-privkey --key-type=ecdsa --outfile %s-key.pem 2>/dev/null && "
		"printf \"%s\" > %s.tmpl && "
		"certtool --generate-certificate --load-privkey %s-key.pem --load-ca-certificate %s.pem "
		"--load-ca-privkey %s-key.pem --template %s.tmpl --outfile %s.pem 2>/dev/null",
		name, tmpl, name, name, ca, ca, name, name);
	run(cmd);
}

static char *path(const char *name)
{
	return g_build_filename(dir, name, NULL);
}

/* ---- the server ---- */

struct server {
	int listen_fd;
	uint16_t port;
	const char *cert, *key;
	const char *client_ca; /* request a client certificate, naming this CA */
	char client_issuer[256];
	pthread_t thread;
};

static void *server_main(void *data)
{
	struct server *s = data;
	gnutls_certificate_credentials_t creds;
	gnutls_session_t session;
	g_autofree char *cert = path(s->cert), *key = path(s->key);
	int fd = accept(s->listen_fd, NULL, NULL);

	g_assert_cmpint(fd, >=, 0);
	gnutls_certificate_allocate_credentials(&creds);
	g_assert_cmpint(gnutls_certificate_set_x509_key_file(creds, cert, key, GNUTLS_X509_FMT_PEM),
			>=, 0);
	if (s->client_ca) {
		g_autofree char *ca = path(s->client_ca);

		g_assert_cmpint(gnutls_certificate_set_x509_trust_file(creds, ca,
								       GNUTLS_X509_FMT_PEM),
				==, 1);
	}
	gnutls_init(&session, GNUTLS_SERVER);
	gnutls_set_default_priority(session);
	gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, creds);
	if (s->client_ca)
		gnutls_certificate_server_set_request(session, GNUTLS_CERT_REQUEST);
	gnutls_transport_set_int(session, fd);
	gnutls_handshake_set_timeout(session, 5000);
	if (gnutls_handshake(session) >= 0) {
		unsigned n = 0;
		const gnutls_datum_t *peer = gnutls_certificate_get_peers(session, &n);

		if (peer && n) {
			gnutls_x509_crt_t crt;
			size_t len = sizeof(s->client_issuer);

			gnutls_x509_crt_init(&crt);
			gnutls_x509_crt_import(crt, &peer[0], GNUTLS_X509_FMT_DER);
			gnutls_x509_crt_get_issuer_dn(crt, s->client_issuer, &len);
			gnutls_x509_crt_deinit(crt);
		}
		gnutls_record_send(session, "hello", 5);
		gnutls_bye(session, GNUTLS_SHUT_WR);
	}
	gnutls_deinit(session);
	gnutls_certificate_free_credentials(creds);
	close(fd);
	return NULL;
}

static void server_start(struct server *s)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);

	s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	g_assert_cmpint(bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
	g_assert_cmpint(listen(s->listen_fd, 1), ==, 0);
	getsockname(s->listen_fd, (struct sockaddr *)&sa, &len);
	s->port = ntohs(sa.sin_port);
	pthread_create(&s->thread, NULL, server_main, s);
}

static void server_stop(struct server *s)
{
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
}

static int client(struct server *s, const char *host, const char *cafile, const char *pin,
		  const struct tls_identity *ids, size_t n_ids, struct tls_cert_report *rep)
{
	g_autofree char *ca = cafile ? path(cafile) : NULL;
	struct tls_conn_options o;
	_cleanup_(tls_conn_freep) struct tls_conn *c = NULL;
	char buf[16] = "";
	int r;

	server_start(s);
	o = (struct tls_conn_options){.host = host,
				     .port = s->port,
				     .address = "127.0.0.1",
				     .cafile = ca,
				     .pin = pin,
				     .timeout_ms = 5000,
				     .identities = ids,
				     .n_identities = n_ids};
	r = tls_conn_open(&o, &c, rep);
	if (r == 0) {
		g_assert_cmpint(tls_conn_recv(c, buf, sizeof(buf)), ==, 5);
		g_assert_cmpstr(buf, ==, "hello");
		g_assert_cmpstr(tls_conn_peer_address(c), ==, "127.0.0.1");
	}
	tls_conn_free(steal_ptr(&c));
	server_stop(s);
	return r;
}

/* ---- cases ---- */

static void test_verified(void)
{
	struct server s = {.cert = "server.pem", .key = "server-key.pem"};
	struct tls_cert_report rep;

	g_assert_cmpint(client(&s, "vpn.test", "ca1.pem", NULL, NULL, 0, &rep), ==, 0);
	g_assert_true(rep.present);
	g_assert_cmpuint(rep.gnutls_status, ==, 0);
	g_assert_nonnull(strstr(rep.subject, "vpn.test"));
	g_assert_nonnull(strstr(rep.issuer, "Test CA one"));
	g_assert_true(g_str_has_prefix(rep.pin, "pin-sha256:"));
	g_assert_cmpuint(strlen(rep.sha1), ==, 40);
	g_assert_cmpint(rep.not_after, >, rep.not_before);
}

static void test_name_mismatch(void)
{
	struct server s = {.cert = "server.pem", .key = "server-key.pem"};
	struct tls_cert_report rep;

	g_assert_cmpint(client(&s, "other.test", "ca1.pem", NULL, NULL, 0, &rep), ==,
			-ERR_CERT_UNTRUSTED);
	g_assert_nonnull(strstr(rep.reason, "different name"));
}

static void test_unknown_issuer(void)
{
	struct server s = {.cert = "server.pem", .key = "server-key.pem"};
	struct tls_cert_report rep;

	g_assert_cmpint(client(&s, "vpn.test", "ca2.pem", NULL, NULL, 0, &rep), ==,
			-ERR_CERT_UNTRUSTED);
	g_assert_nonnull(strstr(rep.reason, "unknown authority"));
}

static void test_expired(void)
{
	struct server s = {.cert = "expired.pem", .key = "expired-key.pem"};
	struct tls_cert_report rep;

	g_assert_cmpint(client(&s, "vpn.test", "ca1.pem", NULL, NULL, 0, &rep), ==,
			-ERR_CERT_UNTRUSTED);
	g_assert_nonnull(strstr(rep.reason, "expired"));
}

static void test_pin(void)
{
	struct server s = {.cert = "server.pem", .key = "server-key.pem"};
	struct tls_cert_report rep;
	char pin[64];

	/* Learn the pin, then accept the untrusted (unknown CA) server by it alone. */
	g_assert_cmpint(client(&s, "vpn.test", "ca2.pem", NULL, NULL, 0, &rep), ==,
			-ERR_CERT_UNTRUSTED);
	g_strlcpy(pin, rep.pin, sizeof(pin));
	g_assert_cmpint(client(&s, "vpn.test", NULL, pin, NULL, 0, &rep), ==, 0);
	/* Another key behind the same name: refused even though its chain verifies. */
	s.cert = "expired.pem";
	s.key = "expired-key.pem";
	g_assert_cmpint(client(&s, "vpn.test", "ca1.pem", pin, NULL, 0, &rep), ==,
			-ERR_CERT_PIN_MISMATCH);
	g_assert_nonnull(strstr(rep.reason, "differs from the pinned"));
}

static void test_client_cert_choice(void)
{
	g_autofree char *c1 = path("client1.pem"), *k1 = path("client1-key.pem");
	g_autofree char *c2 = path("client2.pem"), *k2 = path("client2-key.pem");
	struct tls_identity ids[2] = {
		{.cert_file = c1, .key_file = k1, .cert_fd = -1, .key_fd = -1},
		{.cert_file = c2, .key_file = k2, .cert_fd = -1, .key_fd = -1},
	};
	struct server s = {.cert = "server.pem", .key = "server-key.pem", .client_ca = "ca2.pem"};
	struct tls_cert_report rep;

	/* The server names only CA two: the second identity must be the one presented. */
	g_assert_cmpint(client(&s, "vpn.test", "ca1.pem", NULL, ids, 2, &rep), ==, 0);
	g_assert_nonnull(strstr(s.client_issuer, "Test CA two"));
	g_assert_cmpint(rep.identity_sent, ==, 1);
	s.client_ca = "ca1.pem";
	s.client_issuer[0] = '\0';
	g_assert_cmpint(client(&s, "vpn.test", "ca1.pem", NULL, ids, 2, &rep), ==, 0);
	g_assert_nonnull(strstr(s.client_issuer, "Test CA one"));
	g_assert_cmpint(rep.identity_sent, ==, 0);
}

static void test_client_cert_pkcs12_and_fds(void)
{
	g_autofree char *p12 = path("client2.p12");
	_cleanup_(secret_freep) struct secret *pw = secret_new_str("p12-pass");
	struct tls_identity id = {.cert_fd = open(p12, O_RDONLY), .key_fd = -1, .password = pw};
	struct server s = {.cert = "server.pem", .key = "server-key.pem", .client_ca = "ca2.pem"};
	struct tls_cert_report rep;

	g_assert_cmpint(id.cert_fd, >=, 0);
	g_assert_cmpint(client(&s, "vpn.test", "ca1.pem", NULL, &id, 1, &rep), ==, 0);
	g_assert_nonnull(strstr(s.client_issuer, "Test CA two"));
	close(id.cert_fd);
}

static void test_bad_identity_file(void)
{
	g_autofree char *ca = path("ca1.pem");
	struct tls_identity id = {.cert_file = ca, .cert_fd = -1, .key_fd = -1};
	struct tls_conn_options o = {.host = "vpn.test", .port = 1, .address = "127.0.0.1",
				     .identities = &id, .n_identities = 1, .timeout_ms = 1000};
	struct tls_conn *c = NULL;

	/* A certificate without its key is unusable, and that is said before connecting. */
	g_assert_cmpint(tls_conn_open(&o, &c, NULL), ==, -ERR_CLIENT_CERT);
	g_assert_null(c);
}

static void test_refused(void)
{
	struct tls_conn_options o = {.host = "vpn.test", .port = 1, .address = "127.0.0.1",
				     .timeout_ms = 1000};
	struct tls_conn *c = NULL;

	g_assert_cmpint(tls_conn_open(&o, &c, NULL), ==, -ERR_CONNECT);
}

int main(int argc, char **argv)
{
	int r;

	g_test_init(&argc, &argv, NULL);
	/* The test server writes to clients that may have hung up on purpose. */
	signal(SIGPIPE, SIG_IGN);
	dir = unit_tmpdir_new("sslvpn-test-tls-XXXXXX");
	make_ca("ca1");
	run("sed -i s/ca1/Test\\ CA\\ one/ ca1.tmpl");
	run("certtool --generate-self-signed --load-privkey ca1-key.pem --template ca1.tmpl --outfile ca1.pem 2>/dev/null");
	make_ca("ca2");
	run("sed -i s/ca2/Test\\ CA\\ two/ ca2.tmpl");
	run("certtool --generate-self-signed --load-privkey ca2-key.pem --template ca2.tmpl --outfile ca2.pem 2>/dev/null");
	make_cert("server", "ca1", "cn = vpn.test\\ndns_name = vpn.test\\ntls_www_server\\nexpiration_days = 30\\n");
	make_cert("expired", "ca1", "cn = vpn.test\\ndns_name = vpn.test\\ntls_www_server\\nactivation_date = 2020-01-01 00:00:00\\nexpiration_date = 2021-01-01 00:00:00\\n");
	make_cert("client1", "ca1", "cn = client one\\ntls_www_client\\nexpiration_days = 30\\n");
	make_cert("client2", "ca2", "cn = client two\\ntls_www_client\\nexpiration_days = 30\\n");
	run("certtool --to-p12 --load-certificate client2.pem --load-privkey client2-key.pem "
	    "--p12-name client2 --password p12-pass --outder --outfile client2.p12 2>/dev/null");

	g_test_add_func("/tls-conn/verified", test_verified);
	g_test_add_func("/tls-conn/name-mismatch", test_name_mismatch);
	g_test_add_func("/tls-conn/unknown-issuer", test_unknown_issuer);
	g_test_add_func("/tls-conn/expired", test_expired);
	g_test_add_func("/tls-conn/pin", test_pin);
	g_test_add_func("/tls-conn/client-cert-choice", test_client_cert_choice);
	g_test_add_func("/tls-conn/client-cert-pkcs12-fd", test_client_cert_pkcs12_and_fds);
	g_test_add_func("/tls-conn/bad-identity", test_bad_identity_file);
	g_test_add_func("/tls-conn/refused", test_refused);
	r = g_test_run();
	unit_tmpdir_remove(dir);
	return r;
}
