/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The connection's state machine without the connection: the states, their public names (the
 * State property), and the rules the enter-state function and the methods apply
 * (docs/state-machines.md "Helper connection").  Pure, so unit tests can check the table.
 */
#include <stdbool.h>

enum helper_conn_state {
	CONN_CONNECTING,
	CONN_CONNECTED,
	CONN_RECONNECTING,
	CONN_DISCONNECTING,
	CONN_DISCONNECTED,
	CONN_FAILED,
};

/* Only meaningful while connecting: whether the login had finished when Connect came.  A
 * prepared connection waits for Connection.Start to bring the cookie and pin. */
enum helper_conn_prepared {
	CONN_PREPARED_NONE,    /* Connect brought the cookie: nothing to wait for */
	CONN_PREPARED_WAITING, /* no cookie yet: Start is due within the prepared timeout */
	CONN_PREPARED_STARTED, /* Start delivered the cookie and pin to the worker */
};

/* The State property's value; "failed" for anything out of range. */
const char *helper_conn_state_name(enum helper_conn_state s);
const char *helper_conn_prepared_name(enum helper_conn_prepared p);

/* Not disconnected or failed: it may hold network configuration or a worker. */
bool helper_conn_state_active(enum helper_conn_state s);

/* Whether the worker's report and the applied configuration together make the connection
 * connected now (both are needed, in either order). */
bool helper_conn_state_ready(enum helper_conn_state s, bool worker_up, bool configured);

/* Whether Connection.Start is acceptable now. */
bool helper_conn_state_may_start(enum helper_conn_state s, enum helper_conn_prepared p);

/* Whether a COOKIE_REJECTED from the worker leads to a re-login in this state. */
bool helper_conn_state_may_relogin(enum helper_conn_state s);
