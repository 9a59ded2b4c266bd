// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One connect attempt: TCP + TLS to the address the login used (pin enforced by tls_conn, or
 * checked on the link prepared ahead of the login), CONNECT /CSCOSSLC/tunnel, and the answer's head
 * (docs/protocol.md "Phase 5: CSTP CONNECT").  Blocking, bounded by WORKER_CONNECT_TIMEOUT_MS per
 * step.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cstp-frame.h"
#include "dtls-suite.h"
#include "error.h"
#include "http-response.h"
#include "log.h"
#include "mtu.h"
#include "worker.h"

void worker_connect_result_clear(struct worker_connect_result *res)
{
	tls_conn_free(steal_ptr(&res->tls));
	cstp_connect_reply_free(steal_ptr(&res->reply));
	secret_free(steal_ptr(&res->dtls_master_secret));
	free(steal_ptr(&res->leftover));
	res->leftover_len = 0;
}

/* X-CSTP-Hostname: our node name, only if it is a clean DNS name (else no header). */
static const char *worker_connect_hostname(char *buf, size_t len)
{
	struct utsname u;

	if (uname(&u) < 0 || strlen(u.nodename) >= len)
		return NULL;
	snprintf(buf, len, "%s", u.nodename);
	return tunnel_config_domain_valid(buf) ? buf : NULL;
}

static int worker_connect_family(const char *address)
{
	struct in6_addr a;

	if (inet_pton(AF_INET6, address, &a) == 1)
		return AF_INET6;
	return AF_INET;
}

/* Reads the answer's head; leftover bytes of the last record are CSTP. */
static int worker_connect_read_answer(struct tls_conn *tls, struct http_response *h,
                                      struct worker_connect_result *res)
{
	uint8_t buf[CSTP_FRAME_MAX_LEN + 1024];

	for (;;) {
		size_t consumed = 0;
		ssize_t n = tls_conn_recv(tls, buf, sizeof(buf));
		int r;

		if (n < 0) {
			snprintf(res->detail, sizeof(res->detail), "reading the CONNECT answer: %s",
			         error_text((int)n));
			return (int)n;
		}
		if (n == 0) {
			snprintf(res->detail, sizeof(res->detail),
			         "the gateway closed the connection before answering CONNECT");
			return -ERR_IO;
		}
		r = http_response_feed(h, buf, (size_t)n, &consumed);
		if (r == -ERR_TOO_LARGE) {
			snprintf(res->detail, sizeof(res->detail),
			         "CONNECT answer beyond our limits (%d header lines, %d bytes)",
			         HTTP_RESPONSE_MAX_HEADERS, HTTP_RESPONSE_MAX_HEAD);
			return r;
		}
		if (r < 0) {
			snprintf(res->detail, sizeof(res->detail), "malformed CONNECT answer");
			return r;
		}
		if (r == 1) {
			res->leftover_len = (size_t)n - consumed;
			if (res->leftover_len) {
				res->leftover = malloc(res->leftover_len);
				if (!res->leftover)
					return -ERR_NOMEM;
				memcpy(res->leftover, buf + consumed, res->leftover_len);
			}
			return 0;
		}
	}
}

/* The TLS link of an attempt, a failure described in detail: the prepared one once its
 * certificate matches the pin, else a new one (prepare: its certificate checked later). */
static int worker_connect_tls(struct worker *w, bool prepare, struct tls_conn **out,
                              char *detail, size_t len)
{
	struct tls_identity id = {.cert_fd = w->cert_fd, .key_fd = w->key_fd};
	struct tls_conn_options opts = {
	    .host = w->host,
	    .port = w->port,
	    .address = w->address,
	    .pin = w->pin,
	    .defer_check = prepare,
	    .timeout_ms = WORKER_CONNECT_TIMEOUT_MS,
	    .identities = w->cert_fd >= 0 ? &id : NULL,
	    .n_identities = w->cert_fd >= 0 ? 1 : 0,
	};
	struct tls_cert_report report;
	int r;

	if (w->prepared && !prepare) {
		/* Opened ahead of the login: nothing goes out before the pin matches. */
		*out = steal_ptr(&w->prepared);
		r = tls_conn_check_pin(*out, w->pin, &report);
	} else {
		r = tls_conn_open(&opts, out, &report);
	}
	if (r == -ERR_CERT_PIN_MISMATCH)
		snprintf(detail, len, "the gateway presented %s, not the pinned certificate",
		         report.pin);
	else if (r == -ERR_TLS_OBSOLETE && report.refused[0])
		snprintf(detail, len, "TLS to %s port %u: %s", w->address, w->port, report.refused);
	else if (r < 0)
		snprintf(detail, len, "TLS to %s port %u: %s", w->address, w->port, error_text(r));
	return r;
}

