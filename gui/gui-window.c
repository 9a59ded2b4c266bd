// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include "gui-window.h"

#include <glib/gi18n.h>

#include "error.h"
#include "gui-errors.h"
#include "gui-format.h"

struct _GuiWindow {
	AdwApplicationWindow parent_instance;
	GuiApp *app; /* borrowed: the application outlives its windows */

	GtkWidget *stack;
	/* connect */
	GtkWidget *gateway_entry, *recent_group, *recent_list, *connect_error, *connect_button;
	/* login */
	GtkWidget *login_title, *login_subtitle, *form_view, *login_button;
	/* progress */
	GtkWidget *spinner, *progress_label, *progress_cancel;
	/* status */
	GtkWidget *status_icon, *status_title, *status_gateway;
	GtkWidget *row_state, *row_transport, *row_address, *row_interface, *row_routes, *row_dns,
	    *row_sent, *row_received, *row_since, *row_error, *disconnect_button;
	guint tick_id;

	GtkWidget *dialog;   /* the open question, if any */
	char *rendered_form; /* identity of the form on screen, to keep the user's typing */
	gboolean recent_filled;
};

G_DEFINE_FINAL_TYPE(GuiWindow, gui_window, ADW_TYPE_APPLICATION_WINDOW)

/* ---- helpers ---- */

static GtkWidget *clamp_page(GtkWidget *child)
{
	GtkWidget *clamp = adw_clamp_new();
	GtkWidget *scroll = gtk_scrolled_window_new();

	adw_clamp_set_maximum_size(ADW_CLAMP(clamp), 520);
	gtk_widget_set_margin_top(child, 24);
	gtk_widget_set_margin_bottom(child, 24);
	gtk_widget_set_margin_start(child, 12);
	gtk_widget_set_margin_end(child, 12);
	adw_clamp_set_child(ADW_CLAMP(clamp), child);
	gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(scroll), GTK_POLICY_NEVER,
	                               GTK_POLICY_AUTOMATIC);
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), clamp);
	return scroll;
}

static GtkWidget *pill_button(const char *label, const char *style)
{
	GtkWidget *b = gtk_button_new_with_mnemonic(label);

	gtk_widget_add_css_class(b, "pill");
	if (style)
		gtk_widget_add_css_class(b, style);
	gtk_widget_set_halign(b, GTK_ALIGN_CENTER);
	return b;
}

static GtkWidget *info_row(GtkWidget *group, const char *title, const char *name)
{
	GtkWidget *row = adw_action_row_new();
	GtkWidget *value = gtk_label_new(NULL);

	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
	gtk_label_set_xalign(GTK_LABEL(value), 1);
	gtk_label_set_wrap(GTK_LABEL(value), TRUE);
	gtk_label_set_wrap_mode(GTK_LABEL(value), PANGO_WRAP_WORD_CHAR);
	gtk_label_set_justify(GTK_LABEL(value), GTK_JUSTIFY_RIGHT);
	gtk_label_set_selectable(GTK_LABEL(value), TRUE);
	/* A suffix gets only its minimum width unless it asks for more. */
	gtk_label_set_width_chars(GTK_LABEL(value), 18);
	gtk_label_set_max_width_chars(GTK_LABEL(value), 40);
	gtk_widget_set_hexpand(value, TRUE);
	gtk_widget_set_focusable(value, FALSE);
	gtk_widget_add_css_class(value, "dim-label");
	gtk_widget_set_name(value, name);
	adw_action_row_add_suffix(ADW_ACTION_ROW(row), value);
	g_object_set_data(G_OBJECT(row), "value", value);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), row);
	return row;
}

static void set_row(GtkWidget *row, const char *value)
{
	g_autofree char *clean = gui_format_text_sanitize(value && *value ? value : "—");

	gtk_label_set_text(GTK_LABEL(g_object_get_data(G_OBJECT(row), "value")), clean);
}

/* ---- connect page ---- */

static void on_connect_clicked(GtkButton *b, GuiWindow *self)
{
	g_autofree char *text =
	    g_strstrip(g_strdup(gtk_editable_get_text(GTK_EDITABLE(self->gateway_entry))));

	if (!*text) {
		gtk_widget_grab_focus(self->gateway_entry);
		return;
	}
	gui_flow_start_login(gui_app_get_flow(self->app), text);
}

