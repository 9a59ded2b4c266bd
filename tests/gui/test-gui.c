// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-process GUI tests (GLib test harness under Xvfb, see run-gui-test.sh): the error table,
 * the display helpers, the form renderer on forms parsed from real gateway XML, the login
 * controller driven with canned gateway answers (group change, certificate prompt and pin,
 * changed certificate), the certificate and banner dialogs, the connection model and the tray
 * model.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "auth-xml.h"
#include "error.h"
#include "gui-connection.h"
#include "gui-dialogs.h"
#include "gui-errors.h"
#include "gui-form-view.h"
#include "gui-format.h"
#include "gui-login.h"
#include "gui-tray.h"
#include "http-response.h"
#include "prefs.h"
#include "unit-helper.h"

#define PIN_A "pin-sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
#define PIN_B "pin-sha256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA="

static char *read_data(const char *dir, const char *name, gsize *len)
{
	g_autofree char *rel = g_build_filename(dir, name, NULL);

	return unit_load_data(rel, len);
}

static struct auth_form *parse_form(const char *name)
{
	gsize len;
	g_autofree char *xml = read_data("auth", name, &len);
	struct auth_doc *doc = NULL;
	struct auth_form *form;

	g_assert_cmpint(auth_xml_parse(xml, len, &doc), ==, 0);
	g_assert_nonnull(doc->form);
	form = doc->form;
	doc->form = NULL;
	auth_xml_doc_free(doc);
	return form;
}

/* ---- error table ---- */

static void test_errors_table(void)
{
	const char *internal = gui_errors_msgid(ERR_INTERNAL);

	for (int i = 1; i < ERR_COUNT_; i++) {
		const char *msg = gui_errors_msgid(i);
		g_autofree char *full = g_strconcat(ERROR_DBUS_PREFIX, error_name(i), NULL);

		/* Every code has its own sentence (only ERR_INTERNAL may say "internal"). */
		g_assert_nonnull(msg);
		if (i != ERR_INTERNAL)
			g_assert_cmpstr(msg, !=, internal);
		g_assert_cmpstr(gui_errors_message(-i), ==, gui_errors_message(i));
		g_assert_cmpstr(gui_errors_message_for_name(error_name(i)), ==,
		                gui_errors_message(i));
		g_assert_cmpstr(gui_errors_message_for_name(full), ==, gui_errors_message(i));
		g_assert_true(g_str_has_suffix(msg, "."));
	}
	g_assert_null(gui_errors_message_for_name(""));
	g_assert_null(gui_errors_message_for_name(NULL));
	g_assert_cmpstr(gui_errors_message_for_name("NoSuchError"), ==, internal);
	g_assert_cmpstr(gui_errors_message(9999), ==, internal);
}

static void test_errors_dbus(void)
{
	g_autoptr(GError) busy = g_dbus_error_new_for_dbus_error(ERROR_DBUS_PREFIX "Busy", "busy");
	g_autoptr(GError) unknown = g_dbus_error_new_for_dbus_error(
	    "org.freedesktop.DBus.Error.ServiceUnknown", "The name is not activatable");
	g_autoptr(GError) other = g_dbus_error_new_for_dbus_error("org.example.Other", "odd thing");
	g_autofree char *busy_text = gui_errors_describe(busy);
	g_autofree char *unknown_text = gui_errors_describe(unknown);
	g_autofree char *other_text = gui_errors_describe(other);

	g_assert_cmpint(gui_errors_code(busy), ==, -ERR_BUSY);
	g_assert_cmpstr(busy_text, ==, gui_errors_message(ERR_BUSY));
	g_assert_true(gui_errors_is_unavailable(unknown));
	g_assert_cmpint(gui_errors_code(unknown), ==, -ERR_NOT_FOUND);
	g_assert_nonnull(strstr(unknown_text, "not available"));
	g_assert_cmpstr(other_text, ==, "odd thing");
}

/* ---- format ---- */

static void test_format(void)
{
	g_autofree char *s1 = gui_format_text_sanitize("ok\u202Egnp.exe\x1b[31m\r\nline\xc2\x9b"
	                                               "2");
	g_autofree char *s2 = gui_format_text_sanitize("bad \xff byte");
	g_autofree char *d1 = gui_format_duration(5);
	g_autofree char *d2 = gui_format_duration(187);
	g_autofree char *d3 = gui_format_duration(3723);
	g_autofree char *d4 = gui_format_duration(2 * 86400 + 3723);
	const char *routes[] = {"10.0.0.0/8", "!10.1.0.0/16", NULL};
	g_autofree char *l1 = gui_format_list(routes);
	g_autofree char *l2 = gui_format_list(NULL);

	g_assert_cmpstr(s1, ==, "okgnp.exe[31m\nline2");
	g_assert_true(g_utf8_validate(s2, -1, NULL));
	g_assert_nonnull(strstr(s2, "\xef\xbf\xbd"));
	g_assert_cmpstr(d1, ==, "5 s");
	g_assert_cmpstr(d2, ==, "3:07");
	g_assert_cmpstr(d3, ==, "1:02:03");
	g_assert_cmpstr(d4, ==, "2 days, 01:02:03");
	g_assert_cmpstr(l1, ==, "10.0.0.0/8, !10.1.0.0/16");
	g_assert_cmpstr(l2, ==, "—");
	{
		g_autofree char *g1 = gui_format_gateway("https://vpn.lab.test/");
		g_autofree char *g2 = gui_format_gateway("https://vpn.lab.test:8443/staff/");
		g_autofree char *g3 = gui_format_gateway("https://vpn.lab.test");

		g_assert_cmpstr(g1, ==, "https://vpn.lab.test");
		g_assert_cmpstr(g2, ==, "https://vpn.lab.test:8443/staff/");
		g_assert_cmpstr(g3, ==, "https://vpn.lab.test");
	}
	g_assert_cmpstr(gui_format_state("connected"), ==, "Connected");
	g_assert_cmpstr(gui_format_state("reconnecting"), ==, "Reconnecting");
	g_assert_cmpstr(gui_format_transport("dtls"), ==, "DTLS (UDP)");
}

