// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "helper-conn-priv.h"
#include "helper-spawn.h"
#include "log.h"
#include "mtu.h"

int helper_conn_worker_send(struct helper_conn *c, struct worker_msg *m, const int *fds,
                            size_t nfds)
{
	int r;

	if (c->sock < 0)
		return -ERR_IO;
	r = worker_msg_send(c->sock, m, fds, nfds);
	if (r < 0)
		log_error("connection %u: cannot send to the worker: %s", c->id, error_text(r));
	return r;
}

void helper_conn_worker_close_socket(struct helper_conn *c)
{
	helper_loop_io_remove(c->sock_io);
	c->sock_io = NULL;
	if (c->sock >= 0)
		close(c->sock);
	c->sock = -1;
}

/* The worker is gone (socket closed, or reaped). */
void helper_conn_worker_gone(struct helper_conn *c)
{
	helper_conn_worker_close_socket(c);
	if (c->state == CONN_DISCONNECTING) {
		/* A goodbye is complete when the process has exited (SIGCHLD), not when it closed
		 * the socket on its way out; the kill timer bounds the wait. */
		if (c->pid <= 0)
			helper_conn_enter_state(c, CONN_DISCONNECTED);
	} else if (helper_conn_active(c)) {
		log_error("connection %u: the worker exited unexpectedly", c->id);
		helper_conn_fail(c, c->last_error ? c->last_error : ERR_WORKER_CRASHED);
	}
}

void helper_conn_worker_kill(struct helper_conn *c)
{
	/* Not yet reaped, so the pid cannot have been reused. */
	if (c->pid > 0)
		kill(c->pid, SIGKILL);
}

/* ------------------------------------------------------------------------------------------ */
/* Messages from the worker: hostile until validated */

static int on_config(struct helper_conn *c, const struct worker_msg *m)
{
	_cleanup_(tunnel_config_freep) struct tunnel_config *cfg = tunnel_config_new();
	char why[256] = "";
	int r;

	if (!cfg)
		return -ERR_NOMEM;
	r = worker_msg_get_config(m, cfg);
	if (r == 0)
		r = helper_netcfg_check(cfg, c->gw_family, &c->gw, why, sizeof(why));
	if (r < 0) {
		log_error("connection %u: unacceptable tunnel configuration%s%s", c->id,
		          why[0] ? ": " : "", why);
		return -ERR_PROTOCOL;
	}
	if (c->state == CONN_DISCONNECTING)
		return 0;
	return helper_conn_net_on_config(c, steal_ptr(&cfg));
}

static int on_state(struct helper_conn *c, const struct worker_msg *m)
{
	uint32_t st, tr = WORKER_TRANSPORT_NONE;
	const char *transport;

	if (worker_msg_get_u32(m, WATTR_STATE, &st) < 0)
		return -ERR_PROTOCOL;
	if (worker_msg_get_u32(m, WATTR_TRANSPORT, &tr) == -ERR_PROTOCOL)
		return -ERR_PROTOCOL;
	switch (tr) {
	case WORKER_TRANSPORT_NONE:
		transport = "";
		break;
	case WORKER_TRANSPORT_TLS:
		transport = "tls";
		break;
	case WORKER_TRANSPORT_DTLS:
		transport = "dtls";
		break;
	default:
		return -ERR_PROTOCOL;
	}
	if (st < WORKER_LINK_CONNECTING || st > WORKER_LINK_RECONNECTING)
		return -ERR_PROTOCOL;
	if (c->state == CONN_DISCONNECTING)
		return 0;
	if (strcmp(c->transport, transport) != 0) {
		c->transport = transport;
		helper_conn_props_mark(c, HELPER_CONN_PROP_TRANSPORT);
	}
	c->worker_up = st == WORKER_LINK_UP;
	if (c->worker_up)
		helper_conn_maybe_connected(c);
	else if (st == WORKER_LINK_RECONNECTING && c->state == CONN_CONNECTED)
		helper_conn_enter_state(c, CONN_RECONNECTING);
	return 0;
}

