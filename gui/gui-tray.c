// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include "gui-tray.h"

#include <glib/gi18n.h>
#include <unistd.h>

#define WATCHER_NAME   "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH   "/StatusNotifierWatcher"
#define SNI_INTERFACE  "org.kde.StatusNotifierItem"
#define MENU_INTERFACE "com.canonical.dbusmenu"

static const char tray_xml[] =
    "<node>"
    " <interface name='org.kde.StatusNotifierItem'>"
    "  <property name='Category' type='s' access='read'/>"
    "  <property name='Id' type='s' access='read'/>"
    "  <property name='Title' type='s' access='read'/>"
    "  <property name='Status' type='s' access='read'/>"
    "  <property name='WindowId' type='i' access='read'/>"
    "  <property name='IconName' type='s' access='read'/>"
    "  <property name='IconThemePath' type='s' access='read'/>"
    "  <property name='AttentionIconName' type='s' access='read'/>"
    "  <property name='OverlayIconName' type='s' access='read'/>"
    "  <property name='ToolTip' type='(sa(iiay)ss)' access='read'/>"
    "  <property name='ItemIsMenu' type='b' access='read'/>"
    "  <property name='Menu' type='o' access='read'/>"
    "  <method name='ContextMenu'><arg name='x' type='i' direction='in'/>"
    "   <arg name='y' type='i' direction='in'/></method>"
    "  <method name='Activate'><arg name='x' type='i' direction='in'/>"
    "   <arg name='y' type='i' direction='in'/></method>"
    "  <method name='SecondaryActivate'><arg name='x' type='i' direction='in'/>"
    "   <arg name='y' type='i' direction='in'/></method>"
    "  <method name='Scroll'><arg name='delta' type='i' direction='in'/>"
    "   <arg name='orientation' type='s' direction='in'/></method>"
    "  <signal name='NewTitle'/><signal name='NewIcon'/><signal name='NewAttentionIcon'/>"
    "  <signal name='NewOverlayIcon'/><signal name='NewToolTip'/>"
    "  <signal name='NewStatus'><arg name='status' type='s'/></signal>"
    " </interface>"
    " <interface name='com.canonical.dbusmenu'>"
    "  <property name='Version' type='u' access='read'/>"
    "  <property name='TextDirection' type='s' access='read'/>"
    "  <property name='Status' type='s' access='read'/>"
    "  <property name='IconThemePath' type='as' access='read'/>"
    "  <method name='GetLayout'><arg type='i' name='parentId' direction='in'/>"
    "   <arg type='i' name='recursionDepth' direction='in'/>"
    "   <arg type='as' name='propertyNames' direction='in'/>"
    "   <arg type='u' name='revision' direction='out'/>"
    "   <arg type='(ia{sv}av)' name='layout' direction='out'/></method>"
    "  <method name='GetGroupProperties'><arg type='ai' name='ids' direction='in'/>"
    "   <arg type='as' name='propertyNames' direction='in'/>"
    "   <arg type='a(ia{sv})' name='properties' direction='out'/></method>"
    "  <method name='GetProperty'><arg type='i' name='id' direction='in'/>"
    "   <arg type='s' name='name' direction='in'/>"
    "   <arg type='v' name='value' direction='out'/></method>"
    "  <method name='Event'><arg type='i' name='id' direction='in'/>"
    "   <arg type='s' name='eventId' direction='in'/><arg type='v' name='data' direction='in'/>"
    "   <arg type='u' name='timestamp' direction='in'/></method>"
    "  <method name='EventGroup'><arg type='a(isvu)' name='events' direction='in'/>"
    "   <arg type='ai' name='idErrors' direction='out'/></method>"
    "  <method name='AboutToShow'><arg type='i' name='id' direction='in'/>"
    "   <arg type='b' name='needUpdate' direction='out'/></method>"
    "  <method name='AboutToShowGroup'><arg type='ai' name='ids' direction='in'/>"
    "   <arg type='ai' name='updatesNeeded' direction='out'/>"
    "   <arg type='ai' name='idErrors' direction='out'/></method>"
    "  <signal name='ItemsPropertiesUpdated'><arg type='a(ia{sv})' name='updatedProps'/>"
    "   <arg type='a(ias)' name='removedProps'/></signal>"
    "  <signal name='LayoutUpdated'><arg type='u' name='revision'/>"
    "   <arg type='i' name='parent'/></signal>"
    "  <signal name='ItemActivationRequested'><arg type='i' name='id'/>"
    "   <arg type='u' name='timestamp'/></signal>"
    " </interface>"
    "</node>";

