// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include "gui-flow.h"

#include <glib/gi18n.h>

#include "error.h"
#include "gui-errors.h"

struct _GuiFlow {
	GObject parent_instance;

	struct prefs *prefs; /* the application's */
	GuiLogin *login;
	GuiHelperClient *client;
	GuiAgent *agent;

	GuiFlowState state;
	char *progress;
	char *error;
	char *cafile;
	char *relogin_conn;    /* the connection whose Relogin the login serves */
	char *relogin_old_pin; /* its pin before, to report a change */
	GHashTable *pins;      /* gateway URL -> pin accepted in this session */
	char *started_path;    /* the connection our last Connect made */
	guint started_timeout;
	GCancellable *connect_cancel;
};

G_DEFINE_FINAL_TYPE(GuiFlow, gui_flow, G_TYPE_OBJECT)

enum {
	SIGNAL_CHANGED,
	SIGNAL_SHOW_CERT,
	SIGNAL_SHOW_BANNER,
	SIGNAL_CLOSE_DIALOGS,
	SIGNAL_RELOGIN_STARTED,
	SIGNAL_STARTED,
	N_SIGNALS
};
static guint signals[N_SIGNALS];

static void on_connect_done(GObject *source, GAsyncResult *res, gpointer data);

static void gui_flow_set_progress(GuiFlow *self, char *text)
{
	g_free(self->progress);
	self->progress = text;
}

static void gui_flow_changed(GuiFlow *self)
{
	g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static const char *gui_flow_state_name(GuiFlowState state)
{
	switch (state) {
	case GUI_FLOW_IDLE:
		return "IDLE";
	case GUI_FLOW_LOGIN:
		return "LOGIN";
	case GUI_FLOW_BANNER:
		return "BANNER";
	case GUI_FLOW_STARTING:
		return "STARTING";
	}
	return "?";
}

/* The only place the state changes.  Callers emit "changed" afterwards, once they have also
 * stored what the new state shows (an error), so that listeners see all of it at once. */
static void gui_flow_enter_state(GuiFlow *self, GuiFlowState state)
{
	const struct auth_result *r;

	if (self->state == state)
		return;
	g_debug("flow: %s -> %s", gui_flow_state_name(self->state), gui_flow_state_name(state));
	self->state = state;
	switch (state) {
	case GUI_FLOW_IDLE:
		/* The wait for the new connection object belongs to STARTING, however it ends. */
		if (self->started_timeout) {
			g_source_remove(self->started_timeout);
			self->started_timeout = 0;
		}
		break;
	case GUI_FLOW_LOGIN:
		break;
	case GUI_FLOW_BANNER:
		gui_flow_set_progress(self, g_strdup(_("Waiting for you to accept the "
		                                       "gateway's message…")));
		break;
	case GUI_FLOW_STARTING:
		r = gui_login_get_result(self->login);
		gui_flow_set_progress(self, g_strdup(_("Starting the tunnel…")));
		g_clear_object(&self->connect_cancel);
		self->connect_cancel = g_cancellable_new();
		gui_helper_client_connect_async(self->client, r, !prefs_get_use_dtls(self->prefs),
		                                self->connect_cancel, on_connect_done,
		                                g_object_ref(self));
		break;
	}
}

static void gui_flow_finish_relogin(GuiFlow *self, int err)
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
	GuiFlow *self = data;

	self->started_timeout = 0;
	if (self->state == GUI_FLOW_STARTING) {
		gui_flow_enter_state(self, GUI_FLOW_IDLE);
		gui_flow_changed(self);
	}
	return G_SOURCE_REMOVE;
}

