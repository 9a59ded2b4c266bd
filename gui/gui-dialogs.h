/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The app's message dialogs (AdwMessageDialog: libadwaita 1.2 has no AdwAlertDialog). */
#include <adwaita.h>

#include "tls-conn.h"

G_BEGIN_DECLS

typedef enum {
	/* "Block connections to untrusted servers" is off: the user may go on.
	 * Responses: "cancel", "once" (AUTH_CERT_ACCEPT_ONCE), "always" (AUTH_CERT_ACCEPT_ALWAYS).
	 */
	GUI_DIALOGS_CERT_PROMPT,
	/* Blocked (the default).  Responses: "close", "preferences". */
	GUI_DIALOGS_CERT_BLOCKED,
	/* A pinned certificate changed: a hard failure.  Response: "close". */
	GUI_DIALOGS_CERT_PIN_MISMATCH,
} GuiDialogsCertMode;

/*
 * The certificate details are labels named cert-problem, cert-subject, cert-issuer,
 * cert-valid-from, cert-valid-until, cert-pin and cert-sha1 (tests look them up).
 */
GtkWidget *gui_dialogs_cert_new(GtkWindow *parent, GuiDialogsCertMode mode, const char *host,
                                const struct tls_cert_report *rep);

/* The gateway's post-login banner.  Responses: "decline", "accept".  The text is the label
 * named banner-text. */
GtkWidget *gui_dialogs_banner_new(GtkWindow *parent, const char *banner);

/* A simple error message.  Response: "close". */
GtkWidget *gui_dialogs_error_new(GtkWindow *parent, const char *heading, const char *body);

/* Finds a descendant widget by its name (gtk_widget_set_name), depth first; for tests. */
GtkWidget *gui_dialogs_find_named(GtkWidget *root, const char *name);

G_END_DECLS
