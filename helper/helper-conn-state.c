// SPDX-License-Identifier: GPL-2.0-or-later
#include "helper-conn-state.h"

/* clang-format off */
static const char *const state_names[] = {
	[CONN_CONNECTING] = "connecting",
	[CONN_CONNECTED] = "connected",
	[CONN_RECONNECTING] = "reconnecting",
	[CONN_DISCONNECTING] = "disconnecting",
	[CONN_DISCONNECTED] = "disconnected",
	[CONN_FAILED] = "failed",
};

static const char *const prepared_names[] = {
	[CONN_PREPARED_NONE] = "none",
	[CONN_PREPARED_WAITING] = "waiting",
	[CONN_PREPARED_STARTED] = "started",
};
/* clang-format on */

const char *helper_conn_state_name(enum helper_conn_state s)
{
	return s <= CONN_FAILED ? state_names[s] : "failed";
}

const char *helper_conn_prepared_name(enum helper_conn_prepared p)
{
	return p <= CONN_PREPARED_STARTED ? prepared_names[p] : "none";
}

bool helper_conn_state_active(enum helper_conn_state s)
{
	return s != CONN_DISCONNECTED && s != CONN_FAILED;
}

bool helper_conn_state_ready(enum helper_conn_state s, bool worker_up, bool configured)
{
	return worker_up && configured && (s == CONN_CONNECTING || s == CONN_RECONNECTING);
}

bool helper_conn_state_may_start(enum helper_conn_state s, enum helper_conn_prepared p)
{
	return s == CONN_CONNECTING && p == CONN_PREPARED_WAITING;
}

bool helper_conn_state_may_relogin(enum helper_conn_state s)
{
	return s == CONN_CONNECTING || s == CONN_CONNECTED || s == CONN_RECONNECTING;
}