static void on_connect_done(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(GuiFlow) self = data;
	g_autoptr(GError) error = NULL;
	g_autofree char *path =
	    gui_helper_client_connect_finish(GUI_HELPER_CLIENT(source), res, &error);

	/* The cookie is in the helper's hands (or lost): drop our copy. */
	gui_login_reset(self->login);
	g_clear_object(&self->connect_cancel);
	if (!path) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
			g_autofree char *text = gui_errors_describe(error);

			g_message("Manager.Connect failed: %s", error->message);
			gui_flow_set_error(self, text);
		}
		gui_flow_enter_state(self, GUI_FLOW_IDLE);
		gui_flow_changed(self);
		return;
	}
	g_free(self->started_path);
	self->started_path = g_steal_pointer(&path);
	g_signal_emit(self, signals[SIGNAL_STARTED], 0, self->started_path);
	/* Connect may have started the helper: the agent answers only to the one running now. */
	gui_agent_set_helper(self->agent, gui_helper_client_get_owner(self->client));
	if (gui_helper_client_find(self->client, self->started_path)) {
		gui_flow_enter_state(self, GUI_FLOW_IDLE);
	} else {
		/* Wait for the object to show up, not longer than a few seconds. */
		if (self->started_timeout)
			g_source_remove(self->started_timeout);
		self->started_timeout = g_timeout_add_seconds(10, on_started_timeout, self);
	}
	gui_flow_changed(self);
}

static void gui_flow_start_tunnel(GuiFlow *self)
{
	/* Without a result there is nothing to hand to Manager.Connect. */
	if (!gui_login_get_result(self->login))
		return;
	gui_flow_enter_state(self, GUI_FLOW_STARTING);
	gui_flow_changed(self);
}

static void gui_flow_login_done(GuiFlow *self)
{
	const struct auth_result *r = gui_login_get_result(self->login);

	if (r && r->pin[0])
		g_hash_table_replace(self->pins, g_strdup(r->gateway_url), g_strdup(r->pin));
	if (self->relogin_conn) {
		gui_flow_finish_relogin(self, 0);
		gui_login_reset(self->login);
		gui_flow_enter_state(self, GUI_FLOW_IDLE);
		gui_flow_changed(self);
		return;
	}
	if (r && r->banner && *r->banner) {
		gui_flow_enter_state(self, GUI_FLOW_BANNER);
		gui_flow_changed(self);
		g_signal_emit(self, signals[SIGNAL_SHOW_BANNER], 0, r->banner);
		return;
	}
	gui_flow_start_tunnel(self);
}

static void gui_flow_login_failed(GuiFlow *self)
{
	int err = gui_login_get_error(self->login);
	const char *detail = gui_login_get_error_message(self->login);

	if (self->relogin_conn)
		gui_flow_finish_relogin(self, err);
	gui_flow_enter_state(self, GUI_FLOW_IDLE);
	if (err == -ERR_CANCELLED) {
		gui_flow_set_error(self, NULL);
	} else {
		g_autofree char *text = NULL;

		/* The engine's sentence names the detail (often the gateway's own words). */
		if (detail && *detail && err != -ERR_CERT_PIN_MISMATCH)
			text = g_strdup_printf("%s\n%s", gui_errors_message(err), detail);
		else
			text = g_strdup(gui_errors_message(err));
		gui_flow_set_error(self, text);
	}
	gui_flow_changed(self);
	if (err == -ERR_CERT_UNTRUSTED || err == -ERR_CERT_PIN_MISMATCH)
		g_signal_emit(self, signals[SIGNAL_SHOW_CERT], 0, err);
}

static void on_login_phase(GuiLogin *login, guint phase, GuiFlow *self)
{
	const char *host = gui_login_get_host(login);

	switch ((GuiLoginPhase)phase) {
	case GUI_LOGIN_CONNECTING:
		gui_flow_set_progress(self, g_strdup_printf(_("Connecting to %s…"), host));
		break;
	case GUI_LOGIN_TALKING:
		gui_flow_set_progress(self, g_strdup_printf(_("Logging in to %s…"), host));
		break;
	case GUI_LOGIN_DOWNLOADING:
		gui_flow_set_progress(self, g_strdup(_("Downloading the client profile…")));
		break;
	case GUI_LOGIN_CERT_PROMPT:
		gui_flow_set_progress(
		    self, g_strdup(_("Waiting for your decision about the certificate…")));
		gui_flow_changed(self);
		g_signal_emit(self, signals[SIGNAL_SHOW_CERT], 0, 0);
		return;
	case GUI_LOGIN_DONE:
		gui_flow_login_done(self);
		return;
	case GUI_LOGIN_FAILED:
		gui_flow_login_failed(self);
		return;
	case GUI_LOGIN_FORM:
	case GUI_LOGIN_IDLE:
	default:
		break;
	}
	gui_flow_changed(self);
}