static void on_recent_selected(GtkListBox *box, GtkListBoxRow *row, GuiWindow *self)
{
	const char *address = row ? g_object_get_data(G_OBJECT(row), "gateway") : NULL;

	if (address)
		gtk_editable_set_text(GTK_EDITABLE(self->gateway_entry), address);
}

static void on_recent_activated(GtkListBox *box, GtkListBoxRow *row, GuiWindow *self)
{
	on_recent_selected(box, row, self);
	on_connect_clicked(NULL, self);
}

static void add_recent(GuiWindow *self, GHashTable *seen, const char *title, const char *address,
                       const char *select)
{
	g_autofree char *clean_title = NULL, *clean_address = NULL;
	g_autofree char *url = gui_format_gateway(address);
	GtkWidget *row;

	if (!address || !*address || g_hash_table_contains(seen, url))
		return;
	g_hash_table_add(seen, g_strdup(url));
	address = url;
	clean_title = gui_format_text_sanitize(title && *title ? title : address);
	clean_address = gui_format_text_sanitize(address);
	row = adw_action_row_new();
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), clean_title);
	if (title && *title && g_strcmp0(title, address) != 0)
		adw_action_row_set_subtitle(ADW_ACTION_ROW(row), clean_address);
	adw_action_row_add_prefix(ADW_ACTION_ROW(row),
	                          gtk_image_new_from_icon_name("network-server-symbolic"));
	gtk_list_box_row_set_activatable(GTK_LIST_BOX_ROW(row), TRUE);
	g_object_set_data_full(G_OBJECT(row), "gateway", g_strdup(address), g_free);
	gtk_list_box_append(GTK_LIST_BOX(self->recent_list), row);
	if (select && g_str_equal(select, address))
		gtk_list_box_select_row(GTK_LIST_BOX(self->recent_list), GTK_LIST_BOX_ROW(row));
}

/* The chooser: gateways used before (newest first) and the servers of their cached profiles. */
static void fill_recent(GuiWindow *self)
{
	struct prefs *prefs = gui_app_get_prefs(self->app);
	g_autofree char *last = gui_format_gateway(gui_app_get_last_gateway(self->app));
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GtkWidget *child;
	size_t n;

	while ((child = gtk_widget_get_first_child(self->recent_list)))
		gtk_list_box_remove(GTK_LIST_BOX(self->recent_list), child);
	n = prefs ? prefs_gateway_count(prefs) : 0;
	for (size_t i = 0; i < n; i++) {
		struct prefs_gateway *g = prefs_gateway_at(prefs, i);
		const char *key = prefs_gateway_key(g);
		size_t servers = prefs_server_list_count(prefs, key);

		if (prefs_gateway_get_last_used(g) > 0) {
			const char *title = prefs_gateway_get_display_name(g);

			/* Without a display name, the profile's name for that server. */
			for (size_t j = 0; !title && j < servers; j++) {
				const char *name, *address, *group;
				g_autofree char *url = NULL;

				if (prefs_server_list_at(prefs, key, j, &name, &address, &group) <
				    0)
					continue;
				g_autofree char *k = gui_format_gateway(key);

				url = g_strconcat("https://", address, NULL);
				if (*name && g_str_equal(url, k))
					title = name;
			}
			add_recent(self, seen, title, key, last);
		}
		for (size_t j = 0; j < servers; j++) {
			const char *name, *address, *group;
			g_autofree char *url = NULL;

			if (prefs_server_list_at(prefs, key, j, &name, &address, &group) < 0)
				continue;
			url = g_str_has_prefix(address, "https://")
			          ? g_strdup(address)
			          : g_strconcat("https://", address, NULL);
			add_recent(self, seen, name, url, last);
		}
	}
	gtk_widget_set_visible(self->recent_group,
	                       gtk_widget_get_first_child(self->recent_list) != NULL);
	if (*last && !*gtk_editable_get_text(GTK_EDITABLE(self->gateway_entry)))
		gtk_editable_set_text(GTK_EDITABLE(self->gateway_entry), last);
}

