// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include "gui-dialogs.h"

#include <glib/gi18n.h>

#include "gui-format.h"

GtkWidget *gui_dialogs_find_named(GtkWidget *root, const char *name)
{
	if (!root)
		return NULL;
	if (g_strcmp0(gtk_widget_get_name(root), name) == 0)
		return root;
	for (GtkWidget *c = gtk_widget_get_first_child(root); c;
	     c = gtk_widget_get_next_sibling(c)) {
		GtkWidget *found = gui_dialogs_find_named(c, name);

		if (found)
			return found;
	}
	return NULL;
}

/* Key above value: a plain vertical list lays out predictably at any dialog width. */
static void add_row(GtkBox *box, const char *what, const char *name, const char *value,
                    gboolean monospace)
{
	g_autofree char *clean = gui_format_text_sanitize(value);
	GtkWidget *key = gtk_label_new(what);
	GtkWidget *val = gtk_label_new(clean);

	gtk_label_set_xalign(GTK_LABEL(key), 0);
	gtk_widget_add_css_class(key, "caption-heading");
	gtk_widget_add_css_class(key, "dim-label");
	gtk_label_set_xalign(GTK_LABEL(val), 0);
	gtk_label_set_wrap(GTK_LABEL(val), TRUE);
	/* Fingerprints have no words: break them anywhere rather than after "pin-". */
	gtk_label_set_wrap_mode(GTK_LABEL(val), monospace ? PANGO_WRAP_CHAR : PANGO_WRAP_WORD_CHAR);
	gtk_label_set_selectable(GTK_LABEL(val), TRUE);
	gtk_widget_set_focusable(val, FALSE);
	gtk_widget_set_name(val, name);
	gtk_widget_set_margin_bottom(val, 6);
	if (monospace)
		gtk_widget_add_css_class(val, "monospace");
	gtk_box_append(box, key);
	gtk_box_append(box, val);
}

static GtkWidget *cert_details(const struct tls_cert_report *rep)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
	g_autofree char *problems = gui_format_cert_problems(rep);
	g_autofree char *from = gui_format_date(rep->not_before);
	g_autofree char *until = gui_format_date(rep->not_after);

	if (*problems)
		add_row(GTK_BOX(box), _("Problem"), "cert-problem", problems, FALSE);
	add_row(GTK_BOX(box), _("Subject"), "cert-subject", rep->subject, FALSE);
	add_row(GTK_BOX(box), _("Issuer"), "cert-issuer", rep->issuer, FALSE);
	add_row(GTK_BOX(box), _("Valid from"), "cert-valid-from", from, FALSE);
	add_row(GTK_BOX(box), _("Valid until"), "cert-valid-until", until, FALSE);
	add_row(GTK_BOX(box), _("Key fingerprint (SHA-256)"), "cert-pin", rep->pin, TRUE);
	add_row(GTK_BOX(box), _("Certificate fingerprint (SHA-1)"), "cert-sha1", rep->sha1, TRUE);
	return box;
}

