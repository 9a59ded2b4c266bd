// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include "gui-login.h"

#include <string.h>

#include "error.h"
#include "http-exchange.h"
#include "log.h"
#include "prefs.h"

struct _SslvpnLogin {
	GObject parent_instance;

	struct prefs *prefs;
	SslvpnLoginIo io;
	gpointer io_data;

	SslvpnLoginPhase phase;
	struct auth *auth;
	struct tls_conn *conn; /* owned here except while a thread uses it */
	guint run;             /* bumped by start/cancel/reset: stale thread results are dropped */
	gboolean downloaded;
	char *gateway;
	char gateway_key[1400];
	char host[256];
	/* Kept after the engine is gone (FAILED through cancel): */
	int error;
	char *error_message;
};

G_DEFINE_FINAL_TYPE(SslvpnLogin, sslvpn_login, G_TYPE_OBJECT)

enum { SIGNAL_PHASE_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void sslvpn_login_step(SslvpnLogin *self);

const char *sslvpn_login_phase_name(SslvpnLoginPhase phase)
{
	static const char *const names[] = {
	    [SSLVPN_LOGIN_IDLE] = "idle",
	    [SSLVPN_LOGIN_CONNECTING] = "connecting",
	    [SSLVPN_LOGIN_CERT_PROMPT] = "cert-prompt",
	    [SSLVPN_LOGIN_TALKING] = "talking",
	    [SSLVPN_LOGIN_FORM] = "form",
	    [SSLVPN_LOGIN_DOWNLOADING] = "downloading",
	    [SSLVPN_LOGIN_DONE] = "done",
	    [SSLVPN_LOGIN_FAILED] = "failed",
	};
	return (guint)phase < G_N_ELEMENTS(names) ? names[phase] : "?";
}

/* The only place the phase changes. */
static void sslvpn_login_enter_phase(SslvpnLogin *self, SslvpnLoginPhase phase)
{
	g_debug("login: %s -> %s", sslvpn_login_phase_name(self->phase),
	        sslvpn_login_phase_name(phase));
	self->phase = phase;
	if (phase == SSLVPN_LOGIN_FAILED && self->auth) {
		self->error = auth_error(self->auth);
		g_free(self->error_message);
		self->error_message = g_strdup(auth_error_message(self->auth));
	}
	g_signal_emit(self, signals[SIGNAL_PHASE_CHANGED], 0, (guint)phase);
}

/* ---- the real blocking operations ---- */

static int sslvpn_login_real_open(const struct tls_conn_options *opts, struct tls_conn **conn,
                                  struct tls_cert_report *report, char *peer, gpointer data)
{
	int r = tls_conn_open(opts, conn, report);

