/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Runs the login engine (core/auth/auth.h) with blocking I/O and terminal prompts or flags: the
 * shared part of `sslvpn auth` and `sslvpn connect`. */
#include <stdbool.h>

#include "auth.h"

struct prefs;
struct cli_signer;

struct cli_login_options {
	const char *gateway;
	const char *user;
	const char *group;
	const char *cafile;
	const char *pin;
	bool remember_cert;
	bool password_stdin;
	bool interactive; /* false: never prompt; anything missing is an error */
	/* Client identities (--certificate, each with an optional --key after it); when the
	 * gateway asks, the one issued by a CA it names is presented. */
	const char *certificates[TLS_CONN_MAX_IDENTITIES];
	const char *keys[TLS_CONN_MAX_IDENTITIES];
	size_t n_certificates;
	struct secret *key_password; /* --key-password(-stdin): for every encrypted key */
	bool key_password_stdin;
	int identity_fds[TLS_CONN_MAX_IDENTITIES]; /* the decoded identities (cli-identity.h) */
	int identity_key_fds[TLS_CONN_MAX_IDENTITIES]; /* a token's signer socket, or -1 */
	struct cli_signer *signers[TLS_CONN_MAX_IDENTITIES]; /* serving a token's key */
};

/* 0 with *out in the DONE state, or -ERR_* after printing one clear line (plus certificate
 * details where they help) on stderr. */
int cli_login(const struct cli_login_options *o, struct prefs *prefs, struct auth **out);