static int on_mtu(struct helper_conn *c, const struct worker_msg *m)
{
	uint32_t mtu;
	int r;

	if (worker_msg_get_u32(m, WATTR_MTU, &mtu) < 0 ||
	    !mtu_valid_tunnel(mtu, c->cfg && c->cfg->has_addr6))
		return -ERR_PROTOCOL;
	if (c->state == CONN_DISCONNECTING)
		return 0;
	if (!c->cfg) {
		c->early_mtu = mtu;
		return 0;
	}
	if (mtu == c->mtu)
		return 0;
	r = helper_netcfg_set_mtu(c->net, mtu);
	if (r < 0)
		return -ERR_NETWORK_CONFIG;
	log_info("connection %u: MTU %u -> %u", c->id, c->mtu, mtu);
	c->mtu = mtu;
	helper_conn_props_mark(c, HELPER_CONN_PROP_MTU);
	return 0;
}

static int on_stats(struct helper_conn *c, const struct worker_msg *m)
{
	uint64_t tx, rx;

	if (worker_msg_get_u64(m, WATTR_TX_BYTES, &tx) < 0 ||
	    worker_msg_get_u64(m, WATTR_RX_BYTES, &rx) < 0)
		return -ERR_PROTOCOL;
	if (tx != c->tx) {
		c->tx = tx;
		helper_conn_props_mark(c, HELPER_CONN_PROP_BYTES_SENT);
	}
	if (rx != c->rx) {
		c->rx = rx;
		helper_conn_props_mark(c, HELPER_CONN_PROP_BYTES_RECEIVED);
	}
	return 0;
}

static int on_error(struct helper_conn *c, const struct worker_msg *m)
{
	const char *detail = NULL;
	uint32_t code;

	if (worker_msg_get_u32(m, WATTR_ERROR, &code) < 0 ||
	    worker_msg_get_str(m, WATTR_DETAIL, &detail) == -ERR_PROTOCOL)
		return -ERR_PROTOCOL;
	if (code == 0 || code >= ERR_COUNT_)
		code = ERR_INTERNAL;
	log_error("connection %u: %s%s%s", c->id, error_text((int)code), detail ? ": " : "",
	          detail ? detail : "");
	if (c->state == CONN_DISCONNECTING) {
		/* It is on its way out anyway. */
		return 0;
	}
	helper_conn_fail(c, (int)code);
	return 0;
}

static int on_cookie_rejected(struct helper_conn *c)
{
	if (!helper_conn_state_may_relogin(c->state))
		return 0;
	log_notice("connection %u: the gateway rejected the session cookie", c->id);
	c->last_error = ERR_COOKIE_REJECTED;
	helper_conn_props_mark(c, HELPER_CONN_PROP_LAST_ERROR);
	c->worker_up = false;
	if (c->state == CONN_CONNECTED)
		helper_conn_enter_state(c, CONN_RECONNECTING);
	helper_conn_relogin_start(c);
	return 0;
}

static int on_post_auth_xml(struct helper_conn *c, const struct worker_msg *m)
{
	const void *data;
	size_t len;
	uint8_t *copy;

	if (worker_msg_get_bytes(m, WATTR_BLOB, &data, &len) < 0 || len > WORKER_MSG_MAX)
		return -ERR_PROTOCOL;
	copy = malloc(len ? len : 1);
	if (!copy)
		return -ERR_NOMEM;
	memcpy(copy, data, len);
	if (c->post_auth_xml)
		secret_wipe(c->post_auth_xml, c->post_auth_xml_len);
	free(c->post_auth_xml);
	c->post_auth_xml = copy;
	c->post_auth_xml_len = len;
	return 0;
}

static int handle_worker_msg(struct helper_conn *c, const struct worker_msg *m)
{
	switch (worker_msg_type(m)) {
	case WMSG_CONFIG:
		return on_config(c, m);
	case WMSG_STATE:
		return on_state(c, m);
	case WMSG_MTU:
		return on_mtu(c, m);
	case WMSG_STATS:
		return on_stats(c, m);
	case WMSG_ERROR:
		return on_error(c, m);
	case WMSG_COOKIE_REJECTED:
		return on_cookie_rejected(c);
	case WMSG_POST_AUTH_XML:
		return on_post_auth_xml(c, m);
	default:
		/* Our own message types coming back are as wrong as unknown ones. */
		return -ERR_PROTOCOL;
	}
}