static void test_format_cert_problems(void)
{
	struct tls_cert_report rep = {.present = true};
	g_autofree char *p1 = NULL, *p2 = NULL, *p3 = NULL;

	rep.gnutls_status =
	    GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_UNEXPECTED_OWNER;
	p1 = gui_format_cert_problems(&rep);
	g_assert_cmpstr(p1, ==,
	                "It was issued by an unknown authority; it was issued for another name");
	rep.gnutls_status = GNUTLS_CERT_INVALID | GNUTLS_CERT_EXPIRED;
	p2 = gui_format_cert_problems(&rep);
	g_assert_cmpstr(p2, ==, "It has expired");
	rep.gnutls_status = 0;
	g_strlcpy(rep.reason, "odd \u202E reason", sizeof(rep.reason));
	p3 = gui_format_cert_problems(&rep);
	g_assert_cmpstr(p3, ==, "Odd  reason");
}

/* ---- form renderer ---- */

static guint n_group_changes;
static char *last_group;

static void on_group_changed(GuiFormView *v, const char *value, gpointer data)
{
	n_group_changes++;
	g_free(last_group);
	last_group = g_strdup(value);
}

static void test_form_ocserv(void)
{
	_cleanup_(auth_form_freep) struct auth_form *form = parse_form("ocserv-login.xml");
	GtkWidget *view = g_object_ref_sink(gui_form_view_new());
	GuiFormView *fv = GUI_FORM_VIEW(view);
	GtkWidget *user, *pass, *group;
	GListModel *model;

	gui_form_view_render(fv, form, "alice");
	user = gui_form_view_get_field_widget(fv, "username");
	pass = gui_form_view_get_field_widget(fv, "password");
	group = gui_form_view_get_group_widget(fv);
	g_assert_true(GTK_IS_ENTRY(user));
	g_assert_true(GTK_IS_PASSWORD_ENTRY(pass));
	g_assert_true(GTK_IS_DROP_DOWN(group));
	g_assert_true(group == gui_form_view_get_field_widget(fv, "group_list"));
	g_assert_cmpuint(gui_form_view_get_n_inputs(fv), ==, 3);
	/* The remembered user name fills the empty field. */
	g_assert_cmpstr(gtk_editable_get_text(GTK_EDITABLE(user)), ==, "alice");
	model = gtk_drop_down_get_model(GTK_DROP_DOWN(group));
	g_assert_cmpuint(g_list_model_get_n_items(model), ==, 3);
	g_assert_cmpstr(gtk_string_list_get_string(GTK_STRING_LIST(model), 1), ==, "Engineering");
	g_assert_cmpstr(gtk_label_get_text(GTK_LABEL(gui_form_view_get_message_label(fv))), ==,
	                "Please enter your username.");
	g_assert_cmpstr(gtk_label_get_text(GTK_LABEL(gui_form_view_get_banner_label(fv))), ==,
	                "Welcome to the lab gateway");
	g_assert_null(gui_form_view_get_error_label(fv));

	/* Typed values go back into the model. */
	gtk_editable_set_text(GTK_EDITABLE(user), "bob");
	gtk_editable_set_text(GTK_EDITABLE(pass), "s3cret");
	g_assert_cmpint(gui_form_view_apply(fv, form, NULL), ==, 0);
	g_assert_cmpstr(auth_field_value(auth_form_field(form, "username")), ==, "bob");
	g_assert_cmpstr(auth_field_value(auth_form_field(form, "password")), ==, "s3cret");

	/* Picking another group is reported with the option's value, not its label. */
	n_group_changes = 0;
	g_signal_connect(fv, "group-changed", G_CALLBACK(on_group_changed), NULL);
	gtk_drop_down_set_selected(GTK_DROP_DOWN(group), 2);
	g_assert_cmpuint(n_group_changes, ==, 1);
	g_assert_cmpstr(last_group, ==, "ops");
	g_assert_true(gui_form_view_select_group(fv, "Engineering"));
	g_assert_cmpstr(last_group, ==, "eng");
	g_assert_false(gui_form_view_select_group(fv, "nope"));
	g_object_unref(view);
}

