// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The login engine (core/auth/auth.c) driven with canned gateway answers: no network here (the e2e
 * suite runs it against the real ocserv), so these cases cover what the lab gateway cannot
 * produce: ASA-style documents, redirects, hostile answers, round limits.
 */
#include <gnutls/crypto.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "auth-form.h"
#include "auth.h"
#include "error.h"
#include "prefs.h"
#include "unit-helper.h"

#define PIN_A "pin-sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
#define PIN_B "pin-sha256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBE="
#define SHA_A "AA46A448019A03FFDAF8803558C9B19CE77B951B"

static const char asa_form[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<config-auth client=\"vpn\" type=\"auth-request\" aggregate-auth-version=\"2\">\n"
	"<opaque is-for=\"sg\"><tunnel-group>TG-EMPLOYEES</tunnel-group>"
	"<group-alias>Employees</group-alias><aggauth-handle>123456789</aggauth-handle></opaque>\n"
	"<auth id=\"main\"><title>Login</title><message>Please enter your username and "
	"password.</message><form>\n"
	"<input type=\"text\" name=\"username\" label=\"Username:\"></input>\n"
	"<input type=\"password\" name=\"password\" label=\"Password:\"></input>\n"
	"<select name=\"group_list\" label=\"GROUP:\"><option selected=\"true\">Employees</option>"
	"<option>Contractors</option></select>\n"
	"</form></auth></config-auth>\n";

static const char profile_body[] =
	"<?xml version=\"1.0\"?><AnyConnectProfile><ServerList><HostEntry><HostName>Corp"
	"</HostName><HostAddress>vpn.example.com</HostAddress></HostEntry></ServerList>"
	"</AnyConnectProfile>";

struct fixture {
	char *dir;
	struct prefs *prefs;
	struct auth *auth;
	struct tls_cert_report report;
};

static char *sha1_hex(const char *data)
{
	unsigned char d[20];
	GString *s = g_string_new(NULL);

	gnutls_hash_fast(GNUTLS_DIG_SHA1, data, strlen(data), d);
	for (int i = 0; i < 20; i++)
		g_string_append_printf(s, "%02X", d[i]);
	return g_string_free(s, FALSE);
}

static char *asa_success(const char *profile_sha1)
{
	return g_strdup_printf(
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<config-auth client=\"vpn\" type=\"complete\" aggregate-auth-version=\"2\">"
		"<session-id>106496</session-id><session-token>61D5E0@106496@2C64@0123CDEF"
		"</session-token><auth id=\"success\"><banner>Authorized use only.</banner>"
		"</auth><config client=\"vpn\" type=\"private\"><vpn-base-config>"
		"<server-cert-hash>%s</server-cert-hash></vpn-base-config>"
		"<vpn-profile-manifest><vpn rev=\"1.0\"><file type=\"profile\" service-type=\"user\">"
		"<uri>/CACHE/stc/profiles/corp.xml</uri><hash type=\"sha1\">%s</hash></file></vpn>"
		"</vpn-profile-manifest></config></config-auth>\n",
		SHA_A, profile_sha1);
}

static void fixture_setup(struct fixture *f, gconstpointer data)
{
	struct auth_config cfg = {.gateway = data ? data : "vpn.example.com", .prefs = NULL};
	char *path;
	int err;

	f->dir = unit_tmpdir_new("sslvpn-test-auth-XXXXXX");
	f->prefs = prefs_new();
	path = g_build_filename(f->dir, "preferences.xml", NULL);
	g_assert_cmpint(prefs_load(f->prefs, path), ==, 0);
	g_free(path);
	cfg.prefs = f->prefs;
	f->auth = auth_new(&cfg, &err);
	g_assert_nonnull(f->auth);
	memset(&f->report, 0, sizeof(f->report));
	f->report.present = true;
	g_strlcpy(f->report.pin, PIN_A, sizeof(f->report.pin));
	g_strlcpy(f->report.sha1, SHA_A, sizeof(f->report.sha1));
}

static void fixture_teardown(struct fixture *f, gconstpointer data)
{
	auth_free(f->auth);
	prefs_free(f->prefs);
	unit_tmpdir_remove(f->dir);
	g_free(f->dir);
}

/* Feeds a whole HTTP answer as if it came from the connection. */
static void feed(struct auth *a, int status, const char *extra_headers, const char *body)
{
	g_autofree char *text = g_strdup_printf("HTTP/1.1 %d X\r\n%sContent-Length: %zu\r\n\r\n%s",
						 status, extra_headers ? extra_headers : "",
						 strlen(body), body);
	_cleanup_(http_response_freep) struct http_response *r =
		http_response_new(HTTP_RESPONSE_FULL);
	size_t used;

	g_assert_cmpint(http_response_feed(r, text, strlen(text), &used), ==, 1);
	g_assert_cmpint(auth_next(a), ==, AUTH_ACTION_REQUEST);
	auth_feed_response(a, r);
}

static const char *request(struct auth *a)
{
	g_assert_cmpint(auth_next(a), ==, AUTH_ACTION_REQUEST);
	return secret_str(auth_request(a));
}

static void connect_ok(struct fixture *f)
{
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_CONNECT);
	(void)auth_tls_options(f->auth);
	auth_connected(f->auth, 0, &f->report, "192.0.2.1");
}

