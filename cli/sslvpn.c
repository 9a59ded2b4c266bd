// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sslvpn: the command line client.  `sslvpn --help` is the full story.
 * Exit status: 0 success, 1 failure (one clear line on stderr), 2 usage error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-commands.h"
#include "cli-term.h"
#include "error.h"
#include "log.h"

static const char cli_usage[] =
	"Usage: sslvpn COMMAND [OPTIONS]\n"
	"\n"
	"Commands:\n"
	"  auth [LOGIN OPTIONS] GATEWAY     log in and print the session handoff as KEY=value lines\n"
#ifdef WITH_HELPER_API
	"  connect [LOGIN OPTIONS] [--no-dtls] [--foreground] GATEWAY\n"
	"                                   log in and bring the tunnel up through sslvpn-helper;\n"
	"                                   returns once it is up, unless --foreground: then it stays,\n"
	"                                   prints state changes, asks for a new login if the gateway\n"
	"                                   rejects the session, and disconnects on Ctrl-C\n"
	"  status [--json]                  the helper's connections\n"
	"  disconnect [CONNECTION]          end CONNECTION (number or object path), default: yours\n"
	"  monitor                          print every connection's property changes\n"
#endif
	"  help                             show this text\n"
	"\n"
	"Login options:\n"
	"  --user U             user name (else asked, or the last one used)\n"
	"  --password-stdin     read passwords and one-time codes from standard input, one per line\n"
	"  --group G            tunnel group (value or label)\n"
	"  --server-cert PIN    accept exactly this server key (pin-sha256:...), even if untrusted\n"
	"  --remember-cert      keep the accepted key in the preferences for later logins\n"
	"  --cafile FILE        trust these CAs instead of the system store\n"
	"  --certificate FILE   client certificate: PEM, DER or PKCS#12, or a PKCS#11 URI\n"
	"                       (pkcs11:token=...;object=...) for a smart card or token; repeat\n"
	"                       for several: the one issued by a CA the gateway names is presented\n"
	"  --key FILE           its key (PEM, DER or PKCS#11 URI), when not with the certificate;\n"
	"                       a token's key never leaves it: the tunnel signs through sslvpn, so\n"
	"                       use connect --foreground to let the tunnel reconnect\n"
	"  --key-password-stdin read the key's, PKCS#12 file's or token's password (PIN) from the\n"
	"                       first line of standard input (before any --password-stdin lines)\n"
	"  --key-password PASS  the same on the command line, where other users can see it: prefer\n"
	"                       the prompt or --key-password-stdin\n"
	"  --non-interactive    never prompt; fail when something is missing\n"
	"  -v, --verbose        more messages (twice: debug)\n"
	"\n"
	"GATEWAY is host, host:port or https://host[:port]/group-path.\n"
	"Preferences: $XDG_CONFIG_HOME/sslvpn/preferences.xml (default ~/.config/sslvpn/).\n"
	"Exit status: 0 success, 1 failure, 2 usage error.\n";

static int cli_verbosity;

static void cli_log_sink(int priority, const char *message, void *user_data)
{
	(void)user_data;
	if (priority <= LOG_ERR)
		fprintf(stderr, "sslvpn: %s\n", message);
	else if (priority == LOG_WARNING)
		fprintf(stderr, "sslvpn: warning: %s\n", message);
	else
		fprintf(stderr, "sslvpn: %s\n", message);
}

int cli_usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "sslvpn: %s%s%s\nTry 'sslvpn --help'.\n", what, arg ? ": " : "",
		arg ? arg : "");
	return 2;
}

void cli_set_verbosity(int v)
{
	cli_verbosity = v;
	log_set_max_priority(v >= 2 ? LOG_DEBUG : v == 1 ? LOG_INFO : LOG_WARNING);
}

int main(int argc, char **argv)
{
	const char *cmd;

	log_set_sink(cli_log_sink, NULL);
	{
		const char *d = getenv("SSLVPN_DEBUG");

		cli_set_verbosity(d && *d && strcmp(d, "0") != 0 ? 2 : 0);
	}
	if (argc < 2)
		return cli_usage_error("no command given", NULL);
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		fputs(cli_usage, stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("sslvpn %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (strcmp(cmd, "auth") == 0)
		return cli_cmd_auth(argc - 1, argv + 1);
#ifdef WITH_HELPER_API
	if (strcmp(cmd, "connect") == 0)
		return cli_cmd_connect(argc - 1, argv + 1);
	if (strcmp(cmd, "status") == 0)
		return cli_cmd_status(argc - 1, argv + 1);
	if (strcmp(cmd, "disconnect") == 0)
		return cli_cmd_disconnect(argc - 1, argv + 1);
	if (strcmp(cmd, "monitor") == 0)
		return cli_cmd_monitor(argc - 1, argv + 1);
#endif
	return cli_usage_error("unknown command", cmd);
}
