// SPDX-License-Identifier: GPL-2.0-or-later
/* Messages between the worker and sslvpn-helper (core/tunnel/worker-msg.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "worker.h"

static int worker_ipc_send(struct worker *w, struct worker_msg *m)
{
	int r;

	if (w->helper_gone)
		return -ERR_IO;
	r = worker_msg_send(w->helper_fd, m, NULL, 0);
	if (r < 0) {
		log_warning("cannot send to the helper: %s", error_text(r));
		w->helper_gone = true;
	}
	return r;
}

int worker_ipc_send_state(struct worker *w, uint32_t state, uint32_t transport)
{
	_cleanup_(worker_msg_freep) struct worker_msg *m = worker_msg_new(WMSG_STATE);

	if (!m || worker_msg_put_u32(m, WATTR_STATE, state) < 0 ||
	    worker_msg_put_u32(m, WATTR_TRANSPORT, transport) < 0)
		return -ERR_NOMEM;
	return worker_ipc_send(w, m);
}

int worker_ipc_send_config(struct worker *w, const struct tunnel_config *cfg)
{
	_cleanup_(worker_msg_freep) struct worker_msg *m = worker_msg_new(WMSG_CONFIG);
	int r;

	if (!m)
		return -ERR_NOMEM;
	r = worker_msg_put_config(m, cfg);
	if (r < 0)
		return r;
	return worker_ipc_send(w, m);
}

int worker_ipc_send_post_auth_xml(struct worker *w, const struct secret *xml)
{
	_cleanup_(worker_msg_freep) struct worker_msg *m = worker_msg_new(WMSG_POST_AUTH_XML);
	int r;

	if (!m)
		return -ERR_NOMEM;
	r = worker_msg_put_bytes(m, WATTR_BLOB, secret_str(xml), secret_len(xml));
	if (r < 0)
		return r;
	return worker_ipc_send(w, m);
}

int worker_ipc_send_stats(struct worker *w)
{
	_cleanup_(worker_msg_freep) struct worker_msg *m = worker_msg_new(WMSG_STATS);

	if (!m || worker_msg_put_u64(m, WATTR_TX_BYTES, w->tx_bytes) < 0 ||
	    worker_msg_put_u64(m, WATTR_RX_BYTES, w->rx_bytes) < 0)
		return -ERR_NOMEM;
	w->stats_sent_tx = w->tx_bytes;
	w->stats_sent_rx = w->rx_bytes;
	w->stats_at_ms = worker_now_ms();
	return worker_ipc_send(w, m);
}

int worker_ipc_send_error(struct worker *w, int err, const char *detail)
{
	_cleanup_(worker_msg_freep) struct worker_msg *m = worker_msg_new(WMSG_ERROR);
	int code = err < 0 ? -err : err;

	if (!m || worker_msg_put_u32(m, WATTR_ERROR, (uint32_t)code) < 0)
		return -ERR_NOMEM;
	if (detail && *detail && worker_msg_put_str(m, WATTR_DETAIL, detail) < 0)
		return -ERR_NOMEM;
	return worker_ipc_send(w, m);
}

int worker_ipc_send_cookie_rejected(struct worker *w)
{
	_cleanup_(worker_msg_freep) struct worker_msg *m = worker_msg_new(WMSG_COOKIE_REJECTED);

	if (!m)
		return -ERR_NOMEM;
	return worker_ipc_send(w, m);
}

int worker_ipc_send_mtu(struct worker *w, uint32_t mtu)
{
	_cleanup_(worker_msg_freep) struct worker_msg *m = worker_msg_new(WMSG_MTU);

	if (!m || worker_msg_put_u32(m, WATTR_MTU, mtu) < 0)
		return -ERR_NOMEM;
	log_info("tun MTU %u", mtu);
	return worker_ipc_send(w, m);
}

static void worker_ipc_close_fds(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
}

static int worker_ipc_dup_str(const struct worker_msg *m, uint16_t attr, bool required, char **out)
{
	const char *s;
	int r = worker_msg_get_str(m, attr, &s);

	if (r == -ERR_NOT_FOUND && !required)
		return 0;
	if (r < 0 || (required && !*s))
		return -ERR_PROTOCOL;
	free(*out);
	*out = strdup(s);
	return *out ? 0 : -ERR_NOMEM;
}

static int worker_ipc_take_start(struct worker *w, const struct worker_msg *m, int *fds,
                                 size_t nfds)
{
	const char *cookie;
	uint32_t port = 443, no_dtls = 0;
	int r;

	if (worker_ipc_dup_str(m, WATTR_HOST, true, &w->host) < 0 ||
	    worker_ipc_dup_str(m, WATTR_ADDRESS, true, &w->address) < 0 ||
	    worker_ipc_dup_str(m, WATTR_PIN, false, &w->pin) < 0 ||
	    worker_ipc_dup_str(m, WATTR_USER_AGENT, false, &w->user_agent) < 0)
		return -ERR_PROTOCOL;
	/* Both or neither: without them the connection is prepared (TLS only) until
	 * WMSG_SET_COOKIE brings them. */
	r = worker_msg_get_str(m, WATTR_COOKIE, &cookie);
	if (r == -ERR_NOT_FOUND && !w->pin)
		cookie = NULL;
	else if (r < 0 || !*cookie || !w->pin || !*w->pin)
		return -ERR_PROTOCOL;
	r = worker_msg_get_u32(m, WATTR_PORT, &port);
	if ((r < 0 && r != -ERR_NOT_FOUND) || port == 0 || port > 65535)
		return -ERR_PROTOCOL;
	r = worker_msg_get_u32(m, WATTR_NO_DTLS, &no_dtls);
	if ((r < 0 && r != -ERR_NOT_FOUND) || no_dtls > 1)
		return -ERR_PROTOCOL;
	if (nfds > 2)
		return -ERR_PROTOCOL;
	if (cookie) {
		w->cookie = secret_new_str(cookie);
		if (!w->cookie)
			return -ERR_NOMEM;
	}
	w->port = (uint16_t)port;
	w->no_dtls = no_dtls == 1;
	if (!w->user_agent) {
		w->user_agent = strdup(WORKER_DEFAULT_USER_AGENT);
		if (!w->user_agent)
			return -ERR_NOMEM;
	}
	w->cert_fd = nfds >= 1 ? fds[0] : -1;
	w->key_fd = nfds >= 2 ? fds[1] : -1;
	log_info("gateway %s (%s) port %u%s%s%s", w->host, w->address, w->port,
	         nfds ? ", with a client certificate" : "", w->no_dtls ? ", DTLS off" : "",
	         cookie ? "" : ", prepared (the cookie comes later)");
	return 0;
}