static void fill_and_submit(struct auth *a, const char *user, const char *password)
{
	struct auth_form *form;
	_cleanup_(secret_freep) struct secret *pw = secret_new_str(password);

	g_assert_cmpint(auth_next(a), ==, AUTH_ACTION_FORM);
	form = auth_form(a);
	g_assert_cmpint(auth_form_set_value(form, "username", user), ==, 0);
	g_assert_cmpint(auth_form_set_secret(form, "password", pw), ==, 0);
	g_assert_cmpint(auth_submit(a), ==, 0);
}

static void test_asa_full_login(struct fixture *f, gconstpointer data)
{
	g_autofree char *psha = sha1_hex(profile_body);
	g_autofree char *success = asa_success(psha);
	const char *req;
	const struct auth_result *res;
	const struct tls_conn_options *o;
	g_autofree char *cached = NULL;

	connect_ok(f);
	req = request(f->auth);
	g_assert_true(g_str_has_prefix(req, "POST / HTTP/1.1\r\n"));
	g_assert_nonnull(strstr(req, "X-Aggregate-Auth: 1\r\n"));
	g_assert_nonnull(strstr(req, "X-Transcend-Version: 1\r\n"));
	g_assert_nonnull(strstr(req, "type=\"init\""));
	feed(f->auth, 200, NULL, asa_form);

	fill_and_submit(f->auth, "jdoe", "s3cret<&>");
	req = request(f->auth);
	/* The opaque goes back verbatim, the group outside <auth>, the password escaped. */
	g_assert_nonnull(strstr(req, "<tunnel-group>TG-EMPLOYEES</tunnel-group>"));
	g_assert_nonnull(strstr(req, "<aggauth-handle>123456789</aggauth-handle>"));
	g_assert_nonnull(strstr(req, "<group-select>Employees</group-select>"));
	g_assert_nonnull(strstr(req, "s3cret&lt;&amp;&gt;"));
	feed(f->auth, 200, "Set-Cookie: webvpncontext=abc; path=/\r\n", success);

	/* A new TLS session pinned to the login's key, one GET with the session
	 * (docs/protocol.md "Phase 4: the client profile download"). */
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_CONNECT);
	g_assert_true(auth_is_downloading(f->auth));
	o = auth_tls_options(f->auth);
	g_assert_cmpstr(o->pin, ==, PIN_A);
	g_assert_cmpstr(o->address, ==, "192.0.2.1");
	auth_connected(f->auth, 0, &f->report, "192.0.2.1");
	req = request(f->auth);
	g_assert_true(g_str_has_prefix(req, "GET /CACHE/stc/profiles/corp.xml HTTP/1.1\r\n"));
	g_assert_nonnull(strstr(req, "Cookie: webvpn=61D5E0@106496@2C64@0123CDEF\r\n"));
	g_assert_null(strstr(req, "webvpncontext"));
	feed(f->auth, 200, NULL, profile_body);

	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_DONE);
	res = auth_result(f->auth);
	g_assert_cmpstr(secret_str(res->cookie), ==, "61D5E0@106496@2C64@0123CDEF");
	g_assert_cmpstr(res->pin, ==, PIN_A);
	g_assert_cmpstr(res->address, ==, "192.0.2.1");
	g_assert_cmpstr(res->banner, ==, "Authorized use only.");
	g_assert_cmpstr(res->group, ==, "Employees");
	g_assert_cmpstr(res->user, ==, "jdoe");
	g_assert_cmpuint(res->profiles_downloaded, ==, 1);

	/* Remembered: user, group, thumbprint; the profile cached; no pin (it verified). */
	{
		struct prefs_gateway *g = prefs_gateway(f->prefs, "https://vpn.example.com/", false);

		g_assert_nonnull(g);
		g_assert_cmpstr(prefs_gateway_get_last_user(g), ==, "jdoe");
		g_assert_cmpstr(prefs_gateway_get_last_group(g), ==, "Employees");
		g_assert_cmpstr(prefs_gateway_get_cert_sha1(g), ==, SHA_A);
		g_assert_null(prefs_gateway_get_pin(g));
	}
	g_assert_cmpint(prefs_profile_lookup(f->prefs, "https://vpn.example.com/",
					     "/CACHE/stc/profiles/corp.xml", &cached, NULL),
			==, 0);
	{
		g_autofree char *content = NULL;

		g_assert_true(g_file_get_contents(cached, &content, NULL, NULL));
		g_assert_cmpstr(content, ==, profile_body);
	}
}