struct _GuiTray {
	GObject parent_instance;
	GActionGroup *actions; /* borrowed */
	GDBusConnection *bus;
	GDBusNodeInfo *info;
	guint item_id, menu_id, own_id, watch_id;
	char *bus_name;
	gboolean name_acquired, registered, watcher_present;
	GuiTrayState state;
	char *gateway, *last_gateway;
	guint revision;
};

G_DEFINE_FINAL_TYPE(GuiTray, gui_tray, G_TYPE_OBJECT)

enum { SIGNAL_REGISTERED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ---- model ---- */

GuiTrayState gui_tray_state_from_helper(const char *state)
{
	if (!state || !*state || g_str_equal(state, "disconnected"))
		return GUI_TRAY_DISCONNECTED;
	if (g_str_equal(state, "connected"))
		return GUI_TRAY_CONNECTED;
	if (g_str_equal(state, "reconnecting"))
		return GUI_TRAY_RECONNECTING;
	if (g_str_equal(state, "failed"))
		return GUI_TRAY_ERROR;
	return GUI_TRAY_CONNECTING; /* connecting, disconnecting */
}

const char *gui_tray_icon_name(GuiTrayState state)
{
	switch (state) {
	case GUI_TRAY_CONNECTED:
		return "org.sslvpn.Client-connected-symbolic";
	case GUI_TRAY_CONNECTING:
	case GUI_TRAY_RECONNECTING:
		return "org.sslvpn.Client-connecting-symbolic";
	case GUI_TRAY_ERROR:
		return "org.sslvpn.Client-error-symbolic";
	case GUI_TRAY_DISCONNECTED:
	default:
		return "org.sslvpn.Client-disconnected-symbolic";
	}
}

const char *gui_tray_status(GuiTrayState state)
{
	return state == GUI_TRAY_ERROR || state == GUI_TRAY_RECONNECTING ? "NeedsAttention"
	                                                                 : "Active";
}

char *gui_tray_tooltip(GuiTrayState state, const char *gateway)
{
	const char *what;

	switch (state) {
	case GUI_TRAY_CONNECTED:
		what = _("VPN connected");
		break;
	case GUI_TRAY_CONNECTING:
		what = _("VPN connecting");
		break;
	case GUI_TRAY_RECONNECTING:
		what = _("VPN reconnecting");
		break;
	case GUI_TRAY_ERROR:
		what = _("VPN connection failed");
		break;
	case GUI_TRAY_DISCONNECTED:
	default:
		what = _("VPN not connected");
		break;
	}
	if (gateway && *gateway && state != GUI_TRAY_DISCONNECTED)
		/* Translators: tray tooltip, "VPN connected: vpn.example.com". */
		return g_strdup_printf(_("%s: %s"), what, gateway);
	return g_strdup(what);
}

static gboolean gui_tray_is_up(GuiTray *self)
{
	return self->state == GUI_TRAY_CONNECTED || self->state == GUI_TRAY_CONNECTING ||
	       self->state == GUI_TRAY_RECONNECTING;
}

static GVariant *menu_item(int id, GVariantBuilder *props, GVariant *children)
{
	return g_variant_new("(i@a{sv}@av)", id, g_variant_builder_end(props),
	                     children ? children
	                              : g_variant_new_array(G_VARIANT_TYPE_VARIANT, NULL, 0));
}

static GVariant *menu_entry(int id, const char *label, gboolean enabled)
{
	GVariantBuilder p;

	g_variant_builder_init(&p, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&p, "{sv}", "label", g_variant_new_string(label));
	g_variant_builder_add(&p, "{sv}", "enabled", g_variant_new_boolean(enabled));
	g_variant_builder_add(&p, "{sv}", "visible", g_variant_new_boolean(TRUE));
	return menu_item(id, &p, NULL);
}

static char *gui_tray_connect_label(GuiTray *self)
{
	if (self->last_gateway)
		/* Translators: tray menu item; %s is a gateway address. */
		return g_strdup_printf(_("Connect to %s"), self->last_gateway);
	return g_strdup(_("Connect…"));
}

GVariant *gui_tray_menu_layout(GuiTray *self)
{
	g_autofree char *connect = gui_tray_connect_label(self);
	GVariantBuilder children, root, sep;
	gboolean up = gui_tray_is_up(self);

	g_variant_builder_init(&children, G_VARIANT_TYPE("av"));
	g_variant_builder_add(&children, "v", menu_entry(GUI_TRAY_MENU_CONNECT, connect, !up));
	g_variant_builder_add(&children, "v",
	                      menu_entry(GUI_TRAY_MENU_DISCONNECT, _("Disconnect"), up));
	g_variant_builder_init(&sep, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&sep, "{sv}", "type", g_variant_new_string("separator"));
	g_variant_builder_add(&children, "v", menu_item(GUI_TRAY_MENU_SEPARATOR, &sep, NULL));
	g_variant_builder_add(&children, "v",
	                      menu_entry(GUI_TRAY_MENU_SHOW, _("Show Window"), TRUE));
	g_variant_builder_add(&children, "v", menu_entry(GUI_TRAY_MENU_QUIT, _("Quit"), TRUE));
	g_variant_builder_init(&root, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&root, "{sv}", "children-display", g_variant_new_string("submenu"));
	return menu_item(GUI_TRAY_MENU_ROOT, &root, g_variant_builder_end(&children));
}

/* Finds item @id in a layout and returns its properties (a{sv}), or NULL. */
static GVariant *layout_find(GVariant *layout, int id)
{
	int item_id;
	g_autoptr(GVariant) props = NULL, children = NULL;

	g_variant_get(layout, "(i@a{sv}@av)", &item_id, &props, &children);
	if (item_id == id)
		return g_steal_pointer(&props);
	for (gsize i = 0; i < g_variant_n_children(children); i++) {
		g_autoptr(GVariant) boxed = g_variant_get_child_value(children, i);
		g_autoptr(GVariant) child = g_variant_get_variant(boxed);
		GVariant *found = layout_find(child, id);

		if (found)
			return found;
	}
	return NULL;
}

/* ---- actions ---- */

static void gui_tray_activate(GuiTray *self, int id)
{
	switch (id) {
	case GUI_TRAY_MENU_CONNECT:
		if (self->last_gateway)
			g_action_group_activate_action(self->actions, "connect",
			                               g_variant_new_string(self->last_gateway));
		else
			g_action_group_activate_action(self->actions, "show", NULL);
		break;
	case GUI_TRAY_MENU_DISCONNECT:
		g_action_group_activate_action(self->actions, "disconnect", NULL);
		break;
	case GUI_TRAY_MENU_SHOW:
		g_action_group_activate_action(self->actions, "show", NULL);
		break;
	case GUI_TRAY_MENU_QUIT:
		g_action_group_activate_action(self->actions, "quit", NULL);
		break;
	default:
		break;
	}
}

/* ---- D-Bus ---- */

static GVariant *gui_tray_tooltip_variant(GuiTray *self)
{
	g_autofree char *text = gui_tray_tooltip(self->state, self->gateway);

	return g_variant_new("(s@a(iiay)ss)", gui_tray_icon_name(self->state),
	                     g_variant_new_array(G_VARIANT_TYPE("(iiay)"), NULL, 0), _("SSL VPN"),
	                     text);
}

static GVariant *gui_tray_get_property(GDBusConnection *bus, const char *sender, const char *path,
                                       const char *iface, const char *prop, GError **error,
                                       gpointer data)
{
	GuiTray *self = data;

	if (g_str_equal(iface, MENU_INTERFACE)) {
		if (g_str_equal(prop, "Version"))
			return g_variant_new_uint32(3);
		if (g_str_equal(prop, "TextDirection"))
			return g_variant_new_string("ltr");
		if (g_str_equal(prop, "Status"))
			return g_variant_new_string("normal");
		if (g_str_equal(prop, "IconThemePath"))
			return g_variant_new_strv(NULL, 0);
	} else {
		if (g_str_equal(prop, "Category"))
			return g_variant_new_string("Communications");
		if (g_str_equal(prop, "Id"))
			return g_variant_new_string("org.sslvpn.Client");
		if (g_str_equal(prop, "Title"))
			return g_variant_new_string(_("SSL VPN"));
		if (g_str_equal(prop, "Status"))
			return g_variant_new_string(gui_tray_status(self->state));
		if (g_str_equal(prop, "WindowId"))
			return g_variant_new_int32(0);
		if (g_str_equal(prop, "IconName"))
			return g_variant_new_string(gui_tray_icon_name(self->state));
		if (g_str_equal(prop, "IconThemePath"))
			return g_variant_new_string(ICONTHEMEDIR);
		if (g_str_equal(prop, "AttentionIconName"))
			return g_variant_new_string("org.sslvpn.Client-error-symbolic");
		if (g_str_equal(prop, "OverlayIconName"))
			return g_variant_new_string("");
		if (g_str_equal(prop, "ToolTip"))
			return gui_tray_tooltip_variant(self);
		if (g_str_equal(prop, "ItemIsMenu"))
			return g_variant_new_boolean(FALSE);
		if (g_str_equal(prop, "Menu"))
			return g_variant_new_object_path(GUI_TRAY_MENU_PATH);
	}
	g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "no property %s", prop);
	return NULL;
}

