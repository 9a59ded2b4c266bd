// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include "gui-agent.h"

#include "error.h"
#include "gui-helper-client.h"
#include "sslvpn-dbus.h"

#define REGISTER_TIMEOUT_MS 10000

/*
 * A pending Relogin keeps two references to its invocation: the one GDBus handed to the
 * handler (consumed by the reply) and the table's own (dropped after replying).
 */
struct _GuiAgent {
	GObject parent_instance;
	SslvpnBusAgent *skeleton;             /* the object on the bus */
	GDBusConnection *bus;                 /* set once the skeleton is exported */
	char *helper;                         /* unique name allowed to call us */
	SslvpnBusAgentManager *agent_manager; /* proxy for exactly that name */
	gboolean registered;
	GHashTable *pending; /* connection path -> GDBusMethodInvocation */
};

G_DEFINE_FINAL_TYPE(GuiAgent, gui_agent, G_TYPE_OBJECT)

enum { SIGNAL_RELOGIN, SIGNAL_CANCEL, SIGNAL_REGISTERED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* Anything else on the bus could otherwise pop up a login prompt.  Checked in the handlers
 * (main thread) rather than in g-authorize-method, which GIO emits in a worker thread. */
static gboolean gui_agent_caller_is_helper(GuiAgent *self, GDBusMethodInvocation *invocation)
{
	if (self->helper &&
	    g_strcmp0(g_dbus_method_invocation_get_sender(invocation), self->helper) == 0)
		return TRUE;
	g_dbus_method_invocation_return_dbus_error(invocation, ERROR_DBUS_PREFIX "AccessDenied",
	                                           "only the VPN helper may call the agent");
	return FALSE;
}

static gboolean on_handle_relogin(SslvpnBusAgent *skeleton, GDBusMethodInvocation *invocation,
                                  const char *connection, const char *gateway, const char *reason,
                                  GuiAgent *self)
{
	if (!gui_agent_caller_is_helper(self, invocation))
		return TRUE;
	if (g_hash_table_contains(self->pending, connection)) {
		g_dbus_method_invocation_return_dbus_error(invocation, ERROR_DBUS_PREFIX "Busy",
		                                           "a re-login is already running");
		return TRUE;
	}
	g_hash_table_insert(self->pending, g_strdup(connection), g_object_ref(invocation));
	g_signal_emit(self, signals[SIGNAL_RELOGIN], 0, connection, gateway, reason);
	return TRUE;
}

static gboolean on_handle_cancel(SslvpnBusAgent *skeleton, GDBusMethodInvocation *invocation,
                                 const char *connection, GuiAgent *self)
{
	if (!gui_agent_caller_is_helper(self, invocation))
		return TRUE;
	if (g_hash_table_contains(self->pending, connection)) {
		gui_agent_reply_error(self, connection, -ERR_CANCELLED);
		g_signal_emit(self, signals[SIGNAL_CANCEL], 0, connection);
	}
	sslvpn_bus_agent_complete_cancel(skeleton, invocation);
	return TRUE;
}

static void gui_agent_register(GuiAgent *self);

gboolean gui_agent_export(GuiAgent *self, GDBusConnection *bus, GError **error)
{
	if (self->bus)
		return TRUE;
	if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(self->skeleton), bus,
	                                      GUI_AGENT_PATH, error))
		return FALSE;
	self->bus = g_object_ref(bus);
	gui_agent_register(self);
	return TRUE;
}

static void on_register_reply(GObject *source, GAsyncResult *res, gpointer data)
{
	GuiAgent *self = data;
	g_autoptr(GError) error = NULL;
	gboolean ok = sslvpn_bus_agent_manager_call_register_agent_finish(
	    SSLVPN_BUS_AGENT_MANAGER(source), res, &error);
	g_autofree char *remote = error ? g_dbus_error_get_remote_error(error) : NULL;

	/* An answer from a helper that has gone meanwhile says nothing about the new one. */
	if ((gpointer)source != (gpointer)self->agent_manager) {
		g_object_unref(self);
		return;
	}
	/* Busy means this very agent is registered already. */
	if (ok || g_strcmp0(remote, ERROR_DBUS_PREFIX "Busy") == 0) {
		self->registered = TRUE;
		g_signal_emit(self, signals[SIGNAL_REGISTERED], 0);
	} else {
		g_message("cannot register the re-login agent: %s", error->message);
	}
	g_object_unref(self);
}

