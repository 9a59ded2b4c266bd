// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The aggregate-auth XML parser and builder against captured gateway documents and hostile
 * variants.  Over 900 lines on purpose: one parser's cases, mostly short table-driven
 * functions over the same loaders.
 */
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "auth-xml.h"
#include "error.h"
#include "log.h"
#include "unit-helper.h"

static const struct auth_client_info ci = {.version = "4.10.07061", .device_id = "linux-64"};

static struct auth_doc *parse_file(const char *rel)
{
	gsize len;
	g_autofree char *data = unit_load_data(rel, &len);
	struct auth_doc *d = NULL;
	g_autofree char *msg = NULL;
	int r = auth_xml_parse_full(data, len, &d, &msg);

	if (r != 0)
		g_error("%s: %s (%s)", rel, error_name(r), msg ? msg : "");
	g_assert_nonnull(d);
	return d;
}

static int parse_file_err(const char *rel, char **msg)
{
	gsize len;
	g_autofree char *data = unit_load_data(rel, &len);
	struct auth_doc *d = NULL;
	int r = auth_xml_parse_full(data, len, &d, msg);

	g_assert_null(d);
	return r;
}

/* ---- reading client documents back (the test side uses plain libxml2) ---- */

static xmlDoc *reparse(const struct secret *s)
{
	xmlDoc *doc;

	g_assert_nonnull(s);
	doc = xmlReadMemory(secret_str(s), (int)secret_len(s), NULL, NULL,
	                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	g_assert_nonnull(doc);
	return doc;
}

static xmlNode *el(xmlNode *parent, const char *name)
{
	for (xmlNode *c = parent->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name))
			return c;
	return NULL;
}

static char *children_names(xmlNode *parent)
{
	GString *s = g_string_new(NULL);

	for (xmlNode *c = parent->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (s->len)
			g_string_append_c(s, ',');
		g_string_append(s, (const char *)c->name);
	}
	return g_string_free(s, FALSE);
}

static char *content(xmlNode *n)
{
	xmlChar *c = xmlNodeGetContent(n);
	char *r = g_strdup((const char *)c);

	xmlFree(c);
	return r;
}

static char *prop(xmlNode *n, const char *name)
{
	xmlChar *c = xmlGetProp(n, (const xmlChar *)name);
	char *r = g_strdup((const char *)c);

	xmlFree(c);
	return r;
}

