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
	SSLVPN_CERT_DIALOG_PROMPT,
	/* Blocked (the default).  Responses: "close", "preferences". */
	SSLVPN_CERT_DIALOG_BLOCKED,
	/* A pinned certificate changed: a hard failure.  Response: "close". */
	SSLVPN_CERT_DIALOG_PIN_MISMATCH,
} SslvpnCertDialogMode;

/*
 * The certificate details are labels named cert-problem, cert-subject, cert-issuer,
 * cert-valid-from, cert-valid-until, cert-pin and cert-sha1 (tests look them up).
 */
GtkWidget *sslvpn_cert_dialog_new(GtkWindow *parent, SslvpnCertDialogMode mode, const char *host,
                                  const struct tls_cert_report *rep);

/* The gateway's post-login banner.  Responses: "decline", "accept".  The text is the label
 * named banner-text. */
GtkWidget *sslvpn_banner_dialog_new(GtkWindow *parent, const char *banner);

/* A simple error message.  Response: "close". */
GtkWidget *sslvpn_error_dialog_new(GtkWindow *parent, const char *heading, const char *body);

/* Finds a descendant widget by its name (gtk_widget_set_name), depth first; for tests. */
GtkWidget *sslvpn_find_named(GtkWidget *root, const char *name);

G_END_DECLS
