/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The helper's side of the system bus, on plain libdbus: the connection runs in the helper's
 * poll() loop through libdbus's watch and timeout callbacks; method calls are dispatched from
 * small tables (one struct helper_bus_interface per interface); properties, ObjectManager and
 * Introspectable are served here for every object.
 *
 * Properties are announced by marking them dirty (helper_conn_props_mark()); the loop
 * flushes one PropertiesChanged per object and interface before it sleeps, so a burst of
 * changes costs one signal.
 */
#include <dbus/dbus.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

struct helper;

/* Handlers reply themselves (now or later, when an asynchronous step finishes). */
typedef void (*helper_bus_method_fn)(struct helper *h, DBusMessage *call, void *object);
/* Appends the property's value to it (the iterator inside the variant). */
typedef bool (*helper_bus_get_fn)(void *object, DBusMessageIter *it);

struct helper_bus_method {
	const char *name;
	const char *in_signature;
	helper_bus_method_fn fn;
};

struct helper_bus_property {
	const char *name;
	const char *signature;
	helper_bus_get_fn get;
};

struct helper_bus_interface {
	const char *name;
	const struct helper_bus_method *methods; /* ends with {NULL} */
	const struct helper_bus_property *properties;
	unsigned n_properties;
};

/* Connects to the system bus ($DBUS_SYSTEM_BUS_ADDRESS is honoured), hooks it into the
 * loop, registers the objects and takes the name.  -ERR_BUSY when the name has an owner. */
int helper_bus_start(struct helper *h);
void helper_bus_stop(struct helper *h);

/* Sends reply to call (and unrefs reply), unless the caller asked for no reply. */
void helper_bus_send_reply(struct helper *h, DBusMessage *call, DBusMessage *reply);
void helper_bus_reply_empty(struct helper *h, DBusMessage *call);
/* org.sslvpn.Helper1.Error.<name of err> with a one-line message. */
void helper_bus_reply_error(struct helper *h, DBusMessage *call, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* PropertiesChanged for the properties whose bit (index in iface->properties) is set. */
void helper_bus_emit_changed(struct helper *h, const char *path,
                             const struct helper_bus_interface *iface, void *object, uint64_t mask);
/* ObjectManager signals for a connection object. */
void helper_bus_emit_added(struct helper *h, const char *path,
                           const struct helper_bus_interface *iface, void *object);
void helper_bus_emit_removed(struct helper *h, const char *path,
                             const struct helper_bus_interface *iface);

/* Appends a{sv} of every property of iface. */
bool helper_bus_append_properties(DBusMessageIter *it, const struct helper_bus_interface *iface,
                                  void *object);

/* Value helpers for getters. */
bool helper_bus_append_string(DBusMessageIter *it, const char *s); /* NULL appends "" */
bool helper_bus_append_strv(DBusMessageIter *it, char *const *v);  /* NULL appends [] */

/* The introspection document of a path, or NULL if the path does not exist (malloc'd). */
char *helper_bus_introspect(struct helper *h, const char *path);