static char *dump_node(xmlDoc *doc, xmlNode *n)
{
	xmlBufferPtr b = xmlBufferCreate();
	char *r;

	xmlNodeDump(b, doc, n, 0, 0);
	r = g_strdup((const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	return r;
}

/* The opaque element of a gateway file as the server sent it, serialised. */
static char *server_opaque(const char *rel)
{
	gsize len;
	g_autofree char *data = unit_load_data(rel, &len);
	xmlDoc *doc = xmlReadMemory(data, (int)len, NULL, NULL, XML_PARSE_NONET);
	char *r;

	g_assert_nonnull(doc);
	r = dump_node(doc, el(xmlDocGetRootElement(doc), "opaque"));
	xmlFreeDoc(doc);
	return r;
}

/* ---- gateway documents ---- */

static void test_asa_login(void)
{
	_cleanup_(auth_xml_doc_freep) struct auth_doc *d = parse_file("auth/asa-login.xml");
	const struct auth_form *f = d->form;
	const struct auth_field *u, *p, *g;

	g_assert_cmpint(d->kind, ==, AUTH_DOC_FORM);
	g_assert_false(d->legacy_root);
	g_assert_cmpstr(d->doc_type, ==, "auth-request");
	g_assert_nonnull(d->opaque_xml);
	g_assert_true(g_str_has_prefix(d->opaque_xml, "<opaque is-for=\"sg\">"));
	g_assert_nonnull(strstr(d->opaque_xml, "<aggauth-handle>123456789</aggauth-handle>"));
	g_assert_null(d->session_token);
	g_assert_null(d->error);

	g_assert_cmpstr(f->id, ==, "main");
	g_assert_cmpstr(f->title, ==, "Login");
	g_assert_cmpstr(f->message, ==, "Please enter your username and password.");
	g_assert_null(f->banner); /* empty element */
	g_assert_null(f->error);
	g_assert_cmpint(f->error_id, ==, -1);
	g_assert_null(f->action);
	g_assert_false(f->has_sso);
	g_assert_false(f->authentication_complete);
	g_assert_cmpuint(f->n_fields, ==, 3);

	u = &f->fields[0];
	g_assert_cmpint(u->type, ==, AUTH_FIELD_TEXT);
	g_assert_cmpstr(u->name, ==, "username");
	g_assert_cmpstr(u->label, ==, "Username:");
	g_assert_null(u->value);
	g_assert_false(u->inactive);
	p = &f->fields[1];
	g_assert_cmpint(p->type, ==, AUTH_FIELD_PASSWORD);
	g_assert_cmpstr(p->name, ==, "password");
	g_assert_cmpstr(p->label, ==, "Password:");
	g_assert_null(p->secret);
	g = &f->fields[2];
	g_assert_true(g == auth_form_group_field(f));
	g_assert_cmpint(g->type, ==, AUTH_FIELD_SELECT);
	g_assert_true(g->is_group_list);
	g_assert_cmpstr(g->label, ==, "GROUP:");
	g_assert_cmpuint(g->n_options, ==, 3);
	g_assert_cmpstr(g->options[0].value, ==, "Contractors");
	g_assert_cmpstr(g->options[0].label, ==, "Contractors");
	g_assert_cmpstr(g->options[1].value, ==, "Employees");
	g_assert_cmpstr(g->options[2].value, ==, "Partners & Vendors");
	g_assert_cmpstr(g->options[2].label, ==, "Partners & Vendors");
	g_assert_cmpuint(g->selected, ==, 1);
	g_assert_cmpuint(g->default_selected, ==, 1);
	g_assert_cmpstr(auth_form_selected_group(f), ==, "Employees");
	g_assert_false(auth_form_group_changed(f));
}

static void test_asa_login_reply(void)
{
	_cleanup_(auth_xml_doc_freep) struct auth_doc *d = parse_file("auth/asa-login.xml");
	_cleanup_(secret_freep) struct secret *reply = NULL;
	g_autofree char *names = NULL, *auth_names = NULL, *orig = NULL, *copy = NULL;
	g_autofree char *t = NULL;
	xmlDoc *x;
	xmlNode *root, *n;

	g_assert_cmpint(auth_form_set_value(d->form, "username", "jdoe"), ==, 0);
	g_assert_cmpint(auth_form_set_value(d->form, "password", "s3cret"), ==, 0);
	reply = auth_xml_build_reply(&ci, d->opaque_xml, d->form);
	g_assert_nonnull(reply);
	g_assert_true(
	    g_str_has_prefix(secret_str(reply), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));

	x = reparse(reply);
	root = xmlDocGetRootElement(x);
	g_assert_cmpstr((const char *)root->name, ==, "config-auth");
	t = prop(root, "client");
	g_assert_cmpstr(t, ==, "vpn");
	g_clear_pointer(&t, g_free);
	t = prop(root, "type");
	g_assert_cmpstr(t, ==, "auth-reply");
	g_clear_pointer(&t, g_free);
	t = prop(root, "aggregate-auth-version");
	g_assert_cmpstr(t, ==, "2");
	g_clear_pointer(&t, g_free);

	names = children_names(root);
	g_assert_cmpstr(names, ==, "version,device-id,capabilities,opaque,auth,group-select");
	t = prop(el(root, "version"), "who");
	g_assert_cmpstr(t, ==, "vpn");
	g_clear_pointer(&t, g_free);
	t = content(el(root, "version"));
	g_assert_cmpstr(t, ==, "4.10.07061");
	g_clear_pointer(&t, g_free);
	t = content(el(root, "device-id"));
	g_assert_cmpstr(t, ==, "linux-64");
	g_clear_pointer(&t, g_free);
	/* Nothing advertised (docs/protocol.md "Pitfall: advertise only what is implemented"). */
	g_assert_null(el(root, "capabilities")->children);
	{
		_cleanup_(secret_freep) struct secret *init =
		    auth_xml_build_init(&ci, "https://x/", NULL);

		g_assert_null(strstr(secret_str(init), "auth-method"));
		g_assert_null(strstr(secret_str(init), "single-sign-on"));
		g_assert_null(strstr(secret_str(init), "multiple-cert"));
	}

	n = el(root, "auth");
	auth_names = children_names(n);
	g_assert_cmpstr(auth_names, ==, "username,password");
	t = content(el(n, "username"));
	g_assert_cmpstr(t, ==, "jdoe");
	g_clear_pointer(&t, g_free);
	t = content(el(n, "password"));
	g_assert_cmpstr(t, ==, "s3cret");
	g_clear_pointer(&t, g_free);
	g_assert_null(el(n, "group-select"));
	g_assert_null(el(n, "group_list"));
	t = content(el(root, "group-select"));
	g_assert_cmpstr(t, ==, "Employees");
	g_clear_pointer(&t, g_free);

	/* The opaque element is the server's, attribute and children alike. */
	orig = server_opaque("auth/asa-login.xml");
	copy = dump_node(x, el(root, "opaque"));
	g_assert_cmpstr(copy, ==, orig);
	t = prop(el(root, "opaque"), "is-for");
	g_assert_cmpstr(t, ==, "sg");
	g_clear_pointer(&t, g_free);
	t = content(el(el(root, "opaque"), "config-hash"));
	g_assert_cmpstr(t, ==, "1619719004259");
	g_clear_pointer(&t, g_free);
	xmlFreeDoc(x);
}

static void test_group_select_value_not_label(void)
{
	_cleanup_(auth_xml_doc_freep) struct auth_doc *d = parse_file("auth/ocserv-login.xml");
	_cleanup_(secret_freep) struct secret *reply = NULL;
	const struct auth_field *g;
	g_autofree char *t = NULL;
	xmlDoc *x;

	g_assert_cmpint(d->kind, ==, AUTH_DOC_FORM);
	g_assert_null(d->opaque_xml);
	g_assert_cmpstr(d->form->action, ==, "/auth");
	g_assert_cmpstr(d->form->banner, ==, "Welcome to the lab gateway");
	g_assert_cmpstr(d->form->message, ==, "Please enter your username.");
	g = auth_form_group_field(d->form);
	g_assert_nonnull(g);
	g_assert_cmpuint(g->n_options, ==, 3);
	g_assert_cmpstr(g->options[0].value, ==, "DEFAULT");
	g_assert_cmpstr(g->options[0].label, ==, "DEFAULT");
	g_assert_cmpstr(g->options[1].value, ==, "eng");
	g_assert_cmpstr(g->options[1].label, ==, "Engineering");
	g_assert_cmpstr(g->options[2].value, ==, "ops");
	g_assert_cmpstr(g->options[2].label, ==, "Operations");
	/* No selected="true": ocserv lists the chosen group first. */
	g_assert_cmpuint(g->selected, ==, 0);
	g_assert_cmpstr(auth_form_selected_group(d->form), ==, "DEFAULT");

	/* Chosen by label, sent by value. */
	g_assert_cmpint(auth_form_select_group(d->form, "Engineering"), ==, 0);
	g_assert_cmpstr(auth_form_selected_group(d->form), ==, "eng");
	g_assert_true(auth_form_group_changed(d->form));
	g_assert_cmpint(auth_form_select_group(d->form, "nope"), ==, -ERR_INVALID_ARGS);
	g_assert_cmpstr(auth_form_selected_group(d->form), ==, "eng");
	g_assert_cmpint(auth_form_set_value(d->form, "username", "u"), ==, 0);

	reply = auth_xml_build_reply(&ci, d->opaque_xml, d->form);
	g_assert_nonnull(reply);
	g_assert_null(strstr(secret_str(reply), "Engineering"));
	g_assert_null(strstr(secret_str(reply), "<opaque"));
	x = reparse(reply);
	t = content(el(xmlDocGetRootElement(x), "group-select"));
	g_assert_cmpstr(t, ==, "eng");
	g_clear_pointer(&t, g_free);
	t = children_names(xmlDocGetRootElement(x));
	g_assert_cmpstr(t, ==, "version,device-id,capabilities,auth,group-select");
	xmlFreeDoc(x);

	/* By value too. */
	g_assert_cmpint(auth_form_select_group(d->form, "ops"), ==, 0);
	g_assert_cmpstr(auth_form_selected_group(d->form), ==, "ops");
	g_assert_cmpint(auth_form_select_group(d->form, "DEFAULT"), ==, 0);
	g_assert_false(auth_form_group_changed(d->form));
}

static void test_asa_success(void)
{
	_cleanup_(auth_xml_doc_freep) struct auth_doc *d = parse_file("auth/asa-success.xml");

	g_assert_cmpint(d->kind, ==, AUTH_DOC_SUCCESS);
	g_assert_cmpstr(d->doc_type, ==, "complete");
	g_assert_null(d->form);
	g_assert_null(d->error);
	g_assert_null(d->opaque_xml); /* config/opaque is not the login's opaque */
	g_assert_nonnull(d->session_token);
	g_assert_cmpstr(secret_str(d->session_token), ==,
	                "61D5E0@106496@2C64@0123456789ABCDEF0123456789ABCDEF01234567");
	g_assert_cmpstr(d->session_id, ==, "106496");
	g_assert_cmpstr(d->banner, ==, "Authorized use only.\nAll activity is logged.");
	g_assert_null(d->message);
	g_assert_cmpstr(d->server_cert_hash, ==, "AA46A448019A03FFDAF8803558C9B19CE77B951B");
	g_assert_cmpuint(d->n_profiles, ==, 1);
	g_assert_cmpstr(d->profiles[0].uri, ==, "/CACHE/stc/profiles/corp.xml");
	g_assert_cmpstr(d->profiles[0].sha1, ==, "5B1E0F6A1C2D3E4F5A6B7C8D9E0F1A2B3C4D5E6F");
	g_assert_true(d->has_core_manifest);
	g_assert_true(d->has_customization_manifest);
	g_assert_true(d->has_service_profile_manifest);
}

static void test_ocserv_success(void)
{
	_cleanup_(auth_xml_doc_freep) struct auth_doc *d =
	    parse_file("auth/ocserv-success-profile.xml");
	_cleanup_(auth_xml_doc_freep) struct auth_doc *p = parse_file("auth/ocserv-success.xml");

	g_assert_cmpint(d->kind, ==, AUTH_DOC_SUCCESS);
	g_assert_null(d->session_token);
	g_assert_null(d->server_cert_hash);
	g_assert_null(d->banner);
	g_assert_cmpuint(d->n_profiles, ==, 1);
	g_assert_cmpstr(d->profiles[0].uri, ==, "/profiles/profile.xml");
	g_assert_cmpstr(d->profiles[0].sha1, ==, "A8B0B07FBA93D06E8501E40AB807AEE2464E73B7");
	g_assert_false(d->has_core_manifest);
	g_assert_false(d->has_customization_manifest);

	g_assert_cmpint(p->kind, ==, AUTH_DOC_SUCCESS);
	g_assert_cmpstr(p->banner, ==, "Authorized users only");
	g_assert_cmpuint(p->n_profiles, ==, 0);
	g_assert_null(p->profiles);
}

static void test_ocserv_otp(void)
{
	_cleanup_(auth_xml_doc_freep) struct auth_doc *d = parse_file("auth/ocserv-otp.xml");
	_cleanup_(secret_freep) struct secret *reply = NULL;
	_cleanup_(secret_freep) struct secret *code = secret_new_str("123456");
	g_autofree char *t = NULL;
	xmlDoc *x;

	g_assert_cmpint(d->kind, ==, AUTH_DOC_FORM);
	g_assert_cmpstr(d->form->message, ==, "Please enter your one-time password.");
	g_assert_cmpuint(d->form->n_fields, ==, 1);
	g_assert_cmpint(d->form->fields[0].type, ==, AUTH_FIELD_PASSWORD);
	g_assert_cmpstr(d->form->fields[0].name, ==, "secondary_password");
	g_assert_cmpstr(d->form->fields[0].label, ==, "Password1:");
	g_assert_null(auth_form_group_field(d->form));
	g_assert_null(auth_form_selected_group(d->form));
	g_assert_cmpint(auth_form_set_secret(d->form, "secondary_password", code), ==, 0);
	reply = auth_xml_build_reply(&ci, NULL, d->form);
	x = reparse(reply);
	t = content(el(el(xmlDocGetRootElement(x), "auth"), "secondary_password"));
	g_assert_cmpstr(t, ==, "123456");
	g_assert_null(el(xmlDocGetRootElement(x), "group-select"));
	xmlFreeDoc(x);
}

static void test_asa_error_form(void)
{
	_cleanup_(auth_xml_doc_freep) struct auth_doc *d = parse_file("auth/asa-error-form.xml");

	/* A 200 answer with the form again: not success
	 * (docs/protocol.md "Pitfall: HTTP 200 is not success"). */
	g_assert_cmpint(d->kind, ==, AUTH_DOC_FORM);
	g_assert_cmpstr(d->form->error, ==, "Login failed for user jdoe. Try again.");
	g_assert_cmpint(d->form->error_id, ==, 24);
	g_assert_cmpstr(auth_field_value(auth_form_field(d->form, "username")), ==, "jdoe");
	g_assert_nonnull(strstr(d->opaque_xml, "987654321"));
}

static void test_complete_error(void)
{
	_cleanup_(auth_xml_doc_freep) struct auth_doc *d = parse_file("auth/asa-complete-error.xml");
	_cleanup_(auth_xml_doc_freep) struct auth_doc *c =
	    parse_file("auth/asa-cert-validation-failure.xml");
	_cleanup_(auth_xml_doc_freep) struct auth_doc *f = parse_file("auth/auth-failure.xml");

	g_assert_cmpint(d->kind, ==, AUTH_DOC_ERROR);
	g_assert_null(d->form);
	g_assert_cmpstr(d->error, ==,
	                "Unable to complete connection: Cisco Secure Desktop not installed on the "
	                "client");
	g_assert_cmpint(c->kind, ==, AUTH_DOC_ERROR);
	g_assert_nonnull(strstr(c->error, "Client certificate"));
	g_assert_nonnull(strstr(c->error, "Certificate Validation Failure"));
	g_assert_cmpint(f->kind, ==, AUTH_DOC_ERROR);
	g_assert_cmpstr(f->error, ==, "Authentication failed.");
}

static void test_challenge(void)
{
	_cleanup_(auth_xml_doc_freep) struct auth_doc *d = parse_file("auth/asa-challenge.xml");
	_cleanup_(secret_freep) struct secret *reply = NULL;
	g_autofree char *t = NULL;
	xmlDoc *x;

	g_assert_cmpint(d->kind, ==, AUTH_DOC_FORM);
	g_assert_cmpstr(d->form->id, ==, "challenge");
	g_assert_cmpstr(d->form->message, ==,
	                "Enter the code sent to +1-555-0100 (do not use %n or %x).");
	g_assert_cmpint(auth_form_set_value(d->form, "answer", "424242"), ==, 0);
	reply = auth_xml_build_reply(&ci, d->opaque_xml, d->form);
	x = reparse(reply);
	t = children_names(el(xmlDocGetRootElement(x), "auth"));
	g_assert_cmpstr(t, ==, "password"); /* answer is sent as password */
	g_clear_pointer(&t, g_free);
	t = content(el(el(xmlDocGetRootElement(x), "auth"), "password"));
	g_assert_cmpstr(t, ==, "424242");
	xmlFreeDoc(x);
}

static void test_password_change(void)
{
	_cleanup_(auth_xml_doc_freep) struct auth_doc *d = parse_file("auth/asa-password-change.xml");
	_cleanup_(secret_freep) struct secret *reply = NULL;
	g_autofree char *t = NULL;
	xmlDoc *x;

	g_assert_cmpstr(d->form->id, ==, "passwd");
	g_assert_cmpint(auth_form_set_value(d->form, "new_password", "N3w!"), ==, 0);
	g_assert_cmpint(auth_form_set_value(d->form, "verify_password", "N3w?"), ==, 0);
	g_assert_false(auth_form_confirmations_match(d->form));
	g_assert_cmpint(auth_form_set_value(d->form, "verify_password", "N3w!"), ==, 0);
	g_assert_true(auth_form_confirmations_match(d->form));
	reply = auth_xml_build_reply(&ci, d->opaque_xml, d->form);
	x = reparse(reply);
	t = children_names(el(xmlDocGetRootElement(x), "auth"));
	g_assert_cmpstr(t, ==, "password");
	g_clear_pointer(&t, g_free);
	t = content(el(el(xmlDocGetRootElement(x), "auth"), "password"));
	g_assert_cmpstr(t, ==, "N3w!");
	xmlFreeDoc(x);
}

static void test_legacy(void)
{
	_cleanup_(auth_xml_doc_freep) struct auth_doc *d = parse_file("auth/legacy-login.xml");
	_cleanup_(auth_xml_doc_freep) struct auth_doc *s = parse_file("auth/legacy-success.xml");
	_cleanup_(secret_freep) struct secret *reply = NULL;
	const struct auth_form *f = d->form;
	g_autofree char *t = NULL;
	xmlDoc *x;

	g_assert_cmpint(d->kind, ==, AUTH_DOC_FORM);
	g_assert_true(d->legacy_root);
	g_assert_null(d->doc_type);
	g_assert_cmpstr(f->title, ==, "SSL VPN Service");
	g_assert_cmpstr(f->banner, ==, "Welcome");
	g_assert_cmpstr(f->action, ==, "/+webvpn+/index.html");
	/* submit and reset are left out */
	g_assert_cmpuint(f->n_fields, ==, 7);
	g_assert_null(auth_form_field(f, "Login"));
	g_assert_null(auth_form_field(f, "Clear"));
	g_assert_cmpint(auth_form_field(f, "tgroup")->type, ==, AUTH_FIELD_HIDDEN);
	g_assert_cmpstr(auth_form_field(f, "tgroup")->value, ==, "");
	g_assert_cmpstr(auth_form_field(f, "a")->value, ==, "x<y");
	g_assert_cmpstr(auth_form_field(f, "a")->label, ==, "a:");
	g_assert_cmpint(auth_form_set_value(d->form, "a", "changed"), ==, -ERR_INVALID_ARGS);
	g_assert_cmpstr(auth_form_selected_group(f), ==, "EMP");

	reply = auth_xml_build_reply(&ci, NULL, d->form);
	x = reparse(reply);
	t = children_names(el(xmlDocGetRootElement(x), "auth"));
	g_assert_cmpstr(t, ==, "username,password,tgroup,next,tgcookieset,a");
	g_clear_pointer(&t, g_free);
	t = content(el(el(xmlDocGetRootElement(x), "auth"), "a"));
	g_assert_cmpstr(t, ==, "x<y");
	xmlFreeDoc(x);

	g_assert_cmpint(s->kind, ==, AUTH_DOC_SUCCESS);
	g_assert_true(s->legacy_root);
	g_assert_null(s->session_token);
}

static void test_unsupported(void)
{
	_cleanup_(auth_xml_doc_freep) struct auth_doc *hs = parse_file("auth/asa-hostscan.xml");
	_cleanup_(auth_xml_doc_freep) struct auth_doc *csd = parse_file("auth/legacy-csd.xml");
	_cleanup_(auth_xml_doc_freep) struct auth_doc *sso = parse_file("auth/asa-sso.xml");
	_cleanup_(auth_xml_doc_freep) struct auth_doc *mc = parse_file("auth/asa-multicert.xml");
	_cleanup_(auth_xml_doc_freep) struct auth_doc *get = parse_file("auth/get-method.xml");

	g_assert_cmpint(hs->kind, ==, AUTH_DOC_UNSUPPORTED);
	g_assert_nonnull(strstr(hs->error, "host scan"));
	g_assert_cmpint(csd->kind, ==, AUTH_DOC_UNSUPPORTED);
	g_assert_nonnull(strstr(csd->error, "host scan"));
	g_assert_true(csd->legacy_root);

	g_assert_cmpint(sso->kind, ==, AUTH_DOC_UNSUPPORTED);
	g_assert_nonnull(strstr(sso->error, "single sign-on"));
	/* The form stays, so another group can be picked. */
	g_assert_nonnull(sso->form);
	g_assert_true(sso->form->has_sso);
	g_assert_null(auth_form_field(sso->form, "sso-token"));
	g_assert_cmpstr(auth_form_selected_group(sso->form), ==, "SAML-Users");
	g_assert_cmpint(auth_form_select_group(sso->form, "Password-Users"), ==, 0);
	g_assert_true(auth_form_group_changed(sso->form));
	g_assert_nonnull(sso->opaque_xml);

	g_assert_cmpint(mc->kind, ==, AUTH_DOC_UNSUPPORTED);
	g_assert_nonnull(strstr(mc->error, "multiple-certificate"));
	g_assert_cmpint(get->kind, ==, AUTH_DOC_UNSUPPORTED);
	g_assert_nonnull(get->form);
}

static void test_client_cert(void)
{
	_cleanup_(auth_xml_doc_freep) struct auth_doc *rq =
	    parse_file("auth/asa-client-cert-request.xml");
	_cleanup_(auth_xml_doc_freep) struct auth_doc *ok =
	    parse_file("auth/asa-cert-authenticated.xml");
	const struct auth_client_info fail = {
	    .version = "1", .device_id = "linux-64", .client_cert_fail = true};
	_cleanup_(secret_freep) struct secret *init = NULL;
	g_autofree char *t = NULL;
	xmlDoc *x;

	g_assert_cmpint(rq->kind, ==, AUTH_DOC_CLIENT_CERT_REQUEST);
	g_assert_null(rq->form);
	g_assert_nonnull(rq->error);
	g_assert_cmpint(ok->kind, ==, AUTH_DOC_FORM);
	g_assert_true(ok->cert_authenticated);

	init = auth_xml_build_init(&fail, "https://vpn.example.com/", NULL);
	x = reparse(init);
	t = children_names(xmlDocGetRootElement(x));
	g_assert_cmpstr(t, ==, "version,device-id,capabilities,group-access,client-cert-fail");
	xmlFreeDoc(x);
}

static void test_group_rules(void)
{
	_cleanup_(auth_xml_doc_freep) struct auth_doc *d = parse_file("auth/asa-groups-noaaa.xml");
	struct auth_form *f = d->form;
	const struct auth_field *g = auth_form_group_field(f);
	_cleanup_(secret_freep) struct secret *reply = NULL;
	g_autofree char *t = NULL;
	xmlDoc *x;

	g_assert_cmpuint(g->n_options, ==, 4);
	g_assert_cmpstr(g->options[0].auth_type, ==, "aaa");
	g_assert_false(g->options[0].second_auth);
	g_assert_true(g->options[1].second_auth);
	g_assert_cmpstr(g->options[1].secondary_username, ==, "svc-user");
	g_assert_false(g->options[1].secondary_username_editable);
	g_assert_cmpstr(g->options[1].override_name, ==, "dual");
	g_assert_cmpstr(g->options[1].override_label, ==, "Dual login");
	g_assert_true(g->options[2].secondary_username_editable);
	g_assert_true(g->options[3].noaaa);
	g_assert_true(auth_form_field(f, "secondary_username")->second_auth);

	/* Plain: the second-auth fields do not apply. */
	g_assert_false(auth_form_field(f, "username")->inactive);
	g_assert_true(auth_form_field(f, "secondary_username")->inactive);
	g_assert_true(auth_form_field(f, "secondary_password")->inactive);

	g_assert_cmpint(auth_form_select_group(f, "Dual"), ==, 0);
	g_assert_false(auth_form_field(f, "secondary_password")->inactive);
	g_assert_false(auth_form_field(f, "secondary_username")->inactive);
	g_assert_true(auth_form_field(f, "secondary_username")->readonly);
	g_assert_cmpstr(auth_form_field(f, "secondary_username")->value, ==, "svc-user");
	auth_form_set_value(f, "username", "u");
	auth_form_set_value(f, "password", "p");
	auth_form_set_value(f, "secondary_password", "p2");
	reply = auth_xml_build_reply(&ci, d->opaque_xml, f);
	x = reparse(reply);
	t = children_names(el(xmlDocGetRootElement(x), "auth"));
	g_assert_cmpstr(t, ==, "username,password,secondary_username,secondary_password");
	g_clear_pointer(&t, g_free);
	t = content(el(el(xmlDocGetRootElement(x), "auth"), "secondary_username"));
	g_assert_cmpstr(t, ==, "svc-user");
	g_clear_pointer(&t, g_free);
	xmlFreeDoc(x);
	secret_free(reply);

	g_assert_cmpint(auth_form_set_value(f, "group_list", "DualEdit"), ==, 0);
	g_assert_false(auth_form_field(f, "secondary_username")->readonly);
	g_assert_cmpstr(auth_form_field(f, "secondary_username")->value, ==, "editable-user");

	/* noaaa: no username or password at all. */
	g_assert_cmpint(auth_form_select_group(f, "CertOnly"), ==, 0);
	for (size_t i = 0; i < f->n_fields; i++)
		if (f->fields[i].type != AUTH_FIELD_SELECT)
			g_assert_true(f->fields[i].inactive);
	reply = auth_xml_build_reply(&ci, d->opaque_xml, f);
	x = reparse(reply);
	g_assert_null(el(el(xmlDocGetRootElement(x), "auth"), "username"));
	t = content(el(xmlDocGetRootElement(x), "group-select"));
	g_assert_cmpstr(t, ==, "CertOnly");
	xmlFreeDoc(x);
}

static void test_form_oddities(void)
{
	_cleanup_(auth_xml_doc_freep) struct auth_doc *d = parse_file("auth/form-oddities.xml");
	const struct auth_form *f = d->form;
	const struct auth_field *realm;

	g_assert_cmpint(d->kind, ==, AUTH_DOC_FORM);
	/* unknown type, no type, no name, submit, reset and the empty select are skipped */
	g_assert_cmpuint(f->n_fields, ==, 4);
	g_assert_cmpstr(f->fields[0].name, ==, "nolabel");
	g_assert_cmpstr(f->fields[0].label, ==, "nolabel:");
	g_assert_null(auth_form_field(f, "remember"));
	g_assert_null(auth_form_field(f, "notype"));
	g_assert_null(auth_form_field(f, "empty"));
	realm = auth_form_field(f, "realm");
	g_assert_false(realm->is_group_list);
	g_assert_cmpuint(realm->n_options, ==, 4);
	g_assert_cmpuint(realm->selected, ==, 1); /* the first selected wins */
	g_assert_cmpstr(realm->options[3].value, ==, "only-value");
	g_assert_cmpstr(realm->options[3].label, ==, "only-value");
	g_assert_cmpstr(auth_form_field(f, "csrf")->value, ==, "tok&en<>\"");
	g_assert_cmpint(auth_form_field(f, "pin")->type, ==, AUTH_FIELD_PASSWORD);
	g_assert_null(auth_form_field(f, "pin")->value);
	g_assert_null(auth_form_field(f, "pin")->secret);
	g_assert_cmpstr(auth_field_value(auth_form_field(f, "pin")), ==, "");
	g_assert_null(auth_form_group_field(f));
}

static void test_authentication_complete(void)
{
	_cleanup_(auth_xml_doc_freep) struct auth_doc *d = parse_file("auth/auth-complete-repost.xml");
	_cleanup_(secret_freep) struct secret *reply = NULL;
	g_autofree char *t = NULL;
	xmlDoc *x;

	g_assert_cmpint(d->kind, ==, AUTH_DOC_FORM);
	g_assert_true(d->form->authentication_complete);
	g_assert_cmpuint(d->form->n_fields, ==, 0);
	reply = auth_xml_build_reply(&ci, d->opaque_xml, d->form);
	x = reparse(reply);
	t = children_names(xmlDocGetRootElement(x));
	g_assert_cmpstr(t, ==, "version,device-id,capabilities,opaque,auth");
	xmlFreeDoc(x);
}

static void test_bom_whitespace(void)
{
	_cleanup_(auth_xml_doc_freep) struct auth_doc *d = parse_file("auth/bom-whitespace.xml");

	g_assert_cmpint(d->kind, ==, AUTH_DOC_FORM);
	g_assert_nonnull(auth_form_field(d->form, "username"));
}

static void test_hostile_values(void)
{
	_cleanup_(auth_xml_doc_freep) struct auth_doc *d = parse_file("auth/hostile-values.xml");
	_cleanup_(secret_freep) struct secret *reply = NULL;
	static const char user[] = "<script>&amp;]]>\"'\t中文 ✓ a&b";
	static const char pass[] = "p&<>]]>\"'üñ✓\r\n";
	g_autofree char *orig = NULL, *copy = NULL, *t = NULL;
	xmlDoc *x;
	xmlNode *root, *auth;

	g_assert_cmpint(d->kind, ==, AUTH_DOC_FORM);
	/* Only message and error carry placeholders; hostile % stays text. */
	g_assert_cmpstr(d->form->title, ==, "%n%n%n%s%s%s");
	g_assert_cmpstr(d->form->message, ==, "A %n%x B <b> C %s D %n %%s");
	g_assert_cmpstr(d->form->error, ==, "E only-one F %s");
	g_assert_cmpstr(auth_form_field(d->form, "username")->label, ==, "User <name> & ]]>:");
	g_assert_cmpstr(auth_form_field(d->form, "username")->value, ==, "\"default\"");
	g_assert_cmpstr(auth_form_field(d->form, "password")->label, ==, "Pässwörd:");
	g_assert_cmpstr(auth_form_selected_group(d->form), ==, "ü2");
	g_assert_cmpint(auth_form_select_group(d->form, "Group <One>"), ==, 0);
	g_assert_cmpstr(auth_form_selected_group(d->form), ==, "g&1");

	g_assert_cmpint(auth_form_set_value(d->form, "username", user), ==, 0);
	g_assert_cmpint(auth_form_set_value(d->form, "password", pass), ==, 0);
	reply = auth_xml_build_reply(&ci, d->opaque_xml, d->form);
	g_assert_nonnull(reply);
	g_assert_null(strstr(secret_str(reply), "<script>"));
	g_assert_true(g_utf8_validate(secret_str(reply), (gssize)secret_len(reply), NULL));

	x = reparse(reply);
	root = xmlDocGetRootElement(x);
	auth = el(root, "auth");
	t = content(el(auth, "username"));
	g_assert_cmpstr(t, ==, user);
	g_clear_pointer(&t, g_free);
	t = content(el(auth, "password"));
	g_assert_cmpstr(t, ==, pass);
	g_clear_pointer(&t, g_free);
	t = content(el(root, "group-select"));
	g_assert_cmpstr(t, ==, "g&1");
	g_clear_pointer(&t, g_free);
	g_assert_null(el(auth, "group-select"));

	/* Opaque with a namespace, a prefixed attribute, a comment, CDATA and non-ASCII. */
	orig = server_opaque("auth/hostile-values.xml");
	copy = dump_node(x, el(root, "opaque"));
	g_assert_cmpstr(copy, ==, orig);
	g_assert_nonnull(strstr(copy, "<!-- a comment -->"));
	g_assert_nonnull(strstr(copy, "<![CDATA[raw <cdata> & ]]>"));
	t = (char *)xmlGetNsProp(el(root, "opaque"), (const xmlChar *)"flag",
	                         (const xmlChar *)"urn:example:vendor");
	g_assert_cmpstr(t, ==, "a&b<c>\"d'");
	xmlFree(t);
	t = NULL;
	xmlFreeDoc(x);
}

static void test_reparse_own_reply_as_opaque_source(void)
{
	/* The stored opaque must survive several rounds unchanged. */
	_cleanup_(auth_xml_doc_freep) struct auth_doc *d = parse_file("auth/hostile-values.xml");
	_cleanup_(secret_freep) struct secret *reply = NULL;
	_cleanup_(auth_xml_doc_freep) struct auth_doc *round2 = NULL;
	g_autofree char *doc2 = NULL;

	reply = auth_xml_build_reply(&ci, d->opaque_xml, d->form);
	/* Make the reply look like a server form again, then read its opaque. */
	doc2 = g_strdup_printf("<config-auth client=\"vpn\" type=\"auth-request\">%s"
	                       "<auth id=\"main\"><form><input type=\"text\" name=\"u\"/></form>"
	                       "</auth></config-auth>",
	                       d->opaque_xml);
	g_assert_cmpint(auth_xml_parse(doc2, strlen(doc2), &round2), ==, 0);
	g_assert_cmpstr(round2->opaque_xml, ==, d->opaque_xml);
}

static void test_rejected(void)
{
	static const char *const files[] = {
	    "auth/billion-laughs.xml",
	    "auth/xxe.xml",
	    "auth/xxe-external-dtd.xml",
	    "auth/undeclared-entity.xml",
	    "auth/html-doctype.html",
	    "auth/html-plain.html",
	    "auth/xhtml.xml",
	    "auth/not-xml.txt",
	    "auth/truncated.xml",
	    "auth/namespace-error.xml",
	    "auth/bad-field-name.xml",
	    "auth/duplicate-field.xml",
	    "auth/empty-action.xml",
	    "auth/no-auth-id.xml",
	    "auth/bad-manifest-dotdot.xml",
	    "auth/bad-manifest-scheme.xml",
	    "auth/bad-manifest-host.xml",
	    "auth/bad-manifest-relative.xml",
	    "auth/bad-manifest-query.xml",
	    "auth/bad-manifest-backslash.xml",
	    "auth/bad-manifest-hash-short.xml",
	    "auth/bad-manifest-hash-nonhex.xml",
	    "auth/bad-manifest-hash-sha256.xml",
	    "auth/bad-manifest-no-hash.xml",
	    "auth/bad-cert-hash.xml",
	    "auth/bad-cert-hash-space.xml",
	    "auth/bad-token.xml",
	    "auth/bad-token-newline.xml",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autofree char *msg = NULL;
		int r = parse_file_err(files[i], &msg);

		if (r != -ERR_PROTOCOL)
			g_error("%s: expected ProtocolError, got %s", files[i], error_name(r));
		g_assert_nonnull(msg);
		for (const char *c = msg; *c; c++)
			g_assert_true(*c >= 0x20 && *c < 0x7f);
	}
}

static void test_not_aggregate_auth_message(void)
{
	static const char *const files[] = {"auth/html-doctype.html", "auth/html-plain.html",
	                                    "auth/xhtml.xml", "auth/not-xml.txt"};

	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autofree char *msg = NULL;

		g_assert_cmpint(parse_file_err(files[i], &msg), ==, -ERR_PROTOCOL);
		if (!strstr(msg, "does not speak aggregate-auth v2"))
			g_error("%s: %s", files[i], msg);
	}
	{
		g_autofree char *msg = NULL;

		parse_file_err("auth/xhtml.xml", &msg);
		g_assert_nonnull(strstr(msg, "<html>"));
	}
	{
		g_autofree char *msg = NULL;

		parse_file_err("auth/bad-manifest-dotdot.xml", &msg);
		g_assert_nonnull(strstr(msg, "malformed"));
		g_assert_null(strstr(msg, "aggregate-auth v2"));
	}
}

static void test_billion_laughs_fast(void)
{
	gsize len;
	g_autofree char *data = unit_load_data("auth/billion-laughs.xml", &len);
	gint64 t0 = g_get_monotonic_time();
	struct auth_doc *d = NULL;

	for (int i = 0; i < 100; i++)
		g_assert_cmpint(auth_xml_parse(data, len, &d), ==, -ERR_PROTOCOL);
	/* Nothing was expanded: a hundred refusals take well under a second. */
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 2 * G_USEC_PER_SEC);
}

