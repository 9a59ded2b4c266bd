// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli-login.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth-form.h"
#include "cli-term.h"
#include "error.h"
#include "http-exchange.h"
#include "log.h"
#include "prefs.h"

struct cli_login {
	const struct cli_login_options *o;
	struct prefs *prefs;
	struct auth *auth;
	bool group_asked;
	bool banner_shown; /* the pre-login banner, without a terminal: once */
};

static void cli_print_time(const char *what, time_t t)
{
	char buf[64];
	struct tm tm;

	if (t <= 0 || !gmtime_r(&t, &tm)) {
		fprintf(stderr, "  %-10s unknown\n", what);
		return;
	}
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
	fprintf(stderr, "  %-10s %s\n", what, buf);
}

static void cli_print_cert(const struct tls_cert_report *rep)
{
	if (!rep->present)
		return;
	fprintf(stderr, "Certificate of the gateway:\n");
	fprintf(stderr, "  %-10s ", "Subject:");
	cli_term_print_safe(stderr, NULL, rep->subject);
	fprintf(stderr, "  %-10s ", "Issuer:");
	cli_term_print_safe(stderr, NULL, rep->issuer);
	cli_print_time("Valid from:", rep->not_before);
	cli_print_time("Valid to:", rep->not_after);
	if (rep->reason[0])
		fprintf(stderr, "  %-10s %s\n", "Problem:", rep->reason);
	fprintf(stderr, "  %-10s %s\n", "Key pin:", rep->pin);
	fprintf(stderr, "  %-10s %s\n", "SHA-1:", rep->sha1);
}

static enum auth_cert_answer cli_ask_cert(struct cli_login *l)
{
	_cleanup_free_ char *answer = NULL;

	cli_print_cert(auth_cert_report(l->auth));
	if (!l->o->interactive || !cli_term_available())
		return AUTH_CERT_REJECT;
	answer = cli_term_ask("Connect to this untrusted server? [o]nce, [a]lways, [N]o:", NULL);
	if (answer && (strcasecmp(answer, "o") == 0 || strcasecmp(answer, "once") == 0))
		return AUTH_CERT_ACCEPT_ONCE;
	if (answer && (strcasecmp(answer, "a") == 0 || strcasecmp(answer, "always") == 0))
		return AUTH_CERT_ACCEPT_ALWAYS;
	return AUTH_CERT_REJECT;
}

static void cli_show_form_text(const struct auth_form *form)
{
	if (form->banner && *form->banner)
		cli_term_print_safe(stderr, "| ", form->banner);
	if (form->message && *form->message)
		cli_term_print_safe(stderr, NULL, form->message);
	if (form->error && *form->error) {
		fprintf(stderr, "Gateway: ");
		cli_term_print_safe(stderr, NULL, form->error);
	}
}

static const char *cli_prefs_string(struct cli_login *l,
				    const char *(*get)(const struct prefs_gateway *))
{
	char key[1400];
	struct prefs_gateway *g;

	if (!l->prefs)
		return NULL;
	auth_gateway_key(l->auth, key, sizeof(key));
	g = prefs_gateway(l->prefs, key, false);
	return g ? get(g) : NULL;
}

/* A line around text the gateway wrote (a label, a group name): only the filtered text may
 * reach the terminal. */
static void cli_say(const char *before, const char *gateway_text, const char *after)
{
	fputs(before, stderr);
	cli_term_put_safe(stderr, gateway_text);
	fputs(after, stderr);
}

