// SPDX-License-Identifier: GPL-2.0-or-later
#include "helper-conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "helper-agent.h"
#include "helper-auth.h"
#include "helper-dns.h"
#include "helper-netcfg.h"
#include "helper-spawn.h"
#include "log.h"
#include "mtu.h"
#include "worker-msg.h"

/* How long a worker gets to say goodbye to the gateway before it is killed. */
#define STOP_GRACE_MS      5000
#define RELOGIN_TIMEOUT_MS (5 * 60 * 1000)
#define REASON_COOKIE      "CookieRejected"

enum conn_prop {
	PROP_STATE,
	PROP_TRANSPORT,
	PROP_GATEWAY,
	PROP_INTERFACE,
	PROP_ADDRESS,
	PROP_ADDRESS6,
	PROP_MTU,
	PROP_ROUTES,
	PROP_DNS,
	PROP_DOMAINS,
	PROP_BANNER,
	PROP_BYTES_SENT,
	PROP_BYTES_RECEIVED,
	PROP_CONNECTED_SINCE,
	PROP_LAST_ERROR,
	PROP_OWNER,
	PROP_WARNINGS,
	PROP_COUNT_
};

struct relogin {
	DBusPendingCall *pending;
	char *agent_sender;
	char *agent_path;
};

struct helper_conn {
	struct helper_conn *next;
	struct helper *h;
	unsigned id;
	char path[64];
	uid_t owner;
	enum helper_conn_state state;
	struct helper_options *opts; /* the cookie is wiped once the worker has it */
	int gw_family;
	union helper_rtnl_addr gw;

	int tun_fd;
	int ifindex;
	char ifname[IFNAMSIZ];

	pid_t pid; /* 0 once reaped */
	int sock;
	struct helper_loop_io *sock_io;
	struct helper_loop_timer *kill_timer;
	bool worker_up; /* the worker said CONNECTED */

	struct tunnel_config *cfg; /* applied; freed with net and dns once the connection ends */
	struct helper_netcfg *net;
	struct helper_dns *dns;
	char *banner; /* cfg's, kept for the ended object */
	uint32_t mtu;
	uint32_t early_mtu; /* a WMSG_MTU before the first WMSG_CONFIG */

	char address[INET_ADDRSTRLEN + 4];
	char address6[INET6_ADDRSTRLEN + 5];
	char **routes;
	char **dns_servers;
	char **domains;
	char **warnings; /* what of the gateway's configuration was left out, and why */
	const char *transport;
	uint64_t tx, rx;
	uint64_t connected_since;
	int last_error;
	uint8_t *post_auth_xml;
	size_t post_auth_xml_len;

	struct relogin relogin;
	struct helper_loop_timer *prepared_timer; /* prepared: no cookie yet (Start pending) */
	struct helper_loop_timer *linger_timer;
	uint64_t dirty;
};

static void conn_enter_state(struct helper_conn *c, enum helper_conn_state state);

/* clang-format off */
static const char *const state_names[] = {
	[CONN_CONNECTING] = "connecting",
	[CONN_CONNECTED] = "connected",
	[CONN_RECONNECTING] = "reconnecting",
	[CONN_DISCONNECTING] = "disconnecting",
	[CONN_DISCONNECTED] = "disconnected",
	[CONN_FAILED] = "failed",
};
/* clang-format on */

const char *helper_conn_state_name(enum helper_conn_state s)
{
	return s <= CONN_FAILED ? state_names[s] : "failed";
}

