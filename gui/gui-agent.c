// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include "gui-agent.h"

#include "error.h"
#include "gui-helper.h"

struct _SslvpnAgent {
	GObject parent_instance;
	GDBusConnection *bus;
	guint registration_id;
	char *helper; /* unique name allowed to call us */
	gboolean registered;
	GHashTable *pending; /* connection path -> GDBusMethodInvocation */
};

G_DEFINE_FINAL_TYPE(SslvpnAgent, sslvpn_agent, G_TYPE_OBJECT)

enum { SIGNAL_RELOGIN, SIGNAL_CANCEL, SIGNAL_REGISTERED, N_SIGNALS };
static guint signals[N_SIGNALS];

GDBusNodeInfo *sslvpn_agent_get_node_info(void)
{
	static GDBusNodeInfo *info;

	if (g_once_init_enter(&info)) {
		g_autoptr(GBytes) xml =
		    g_resources_lookup_data("/org/sslvpn/Client/org.sslvpn.Helper1.xml", 0, NULL);
		g_autoptr(GError) error = NULL;
		GDBusNodeInfo *node;

		g_assert(xml);
		node = g_dbus_node_info_new_for_xml(g_bytes_get_data(xml, NULL), &error);
		if (!node)
			g_error("built-in D-Bus interface description: %s", error->message);
		g_once_init_leave(&info, node);
	}
	return info;
}

static void sslvpn_agent_method_call(GDBusConnection *bus, const char *sender, const char *path,
                                     const char *iface, const char *method, GVariant *params,
                                     GDBusMethodInvocation *invocation, gpointer data)
{
	SslvpnAgent *self = data;
	const char *connection = NULL, *gateway = NULL, *reason = NULL;

	if (!self->helper || g_strcmp0(sender, self->helper) != 0) {
		g_dbus_method_invocation_return_dbus_error(
		    invocation, ERROR_DBUS_PREFIX "AccessDenied",
		    "only the VPN helper may call the agent");
		return;
	}
	if (g_str_equal(method, "Relogin")) {
		g_variant_get(params, "(&o&s&s)", &connection, &gateway, &reason);
		if (g_hash_table_contains(self->pending, connection)) {
			g_dbus_method_invocation_return_dbus_error(
			    invocation, ERROR_DBUS_PREFIX "Busy", "a re-login is already running");
			return;
		}
		g_hash_table_insert(self->pending, g_strdup(connection), g_object_ref(invocation));
		g_signal_emit(self, signals[SIGNAL_RELOGIN], 0, connection, gateway, reason);
	} else if (g_str_equal(method, "Cancel")) {
		g_variant_get(params, "(&o)", &connection);
		if (g_hash_table_contains(self->pending, connection)) {
			sslvpn_agent_reply_error(self, connection, -ERR_CANCELLED);
			g_signal_emit(self, signals[SIGNAL_CANCEL], 0, connection);
		}
		g_dbus_method_invocation_return_value(invocation, NULL);
	} else {
		g_dbus_method_invocation_return_dbus_error(
		    invocation, "org.freedesktop.DBus.Error.UnknownMethod", "unknown method");
	}
}

static void sslvpn_agent_register(SslvpnAgent *self);

static const GDBusInterfaceVTable agent_vtable = {.method_call = sslvpn_agent_method_call};

gboolean sslvpn_agent_export(SslvpnAgent *self, GDBusConnection *bus, GError **error)
{
	GDBusInterfaceInfo *iface =
	    g_dbus_node_info_lookup_interface(sslvpn_agent_get_node_info(), SSLVPN_HELPER_AGENT);

	if (self->registration_id)
		return TRUE;
	self->registration_id = g_dbus_connection_register_object(bus, SSLVPN_AGENT_PATH, iface,
	                                                          &agent_vtable, self, NULL, error);
	if (!self->registration_id)
		return FALSE;
	self->bus = g_object_ref(bus);
	sslvpn_agent_register(self);
	return TRUE;
}

static void on_register_reply(GObject *source, GAsyncResult *res, gpointer data)
{
	SslvpnAgent *self = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	    g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
	g_autofree char *remote = error ? g_dbus_error_get_remote_error(error) : NULL;

	/* Busy means this very agent is registered already. */
	if (reply || g_strcmp0(remote, ERROR_DBUS_PREFIX "Busy") == 0) {
		self->registered = TRUE;
		g_signal_emit(self, signals[SIGNAL_REGISTERED], 0);
	} else {
		g_message("cannot register the re-login agent: %s", error->message);
	}
	g_object_unref(self);
}

