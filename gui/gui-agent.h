/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The GUI's org.sslvpn.Helper1.Agent: when the gateway rejects the session cookie of a tunnel
 * this user owns, the helper calls Relogin and the GUI brings the login back instead of
 * dropping the tunnel.  Only calls from the helper's own bus name are served (anything else on
 * the bus could otherwise pop up a login prompt).
 *
 * "relogin" (const char *connection, const char *gateway, const char *reason) asks the app to
 * log in; it answers with sslvpn_agent_reply_cookie() or sslvpn_agent_reply_error().  "cancel"
 * (const char *connection) says the prompt is no longer needed: the pending call was already
 * answered with Cancelled.
 */
#include <gio/gio.h>

#include "secret.h"

G_BEGIN_DECLS

#define SSLVPN_AGENT_PATH "/org/sslvpn/Client/Agent"

#define SSLVPN_TYPE_AGENT (sslvpn_agent_get_type())
G_DECLARE_FINAL_TYPE(SslvpnAgent, sslvpn_agent, SSLVPN, AGENT, GObject)

SslvpnAgent *sslvpn_agent_new(void);
/* Exports the object on @bus and registers it whenever @helper_owner (the helper's unique
 * name, NULL while it is not running) becomes known.  FALSE if exporting failed. */
gboolean sslvpn_agent_export(SslvpnAgent *self, GDBusConnection *bus, GError **error);
/* Tells the agent who the helper is now; registers with it (again) when it is new. */
void sslvpn_agent_set_helper(SslvpnAgent *self, const char *helper_owner);
gboolean sslvpn_agent_is_registered(SslvpnAgent *self);
/* Whether a Relogin for @connection waits for an answer. */
gboolean sslvpn_agent_is_pending(SslvpnAgent *self, const char *connection);

/* Answers the pending Relogin of @connection; @pin may be NULL (unchanged). */
void sslvpn_agent_reply_cookie(SslvpnAgent *self, const char *connection,
                               const struct secret *cookie, const char *pin);
/* Answers it with org.sslvpn.Helper1.Error.<name of err>. */
void sslvpn_agent_reply_error(SslvpnAgent *self, const char *connection, int err);

/* The interface descriptions of the contract (dbus/org.sslvpn.Helper1.xml, built in). */
GDBusNodeInfo *sslvpn_agent_get_node_info(void);

G_END_DECLS