static void test_cached_profile_not_fetched(struct fixture *f, gconstpointer data)
{
	g_autofree char *psha = sha1_hex(profile_body);
	g_autofree char *success = asa_success(psha);

	g_assert_cmpint(prefs_profile_store(f->prefs, "https://vpn.example.com/",
					    "/CACHE/stc/profiles/corp.xml", profile_body,
					    strlen(profile_body), psha),
			==, 0);
	connect_ok(f);
	feed(f->auth, 200, NULL, asa_form);
	fill_and_submit(f->auth, "jdoe", "pw");
	feed(f->auth, 200, NULL, success);
	/* Straight to done: no connection, no GET. */
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_DONE);
	g_assert_cmpuint(auth_result(f->auth)->profiles_unchanged, ==, 1);
	g_assert_cmpuint(auth_result(f->auth)->profiles_downloaded, ==, 0);
}

static void test_profile_hash_mismatch_fails(struct fixture *f, gconstpointer data)
{
	g_autofree char *success = asa_success("0000000000000000000000000000000000000000");

	connect_ok(f);
	feed(f->auth, 200, NULL, asa_form);
	fill_and_submit(f->auth, "jdoe", "pw");
	feed(f->auth, 200, NULL, success);
	connect_ok(f);
	feed(f->auth, 200, NULL, profile_body);
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_FAILED);
	g_assert_cmpint(auth_error(f->auth), ==, -ERR_PROFILE_DOWNLOAD);
	/* A failed attempt leaves the preferences alone. */
	g_assert_null(prefs_gateway(f->prefs, "https://vpn.example.com/", false));
}

static void test_profile_unavailable_fails(struct fixture *f, gconstpointer data)
{
	g_autofree char *psha = sha1_hex(profile_body);
	g_autofree char *success = asa_success(psha);

	connect_ok(f);
	feed(f->auth, 200, NULL, asa_form);
	fill_and_submit(f->auth, "jdoe", "pw");
	feed(f->auth, 200, NULL, success);
	connect_ok(f);
	feed(f->auth, 404, NULL, "");
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_FAILED);
	g_assert_cmpint(auth_error(f->auth), ==, -ERR_PROFILE_DOWNLOAD);
	g_assert_nonnull(strstr(auth_error_message(f->auth), "404"));
}