static void on_client_changed(GuiHelperClient *client, GuiFlow *self)
{
	if (self->state == GUI_FLOW_STARTING && self->started_path &&
	    gui_helper_client_find(client, self->started_path) && !self->connect_cancel)
		gui_flow_enter_state(self, GUI_FLOW_IDLE);
	/* The views show the connections too: one refresh for both. */
	gui_flow_changed(self);
}

static void on_relogin(GuiAgent *agent, const char *conn, const char *gateway, const char *reason,
                       GuiFlow *self)
{
	const char *pin = g_hash_table_lookup(self->pins, gateway);
	GuiLoginOptions o = {.gateway = gateway, .cafile = self->cafile, .pin = pin};

	/* One re-login at a time; and a connection being started now (one tunnel at a time)
	 * means the tunnel that asks is on its way out anyway. */
	if (self->relogin_conn || self->state == GUI_FLOW_STARTING ||
	    self->state == GUI_FLOW_BANNER) {
		gui_agent_reply_error(agent, conn, -ERR_BUSY);
		return;
	}
	/* The tunnel comes first: a login the user started meanwhile gives way. */
	if (self->state == GUI_FLOW_LOGIN)
		gui_login_cancel(self->login);
	g_signal_emit(self, signals[SIGNAL_CLOSE_DIALOGS], 0);
	self->relogin_conn = g_strdup(conn);
	g_free(self->relogin_old_pin);
	self->relogin_old_pin = g_strdup(pin);
	gui_flow_set_error(self, NULL);
	gui_flow_enter_state(self, GUI_FLOW_LOGIN);
	if (gui_login_start(self->login, &o) < 0) {
		gui_agent_reply_error(agent, conn, -ERR_INVALID_ARGS);
		g_clear_pointer(&self->relogin_conn, g_free);
		gui_flow_enter_state(self, GUI_FLOW_IDLE);
		gui_flow_changed(self);
		return;
	}
	g_signal_emit(self, signals[SIGNAL_RELOGIN_STARTED], 0, gateway);
}

static void on_agent_cancel(GuiAgent *agent, const char *conn, GuiFlow *self)
{
	if (g_strcmp0(self->relogin_conn, conn) != 0)
		return;
	g_clear_pointer(&self->relogin_conn, g_free); /* already answered by the agent */
	g_signal_emit(self, signals[SIGNAL_CLOSE_DIALOGS], 0);
	gui_login_cancel(self->login);
	gui_login_reset(self->login);
	gui_flow_enter_state(self, GUI_FLOW_IDLE);
	gui_flow_changed(self);
}

/* ---- public ---- */

void gui_flow_start_login(GuiFlow *self, const char *gateway)
{
	GuiLoginOptions o = {.gateway = gateway, .cafile = self->cafile};

	if (self->relogin_conn)
		return; /* the re-login has the window: a new login would orphan it */
	if (self->state == GUI_FLOW_STARTING || self->state == GUI_FLOW_BANNER)
		return;
	g_signal_emit(self, signals[SIGNAL_CLOSE_DIALOGS], 0);
	gui_flow_set_error(self, NULL);
	gui_flow_enter_state(self, GUI_FLOW_LOGIN);
	gui_flow_set_progress(self, g_strdup_printf(_("Connecting to %s…"), gateway));
	if (gui_login_start(self->login, &o) < 0) {
		gui_flow_enter_state(self, GUI_FLOW_IDLE);
		gui_flow_set_error(self,
		                   _("This is not a gateway address. Enter a host name such as "
		                     "vpn.example.com, optionally with a port and a path."));
		gui_flow_changed(self);
	}
}

void gui_flow_cancel(GuiFlow *self)
{
	if (self->state == GUI_FLOW_STARTING && self->connect_cancel) {
		g_cancellable_cancel(self->connect_cancel);
		return;
	}
	if (self->state == GUI_FLOW_BANNER) {
		gui_flow_answer_banner(self, FALSE);
		return;
	}
	gui_login_cancel(self->login);
}

void gui_flow_answer_banner(GuiFlow *self, gboolean accept)
{
	if (self->state != GUI_FLOW_BANNER)
		return;
	if (accept) {
		gui_flow_start_tunnel(self);
		return;
	}
	/* Declined: the session is not used; the cookie is wiped with the login. */
	gui_login_reset(self->login);
	gui_flow_enter_state(self, GUI_FLOW_IDLE);
	gui_flow_changed(self);
}

