// SPDX-License-Identifier: GPL-2.0-or-later
#include "helper-authz.h"

#include "helper-accounts.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "helper.h"
#include "log.h"

#define POLKIT_NAME                   "org.freedesktop.PolicyKit1"
#define POLKIT_PATH                   "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_IFACE                  "org.freedesktop.PolicyKit1.Authority"
#define POLKIT_ALLOW_USER_INTERACTION 1u
/* A polkit prompt waits for a person. */
#define POLKIT_TIMEOUT_MS (5 * 60 * 1000)
#define CREDS_TIMEOUT_MS  10000

struct auth_ctx {
	struct helper *h;
	DBusMessage *call;
	bool connect; /* Connect's rules, else identify only */
	helper_authz_admit_fn admit;
	helper_authz_fn fn;
	void *data;
	void (*data_free)(void *);
	uid_t uid;
	bool has_groups;
	bool in_netdev;
};

static void auth_ctx_free(void *p)
{
	struct auth_ctx *ctx = p;

	if (!ctx)
		return;
	if (ctx->data && ctx->data_free)
		ctx->data_free(ctx->data);
	dbus_message_unref(ctx->call);
	free(ctx);
}

static void finish(struct auth_ctx *ctx, int result)
{
	void *data = ctx->data;

	/* From here the callback owns data. */
	ctx->data = NULL;
	ctx->fn(ctx->h, ctx->call, result, ctx->uid, data);
}

static int send_async(struct auth_ctx *ctx, DBusMessage *m, int timeout_ms,
                      DBusPendingCallNotifyFunction notify)
{
	DBusPendingCall *pending = NULL;

	if (!ctx->h->bus ||
	    !dbus_connection_send_with_reply(ctx->h->bus, m, &pending, timeout_ms) || !pending)
		return -ERR_NOMEM;
	if (!dbus_pending_call_set_notify(pending, notify, ctx, auth_ctx_free)) {
		dbus_pending_call_cancel(pending);
		dbus_pending_call_unref(pending);
		return -ERR_NOMEM;
	}
	/* The bus keeps the pending call alive until it completes. */
	dbus_pending_call_unref(pending);
	return 0;
}

static bool parse_credentials(DBusMessage *reply, struct auth_ctx *ctx)
{
	DBusMessageIter it, dict;
	gid_t netdev = (gid_t)-1;
	bool has_netdev, has_uid = false;

	if (!dbus_message_has_signature(reply, "a{sv}"))
		return false;
	has_netdev = helper_accounts_group(HELPER_NETDEV_GROUP, &netdev) == 0;
	dbus_message_iter_init(reply, &it);
	dbus_message_iter_recurse(&it, &dict);
	for (; dbus_message_iter_get_arg_type(&dict) == DBUS_TYPE_DICT_ENTRY;
	     dbus_message_iter_next(&dict)) {
		DBusMessageIter entry, var;
		const char *key;

		dbus_message_iter_recurse(&dict, &entry);
		dbus_message_iter_get_basic(&entry, &key);
		dbus_message_iter_next(&entry);
		dbus_message_iter_recurse(&entry, &var);
		if (strcmp(key, "UnixUserID") == 0 &&
		    dbus_message_iter_get_arg_type(&var) == DBUS_TYPE_UINT32) {
			dbus_uint32_t u;

			dbus_message_iter_get_basic(&var, &u);
			ctx->uid = (uid_t)u;
			has_uid = true;
		} else if (strcmp(key, "UnixGroupIDs") == 0 &&
		           dbus_message_iter_get_arg_type(&var) == DBUS_TYPE_ARRAY &&
		           dbus_message_iter_get_element_type(&var) == DBUS_TYPE_UINT32) {
			DBusMessageIter arr;
			const dbus_uint32_t *gids;
			int n = 0;

			dbus_message_iter_recurse(&var, &arr);
			dbus_message_iter_get_fixed_array(&arr, &gids, &n);
			ctx->has_groups = true;
			for (int i = 0; i < n; i++)
				if (has_netdev && (gid_t)gids[i] == netdev)
					ctx->in_netdev = true;
		}
	}
	return has_uid;
}

static void polkit_reply(DBusPendingCall *pending, void *p)
{
	struct auth_ctx *ctx = p;
	DBusMessage *reply = dbus_pending_call_steal_reply(pending);
	int result = -ERR_ACCESS_DENIED;

	if (!reply) {
		finish(ctx, -ERR_INTERNAL);
		return;
	}
	if (dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_ERROR) {
		const char *name = dbus_message_get_error_name(reply);

		if (strcmp(name, DBUS_ERROR_SERVICE_UNKNOWN) == 0 ||
		    strcmp(name, DBUS_ERROR_NAME_HAS_NO_OWNER) == 0) {
			/* No polkit on this bus: the group decides. */
			if (ctx->in_netdev)
				result = 0;
			else if (!ctx->has_groups)
				log_warning("the bus did not report uid %u's groups; denied",
				            (unsigned)ctx->uid);
		} else {
			log_warning("polkit check for uid %u failed: %s", (unsigned)ctx->uid, name);
		}
	} else {
		DBusMessageIter it, st;
		dbus_bool_t authorized = FALSE;

		if (dbus_message_has_signature(reply, "(bba{ss})")) {
			dbus_message_iter_init(reply, &it);
			dbus_message_iter_recurse(&it, &st);
			dbus_message_iter_get_basic(&st, &authorized);
		}
		result = authorized ? 0 : -ERR_ACCESS_DENIED;
	}
	log_info("uid %u %s to connect", (unsigned)ctx->uid, result == 0 ? "allowed" : "denied");
	dbus_message_unref(reply);
	finish(ctx, result);
}

