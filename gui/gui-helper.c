// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include "gui-helper.h"

#include <string.h>

#include "secret.h"

struct _SslvpnHelperClient {
	GObject parent_instance;
	GCancellable *cancellable;
	GDBusConnection *bus;
	GDBusObjectManager *manager;
	guint watch_id;
	char *owner;
	GPtrArray *connections;     /* SslvpnConnection, oldest first */
	GHashTable *proxy_handlers; /* path -> nothing; connections we listen to */
};

G_DEFINE_FINAL_TYPE(SslvpnHelperClient, sslvpn_helper_client, G_TYPE_OBJECT)

enum { SIGNAL_CHANGED, SIGNAL_CONNECTION_EVENT, SIGNAL_OWNER_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static GBusType sslvpn_helper_bus_type(void)
{
	const char *bus = g_getenv("SSLVPN_HELPER_BUS");

	return bus && g_str_equal(bus, "session") ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM;
}

static void sslvpn_helper_client_emit_changed(SslvpnHelperClient *self)
{
	g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static void on_connection_changed(SslvpnConnection *c, SslvpnHelperClient *self)
{
	sslvpn_helper_client_emit_changed(self);
}

static void on_connection_event(SslvpnConnection *c, guint ev, SslvpnHelperClient *self)
{
	g_signal_emit(self, signals[SIGNAL_CONNECTION_EVENT], 0, c, ev);
}

SslvpnConnection *sslvpn_helper_client_find(SslvpnHelperClient *self, const char *path)
{
	for (guint i = 0; i < self->connections->len; i++) {
		SslvpnConnection *c = g_ptr_array_index(self->connections, i);

		if (g_strcmp0(sslvpn_connection_get_path(c), path) == 0)
			return c;
	}
	return NULL;
}

static GVariant *proxy_properties(GDBusProxy *proxy)
{
	g_auto(GStrv) names = g_dbus_proxy_get_cached_property_names(proxy);
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	for (guint i = 0; names && names[i]; i++) {
		g_autoptr(GVariant) v = g_dbus_proxy_get_cached_property(proxy, names[i]);

		if (v)
			g_variant_builder_add(&b, "{sv}", names[i], v);
	}
	return g_variant_builder_end(&b);
}

static void sslvpn_helper_client_add_proxy(SslvpnHelperClient *self, GDBusProxy *proxy)
{
	const char *path = g_dbus_proxy_get_object_path(proxy);
	SslvpnConnection *c = sslvpn_helper_client_find(self, path);
	g_autoptr(GVariant) props = NULL;

	if (!c) {
		c = sslvpn_connection_new(path);
		g_signal_connect(c, "changed", G_CALLBACK(on_connection_changed), self);
		g_signal_connect(c, "event", G_CALLBACK(on_connection_event), self);
		g_ptr_array_add(self->connections, c);
	}
	props = g_variant_ref_sink(proxy_properties(proxy));
	sslvpn_connection_update(c, props);
	sslvpn_helper_client_emit_changed(self);
}

static void sslvpn_helper_client_remove_path(SslvpnHelperClient *self, const char *path)
{
	SslvpnConnection *c = sslvpn_helper_client_find(self, path);

	if (!c)
		return;
	g_signal_handlers_disconnect_by_data(c, self);
	g_ptr_array_remove(self->connections, c);
	sslvpn_helper_client_emit_changed(self);
}

static void on_interface_added(GDBusObjectManager *m, GDBusObject *object, GDBusInterface *iface,
                               SslvpnHelperClient *self)
{
	GDBusInterfaceInfo *info = g_dbus_interface_get_info(iface);
	const char *name = info ? info->name : g_dbus_proxy_get_interface_name(G_DBUS_PROXY(iface));

	if (g_strcmp0(name, SSLVPN_HELPER_CONNECTION) == 0)
		sslvpn_helper_client_add_proxy(self, G_DBUS_PROXY(iface));
}

static void on_object_added(GDBusObjectManager *m, GDBusObject *object, SslvpnHelperClient *self)
{
	g_autoptr(GDBusInterface) iface =
	    g_dbus_object_get_interface(object, SSLVPN_HELPER_CONNECTION);

	if (iface)
		sslvpn_helper_client_add_proxy(self, G_DBUS_PROXY(iface));
}

static void on_object_removed(GDBusObjectManager *m, GDBusObject *object, SslvpnHelperClient *self)
{
	sslvpn_helper_client_remove_path(self, g_dbus_object_get_object_path(object));
}

static void on_interface_removed(GDBusObjectManager *m, GDBusObject *object, GDBusInterface *iface,
                                 SslvpnHelperClient *self)
{
	if (g_strcmp0(g_dbus_proxy_get_interface_name(G_DBUS_PROXY(iface)),
	              SSLVPN_HELPER_CONNECTION) == 0)
		sslvpn_helper_client_remove_path(self, g_dbus_object_get_object_path(object));
}

static void on_properties_changed(GDBusObjectManagerClient *m, GDBusObjectProxy *object,
                                  GDBusProxy *proxy, GVariant *changed,
                                  const char *const *invalidated, SslvpnHelperClient *self)
{
	SslvpnConnection *c;

	if (g_strcmp0(g_dbus_proxy_get_interface_name(proxy), SSLVPN_HELPER_CONNECTION) != 0)
		return;
	c = sslvpn_helper_client_find(self, g_dbus_proxy_get_object_path(proxy));
	if (!c) {
		sslvpn_helper_client_add_proxy(self, proxy);
		return;
	}
	sslvpn_connection_update(c, changed);
}

static void on_manager_ready(GObject *source, GAsyncResult *res, gpointer data)
{
	SslvpnHelperClient *self = data;
	g_autoptr(GError) error = NULL;
	GDBusObjectManager *m = g_dbus_object_manager_client_new_finish(res, &error);
	g_autolist(GDBusObject) objects = NULL;

	if (!m) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_message("cannot watch the VPN service: %s", error->message);
		g_object_unref(self);
		return;
	}
	self->manager = m;
	g_signal_connect(m, "object-added", G_CALLBACK(on_object_added), self);
	g_signal_connect(m, "object-removed", G_CALLBACK(on_object_removed), self);
	g_signal_connect(m, "interface-added", G_CALLBACK(on_interface_added), self);
	g_signal_connect(m, "interface-removed", G_CALLBACK(on_interface_removed), self);
	g_signal_connect(m, "interface-proxy-properties-changed", G_CALLBACK(on_properties_changed),
	                 self);
	objects = g_dbus_object_manager_get_objects(m);
	for (GList *l = objects; l; l = l->next)
		on_object_added(m, l->data, self);
	sslvpn_helper_client_emit_changed(self);
	g_object_unref(self);
}

static void on_name_appeared(GDBusConnection *bus, const char *name, const char *owner,
                             gpointer data)
{
	SslvpnHelperClient *self = data;

	g_free(self->owner);
	self->owner = g_strdup(owner);
	g_signal_emit(self, signals[SIGNAL_OWNER_CHANGED], 0);
}

static void on_name_vanished(GDBusConnection *bus, const char *name, gpointer data)
{
	SslvpnHelperClient *self = data;

	g_clear_pointer(&self->owner, g_free);
	/* The ObjectManager client drops the objects itself; make sure nothing stale stays. */
	while (self->connections->len) {
		SslvpnConnection *c = g_ptr_array_index(self->connections, 0);

		g_signal_handlers_disconnect_by_data(c, self);
		g_ptr_array_remove_index(self->connections, 0);
	}
	g_signal_emit(self, signals[SIGNAL_OWNER_CHANGED], 0);
	sslvpn_helper_client_emit_changed(self);
}

static void on_bus_ready(GObject *source, GAsyncResult *res, gpointer data)
{
	SslvpnHelperClient *self = data;
	g_autoptr(GError) error = NULL;
	GDBusConnection *bus = g_bus_get_finish(res, &error);

	if (!bus) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_message("no system bus: %s", error->message);
		g_object_unref(self);
		return;
	}
	self->bus = bus;
	self->watch_id =
	    g_bus_watch_name_on_connection(bus, SSLVPN_HELPER_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
	                                   on_name_appeared, on_name_vanished, self, NULL);
	g_dbus_object_manager_client_new(bus, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START,
	                                 SSLVPN_HELPER_NAME, SSLVPN_HELPER_PATH, NULL, NULL, NULL,
	                                 self->cancellable, on_manager_ready, self);
	g_signal_emit(self, signals[SIGNAL_OWNER_CHANGED], 0);
}

