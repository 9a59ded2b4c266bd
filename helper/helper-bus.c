// SPDX-License-Identifier: GPL-2.0-or-later
#include "helper-bus.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "helper-agent.h"
#include "helper-conn.h"
#include "helper-introspection-data.h"
#include "helper-manager.h"
#include "helper.h"
#include "log.h"

#define DBUS_IFACE_PROPERTIES    "org.freedesktop.DBus.Properties"
#define DBUS_IFACE_INTROSPECT    "org.freedesktop.DBus.Introspectable"
#define DBUS_IFACE_OBJECT_MGR    "org.freedesktop.DBus.ObjectManager"
#define DBUS_ERROR_UNKNOWN_PROP  "org.freedesktop.DBus.Error.UnknownProperty"
#define DBUS_ERROR_READ_ONLY     "org.freedesktop.DBus.Error.PropertyReadOnly"
#define DBUS_ERROR_UNKNOWN_IFACE "org.freedesktop.DBus.Error.UnknownInterface"
#define DBUS_ERROR_UNKNOWN_OBJ   "org.freedesktop.DBus.Error.UnknownObject"

/* ------------------------------------------------------------------------------------------ */
/* libdbus in our poll() loop */

static void watch_ready(struct helper_loop_io *io, int fd, short revents, void *data)
{
	DBusWatch *w = data;
	unsigned flags = 0;

	if (revents & POLLIN)
		flags |= DBUS_WATCH_READABLE;
	if (revents & POLLOUT)
		flags |= DBUS_WATCH_WRITABLE;
	if (revents & POLLHUP)
		flags |= DBUS_WATCH_HANGUP;
	if (revents & (POLLERR | POLLNVAL))
		flags |= DBUS_WATCH_ERROR;
	dbus_watch_handle(w, flags);
}

static short watch_events(DBusWatch *w)
{
	unsigned flags = dbus_watch_get_flags(w);
	short ev = 0;

	if (!dbus_watch_get_enabled(w))
		return 0;
	if (flags & DBUS_WATCH_READABLE)
		ev |= POLLIN;
	if (flags & DBUS_WATCH_WRITABLE)
		ev |= POLLOUT;
	return ev;
}

static dbus_bool_t watch_add(DBusWatch *w, void *data)
{
	struct helper *h = data;
	struct helper_loop_io *io =
	    helper_loop_io_add(h->loop, dbus_watch_get_unix_fd(w), watch_events(w), watch_ready, w);

	if (!io)
		return FALSE;
	dbus_watch_set_data(w, io, NULL);
	return TRUE;
}

static void watch_remove(DBusWatch *w, void *data)
{
	helper_loop_io_remove(dbus_watch_get_data(w));
	dbus_watch_set_data(w, NULL, NULL);
}

static void watch_toggled(DBusWatch *w, void *data)
{
	struct helper_loop_io *io = dbus_watch_get_data(w);

	if (io)
		helper_loop_io_set_events(io, watch_events(w));
}

static void timeout_fired(struct helper_loop_timer *timer, void *data)
{
	DBusTimeout *t = data;

	/* libdbus timeouts repeat until removed or disabled; handling may remove this one. */
	helper_loop_timer_rearm(timer, (uint64_t)dbus_timeout_get_interval(t));
	dbus_timeout_handle(t);
}

static dbus_bool_t timeout_add(DBusTimeout *t, void *data)
{
	struct helper *h = data;
	struct helper_loop_timer *timer = helper_loop_timer_add(
	    h->loop, (uint64_t)dbus_timeout_get_interval(t), timeout_fired, t);

	if (!timer)
		return FALSE;
	if (!dbus_timeout_get_enabled(t))
		helper_loop_timer_disarm(timer);
	dbus_timeout_set_data(t, timer, NULL);
	return TRUE;
}

static void timeout_remove(DBusTimeout *t, void *data)
{
	helper_loop_timer_remove(dbus_timeout_get_data(t));
	dbus_timeout_set_data(t, NULL, NULL);
}

