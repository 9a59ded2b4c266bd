/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The GUI's org.sslvpn.Helper1.Agent: when the gateway rejects the session cookie of a tunnel
 * this user owns, the helper calls Relogin and the GUI brings the login back instead of
 * dropping the tunnel.  Only calls from the helper's own bus name are served (anything else on
 * the bus could otherwise pop up a login prompt).
 *
 * GuiAgent is the GUI's side of it (pending calls, the app's signals); on the bus it is the
 * SslvpnBusAgent skeleton of the generated bindings (dbus/, "sslvpn-dbus.h"), registered through
 * an SslvpnBusAgentManager proxy addressed to the helper instance that may call it.
 *
 * "relogin" (const char *connection, const char *gateway, const char *reason) asks the app to
 * log in; it answers with gui_agent_reply_cookie() or gui_agent_reply_error().  "cancel"
 * (const char *connection) says the prompt is no longer needed: the pending call was already
 * answered with Cancelled.
 */
#include <gio/gio.h>

#include "secret.h"

G_BEGIN_DECLS

#define GUI_AGENT_PATH "/org/sslvpn/Client/Agent"

#define GUI_TYPE_AGENT (gui_agent_get_type())
G_DECLARE_FINAL_TYPE(GuiAgent, gui_agent, GUI, AGENT, GObject)

GuiAgent *gui_agent_new(void);
/* Exports the object on @bus and registers it whenever @helper_owner (the helper's unique
 * name, NULL while it is not running) becomes known.  FALSE if exporting failed. */
gboolean gui_agent_export(GuiAgent *self, GDBusConnection *bus, GError **error);
/* Tells the agent who the helper is now; registers with it (again) when it is new. */
void gui_agent_set_helper(GuiAgent *self, const char *helper_owner);

/* Answers the pending Relogin of @connection; @pin may be NULL (unchanged). */
void gui_agent_reply_cookie(GuiAgent *self, const char *connection, const struct secret *cookie,
                            const char *pin);
/* Answers it with org.sslvpn.Helper1.Error.<name of err>. */
void gui_agent_reply_error(GuiAgent *self, const char *connection, int err);

G_END_DECLS
