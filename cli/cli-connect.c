// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sslvpn connect: log in here (unprivileged), hand the cookie, gateway and pin to the helper,
 * and return once the tunnel is up (0) or has failed (1).  With --foreground it stays: prints
 * state changes, serves as the helper's Agent (a rejected cookie brings a new login instead of
 * a dead tunnel) and disconnects on Ctrl-C.
 */
#include <glib-unix.h>
#include <netdb.h>
#include <gio/gunixfdlist.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "cli-bus.h"
#include "cli-commands.h"
#include "cli-options.h"
#include "cli-term.h"
#include "error.h"
#include "gateway-url.h"
#include "log.h"
#include "prefs.h"

enum {
	CLI_OPT_NO_DTLS = CLI_OPT_FIRST_EXTRA,
	CLI_OPT_FOREGROUND,
};

struct cli_session {
	struct cli_login_options login;
	bool no_dtls;
	struct prefs *prefs;
	SslvpnBusConnection *conn;
	GMainLoop *loop;
	int exit_status;
	bool disconnecting;
	char *shown_state; /* the last state printed: a property notification may repeat it */
};

static void cli_session_clear(struct cli_session *s)
{
	g_free(s->shown_state);
	cli_options_free(&s->login);
}

/* Adds the handoff of a finished login to Connect's options.  The identity the login presented
 * goes as the sealed descriptor it was decoded to: the helper never reads the user's files and
 * never sees the key's password. */
static GVariant *cli_connect_options(const struct auth_result *res, const struct cli_session *s,
				     GUnixFDList *fds)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&b, "{sv}", "Gateway", g_variant_new_string(res->gateway_url));
	g_variant_builder_add(&b, "{sv}", "Address", g_variant_new_string(res->address));
	g_variant_builder_add(&b, "{sv}", "Cookie", g_variant_new_string(secret_str(res->cookie)));
	g_variant_builder_add(&b, "{sv}", "ServerCertPin", g_variant_new_string(res->pin));
	if (s->no_dtls)
		g_variant_builder_add(&b, "{sv}", "NoDtls", g_variant_new_boolean(TRUE));
	/* The identity the login presented (the helper passes it to the worker as is). */
	if (res->identity >= 0 && (size_t)res->identity < s->login.n_certificates) {
		const int handoff[2] = {s->login.identity_fds[res->identity],
					s->login.identity_key_fds[res->identity]};
		const char *keys[2] = {"ClientCertFd", "ClientKeyFd"};

		/* The key's descriptor only for a token: a file's key is in the sealed bundle. */
		for (int i = 0; i < 2 && handoff[i] >= 0; i++) {
			int idx = g_unix_fd_list_append(fds, handoff[i], NULL);

			if (idx < 0) {
				g_variant_builder_clear(&b);
				return NULL;
			}
			g_variant_builder_add(&b, "{sv}", keys[i], g_variant_new_handle(idx));
		}
	}
	return g_variant_builder_end(&b);
}

static void cli_print_connected(SslvpnBusConnection *c)
{
	const char *const *routes = sslvpn_bus_connection_get_routes(c);

	printf(
	    "Connected to %s: %s, address %s%s%s, MTU %u, data over %s\n",
	    sslvpn_bus_connection_get_gateway(c), sslvpn_bus_connection_get_interface(c),
	    sslvpn_bus_connection_get_address(c), *sslvpn_bus_connection_get_address6(c) ? " " : "",
	    sslvpn_bus_connection_get_address6(c), sslvpn_bus_connection_get_mtu(c),
	    *sslvpn_bus_connection_get_transport(c) ? sslvpn_bus_connection_get_transport(c) : "-");
	if (routes && routes[0]) {
		g_autofree char *joined = g_strjoinv(", ", (char **)routes);

		printf("Routes: %s\n", joined);
	}
	fflush(stdout);
	for (const char *const *w = sslvpn_bus_connection_get_warnings(c); w && *w; w++)
		fprintf(stderr, "sslvpn: warning: %s\n", *w);
}

static void cli_print_last_error(SslvpnBusConnection *c)
{
	const char *name = sslvpn_bus_connection_get_last_error(c);

	fprintf(stderr, "sslvpn: the tunnel failed: %s\n",
		name && *name ? error_text(error_from_name(name)) : "no reason given");
}

