/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The client certificates named on the command line, decoded once before the login: the key's
 * password is asked for (or read from --key-password-stdin / --key-password) here and nowhere
 * else, and each identity becomes a sealed descriptor that the login's connections and the
 * helper's worker both read (tls-identity.h). */
#include "cli-login.h"

/* Fills o->identity_fds; 0, or -ERR_* after one clear line on stderr. */
int cli_identity_open_all(struct cli_login_options *o);
void cli_identity_close_all(struct cli_login_options *o);
