/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The tray item: a StatusNotifierItem (org.kde.StatusNotifierItem) with its menu over
 * com.canonical.dbusmenu, written with GIO (GTK 4 has no status icon, and GTK 3 indicator
 * libraries cannot load into a GTK 4 process).  It shows the helper's state whoever started
 * the connection, and its menu activates the application's actions (app.connect with the last
 * gateway, app.disconnect, app.show, app.quit), so the tray does nothing the automation
 * interface cannot do.
 *
 * It owns org.kde.StatusNotifierItem-PID-1 on the session bus, serves /StatusNotifierItem
 * and /MenuBar, and registers with org.kde.StatusNotifierWatcher once the name is acquired
 * and again whenever the watcher (re)appears.
 */
#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
	SSLVPN_TRAY_DISCONNECTED,
	SSLVPN_TRAY_CONNECTING, /* login running, or the helper's connecting/disconnecting */
	SSLVPN_TRAY_CONNECTED,
	SSLVPN_TRAY_RECONNECTING,
	SSLVPN_TRAY_ERROR, /* the last attempt failed or the tunnel dropped */
} SslvpnTrayState;

/* Menu item ids (com.canonical.dbusmenu), stable for tests and hosts. */
enum {
	SSLVPN_TRAY_MENU_ROOT = 0,
	SSLVPN_TRAY_MENU_CONNECT = 1,
	SSLVPN_TRAY_MENU_DISCONNECT = 2,
	SSLVPN_TRAY_MENU_SEPARATOR = 3,
	SSLVPN_TRAY_MENU_SHOW = 4,
	SSLVPN_TRAY_MENU_QUIT = 5,
};

#define SSLVPN_TRAY_ITEM_PATH "/StatusNotifierItem"
#define SSLVPN_TRAY_MENU_PATH "/MenuBar"

#define SSLVPN_TYPE_TRAY (sslvpn_tray_get_type())
G_DECLARE_FINAL_TYPE(SslvpnTray, sslvpn_tray, SSLVPN, TRAY, GObject)

/* Menu clicks activate actions of @actions (the GApplication); borrowed. */
SslvpnTray *sslvpn_tray_new(GActionGroup *actions);
/* Exports the item on @bus (the application's session bus connection) and starts watching for
 * a StatusNotifierWatcher. */
gboolean sslvpn_tray_export(SslvpnTray *self, GDBusConnection *bus, GError **error);
void sslvpn_tray_unexport(SslvpnTray *self);
/* Whether a watcher accepted the item (a tray exists to show it). */
gboolean sslvpn_tray_is_registered(SslvpnTray *self);
const char *sslvpn_tray_get_bus_name(SslvpnTray *self);

/* @gateway: what the tooltip names (may be NULL). */
void sslvpn_tray_set_state(SslvpnTray *self, SslvpnTrayState state, const char *gateway);
SslvpnTrayState sslvpn_tray_get_state(SslvpnTray *self);
/* The gateway "Connect" uses; NULL disables that item. */
void sslvpn_tray_set_last_gateway(SslvpnTray *self, const char *gateway);

/* The model, pure (tests check it without a bus). */
SslvpnTrayState sslvpn_tray_state_from_helper(const char *state);
const char *sslvpn_tray_icon_name(SslvpnTrayState state);
const char *sslvpn_tray_status(SslvpnTrayState state); /* SNI Status */
char *sslvpn_tray_tooltip(SslvpnTrayState state, const char *gateway);
/* The menu as dbusmenu's GetLayout returns it: (ia{sv}av). */
GVariant *sslvpn_tray_menu_layout(SslvpnTray *self);

G_END_DECLS
