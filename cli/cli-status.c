// SPDX-License-Identifier: GPL-2.0-or-later
/* sslvpn status [--json], sslvpn disconnect [CONN], sslvpn monitor: read and steer the
 * helper's connections over D-Bus, as any script could with busctl. */
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli-bus.h"
#include "cli-commands.h"
#include "error.h"

static void cli_status_text(SslvpnBusConnection *c, const char *path)
{
	const char *const *routes = sslvpn_bus_connection_get_routes(c);
	const char *const *dns = sslvpn_bus_connection_get_dns(c);
	const char *const *warnings = sslvpn_bus_connection_get_warnings(c);
	const char *last = sslvpn_bus_connection_get_last_error(c);
	guint64 since = sslvpn_bus_connection_get_connected_since(c);

	printf("%s\n", path);
	printf("  State:      %s\n", sslvpn_bus_connection_get_state(c));
	printf("  Gateway:    %s\n", sslvpn_bus_connection_get_gateway(c));
	printf("  Transport:  %s\n", *sslvpn_bus_connection_get_transport(c)
	                                 ? sslvpn_bus_connection_get_transport(c)
	                                 : "-");
	printf("  Interface:  %s\n", sslvpn_bus_connection_get_interface(c));
	printf("  Address:    %s %s\n", sslvpn_bus_connection_get_address(c),
	       sslvpn_bus_connection_get_address6(c));
	printf("  MTU:        %u\n", sslvpn_bus_connection_get_mtu(c));
	for (size_t i = 0; routes && routes[i]; i++)
		printf("  %s %s\n", i ? "           " : "Routes:    ", routes[i]);
	for (size_t i = 0; dns && dns[i]; i++)
		printf("  %s %s\n", i ? "           " : "DNS:       ", dns[i]);
	printf("  Sent:       %" G_GUINT64_FORMAT " bytes\n",
	       sslvpn_bus_connection_get_bytes_sent(c));
	printf("  Received:   %" G_GUINT64_FORMAT " bytes\n",
	       sslvpn_bus_connection_get_bytes_received(c));
	if (since)
		printf("  Connected:  %" G_GUINT64_FORMAT " s\n", (guint64)time(NULL) - since);
	if (last && *last)
		printf("  Last error: %s (%s)\n", last, error_text(error_from_name(last)));
	printf("  Owner:      %u\n", sslvpn_bus_connection_get_owner(c));
	for (size_t i = 0; warnings && warnings[i]; i++)
		printf("  Warning:    %s\n", warnings[i]);
}

static void cli_json_strv(GString *out, const char *key, const char *const *v)
{
	g_string_append_printf(out, ",\"%s\":[", key);
	for (size_t i = 0; v && v[i]; i++) {
		g_autofree char *q = g_strescape(v[i], NULL);

		g_string_append_printf(out, "%s\"%s\"", i ? "," : "", q);
	}
	g_string_append_c(out, ']');
}

static void cli_json_str(GString *out, const char *key, const char *v, bool first)
{
	g_autofree char *q = g_strescape(v ? v : "", NULL);

	g_string_append_printf(out, "%s\"%s\":\"%s\"", first ? "" : ",", key, q);
}

static void cli_status_json(GString *out, SslvpnBusConnection *c, const char *path)
{
	g_string_append_c(out, '{');
	cli_json_str(out, "path", path, true);
	cli_json_str(out, "state", sslvpn_bus_connection_get_state(c), false);
	cli_json_str(out, "gateway", sslvpn_bus_connection_get_gateway(c), false);
	cli_json_str(out, "transport", sslvpn_bus_connection_get_transport(c), false);
	cli_json_str(out, "interface", sslvpn_bus_connection_get_interface(c), false);
	cli_json_str(out, "address", sslvpn_bus_connection_get_address(c), false);
	cli_json_str(out, "address6", sslvpn_bus_connection_get_address6(c), false);
	g_string_append_printf(out, ",\"mtu\":%u", sslvpn_bus_connection_get_mtu(c));
	cli_json_strv(out, "routes", sslvpn_bus_connection_get_routes(c));
	cli_json_strv(out, "dns", sslvpn_bus_connection_get_dns(c));
	cli_json_strv(out, "domains", sslvpn_bus_connection_get_domains(c));
	g_string_append_printf(
	    out,
	    ",\"bytes_sent\":%" G_GUINT64_FORMAT ",\"bytes_received\":%" G_GUINT64_FORMAT
	    ",\"connected_since\":%" G_GUINT64_FORMAT ",\"owner\":%u",
	    sslvpn_bus_connection_get_bytes_sent(c), sslvpn_bus_connection_get_bytes_received(c),
	    sslvpn_bus_connection_get_connected_since(c), sslvpn_bus_connection_get_owner(c));
	cli_json_str(out, "last_error", sslvpn_bus_connection_get_last_error(c), false);
	cli_json_strv(out, "warnings", sslvpn_bus_connection_get_warnings(c));
	g_string_append_c(out, '}');
}