GDBusConnection *sslvpn_helper_client_get_bus(SslvpnHelperClient *self)
{
	return self->bus;
}

const char *sslvpn_helper_client_get_owner(SslvpnHelperClient *self)
{
	return self->owner;
}

GPtrArray *sslvpn_helper_client_get_connections(SslvpnHelperClient *self)
{
	return self->connections;
}

SslvpnConnection *sslvpn_helper_client_get_current(SslvpnHelperClient *self)
{
	for (guint i = self->connections->len; i > 0; i--) {
		SslvpnConnection *c = g_ptr_array_index(self->connections, i - 1);

		if (sslvpn_connection_is_active(c))
			return c;
	}
	return NULL;
}

static void cookie_wipe(gpointer data)
{
	secret_free(data);
}

GVariant *sslvpn_helper_client_connect_options(const struct auth_result *r, gboolean no_dtls)
{
	GVariantBuilder b;
	struct secret *cookie = secret_dup(r->cookie);
	GVariant *cookie_v;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "Gateway", g_variant_new_string(r->gateway_url));
	g_variant_builder_add(&b, "{sv}", "Address", g_variant_new_string(r->address));
	/* The cookie's bytes live in a struct secret that the variant wipes when it dies. */
	cookie_v = cookie
	               ? g_variant_new_from_data(G_VARIANT_TYPE_STRING, secret_str(cookie),
	                                         secret_len(cookie) + 1, TRUE, cookie_wipe, cookie)
	               : g_variant_new_string("");
	g_variant_builder_add(&b, "{sv}", "Cookie", cookie_v);
	g_variant_builder_add(&b, "{sv}", "ServerCertPin", g_variant_new_string(r->pin));
	g_variant_builder_add(&b, "{sv}", "NoDtls", g_variant_new_boolean(no_dtls));
	return g_variant_builder_end(&b);
}