static void timeout_toggled(DBusTimeout *t, void *data)
{
	struct helper_loop_timer *timer = dbus_timeout_get_data(t);

	if (!timer)
		return;
	if (dbus_timeout_get_enabled(t))
		helper_loop_timer_rearm(timer, (uint64_t)dbus_timeout_get_interval(t));
	else
		helper_loop_timer_disarm(timer);
}

static void bus_prepare(void *data)
{
	struct helper *h = data;

	if (!h->bus)
		return;
	while (dbus_connection_dispatch(h->bus) == DBUS_DISPATCH_DATA_REMAINS)
		;
	helper_conn_flush(h);
	helper_manager_flush(h);
}

/* ------------------------------------------------------------------------------------------ */
/* Replies and signals */

void helper_bus_send_reply(struct helper *h, DBusMessage *call, DBusMessage *reply)
{
	if (!reply) {
		log_error("out of memory for a D-Bus reply");
		return;
	}
	if (!dbus_message_get_no_reply(call) && h->bus)
		dbus_connection_send(h->bus, reply, NULL);
	dbus_message_unref(reply);
}

void helper_bus_reply_empty(struct helper *h, DBusMessage *call)
{
	helper_bus_send_reply(h, call, dbus_message_new_method_return(call));
}

static void reply_dbus_error(struct helper *h, DBusMessage *call, const char *name,
                             const char *text)
{
	helper_bus_send_reply(h, call, dbus_message_new_error(call, name, text));
}

void helper_bus_reply_error(struct helper *h, DBusMessage *call, int err, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* Error texts are ours and ASCII, but make sure nothing invalid reaches libdbus. */
	if (!dbus_validate_utf8(text, NULL))
		snprintf(text, sizeof(text), "%s", error_text(err));
	reply_dbus_error(h, call, error_dbus_name(err), text);
}

bool helper_bus_append_string(DBusMessageIter *it, const char *s)
{
	if (!s)
		s = "";
	return dbus_message_iter_append_basic(it, DBUS_TYPE_STRING, &s);
}

bool helper_bus_append_strv(DBusMessageIter *it, char *const *v)
{
	DBusMessageIter arr;

	if (!dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "s", &arr))
		return false;
	for (size_t i = 0; v && v[i]; i++)
		if (!dbus_message_iter_append_basic(&arr, DBUS_TYPE_STRING, &v[i])) {
			dbus_message_iter_abandon_container(it, &arr);
			return false;
		}
	return dbus_message_iter_close_container(it, &arr);
}

static bool append_property(DBusMessageIter *dict, const struct helper_bus_property *p,
                            void *object)
{
	DBusMessageIter entry, var;

	if (!dbus_message_iter_open_container(dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry))
		return false;
	if (!dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &p->name) ||
	    !dbus_message_iter_open_container(&entry, DBUS_TYPE_VARIANT, p->signature, &var)) {
		dbus_message_iter_abandon_container(dict, &entry);
		return false;
	}
	if (!p->get(object, &var)) {
		dbus_message_iter_abandon_container(&entry, &var);
		dbus_message_iter_abandon_container(dict, &entry);
		return false;
	}
	return dbus_message_iter_close_container(&entry, &var) &&
	       dbus_message_iter_close_container(dict, &entry);
}

static bool append_properties_mask(DBusMessageIter *it, const struct helper_bus_interface *iface,
                                   void *object, uint64_t mask)
{
	DBusMessageIter dict;

	if (!dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "{sv}", &dict))
		return false;
	for (unsigned i = 0; i < iface->n_properties; i++) {
		if (!(mask & (UINT64_C(1) << i)))
			continue;
		if (!append_property(&dict, &iface->properties[i], object)) {
			dbus_message_iter_abandon_container(it, &dict);
			return false;
		}
	}
	return dbus_message_iter_close_container(it, &dict);
}

bool helper_bus_append_properties(DBusMessageIter *it, const struct helper_bus_interface *iface,
                                  void *object)
{
	return append_properties_mask(it, iface, object, ~UINT64_C(0));
}

static void send_signal(struct helper *h, DBusMessage *m)
{
	if (h->bus)
		dbus_connection_send(h->bus, m, NULL);
	dbus_message_unref(m);
}

