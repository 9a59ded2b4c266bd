// SPDX-License-Identifier: GPL-2.0-or-later
#include <glib.h>
#include <string.h>

#include "secret.h"

static void test_basic(void)
{
	_cleanup_(secret_freep) struct secret *a = secret_new_str("hunter2");
	_cleanup_(secret_freep) struct secret *b = secret_dup(a);
	_cleanup_(secret_freep) struct secret *c = secret_new("hunter3", 7);
	_cleanup_(secret_freep) struct secret *bin = secret_new("a\0b", 3);

	g_assert_cmpstr(secret_str(a), ==, "hunter2");
	g_assert_cmpuint(secret_len(a), ==, 7);
	g_assert_true(secret_equal(a, b));
	g_assert_false(secret_equal(a, c));
	g_assert_cmpuint(secret_len(bin), ==, 3);
	g_assert_cmpint(secret_str(bin)[3], ==, '\0');
	g_assert_null(secret_new_str(NULL));
	g_assert_null(secret_str(NULL));
	g_assert_cmpuint(secret_len(NULL), ==, 0);
}

static void test_wipe(void)
{
	char buf[16] = "password123";

	secret_wipe(buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		g_assert_cmpint(buf[i], ==, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/secret/basic", test_basic);
	g_test_add_func("/secret/wipe", test_wipe);
	return g_test_run();
}
