/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * org.sslvpn.Helper1.AgentManager: clients (the CLI, the GUI) register an object implementing
 * org.sslvpn.Helper1.Agent; when a gateway rejects a connection's cookie the helper asks the
 * newest agent of the connection's owner uid for a new one (helper-conn-relogin.c makes the call).
 * An agent is identified by its unique bus name and path, and forgotten when it unregisters or
 * its bus connection goes away.  Only callers that may connect (helper_authz_connect) register
 * one, at most HELPER_MAX_AGENTS_PER_UID per uid.
 */
#include <stdbool.h>
#include <sys/types.h>

#include "helper-bus.h"

#define HELPER_MAX_AGENTS         64
#define HELPER_MAX_AGENTS_PER_UID 4

struct helper;

struct helper_agent {
	struct helper_agent *next;
	char *sender; /* unique name */
	char *path;
	uid_t uid;
};

extern const struct helper_bus_interface helper_agent_manager_interface;

/* The newest agent of uid, or NULL. */
const struct helper_agent *helper_agent_for_uid(struct helper *h, uid_t uid);
/* A unique name left the bus: its agents go. */
void helper_agent_name_vanished(struct helper *h, const char *name);
void helper_agent_free_all(struct helper *h);
