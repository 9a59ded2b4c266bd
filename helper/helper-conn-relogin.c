// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "helper-agent.h"
#include "helper-conn-priv.h"
#include "log.h"

#define RELOGIN_TIMEOUT_MS (5 * 60 * 1000)
#define REASON_COOKIE      "CookieRejected"

void helper_conn_relogin_cancel(struct helper_conn *c, bool tell_agent)
{
	struct helper_conn_relogin *rl = &c->relogin;

	if (rl->pending) {
		dbus_pending_call_cancel(rl->pending);
		dbus_pending_call_unref(rl->pending);
		rl->pending = NULL;
		if (tell_agent && c->h->bus) {
			DBusMessage *m = dbus_message_new_method_call(
			    rl->agent_sender, rl->agent_path, HELPER_IFACE_AGENT, "Cancel");
			const char *path = c->path;

			if (m && dbus_message_append_args(m, DBUS_TYPE_OBJECT_PATH, &path,
			                                  DBUS_TYPE_INVALID)) {
				dbus_message_set_no_reply(m, TRUE);
				dbus_connection_send(c->h->bus, m, NULL);
			}
			if (m)
				dbus_message_unref(m);
		}
	}
	free(rl->agent_sender);
	free(rl->agent_path);
	rl->agent_sender = rl->agent_path = NULL;
}

static void relogin_reply(DBusPendingCall *pending, void *data)
{
	struct helper_conn *c = data;
	DBusMessage *reply = dbus_pending_call_steal_reply(pending);
	_cleanup_(secret_freep) struct secret *cookie = NULL;
	_cleanup_free_ char *pin = NULL;
	_cleanup_(worker_msg_freep) struct worker_msg *m = NULL;
	DBusMessageIter it;
	char err[256];
	int r;

	dbus_pending_call_unref(c->relogin.pending);
	c->relogin.pending = NULL;
	helper_conn_relogin_cancel(c, false);
	if (!reply) {
		helper_conn_fail(c, ERR_COOKIE_REJECTED);
		return;
	}
	if (dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_ERROR) {
		log_warning("connection %u: the agent gave no new cookie (%s)", c->id,
		            dbus_message_get_error_name(reply));
		dbus_message_unref(reply);
		helper_conn_fail(c, ERR_COOKIE_REJECTED);
		return;
	}
	r = -ERR_INVALID_ARGS;
	snprintf(err, sizeof(err), "result must be a{sv}");
	if (dbus_message_has_signature(reply, "a{sv}")) {
		dbus_message_iter_init(reply, &it);
		r = helper_options_parse_relogin(&it, &cookie, &pin, err, sizeof(err));
	}
	dbus_message_unref(reply);
	if (r < 0) {
		log_warning("connection %u: the agent's answer is unusable: %s", c->id, err);
		helper_conn_fail(c, ERR_COOKIE_REJECTED);
		return;
	}
	m = worker_msg_new(WMSG_SET_COOKIE);
	if (!m || worker_msg_put_str(m, WATTR_COOKIE, secret_str(cookie)) < 0) {
		helper_conn_fail(c, ERR_NOMEM);
		return;
	}
	if (pin && (!c->opts->pin || strcmp(pin, c->opts->pin) != 0)) {
		/* The user accepted a new certificate during the re-login. */
		if (worker_msg_put_str(m, WATTR_PIN, pin) < 0) {
			log_error("connection %u: the worker cannot take a new server certificate "
			          "pin without a restart",
			          c->id);
			helper_conn_fail(c, ERR_CERT_PIN_MISMATCH);
			return;
		}
		free(c->opts->pin);
		c->opts->pin = steal_ptr(&pin);
	}
	if (helper_conn_worker_send(c, m, NULL, 0) < 0) {
		helper_conn_fail(c, ERR_WORKER_CRASHED);
		return;
	}
	log_notice("connection %u: new cookie from the agent handed to the worker", c->id);
}

void helper_conn_relogin_start(struct helper_conn *c)
{
	const struct helper_agent *a = helper_agent_for_uid(c->h, c->owner);
	const char *path = c->path, *gateway = c->opts->gateway, *reason = REASON_COOKIE;
	DBusPendingCall *pending = NULL;
	DBusMessage *m;

	if (c->relogin.pending)
		return;
	if (!a || !c->h->bus) {
		log_error("connection %u: the gateway rejected the cookie and uid %u has no agent "
		          "to log in again",
		          c->id, (unsigned)c->owner);
		helper_conn_fail(c, ERR_COOKIE_REJECTED);
		return;
	}
	m = dbus_message_new_method_call(a->sender, a->path, HELPER_IFACE_AGENT, "Relogin");
	if (!m ||
	    !dbus_message_append_args(m, DBUS_TYPE_OBJECT_PATH, &path, DBUS_TYPE_STRING, &gateway,
	                              DBUS_TYPE_STRING, &reason, DBUS_TYPE_INVALID) ||
	    !dbus_connection_send_with_reply(c->h->bus, m, &pending, RELOGIN_TIMEOUT_MS) ||
	    !pending || !dbus_pending_call_set_notify(pending, relogin_reply, c, NULL)) {
		if (pending) {
			dbus_pending_call_cancel(pending);
			dbus_pending_call_unref(pending);
		}
		if (m)
			dbus_message_unref(m);
		helper_conn_fail(c, ERR_NOMEM);
		return;
	}
	dbus_message_unref(m);
	c->relogin.pending = pending;
	c->relogin.agent_sender = strdup(a->sender);
	c->relogin.agent_path = strdup(a->path);
	if (!c->relogin.agent_sender || !c->relogin.agent_path) {
		helper_conn_relogin_cancel(c, false);
		helper_conn_fail(c, ERR_NOMEM);
		return;
	}
	log_notice("connection %u: asking the agent %s of uid %u for a new cookie", c->id,
	           a->sender, (unsigned)c->owner);
}

bool helper_conn_relogin_waits_for(const struct helper_conn *c, const struct helper_agent *agent)
{
	return c->relogin.pending && strcmp(c->relogin.agent_sender, agent->sender) == 0 &&
	       strcmp(c->relogin.agent_path, agent->path) == 0;
}
