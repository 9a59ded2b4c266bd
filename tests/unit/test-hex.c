// SPDX-License-Identifier: GPL-2.0-or-later
#include <glib.h>
#include <string.h>

#include "digest.h"
#include "hex.h"

static void test_round_trip(void)
{
	const uint8_t bin[4] = {0x00, 0x9f, 0xa0, 0xff};
	uint8_t back[4];
	char text[9];

	hex_encode(bin, sizeof(bin), text, true);
	g_assert_cmpstr(text, ==, "009FA0FF");
	hex_encode(bin, sizeof(bin), text, false);
	g_assert_cmpstr(text, ==, "009fa0ff");
	g_assert_true(hex_decode("009Fa0fF", back, sizeof(back)));
	g_assert_cmpmem(back, sizeof(back), bin, sizeof(bin));
}

static void test_rejects(void)
{
	uint8_t b[2];

	g_assert_false(hex_decode("00f", b, 2));   /* short */
	g_assert_false(hex_decode("00ff0", b, 2)); /* long */
	g_assert_false(hex_decode("0g11", b, 2));  /* not hex */
	g_assert_false(hex_decode(" 011", b, 2));
	g_assert_cmpint(hex_digit('/'), ==, -1);
	g_assert_cmpint(hex_digit('G'), ==, -1);
	g_assert_cmpint(hex_digit('F'), ==, 15);
}

static void test_is_sha1(void)
{
	g_assert_true(hex_is_sha1("0123456789abcdefABCDEF0123456789abcdef01"));
	g_assert_false(hex_is_sha1(NULL));
	g_assert_false(hex_is_sha1(""));
	g_assert_false(hex_is_sha1("0123456789abcdefABCDEF0123456789abcdef0"));   /* 39 */
	g_assert_false(hex_is_sha1("0123456789abcdefABCDEF0123456789abcdef012")); /* 41 */
	g_assert_false(hex_is_sha1("0123456789abcdefABCDEF0123456789abcdef0g"));
	g_assert_false(hex_is_sha1("0123456789abcdefABCDEF0123456789abcdef0 "));
}

static void test_sha1(void)
{
	char out[41];

	/* FIPS 180 test vector "abc". */
	g_assert_cmpint(digest_sha1_hex("abc", 3, out), ==, 0);
	g_assert_cmpstr(out, ==, "A9993E364706816ABA3E25717850C26C9CD0D89D");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/hex/round-trip", test_round_trip);
	g_test_add_func("/hex/rejects", test_rejects);
	g_test_add_func("/hex/is-sha1", test_is_sha1);
	g_test_add_func("/hex/sha1", test_sha1);
	return g_test_run();
}
