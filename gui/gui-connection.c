// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include "gui-connection.h"

struct _GuiConnection {
	GObject parent_instance;
	char *path;
	gboolean seen; /* had its first update */
	char *state, *transport, *gateway, *interface, *address, *address6, *banner, *last_error;
	char **routes, **dns, **domains;
	guint32 mtu, owner;
	guint64 bytes_sent, bytes_received, connected_since;
};

G_DEFINE_FINAL_TYPE(GuiConnection, gui_connection, G_TYPE_OBJECT)

enum { SIGNAL_CHANGED, SIGNAL_EVENT, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char *const empty_strv[] = {NULL};

GuiConnectionEvent gui_connection_event_for(const char *old_state, const char *new_state)
{
	gboolean was_up;

	if (!old_state || !new_state || g_str_equal(old_state, new_state))
		return GUI_CONNECTION_EVENT_NONE;
	was_up = g_str_equal(old_state, "connected") || g_str_equal(old_state, "reconnecting");
	if (g_str_equal(new_state, "connected"))
		return g_str_equal(old_state, "reconnecting") ? GUI_CONNECTION_EVENT_RECONNECTED
		                                              : GUI_CONNECTION_EVENT_CONNECTED;
	if (g_str_equal(new_state, "reconnecting"))
		return GUI_CONNECTION_EVENT_RECONNECTING;
	if (g_str_equal(new_state, "failed"))
		return was_up ? GUI_CONNECTION_EVENT_DROPPED : GUI_CONNECTION_EVENT_FAILED;
	if (g_str_equal(new_state, "disconnected"))
		return was_up                                    ? GUI_CONNECTION_EVENT_DROPPED
		       : g_str_equal(old_state, "disconnecting") ? GUI_CONNECTION_EVENT_DISCONNECTED
		                                                 : GUI_CONNECTION_EVENT_NONE;
	return GUI_CONNECTION_EVENT_NONE;
}

static gboolean set_string(char **field, GVariant *v)
{
	const char *s;

	if (!g_variant_is_of_type(v, G_VARIANT_TYPE_STRING))
		return FALSE;
	s = g_variant_get_string(v, NULL);
	if (g_strcmp0(*field, s) == 0)
		return FALSE;
	g_free(*field);
	*field = g_strdup(s);
	return TRUE;
}

static gboolean set_strv(char ***field, GVariant *v)
{
	g_autofree const char **strv = NULL;

	if (!g_variant_is_of_type(v, G_VARIANT_TYPE_STRING_ARRAY))
		return FALSE;
	strv = g_variant_get_strv(v, NULL);
	if (*field && g_strv_equal((const char *const *)*field, strv))
		return FALSE;
	g_strfreev(*field);
	*field = g_strdupv((char **)strv);
	return TRUE;
}

static gboolean set_u32(guint32 *field, GVariant *v)
{
	if (!g_variant_is_of_type(v, G_VARIANT_TYPE_UINT32) || *field == g_variant_get_uint32(v))
		return FALSE;
	*field = g_variant_get_uint32(v);
	return TRUE;
}

static gboolean set_u64(guint64 *field, GVariant *v)
{
	if (!g_variant_is_of_type(v, G_VARIANT_TYPE_UINT64) || *field == g_variant_get_uint64(v))
		return FALSE;
	*field = g_variant_get_uint64(v);
	return TRUE;
}

void gui_connection_update(GuiConnection *c, GVariant *props)
{
	g_autofree char *old_state = g_strdup(c->state);
	gboolean changed = FALSE, first = !c->seen;
	GVariantIter iter;
	const char *key;
	GVariant *value;

	if (!props || !g_variant_is_of_type(props, G_VARIANT_TYPE_VARDICT))
		return;
	g_variant_iter_init(&iter, props);
	while (g_variant_iter_next(&iter, "{&sv}", &key, &value)) {
		if (g_str_equal(key, "State"))
			changed |= set_string(&c->state, value);
		else if (g_str_equal(key, "Transport"))
			changed |= set_string(&c->transport, value);
		else if (g_str_equal(key, "Gateway"))
			changed |= set_string(&c->gateway, value);
		else if (g_str_equal(key, "Interface"))
			changed |= set_string(&c->interface, value);
		else if (g_str_equal(key, "Address"))
			changed |= set_string(&c->address, value);
		else if (g_str_equal(key, "Address6"))
			changed |= set_string(&c->address6, value);
		else if (g_str_equal(key, "Banner"))
			changed |= set_string(&c->banner, value);
		else if (g_str_equal(key, "LastError"))
			changed |= set_string(&c->last_error, value);
		else if (g_str_equal(key, "Routes"))
			changed |= set_strv(&c->routes, value);
		else if (g_str_equal(key, "Dns"))
			changed |= set_strv(&c->dns, value);
		else if (g_str_equal(key, "Domains"))
			changed |= set_strv(&c->domains, value);
		else if (g_str_equal(key, "Mtu"))
			changed |= set_u32(&c->mtu, value);
		else if (g_str_equal(key, "Owner"))
			changed |= set_u32(&c->owner, value);
		else if (g_str_equal(key, "BytesSent"))
			changed |= set_u64(&c->bytes_sent, value);
		else if (g_str_equal(key, "BytesReceived"))
			changed |= set_u64(&c->bytes_received, value);
		else if (g_str_equal(key, "ConnectedSince"))
			changed |= set_u64(&c->connected_since, value);
		g_variant_unref(value);
	}
	c->seen = TRUE;
	if (changed || first)
		g_signal_emit(c, signals[SIGNAL_CHANGED], 0);
	if (!first) {
		GuiConnectionEvent ev = gui_connection_event_for(old_state, c->state);

		if (ev != GUI_CONNECTION_EVENT_NONE)
			g_signal_emit(c, signals[SIGNAL_EVENT], 0, (guint)ev);
	}
}

const char *gui_connection_get_path(GuiConnection *c)
{
	return c->path;
}
const char *gui_connection_get_state(GuiConnection *c)
{
	return c->state ? c->state : "";
}
const char *gui_connection_get_transport(GuiConnection *c)
{
	return c->transport ? c->transport : "";
}
const char *gui_connection_get_gateway(GuiConnection *c)
{
	return c->gateway ? c->gateway : "";
}
const char *gui_connection_get_interface(GuiConnection *c)
{
	return c->interface ? c->interface : "";
}
const char *gui_connection_get_address(GuiConnection *c)
{
	return c->address ? c->address : "";
}
const char *gui_connection_get_address6(GuiConnection *c)
{
	return c->address6 ? c->address6 : "";
}
guint32 gui_connection_get_mtu(GuiConnection *c)
{
	return c->mtu;
}
const char *gui_connection_get_banner(GuiConnection *c)
{
	return c->banner ? c->banner : "";
}
guint64 gui_connection_get_bytes_sent(GuiConnection *c)
{
	return c->bytes_sent;
}
guint64 gui_connection_get_bytes_received(GuiConnection *c)
{
	return c->bytes_received;
}
guint64 gui_connection_get_connected_since(GuiConnection *c)
{
	return c->connected_since;
}
const char *gui_connection_get_last_error(GuiConnection *c)
{
	return c->last_error ? c->last_error : "";
}
guint32 gui_connection_get_owner(GuiConnection *c)
{
	return c->owner;
}

const char *const *gui_connection_get_routes(GuiConnection *c)
{
	return c->routes ? (const char *const *)c->routes : empty_strv;
}

const char *const *gui_connection_get_dns(GuiConnection *c)
{
	return c->dns ? (const char *const *)c->dns : empty_strv;
}

const char *const *gui_connection_get_domains(GuiConnection *c)
{
	return c->domains ? (const char *const *)c->domains : empty_strv;
}

gboolean gui_connection_is_active(GuiConnection *c)
{
	const char *s = gui_connection_get_state(c);

	return *s && !g_str_equal(s, "disconnected") && !g_str_equal(s, "failed");
}

static void gui_connection_finalize(GObject *object)
{
	GuiConnection *c = GUI_CONNECTION(object);

	g_free(c->path);
	g_free(c->state);
	g_free(c->transport);
	g_free(c->gateway);
	g_free(c->interface);
	g_free(c->address);
	g_free(c->address6);
	g_free(c->banner);
	g_free(c->last_error);
	g_strfreev(c->routes);
	g_strfreev(c->dns);
	g_strfreev(c->domains);
	G_OBJECT_CLASS(gui_connection_parent_class)->finalize(object);
}

static void gui_connection_class_init(GuiConnectionClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = gui_connection_finalize;
	signals[SIGNAL_CHANGED] =
	    g_signal_new("changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
	                 NULL, G_TYPE_NONE, 0);
	signals[SIGNAL_EVENT] = g_signal_new("event", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
	                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void gui_connection_init(GuiConnection *c)
{
}

GuiConnection *gui_connection_new(const char *object_path)
{
	GuiConnection *c = g_object_new(GUI_TYPE_CONNECTION, NULL);

	c->path = g_strdup(object_path);
	return c;
}