static void test_form_group_rules(void)
{
	_cleanup_(auth_form_freep) struct auth_form *form = parse_form("asa-groups-noaaa.xml");
	GtkWidget *view = g_object_ref_sink(gui_form_view_new());
	GuiFormView *fv = GUI_FORM_VIEW(view);
	GtkWidget *second;

	/* Plain: user name and password; the second-auth fields are not asked. */
	gui_form_view_render(fv, form, NULL);
	g_assert_nonnull(gui_form_view_get_field_widget(fv, "username"));
	g_assert_nonnull(gui_form_view_get_field_widget(fv, "password"));
	g_assert_null(gui_form_view_get_field_widget(fv, "secondary_username"));
	g_assert_null(gui_form_view_get_field_widget(fv, "secondary_password"));
	g_assert_cmpuint(gui_form_view_get_n_inputs(fv), ==, 3);

	/* Dual: the preset second user name is shown, not editable; a second password. */
	g_assert_cmpint(auth_form_select_group(form, "Dual"), ==, 0);
	gui_form_view_render(fv, form, NULL);
	second = gui_form_view_get_field_widget(fv, "secondary_username");
	g_assert_true(GTK_IS_ENTRY(second));
	g_assert_cmpstr(gtk_editable_get_text(GTK_EDITABLE(second)), ==, "svc-user");
	g_assert_false(gtk_editable_get_editable(GTK_EDITABLE(second)));
	g_assert_true(
	    GTK_IS_PASSWORD_ENTRY(gui_form_view_get_field_widget(fv, "secondary_password")));
	g_assert_cmpuint(gui_form_view_get_n_inputs(fv), ==, 5);

	/* DualEdit: the same field is editable. */
	g_assert_cmpint(auth_form_select_group(form, "DualEdit"), ==, 0);
	gui_form_view_render(fv, form, NULL);
	second = gui_form_view_get_field_widget(fv, "secondary_username");
	g_assert_true(gtk_editable_get_editable(GTK_EDITABLE(second)));
	g_assert_cmpstr(gtk_editable_get_text(GTK_EDITABLE(second)), ==, "editable-user");

	/* CertOnly: nothing to type, only the group list. */
	g_assert_cmpint(auth_form_select_group(form, "CertOnly"), ==, 0);
	gui_form_view_render(fv, form, NULL);
	g_assert_cmpuint(gui_form_view_get_n_inputs(fv), ==, 1);
	g_assert_null(gui_form_view_get_field_widget(fv, "username"));
	g_assert_cmpuint(
	    gtk_drop_down_get_selected(GTK_DROP_DOWN(gui_form_view_get_group_widget(fv))), ==, 3);
	g_object_unref(view);
}

static void test_form_other_vectors(void)
{
	static const char *const files[] = {"asa-login.xml",           "asa-challenge.xml",
	                                    "asa-password-change.xml", "ocserv-otp.xml",
	                                    "asa-error-form.xml",      "hostile-values.xml",
	                                    "form-oddities.xml",       "legacy-login.xml"};

	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autofree char *path = g_build_filename(TEST_DATA_DIR, "auth", files[i], NULL);
		_cleanup_(auth_form_freep) struct auth_form *form = NULL;
		GtkWidget *view;
		guint expected = 0;

		if (!g_file_test(path, G_FILE_TEST_EXISTS))
			continue;
		form = parse_form(files[i]);
		view = g_object_ref_sink(gui_form_view_new());
		gui_form_view_render(GUI_FORM_VIEW(view), form, NULL);
		for (size_t j = 0; j < form->n_fields; j++) {
			const struct auth_field *f = &form->fields[j];
			GtkWidget *w = gui_form_view_get_field_widget(GUI_FORM_VIEW(view), f->name);

			if (f->inactive || f->type == AUTH_FIELD_HIDDEN) {
				g_assert_null(w);
				continue;
			}
			expected++;
			g_assert_nonnull(w);
			if (f->type == AUTH_FIELD_PASSWORD)
				g_assert_true(GTK_IS_PASSWORD_ENTRY(w));
			else if (f->type == AUTH_FIELD_SELECT)
				g_assert_true(GTK_IS_DROP_DOWN(w));
			else
				g_assert_true(GTK_IS_ENTRY(w));
		}
		g_assert_cmpuint(gui_form_view_get_n_inputs(GUI_FORM_VIEW(view)), ==, expected);
		if (form->error && *form->error) {
			GtkWidget *err = gui_form_view_get_error_label(GUI_FORM_VIEW(view));
			g_autofree char *clean = gui_format_text_sanitize(form->error);

			g_assert_nonnull(err);
			g_assert_cmpstr(gtk_label_get_text(GTK_LABEL(err)), ==, clean);
			g_assert_false(gtk_label_get_use_markup(GTK_LABEL(err)));
		}
		g_object_unref(view);
	}
}

/* ---- login controller with canned answers ---- */

typedef struct {
	int open_result;      /* what open() returns without a pin */
	unsigned status;      /* gnutls status bits reported */
	const char *cert_pin; /* the key the "gateway" presents */
	guint opens;          /* calls to open() */
	char *last_pin;       /* opts->pin of the last open() */
	GString *requests;    /* every request, concatenated */
	GMutex lock;
} FakeGateway;

static int fake_open(const struct tls_conn_options *opts, struct tls_conn **conn,
                     struct tls_cert_report *rep, char *peer, gpointer data)
{
	FakeGateway *g = data;
	int r;