static void test_success_variants(void)
{
	_cleanup_(auth_xml_doc_freep) struct auth_doc *rev = parse_file("auth/manifest-other-rev.xml");
	_cleanup_(auth_xml_doc_freep) struct auth_doc *empty = parse_file("auth/empty-token.xml");

	g_assert_cmpint(rev->kind, ==, AUTH_DOC_SUCCESS);
	g_assert_cmpuint(rev->n_profiles, ==, 0);
	g_assert_cmpstr(secret_str(rev->session_token), ==, "TOKEN");
	g_assert_cmpstr(rev->message, ==, "ok");
	g_assert_cmpint(empty->kind, ==, AUTH_DOC_SUCCESS);
	g_assert_null(empty->session_token);
}

static int parse_manifest_uri(const char *uri, struct auth_doc **d)
{
	g_autofree char *doc = g_strdup_printf(
	    "<config-auth type=\"complete\"><auth id=\"success\"/><config>"
	    "<vpn-profile-manifest><vpn rev=\"1.0\"><file type=\"profile\" "
	    "service-type=\"user\"><uri>%s</uri><hash>5b1e0f6a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f"
	    "</hash></file></vpn></vpn-profile-manifest></config></config-auth>",
	    uri);

	*d = NULL;
	return auth_xml_parse(doc, strlen(doc), d);
}