static GtkWidget *build_connect_page(GuiWindow *self)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 18);
	GtkWidget *icon = gtk_image_new_from_icon_name("org.sslvpn.Client");
	GtkWidget *title = gtk_label_new(_("Connect to a VPN Gateway"));
	GtkWidget *group = adw_preferences_group_new();
	GtkWidget *hint;

	gtk_image_set_pixel_size(GTK_IMAGE(icon), 80);
	gtk_widget_add_css_class(title, "title-1");
	gtk_label_set_wrap(GTK_LABEL(title), TRUE);
	gtk_label_set_justify(GTK_LABEL(title), GTK_JUSTIFY_CENTER);
	gtk_box_append(GTK_BOX(box), icon);
	gtk_box_append(GTK_BOX(box), title);
	self->connect_error = gtk_label_new(NULL);
	gtk_widget_set_name(self->connect_error, "connect-error");
	gtk_label_set_wrap(GTK_LABEL(self->connect_error), TRUE);
	gtk_label_set_wrap_mode(GTK_LABEL(self->connect_error), PANGO_WRAP_WORD_CHAR);
	gtk_label_set_xalign(GTK_LABEL(self->connect_error), 0);
	gtk_label_set_selectable(GTK_LABEL(self->connect_error), TRUE);
	gtk_widget_set_focusable(self->connect_error, FALSE);
	gtk_widget_add_css_class(self->connect_error, "error");
	gtk_widget_set_visible(self->connect_error, FALSE);
	gtk_box_append(GTK_BOX(box), self->connect_error);

	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(group), _("Gateway"));
	self->gateway_entry = gtk_entry_new();
	gtk_widget_set_name(self->gateway_entry, "gateway");
	gtk_entry_set_placeholder_text(GTK_ENTRY(self->gateway_entry), _("vpn.example.com"));
	gtk_entry_set_input_purpose(GTK_ENTRY(self->gateway_entry), GTK_INPUT_PURPOSE_URL);
	gtk_accessible_update_property(GTK_ACCESSIBLE(self->gateway_entry),
	                               GTK_ACCESSIBLE_PROPERTY_LABEL, _("Gateway address"), -1);
	g_signal_connect(self->gateway_entry, "activate", G_CALLBACK(on_connect_clicked), self);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), self->gateway_entry);
	hint = gtk_label_new(_("A host name or address, optionally with a port and a group path, "
	                       "for example vpn.example.com/staff."));
	gtk_label_set_wrap(GTK_LABEL(hint), TRUE);
	gtk_label_set_xalign(GTK_LABEL(hint), 0);
	gtk_widget_add_css_class(hint, "dim-label");
	gtk_widget_add_css_class(hint, "caption");
	gtk_widget_set_margin_top(hint, 6);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), hint);
	gtk_box_append(GTK_BOX(box), group);

	self->recent_group = adw_preferences_group_new();
	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(self->recent_group),
	                                _("Known Gateways"));
	self->recent_list = gtk_list_box_new();
	gtk_widget_add_css_class(self->recent_list, "boxed-list");
	gtk_list_box_set_selection_mode(GTK_LIST_BOX(self->recent_list), GTK_SELECTION_SINGLE);
	gtk_accessible_update_property(GTK_ACCESSIBLE(self->recent_list),
	                               GTK_ACCESSIBLE_PROPERTY_LABEL, _("Known Gateways"), -1);
	g_signal_connect(self->recent_list, "row-selected", G_CALLBACK(on_recent_selected), self);
	g_signal_connect(self->recent_list, "row-activated", G_CALLBACK(on_recent_activated), self);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(self->recent_group), self->recent_list);
	gtk_box_append(GTK_BOX(box), self->recent_group);

	self->connect_button = pill_button(_("_Connect"), "suggested-action");
	gtk_widget_set_name(self->connect_button, "connect");
	g_signal_connect(self->connect_button, "clicked", G_CALLBACK(on_connect_clicked), self);
	gtk_box_append(GTK_BOX(box), self->connect_button);
	return clamp_page(box);
}

/* ---- login page ---- */

