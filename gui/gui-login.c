// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include "gui-login.h"

#include <string.h>

#include "error.h"
#include "http-exchange.h"
#include "log.h"
#include "prefs.h"

struct _GuiLogin {
	GObject parent_instance;

	struct prefs *prefs;
	GuiLoginIo io;
	gpointer io_data;

	GuiLoginPhase phase;
	struct auth *auth;
	struct tls_conn *conn; /* owned here except while a thread uses it */
	guint run;             /* bumped by start/cancel/reset: stale thread results are dropped */
	char *gateway;
	char gateway_key[1400];
	char host[256];
	/* Kept after the engine is gone (FAILED through cancel): */
	int error;
	char *error_message;
};

G_DEFINE_FINAL_TYPE(GuiLogin, gui_login, G_TYPE_OBJECT)

enum { SIGNAL_PHASE_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void gui_login_step(GuiLogin *self);

const char *gui_login_phase_name(GuiLoginPhase phase)
{
	static const char *const names[] = {
	    [GUI_LOGIN_IDLE] = "idle",
	    [GUI_LOGIN_CONNECTING] = "connecting",
	    [GUI_LOGIN_CERT_PROMPT] = "cert-prompt",
	    [GUI_LOGIN_TALKING] = "talking",
	    [GUI_LOGIN_FORM] = "form",
	    [GUI_LOGIN_DOWNLOADING] = "downloading",
	    [GUI_LOGIN_DONE] = "done",
	    [GUI_LOGIN_FAILED] = "failed",
	};
	return (guint)phase < G_N_ELEMENTS(names) ? names[phase] : "?";
}

/* The only place the phase changes. */
static void gui_login_enter_phase(GuiLogin *self, GuiLoginPhase phase)
{
	g_debug("login: %s -> %s", gui_login_phase_name(self->phase), gui_login_phase_name(phase));
	self->phase = phase;
	if (phase == GUI_LOGIN_FAILED && self->auth) {
		self->error = auth_error(self->auth);
		g_free(self->error_message);
		self->error_message = g_strdup(auth_error_message(self->auth));
	}
	g_signal_emit(self, signals[SIGNAL_PHASE_CHANGED], 0, (guint)phase);
}

/* ---- the real blocking operations ---- */

static int gui_login_real_open(const struct tls_conn_options *opts, struct tls_conn **conn,
                               struct tls_cert_report *report, char *peer, gpointer data)
{
	int r = tls_conn_open(opts, conn, report);