	g_mutex_lock(&g->lock);
	g->opens++;
	g_free(g->last_pin);
	g->last_pin = g_strdup(opts->pin);
	memset(rep, 0, sizeof(*rep));
	rep->present = true;
	rep->gnutls_status = g->status;
	g_strlcpy(rep->reason, "issuer unknown", sizeof(rep->reason));
	g_strlcpy(rep->subject, "CN=gw.example.test,O=Test", sizeof(rep->subject));
	g_strlcpy(rep->issuer, "CN=Someone Else CA", sizeof(rep->issuer));
	rep->not_before = 1700000000;
	rep->not_after = 1900000000;
	g_strlcpy(rep->pin, g->cert_pin, sizeof(rep->pin));
	g_strlcpy(rep->sha1, "0123456789ABCDEF0123456789ABCDEF01234567", sizeof(rep->sha1));
	if (opts->pin)
		r = g_str_equal(opts->pin, g->cert_pin) ? 0 : -ERR_CERT_PIN_MISMATCH;
	else
		r = g->open_result;
	g_mutex_unlock(&g->lock);
	if (r == 0) {
		*conn = (struct tls_conn *)g; /* never dereferenced: fake_exchange gets it back */
		g_strlcpy(peer, "192.0.2.1", 64);
	}
	return r;
}

static struct http_response *make_response(const char *body, const char *extra_headers)
{
	struct http_response *resp = http_response_new(HTTP_RESPONSE_FULL);
	g_autofree char *raw = g_strdup_printf("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
	                                       "Content-Length: %zu\r\n%s\r\n%s",
	                                       strlen(body), extra_headers, body);
	size_t used = 0;

	g_assert_cmpint(http_response_feed(resp, raw, strlen(raw), &used), ==, 1);
	return resp;
}

/* The asa-groups-noaaa form with @group marked selected, as a gateway answers a group-select. */
static char *groups_form(const char *group)
{
	gsize len;
	g_autofree char *xml = read_data("auth", "asa-groups-noaaa.xml", &len);
	g_autoptr(GString) s = g_string_new(xml);
	g_autofree char *from = g_strdup_printf(">%s</option>", group);
	g_autofree char *to = g_strdup_printf(" selected=\"true\">%s</option>", group);

	g_string_replace(s, "<option selected=\"true\" ", "<option ", 1);
	g_string_replace(s, from, to, 1);
	return g_strdup(s->str);
}

static int fake_exchange(struct tls_conn *conn, const struct secret *request,
                         struct http_response **resp, gpointer data)
{
	FakeGateway *g = data;
	const char *req = secret_str(request);
	g_autofree char *body = NULL;

	g_mutex_lock(&g->lock);
	g_string_append(g->requests, req);
	g_string_append(g->requests, "\n----\n");
	g_mutex_unlock(&g->lock);
	if (strstr(req, "type=\"init\"")) {
		const char *sel = strstr(req, "<group-select>");

		if (sel) {
			g_autofree char *group = g_strndup(sel + 14, strcspn(sel + 14, "<"));

			body = groups_form(group);
		} else {
			body = groups_form("Plain");
		}
		*resp = make_response(body, "");
		return 0;
	}
	body = read_data("auth", "ocserv-success.xml", NULL);
	*resp = make_response(body, "Set-Cookie: webvpn=FAKECOOKIE123; Secure\r\n");
	return 0;
}

static void fake_close(struct tls_conn *conn, gpointer data)
{
}

static const GuiLoginIo fake_io = {fake_open, fake_exchange, fake_close};

static void fake_gateway_init(FakeGateway *g)
{
	memset(g, 0, sizeof(*g));
	g_mutex_init(&g->lock);
	g->requests = g_string_new(NULL);
	g->cert_pin = PIN_A;
}

static void fake_gateway_clear(FakeGateway *g)
{
	g_free(g->last_pin);
	g_string_free(g->requests, TRUE);
	g_mutex_clear(&g->lock);
}

static gboolean wait_timeout(gpointer data)
{
	*(gboolean *)data = TRUE;
	return G_SOURCE_REMOVE;
}

static void wait_phase(GuiLogin *login, GuiLoginPhase phase)
{
	gboolean timed_out = FALSE;
	guint id = g_timeout_add_seconds(10, wait_timeout, &timed_out);

	while (gui_login_get_phase(login) != phase && !timed_out)
		g_main_context_iteration(NULL, TRUE);
	if (timed_out)
		g_error("login stuck in %s, waiting for %s",
		        gui_login_phase_name(gui_login_get_phase(login)),
		        gui_login_phase_name(phase));
	g_source_remove(id);
}

static struct prefs *temp_prefs(char **dir)
{
	struct prefs *p = prefs_new();
	g_autofree char *path = NULL;

	*dir = unit_tmpdir_new("sslvpn-gui-test-XXXXXX");
	path = g_build_filename(*dir, "preferences.xml", NULL);
	g_assert_cmpint(prefs_set_path(p, path), ==, 0);
	return p;
}