static void on_login_clicked(GtkButton *b, GuiWindow *self)
{
	GuiLogin *login = gui_app_get_login(self->app);
	struct auth_form *form = gui_login_get_form(login);
	const char *bad = NULL;
	int r;

	if (!form)
		return;
	r = gui_form_view_apply(GUI_FORM_VIEW(self->form_view), form, &bad);
	if (r < 0) {
		g_autofree char *body = g_strdup_printf(_("The value of “%s” cannot be used: %s"),
		                                        bad ? bad : "?", gui_errors_message(r));

		gui_window_show_error(self, _("Check Your Input"), body);
		return;
	}
	if (!auth_form_confirmations_match(form)) {
		gui_window_show_error(
		    self, _("Check Your Input"),
		    _("The two entries of the new password or PIN do not match."));
		return;
	}
	gui_app_submit(self->app);
}

static void on_form_submit(GuiFormView *view, GuiWindow *self)
{
	on_login_clicked(NULL, self);
}

static void on_group_changed(GuiFormView *view, const char *value, GuiWindow *self)
{
	gui_app_choose_group(self->app, value);
}

static void on_cancel_clicked(GtkButton *b, GuiWindow *self)
{
	gui_flow_cancel(gui_app_get_flow(self->app));
}

static GtkWidget *build_login_page(GuiWindow *self)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 18);
	GtkWidget *buttons = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
	GtkWidget *cancel;

	self->login_title = gtk_label_new(NULL);
	gtk_widget_add_css_class(self->login_title, "title-2");
	gtk_label_set_wrap(GTK_LABEL(self->login_title), TRUE);
	gtk_box_append(GTK_BOX(box), self->login_title);
	self->login_subtitle = gtk_label_new(NULL);
	gtk_widget_add_css_class(self->login_subtitle, "dim-label");
	gtk_label_set_wrap(GTK_LABEL(self->login_subtitle), TRUE);
	gtk_label_set_justify(GTK_LABEL(self->login_subtitle), GTK_JUSTIFY_CENTER);
	gtk_label_set_wrap_mode(GTK_LABEL(self->login_subtitle), PANGO_WRAP_WORD_CHAR);
	gtk_box_append(GTK_BOX(box), self->login_subtitle);

	self->form_view = gui_form_view_new();
	g_signal_connect(self->form_view, "submit", G_CALLBACK(on_form_submit), self);
	g_signal_connect(self->form_view, "group-changed", G_CALLBACK(on_group_changed), self);
	gtk_box_append(GTK_BOX(box), self->form_view);

	gtk_widget_set_halign(buttons, GTK_ALIGN_END);
	gtk_widget_set_margin_top(buttons, 6);
	cancel = gtk_button_new_with_mnemonic(_("_Cancel"));
	gtk_widget_set_name(cancel, "login-cancel");
	g_signal_connect(cancel, "clicked", G_CALLBACK(on_cancel_clicked), self);
	self->login_button = gtk_button_new_with_mnemonic(_("_Log In"));
	gtk_widget_set_name(self->login_button, "login");
	gtk_widget_add_css_class(self->login_button, "suggested-action");
	g_signal_connect(self->login_button, "clicked", G_CALLBACK(on_login_clicked), self);
	gtk_box_append(GTK_BOX(buttons), cancel);
	gtk_box_append(GTK_BOX(buttons), self->login_button);
	gtk_box_append(GTK_BOX(box), buttons);
	return clamp_page(box);
}

/* ---- progress page ---- */

static GtkWidget *build_progress_page(GuiWindow *self)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 18);

	gtk_widget_set_valign(box, GTK_ALIGN_CENTER);
	self->spinner = gtk_spinner_new();
	gtk_widget_set_size_request(self->spinner, 48, 48);
	gtk_box_append(GTK_BOX(box), self->spinner);
	self->progress_label = gtk_label_new(NULL);
	gtk_widget_set_name(self->progress_label, "progress-text");
	gtk_widget_add_css_class(self->progress_label, "title-3");
	gtk_label_set_wrap(GTK_LABEL(self->progress_label), TRUE);
	gtk_label_set_justify(GTK_LABEL(self->progress_label), GTK_JUSTIFY_CENTER);
	gtk_box_append(GTK_BOX(box), self->progress_label);
	self->progress_cancel = pill_button(_("_Cancel"), NULL);
	gtk_widget_set_name(self->progress_cancel, "progress-cancel");
	g_signal_connect(self->progress_cancel, "clicked", G_CALLBACK(on_cancel_clicked), self);
	gtk_box_append(GTK_BOX(box), self->progress_cancel);
	return clamp_page(box);
}

