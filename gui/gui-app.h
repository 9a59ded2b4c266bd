/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * GuiApp: owns the preferences, the login controller, the helper client, the re-login agent,
 * the connect flow between them (gui-flow.h) and the tray item; keeps the window, the tray and
 * the notifications in step with them.
 *
 * Actions (callable over the session bus: org.gtk.Actions on /org/sslvpn/Client):
 * app.connect(s gateway), app.disconnect, app.show, app.quit, app.preferences, app.about,
 * app.select-group(s value or label: the group list of the form on screen).
 */
#include <adwaita.h>

#include "gui-agent.h"
#include "gui-flow.h"
#include "gui-helper-client.h"
#include "gui-login.h"
#include "gui-tray.h"
#include "prefs.h"

G_BEGIN_DECLS

#define GUI_APP_ID "org.sslvpn.Client"

#define GUI_TYPE_APP (gui_app_get_type())
G_DECLARE_FINAL_TYPE(GuiApp, gui_app, GUI, APP, AdwApplication)

GuiApp *gui_app_new(void);

struct prefs *gui_app_get_prefs(GuiApp *self);
GuiLogin *gui_app_get_login(GuiApp *self);
GuiHelperClient *gui_app_get_helper_client(GuiApp *self);
GuiTray *gui_app_get_tray(GuiApp *self);

GuiFlow *gui_app_get_flow(GuiApp *self);
/* The gateway to preselect: the last one used, or NULL. */
const char *gui_app_get_last_gateway(GuiApp *self);

/* The window copied the user's input into the form: post it. */
void gui_app_submit(GuiApp *self);
void gui_app_choose_group(GuiApp *self, const char *group);
void gui_app_disconnect(GuiApp *self);
void gui_app_answer_cert(GuiApp *self, enum auth_cert_answer answer);
void gui_app_show_preferences(GuiApp *self);

G_END_DECLS
