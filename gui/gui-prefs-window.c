// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include "gui-prefs-window.h"

#include <glib/gi18n.h>

#include "error.h"
#include "gui-errors.h"

typedef void (*prefs_setter)(struct prefs *p, bool value);

static void on_switch(GtkSwitch *sw, GParamSpec *pspec, struct prefs *prefs)
{
	prefs_setter set = (prefs_setter)g_object_get_data(G_OBJECT(sw), "setter");
	int r;

	set(prefs, gtk_switch_get_active(sw));
	r = prefs_save(prefs);
	if (r < 0) {
		GtkWidget *win = GTK_WIDGET(gtk_widget_get_root(GTK_WIDGET(sw)));

		if (ADW_IS_PREFERENCES_WINDOW(win))
			adw_preferences_window_add_toast(ADW_PREFERENCES_WINDOW(win),
			                                 adw_toast_new(gui_errors_message(r)));
	}
}

static GtkWidget *switch_row(struct prefs *prefs, const char *name, const char *title,
                             const char *subtitle, bool active, prefs_setter set)
{
	GtkWidget *row = adw_action_row_new();
	GtkWidget *sw = gtk_switch_new();

	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
	adw_action_row_set_subtitle(ADW_ACTION_ROW(row), subtitle);
	gtk_switch_set_active(GTK_SWITCH(sw), active);
	gtk_widget_set_valign(sw, GTK_ALIGN_CENTER);
	gtk_widget_set_name(sw, name);
	g_object_set_data(G_OBJECT(sw), "setter", (gpointer)set);
	g_signal_connect(sw, "notify::active", G_CALLBACK(on_switch), prefs);
	adw_action_row_add_suffix(ADW_ACTION_ROW(row), sw);
	adw_action_row_set_activatable_widget(ADW_ACTION_ROW(row), sw);
	return row;
}

GtkWidget *gui_prefs_window_new(GtkWindow *parent, struct prefs *prefs)
{
	GtkWidget *win = adw_preferences_window_new();
	GtkWidget *page = adw_preferences_page_new();
	GtkWidget *security = adw_preferences_group_new();
	GtkWidget *connection = adw_preferences_group_new();
	GtkWidget *desktop = adw_preferences_group_new();

	gtk_window_set_title(GTK_WINDOW(win), _("Preferences"));
	gtk_window_set_transient_for(GTK_WINDOW(win), parent);
	gtk_window_set_modal(GTK_WINDOW(win), TRUE);
	gtk_window_set_default_size(GTK_WINDOW(win), 560, 460);
	adw_preferences_window_set_search_enabled(ADW_PREFERENCES_WINDOW(win), FALSE);

	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(security), _("Security"));
	adw_preferences_group_add(
	    ADW_PREFERENCES_GROUP(security),
	    switch_row(prefs, "block-untrusted", _("Block connections to untrusted servers"),
	               _("When off, you are asked about a certificate that cannot be verified "
	                 "every time you connect."),
	               prefs_get_block_untrusted(prefs), prefs_set_block_untrusted));
	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(connection), _("Connection"));
	adw_preferences_group_add(
	    ADW_PREFERENCES_GROUP(connection),
	    switch_row(prefs, "use-dtls", _("Use DTLS"),
	               _("Carry traffic over UDP when the gateway allows it: faster. When off, "
	                 "only TLS over TCP is used."),
	               prefs_get_use_dtls(prefs), prefs_set_use_dtls));
	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(desktop), _("Desktop"));
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(desktop),
	                          switch_row(prefs, "start-in-tray", _("Start in the tray"),
	                                     _("Show only the tray icon when the app starts."),
	                                     prefs_get_start_in_tray(prefs),
	                                     prefs_set_start_in_tray));
	adw_preferences_page_add(ADW_PREFERENCES_PAGE(page), ADW_PREFERENCES_GROUP(security));
	adw_preferences_page_add(ADW_PREFERENCES_PAGE(page), ADW_PREFERENCES_GROUP(connection));
	adw_preferences_page_add(ADW_PREFERENCES_PAGE(page), ADW_PREFERENCES_GROUP(desktop));
	adw_preferences_window_add(ADW_PREFERENCES_WINDOW(win), ADW_PREFERENCES_PAGE(page));
	gtk_widget_set_name(win, "preferences");
	return win;
}