static void test_manifest_uris(void)
{
	static const char *const good[] = {"/profiles/p.xml", "/CACHE/stc/profiles/Corp%20VPN.xml",
	                                   "/a/b-c_d~e+f@g.xml", "/p.xml"};
	static const char *const bad[] = {
	    "/profiles/%2e%2e/x",
	    "/profiles%2Fx.xml",
	    "/a/%5cx",
	    "/a/%00",
	    "/a/%0A",
	    "/a/%2",
	    "/a/%zz",
	    "/a/%25",
	    "/a/./b",
	    "/a//b",
	    "/a/b/",
	    "/",
	    "",
	    "/a b",
	    "/a/\xc3\xa9",
	    "http://h/p",
	    "/a?b",
	    "/a#b",
	};
	struct auth_doc *d;

	for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
		g_assert_cmpint(parse_manifest_uri(good[i], &d), ==, 0);
		g_assert_cmpuint(d->n_profiles, ==, 1);
		g_assert_cmpstr(d->profiles[0].uri, ==, good[i]);
		g_assert_cmpstr(d->profiles[0].sha1, ==,
		                "5B1E0F6A1C2D3E4F5A6B7C8D9E0F1A2B3C4D5E6F");
		auth_xml_doc_free(d);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		int r = parse_manifest_uri(bad[i], &d);

		if (r != -ERR_PROTOCOL)
			g_error("'%s': expected ProtocolError, got %s", bad[i], error_name(r));
	}
}