	if (r == 0)
		g_strlcpy(peer, tls_conn_peer_address(*conn), 64);
	return r;
}

static int sslvpn_login_real_exchange(struct tls_conn *conn, const struct secret *request,
                                      struct http_response **resp, gpointer data)
{
	return http_exchange(conn, request, HTTP_RESPONSE_FULL, resp, NULL, 0, NULL);
}

static void sslvpn_login_real_close(struct tls_conn *conn, gpointer data)
{
	tls_conn_free(conn);
}

/* ---- thread jobs ---- */

/* A deep copy of what the thread needs: the engine is not touched while it runs. */
typedef struct {
	SslvpnLoginIo io;
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

static LoginJob *login_job_new(SslvpnLogin *self)
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

static void sslvpn_login_close_conn(SslvpnLogin *self, struct tls_conn *conn)
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
static LoginJob *login_job_finish(SslvpnLogin *self, GAsyncResult *res)
{
	LoginJob *job = g_task_get_task_data(G_TASK(res));

	if (job->run != self->run || !self->auth) {
		sslvpn_login_close_conn(self, g_steal_pointer(&job->conn));
		return NULL;
	}
	self->conn = g_steal_pointer(&job->conn);
	return job;
}

static void login_open_done(GObject *source, GAsyncResult *res, gpointer data)
{
	SslvpnLogin *self = SSLVPN_LOGIN(source);
	LoginJob *job = login_job_finish(self, res);

	if (!job)
		return;
	auth_connected(self->auth, job->result, &job->report, job->result == 0 ? job->peer : NULL);
	sslvpn_login_step(self);
}

static void login_request_done(GObject *source, GAsyncResult *res, gpointer data)
{
	SslvpnLogin *self = SSLVPN_LOGIN(source);
	LoginJob *job = login_job_finish(self, res);

	if (!job)
		return;
	if (job->result < 0)
		auth_io_failed(self->auth, job->result);
	else
		auth_feed_response(self->auth, job->resp);
	sslvpn_login_step(self);
}

static void sslvpn_login_run_open(SslvpnLogin *self)
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
static gboolean sslvpn_login_run_request(SslvpnLogin *self)
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
static void sslvpn_login_step(SslvpnLogin *self)
{
	for (;;) {
		enum auth_action act = auth_next(self->auth);
		struct auth_form *form;

		switch (act) {
		case AUTH_ACTION_CONNECT:
			if (auth_is_downloading(self->auth))
				self->downloaded = TRUE;
			sslvpn_login_run_open(self);
			sslvpn_login_enter_phase(self, auth_is_downloading(self->auth)
			                                   ? SSLVPN_LOGIN_DOWNLOADING
			                                   : SSLVPN_LOGIN_CONNECTING);
			return;
		case AUTH_ACTION_CERT_PROMPT:
			sslvpn_login_enter_phase(self, SSLVPN_LOGIN_CERT_PROMPT);
			return;
		case AUTH_ACTION_REQUEST:
			if (!sslvpn_login_run_request(self))
				continue;
			{
				SslvpnLoginPhase next = auth_is_downloading(self->auth)
				                            ? SSLVPN_LOGIN_DOWNLOADING
				                            : SSLVPN_LOGIN_TALKING;

				if (self->phase != next)
					sslvpn_login_enter_phase(self, next);
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
			sslvpn_login_enter_phase(self, SSLVPN_LOGIN_FORM);
			return;
		case AUTH_ACTION_DONE:
			sslvpn_login_close_conn(self, g_steal_pointer(&self->conn));
			sslvpn_login_enter_phase(self, SSLVPN_LOGIN_DONE);
			return;
		case AUTH_ACTION_FAILED:
		default:
			sslvpn_login_close_conn(self, g_steal_pointer(&self->conn));
			sslvpn_login_enter_phase(self, SSLVPN_LOGIN_FAILED);
			return;
		}
	}
}

/* ---- public API ---- */

static void sslvpn_login_drop(SslvpnLogin *self)
{
	self->run++;
	sslvpn_login_close_conn(self, g_steal_pointer(&self->conn));
	g_clear_pointer(&self->auth, auth_free);
	self->downloaded = FALSE;
	self->error = 0;
	g_clear_pointer(&self->error_message, g_free);
}

void sslvpn_login_set_io(SslvpnLogin *self, const SslvpnLoginIo *io, gpointer user_data)
{
	self->io.open = io && io->open ? io->open : sslvpn_login_real_open;
	self->io.exchange = io && io->exchange ? io->exchange : sslvpn_login_real_exchange;
	self->io.close = io && io->close ? io->close : sslvpn_login_real_close;
	self->io_data = user_data;
}

static const char *sslvpn_login_remembered_group(SslvpnLogin *self, struct auth *probe)
{
	struct prefs_gateway *g;
	char key[1400];

	if (!self->prefs)
		return NULL;
	auth_gateway_key(probe, key, sizeof(key));
	g = prefs_gateway(self->prefs, key, false);
	return g ? prefs_gateway_get_last_group(g) : NULL;
}

int sslvpn_login_start(SslvpnLogin *self, const SslvpnLoginOptions *opts)
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
		const char *last = sslvpn_login_remembered_group(self, a);

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
	sslvpn_login_drop(self);
	self->auth = a;
	g_free(self->gateway);
	self->gateway = g_strdup(opts->gateway);
	auth_gateway_key(a, self->gateway_key, sizeof(self->gateway_key));
	g_strlcpy(self->host, opts->gateway, sizeof(self->host));
	sslvpn_login_step(self);
	return 0;
}

SslvpnLoginPhase sslvpn_login_get_phase(SslvpnLogin *self)
{
	return self->phase;
}

gboolean sslvpn_login_is_busy(SslvpnLogin *self)
{
	return self->phase != SSLVPN_LOGIN_IDLE && self->phase != SSLVPN_LOGIN_DONE &&
	       self->phase != SSLVPN_LOGIN_FAILED;
}

const char *sslvpn_login_get_gateway(SslvpnLogin *self)
{
	return self->gateway;
}

const char *sslvpn_login_get_gateway_key(SslvpnLogin *self)
{
	return self->auth ? self->gateway_key : "";
}

const char *sslvpn_login_get_host(SslvpnLogin *self)
{
	return self->host[0] ? self->host : (self->gateway ? self->gateway : "");
}

struct auth_form *sslvpn_login_get_form(SslvpnLogin *self)
{
	if (self->phase != SSLVPN_LOGIN_FORM || !self->auth)
		return NULL;
	return auth_form(self->auth);
}

const char *sslvpn_login_get_last_user(SslvpnLogin *self)
{
	struct prefs_gateway *g;

	if (!self->prefs || !self->auth)
		return NULL;
	g = prefs_gateway(self->prefs, self->gateway_key, false);
	return g ? prefs_gateway_get_last_user(g) : NULL;
}

int sslvpn_login_submit(SslvpnLogin *self)
{
	int r;

	if (self->phase != SSLVPN_LOGIN_FORM)
		return -ERR_INVALID_ARGS;
	r = auth_submit(self->auth);
	sslvpn_login_step(self);
	return r;
}

int sslvpn_login_choose_group(SslvpnLogin *self, const char *value_or_label)
{
	int r;

	if (self->phase != SSLVPN_LOGIN_FORM || !value_or_label)
		return -ERR_INVALID_ARGS;
	r = auth_choose_group(self->auth, value_or_label);
	if (r == -ERR_NOT_FOUND || r == -ERR_INVALID_ARGS)
		return r; /* nothing changed: the form stays */
	sslvpn_login_step(self);
	return r;
}

const struct tls_cert_report *sslvpn_login_get_cert_report(SslvpnLogin *self)
{
	return self->auth ? auth_cert_report(self->auth) : NULL;
}

void sslvpn_login_answer_cert(SslvpnLogin *self, enum auth_cert_answer answer)
{
	if (self->phase != SSLVPN_LOGIN_CERT_PROMPT)
		return;
	auth_answer_cert(self->auth, answer);
	sslvpn_login_step(self);
}

void sslvpn_login_cancel(SslvpnLogin *self)
{
	if (!sslvpn_login_is_busy(self))
		return;
	self->run++; /* a thread still running reports into the void */
	sslvpn_login_close_conn(self, g_steal_pointer(&self->conn));
	auth_cancel(self->auth);
	sslvpn_login_enter_phase(self, SSLVPN_LOGIN_FAILED);
}

void sslvpn_login_reset(SslvpnLogin *self)
{
	sslvpn_login_drop(self);
	g_clear_pointer(&self->gateway, g_free);
	self->host[0] = '\0';
	if (self->phase != SSLVPN_LOGIN_IDLE)
		sslvpn_login_enter_phase(self, SSLVPN_LOGIN_IDLE);
}

const struct auth_result *sslvpn_login_get_result(SslvpnLogin *self)
{
	return self->phase == SSLVPN_LOGIN_DONE && self->auth ? auth_result(self->auth) : NULL;
}

int sslvpn_login_get_error(SslvpnLogin *self)
{
	return self->phase == SSLVPN_LOGIN_FAILED ? self->error : 0;
}

const char *sslvpn_login_get_error_message(SslvpnLogin *self)
{
	return self->phase == SSLVPN_LOGIN_FAILED ? self->error_message : NULL;
}

gboolean sslvpn_login_downloaded(SslvpnLogin *self)
{
	return self->downloaded;
}

static void sslvpn_login_finalize(GObject *object)
{
	SslvpnLogin *self = SSLVPN_LOGIN(object);

	sslvpn_login_drop(self);
	g_free(self->gateway);
	G_OBJECT_CLASS(sslvpn_login_parent_class)->finalize(object);
}

static void sslvpn_login_class_init(SslvpnLoginClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = sslvpn_login_finalize;
	/* phase-changed(guint phase): everything else is read through the getters. */
	signals[SIGNAL_PHASE_CHANGED] =
	    g_signal_new("phase-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
	                 NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void sslvpn_login_init(SslvpnLogin *self)
{
	sslvpn_login_set_io(self, NULL, NULL);
}

SslvpnLogin *sslvpn_login_new(struct prefs *prefs)
{
	SslvpnLogin *self = g_object_new(SSLVPN_TYPE_LOGIN, NULL);

	self->prefs = prefs;
	return self;
}