static void on_connect_reply(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(GTask) task = data;
	GError *error = NULL;
	g_autoptr(GVariant) reply =
	    g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
	const char *path = NULL;

	if (!reply) {
		g_task_return_error(task, error);
		return;
	}
	g_variant_get(reply, "(&o)", &path);
	g_task_return_pointer(task, g_strdup(path), g_free);
}

void sslvpn_helper_client_connect_async(SslvpnHelperClient *self, const struct auth_result *r,
                                        gboolean no_dtls, GCancellable *cancellable,
                                        GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);

	if (!self->bus) {
		g_task_return_new_error(task, G_DBUS_ERROR, G_DBUS_ERROR_NO_SERVER,
		                        "no system bus");
		g_object_unref(task);
		return;
	}
	g_dbus_connection_call(
	    self->bus, SSLVPN_HELPER_NAME, SSLVPN_HELPER_PATH, SSLVPN_HELPER_MANAGER, "Connect",
	    g_variant_new_tuple((GVariant *[]){sslvpn_helper_client_connect_options(r, no_dtls)},
	                        1),
	    G_VARIANT_TYPE("(o)"), G_DBUS_CALL_FLAGS_NONE, 60000, cancellable, on_connect_reply,
	    task);
}

char *sslvpn_helper_client_connect_finish(SslvpnHelperClient *self, GAsyncResult *res,
                                          GError **error)
{
	return g_task_propagate_pointer(G_TASK(res), error);
}