static void gui_agent_register(GuiAgent *self)
{
	g_autoptr(GError) error = NULL;

	if (!self->helper || !self->bus || self->registered)
		return;
	if (!self->agent_manager) {
		/* A unique name and no properties: constructing the proxy does no bus I/O.  Calls
		 * through it reach this helper instance only, the one allowed to call us back. */
		self->agent_manager = sslvpn_bus_agent_manager_proxy_new_sync(
		    self->bus,
		    G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
		        G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS |
		        G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START,
		    self->helper, GUI_HELPER_CLIENT_BUS_PATH, NULL, &error);
		if (!self->agent_manager) {
			g_message("cannot register the re-login agent: %s", error->message);
			return;
		}
		g_dbus_proxy_set_default_timeout(G_DBUS_PROXY(self->agent_manager),
		                                 REGISTER_TIMEOUT_MS);
	}
	sslvpn_bus_agent_manager_call_register_agent(self->agent_manager, GUI_AGENT_PATH, NULL,
	                                             on_register_reply, g_object_ref(self));
}

void gui_agent_set_helper(GuiAgent *self, const char *helper_owner)
{
	if (g_strcmp0(self->helper, helper_owner) != 0) {
		g_free(self->helper);
		self->helper = g_strdup(helper_owner);
		g_clear_object(&self->agent_manager);
		self->registered = FALSE;
	}
	gui_agent_register(self);
}

static void cookie_wipe(gpointer data)
{
	secret_free(data);
}

void gui_agent_reply_cookie(GuiAgent *self, const char *connection, const struct secret *cookie,
                            const char *pin)
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
	/* The cookie's bytes live in a struct secret that the variant wipes when it dies. */
	g_variant_builder_add(&b, "{sv}", "Cookie",
	                      g_variant_new_from_data(G_VARIANT_TYPE_STRING, secret_str(copy),
	                                              secret_len(copy) + 1, TRUE, cookie_wipe,
	                                              copy));
	if (pin && *pin)
		g_variant_builder_add(&b, "{sv}", "ServerCertPin", g_variant_new_string(pin));
	sslvpn_bus_agent_complete_relogin(self->skeleton, invocation, g_variant_builder_end(&b));
}

void gui_agent_reply_error(GuiAgent *self, const char *connection, int err)
{
	g_autoptr(GDBusMethodInvocation) invocation = NULL;
	g_autofree char *key = NULL;

	if (!g_hash_table_steal_extended(self->pending, connection, (gpointer *)&key,
	                                 (gpointer *)&invocation))
		return;
	g_dbus_method_invocation_return_dbus_error(invocation, error_dbus_name(err),
	                                           error_text(err));
}

static void gui_agent_dispose(GObject *object)
{
	GuiAgent *self = GUI_AGENT(object);

	if (self->pending) {
		g_autofree char **keys =
		    (char **)g_hash_table_get_keys_as_array(self->pending, NULL);
		g_auto(GStrv) copy = g_strdupv(keys);

		for (guint i = 0; copy[i]; i++)
			gui_agent_reply_error(self, copy[i], -ERR_CANCELLED);
	}
	if (self->skeleton) {
		g_signal_handlers_disconnect_by_data(self->skeleton, self);
		if (self->bus)
			g_dbus_interface_skeleton_unexport(
			    G_DBUS_INTERFACE_SKELETON(self->skeleton));
		g_clear_object(&self->skeleton);
	}
	g_clear_object(&self->agent_manager);
	g_clear_object(&self->bus);
	G_OBJECT_CLASS(gui_agent_parent_class)->dispose(object);
}

static void gui_agent_finalize(GObject *object)
{
	GuiAgent *self = GUI_AGENT(object);

	g_free(self->helper);
	g_hash_table_unref(self->pending);
	G_OBJECT_CLASS(gui_agent_parent_class)->finalize(object);
}

static void gui_agent_class_init(GuiAgentClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);

	oc->dispose = gui_agent_dispose;
	oc->finalize = gui_agent_finalize;
	signals[SIGNAL_RELOGIN] =
	    g_signal_new("relogin", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
	                 NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
	signals[SIGNAL_CANCEL] = g_signal_new("cancel", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
	                                      0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
	signals[SIGNAL_REGISTERED] =
	    g_signal_new("registered", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
	                 NULL, G_TYPE_NONE, 0);
}

static void gui_agent_init(GuiAgent *self)
{
	self->pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);
	self->skeleton = sslvpn_bus_agent_skeleton_new();
	g_signal_connect(self->skeleton, "handle-relogin", G_CALLBACK(on_handle_relogin), self);
	g_signal_connect(self->skeleton, "handle-cancel", G_CALLBACK(on_handle_cancel), self);
}

GuiAgent *gui_agent_new(void)
{
	return g_object_new(GUI_TYPE_AGENT, NULL);
}
