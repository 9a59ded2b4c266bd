// SPDX-License-Identifier: GPL-2.0-or-later
#include "helper-agent.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "helper-authz.h"
#include "helper-conn.h"
#include "helper.h"
#include "log.h"

static void agent_free(struct helper_agent *a)
{
	free(a->sender);
	free(a->path);
	free(a);
}

const struct helper_agent *helper_agent_for_uid(struct helper *h, uid_t uid)
{
	for (struct helper_agent *a = h->agents; a; a = a->next)
		if (a->uid == uid)
			return a;
	return NULL;
}

/* Unlinks and frees every agent matching sender (and path, unless NULL); returns how many. */
static unsigned remove_agents(struct helper *h, const char *sender, const char *path)
{
	unsigned n = 0;

	for (struct helper_agent **p = &h->agents; *p;) {
		struct helper_agent *a = *p;

		if (strcmp(a->sender, sender) == 0 && (!path || strcmp(a->path, path) == 0)) {
			*p = a->next;
			h->n_agents--;
			log_info("agent %s %s of uid %u removed", a->sender, a->path,
			         (unsigned)a->uid);
			helper_conn_agent_gone(h, a);
			agent_free(a);
			n++;
		} else {
			p = &a->next;
		}
	}
	return n;
}

void helper_agent_name_vanished(struct helper *h, const char *name)
{
	remove_agents(h, name, NULL);
}

void helper_agent_free_all(struct helper *h)
{
	while (h->agents) {
		struct helper_agent *a = h->agents;

		h->agents = a->next;
		agent_free(a);
	}
	h->n_agents = 0;
}

static void register_identified(struct helper *h, DBusMessage *call, int result, uid_t uid,
                                void *data)
{
	const char *sender = dbus_message_get_sender(call);
	char *path = data;
	struct helper_agent *a;
	unsigned per_uid = 0;

	if (result < 0) {
		helper_bus_reply_error(h, call, ERR_ACCESS_DENIED,
		                       "not allowed to register an agent");
		free(path);
		return;
	}
	for (a = h->agents; a; a = a->next) {
		if (strcmp(a->sender, sender) == 0 && strcmp(a->path, path) == 0) {
			helper_bus_reply_error(h, call, ERR_BUSY,
			                       "this agent is already registered");
			free(path);
			return;
		}
		if (a->uid == uid)
			per_uid++;
	}
	/* Per uid, not per sender: bus connections are free to open, a uid is not. */
	if (h->n_agents >= HELPER_MAX_AGENTS || per_uid >= HELPER_MAX_AGENTS_PER_UID) {
		helper_bus_reply_error(h, call, ERR_BUSY, "too many agents");
		free(path);
		return;
	}
	a = calloc(1, sizeof(*a));
	if (!a || !(a->sender = strdup(sender))) {
		free(a);
		free(path);
		helper_bus_reply_error(h, call, ERR_NOMEM, "out of memory");
		return;
	}
	a->path = path;
	a->uid = uid;
	/* Newest first: the most recently registered agent of a uid is asked first. */
	a->next = h->agents;
	h->agents = a;
	h->n_agents++;
	log_info("agent %s %s registered for uid %u", a->sender, a->path, (unsigned)uid);
	helper_bus_reply_empty(h, call);
}

static void method_register(struct helper *h, DBusMessage *call, void *object)
{
	const char *path = NULL;
	char *copy;
	int r;

	dbus_message_get_args(call, NULL, DBUS_TYPE_OBJECT_PATH, &path, DBUS_TYPE_INVALID);
	if (!path || strlen(path) > 255) {
		helper_bus_reply_error(h, call, ERR_INVALID_ARGS, "agent path too long");
		return;
	}
	copy = strdup(path);
	if (!copy) {
		helper_bus_reply_error(h, call, ERR_NOMEM, "out of memory");
		return;
	}
	/* An agent only ever serves its uid's connections: whoever may not connect has no use
	 * for one, and must not take places in the table. */
	r = helper_authz_connect(h, call, NULL, register_identified, copy, free);
	if (r < 0) {
		free(copy);
		helper_bus_reply_error(h, call, -r, "%s", error_text(r));
	}
}

static void method_unregister(struct helper *h, DBusMessage *call, void *object)
{
	const char *path = NULL;

	dbus_message_get_args(call, NULL, DBUS_TYPE_OBJECT_PATH, &path, DBUS_TYPE_INVALID);
	/* The unique name identifies the caller: only its own agents can match. */
	if (!path || remove_agents(h, dbus_message_get_sender(call), path) == 0) {
		helper_bus_reply_error(h, call, ERR_NOT_FOUND, "no such agent of yours");
		return;
	}
	helper_bus_reply_empty(h, call);
}

static const struct helper_bus_method agent_manager_methods[] = {
    {"RegisterAgent", "o", method_register},
    {"UnregisterAgent", "o", method_unregister},
    {NULL, NULL, NULL},
};

const struct helper_bus_interface helper_agent_manager_interface = {
    HELPER_IFACE_AGENT_MGR,
    agent_manager_methods,
    NULL,
    0,
};