/* ---- foreground: Agent and state printing ---- */

/* Root may call any connection's objects on the system bus: only the name's current owner
 * (asked now, the helper may have been restarted) may start a login here. */
static gboolean cli_agent_caller_is_helper(GDBusMethodInvocation *inv)
{
	g_autoptr(GVariant) owner = g_dbus_connection_call_sync(
		g_dbus_method_invocation_get_connection(inv), "org.freedesktop.DBus",
		"/org/freedesktop/DBus", "org.freedesktop.DBus", "GetNameOwner",
		g_variant_new("(s)", CLI_BUS_NAME), G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NONE,
		5000, NULL, NULL);
	const char *name = NULL;

	if (owner)
		g_variant_get(owner, "(&s)", &name);
	if (name && g_strcmp0(name, g_dbus_method_invocation_get_sender(inv)) == 0)
		return TRUE;
	g_dbus_method_invocation_return_dbus_error(inv, ERROR_DBUS_PREFIX "AccessDenied",
						   "only the VPN helper may call the agent");
	return FALSE;
}

static gboolean cli_agent_relogin(SslvpnBusAgent *agent, GDBusMethodInvocation *inv,
                                  const char *conn, const char *gateway, const char *reason,
                                  gpointer data)
{
	struct cli_session *s = data;
	_cleanup_(auth_freep) struct auth *a = NULL;
	GVariantBuilder b;

	if (!cli_agent_caller_is_helper(inv))
		return TRUE;
	fputs("sslvpn: the gateway wants a new login: ", stderr);
	if (*reason)
		cli_term_print_safe(stderr, NULL, reason);
	else
		fputc('\n', stderr);
	if (cli_login(&s->login, s->prefs, &a) < 0) {
		g_dbus_method_invocation_return_dbus_error(inv, ERROR_DBUS_PREFIX "Cancelled",
							   "the new login failed");
		return TRUE;
	}
	g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&b, "{sv}", "Cookie",
			      g_variant_new_string(secret_str(auth_result(a)->cookie)));
	g_variant_builder_add(&b, "{sv}", "ServerCertPin",
			      g_variant_new_string(auth_result(a)->pin));
	sslvpn_bus_agent_complete_relogin(agent, inv, g_variant_builder_end(&b));
	return TRUE;
}

static gboolean cli_agent_cancel(SslvpnBusAgent *agent, GDBusMethodInvocation *inv,
                                 const char *conn, gpointer data)
{
	if (!cli_agent_caller_is_helper(inv))
		return TRUE;
	sslvpn_bus_agent_complete_cancel(agent, inv);
	return TRUE;
}

static void cli_fg_state(GObject *obj, GParamSpec *pspec, gpointer data)
{
	struct cli_session *s = data;
	SslvpnBusConnection *c = SSLVPN_BUS_CONNECTION(obj);
	const char *state = sslvpn_bus_connection_get_state(c);

	if (g_strcmp0(state, s->shown_state) == 0)
		return;
	g_free(s->shown_state);
	s->shown_state = g_strdup(state);
	printf("State: %s\n", state);
	fflush(stdout);
	if (strcmp(state, "connected") == 0) {
		cli_print_connected(c);
	} else if (strcmp(state, "failed") == 0) {
		cli_print_last_error(c);
		s->exit_status = 1;
		g_main_loop_quit(s->loop);
	} else if (strcmp(state, "disconnected") == 0) {
		s->exit_status = s->disconnecting ? 0 : 1;
		g_main_loop_quit(s->loop);
	}
}

static gboolean cli_fg_interrupt(gpointer data)
{
	struct cli_session *s = data;
	g_autoptr(GError) error = NULL;

	if (s->disconnecting) /* a second Ctrl-C: stop waiting */
		g_main_loop_quit(s->loop);
	s->disconnecting = true;
	fprintf(stderr, "sslvpn: disconnecting\n");
	if (!sslvpn_bus_connection_call_disconnect_sync(s->conn, NULL, &error)) {
		cli_bus_print_error("cannot disconnect", error);
		g_main_loop_quit(s->loop);
	}
	return G_SOURCE_CONTINUE;
}