static void test_limits(void)
{
	GString *s;
	struct auth_doc *d = NULL;
	g_autofree char *msg = NULL;
	char *big;

	/* size */
	big = g_malloc(AUTH_XML_MAX_SIZE + 1);
	memset(big, ' ', AUTH_XML_MAX_SIZE + 1);
	memcpy(big, "<auth id=\"main\">", 16);
	g_assert_cmpint(auth_xml_parse(big, AUTH_XML_MAX_SIZE + 1, &d), ==, -ERR_TOO_LARGE);
	g_free(big);
	g_assert_cmpint(auth_xml_parse("", 0, &d), ==, -ERR_PROTOCOL);
	g_assert_cmpint(auth_xml_parse(" \r\n", 3, &d), ==, -ERR_PROTOCOL);

	/* elements */
	s = g_string_new("<config-auth client=\"vpn\" type=\"auth-request\">");
	for (int i = 0; i < AUTH_XML_MAX_ELEMENTS + 1; i++)
		g_string_append(s, "<x/>");
	g_string_append(s, "</config-auth>");
	g_assert_cmpint(auth_xml_parse_full(s->str, s->len, &d, &msg), ==, -ERR_TOO_LARGE);
	g_assert_nonnull(msg);
	g_string_free(s, TRUE);

	/* depth */
	s = g_string_new("<config-auth>");
	for (int i = 0; i < AUTH_XML_MAX_DEPTH + 1; i++)
		g_string_append(s, "<x>");
	for (int i = 0; i < AUTH_XML_MAX_DEPTH + 1; i++)
		g_string_append(s, "</x>");
	g_string_append(s, "</config-auth>");
	g_assert_cmpint(auth_xml_parse(s->str, s->len, &d), ==, -ERR_TOO_LARGE);
	g_string_free(s, TRUE);

	/* fields */
	s = g_string_new("<config-auth><auth id=\"main\"><form>");
	for (int i = 0; i < AUTH_FORM_MAX_FIELDS + 1; i++)
		g_string_append_printf(s, "<input type=\"text\" name=\"f%d\"/>", i);
	g_string_append(s, "</form></auth></config-auth>");
	g_assert_cmpint(auth_xml_parse(s->str, s->len, &d), ==, -ERR_PROTOCOL);
	g_string_free(s, TRUE);

	/* exactly the maximum number of fields is fine */
	s = g_string_new("<config-auth><auth id=\"main\"><form>");
	for (int i = 0; i < AUTH_FORM_MAX_FIELDS; i++)
		g_string_append_printf(s, "<input type=\"text\" name=\"f%d\"/>", i);
	g_string_append(s, "</form></auth></config-auth>");
	g_assert_cmpint(auth_xml_parse(s->str, s->len, &d), ==, 0);
	g_assert_cmpuint(d->form->n_fields, ==, AUTH_FORM_MAX_FIELDS);
	auth_xml_doc_free(d);
	d = NULL;
	g_string_free(s, TRUE);

	/* options */
	s = g_string_new("<config-auth><auth id=\"main\"><form><select name=\"group_list\">");
	for (int i = 0; i < AUTH_FORM_MAX_OPTIONS + 1; i++)
		g_string_append_printf(s, "<option>g%d</option>", i);
	g_string_append(s, "</select></form></auth></config-auth>");
	g_assert_cmpint(auth_xml_parse(s->str, s->len, &d), ==, -ERR_PROTOCOL);
	g_string_free(s, TRUE);

	/* a field name too long */
	s = g_string_new("<config-auth><auth id=\"main\"><form><input type=\"text\" name=\"");
	for (int i = 0; i < AUTH_FORM_MAX_NAME + 1; i++)
		g_string_append_c(s, 'n');
	g_string_append(s, "\"/></form></auth></config-auth>");
	g_assert_cmpint(auth_xml_parse(s->str, s->len, &d), ==, -ERR_PROTOCOL);
	g_string_free(s, TRUE);
	g_assert_null(d);
}

