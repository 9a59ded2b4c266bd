/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * One org.sslvpn.Helper1.Connection as the GUI sees it: the properties (design.md 2) and the
 * events worth a notification, derived from State transitions.  No D-Bus here: the helper
 * client feeds property dictionaries in, tests do the same.
 */
#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
	SSLVPN_CONNECTION_EVENT_NONE,
	SSLVPN_CONNECTION_EVENT_CONNECTED,    /* connecting -> connected */
	SSLVPN_CONNECTION_EVENT_RECONNECTING, /* connected -> reconnecting */
	SSLVPN_CONNECTION_EVENT_RECONNECTED,  /* reconnecting -> connected */
	SSLVPN_CONNECTION_EVENT_DROPPED,      /* connected/reconnecting -> failed (or ended
	                                         without anyone asking) */
	SSLVPN_CONNECTION_EVENT_FAILED,       /* connecting -> failed */
	SSLVPN_CONNECTION_EVENT_DISCONNECTED, /* disconnecting -> disconnected */
} SslvpnConnectionEvent;

#define SSLVPN_TYPE_CONNECTION (sslvpn_connection_get_type())
G_DECLARE_FINAL_TYPE(SslvpnConnection, sslvpn_connection, SSLVPN, CONNECTION, GObject)

SslvpnConnection *sslvpn_connection_new(const char *object_path);
/*
 * Applies a{sv} property values (all of them, or the changed ones of PropertiesChanged);
 * wrong types are ignored.  Emits "changed" if anything changed and "event" (guint
 * SslvpnConnectionEvent) for a State transition after the first update: the state a
 * connection already had when the GUI first saw it is no news.
 */
void sslvpn_connection_update(SslvpnConnection *c, GVariant *props);

const char *sslvpn_connection_get_path(SslvpnConnection *c);
const char *sslvpn_connection_get_state(SslvpnConnection *c); /* "" before the first update */
const char *sslvpn_connection_get_transport(SslvpnConnection *c);
const char *sslvpn_connection_get_gateway(SslvpnConnection *c);
const char *sslvpn_connection_get_interface(SslvpnConnection *c);
const char *sslvpn_connection_get_address(SslvpnConnection *c);
const char *sslvpn_connection_get_address6(SslvpnConnection *c);
guint32 sslvpn_connection_get_mtu(SslvpnConnection *c);
const char *const *sslvpn_connection_get_routes(SslvpnConnection *c);
const char *const *sslvpn_connection_get_dns(SslvpnConnection *c);
const char *const *sslvpn_connection_get_domains(SslvpnConnection *c);
const char *sslvpn_connection_get_banner(SslvpnConnection *c);
guint64 sslvpn_connection_get_bytes_sent(SslvpnConnection *c);
guint64 sslvpn_connection_get_bytes_received(SslvpnConnection *c);
guint64 sslvpn_connection_get_connected_since(SslvpnConnection *c);
const char *sslvpn_connection_get_last_error(SslvpnConnection *c);
guint32 sslvpn_connection_get_owner(SslvpnConnection *c);
/* Not yet disconnected or failed. */
gboolean sslvpn_connection_is_active(SslvpnConnection *c);
/* Event to report for a transition (pure; exposed for tests). */
SslvpnConnectionEvent sslvpn_connection_event_for(const char *old_state, const char *new_state);

G_END_DECLS