static void test_login_group_change(void)
{
	g_autofree char *dir = NULL;
	_cleanup_(prefs_freep) struct prefs *prefs = temp_prefs(&dir);
	g_autoptr(GuiLogin) login = gui_login_new(prefs);
	GuiLoginOptions o = {.gateway = "gw.example.test"};
	GtkWidget *view = g_object_ref_sink(gui_form_view_new());
	GuiFormView *fv = GUI_FORM_VIEW(view);
	const struct auth_result *r;
	FakeGateway g;

	fake_gateway_init(&g);
	gui_login_set_io(login, &fake_io, &g);
	g_assert_cmpint(gui_login_start(login, &o), ==, 0);
	/* The blocking work happens in threads: the phase says what is going on meanwhile. */
	g_assert_cmpint(gui_login_get_phase(login), ==, GUI_LOGIN_CONNECTING);
	wait_phase(login, GUI_LOGIN_FORM);
	gui_form_view_render(fv, gui_login_get_form(login), NULL);
	g_assert_cmpuint(gui_form_view_get_n_inputs(fv), ==, 3);

	/* The user picks CertOnly: a new init with group-select, and its form is rendered. */
	n_group_changes = 0;
	g_signal_connect(fv, "group-changed", G_CALLBACK(on_group_changed), NULL);
	gtk_drop_down_set_selected(GTK_DROP_DOWN(gui_form_view_get_group_widget(fv)), 3);
	g_assert_cmpuint(n_group_changes, ==, 1);
	g_assert_cmpint(gui_login_choose_group(login, last_group), ==, 0);
	g_assert_cmpint(gui_login_get_phase(login), ==, GUI_LOGIN_TALKING);
	wait_phase(login, GUI_LOGIN_FORM);
	g_assert_nonnull(strstr(g.requests->str, "<group-select>CertOnly</group-select>"));
	gui_form_view_render(fv, gui_login_get_form(login), NULL);
	g_assert_cmpuint(gui_form_view_get_n_inputs(fv), ==, 1);

	/* Back to Plain, fill in, log in. */
	g_assert_cmpint(gui_login_choose_group(login, "Plain"), ==, 0);
	wait_phase(login, GUI_LOGIN_FORM);
	gui_form_view_render(fv, gui_login_get_form(login), NULL);
	gtk_editable_set_text(GTK_EDITABLE(gui_form_view_get_field_widget(fv, "username")),
	                      "carol");
	gtk_editable_set_text(GTK_EDITABLE(gui_form_view_get_field_widget(fv, "password")), "pw");
	g_assert_cmpint(gui_form_view_apply(fv, gui_login_get_form(login), NULL), ==, 0);
	g_assert_cmpint(gui_login_submit(login), ==, 0);
	wait_phase(login, GUI_LOGIN_DONE);
	r = gui_login_get_result(login);
	g_assert_nonnull(r);
	g_assert_cmpstr(secret_str(r->cookie), ==, "FAKECOOKIE123");
	g_assert_cmpstr(r->pin, ==, PIN_A);
	g_assert_cmpstr(r->address, ==, "192.0.2.1");
	g_assert_cmpstr(r->banner, ==, "Authorized users only");
	g_assert_nonnull(strstr(g.requests->str, "<username>carol</username>"));
	/* The user and group are remembered, never the password. */
	{
		g_autofree char *path = g_build_filename(dir, "preferences.xml", NULL);
		g_autofree char *saved = NULL;

		g_assert_true(g_file_get_contents(path, &saved, NULL, NULL));
		g_assert_nonnull(strstr(saved, "<last-user>carol</last-user>"));
		g_assert_null(strstr(saved, "FAKECOOKIE"));
		g_assert_null(strstr(saved, ">pw<"));
	}
	gui_login_reset(login);
	g_assert_null(gui_login_get_result(login));
	g_object_unref(view);
	fake_gateway_clear(&g);
	unit_tmpdir_remove(dir);
}

static void test_login_cert(void)
{
	g_autofree char *dir = NULL;
	_cleanup_(prefs_freep) struct prefs *prefs = temp_prefs(&dir);
	g_autoptr(GuiLogin) login = gui_login_new(prefs);
	GuiLoginOptions o = {.gateway = "https://gw.example.test"};
	struct prefs_gateway *pg;
	FakeGateway g;

	fake_gateway_init(&g);
	g.open_result = -ERR_CERT_UNTRUSTED;
	g.status = GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND;
	gui_login_set_io(login, &fake_io, &g);

	/* Blocked by default: a failure that carries the report. */
	g_assert_true(prefs_get_block_untrusted(prefs));
	g_assert_cmpint(gui_login_start(login, &o), ==, 0);
	wait_phase(login, GUI_LOGIN_FAILED);
	g_assert_cmpint(gui_login_get_error(login), ==, -ERR_CERT_UNTRUSTED);
	g_assert_cmpstr(gui_login_get_cert_report(login)->pin, ==, PIN_A);

	/* Blocking off: the user is asked, and "once" reconnects pinned to that key. */
	prefs_set_block_untrusted(prefs, false);
	g_assert_cmpint(gui_login_start(login, &o), ==, 0);
	wait_phase(login, GUI_LOGIN_CERT_PROMPT);
	g_assert_cmpstr(gui_login_get_cert_report(login)->subject, ==, "CN=gw.example.test,O=Test");
	gui_login_answer_cert(login, AUTH_CERT_ACCEPT_ONCE);
	wait_phase(login, GUI_LOGIN_FORM);
	g_assert_cmpstr(g.last_pin, ==, PIN_A);
	gui_login_cancel(login);
	g_assert_cmpint(gui_login_get_error(login), ==, -ERR_CANCELLED);
	pg = prefs_gateway(prefs, gui_login_get_gateway_key(login), false);
	g_assert_true(!pg || !prefs_gateway_get_pin(pg));

	/* Asked again next time (nothing was pinned); "always" pins it after success. */
	g_assert_cmpint(gui_login_start(login, &o), ==, 0);
	wait_phase(login, GUI_LOGIN_CERT_PROMPT);
	gui_login_answer_cert(login, AUTH_CERT_ACCEPT_ALWAYS);
	wait_phase(login, GUI_LOGIN_FORM);
	g_assert_cmpint(auth_form_set_value(gui_login_get_form(login), "username", "dave"), ==, 0);
	g_assert_cmpint(gui_login_submit(login), ==, 0);
	wait_phase(login, GUI_LOGIN_DONE);
	pg = prefs_gateway(prefs, gui_login_get_gateway_key(login), false);
	g_assert_nonnull(pg);
	g_assert_cmpstr(prefs_gateway_get_pin(pg), ==, PIN_A);

	/* The pinned certificate is used without asking... */
	g_assert_cmpint(gui_login_start(login, &o), ==, 0);
	wait_phase(login, GUI_LOGIN_FORM);
	g_assert_cmpstr(g.last_pin, ==, PIN_A);
	gui_login_cancel(login);

	/* ...and a changed one is a hard failure, no question asked. */
	g.cert_pin = PIN_B;
	g_assert_cmpint(gui_login_start(login, &o), ==, 0);
	wait_phase(login, GUI_LOGIN_FAILED);
	g_assert_cmpint(gui_login_get_error(login), ==, -ERR_CERT_PIN_MISMATCH);
	g_assert_cmpstr(gui_login_get_cert_report(login)->pin, ==, PIN_B);
	fake_gateway_clear(&g);
	unit_tmpdir_remove(dir);
}

