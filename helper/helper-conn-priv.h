/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Inside a connection, shared by its files:
 *   helper-conn.c          lifecycle and the one enter-state function
 *   helper-conn-state.c    the state table (pure)
 *   helper-conn-props.c    the D-Bus properties and the strings behind them
 *   helper-conn-methods.c  Start, Disconnect, GetPostAuthXml (owner or root only)
 *   helper-conn-relogin.c  a new cookie through the owner's agent
 *   helper-conn-net.c      applying and undoing the network configuration
 *   helper-conn-worker.c   the tun device, the worker process and its messages
 * Nothing outside these files includes this header.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdint.h>

#include "helper-conn.h"
#include "helper-dns.h"
#include "helper-loop.h"
#include "helper-netcfg.h"
#include "tunnel-config.h"
#include "worker-msg.h"

enum helper_conn_prop {
	HELPER_CONN_PROP_STATE,
	HELPER_CONN_PROP_TRANSPORT,
	HELPER_CONN_PROP_GATEWAY,
	HELPER_CONN_PROP_INTERFACE,
	HELPER_CONN_PROP_ADDRESS,
	HELPER_CONN_PROP_ADDRESS6,
	HELPER_CONN_PROP_MTU,
	HELPER_CONN_PROP_ROUTES,
	HELPER_CONN_PROP_DNS,
	HELPER_CONN_PROP_DOMAINS,
	HELPER_CONN_PROP_BANNER,
	HELPER_CONN_PROP_BYTES_SENT,
	HELPER_CONN_PROP_BYTES_RECEIVED,
	HELPER_CONN_PROP_CONNECTED_SINCE,
	HELPER_CONN_PROP_LAST_ERROR,
	HELPER_CONN_PROP_OWNER,
	HELPER_CONN_PROP_WARNINGS,
	HELPER_CONN_PROP_COUNT_
};

struct helper_conn_relogin {
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

	struct helper_conn_relogin relogin;
	enum helper_conn_prepared prepared;       /* changed only in helper-conn.c */
	struct helper_loop_timer *prepared_timer; /* armed while prepared is WAITING */
	struct helper_loop_timer *linger_timer;
	uint64_t dirty;
};

/* helper-conn.c */
/* The only assignment of c->state: logs the change and runs the entry actions. */
void helper_conn_enter_state(struct helper_conn *c, enum helper_conn_state state);
/* Records err (positive or negative) as LastError and enters failed, once. */
void helper_conn_fail(struct helper_conn *c, int err);

/* helper-conn-props.c */
extern const struct helper_bus_property helper_conn_props_table[HELPER_CONN_PROP_COUNT_];
void helper_conn_props_mark(struct helper_conn *c, enum helper_conn_prop p);
void helper_conn_props_strv_free(char **v);
/* Sets the properties that describe cfg (just applied); -ERR_NOMEM leaves them partial. */
int helper_conn_props_set_config(struct helper_conn *c, const struct tunnel_config *cfg);
/* Clears what describes the applied network configuration. */
void helper_conn_props_clear_network(struct helper_conn *c);

/* helper-conn-methods.c */
extern const struct helper_bus_method helper_conn_methods_table[];

/* helper-conn-relogin.c */
void helper_conn_relogin_start(struct helper_conn *c);
/* Drops a pending re-login; tell_agent sends Agent.Cancel to the agent asked. */
void helper_conn_relogin_cancel(struct helper_conn *c, bool tell_agent);
/* True when c was waiting for that agent's answer. */
bool helper_conn_relogin_waits_for(const struct helper_conn *c, const struct helper_agent *agent);

/* helper-conn-net.c */
int helper_conn_net_apply(struct helper_conn *c, struct tunnel_config *cfg);
void helper_conn_net_undo(struct helper_conn *c);
/* A validated configuration from the worker: applied, reapplied from scratch, or kept. */
int helper_conn_net_on_config(struct helper_conn *c, struct tunnel_config *cfg);

/* helper-conn-worker.c */
/* Tun device, the worker process, WMSG_START. */
int helper_conn_worker_start(struct helper_conn *c);
int helper_conn_worker_send(struct helper_conn *c, struct worker_msg *m, const int *fds,
                            size_t nfds);
/* Reads and handles one message.  Returns false when there is nothing more to read now. */
bool helper_conn_worker_read(struct helper_conn *c);
/* The worker is gone (socket closed, or reaped). */
void helper_conn_worker_gone(struct helper_conn *c);
void helper_conn_worker_kill(struct helper_conn *c);
void helper_conn_worker_close_socket(struct helper_conn *c);

/* helper-conn.c, continued */
/* Enters connected when both the worker's report and the configuration are there. */
void helper_conn_maybe_connected(struct helper_conn *c);
/* Connection.Start's work: -ERR_BUSY unless prepared and waiting, -ERR_NOMEM, or
 * -ERR_WORKER_CRASHED (then the connection has failed).  Takes *pin on success. */
int helper_conn_start_prepared(struct helper_conn *c, const struct secret *cookie, char **pin);
