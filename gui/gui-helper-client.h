/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The GUI's client of the root helper, the helper as the GUI sees it: the connections of
 * org.sslvpn.Helper1 (whoever started them: the CLI's show too), watched through its ObjectManager
 * and PropertiesChanged, plus the two calls the GUI makes (Manager.Connect, Connection.Disconnect).
 * The helper is never started just to look: only Connect activates it.
 *
 * All of it goes through the GIO bindings generated from dbus/org.sslvpn.Helper1.xml
 * ("sslvpn-dbus.h": SslvpnBusObjectManagerClient with SslvpnBusConnection proxies, an
 * SslvpnBusManager proxy); each connection's properties are mirrored into a GuiConnection.
 *
 * The bus is the system bus; SSLVPN_HELPER_BUS=session (tests only) uses the session bus,
 * where a test can run a stand-in helper.
 */
#include <gio/gio.h>

#include "auth.h"
#include "gui-connection.h"

G_BEGIN_DECLS

/* The helper's well-known name and its manager object (not this client's). */
#define GUI_HELPER_CLIENT_BUS_NAME "org.sslvpn.Helper1"
#define GUI_HELPER_CLIENT_BUS_PATH "/org/sslvpn/Helper1"

#define GUI_TYPE_HELPER_CLIENT (gui_helper_client_get_type())
G_DECLARE_FINAL_TYPE(GuiHelperClient, gui_helper_client, GUI, HELPER_CLIENT, GObject)

/* Starts connecting to the bus at once (asynchronously). */
GuiHelperClient *gui_helper_client_new(void);
/* The bus connection once it is there (NULL before, or without a system bus). */
GDBusConnection *gui_helper_client_get_bus(GuiHelperClient *self);
/* The helper's unique name while it runs, else NULL. */
const char *gui_helper_client_get_owner(GuiHelperClient *self);

/* Every connection the helper announces, oldest first (a GPtrArray of GuiConnection). */
GPtrArray *gui_helper_client_get_connections(GuiHelperClient *self);
GuiConnection *gui_helper_client_find(GuiHelperClient *self, const char *path);
/* The newest active connection, or NULL. */
GuiConnection *gui_helper_client_get_current(GuiHelperClient *self);

/* Manager.Connect with what the login handed over.  Finish gives the object path. */
void gui_helper_client_connect_async(GuiHelperClient *self, const struct auth_result *r,
                                     gboolean no_dtls, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data);
char *gui_helper_client_connect_finish(GuiHelperClient *self, GAsyncResult *res, GError **error);
void gui_helper_client_disconnect_async(GuiHelperClient *self, const char *path,
                                        GAsyncReadyCallback callback, gpointer user_data);
gboolean gui_helper_client_disconnect_finish(GuiHelperClient *self, GAsyncResult *res,
                                             GError **error);

/* Builds the Connect options (a floating a{sv}); the cookie is wiped when the value dies. */
GVariant *gui_helper_client_connect_options(const struct auth_result *r, gboolean no_dtls);

G_END_DECLS