void helper_bus_emit_changed(struct helper *h, const char *path,
                             const struct helper_bus_interface *iface, void *object, uint64_t mask)
{
	DBusMessage *m;
	DBusMessageIter it, inval;

	if (!mask)
		return;
	m = dbus_message_new_signal(path, DBUS_IFACE_PROPERTIES, "PropertiesChanged");
	if (!m)
		return;
	dbus_message_iter_init_append(m, &it);
	if (!dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &iface->name) ||
	    !append_properties_mask(&it, iface, object, mask) ||
	    !dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "s", &inval) ||
	    !dbus_message_iter_close_container(&it, &inval)) {
		log_error("out of memory for PropertiesChanged");
		dbus_message_unref(m);
		return;
	}
	send_signal(h, m);
}

static bool append_object(DBusMessageIter *it, const char *path,
                          const struct helper_bus_interface *iface, void *object)
{
	DBusMessageIter ifaces, entry;

	return dbus_message_iter_append_basic(it, DBUS_TYPE_OBJECT_PATH, &path) &&
	       dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "{sa{sv}}", &ifaces) &&
	       dbus_message_iter_open_container(&ifaces, DBUS_TYPE_DICT_ENTRY, NULL, &entry) &&
	       dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &iface->name) &&
	       helper_bus_append_properties(&entry, iface, object) &&
	       dbus_message_iter_close_container(&ifaces, &entry) &&
	       dbus_message_iter_close_container(it, &ifaces);
}

void helper_bus_emit_added(struct helper *h, const char *path,
                           const struct helper_bus_interface *iface, void *object)
{
	DBusMessage *m =
	    dbus_message_new_signal(HELPER_PATH, DBUS_IFACE_OBJECT_MGR, "InterfacesAdded");
	DBusMessageIter it;

	if (!m)
		return;
	dbus_message_iter_init_append(m, &it);
	if (!append_object(&it, path, iface, object)) {
		dbus_message_unref(m);
		return;
	}
	send_signal(h, m);
}

void helper_bus_emit_removed(struct helper *h, const char *path,
                             const struct helper_bus_interface *iface)
{
	DBusMessage *m =
	    dbus_message_new_signal(HELPER_PATH, DBUS_IFACE_OBJECT_MGR, "InterfacesRemoved");
	DBusMessageIter it, arr;

	if (!m)
		return;
	dbus_message_iter_init_append(m, &it);
	if (!dbus_message_iter_append_basic(&it, DBUS_TYPE_OBJECT_PATH, &path) ||
	    !dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "s", &arr) ||
	    !dbus_message_iter_append_basic(&arr, DBUS_TYPE_STRING, &iface->name) ||
	    !dbus_message_iter_close_container(&it, &arr)) {
		dbus_message_unref(m);
		return;
	}
	send_signal(h, m);
}

/* ------------------------------------------------------------------------------------------ */
/* Introspection: the interface file's own text, embedded at build time */

static const char std_ifaces_xml[] =
    "  <interface name=\"org.freedesktop.DBus.Introspectable\">\n"
    "    <method name=\"Introspect\">\n"
    "      <arg name=\"xml_data\" type=\"s\" direction=\"out\"/>\n"
    "    </method>\n"
    "  </interface>\n"
    "  <interface name=\"org.freedesktop.DBus.Peer\">\n"
    "    <method name=\"Ping\"/>\n"
    "    <method name=\"GetMachineId\">\n"
    "      <arg name=\"machine_uuid\" type=\"s\" direction=\"out\"/>\n"
    "    </method>\n"
    "  </interface>\n"
    "  <interface name=\"org.freedesktop.DBus.Properties\">\n"
    "    <method name=\"Get\">\n"
    "      <arg name=\"interface_name\" type=\"s\" direction=\"in\"/>\n"
    "      <arg name=\"property_name\" type=\"s\" direction=\"in\"/>\n"
    "      <arg name=\"value\" type=\"v\" direction=\"out\"/>\n"
    "    </method>\n"
    "    <method name=\"GetAll\">\n"
    "      <arg name=\"interface_name\" type=\"s\" direction=\"in\"/>\n"
    "      <arg name=\"props\" type=\"a{sv}\" direction=\"out\"/>\n"
    "    </method>\n"
    "    <method name=\"Set\">\n"
    "      <arg name=\"interface_name\" type=\"s\" direction=\"in\"/>\n"
    "      <arg name=\"property_name\" type=\"s\" direction=\"in\"/>\n"
    "      <arg name=\"value\" type=\"v\" direction=\"in\"/>\n"
    "    </method>\n"
    "    <signal name=\"PropertiesChanged\">\n"
    "      <arg name=\"interface_name\" type=\"s\"/>\n"
    "      <arg name=\"changed_properties\" type=\"a{sv}\"/>\n"
    "      <arg name=\"invalidated_properties\" type=\"as\"/>\n"
    "    </signal>\n"
    "  </interface>\n";

