// SPDX-License-Identifier: GPL-2.0-or-later
#include "tls-conn.h"

#include <gnutls/abstract.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cert-pin.h"
#include "error.h"
#include "log.h"
#include "tls-diagnose.h"

struct tls_loaded_identity {
	gnutls_pcert_st *pcerts;
	unsigned n_pcerts;
	gnutls_privkey_t key;
};

struct tls_conn {
	int fd;
	gnutls_session_t session;
	gnutls_certificate_credentials_t creds;
	struct tls_loaded_identity ids[TLS_CONN_MAX_IDENTITIES];
	size_t n_ids;
	int sent_identity; /* index into ids, -1: none presented */
	bool cert_requested;
	char peer_address[INET6_ADDRSTRLEN];
};

static void tls_conn_free_identities(struct tls_conn *c)
{
	for (size_t i = 0; i < c->n_ids; i++) {
		for (unsigned j = 0; j < c->ids[i].n_pcerts; j++)
			gnutls_pcert_deinit(&c->ids[i].pcerts[j]);
		free(c->ids[i].pcerts);
		gnutls_privkey_deinit(c->ids[i].key);
	}
	c->n_ids = 0;
}

void tls_conn_free(struct tls_conn *c)
{
	if (!c)
		return;
	if (c->session) {
		/* Best effort: a gateway that already closed must not make us wait. */
		if (c->fd >= 0)
			fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
		gnutls_bye(c->session, GNUTLS_SHUT_WR);
		gnutls_deinit(c->session);
	}
	tls_conn_free_identities(c);
	if (c->creds)
		gnutls_certificate_free_credentials(c->creds);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

/* Does the gateway's list of acceptable CAs name the issuer of this identity's leaf (or of any
 * certificate of its chain, for gateways that list an intermediate's root)? */
static bool tls_identity_matches(const struct tls_loaded_identity *id, const gnutls_datum_t *cas,
				 int n_cas)
{
	for (unsigned j = 0; j < id->n_pcerts; j++) {
		gnutls_x509_crt_t crt;
		gnutls_datum_t issuer;
		bool hit = false;

		if (gnutls_x509_crt_init(&crt) < 0)
			return false;
		if (gnutls_x509_crt_import(crt, &id->pcerts[j].cert, GNUTLS_X509_FMT_DER) >= 0 &&
		    gnutls_x509_crt_get_raw_issuer_dn(crt, &issuer) >= 0) {
			for (int i = 0; i < n_cas && !hit; i++)
				hit = cas[i].size == issuer.size &&
				      memcmp(cas[i].data, issuer.data, issuer.size) == 0;
			gnutls_free(issuer.data);
		}
		gnutls_x509_crt_deinit(crt);
		if (hit)
			return true;
	}
	return false;
}

static int tls_retrieve_identity(gnutls_session_t session, const gnutls_datum_t *req_ca_dn,
				 int nreqs, const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
				 gnutls_pcert_st **pcert, unsigned int *pcert_length,
				 gnutls_privkey_t *pkey)
{
	struct tls_conn *c = gnutls_session_get_ptr(session);
	const struct tls_loaded_identity *pick = NULL;

	*pcert_length = 0;
	c->cert_requested = true;
	for (size_t i = 0; i < c->n_ids && !pick; i++)
		if (tls_identity_matches(&c->ids[i], req_ca_dn, nreqs))
			pick = &c->ids[i];
	/* A gateway that names no CA accepts any; with one identity offer it anyway. */
	if (!pick && c->n_ids && (nreqs == 0 || c->n_ids == 1))
		pick = &c->ids[0];
	if (!pick) {
		if (c->n_ids)
			log_warning("the gateway asked for a client certificate, but none of ours is "
				    "issued by a CA it accepts");
		return 0;
	}
	*pcert = pick->pcerts;
	*pcert_length = pick->n_pcerts;
	*pkey = pick->key;
	c->sent_identity = (int)(pick - c->ids);
	log_debug("presenting client certificate %zu of %zu", (size_t)(pick - c->ids) + 1,
		  c->n_ids);
	return 0;
}

static void tls_set_timeouts(int fd, int timeout_ms)
{
	struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int tls_tcp_connect(const struct sockaddr *sa, socklen_t salen, int timeout_ms)
{
	_cleanup_close_ int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
					IPPROTO_TCP);
	struct pollfd pfd;
	int err = 0, one = 1;
	socklen_t errlen = sizeof(err);

	if (fd < 0)
		return -error_from_errno(errno);
	if (connect(fd, sa, salen) < 0 && errno != EINPROGRESS)
		return -ERR_CONNECT;
	pfd = (struct pollfd){.fd = fd, .events = POLLOUT};
	for (;;) {
		int n = poll(&pfd, 1, timeout_ms);

		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			return -ERR_TIMEOUT;
		if (n < 0)
			return -ERR_IO;
		break;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) < 0 || err) {
		errno = err;
		return -ERR_CONNECT;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	tls_set_timeouts(fd, timeout_ms);
	return steal_fd(&fd);
}

/* send() without SIGPIPE: a gateway that closes early must give an error, not kill the
 * process (GnuTLS's default push would raise the signal). */
static ssize_t tls_vec_push(gnutls_transport_ptr_t ptr, const giovec_t *iov, int iovcnt)
{
	struct tls_conn *c = ptr;
	struct msghdr msg = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)iovcnt};
	ssize_t n;

	do {
		n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		gnutls_transport_set_errno(c->session, errno);
	return n;
}