/* Lets the user pick a group (number, value or label).  Returns 1 if a new init was started. */
static int cli_ask_group(struct cli_login *l, struct auth_form *form)
{
	const struct auth_field *gf = auth_form_group_field(form);
	const char *last = cli_prefs_string(l, prefs_gateway_get_last_group);
	const char *current = auth_form_selected_group(form);
	const char *def = current;
	_cleanup_free_ char *answer = NULL;
	char prompt[128];

	l->group_asked = true;
	if (last)
		for (size_t i = 0; i < gf->n_options; i++)
			if (strcmp(gf->options[i].value, last) == 0)
				def = last;
	fprintf(stderr, "Groups:\n");
	for (size_t i = 0; i < gf->n_options; i++) {
		fprintf(stderr, "  %zu) ", i + 1);
		cli_term_print_safe(stderr, NULL,
				    *gf->options[i].label ? gf->options[i].label : gf->options[i].value);
	}
	snprintf(prompt, sizeof(prompt), "%s", gf->label ? gf->label : "Group:");
	/* Show the default as the user sees the groups: by label (either is accepted). */
	for (size_t i = 0; def && i < gf->n_options; i++)
		if (strcmp(gf->options[i].value, def) == 0 && *gf->options[i].label)
			def = gf->options[i].label;
	answer = cli_term_ask(prompt, def);
	if (!answer)
		return -ERR_CANCELLED;
	{
		char *end;
		unsigned long n = strtoul(answer, &end, 10);

		if (*answer && !*end && n >= 1 && n <= gf->n_options) {
			free(answer);
			answer = strdup(gf->options[n - 1].value);
		}
	}
	if (current && strcmp(answer, current) == 0)
		return 0;
	{
		int r = auth_choose_group(l->auth, answer);

		if (r == -ERR_NOT_FOUND || r == -ERR_INVALID_ARGS) {
			cli_say("sslvpn: no such group: ", answer, "\n");
			l->group_asked = false;
			return 1; /* ask again */
		}
		return r < 0 ? r : 1;
	}
}

static int cli_missing(const struct auth_field *f)
{
	cli_say("sslvpn: the gateway asks for \"", f->label,
		f->type == AUTH_FIELD_PASSWORD ? "\", which was not given (use --password-stdin)\n"
					       : "\", which was not given\n");
	return -ERR_CANCELLED;
}

static int cli_fill_field(struct cli_login *l, struct auth_form *form, const struct auth_field *f)
{
	const struct cli_login_options *o = l->o;
	bool interactive = o->interactive && cli_term_available();
	int r;

	switch (f->type) {
	case AUTH_FIELD_TEXT: {
		const char *def = f->value;
		_cleanup_free_ char *answer = NULL;

		if (strcmp(f->name, "username") == 0) {
			if (o->user)
				return auth_form_set_value(form, f->name, o->user);
			if (!def || !*def)
				def = cli_prefs_string(l, prefs_gateway_get_last_user);
		}
		if (!interactive) {
			if (def && *def)
				return auth_form_set_value(form, f->name, def);
			return cli_missing(f);
		}
		answer = cli_term_ask(f->label, def);
		if (!answer)
			return -ERR_CANCELLED;
		return auth_form_set_value(form, f->name, answer);
	}
	case AUTH_FIELD_PASSWORD: {
		_cleanup_(secret_freep) struct secret *s = NULL;

		if (o->password_stdin) {
			s = cli_term_stdin_secret();
			if (!s) {
				cli_say("sslvpn: the gateway asks for \"", f->label,
					"\", but standard input has no more lines\n");
				return -ERR_CANCELLED;
			}
		} else if (interactive) {
			s = cli_term_ask_secret(f->label);
			if (!s)
				return -ERR_CANCELLED;
		} else {
			return cli_missing(f);
		}
		r = auth_form_set_secret(form, f->name, s);
		return r;
	}
	case AUTH_FIELD_SELECT: {
		_cleanup_free_ char *answer = NULL;

		if (!interactive)
			return 0; /* the gateway's default stays selected */
		for (size_t i = 0; i < f->n_options; i++) {
			fprintf(stderr, "  %zu) ", i + 1);
			cli_term_print_safe(stderr, NULL, f->options[i].label);
		}
		answer = cli_term_ask(f->label, f->options[f->selected].value);
		if (!answer)
			return -ERR_CANCELLED;
		return auth_form_set_value(form, f->name, answer);
	}
	case AUTH_FIELD_HIDDEN:
	default:
		return 0;
	}
}