static const char object_manager_xml[] =
    "  <interface name=\"org.freedesktop.DBus.ObjectManager\">\n"
    "    <method name=\"GetManagedObjects\">\n"
    "      <arg name=\"objects\" type=\"a{oa{sa{sv}}}\" direction=\"out\"/>\n"
    "    </method>\n"
    "    <signal name=\"InterfacesAdded\">\n"
    "      <arg name=\"object\" type=\"o\"/>\n"
    "      <arg name=\"interfaces\" type=\"a{sa{sv}}\"/>\n"
    "    </signal>\n"
    "    <signal name=\"InterfacesRemoved\">\n"
    "      <arg name=\"object\" type=\"o\"/>\n"
    "      <arg name=\"interfaces\" type=\"as\"/>\n"
    "    </signal>\n"
    "  </interface>\n";

static const char *interface_xml(const char *name)
{
	for (size_t i = 0; i < sizeof(helper_xml_interfaces) / sizeof(helper_xml_interfaces[0]);
	     i++)
		if (strcmp(helper_xml_interfaces[i].name, name) == 0)
			return helper_xml_interfaces[i].xml;
	return "";
}

/* "/org/sslvpn/Helper1/connection/17" -> 17; 0 if not such a path. */
static unsigned conn_id_of(const char *path)
{
	const char *p = path + strlen(HELPER_CONN_PATH_PREFIX);
	unsigned long v = 0;

	if (strncmp(path, HELPER_CONN_PATH_PREFIX, strlen(HELPER_CONN_PATH_PREFIX)) != 0 ||
	    *p < '1' || *p > '9' || strlen(p) > 9)
		return 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	return (unsigned)v;
}

