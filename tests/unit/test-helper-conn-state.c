// SPDX-License-Identifier: GPL-2.0-or-later
/* The connection's state table (helper/helper-conn-state.c): the State property's values, which
 * states still hold a worker or network changes, when the connection counts as connected, and
 * when Connection.Start and a re-login are acceptable (docs/state-machines.md
 * "Helper connection"). */
#include <glib.h>

#include "helper-conn-state.h"

static void test_names(void)
{
	/* These strings are the D-Bus State values clients compare against. */
	g_assert_cmpstr(helper_conn_state_name(CONN_CONNECTING), ==, "connecting");
	g_assert_cmpstr(helper_conn_state_name(CONN_CONNECTED), ==, "connected");
	g_assert_cmpstr(helper_conn_state_name(CONN_RECONNECTING), ==, "reconnecting");
	g_assert_cmpstr(helper_conn_state_name(CONN_DISCONNECTING), ==, "disconnecting");
	g_assert_cmpstr(helper_conn_state_name(CONN_DISCONNECTED), ==, "disconnected");
	g_assert_cmpstr(helper_conn_state_name(CONN_FAILED), ==, "failed");
	g_assert_cmpstr(helper_conn_state_name((enum helper_conn_state)42), ==, "failed");
	g_assert_cmpstr(helper_conn_prepared_name(CONN_PREPARED_NONE), ==, "none");
	g_assert_cmpstr(helper_conn_prepared_name(CONN_PREPARED_WAITING), ==, "waiting");
	g_assert_cmpstr(helper_conn_prepared_name(CONN_PREPARED_STARTED), ==, "started");
}

static void test_active(void)
{
	g_assert_true(helper_conn_state_active(CONN_CONNECTING));
	g_assert_true(helper_conn_state_active(CONN_CONNECTED));
	g_assert_true(helper_conn_state_active(CONN_RECONNECTING));
	g_assert_true(helper_conn_state_active(CONN_DISCONNECTING));
	g_assert_false(helper_conn_state_active(CONN_DISCONNECTED));
	g_assert_false(helper_conn_state_active(CONN_FAILED));
}

static void test_ready(void)
{
	/* Both the worker's report and the configuration, in either order. */
	g_assert_true(helper_conn_state_ready(CONN_CONNECTING, true, true));
	g_assert_true(helper_conn_state_ready(CONN_RECONNECTING, true, true));
	g_assert_false(helper_conn_state_ready(CONN_CONNECTING, false, true));
	g_assert_false(helper_conn_state_ready(CONN_CONNECTING, true, false));
	g_assert_false(helper_conn_state_ready(CONN_RECONNECTING, false, true));
	/* Already there, or on the way out: no transition. */
	g_assert_false(helper_conn_state_ready(CONN_CONNECTED, true, true));
	g_assert_false(helper_conn_state_ready(CONN_DISCONNECTING, true, true));
	g_assert_false(helper_conn_state_ready(CONN_DISCONNECTED, true, true));
	g_assert_false(helper_conn_state_ready(CONN_FAILED, true, true));
}

static void test_may_start(void)
{
	/* Only a prepared connection still waiting, and only while connecting. */
	g_assert_true(helper_conn_state_may_start(CONN_CONNECTING, CONN_PREPARED_WAITING));
	g_assert_false(helper_conn_state_may_start(CONN_CONNECTING, CONN_PREPARED_NONE));
	g_assert_false(helper_conn_state_may_start(CONN_CONNECTING, CONN_PREPARED_STARTED));
	for (enum helper_conn_state s = CONN_CONNECTED; s <= CONN_FAILED; s++)
		g_assert_false(helper_conn_state_may_start(s, CONN_PREPARED_WAITING));
}

static void test_may_relogin(void)
{
	g_assert_true(helper_conn_state_may_relogin(CONN_CONNECTING));
	g_assert_true(helper_conn_state_may_relogin(CONN_CONNECTED));
	g_assert_true(helper_conn_state_may_relogin(CONN_RECONNECTING));
	g_assert_false(helper_conn_state_may_relogin(CONN_DISCONNECTING));
	g_assert_false(helper_conn_state_may_relogin(CONN_DISCONNECTED));
	g_assert_false(helper_conn_state_may_relogin(CONN_FAILED));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/helper-conn-state/names", test_names);
	g_test_add_func("/helper-conn-state/active", test_active);
	g_test_add_func("/helper-conn-state/ready", test_ready);
	g_test_add_func("/helper-conn-state/may-start", test_may_start);
	g_test_add_func("/helper-conn-state/may-relogin", test_may_relogin);
	return g_test_run();
}