int worker_ipc_wait_start(struct worker *w)
{
	_cleanup_(worker_msg_freep) struct worker_msg *m = NULL;
	int fds[WORKER_MSG_MAX_FDS];
	size_t nfds = 0;
	int r;

	r = worker_msg_recv(w->helper_fd, &m, fds, &nfds);
	if (r < 0) {
		if (r == -ERR_IO)
			w->helper_gone = true;
		log_error("no start message from the helper: %s", error_text(r));
		return r;
	}
	if (worker_msg_type(m) == WMSG_STOP) {
		worker_ipc_close_fds(fds, nfds);
		return -ERR_CANCELLED;
	}
	if (worker_msg_type(m) != WMSG_START) {
		worker_ipc_close_fds(fds, nfds);
		log_error("expected a start message, got type %u", worker_msg_type(m));
		return -ERR_PROTOCOL;
	}
	r = worker_ipc_take_start(w, m, fds, nfds);
	if (r < 0) {
		worker_ipc_close_fds(fds, nfds);
		log_error("malformed start message");
	}
	return r;
}

static int worker_ipc_take_cookie(struct worker *w, const struct worker_msg *m)
{
	const char *cookie, *pin;
	struct secret *s;

	if (worker_msg_get_str(m, WATTR_COOKIE, &cookie) < 0 || !*cookie)
		return -ERR_PROTOCOL;
	s = secret_new_str(cookie);
	if (!s)
		return -ERR_NOMEM;
	secret_free(w->cookie);
	w->cookie = s;
	if (worker_msg_get_str(m, WATTR_PIN, &pin) == 0) {
		char *p = strdup(pin);

		if (!p || !*p) {
			free(p);
			return p ? -ERR_PROTOCOL : -ERR_NOMEM;
		}
		free(w->pin);
		w->pin = p;
		log_notice("the helper sent a new server certificate pin");
	}
	return 0;
}

int worker_ipc_handle(struct worker *w)
{
	_cleanup_(worker_msg_freep) struct worker_msg *m = NULL;
	int r = worker_msg_recv(w->helper_fd, &m, NULL, NULL);
	uint32_t reason = 0;

	if (r == -ERR_TIMEOUT)
		return 0;
	if (r < 0) {
		if (r == -ERR_IO) {
			log_info("the helper closed its socket");
			w->helper_gone = true;
		} else {
			log_error("malformed message from the helper");
		}
		return r;
	}
	switch (worker_msg_type(m)) {
	case WMSG_STOP:
		r = worker_msg_get_u32(m, WATTR_REASON, &reason);
		if (r == -ERR_PROTOCOL || reason > 0xff)
			return -ERR_PROTOCOL;
		if (r == 0)
			w->stop_reason = (uint8_t)reason;
		log_info("stop requested by the helper");
		worker_enter_state(w, WORKER_RUN_STOPPING);
		return 0;
	case WMSG_SET_COOKIE:
		if (w->state == WORKER_RUN_PREPARED) {
			r = worker_ipc_take_cookie(w, m);
			if (r < 0 || !w->pin)
				return r < 0 ? r : -ERR_PROTOCOL;
			log_info("the cookie and pin arrived: CONNECT");
			worker_enter_state(w, WORKER_RUN_CONNECTING);
			return 0;
		}
		if (w->state != WORKER_RUN_COOKIE_WAIT) {
			log_warning("ignoring a new cookie while not waiting for one");
			return 0;
		}
		r = worker_ipc_take_cookie(w, m);
		if (r < 0)
			return r;
		log_notice("new cookie from the helper: connecting again");
		worker_enter_state(w,
		                   w->have_cfg ? WORKER_RUN_RECONNECTING : WORKER_RUN_CONNECTING);
		return 0;
	default:
		log_error("unexpected message type %u from the helper", worker_msg_type(m));
		return -ERR_PROTOCOL;
	}
}