GtkWidget *gui_dialogs_cert_new(GtkWindow *parent, GuiDialogsCertMode mode, const char *host,
                                const struct tls_cert_report *rep)
{
	g_autofree char *clean_host = gui_format_text_sanitize(host);
	AdwMessageDialog *d;

	switch (mode) {
	case GUI_DIALOGS_CERT_PROMPT:
		d = ADW_MESSAGE_DIALOG(
		    adw_message_dialog_new(parent, _("Untrusted Certificate"), NULL));
		adw_message_dialog_format_body(
		    d,
		    _("The identity of “%s” cannot be verified. Someone may be impersonating the "
		      "gateway to capture your password. Connect only if you have checked the "
		      "fingerprint with the gateway's administrator."),
		    clean_host);
		adw_message_dialog_add_responses(d, "cancel", _("_Cancel"), "once",
		                                 _("Connect _Anyway"), "always",
		                                 _("Always _Trust This Certificate"), NULL);
		adw_message_dialog_set_response_appearance(d, "once", ADW_RESPONSE_DESTRUCTIVE);
		adw_message_dialog_set_response_appearance(d, "always", ADW_RESPONSE_DESTRUCTIVE);
		adw_message_dialog_set_default_response(d, "cancel");
		adw_message_dialog_set_close_response(d, "cancel");
		break;
	case GUI_DIALOGS_CERT_BLOCKED:
		d = ADW_MESSAGE_DIALOG(
		    adw_message_dialog_new(parent, _("Connection Blocked"), NULL));
		adw_message_dialog_format_body(
		    d,
		    _("The certificate of “%s” is not trusted, so the connection was blocked to "
		      "protect your password. If the gateway's administrator confirms the "
		      "fingerprint below, you can turn off “Block connections to untrusted "
		      "servers” in Preferences and connect again."),
		    clean_host);
		adw_message_dialog_add_responses(d, "preferences", _("_Preferences"), "close",
		                                 _("_Close"), NULL);
		adw_message_dialog_set_default_response(d, "close");
		adw_message_dialog_set_close_response(d, "close");
		break;
	case GUI_DIALOGS_CERT_PIN_MISMATCH:
	default:
		d = ADW_MESSAGE_DIALOG(
		    adw_message_dialog_new(parent, _("Certificate Changed"), NULL));
		adw_message_dialog_format_body(
		    d,
		    _("“%s” presented a different certificate from the one you chose to trust. "
		      "Someone may be intercepting the connection, so it was refused. If the "
		      "gateway's administrator replaced the certificate, remove the gateway's "
		      "saved certificate from the preferences file and connect again."),
		    clean_host);
		adw_message_dialog_add_responses(d, "close", _("_Close"), NULL);
		adw_message_dialog_set_default_response(d, "close");
		adw_message_dialog_set_close_response(d, "close");
		break;
	}
	if (rep && rep->present)
		adw_message_dialog_set_extra_child(d, cert_details(rep));
	gtk_widget_set_name(GTK_WIDGET(d), mode == GUI_DIALOGS_CERT_PROMPT    ? "cert-prompt"
	                                   : mode == GUI_DIALOGS_CERT_BLOCKED ? "cert-blocked"
	                                                                      : "cert-changed");
	return GTK_WIDGET(d);
}

GtkWidget *gui_dialogs_banner_new(GtkWindow *parent, const char *banner)
{
	g_autofree char *clean = gui_format_text_sanitize(banner);
	AdwMessageDialog *d =
	    ADW_MESSAGE_DIALOG(adw_message_dialog_new(parent, _("Message from the Gateway"), NULL));
	GtkWidget *scroll = gtk_scrolled_window_new();
	GtkWidget *label = gtk_label_new(clean);

	adw_message_dialog_set_body(d, _("Accept this message to start the VPN connection."));
	gtk_label_set_wrap(GTK_LABEL(label), TRUE);
	gtk_label_set_wrap_mode(GTK_LABEL(label), PANGO_WRAP_WORD_CHAR);
	gtk_label_set_xalign(GTK_LABEL(label), 0);
	gtk_label_set_yalign(GTK_LABEL(label), 0);
	gtk_label_set_selectable(GTK_LABEL(label), TRUE);
	gtk_widget_set_focusable(label, FALSE);
	gtk_widget_set_name(label, "banner-text");
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), label);
	gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(scroll), GTK_POLICY_NEVER,
	                               GTK_POLICY_AUTOMATIC);
	gtk_scrolled_window_set_propagate_natural_height(GTK_SCROLLED_WINDOW(scroll), TRUE);
	gtk_scrolled_window_set_max_content_height(GTK_SCROLLED_WINDOW(scroll), 320);
	gtk_widget_add_css_class(scroll, "card");
	gtk_widget_set_margin_top(label, 12);
	gtk_widget_set_margin_bottom(label, 12);
	gtk_widget_set_margin_start(label, 12);
	gtk_widget_set_margin_end(label, 12);
	adw_message_dialog_set_extra_child(d, scroll);
	adw_message_dialog_add_responses(d, "decline", _("_Decline"), "accept", _("_Accept"), NULL);
	adw_message_dialog_set_response_appearance(d, "accept", ADW_RESPONSE_SUGGESTED);
	adw_message_dialog_set_default_response(d, "accept");
	adw_message_dialog_set_close_response(d, "decline");
	gtk_widget_set_name(GTK_WIDGET(d), "banner");
	return GTK_WIDGET(d);
}

GtkWidget *gui_dialogs_error_new(GtkWindow *parent, const char *heading, const char *body)
{
	g_autofree char *clean = gui_format_text_sanitize(body);
	AdwMessageDialog *d = ADW_MESSAGE_DIALOG(adw_message_dialog_new(parent, heading, clean));

	adw_message_dialog_add_responses(d, "close", _("_Close"), NULL);
	adw_message_dialog_set_default_response(d, "close");
	adw_message_dialog_set_close_response(d, "close");
	gtk_widget_set_name(GTK_WIDGET(d), "error");
	return GTK_WIDGET(d);
}
