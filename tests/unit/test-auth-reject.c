// SPDX-License-Identifier: GPL-2.0-or-later
/* Telling a refused answer from the next question: the same form again with the refusal in
 * front of the prompt (ocserv), an <error> (ASA), or a second factor that asks with the same
 * field names but another prompt. */
#include <glib.h>
#include <stdlib.h>

#include "auth-reject.h"

static struct auth_field fields[] = {
    {.type = AUTH_FIELD_TEXT, .name = "username"},
    {.type = AUTH_FIELD_PASSWORD, .name = "password"},
    {.type = AUTH_FIELD_HIDDEN, .name = "token"},
};

static struct auth_form form(char *message, char *error)
{
	return (struct auth_form){.id = "main",
	                          .message = message,
	                          .error = error,
	                          .fields = fields,
	                          .n_fields = G_N_ELEMENTS(fields)};
}

static void test_signature(void)
{
	struct auth_form f = form(NULL, NULL);
	g_autofree char *sig = auth_reject_signature(&f);

	g_assert_cmpstr(sig, ==, "username,password,"); /* hidden fields do not count */
}

static void test_detect(void)
{
	struct auth_form again = form("Login failed.\nPlease enter your password.", NULL);
	struct auth_form otp = form("Enter the code from your token.", NULL);
	struct auth_form asa = form("Please enter your password.", "Invalid credentials");
	struct auth_form empty = form("Please enter your password.", NULL);
	bool restart = true;
	char *w;

	w = auth_reject_detect(&again, "username,password,", "Please enter your password.",
	                       &restart);
	g_assert_cmpstr(w, ==, "Login failed.");
	g_assert_true(restart);
	free(w);

	w = auth_reject_detect(&otp, "username,password,", "Please enter your password.", &restart);
	g_assert_null(w);
	g_assert_false(restart);

	w = auth_reject_detect(&asa, NULL, NULL, &restart);
	g_assert_cmpstr(w, ==, "Invalid credentials");
	g_assert_false(restart);
	free(w);

	/* The same prompt with nothing in front of it: refused all the same. */
	w = auth_reject_detect(&empty, "username,password,", "Please enter your password.",
	                       &restart);
	g_assert_cmpstr(w, ==, "the gateway asked for the same again");
	g_assert_true(restart);
	free(w);

	/* Other fields: a different form, not a refusal. */
	w = auth_reject_detect(&again, "username,", "Please enter your password.", &restart);
	g_assert_null(w);
	/* Nothing answered yet. */
	w = auth_reject_detect(&again, NULL, NULL, &restart);
	g_assert_null(w);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/auth-reject/signature", test_signature);
	g_test_add_func("/auth-reject/detect", test_detect);
	return g_test_run();
}