char *helper_bus_introspect(struct helper *h, const char *path)
{
	static const struct {
		const char *path;
		const char *child;
	} ancestors[] = {
	    {"/", "org"},
	    {"/org", "sslvpn"},
	    {"/org/sslvpn", "Helper1"},
	};
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	fputs("<!DOCTYPE node PUBLIC \"-//freedesktop//DTD D-BUS Object Introspection 1.0//EN\"\n"
	      " \"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd\">\n",
	      f);
	fprintf(f, "<node%s>\n", helper_xml_node_attributes);
	if (strcmp(path, HELPER_PATH) == 0) {
		fputs(std_ifaces_xml, f);
		fputs(object_manager_xml, f);
		fputs(interface_xml(HELPER_IFACE_MANAGER), f);
		fputs(interface_xml(HELPER_IFACE_AGENT_MGR), f);
		if (h->conns)
			fputs("  <node name=\"connection\"/>\n", f);
	} else if (strcmp(path, HELPER_PATH "/connection") == 0) {
		for (struct helper_conn *c = h->conns; c; c = helper_conn_next(c))
			fprintf(f, "  <node name=\"%s\"/>\n",
			        helper_conn_path(c) + strlen(HELPER_CONN_PATH_PREFIX));
	} else if (helper_conn_find(h, path)) {
		fputs(std_ifaces_xml, f);
		fputs(interface_xml(HELPER_IFACE_CONNECTION), f);
	} else {
		bool found = false;

		for (size_t i = 0; i < sizeof(ancestors) / sizeof(ancestors[0]); i++)
			if (strcmp(path, ancestors[i].path) == 0) {
				fprintf(f, "  <node name=\"%s\"/>\n", ancestors[i].child);
				found = true;
			}
		if (!found) {
			fclose(f);
			free(text);
			return NULL;
		}
	}
	fputs("</node>\n", f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* ------------------------------------------------------------------------------------------ */
/* Dispatch */

struct object {
	void *data;
	const struct helper_bus_interface *ifaces[2];
	unsigned n_ifaces;
	bool is_manager;
};

static bool resolve_object(struct helper *h, const char *path, struct object *o)
{
	struct helper_conn *c;

	memset(o, 0, sizeof(*o));
	if (strcmp(path, HELPER_PATH) == 0) {
		o->data = h;
		o->ifaces[0] = &helper_manager_interface;
		o->ifaces[1] = &helper_agent_manager_interface;
		o->n_ifaces = 2;
		o->is_manager = true;
		return true;
	}
	if (conn_id_of(path) && (c = helper_conn_find(h, path))) {
		o->data = c;
		o->ifaces[0] = &helper_conn_interface;
		o->n_ifaces = 1;
		return true;
	}
	return false;
}

static const struct helper_bus_interface *find_iface(const struct object *o, const char *name)
{
	for (unsigned i = 0; i < o->n_ifaces; i++)
		if (strcmp(o->ifaces[i]->name, name) == 0)
			return o->ifaces[i];
	return NULL;
}

static void handle_properties(struct helper *h, DBusMessage *m, const struct object *o)
{
	const char *member = dbus_message_get_member(m);
	const char *iface_name = NULL, *prop = NULL;
	const struct helper_bus_interface *iface;
	DBusMessage *reply;
	DBusMessageIter it;

	if (strcmp(member, "Get") == 0 && dbus_message_has_signature(m, "ss")) {
		dbus_message_get_args(m, NULL, DBUS_TYPE_STRING, &iface_name, DBUS_TYPE_STRING,
		                      &prop, DBUS_TYPE_INVALID);
	} else if (strcmp(member, "GetAll") == 0 && dbus_message_has_signature(m, "s")) {
		dbus_message_get_args(m, NULL, DBUS_TYPE_STRING, &iface_name, DBUS_TYPE_INVALID);
	} else if (strcmp(member, "Set") == 0 && dbus_message_has_signature(m, "ssv")) {
		reply_dbus_error(h, m, DBUS_ERROR_READ_ONLY, "every property is read-only");
		return;
	} else {
		reply_dbus_error(h, m, DBUS_ERROR_UNKNOWN_METHOD, "unknown method or signature");
		return;
	}
	iface = find_iface(o, iface_name);
	if (!iface) {
		/* GetAll of an interface without properties is an empty dict, as GDBus does. */
		bool known = strcmp(iface_name, DBUS_IFACE_PROPERTIES) == 0 ||
		             strcmp(iface_name, DBUS_IFACE_INTROSPECT) == 0 ||
		             (o->is_manager && strcmp(iface_name, DBUS_IFACE_OBJECT_MGR) == 0);

		if (!prop && known) {
			static const struct helper_bus_interface none = {"", NULL, NULL, 0};

			reply = dbus_message_new_method_return(m);
			if (reply) {
				dbus_message_iter_init_append(reply, &it);
				helper_bus_append_properties(&it, &none, NULL);
			}
			helper_bus_send_reply(h, m, reply);
			return;
		}
		reply_dbus_error(h, m, DBUS_ERROR_UNKNOWN_IFACE, "no such interface here");
		return;
	}
	reply = dbus_message_new_method_return(m);
	if (!reply) {
		helper_bus_reply_error(h, m, ERR_NOMEM, "out of memory");
		return;
	}
	dbus_message_iter_init_append(reply, &it);
	if (!prop) {
		if (!helper_bus_append_properties(&it, iface, o->data)) {
			dbus_message_unref(reply);
			helper_bus_reply_error(h, m, ERR_NOMEM, "out of memory");
			return;
		}
		helper_bus_send_reply(h, m, reply);
		return;
	}
	for (unsigned i = 0; i < iface->n_properties; i++) {
		const struct helper_bus_property *p = &iface->properties[i];
		DBusMessageIter var;

		if (strcmp(p->name, prop) != 0)
			continue;
		if (!dbus_message_iter_open_container(&it, DBUS_TYPE_VARIANT, p->signature, &var) ||
		    !p->get(o->data, &var) || !dbus_message_iter_close_container(&it, &var)) {
			dbus_message_unref(reply);
			helper_bus_reply_error(h, m, ERR_NOMEM, "out of memory");
			return;
		}
		helper_bus_send_reply(h, m, reply);
		return;
	}
	dbus_message_unref(reply);
	reply_dbus_error(h, m, DBUS_ERROR_UNKNOWN_PROP, "no such property");
}

static void handle_get_managed_objects(struct helper *h, DBusMessage *m)
{
	DBusMessage *reply = dbus_message_new_method_return(m);
	DBusMessageIter it, dict, entry;
	bool ok;

	if (!reply) {
		helper_bus_reply_error(h, m, ERR_NOMEM, "out of memory");
		return;
	}
	dbus_message_iter_init_append(reply, &it);
	ok = dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{oa{sa{sv}}}", &dict);
	for (struct helper_conn *c = h->conns; ok && c; c = helper_conn_next(c))
		ok = dbus_message_iter_open_container(&dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry) &&
		     append_object(&entry, helper_conn_path(c), &helper_conn_interface, c) &&
		     dbus_message_iter_close_container(&dict, &entry);
	ok = ok && dbus_message_iter_close_container(&it, &dict);
	if (!ok) {
		dbus_message_unref(reply);
		helper_bus_reply_error(h, m, ERR_NOMEM, "out of memory");
		return;
	}
	helper_bus_send_reply(h, m, reply);
}

static DBusHandlerResult handle_message(DBusConnection *bus, DBusMessage *m, void *data)
{
	struct helper *h = data;
	const char *path = dbus_message_get_path(m);
	const char *iface_name = dbus_message_get_interface(m);
	const char *member = dbus_message_get_member(m);
	struct object o;

	if (dbus_message_get_type(m) != DBUS_MESSAGE_TYPE_METHOD_CALL || !path || !member)
		return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;

	if ((!iface_name || strcmp(iface_name, DBUS_IFACE_INTROSPECT) == 0) &&
	    strcmp(member, "Introspect") == 0 && dbus_message_has_signature(m, "")) {
		char *xml = helper_bus_introspect(h, path);
		DBusMessage *reply;

		if (!xml) {
			reply_dbus_error(h, m, DBUS_ERROR_UNKNOWN_OBJ, "no such object");
			return DBUS_HANDLER_RESULT_HANDLED;
		}
		reply = dbus_message_new_method_return(m);
		if (reply &&
		    !dbus_message_append_args(reply, DBUS_TYPE_STRING, &xml, DBUS_TYPE_INVALID)) {
			dbus_message_unref(reply);
			reply = NULL;
		}
		free(xml);
		helper_bus_send_reply(h, m, reply);
		return DBUS_HANDLER_RESULT_HANDLED;
	}

	if (!resolve_object(h, path, &o)) {
		reply_dbus_error(h, m, DBUS_ERROR_UNKNOWN_OBJ, "no such object");
		return DBUS_HANDLER_RESULT_HANDLED;
	}
	if (iface_name && strcmp(iface_name, DBUS_IFACE_PROPERTIES) == 0) {
		handle_properties(h, m, &o);
		return DBUS_HANDLER_RESULT_HANDLED;
	}
	if (o.is_manager && iface_name && strcmp(iface_name, DBUS_IFACE_OBJECT_MGR) == 0) {
		if (strcmp(member, "GetManagedObjects") == 0 && dbus_message_has_signature(m, ""))
			handle_get_managed_objects(h, m);
		else
			reply_dbus_error(h, m, DBUS_ERROR_UNKNOWN_METHOD,
			                 "unknown method or signature");
		return DBUS_HANDLER_RESULT_HANDLED;
	}
	for (unsigned i = 0; i < o.n_ifaces; i++) {
		const struct helper_bus_interface *iface = o.ifaces[i];

		if (iface_name && strcmp(iface_name, iface->name) != 0)
			continue;
		for (const struct helper_bus_method *meth = iface->methods; meth->name; meth++) {
			if (strcmp(meth->name, member) != 0)
				continue;
			if (!dbus_message_has_signature(m, meth->in_signature)) {
				helper_bus_reply_error(h, m, ERR_INVALID_ARGS, "%s.%s takes (%s)",
				                       iface->name, meth->name, meth->in_signature);
				return DBUS_HANDLER_RESULT_HANDLED;
			}
			meth->fn(h, m, o.data);
			return DBUS_HANDLER_RESULT_HANDLED;
		}
	}
	reply_dbus_error(h, m, DBUS_ERROR_UNKNOWN_METHOD, "unknown method");
	return DBUS_HANDLER_RESULT_HANDLED;
}

static DBusHandlerResult filter(DBusConnection *bus, DBusMessage *m, void *data)
{
	struct helper *h = data;

	if (dbus_message_is_signal(m, DBUS_INTERFACE_LOCAL, "Disconnected")) {
		log_error("lost the system bus; stopping");
		helper_stop(h);
		return DBUS_HANDLER_RESULT_HANDLED;
	}
	if (dbus_message_is_signal(m, DBUS_INTERFACE_DBUS, "NameOwnerChanged")) {
		const char *name, *old_owner, *new_owner;

		if (dbus_message_get_args(m, NULL, DBUS_TYPE_STRING, &name, DBUS_TYPE_STRING,
		                          &old_owner, DBUS_TYPE_STRING, &new_owner,
		                          DBUS_TYPE_INVALID) &&
		    name[0] == ':' && new_owner[0] == '\0')
			helper_agent_name_vanished(h, name);
	}
	return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
}

static const DBusObjectPathVTable vtable = {
    .message_function = handle_message,
};

int helper_bus_start(struct helper *h)
{
	DBusError err;
	int r;

	dbus_error_init(&err);
	h->bus = dbus_bus_get_private(DBUS_BUS_SYSTEM, &err);
	if (!h->bus) {
		log_error("cannot connect to the system bus: %s", err.message);
		dbus_error_free(&err);
		return -ERR_IO;
	}
	dbus_connection_set_exit_on_disconnect(h->bus, FALSE);
	if (!dbus_connection_set_watch_functions(h->bus, watch_add, watch_remove, watch_toggled, h,
	                                         NULL) ||
	    !dbus_connection_set_timeout_functions(h->bus, timeout_add, timeout_remove,
	                                           timeout_toggled, h, NULL) ||
	    !dbus_connection_add_filter(h->bus, filter, h, NULL) ||
	    !dbus_connection_register_fallback(h->bus, HELPER_PATH, &vtable, h) ||
	    !dbus_connection_register_fallback(h->bus, "/", &vtable, h))
		return -ERR_NOMEM;
	helper_loop_set_prepare(h->loop, bus_prepare, h);

	/* Agents are forgotten when their connection leaves the bus. */
	dbus_bus_add_match(h->bus,
	                   "type='signal',sender='" DBUS_SERVICE_DBUS
	                   "',interface='" DBUS_INTERFACE_DBUS "',member='NameOwnerChanged'",
	                   &err);
	if (dbus_error_is_set(&err)) {
		log_error("cannot watch bus names: %s", err.message);
		dbus_error_free(&err);
		return -ERR_IO;
	}

	r = dbus_bus_request_name(h->bus, HELPER_BUS_NAME, DBUS_NAME_FLAG_DO_NOT_QUEUE, &err);
	if (dbus_error_is_set(&err)) {
		log_error("cannot own %s: %s", HELPER_BUS_NAME, err.message);
		dbus_error_free(&err);
		return -ERR_ACCESS_DENIED;
	}
	if (r != DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER) {
		log_error("%s is already owned by another process; is another sslvpn-helper "
		          "running?",
		          HELPER_BUS_NAME);
		return -ERR_BUSY;
	}
	log_info("%s ready on the system bus", HELPER_BUS_NAME);
	return 0;
}

void helper_bus_stop(struct helper *h)
{
	if (!h->bus)
		return;
	dbus_connection_flush(h->bus);
	dbus_connection_close(h->bus);
	dbus_connection_unref(h->bus);
	h->bus = NULL;
}