static void test_group_change_reinits(struct fixture *f, gconstpointer data)
{
	const char *req;

	connect_ok(f);
	feed(f->auth, 200, NULL, asa_form);
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_FORM);
	g_assert_cmpint(auth_choose_group(f->auth, "Nobody"), <, 0);
	g_assert_cmpint(auth_choose_group(f->auth, "Contractors"), ==, 0);
	req = request(f->auth);
	g_assert_nonnull(strstr(req, "type=\"init\""));
	g_assert_nonnull(strstr(req, "<group-select>Contractors</group-select>"));
}

static void test_wanted_group_applied_before_asking(void)
{
	struct auth_config cfg = {.gateway = "vpn.example.com", .group = "Contractors"};
	struct tls_cert_report rep = {.present = true, .pin = PIN_A, .sha1 = SHA_A};
	_cleanup_(auth_freep) struct auth *a = NULL;
	int err;

	a = auth_new(&cfg, &err);
	g_assert_cmpint(auth_next(a), ==, AUTH_ACTION_CONNECT);
	auth_connected(a, 0, &rep, "192.0.2.1");
	feed(a, 200, NULL, asa_form);
	/* No form shown: a new init for the wanted group went out first. */
	g_assert_nonnull(strstr(request(a), "<group-select>Contractors</group-select>"));
}

static void test_wrong_password_401(struct fixture *f, gconstpointer data)
{
	connect_ok(f);
	feed(f->auth, 200, NULL, asa_form);
	fill_and_submit(f->auth, "jdoe", "wrong");
	feed(f->auth, 401, "Connection: close\r\n", "");
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_FAILED);
	g_assert_cmpint(auth_error(f->auth), ==, -ERR_AUTH_FAILED);
	g_assert_null(prefs_gateway(f->prefs, "https://vpn.example.com/", false));
}

static void test_asa_error_document(struct fixture *f, gconstpointer data)
{
	connect_ok(f);
	feed(f->auth, 200, NULL, asa_form);
	fill_and_submit(f->auth, "jdoe", "wrong");
	feed(f->auth, 200, NULL,
	     "<?xml version=\"1.0\"?><config-auth client=\"vpn\" type=\"complete\">"
	     "<error id=\"24\">Login denied: account locked</error></config-auth>");
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_FAILED);
	g_assert_cmpint(auth_error(f->auth), ==, -ERR_AUTH_FAILED);
	g_assert_nonnull(strstr(auth_error_message(f->auth), "account locked"));
}

static void test_not_aggregate_auth(struct fixture *f, gconstpointer data)
{
	connect_ok(f);
	feed(f->auth, 200, NULL, "<html><body>Welcome</body></html>");
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_FAILED);
	g_assert_cmpint(auth_error(f->auth), ==, -ERR_UNSUPPORTED);
	g_assert_nonnull(strstr(auth_error_message(f->auth), "aggregate"));
}

static void test_same_host_redirect_is_legacy(struct fixture *f, gconstpointer data)
{
	connect_ok(f);
	feed(f->auth, 302, "Location: /+webvpn+/index.html\r\n", "");
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_FAILED);
	g_assert_cmpint(auth_error(f->auth), ==, -ERR_UNSUPPORTED);
}

static void test_other_host_redirect(struct fixture *f, gconstpointer data)
{
	const struct tls_conn_options *o;

	connect_ok(f);
	feed(f->auth, 302, "Set-Cookie: lb=1\r\nLocation: https://vpn2.example.com:8443/x\r\n", "");
	/* New host: new connection, its own certificate check, no old cookies. */
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_CONNECT);
	o = auth_tls_options(f->auth);
	g_assert_cmpstr(o->host, ==, "vpn2.example.com");
	g_assert_cmpuint(o->port, ==, 8443);
	g_assert_null(o->address);
	g_assert_null(o->pin);
	auth_connected(f->auth, 0, &f->report, "192.0.2.9");
	g_assert_null(strstr(request(f->auth), "lb=1"));
	g_assert_nonnull(strstr(request(f->auth), "Host: vpn2.example.com:8443\r\n"));
}

static void test_http_redirect_refused(struct fixture *f, gconstpointer data)
{
	connect_ok(f);
	feed(f->auth, 302, "Location: http://evil.example.com/\r\n", "");
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_FAILED);
	g_assert_cmpint(auth_error(f->auth), ==, -ERR_PROTOCOL);
}

