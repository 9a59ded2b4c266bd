/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The main window: a view of the application's state (gui-app.h), re-read on every "changed"
 * of the application.  Pages: "connect" (gateway chooser), "login" (the gateway's form),
 * "progress" (what the login or the helper is doing), "status" (the helper's connection).
 */
#include <adwaita.h>

#include "gui-app.h"
#include "gui-dialogs.h"
#include "gui-form-view.h"

G_BEGIN_DECLS

#define SSLVPN_TYPE_WINDOW (sslvpn_window_get_type())
G_DECLARE_FINAL_TYPE(SslvpnWindow, sslvpn_window, SSLVPN, WINDOW, AdwApplicationWindow)

SslvpnWindow *sslvpn_window_new(SslvpnApplication *app);
void sslvpn_window_sync(SslvpnWindow *self);
const char *sslvpn_window_get_page(SslvpnWindow *self);
SslvpnFormView *sslvpn_window_get_form_view(SslvpnWindow *self);

/* Modal questions; the answers go back to the application. */
void sslvpn_window_show_cert(SslvpnWindow *self, SslvpnCertDialogMode mode, const char *host,
                             const struct tls_cert_report *rep);
void sslvpn_window_show_banner(SslvpnWindow *self, const char *banner);
void sslvpn_window_show_error(SslvpnWindow *self, const char *heading, const char *body);
/* Closes any of the above without answering (a re-login that was cancelled). */
void sslvpn_window_close_dialogs(SslvpnWindow *self);

G_END_DECLS