void gui_flow_shutdown(GuiFlow *self)
{
	if (self->relogin_conn)
		gui_flow_finish_relogin(self, -ERR_CANCELLED);
}

void gui_flow_set_cafile(GuiFlow *self, const char *cafile)
{
	g_free(self->cafile);
	self->cafile = g_strdup(cafile);
}

GuiFlowState gui_flow_get_state(GuiFlow *self)
{
	return self->state;
}

gboolean gui_flow_is_relogin(GuiFlow *self)
{
	return self->relogin_conn != NULL;
}

const char *gui_flow_get_progress_text(GuiFlow *self)
{
	return self->progress ? self->progress : "";
}

const char *gui_flow_get_error(GuiFlow *self)
{
	return self->error;
}

void gui_flow_set_error(GuiFlow *self, const char *error)
{
	g_free(self->error);
	self->error = g_strdup(error);
}

/* ---- GObject ---- */

static void gui_flow_dispose(GObject *object)
{
	GuiFlow *self = GUI_FLOW(object);

	/* The login, client and agent may outlive the flow: stop hearing from them. */
	if (self->login)
		g_signal_handlers_disconnect_by_data(self->login, self);
	if (self->client)
		g_signal_handlers_disconnect_by_data(self->client, self);
	if (self->agent)
		g_signal_handlers_disconnect_by_data(self->agent, self);
	g_clear_handle_id(&self->started_timeout, g_source_remove);
	g_clear_object(&self->connect_cancel);
	g_clear_object(&self->login);
	g_clear_object(&self->client);
	g_clear_object(&self->agent);
	G_OBJECT_CLASS(gui_flow_parent_class)->dispose(object);
}

static void gui_flow_finalize(GObject *object)
{
	GuiFlow *self = GUI_FLOW(object);

	g_hash_table_unref(self->pins);
	g_free(self->progress);
	g_free(self->error);
	g_free(self->cafile);
	g_free(self->relogin_conn);
	g_free(self->relogin_old_pin);
	g_free(self->started_path);
	G_OBJECT_CLASS(gui_flow_parent_class)->finalize(object);
}

static void gui_flow_class_init(GuiFlowClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);
	GType type = G_TYPE_FROM_CLASS(klass);

	oc->dispose = gui_flow_dispose;
	oc->finalize = gui_flow_finalize;
	signals[SIGNAL_CHANGED] =
	    g_signal_new("changed", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
	signals[SIGNAL_SHOW_CERT] = g_signal_new("show-cert", type, G_SIGNAL_RUN_LAST, 0, NULL,
	                                         NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
	signals[SIGNAL_SHOW_BANNER] = g_signal_new("show-banner", type, G_SIGNAL_RUN_LAST, 0, NULL,
	                                           NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
	signals[SIGNAL_CLOSE_DIALOGS] = g_signal_new("close-dialogs", type, G_SIGNAL_RUN_LAST, 0,
	                                             NULL, NULL, NULL, G_TYPE_NONE, 0);
	signals[SIGNAL_RELOGIN_STARTED] =
	    g_signal_new("relogin-started", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
	                 G_TYPE_NONE, 1, G_TYPE_STRING);
	signals[SIGNAL_STARTED] = g_signal_new("started", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
	                                       NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void gui_flow_init(GuiFlow *self)
{
	self->pins = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

GuiFlow *gui_flow_new(struct prefs *prefs, GuiLogin *login, GuiHelperClient *client,
                      GuiAgent *agent)
{
	GuiFlow *self = g_object_new(GUI_TYPE_FLOW, NULL);

	self->prefs = prefs;
	self->login = g_object_ref(login);
	self->client = g_object_ref(client);
	self->agent = g_object_ref(agent);
	g_signal_connect(login, "phase-changed", G_CALLBACK(on_login_phase), self);
	g_signal_connect(client, "changed", G_CALLBACK(on_client_changed), self);
	g_signal_connect(agent, "relogin", G_CALLBACK(on_relogin), self);
	g_signal_connect(agent, "cancel", G_CALLBACK(on_agent_cancel), self);
	return self;
}
