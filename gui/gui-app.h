/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * SslvpnApplication: owns the preferences, the login controller, the helper client, the
 * re-login agent and the tray item, and runs the connection flow between them (login, banner,
 * Manager.Connect; or a re-login whose cookie goes back to the helper).
 * Flow: docs/state-machines.md "GUI flow".
 *
 * Actions (callable over the session bus: org.gtk.Actions on /org/sslvpn/Client):
 * app.connect(s gateway), app.disconnect, app.show, app.quit, app.preferences, app.about,
 * app.select-group(s value or label: the group list of the form on screen).
 */
#include <adwaita.h>

#include "gui-agent.h"
#include "gui-helper.h"
#include "gui-login.h"
#include "gui-tray.h"
#include "prefs.h"

G_BEGIN_DECLS

#define SSLVPN_APP_ID "org.sslvpn.Client"

typedef enum {
	SSLVPN_FLOW_IDLE,
	SSLVPN_FLOW_LOGIN,    /* the login controller runs (see its phase) */
	SSLVPN_FLOW_BANNER,   /* the post-login banner waits for an answer */
	SSLVPN_FLOW_STARTING, /* Manager.Connect is on its way */
} SslvpnFlow;

#define SSLVPN_TYPE_APPLICATION (sslvpn_application_get_type())
G_DECLARE_FINAL_TYPE(SslvpnApplication, sslvpn_application, SSLVPN, APPLICATION, AdwApplication)

SslvpnApplication *sslvpn_application_new(void);

struct prefs *sslvpn_application_get_prefs(SslvpnApplication *self);
SslvpnLogin *sslvpn_application_get_login(SslvpnApplication *self);
SslvpnHelperClient *sslvpn_application_get_helper(SslvpnApplication *self);
SslvpnTray *sslvpn_application_get_tray(SslvpnApplication *self);

SslvpnFlow sslvpn_application_get_flow(SslvpnApplication *self);
/* Whether the running login serves a helper's Relogin request. */
gboolean sslvpn_application_is_relogin(SslvpnApplication *self);
/* What the progress view says now (translated). */
const char *sslvpn_application_get_progress_text(SslvpnApplication *self);
/* The last failure to show on the connect view, or NULL. */
const char *sslvpn_application_get_error(SslvpnApplication *self);
/* The gateway to preselect: the last one used, or NULL. */
const char *sslvpn_application_get_last_gateway(SslvpnApplication *self);

void sslvpn_application_start_login(SslvpnApplication *self, const char *gateway);
/* The window copied the user's input into the form: post it. */
void sslvpn_application_submit(SslvpnApplication *self);
void sslvpn_application_choose_group(SslvpnApplication *self, const char *group);
void sslvpn_application_cancel(SslvpnApplication *self);
void sslvpn_application_disconnect(SslvpnApplication *self);
void sslvpn_application_answer_cert(SslvpnApplication *self, enum auth_cert_answer answer);
void sslvpn_application_answer_banner(SslvpnApplication *self, gboolean accept);
void sslvpn_application_show_preferences(SslvpnApplication *self);

G_END_DECLS
