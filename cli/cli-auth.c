// SPDX-License-Identifier: GPL-2.0-or-later
/* sslvpn auth: log in and print the handoff (what the helper would receive) as shell-safe
 * KEY=value lines, for scripts: eval "$(sslvpn auth ...)". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "cli-commands.h"
#include "cli-options.h"
#include "cli-term.h"
#include "error.h"
#include "prefs.h"

/* Single quotes protect everything but a single quote, which becomes '\''. */
static void cli_print_kv(const char *key, const char *value)
{
	printf("%s='", key);
	for (const char *p = value ? value : ""; *p; p++) {
		if (*p == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*p);
	}
	puts("'");
}

/* Shows the post-login banner; in a terminal the user must accept it, as the gateway asks. */
int cli_accept_banner(const char *banner, bool interactive)
{
	_cleanup_free_ char *answer = NULL;

	if (!banner || !*banner)
		return 0;
	cli_term_print_safe(stderr, "| ", banner);
	if (!interactive || !cli_term_available())
		return 0;
	answer = cli_term_ask("Accept this banner and continue? [y/N]", NULL);
	if (answer && (strcmp(answer, "y") == 0 || strcmp(answer, "Y") == 0 ||
		       strcmp(answer, "yes") == 0))
		return 0;
	fprintf(stderr, "sslvpn: banner declined; not connecting\n");
	return -ERR_CANCELLED;
}

int cli_cmd_auth(int argc, char **argv)
{
	static const struct option longopts[] = {CLI_LOGIN_LONG_OPTIONS,
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	_cleanup_(cli_options_free) struct cli_login_options o = {.interactive = true};
	_cleanup_(prefs_freep) struct prefs *prefs = prefs_new();
	_cleanup_(auth_freep) struct auth *a = NULL;
	const struct auth_result *res;
	int opt, verbosity = 0, r;

	while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		if (opt == 'h') {
			fputs("Usage: sslvpn auth [LOGIN OPTIONS] GATEWAY  (see sslvpn --help)\n",
			      stdout);
			return 0;
		}
		r = cli_options_login(opt, optarg, &o, &verbosity);
		if (r == 2)
			return 2;
		if (r == 0)
			return cli_usage_error("unknown option", NULL);
	}
	r = cli_options_finish(&o, argc, argv, optind);
	if (r != 0)
		return r;
	if (!prefs || prefs_load(prefs, NULL) < 0) {
		fprintf(stderr, "sslvpn: cannot read the preferences\n");
		return 1;
	}
	if (cli_login(&o, prefs, &a) < 0)
		return 1;
	res = auth_result(a);
	if (cli_accept_banner(res->banner, o.interactive) < 0)
		return 1;
	cli_print_kv("GATEWAY", res->gateway_url);
	cli_print_kv("HOST", res->host);
	printf("PORT='%u'\n", res->port);
	cli_print_kv("ADDRESS", res->address);
	cli_print_kv("SERVER_CERT_PIN", res->pin);
	cli_print_kv("SERVER_CERT_SHA1", res->cert_sha1);
	cli_print_kv("GROUP", res->group);
	cli_print_kv("COOKIE", secret_str(res->cookie));
	fflush(stdout);
	return 0;
}