static ssize_t tls_pull(gnutls_transport_ptr_t ptr, void *buf, size_t len)
{
	struct tls_conn *c = ptr;
	ssize_t n;

	do {
		n = recv(c->fd, buf, len, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		gnutls_transport_set_errno(c->session, errno);
	return n;
}

static int tls_pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
	struct tls_conn *c = ptr;
	struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
	int n;

	do {
		n = poll(&pfd, 1, ms == GNUTLS_INDEFINITE_TIMEOUT ? -1 : (int)ms);
	} while (n < 0 && errno == EINTR);
	return n;
}

static bool tls_is_ip_literal(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

static int tls_conn_connect(struct tls_conn *c, const struct tls_conn_options *o, int timeout_ms)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_protocol = IPPROTO_TCP};
	struct addrinfo *res = NULL;
	char port[8];
	int r, last = -ERR_CONNECT;

	snprintf(port, sizeof(port), "%u", o->port ? o->port : 443);
	if (o->address)
		hints.ai_flags = AI_NUMERICHOST;
	r = getaddrinfo(o->address ? o->address : o->host, port, &hints, &res);
	if (r != 0) {
		log_error("cannot resolve %s: %s", o->address ? o->address : o->host,
			  gai_strerror(r));
		return o->address ? -ERR_INVALID_ARGS : -ERR_RESOLVE;
	}
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		const void *addr = ai->ai_family == AF_INET6
					   ? (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr
					   : (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr;

		inet_ntop(ai->ai_family, addr, c->peer_address, sizeof(c->peer_address));
		r = tls_tcp_connect(ai->ai_addr, ai->ai_addrlen, timeout_ms);
		if (r >= 0) {
			c->fd = r;
			freeaddrinfo(res);
			return 0;
		}
		log_info("cannot connect to %s port %s: %s", c->peer_address, port,
			 errno ? strerror(errno) : error_text(r));
		last = r;
	}
	freeaddrinfo(res);
	c->peer_address[0] = '\0';
	return last;
}

static void tls_append_reason(char *buf, size_t len, const char *what)
{
	size_t used = strlen(buf);

	snprintf(buf + used, len - used, "%s%s", used ? "; " : "", what);
}

static void tls_describe_status(unsigned status, char *buf, size_t len)
{
	static const struct {
		unsigned bit;
		const char *text;
	} reasons[] = {
		{GNUTLS_CERT_SIGNER_NOT_FOUND, "issued by an unknown authority"},
		{GNUTLS_CERT_SIGNER_NOT_CA, "issuer is not a certificate authority"},
		{GNUTLS_CERT_EXPIRED, "expired"},
		{GNUTLS_CERT_NOT_ACTIVATED, "not yet valid"},
		{GNUTLS_CERT_UNEXPECTED_OWNER, "issued for a different name"},
		{GNUTLS_CERT_REVOKED, "revoked"},
		{GNUTLS_CERT_INSECURE_ALGORITHM, "uses an insecure algorithm"},
		{GNUTLS_CERT_SIGNATURE_FAILURE, "bad signature"},
		{GNUTLS_CERT_PURPOSE_MISMATCH, "not meant for TLS servers"},
		{GNUTLS_CERT_MISSING_OCSP_STATUS, "missing OCSP status"},
	};

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (status & reasons[i].bit)
			tls_append_reason(buf, len, reasons[i].text);
	if (!buf[0] && status)
		tls_append_reason(buf, len, "not trusted");
}

static void tls_fill_report(gnutls_x509_crt_t crt, struct tls_cert_report *rep)
{
	gnutls_datum_t dn;

	rep->present = true;
	if (gnutls_x509_crt_get_dn3(crt, &dn, 0) >= 0) {
		snprintf(rep->subject, sizeof(rep->subject), "%s", (const char *)dn.data);
		gnutls_free(dn.data);
	}
	if (gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0) >= 0) {
		snprintf(rep->issuer, sizeof(rep->issuer), "%s", (const char *)dn.data);
		gnutls_free(dn.data);
	}
	rep->not_before = gnutls_x509_crt_get_activation_time(crt);
	rep->not_after = gnutls_x509_crt_get_expiration_time(crt);
	cert_pin_from_cert(crt, rep->pin, sizeof(rep->pin));
	cert_pin_sha1_hex(crt, rep->sha1);
}