static void test_login_cancel_while_busy(void)
{
	g_autoptr(GuiLogin) login = gui_login_new(NULL);
	GuiLoginOptions o = {.gateway = "gw.example.test"};
	FakeGateway g;

	fake_gateway_init(&g);
	gui_login_set_io(login, &fake_io, &g);
	g_assert_cmpint(gui_login_start(login, &o), ==, 0);
	g_assert_true(gui_login_is_busy(login));
	gui_login_cancel(login);
	g_assert_cmpint(gui_login_get_phase(login), ==, GUI_LOGIN_FAILED);
	/* The thread's late answer is dropped: the phase stays. */
	for (int i = 0; i < 50; i++) {
		g_main_context_iteration(NULL, FALSE);
		g_usleep(2000);
	}
	g_assert_cmpint(gui_login_get_phase(login), ==, GUI_LOGIN_FAILED);
	g_assert_cmpint(gui_login_start(login, &(GuiLoginOptions){.gateway = ""}), ==,
	                -ERR_INVALID_ARGS);
	fake_gateway_clear(&g);
}

/* ---- dialogs ---- */

static const char *named_text(GtkWidget *root, const char *name)
{
	GtkWidget *w = gui_dialogs_find_named(root, name);

	g_assert_nonnull(w);
	return gtk_label_get_text(GTK_LABEL(w));
}

static struct tls_cert_report sample_report(void)
{
	struct tls_cert_report rep = {.present = true};

	rep.gnutls_status = GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND;
	g_strlcpy(rep.reason, "issuer unknown", sizeof(rep.reason));
	g_strlcpy(rep.subject, "CN=untrusted.lab.test,O=sslvpn lab", sizeof(rep.subject));
	g_strlcpy(rep.issuer, "CN=sslvpn Other CA,O=sslvpn lab", sizeof(rep.issuer));
	rep.not_before = 1700000000;
	rep.not_after = 1900000000;
	g_strlcpy(rep.pin, PIN_A, sizeof(rep.pin));
	g_strlcpy(rep.sha1, "0123456789ABCDEF0123456789ABCDEF01234567", sizeof(rep.sha1));
	return rep;
}

static void check_details(GtkWidget *d, const struct tls_cert_report *rep)
{
	g_autofree char *from = gui_format_date(rep->not_before);

	g_assert_cmpstr(named_text(d, "cert-subject"), ==, rep->subject);
	g_assert_cmpstr(named_text(d, "cert-issuer"), ==, rep->issuer);
	g_assert_cmpstr(named_text(d, "cert-pin"), ==, rep->pin);
	g_assert_cmpstr(named_text(d, "cert-sha1"), ==, rep->sha1);
	g_assert_cmpstr(named_text(d, "cert-valid-from"), ==, from);
	g_assert_cmpstr(named_text(d, "cert-problem"), ==, "It was issued by an unknown authority");
}