static int cli_fill_form(struct cli_login *l)
{
	struct auth_form *form = auth_form(l->auth);
	const struct cli_login_options *o = l->o;
	bool interactive = o->interactive && cli_term_available();
	const char *rejected = auth_rejected_message(l->auth);
	int r;

	/* Scripts and service logs keep what the gateway tells every user before the login. */
	if (!interactive && form->banner && *form->banner && !l->banner_shown) {
		cli_term_print_safe(stderr, "| ", form->banner);
		l->banner_shown = true;
	}
	if (rejected && !interactive) {
		/* Nobody to ask again: the gateway's refusal is the one line the user gets. */
		fprintf(stderr, "sslvpn: authentication failed: ");
		cli_term_print_safe(stderr, NULL, rejected);
		return -ERR_AUTH_FAILED;
	}
	if (interactive) {
		if (rejected) {
			fprintf(stderr, "sslvpn: ");
			cli_term_print_safe(stderr, NULL, rejected);
		}
		cli_show_form_text(form);
	}
	if (form->authentication_complete)
		return auth_submit(l->auth);
	if (auth_form_group_field(form) && !o->group && interactive && !l->group_asked) {
		r = cli_ask_group(l, form);
		if (r != 0)
			return r < 0 ? r : 0;
	}
	for (size_t i = 0; i < form->n_fields; i++) {
		const struct auth_field *f = &form->fields[i];

		if (f->inactive || f->readonly || f->is_group_list)
			continue;
		r = cli_fill_field(l, form, f);
		if (r < 0) {
			if (r != -ERR_CANCELLED) {
				cli_say("sslvpn: cannot use the value for \"", f->label, "\": ");
				fprintf(stderr, "%s\n", error_text(r));
			}
			return r;
		}
	}
	return auth_submit(l->auth);
}

static void cli_print_failure(struct auth *a)
{
	int err = auth_error(a);

	if (err == -ERR_CERT_UNTRUSTED || err == -ERR_CERT_PIN_MISMATCH)
		cli_print_cert(auth_cert_report(a));
	fprintf(stderr, "sslvpn: ");
	cli_term_print_safe(stderr, NULL, auth_error_message(a));
	if (err == -ERR_CERT_UNTRUSTED && auth_cert_report(a)->pin[0])
		fprintf(stderr,
			"sslvpn: if you trust it, connect with --server-cert %s (and "
			"--remember-cert to keep it)\n",
			auth_cert_report(a)->pin);
}

int cli_login(const struct cli_login_options *o, struct prefs *prefs, struct auth **out)
{
	struct tls_identity ids[TLS_CONN_MAX_IDENTITIES];
	struct auth_config cfg = {
		.gateway = o->gateway,
		.group = o->group,
		.cafile = o->cafile,
		.pin = o->pin,
		.remember_pin = o->remember_cert,
		.identities = ids,
		.n_identities = o->n_certificates,
		.prefs = prefs,
	};
	struct cli_login l = {.o = o, .prefs = prefs};
	_cleanup_(tls_conn_freep) struct tls_conn *conn = NULL;
	_cleanup_(auth_freep) struct auth *a = NULL;
	enum auth_action act;
	int r;

	for (size_t i = 0; i < o->n_certificates; i++)
		ids[i] = (struct tls_identity){.cert_fd = o->identity_fds[i],
					       .key_fd = o->identity_key_fds[i]};
	a = auth_new(&cfg, &r);
	if (!a) {
		fprintf(stderr, "sslvpn: %s: not a usable gateway address (https://host[:port][/group])\n",
			o->gateway);
		return r;
	}
	l.auth = a;
	while ((act = auth_next(a)) != AUTH_ACTION_DONE && act != AUTH_ACTION_FAILED) {
		switch (act) {
		case AUTH_ACTION_CONNECT: {
			struct tls_cert_report rep;

			tls_conn_free(steal_ptr(&conn));
			log_info("connecting to %s%s", auth_tls_options(a)->host,
				 auth_is_downloading(a) ? " to download the client profile" : "");
			r = tls_conn_open(auth_tls_options(a), &conn, &rep);
			auth_connected(a, r, &rep, r == 0 ? tls_conn_peer_address(conn) : NULL);
			break;
		}
		case AUTH_ACTION_CERT_PROMPT:
			auth_answer_cert(a, cli_ask_cert(&l));
			break;
		case AUTH_ACTION_REQUEST: {
			_cleanup_(http_response_freep) struct http_response *resp = NULL;

			r = http_exchange(conn, auth_request(a), HTTP_RESPONSE_FULL, &resp, NULL, 0,
					  NULL);
			if (r < 0)
				auth_io_failed(a, r);
			else
				auth_feed_response(a, resp);
			break;
		}
		case AUTH_ACTION_FORM:
			r = cli_fill_form(&l);
			if (r < 0 && auth_next(a) == AUTH_ACTION_FAILED) {
				cli_print_failure(a);
				return auth_error(a);
			}
			if (r < 0) {
				auth_cancel(a);
				return r;
			}
			break;
		default:
			break;
		}
	}
	if (act == AUTH_ACTION_FAILED) {
		cli_print_failure(a);
		return auth_error(a);
	}
	*out = steal_ptr(&a);
	return 0;
}