static SslvpnBusAgent *cli_register_agent(GDBusConnection *bus, struct cli_session *s, char *path,
                                          size_t len)
{
	g_autoptr(GError) error = NULL;
	SslvpnBusAgent *agent = sslvpn_bus_agent_skeleton_new();
	g_autoptr(SslvpnBusAgentManager) am = NULL;

	snprintf(path, len, "/org/sslvpn/Cli/Agent%d", (int)getpid());
	g_signal_connect(agent, "handle-relogin", G_CALLBACK(cli_agent_relogin), s);
	g_signal_connect(agent, "handle-cancel", G_CALLBACK(cli_agent_cancel), s);
	if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(agent), bus, path, &error)) {
		cli_bus_print_error("cannot offer the re-login agent", error);
		g_object_unref(agent);
		return NULL;
	}
	am = sslvpn_bus_agent_manager_proxy_new_sync(bus, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES,
	                                             CLI_BUS_NAME, CLI_MANAGER_PATH, NULL, &error);
	if (!am || !sslvpn_bus_agent_manager_call_register_agent_sync(am, path, NULL, &error)) {
		cli_bus_print_error("cannot register the re-login agent", error);
		g_dbus_interface_skeleton_unexport(G_DBUS_INTERFACE_SKELETON(agent));
		g_object_unref(agent);
		return NULL;
	}
	return agent;
}

/*
 * A prepared connection (Manager.Connect without a cookie): while the login runs here, the
 * helper's worker opens its own TCP + TLS link to the same address, so that after the login
 * only the CONNECT remains (the gateway's TLS handshake is the slowest step of both).  Only
 * without prompts and client certificates: the login then takes a fixed, short time, and
 * nothing the user decides can change the link.  The worker sends nothing before Start
 * brings the pin the login accepted.
 */
struct cli_prepare {
	bool wanted;
	bool no_dtls;
	const char *gateway; /* as the user gave it */
	char url[GATEWAY_URL_MAX_TEXT + 16]; /* canonical, as the login will report it */
	char address[INET6_ADDRSTRLEN];
	GThread *thread;      /* makes the bus connection, m and the prepared connection */
	SslvpnBusManager *m;  /* from the thread */
	GDBusConnection *bus; /* m's connection (a reference of its own) */
	char *path;           /* the prepared connection, until Start */
};
typedef struct cli_prepare CliPrepare;

/* The gateway's canonical URL and first address, as the login will most likely use them
 * (it reports what it used; cli_prepare_start compares). */
static bool cli_prepare_resolve(struct cli_prepare *p, const char *gateway)
{
	/* As tls_conn resolves: the login connects to the first address that answers. */
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_protocol = IPPROTO_TCP};
	struct addrinfo *ai = NULL;
	struct gateway_url u;
	char port[8];
	bool ok;

	if (gateway_url_parse(gateway, &u) < 0 || gateway_url_format(&u, p->url, sizeof(p->url)) < 0)
		return false;
	snprintf(port, sizeof(port), "%u", u.port);
	if (getaddrinfo(u.host, port, &hints, &ai) != 0 || !ai)
		return false;
	ok = getnameinfo(ai->ai_addr, ai->ai_addrlen, p->address, sizeof(p->address), NULL, 0,
			 NI_NUMERICHOST) == 0;
	freeaddrinfo(ai);
	return ok;
}

static gpointer cli_connect_bus_thread(gpointer data)
{
	struct cli_prepare *p = data;
	g_autoptr(GDBusConnection) bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, NULL);
	g_autoptr(GVariant) ret = NULL;
	g_autoptr(GError) error = NULL;
	GVariantBuilder b;

	/* Resolved here, not before the login: a slow DNS server then delays nothing.  The call
	 * goes out before the Manager proxy is made: the worker's handshake is what the start
	 * waits for. */
	if (bus && p->wanted && cli_prepare_resolve(p, p->gateway)) {
		g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
		g_variant_builder_add(&b, "{sv}", "Gateway", g_variant_new_string(p->url));
		g_variant_builder_add(&b, "{sv}", "Address", g_variant_new_string(p->address));
		if (p->no_dtls)
			g_variant_builder_add(&b, "{sv}", "NoDtls", g_variant_new_boolean(TRUE));
		ret = g_dbus_connection_call_sync(
			bus, CLI_BUS_NAME, CLI_MANAGER_PATH, CLI_MANAGER_IFACE, "Connect",
			g_variant_new_tuple((GVariant *[]){g_variant_builder_end(&b)}, 1),
			G_VARIANT_TYPE("(o)"), G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
		if (ret)
			g_variant_get(ret, "(o)", &p->path);
		else /* the real Connect will say why, if it matters */
			log_debug("no prepared connection: %s", error->message);
	}
	/* On the same (shared) bus connection; errors are reported from here. */
	p->m = cli_bus_manager(G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES);
	p->bus = g_steal_pointer(&bus);
	return NULL;
}