static void on_disconnect_reply(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(GTask) task = data;
	GError *error = NULL;
	g_autoptr(GVariant) reply =
	    g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);

	if (!reply)
		g_task_return_error(task, error);
	else
		g_task_return_boolean(task, TRUE);
}

void sslvpn_helper_client_disconnect_async(SslvpnHelperClient *self, const char *path,
                                           GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(self, NULL, callback, user_data);

	if (!self->bus || !path || !g_variant_is_object_path(path)) {
		g_task_return_new_error(task, G_DBUS_ERROR, G_DBUS_ERROR_NO_SERVER,
		                        "no such connection");
		g_object_unref(task);
		return;
	}
	g_dbus_connection_call(self->bus, SSLVPN_HELPER_NAME, path, SSLVPN_HELPER_CONNECTION,
	                       "Disconnect", NULL, NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, 30000,
	                       NULL, on_disconnect_reply, task);
}

gboolean sslvpn_helper_client_disconnect_finish(SslvpnHelperClient *self, GAsyncResult *res,
                                                GError **error)
{
	return g_task_propagate_boolean(G_TASK(res), error);
}

static void sslvpn_helper_client_dispose(GObject *object)
{
	SslvpnHelperClient *self = SSLVPN_HELPER_CLIENT(object);

	g_cancellable_cancel(self->cancellable);
	if (self->watch_id) {
		g_bus_unwatch_name(self->watch_id);
		self->watch_id = 0;
	}
	if (self->manager) {
		g_signal_handlers_disconnect_by_data(self->manager, self);
		g_clear_object(&self->manager);
	}
	if (self->connections) {
		for (guint i = 0; i < self->connections->len; i++)
			g_signal_handlers_disconnect_by_data(
			    g_ptr_array_index(self->connections, i), self);
		g_ptr_array_set_size(self->connections, 0);
	}
	G_OBJECT_CLASS(sslvpn_helper_client_parent_class)->dispose(object);
}

static void sslvpn_helper_client_finalize(GObject *object)
{
	SslvpnHelperClient *self = SSLVPN_HELPER_CLIENT(object);

	g_clear_object(&self->bus);
	g_clear_object(&self->cancellable);
	g_free(self->owner);
	g_ptr_array_unref(self->connections);
	G_OBJECT_CLASS(sslvpn_helper_client_parent_class)->finalize(object);
}

static void sslvpn_helper_client_class_init(SslvpnHelperClientClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);

	oc->dispose = sslvpn_helper_client_dispose;
	oc->finalize = sslvpn_helper_client_finalize;
	/* changed(): the set of connections or one of their properties changed. */
	signals[SIGNAL_CHANGED] =
	    g_signal_new("changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
	                 NULL, G_TYPE_NONE, 0);
	/* connection-event(SslvpnConnection *, guint SslvpnConnectionEvent) */
	signals[SIGNAL_CONNECTION_EVENT] =
	    g_signal_new("connection-event", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
	                 NULL, NULL, G_TYPE_NONE, 2, SSLVPN_TYPE_CONNECTION, G_TYPE_UINT);
	/* owner-changed(): the bus became available, or the helper started or went away. */
	signals[SIGNAL_OWNER_CHANGED] =
	    g_signal_new("owner-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
	                 NULL, NULL, G_TYPE_NONE, 0);
}

static void sslvpn_helper_client_init(SslvpnHelperClient *self)
{
	self->cancellable = g_cancellable_new();
	self->connections = g_ptr_array_new_with_free_func(g_object_unref);
}

SslvpnHelperClient *sslvpn_helper_client_new(void)
{
	SslvpnHelperClient *self = g_object_new(SSLVPN_TYPE_HELPER_CLIENT, NULL);

	g_bus_get(sslvpn_helper_bus_type(), self->cancellable, on_bus_ready, g_object_ref(self));
	return self;
}
