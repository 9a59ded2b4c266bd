// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli-bus.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

SslvpnBusManager *cli_bus_manager(GDBusProxyFlags flags)
{
	g_autoptr(GError) error = NULL;
	SslvpnBusManager *m = sslvpn_bus_manager_proxy_new_for_bus_sync(
	    G_BUS_TYPE_SYSTEM, flags, CLI_BUS_NAME, CLI_MANAGER_PATH, NULL, &error);

	if (!m)
		cli_bus_print_error("cannot reach the sslvpn helper on the system bus", error);
	return m;
}

SslvpnBusConnection *cli_bus_connection(const char *path)
{
	g_autoptr(GError) error = NULL;
	SslvpnBusConnection *c = sslvpn_bus_connection_proxy_new_for_bus_sync(
	    G_BUS_TYPE_SYSTEM, G_DBUS_PROXY_FLAGS_GET_INVALIDATED_PROPERTIES, CLI_BUS_NAME, path,
	    NULL, &error);

	if (!c)
		cli_bus_print_error("cannot read the connection", error);
	return c;
}

void cli_bus_print_error(const char *what, const GError *error)
{
	g_autofree char *remote = error ? g_dbus_error_get_remote_error(error) : NULL;

	if (remote && g_str_has_prefix(remote, ERROR_DBUS_PREFIX)) {
		g_dbus_error_strip_remote_error((GError *)error);
		fprintf(stderr, "sslvpn: %s: %s (%s)\n", what, error_text(error_from_name(remote)),
			error->message);
		return;
	}
	if (error && (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
		      g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER))) {
		fprintf(stderr, "sslvpn: %s: the helper service is not installed or not running\n",
			what);
		return;
	}
	if (error && g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED)) {
		fprintf(stderr, "sslvpn: %s: not allowed (join the netdev group or ask your "
				"administrator)\n",
			what);
		return;
	}
	fprintf(stderr, "sslvpn: %s: %s\n", what, error ? error->message : "unknown error");
}

struct cli_wait {
	const char *const *states;
	const char *reached;
	GMainLoop *loop;
};

static bool cli_state_in(const char *state, const char *const *states)
{
	for (size_t i = 0; state && states[i]; i++)
		if (strcmp(state, states[i]) == 0)
			return true;
	return false;
}

static void cli_wait_changed(GObject *obj, GParamSpec *pspec, gpointer data)
{
	struct cli_wait *w = data;
	const char *state = sslvpn_bus_connection_get_state(SSLVPN_BUS_CONNECTION(obj));

	if (cli_state_in(state, w->states)) {
		w->reached = state;
		g_main_loop_quit(w->loop);
	}
}

static gboolean cli_wait_timeout(gpointer data)
{
	g_main_loop_quit(((struct cli_wait *)data)->loop);
	return G_SOURCE_REMOVE;
}

const char *cli_bus_wait_state(SslvpnBusConnection *c, const char *const *states, int timeout_s)
{
	struct cli_wait w = {.states = states};
	const char *now = sslvpn_bus_connection_get_state(c);
	gulong id;
	guint timer;

	if (cli_state_in(now, states))
		return now;
	w.loop = g_main_loop_new(NULL, FALSE);
	id = g_signal_connect(c, "notify::state", G_CALLBACK(cli_wait_changed), &w);
	timer = g_timeout_add_seconds((guint)timeout_s, cli_wait_timeout, &w);
	g_main_loop_run(w.loop);
	g_signal_handler_disconnect(c, id);
	if (w.reached)
		g_source_remove(timer);
	g_main_loop_unref(w.loop);
	return w.reached;
}
