/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "config.h"

/* Each command gets argv with argv[0] = the command name; returns the exit status
 * (0 success, 1 failure, 2 usage error). */
int cli_cmd_auth(int argc, char **argv);
int cli_cmd_connect(int argc, char **argv);
int cli_cmd_status(int argc, char **argv);
int cli_cmd_disconnect(int argc, char **argv);
int cli_cmd_monitor(int argc, char **argv);

/* Prints "sslvpn: <what>[: <arg>]" and the --help hint; returns 2. */
int cli_usage_error(const char *what, const char *arg);
void cli_set_verbosity(int v);
/* Shows the post-login banner and, in a terminal, asks to accept it: 0 or -ERR_CANCELLED. */
int cli_accept_banner(const char *banner, bool interactive);
