// SPDX-License-Identifier: GPL-2.0-or-later
#include "helper-manager.h"

#include <stdlib.h>

#include "config.h"
#include "error.h"
#include "helper-authz.h"
#include "helper-conn.h"
#include "helper-options.h"
#include "helper.h"
#include "log.h"

/* A Connect waiting for authorisation; counted against its uid once the uid is known. */
struct pending_connect {
	struct helper *h;
	struct helper_options *opts;
	uid_t uid;
	bool counted;
};

static struct helper_pending_uid *pending_uid_slot(struct helper *h, uid_t uid, bool add)
{
	struct helper_pending_uid *free_slot = NULL;

	for (size_t i = 0; i < HELPER_MAX_PENDING_CONNECTS; i++) {
		struct helper_pending_uid *p = &h->pending_uids[i];

		if (p->n > 0 && p->uid == uid)
			return p;
		if (p->n == 0 && !free_slot)
			free_slot = p;
	}
	if (!add || !free_slot)
		return NULL;
	free_slot->uid = uid;
	return free_slot;
}

static int connect_admit(struct helper *h, uid_t uid, void *data)
{
	struct pending_connect *pc = data;
	struct helper_pending_uid *p = pending_uid_slot(h, uid, true);

	if (!p || p->n >= HELPER_MAX_PENDING_CONNECTS_PER_UID)
		return -ERR_BUSY;
	p->n++;
	pc->uid = uid;
	pc->counted = true;
	return 0;
}

static void pending_connect_free(struct pending_connect *pc)
{
	struct helper_pending_uid *p;

	if (!pc)
		return;
	if (pc->counted && (p = pending_uid_slot(pc->h, pc->uid, false)))
		p->n--;
	helper_options_free(pc->opts);
	free(pc);
}

static void pending_connect_freep(struct pending_connect **pc)
{
	pending_connect_free(*pc);
}

static void pending_connect_free_void(void *p)
{
	pending_connect_free(p);
}

static void connect_authorised(struct helper *h, DBusMessage *call, int result, uid_t uid,
                               void *data)
{
	_cleanup_(pending_connect_freep) struct pending_connect *pc = data;
	struct helper_conn *c;
	const char *path;
	DBusMessage *reply;

	h->pending_connects--;
	if (result == -ERR_ACCESS_DENIED) {
		helper_bus_reply_error(h, call, ERR_ACCESS_DENIED,
		                       "not allowed to start a VPN connection");
	} else if (result == -ERR_BUSY) {
		helper_bus_reply_error(h, call, ERR_BUSY,
		                       "too many Connect calls of this user in progress");
	} else if (result < 0) {
		helper_bus_reply_error(h, call, result, "authorisation failed: %s",
		                       error_text(result));
	} else if (h->stopping) {
		helper_bus_reply_error(h, call, ERR_BUSY, "the helper is shutting down");
	} else if (helper_conn_count(h, true) >= HELPER_MAX_ACTIVE) {
		helper_bus_reply_error(h, call, ERR_BUSY, "a VPN connection is already active");
	} else if (!(c = helper_conn_start(h, steal_ptr(&pc->opts), uid))) {
		helper_bus_reply_error(h, call, ERR_BUSY, "cannot create a connection object");
	} else {
		path = helper_conn_path(c);
		reply = dbus_message_new_method_return(call);
		if (reply && !dbus_message_append_args(reply, DBUS_TYPE_OBJECT_PATH, &path,
		                                       DBUS_TYPE_INVALID)) {
			dbus_message_unref(reply);
			reply = NULL;
		}
		helper_bus_send_reply(h, call, reply);
	}
	helper_update_idle(h);
}

static void method_connect(struct helper *h, DBusMessage *call, void *object)
{
	struct helper_options *opts = NULL;
	struct pending_connect *pc;
	DBusMessageIter it;
	char err[256];
	int r;

	/* Everything is checked before anything else happens, authorisation included. */
	dbus_message_iter_init(call, &it);
	r = helper_options_parse(&it, &opts, err, sizeof(err));
	if (r < 0) {
		log_info("Connect from %s refused: %s", dbus_message_get_sender(call),
		         err[0] ? err : error_text(r));
		helper_bus_reply_error(h, call, r, "%s", err[0] ? err : error_text(r));
		return;
	}
	if (h->stopping) {
		helper_options_free(opts);
		helper_bus_reply_error(h, call, ERR_BUSY, "the helper is shutting down");
		return;
	}
	/* The per-uid quota (connect_admit) decides first; this only bounds the table. */
	if (h->pending_connects >= HELPER_MAX_PENDING_CONNECTS) {
		helper_options_free(opts);
		helper_bus_reply_error(h, call, ERR_BUSY, "too many Connect calls in progress");
		return;
	}
	pc = calloc(1, sizeof(*pc));
	if (!pc) {
		helper_options_free(opts);
		helper_bus_reply_error(h, call, ERR_NOMEM, "out of memory");
		return;
	}
	pc->h = h;
	pc->opts = opts;
	r = helper_authz_connect(h, call, connect_admit, connect_authorised, pc,
	                        pending_connect_free_void);
	if (r < 0) {
		pending_connect_free(pc);
		helper_bus_reply_error(h, call, r, "%s", error_text(r));
		return;
	}
	h->pending_connects++;
	helper_update_idle(h);
}

static bool get_connections(void *object, DBusMessageIter *it)
{
	struct helper *h = object;
	DBusMessageIter arr;

	if (!dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "o", &arr))
		return false;
	for (struct helper_conn *c = h->conns; c; c = helper_conn_next(c)) {
		const char *path = helper_conn_path(c);

		if (!dbus_message_iter_append_basic(&arr, DBUS_TYPE_OBJECT_PATH, &path)) {
			dbus_message_iter_abandon_container(it, &arr);
			return false;
		}
	}
	return dbus_message_iter_close_container(it, &arr);
}

static bool get_version(void *object, DBusMessageIter *it)
{
	return helper_bus_append_string(it, PACKAGE_VERSION);
}

static const struct helper_bus_method manager_methods[] = {
    {"Connect", "a{sv}", method_connect},
    {NULL, NULL, NULL},
};

static const struct helper_bus_property manager_properties[] = {
    {"Connections", "ao", get_connections},
    {"Version", "s", get_version},
};

const struct helper_bus_interface helper_manager_interface = {
    HELPER_IFACE_MANAGER,
    manager_methods,
    manager_properties,
    sizeof(manager_properties) / sizeof(manager_properties[0]),
};

void helper_manager_flush(struct helper *h)
{
	if (!h->manager_dirty)
		return;
	h->manager_dirty = false;
	helper_bus_emit_changed(h, HELPER_PATH, &helper_manager_interface, h, 1);
}
