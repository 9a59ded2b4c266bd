/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The login controller: drives the step machine of core/auth/auth.h on the main thread and runs
 * every blocking step (tls_conn_open, http_exchange) in a GTask thread, so the main loop never
 * blocks.  No widgets: the window renders what the getters return when "phase-changed" fires,
 * and tests drive it with canned gateway answers through SslvpnLoginIo.
 *
 * Phases: docs/state-machines.md "GUI login phases".
 *
 * While a thread runs, the engine is not touched; a result that arrives after cancel() or a
 * new start() is dropped (and its connection closed in a thread).
 */
#include <gio/gio.h>

#include "auth-form.h"
#include "auth.h"
#include "http-response.h"
#include "secret.h"
#include "tls-conn.h"

G_BEGIN_DECLS

struct prefs;

typedef enum {
	SSLVPN_LOGIN_IDLE,
	SSLVPN_LOGIN_CONNECTING,  /* TCP + TLS to the gateway */
	SSLVPN_LOGIN_CERT_PROMPT, /* the user decides about an untrusted certificate */
	SSLVPN_LOGIN_TALKING,     /* a request is on its way */
	SSLVPN_LOGIN_FORM,        /* the user fills the form */
	SSLVPN_LOGIN_DOWNLOADING, /* fetching the client profile
	                             (docs/protocol.md "Phase 4: the client profile download") */
	SSLVPN_LOGIN_DONE,
	SSLVPN_LOGIN_FAILED,
} SslvpnLoginPhase;

/* The blocking operations, run in a worker thread.  NULL members use the real ones. */
typedef struct {
	/* tls_conn_open(); on success also writes the numeric peer address to peer (64 bytes). */
	int (*open)(const struct tls_conn_options *opts, struct tls_conn **conn,
	            struct tls_cert_report *report, char *peer, gpointer user_data);
	/* One request, one whole response (http_exchange in FULL mode). */
	int (*exchange)(struct tls_conn *conn, const struct secret *request,
	                struct http_response **resp, gpointer user_data);
	void (*close)(struct tls_conn *conn, gpointer user_data);
} SslvpnLoginIo;

typedef struct {
	const char *gateway; /* as typed: host, host:port or https URL */
	const char *group;   /* NULL: the last group used with this gateway, else its default */
	const char *cafile;  /* NULL: system trust store */
	const char *pin;     /* accept exactly this key (a re-login of a running tunnel) */
	int timeout_ms;      /* 0: 30 s */
} SslvpnLoginOptions;

#define SSLVPN_TYPE_LOGIN (sslvpn_login_get_type())
G_DECLARE_FINAL_TYPE(SslvpnLogin, sslvpn_login, SSLVPN, LOGIN, GObject)

/* @prefs is borrowed and must outlive the object (may be NULL: nothing remembered). */
SslvpnLogin *sslvpn_login_new(struct prefs *prefs);
void sslvpn_login_set_io(SslvpnLogin *self, const SslvpnLoginIo *io, gpointer user_data);

/* Starts a login (cancelling one in progress).  0, or -ERR_INVALID_ARGS for a gateway text
 * that is not an address; then the phase stays as it was. */
int sslvpn_login_start(SslvpnLogin *self, const SslvpnLoginOptions *opts);
SslvpnLoginPhase sslvpn_login_get_phase(SslvpnLogin *self);
/* Whether a login is under way (neither IDLE, DONE nor FAILED). */
gboolean sslvpn_login_is_busy(SslvpnLogin *self);
const char *sslvpn_login_get_gateway(SslvpnLogin *self); /* as given to start(), or NULL */
/* "https://host[:port]": the preferences key; "" when idle. */
const char *sslvpn_login_get_gateway_key(SslvpnLogin *self);
/* The host name being logged in to (from the TLS options), or the gateway text. */
const char *sslvpn_login_get_host(SslvpnLogin *self);

/* FORM: the engine's form (fill it, then submit()); NULL in other phases. */
struct auth_form *sslvpn_login_get_form(SslvpnLogin *self);
/* The user name last used with this gateway, or NULL. */
const char *sslvpn_login_get_last_user(SslvpnLogin *self);
/* 0 or the engine's -ERR_* (e.g. confirmations that do not match: the form stays). */
int sslvpn_login_submit(SslvpnLogin *self);
/* Re-posts the init with another group and renders its form (phase TALKING then FORM). */
int sslvpn_login_choose_group(SslvpnLogin *self, const char *value_or_label);

/* CERT_PROMPT (and FAILED with a certificate error): the certificate seen. */
const struct tls_cert_report *sslvpn_login_get_cert_report(SslvpnLogin *self);
void sslvpn_login_answer_cert(SslvpnLogin *self, enum auth_cert_answer answer);

/* Ends the login: phase FAILED with -ERR_CANCELLED.  Nothing if not busy. */
void sslvpn_login_cancel(SslvpnLogin *self);
/* Back to IDLE, dropping a result or failure. */
void sslvpn_login_reset(SslvpnLogin *self);

/* DONE */
const struct auth_result *sslvpn_login_get_result(SslvpnLogin *self);
/* FAILED: -ERR_* and the engine's English sentence (the gateway's own message if it sent
 * one; may be NULL). */
int sslvpn_login_get_error(SslvpnLogin *self);
const char *sslvpn_login_get_error_message(SslvpnLogin *self);
/* Whether the profile download phase was reached (for progress). */
gboolean sslvpn_login_downloaded(SslvpnLogin *self);

const char *sslvpn_login_phase_name(SslvpnLoginPhase phase); /* "form", for logs and tests */

G_END_DECLS