static int ask_polkit(struct auth_ctx *ctx)
{
	DBusMessage *m = dbus_message_new_method_call(POLKIT_NAME, POLKIT_PATH, POLKIT_IFACE,
	                                              "CheckAuthorization");
	const char *kind = "system-bus-name", *key = "name", *action = HELPER_POLKIT_ACTION;
	const char *sender = dbus_message_get_sender(ctx->call), *cancel = "";
	dbus_uint32_t flags = POLKIT_ALLOW_USER_INTERACTION;
	DBusMessageIter it, subject, dict, entry, var, details;
	bool ok;
	int r;

	if (!m)
		return -ERR_NOMEM;
	/* A polkit that is not running is not started for us: its absence is the answer. */
	dbus_message_set_auto_start(m, FALSE);
	dbus_message_iter_init_append(m, &it);
	ok = dbus_message_iter_open_container(&it, DBUS_TYPE_STRUCT, NULL, &subject) &&
	     dbus_message_iter_append_basic(&subject, DBUS_TYPE_STRING, &kind) &&
	     dbus_message_iter_open_container(&subject, DBUS_TYPE_ARRAY, "{sv}", &dict) &&
	     dbus_message_iter_open_container(&dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry) &&
	     dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &key) &&
	     dbus_message_iter_open_container(&entry, DBUS_TYPE_VARIANT, "s", &var) &&
	     dbus_message_iter_append_basic(&var, DBUS_TYPE_STRING, &sender) &&
	     dbus_message_iter_close_container(&entry, &var) &&
	     dbus_message_iter_close_container(&dict, &entry) &&
	     dbus_message_iter_close_container(&subject, &dict) &&
	     dbus_message_iter_close_container(&it, &subject) &&
	     dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &action) &&
	     dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{ss}", &details) &&
	     dbus_message_iter_close_container(&it, &details) &&
	     dbus_message_iter_append_basic(&it, DBUS_TYPE_UINT32, &flags) &&
	     dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &cancel);
	r = ok ? send_async(ctx, m, POLKIT_TIMEOUT_MS, polkit_reply) : -ERR_NOMEM;
	dbus_message_unref(m);
	return r;
}

static void creds_reply(DBusPendingCall *pending, void *p)
{
	struct auth_ctx *ctx = p;
	DBusMessage *reply = dbus_pending_call_steal_reply(pending);
	bool ok = reply && dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_METHOD_RETURN &&
	          parse_credentials(reply, ctx);
	struct auth_ctx *next;
	int r;

	if (reply)
		dbus_message_unref(reply);
	if (!ok) {
		log_warning("could not find out who %s is", dbus_message_get_sender(ctx->call));
		ctx->uid = (uid_t)-1;
		finish(ctx, -ERR_ACCESS_DENIED);
		return;
	}
	if (ctx->connect && ctx->admit && (r = ctx->admit(ctx->h, ctx->uid, ctx->data)) < 0) {
		finish(ctx, r);
		return;
	}
	if (!ctx->connect || ctx->uid == 0) {
		finish(ctx, 0);
		return;
	}
	/* The polkit step needs its own context: this one is freed with its pending call. */
	next = calloc(1, sizeof(*next));
	if (!next) {
		finish(ctx, -ERR_NOMEM);
		return;
	}
	*next = *ctx;
	dbus_message_ref(next->call);
	ctx->data = NULL;
	r = ask_polkit(next);
	if (r < 0) {
		ctx->data = steal_ptr(&next->data);
		auth_ctx_free(next);
		finish(ctx, r);
	}
}

static int start(struct helper *h, DBusMessage *call, bool connect, helper_authz_admit_fn admit,
                 helper_authz_fn fn, void *data, void (*data_free)(void *))
{
	const char *sender = dbus_message_get_sender(call);
	struct auth_ctx *ctx;
	DBusMessage *m;
	int r;

	if (!sender)
		return -ERR_ACCESS_DENIED;
	m = dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS, DBUS_INTERFACE_DBUS,
	                                 "GetConnectionCredentials");
	ctx = calloc(1, sizeof(*ctx));
	if (!m || !ctx ||
	    !dbus_message_append_args(m, DBUS_TYPE_STRING, &sender, DBUS_TYPE_INVALID)) {
		if (m)
			dbus_message_unref(m);
		free(ctx);
		return -ERR_NOMEM;
	}
	ctx->h = h;
	ctx->call = dbus_message_ref(call);
	ctx->connect = connect;
	ctx->admit = admit;
	ctx->fn = fn;
	ctx->data = data;
	ctx->data_free = data_free;
	ctx->uid = (uid_t)-1;
	r = send_async(ctx, m, CREDS_TIMEOUT_MS, creds_reply);
	dbus_message_unref(m);
	if (r < 0) {
		/* The caller keeps data on failure. */
		ctx->data = NULL;
		auth_ctx_free(ctx);
	}
	return r;
}

int helper_authz_identify(struct helper *h, DBusMessage *call, helper_authz_fn fn, void *data,
                         void (*data_free)(void *))
{
	return start(h, call, false, NULL, fn, data, data_free);
}

int helper_authz_connect(struct helper *h, DBusMessage *call, helper_authz_admit_fn admit,
                        helper_authz_fn fn, void *data, void (*data_free)(void *))
{
	return start(h, call, true, admit, fn, data, data_free);
}
