/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The helper as the GUI sees it: the connections of org.sslvpn.Helper1 (whoever started them:
 * the CLI's show too), watched through its ObjectManager and PropertiesChanged, plus the two
 * calls the GUI makes (Manager.Connect, Connection.Disconnect).  The helper is never started
 * just to look: only Connect activates it.
 *
 * All of it goes through the GIO bindings generated from dbus/org.sslvpn.Helper1.xml
 * ("sslvpn-dbus.h": SslvpnObjectManagerClient with SslvpnConnection proxies, an SslvpnManager
 * proxy); each connection's properties are mirrored into a GuiConnection.
 *
 * The bus is the system bus; SSLVPN_HELPER_BUS=session (tests only) uses the session bus,
 * where a test can run a stand-in helper.
 */
#include <gio/gio.h>

#include "auth.h"
#include "gui-connection.h"

G_BEGIN_DECLS

#define SSLVPN_HELPER_NAME "org.sslvpn.Helper1"
#define SSLVPN_HELPER_PATH "/org/sslvpn/Helper1"

#define SSLVPN_TYPE_HELPER_CLIENT (sslvpn_helper_client_get_type())
G_DECLARE_FINAL_TYPE(SslvpnHelperClient, sslvpn_helper_client, SSLVPN, HELPER_CLIENT, GObject)

/* Starts connecting to the bus at once (asynchronously). */
SslvpnHelperClient *sslvpn_helper_client_new(void);
/* The bus connection once it is there (NULL before, or without a system bus). */
GDBusConnection *sslvpn_helper_client_get_bus(SslvpnHelperClient *self);
/* The helper's unique name while it runs, else NULL. */
const char *sslvpn_helper_client_get_owner(SslvpnHelperClient *self);

/* Every connection the helper announces, oldest first (a GPtrArray of GuiConnection). */
GPtrArray *sslvpn_helper_client_get_connections(SslvpnHelperClient *self);
GuiConnection *sslvpn_helper_client_find(SslvpnHelperClient *self, const char *path);
/* The newest active connection, or NULL. */
GuiConnection *sslvpn_helper_client_get_current(SslvpnHelperClient *self);

/* Manager.Connect with what the login handed over.  Finish gives the object path. */
void sslvpn_helper_client_connect_async(SslvpnHelperClient *self, const struct auth_result *r,
                                        gboolean no_dtls, GCancellable *cancellable,
                                        GAsyncReadyCallback callback, gpointer user_data);
char *sslvpn_helper_client_connect_finish(SslvpnHelperClient *self, GAsyncResult *res,
                                          GError **error);
void sslvpn_helper_client_disconnect_async(SslvpnHelperClient *self, const char *path,
                                           GAsyncReadyCallback callback, gpointer user_data);
gboolean sslvpn_helper_client_disconnect_finish(SslvpnHelperClient *self, GAsyncResult *res,
                                                GError **error);

/* Builds the Connect options (a floating a{sv}); the cookie is wiped when the value dies. */
GVariant *sslvpn_helper_client_connect_options(const struct auth_result *r, gboolean no_dtls);

G_END_DECLS