/* ---- status page ---- */

static void on_disconnect_clicked(GtkButton *b, GuiWindow *self)
{
	gui_app_disconnect(self->app);
}

static GtkWidget *build_status_page(GuiWindow *self)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
	GtkWidget *group = adw_preferences_group_new();

	self->status_icon = gtk_image_new_from_icon_name("org.sslvpn.Client-connected-symbolic");
	gtk_image_set_pixel_size(GTK_IMAGE(self->status_icon), 48);
	gtk_widget_add_css_class(self->status_icon, "dim-label");
	gtk_box_append(GTK_BOX(box), self->status_icon);
	self->status_title = gtk_label_new(NULL);
	gtk_widget_set_name(self->status_title, "status-title");
	gtk_widget_add_css_class(self->status_title, "title-1");
	gtk_box_append(GTK_BOX(box), self->status_title);
	self->status_gateway = gtk_label_new(NULL);
	gtk_widget_add_css_class(self->status_gateway, "dim-label");
	gtk_label_set_wrap(GTK_LABEL(self->status_gateway), TRUE);
	gtk_label_set_wrap_mode(GTK_LABEL(self->status_gateway), PANGO_WRAP_WORD_CHAR);
	gtk_box_append(GTK_BOX(box), self->status_gateway);
	/* The one thing to do here: above the details, never scrolled out of sight. */
	self->disconnect_button = pill_button(_("_Disconnect"), "destructive-action");
	gtk_widget_set_name(self->disconnect_button, "disconnect");
	g_signal_connect(self->disconnect_button, "clicked", G_CALLBACK(on_disconnect_clicked),
	                 self);
	gtk_box_append(GTK_BOX(box), self->disconnect_button);
	gtk_widget_set_margin_bottom(self->disconnect_button, 6);

	self->row_state = info_row(group, _("State"), "status-state");
	/* The title says it already; the row stays for screen readers reading the list. */
	gtk_widget_set_visible(self->row_state, FALSE);
	self->row_transport = info_row(group, _("Transport"), "status-transport");
	self->row_address = info_row(group, _("Address"), "status-address");
	self->row_interface = info_row(group, _("Interface"), "status-interface");
	self->row_routes = info_row(group, _("Routes"), "status-routes");
	self->row_dns = info_row(group, _("DNS servers"), "status-dns");
	self->row_sent = info_row(group, _("Sent"), "status-sent");
	self->row_received = info_row(group, _("Received"), "status-received");
	self->row_since = info_row(group, _("Connected for"), "status-since");
	self->row_error = info_row(group, _("Last error"), "status-error");
	gtk_box_append(GTK_BOX(box), group);

	return clamp_page(box);
}

static void sync_status(GuiWindow *self, GuiConnection *c)
{
	const char *state = gui_connection_get_state(c);
	g_autofree char *routes = g_strjoinv("\n", (char **)gui_connection_get_routes(c));
	g_autofree char *dns = g_strjoinv("\n", (char **)gui_connection_get_dns(c));
	g_autofree char *sent = gui_format_bytes(gui_connection_get_bytes_sent(c));
	g_autofree char *received = gui_format_bytes(gui_connection_get_bytes_received(c));
	g_autofree char *since = NULL;
	g_autofree char *address = NULL;
	g_autofree char *mtu = NULL;
	const char *a4 = gui_connection_get_address(c), *a6 = gui_connection_get_address6(c);
	guint64 t0 = gui_connection_get_connected_since(c);
	const char *last_error = gui_connection_get_last_error(c);

	gtk_label_set_text(GTK_LABEL(self->status_title), gui_format_state(state));
	{
		g_autofree char *url = gui_format_gateway(gui_connection_get_gateway(c));
		g_autofree char *gw = gui_format_text_sanitize(url);

		gtk_label_set_text(GTK_LABEL(self->status_gateway), gw);
	}
	gtk_image_set_from_icon_name(GTK_IMAGE(self->status_icon),
	                             gui_tray_icon_name(gui_tray_state_from_helper(state)));
	set_row(self->row_state, gui_format_state(state));
	set_row(self->row_transport, gui_format_transport(gui_connection_get_transport(c)));
	address = *a4 && *a6 ? g_strdup_printf("%s\n%s", a4, a6) : g_strdup(*a4 ? a4 : a6);
	set_row(self->row_address, address);
	if (gui_connection_get_mtu(c))
		/* Translators: network interface and its MTU, "sslvpn0 (MTU 1399)". */
		mtu = g_strdup_printf(_("%s (MTU %u)"), gui_connection_get_interface(c),
		                      gui_connection_get_mtu(c));
	set_row(self->row_interface, mtu ? mtu : gui_connection_get_interface(c));
	set_row(self->row_routes, routes);
	set_row(self->row_dns, dns);
	set_row(self->row_sent, sent);
	set_row(self->row_received, received);
	if (t0 > 0 && (g_str_equal(state, "connected") || g_str_equal(state, "reconnecting"))) {
		gint64 now = g_get_real_time() / G_USEC_PER_SEC;

		since = gui_format_duration(now > (gint64)t0 ? now - (gint64)t0 : 0);
	}
	set_row(self->row_since, since);
	gtk_widget_set_visible(self->row_error, *last_error != '\0');
	set_row(self->row_error, gui_errors_message_for_name(last_error));
	gtk_widget_set_sensitive(self->disconnect_button, !g_str_equal(state, "disconnecting"));
}