static void mark(struct helper_conn *c, enum conn_prop p)
{
	c->dirty |= UINT64_C(1) << p;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* ------------------------------------------------------------------------------------------ */
/* Lookup and accessors */

struct helper_conn *helper_conn_find(struct helper *h, const char *path)
{
	for (struct helper_conn *c = h->conns; c; c = c->next)
		if (strcmp(c->path, path) == 0)
			return c;
	return NULL;
}

const char *helper_conn_path(const struct helper_conn *c)
{
	return c->path;
}

struct helper_conn *helper_conn_next(const struct helper_conn *c)
{
	return c->next;
}

uid_t helper_conn_owner(const struct helper_conn *c)
{
	return c->owner;
}

bool helper_conn_active(const struct helper_conn *c)
{
	return c->state != CONN_DISCONNECTED && c->state != CONN_FAILED;
}

unsigned helper_conn_count(const struct helper *h, bool active_only)
{
	unsigned n = 0;

	for (struct helper_conn *c = h->conns; c; c = c->next)
		if (!active_only || helper_conn_active(c))
			n++;
	return n;
}

/* ------------------------------------------------------------------------------------------ */
/* Talking to the worker */

static int send_to_worker(struct helper_conn *c, struct worker_msg *m, const int *fds, size_t nfds)
{
	int r;

	if (c->sock < 0)
		return -ERR_IO;
	r = worker_msg_send(c->sock, m, fds, nfds);
	if (r < 0)
		log_error("connection %u: cannot send to the worker: %s", c->id, error_text(r));
	return r;
}

static void fail(struct helper_conn *c, int err)
{
	if (!helper_conn_active(c))
		return;
	if (err < 0)
		err = -err;
	c->last_error = err;
	mark(c, PROP_LAST_ERROR);
	conn_enter_state(c, CONN_FAILED);
}

static void close_worker_socket(struct helper_conn *c)
{
	helper_loop_io_remove(c->sock_io);
	c->sock_io = NULL;
	if (c->sock >= 0)
		close(c->sock);
	c->sock = -1;
}

/* The worker is gone (socket closed, or reaped). */
static void worker_gone(struct helper_conn *c)
{
	close_worker_socket(c);
	if (c->state == CONN_DISCONNECTING) {
		/* A goodbye is complete when the process has exited (SIGCHLD), not when it closed
		 * the socket on its way out; the kill timer bounds the wait. */
		if (c->pid <= 0)
			conn_enter_state(c, CONN_DISCONNECTED);
	} else if (helper_conn_active(c)) {
		log_error("connection %u: the worker exited unexpectedly", c->id);
		fail(c, c->last_error ? c->last_error : ERR_WORKER_CRASHED);
	}
}

static void kill_worker(struct helper_conn *c)
{
	/* Not yet reaped, so the pid cannot have been reused. */
	if (c->pid > 0)
		kill(c->pid, SIGKILL);
}

static void kill_timer_fired(struct helper_loop_timer *t, void *data)
{
	struct helper_conn *c = data;

	log_warning("connection %u: the worker did not stop in time; killing it", c->id);
	kill_worker(c);
}

/* ------------------------------------------------------------------------------------------ */
/* Properties */

static void set_address_strings(struct helper_conn *c)
{
	char buf[INET6_ADDRSTRLEN];

	c->address[0] = c->address6[0] = '\0';
	if (c->cfg && c->cfg->has_addr4)
		snprintf(c->address, sizeof(c->address), "%s/%u",
		         inet_ntop(AF_INET, &c->cfg->addr4, buf, sizeof(buf)), c->cfg->prefix4);
	if (c->cfg && c->cfg->has_addr6)
		snprintf(c->address6, sizeof(c->address6), "%s/%u",
		         inet_ntop(AF_INET6, &c->cfg->addr6, buf, sizeof(buf)), c->cfg->prefix6);
	mark(c, PROP_ADDRESS);
	mark(c, PROP_ADDRESS6);
}

static char **dns_strings(const struct tunnel_config *cfg)
{
	char **v = calloc(cfg->n_dns4 + cfg->n_dns6 + 1, sizeof(char *));
	char buf[INET6_ADDRSTRLEN];
	size_t n = 0;

	if (!v)
		return NULL;
	for (unsigned i = 0; i < cfg->n_dns4; i++)
		if (!(v[n++] = strdup(inet_ntop(AF_INET, &cfg->dns4[i], buf, sizeof(buf)))))
			return strv_free(v), NULL;
	for (unsigned i = 0; i < cfg->n_dns6; i++)
		if (!(v[n++] = strdup(inet_ntop(AF_INET6, &cfg->dns6[i], buf, sizeof(buf)))))
			return strv_free(v), NULL;
	return v;
}

/* One line for each family tunnel_config_drop_unusable() left out; logged here, once per
 * applied configuration. */
static char **warning_strings(const struct helper_conn *c, const struct tunnel_config *cfg)
{
	static const int families[] = {AF_INET, AF_INET6};
	char **v = calloc(sizeof(families) / sizeof(families[0]) + 1, sizeof(char *));
	char buf[256];
	size_t n = 0;

	if (!v)
		return NULL;
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		if (!tunnel_config_dropped_text(cfg, families[i], buf, sizeof(buf)))
			continue;
		log_warning("connection %u: %s", c->id, buf);
		if (!(v[n++] = strdup(buf)))
			return strv_free(v), NULL;
	}
	return v;
}

static char **domain_strings(const struct tunnel_config *cfg)
{
	char **v = calloc(cfg->n_domains + 1, sizeof(char *));

	if (!v)
		return NULL;
	for (unsigned i = 0; i < cfg->n_domains; i++)
		if (!(v[i] = strdup(cfg->domains[i])))
			return strv_free(v), NULL;
	return v;
}

/* Clears what describes the applied network configuration. */
static void clear_network_properties(struct helper_conn *c)
{
	strv_free(c->routes);
	strv_free(c->dns_servers);
	strv_free(c->domains);
	strv_free(c->warnings);
	c->routes = c->dns_servers = c->domains = c->warnings = NULL;
	c->mtu = 0;
	c->address[0] = c->address6[0] = '\0';
	mark(c, PROP_ROUTES);
	mark(c, PROP_DNS);
	mark(c, PROP_DOMAINS);
	mark(c, PROP_WARNINGS);
	mark(c, PROP_MTU);
	mark(c, PROP_ADDRESS);
	mark(c, PROP_ADDRESS6);
}

static bool get_state(void *o, DBusMessageIter *it)
{
	return helper_bus_append_string(it,
	                                helper_conn_state_name(((struct helper_conn *)o)->state));
}

static bool get_transport(void *o, DBusMessageIter *it)
{
	return helper_bus_append_string(it, ((struct helper_conn *)o)->transport);
}

