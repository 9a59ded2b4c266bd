// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include "gui-app.h"

#include <glib/gi18n.h>

#include "error.h"
#include "gui-dialogs.h"
#include "gui-errors.h"
#include "gui-format.h"
#include "gui-prefs-window.h"
#include "gui-window.h"
#include "log.h"

struct _GuiApp {
	AdwApplication parent_instance;

	struct prefs *prefs;
	GuiLogin *login;
	GuiHelperClient *client;
	GuiAgent *agent;
	GuiTray *tray;
	GuiWindow *window; /* weak */

	GuiFlow *flow;
	gboolean start_hidden; /* start in the tray: the first activation shows no window */
	gboolean activated;
	gboolean helper_failed; /* the last event of the current connection was a failure */
};

G_DEFINE_FINAL_TYPE(GuiApp, gui_app, ADW_TYPE_APPLICATION)

enum { SIGNAL_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ---- state ---- */

static void gui_app_sync_tray(GuiApp *self)
{
	GuiConnection *c = gui_helper_client_get_current(self->client);
	g_autofree char *last = prefs_get_last_gateway(self->prefs)
	                            ? gui_format_gateway(prefs_get_last_gateway(self->prefs))
	                            : NULL;

	gui_tray_set_last_gateway(self->tray, last);
	if (gui_flow_get_state(self->flow) != GUI_FLOW_IDLE)
		gui_tray_set_state(self->tray, GUI_TRAY_CONNECTING,
		                   gui_login_get_host(self->login));
	else if (c) {
		g_autofree char *gw = gui_format_gateway(gui_connection_get_gateway(c));

		gui_tray_set_state(self->tray,
		                   gui_tray_state_from_helper(gui_connection_get_state(c)), gw);
	} else if (gui_flow_get_error(self->flow) || self->helper_failed)
		gui_tray_set_state(self->tray, GUI_TRAY_ERROR, NULL);
	else
		gui_tray_set_state(self->tray, GUI_TRAY_DISCONNECTED, NULL);
}

static void gui_app_changed(GuiApp *self)
{
	gui_app_sync_tray(self);
	g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static GuiWindow *gui_app_ensure_window(GuiApp *self)
{
	if (!self->window) {
		self->window = gui_window_new(self);
		g_object_add_weak_pointer(G_OBJECT(self->window), (gpointer *)&self->window);
		gtk_window_set_hide_on_close(GTK_WINDOW(self->window),
		                             gui_tray_is_registered(self->tray));
	}
	return self->window;
}

static void gui_app_present(GuiApp *self)
{
	gtk_window_present(GTK_WINDOW(gui_app_ensure_window(self)));
}

static void gui_app_notify(GuiApp *self, const char *title, const char *body, gboolean urgent)
{
	g_autoptr(GNotification) n = g_notification_new(title);
	g_autoptr(GIcon) icon = g_themed_icon_new(GUI_APP_ID);

	if (body)
		g_notification_set_body(n, body);
	g_notification_set_icon(n, icon);
	g_notification_set_priority(n, urgent ? G_NOTIFICATION_PRIORITY_HIGH
	                                      : G_NOTIFICATION_PRIORITY_NORMAL);
	g_notification_set_default_action(n, "app.show");
	g_application_send_notification(G_APPLICATION(self), "connection", n);
}

/* ---- public entry points (the window and the actions) ---- */

void gui_app_submit(GuiApp *self)
{
	int r = gui_login_submit(self->login);

	if (r < 0 && gui_login_get_phase(self->login) == GUI_LOGIN_FORM && self->window)
		gui_window_show_error(self->window, _("Check Your Input"), gui_errors_message(r));
}

void gui_app_choose_group(GuiApp *self, const char *group)
{
	struct auth_form *form = gui_login_get_form(self->login);

	if (!form || g_strcmp0(auth_form_selected_group(form), group) == 0)
		return;
	gui_login_choose_group(self->login, group);
}

static void on_disconnect_done(GObject *source, GAsyncResult *res, gpointer data)
{
	GuiApp *self = data;
	g_autoptr(GError) error = NULL;

	if (!gui_helper_client_disconnect_finish(GUI_HELPER_CLIENT(source), res, &error)) {
		g_autofree char *text = gui_errors_describe(error);

		if (self->window)
			gui_window_show_error(self->window, _("Could Not Disconnect"), text);
	}
	g_object_unref(self);
}

void gui_app_disconnect(GuiApp *self)
{
	GuiConnection *c = gui_helper_client_get_current(self->client);

	if (gui_flow_get_state(self->flow) != GUI_FLOW_IDLE) {
		gui_flow_cancel(self->flow);
		return;
	}
	if (!c)
		return;
	gui_helper_client_disconnect_async(self->client, gui_connection_get_path(c),
	                                   on_disconnect_done, g_object_ref(self));
}

void gui_app_answer_cert(GuiApp *self, enum auth_cert_answer answer)
{
	if (answer == AUTH_CERT_REJECT)
		gui_login_cancel(self->login);
	else
		gui_login_answer_cert(self->login, answer);
}

void gui_app_show_preferences(GuiApp *self)
{
	GtkWidget *win;

	gui_app_ensure_window(self);
	win = gui_prefs_window_new(GTK_WINDOW(self->window), self->prefs);
	if (!gtk_widget_get_visible(GTK_WIDGET(self->window)))
		gtk_window_set_transient_for(GTK_WINDOW(win), NULL);
	gtk_window_present(GTK_WINDOW(win));
}

/* ---- the flow's and the helper's events ---- */

static void on_flow_changed(GuiFlow *flow, GuiApp *self)
{
	gui_app_changed(self);
}

static void on_flow_show_cert(GuiFlow *flow, int err, GuiApp *self)
{
	GuiDialogsCertMode kind = err == -ERR_CERT_UNTRUSTED      ? GUI_DIALOGS_CERT_BLOCKED
	                          : err == -ERR_CERT_PIN_MISMATCH ? GUI_DIALOGS_CERT_PIN_MISMATCH
	                                                          : GUI_DIALOGS_CERT_PROMPT;

	gui_app_present(self);
	gui_window_show_cert(self->window, kind, gui_login_get_host(self->login),
	                     gui_login_get_cert_report(self->login));
}

static void on_flow_show_banner(GuiFlow *flow, const char *banner, GuiApp *self)
{
	gui_app_present(self);
	gui_window_show_banner(self->window, banner);
}

static void on_flow_close_dialogs(GuiFlow *flow, GuiApp *self)
{
	if (self->window)
		gui_window_close_dialogs(self->window);
}

static void on_flow_relogin_started(GuiFlow *flow, const char *gateway, GuiApp *self)
{
	g_autofree char *body =
	    g_strdup_printf(_("Log in to %s again to keep the VPN connected."), gateway);

	gui_app_notify(self, _("VPN Login Needed"), body, TRUE);
	gui_app_present(self);
}

static void on_flow_started(GuiFlow *flow, const char *path, GuiApp *self)
{
	/* A new connection: the failure of an older one no longer colours the tray. */
	self->helper_failed = FALSE;
}

static void on_helper_owner(GuiHelperClient *client, GuiApp *self)
{
	GDBusConnection *bus = gui_helper_client_get_bus(client);
	g_autoptr(GError) error = NULL;

	if (bus && !gui_agent_export(self->agent, bus, &error))
		g_message("cannot export the re-login agent: %s", error->message);
	gui_agent_set_helper(self->agent, gui_helper_client_get_owner(client));
}

static void on_connection_event(GuiHelperClient *client, GuiConnection *c, guint ev, GuiApp *self)
{
	g_autofree char *url = gui_format_gateway(gui_connection_get_gateway(c));
	g_autofree char *gw = gui_format_text_sanitize(url);
	const char *why = gui_errors_message_for_name(gui_connection_get_last_error(c));
	g_autofree char *body = NULL;

	switch ((GuiConnectionEvent)ev) {
	case GUI_CONNECTION_EVENT_CONNECTED:
		self->helper_failed = FALSE;
		gui_flow_set_error(self->flow, NULL); /* an older failure is no longer news */
		body = g_strdup_printf(_("The VPN connection to %s is up."), gw);
		gui_app_notify(self, _("VPN Connected"), body, FALSE);
		break;
	case GUI_CONNECTION_EVENT_RECONNECTING:
		body =
		    g_strdup_printf(_("The connection to %s was interrupted. Reconnecting…"), gw);
		gui_app_notify(self, _("VPN Reconnecting"), body, FALSE);
		break;
	case GUI_CONNECTION_EVENT_RECONNECTED:
		body = g_strdup_printf(_("The VPN connection to %s is up again."), gw);
		gui_app_notify(self, _("VPN Reconnected"), body, FALSE);
		break;
	case GUI_CONNECTION_EVENT_DROPPED:
		self->helper_failed = TRUE;
		body = why ? g_strdup_printf(_("The VPN connection to %s ended: %s"), gw, why)
		           : g_strdup_printf(_("The VPN connection to %s ended."), gw);
		gui_app_notify(self, _("VPN Connection Lost"), body, TRUE);
		gui_flow_set_error(self->flow, body);
		break;
	case GUI_CONNECTION_EVENT_FAILED:
		self->helper_failed = TRUE;
		body =
		    why ? g_strdup_printf(_("The VPN connection to %s could not be set up: %s"), gw,
		                          why)
		        : g_strdup_printf(_("The VPN connection to %s could not be set up."), gw);
		gui_app_notify(self, _("VPN Connection Failed"), body, TRUE);
		gui_flow_set_error(self->flow, body);
		break;
	case GUI_CONNECTION_EVENT_DISCONNECTED:
		self->helper_failed = FALSE;
		gui_flow_set_error(self->flow, NULL);
		g_application_withdraw_notification(G_APPLICATION(self), "connection");
		break;
	case GUI_CONNECTION_EVENT_NONE:
	default:
		break;
	}
	gui_app_changed(self);
}

static void on_tray_registered(GuiTray *tray, GuiApp *self)
{
	if (self->window)
		gtk_window_set_hide_on_close(GTK_WINDOW(self->window), TRUE);
}

/* ---- actions ---- */

static void action_connect(GSimpleAction *a, GVariant *param, gpointer data)
{
	GuiApp *self = data;
	const char *gateway = g_variant_get_string(param, NULL);

	self->start_hidden = FALSE;
	gui_app_present(self);
	if (*gateway)
		gui_flow_start_login(self->flow, gateway);
}

static void action_disconnect(GSimpleAction *a, GVariant *param, gpointer data)
{
	gui_app_disconnect(data);
}

static void action_show(GSimpleAction *a, GVariant *param, gpointer data)
{
	GuiApp *self = data;

	self->start_hidden = FALSE;
	gui_app_present(self);
}

static void action_quit(GSimpleAction *a, GVariant *param, gpointer data)
{
	GuiApp *self = data;

	if (gui_flow_get_state(self->flow) == GUI_FLOW_LOGIN)
		gui_login_cancel(self->login);
	g_application_quit(G_APPLICATION(self));
}

static void action_preferences(GSimpleAction *a, GVariant *param, gpointer data)
{
	gui_app_show_preferences(data);
}

static void action_select_group(GSimpleAction *a, GVariant *param, gpointer data)
{
	GuiApp *self = data;
	const char *group = g_variant_get_string(param, NULL);

	if (self->window &&
	    gui_form_view_select_group(gui_window_get_form_view(self->window), group))
		return;
	gui_app_choose_group(self, group);
}

static void action_about(GSimpleAction *a, GVariant *param, gpointer data)
{
	GuiApp *self = data;
	GtkWidget *about = adw_about_window_new();

	gui_app_ensure_window(self);
	gtk_window_set_transient_for(GTK_WINDOW(about), GTK_WINDOW(self->window));
	adw_about_window_set_application_name(ADW_ABOUT_WINDOW(about), _("SSL VPN"));
	adw_about_window_set_application_icon(ADW_ABOUT_WINDOW(about), GUI_APP_ID);
	adw_about_window_set_version(ADW_ABOUT_WINDOW(about), PACKAGE_VERSION);
	adw_about_window_set_comments(
	    ADW_ABOUT_WINDOW(about),
	    _("Connects to SSL VPN gateways that speak the AnyConnect protocol."));
	adw_about_window_set_license_type(ADW_ABOUT_WINDOW(about), GTK_LICENSE_GPL_2_0);
	/* Translators: put your names here, one per line. */
	adw_about_window_set_translator_credits(ADW_ABOUT_WINDOW(about), _("translator-credits"));
	gtk_window_present(GTK_WINDOW(about));
}

static const GActionEntry app_actions[] = {
    {"connect", action_connect, "s", NULL, NULL, {0}},
    {"disconnect", action_disconnect, NULL, NULL, NULL, {0}},
    {"show", action_show, NULL, NULL, NULL, {0}},
    {"quit", action_quit, NULL, NULL, NULL, {0}},
    {"preferences", action_preferences, NULL, NULL, NULL, {0}},
    {"select-group", action_select_group, "s", NULL, NULL, {0}},
    {"about", action_about, NULL, NULL, NULL, {0}},
};

/* ---- GApplication ---- */

static void gui_app_log_sink(int priority, const char *message, void *data)
{
	/* Warnings of core are not programming errors: never let them abort (G_DEBUG=fatal-*). */
	GLogLevelFlags level = priority <= LOG_WARNING ? G_LOG_LEVEL_MESSAGE
	                       : priority <= LOG_INFO  ? G_LOG_LEVEL_INFO
	                                               : G_LOG_LEVEL_DEBUG;

	g_log("sslvpn-core", level, "%s", message);
}

static void gui_app_startup(GApplication *app)
{
	GuiApp *self = GUI_APP(app);
	static const char *const quit_accels[] = {"<Control>q", NULL};
	int r;

	G_APPLICATION_CLASS(gui_app_parent_class)->startup(app);
	log_set_sink(gui_app_log_sink, NULL);
	if (g_getenv("SSLVPN_DEBUG"))
		log_set_max_priority(LOG_DEBUG);
	gtk_icon_theme_add_resource_path(gtk_icon_theme_get_for_display(gdk_display_get_default()),
	                                 "/org/sslvpn/Client/icons");
	r = prefs_load(self->prefs, NULL);
	if (r < 0)
		g_message("preferences: %s", error_text(r));
	else if (prefs_load_status(self->prefs) == PREFS_LOAD_CORRUPT)
		g_message("the preferences file was unusable and was moved to %s",
		          prefs_moved_aside_path(self->prefs) ? prefs_moved_aside_path(self->prefs)
		                                              : "(nowhere)");
	g_action_map_add_action_entries(G_ACTION_MAP(app), app_actions, G_N_ELEMENTS(app_actions),
	                                app);
	gtk_application_set_accels_for_action(GTK_APPLICATION(app), "app.quit", quit_accels);

	self->login = gui_login_new(self->prefs);
	self->client = gui_helper_client_new();
	g_signal_connect(self->client, "owner-changed", G_CALLBACK(on_helper_owner), self);
	g_signal_connect(self->client, "connection-event", G_CALLBACK(on_connection_event), self);
	self->agent = gui_agent_new();
	self->flow = gui_flow_new(self->prefs, self->login, self->client, self->agent);
	g_signal_connect(self->flow, "changed", G_CALLBACK(on_flow_changed), self);
	g_signal_connect(self->flow, "show-cert", G_CALLBACK(on_flow_show_cert), self);
	g_signal_connect(self->flow, "show-banner", G_CALLBACK(on_flow_show_banner), self);
	g_signal_connect(self->flow, "close-dialogs", G_CALLBACK(on_flow_close_dialogs), self);
	g_signal_connect(self->flow, "relogin-started", G_CALLBACK(on_flow_relogin_started), self);
	g_signal_connect(self->flow, "started", G_CALLBACK(on_flow_started), self);
	self->tray = gui_tray_new(G_ACTION_GROUP(app));
	g_signal_connect(self->tray, "registered", G_CALLBACK(on_tray_registered), self);
	if (g_application_get_dbus_connection(app)) {
		g_autoptr(GError) error = NULL;

		if (!gui_tray_export(self->tray, g_application_get_dbus_connection(app), &error))
			g_message("no tray item: %s", error->message);
	}
	if (prefs_get_start_in_tray(self->prefs))
		self->start_hidden = TRUE;
	/* Kept alive by the tray even without a window. */
	g_application_hold(app);
	gui_app_sync_tray(self);
}

static void gui_app_shutdown(GApplication *app)
{
	GuiApp *self = GUI_APP(app);

	if (self->flow)
		gui_flow_shutdown(self->flow);
	if (self->tray)
		gui_tray_unexport(self->tray);
	g_application_release(app);
	G_APPLICATION_CLASS(gui_app_parent_class)->shutdown(app);
}

static gboolean on_no_tray_timeout(gpointer data)
{
	GuiApp *self = data;

	if (!gui_tray_is_registered(self->tray) && !self->window)
		gui_app_present(self);
	g_object_unref(self);
	return G_SOURCE_REMOVE;
}

static void gui_app_activate(GApplication *app)
{
	GuiApp *self = GUI_APP(app);

	if (!self->activated && self->start_hidden) {
		self->activated = TRUE;
		/* Only the tray: if no tray shows up, a window after all. */
		g_timeout_add_seconds(3, on_no_tray_timeout, g_object_ref(self));
		return;
	}
	self->activated = TRUE;
	gui_app_present(self);
}

static void on_window_removed(GtkApplication *app, GtkWindow *window, gpointer data)
{
	GuiApp *self = GUI_APP(app);

	/* Without a tray nothing would be left to show: quit with the last window. */
	if (!gtk_application_get_windows(app) && !gui_tray_is_registered(self->tray))
		g_application_quit(G_APPLICATION(app));
}

static int gui_app_command_line(GApplication *app, GApplicationCommandLine *cmdline)
{
	GuiApp *self = GUI_APP(app);
	GVariantDict *opts = g_application_command_line_get_options_dict(cmdline);
	g_autofree char *cafile = NULL;
	g_autofree const char **rest = NULL;

	if (g_variant_dict_lookup(opts, "cafile", "^ay", &cafile)) {
		g_autoptr(GFile) f =
		    g_application_command_line_create_file_for_arg(cmdline, cafile);

		g_autofree char *path = g_file_get_path(f);

		gui_flow_set_cafile(self->flow, path);
	}
	if (g_variant_dict_contains(opts, "tray") && !self->activated)
		self->start_hidden = TRUE;
	if (g_variant_dict_lookup(opts, G_OPTION_REMAINING, "^a&s", &rest) && rest && rest[0]) {
		g_action_group_activate_action(G_ACTION_GROUP(app), "connect",
		                               g_variant_new_string(rest[0]));
		self->activated = TRUE;
		return 0;
	}
	g_application_activate(app);
	return 0;
}

static void gui_app_finalize(GObject *object)
{
	GuiApp *self = GUI_APP(object);

	/* A pending Connect keeps the flow alive past the application: it must not call back. */
	if (self->flow)
		g_signal_handlers_disconnect_by_data(self->flow, self);
	g_clear_object(&self->flow);
	g_clear_object(&self->tray);
	g_clear_object(&self->agent);
	g_clear_object(&self->client);
	g_clear_object(&self->login);
	prefs_free(self->prefs);
	G_OBJECT_CLASS(gui_app_parent_class)->finalize(object);
}

static void gui_app_class_init(GuiAppClass *klass)
{
	GApplicationClass *ac = G_APPLICATION_CLASS(klass);

	G_OBJECT_CLASS(klass)->finalize = gui_app_finalize;
	ac->startup = gui_app_startup;
	ac->shutdown = gui_app_shutdown;
	ac->activate = gui_app_activate;
	ac->command_line = gui_app_command_line;
	signals[SIGNAL_CHANGED] =
	    g_signal_new("changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
	                 NULL, G_TYPE_NONE, 0);
}

static void gui_app_init(GuiApp *self)
{
	static const GOptionEntry options[] = {
	    {"cafile", 0, 0, G_OPTION_ARG_FILENAME, NULL,
	     N_("Trust gateway certificates issued by the CAs in FILE (PEM) instead of the "
	        "system's"),
	     N_("FILE")},
	    {"tray", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Start with only the tray icon"), NULL},
	    {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, NULL, NULL, N_("[GATEWAY]")},
	    {NULL, 0, 0, 0, NULL, NULL, NULL},
	};

	self->prefs = prefs_new();
	g_application_add_main_option_entries(G_APPLICATION(self), options);
	g_application_set_option_context_parameter_string(G_APPLICATION(self), _("[GATEWAY]"));
	g_signal_connect(self, "window-removed", G_CALLBACK(on_window_removed), NULL);
}

GuiApp *gui_app_new(void)
{
	return g_object_new(GUI_TYPE_APP, "application-id", GUI_APP_ID, "flags",
	                    G_APPLICATION_HANDLES_COMMAND_LINE, NULL);
}

struct prefs *gui_app_get_prefs(GuiApp *self)
{
	return self->prefs;
}
GuiLogin *gui_app_get_login(GuiApp *self)
{
	return self->login;
}
GuiHelperClient *gui_app_get_helper_client(GuiApp *self)
{
	return self->client;
}
GuiTray *gui_app_get_tray(GuiApp *self)
{
	return self->tray;
}
GuiFlow *gui_app_get_flow(GuiApp *self)
{
	return self->flow;
}

const char *gui_app_get_last_gateway(GuiApp *self)
{
	return prefs_get_last_gateway(self->prefs);
}
