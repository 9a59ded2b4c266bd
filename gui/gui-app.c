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

struct _SslvpnApplication {
	AdwApplication parent_instance;

	struct prefs *prefs;
	SslvpnLogin *login;
	SslvpnHelperClient *helper;
	GuiAgent *agent;
	SslvpnTray *tray;
	SslvpnWindow *window; /* weak */

	SslvpnFlow flow;
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

G_DEFINE_FINAL_TYPE(SslvpnApplication, sslvpn_application, ADW_TYPE_APPLICATION)

enum { SIGNAL_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void sslvpn_application_set_flow(SslvpnApplication *self, SslvpnFlow flow);

/* ---- state ---- */

static void sslvpn_application_set_progress(SslvpnApplication *self, char *text)
{
	g_free(self->progress);
	self->progress = text;
}

static void sslvpn_application_set_error(SslvpnApplication *self, const char *error)
{
	g_free(self->error);
	self->error = g_strdup(error);
}

static void sslvpn_application_sync_tray(SslvpnApplication *self)
{
	GuiConnection *c = sslvpn_helper_client_get_current(self->helper);
	g_autofree char *last = prefs_get_last_gateway(self->prefs)
	                            ? gui_format_gateway(prefs_get_last_gateway(self->prefs))
	                            : NULL;

	sslvpn_tray_set_last_gateway(self->tray, last);
	if (self->flow != SSLVPN_FLOW_IDLE)
		sslvpn_tray_set_state(self->tray, SSLVPN_TRAY_CONNECTING,
		                      sslvpn_login_get_host(self->login));
	else if (c) {
		g_autofree char *gw = gui_format_gateway(gui_connection_get_gateway(c));

		sslvpn_tray_set_state(
		    self->tray, sslvpn_tray_state_from_helper(gui_connection_get_state(c)), gw);
	} else if (self->error || self->helper_failed)
		sslvpn_tray_set_state(self->tray, SSLVPN_TRAY_ERROR, NULL);
	else
		sslvpn_tray_set_state(self->tray, SSLVPN_TRAY_DISCONNECTED, NULL);
}

static void sslvpn_application_changed(SslvpnApplication *self)
{
	sslvpn_application_sync_tray(self);
	g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static void sslvpn_application_set_flow(SslvpnApplication *self, SslvpnFlow flow)
{
	if (self->flow == flow)
		return;
	g_debug("flow: %d -> %d", self->flow, flow);
	self->flow = flow;
}

static SslvpnWindow *sslvpn_application_ensure_window(SslvpnApplication *self)
{
	if (!self->window) {
		self->window = sslvpn_window_new(self);
		g_object_add_weak_pointer(G_OBJECT(self->window), (gpointer *)&self->window);
		gtk_window_set_hide_on_close(GTK_WINDOW(self->window),
		                             sslvpn_tray_is_registered(self->tray));
	}
	return self->window;
}

static void sslvpn_application_present(SslvpnApplication *self)
{
	gtk_window_present(GTK_WINDOW(sslvpn_application_ensure_window(self)));
}

static void sslvpn_application_notify(SslvpnApplication *self, const char *title, const char *body,
                                      gboolean urgent)
{
	g_autoptr(GNotification) n = g_notification_new(title);
	g_autoptr(GIcon) icon = g_themed_icon_new(SSLVPN_APP_ID);

	if (body)
		g_notification_set_body(n, body);
	g_notification_set_icon(n, icon);
	g_notification_set_priority(n, urgent ? G_NOTIFICATION_PRIORITY_HIGH
	                                      : G_NOTIFICATION_PRIORITY_NORMAL);
	g_notification_set_default_action(n, "app.show");
	g_application_send_notification(G_APPLICATION(self), "connection", n);
}

/* ---- the flow ---- */

static void sslvpn_application_finish_relogin(SslvpnApplication *self, int err)
{
	g_autofree char *conn = g_steal_pointer(&self->relogin_conn);
	const struct auth_result *r = sslvpn_login_get_result(self->login);

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
	SslvpnApplication *self = data;

	self->started_timeout = 0;
	if (self->flow == SSLVPN_FLOW_STARTING) {
		sslvpn_application_set_flow(self, SSLVPN_FLOW_IDLE);
		sslvpn_application_changed(self);
	}
	return G_SOURCE_REMOVE;
}

static void on_connect_done(GObject *source, GAsyncResult *res, gpointer data)
{
	SslvpnApplication *self = data;
	g_autoptr(GError) error = NULL;
	g_autofree char *path =
	    sslvpn_helper_client_connect_finish(SSLVPN_HELPER_CLIENT(source), res, &error);

	/* The cookie is in the helper's hands (or lost): drop our copy. */
	sslvpn_login_reset(self->login);
	g_clear_object(&self->connect_cancel);
	if (!path) {
		g_autofree char *text = gui_error_describe(error);

		if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
			sslvpn_application_set_flow(self, SSLVPN_FLOW_IDLE);
		} else {
			g_message("Manager.Connect failed: %s", error->message);
			sslvpn_application_set_error(self, text);
			sslvpn_application_set_flow(self, SSLVPN_FLOW_IDLE);
		}
		sslvpn_application_changed(self);
		g_object_unref(self);
		return;
	}
	g_free(self->started_path);
	self->started_path = g_steal_pointer(&path);
	self->helper_failed = FALSE;
	gui_agent_set_helper(self->agent, sslvpn_helper_client_get_owner(self->helper));
	if (sslvpn_helper_client_find(self->helper, self->started_path)) {
		sslvpn_application_set_flow(self, SSLVPN_FLOW_IDLE);
	} else {
		/* Wait for the object to show up, not longer than a few seconds. */
		if (self->started_timeout)
			g_source_remove(self->started_timeout);
		self->started_timeout = g_timeout_add_seconds(10, on_started_timeout, self);
	}
	sslvpn_application_changed(self);
	g_object_unref(self);
}

static void sslvpn_application_start_tunnel(SslvpnApplication *self)
{
	const struct auth_result *r = sslvpn_login_get_result(self->login);

	if (!r)
		return;
	sslvpn_application_set_flow(self, SSLVPN_FLOW_STARTING);
	sslvpn_application_set_progress(self, g_strdup(_("Starting the tunnel…")));
	g_clear_object(&self->connect_cancel);
	self->connect_cancel = g_cancellable_new();
	sslvpn_helper_client_connect_async(self->helper, r, !prefs_get_use_dtls(self->prefs),
	                                   self->connect_cancel, on_connect_done,
	                                   g_object_ref(self));
	sslvpn_application_changed(self);
}

static void sslvpn_application_login_done(SslvpnApplication *self)
{
	const struct auth_result *r = sslvpn_login_get_result(self->login);

	if (r && r->pin[0])
		g_hash_table_replace(self->pins, g_strdup(r->gateway_url), g_strdup(r->pin));
	if (self->relogin_conn) {
		sslvpn_application_finish_relogin(self, 0);
		sslvpn_login_reset(self->login);
		sslvpn_application_set_flow(self, SSLVPN_FLOW_IDLE);
		sslvpn_application_changed(self);
		return;
	}
	if (r && r->banner && *r->banner) {
		sslvpn_application_set_flow(self, SSLVPN_FLOW_BANNER);
		sslvpn_application_set_progress(self, g_strdup(_("Waiting for you to accept the "
		                                                 "gateway's message…")));
		sslvpn_application_changed(self);
		sslvpn_application_present(self);
		sslvpn_window_show_banner(self->window, r->banner);
		return;
	}
	sslvpn_application_start_tunnel(self);
}

static void sslvpn_application_login_failed(SslvpnApplication *self)
{
	int err = sslvpn_login_get_error(self->login);
	const char *detail = sslvpn_login_get_error_message(self->login);
	const char *host = sslvpn_login_get_host(self->login);

	if (self->relogin_conn)
		sslvpn_application_finish_relogin(self, err);
	sslvpn_application_set_flow(self, SSLVPN_FLOW_IDLE);
	if (err == -ERR_CANCELLED) {
		sslvpn_application_set_error(self, NULL);
	} else {
		g_autofree char *text = NULL;

		/* The engine's sentence names the detail (often the gateway's own words). */
		if (detail && *detail && err != -ERR_CERT_PIN_MISMATCH)
			text = g_strdup_printf("%s\n%s", gui_error_message(err), detail);
		else
			text = g_strdup(gui_error_message(err));
		sslvpn_application_set_error(self, text);
	}
	sslvpn_application_changed(self);
	if (err == -ERR_CERT_UNTRUSTED || err == -ERR_CERT_PIN_MISMATCH) {
		sslvpn_application_present(self);
		sslvpn_window_show_cert(self->window,
		                        err == -ERR_CERT_UNTRUSTED
		                            ? SSLVPN_CERT_DIALOG_BLOCKED
		                            : SSLVPN_CERT_DIALOG_PIN_MISMATCH,
		                        host, sslvpn_login_get_cert_report(self->login));
	}
}

static void on_login_phase(SslvpnLogin *login, guint phase, SslvpnApplication *self)
{
	const char *host = sslvpn_login_get_host(login);

	switch ((SslvpnLoginPhase)phase) {
	case SSLVPN_LOGIN_CONNECTING:
		sslvpn_application_set_progress(self,
		                                g_strdup_printf(_("Connecting to %s…"), host));
		break;
	case SSLVPN_LOGIN_TALKING:
		sslvpn_application_set_progress(self,
		                                g_strdup_printf(_("Logging in to %s…"), host));
		break;
	case SSLVPN_LOGIN_DOWNLOADING:
		sslvpn_application_set_progress(self,
		                                g_strdup(_("Downloading the client profile…")));
		break;
	case SSLVPN_LOGIN_CERT_PROMPT:
		sslvpn_application_set_progress(
		    self, g_strdup(_("Waiting for your decision about the certificate…")));
		sslvpn_application_changed(self);
		sslvpn_application_present(self);
		sslvpn_window_show_cert(self->window, SSLVPN_CERT_DIALOG_PROMPT, host,
		                        sslvpn_login_get_cert_report(login));
		return;
	case SSLVPN_LOGIN_DONE:
		sslvpn_application_login_done(self);
		return;
	case SSLVPN_LOGIN_FAILED:
		sslvpn_application_login_failed(self);
		return;
	case SSLVPN_LOGIN_FORM:
	case SSLVPN_LOGIN_IDLE:
	default:
		break;
	}
	sslvpn_application_changed(self);
}

/* ---- public entry points (the window and the actions) ---- */

void sslvpn_application_start_login(SslvpnApplication *self, const char *gateway)
{
	SslvpnLoginOptions o = {.gateway = gateway, .cafile = self->cafile};
	int r;

	if (self->relogin_conn)
		return; /* the re-login has the window: a new login would orphan it */
	if (self->flow == SSLVPN_FLOW_STARTING || self->flow == SSLVPN_FLOW_BANNER)
		return;
	if (self->window)
		sslvpn_window_close_dialogs(self->window);
	sslvpn_application_set_error(self, NULL);
	sslvpn_application_set_flow(self, SSLVPN_FLOW_LOGIN);
	sslvpn_application_set_progress(self, g_strdup_printf(_("Connecting to %s…"), gateway));
	r = sslvpn_login_start(self->login, &o);
	if (r < 0) {
		sslvpn_application_set_flow(self, SSLVPN_FLOW_IDLE);
		sslvpn_application_set_error(
		    self, _("This is not a gateway address. Enter a host name such as "
		            "vpn.example.com, optionally with a port and a path."));
		sslvpn_application_changed(self);
	}
}

void sslvpn_application_submit(SslvpnApplication *self)
{
	int r = sslvpn_login_submit(self->login);

	if (r < 0 && sslvpn_login_get_phase(self->login) == SSLVPN_LOGIN_FORM && self->window)
		sslvpn_window_show_error(self->window, _("Check Your Input"), gui_error_message(r));
}

void sslvpn_application_choose_group(SslvpnApplication *self, const char *group)
{
	struct auth_form *form = sslvpn_login_get_form(self->login);

	if (!form || g_strcmp0(auth_form_selected_group(form), group) == 0)
		return;
	sslvpn_login_choose_group(self->login, group);
}

void sslvpn_application_cancel(SslvpnApplication *self)
{
	if (self->flow == SSLVPN_FLOW_STARTING && self->connect_cancel) {
		g_cancellable_cancel(self->connect_cancel);
		return;
	}
	if (self->flow == SSLVPN_FLOW_BANNER) {
		sslvpn_application_answer_banner(self, FALSE);
		return;
	}
	sslvpn_login_cancel(self->login);
}

static void on_disconnect_done(GObject *source, GAsyncResult *res, gpointer data)
{
	SslvpnApplication *self = data;
	g_autoptr(GError) error = NULL;

	if (!sslvpn_helper_client_disconnect_finish(SSLVPN_HELPER_CLIENT(source), res, &error)) {
		g_autofree char *text = gui_error_describe(error);

		if (self->window)
			sslvpn_window_show_error(self->window, _("Could Not Disconnect"), text);
	}
	g_object_unref(self);
}

void sslvpn_application_disconnect(SslvpnApplication *self)
{
	GuiConnection *c = sslvpn_helper_client_get_current(self->helper);

	if (self->flow != SSLVPN_FLOW_IDLE) {
		sslvpn_application_cancel(self);
		return;
	}
	if (!c)
		return;
	sslvpn_helper_client_disconnect_async(self->helper, gui_connection_get_path(c),
	                                      on_disconnect_done, g_object_ref(self));
}

void sslvpn_application_answer_cert(SslvpnApplication *self, enum auth_cert_answer answer)
{
	if (answer == AUTH_CERT_REJECT)
		sslvpn_login_cancel(self->login);
	else
		sslvpn_login_answer_cert(self->login, answer);
}

void sslvpn_application_answer_banner(SslvpnApplication *self, gboolean accept)
{
	if (self->flow != SSLVPN_FLOW_BANNER)
		return;
	if (accept) {
		sslvpn_application_start_tunnel(self);
		return;
	}
	/* Declined: the session is not used; the cookie is wiped with the login. */
	sslvpn_login_reset(self->login);
	sslvpn_application_set_flow(self, SSLVPN_FLOW_IDLE);
	sslvpn_application_changed(self);
}

void sslvpn_application_show_preferences(SslvpnApplication *self)
{
	GtkWidget *win;

	sslvpn_application_ensure_window(self);
	win = sslvpn_prefs_window_new(GTK_WINDOW(self->window), self->prefs);
	if (!gtk_widget_get_visible(GTK_WIDGET(self->window)))
		gtk_window_set_transient_for(GTK_WINDOW(win), NULL);
	gtk_window_present(GTK_WINDOW(win));
}

/* ---- helper events ---- */

static void on_helper_changed(SslvpnHelperClient *helper, SslvpnApplication *self)
{
	if (self->flow == SSLVPN_FLOW_STARTING && self->started_path &&
	    sslvpn_helper_client_find(helper, self->started_path) && !self->connect_cancel) {
		if (self->started_timeout) {
			g_source_remove(self->started_timeout);
			self->started_timeout = 0;
		}
		sslvpn_application_set_flow(self, SSLVPN_FLOW_IDLE);
	}
	sslvpn_application_changed(self);
}

static void on_helper_owner(SslvpnHelperClient *helper, SslvpnApplication *self)
{
	GDBusConnection *bus = sslvpn_helper_client_get_bus(helper);
	g_autoptr(GError) error = NULL;

	if (bus && !gui_agent_export(self->agent, bus, &error))
		g_message("cannot export the re-login agent: %s", error->message);
	gui_agent_set_helper(self->agent, sslvpn_helper_client_get_owner(helper));
}

static void on_connection_event(SslvpnHelperClient *helper, GuiConnection *c, guint ev,
                                SslvpnApplication *self)
{
	g_autofree char *url = gui_format_gateway(gui_connection_get_gateway(c));
	g_autofree char *gw = gui_text_sanitize(url);
	const char *why = gui_error_message_for_name(gui_connection_get_last_error(c));
	g_autofree char *body = NULL;

	switch ((GuiConnectionEvent)ev) {
	case GUI_CONNECTION_EVENT_CONNECTED:
		self->helper_failed = FALSE;
		sslvpn_application_set_error(self, NULL); /* an older failure is no longer news */
		body = g_strdup_printf(_("The VPN connection to %s is up."), gw);
		sslvpn_application_notify(self, _("VPN Connected"), body, FALSE);
		break;
	case GUI_CONNECTION_EVENT_RECONNECTING:
		body =
		    g_strdup_printf(_("The connection to %s was interrupted. Reconnecting…"), gw);
		sslvpn_application_notify(self, _("VPN Reconnecting"), body, FALSE);
		break;
	case GUI_CONNECTION_EVENT_RECONNECTED:
		body = g_strdup_printf(_("The VPN connection to %s is up again."), gw);
		sslvpn_application_notify(self, _("VPN Reconnected"), body, FALSE);
		break;
	case GUI_CONNECTION_EVENT_DROPPED:
		self->helper_failed = TRUE;
		body = why ? g_strdup_printf(_("The VPN connection to %s ended: %s"), gw, why)
		           : g_strdup_printf(_("The VPN connection to %s ended."), gw);
		sslvpn_application_notify(self, _("VPN Connection Lost"), body, TRUE);
		sslvpn_application_set_error(self, body);
		break;
	case GUI_CONNECTION_EVENT_FAILED:
		self->helper_failed = TRUE;
		body =
		    why ? g_strdup_printf(_("The VPN connection to %s could not be set up: %s"), gw,
		                          why)
		        : g_strdup_printf(_("The VPN connection to %s could not be set up."), gw);
		sslvpn_application_notify(self, _("VPN Connection Failed"), body, TRUE);
		sslvpn_application_set_error(self, body);
		break;
	case GUI_CONNECTION_EVENT_DISCONNECTED:
		self->helper_failed = FALSE;
		sslvpn_application_set_error(self, NULL);
		g_application_withdraw_notification(G_APPLICATION(self), "connection");
		break;
	case GUI_CONNECTION_EVENT_NONE:
	default:
		break;
	}
	sslvpn_application_changed(self);
}

static void on_relogin(GuiAgent *agent, const char *conn, const char *gateway, const char *reason,
                       SslvpnApplication *self)
{
	const char *pin = g_hash_table_lookup(self->pins, gateway);
	SslvpnLoginOptions o = {.gateway = gateway, .cafile = self->cafile, .pin = pin};
	g_autofree char *body = NULL;

	/* One re-login at a time; and a connection being started now (one tunnel at a time)
	 * means the tunnel that asks is on its way out anyway. */
	if (self->relogin_conn || self->flow == SSLVPN_FLOW_STARTING ||
	    self->flow == SSLVPN_FLOW_BANNER) {
		gui_agent_reply_error(agent, conn, -ERR_BUSY);
		return;
	}
	/* The tunnel comes first: a login the user started meanwhile gives way. */
	if (self->flow == SSLVPN_FLOW_LOGIN)
		sslvpn_login_cancel(self->login);
	if (self->window)
		sslvpn_window_close_dialogs(self->window);
	self->relogin_conn = g_strdup(conn);
	g_free(self->relogin_old_pin);
	self->relogin_old_pin = g_strdup(pin);
	sslvpn_application_set_error(self, NULL);
	sslvpn_application_set_flow(self, SSLVPN_FLOW_LOGIN);
	if (sslvpn_login_start(self->login, &o) < 0) {
		gui_agent_reply_error(agent, conn, -ERR_INVALID_ARGS);
		g_clear_pointer(&self->relogin_conn, g_free);
		sslvpn_application_set_flow(self, SSLVPN_FLOW_IDLE);
		sslvpn_application_changed(self);
		return;
	}
	body = g_strdup_printf(_("Log in to %s again to keep the VPN connected."), gateway);
	sslvpn_application_notify(self, _("VPN Login Needed"), body, TRUE);
	sslvpn_application_present(self);
}

static void on_agent_cancel(GuiAgent *agent, const char *conn, SslvpnApplication *self)
{
	if (g_strcmp0(self->relogin_conn, conn) != 0)
		return;
	g_clear_pointer(&self->relogin_conn, g_free); /* already answered by the agent */
	if (self->window)
		sslvpn_window_close_dialogs(self->window);
	sslvpn_login_cancel(self->login);
	sslvpn_login_reset(self->login);
	sslvpn_application_set_flow(self, SSLVPN_FLOW_IDLE);
	sslvpn_application_changed(self);
}

static void on_tray_registered(SslvpnTray *tray, SslvpnApplication *self)
{
	if (self->window)
		gtk_window_set_hide_on_close(GTK_WINDOW(self->window), TRUE);
}

/* ---- actions ---- */

static void action_connect(GSimpleAction *a, GVariant *param, gpointer data)
{
	SslvpnApplication *self = data;
	const char *gateway = g_variant_get_string(param, NULL);

	self->start_hidden = FALSE;
	sslvpn_application_present(self);
	if (*gateway)
		sslvpn_application_start_login(self, gateway);
}

static void action_disconnect(GSimpleAction *a, GVariant *param, gpointer data)
{
	sslvpn_application_disconnect(data);
}

static void action_show(GSimpleAction *a, GVariant *param, gpointer data)
{
	SslvpnApplication *self = data;

	self->start_hidden = FALSE;
	sslvpn_application_present(self);
}

static void action_quit(GSimpleAction *a, GVariant *param, gpointer data)
{
	SslvpnApplication *self = data;

	if (self->flow == SSLVPN_FLOW_LOGIN)
		sslvpn_login_cancel(self->login);
	g_application_quit(G_APPLICATION(self));
}

static void action_preferences(GSimpleAction *a, GVariant *param, gpointer data)
{
	sslvpn_application_show_preferences(data);
}

static void action_select_group(GSimpleAction *a, GVariant *param, gpointer data)
{
	SslvpnApplication *self = data;
	const char *group = g_variant_get_string(param, NULL);

	if (self->window &&
	    sslvpn_form_view_select_group(sslvpn_window_get_form_view(self->window), group))
		return;
	sslvpn_application_choose_group(self, group);
}

static void action_about(GSimpleAction *a, GVariant *param, gpointer data)
{
	SslvpnApplication *self = data;
	GtkWidget *about = adw_about_window_new();

	sslvpn_application_ensure_window(self);
	gtk_window_set_transient_for(GTK_WINDOW(about), GTK_WINDOW(self->window));
	adw_about_window_set_application_name(ADW_ABOUT_WINDOW(about), _("SSL VPN"));
	adw_about_window_set_application_icon(ADW_ABOUT_WINDOW(about), SSLVPN_APP_ID);
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

static void sslvpn_log_sink(int priority, const char *message, void *data)
{
	/* Warnings of core are not programming errors: never let them abort (G_DEBUG=fatal-*). */
	GLogLevelFlags level = priority <= LOG_WARNING ? G_LOG_LEVEL_MESSAGE
	                       : priority <= LOG_INFO  ? G_LOG_LEVEL_INFO
	                                               : G_LOG_LEVEL_DEBUG;

	g_log("sslvpn-core", level, "%s", message);
}

static void sslvpn_application_startup(GApplication *app)
{
	SslvpnApplication *self = SSLVPN_APPLICATION(app);
	static const char *const quit_accels[] = {"<Control>q", NULL};
	int r;

	G_APPLICATION_CLASS(sslvpn_application_parent_class)->startup(app);
	log_set_sink(sslvpn_log_sink, NULL);
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

	self->login = sslvpn_login_new(self->prefs);
	g_signal_connect(self->login, "phase-changed", G_CALLBACK(on_login_phase), self);
	self->helper = sslvpn_helper_client_new();
	g_signal_connect(self->helper, "changed", G_CALLBACK(on_helper_changed), self);
	g_signal_connect(self->helper, "owner-changed", G_CALLBACK(on_helper_owner), self);
	g_signal_connect(self->helper, "connection-event", G_CALLBACK(on_connection_event), self);
	self->agent = gui_agent_new();
	g_signal_connect(self->agent, "relogin", G_CALLBACK(on_relogin), self);
	g_signal_connect(self->agent, "cancel", G_CALLBACK(on_agent_cancel), self);
	self->tray = sslvpn_tray_new(G_ACTION_GROUP(app));
	g_signal_connect(self->tray, "registered", G_CALLBACK(on_tray_registered), self);
	if (g_application_get_dbus_connection(app)) {
		g_autoptr(GError) error = NULL;

		if (!sslvpn_tray_export(self->tray, g_application_get_dbus_connection(app), &error))
			g_message("no tray item: %s", error->message);
	}
	if (prefs_get_start_in_tray(self->prefs))
		self->start_hidden = TRUE;
	/* Kept alive by the tray even without a window. */
	g_application_hold(app);
	sslvpn_application_sync_tray(self);
}

static void sslvpn_application_shutdown(GApplication *app)
{
	SslvpnApplication *self = SSLVPN_APPLICATION(app);

	if (self->relogin_conn)
		sslvpn_application_finish_relogin(self, -ERR_CANCELLED);
	if (self->tray)
		sslvpn_tray_unexport(self->tray);
	g_application_release(app);
	G_APPLICATION_CLASS(sslvpn_application_parent_class)->shutdown(app);
}

static gboolean on_no_tray_timeout(gpointer data)
{
	SslvpnApplication *self = data;

	if (!sslvpn_tray_is_registered(self->tray) && !self->window)
		sslvpn_application_present(self);
	g_object_unref(self);
	return G_SOURCE_REMOVE;
}

static void sslvpn_application_activate(GApplication *app)
{
	SslvpnApplication *self = SSLVPN_APPLICATION(app);

	if (!self->activated && self->start_hidden) {
		self->activated = TRUE;
		/* Only the tray: if no tray shows up, a window after all. */
		g_timeout_add_seconds(3, on_no_tray_timeout, g_object_ref(self));
		return;
	}
	self->activated = TRUE;
	sslvpn_application_present(self);
}

static void on_window_removed(GtkApplication *app, GtkWindow *window, gpointer data)
{
	SslvpnApplication *self = SSLVPN_APPLICATION(app);

	/* Without a tray nothing would be left to show: quit with the last window. */
	if (!gtk_application_get_windows(app) && !sslvpn_tray_is_registered(self->tray))
		g_application_quit(G_APPLICATION(app));
}

static int sslvpn_application_command_line(GApplication *app, GApplicationCommandLine *cmdline)
{
	SslvpnApplication *self = SSLVPN_APPLICATION(app);
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

static void sslvpn_application_finalize(GObject *object)
{
	SslvpnApplication *self = SSLVPN_APPLICATION(object);

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
	G_OBJECT_CLASS(sslvpn_application_parent_class)->finalize(object);
}

static void sslvpn_application_class_init(SslvpnApplicationClass *klass)
{
	GApplicationClass *ac = G_APPLICATION_CLASS(klass);

	G_OBJECT_CLASS(klass)->finalize = sslvpn_application_finalize;
	ac->startup = sslvpn_application_startup;
	ac->shutdown = sslvpn_application_shutdown;
	ac->activate = sslvpn_application_activate;
	ac->command_line = sslvpn_application_command_line;
	signals[SIGNAL_CHANGED] =
	    g_signal_new("changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
	                 NULL, G_TYPE_NONE, 0);
}

static void sslvpn_application_init(SslvpnApplication *self)
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

SslvpnApplication *sslvpn_application_new(void)
{
	return g_object_new(SSLVPN_TYPE_APPLICATION, "application-id", SSLVPN_APP_ID, "flags",
	                    G_APPLICATION_HANDLES_COMMAND_LINE, NULL);
}

struct prefs *sslvpn_application_get_prefs(SslvpnApplication *self)
{
	return self->prefs;
}
SslvpnLogin *sslvpn_application_get_login(SslvpnApplication *self)
{
	return self->login;
}
SslvpnHelperClient *sslvpn_application_get_helper(SslvpnApplication *self)
{
	return self->helper;
}
SslvpnTray *sslvpn_application_get_tray(SslvpnApplication *self)
{
	return self->tray;
}
SslvpnFlow sslvpn_application_get_flow(SslvpnApplication *self)
{
	return self->flow;
}

gboolean sslvpn_application_is_relogin(SslvpnApplication *self)
{
	return self->relogin_conn != NULL;
}

const char *sslvpn_application_get_progress_text(SslvpnApplication *self)
{
	return self->progress ? self->progress : "";
}

const char *sslvpn_application_get_error(SslvpnApplication *self)
{
	return self->error;
}

const char *sslvpn_application_get_last_gateway(SslvpnApplication *self)
{
	return prefs_get_last_gateway(self->prefs);
}