int worker_connect_prepare(struct worker *w, char *detail, size_t len)
{
	return worker_connect_tls(w, true, &w->prepared, detail, len);
}

int worker_connect(struct worker *w, struct worker_connect_result *res)
{
	struct cstp_connect_request req = {
	    .host = w->host,
	    .port = w->port,
	    .user_agent = w->user_agent,
	    .cookie = w->cookie,
	};
	_cleanup_(secret_freep) struct secret *request = NULL;
	_cleanup_(http_response_freep) struct http_response *h = NULL;
	char hostname[256], reason[128] = "";
	const char *x_reason;
	int family, r;

	memset(res, 0, sizeof(*res));
	r = worker_connect_tls(w, false, &res->tls, res->detail, sizeof(res->detail));
	if (r < 0)
		return r;

	family = worker_connect_family(tls_conn_peer_address(res->tls));
	req.base_mtu = mtu_base_from_socket(tls_conn_fd(res->tls));
	req.mtu = mtu_request(req.base_mtu, family);
	req.hostname = worker_connect_hostname(hostname, sizeof(hostname));
	if (w->have_cfg) {
		req.prev_addr4 = w->cfg->has_addr4 ? &w->cfg->addr4 : NULL;
		req.prev_addr6 = w->cfg->has_addr6 ? &w->cfg->addr6 : NULL;
	}
	/* DTLS wanted (not NoDtls, and a GnuTLS that can): a fresh master secret for the legacy
	 * method, sent even with PSK-NEGOTIATE (ocserv enables UDP only then), and both suite
	 * lists.  Without X-DTLS-* headers the gateway runs TLS only. */
	if (!w->no_dtls && dtls_suite_gnutls_ok(gnutls_check_version(NULL))) {
		uint8_t ms[DTLS_SUITE_MASTER_LEN];

		if (gnutls_rnd(GNUTLS_RND_KEY, ms, sizeof(ms)) == 0)
			res->dtls_master_secret = secret_new(ms, sizeof(ms));
		secret_wipe(ms, sizeof(ms));
		if (res->dtls_master_secret) {
			req.dtls_master_secret = res->dtls_master_secret;
			req.dtls_ciphers = dtls_suite_offer();
			req.dtls12_ciphers = dtls_suite_offer12();
		}
	}
	r = cstp_connect_request_build(&req, &request);
	if (r < 0) {
		snprintf(res->detail, sizeof(res->detail), "cannot build the CONNECT request");
		return r;
	}
	log_debug("CONNECT %s (base MTU %u, asking for MTU %u)", CSTP_CONNECT_PATH, req.base_mtu,
	          req.mtu);
	r = tls_conn_send_all(res->tls, secret_str(request), secret_len(request));
	if (r < 0) {
		snprintf(res->detail, sizeof(res->detail), "sending CONNECT: %s", error_text(r));
		return r;
	}

	h = http_response_new(HTTP_RESPONSE_HEAD_ONLY);
	if (!h)
		return -ERR_NOMEM;
	r = worker_connect_read_answer(res->tls, h, res);
	if (r < 0)
		return r;
	res->http_status = http_response_status(h);
	r = cstp_connect_status_result(res->http_status);
	if (r < 0) {
		x_reason = http_response_header(h, "X-Reason");
		if (x_reason) {
			/* Server text for logs: printable ASCII only, bounded. */
			size_t j = 0;

			for (const char *p = x_reason; *p && j < sizeof(reason) - 1; p++)
				reason[j++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
			reason[j] = '\0';
		}
		snprintf(res->detail, sizeof(res->detail), "CONNECT answered %d%s%s",
		         res->http_status, reason[0] ? ": " : "", reason);
		return r;
	}
	res->reply = cstp_connect_reply_new();
	if (!res->reply)
		return -ERR_NOMEM;
	r = cstp_connect_reply_from_http(res->reply, h);
	if (r < 0) {
		snprintf(res->detail, sizeof(res->detail), "CONNECT answer refused: %.200s",
		         res->reply->error);
		return r;
	}
	return 0;
}
