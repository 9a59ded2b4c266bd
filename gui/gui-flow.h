/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * GuiFlow: where the application is between the user's Connect and the helper's connection
 * object: login, banner, Manager.Connect; or a re-login whose cookie goes back to the helper
 * through the agent.  It drives the login controller, the helper client and the agent, and
 * holds what the connect and progress views show (the progress text, the last failure); it
 * has no widgets, so that the window and the tray only follow it.
 * States: docs/state-machines.md "GUI flow".
 *
 * Signals (each after the state they describe is stored):
 *   changed         the state, the texts, or the helper's connections changed: re-read.
 *   show-cert       (int err) a certificate needs the user: 0 while the login asks about
 *                   one, -ERR_CERT_UNTRUSTED or -ERR_CERT_PIN_MISMATCH after it failed on it;
 *                   the login controller holds the host and the report.
 *   show-banner     (string) the gateway's post-login message waits for an answer.
 *   close-dialogs   a new login takes over: dialogs of the old one are moot.
 *   relogin-started (string gateway) the helper asked for a new login of that gateway.
 *   started         (string path) Manager.Connect answered with this connection object.
 */
#include <gio/gio.h>

#include "gui-agent.h"
#include "gui-helper-client.h"
#include "gui-login.h"
#include "prefs.h"

G_BEGIN_DECLS

typedef enum {
	GUI_FLOW_IDLE,
	GUI_FLOW_LOGIN,    /* the login controller runs (see its phase) */
	GUI_FLOW_BANNER,   /* the post-login banner waits for an answer */
	GUI_FLOW_STARTING, /* Manager.Connect is on its way */
} GuiFlowState;

#define GUI_TYPE_FLOW (gui_flow_get_type())
G_DECLARE_FINAL_TYPE(GuiFlow, gui_flow, GUI, FLOW, GObject)

/* Keeps references to the login, the client and the agent; prefs must outlive the flow. */
GuiFlow *gui_flow_new(struct prefs *prefs, GuiLogin *login, GuiHelperClient *client,
                      GuiAgent *agent);
/* The CA file every later login trusts instead of the system's (NULL: the system's). */
void gui_flow_set_cafile(GuiFlow *self, const char *cafile);

GuiFlowState gui_flow_get_state(GuiFlow *self);
/* Whether the running login serves a helper's Relogin request. */
gboolean gui_flow_is_relogin(GuiFlow *self);
/* What the progress view says now (translated). */
const char *gui_flow_get_progress_text(GuiFlow *self);
/* The last failure to show on the connect view, or NULL. */
const char *gui_flow_get_error(GuiFlow *self);
/* Connection events report failures on the same view; NULL clears it. */
void gui_flow_set_error(GuiFlow *self, const char *error);

/* Refused while a re-login runs or a connection is being started. */
void gui_flow_start_login(GuiFlow *self, const char *gateway);
void gui_flow_cancel(GuiFlow *self);
void gui_flow_answer_banner(GuiFlow *self, gboolean accept);
/* The application quits: a pending re-login is answered as cancelled. */
void gui_flow_shutdown(GuiFlow *self);

G_END_DECLS
