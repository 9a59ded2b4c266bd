// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>

#include "error.h"
#include "helper-authz.h"
#include "helper-conn-priv.h"
#include "helper-options.h"
#include "log.h"

struct owner_call {
	void (*fn)(struct helper *h, DBusMessage *call, struct helper_conn *c);
	char path[64];
};

static void owner_identified(struct helper *h, DBusMessage *call, int result, uid_t uid, void *data)
{
	_cleanup_free_ struct owner_call *oc = data;
	/* The object may have gone while the bus answered. */
	struct helper_conn *c = helper_conn_find(h, oc->path);

	if (result < 0) {
		helper_bus_reply_error(h, call, ERR_ACCESS_DENIED, "could not identify the caller");
		return;
	}
	if (!c) {
		helper_bus_reply_error(h, call, ERR_NOT_FOUND, "no such connection");
		return;
	}
	if (uid != 0 && uid != c->owner) {
		log_info("uid %u denied %s on connection %u", (unsigned)uid,
		         dbus_message_get_member(call), c->id);
		helper_bus_reply_error(h, call, ERR_ACCESS_DENIED,
		                       "only the connection's owner or root may do this");
		return;
	}
	oc->fn(h, call, c);
}

static void owner_only(struct helper *h, DBusMessage *call, struct helper_conn *c,
                       void (*fn)(struct helper *, DBusMessage *, struct helper_conn *))
{
	struct owner_call *oc = calloc(1, sizeof(*oc));
	int r;

	if (!oc) {
		helper_bus_reply_error(h, call, ERR_NOMEM, "out of memory");
		return;
	}
	oc->fn = fn;
	snprintf(oc->path, sizeof(oc->path), "%s", c->path);
	r = helper_authz_identify(h, call, owner_identified, oc, free);
	if (r < 0) {
		free(oc);
		helper_bus_reply_error(h, call, r, "%s", error_text(r));
	}
}

static void do_disconnect(struct helper *h, DBusMessage *call, struct helper_conn *c)
{
	if (!helper_conn_active(c)) {
		helper_bus_reply_error(h, call, ERR_NOT_FOUND, "the connection has already ended");
		return;
	}
	log_notice("connection %u: disconnect requested by %s", c->id,
	           dbus_message_get_sender(call));
	helper_conn_disconnect(c);
	helper_bus_reply_empty(h, call);
}

static void do_get_post_auth_xml(struct helper *h, DBusMessage *call, struct helper_conn *c)
{
	DBusMessage *reply = dbus_message_new_method_return(call);
	const uint8_t *data = c->post_auth_xml ? c->post_auth_xml : (const uint8_t *)"";
	DBusMessageIter it, arr;

	if (reply) {
		dbus_message_iter_init_append(reply, &it);
		if (!dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "y", &arr) ||
		    !dbus_message_iter_append_fixed_array(&arr, DBUS_TYPE_BYTE, &data,
		                                          (int)c->post_auth_xml_len) ||
		    !dbus_message_iter_close_container(&it, &arr)) {
			dbus_message_unref(reply);
			reply = NULL;
		}
	}
	helper_bus_send_reply(h, call, reply);
}

/* The login's result for a prepared connection. */
static void do_start(struct helper *h, DBusMessage *call, struct helper_conn *c)
{
	_cleanup_(secret_freep) struct secret *cookie = NULL;
	_cleanup_free_ char *pin = NULL;
	DBusMessageIter it;
	char err[256];
	int r;

	dbus_message_iter_init(call, &it);
	r = helper_options_parse_relogin(&it, &cookie, &pin, err, sizeof(err));
	if (r == 0 && !pin) {
		r = -ERR_INVALID_ARGS;
		snprintf(err, sizeof(err), "missing required option 'ServerCertPin'");
	}
	if (r < 0) {
		helper_bus_reply_error(h, call, r, "%s", err[0] ? err : error_text(r));
		return;
	}
	r = helper_conn_start_prepared(c, cookie, &pin);
	if (r == -ERR_BUSY) {
		helper_bus_reply_error(h, call, ERR_BUSY,
		                       helper_conn_active(c)
		                           ? "the connection is not a prepared one, "
		                             "or was started already"
		                           : "the connection has ended");
		return;
	}
	if (r == -ERR_NOMEM) {
		helper_bus_reply_error(h, call, ERR_NOMEM, "out of memory");
		return;
	}
	if (r < 0) {
		helper_bus_reply_error(h, call, ERR_WORKER_CRASHED, "the worker is gone");
		return;
	}
	log_notice("connection %u: started by %s", c->id, dbus_message_get_sender(call));
	helper_bus_reply_empty(h, call);
}

static void method_start(struct helper *h, DBusMessage *call, void *object)
{
	owner_only(h, call, object, do_start);
}

static void method_disconnect(struct helper *h, DBusMessage *call, void *object)
{
	owner_only(h, call, object, do_disconnect);
}

static void method_get_post_auth_xml(struct helper *h, DBusMessage *call, void *object)
{
	owner_only(h, call, object, do_get_post_auth_xml);
}

const struct helper_bus_method helper_conn_methods_table[] = {
    {"Start", "a{sv}", method_start},
    {"Disconnect", "", method_disconnect},
    {"GetPostAuthXml", "", method_get_post_auth_xml},
    {NULL, NULL, NULL},
};

const struct helper_bus_interface helper_conn_interface = {
    HELPER_IFACE_CONNECTION,
    helper_conn_methods_table,
    helper_conn_props_table,
    HELPER_CONN_PROP_COUNT_,
};