/* A call on the prepared connection, without a proxy (no property round trip first). */
static bool cli_prepare_call(struct cli_prepare *p, const char *method, GVariant *args)
{
	g_autoptr(GVariant) ret = NULL;
	g_autoptr(GError) error = NULL;

	ret = g_dbus_connection_call_sync(p->bus, CLI_BUS_NAME, p->path, CLI_CONNECTION_IFACE,
					  method, args, NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL,
					  &error);
	if (!ret)
		log_debug("%s on the prepared connection: %s", method, error->message);
	return ret != NULL;
}

/* Ends a prepared connection the login did not use. */
static void cli_prepare_drop(struct cli_prepare *p)
{
	if (p->path && p->bus)
		cli_prepare_call(p, "Disconnect", NULL);
	g_clear_pointer(&p->path, g_free);
}

/* Hands the login's result to the prepared connection.  Its object path, or NULL: then the
 * ordinary Connect. */
static char *cli_prepare_start(struct cli_prepare *p, const struct auth_result *res)
{
	GVariantBuilder b;

	if (!p->path)
		return NULL;
	/* A redirect to another host or address, or a client certificate: not this link. */
	if (strcmp(res->gateway_url, p->url) != 0 || strcmp(res->address, p->address) != 0 ||
	    res->identity >= 0) {
		cli_prepare_drop(p);
		return NULL;
	}
	g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&b, "{sv}", "Cookie", g_variant_new_string(secret_str(res->cookie)));
	g_variant_builder_add(&b, "{sv}", "ServerCertPin", g_variant_new_string(res->pin));
	if (!cli_prepare_call(p, "Start",
			      g_variant_new_tuple((GVariant *[]){g_variant_builder_end(&b)}, 1))) {
		cli_prepare_drop(p);
		return NULL;
	}
	return steal_ptr(&p->path);
}

/* The bus thread's result: the Manager proxy (NULL after printing why). */
static SslvpnBusManager *cli_prepare_join(struct cli_prepare *p)
{
	if (p->thread)
		g_thread_join(steal_ptr(&p->thread));
	return steal_ptr(&p->m);
}

