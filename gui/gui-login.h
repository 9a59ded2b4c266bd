/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The login controller: drives the step machine of core/auth/auth.h on the main thread and runs
 * every blocking step (tls_conn_open, http_exchange) in a GTask thread, so the main loop never
 * blocks.  No widgets: the window renders what the getters return when "phase-changed" fires,
 * and tests drive it with canned gateway answers through GuiLoginIo.
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
	GUI_LOGIN_IDLE,
	GUI_LOGIN_CONNECTING,  /* TCP + TLS to the gateway */
	GUI_LOGIN_CERT_PROMPT, /* the user decides about an untrusted certificate */
	GUI_LOGIN_TALKING,     /* a request is on its way */
	GUI_LOGIN_FORM,        /* the user fills the form */
	GUI_LOGIN_DOWNLOADING, /* fetching the client profile
	                             (docs/protocol.md "Phase 4: the client profile download") */
	GUI_LOGIN_DONE,
	GUI_LOGIN_FAILED,
} GuiLoginPhase;

/* The blocking operations, run in a worker thread.  NULL members use the real ones. */
typedef struct {
	/* tls_conn_open(); on success also writes the numeric peer address to peer (64 bytes). */
	int (*open)(const struct tls_conn_options *opts, struct tls_conn **conn,
	            struct tls_cert_report *report, char *peer, gpointer user_data);
	/* One request, one whole response (http_exchange in FULL mode). */
	int (*exchange)(struct tls_conn *conn, const struct secret *request,
	                struct http_response **resp, gpointer user_data);
	void (*close)(struct tls_conn *conn, gpointer user_data);
} GuiLoginIo;

typedef struct {
	const char *gateway; /* as typed: host, host:port or https URL */
	const char *group;   /* NULL: the last group used with this gateway, else its default */
	const char *cafile;  /* NULL: system trust store */
	const char *pin;     /* accept exactly this key (a re-login of a running tunnel) */
	int timeout_ms;      /* 0: 30 s */
} GuiLoginOptions;

#define GUI_TYPE_LOGIN (gui_login_get_type())
G_DECLARE_FINAL_TYPE(GuiLogin, gui_login, GUI, LOGIN, GObject)

/* @prefs is borrowed and must outlive the object (may be NULL: nothing remembered). */
GuiLogin *gui_login_new(struct prefs *prefs);
void gui_login_set_io(GuiLogin *self, const GuiLoginIo *io, gpointer user_data);

/* Starts a login (cancelling one in progress).  0, or -ERR_INVALID_ARGS for a gateway text
 * that is not an address; then the phase stays as it was. */
int gui_login_start(GuiLogin *self, const GuiLoginOptions *opts);
GuiLoginPhase gui_login_get_phase(GuiLogin *self);
/* Whether a login is under way (neither IDLE, DONE nor FAILED). */
gboolean gui_login_is_busy(GuiLogin *self);
const char *gui_login_get_gateway(GuiLogin *self); /* as given to start(), or NULL */
/* "https://host[:port]": the preferences key; "" when idle. */
const char *gui_login_get_gateway_key(GuiLogin *self);
/* The host name being logged in to (from the TLS options), or the gateway text. */
const char *gui_login_get_host(GuiLogin *self);

/* FORM: the engine's form (fill it, then submit()); NULL in other phases. */
struct auth_form *gui_login_get_form(GuiLogin *self);
/* The user name last used with this gateway, or NULL. */
const char *gui_login_get_last_user(GuiLogin *self);
/* 0 or the engine's -ERR_* (e.g. confirmations that do not match: the form stays). */
int gui_login_submit(GuiLogin *self);
/* Re-posts the init with another group and renders its form (phase TALKING then FORM). */
int gui_login_choose_group(GuiLogin *self, const char *value_or_label);

/* CERT_PROMPT (and FAILED with a certificate error): the certificate seen. */
const struct tls_cert_report *gui_login_get_cert_report(GuiLogin *self);
void gui_login_answer_cert(GuiLogin *self, enum auth_cert_answer answer);

/* Ends the login: phase FAILED with -ERR_CANCELLED.  Nothing if not busy. */
void gui_login_cancel(GuiLogin *self);
/* Back to IDLE, dropping a result or failure. */
void gui_login_reset(GuiLogin *self);

/* DONE */
const struct auth_result *gui_login_get_result(GuiLogin *self);
/* FAILED: -ERR_* and the engine's English sentence (the gateway's own message if it sent
 * one; may be NULL). */
int gui_login_get_error(GuiLogin *self);
const char *gui_login_get_error_message(GuiLogin *self);

const char *gui_login_phase_name(GuiLoginPhase phase); /* "form", for logs and tests */

G_END_DECLS