static void test_dialog_cert(void)
{
	struct tls_cert_report rep = sample_report();
	GtkWidget *d;
	AdwMessageDialog *m;

	d = gui_dialogs_cert_new(NULL, GUI_DIALOGS_CERT_PROMPT, "untrusted.lab.test", &rep);
	m = ADW_MESSAGE_DIALOG(d);
	g_assert_true(adw_message_dialog_has_response(m, "once"));
	g_assert_true(adw_message_dialog_has_response(m, "always"));
	g_assert_true(adw_message_dialog_has_response(m, "cancel"));
	g_assert_cmpstr(adw_message_dialog_get_default_response(m), ==, "cancel");
	g_assert_cmpstr(adw_message_dialog_get_close_response(m), ==, "cancel");
	g_assert_cmpstr(adw_message_dialog_get_response_label(m, "once"), ==, "Connect _Anyway");
	g_assert_nonnull(strstr(adw_message_dialog_get_body(m), "untrusted.lab.test"));
	check_details(d, &rep);
	gtk_window_destroy(GTK_WINDOW(d));

	d = gui_dialogs_cert_new(NULL, GUI_DIALOGS_CERT_BLOCKED, "untrusted.lab.test", &rep);
	m = ADW_MESSAGE_DIALOG(d);
	g_assert_false(adw_message_dialog_has_response(m, "once"));
	g_assert_false(adw_message_dialog_has_response(m, "always"));
	g_assert_true(adw_message_dialog_has_response(m, "close"));
	g_assert_true(adw_message_dialog_has_response(m, "preferences"));
	g_assert_cmpstr(adw_message_dialog_get_heading(m), ==, "Connection Blocked");
	g_assert_nonnull(
	    strstr(adw_message_dialog_get_body(m), "Block connections to untrusted servers"));
	check_details(d, &rep);
	gtk_window_destroy(GTK_WINDOW(d));

	d = gui_dialogs_cert_new(NULL, GUI_DIALOGS_CERT_PIN_MISMATCH, "vpn.lab.test", &rep);
	m = ADW_MESSAGE_DIALOG(d);
	g_assert_false(adw_message_dialog_has_response(m, "once"));
	g_assert_false(adw_message_dialog_has_response(m, "always"));
	g_assert_false(adw_message_dialog_has_response(m, "preferences"));
	g_assert_true(adw_message_dialog_has_response(m, "close"));
	g_assert_cmpstr(adw_message_dialog_get_heading(m), ==, "Certificate Changed");
	gtk_window_destroy(GTK_WINDOW(d));
}

static void test_dialog_banner(void)
{
	GtkWidget *d =
	    gui_dialogs_banner_new(NULL, "Authorised use only.\r\nAll access is \u202Elogged.");
	AdwMessageDialog *m = ADW_MESSAGE_DIALOG(d);
	GtkWidget *label = gui_dialogs_find_named(d, "banner-text");

	g_assert_true(adw_message_dialog_has_response(m, "accept"));
	g_assert_true(adw_message_dialog_has_response(m, "decline"));
	g_assert_cmpstr(adw_message_dialog_get_close_response(m), ==, "decline");
	g_assert_nonnull(label);
	g_assert_cmpstr(gtk_label_get_text(GTK_LABEL(label)), ==,
	                "Authorised use only.\nAll access is logged.");
	g_assert_false(gtk_label_get_use_markup(GTK_LABEL(label)));
	gtk_window_destroy(GTK_WINDOW(d));
}

/* ---- connection model ---- */

static GArray *events;

static void on_event(GuiConnection *c, guint ev, gpointer data)
{
	g_array_append_val(events, ev);
}

static GVariant *props(const char *state)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "State", g_variant_new_string(state));
	return g_variant_ref_sink(g_variant_builder_end(&b));
}

static void feed(GuiConnection *c, const char *state)
{
	g_autoptr(GVariant) v = props(state);

	gui_connection_update(c, v);
}

static void test_connection_events(void)
{
	g_autoptr(GuiConnection) c = gui_connection_new("/org/sslvpn/Helper1/connection/1");
	const char *routes[] = {"203.0.113.0/24", NULL};
	GVariantBuilder b;
	g_autoptr(GVariant) all = NULL;

	events = g_array_new(FALSE, FALSE, sizeof(guint));
	g_signal_connect(c, "event", G_CALLBACK(on_event), NULL);
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "State", g_variant_new_string("connecting"));
	g_variant_builder_add(&b, "{sv}", "Gateway", g_variant_new_string("https://vpn.lab.test"));
	g_variant_builder_add(&b, "{sv}", "Routes", g_variant_new_strv(routes, -1));
	g_variant_builder_add(&b, "{sv}", "BytesSent", g_variant_new_uint64(1234));
	g_variant_builder_add(&b, "{sv}", "Mtu", g_variant_new_uint32(1399));
	g_variant_builder_add(&b, "{sv}", "Address", g_variant_new_uint32(7)); /* wrong type */
	all = g_variant_ref_sink(g_variant_builder_end(&b));
	gui_connection_update(c, all);
	g_assert_cmpuint(events->len, ==, 0); /* the first state is no news */
	g_assert_cmpstr(gui_connection_get_gateway(c), ==, "https://vpn.lab.test");
	g_assert_cmpstr(gui_connection_get_routes(c)[0], ==, "203.0.113.0/24");
	g_assert_cmpuint(gui_connection_get_bytes_sent(c), ==, 1234);
	g_assert_cmpuint(gui_connection_get_mtu(c), ==, 1399);
	g_assert_cmpstr(gui_connection_get_address(c), ==, "");
	g_assert_true(gui_connection_is_active(c));
	feed(c, "connected");
	feed(c, "connected");
	feed(c, "reconnecting");
	feed(c, "connected");
	feed(c, "failed");
	g_assert_false(gui_connection_is_active(c));
	g_assert_cmpuint(events->len, ==, 4);
	g_assert_cmpuint(g_array_index(events, guint, 0), ==, GUI_CONNECTION_EVENT_CONNECTED);
	g_assert_cmpuint(g_array_index(events, guint, 1), ==, GUI_CONNECTION_EVENT_RECONNECTING);
	g_assert_cmpuint(g_array_index(events, guint, 2), ==, GUI_CONNECTION_EVENT_RECONNECTED);
	g_assert_cmpuint(g_array_index(events, guint, 3), ==, GUI_CONNECTION_EVENT_DROPPED);
	g_assert_cmpint(gui_connection_event_for("connecting", "failed"), ==,
	                GUI_CONNECTION_EVENT_FAILED);
	g_assert_cmpint(gui_connection_event_for("disconnecting", "disconnected"), ==,
	                GUI_CONNECTION_EVENT_DISCONNECTED);
	g_array_unref(events);
}