static gboolean on_tick(gpointer data)
{
	GuiWindow *self = data;
	GuiConnection *c = gui_helper_client_get_current(gui_app_get_helper_client(self->app));

	if (c && g_str_equal(gui_window_get_page(self), "status"))
		sync_status(self, c);
	return G_SOURCE_CONTINUE;
}

/* ---- sync ---- */

static void set_page(GuiWindow *self, const char *page)
{
	GtkWidget *target = gtk_stack_get_child_by_name(GTK_STACK(self->stack), page);

	/* Pages that are not on screen are hidden, not only unmapped: so they leave the
	 * accessibility tree (a screen reader, or a test, sees one page at a time). */
	gtk_widget_set_visible(target, TRUE);
	gtk_stack_set_visible_child(GTK_STACK(self->stack), target);
	for (GtkWidget *c = gtk_widget_get_first_child(self->stack); c;
	     c = gtk_widget_get_next_sibling(c))
		if (c != target)
			gtk_widget_set_visible(c, FALSE);
	gtk_spinner_set_spinning(GTK_SPINNER(self->spinner), g_str_equal(page, "progress"));
}

const char *gui_window_get_page(GuiWindow *self)
{
	return gtk_stack_get_visible_child_name(GTK_STACK(self->stack));
}

static void sync_login(GuiWindow *self, GuiLogin *login)
{
	struct auth_form *form = gui_login_get_form(login);
	g_autofree char *host = gui_format_text_sanitize(gui_login_get_host(login));
	g_autofree char *id = NULL;

	if (!form)
		return;
	/* Re-render only a new form: a sync for another reason must not wipe the typing. */
	id = g_strdup_printf("%p/%s/%zu/%s/%s", (void *)form, form->id, form->n_fields,
	                     form->error ? form->error : "",
	                     auth_form_selected_group(form) ? auth_form_selected_group(form) : "");
	if (g_strcmp0(id, self->rendered_form) != 0) {
		gboolean was_login = g_str_equal(gui_window_get_page(self), "login");

		gui_form_view_render(GUI_FORM_VIEW(self->form_view), form,
		                     gui_login_get_last_user(login));
		g_free(self->rendered_form);
		self->rendered_form = g_steal_pointer(&id);
		set_page(self, "login");
		if (!was_login || !gui_form_view_get_group_widget(GUI_FORM_VIEW(self->form_view)) ||
		    !gtk_widget_has_focus(
		        gui_form_view_get_group_widget(GUI_FORM_VIEW(self->form_view))))
			gui_form_view_focus_first(GUI_FORM_VIEW(self->form_view));
	}
	gtk_label_set_text(GTK_LABEL(self->login_title),
	                   gui_flow_is_relogin(gui_app_get_flow(self->app)) ? _("Log In Again")
	                                                                    : _("Log In"));
	if (gui_flow_is_relogin(gui_app_get_flow(self->app))) {
		g_autofree char *sub = g_strdup_printf(
		    _("The session with %s has expired. Log in again to keep the VPN connected."),
		    host);

		gtk_label_set_text(GTK_LABEL(self->login_subtitle), sub);
	} else {
		gtk_label_set_text(GTK_LABEL(self->login_subtitle), host);
	}
	gtk_window_set_default_widget(GTK_WINDOW(self), self->login_button);
	set_page(self, "login");
}

