// SPDX-License-Identifier: GPL-2.0-or-later
#include "auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth-download.h"
#include "auth-form.h"
#include "auth-reject.h"
#include "auth-xml.h"
#include "error.h"
#include "gateway-url.h"
#include "http-cookie.h"
#include "http-request.h"
#include "log.h"
#include "prefs.h"
#include "webvpnc.h"

/* Bounds on what a gateway can make us do. */
#define AUTH_MAX_ROUNDS        16 /* forms answered in one login */
#define AUTH_MAX_GROUP_CHANGES 5
#define AUTH_MAX_REDIRECTS     10

enum auth_state {
	AUTH_STATE_CONNECT,
	AUTH_STATE_CERT_PROMPT,
	AUTH_STATE_SEND_INIT,
	AUTH_STATE_FORM,
	AUTH_STATE_SEND_REPLY,
	AUTH_STATE_DOWNLOAD_CHECK,
	AUTH_STATE_DOWNLOAD_CONNECT,
	AUTH_STATE_DOWNLOAD_GET,
	AUTH_STATE_DONE,
	AUTH_STATE_FAILED,
};

static const char *const auth_state_names[] = {
	[AUTH_STATE_CONNECT] = "connect",
	[AUTH_STATE_CERT_PROMPT] = "cert-prompt",
	[AUTH_STATE_SEND_INIT] = "send-init",
	[AUTH_STATE_FORM] = "form",
	[AUTH_STATE_SEND_REPLY] = "send-reply",
	[AUTH_STATE_DOWNLOAD_CHECK] = "download-check",
	[AUTH_STATE_DOWNLOAD_CONNECT] = "download-connect",
	[AUTH_STATE_DOWNLOAD_GET] = "download-get",
	[AUTH_STATE_DONE] = "done",
	[AUTH_STATE_FAILED] = "failed",
};

struct auth {
	enum auth_state state;
	/* Where a CONNECT leads once the connection is up. */
	enum auth_state after_connect;

	/* Configuration, copied: callers need not keep theirs alive. */
	char *group_wanted;
	char *cafile;
	char *user_agent;
	const struct tls_identity *identities;
	size_t n_identities;
	struct prefs *prefs;
	int timeout_ms;
	bool remember_pin;

	struct gateway_url url; /* current target; changes on a redirect to another host */
	char group_access[1400]; /* the URL as first given: the init's group-access */
	char pin[64];            /* key accepted for the current host, "" = verify the chain */
	bool pin_remembered;     /* pin came from the preferences */
	bool conn_open;
	bool group_applied;
	struct tls_conn_options tls;
	struct tls_cert_report report;
	char login_pin[64]; /* key of the login connection: downloads are pinned to it */

	struct http_cookie_jar *jar;
	struct secret *request;
	struct auth_doc *doc;
	char *opaque;
	char *group_select;
	unsigned rounds, group_changes, redirects;
	/* The last form answered, to notice the gateway asking the same again (ocserv reports a
	 * wrong password only as "Login failed." in the message of the repeated form). */
	char *answered_fields;
	char *answered_message;
	char *rejected;
	bool restart_after_rejection;
	bool client_cert_retried; /* reconnected once to offer our certificate */
	bool client_cert_failed;  /* told the gateway we have none it takes */

	struct auth_download dl;

	struct auth_result result;
	int error;
	char error_message[1024];
};

static void auth_enter_state(struct auth *a, enum auth_state s)
{
	if (a->state == s)
		return;
	log_debug("login: %s -> %s", auth_state_names[a->state], auth_state_names[s]);
	a->state = s;
	/* Entry actions: a finished login holds nothing it does not hand over. */
	if (s == AUTH_STATE_DONE || s == AUTH_STATE_FAILED) {
		secret_free(a->request);
		a->request = NULL;
	}
}

