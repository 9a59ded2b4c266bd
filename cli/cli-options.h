/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The login options shared by `auth` and `connect`. */
#include <getopt.h>
#include <stdbool.h>

#include "cli-login.h"

enum {
	CLI_OPT_USER = 0x100,
	CLI_OPT_PASSWORD_STDIN,
	CLI_OPT_GROUP,
	CLI_OPT_SERVER_CERT,
	CLI_OPT_REMEMBER_CERT,
	CLI_OPT_CAFILE,
	CLI_OPT_CERTIFICATE,
	CLI_OPT_KEY,
	CLI_OPT_NON_INTERACTIVE,
	CLI_OPT_KEY_PASSWORD,
	CLI_OPT_KEY_PASSWORD_STDIN,
	CLI_OPT_VERBOSE = 'v',
	CLI_OPT_FIRST_EXTRA = 0x200, /* command-specific options start here */
};

#define CLI_LOGIN_LONG_OPTIONS                                                                     \
	{"user", required_argument, NULL, CLI_OPT_USER},                                           \
		{"password-stdin", no_argument, NULL, CLI_OPT_PASSWORD_STDIN},                     \
		{"group", required_argument, NULL, CLI_OPT_GROUP},                                 \
		{"server-cert", required_argument, NULL, CLI_OPT_SERVER_CERT},                     \
		{"remember-cert", no_argument, NULL, CLI_OPT_REMEMBER_CERT},                       \
		{"cafile", required_argument, NULL, CLI_OPT_CAFILE},                               \
		{"certificate", required_argument, NULL, CLI_OPT_CERTIFICATE},                     \
		{"key", required_argument, NULL, CLI_OPT_KEY},                                     \
		{"key-password", required_argument, NULL, CLI_OPT_KEY_PASSWORD},                   \
		{"key-password-stdin", no_argument, NULL, CLI_OPT_KEY_PASSWORD_STDIN},             \
		{"non-interactive", no_argument, NULL, CLI_OPT_NON_INTERACTIVE},                   \
		{"verbose", no_argument, NULL, CLI_OPT_VERBOSE}

/* Handles one login option; returns 1 if it was one, 0 if not, 2 after a usage error.
 * arg is not const: a password given on the command line is blotted out of argv. */
int cli_options_login(int opt, char *arg, struct cli_login_options *o, int *verbosity);
/* Checks the combination and the gateway argument, reads --key-password-stdin and decodes the
 * client certificates (cli-identity.h); returns 0, 1 after a failure or 2 after a usage
 * error.  The caller ends with cli_options_free(). */
int cli_options_finish(struct cli_login_options *o, int argc, char **argv, int optind_);
void cli_options_free(struct cli_login_options *o);