/* ---- client documents ---- */

static void test_build_init_exact(void)
{
	_cleanup_(secret_freep) struct secret *a =
	    auth_xml_build_init(&ci, "https://vpn.example.com/eng", "Employees");
	_cleanup_(secret_freep) struct secret *b = auth_xml_build_init(&ci, NULL, NULL);
	_cleanup_(secret_freep) struct secret *h =
	    auth_xml_build_init(&ci, "https://vpn.example.com/?a=1&b=<2>", "G&\"ü\"");
	const struct auth_client_info no_version = {.device_id = "linux-64"};
	const struct auth_client_info bad = {.version = "1\x01", .device_id = "linux-64"};
	g_autofree char *t = NULL;
	xmlDoc *x;

	g_assert_cmpstr(secret_str(a), ==,
	                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                "<config-auth client=\"vpn\" type=\"init\" aggregate-auth-version=\"2\">"
	                "<version who=\"vpn\">4.10.07061</version>"
	                "<device-id>linux-64</device-id>"
	                "<capabilities/>"
	                "<group-access>https://vpn.example.com/eng</group-access>"
	                "<group-select>Employees</group-select>"
	                "</config-auth>\n");
	g_assert_cmpstr(secret_str(b), ==,
	                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                "<config-auth client=\"vpn\" type=\"init\" aggregate-auth-version=\"2\">"
	                "<version who=\"vpn\">4.10.07061</version>"
	                "<device-id>linux-64</device-id>"
	                "<capabilities/>"
	                "</config-auth>\n");
	g_assert_nonnull(strstr(secret_str(h), "?a=1&amp;b=&lt;2&gt;"));
	x = reparse(h);
	t = content(el(xmlDocGetRootElement(x), "group-select"));
	g_assert_cmpstr(t, ==, "G&\"ü\"");
	xmlFreeDoc(x);

	g_assert_null(auth_xml_build_init(&no_version, NULL, NULL));
	g_assert_null(auth_xml_build_init(NULL, NULL, NULL));
	g_assert_null(auth_xml_build_init(&bad, NULL, NULL));
	g_assert_null(auth_xml_build_init(&ci, "https://x/\x02", NULL));
}

