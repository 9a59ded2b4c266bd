// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include "gui-helper-client.h"

#include <string.h>

#include "secret.h"
#include "sslvpn-dbus.h"

#define CONNECT_TIMEOUT_MS    60000
#define DISCONNECT_TIMEOUT_MS 30000

struct _GuiHelperClient {
	GObject parent_instance;
	GCancellable *cancellable;
	GDBusConnection *bus;
	GDBusObjectManager *objects; /* SslvpnBusObjectManagerClient: SslvpnBusConnection proxies */
	SslvpnBusManager *manager;   /* for Connect; made by the first one */
	guint watch_id;
	char *owner;
	GPtrArray *connections; /* GuiConnection, oldest first */
};

G_DEFINE_FINAL_TYPE(GuiHelperClient, gui_helper_client, G_TYPE_OBJECT)

enum { SIGNAL_CHANGED, SIGNAL_CONNECTION_EVENT, SIGNAL_OWNER_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static GBusType gui_helper_client_bus_type(void)
{
	const char *bus = g_getenv("SSLVPN_HELPER_BUS");

	return bus && g_str_equal(bus, "session") ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM;
}

static void gui_helper_client_emit_changed(GuiHelperClient *self)
{
	g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static void on_connection_changed(GuiConnection *c, GuiHelperClient *self)
{
	gui_helper_client_emit_changed(self);
}

static void on_connection_event(GuiConnection *c, guint ev, GuiHelperClient *self)
{
	g_signal_emit(self, signals[SIGNAL_CONNECTION_EVENT], 0, c, ev);
}

GuiConnection *gui_helper_client_find(GuiHelperClient *self, const char *path)
{
	for (guint i = 0; i < self->connections->len; i++) {
		GuiConnection *c = g_ptr_array_index(self->connections, i);

		if (g_strcmp0(gui_connection_get_path(c), path) == 0)
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

static void gui_helper_client_add_proxy(GuiHelperClient *self, SslvpnBusConnection *proxy)
{
	const char *path = g_dbus_proxy_get_object_path(G_DBUS_PROXY(proxy));
	GuiConnection *c = gui_helper_client_find(self, path);
	g_autoptr(GVariant) props = NULL;

	if (!c) {
		c = gui_connection_new(path);
		g_signal_connect(c, "changed", G_CALLBACK(on_connection_changed), self);
		g_signal_connect(c, "event", G_CALLBACK(on_connection_event), self);
		g_ptr_array_add(self->connections, c);
	}
	props = g_variant_ref_sink(proxy_properties(G_DBUS_PROXY(proxy)));
	gui_connection_update(c, props);
	gui_helper_client_emit_changed(self);
}

static void gui_helper_client_remove_path(GuiHelperClient *self, const char *path)
{
	GuiConnection *c = gui_helper_client_find(self, path);

	if (!c)
		return;
	g_signal_handlers_disconnect_by_data(c, self);
	g_ptr_array_remove(self->connections, c);
	gui_helper_client_emit_changed(self);
}

static void on_interface_added(GDBusObjectManager *m, GDBusObject *object, GDBusInterface *iface,
                               GuiHelperClient *self)
{
	if (SSLVPN_BUS_IS_CONNECTION(iface))
		gui_helper_client_add_proxy(self, SSLVPN_BUS_CONNECTION(iface));
}

static void on_object_added(GDBusObjectManager *m, GDBusObject *object, GuiHelperClient *self)
{
	SslvpnBusConnection *proxy = sslvpn_bus_object_peek_connection(SSLVPN_BUS_OBJECT(object));

	if (proxy)
		gui_helper_client_add_proxy(self, proxy);
}

static void on_object_removed(GDBusObjectManager *m, GDBusObject *object, GuiHelperClient *self)
{
	gui_helper_client_remove_path(self, g_dbus_object_get_object_path(object));
}

static void on_interface_removed(GDBusObjectManager *m, GDBusObject *object, GDBusInterface *iface,
                                 GuiHelperClient *self)
{
	if (SSLVPN_BUS_IS_CONNECTION(iface))
		gui_helper_client_remove_path(self, g_dbus_object_get_object_path(object));
}

static void on_properties_changed(GDBusObjectManagerClient *m, GDBusObjectProxy *object,
                                  GDBusProxy *proxy, GVariant *changed,
                                  const char *const *invalidated, GuiHelperClient *self)
{
	GuiConnection *c;

	if (!SSLVPN_BUS_IS_CONNECTION(proxy))
		return;
	c = gui_helper_client_find(self, g_dbus_proxy_get_object_path(proxy));
	if (!c) {
		gui_helper_client_add_proxy(self, SSLVPN_BUS_CONNECTION(proxy));
		return;
	}
	gui_connection_update(c, changed);
}

static void on_objects_ready(GObject *source, GAsyncResult *res, gpointer data)
{
	GuiHelperClient *self = data;
	g_autoptr(GError) error = NULL;
	GDBusObjectManager *m = sslvpn_bus_object_manager_client_new_finish(res, &error);
	g_autolist(GDBusObject) objects = NULL;

	if (!m) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_message("cannot watch the VPN service: %s", error->message);
		g_object_unref(self);
		return;
	}
	self->objects = m;
	g_signal_connect(m, "object-added", G_CALLBACK(on_object_added), self);
	g_signal_connect(m, "object-removed", G_CALLBACK(on_object_removed), self);
	g_signal_connect(m, "interface-added", G_CALLBACK(on_interface_added), self);
	g_signal_connect(m, "interface-removed", G_CALLBACK(on_interface_removed), self);
	g_signal_connect(m, "interface-proxy-properties-changed", G_CALLBACK(on_properties_changed),
	                 self);
	objects = g_dbus_object_manager_get_objects(m);
	for (GList *l = objects; l; l = l->next)
		on_object_added(m, l->data, self);
	gui_helper_client_emit_changed(self);
	g_object_unref(self);
}

static void on_name_appeared(GDBusConnection *bus, const char *name, const char *owner,
                             gpointer data)
{
	GuiHelperClient *self = data;

	g_free(self->owner);
	self->owner = g_strdup(owner);
	g_signal_emit(self, signals[SIGNAL_OWNER_CHANGED], 0);
}

static void on_name_vanished(GDBusConnection *bus, const char *name, gpointer data)
{
	GuiHelperClient *self = data;

	g_clear_pointer(&self->owner, g_free);
	/* The ObjectManager client drops the objects itself; make sure nothing stale stays. */
	while (self->connections->len) {
		GuiConnection *c = g_ptr_array_index(self->connections, 0);

		g_signal_handlers_disconnect_by_data(c, self);
		g_ptr_array_remove_index(self->connections, 0);
	}
	g_signal_emit(self, signals[SIGNAL_OWNER_CHANGED], 0);
	gui_helper_client_emit_changed(self);
}

static void on_bus_ready(GObject *source, GAsyncResult *res, gpointer data)
{
	GuiHelperClient *self = data;
	g_autoptr(GError) error = NULL;
	GDBusConnection *bus = g_bus_get_finish(res, &error);

	if (!bus) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_message("no system bus: %s", error->message);
		g_object_unref(self);
		return;
	}
	self->bus = bus;
	self->watch_id = g_bus_watch_name_on_connection(
	    bus, GUI_HELPER_CLIENT_BUS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE, on_name_appeared,
	    on_name_vanished, self, NULL);
	sslvpn_bus_object_manager_client_new(
	    bus, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START, GUI_HELPER_CLIENT_BUS_NAME,
	    GUI_HELPER_CLIENT_BUS_PATH, self->cancellable, on_objects_ready, self);
	g_signal_emit(self, signals[SIGNAL_OWNER_CHANGED], 0);
}

GDBusConnection *gui_helper_client_get_bus(GuiHelperClient *self)
{
	return self->bus;
}

const char *gui_helper_client_get_owner(GuiHelperClient *self)
{
	return self->owner;
}

GPtrArray *gui_helper_client_get_connections(GuiHelperClient *self)
{
	return self->connections;
}

GuiConnection *gui_helper_client_get_current(GuiHelperClient *self)
{
	for (guint i = self->connections->len; i > 0; i--) {
		GuiConnection *c = g_ptr_array_index(self->connections, i - 1);

		if (gui_connection_is_active(c))
			return c;
	}
	return NULL;
}

static void cookie_wipe(gpointer data)
{
	secret_free(data);
}

GVariant *gui_helper_client_connect_options(const struct auth_result *r, gboolean no_dtls)
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
	g_autofree char *path = NULL;

	if (!sslvpn_bus_manager_call_connect_finish(SSLVPN_BUS_MANAGER(source), &path, res, &error))
		g_task_return_error(task, error);
	else
		g_task_return_pointer(task, g_steal_pointer(&path), g_free);
}

/* Sends the options @task holds, then lets go of them (and of the cookie in them). */
static void gui_helper_client_send_connect(GuiHelperClient *self, GTask *task)
{
	sslvpn_bus_manager_call_connect(self->manager, g_task_get_task_data(task),
	                                g_task_get_cancellable(task), on_connect_reply, task);
	g_task_set_task_data(task, NULL, NULL);
}

static void on_manager_proxy_ready(GObject *source, GAsyncResult *res, gpointer data)
{
	GTask *task = data;
	GuiHelperClient *self = g_task_get_source_object(task);
	GError *error = NULL;
	SslvpnBusManager *manager = sslvpn_bus_manager_proxy_new_finish(res, &error);

	if (!manager) {
		g_task_return_error(task, error);
		g_object_unref(task);
		return;
	}
	if (!self->manager) {
		g_dbus_proxy_set_default_timeout(G_DBUS_PROXY(manager), CONNECT_TIMEOUT_MS);
		self->manager = manager;
	} else {
		g_object_unref(manager); /* another Connect made one meanwhile */
	}
	gui_helper_client_send_connect(self, task);
}

void gui_helper_client_connect_async(GuiHelperClient *self, const struct auth_result *r,
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
	g_task_set_task_data(task,
	                     g_variant_ref_sink(gui_helper_client_connect_options(r, no_dtls)),
	                     (GDestroyNotify)g_variant_unref);
	if (self->manager) {
		gui_helper_client_send_connect(self, task);
		return;
	}
	/* Connect is the one call that may start the helper; making the proxy must not. */
	sslvpn_bus_manager_proxy_new(self->bus,
	                             G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
	                                 G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS |
	                                 G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START_AT_CONSTRUCTION,
	                             GUI_HELPER_CLIENT_BUS_NAME, GUI_HELPER_CLIENT_BUS_PATH,
	                             cancellable, on_manager_proxy_ready, task);
}

char *gui_helper_client_connect_finish(GuiHelperClient *self, GAsyncResult *res, GError **error)
{
	return g_task_propagate_pointer(G_TASK(res), error);
}

static void on_disconnect_reply(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(GTask) task = data;
	GError *error = NULL;

	if (!sslvpn_bus_connection_call_disconnect_finish(SSLVPN_BUS_CONNECTION(source), res,
	                                                  &error))
		g_task_return_error(task, error);
	else
		g_task_return_boolean(task, TRUE);
}

void gui_helper_client_disconnect_async(GuiHelperClient *self, const char *path,
                                        GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(self, NULL, callback, user_data);
	g_autoptr(GDBusObject) object = NULL;
	g_autoptr(SslvpnBusConnection) proxy = NULL;

	if (self->objects && path && g_variant_is_object_path(path))
		object = g_dbus_object_manager_get_object(self->objects, path);
	if (object)
		proxy = sslvpn_bus_object_get_connection(SSLVPN_BUS_OBJECT(object));
	if (!proxy) {
		g_task_return_new_error(task, G_DBUS_ERROR, G_DBUS_ERROR_NO_SERVER,
		                        "no such connection");
		g_object_unref(task);
		return;
	}
	/* The object manager's proxies address the helper by its unique name: never a start. */
	g_dbus_proxy_set_default_timeout(G_DBUS_PROXY(proxy), DISCONNECT_TIMEOUT_MS);
	sslvpn_bus_connection_call_disconnect(proxy, NULL, on_disconnect_reply, task);
}

gboolean gui_helper_client_disconnect_finish(GuiHelperClient *self, GAsyncResult *res,
                                             GError **error)
{
	return g_task_propagate_boolean(G_TASK(res), error);
}

static void gui_helper_client_dispose(GObject *object)
{
	GuiHelperClient *self = GUI_HELPER_CLIENT(object);

	g_cancellable_cancel(self->cancellable);
	if (self->watch_id) {
		g_bus_unwatch_name(self->watch_id);
		self->watch_id = 0;
	}
	if (self->objects) {
		g_signal_handlers_disconnect_by_data(self->objects, self);
		g_clear_object(&self->objects);
	}
	g_clear_object(&self->manager);
	if (self->connections) {
		for (guint i = 0; i < self->connections->len; i++)
			g_signal_handlers_disconnect_by_data(
			    g_ptr_array_index(self->connections, i), self);
		g_ptr_array_set_size(self->connections, 0);
	}
	G_OBJECT_CLASS(gui_helper_client_parent_class)->dispose(object);
}

static void gui_helper_client_finalize(GObject *object)
{
	GuiHelperClient *self = GUI_HELPER_CLIENT(object);

	g_clear_object(&self->bus);
	g_clear_object(&self->cancellable);
	g_free(self->owner);
	g_ptr_array_unref(self->connections);
	G_OBJECT_CLASS(gui_helper_client_parent_class)->finalize(object);
}

static void gui_helper_client_class_init(GuiHelperClientClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);