static GVariant *gui_tray_group_properties(GuiTray *self, GVariant *ids)
{
	g_autoptr(GVariant) layout = g_variant_ref_sink(gui_tray_menu_layout(self));
	GVariantBuilder b;
	gsize n = g_variant_n_children(ids);

	g_variant_builder_init(&b, G_VARIANT_TYPE("a(ia{sv})"));
	for (int id = 0; id <= GUI_TRAY_MENU_QUIT; id++) {
		gboolean wanted = n == 0;
		g_autoptr(GVariant) props = NULL;

		for (gsize i = 0; i < n && !wanted; i++) {
			gint32 want;

			g_variant_get_child(ids, i, "i", &want);
			wanted = want == id;
		}
		if (!wanted || !(props = layout_find(layout, id)))
			continue;
		g_variant_builder_add(&b, "(i@a{sv})", id, props);
	}
	return g_variant_builder_end(&b);
}

static void gui_tray_method_call(GDBusConnection *bus, const char *sender, const char *path,
                                 const char *iface, const char *method, GVariant *params,
                                 GDBusMethodInvocation *invocation, gpointer data)
{
	GuiTray *self = data;

	if (g_str_equal(iface, SNI_INTERFACE)) {
		if (g_str_equal(method, "Activate") || g_str_equal(method, "SecondaryActivate"))
			gui_tray_activate(self, GUI_TRAY_MENU_SHOW);
		g_dbus_method_invocation_return_value(invocation, NULL);
		return;
	}
	if (g_str_equal(method, "GetLayout")) {
		g_dbus_method_invocation_return_value(
		    invocation,
		    g_variant_new("(u@(ia{sv}av))", self->revision, gui_tray_menu_layout(self)));
	} else if (g_str_equal(method, "GetGroupProperties")) {
		g_autoptr(GVariant) ids = g_variant_get_child_value(params, 0);

		g_dbus_method_invocation_return_value(
		    invocation,
		    g_variant_new("(@a(ia{sv}))", gui_tray_group_properties(self, ids)));
	} else if (g_str_equal(method, "GetProperty")) {
		g_autoptr(GVariant) layout = g_variant_ref_sink(gui_tray_menu_layout(self));
		g_autoptr(GVariant) props = NULL, value = NULL;
		const char *name;
		gint32 id;

		g_variant_get(params, "(i&s)", &id, &name);
		props = layout_find(layout, id);
		value = props ? g_variant_lookup_value(props, name, NULL) : NULL;
		if (!value)
			g_dbus_method_invocation_return_dbus_error(
			    invocation, "org.freedesktop.DBus.Error.InvalidArgs",
			    "no such property");
		else
			g_dbus_method_invocation_return_value(invocation,
			                                      g_variant_new("(v)", value));
	} else if (g_str_equal(method, "Event")) {
		const char *event;
		gint32 id;

		g_variant_get(params, "(i&svu)", &id, &event, NULL, NULL);
		/* Answer first: the action may quit the application. */
		g_dbus_method_invocation_return_value(invocation, NULL);
		if (g_str_equal(event, "clicked"))
			gui_tray_activate(self, id);
	} else if (g_str_equal(method, "EventGroup")) {
		g_autoptr(GVariantIter) iter = NULL;
		GArray *clicked = g_array_new(FALSE, FALSE, sizeof(gint32));
		const char *event;
		gint32 id;

		g_variant_get(params, "(a(isvu))", &iter);
		while (g_variant_iter_loop(iter, "(i&svu)", &id, &event, NULL, NULL))
			if (g_str_equal(event, "clicked"))
				g_array_append_val(clicked, id);
		g_dbus_method_invocation_return_value(
		    invocation,
		    g_variant_new("(@ai)", g_variant_new_array(G_VARIANT_TYPE_INT32, NULL, 0)));
		for (guint i = 0; i < clicked->len; i++)
			gui_tray_activate(self, g_array_index(clicked, gint32, i));
		g_array_unref(clicked);
	} else if (g_str_equal(method, "AboutToShow")) {
		g_dbus_method_invocation_return_value(invocation, g_variant_new("(b)", FALSE));
	} else if (g_str_equal(method, "AboutToShowGroup")) {
		g_dbus_method_invocation_return_value(
		    invocation,
		    g_variant_new("(@ai@ai)", g_variant_new_array(G_VARIANT_TYPE_INT32, NULL, 0),
		                  g_variant_new_array(G_VARIANT_TYPE_INT32, NULL, 0)));
	} else {
		g_dbus_method_invocation_return_dbus_error(
		    invocation, "org.freedesktop.DBus.Error.UnknownMethod", "unknown method");
	}
}