static void test_untrusted_blocked_by_default(struct fixture *f, gconstpointer data)
{
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_CONNECT);
	g_strlcpy(f->report.reason, "issued by an unknown authority", sizeof(f->report.reason));
	auth_connected(f->auth, -ERR_CERT_UNTRUSTED, &f->report, NULL);
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_FAILED);
	g_assert_cmpint(auth_error(f->auth), ==, -ERR_CERT_UNTRUSTED);
	g_assert_nonnull(strstr(auth_error_message(f->auth), PIN_A));
	g_assert_cmpstr(auth_cert_report(f->auth)->pin, ==, PIN_A);
}

static void test_untrusted_prompt_always(struct fixture *f, gconstpointer data)
{
	g_autofree char *psha = sha1_hex(profile_body);
	g_autofree char *success = asa_success(psha);

	prefs_set_block_untrusted(f->prefs, false);
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_CONNECT);
	auth_connected(f->auth, -ERR_CERT_UNTRUSTED, &f->report, NULL);
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_CERT_PROMPT);
	auth_answer_cert(f->auth, AUTH_CERT_ACCEPT_ALWAYS);
	/* Reconnects with exactly that key pinned. */
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_CONNECT);
	g_assert_cmpstr(auth_tls_options(f->auth)->pin, ==, PIN_A);
	auth_connected(f->auth, 0, &f->report, "192.0.2.1");
	feed(f->auth, 200, NULL, asa_form);
	fill_and_submit(f->auth, "jdoe", "pw");
	feed(f->auth, 200, NULL, success);
	connect_ok(f);
	feed(f->auth, 200, NULL, profile_body);
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_DONE);
	g_assert_cmpstr(prefs_gateway_get_pin(prefs_gateway(f->prefs, "https://vpn.example.com/",
							     false)),
			==, PIN_A);
}

static void test_untrusted_prompt_reject(struct fixture *f, gconstpointer data)
{
	prefs_set_block_untrusted(f->prefs, false);
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_CONNECT);
	auth_connected(f->auth, -ERR_CERT_UNTRUSTED, &f->report, NULL);
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_CERT_PROMPT);
	auth_answer_cert(f->auth, AUTH_CERT_REJECT);
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_FAILED);
	g_assert_cmpint(auth_error(f->auth), ==, -ERR_CERT_UNTRUSTED);
}

static void test_remembered_pin_enforced(struct fixture *f, gconstpointer data)
{
	struct prefs_gateway *g = prefs_gateway(f->prefs, "https://vpn.example.com/", true);
	struct auth_config cfg = {.gateway = "vpn.example.com", .prefs = f->prefs};
	_cleanup_(auth_freep) struct auth *a = NULL;
	int err;

	g_assert_cmpint(prefs_gateway_set_pin(g, PIN_B), ==, 0);
	a = auth_new(&cfg, &err);
	g_assert_cmpint(auth_next(a), ==, AUTH_ACTION_CONNECT);
	g_assert_cmpstr(auth_tls_options(a)->pin, ==, PIN_B);
	auth_connected(a, -ERR_CERT_PIN_MISMATCH, &f->report, NULL);
	g_assert_cmpint(auth_next(a), ==, AUTH_ACTION_FAILED);
	g_assert_cmpint(auth_error(a), ==, -ERR_CERT_PIN_MISMATCH);
	g_assert_nonnull(strstr(auth_error_message(a), "changed"));
}

static void test_round_limit(struct fixture *f, gconstpointer data)
{
	connect_ok(f);
	feed(f->auth, 200, NULL, asa_form);
	for (int i = 0; i < 100 && auth_next(f->auth) == AUTH_ACTION_FORM; i++) {
		_cleanup_(secret_freep) struct secret *pw = secret_new_str("pw");

		auth_form_set_value(auth_form(f->auth), "username", "jdoe");
		auth_form_set_secret(auth_form(f->auth), "password", pw);
		if (auth_submit(f->auth) < 0) {
			g_assert_cmpint(i, ==, 16); /* the 17th answer is refused */
			break;
		}
		/* A new prompt each round (as endless challenges would be), not a refusal. */
		{
			g_autofree char *form = g_strdup(asa_form);

			memcpy(strstr(form, "Please"), i % 2 ? "PLEASE" : "please", 6);
			feed(f->auth, 200, NULL, form);
		}
	}
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_FAILED);
	g_assert_cmpint(auth_error(f->auth), ==, -ERR_PROTOCOL);
}