/* ---- tray model ---- */

static gboolean layout_item(GVariant *layout, int id, const char **label, gboolean *enabled)
{
	g_autoptr(GVariant) children = g_variant_get_child_value(layout, 2);

	for (gsize i = 0; i < g_variant_n_children(children); i++) {
		g_autoptr(GVariant) boxed = g_variant_get_child_value(children, i);
		g_autoptr(GVariant) item = g_variant_get_variant(boxed);
		g_autoptr(GVariant) p = g_variant_get_child_value(item, 1);
		gint32 item_id;

		g_variant_get_child(item, 0, "i", &item_id);
		if (item_id != id)
			continue;
		*label = NULL;
		g_variant_lookup(p, "label", "&s", label);
		g_variant_lookup(p, "enabled", "b", enabled);
		return TRUE;
	}
	return FALSE;
}

static void test_tray_model(void)
{
	g_autoptr(GSimpleActionGroup) actions = g_simple_action_group_new();
	g_autoptr(GuiTray) tray = gui_tray_new(G_ACTION_GROUP(actions));
	g_autoptr(GVariant) l1 = NULL, l2 = NULL;
	g_autofree char *tip = NULL;
	const char *label = NULL;
	gboolean enabled = FALSE;

	g_assert_cmpint(gui_tray_state_from_helper("connected"), ==, GUI_TRAY_CONNECTED);
	g_assert_cmpint(gui_tray_state_from_helper("connecting"), ==, GUI_TRAY_CONNECTING);
	g_assert_cmpint(gui_tray_state_from_helper("reconnecting"), ==, GUI_TRAY_RECONNECTING);
	g_assert_cmpint(gui_tray_state_from_helper("failed"), ==, GUI_TRAY_ERROR);
	g_assert_cmpint(gui_tray_state_from_helper(""), ==, GUI_TRAY_DISCONNECTED);
	g_assert_cmpstr(gui_tray_icon_name(GUI_TRAY_CONNECTED), ==,
	                "org.sslvpn.Client-connected-symbolic");
	g_assert_cmpstr(gui_tray_icon_name(GUI_TRAY_DISCONNECTED), ==,
	                "org.sslvpn.Client-disconnected-symbolic");
	g_assert_cmpstr(gui_tray_status(GUI_TRAY_ERROR), ==, "NeedsAttention");
	g_assert_cmpstr(gui_tray_status(GUI_TRAY_CONNECTED), ==, "Active");
	tip = gui_tray_tooltip(GUI_TRAY_CONNECTED, "vpn.lab.test");
	g_assert_cmpstr(tip, ==, "VPN connected: vpn.lab.test");

	gui_tray_set_last_gateway(tray, "https://vpn.lab.test");
	l1 = g_variant_ref_sink(gui_tray_menu_layout(tray));
	g_assert_true(layout_item(l1, GUI_TRAY_MENU_CONNECT, &label, &enabled));
	g_assert_cmpstr(label, ==, "Connect to https://vpn.lab.test");
	g_assert_true(enabled);
	g_assert_true(layout_item(l1, GUI_TRAY_MENU_DISCONNECT, &label, &enabled));
	g_assert_false(enabled);
	gui_tray_set_state(tray, GUI_TRAY_CONNECTED, "https://vpn.lab.test");
	l2 = g_variant_ref_sink(gui_tray_menu_layout(tray));
	g_assert_true(layout_item(l2, GUI_TRAY_MENU_CONNECT, &label, &enabled));
	g_assert_false(enabled);
	g_assert_true(layout_item(l2, GUI_TRAY_MENU_DISCONNECT, &label, &enabled));
	g_assert_true(enabled);
	g_assert_true(layout_item(l2, GUI_TRAY_MENU_QUIT, &label, &enabled));
	g_assert_cmpstr(label, ==, "Quit");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	if (!g_getenv("DISPLAY")) {
		g_test_skip("no display: run under tests/gui/run-gui-test.sh");
		return 77;
	}
	gtk_init();
	adw_init();
	g_test_add_func("/gui/errors/table", test_errors_table);
	g_test_add_func("/gui/errors/dbus", test_errors_dbus);
	g_test_add_func("/gui/format/basics", test_format);
	g_test_add_func("/gui/format/cert-problems", test_format_cert_problems);
	g_test_add_func("/gui/form/ocserv", test_form_ocserv);
	g_test_add_func("/gui/form/group-rules", test_form_group_rules);
	g_test_add_func("/gui/form/vectors", test_form_other_vectors);
	g_test_add_func("/gui/login/group-change", test_login_group_change);
	g_test_add_func("/gui/login/cert", test_login_cert);
	g_test_add_func("/gui/login/cancel", test_login_cancel_while_busy);
	g_test_add_func("/gui/dialog/cert", test_dialog_cert);
	g_test_add_func("/gui/dialog/banner", test_dialog_banner);
	g_test_add_func("/gui/connection/events", test_connection_events);
	g_test_add_func("/gui/tray/model", test_tray_model);
	return g_test_run();
}
