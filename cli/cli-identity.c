// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli-identity.h"

#include <glib.h>
#include <gnutls/pkcs11.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli-term.h"
#include "error.h"
#include "tls-identity.h"
#include "tls-pkcs11.h"
#include "tls-remote-key.h"

#define CLI_IDENTITY_TRIES 3

struct cli_signer {
	int fd;
	gnutls_privkey_t key;
	GThread *thread;
};

static struct secret *cli_identity_ask(const char *file)
{
	_cleanup_free_ char *prompt = NULL;

	if (asprintf(&prompt, tls_pkcs11_is_uri(file) ? "PIN for %s:" : "Password for the key of %s:",
		     file) < 0)
		return NULL;
	return cli_term_ask_secret(prompt);
}

/* Signs for the worker, and for our own login, for as long as this process runs (or until
 * every other end of the socket is closed): a token's key never leaves it. */
static gpointer cli_identity_signer(gpointer data)
{
	struct cli_signer *s = data;

	while (tls_remote_key_serve(s->fd, s->key) == 0)
		;
	return NULL;
}

/* A token: the certificate goes into a sealed memfd, the key stays here behind a socket. */
static int cli_identity_open_token(struct cli_login_options *o, size_t i,
				   const struct secret *pin, char *why, size_t len)
{
	struct tls_identity_parts chain;
	gnutls_privkey_t key;
	struct cli_signer *s;
	int sv[2], r;

	r = tls_pkcs11_open(o->certificates[i], o->keys[i], pin, &chain, &key, why, len);
	if (r < 0)
		return r;
	r = tls_identity_seal_parts(&chain, &o->identity_fds[i]);
	tls_identity_parts_clear(&chain);
	if (r >= 0 && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		r = -ERR_IO;
	if (r < 0) {
		gnutls_privkey_deinit(key);
		snprintf(why, len, "cannot serve the token's key: %s", error_text(r));
		return r;
	}
	o->identity_key_fds[i] = sv[0];
	s = g_new(struct cli_signer, 1);
	s->fd = sv[1];
	s->key = key;
	s->thread = g_thread_new("sslvpn-signer", cli_identity_signer, s);
	o->signers[i] = s;
	return 0;
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

		if (tls_pkcs11_is_uri(file))
			r = cli_identity_open_token(o, i, id.password, why, sizeof(why));
		else
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
	/* The descriptors start at -1: cli_options_login() set them with each --certificate. */
	for (size_t i = 0; i < o->n_certificates; i++) {
		int r = cli_identity_open(o, i);

		if (r < 0) {
			cli_identity_close_all(o);
			return r;
		}
	}
	return 0;
}

/* The helper's worker may still hold the other end: shutting ours down ends the thread. */
static void cli_signer_stop(struct cli_signer *s)
{
	shutdown(s->fd, SHUT_RDWR);
	g_thread_join(s->thread);
	close(s->fd);
	gnutls_privkey_deinit(s->key);
	g_free(s);
}

void cli_identity_close_all(struct cli_login_options *o)
{
	bool tokens = false;

	for (size_t i = 0; i < o->n_certificates; i++) {
		if (o->identity_fds[i] >= 0)
			close(steal_fd(&o->identity_fds[i]));
		if (o->identity_key_fds[i] >= 0)
			close(steal_fd(&o->identity_key_fds[i]));
		if (o->signers[i]) {
			cli_signer_stop(steal_ptr(&o->signers[i]));
			tokens = true;
		}
	}
	/* Lets the modules finalise: they keep state (and memory) until told to. */
	if (tokens)
		gnutls_pkcs11_deinit();
}
