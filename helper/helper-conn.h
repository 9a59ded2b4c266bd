/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * One tunnel: the object /org/sslvpn/Helper1/connection/N (org.sslvpn.Helper1.Connection),
 * its tun device, its worker process, what it changed in the system, and its state machine
 * (one enum, one helper_conn_enter_state()): docs/state-machines.md "Helper connection".
 * Its parts and their files: helper-conn-priv.h.
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "helper-bus.h"
#include "helper-conn-state.h"
#include "helper-options.h"
#include "helper.h"

extern const struct helper_bus_interface helper_conn_interface;

/* Creates the object (state connecting), announces it, and starts the tunnel: tun device,
 * worker, WMSG_START.  Takes opts.  Failures to start show up as state failed with LastError,
 * not as an error here; NULL only on ENOMEM or when the object limit is reached. */
struct helper_conn *helper_conn_start(struct helper *h, struct helper_options *opts, uid_t owner);

struct helper_conn *helper_conn_find(struct helper *h, const char *path);
const char *helper_conn_path(const struct helper_conn *c);
struct helper_conn *helper_conn_next(const struct helper_conn *c);
/* Not disconnected or failed (it may hold network configuration or a worker). */
bool helper_conn_active(const struct helper_conn *c);
unsigned helper_conn_count(const struct helper *h, bool active_only);

/* Disconnect on behalf of the owner, or everything at SIGTERM. */
void helper_conn_disconnect(struct helper_conn *c);
void helper_conn_stop_all(struct helper *h);

/* A child exited (from the SIGCHLD handler). */
void helper_conn_child_exited(struct helper *h, pid_t pid, int status);
/* An agent went away (unregistered or left the bus): connections waiting for it fail. */
void helper_conn_agent_gone(struct helper *h, const struct helper_agent *agent);

/* Emits the PropertiesChanged signals due; called by the loop before it sleeps. */
void helper_conn_flush(struct helper *h);
/* Frees every object (at exit, after helper_conn_stop_all() finished). */
void helper_conn_free_all(struct helper *h);