/* Reads and handles one message.  Returns false when there is nothing more to read now. */
bool helper_conn_worker_read(struct helper_conn *c)
{
	_cleanup_(worker_msg_freep) struct worker_msg *m = NULL;
	int r;

	/* An ended connection has no socket, net or dns any more (teardown). */
	if (c->sock < 0 || !helper_conn_active(c))
		return false;
	r = worker_msg_recv(c->sock, &m, NULL, NULL);
	if (r == -ERR_TIMEOUT)
		return false;
	if (r == -ERR_IO) {
		helper_conn_worker_gone(c);
		return false;
	}
	if (r == 0)
		r = handle_worker_msg(c, m);
	if (r == -ERR_PROTOCOL) {
		log_error("connection %u: malformed or unexpected message from the worker; "
		          "stopping it",
		          c->id);
		helper_conn_fail(c, ERR_PROTOCOL);
		return false;
	}
	if (r < 0) {
		helper_conn_fail(c, r);
		return false;
	}
	return true;
}

static void worker_readable(struct helper_loop_io *io, int fd, short revents, void *data)
{
	helper_conn_worker_read(data);
}

/* ------------------------------------------------------------------------------------------ */
/* Starting */

int helper_conn_worker_start(struct helper_conn *c)
{
	_cleanup_(worker_msg_freep) struct worker_msg *m = NULL;
	int fds[2], nfds = 0, r;

	/* IFF_VNET_HDR (tun offload): only the creator can choose it (TUNSETIFF);
	 * the worker then enables TSO/checksum offloads on the fd itself (worker-tun.c) and
	 * falls back to plain packets where the kernel refuses them. */
	r = helper_spawn_tun(true, c->ifname, &c->ifindex, &c->tun_fd);
	if (r < 0)
		return r;
	helper_conn_props_mark(c, HELPER_CONN_PROP_INTERFACE);
	log_info("connection %u: tun device %s (index %d)", c->id, c->ifname, c->ifindex);
	c->net = helper_netcfg_new(c->h->rtnl, c->ifindex);
	c->dns = helper_dns_new(c->h->bus, c->h->resolv_conf, c->h->state_dir);
	if (!c->net || !c->dns)
		return -ERR_NOMEM;

	r = helper_spawn_worker(c->tun_fd, &c->pid, &c->sock);
	if (r < 0)
		return r;
	c->sock_io = helper_loop_io_add(c->h->loop, c->sock, POLLIN, worker_readable, c);
	if (!c->sock_io)
		return -ERR_NOMEM;

	m = worker_msg_new(WMSG_START);
	if (!m)
		return -ERR_NOMEM;
	r = worker_msg_put_str(m, WATTR_HOST, c->opts->host);
	if (r == 0)
		r = worker_msg_put_u32(m, WATTR_PORT, c->opts->port);
	if (r == 0)
		r = worker_msg_put_str(m, WATTR_ADDRESS, c->opts->address);
	/* Neither in a prepared connection: Connection.Start brings them (WMSG_SET_COOKIE). */
	if (r == 0 && c->opts->cookie)
		r = worker_msg_put_str(m, WATTR_PIN, c->opts->pin);
	if (r == 0 && c->opts->cookie)
		r = worker_msg_put_str(m, WATTR_COOKIE, secret_str(c->opts->cookie));
	if (r == 0 && c->opts->no_dtls)
		r = worker_msg_put_u32(m, WATTR_NO_DTLS, 1);
	if (r == 0 && c->opts->user_agent)
		r = worker_msg_put_str(m, WATTR_USER_AGENT, c->opts->user_agent);
	if (r < 0)
		return r;
	if (c->opts->cert_fd >= 0)
		fds[nfds++] = c->opts->cert_fd;
	if (c->opts->key_fd >= 0)
		fds[nfds++] = c->opts->key_fd;
	r = helper_conn_worker_send(c, m, fds, (size_t)nfds);
	/* The worker has its own copies now (or is gone); ours are of no further use. */
	secret_free(steal_ptr(&c->opts->cookie));
	if (c->opts->cert_fd >= 0)
		close(steal_fd(&c->opts->cert_fd));
	if (c->opts->key_fd >= 0)
		close(steal_fd(&c->opts->key_fd));
	return r < 0 ? -ERR_WORKER_CRASHED : 0;
}