static void test_no_token_is_error(struct fixture *f, gconstpointer data)
{
	connect_ok(f);
	feed(f->auth, 200, NULL, asa_form);
	fill_and_submit(f->auth, "jdoe", "pw");
	feed(f->auth, 200, NULL,
	     "<?xml version=\"1.0\"?><config-auth client=\"vpn\" type=\"complete\">"
	     "<auth id=\"success\"/></config-auth>");
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_FAILED);
	g_assert_cmpint(auth_error(f->auth), ==, -ERR_PROTOCOL);
}

static void test_cookie_token_ocserv_style(struct fixture *f, gconstpointer data)
{
	connect_ok(f);
	feed(f->auth, 200, NULL, asa_form);
	fill_and_submit(f->auth, "jdoe", "pw");
	feed(f->auth, 200,
	     "Set-Cookie: webvpn=QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkwMTI=; Secure\r\n",
	     "<?xml version=\"1.0\"?><config-auth client=\"vpn\" type=\"complete\">"
	     "<version who=\"sg\">0.1(1)</version><auth id=\"success\"><title>SSL VPN Service"
	     "</title></auth></config-auth>");
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_DONE);
	g_assert_cmpstr(secret_str(auth_result(f->auth)->cookie), ==,
			"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkwMTI=");
}

/* ocserv 1.1.6 as captured in the lab: user name and password in two rounds; a wrong password
 * comes back as "Login failed." in front of the same prompt, and that exchange never accepts
 * another answer, so the engine starts over with a new init and reports the refusal. */
static const char oc_user_form[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?><config-auth client=\"vpn\" "
	"type=\"auth-request\"><version who=\"sg\">0.1(1)</version><auth id=\"main\">"
	"<message>Please enter your username.</message><form method=\"post\" action=\"/auth\">"
	"<input type=\"text\" name=\"username\" label=\"Username:\" /></form></auth></config-auth>";
static const char oc_pass_form[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?><config-auth client=\"vpn\" "
	"type=\"auth-request\"><version who=\"sg\">0.1(1)</version><auth id=\"main\">"
	"<message>%sPlease enter your %spassword.</message><form method=\"post\" action=\"/auth\">"
	"<input type=\"password\" name=\"password\" label=\"Password:\" /></form></auth>"
	"</config-auth>";

static void oc_login_until_password(struct fixture *f)
{
	connect_ok(f);
	feed(f->auth, 200, NULL, oc_user_form);
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_FORM);
	g_assert_null(auth_rejected_message(f->auth));
	g_assert_cmpint(auth_form_set_value(auth_form(f->auth), "username", "alice"), ==, 0);
	g_assert_cmpint(auth_submit(f->auth), ==, 0);
	g_assert_true(g_str_has_prefix(request(f->auth), "POST /auth HTTP/1.1\r\n"));
	{
		g_autofree char *form = g_strdup_printf(oc_pass_form, "", "");

		feed(f->auth, 200, NULL, form);
	}
}

static void test_ocserv_wrong_password_restarts(struct fixture *f, gconstpointer data)
{
	_cleanup_(secret_freep) struct secret *pw = secret_new_str("wrong");
	g_autofree char *failed = g_strdup_printf(oc_pass_form, "Login failed.\n", "");

	oc_login_until_password(f);
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_FORM);
	g_assert_null(auth_rejected_message(f->auth));
	g_assert_cmpint(auth_form_set_secret(auth_form(f->auth), "password", pw), ==, 0);
	g_assert_cmpint(auth_submit(f->auth), ==, 0);
	feed(f->auth, 200, "Set-Cookie: webvpncontext=abc; Max-Age=60\r\n", failed);
	/* Not shown: a new exchange begins on a new connection, without the old cookies, and
	 * its first form says what went wrong. */
	connect_ok(f);
	g_assert_nonnull(strstr(request(f->auth), "type=\"init\""));
	g_assert_null(strstr(request(f->auth), "webvpncontext"));
	feed(f->auth, 200, NULL, oc_user_form);
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_FORM);
	g_assert_cmpstr(auth_rejected_message(f->auth), ==, "Login failed.");
	g_assert_nonnull(auth_form_field(auth_form(f->auth), "username"));
}

