// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli-options.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cert-pin.h"
#include "cli-commands.h"
#include "cli-identity.h"
#include "cli-term.h"
#include "gateway-url.h"
#include "tls-pkcs11.h"

int cli_options_login(int opt, char *arg, struct cli_login_options *o, int *verbosity)
{
	struct cert_pin pin;

	switch (opt) {
	case CLI_OPT_USER:
		o->user = arg;
		return 1;
	case CLI_OPT_PASSWORD_STDIN:
		o->password_stdin = true;
		return 1;
	case CLI_OPT_GROUP:
		o->group = arg;
		return 1;
	case CLI_OPT_SERVER_CERT:
		if (cert_pin_parse(arg, &pin) < 0)
			return cli_usage_error("--server-cert: not a pin (expected pin-sha256:BASE64)",
					       arg);
		o->pin = arg;
		return 1;
	case CLI_OPT_REMEMBER_CERT:
		o->remember_cert = true;
		return 1;
	case CLI_OPT_CAFILE:
		if (access(arg, R_OK) < 0)
			return cli_usage_error("--cafile: cannot read", arg);
		o->cafile = arg;
		return 1;
	case CLI_OPT_CERTIFICATE:
		if (o->n_certificates == TLS_CONN_MAX_IDENTITIES)
			return cli_usage_error("too many --certificate options", NULL);
		if (!tls_pkcs11_is_uri(arg) && access(arg, R_OK) < 0)
			return cli_usage_error("--certificate: cannot read", arg);
		o->identity_fds[o->n_certificates] = o->identity_key_fds[o->n_certificates] = -1;
		o->certificates[o->n_certificates++] = arg;
		return 1;
	case CLI_OPT_KEY:
		if (!o->n_certificates || o->keys[o->n_certificates - 1])
			return cli_usage_error("--key must follow its --certificate", NULL);
		if (tls_pkcs11_is_uri(arg) != tls_pkcs11_is_uri(o->certificates[o->n_certificates - 1]))
			return cli_usage_error("--key: a token's key goes with a token's certificate",
					       arg);
		if (!tls_pkcs11_is_uri(arg) && access(arg, R_OK) < 0)
			return cli_usage_error("--key: cannot read", arg);
		o->keys[o->n_certificates - 1] = arg;
		return 1;
	case CLI_OPT_KEY_PASSWORD:
		if (o->key_password || o->key_password_stdin)
			return cli_usage_error("the key password is given twice", NULL);
		o->key_password = secret_new_str(arg);
		if (!o->key_password)
			return cli_usage_error("out of memory", NULL);
		/* Other users can read argv in /proc: shorten the window in which it is there. */
		secret_wipe(arg, strlen(arg));
		return 1;
	case CLI_OPT_KEY_PASSWORD_STDIN:
		if (o->key_password)
			return cli_usage_error("the key password is given twice", NULL);
		o->key_password_stdin = true;
		return 1;
	case CLI_OPT_NON_INTERACTIVE:
		o->interactive = false;
		return 1;
	case CLI_OPT_VERBOSE:
		cli_set_verbosity(++*verbosity);
		return 1;
	default:
		return 0;
	}
}

int cli_options_finish(struct cli_login_options *o, int argc, char **argv, int optind_)
{
	if (optind_ >= argc)
		return cli_usage_error("no gateway given", NULL);
	if (optind_ + 1 < argc)
		return cli_usage_error("unexpected argument", argv[optind_ + 1]);
	o->gateway = argv[optind_];
	{
		struct gateway_url u;

		if (gateway_url_parse(o->gateway, &u) < 0)
			return cli_usage_error("not a gateway address (host, host:port or "
					       "https://host[:port]/group)",
					       o->gateway);
	}
	if (o->remember_cert && !o->pin)
		return cli_usage_error("--remember-cert needs --server-cert", NULL);
	if ((o->key_password || o->key_password_stdin) && !o->n_certificates)
		return cli_usage_error("a key password needs --certificate", NULL);
	if (o->interactive && !cli_term_open())
		o->interactive = false;
	if (o->key_password_stdin) {
		o->key_password = cli_term_stdin_secret();
		if (!o->key_password) {
			fprintf(stderr, "sslvpn: --key-password-stdin: standard input has no line\n");
			return 1;
		}
	}
	return cli_identity_open_all(o) < 0 ? 1 : 0;
}

void cli_options_free(struct cli_login_options *o)
{
	cli_identity_close_all(o);
	secret_free(steal_ptr(&o->key_password));
}