static const GDBusInterfaceVTable tray_vtable = {
    .method_call = gui_tray_method_call,
    .get_property = gui_tray_get_property,
};

static void on_registered(GObject *source, GAsyncResult *res, gpointer data)
{
	GuiTray *self = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	    g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);

	if (reply) {
		self->registered = TRUE;
		g_signal_emit(self, signals[SIGNAL_REGISTERED], 0);
	} else if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		g_debug("the status notifier watcher refused the tray item: %s", error->message);
	}
	g_object_unref(self);
}

static void gui_tray_register(GuiTray *self)
{
	if (!self->bus || !self->name_acquired || !self->watcher_present)
		return;
	g_dbus_connection_call(self->bus, WATCHER_NAME, WATCHER_PATH, WATCHER_NAME,
	                       "RegisterStatusNotifierItem", g_variant_new("(s)", self->bus_name),
	                       NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, 5000, NULL, on_registered,
	                       g_object_ref(self));
}

static void on_name_acquired(GDBusConnection *bus, const char *name, gpointer data)
{
	GuiTray *self = data;

	self->name_acquired = TRUE;
	gui_tray_register(self);
}

static void on_name_lost(GDBusConnection *bus, const char *name, gpointer data)
{
	GuiTray *self = data;

	self->name_acquired = FALSE;
	self->registered = FALSE;
}