static void sslvpn_agent_register(SslvpnAgent *self)
{
	if (!self->helper || !self->bus || self->registered)
		return;
	g_dbus_connection_call(
	    self->bus, SSLVPN_HELPER_NAME, SSLVPN_HELPER_PATH, SSLVPN_HELPER_AGENT_MGR,
	    "RegisterAgent", g_variant_new("(o)", SSLVPN_AGENT_PATH), NULL,
	    G_DBUS_CALL_FLAGS_NO_AUTO_START, 10000, NULL, on_register_reply, g_object_ref(self));
}

void sslvpn_agent_set_helper(SslvpnAgent *self, const char *helper_owner)
{
	if (g_strcmp0(self->helper, helper_owner) != 0) {
		g_free(self->helper);
		self->helper = g_strdup(helper_owner);
		self->registered = FALSE;
	}
	sslvpn_agent_register(self);
}

gboolean sslvpn_agent_is_registered(SslvpnAgent *self)
{
	return self->registered;
}

gboolean sslvpn_agent_is_pending(SslvpnAgent *self, const char *connection)
{
	return connection && g_hash_table_contains(self->pending, connection);
}

static void cookie_wipe(gpointer data)
{
	secret_free(data);
}

void sslvpn_agent_reply_cookie(SslvpnAgent *self, const char *connection,
                               const struct secret *cookie, const char *pin)
{
	g_autoptr(GDBusMethodInvocation) invocation = NULL;
	g_autofree char *key = NULL;
	struct secret *copy;
	GVariantBuilder b;

	if (!g_hash_table_steal_extended(self->pending, connection, (gpointer *)&key,
	                                 (gpointer *)&invocation))
		return;
	copy = secret_dup(cookie);
	if (!copy) {
		g_dbus_method_invocation_return_dbus_error(invocation, ERROR_DBUS_PREFIX "NoMemory",
		                                           "out of memory");
		return;
	}
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "Cookie",
	                      g_variant_new_from_data(G_VARIANT_TYPE_STRING, secret_str(copy),
	                                              secret_len(copy) + 1, TRUE, cookie_wipe,
	                                              copy));
	if (pin && *pin)
		g_variant_builder_add(&b, "{sv}", "ServerCertPin", g_variant_new_string(pin));
	g_dbus_method_invocation_return_value(invocation, g_variant_new("(a{sv})", &b));
}

void sslvpn_agent_reply_error(SslvpnAgent *self, const char *connection, int err)
{
	g_autoptr(GDBusMethodInvocation) invocation = NULL;
	g_autofree char *key = NULL;

	if (!g_hash_table_steal_extended(self->pending, connection, (gpointer *)&key,
	                                 (gpointer *)&invocation))
		return;
	g_dbus_method_invocation_return_dbus_error(invocation, error_dbus_name(err),
	                                           error_text(err));
}

static void sslvpn_agent_dispose(GObject *object)
{
	SslvpnAgent *self = SSLVPN_AGENT(object);

	if (self->pending) {
		g_autofree char **keys =
		    (char **)g_hash_table_get_keys_as_array(self->pending, NULL);
		g_auto(GStrv) copy = g_strdupv(keys);

		for (guint i = 0; copy[i]; i++)
			sslvpn_agent_reply_error(self, copy[i], -ERR_CANCELLED);
	}
	if (self->registration_id && self->bus) {
		g_dbus_connection_unregister_object(self->bus, self->registration_id);
		self->registration_id = 0;
	}
	g_clear_object(&self->bus);
	G_OBJECT_CLASS(sslvpn_agent_parent_class)->dispose(object);
}

static void sslvpn_agent_finalize(GObject *object)
{
	SslvpnAgent *self = SSLVPN_AGENT(object);

	g_free(self->helper);
	g_hash_table_unref(self->pending);
	G_OBJECT_CLASS(sslvpn_agent_parent_class)->finalize(object);
}

static void sslvpn_agent_class_init(SslvpnAgentClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);

	oc->dispose = sslvpn_agent_dispose;
	oc->finalize = sslvpn_agent_finalize;
	signals[SIGNAL_RELOGIN] =
	    g_signal_new("relogin", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
	                 NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
	signals[SIGNAL_CANCEL] = g_signal_new("cancel", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
	                                      0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
	signals[SIGNAL_REGISTERED] =
	    g_signal_new("registered", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
	                 NULL, G_TYPE_NONE, 0);
}

static void sslvpn_agent_init(SslvpnAgent *self)
{
	self->pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);
}

SslvpnAgent *sslvpn_agent_new(void)
{
	return g_object_new(SSLVPN_TYPE_AGENT, NULL);
}
