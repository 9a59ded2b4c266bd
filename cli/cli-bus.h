/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The CLI's side of the helper's D-Bus API (generated GIO bindings, dbus/). */
#include <gio/gio.h>

#include "sslvpn-dbus.h"

#define CLI_BUS_NAME         "org.sslvpn.Helper1"
#define CLI_MANAGER_PATH     "/org/sslvpn/Helper1"
#define CLI_MANAGER_IFACE    "org.sslvpn.Helper1.Manager"
#define CLI_CONNECTION_IFACE "org.sslvpn.Helper1.Connection"

/* Proxies on the system bus (DBUS_SYSTEM_BUS_ADDRESS is honoured); NULL after printing one
 * clear line when the helper cannot be reached.  Safe to call from another thread: its
 * signals are still delivered in the main context. */
SslvpnBusManager *cli_bus_manager(GDBusProxyFlags flags);
SslvpnBusConnection *cli_bus_connection(const char *path);
/* One line for a D-Bus error: the helper's error name mapped to our text. */
void cli_bus_print_error(const char *what, const GError *error);
/* "connected" etc. for a connection; waits on the main context until State is one of
 * the NULL-terminated `states` or timeout_s passes; returns the state reached or NULL. */
const char *cli_bus_wait_state(SslvpnBusConnection *c, const char *const *states, int timeout_s);
