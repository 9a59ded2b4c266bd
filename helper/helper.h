/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * sslvpn-helper: the root service behind org.sslvpn.Helper1 on the system bus
 * (docs/architecture.md "Trust boundary", docs/architecture.md "Fixed names"; the state machine
 * of a connection: docs/state-machines.md "Helper connection").
 *
 * One process, one thread, one poll() loop (helper-loop.h).  Modules:
 *   helper.c           main(): logging, signals, start-up recovery, idle exit
 *   helper-bus.c       libdbus in the loop, object paths, method dispatch, properties,
 *                      ObjectManager, introspection (the interface XML embedded at build time)
 *   helper-authz.c     who is calling (GetConnectionCredentials) and may they (polkit / netdev)
 *   helper-manager.c   org.sslvpn.Helper1.Manager: Connect
 *   helper-agent.c     org.sslvpn.Helper1.AgentManager and the calls to registered agents
 *   helper-conn*.c     org.sslvpn.Helper1.Connection: one tunnel, its state machine, its worker
 *                      (the files and their jobs: helper-conn-priv.h)
 *   helper-options.c   strict validation of Connect's options and Relogin results
 *   helper-spawn.c     tun device creation and the unprivileged worker's fork/exec
 *   helper-netcfg.c    addresses, MTU and routes with an exact undo log (helper-rtnl.c: libmnl)
 *   helper-dns.c       systemd-resolved or /etc/resolv.conf, restored byte for byte
 * No GLib, no libxml2: tests/lint/test-boundary.sh checks the binary and the sources.
 */
#include <dbus/dbus.h>
#include <stdbool.h>
#include <sys/types.h>

#include "helper-loop.h"
#include "helper-rtnl.h"

#define HELPER_BUS_NAME         "org.sslvpn.Helper1"
#define HELPER_PATH             "/org/sslvpn/Helper1"
#define HELPER_CONN_PATH_PREFIX "/org/sslvpn/Helper1/connection/"
#define HELPER_IFACE_MANAGER    "org.sslvpn.Helper1.Manager"
#define HELPER_IFACE_CONNECTION "org.sslvpn.Helper1.Connection"
#define HELPER_IFACE_AGENT_MGR  "org.sslvpn.Helper1.AgentManager"
#define HELPER_IFACE_AGENT      "org.sslvpn.Helper1.Agent"
#define HELPER_POLKIT_ACTION    "org.sslvpn.Helper1.connect"
#define HELPER_NETDEV_GROUP     "netdev"

#define HELPER_IDLE_SECONDS_DEFAULT 60
#define HELPER_LINGER_SECONDS       30 /* how long an ended connection's object stays */
/* How long a prepared connection (Connect without a cookie) waits for Connection.Start
 * (SSLVPN_HELPER_PREPARED_SECONDS overrides it, for tests). */
#define HELPER_PREPARED_SECONDS     60
#define HELPER_MAX_CONNECTIONS      16 /* objects, ended ones included */
#define HELPER_MAX_ACTIVE           1  /* tunnels at a time (see helper/README.md) */
#define HELPER_MAX_PENDING_CONNECTS 8  /* Connect calls waiting for authorisation */
/* ... of one uid: a polkit prompt may wait for minutes, and one user's unanswered prompts
 * must leave room for the others. */
#define HELPER_MAX_PENDING_CONNECTS_PER_UID 4

struct helper_conn;
struct helper_agent;

struct helper {
	struct helper_loop *loop;
	DBusConnection *bus;
	struct helper_rtnl *rtnl;
	const char *resolv_conf;
	const char *state_dir;

	struct helper_conn *conns; /* newest first */
	unsigned next_conn_id;
	unsigned pending_connects;
	/* Connect calls whose caller is known, per uid (at most one entry per pending call). */
	struct helper_pending_uid {
		uid_t uid;
		unsigned n;
	} pending_uids[HELPER_MAX_PENDING_CONNECTS];
	bool manager_dirty; /* Connections changed: PropertiesChanged due */

	struct helper_agent *agents;
	unsigned n_agents;

	struct helper_loop_timer *idle_timer;
	unsigned idle_seconds;
	unsigned prepared_seconds; /* HELPER_PREPARED_SECONDS, or SSLVPN_HELPER_PREPARED_SECONDS */
	bool stopping; /* SIGTERM/SIGINT: tearing down, then exit */
};

/* Re-evaluates whether the helper is idle (no active connection, no pending call) and arms
 * or disarms the exit timer; called whenever a connection starts or ends. */
void helper_update_idle(struct helper *h);
/* SIGTERM, SIGINT, or the bus went away: end every connection, restore the network, exit. */
void helper_stop(struct helper *h);
/* Every connection has ended and been cleaned up: exit now if we are stopping. */
void helper_maybe_quit(struct helper *h);