static void test_ocserv_second_factor_not_a_rejection(struct fixture *f, gconstpointer data)
{
	_cleanup_(secret_freep) struct secret *pw = secret_new_str("pw");
	g_autofree char *otp = g_strdup_printf(oc_pass_form, "", "OTP ");

	oc_login_until_password(f);
	g_assert_cmpint(auth_form_set_secret(auth_form(f->auth), "password", pw), ==, 0);
	g_assert_cmpint(auth_submit(f->auth), ==, 0);
	feed(f->auth, 200, NULL, otp);
	/* Same field, another prompt: the second factor, shown as a new form. */
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_FORM);
	g_assert_null(auth_rejected_message(f->auth));
	g_assert_cmpstr(auth_form(f->auth)->message, ==, "Please enter your OTP password.");
}

static void test_client_cert_request_then_fail(struct fixture *f, gconstpointer data)
{
	static const char cert_req[] =
		"<?xml version=\"1.0\"?><config-auth client=\"vpn\" type=\"auth-request\">"
		"<client-cert-request/></config-auth>";

	connect_ok(f);
	feed(f->auth, 200, NULL, cert_req);
	/* No certificate here: a new init saying so, and the gateway may offer a form. */
	g_assert_nonnull(strstr(request(f->auth), "<client-cert-fail"));
	feed(f->auth, 200, NULL, cert_req);
	g_assert_cmpint(auth_next(f->auth), ==, AUTH_ACTION_FAILED);
	g_assert_cmpint(auth_error(f->auth), ==, -ERR_CLIENT_CERT);
}

static void test_bad_gateway_text(void)
{
	struct auth_config cfg = {.gateway = "http://vpn.example.com"};
	int err = 0;

	g_assert_null(auth_new(&cfg, &err));
	g_assert_cmpint(err, ==, -ERR_INVALID_ARGS);
}

#define ADD(name, fn) g_test_add("/auth/" name, struct fixture, NULL, fixture_setup, fn, fixture_teardown)

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	ADD("asa-full-login", test_asa_full_login);
	ADD("cached-profile-not-fetched", test_cached_profile_not_fetched);
	ADD("profile-hash-mismatch", test_profile_hash_mismatch_fails);
	ADD("profile-unavailable", test_profile_unavailable_fails);
	ADD("group-change", test_group_change_reinits);
	g_test_add_func("/auth/wanted-group", test_wanted_group_applied_before_asking);
	ADD("wrong-password-401", test_wrong_password_401);
	ADD("asa-error-document", test_asa_error_document);
	ADD("not-aggregate-auth", test_not_aggregate_auth);
	ADD("same-host-redirect", test_same_host_redirect_is_legacy);
	ADD("other-host-redirect", test_other_host_redirect);
	ADD("http-redirect-refused", test_http_redirect_refused);
	ADD("untrusted-blocked", test_untrusted_blocked_by_default);
	ADD("untrusted-prompt-always", test_untrusted_prompt_always);
	ADD("untrusted-prompt-reject", test_untrusted_prompt_reject);
	ADD("remembered-pin", test_remembered_pin_enforced);
	ADD("round-limit", test_round_limit);
	ADD("no-token", test_no_token_is_error);
	ADD("cookie-token", test_cookie_token_ocserv_style);
	g_test_add_func("/auth/bad-gateway", test_bad_gateway_text);
	ADD("ocserv-wrong-password-restarts", test_ocserv_wrong_password_restarts);
	ADD("ocserv-second-factor", test_ocserv_second_factor_not_a_rejection);
	ADD("client-cert-request", test_client_cert_request_then_fail);
	return g_test_run();
}
