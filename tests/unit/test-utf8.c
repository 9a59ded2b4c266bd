// SPDX-License-Identifier: GPL-2.0-or-later
#include <glib.h>
#include <string.h>

#include "utf8.h"

#define V(s, p) utf8_valid(s, sizeof(s) - 1, p)

static void test_encoding(void)
{
	for (int p = UTF8_XML_TEXT; p <= UTF8_SINGLE_LINE; p++) {
		g_assert_true(V("", p));
		g_assert_true(V("plain ascii", p));
		g_assert_true(V("\xe8\xab\x8b\xe8\xbc\xb8\xe5\x85\xa5", p)); /* 請輸入 */
		g_assert_true(V("\xf0\x9f\x94\x92", p));                     /* U+1F512 */
		g_assert_false(V("\xc0\xaf", p));                             /* overlong '/' */
		g_assert_false(V("\xe0\x80\xaf", p));                         /* overlong */
		g_assert_false(V("\xed\xa0\x80", p));                         /* surrogate */
		g_assert_false(V("\xf4\x90\x80\x80", p));                     /* > U+10FFFF */
		g_assert_false(V("\xef\xbf\xbe", p));                         /* U+FFFE */
		g_assert_false(V("\x80", p));                                 /* lone continuation */
		g_assert_false(V("\xe8\xab", p));                             /* truncated */
		g_assert_false(V("a\0b", p));                                 /* NUL */
		g_assert_false(V("\x1b[2J", p));                              /* ESC */
	}
}

static void test_controls(void)
{
	g_assert_true(V("a\tb\nc\r", UTF8_XML_TEXT));
	g_assert_true(V("a\tb\nc\r", UTF8_DISPLAY_TEXT));
	g_assert_false(V("a\tb", UTF8_SINGLE_LINE));
	g_assert_false(V("a\nb", UTF8_SINGLE_LINE));
	g_assert_true(V("\x7f\xc2\x85", UTF8_XML_TEXT)); /* DEL and U+0085: XML carries them */
	g_assert_false(V("\x7f", UTF8_DISPLAY_TEXT));
	g_assert_false(V("\xc2\x9b", UTF8_DISPLAY_TEXT)); /* C1 CSI drives terminals */
	g_assert_false(V("\xc2\x85", UTF8_SINGLE_LINE));
	g_assert_true(V("\xc2\xa0", UTF8_SINGLE_LINE)); /* U+00A0 is not a control */
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/utf8/encoding", test_encoding);
	g_test_add_func("/utf8/controls", test_controls);
	return g_test_run();
}
