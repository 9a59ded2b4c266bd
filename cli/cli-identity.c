// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli-identity.h"

#include <stdio.h>
#include <unistd.h>

#include "cli-term.h"
#include "error.h"
#include "tls-identity.h"

#define CLI_IDENTITY_TRIES 3

static struct secret *cli_identity_ask(const char *file)
{
	_cleanup_free_ char *prompt = NULL;

	if (asprintf(&prompt, "Password for the key of %s:", file) < 0)
		return NULL;
	return cli_term_ask_secret(prompt);
}

static int cli_identity_open(struct cli_login_options *o, size_t i)
{
	const char *file = o->certificates[i];
	bool interactive = o->interactive && cli_term_available();
	struct secret *asked = NULL;
	char why[512];
	int r;

	/* The password given (or none), then up to CLI_IDENTITY_TRIES typed ones. */
	for (int attempt = 0;; attempt++) {
		struct tls_identity id = {
		    .cert_file = file,
		    .key_file = o->keys[i],
		    .cert_fd = -1,
		    .key_fd = -1,
		    .password = asked ? asked : o->key_password,
		};

		r = tls_identity_seal(&id, &o->identity_fds[i], why, sizeof(why));
		if (r != -ERR_KEY_PASSWORD || !interactive || attempt == CLI_IDENTITY_TRIES)
			break;
		/* A password given on the command line or standard input that does not fit is
		 * asked again, as a typed one is. */
		if (attempt > 0 || o->key_password)
			fprintf(stderr, "sslvpn: %s\n", why);
		secret_free(asked);
		asked = cli_identity_ask(file);
		if (!asked) {
			r = -ERR_CANCELLED;
			break;
		}
	}
	secret_free(asked);
	if (r == -ERR_KEY_PASSWORD && !interactive)
		fprintf(stderr, "sslvpn: %s (give it with --key-password-stdin)\n", why);
	else if (r < 0 && r != -ERR_CANCELLED)
		fprintf(stderr, "sslvpn: cannot use the client certificate: %s\n", why);
	return r;
}

int cli_identity_open_all(struct cli_login_options *o)
{
	for (size_t i = 0; i < o->n_certificates; i++)
		o->identity_fds[i] = -1;
	for (size_t i = 0; i < o->n_certificates; i++) {
		int r = cli_identity_open(o, i);

		if (r < 0) {
			cli_identity_close_all(o);
			return r;
		}
	}
	return 0;
}

void cli_identity_close_all(struct cli_login_options *o)
{
	for (size_t i = 0; i < o->n_certificates; i++)
		if (o->identity_fds[i] >= 0)
			close(steal_fd(&o->identity_fds[i]));
}