int cli_cmd_status(int argc, char **argv)
{
	bool json = argc == 2 && strcmp(argv[1], "--json") == 0;
	g_autoptr(SslvpnBusManager) m = NULL;
	g_autoptr(GString) out = g_string_new("[");
	const char *const *paths;

	if (argc > 2 || (argc == 2 && !json))
		return cli_usage_error("usage: sslvpn status [--json]", NULL);
	m = cli_bus_manager(G_DBUS_PROXY_FLAGS_NONE);
	if (!m)
		return 1;
	paths = sslvpn_bus_manager_get_connections(m);
	for (size_t i = 0; paths && paths[i]; i++) {
		g_autoptr(SslvpnBusConnection) c = cli_bus_connection(paths[i]);

		if (!c)
			return 1;
		if (json) {
			if (i)
				g_string_append_c(out, ',');
			cli_status_json(out, c, paths[i]);
		} else {
			cli_status_text(c, paths[i]);
		}
	}
	if (json)
		printf("%s]\n", out->str);
	else if (!paths || !paths[0])
		printf("No connections.\n");
	return 0;
}

int cli_cmd_disconnect(int argc, char **argv)
{
	g_autoptr(SslvpnBusManager) m = NULL;
	const char *const *paths;
	const char *only = argc == 2 ? argv[1] : NULL;
	int done = 0, status = 0;

	if (argc > 2)
		return cli_usage_error("usage: sslvpn disconnect [CONNECTION]", NULL);
	if (only && !g_variant_is_object_path(only)) {
		/* "3" means /org/sslvpn/Helper1/connection/3 */
		static char buf[128];

		snprintf(buf, sizeof(buf), "/org/sslvpn/Helper1/connection/%s", only);
		only = buf;
		if (!g_variant_is_object_path(only))
			return cli_usage_error("not a connection", argv[1]);
	}
	m = cli_bus_manager(G_DBUS_PROXY_FLAGS_NONE);
	if (!m)
		return 1;
	paths = sslvpn_bus_manager_get_connections(m);
	for (size_t i = 0; paths && paths[i]; i++) {
		g_autoptr(SslvpnBusConnection) c = NULL;
		g_autoptr(GError) error = NULL;
		const char *state;

		if (only && strcmp(only, paths[i]) != 0)
			continue;
		c = cli_bus_connection(paths[i]);
		if (!c)
			return 1;
		state = sslvpn_bus_connection_get_state(c);
		if (strcmp(state, "disconnected") == 0 || strcmp(state, "failed") == 0)
			continue;
		/* Without a name: only the caller's own connections. */
		if (!only && sslvpn_bus_connection_get_owner(c) != getuid())
			continue;
		if (!sslvpn_bus_connection_call_disconnect_sync(c, NULL, &error)) {
			cli_bus_print_error("cannot disconnect", error);
			status = 1;
			continue;
		}
		state = cli_bus_wait_state(c, (const char *const[]){"disconnected", "failed", NULL},
					   30);
		printf("%s: %s\n", paths[i], state ? state : "still disconnecting");
		done++;
	}
	if (!done && !status) {
		fprintf(stderr, "sslvpn: %s\n", only ? "no such active connection"
						     : "you have no active connection");
		return 1;
	}
	return status;
}

/* ---- monitor ---- */

static void cli_monitor_props(GDBusProxy *proxy, GVariant *changed, const char *const *invalidated,
			      gpointer data)
{
	GVariantIter it;
	const char *key;
	GVariant *value;

	g_variant_iter_init(&it, changed);
	while (g_variant_iter_next(&it, "{&sv}", &key, &value)) {
		g_autofree char *text = g_variant_print(value, FALSE);

		printf("%s %s = %s\n", g_dbus_proxy_get_object_path(proxy), key, text);
		g_variant_unref(value);
	}
	fflush(stdout);
}

static void cli_monitor_watch(GPtrArray *watched, const char *path)
{
	SslvpnBusConnection *c;

	for (guint i = 0; i < watched->len; i++)
		if (strcmp(g_dbus_proxy_get_object_path(watched->pdata[i]), path) == 0)
			return;
	c = cli_bus_connection(path);
	if (!c)
		return;
	printf("%s State = '%s'\n", path, sslvpn_bus_connection_get_state(c));
	fflush(stdout);
	g_signal_connect(c, "g-properties-changed", G_CALLBACK(cli_monitor_props), NULL);
	g_ptr_array_add(watched, c);
}

static void cli_monitor_manager(GObject *obj, GParamSpec *pspec, gpointer data)
{
	const char *const *paths = sslvpn_bus_manager_get_connections(SSLVPN_BUS_MANAGER(obj));

	for (size_t i = 0; paths && paths[i]; i++)
		cli_monitor_watch(data, paths[i]);
}

static gboolean cli_monitor_quit(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

int cli_cmd_monitor(int argc, char **argv)
{
	g_autoptr(SslvpnBusManager) m = NULL;
	g_autoptr(GPtrArray) watched = g_ptr_array_new_with_free_func(g_object_unref);
	GMainLoop *loop;

	if (argc > 1)
		return cli_usage_error("usage: sslvpn monitor", NULL);
	m = cli_bus_manager(G_DBUS_PROXY_FLAGS_NONE);
	if (!m)
		return 1;
	loop = g_main_loop_new(NULL, FALSE);
	g_signal_connect(m, "notify::connections", G_CALLBACK(cli_monitor_manager), watched);
	cli_monitor_manager(G_OBJECT(m), NULL, watched);
	g_unix_signal_add(SIGINT, cli_monitor_quit, loop);
	g_unix_signal_add(SIGTERM, cli_monitor_quit, loop);
	g_main_loop_run(loop);
	g_main_loop_unref(loop);
	return 0;
}