	if (r == 0)
		g_strlcpy(peer, tls_conn_peer_address(*conn), 64);
	return r;
}

static int gui_login_real_exchange(struct tls_conn *conn, const struct secret *request,
                                   struct http_response **resp, gpointer data)
{
	return http_exchange(conn, request, HTTP_RESPONSE_FULL, resp, NULL, 0, NULL);
}

static void gui_login_real_close(struct tls_conn *conn, gpointer data)
{
	tls_conn_free(conn);
}

/* ---- thread jobs ---- */

/* A deep copy of what the thread needs: the engine is not touched while it runs. */
typedef struct {
	GuiLoginIo io;
	gpointer io_data;
	guint run;
	/* open */
	struct tls_conn_options opts;
	char *host, *address, *cafile, *pin, *priority;
	struct tls_conn *old_conn; /* closed first (close_notify may block) */
	struct tls_cert_report report;
	char peer[64];
	/* request */
	struct secret *request;
	struct http_response *resp;
	/* both */
	struct tls_conn *conn;
	int result;
} LoginJob;

static void login_job_free(LoginJob *job)
{
	if (job->old_conn)
		job->io.close(job->old_conn, job->io_data);
	if (job->conn)
		job->io.close(job->conn, job->io_data);
	g_free(job->host);
	g_free(job->address);
	g_free(job->cafile);
	g_free(job->pin);
	g_free(job->priority);
	secret_free(job->request);
	http_response_free(job->resp);
	memset(&job->report, 0, sizeof(job->report));
	g_free(job);
}

static LoginJob *login_job_new(GuiLogin *self)
{
	LoginJob *job = g_new0(LoginJob, 1);

	job->io = self->io;
	job->io_data = self->io_data;
	job->run = self->run;
	return job;
}

static void login_open_thread(GTask *task, gpointer source, gpointer data, GCancellable *c)
{
	LoginJob *job = data;

	if (job->old_conn) {
		job->io.close(job->old_conn, job->io_data);
		job->old_conn = NULL;
	}
	job->result = job->io.open(&job->opts, &job->conn, &job->report, job->peer, job->io_data);
	g_task_return_boolean(task, TRUE);
}

static void login_request_thread(GTask *task, gpointer source, gpointer data, GCancellable *c)
{
	LoginJob *job = data;

	job->result = job->io.exchange(job->conn, job->request, &job->resp, job->io_data);
	g_task_return_boolean(task, TRUE);
}

/* Frees a connection of an abandoned run without blocking the main loop. */
static void login_close_thread(GTask *task, gpointer source, gpointer data, GCancellable *c)
{
	LoginJob *job = data;

	job->io.close(job->conn, job->io_data);
	job->conn = NULL;
	g_task_return_boolean(task, TRUE);
}

static void gui_login_close_conn(GuiLogin *self, struct tls_conn *conn)
{
	g_autoptr(GTask) task = NULL;
	LoginJob *job;

	if (!conn)
		return;
	job = login_job_new(self);
	job->conn = conn;
	task = g_task_new(NULL, NULL, NULL, NULL);
	g_task_set_task_data(task, job, (GDestroyNotify)login_job_free);
	g_task_run_in_thread(task, login_close_thread);
}

/* A finished job hands its connection back to the login: the job, or NULL when the login was
 * cancelled meanwhile (the connection is closed then). */
static LoginJob *login_job_finish(GuiLogin *self, GAsyncResult *res)
{
	LoginJob *job = g_task_get_task_data(G_TASK(res));

	if (job->run != self->run || !self->auth) {
		gui_login_close_conn(self, g_steal_pointer(&job->conn));
		return NULL;
	}
	self->conn = g_steal_pointer(&job->conn);
	return job;
}

static void login_open_done(GObject *source, GAsyncResult *res, gpointer data)
{
	GuiLogin *self = GUI_LOGIN(source);
	LoginJob *job = login_job_finish(self, res);

	if (!job)
		return;
	auth_connected(self->auth, job->result, &job->report, job->result == 0 ? job->peer : NULL);
	gui_login_step(self);
}

static void login_request_done(GObject *source, GAsyncResult *res, gpointer data)
{
	GuiLogin *self = GUI_LOGIN(source);
	LoginJob *job = login_job_finish(self, res);

	if (!job)
		return;
	if (job->result < 0)
		auth_io_failed(self->auth, job->result);
	else
		auth_feed_response(self->auth, job->resp);
	gui_login_step(self);
}

static void gui_login_run_open(GuiLogin *self)
{
	const struct tls_conn_options *o = auth_tls_options(self->auth);
	g_autoptr(GTask) task = NULL;
	LoginJob *job = login_job_new(self);

	job->opts = *o;
	job->opts.host = job->host = g_strdup(o->host);
	job->opts.address = job->address = g_strdup(o->address);
	job->opts.cafile = job->cafile = g_strdup(o->cafile);
	job->opts.pin = job->pin = g_strdup(o->pin);
	job->opts.priority = job->priority = g_strdup(o->priority);
	/* Identities are not used by the GUI yet; never hand the thread engine memory. */
	job->opts.identities = NULL;
	job->opts.n_identities = 0;
	job->old_conn = self->conn;
	self->conn = NULL;
	if (o->host)
		g_strlcpy(self->host, o->host, sizeof(self->host));
	task = g_task_new(self, NULL, login_open_done, NULL);
	g_task_set_task_data(task, job, (GDestroyNotify)login_job_free);
	g_task_run_in_thread(task, login_open_thread);
}

/* FALSE when no thread was started (the engine was told why). */
static gboolean gui_login_run_request(GuiLogin *self)
{
	g_autoptr(GTask) task = NULL;
	LoginJob *job;

	if (!self->conn) {
		/* A request without a connection: the engine reconnects. */
		auth_io_failed(self->auth, -ERR_IO);
		return FALSE;
	}
	job = login_job_new(self);
	job->request = secret_dup(auth_request(self->auth));
	if (!job->request) {
		login_job_free(job);
		auth_io_failed(self->auth, -ERR_NOMEM);
		return FALSE;
	}
	job->conn = g_steal_pointer(&self->conn);
	task = g_task_new(self, NULL, login_request_done, NULL);
	g_task_set_task_data(task, job, (GDestroyNotify)login_job_free);
	g_task_run_in_thread(task, login_request_thread);
	return TRUE;
}

/* Advances the engine until it needs a thread or the user. */
static void gui_login_step(GuiLogin *self)
{
	for (;;) {
		enum auth_action act = auth_next(self->auth);
		struct auth_form *form;

		switch (act) {
		case AUTH_ACTION_CONNECT:
			gui_login_run_open(self);
			gui_login_enter_phase(self, auth_is_downloading(self->auth)
			                                ? GUI_LOGIN_DOWNLOADING
			                                : GUI_LOGIN_CONNECTING);
			return;
		case AUTH_ACTION_CERT_PROMPT:
			gui_login_enter_phase(self, GUI_LOGIN_CERT_PROMPT);
			return;
		case AUTH_ACTION_REQUEST:
			if (!gui_login_run_request(self))
				continue;
			{
				GuiLoginPhase next = auth_is_downloading(self->auth)
				                         ? GUI_LOGIN_DOWNLOADING
				                         : GUI_LOGIN_TALKING;

				if (self->phase != next)
					gui_login_enter_phase(self, next);
			}
			return;
		case AUTH_ACTION_FORM:
			form = auth_form(self->auth);
			/* <authentication-complete/>: post it again without asking. */
			if (form && form->authentication_complete) {
				/* On failure the engine is FAILED: the next round says so. */
				auth_submit(self->auth);
				continue;
			}
			gui_login_enter_phase(self, GUI_LOGIN_FORM);
			return;
		case AUTH_ACTION_DONE:
			gui_login_close_conn(self, g_steal_pointer(&self->conn));
			gui_login_enter_phase(self, GUI_LOGIN_DONE);
			return;
		case AUTH_ACTION_FAILED:
		default:
			gui_login_close_conn(self, g_steal_pointer(&self->conn));
			gui_login_enter_phase(self, GUI_LOGIN_FAILED);
			return;
		}
	}
}

/* ---- public API ---- */

static void gui_login_drop(GuiLogin *self)
{
	self->run++;
	gui_login_close_conn(self, g_steal_pointer(&self->conn));
	g_clear_pointer(&self->auth, auth_free);
	self->error = 0;
	g_clear_pointer(&self->error_message, g_free);
}

void gui_login_set_io(GuiLogin *self, const GuiLoginIo *io, gpointer user_data)
{
	self->io.open = io && io->open ? io->open : gui_login_real_open;
	self->io.exchange = io && io->exchange ? io->exchange : gui_login_real_exchange;
	self->io.close = io && io->close ? io->close : gui_login_real_close;
	self->io_data = user_data;
}

static const char *gui_login_remembered_group(GuiLogin *self, struct auth *probe)
{
	struct prefs_gateway *g;
	char key[1400];

	if (!self->prefs)
		return NULL;
	auth_gateway_key(probe, key, sizeof(key));
	g = prefs_gateway(self->prefs, key, false);
	return g ? prefs_gateway_get_last_group(g) : NULL;
}

int gui_login_start(GuiLogin *self, const GuiLoginOptions *opts)
{
	struct auth_config cfg = {
	    .gateway = opts->gateway,
	    .group = opts->group,
	    .cafile = opts->cafile,
	    .pin = opts->pin,
	    .prefs = self->prefs,
	    .timeout_ms = opts->timeout_ms,
	};
	struct auth *a;
	int err = 0;

	if (!opts->gateway || !*opts->gateway)
		return -ERR_INVALID_ARGS;
	a = auth_new(&cfg, &err);
	if (!a)
		return err ? err : -ERR_INVALID_ARGS;
	if (!cfg.group || !*cfg.group) {
		/* Preselect the group used last time, so that a returning user gets its form
		 * at once (the engine posts the init with it). */
		const char *last = gui_login_remembered_group(self, a);

		if (last) {
			g_autofree char *group = g_strdup(last);
			struct auth *again;

			cfg.group = group;
			again = auth_new(&cfg, &err);
			if (again) {
				auth_free(a);
				a = again;
			}
		}
	}
	if (self->auth)
		log_info("a new login replaces the one in progress");
	gui_login_drop(self);
	self->auth = a;
	g_free(self->gateway);
	self->gateway = g_strdup(opts->gateway);
	auth_gateway_key(a, self->gateway_key, sizeof(self->gateway_key));
	g_strlcpy(self->host, opts->gateway, sizeof(self->host));
	gui_login_step(self);
	return 0;
}

GuiLoginPhase gui_login_get_phase(GuiLogin *self)
{
	return self->phase;
}

gboolean gui_login_is_busy(GuiLogin *self)
{
	return self->phase != GUI_LOGIN_IDLE && self->phase != GUI_LOGIN_DONE &&
	       self->phase != GUI_LOGIN_FAILED;
}

const char *gui_login_get_gateway(GuiLogin *self)
{
	return self->gateway;
}

const char *gui_login_get_gateway_key(GuiLogin *self)
{
	return self->auth ? self->gateway_key : "";
}

const char *gui_login_get_host(GuiLogin *self)
{
	return self->host[0] ? self->host : (self->gateway ? self->gateway : "");
}

struct auth_form *gui_login_get_form(GuiLogin *self)
{
	if (self->phase != GUI_LOGIN_FORM || !self->auth)
		return NULL;
	return auth_form(self->auth);
}

const char *gui_login_get_last_user(GuiLogin *self)
{
	struct prefs_gateway *g;

	if (!self->prefs || !self->auth)
		return NULL;
	g = prefs_gateway(self->prefs, self->gateway_key, false);
	return g ? prefs_gateway_get_last_user(g) : NULL;
}

int gui_login_submit(GuiLogin *self)
{
	int r;

	if (self->phase != GUI_LOGIN_FORM)
		return -ERR_INVALID_ARGS;
	r = auth_submit(self->auth);
	gui_login_step(self);
	return r;
}

int gui_login_choose_group(GuiLogin *self, const char *value_or_label)
{
	int r;

	if (self->phase != GUI_LOGIN_FORM || !value_or_label)
		return -ERR_INVALID_ARGS;
	r = auth_choose_group(self->auth, value_or_label);
	if (r == -ERR_NOT_FOUND || r == -ERR_INVALID_ARGS)
		return r; /* nothing changed: the form stays */
	gui_login_step(self);
	return r;
}

const struct tls_cert_report *gui_login_get_cert_report(GuiLogin *self)
{
	return self->auth ? auth_cert_report(self->auth) : NULL;
}

void gui_login_answer_cert(GuiLogin *self, enum auth_cert_answer answer)
{
	if (self->phase != GUI_LOGIN_CERT_PROMPT)
		return;
	auth_answer_cert(self->auth, answer);
	gui_login_step(self);
}

void gui_login_cancel(GuiLogin *self)
{
	if (!gui_login_is_busy(self))
		return;
	self->run++; /* a thread still running reports into the void */
	gui_login_close_conn(self, g_steal_pointer(&self->conn));
	auth_cancel(self->auth);
	gui_login_enter_phase(self, GUI_LOGIN_FAILED);
}

void gui_login_reset(GuiLogin *self)
{
	gui_login_drop(self);
	g_clear_pointer(&self->gateway, g_free);
	self->host[0] = '\0';
	if (self->phase != GUI_LOGIN_IDLE)
		gui_login_enter_phase(self, GUI_LOGIN_IDLE);
}

const struct auth_result *gui_login_get_result(GuiLogin *self)
{
	return self->phase == GUI_LOGIN_DONE && self->auth ? auth_result(self->auth) : NULL;
}

int gui_login_get_error(GuiLogin *self)
{
	return self->phase == GUI_LOGIN_FAILED ? self->error : 0;
}

const char *gui_login_get_error_message(GuiLogin *self)
{
	return self->phase == GUI_LOGIN_FAILED ? self->error_message : NULL;
}

static void gui_login_finalize(GObject *object)
{
	GuiLogin *self = GUI_LOGIN(object);

	gui_login_drop(self);
	g_free(self->gateway);
	G_OBJECT_CLASS(gui_login_parent_class)->finalize(object);
}

static void gui_login_class_init(GuiLoginClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = gui_login_finalize;
	/* phase-changed(guint phase): everything else is read through the getters. */
	signals[SIGNAL_PHASE_CHANGED] =
	    g_signal_new("phase-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
	                 NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void gui_login_init(GuiLogin *self)
{
	gui_login_set_io(self, NULL, NULL);
}

GuiLogin *gui_login_new(struct prefs *prefs)
{
	GuiLogin *self = g_object_new(GUI_TYPE_LOGIN, NULL);

	self->prefs = prefs;
	return self;
}