static void on_watcher_appeared(GDBusConnection *bus, const char *name, const char *owner,
                                gpointer data)
{
	GuiTray *self = data;

	self->watcher_present = TRUE;
	self->registered = FALSE;
	gui_tray_register(self);
}

static void on_watcher_vanished(GDBusConnection *bus, const char *name, gpointer data)
{
	GuiTray *self = data;

	self->watcher_present = FALSE;
	self->registered = FALSE;
}

gboolean gui_tray_export(GuiTray *self, GDBusConnection *bus, GError **error)
{
	if (self->bus)
		return TRUE;
	self->item_id = g_dbus_connection_register_object(
	    bus, GUI_TRAY_ITEM_PATH, g_dbus_node_info_lookup_interface(self->info, SNI_INTERFACE),
	    &tray_vtable, self, NULL, error);
	if (!self->item_id)
		return FALSE;
	self->menu_id = g_dbus_connection_register_object(
	    bus, GUI_TRAY_MENU_PATH, g_dbus_node_info_lookup_interface(self->info, MENU_INTERFACE),
	    &tray_vtable, self, NULL, error);
	if (!self->menu_id) {
		g_dbus_connection_unregister_object(bus, self->item_id);
		self->item_id = 0;
		return FALSE;
	}
	self->bus = g_object_ref(bus);
	self->bus_name = g_strdup_printf("org.kde.StatusNotifierItem-%d-1", (int)getpid());
	self->own_id =
	    g_bus_own_name_on_connection(bus, self->bus_name, G_BUS_NAME_OWNER_FLAGS_NONE,
	                                 on_name_acquired, on_name_lost, self, NULL);
	self->watch_id =
	    g_bus_watch_name_on_connection(bus, WATCHER_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
	                                   on_watcher_appeared, on_watcher_vanished, self, NULL);
	return TRUE;
}