/* Whatever way connect ends, a prepared connection it did not start is ended. */
static void cli_prepare_clear(struct cli_prepare *p)
{
	cli_prepare_join(p);
	cli_prepare_drop(p);
	g_clear_object(&p->m);
	g_clear_object(&p->bus);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(CliPrepare, cli_prepare_clear)

int cli_cmd_connect(int argc, char **argv)
{
	static const struct option longopts[] = {CLI_LOGIN_LONG_OPTIONS,
						 {"no-dtls", no_argument, NULL, CLI_OPT_NO_DTLS},
						 {"foreground", no_argument, NULL, CLI_OPT_FOREGROUND},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	_cleanup_(cli_session_clear) struct cli_session s = {.login.interactive = true,
							     .exit_status = 1};
	g_auto(CliPrepare) prep = {0};
	_cleanup_(prefs_freep) struct prefs *prefs = prefs_new();
	_cleanup_(auth_freep) struct auth *a = NULL;
	g_autoptr(SslvpnBusManager) m = NULL;
	g_autoptr(SslvpnBusConnection) conn = NULL;
	g_autoptr(SslvpnBusAgent) agent = NULL;
	g_autoptr(GUnixFDList) fds = g_unix_fd_list_new();
	g_autoptr(GVariant) ret = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;
	char agent_path[64];
	bool foreground = false;
	const char *state;
	int opt, verbosity = 0, r;

	while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		if (opt == 'h') {
			fputs("Usage: sslvpn connect [LOGIN OPTIONS] [--no-dtls] [--foreground] GATEWAY\n",
			      stdout);
			return 0;
		}
		if (opt == CLI_OPT_NO_DTLS) {
			s.no_dtls = true;
			continue;
		}
		if (opt == CLI_OPT_FOREGROUND) {
			foreground = true;
			continue;
		}
		r = cli_options_login(opt, optarg, &s.login, &verbosity);
		if (r == 2)
			return 2;
		if (r == 0)
			return cli_usage_error("unknown option", NULL);
	}
	r = cli_options_finish(&s.login, argc, argv, optind);
	if (r != 0)
		return r;
	/* The bus connection (about 5 ms) and, without prompts, a prepared connection are made
	 * while the login runs.  Someone at a terminal waits for the bus first: a password must
	 * not be asked for a helper that cannot be reached. */
	prep.no_dtls = s.no_dtls;
	prep.gateway = s.login.gateway;
	prep.wanted = !s.login.interactive && s.login.n_certificates == 0;
	prep.thread = g_thread_new("sslvpn-bus", cli_connect_bus_thread, &prep);
	if (!prefs || prefs_load(prefs, NULL) < 0) {
		fprintf(stderr, "sslvpn: cannot read the preferences\n");
		return 1;
	}
	s.prefs = prefs;
	if (s.login.interactive) {
		m = cli_prepare_join(&prep);
		if (!m)
			return 1;
	}
	r = cli_login(&s.login, prefs, &a);
	if (!m)
		m = cli_prepare_join(&prep);
	if (r < 0 || !m || cli_accept_banner(auth_result(a)->banner, s.login.interactive) < 0)
		return 1;
	if (foreground) {
		agent = cli_register_agent(g_dbus_proxy_get_connection(G_DBUS_PROXY(m)), &s,
					   agent_path, sizeof(agent_path));
		if (!agent)
			return 1;
	}
	path = cli_prepare_start(&prep, auth_result(a));
	if (!path) {
		/* Built first: the descriptor list must be complete before the call reads it. */
		GVariant *opts = cli_connect_options(auth_result(a), &s, fds);

		if (!opts) {
			fprintf(stderr, "sslvpn: cannot pass the client certificate to the helper\n");
			return 1;
		}
		ret = g_dbus_proxy_call_with_unix_fd_list_sync(
			G_DBUS_PROXY(m), "Connect", g_variant_new_tuple(&opts, 1),
			/* Long enough for a polkit password dialog: the helper waits 5 minutes. */
			G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, 330000,
			g_unix_fd_list_get_length(fds) ? fds : NULL, NULL, NULL, &error);
		if (!ret) {
			cli_bus_print_error("the helper refused to connect", error);
			return 1;
		}
		g_variant_get(ret, "(o)", &path);
	}
	conn = cli_bus_connection(path);
	if (!conn)
		return 1;
	if (!foreground) {
		state = cli_bus_wait_state(conn, (const char *const[]){"connected", "failed",
								       "disconnected", NULL},
					   90);
		if (state && strcmp(state, "connected") == 0) {
			cli_print_connected(conn);
			if (auth_result(a)->identity >= 0 &&
			    s.login.identity_key_fds[auth_result(a)->identity] >= 0)
				fprintf(stderr, "sslvpn: the token's key signs only while sslvpn runs: "
						"with --foreground the tunnel can also reconnect\n");
			return 0;
		}
		if (state)
			cli_print_last_error(conn);
		else
			fprintf(stderr, "sslvpn: the tunnel did not come up within 90 s\n");
		return 1;
	}
	s.conn = conn;
	s.loop = g_main_loop_new(NULL, FALSE);
	g_signal_connect(conn, "notify::state", G_CALLBACK(cli_fg_state), &s);
	g_unix_signal_add(SIGINT, cli_fg_interrupt, &s);
	g_unix_signal_add(SIGTERM, cli_fg_interrupt, &s);
	cli_fg_state(G_OBJECT(conn), NULL, &s);
	/* Unless it already ended before we started watching. */
	if (strcmp(sslvpn_bus_connection_get_state(conn), "failed") != 0 &&
	    strcmp(sslvpn_bus_connection_get_state(conn), "disconnected") != 0)
		g_main_loop_run(s.loop);
	g_main_loop_unref(s.loop);
	return s.exit_status;
}
