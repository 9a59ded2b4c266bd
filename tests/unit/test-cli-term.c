// SPDX-License-Identifier: GPL-2.0-or-later
/* The CLI's terminal filter (cli/cli-term.c): whatever a gateway wrote reaches the terminal
 * without anything a terminal would obey. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli-term.h"

static char *filtered(const char *indent, const char *text, bool inline_text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	g_assert_nonnull(f);
	if (inline_text)
		cli_term_put_safe(f, text);
	else
		cli_term_print_safe(f, indent, text);
	g_assert_cmpint(fclose(f), ==, 0);
	return buf;
}

static void expect(const char *text, const char *want)
{
	g_autofree char *got = filtered(NULL, text, false);

	g_assert_cmpstr(got, ==, want);
}

static void test_controls(void)
{
	expect("a\x1b[31mb", "a?[31mb\n");
	expect("bell\a", "bell?\n");
	expect("over\rwrite", "over?write\n");
	expect("del\x7f", "del?\n");
	/* C1 as UTF-8: U+009B CSI, U+0085 NEL, U+009D OSC; one '?' per character. */
	expect("x\xc2\x9b" "2J", "x?2J\n");
	expect("x\xc2\x85y\xc2\x9d" "0;t", "x?y?0;t\n");
	/* The same bytes alone are not UTF-8, and an 8-bit terminal reads 0x9b as CSI. */
	expect("x\x9b" "2J", "x?2J\n");
	expect("cut\xe2\x82", "cut??\n");
	expect("overlong\xc0\xaf", "overlong??\n");
}

static void test_text_passes(void)
{
	const char *text = "caf\xc3\xa9 \xe2\x82\xac \xe9\x80\xa3\xe7\xb7\x9a";
	g_autofree char *want = g_strconcat(text, "\n", NULL);

	expect(text, want);
	expect("tab\there", "tab\there\n");
	expect("", "");
	{
		g_autofree char *got = filtered("| ", "one\ntwo\n", false);

		g_assert_cmpstr(got, ==, "| one\n| two\n");
	}
}

static void test_inline(void)
{
	g_autofree char *label = filtered(NULL, "User\nname:\t\x1b]0;x\a\xc2\x9b", true);

	g_assert_cmpstr(label, ==, "User name: ?]0;x??");
}

int main(int argc, char **argv)
{
	static const struct {
		const char *path;
		GTestFunc fn;
	} cases[] = {
	    {"/cli-term/controls", test_controls},
	    {"/cli-term/text-passes", test_text_passes},
	    {"/cli-term/inline", test_inline},
	};

	g_test_init(&argc, &argv, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		g_test_add_func(cases[i].path, cases[i].fn);
	return g_test_run();
}
