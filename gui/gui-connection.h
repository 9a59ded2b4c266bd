/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * One org.sslvpn.Helper1.Connection as the GUI sees it: the properties
 * (docs/architecture.md "Fixed names") and the events worth a notification, derived from State
 * transitions.  No D-Bus here: the helper client feeds property dictionaries in (from the
 * generated SslvpnBusConnection proxy), tests do the same.
 */
#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
	GUI_CONNECTION_EVENT_NONE,
	GUI_CONNECTION_EVENT_CONNECTED,    /* connecting -> connected */
	GUI_CONNECTION_EVENT_RECONNECTING, /* connected -> reconnecting */
	GUI_CONNECTION_EVENT_RECONNECTED,  /* reconnecting -> connected */
	GUI_CONNECTION_EVENT_DROPPED,      /* connected/reconnecting -> failed (or ended
	                                         without anyone asking) */
	GUI_CONNECTION_EVENT_FAILED,       /* connecting -> failed */
	GUI_CONNECTION_EVENT_DISCONNECTED, /* disconnecting -> disconnected */
} GuiConnectionEvent;

#define GUI_TYPE_CONNECTION (gui_connection_get_type())
G_DECLARE_FINAL_TYPE(GuiConnection, gui_connection, GUI, CONNECTION, GObject)

GuiConnection *gui_connection_new(const char *object_path);
/*
 * Applies a{sv} property values (all of them, or the changed ones of PropertiesChanged);
 * wrong types are ignored.  Emits "changed" if anything changed and "event" (guint
 * GuiConnectionEvent) for a State transition after the first update: the state a
 * connection already had when the GUI first saw it is no news.
 */
void gui_connection_update(GuiConnection *c, GVariant *props);

const char *gui_connection_get_path(GuiConnection *c);
const char *gui_connection_get_state(GuiConnection *c); /* "" before the first update */
const char *gui_connection_get_transport(GuiConnection *c);
const char *gui_connection_get_gateway(GuiConnection *c);
const char *gui_connection_get_interface(GuiConnection *c);
const char *gui_connection_get_address(GuiConnection *c);
const char *gui_connection_get_address6(GuiConnection *c);
guint32 gui_connection_get_mtu(GuiConnection *c);
const char *const *gui_connection_get_routes(GuiConnection *c);
const char *const *gui_connection_get_dns(GuiConnection *c);
const char *const *gui_connection_get_domains(GuiConnection *c);
const char *gui_connection_get_banner(GuiConnection *c);
guint64 gui_connection_get_bytes_sent(GuiConnection *c);
guint64 gui_connection_get_bytes_received(GuiConnection *c);
guint64 gui_connection_get_connected_since(GuiConnection *c);
const char *gui_connection_get_last_error(GuiConnection *c);
guint32 gui_connection_get_owner(GuiConnection *c);
/* Not yet disconnected or failed. */
gboolean gui_connection_is_active(GuiConnection *c);
/* Event to report for a transition (pure; exposed for tests). */
GuiConnectionEvent gui_connection_event_for(const char *old_state, const char *new_state);

G_END_DECLS
