// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <glib.h>

#include "error.h"

static void test_names_round_trip(void)
{
	for (int i = 1; i < ERR_COUNT_; i++) {
		g_assert_cmpint(error_from_name(error_name(i)), ==, i);
		g_assert_cmpint(error_from_name(error_dbus_name(-i)), ==, i);
		g_assert_true(g_str_has_prefix(error_dbus_name(i), "org.sslvpn.Helper1.Error."));
		g_assert_cmpstr(error_text(i), !=, "");
		/* D-Bus error name elements: letters and digits only. */
		for (const char *p = error_name(i); *p; p++)
			g_assert_true(g_ascii_isalnum(*p));
		for (int j = 1; j < i; j++)
			g_assert_cmpstr(error_name(i), !=, error_name(j));
	}
}

static void test_unknown(void)
{
	g_assert_cmpint(error_from_name("org.sslvpn.Helper1.Error.NoSuchThing"), ==, ERR_INTERNAL);
	g_assert_cmpint(error_from_name(NULL), ==, ERR_INTERNAL);
	g_assert_cmpstr(error_name(100000), ==, "Internal");
	g_assert_cmpstr(error_name(-ERR_CERT_UNTRUSTED), ==, "CertUntrusted");
}

static void test_errno(void)
{
	g_assert_cmpint(error_from_errno(ENOMEM), ==, ERR_NOMEM);
	g_assert_cmpint(error_from_errno(ETIMEDOUT), ==, ERR_TIMEOUT);
	g_assert_cmpint(error_from_errno(ECONNREFUSED), ==, ERR_CONNECT);
	g_assert_cmpint(error_from_errno(EPERM), ==, ERR_ACCESS_DENIED);
	g_assert_cmpint(error_from_errno(EIO), ==, ERR_IO);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/error/names", test_names_round_trip);
	g_test_add_func("/error/unknown", test_unknown);
	g_test_add_func("/error/errno", test_errno);
	return g_test_run();
}