static void test_build_reply_refuses(void)
{
	_cleanup_(auth_form_freep) struct auth_form *f = auth_form_new("main");
	struct auth_field fld = {.type = AUTH_FIELD_TEXT};
	_cleanup_(secret_freep) struct secret *ok = NULL;

	g_assert_nonnull(f);
	fld.name = g_strdup("bad name");
	fld.label = g_strdup("x");
	g_assert_cmpint(auth_form_add_field(f, &fld), ==, 0);
	g_assert_null(auth_xml_build_reply(&ci, NULL, f));
	g_assert_null(auth_xml_build_reply(&ci, NULL, NULL));

	f->fields[0].name[3] = '_';
	ok = auth_xml_build_reply(&ci, NULL, f);
	g_assert_nonnull(ok);
	g_assert_nonnull(strstr(secret_str(ok), "<auth><bad_name></bad_name></auth>"));

	/* Stored opaque must be one <opaque> element, read with the same hygiene. */
	g_assert_null(auth_xml_build_reply(&ci, "<notopaque/>", f));
	g_assert_null(auth_xml_build_reply(&ci, "<opaque>", f));
	g_assert_null(auth_xml_build_reply(
	    &ci, "<!DOCTYPE opaque [<!ENTITY a \"b\">]><opaque>&a;</opaque>", f));
	g_assert_null(auth_xml_build_reply(&ci, "", f));
}

/* ---- hygiene ---- */

static GString *sink_log;

static int foreign_errors;

static void foreign_handler(void *ctx, xmlErrorPtr e)
{
	foreign_errors++;
}

static void test_nothing_on_stderr(void)
{
	static const char *const files[] = {
	    "auth/truncated.xml",   "auth/undeclared-entity.xml", "auth/namespace-error.xml",
	    "auth/html-plain.html", "auth/not-xml.txt",           "auth/billion-laughs.xml",
	};
	char path[] = "/tmp/test-auth-xml-stderr-XXXXXX";
	int fd = mkstemp(path), saved;
	struct stat st;

	g_assert_cmpint(fd, >=, 0);
	unlink(path);
	sink_log = unit_log_capture();
	log_set_max_priority(LOG_DEBUG);
	/* Someone else's handler on this thread must survive our calls untouched. */
	xmlSetStructuredErrorFunc((void *)0x1, foreign_handler);

	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autofree char *msg = NULL;

		parse_file_err(files[i], &msg);
	}
	fflush(stderr);
	dup2(saved, 2);
	close(saved);

	g_assert_cmpint(fstat(fd, &st), ==, 0);
	g_assert_cmpint(st.st_size, ==, 0);
	close(fd);
	g_assert_cmpint(foreign_errors, ==, 0);
	g_assert_true(xmlStructuredError == foreign_handler);
	g_assert_true(xmlStructuredErrorContext == (void *)0x1);
	xmlSetStructuredErrorFunc(NULL, NULL);
	/* libxml2's reasons reached our sink instead. */
	g_assert_nonnull(strstr(sink_log->str, "not well-formed"));
	unit_log_release(sink_log);
}

static void test_secrets_not_logged(void)
{
	_cleanup_(auth_xml_doc_freep) struct auth_doc *d = parse_file("auth/asa-login.xml");
	_cleanup_(auth_xml_doc_freep) struct auth_doc *s = parse_file("auth/asa-success.xml");
	_cleanup_(secret_freep) struct secret *reply = NULL;

	sink_log = unit_log_capture();
	log_set_max_priority(LOG_DEBUG);
	auth_form_set_value(d->form, "password", "CANARY-pw-8d1f");
	reply = auth_xml_build_reply(&ci, d->opaque_xml, d->form);
	g_assert_nonnull(reply);
	auth_xml_doc_free(s);
	s = parse_file("auth/asa-success.xml");
	g_assert_null(strstr(sink_log->str, "CANARY"));
	g_assert_null(strstr(sink_log->str, "61D5E0@106496"));
	unit_log_release(sink_log);
}

/* ---- real ocserv 1.1.6 answers captured in the lab (tests/data/ocserv/) ---- */

static void test_ocserv_real_login(void)
{
	_cleanup_(auth_xml_doc_freep) struct auth_doc *init =
	    parse_file("ocserv/auth-request-init.xml");
	_cleanup_(auth_xml_doc_freep) struct auth_doc *sales =
	    parse_file("ocserv/auth-request-group-sales.xml");
	_cleanup_(auth_xml_doc_freep) struct auth_doc *pw =
	    parse_file("ocserv/auth-request-password.xml");
	_cleanup_(auth_xml_doc_freep) struct auth_doc *failed =
	    parse_file("ocserv/auth-request-password-failed.xml");
	_cleanup_(auth_xml_doc_freep) struct auth_doc *otp = parse_file("ocserv/auth-request-otp.xml");
	const struct auth_field *g;

	/* Round 1: username and group. */
	g_assert_cmpint(init->kind, ==, AUTH_DOC_FORM);
	g_assert_cmpstr(init->doc_type, ==, "auth-request");
	g_assert_null(init->opaque_xml);
	g_assert_cmpstr(init->form->id, ==, "main");
	g_assert_cmpstr(init->form->banner, ==, "sslvpn lab gateway. Authorised testers only.");
	g_assert_cmpstr(init->form->message, ==, "Please enter your username.");
	g_assert_cmpstr(init->form->action, ==, "/auth");
	g_assert_cmpuint(init->form->n_fields, ==, 2);
	g_assert_cmpint(init->form->fields[0].type, ==, AUTH_FIELD_TEXT);
	g_assert_cmpstr(init->form->fields[0].name, ==, "username");
	g_assert_cmpstr(init->form->fields[0].label, ==, "Username:");
	g = auth_form_group_field(init->form);
	g_assert_nonnull(g);
	g_assert_cmpstr(g->label, ==, "Group:");
	g_assert_cmpuint(g->n_options, ==, 2);
	g_assert_cmpstr(g->options[0].value, ==, "engineering");
	g_assert_cmpstr(g->options[0].label, ==, "Engineering");
	g_assert_cmpstr(g->options[1].value, ==, "sales");
	g_assert_cmpstr(g->options[1].label, ==, "Sales");
	g_assert_cmpstr(auth_form_selected_group(init->form), ==, "engineering");

	/* After an init with group-select=sales, ocserv lists sales first. */
	g_assert_cmpstr(auth_form_selected_group(sales->form), ==, "sales");
	g_assert_false(auth_form_group_changed(sales->form));

	/* Round 2: the password alone, no group list. */
	g_assert_cmpint(pw->kind, ==, AUTH_DOC_FORM);
	g_assert_null(pw->form->banner);
	g_assert_cmpstr(pw->form->message, ==, "Please enter your password.");
	g_assert_cmpuint(pw->form->n_fields, ==, 1);
	g_assert_cmpint(pw->form->fields[0].type, ==, AUTH_FIELD_PASSWORD);
	g_assert_cmpstr(pw->form->fields[0].name, ==, "password");
	g_assert_null(auth_form_group_field(pw->form));
	/* A wrong password: the same form again, the reason inside the message. */
	g_assert_cmpint(failed->kind, ==, AUTH_DOC_FORM);
	g_assert_cmpstr(failed->form->message, ==, "Login failed.\nPlease enter your password.");
	g_assert_null(failed->form->error);
	g_assert_cmpint(otp->kind, ==, AUTH_DOC_FORM);
	g_assert_cmpstr(otp->form->message, ==, "Please enter your OTP password.");
	g_assert_cmpstr(otp->form->fields[0].name, ==, "password");
}

