/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The main window: a view of the application's state (gui-app.h, gui-flow.h), re-read on every
 * "changed" of the application.  Pages: "connect" (gateway chooser), "login" (the gateway's form),
 * "progress" (what the login or the helper is doing), "status" (the helper's connection).
 */
#include <adwaita.h>

#include "gui-app.h"
#include "gui-dialogs.h"
#include "gui-form-view.h"

G_BEGIN_DECLS

#define GUI_TYPE_WINDOW (gui_window_get_type())
G_DECLARE_FINAL_TYPE(GuiWindow, gui_window, GUI, WINDOW, AdwApplicationWindow)

GuiWindow *gui_window_new(GuiApp *app);
void gui_window_sync(GuiWindow *self);
const char *gui_window_get_page(GuiWindow *self);
GuiFormView *gui_window_get_form_view(GuiWindow *self);

/* Modal questions; the answers go back to the application. */
void gui_window_show_cert(GuiWindow *self, GuiDialogsCertMode mode, const char *host,
                          const struct tls_cert_report *rep);
void gui_window_show_banner(GuiWindow *self, const char *banner);
void gui_window_show_error(GuiWindow *self, const char *heading, const char *body);
/* Closes any of the above without answering (a re-login that was cancelled). */
void gui_window_close_dialogs(GuiWindow *self);

G_END_DECLS