void gui_window_sync(GuiWindow *self)
{
	GuiLogin *login = gui_app_get_login(self->app);
	GuiHelperClient *helper = gui_app_get_helper_client(self->app);
	GuiConnection *current = gui_helper_client_get_current(helper);
	GuiFlow *flow = gui_app_get_flow(self->app);
	GuiFlowState state = gui_flow_get_state(flow);
	const char *error = gui_flow_get_error(flow);

	if (state == GUI_FLOW_LOGIN && gui_login_get_phase(login) == GUI_LOGIN_FORM) {
		sync_login(self, login);
		return;
	}
	g_clear_pointer(&self->rendered_form, g_free);
	if (state != GUI_FLOW_IDLE) {
		gtk_label_set_text(GTK_LABEL(self->progress_label),
		                   gui_flow_get_progress_text(flow));
		gtk_widget_set_visible(self->progress_cancel, state != GUI_FLOW_STARTING);
		set_page(self, "progress");
		return;
	}
	if (current) {
		sync_status(self, current);
		set_page(self, "status");
		gtk_window_set_default_widget(GTK_WINDOW(self), NULL);
		return;
	}
	if (!self->recent_filled || !g_str_equal(gui_window_get_page(self), "connect")) {
		fill_recent(self);
		self->recent_filled = TRUE;
	}
	gtk_label_set_text(GTK_LABEL(self->connect_error), error ? error : "");
	gtk_widget_set_visible(self->connect_error, error != NULL);
	gtk_window_set_default_widget(GTK_WINDOW(self), self->connect_button);
	set_page(self, "connect");
}

GuiFormView *gui_window_get_form_view(GuiWindow *self)
{
	return GUI_FORM_VIEW(self->form_view);
}

/* ---- dialogs ---- */

static void on_dialog_destroy(GtkWidget *dialog, GuiWindow *self)
{
	if (self->dialog == dialog)
		self->dialog = NULL;
}

static void present_dialog(GuiWindow *self, GtkWidget *dialog)
{
	gui_window_close_dialogs(self);
	self->dialog = dialog;
	g_signal_connect(dialog, "destroy", G_CALLBACK(on_dialog_destroy), self);
	gtk_window_present(GTK_WINDOW(dialog));
}

void gui_window_close_dialogs(GuiWindow *self)
{
	if (self->dialog) {
		GtkWidget *d = self->dialog;

		self->dialog = NULL;
		g_signal_handlers_disconnect_matched(d, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL,
		                                     self);
		gtk_window_destroy(GTK_WINDOW(d));
	}
}

static void on_cert_response(AdwMessageDialog *d, const char *response, GuiWindow *self)
{
	if (g_str_equal(response, "once"))
		gui_app_answer_cert(self->app, AUTH_CERT_ACCEPT_ONCE);
	else if (g_str_equal(response, "always"))
		gui_app_answer_cert(self->app, AUTH_CERT_ACCEPT_ALWAYS);
	else if (g_str_equal(response, "preferences"))
		gui_app_show_preferences(self->app);
	else if (g_str_equal(response, "cancel"))
		gui_app_answer_cert(self->app, AUTH_CERT_REJECT);
}

void gui_window_show_cert(GuiWindow *self, GuiDialogsCertMode mode, const char *host,
                          const struct tls_cert_report *rep)
{
	GtkWidget *d = gui_dialogs_cert_new(GTK_WINDOW(self), mode, host, rep);

	g_signal_connect(d, "response", G_CALLBACK(on_cert_response), self);
	present_dialog(self, d);
}

static void on_banner_response(AdwMessageDialog *d, const char *response, GuiWindow *self)
{
	gui_flow_answer_banner(gui_app_get_flow(self->app), g_str_equal(response, "accept"));
}