static void auth_fail(struct auth *a, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void auth_fail(struct auth *a, int err, const char *fmt, ...)
{
	va_list ap;

	a->error = err < 0 ? err : -err;
	va_start(ap, fmt);
	vsnprintf(a->error_message, sizeof(a->error_message), fmt, ap);
	va_end(ap);
	/* The caller reports it (auth_error_message): logging it too would say it twice. */
	log_debug("login failed: %s", a->error_message);
	auth_enter_state(a, AUTH_STATE_FAILED);
}

static char *auth_strdup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

void auth_gateway_key(const struct auth *a, char *buf, size_t len)
{
	/* Per gateway host and port: the group path does not change the key.  The canonical
	 * form, as gateway_url_format() writes it: "https://host[:port]/". */
	struct gateway_url u = a->url;

	snprintf(u.path, sizeof(u.path), "/");
	if (gateway_url_format(&u, buf, len) < 0)
		buf[0] = '\0';
}

/* The pin in force for the current host: the caller's, else the one the user accepted before. */
static void auth_load_pin(struct auth *a, const char *caller_pin)
{
	char key[1400];
	const char *remembered = NULL;
	struct prefs_gateway *g;

	a->pin[0] = '\0';
	a->pin_remembered = false;
	if (caller_pin) {
		snprintf(a->pin, sizeof(a->pin), "%s", caller_pin);
		return;
	}
	if (!a->prefs)
		return;
	auth_gateway_key(a, key, sizeof(key));
	g = prefs_gateway(a->prefs, key, false);
	remembered = g ? prefs_gateway_get_pin(g) : NULL;
	if (remembered) {
		snprintf(a->pin, sizeof(a->pin), "%s", remembered);
		a->pin_remembered = true;
	}
}

struct auth *auth_new(const struct auth_config *cfg, int *err)
{
	_cleanup_(auth_freep) struct auth *a = calloc(1, sizeof(*a));
	int r;

	*err = -ERR_NOMEM;
	if (!a)
		return NULL;
	if (!cfg->gateway || (r = gateway_url_parse(cfg->gateway, &a->url)) < 0) {
		*err = -ERR_INVALID_ARGS;
		return NULL;
	}
	if (gateway_url_format(&a->url, a->group_access, sizeof(a->group_access)) < 0) {
		*err = -ERR_INVALID_ARGS;
		return NULL;
	}
	a->jar = http_cookie_jar_new();
	a->group_wanted = auth_strdup0(cfg->group);
	a->cafile = auth_strdup0(cfg->cafile);
	a->user_agent = strdup(cfg->user_agent ? cfg->user_agent : AUTH_DEFAULT_USER_AGENT);
	if (!a->jar || (cfg->group && !a->group_wanted) || (cfg->cafile && !a->cafile) ||
	    !a->user_agent)
		return NULL;
	a->identities = cfg->identities;
	a->n_identities = cfg->n_identities;
	a->prefs = cfg->prefs;
	a->timeout_ms = cfg->timeout_ms;
	a->remember_pin = cfg->remember_pin;
	a->group_select = auth_strdup0(cfg->group);
	auth_load_pin(a, cfg->pin);
	a->state = AUTH_STATE_CONNECT;
	a->after_connect = AUTH_STATE_SEND_INIT;
	a->result.identity = -1;
	*err = 0;
	return steal_ptr(&a);
}

void auth_free(struct auth *a)
{
	if (!a)
		return;
	free(a->group_wanted);
	free(a->cafile);
	free(a->user_agent);
	http_cookie_jar_free(a->jar);
	secret_free(a->request);
	auth_xml_doc_free(a->doc);
	free(a->opaque);
	free(a->group_select);
	free(a->answered_fields);
	free(a->answered_message);
	free(a->rejected);
	secret_free(a->result.cookie);
	free(a->result.banner);
	free(a->result.group);
	free(a->result.user);
	free(a);
}

/* ---- requests ---- */

static int auth_build_request(struct auth *a, const char *method, const char *path,
			      const struct secret *body, bool login)
{
	_cleanup_(http_request_freep) struct http_request *req = http_request_new(method, path);
	_cleanup_(secret_freep) struct secret *cookies = NULL;
	char host[300];
	int r;

	if (!req)
		return -ERR_NOMEM;
	if (gateway_url_host_header(&a->url, host, sizeof(host)) < 0)
		return -ERR_INVALID_ARGS;
	if (login) {
		cookies = http_cookie_jar_format(a->jar);
	} else {
		/* Downloads carry the session and nothing else. */
		struct secret *tok = a->result.cookie;
		size_t n = secret_len(tok) + sizeof("webvpn=");
		char *buf = malloc(n);

		if (!buf)
			return -ERR_NOMEM;
		snprintf(buf, n, "webvpn=%s", secret_str(tok));
		cookies = secret_new_str(buf);
		secret_wipe(buf, n);
		free(buf);
	}
	r = http_request_add_common(req, host, a->user_agent,
				    secret_len(cookies) ? secret_str(cookies) : NULL, login);
	if (r >= 0 && body)
		r = http_request_set_body(req, "application/xml; charset=utf-8", secret_str(body),
					  secret_len(body));
	if (r < 0)
		return r;
	secret_free(a->request);
	a->request = http_request_serialize(req);
	return a->request ? 0 : -ERR_NOMEM;
}

static const struct auth_client_info auth_client_info = {
	.version = AUTH_CLIENT_VERSION,
	.device_id = AUTH_DEVICE_ID,
};

static void auth_prepare_init(struct auth *a)
{
	struct auth_client_info ci = auth_client_info;
	_cleanup_(secret_freep) struct secret *body = NULL;
	int r;

	ci.client_cert_fail = a->client_cert_failed;
	body = auth_xml_build_init(&ci, a->group_access, a->group_select);
	if (!body) {
		auth_fail(a, -ERR_NOMEM, "cannot build the login request");
		return;
	}
	free(a->opaque);
	a->opaque = NULL;
	r = auth_build_request(a, "POST", a->url.path, body, true);
	if (r < 0)
		auth_fail(a, r, "cannot build the login request: %s", error_text(r));
}

/* Go to `next`, through CONNECT when the gateway closed the last connection. */
static void auth_goto_sending(struct auth *a, enum auth_state next)
{
	if (a->conn_open) {
		auth_enter_state(a, next);
	} else {
		a->after_connect = next;
		auth_enter_state(a, next == AUTH_STATE_DOWNLOAD_GET ? AUTH_STATE_DOWNLOAD_CONNECT
								   : AUTH_STATE_CONNECT);
	}
}

static void auth_start_init(struct auth *a)
{
	auth_prepare_init(a);
	if (a->state != AUTH_STATE_FAILED)
		auth_goto_sending(a, AUTH_STATE_SEND_INIT);
}

/* ---- connecting ---- */

const struct tls_conn_options *auth_tls_options(struct auth *a)
{
	bool download = a->state == AUTH_STATE_DOWNLOAD_CONNECT;

	a->tls = (struct tls_conn_options){
		.host = a->url.host,
		.port = a->url.port,
		.address = a->result.address[0] ? a->result.address : NULL,
		.cafile = a->cafile,
		.pin = download ? a->login_pin : (a->pin[0] ? a->pin : NULL),
		.timeout_ms = a->timeout_ms,
		.identities = a->identities,
		.n_identities = a->n_identities,
	};
	return &a->tls;
}

bool auth_is_downloading(const struct auth *a)
{
	return a->state == AUTH_STATE_DOWNLOAD_CONNECT || a->state == AUTH_STATE_DOWNLOAD_GET;
}

static bool auth_blocks_untrusted(const struct auth *a)
{
	return !a->prefs || prefs_get_block_untrusted(a->prefs);
}

void auth_connected(struct auth *a, int result, const struct tls_cert_report *report,
		    const char *peer_address)
{
	if (a->state != AUTH_STATE_CONNECT && a->state != AUTH_STATE_DOWNLOAD_CONNECT)
		return;
	if (report)
		a->report = *report;
	else
		memset(&a->report, 0, sizeof(a->report));
	switch (result) {
	case 0:
		break;
	case -ERR_CERT_UNTRUSTED:
		if (a->state == AUTH_STATE_CONNECT && !auth_blocks_untrusted(a)) {
			auth_enter_state(a, AUTH_STATE_CERT_PROMPT);
			return;
		}
		auth_fail(a, result,
			  "the certificate of %s is not trusted: %s. Untrusted servers are blocked; "
			  "to trust this one, pass its key pin %s",
			  a->url.host, a->report.reason[0] ? a->report.reason : "unknown reason",
			  a->report.pin[0] ? a->report.pin : "(none)");
		return;
	case -ERR_CERT_PIN_MISMATCH:
		auth_fail(a, result,
			  "the certificate of %s has changed: it no longer matches the %s pin %s "
			  "(it now presents %s). Refusing to connect",
			  a->url.host, a->pin_remembered ? "remembered" : "given", a->pin,
			  a->report.pin[0] ? a->report.pin : "no certificate");
		return;
	default:
		/* An obsolete gateway: which version or cipher it offers says more than the code. */
		auth_fail(a, result, "cannot connect to %s: %s", a->url.host,
			  result == -ERR_TLS_OBSOLETE && a->report.refused[0] ? a->report.refused
									: error_text(result));
		return;
	}
	a->conn_open = true;
	if (!a->result.address[0] && peer_address)
		snprintf(a->result.address, sizeof(a->result.address), "%s", peer_address);
	if (a->state == AUTH_STATE_CONNECT) {
		a->result.identity = a->report.identity_sent;
		snprintf(a->login_pin, sizeof(a->login_pin), "%s", a->report.pin);
		snprintf(a->result.cert_sha1, sizeof(a->result.cert_sha1), "%s", a->report.sha1);
	}
	auth_enter_state(a, a->after_connect);
}

const struct tls_cert_report *auth_cert_report(const struct auth *a)
{
	return &a->report;
}

void auth_answer_cert(struct auth *a, enum auth_cert_answer answer)
{
	if (a->state != AUTH_STATE_CERT_PROMPT)
		return;
	if (answer == AUTH_CERT_REJECT || !a->report.pin[0]) {
		auth_fail(a, -ERR_CERT_UNTRUSTED, "the certificate of %s was not accepted",
			  a->url.host);
		return;
	}
	snprintf(a->pin, sizeof(a->pin), "%s", a->report.pin);
	a->pin_remembered = false;
	if (answer == AUTH_CERT_ACCEPT_ALWAYS)
		a->remember_pin = true;
	/* Reconnect with the key pinned: the same certificate must come back. */
	auth_enter_state(a, AUTH_STATE_CONNECT);
}

/* ---- responses ---- */

const struct secret *auth_request(const struct auth *a)
{
	return a->request;
}

void auth_io_failed(struct auth *a, int err)
{
	if (a->state != AUTH_STATE_SEND_INIT && a->state != AUTH_STATE_SEND_REPLY &&
	    a->state != AUTH_STATE_DOWNLOAD_GET)
		return;
	if (a->state == AUTH_STATE_DOWNLOAD_GET)
		auth_fail(a, -ERR_PROFILE_DOWNLOAD, "the client profile %s could not be fetched: %s",
			  a->dl.items[a->dl.next].uri, error_text(err));
	else if ((err == -ERR_TLS || err == -ERR_IO) && a->report.cert_requested &&
		 a->state == AUTH_STATE_SEND_INIT)
		/* TLS 1.3 gateways check a client certificate after our handshake is done: a
		 * refusal ends (or resets) the connection at our first request. */
		auth_fail(a, -ERR_CLIENT_CERT,
			  "%s closed the connection after asking for a client certificate: %s",
			  a->url.host,
			  a->report.identity_sent >= 0 ? "it did not accept the one presented"
			  : a->n_identities ? "none of ours is issued by a CA it names"
					    : "it needs one (use --certificate)");
	else
		auth_fail(a, err, "the connection to %s failed: %s", a->url.host, error_text(err));
}

static void auth_store_cookies(struct auth *a, const struct http_response *resp)
{
	if (http_cookie_jar_set_from(a->jar, resp))
		log_warning("ignoring a malformed Set-Cookie from the gateway");
}

static void auth_handle_redirect(struct auth *a, const struct http_response *resp)
{
	const char *location = http_response_header(resp, "Location");
	struct gateway_url next;

	if (++a->redirects > AUTH_MAX_REDIRECTS) {
		auth_fail(a, -ERR_PROTOCOL, "too many redirects from %s", a->url.host);
		return;
	}
	if (!location || gateway_url_resolve(location, &a->url, &next) < 0) {
		auth_fail(a, -ERR_PROTOCOL, "%s sent an unusable redirect (only https is followed)",
			  a->url.host);
		return;
	}
	if (strcasecmp(next.host, a->url.host) == 0 && next.port == a->url.port) {
		/* In XML mode a same-host redirect means the gateway has no aggregate auth. */
		auth_fail(a, -ERR_UNSUPPORTED,
			  "%s does not speak AnyConnect aggregate authentication (version 2): it "
			  "redirected the login to %s",
			  a->url.host, next.path);
		return;
	}
	log_notice("login redirected from %s to %s", a->url.host, next.host);
	a->url = next;
	/* A new host: its own certificate check and address, and none of the old one's cookies. */
	http_cookie_jar_clear(a->jar);
	a->result.address[0] = '\0';
	auth_load_pin(a, NULL);
	a->conn_open = false;
	auth_start_init(a);
}

static void auth_handle_success(struct auth *a, struct auth_doc *doc)
{
	const char *webvpnc_value = http_cookie_jar_get(a->jar, "webvpnc");
	struct webvpnc wc = {0};
	bool have_wc = webvpnc_value && webvpnc_parse(webvpnc_value, &wc) == 0;
	const char *reported_sha1 = doc->server_cert_hash;
	const char *jar_token = http_cookie_jar_get(a->jar, "webvpn");

	if (doc->session_token && secret_len(doc->session_token))
		a->result.cookie = secret_dup(doc->session_token);
	else if (jar_token && *jar_token)
		a->result.cookie = secret_new_str(jar_token);
	if (!a->result.cookie) {
		webvpnc_clear(&wc);
		auth_fail(a, -ERR_PROTOCOL, "%s reported success but sent no session token",
			  a->url.host);
		return;
	}
	if (!reported_sha1 && have_wc)
		reported_sha1 = wc.server_cert_sha1;
	if (reported_sha1 && strcasecmp(reported_sha1, a->result.cert_sha1) != 0)
		log_warning("%s reports certificate SHA-1 %s, but this connection saw %s",
			    a->url.host, reported_sha1, a->result.cert_sha1);
	for (size_t i = 0; i < doc->n_profiles; i++)
		auth_download_add(&a->dl, doc->profiles[i].uri, doc->profiles[i].sha1);
	if (!doc->n_profiles && have_wc && wc.profile_path)
		auth_download_add(&a->dl, wc.profile_path, wc.profile_sha1);
	webvpnc_clear(&wc);
	if (doc->banner && *doc->banner)
		a->result.banner = strdup(doc->banner);
	a->dl.next = 0;
	auth_enter_state(a, AUTH_STATE_DOWNLOAD_CHECK);
}

static void auth_handle_form(struct auth *a, struct auth_doc *doc)
{
	const char *selected;

	if (a->state == AUTH_STATE_SEND_REPLY) {
		/* A reply is only sent within an exchange, so no restart is pending here. */
		free(a->rejected);
		a->rejected = auth_reject_detect(doc->form, a->answered_fields, a->answered_message,
		                                 &a->restart_after_rejection);
	} else if (a->restart_after_rejection) {
		/* The first form of the new exchange carries the refusal of the last one. */
		a->restart_after_rejection = false;
	} else {
		free(a->rejected);
		a->rejected = NULL;
	}

	if (doc->opaque_xml) {
		free(a->opaque);
		a->opaque = strdup(doc->opaque_xml);
	}
	auth_xml_doc_free(a->doc);
	a->doc = doc;
	if (a->restart_after_rejection) {
		auth_xml_doc_free(doc);
		a->doc = NULL;
		free(a->answered_fields);
		a->answered_fields = NULL;
		/* Nothing of the refused exchange may carry over (ocserv ties it to the
		 * webvpncontext cookie and answers 401 to an init that still sends it). */
		http_cookie_jar_clear(a->jar);
		a->conn_open = false;
		auth_start_init(a);
		return;
	}
	selected = auth_form_selected_group(doc->form);
	/* The caller named a group: switch to it with a new init before asking anything. */
	if (a->group_wanted && !a->group_applied && auth_form_group_field(doc->form)) {
		a->group_applied = true;
		if (auth_form_select_group(doc->form, a->group_wanted) < 0) {
			auth_fail(a, -ERR_INVALID_ARGS, "%s has no group \"%s\"", a->url.host,
				  a->group_wanted);
			return;
		}
		if (!selected || strcmp(selected, auth_form_selected_group(doc->form)) != 0) {
			auth_choose_group(a, a->group_wanted);
			return;
		}
	}
	auth_enter_state(a, AUTH_STATE_FORM);
}

static void auth_handle_login_response(struct auth *a, const struct http_response *resp)
{
	int status = http_response_status(resp);
	struct auth_doc *doc = NULL;
	char *errmsg = NULL;
	size_t len;
	const void *body;
	int r;

	auth_store_cookies(a, resp);
	if (status >= 300 && status < 400) {
		auth_handle_redirect(a, resp);
		return;
	}
	if (status == 401 || status == 403) {
		const char *reason = http_response_reason(resp);

		if (a->state == AUTH_STATE_SEND_INIT)
			auth_fail(a, -ERR_UNSUPPORTED,
				  "%s refused the login request (%d %s): it may want HTTP or "
				  "certificate authentication, which this client does not do",
				  a->url.host, status, reason);
		else
			auth_fail(a, -ERR_AUTH_FAILED, "authentication failed: %s",
				  reason && *reason ? reason : "the gateway refused the credentials");
		return;
	}
	if (status == 405) {
		auth_fail(a, -ERR_UNSUPPORTED,
			  "%s refused the login (405): is this the gateway's VPN address "
			  "(some need a secret in the URL)?",
			  a->url.host);
		return;
	}
	if (status != 200) {
		auth_fail(a, -ERR_HTTP_STATUS, "%s answered %d %s", a->url.host, status,
			  http_response_reason(resp));
		return;
	}
	body = http_response_body(resp, &len);
	r = auth_xml_parse_full(body, len, &doc, &errmsg);
	if (r < 0) {
		/* Not a login document at all means no aggregate auth here; a broken one is a
		 * protocol error.  The parser's message says which, for the user. */
		bool xmlish = memmem(body, len, "config-auth", 11) || memmem(body, len, "<auth", 5);

		auth_fail(a, r == -ERR_PROTOCOL && !xmlish ? -ERR_UNSUPPORTED : r, "%s: %s",
			  a->url.host, errmsg ? errmsg : error_text(r));
		free(errmsg);
		return;
	}
	switch (doc->kind) {
	case AUTH_DOC_FORM:
		auth_handle_form(a, doc); /* takes doc */
		return;
	case AUTH_DOC_SUCCESS:
		auth_handle_success(a, doc);
		break;
	case AUTH_DOC_ERROR:
		auth_fail(a, -ERR_AUTH_FAILED, "authentication failed: %s",
			  doc->error && *doc->error ? doc->error : "the gateway gave no reason");
		break;
	case AUTH_DOC_CLIENT_CERT_REQUEST:
		/* The gateway wanted a certificate during TLS and did not get one
		 * (docs/protocol.md "Client certificate requests").  Once: offer ours on a new
		 * connection if we have one it did not ask for (ASAs skip the request on a first
		 * connection); else say we have none, so it can go on with another method. */
		if (!a->client_cert_failed && a->n_identities && a->result.identity < 0 &&
		    !a->client_cert_retried) {
			a->client_cert_retried = true;
			a->conn_open = false;
			auth_start_init(a);
		} else if (!a->client_cert_failed) {
			a->client_cert_failed = true;
			auth_start_init(a);
		} else {
			auth_fail(a, -ERR_CLIENT_CERT, "%s requires a client certificate%s",
				  a->url.host,
				  a->n_identities ? " and did not accept ours" : " (use --certificate)");
		}
		break;
	case AUTH_DOC_UNSUPPORTED:
	default:
		auth_fail(a, -ERR_UNSUPPORTED, "%s asks for something this client does not do: %s",
			  a->url.host, doc->error ? doc->error : "unknown login method");
		break;
	}
	auth_xml_doc_free(doc);
}

static void auth_handle_download(struct auth *a, const struct http_response *resp)
{
	char key[1400] = "", why[1024];
	int r;

	if (a->prefs)
		auth_gateway_key(a, key, sizeof(key));
	r = auth_download_store(&a->dl, a->prefs, key, a->url.host, resp, why, sizeof(why));
	if (r < 0) {
		auth_fail(a, r, "%s", why);
		return;
	}
	a->result.profiles_downloaded++;
	a->conn_open = false; /* one GET per connection, as the gateway's own client does */
	auth_enter_state(a, AUTH_STATE_DOWNLOAD_CHECK);
}

void auth_feed_response(struct auth *a, const struct http_response *resp)
{
	switch (a->state) {
	case AUTH_STATE_SEND_INIT:
	case AUTH_STATE_SEND_REPLY:
		a->conn_open = http_response_keep_alive(resp);
		auth_handle_login_response(a, resp);
		break;
	case AUTH_STATE_DOWNLOAD_GET:
		auth_handle_download(a, resp);
		break;
	default:
		break;
	}
}

/* ---- forms ---- */

struct auth_form *auth_form(struct auth *a)
{
	return a->state == AUTH_STATE_FORM && a->doc ? a->doc->form : NULL;
}

const char *auth_rejected_message(const struct auth *a)
{
	return a->state == AUTH_STATE_FORM ? a->rejected : NULL;
}

int auth_submit(struct auth *a)
{
	_cleanup_(secret_freep) struct secret *body = NULL;
	const char *path;
	const struct auth_field *user;
	int r;

	if (a->state != AUTH_STATE_FORM)
		return -ERR_INVALID_ARGS;
	if (++a->rounds > AUTH_MAX_ROUNDS) {
		auth_fail(a, -ERR_PROTOCOL, "%s keeps asking: more than %d login rounds", a->url.host,
			  AUTH_MAX_ROUNDS);
		return a->error;
	}
	body = auth_xml_build_reply(&auth_client_info, a->opaque, a->doc->form);
	if (!body) {
		auth_fail(a, -ERR_INVALID_ARGS, "cannot build the login answer");
		return a->error;
	}
	free(a->answered_fields);
	free(a->answered_message);
	a->answered_fields = auth_reject_signature(a->doc->form);
	a->answered_message = strdup(a->doc->form->message ? a->doc->form->message : "");
	user = auth_form_field(a->doc->form, "username");
	if (user && user->value && *user->value) {
		free(a->result.user);
		a->result.user = strdup(user->value);
	}
	if (auth_form_selected_group(a->doc->form)) {
		free(a->result.group);
		a->result.group = strdup(auth_form_selected_group(a->doc->form));
	}
	/* The form's action is the next target on the same host (absolute path only). */
	path = a->doc->form->action && *a->doc->form->action ? a->doc->form->action : a->url.path;
	if (path[0] != '/') {
		auth_fail(a, -ERR_PROTOCOL, "%s sent a form with an unusable action", a->url.host);
		return a->error;
	}
	r = auth_build_request(a, "POST", path, body, true);
	if (r < 0) {
		auth_fail(a, r, "cannot build the login answer: %s", error_text(r));
		return r;
	}
	auth_goto_sending(a, AUTH_STATE_SEND_REPLY);
	return 0;
}

int auth_choose_group(struct auth *a, const char *value_or_label)
{
	int r;

	if (a->state != AUTH_STATE_FORM && a->state != AUTH_STATE_SEND_INIT &&
	    a->state != AUTH_STATE_SEND_REPLY)
		return -ERR_INVALID_ARGS;
	if (!a->doc || !auth_form_group_field(a->doc->form))
		return -ERR_NOT_FOUND;
	r = auth_form_select_group(a->doc->form, value_or_label);
	if (r < 0)
		return r;
	if (++a->group_changes > AUTH_MAX_GROUP_CHANGES) {
		auth_fail(a, -ERR_PROTOCOL, "too many group changes");
		return a->error;
	}
	free(a->group_select);
	a->group_select = strdup(auth_form_selected_group(a->doc->form));
	if (!a->group_select)
		return -ERR_NOMEM;
	log_info("selecting group %s", a->group_select);
	auth_start_init(a);
	return 0;
}

void auth_cancel(struct auth *a)
{
	if (a->state != AUTH_STATE_DONE && a->state != AUTH_STATE_FAILED)
		auth_fail(a, -ERR_CANCELLED, "login cancelled");
}

/* ---- downloads and the end ---- */

/* What a successful login leaves in the preferences: never a password or a cookie. */
static int auth_remember(struct auth *a, const char *key)
{
	struct prefs_gateway *g = prefs_gateway(a->prefs, key, true);
	int r = 0;

	if (!g)
		return -ERR_NOMEM;
	if (a->remember_pin && a->login_pin[0])
		r = prefs_gateway_set_pin(g, a->login_pin);
	if (r >= 0 && a->result.cert_sha1[0])
		r = prefs_gateway_set_cert_sha1(g, a->result.cert_sha1);
	if (r >= 0 && a->result.group)
		r = prefs_gateway_set_last_group(g, a->result.group);
	if (r >= 0 && a->result.user)
		r = prefs_gateway_set_last_user(g, a->result.user);
	if (r >= 0)
		r = prefs_gateway_set_last_used(g, (int64_t)time(NULL));
	if (r >= 0)
		r = prefs_set_last_gateway(a->prefs, key);
	return r;
}

static void auth_finish(struct auth *a)
{
	char key[1400];
	int r;

	gateway_url_format(&a->url, a->result.gateway_url, sizeof(a->result.gateway_url));
	snprintf(a->result.host, sizeof(a->result.host), "%s", a->url.host);
	a->result.port = a->url.port;
	snprintf(a->result.pin, sizeof(a->result.pin), "%s", a->login_pin);
	if (a->prefs) {
		auth_gateway_key(a, key, sizeof(key));
		r = auth_remember(a, key);
		if (r >= 0)
			r = prefs_save(a->prefs);
		if (r < 0)
			log_warning("could not save the preferences: %s", error_text(r));
	}
	auth_enter_state(a, AUTH_STATE_DONE);
}

static void auth_check_downloads(struct auth *a)
{
	const struct auth_download_item *item;
	char key[1400] = "";
	int r;

	if (a->prefs)
		auth_gateway_key(a, key, sizeof(key));
	item = auth_download_next(&a->dl, a->prefs, key, &a->result.profiles_unchanged);
	if (!item) {
		auth_finish(a);
		return;
	}
	r = auth_build_request(a, "GET", item->uri, NULL, false);
	if (r < 0) {
		auth_fail(a, r, "cannot build the profile request");
		return;
	}
	/* Downloads always open a new TLS session
	 * (docs/protocol.md "Phase 4: the client profile download"). */
	a->conn_open = false;
	auth_goto_sending(a, AUTH_STATE_DOWNLOAD_GET);
}

enum auth_action auth_next(struct auth *a)
{
	for (;;) {
		switch (a->state) {
		case AUTH_STATE_CONNECT:
		case AUTH_STATE_DOWNLOAD_CONNECT:
			return AUTH_ACTION_CONNECT;
		case AUTH_STATE_CERT_PROMPT:
			return AUTH_ACTION_CERT_PROMPT;
		case AUTH_STATE_SEND_INIT:
			if (!a->request) {
				auth_prepare_init(a);
				continue;
			}
			return AUTH_ACTION_REQUEST;
		case AUTH_STATE_SEND_REPLY:
		case AUTH_STATE_DOWNLOAD_GET:
			return AUTH_ACTION_REQUEST;
		case AUTH_STATE_FORM:
			return AUTH_ACTION_FORM;
		case AUTH_STATE_DOWNLOAD_CHECK:
			auth_check_downloads(a);
			continue;
		case AUTH_STATE_DONE:
			return AUTH_ACTION_DONE;
		case AUTH_STATE_FAILED:
		default:
			return AUTH_ACTION_FAILED;
		}
	}
}

const struct auth_result *auth_result(const struct auth *a)
{
	return a->state == AUTH_STATE_DONE ? &a->result : NULL;
}

int auth_error(const struct auth *a)
{
	return a->state == AUTH_STATE_FAILED ? a->error : 0;
}

const char *auth_error_message(const struct auth *a)
{
	return a->state == AUTH_STATE_FAILED ? a->error_message : "";
}