	oc->dispose = gui_helper_client_dispose;
	oc->finalize = gui_helper_client_finalize;
	/* changed(): the set of connections or one of their properties changed. */
	signals[SIGNAL_CHANGED] =
	    g_signal_new("changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
	                 NULL, G_TYPE_NONE, 0);
	/* connection-event(GuiConnection *, guint GuiConnectionEvent) */
	signals[SIGNAL_CONNECTION_EVENT] =
	    g_signal_new("connection-event", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
	                 NULL, NULL, G_TYPE_NONE, 2, GUI_TYPE_CONNECTION, G_TYPE_UINT);
	/* owner-changed(): the bus became available, or the helper started or went away. */
	signals[SIGNAL_OWNER_CHANGED] =
	    g_signal_new("owner-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
	                 NULL, NULL, G_TYPE_NONE, 0);
}

static void gui_helper_client_init(GuiHelperClient *self)
{
	self->cancellable = g_cancellable_new();
	self->connections = g_ptr_array_new_with_free_func(g_object_unref);
}

GuiHelperClient *gui_helper_client_new(void)
{
	GuiHelperClient *self = g_object_new(GUI_TYPE_HELPER_CLIENT, NULL);

	g_bus_get(gui_helper_client_bus_type(), self->cancellable, on_bus_ready,
	          g_object_ref(self));
	return self;
}