static bool get_gateway(void *o, DBusMessageIter *it)
{
	return helper_bus_append_string(it, ((struct helper_conn *)o)->opts->gateway);
}

static bool get_interface(void *o, DBusMessageIter *it)
{
	struct helper_conn *c = o;

	return helper_bus_append_string(it, c->tun_fd >= 0 ? c->ifname : "");
}

static bool get_address(void *o, DBusMessageIter *it)
{
	return helper_bus_append_string(it, ((struct helper_conn *)o)->address);
}

static bool get_address6(void *o, DBusMessageIter *it)
{
	return helper_bus_append_string(it, ((struct helper_conn *)o)->address6);
}

static bool get_mtu(void *o, DBusMessageIter *it)
{
	dbus_uint32_t v = ((struct helper_conn *)o)->mtu;

	return dbus_message_iter_append_basic(it, DBUS_TYPE_UINT32, &v);
}

static bool get_routes(void *o, DBusMessageIter *it)
{
	return helper_bus_append_strv(it, ((struct helper_conn *)o)->routes);
}

static bool get_dns(void *o, DBusMessageIter *it)
{
	return helper_bus_append_strv(it, ((struct helper_conn *)o)->dns_servers);
}

static bool get_domains(void *o, DBusMessageIter *it)
{
	return helper_bus_append_strv(it, ((struct helper_conn *)o)->domains);
}

static bool get_warnings(void *o, DBusMessageIter *it)
{
	return helper_bus_append_strv(it, ((struct helper_conn *)o)->warnings);
}

static bool get_banner(void *o, DBusMessageIter *it)
{
	struct helper_conn *c = o;

	return helper_bus_append_string(it, c->banner ? c->banner : "");
}

static bool get_bytes_sent(void *o, DBusMessageIter *it)
{
	dbus_uint64_t v = ((struct helper_conn *)o)->tx;

	return dbus_message_iter_append_basic(it, DBUS_TYPE_UINT64, &v);
}

static bool get_bytes_received(void *o, DBusMessageIter *it)
{
	dbus_uint64_t v = ((struct helper_conn *)o)->rx;

	return dbus_message_iter_append_basic(it, DBUS_TYPE_UINT64, &v);
}

static bool get_connected_since(void *o, DBusMessageIter *it)
{
	dbus_uint64_t v = ((struct helper_conn *)o)->connected_since;

	return dbus_message_iter_append_basic(it, DBUS_TYPE_UINT64, &v);
}

static bool get_last_error(void *o, DBusMessageIter *it)
{
	struct helper_conn *c = o;

	return helper_bus_append_string(it, c->last_error ? error_name(c->last_error) : "");
}

static bool get_owner(void *o, DBusMessageIter *it)
{
	dbus_uint32_t v = ((struct helper_conn *)o)->owner;

	return dbus_message_iter_append_basic(it, DBUS_TYPE_UINT32, &v);
}

/* ------------------------------------------------------------------------------------------ */
/* Re-login through the owner's agent */

static void relogin_cancel(struct helper_conn *c, bool tell_agent)
{
	struct relogin *rl = &c->relogin;

	if (rl->pending) {
		dbus_pending_call_cancel(rl->pending);
		dbus_pending_call_unref(rl->pending);
		rl->pending = NULL;
		if (tell_agent && c->h->bus) {
			DBusMessage *m = dbus_message_new_method_call(
			    rl->agent_sender, rl->agent_path, HELPER_IFACE_AGENT, "Cancel");
			const char *path = c->path;

			if (m && dbus_message_append_args(m, DBUS_TYPE_OBJECT_PATH, &path,
			                                  DBUS_TYPE_INVALID)) {
				dbus_message_set_no_reply(m, TRUE);
				dbus_connection_send(c->h->bus, m, NULL);
			}
			if (m)
				dbus_message_unref(m);
		}
	}
	free(rl->agent_sender);
	free(rl->agent_path);
	rl->agent_sender = rl->agent_path = NULL;
}

