// SPDX-License-Identifier: GPL-2.0-or-later
/* Base64 as pins use it: RFC 4648's vectors both ways, and one spelling per value. */
#include <glib.h>
#include <string.h>

#include "base64.h"

static const struct {
	const char *plain, *encoded;
} vectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

static void test_vectors(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(vectors); i++) {
		size_t n = strlen(vectors[i].plain);
		char enc[16];
		uint8_t dec[8] = {0};

		base64_encode((const uint8_t *)vectors[i].plain, n, enc);
		g_assert_cmpstr(enc, ==, vectors[i].encoded);
		g_assert_true(base64_decode_exact(vectors[i].encoded, dec, n));
		g_assert_cmpmem(dec, n, vectors[i].plain, n);
	}
}

static void test_strict(void)
{
	uint8_t out[6];

	g_assert_false(base64_decode_exact("Zh==", out, 1)); /* unused bits set */
	g_assert_false(base64_decode_exact("Zm9=", out, 2)); /* unused bits set */
	g_assert_false(base64_decode_exact("Zg", out, 1));   /* padding missing */
	g_assert_false(base64_decode_exact("Zg=", out, 1));
	g_assert_false(base64_decode_exact("Zg===", out, 1));  /* too long */
	g_assert_false(base64_decode_exact("Zg==\n", out, 1)); /* nothing after it */
	g_assert_false(base64_decode_exact("Z-==", out, 1));   /* URL-safe alphabet */
	g_assert_false(base64_decode_exact("Zm9v", out, 2));   /* a third byte */
	g_assert_false(base64_decode_exact("Zm=v", out, 2));   /* padding in the middle */
	g_assert_false(base64_decode_exact("Zm9vYmFy", out, 5));
	g_assert_true(base64_decode_exact("Zm9vYmFy", out, 6));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/base64/vectors", test_vectors);
	g_test_add_func("/base64/strict", test_strict);
	return g_test_run();
}
