/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The login engine: phases 1-4 of docs/protocol.md "Overview: the six phases" (TLS, group
 * selection, user authentication, profile download) as a step machine that does no I/O itself, so
 * the CLI can drive it with blocking calls and the GUI from its main loop.
 *
 * Driving it:
 *
 *	while ((act = auth_next(a)) != AUTH_ACTION_DONE && act != AUTH_ACTION_FAILED) {
 *		switch (act) {
 *		case AUTH_ACTION_CONNECT:     close any old connection, tls_conn_open(auth_tls_options(a)),
 *		                              then auth_connected(a, result, &report, peer_address)
 *		case AUTH_ACTION_CERT_PROMPT: show auth_cert_report(a), then auth_answer_cert(a, ...)
 *		case AUTH_ACTION_REQUEST:     send auth_request(a), read one whole response, then
 *		                              auth_feed_response(a, resp) or auth_io_failed(a, err)
 *		case AUTH_ACTION_FORM:        fill auth_form(a), then auth_submit(a) or
 *		                              auth_choose_group(a, value) or auth_cancel(a)
 *		}
 *	}
 *	DONE: auth_result(a); FAILED: auth_error(a), auth_error_message(a)
 *
 * States: docs/state-machines.md "Login engine" (one enum, changed only by auth_enter_state()).
 *
 * Certificates: with a pin (given by the caller or remembered in preferences) only that key is
 * accepted, and a different one is a hard failure.  Without one the chain must verify; when it
 * does not, the login fails with -ERR_CERT_UNTRUSTED and the report, unless the user turned
 * "block untrusted servers" off in the preferences: then AUTH_ACTION_CERT_PROMPT asks, every
 * time, until the certificate verifies or the user pins it (AUTH_CERT_ACCEPT_ALWAYS).
 * Downloads run on a new TLS connection pinned to the key seen at login.
 *
 * Nothing is written to the preferences unless the login succeeds.
 */
#include <stdbool.h>
#include <stdint.h>

#include "cleanup.h"
#include "http-response.h"
#include "secret.h"
#include "tls-conn.h"

struct auth_form;
struct prefs;

struct auth_config {
	const char *gateway;  /* what the user typed: host, host:port, https://host/group-path */
	const char *group;    /* tunnel group value or label to select, or NULL */
	const char *cafile;   /* NULL: system trust store */
	const char *pin;      /* accept exactly this server key (pin-sha256:...), or NULL */
	bool remember_pin;    /* store the accepted pin in the preferences after success */
	const struct tls_identity *identities;
	size_t n_identities;
	const char *user_agent; /* NULL: AUTH_DEFAULT_USER_AGENT */
	struct prefs *prefs;    /* remembered pins, last group/user, profile cache; may be NULL */
	int timeout_ms;         /* per connection step; 0: 30 s */
};

#define AUTH_DEFAULT_USER_AGENT "AnyConnect Linux_64 4.10.07061"
#define AUTH_CLIENT_VERSION     "4.10.07061"
#define AUTH_DEVICE_ID          "linux-64"

enum auth_action {
	AUTH_ACTION_CONNECT,
	AUTH_ACTION_CERT_PROMPT,
	AUTH_ACTION_REQUEST,
	AUTH_ACTION_FORM,
	AUTH_ACTION_DONE,
	AUTH_ACTION_FAILED,
};

enum auth_cert_answer {
	AUTH_CERT_REJECT,
	AUTH_CERT_ACCEPT_ONCE,
	AUTH_CERT_ACCEPT_ALWAYS, /* pin it in the preferences once the login succeeds */
};

/* What the login hands to the helper (and prints as KEY=value). */
struct auth_result {
	char gateway_url[1400]; /* canonical https://host[:port][/path] */
	char host[256];
	uint16_t port;
	char address[64]; /* numeric address the login used; the tunnel must use the same */
	char pin[64];     /* pin-sha256 of the gateway key the login accepted */
	char cert_sha1[41];
	struct secret *cookie; /* the webvpn session token */
	char *banner;          /* post-login banner, or NULL */
	char *group;           /* group value used, or NULL */
	char *user;            /* user name typed, or NULL */
	unsigned profiles_downloaded, profiles_unchanged;
	int identity; /* index of the client identity the gateway took, -1 for none */
};

struct auth;

/* NULL with *err = -ERR_INVALID_ARGS (bad gateway text) or -ERR_NOMEM. */
struct auth *auth_new(const struct auth_config *cfg, int *err);
void auth_free(struct auth *a);

enum auth_action auth_next(struct auth *a);

/* The preferences key of the gateway being logged in to ("https://host[:port]"). */
void auth_gateway_key(const struct auth *a, char *buf, size_t len);

/* AUTH_ACTION_CONNECT */
const struct tls_conn_options *auth_tls_options(struct auth *a);
void auth_connected(struct auth *a, int result, const struct tls_cert_report *report,
		    const char *peer_address);
/* Whether this connection is for a download (phase 4) rather than the login (for progress);
 * docs/protocol.md "Phase 4: the client profile download". */
bool auth_is_downloading(const struct auth *a);

/* AUTH_ACTION_CERT_PROMPT */
const struct tls_cert_report *auth_cert_report(const struct auth *a);
void auth_answer_cert(struct auth *a, enum auth_cert_answer answer);

/* AUTH_ACTION_REQUEST */
const struct secret *auth_request(const struct auth *a);
void auth_feed_response(struct auth *a, const struct http_response *resp);
void auth_io_failed(struct auth *a, int err);

/* AUTH_ACTION_FORM: the form stays owned by the engine; fill it with auth_form_set_value(). */
struct auth_form *auth_form(struct auth *a);
int auth_submit(struct auth *a);
/* Non-NULL when this form is the gateway refusing the previous answer (a wrong password): the
 * gateway's words ("Login failed."), for the user.  A CLI without a terminal stops here. */
const char *auth_rejected_message(const struct auth *a);
int auth_choose_group(struct auth *a, const char *value_or_label);
void auth_cancel(struct auth *a);

/* AUTH_ACTION_DONE */
const struct auth_result *auth_result(const struct auth *a);
/* AUTH_ACTION_FAILED: -ERR_* and one English sentence for the user (the gateway's own message
 * where it sent one).  For certificate failures auth_cert_report() describes the certificate. */
int auth_error(const struct auth *a);
const char *auth_error_message(const struct auth *a);

DEFINE_CLEANUP(struct auth *, auth_free)
