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
	GUI_TRAY_DISCONNECTED,
	GUI_TRAY_CONNECTING, /* login running, or the helper's connecting/disconnecting */
	GUI_TRAY_CONNECTED,
	GUI_TRAY_RECONNECTING,
	GUI_TRAY_ERROR, /* the last attempt failed or the tunnel dropped */
} GuiTrayState;

/* Menu item ids (com.canonical.dbusmenu), stable for tests and hosts. */
enum {
	GUI_TRAY_MENU_ROOT = 0,
	GUI_TRAY_MENU_CONNECT = 1,
	GUI_TRAY_MENU_DISCONNECT = 2,
	GUI_TRAY_MENU_SEPARATOR = 3,
	GUI_TRAY_MENU_SHOW = 4,
	GUI_TRAY_MENU_QUIT = 5,
};

#define GUI_TRAY_ITEM_PATH "/StatusNotifierItem"
#define GUI_TRAY_MENU_PATH "/MenuBar"

#define GUI_TYPE_TRAY (gui_tray_get_type())
G_DECLARE_FINAL_TYPE(GuiTray, gui_tray, GUI, TRAY, GObject)

/* Menu clicks activate actions of @actions (the GApplication); borrowed. */
GuiTray *gui_tray_new(GActionGroup *actions);
/* Exports the item on @bus (the application's session bus connection) and starts watching for
 * a StatusNotifierWatcher. */
gboolean gui_tray_export(GuiTray *self, GDBusConnection *bus, GError **error);
void gui_tray_unexport(GuiTray *self);
/* Whether a watcher accepted the item (a tray exists to show it). */
gboolean gui_tray_is_registered(GuiTray *self);
const char *gui_tray_get_bus_name(GuiTray *self);

/* @gateway: what the tooltip names (may be NULL). */
void gui_tray_set_state(GuiTray *self, GuiTrayState state, const char *gateway);
GuiTrayState gui_tray_get_state(GuiTray *self);
/* The gateway "Connect" uses; NULL disables that item. */
void gui_tray_set_last_gateway(GuiTray *self, const char *gateway);

/* The model, pure (tests check it without a bus). */
GuiTrayState gui_tray_state_from_helper(const char *state);
const char *gui_tray_icon_name(GuiTrayState state);
const char *gui_tray_status(GuiTrayState state); /* SNI Status */
char *gui_tray_tooltip(GuiTrayState state, const char *gateway);
/* The menu as dbusmenu's GetLayout returns it: (ia{sv}av). */
GVariant *gui_tray_menu_layout(GuiTray *self);

G_END_DECLS