void gui_window_show_banner(GuiWindow *self, const char *banner)
{
	GtkWidget *d = gui_dialogs_banner_new(GTK_WINDOW(self), banner);

	g_signal_connect(d, "response", G_CALLBACK(on_banner_response), self);
	present_dialog(self, d);
}

void gui_window_show_error(GuiWindow *self, const char *heading, const char *body)
{
	present_dialog(self, gui_dialogs_error_new(GTK_WINDOW(self), heading, body));
}

/* ---- construction ---- */

static void on_app_changed(GuiApp *app, GuiWindow *self)
{
	gui_window_sync(self);
}

static void gui_window_dispose(GObject *object)
{
	GuiWindow *self = GUI_WINDOW(object);

	if (self->tick_id) {
		g_source_remove(self->tick_id);
		self->tick_id = 0;
	}
	if (self->app)
		g_signal_handlers_disconnect_by_data(self->app, self);
	self->dialog = NULL;
	G_OBJECT_CLASS(gui_window_parent_class)->dispose(object);
}

static void gui_window_finalize(GObject *object)
{
	g_free(GUI_WINDOW(object)->rendered_form);
	G_OBJECT_CLASS(gui_window_parent_class)->finalize(object);
}

static void gui_window_class_init(GuiWindowClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = gui_window_dispose;
	G_OBJECT_CLASS(klass)->finalize = gui_window_finalize;
}

static void gui_window_init(GuiWindow *self)
{
}

static GMenuModel *primary_menu(void)
{
	GMenu *menu = g_menu_new();
	GMenu *section = g_menu_new();

	g_menu_append(section, _("_Preferences"), "app.preferences");
	g_menu_append(section, _("_About SSL VPN"), "app.about");
	g_menu_append_section(menu, NULL, G_MENU_MODEL(section));
	g_object_unref(section);
	section = g_menu_new();
	g_menu_append(section, _("_Quit"), "app.quit");
	g_menu_append_section(menu, NULL, G_MENU_MODEL(section));
	g_object_unref(section);
	return G_MENU_MODEL(menu);
}

GuiWindow *gui_window_new(GuiApp *app)
{
	GuiWindow *self = g_object_new(GUI_TYPE_WINDOW, "application", app, NULL);
	GtkWidget *content = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
	GtkWidget *header = adw_header_bar_new();
	GtkWidget *menu_button = gtk_menu_button_new();
	g_autoptr(GMenuModel) menu = primary_menu();

	self->app = app;
	gtk_window_set_title(GTK_WINDOW(self), _("SSL VPN"));
	gtk_window_set_default_size(GTK_WINDOW(self), 520, 680);
	gtk_window_set_icon_name(GTK_WINDOW(self), GUI_APP_ID);

	gtk_menu_button_set_icon_name(GTK_MENU_BUTTON(menu_button), "open-menu-symbolic");
	gtk_menu_button_set_menu_model(GTK_MENU_BUTTON(menu_button), menu);
	gtk_menu_button_set_primary(GTK_MENU_BUTTON(menu_button), TRUE);
	gtk_widget_set_tooltip_text(menu_button, _("Main Menu"));
	gtk_accessible_update_property(GTK_ACCESSIBLE(menu_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
	                               _("Main Menu"), -1);
	adw_header_bar_pack_end(ADW_HEADER_BAR(header), menu_button);
	gtk_box_append(GTK_BOX(content), header);

	self->stack = gtk_stack_new();
	gtk_stack_set_transition_type(GTK_STACK(self->stack), GTK_STACK_TRANSITION_TYPE_NONE);
	gtk_widget_set_vexpand(self->stack, TRUE);
	gtk_stack_add_named(GTK_STACK(self->stack), build_connect_page(self), "connect");
	gtk_stack_add_named(GTK_STACK(self->stack), build_login_page(self), "login");
	gtk_stack_add_named(GTK_STACK(self->stack), build_progress_page(self), "progress");
	gtk_stack_add_named(GTK_STACK(self->stack), build_status_page(self), "status");
	gtk_box_append(GTK_BOX(content), self->stack);
	adw_application_window_set_content(ADW_APPLICATION_WINDOW(self), content);

	g_signal_connect(app, "changed", G_CALLBACK(on_app_changed), self);
	self->tick_id = g_timeout_add_seconds(1, on_tick, self);
	gui_window_sync(self);
	return self;
}