static void relogin_reply(DBusPendingCall *pending, void *data)
{
	struct helper_conn *c = data;
	DBusMessage *reply = dbus_pending_call_steal_reply(pending);
	_cleanup_(secret_freep) struct secret *cookie = NULL;
	_cleanup_free_ char *pin = NULL;
	_cleanup_(worker_msg_freep) struct worker_msg *m = NULL;
	DBusMessageIter it;
	char err[256];
	int r;

	dbus_pending_call_unref(c->relogin.pending);
	c->relogin.pending = NULL;
	relogin_cancel(c, false);
	if (!reply) {
		fail(c, ERR_COOKIE_REJECTED);
		return;
	}
	if (dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_ERROR) {
		log_warning("connection %u: the agent gave no new cookie (%s)", c->id,
		            dbus_message_get_error_name(reply));
		dbus_message_unref(reply);
		fail(c, ERR_COOKIE_REJECTED);
		return;
	}
	r = -ERR_INVALID_ARGS;
	snprintf(err, sizeof(err), "result must be a{sv}");
	if (dbus_message_has_signature(reply, "a{sv}")) {
		dbus_message_iter_init(reply, &it);
		r = helper_options_parse_relogin(&it, &cookie, &pin, err, sizeof(err));
	}
	dbus_message_unref(reply);
	if (r < 0) {
		log_warning("connection %u: the agent's answer is unusable: %s", c->id, err);
		fail(c, ERR_COOKIE_REJECTED);
		return;
	}
	m = worker_msg_new(WMSG_SET_COOKIE);
	if (!m || worker_msg_put_str(m, WATTR_COOKIE, secret_str(cookie)) < 0) {
		fail(c, ERR_NOMEM);
		return;
	}
	if (pin && (!c->opts->pin || strcmp(pin, c->opts->pin) != 0)) {
		/* The user accepted a new certificate during the re-login. */
		if (worker_msg_put_str(m, WATTR_PIN, pin) < 0) {
			log_error("connection %u: the worker cannot take a new server certificate "
			          "pin without a restart",
			          c->id);
			fail(c, ERR_CERT_PIN_MISMATCH);
			return;
		}
		free(c->opts->pin);
		c->opts->pin = steal_ptr(&pin);
	}
	if (send_to_worker(c, m, NULL, 0) < 0) {
		fail(c, ERR_WORKER_CRASHED);
		return;
	}
	log_notice("connection %u: new cookie from the agent handed to the worker", c->id);
}

static void relogin_start(struct helper_conn *c)
{
	const struct helper_agent *a = helper_agent_for_uid(c->h, c->owner);
	const char *path = c->path, *gateway = c->opts->gateway, *reason = REASON_COOKIE;
	DBusPendingCall *pending = NULL;
	DBusMessage *m;

	if (c->relogin.pending)
		return;
	if (!a || !c->h->bus) {
		log_error("connection %u: the gateway rejected the cookie and uid %u has no agent "
		          "to log in again",
		          c->id, (unsigned)c->owner);
		fail(c, ERR_COOKIE_REJECTED);
		return;
	}
	m = dbus_message_new_method_call(a->sender, a->path, HELPER_IFACE_AGENT, "Relogin");
	if (!m ||
	    !dbus_message_append_args(m, DBUS_TYPE_OBJECT_PATH, &path, DBUS_TYPE_STRING, &gateway,
	                              DBUS_TYPE_STRING, &reason, DBUS_TYPE_INVALID) ||
	    !dbus_connection_send_with_reply(c->h->bus, m, &pending, RELOGIN_TIMEOUT_MS) ||
	    !pending || !dbus_pending_call_set_notify(pending, relogin_reply, c, NULL)) {
		if (pending) {
			dbus_pending_call_cancel(pending);
			dbus_pending_call_unref(pending);
		}
		if (m)
			dbus_message_unref(m);
		fail(c, ERR_NOMEM);
		return;
	}
	dbus_message_unref(m);
	c->relogin.pending = pending;
	c->relogin.agent_sender = strdup(a->sender);
	c->relogin.agent_path = strdup(a->path);
	if (!c->relogin.agent_sender || !c->relogin.agent_path) {
		relogin_cancel(c, false);
		fail(c, ERR_NOMEM);
		return;
	}
	log_notice("connection %u: asking the agent %s of uid %u for a new cookie", c->id,
	           a->sender, (unsigned)c->owner);
}