static int tls_check_peer(struct tls_conn *c, const char *host, const char *pin,
			  struct tls_cert_report *rep)
{
	const gnutls_datum_t *certs;
	unsigned n = 0, status = 0;
	gnutls_x509_crt_t crt;
	int r;

	certs = gnutls_certificate_get_peers(c->session, &n);
	if (!certs || n == 0) {
		snprintf(rep->reason, sizeof(rep->reason), "the gateway sent no certificate");
		return -ERR_CERT_UNTRUSTED;
	}
	if (gnutls_x509_crt_init(&crt) < 0)
		return -ERR_NOMEM;
	r = gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER);
	if (r < 0) {
		gnutls_x509_crt_deinit(crt);
		snprintf(rep->reason, sizeof(rep->reason), "unreadable certificate");
		return -ERR_CERT_UNTRUSTED;
	}
	tls_fill_report(crt, rep);

	r = gnutls_certificate_verify_peers3(c->session, host, &status);
	if (r < 0)
		status |= GNUTLS_CERT_INVALID;
	rep->gnutls_status = status;
	tls_describe_status(status, rep->reason, sizeof(rep->reason));

	if (pin) {
		struct cert_pin want;

		r = cert_pin_parse(pin, &want);
		if (r < 0) {
			gnutls_x509_crt_deinit(crt);
			return -ERR_INVALID_ARGS;
		}
		r = cert_pin_matches(&want, crt) ? 0 : -ERR_CERT_PIN_MISMATCH;
		if (r < 0)
			snprintf(rep->reason, sizeof(rep->reason),
				 "the certificate differs from the pinned one (now %s)", rep->pin);
	} else {
		r = status ? -ERR_CERT_UNTRUSTED : 0;
	}
	gnutls_x509_crt_deinit(crt);
	return r;
}

/* The handshake failed.  A gateway that refuses what we offer gets asked what it does offer,
 * so the user learns that it is obsolete instead of GnuTLS's symptom. */
static int tls_conn_handshake_failed(const struct tls_conn *c, const struct tls_conn_options *o,
				     int err, struct tls_cert_report *rep)
{
	const char *priority = o->priority ? o->priority : TLS_CONN_DEFAULT_PRIORITY;
	gnutls_alert_description_t alert = gnutls_alert_get(c->session);

	if (err == GNUTLS_E_TIMEDOUT || err == GNUTLS_E_AGAIN) {
		log_error("TLS handshake with %s failed: %s", c->peer_address, gnutls_strerror(err));
		return -ERR_TIMEOUT;
	}
	/* The diagnostic handshake itself is never diagnosed. */
	if (strcmp(priority, TLS_DIAGNOSE_PRIORITY) != 0 && tls_diagnose_worth(err, alert)) {
		log_info("TLS handshake with %s failed: %s; asking what the gateway offers",
			 c->peer_address, gnutls_strerror(err));
		/* This connection is dead: a gateway that serves one at a time must see it end. */
		shutdown(c->fd, SHUT_RDWR);
		if (tls_diagnose(o, c->peer_address, priority, rep->refused, sizeof(rep->refused)) ==
		    0) {
			log_info("%s", rep->refused);
			return -ERR_TLS_OBSOLETE;
		}
		rep->refused[0] = '\0';
	}
	log_error("TLS handshake with %s failed: %s", c->peer_address, gnutls_strerror(err));
	return -ERR_TLS;
}

int tls_conn_open(const struct tls_conn_options *o, struct tls_conn **out,
		  struct tls_cert_report *report)
{
	struct tls_cert_report scratch;
	struct tls_cert_report *rep = report ? report : &scratch;
	_cleanup_(tls_conn_freep) struct tls_conn *c = NULL;
	int timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 30000;
	const char *err_pos = NULL;
	int r;

	memset(rep, 0, sizeof(*rep));
	rep->identity_sent = -1;
	if (!o->host || !*o->host || o->n_identities > TLS_CONN_MAX_IDENTITIES)
		return -ERR_INVALID_ARGS;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ERR_NOMEM;
	c->fd = -1;
	c->sent_identity = -1;

