// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include "gui-app.h"

#include <glib/gi18n.h>

#include "error.h"
#include "gui-errors.h"
#include "gui-format.h"
#include "gui-prefs-window.h"
#include "gui-window.h"
#include "log.h"

struct _GuiApp {
	AdwApplication parent_instance;

	struct prefs *prefs;
	GuiLogin *login;
	GuiHelperClient *helper;
	GuiAgent *agent;
	GuiTray *tray;
	GuiWindow *window; /* weak */

	GuiAppFlow flow;
	char *progress;
	char *error;
	char *cafile;
	char *relogin_conn;    /* the connection whose Relogin the login serves */
	char *relogin_old_pin; /* its pin before, to report a change */
	GHashTable *pins;      /* gateway URL -> pin accepted in this session */
	char *started_path;    /* the connection our last Connect made */
	guint started_timeout;
	GCancellable *connect_cancel;
	gboolean start_hidden; /* start in the tray: the first activation shows no window */
	gboolean activated;
	gboolean helper_failed; /* the last event of the current connection was a failure */
};

G_DEFINE_FINAL_TYPE(GuiApp, gui_app, ADW_TYPE_APPLICATION)

enum { SIGNAL_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void gui_app_enter_flow(GuiApp *self, GuiAppFlow flow);
static void on_connect_done(GObject *source, GAsyncResult *res, gpointer data);

/* ---- state ---- */

static void gui_app_set_progress(GuiApp *self, char *text)
{
	g_free(self->progress);
	self->progress = text;
}

static void gui_app_set_error(GuiApp *self, const char *error)
{
	g_free(self->error);
	self->error = g_strdup(error);
}

static void gui_app_sync_tray(GuiApp *self)
{
	GuiConnection *c = gui_helper_client_get_current(self->helper);
	g_autofree char *last = prefs_get_last_gateway(self->prefs)
	                            ? gui_format_gateway(prefs_get_last_gateway(self->prefs))
	                            : NULL;

	gui_tray_set_last_gateway(self->tray, last);
	if (self->flow != GUI_APP_FLOW_IDLE)
		gui_tray_set_state(self->tray, GUI_TRAY_CONNECTING,
		                   gui_login_get_host(self->login));
	else if (c) {
		g_autofree char *gw = gui_format_gateway(gui_connection_get_gateway(c));

		gui_tray_set_state(self->tray,
		                   gui_tray_state_from_helper(gui_connection_get_state(c)), gw);
	} else if (self->error || self->helper_failed)
		gui_tray_set_state(self->tray, GUI_TRAY_ERROR, NULL);
	else
		gui_tray_set_state(self->tray, GUI_TRAY_DISCONNECTED, NULL);
}

static void gui_app_changed(GuiApp *self)
{
	gui_app_sync_tray(self);
	g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static const char *gui_app_flow_name(GuiAppFlow flow)
{
	switch (flow) {
	case GUI_APP_FLOW_IDLE:
		return "IDLE";
	case GUI_APP_FLOW_LOGIN:
		return "LOGIN";
	case GUI_APP_FLOW_BANNER:
		return "BANNER";
	case GUI_APP_FLOW_STARTING:
		return "STARTING";
	}
	return "?";
}

/* The only place the flow changes.  Callers refresh the window and the tray afterwards, once
 * they have also stored what the new state shows (an error, a dialog). */
static void gui_app_enter_flow(GuiApp *self, GuiAppFlow flow)
{
	const struct auth_result *r;

	if (self->flow == flow)
		return;
	g_debug("flow: %s -> %s", gui_app_flow_name(self->flow), gui_app_flow_name(flow));
	self->flow = flow;
	switch (flow) {
	case GUI_APP_FLOW_IDLE:
		/* The wait for the new connection object belongs to STARTING, however it ends. */
		if (self->started_timeout) {
			g_source_remove(self->started_timeout);
			self->started_timeout = 0;
		}
		break;
	case GUI_APP_FLOW_LOGIN:
		break;
	case GUI_APP_FLOW_BANNER:
		gui_app_set_progress(self, g_strdup(_("Waiting for you to accept the "
		                                      "gateway's message…")));
		break;
	case GUI_APP_FLOW_STARTING:
		r = gui_login_get_result(self->login);
		gui_app_set_progress(self, g_strdup(_("Starting the tunnel…")));
		g_clear_object(&self->connect_cancel);
		self->connect_cancel = g_cancellable_new();
		gui_helper_client_connect_async(self->helper, r, !prefs_get_use_dtls(self->prefs),
		                                self->connect_cancel, on_connect_done,
		                                g_object_ref(self));
		break;
	}
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

/* ---- the flow ---- */

static void gui_app_finish_relogin(GuiApp *self, int err)
{
	g_autofree char *conn = g_steal_pointer(&self->relogin_conn);
	const struct auth_result *r = gui_login_get_result(self->login);

	if (!conn)
		return;
	if (err == 0 && r) {
		const char *pin = g_strcmp0(r->pin, self->relogin_old_pin) != 0 ? r->pin : NULL;

		gui_agent_reply_cookie(self->agent, conn, r->cookie, pin);
	} else {
		gui_agent_reply_error(self->agent, conn, err ? err : -ERR_CANCELLED);
	}
	g_clear_pointer(&self->relogin_old_pin, g_free);
}

static gboolean on_started_timeout(gpointer data)
{
	GuiApp *self = data;

	self->started_timeout = 0;
	if (self->flow == GUI_APP_FLOW_STARTING) {
		gui_app_enter_flow(self, GUI_APP_FLOW_IDLE);
		gui_app_changed(self);
	}
	return G_SOURCE_REMOVE;
}

static void on_connect_done(GObject *source, GAsyncResult *res, gpointer data)
{
	GuiApp *self = data;
	g_autoptr(GError) error = NULL;
	g_autofree char *path =
	    gui_helper_client_connect_finish(GUI_HELPER_CLIENT(source), res, &error);

	/* The cookie is in the helper's hands (or lost): drop our copy. */
	gui_login_reset(self->login);
	g_clear_object(&self->connect_cancel);
	if (!path) {
		g_autofree char *text = gui_errors_describe(error);

		if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
			gui_app_enter_flow(self, GUI_APP_FLOW_IDLE);
		} else {
			g_message("Manager.Connect failed: %s", error->message);
			gui_app_set_error(self, text);
			gui_app_enter_flow(self, GUI_APP_FLOW_IDLE);
		}
		gui_app_changed(self);
		g_object_unref(self);
		return;
	}
	g_free(self->started_path);
	self->started_path = g_steal_pointer(&path);
	self->helper_failed = FALSE;
	gui_agent_set_helper(self->agent, gui_helper_client_get_owner(self->helper));
	if (gui_helper_client_find(self->helper, self->started_path)) {
		gui_app_enter_flow(self, GUI_APP_FLOW_IDLE);
	} else {
		/* Wait for the object to show up, not longer than a few seconds. */
		if (self->started_timeout)
			g_source_remove(self->started_timeout);
		self->started_timeout = g_timeout_add_seconds(10, on_started_timeout, self);
	}
	gui_app_changed(self);
	g_object_unref(self);
}

static void gui_app_start_tunnel(GuiApp *self)
{
	const struct auth_result *r = gui_login_get_result(self->login);

	/* Without a result there is nothing to hand to Manager.Connect. */
	if (!r)
		return;
	gui_app_enter_flow(self, GUI_APP_FLOW_STARTING);
	gui_app_changed(self);
}

static void gui_app_login_done(GuiApp *self)
{
	const struct auth_result *r = gui_login_get_result(self->login);

	if (r && r->pin[0])
		g_hash_table_replace(self->pins, g_strdup(r->gateway_url), g_strdup(r->pin));
	if (self->relogin_conn) {
		gui_app_finish_relogin(self, 0);
		gui_login_reset(self->login);
		gui_app_enter_flow(self, GUI_APP_FLOW_IDLE);
		gui_app_changed(self);
		return;
	}
	if (r && r->banner && *r->banner) {
		gui_app_enter_flow(self, GUI_APP_FLOW_BANNER);
		gui_app_changed(self);
		gui_app_present(self);
		gui_window_show_banner(self->window, r->banner);
		return;
	}
	gui_app_start_tunnel(self);
}

static void gui_app_login_failed(GuiApp *self)
{
	int err = gui_login_get_error(self->login);
	const char *detail = gui_login_get_error_message(self->login);
	const char *host = gui_login_get_host(self->login);

	if (self->relogin_conn)
		gui_app_finish_relogin(self, err);
	gui_app_enter_flow(self, GUI_APP_FLOW_IDLE);
	if (err == -ERR_CANCELLED) {
		gui_app_set_error(self, NULL);
	} else {
		g_autofree char *text = NULL;

		/* The engine's sentence names the detail (often the gateway's own words). */
		if (detail && *detail && err != -ERR_CERT_PIN_MISMATCH)
			text = g_strdup_printf("%s\n%s", gui_errors_message(err), detail);
		else
			text = g_strdup(gui_errors_message(err));
		gui_app_set_error(self, text);
	}
	gui_app_changed(self);
	if (err == -ERR_CERT_UNTRUSTED || err == -ERR_CERT_PIN_MISMATCH) {
		gui_app_present(self);
		gui_window_show_cert(self->window,
		                     err == -ERR_CERT_UNTRUSTED ? GUI_DIALOGS_CERT_BLOCKED
		                                                : GUI_DIALOGS_CERT_PIN_MISMATCH,
		                     host, gui_login_get_cert_report(self->login));
	}
}

static void on_login_phase(GuiLogin *login, guint phase, GuiApp *self)
{
	const char *host = gui_login_get_host(login);

	switch ((GuiLoginPhase)phase) {
	case GUI_LOGIN_CONNECTING:
		gui_app_set_progress(self, g_strdup_printf(_("Connecting to %s…"), host));
		break;
	case GUI_LOGIN_TALKING:
		gui_app_set_progress(self, g_strdup_printf(_("Logging in to %s…"), host));
		break;
	case GUI_LOGIN_DOWNLOADING:
		gui_app_set_progress(self, g_strdup(_("Downloading the client profile…")));
		break;
	case GUI_LOGIN_CERT_PROMPT:
		gui_app_set_progress(
		    self, g_strdup(_("Waiting for your decision about the certificate…")));
		gui_app_changed(self);
		gui_app_present(self);
		gui_window_show_cert(self->window, GUI_DIALOGS_CERT_PROMPT, host,
		                     gui_login_get_cert_report(login));
		return;
	case GUI_LOGIN_DONE:
		gui_app_login_done(self);
		return;
	case GUI_LOGIN_FAILED:
		gui_app_login_failed(self);
		return;
	case GUI_LOGIN_FORM:
	case GUI_LOGIN_IDLE:
	default:
		break;
	}
	gui_app_changed(self);
}

/* ---- public entry points (the window and the actions) ---- */

void gui_app_start_login(GuiApp *self, const char *gateway)
{
	GuiLoginOptions o = {.gateway = gateway, .cafile = self->cafile};
	int r;

	if (self->relogin_conn)
		return; /* the re-login has the window: a new login would orphan it */
	if (self->flow == GUI_APP_FLOW_STARTING || self->flow == GUI_APP_FLOW_BANNER)
		return;
	if (self->window)
		gui_window_close_dialogs(self->window);
	gui_app_set_error(self, NULL);
	gui_app_enter_flow(self, GUI_APP_FLOW_LOGIN);
	gui_app_set_progress(self, g_strdup_printf(_("Connecting to %s…"), gateway));
	r = gui_login_start(self->login, &o);
	if (r < 0) {
		gui_app_enter_flow(self, GUI_APP_FLOW_IDLE);
		gui_app_set_error(self,
		                  _("This is not a gateway address. Enter a host name such as "
		                    "vpn.example.com, optionally with a port and a path."));
		gui_app_changed(self);
	}
}

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

void gui_app_cancel(GuiApp *self)
{
	if (self->flow == GUI_APP_FLOW_STARTING && self->connect_cancel) {
		g_cancellable_cancel(self->connect_cancel);
		return;
	}
	if (self->flow == GUI_APP_FLOW_BANNER) {
		gui_app_answer_banner(self, FALSE);
		return;
	}
	gui_login_cancel(self->login);
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
	GuiConnection *c = gui_helper_client_get_current(self->helper);

	if (self->flow != GUI_APP_FLOW_IDLE) {
		gui_app_cancel(self);
		return;
	}
	if (!c)
		return;
	gui_helper_client_disconnect_async(self->helper, gui_connection_get_path(c),
	                                   on_disconnect_done, g_object_ref(self));
}

void gui_app_answer_cert(GuiApp *self, enum auth_cert_answer answer)
{
	if (answer == AUTH_CERT_REJECT)
		gui_login_cancel(self->login);
	else
		gui_login_answer_cert(self->login, answer);
}

void gui_app_answer_banner(GuiApp *self, gboolean accept)
{
	if (self->flow != GUI_APP_FLOW_BANNER)
		return;
	if (accept) {
		gui_app_start_tunnel(self);
		return;
	}
	/* Declined: the session is not used; the cookie is wiped with the login. */
	gui_login_reset(self->login);
	gui_app_enter_flow(self, GUI_APP_FLOW_IDLE);
	gui_app_changed(self);
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

/* ---- helper events ---- */

static void on_helper_changed(GuiHelperClient *helper, GuiApp *self)
{
	if (self->flow == GUI_APP_FLOW_STARTING && self->started_path &&
	    gui_helper_client_find(helper, self->started_path) && !self->connect_cancel)
		gui_app_enter_flow(self, GUI_APP_FLOW_IDLE);
	gui_app_changed(self);
}

static void on_helper_owner(GuiHelperClient *helper, GuiApp *self)
{
	GDBusConnection *bus = gui_helper_client_get_bus(helper);
	g_autoptr(GError) error = NULL;

	if (bus && !gui_agent_export(self->agent, bus, &error))
		g_message("cannot export the re-login agent: %s", error->message);
	gui_agent_set_helper(self->agent, gui_helper_client_get_owner(helper));
}

static void on_connection_event(GuiHelperClient *helper, GuiConnection *c, guint ev, GuiApp *self)
{
	g_autofree char *url = gui_format_gateway(gui_connection_get_gateway(c));
	g_autofree char *gw = gui_format_text_sanitize(url);
	const char *why = gui_errors_message_for_name(gui_connection_get_last_error(c));
	g_autofree char *body = NULL;

	switch ((GuiConnectionEvent)ev) {
	case GUI_CONNECTION_EVENT_CONNECTED:
		self->helper_failed = FALSE;
		gui_app_set_error(self, NULL); /* an older failure is no longer news */
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
		gui_app_set_error(self, body);
		break;
	case GUI_CONNECTION_EVENT_FAILED:
		self->helper_failed = TRUE;
		body =
		    why ? g_strdup_printf(_("The VPN connection to %s could not be set up: %s"), gw,
		                          why)
		        : g_strdup_printf(_("The VPN connection to %s could not be set up."), gw);
		gui_app_notify(self, _("VPN Connection Failed"), body, TRUE);
		gui_app_set_error(self, body);
		break;
	case GUI_CONNECTION_EVENT_DISCONNECTED:
		self->helper_failed = FALSE;
		gui_app_set_error(self, NULL);
		g_application_withdraw_notification(G_APPLICATION(self), "connection");
		break;
	case GUI_CONNECTION_EVENT_NONE:
	default:
		break;
	}
	gui_app_changed(self);
}

static void on_relogin(GuiAgent *agent, const char *conn, const char *gateway, const char *reason,
                       GuiApp *self)
{
	const char *pin = g_hash_table_lookup(self->pins, gateway);
	GuiLoginOptions o = {.gateway = gateway, .cafile = self->cafile, .pin = pin};
	g_autofree char *body = NULL;

	/* One re-login at a time; and a connection being started now (one tunnel at a time)
	 * means the tunnel that asks is on its way out anyway. */
	if (self->relogin_conn || self->flow == GUI_APP_FLOW_STARTING ||
	    self->flow == GUI_APP_FLOW_BANNER) {
		gui_agent_reply_error(agent, conn, -ERR_BUSY);
		return;
	}
	/* The tunnel comes first: a login the user started meanwhile gives way. */
	if (self->flow == GUI_APP_FLOW_LOGIN)
		gui_login_cancel(self->login);
	if (self->window)
		gui_window_close_dialogs(self->window);
	self->relogin_conn = g_strdup(conn);
	g_free(self->relogin_old_pin);
	self->relogin_old_pin = g_strdup(pin);
	gui_app_set_error(self, NULL);
	gui_app_enter_flow(self, GUI_APP_FLOW_LOGIN);
	if (gui_login_start(self->login, &o) < 0) {
		gui_agent_reply_error(agent, conn, -ERR_INVALID_ARGS);
		g_clear_pointer(&self->relogin_conn, g_free);
		gui_app_enter_flow(self, GUI_APP_FLOW_IDLE);
		gui_app_changed(self);
		return;
	}
	body = g_strdup_printf(_("Log in to %s again to keep the VPN connected."), gateway);
	gui_app_notify(self, _("VPN Login Needed"), body, TRUE);
	gui_app_present(self);
}

static void on_agent_cancel(GuiAgent *agent, const char *conn, GuiApp *self)
{
	if (g_strcmp0(self->relogin_conn, conn) != 0)
		return;
	g_clear_pointer(&self->relogin_conn, g_free); /* already answered by the agent */
	if (self->window)
		gui_window_close_dialogs(self->window);
	gui_login_cancel(self->login);
	gui_login_reset(self->login);
	gui_app_enter_flow(self, GUI_APP_FLOW_IDLE);
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
		gui_app_start_login(self, gateway);
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

	if (self->flow == GUI_APP_FLOW_LOGIN)
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
	g_signal_connect(self->login, "phase-changed", G_CALLBACK(on_login_phase), self);
	self->helper = gui_helper_client_new();
	g_signal_connect(self->helper, "changed", G_CALLBACK(on_helper_changed), self);
	g_signal_connect(self->helper, "owner-changed", G_CALLBACK(on_helper_owner), self);
	g_signal_connect(self->helper, "connection-event", G_CALLBACK(on_connection_event), self);
	self->agent = gui_agent_new();
	g_signal_connect(self->agent, "relogin", G_CALLBACK(on_relogin), self);
	g_signal_connect(self->agent, "cancel", G_CALLBACK(on_agent_cancel), self);
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

	if (self->relogin_conn)
		gui_app_finish_relogin(self, -ERR_CANCELLED);
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

		g_free(self->cafile);
		self->cafile = g_file_get_path(f);
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

	if (self->started_timeout)
		g_source_remove(self->started_timeout);
	g_clear_object(&self->tray);
	g_clear_object(&self->agent);
	g_clear_object(&self->helper);
	g_clear_object(&self->login);
	g_clear_object(&self->connect_cancel);
	prefs_free(self->prefs);
	g_hash_table_unref(self->pins);
	g_free(self->progress);
	g_free(self->error);
	g_free(self->cafile);
	g_free(self->relogin_conn);
	g_free(self->relogin_old_pin);
	g_free(self->started_path);
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
	self->pins = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
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
	return self->helper;
}
GuiTray *gui_app_get_tray(GuiApp *self)
{
	return self->tray;
}
GuiAppFlow gui_app_get_flow(GuiApp *self)
{
	return self->flow;
}

gboolean gui_app_is_relogin(GuiApp *self)
{
	return self->relogin_conn != NULL;
}

const char *gui_app_get_progress_text(GuiApp *self)
{
	return self->progress ? self->progress : "";
}

const char *gui_app_get_error(GuiApp *self)
{
	return self->error;
}

const char *gui_app_get_last_gateway(GuiApp *self)
{
	return prefs_get_last_gateway(self->prefs);
}