void gui_tray_unexport(GuiTray *self)
{
	if (!self->bus)
		return;
	if (self->watch_id)
		g_bus_unwatch_name(self->watch_id);
	if (self->own_id)
		g_bus_unown_name(self->own_id);
	g_dbus_connection_unregister_object(self->bus, self->item_id);
	g_dbus_connection_unregister_object(self->bus, self->menu_id);
	self->watch_id = self->own_id = self->item_id = self->menu_id = 0;
	self->registered = self->name_acquired = self->watcher_present = FALSE;
	g_clear_object(&self->bus);
}

gboolean gui_tray_is_registered(GuiTray *self)
{
	return self->registered;
}

const char *gui_tray_get_bus_name(GuiTray *self)
{
	return self->bus_name;
}

static void gui_tray_emit(GuiTray *self, const char *iface, const char *path, const char *signal,
                          GVariant *params)
{
	if (!self->bus)
		return;
	g_dbus_connection_emit_signal(self->bus, NULL, path, iface, signal, params, NULL);
}

static void gui_tray_menu_changed(GuiTray *self)
{
	self->revision++;
	gui_tray_emit(self, MENU_INTERFACE, GUI_TRAY_MENU_PATH, "LayoutUpdated",
	              g_variant_new("(ui)", self->revision, 0));
}

void gui_tray_set_state(GuiTray *self, GuiTrayState state, const char *gateway)
{
	gboolean state_changed = self->state != state;
	gboolean gateway_changed = g_strcmp0(self->gateway, gateway) != 0;

	if (!state_changed && !gateway_changed)
		return;
	self->state = state;
	g_free(self->gateway);
	self->gateway = g_strdup(gateway);
	if (state_changed) {
		gui_tray_emit(self, SNI_INTERFACE, GUI_TRAY_ITEM_PATH, "NewIcon", NULL);
		gui_tray_emit(self, SNI_INTERFACE, GUI_TRAY_ITEM_PATH, "NewStatus",
		              g_variant_new("(s)", gui_tray_status(state)));
		gui_tray_menu_changed(self);
	}
	gui_tray_emit(self, SNI_INTERFACE, GUI_TRAY_ITEM_PATH, "NewToolTip", NULL);
}

GuiTrayState gui_tray_get_state(GuiTray *self)
{
	return self->state;
}

void gui_tray_set_last_gateway(GuiTray *self, const char *gateway)
{
	if (g_strcmp0(self->last_gateway, gateway) == 0)
		return;
	g_free(self->last_gateway);
	self->last_gateway = gateway && *gateway ? g_strdup(gateway) : NULL;
	gui_tray_menu_changed(self);
}

static void gui_tray_dispose(GObject *object)
{
	gui_tray_unexport(GUI_TRAY(object));
	G_OBJECT_CLASS(gui_tray_parent_class)->dispose(object);
}

static void gui_tray_finalize(GObject *object)
{
	GuiTray *self = GUI_TRAY(object);

	g_dbus_node_info_unref(self->info);
	g_free(self->bus_name);
	g_free(self->gateway);
	g_free(self->last_gateway);
	G_OBJECT_CLASS(gui_tray_parent_class)->finalize(object);
}

static void gui_tray_class_init(GuiTrayClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);

	oc->dispose = gui_tray_dispose;
	oc->finalize = gui_tray_finalize;
	signals[SIGNAL_REGISTERED] =
	    g_signal_new("registered", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
	                 NULL, G_TYPE_NONE, 0);
}

static void gui_tray_init(GuiTray *self)
{
	self->info = g_dbus_node_info_new_for_xml(tray_xml, NULL);
	g_assert(self->info);
	self->revision = 1;
}

GuiTray *gui_tray_new(GActionGroup *actions)
{
	GuiTray *self = g_object_new(GUI_TYPE_TRAY, NULL);

	self->actions = actions;
	return self;
}