void helper_conn_agent_gone(struct helper *h, const struct helper_agent *agent)
{
	for (struct helper_conn *c = h->conns; c; c = c->next) {
		if (!c->relogin.pending || strcmp(c->relogin.agent_sender, agent->sender) != 0 ||
		    strcmp(c->relogin.agent_path, agent->path) != 0)
			continue;
		log_warning("connection %u: the agent went away during the re-login", c->id);
		relogin_cancel(c, false);
		fail(c, ERR_COOKIE_REJECTED);
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Network configuration */

static void undo_network(struct helper_conn *c)
{
	if (c->dns)
		helper_dns_undo(c->dns);
	if (c->net)
		helper_netcfg_undo(c->net);
}

static int apply_config(struct helper_conn *c, struct tunnel_config *cfg)
{
	uint32_t mtu = cfg->mtu;
	int r;

	if (c->early_mtu && mtu_valid_tunnel(c->early_mtu, cfg->has_addr6))
		mtu = c->early_mtu;
	r = helper_netcfg_apply(c->net, cfg, c->gw_family, &c->gw, mtu);
	if (r == 0)
		r = helper_dns_apply(c->dns, c->ifindex, c->ifname, cfg);
	if (r < 0)
		return r;
	tunnel_config_free(c->cfg);
	c->cfg = cfg;
	free(c->banner);
	c->banner = strdup(cfg->banner);
	c->mtu = mtu;
	strv_free(c->routes);
	strv_free(c->dns_servers);
	strv_free(c->domains);
	strv_free(c->warnings);
	c->routes = helper_netcfg_route_strings(cfg);
	c->dns_servers = dns_strings(cfg);
	c->domains = domain_strings(cfg);
	c->warnings = warning_strings(c, cfg);
	if (!c->routes || !c->dns_servers || !c->domains || !c->warnings || !c->banner)
		return -ERR_NOMEM;
	set_address_strings(c);
	mark(c, PROP_MTU);
	mark(c, PROP_ROUTES);
	mark(c, PROP_DNS);
	mark(c, PROP_DOMAINS);
	mark(c, PROP_WARNINGS);
	mark(c, PROP_BANNER);
	return 0;
}

static void maybe_connected(struct helper_conn *c)
{
	if (c->worker_up && c->cfg &&
	    (c->state == CONN_CONNECTING || c->state == CONN_RECONNECTING))
		conn_enter_state(c, CONN_CONNECTED);
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
	if (c->cfg && tunnel_config_equal(c->cfg, cfg)) {
		log_info("connection %u: configuration unchanged after reconnecting", c->id);
		maybe_connected(c);
		return 0;
	}
	if (c->cfg) {
		/* The gateway changed its mind on reconnect: start over from a clean system. */
		log_notice("connection %u: the gateway sent a new configuration; reapplying",
		           c->id);
		undo_network(c);
		tunnel_config_free(steal_ptr(&c->cfg));
		clear_network_properties(c);
	}
	r = apply_config(c, cfg);
	if (r < 0) {
		log_error("connection %u: cannot configure the network: %s", c->id, error_text(r));
		return r == -ERR_NOMEM ? r : -ERR_NETWORK_CONFIG;
	}
	cfg = NULL; /* c->cfg now */
	log_notice("connection %u: %s configured (%s%s%s, MTU %u)", c->id, c->ifname, c->address,
	           c->address[0] && c->address6[0] ? ", " : "", c->address6, c->mtu);
	maybe_connected(c);
	return 0;
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
	if (st < WORKER_STATE_CONNECTING || st > WORKER_STATE_RECONNECTING)
		return -ERR_PROTOCOL;
	if (c->state == CONN_DISCONNECTING)
		return 0;
	if (strcmp(c->transport, transport) != 0) {
		c->transport = transport;
		mark(c, PROP_TRANSPORT);
	}
	c->worker_up = st == WORKER_STATE_CONNECTED;
	if (c->worker_up)
		maybe_connected(c);
	else if (st == WORKER_STATE_RECONNECTING && c->state == CONN_CONNECTED)
		conn_enter_state(c, CONN_RECONNECTING);
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
	mark(c, PROP_MTU);
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
		mark(c, PROP_BYTES_SENT);
	}
	if (rx != c->rx) {
		c->rx = rx;
		mark(c, PROP_BYTES_RECEIVED);
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
	fail(c, (int)code);
	return 0;
}

static int on_cookie_rejected(struct helper_conn *c)
{
	if (c->state != CONN_CONNECTING && c->state != CONN_CONNECTED &&
	    c->state != CONN_RECONNECTING)
		return 0;
	log_notice("connection %u: the gateway rejected the session cookie", c->id);
	c->last_error = ERR_COOKIE_REJECTED;
	mark(c, PROP_LAST_ERROR);
	c->worker_up = false;
	if (c->state == CONN_CONNECTED)
		conn_enter_state(c, CONN_RECONNECTING);
	relogin_start(c);
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
static bool read_worker_msg(struct helper_conn *c)
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
		worker_gone(c);
		return false;
	}
	if (r == 0)
		r = handle_worker_msg(c, m);
	if (r == -ERR_PROTOCOL) {
		log_error("connection %u: malformed or unexpected message from the worker; "
		          "stopping it",
		          c->id);
		fail(c, ERR_PROTOCOL);
		return false;
	}
	if (r < 0) {
		fail(c, r);
		return false;
	}
	return true;
}

static void worker_readable(struct helper_loop_io *io, int fd, short revents, void *data)
{
	read_worker_msg(data);
}

/* ------------------------------------------------------------------------------------------ */
/* The state machine */

static void linger_expired(struct helper_loop_timer *t, void *data)
{
	struct helper_conn *c = data;
	struct helper *h = c->h;

	helper_loop_timer_remove(c->linger_timer);
	c->linger_timer = NULL;
	for (struct helper_conn **p = &h->conns; *p; p = &(*p)->next) {
		if (*p != c)
			continue;
		*p = c->next;
		break;
	}
	if (c->dirty)
		helper_bus_emit_changed(h, c->path, &helper_conn_interface, c, c->dirty);
	helper_bus_emit_removed(h, c->path, &helper_conn_interface);
	h->manager_dirty = true;
	log_info("connection %u: object removed", c->id);
	helper_netcfg_free(c->net);
	helper_dns_free(c->dns);
	tunnel_config_free(c->cfg);
	free(c->banner);
	helper_options_free(c->opts);
	clear_network_properties(c);
	if (c->post_auth_xml)
		secret_wipe(c->post_auth_xml, c->post_auth_xml_len);
	free(c->post_auth_xml);
	free(c);
	helper_update_idle(h);
}

/* Entry actions of disconnected and failed: everything this connection changed goes back. */
static void teardown(struct helper_conn *c)
{
	relogin_cancel(c, true);
	helper_loop_timer_remove(steal_ptr(&c->prepared_timer));
	helper_loop_timer_remove(c->kill_timer);
	c->kill_timer = NULL;
	kill_worker(c);
	close_worker_socket(c);
	undo_network(c);
	if (c->tun_fd >= 0) {
		/* The device goes with the worker's copy of the fd. */
		close(c->tun_fd);
		c->tun_fd = -1;
		mark(c, PROP_INTERFACE);
	}
	clear_network_properties(c);
	/* An ended object lingers (up to HELPER_MAX_CONNECTIONS of them): only its properties
	 * stay, not the 33 KiB configuration. */
	helper_netcfg_free(steal_ptr(&c->net));
	helper_dns_free(steal_ptr(&c->dns));
	tunnel_config_free(steal_ptr(&c->cfg));
	c->transport = "";
	mark(c, PROP_TRANSPORT);
	c->worker_up = false;
	secret_free(steal_ptr(&c->opts->cookie));
	c->linger_timer =
	    helper_loop_timer_add(c->h->loop, HELPER_LINGER_SECONDS * 1000ull, linger_expired, c);
}

static void conn_enter_state(struct helper_conn *c, enum helper_conn_state state)
{
	enum helper_conn_state old = c->state;

	if (old == state)
		return;
	log_notice("connection %u: %s -> %s%s%s", c->id, state_names[old], state_names[state],
	           state == CONN_FAILED ? ": " : "",
	           state == CONN_FAILED ? error_name(c->last_error) : "");
	c->state = state;
	mark(c, PROP_STATE);

	switch (state) {
	case CONN_CONNECTING:
		break;
	case CONN_CONNECTED:
		if (!c->connected_since) {
			c->connected_since = (uint64_t)time(NULL);
			mark(c, PROP_CONNECTED_SINCE);
		}
		break;
	case CONN_RECONNECTING:
		break;
	case CONN_DISCONNECTING: {
		_cleanup_(worker_msg_freep) struct worker_msg *m = worker_msg_new(WMSG_STOP);

		relogin_cancel(c, true);
		if (!m || send_to_worker(c, m, NULL, 0) < 0)
			kill_worker(c);
		c->kill_timer =
		    helper_loop_timer_add(c->h->loop, STOP_GRACE_MS, kill_timer_fired, c);
		break;
	}
	case CONN_DISCONNECTED:
	case CONN_FAILED:
		teardown(c);
		helper_update_idle(c->h);
		helper_maybe_quit(c->h);
		break;
	}
}

void helper_conn_disconnect(struct helper_conn *c)
{
	if (!helper_conn_active(c) || c->state == CONN_DISCONNECTING)
		return;
	if (c->pid <= 0 && c->sock < 0) {
		/* No worker left to say goodbye. */
		conn_enter_state(c, CONN_DISCONNECTED);
		return;
	}
	conn_enter_state(c, CONN_DISCONNECTING);
}

void helper_conn_stop_all(struct helper *h)
{
	for (struct helper_conn *c = h->conns; c; c = c->next)
		helper_conn_disconnect(c);
}

void helper_conn_child_exited(struct helper *h, pid_t pid, int status)
{
	for (struct helper_conn *c = h->conns; c; c = c->next) {
		if (c->pid != pid)
			continue;
		if (WIFSIGNALED(status))
			log_info("connection %u: worker %d killed by signal %d", c->id, (int)pid,
			         WTERMSIG(status));
		else
			log_info("connection %u: worker %d exited with status %d", c->id, (int)pid,
			         WEXITSTATUS(status));
		c->pid = 0;
		helper_loop_timer_remove(c->kill_timer);
		c->kill_timer = NULL;
		/* What it said last (an error, say) still counts; a bounded drain, since a dead
		 * worker cannot add more. */
		for (int i = 0; i < 64 && read_worker_msg(c); i++)
			;
		worker_gone(c);
		return;
	}
}

void helper_conn_flush(struct helper *h)
{
	for (struct helper_conn *c = h->conns; c; c = c->next) {
		if (!c->dirty)
			continue;
		helper_bus_emit_changed(h, c->path, &helper_conn_interface, c, c->dirty);
		c->dirty = 0;
	}
}

void helper_conn_free_all(struct helper *h)
{
	while (h->conns) {
		struct helper_conn *c = h->conns;

		if (helper_conn_active(c)) {
			c->last_error = ERR_CANCELLED;
			conn_enter_state(c, CONN_FAILED);
		}
		linger_expired(c->linger_timer, c);
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Starting */

static int start_worker(struct helper_conn *c)
{
	_cleanup_(worker_msg_freep) struct worker_msg *m = NULL;
	int fds[2], nfds = 0, r;

	/* IFF_VNET_HDR (tun offload): only the creator can choose it (TUNSETIFF);
	 * the worker then enables TSO/checksum offloads on the fd itself (worker-tun.c) and
	 * falls back to plain packets where the kernel refuses them. */
	r = helper_spawn_tun(true, c->ifname, &c->ifindex, &c->tun_fd);
	if (r < 0)
		return r;
	mark(c, PROP_INTERFACE);
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
	r = send_to_worker(c, m, fds, (size_t)nfds);
	/* The worker has its own copies now (or is gone); ours are of no further use. */
	secret_free(steal_ptr(&c->opts->cookie));
	if (c->opts->cert_fd >= 0)
		close(steal_fd(&c->opts->cert_fd));
	if (c->opts->key_fd >= 0)
		close(steal_fd(&c->opts->key_fd));
	return r < 0 ? -ERR_WORKER_CRASHED : 0;
}

/* Makes room for a new object by dropping the oldest ended one. */
static bool make_room(struct helper *h)
{
	struct helper_conn *oldest = NULL;

	if (helper_conn_count(h, false) < HELPER_MAX_CONNECTIONS)
		return true;
	for (struct helper_conn *c = h->conns; c; c = c->next)
		if (!helper_conn_active(c))
			oldest = c;
	if (!oldest)
		return false;
	linger_expired(oldest->linger_timer, oldest);
	return true;
}

static void prepared_expired(struct helper_loop_timer *t, void *data)
{
	struct helper_conn *c = data;

	(void)t;
	helper_loop_timer_remove(steal_ptr(&c->prepared_timer));
	log_warning("connection %u: no Start within %u s of the prepared Connect", c->id,
	            c->h->prepared_seconds);
	fail(c, ERR_TIMEOUT);
}

struct helper_conn *helper_conn_start(struct helper *h, struct helper_options *opts, uid_t owner)
{
	struct helper_conn *c;
	int r;

	if (!make_room(h) || !(c = calloc(1, sizeof(*c)))) {
		helper_options_free(opts);
		return NULL;
	}
	c->h = h;
	c->id = ++h->next_conn_id;
	snprintf(c->path, sizeof(c->path), HELPER_CONN_PATH_PREFIX "%u", c->id);
	c->owner = owner;
	c->opts = opts;
	c->state = CONN_CONNECTING;
	c->tun_fd = -1;
	c->sock = -1;
	c->transport = "";
	c->gw_family = strchr(opts->address, ':') ? AF_INET6 : AF_INET;
	inet_pton(c->gw_family, opts->address, &c->gw);
	c->next = h->conns;
	h->conns = c;
	h->manager_dirty = true;
	log_notice("connection %u: created for uid %u to %s (%s)", c->id, (unsigned)owner,
	           opts->gateway, opts->address);

	r = 0;
	if (!opts->cookie) {
		/* Prepared: Connection.Start must come in time (prepared_timer set = not started). */
		c->prepared_timer = helper_loop_timer_add(h->loop, h->prepared_seconds * 1000ull,
		                                          prepared_expired, c);
		if (!c->prepared_timer)
			r = -ERR_NOMEM;
	}
	if (r == 0)
		r = start_worker(c);
	c->dirty = 0;
	/* The object is announced with its properties as they are now. */
	helper_bus_emit_added(h, c->path, &helper_conn_interface, c);
	if (r < 0) {
		log_error("connection %u: cannot start: %s", c->id, error_text(r));
		fail(c, r);
	}
	helper_update_idle(h);
	return c;
}

/* ------------------------------------------------------------------------------------------ */
/* Methods: only the owner or root */

struct owner_call {
	void (*fn)(struct helper *h, DBusMessage *call, struct helper_conn *c);
	char path[64];
};

static void owner_identified(struct helper *h, DBusMessage *call, int result, uid_t uid, void *data)
{
	_cleanup_free_ struct owner_call *oc = data;
	/* The object may have gone while the bus answered. */
	struct helper_conn *c = helper_conn_find(h, oc->path);

	if (result < 0) {
		helper_bus_reply_error(h, call, ERR_ACCESS_DENIED, "could not identify the caller");
		return;
	}
	if (!c) {
		helper_bus_reply_error(h, call, ERR_NOT_FOUND, "no such connection");
		return;
	}
	if (uid != 0 && uid != c->owner) {
		log_info("uid %u denied %s on connection %u", (unsigned)uid,
		         dbus_message_get_member(call), c->id);
		helper_bus_reply_error(h, call, ERR_ACCESS_DENIED,
		                       "only the connection's owner or root may do this");
		return;
	}
	oc->fn(h, call, c);
}

static void owner_only(struct helper *h, DBusMessage *call, struct helper_conn *c,
                       void (*fn)(struct helper *, DBusMessage *, struct helper_conn *))
{
	struct owner_call *oc = calloc(1, sizeof(*oc));
	int r;

	if (!oc) {
		helper_bus_reply_error(h, call, ERR_NOMEM, "out of memory");
		return;
	}
	oc->fn = fn;
	snprintf(oc->path, sizeof(oc->path), "%s", c->path);
	r = helper_auth_identify(h, call, owner_identified, oc, free);
	if (r < 0) {
		free(oc);
		helper_bus_reply_error(h, call, r, "%s", error_text(r));
	}
}

static void do_disconnect(struct helper *h, DBusMessage *call, struct helper_conn *c)
{
	if (!helper_conn_active(c)) {
		helper_bus_reply_error(h, call, ERR_NOT_FOUND, "the connection has already ended");
		return;
	}
	log_notice("connection %u: disconnect requested by %s", c->id,
	           dbus_message_get_sender(call));
	helper_conn_disconnect(c);
	helper_bus_reply_empty(h, call);
}

static void do_get_post_auth_xml(struct helper *h, DBusMessage *call, struct helper_conn *c)
{
	DBusMessage *reply = dbus_message_new_method_return(call);
	const uint8_t *data = c->post_auth_xml ? c->post_auth_xml : (const uint8_t *)"";
	DBusMessageIter it, arr;

	if (reply) {
		dbus_message_iter_init_append(reply, &it);
		if (!dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "y", &arr) ||
		    !dbus_message_iter_append_fixed_array(&arr, DBUS_TYPE_BYTE, &data,
		                                          (int)c->post_auth_xml_len) ||
		    !dbus_message_iter_close_container(&it, &arr)) {
			dbus_message_unref(reply);
			reply = NULL;
		}
	}
	helper_bus_send_reply(h, call, reply);
}

/* The login's result for a prepared connection: the worker checks the pin on the link it
 * holds and only then sends the cookie. */
static void do_start(struct helper *h, DBusMessage *call, struct helper_conn *c)
{
	_cleanup_(secret_freep) struct secret *cookie = NULL;
	_cleanup_(worker_msg_freep) struct worker_msg *m = NULL;
	_cleanup_free_ char *pin = NULL;
	DBusMessageIter it;
	char err[256];
	int r;

	dbus_message_iter_init(call, &it);
	r = helper_options_parse_relogin(&it, &cookie, &pin, err, sizeof(err));
	if (r == 0 && !pin) {
		r = -ERR_INVALID_ARGS;
		snprintf(err, sizeof(err), "missing required option 'ServerCertPin'");
	}
	if (r < 0) {
		helper_bus_reply_error(h, call, r, "%s", err[0] ? err : error_text(r));
		return;
	}
	if (!c->prepared_timer || c->state != CONN_CONNECTING) {
		helper_bus_reply_error(h, call, ERR_BUSY,
		                       helper_conn_active(c) ? "the connection is not a prepared one, "
		                                               "or was started already"
		                                             : "the connection has ended");
		return;
	}
	m = worker_msg_new(WMSG_SET_COOKIE);
	if (!m || worker_msg_put_str(m, WATTR_COOKIE, secret_str(cookie)) < 0 ||
	    worker_msg_put_str(m, WATTR_PIN, pin) < 0) {
		helper_bus_reply_error(h, call, ERR_NOMEM, "out of memory");
		return;
	}
	helper_loop_timer_remove(steal_ptr(&c->prepared_timer));
	free(c->opts->pin);
	c->opts->pin = steal_ptr(&pin);
	if (send_to_worker(c, m, NULL, 0) < 0) {
		fail(c, ERR_WORKER_CRASHED);
		helper_bus_reply_error(h, call, ERR_WORKER_CRASHED, "the worker is gone");
		return;
	}
	log_notice("connection %u: started by %s", c->id, dbus_message_get_sender(call));
	helper_bus_reply_empty(h, call);
}

static void method_start(struct helper *h, DBusMessage *call, void *object)
{
	owner_only(h, call, object, do_start);
}

static void method_disconnect(struct helper *h, DBusMessage *call, void *object)
{
	owner_only(h, call, object, do_disconnect);
}

static void method_get_post_auth_xml(struct helper *h, DBusMessage *call, void *object)
{
	owner_only(h, call, object, do_get_post_auth_xml);
}

static const struct helper_bus_method conn_methods[] = {
    {"Start", "a{sv}", method_start},
    {"Disconnect", "", method_disconnect},
    {"GetPostAuthXml", "", method_get_post_auth_xml},
    {NULL, NULL, NULL},
};

static const struct helper_bus_property conn_properties[PROP_COUNT_] = {
    [PROP_STATE] = {"State", "s", get_state},
    [PROP_TRANSPORT] = {"Transport", "s", get_transport},
    [PROP_GATEWAY] = {"Gateway", "s", get_gateway},
    [PROP_INTERFACE] = {"Interface", "s", get_interface},
    [PROP_ADDRESS] = {"Address", "s", get_address},
    [PROP_ADDRESS6] = {"Address6", "s", get_address6},
    [PROP_MTU] = {"Mtu", "u", get_mtu},
    [PROP_ROUTES] = {"Routes", "as", get_routes},
    [PROP_DNS] = {"Dns", "as", get_dns},
    [PROP_DOMAINS] = {"Domains", "as", get_domains},
    [PROP_BANNER] = {"Banner", "s", get_banner},
    [PROP_BYTES_SENT] = {"BytesSent", "t", get_bytes_sent},
    [PROP_BYTES_RECEIVED] = {"BytesReceived", "t", get_bytes_received},
    [PROP_CONNECTED_SINCE] = {"ConnectedSince", "t", get_connected_since},
    [PROP_LAST_ERROR] = {"LastError", "s", get_last_error},
    [PROP_OWNER] = {"Owner", "u", get_owner},
    [PROP_WARNINGS] = {"Warnings", "as", get_warnings},
};

const struct helper_bus_interface helper_conn_interface = {
    HELPER_IFACE_CONNECTION,
    conn_methods,
    conn_properties,
    PROP_COUNT_,
};