static void test_ocserv_real_success(void)
{
	static const char *const files[] = {"ocserv/auth-complete.xml",
	                                    "ocserv/auth-complete-otp.xml"};

	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		_cleanup_(auth_xml_doc_freep) struct auth_doc *d = parse_file(files[i]);

		g_assert_cmpint(d->kind, ==, AUTH_DOC_SUCCESS);
		g_assert_cmpstr(d->doc_type, ==, "complete");
		g_assert_null(d->session_token);    /* only in Set-Cookie: webvpn */
		g_assert_null(d->server_cert_hash); /* only in webvpnc sh: */
		g_assert_cmpstr(d->banner, ==, "Welcome to the sslvpn lab.");
		g_assert_cmpuint(d->n_profiles, ==, 1);
		g_assert_cmpstr(d->profiles[0].uri, ==, "/profiles/profile.xml");
		g_assert_cmpstr(d->profiles[0].sha1, ==,
		                "4FB054B990611F4C868A828A3B065F4166DFF62C");
		g_assert_false(d->has_core_manifest);
	}
}

/* Our documents have the reference client's shape (its captured requests), plus the empty
 * capabilities element. */
static void test_ocserv_real_client_shape(void)
{
	const struct auth_client_info oc = {.version = "v9.01-3", .device_id = "linux-64"};
	_cleanup_(auth_xml_doc_freep) struct auth_doc *d = parse_file("ocserv/auth-request-init.xml");
	_cleanup_(secret_freep) struct secret *init = NULL, *init2 = NULL, *reply = NULL;
	static const struct {
		const char *capture;
		int which;
	} cases[] = {{"ocserv/init.request.xml", 0},
	             {"ocserv/init-group-sales.request.xml", 1},
	             {"ocserv/auth-reply-username.request.xml", 2}};

	init = auth_xml_build_init(&oc, "https://vpn.lab.test/", NULL);
	init2 = auth_xml_build_init(&oc, "https://vpn.lab.test/", "sales");
	g_assert_cmpint(auth_form_select_group(d->form, "Sales"), ==, 0);
	g_assert_cmpint(auth_form_set_value(d->form, "username", "alice"), ==, 0);
	reply = auth_xml_build_reply(&oc, d->opaque_xml, d->form);

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct secret *ours = cases[i].which == 0   ? init
		                            : cases[i].which == 1 ? init2
		                                                  : reply;
		gsize len;
		g_autofree char *data = unit_load_data(cases[i].capture, &len);
		xmlDoc *theirs = xmlReadMemory(data, (int)len, NULL, NULL, XML_PARSE_NONET);
		xmlDoc *mine = reparse(ours);
		xmlNode *tr = xmlDocGetRootElement(theirs), *mr = xmlDocGetRootElement(mine);
		g_autofree char *tn = children_names(tr), *mn = children_names(mr);
		g_autofree char *expect = NULL;
		const char *attrs[] = {"client", "type", "aggregate-auth-version"};

		/* the same order, ours with capabilities after device-id */
		expect = g_strdup(tn);
		{
			char *pos = strstr(expect, "device-id");
			g_autofree char *head = g_strndup(expect, (gsize)(pos - expect) + 9);

			g_free(expect);
			expect = g_strdup_printf("%s,capabilities%s", head, pos + 9);
		}
		g_assert_cmpstr(mn, ==, expect);
		for (size_t a = 0; a < G_N_ELEMENTS(attrs); a++) {
			g_autofree char *x = prop(tr, attrs[a]), *y = prop(mr, attrs[a]);

			g_assert_cmpstr(y, ==, x);
		}
		for (xmlNode *c = tr->children; c; c = c->next) {
			g_autofree char *x = NULL, *y = NULL;

			if (c->type != XML_ELEMENT_NODE)
				continue;
			x = content(c);
			y = content(el(mr, (const char *)c->name));
			g_assert_cmpstr(y, ==, x);
		}
		xmlFreeDoc(theirs);
		xmlFreeDoc(mine);
	}
}

/* Every server document captured from the lab parses (new captures included). */
static void test_ocserv_real_all(void)
{
	g_autofree char *dir = g_build_filename(TEST_DATA_DIR, "ocserv", NULL);
	GDir *dd = g_dir_open(dir, 0, NULL);
	const char *name;
	unsigned n = 0;

	g_assert_nonnull(dd);
	while ((name = g_dir_read_name(dd))) {
		g_autofree char *rel = NULL;
		_cleanup_(auth_xml_doc_freep) struct auth_doc *d = NULL;
		gsize len;
		g_autofree char *data = NULL;

		if (!g_str_has_suffix(name, ".xml") || g_str_has_suffix(name, ".request.xml"))
			continue;
		rel = g_build_filename("ocserv", name, NULL);
		data = unit_load_data(rel, &len);
		if (!strstr(data, "<config-auth") && !strstr(data, "<auth "))
			continue; /* the profile */
		if (auth_xml_parse(data, len, &d) != 0)
			g_error("%s does not parse", name);
		g_assert_true(d->kind == AUTH_DOC_FORM || d->kind == AUTH_DOC_SUCCESS);
		n++;
	}
	g_dir_close(dd);
	g_assert_cmpuint(n, >=, 7);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/auth-xml/asa-login", test_asa_login);
	g_test_add_func("/auth-xml/asa-login-reply", test_asa_login_reply);
	g_test_add_func("/auth-xml/group-select-value", test_group_select_value_not_label);
	g_test_add_func("/auth-xml/asa-success", test_asa_success);
	g_test_add_func("/auth-xml/ocserv-success", test_ocserv_success);
	g_test_add_func("/auth-xml/ocserv-otp", test_ocserv_otp);
	g_test_add_func("/auth-xml/asa-error-form", test_asa_error_form);
	g_test_add_func("/auth-xml/complete-error", test_complete_error);
	g_test_add_func("/auth-xml/challenge", test_challenge);
	g_test_add_func("/auth-xml/password-change", test_password_change);
	g_test_add_func("/auth-xml/legacy", test_legacy);
	g_test_add_func("/auth-xml/unsupported", test_unsupported);
	g_test_add_func("/auth-xml/client-cert", test_client_cert);
	g_test_add_func("/auth-xml/group-rules", test_group_rules);
	g_test_add_func("/auth-xml/form-oddities", test_form_oddities);
	g_test_add_func("/auth-xml/authentication-complete", test_authentication_complete);
	g_test_add_func("/auth-xml/bom-whitespace", test_bom_whitespace);
	g_test_add_func("/auth-xml/hostile-values", test_hostile_values);
	g_test_add_func("/auth-xml/opaque-rounds", test_reparse_own_reply_as_opaque_source);
	g_test_add_func("/auth-xml/rejected", test_rejected);
	g_test_add_func("/auth-xml/not-aggregate-auth", test_not_aggregate_auth_message);
	g_test_add_func("/auth-xml/billion-laughs", test_billion_laughs_fast);
	g_test_add_func("/auth-xml/success-variants", test_success_variants);
	g_test_add_func("/auth-xml/manifest-uris", test_manifest_uris);
	g_test_add_func("/auth-xml/limits", test_limits);
	g_test_add_func("/auth-xml/build-init", test_build_init_exact);
	g_test_add_func("/auth-xml/build-reply-refuses", test_build_reply_refuses);
	g_test_add_func("/auth-xml/nothing-on-stderr", test_nothing_on_stderr);
	g_test_add_func("/auth-xml/secrets-not-logged", test_secrets_not_logged);
	g_test_add_func("/auth-xml/ocserv-real/login", test_ocserv_real_login);
	g_test_add_func("/auth-xml/ocserv-real/success", test_ocserv_real_success);
	g_test_add_func("/auth-xml/ocserv-real/client-shape", test_ocserv_real_client_shape);
	g_test_add_func("/auth-xml/ocserv-real/all", test_ocserv_real_all);
	return g_test_run();
}