	if (gnutls_certificate_allocate_credentials(&c->creds) < 0)
		return -ERR_NOMEM;
	if (!o->pin && !o->defer_check) {
		r = o->cafile ? gnutls_certificate_set_x509_trust_file(c->creds, o->cafile,
								       GNUTLS_X509_FMT_PEM)
			      : gnutls_certificate_set_x509_system_trust(c->creds);
		if (r < 0) {
			log_error("cannot load trusted CAs from %s: %s",
				  o->cafile ? o->cafile : "the system store", gnutls_strerror(r));
			return -ERR_INVALID_ARGS;
		}
		if (r == 0 && o->cafile) {
			log_error("%s holds no CA certificate", o->cafile);
			return -ERR_INVALID_ARGS;
		}
	}
	for (size_t i = 0; i < o->n_identities; i++) {
		r = tls_identity_load(&o->identities[i], &c->ids[i].pcerts, &c->ids[i].n_pcerts,
				      &c->ids[i].key);
		if (r < 0)
			return r;
		c->n_ids++;
	}
	/* Also without identities: that the gateway asked explains a connection it then drops. */
	gnutls_certificate_set_retrieve_function2(c->creds, tls_retrieve_identity);

	r = tls_conn_connect(c, o, timeout_ms);
	if (r < 0)
		return r;

	if (gnutls_init(&c->session, GNUTLS_CLIENT) < 0)
		return -ERR_NOMEM;
	gnutls_session_set_ptr(c->session, c);
	r = gnutls_priority_set_direct(c->session, o->priority ? o->priority : TLS_CONN_DEFAULT_PRIORITY,
				       &err_pos);
	if (r < 0) {
		log_error("bad TLS priority string near \"%s\"", err_pos ? err_pos : "");
		return -ERR_INVALID_ARGS;
	}
	gnutls_credentials_set(c->session, GNUTLS_CRD_CERTIFICATE, c->creds);
	if (!tls_is_ip_literal(o->host))
		gnutls_server_name_set(c->session, GNUTLS_NAME_DNS, o->host, strlen(o->host));
	gnutls_transport_set_ptr(c->session, c);
	gnutls_transport_set_vec_push_function(c->session, tls_vec_push);
	gnutls_transport_set_pull_function(c->session, tls_pull);
	gnutls_transport_set_pull_timeout_function(c->session, tls_pull_timeout);
	gnutls_handshake_set_timeout(c->session, (unsigned)timeout_ms);
	do {
		r = gnutls_handshake(c->session);
	} while (r < 0 && !gnutls_error_is_fatal(r) && r != GNUTLS_E_AGAIN);
	if (r < 0)
		return tls_conn_handshake_failed(c, o, r, rep);
	rep->identity_sent = c->sent_identity;
	rep->cert_requested = c->cert_requested;
	if (!o->defer_check) {
		r = tls_check_peer(c, o->host, o->pin, rep);
		if (r < 0)
			return r;
	}
	log_debug("TLS to %s (%s) established", o->host, c->peer_address);
	*out = steal_ptr(&c);
	return 0;
}

int tls_conn_check_pin(struct tls_conn *c, const char *pin, struct tls_cert_report *report)
{
	struct tls_cert_report scratch;
	struct tls_cert_report *rep = report ? report : &scratch;

	memset(rep, 0, sizeof(*rep));
	rep->identity_sent = c->sent_identity;
	rep->cert_requested = c->cert_requested;
	if (!pin)
		return -ERR_INVALID_ARGS;
	return tls_check_peer(c, NULL, pin, rep);
}

static int tls_map_error(ssize_t r)
{
	if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_TIMEDOUT)
		return -ERR_TIMEOUT;
	if (r == GNUTLS_E_PUSH_ERROR || r == GNUTLS_E_PULL_ERROR)
		return -ERR_IO;
	return -ERR_TLS;
}

int tls_conn_send_all(struct tls_conn *c, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = gnutls_record_send(c->session, p, len);

		if (n == GNUTLS_E_INTERRUPTED)
			continue;
		if (n < 0) {
			log_info("TLS send failed: %s", gnutls_strerror((int)n));
			return tls_map_error(n);
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t tls_conn_recv(struct tls_conn *c, void *buf, size_t len)
{
	for (;;) {
		ssize_t n = gnutls_record_recv(c->session, buf, len);

		if (n == GNUTLS_E_INTERRUPTED || n == GNUTLS_E_REHANDSHAKE)
			continue;
		/* Gateways (ocserv after a 401) often close without close_notify: that is an
		 * end of stream; the HTTP parser decides whether the message was complete. */
		if (n == GNUTLS_E_PREMATURE_TERMINATION)
			return 0;
		if (n < 0) {
			log_info("TLS receive failed: %s", gnutls_strerror((int)n));
			return tls_map_error(n);
		}
		return n;
	}
}

gnutls_session_t tls_conn_session(struct tls_conn *c)
{
	return c->session;
}

int tls_conn_fd(const struct tls_conn *c)
{
	return c->fd;
}

const char *tls_conn_peer_address(const struct tls_conn *c)
{
	return c->peer_address;
}
