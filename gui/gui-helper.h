/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The helper as the GUI sees it: the connections of org.sslvpn.Helper1 (whoever started them:
 * the CLI's show too), watched through its ObjectManager and PropertiesChanged, plus the two
 * calls the GUI makes (Manager.Connect, Connection.Disconnect).  The helper is never started
 * just to look: only Connect activates it.
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

#define GUI_HELPER_NAME "org.sslvpn.Helper1"
#define GUI_HELPER_PATH "/org/sslvpn/Helper1"

#define GUI_TYPE_HELPER (gui_helper_get_type())
G_DECLARE_FINAL_TYPE(GuiHelper, gui_helper, GUI, HELPER, GObject)

/* Starts connecting to the bus at once (asynchronously). */
GuiHelper *gui_helper_new(void);
/* The bus connection once it is there (NULL before, or without a system bus). */
GDBusConnection *gui_helper_get_bus(GuiHelper *self);
/* The helper's unique name while it runs, else NULL. */
const char *gui_helper_get_owner(GuiHelper *self);

/* Every connection the helper announces, oldest first (a GPtrArray of GuiConnection). */
GPtrArray *gui_helper_get_connections(GuiHelper *self);
GuiConnection *gui_helper_find(GuiHelper *self, const char *path);
/* The newest active connection, or NULL. */
GuiConnection *gui_helper_get_current(GuiHelper *self);

/* Manager.Connect with what the login handed over.  Finish gives the object path. */
void gui_helper_connect_async(GuiHelper *self, const struct auth_result *r, gboolean no_dtls,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data);
char *gui_helper_connect_finish(GuiHelper *self, GAsyncResult *res, GError **error);
void gui_helper_disconnect_async(GuiHelper *self, const char *path, GAsyncReadyCallback callback,
                                 gpointer user_data);
gboolean gui_helper_disconnect_finish(GuiHelper *self, GAsyncResult *res, GError **error);

/* Builds the Connect options (a floating a{sv}); the cookie is wiped when the value dies. */
GVariant *gui_helper_connect_options(const struct auth_result *r, gboolean no_dtls);

G_END_DECLS
