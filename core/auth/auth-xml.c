// SPDX-License-Identifier: GPL-2.0-or-later
#include "auth-xml.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "error.h"
#include "hex.h"
#include "log.h"
#include "prefs.h"
#include "auth-xml-internal.h"
#include "xml-read.h"

#define NOT_AGGREGATE_AUTH                                                                         \
	"the gateway does not speak aggregate-auth v2 (the AnyConnect protocol) at this address: " \
	"its answer is not an aggregate-auth XML document"

static void xml_freep(xmlChar **p)
{
	if (*p)
		xmlFree(*p);
}

/* Text nodes hold passwords (replies) and session tokens (success documents): wipe them
 * before libxml2 frees the tree.  Best effort: libxml2's transient buffers are not reached. */
static void wipe_tree(xmlDoc *doc, xmlNode *n)
{
	for (; n; n = n->next) {
		if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content &&
		    !(doc->dict && xmlDictOwns(doc->dict, n->content)) &&
		    n->content != (xmlChar *)&n->properties)
			secret_wipe(n->content, strlen((const char *)n->content));
		if (n->type == XML_ELEMENT_NODE)
			wipe_tree(doc, n->children);
	}
}

void auth_xml_wiped_doc_freep(xmlDoc **d)
{
	if (!*d)
		return;
	wipe_tree(*d, (*d)->children);
	xmlFreeDoc(*d);
}

/* ---- small readers over the tree ---- */

bool auth_xml_is_element(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

xmlNode *auth_xml_child(const xmlNode *parent, const char *name)
{
	for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
		if (auth_xml_is_element(c, name))
			return c;
	return NULL;
}

static bool has_descendant(const xmlNode *n, const char *name)
{
	/* Depth is bounded by the reader's AUTH_XML_MAX_DEPTH. */
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (auth_xml_is_element(c, name) || has_descendant(c, name))
			return true;
	}
	return false;
}

static void xml_wipe_freep(xmlChar **p)
{
	if (!*p)
		return;
	secret_wipe(*p, strlen((const char *)*p));
	xmlFree(*p);
}

/* Copies a libxml2 string into malloc()ed memory; NULL stays NULL.  libxml2's copy is wiped:
 * it may be the session token. */
static int dup_xml(xmlChar *x, size_t max, char **out)
{
	_cleanup_(xml_wipe_freep) xmlChar *s = x;

	*out = NULL;
	if (!s)
		return 0;
	if (strnlen((const char *)s, max + 1) > max)
		return -ERR_PROTOCOL;
	*out = strdup((const char *)s);
	return *out ? 0 : -ERR_NOMEM;
}

static int attr_of(const xmlNode *n, const char *name, size_t max, char **out)
{
	return dup_xml(xmlGetNoNsProp(n, XC(name)), max, out);
}

static bool attr_is(const xmlNode *n, const char *name, const char *value)
{
	_cleanup_(xml_freep) xmlChar *v = xmlGetNoNsProp(n, XC(name));

	return v && strcasecmp((const char *)v, value) == 0;
}

/* Text content (all descendant text); "" gives NULL when empty_is_null. */
static int text_of(const xmlNode *n, size_t max, bool empty_is_null, char **out)
{
	int r = dup_xml(xmlNodeGetContent(n), max, out);

	if (r == 0 && !*out && !empty_is_null) {
		*out = strdup("");
		if (!*out)
			return -ERR_NOMEM;
	}
	if (r == 0 && *out && !**out && empty_is_null) {
		free(*out);
		*out = NULL;
	}
	return r;
}

/* Text with %s placeholders filled from the element's param1/param2 attributes. */
static int message_of(const xmlNode *n, char **out)
{
	_cleanup_free_ char *fmt = NULL, *p1 = NULL, *p2 = NULL;
	int r;

	*out = NULL;
	r = text_of(n, AUTH_FORM_MAX_TEXT, true, &fmt);
	if (r < 0 || !fmt)
		return r;
	r = attr_of(n, "param1", AUTH_FORM_MAX_TEXT, &p1);
	if (r < 0)
		return r;
	r = attr_of(n, "param2", AUTH_FORM_MAX_TEXT, &p2);
	if (r < 0)
		return r;
	*out = auth_form_format_message(fmt, p1, p2);
	return *out ? 0 : -ERR_NOMEM;
}

static void upcase(char *s)
{
	for (; *s; s++)
		*s = (char)toupper((unsigned char)*s);
}

/* An absolute path on the gateway: "/a/b.xml", nothing that could leave the path. */
static bool is_safe_abs_path(const char *s)
{
	const char *seg;

	if (!s || s[0] != '/' || strlen(s) > 2048)
		return false;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '?' || c == '#')
			return false;
		if (c == '%') {
			/* "%20" in a file name is fine; an escape that hides a path character or a
			 * control character is not. */
			unsigned v;

			if (!isxdigit((unsigned char)p[1]) || !isxdigit((unsigned char)p[2]) ||
			    sscanf(p + 1, "%2x", &v) != 1 || v < 0x20 || v == 0x7f ||
			    strchr("/\\.%?#", (int)v))
				return false;
			p += 2;
		}
	}
	seg = s + 1;
	for (;;) {
		const char *end = strchr(seg, '/');
		size_t n = end ? (size_t)(end - seg) : strlen(seg);

		if (n == 0 || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return false;
		if (!end)
			return true;
		seg = end + 1;
	}
}

/* RFC 6265 cookie-octet: the token goes into "Cookie: webvpn=<token>" unchanged. */
static bool is_cookie_value(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x21 || c > 0x7e || c == '"' || c == ',' || c == ';' || c == '\\')
			return false;
	}
	return true;
}

static bool is_valid_action(const char *s)
{
	if (!s[0] || strlen(s) > 2048)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

bool auth_xml_is_ncname(const char *s)
{
	return s && s[0] && strlen(s) <= AUTH_FORM_MAX_NAME && xmlValidateNCName(XC(s), 0) == 0;
}

/* ---- documents ---- */

void auth_xml_doc_free(struct auth_doc *d)
{
	if (!d)
		return;
	auth_form_free(d->form);
	free(d->opaque_xml);
	free(d->error);
	free(d->doc_type);
	secret_free(d->session_token);
	free(d->session_id);
	free(d->banner);
	free(d->message);
	free(d->server_cert_hash);
	for (size_t i = 0; i < d->n_profiles; i++) {
		free(d->profiles[i].uri);
		free(d->profiles[i].sha1);
	}
	free(d->profiles);
	free(d);
}

struct parse {
	char **errmsg;
	struct auth_doc *doc;
	/* what the root holds */
	xmlNode *auth;
	xmlNode *opaque;
	xmlNode *session_token;
	xmlNode *session_id;
	xmlNode *root_error;
	bool host_scan;
	bool client_cert_request;
	bool multi_cert_request;
	/* what auth holds */
	bool csd;
	bool method_unsupported;
};

#define MALFORMED(P, ...)                                                                          \
	(xml_read_message((P)->errmsg, "malformed aggregate-auth document: " __VA_ARGS__),         \
	 -ERR_PROTOCOL)

static int parse_option(struct parse *p, xmlNode *n, struct auth_field *f, bool *seen_selected)
{
	struct auth_option o = {0};
	_cleanup_free_ char *value = NULL, *text = NULL;
	int r;

	r = attr_of(n, "value", AUTH_FORM_MAX_VALUE, &value);
	if (r == 0)
		r = text_of(n, AUTH_FORM_MAX_VALUE, true, &text);
	if (r < 0)
		return r == -ERR_PROTOCOL ? MALFORMED(p, "option too long") : r;
	if (!value && !text)
		return 0; /* nothing to send: not a choice */
	if (f->n_options >= AUTH_FORM_MAX_OPTIONS)
		return MALFORMED(p, "more than %d options in a select", AUTH_FORM_MAX_OPTIONS);

	o.value = value ? steal_ptr(&value) : strdup(text);
	o.label = text ? steal_ptr(&text) : strdup(o.value ? o.value : "");
	o.noaaa = attr_is(n, "noaaa", "1");
	o.second_auth = attr_is(n, "second-auth", "1");
	o.secondary_username_editable = attr_is(n, "secondary_username_editable", "true");
	r = (o.value && o.label) ? 0 : -ERR_NOMEM;
	if (r == 0)
		r = attr_of(n, "secondary_username", AUTH_FORM_MAX_VALUE, &o.secondary_username);
	if (r == 0)
		r = attr_of(n, "auth-type", AUTH_FORM_MAX_NAME, &o.auth_type);
	if (r == 0)
		r = attr_of(n, "override-name", AUTH_FORM_MAX_VALUE, &o.override_name);
	if (r == 0)
		r = attr_of(n, "override-label", AUTH_FORM_MAX_VALUE, &o.override_label);
	if (r == 0) {
		struct auth_option *opts = realloc(f->options, (f->n_options + 1) * sizeof(*opts));

		if (opts) {
			f->options = opts;
			opts[f->n_options++] = o;
			if (!*seen_selected && attr_is(n, "selected", "true")) {
				/* The first option marked selected wins. */
				*seen_selected = true;
				f->default_selected = f->selected = f->n_options - 1;
			}
			return 0;
		}
		r = -ERR_NOMEM;
	}
	free(o.value);
	free(o.label);
	free(o.secondary_username);
	free(o.auth_type);
	free(o.override_name);
	free(o.override_label);
	return r == -ERR_PROTOCOL ? MALFORMED(p, "option attribute too long") : r;
}

static int field_name_label(struct parse *p, xmlNode *n, struct auth_field *f, bool *skip)
{
	int r;

	*skip = false;
	r = attr_of(n, "name", AUTH_FORM_MAX_NAME, &f->name);
	if (r < 0)
		return r == -ERR_PROTOCOL ? MALFORMED(p, "field name too long") : r;
	if (!f->name) {
		/* Nothing could be sent for it. */
		log_debug("auth-xml: skipping a form field without a name");
		*skip = true;
		return 0;
	}
	if (!auth_xml_is_ncname(f->name))
		return MALFORMED(p, "a form field name is not a valid XML name");
	r = attr_of(n, "label", AUTH_FORM_MAX_TEXT, &f->label);
	if (r < 0)
		return r == -ERR_PROTOCOL ? MALFORMED(p, "field label too long") : r;
	if (!f->label && asprintf(&f->label, "%s:", f->name) < 0) {
		f->label = NULL;
		return -ERR_NOMEM;
	}
	return 0;
}

static int add_field(struct parse *p, struct auth_form *form, struct auth_field *f)
{
	int r;

	if (auth_form_field(form, f->name))
		return MALFORMED(p, "two form fields named \"%s\"", f->name);
	r = auth_form_add_field(form, f);
	if (r == -ERR_TOO_LARGE)
		return MALFORMED(p, "more than %d form fields", AUTH_FORM_MAX_FIELDS);
	return r;
}

static int parse_select(struct parse *p, xmlNode *n, struct auth_form *form)
{
	_cleanup_(auth_form_field_clear) struct auth_field f = {.type = AUTH_FIELD_SELECT};
	bool skip, seen_selected = false;
	int r;

	r = field_name_label(p, n, &f, &skip);
	if (r < 0)
		return r;
	if (skip)
		return MALFORMED(p, "a select without a name");
	for (xmlNode *c = n->children; c; c = c->next) {
		if (!auth_xml_is_element(c, "option"))
			continue;
		r = parse_option(p, c, &f, &seen_selected);
		if (r < 0)
			return r;
	}
	if (f.n_options == 0) {
		log_debug("auth-xml: ignoring an empty select");
		return 0;
	}
	f.is_group_list = strcmp(f.name, "group_list") == 0;
	return add_field(p, form, &f);
}

static int parse_input(struct parse *p, xmlNode *n, struct auth_form *form)
{
	_cleanup_(auth_form_field_clear) struct auth_field f = {0};
	_cleanup_(xml_freep) xmlChar *type = xmlGetNoNsProp(n, XC("type"));
	bool skip;
	int r;

	if (!type)
		return 0;
	if (!strcasecmp((const char *)type, "submit") || !strcasecmp((const char *)type, "reset"))
		return 0;
	if (!strcasecmp((const char *)type, "sso")) {
		form->has_sso = true;
		return 0;
	}
	if (!strcasecmp((const char *)type, "text")) {
		f.type = AUTH_FIELD_TEXT;
	} else if (!strcasecmp((const char *)type, "password")) {
		f.type = AUTH_FIELD_PASSWORD;
	} else if (!strcasecmp((const char *)type, "hidden")) {
		f.type = AUTH_FIELD_HIDDEN;
	} else {
		log_debug("auth-xml: skipping a form input of unknown type");
		return 0;
	}
	r = field_name_label(p, n, &f, &skip);
	if (r < 0 || skip)
		return r;
	/* A password default from the gateway is ignored: the user types passwords. */
	if (f.type != AUTH_FIELD_PASSWORD) {
		r = attr_of(n, "value", AUTH_FORM_MAX_VALUE, &f.value);
		if (r < 0)
			return r == -ERR_PROTOCOL ? MALFORMED(p, "field value too long") : r;
	}
	f.second_auth = attr_is(n, "second-auth", "1");
	return add_field(p, form, &f);
}

static int parse_form_el(struct parse *p, xmlNode *n, struct auth_form *form)
{
	_cleanup_(xml_freep) xmlChar *method = xmlGetNoNsProp(n, XC("method"));
	int r;

	if (method && strcasecmp((const char *)method, "post") != 0)
		p->method_unsupported = true;
	r = attr_of(n, "action", 2048, &form->action);
	if (r < 0 || (form->action && !is_valid_action(form->action)))
		return r == -ERR_NOMEM ? r : MALFORMED(p, "invalid form action");
	for (xmlNode *c = n->children; c; c = c->next) {
		if (auth_xml_is_element(c, "select"))
			r = parse_select(p, c, form);
		else if (auth_xml_is_element(c, "input"))
			r = parse_input(p, c, form);
		else
			r = 0;
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_error_id(const xmlNode *n)
{
	_cleanup_(xml_freep) xmlChar *id = xmlGetNoNsProp(n, XC("id"));
	long v;
	char *end;

	if (!id || !isdigit(id[0]))
		return -1;
	errno = 0;
	v = strtol((const char *)id, &end, 10);
	if (errno || *end || v > INT_MAX)
		return -1;
	return (int)v;
}

static int parse_auth_el(struct parse *p, xmlNode *auth, struct auth_form **out)
{
	_cleanup_(auth_form_freep) struct auth_form *form = NULL;
	_cleanup_free_ char *id = NULL;
	bool seen_form = false;
	int r;

	r = attr_of(auth, "id", AUTH_FORM_MAX_NAME, &id);
	if (r < 0 || !id || !id[0])
		return r == -ERR_NOMEM ? r : MALFORMED(p, "the auth element has no valid id");
	form = auth_form_new(id);
	if (!form)
		return -ERR_NOMEM;

	for (xmlNode *c = auth->children; c; c = c->next) {
		char **slot = NULL;
		bool is_msg = false;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (auth_xml_is_element(c, "title")) {
			slot = &form->title;
		} else if (auth_xml_is_element(c, "banner")) {
			slot = &form->banner;
		} else if (auth_xml_is_element(c, "message")) {
			slot = &form->message;
			is_msg = true;
		} else if (auth_xml_is_element(c, "error")) {
			slot = &form->error;
			is_msg = true;
			if (!form->error)
				form->error_id = parse_error_id(c);
		} else if (auth_xml_is_element(c, "form")) {
			if (seen_form)
				return MALFORMED(p, "two forms in one auth element");
			seen_form = true;
			r = parse_form_el(p, c, form);
			if (r < 0)
				return r;
		} else if (auth_xml_is_element(c, "csd") || auth_xml_is_element(c, "csdMac") ||
		           auth_xml_is_element(c, "csdLinux")) {
			p->csd = true;
		} else if (auth_xml_is_element(c, "authentication-complete")) {
			form->authentication_complete = true;
		} else if (!strncmp((const char *)c->name, "sso-v2-", 7)) {
			form->has_sso = true;
		}
		/* The first non-empty one of each counts. */
		if (slot && !*slot) {
			r = is_msg ? message_of(c, slot)
			           : text_of(c, AUTH_FORM_MAX_TEXT, true, slot);
			if (r < 0)
				return r == -ERR_PROTOCOL ? MALFORMED(p, "text too long") : r;
		}
	}
	auth_form_apply_group(form);
	*out = steal_ptr(&form);
	return 0;
}

/* The opaque element as its own document, so that namespaces it uses get declared on it. */
static int serialise_opaque(struct parse *p, xmlNode *opaque, char **out)
{
	_cleanup_(xml_read_doc_freep) xmlDoc *tmp = xmlNewDoc(XC("1.0"));
	xmlBufferPtr buf;
	xmlNode *copy;
	int r = 0;

	if (!tmp)
		return -ERR_NOMEM;
	copy = xmlDocCopyNode(opaque, tmp, 1);
	if (!copy)
		return -ERR_NOMEM;
	xmlDocSetRootElement(tmp, copy);
	buf = xmlBufferCreate();
	if (!buf)
		return -ERR_NOMEM;
	if (xmlNodeDump(buf, tmp, copy, 0, 0) < 0) {
		r = -ERR_NOMEM;
	} else if ((size_t)xmlBufferLength(buf) > AUTH_XML_MAX_OPAQUE) {
		r = MALFORMED(p, "opaque element larger than %d bytes", AUTH_XML_MAX_OPAQUE);
	} else {
		*out = strndup((const char *)xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
		if (!*out)
			r = -ERR_NOMEM;
	}
	xmlBufferFree(buf);
	return r;
}

static int parse_profile_manifest(struct parse *p, xmlNode *manifest)
{
	struct auth_doc *d = p->doc;

	for (xmlNode *vpn = manifest->children; vpn; vpn = vpn->next) {
		if (!auth_xml_is_element(vpn, "vpn") || !attr_is(vpn, "rev", "1.0"))
			continue;
		for (xmlNode *f = vpn->children; f; f = f->next) {
			_cleanup_free_ char *uri = NULL, *hash = NULL;
			struct auth_manifest_file *files;
			xmlNode *hash_el;
			int r;

			if (!auth_xml_is_element(f, "file") || !attr_is(f, "type", "profile") ||
			    !attr_is(f, "service-type", "user"))
				continue;
			hash_el = auth_xml_child(f, "hash");
			if (hash_el && xmlHasProp(hash_el, XC("type")) &&
			    !attr_is(hash_el, "type", "sha1"))
				return MALFORMED(p, "profile manifest hash is not SHA-1");
			r = text_of(auth_xml_child(f, "uri"), 2048, true, &uri);
			if (r == 0)
				r = text_of(hash_el, 64, true, &hash);
			if (r == -ERR_NOMEM)
				return r;
			if (r < 0 || !uri || !hash)
				return MALFORMED(p, "profile manifest entry without uri or hash");
			if (!is_safe_abs_path(uri))
				return MALFORMED(
				    p, "profile manifest URI is not a plain absolute path");
			if (!prefs_profile_entry_valid(uri, hash))
				return MALFORMED(p,
				                 "profile manifest hash is not 40 hex digits, or "
				                 "the URI is longer than %d bytes",
				                 PREFS_PROFILE_URI_MAX);
			if (d->n_profiles >= AUTH_XML_MAX_MANIFESTS)
				return MALFORMED(p, "more than %d profiles",
				                 AUTH_XML_MAX_MANIFESTS);
			upcase(hash);
			files = realloc(d->profiles, (d->n_profiles + 1) * sizeof(*files));
			if (!files)
				return -ERR_NOMEM;
			d->profiles = files;
			files[d->n_profiles].uri = steal_ptr(&uri);
			files[d->n_profiles].sha1 = steal_ptr(&hash);
			d->n_profiles++;
		}
	}
	return 0;
}

static int parse_config(struct parse *p, xmlNode *config)
{
	struct auth_doc *d = p->doc;
	int r;

	if (has_descendant(config, "vpn-core-manifest"))
		d->has_core_manifest = true;
	if (has_descendant(config, "vpn-customization-manifest"))
		d->has_customization_manifest = true;
	if (has_descendant(config, "service-profile-manifest"))
		d->has_service_profile_manifest = true;

	for (xmlNode *c = config->children; c; c = c->next) {
		if (auth_xml_is_element(c, "vpn-base-config")) {
			xmlNode *h = auth_xml_child(c, "server-cert-hash");
			_cleanup_free_ char *hash = NULL;

			if (!h || d->server_cert_hash)
				continue;
			r = text_of(h, 64, true, &hash);
			if (r == -ERR_NOMEM)
				return r;
			if (r < 0 || !hash || !hex_is_sha1(hash))
				return MALFORMED(p, "server-cert-hash is not 40 hex digits");
			upcase(hash);
			d->server_cert_hash = steal_ptr(&hash);
		} else if (auth_xml_is_element(c, "vpn-profile-manifest")) {
			r = parse_profile_manifest(p, c);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int parse_success(struct parse *p, xmlNode *root, const struct auth_form *form)
{
	struct auth_doc *d = p->doc;
	int r;

	if (p->session_token) {
		_cleanup_free_ char *tok = NULL;

		r = text_of(p->session_token, AUTH_XML_MAX_TOKEN, true, &tok);
		if (r == -ERR_NOMEM)
			return r;
		if (r < 0 || (tok && !is_cookie_value(tok))) {
			if (tok)
				secret_wipe(tok, strlen(tok));
			return MALFORMED(p, "session-token is not a valid cookie value");
		}
		if (tok) {
			d->session_token = secret_new_str(tok);
			secret_wipe(tok, strlen(tok));
			if (!d->session_token)
				return -ERR_NOMEM;
		}
	}
	if (p->session_id) {
		r = text_of(p->session_id, 256, true, &d->session_id);
		if (r < 0)
			return r == -ERR_NOMEM ? r : MALFORMED(p, "session-id too long");
	}
	if (form->banner && !(d->banner = strdup(form->banner)))
		return -ERR_NOMEM;
	if (form->message && !(d->message = strdup(form->message)))
		return -ERR_NOMEM;
	for (xmlNode *c = root->children; c && !d->legacy_root; c = c->next) {
		if (!auth_xml_is_element(c, "config"))
			continue;
		r = parse_config(p, c);
		if (r < 0)
			return r;
	}
	return 0;
}

static int set_error(struct auth_doc *d, enum auth_doc_kind kind, const char *text)
{
	static const char cvf[] = "Certificate Validation Failure";

	d->kind = kind;
	free(d->error);
	/* Cisco's words for a missing or rejected *client* certificate. */
	if (strcmp(text, cvf) == 0)
		d->error = strdup("Client certificate missing or rejected (Certificate Validation "
		                  "Failure)");
	else
		d->error = strdup(text);
	return d->error ? 0 : -ERR_NOMEM;
}

static bool form_has_credentials(const struct auth_form *form)
{
	for (size_t i = 0; i < form->n_fields; i++) {
		const struct auth_field *f = &form->fields[i];

		if ((f->type == AUTH_FIELD_TEXT || f->type == AUTH_FIELD_PASSWORD) && !f->inactive)
			return true;
	}
	return false;
}

static int classify(struct parse *p, xmlNode *root)
{
	struct auth_doc *d = p->doc;
	_cleanup_(auth_form_freep) struct auth_form *form = NULL;
	_cleanup_free_ char *root_error = NULL;
	int r;

	if (p->root_error) {
		r = message_of(p->root_error, &root_error);
		if (r < 0)
			return r == -ERR_NOMEM ? r : MALFORMED(p, "error text too long");
	}
	if (p->auth) {
		r = parse_auth_el(p, p->auth, &form);
		if (r < 0)
			return r;
		if (root_error && !form->error) {
			form->error = steal_ptr(&root_error);
			form->error_id = parse_error_id(p->root_error);
		}
	}

	if (p->multi_cert_request)
		return set_error(d, AUTH_DOC_UNSUPPORTED,
		                 "The gateway asked for multiple-certificate authentication, which "
		                 "this client does not support");
	if (p->client_cert_request && !d->cert_authenticated)
		return set_error(d, AUTH_DOC_CLIENT_CERT_REQUEST,
		                 "The gateway asked for a client certificate");
	if (p->host_scan || p->csd) {
		d->form = steal_ptr(&form);
		return set_error(d, AUTH_DOC_UNSUPPORTED,
		                 "The gateway requires a host scan (Cisco Secure Desktop / posture "
		                 "assessment), which this client does not run");
	}
	if (!form)
		return set_error(d, AUTH_DOC_ERROR,
		                 root_error
		                     ? root_error
		                     : "The gateway ended the login without a form or success");
	if (strcmp(form->id, "success") == 0) {
		d->kind = AUTH_DOC_SUCCESS;
		return parse_success(p, root, form);
	}
	if (strcmp(form->id, "failure") == 0)
		return set_error(d, AUTH_DOC_ERROR,
		                 form->error     ? form->error
		                 : form->message ? form->message
		                                 : "The gateway reported a login failure");
	if (p->method_unsupported) {
		d->form = steal_ptr(&form);
		return set_error(d, AUTH_DOC_UNSUPPORTED,
		                 "The gateway's form uses an HTTP method other than POST");
	}
	if (form->has_sso && !form_has_credentials(form)) {
		d->form = steal_ptr(&form);
		return set_error(d, AUTH_DOC_UNSUPPORTED,
		                 "The gateway requires single sign-on (SAML) for this group, which "
		                 "this client does not support");
	}
	if (form->n_fields == 0 && !form->authentication_complete)
		return set_error(d, AUTH_DOC_ERROR,
		                 form->error ? form->error
		                 : form->message
		                     ? form->message
		                     : "The gateway sent a form with nothing to fill in");
	d->kind = AUTH_DOC_FORM;
	d->form = steal_ptr(&form);
	return 0;
}

static int scan_root(struct parse *p, xmlNode *root)
{
	for (xmlNode *c = root->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (auth_xml_is_element(c, "auth")) {
			if (p->auth)
				return MALFORMED(p, "two auth elements");
			p->auth = c;
		} else if (auth_xml_is_element(c, "opaque")) {
			if (p->opaque)
				return MALFORMED(p, "two opaque elements");
			p->opaque = c;
		} else if (auth_xml_is_element(c, "session-token")) {
			if (p->session_token)
				return MALFORMED(p, "two session-token elements");
			p->session_token = c;
		} else if (auth_xml_is_element(c, "session-id")) {
			if (!p->session_id)
				p->session_id = c;
		} else if (auth_xml_is_element(c, "error")) {
			if (!p->root_error)
				p->root_error = c;
		} else if (auth_xml_is_element(c, "host-scan")) {
			p->host_scan = true;
		} else if (auth_xml_is_element(c, "client-cert-request")) {
			p->client_cert_request = true;
		} else if (auth_xml_is_element(c, "multiple-client-cert-request")) {
			p->multi_cert_request = true;
		} else if (auth_xml_is_element(c, "cert-authenticated")) {
			p->doc->cert_authenticated = true;
		}
	}
	return 0;
}

int auth_xml_parse_full(const void *body, size_t len, struct auth_doc **out, char **errmsg)
{
	static const struct xml_read_limits limits = {
	    .max_size = AUTH_XML_MAX_SIZE,
	    .max_elements = AUTH_XML_MAX_ELEMENTS,
	    .max_depth = AUTH_XML_MAX_DEPTH,
	    .flags = XML_READ_SKIP_LEADING,
	};
	_cleanup_(auth_xml_wiped_doc_freep) xmlDoc *xml = NULL;
	_cleanup_(auth_xml_doc_freep) struct auth_doc *d = NULL;
	_cleanup_(xml_read_quiet_end) struct xml_read_quiet quiet = {0};
	struct xml_read_errors errs = {0};
	_cleanup_free_ char *why = NULL;
	struct parse p = {.errmsg = errmsg};
	xmlNode *root;
	int r;

	if (errmsg)
		*errmsg = NULL;
	if (!out)
		return -ERR_INVALID_ARGS;
	*out = NULL;
	r = xml_read_doc(body, len, &limits, &xml, &why);
	if (r == -ERR_NOMEM)
		return r;
	if (r == -ERR_TOO_LARGE) {
		xml_read_message(errmsg,
		                 "the gateway's answer is too large for a login document (%s)",
		                 why ? why : "");
		return r;
	}
	if (r < 0) {
		xml_read_message(errmsg, NOT_AGGREGATE_AUTH " (%s)", why ? why : "unreadable");
		return r;
	}
	root = xmlDocGetRootElement(xml);
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ERR_NOMEM;
	p.doc = d;
	xml_read_quiet_begin(&quiet, &errs);

	if (auth_xml_is_element(root, "config-auth")) {
		r = attr_of(root, "type", AUTH_FORM_MAX_NAME, &d->doc_type);
		if (r < 0)
			return r == -ERR_NOMEM ? r : MALFORMED(&p, "type attribute too long");
		r = scan_root(&p, root);
		if (r < 0)
			return r;
	} else if (auth_xml_is_element(root, "auth")) {
		d->legacy_root = true;
		p.auth = root;
	} else {
		char name[40];

		xml_read_sanitize(name, sizeof(name), (const char *)root->name);
		xml_read_message(errmsg, NOT_AGGREGATE_AUTH " (its root element is <%s>)", name);
		return -ERR_PROTOCOL;
	}
	if (p.opaque) {
		r = serialise_opaque(&p, p.opaque, &d->opaque_xml);
		if (r < 0)
			return r;
	}
	r = classify(&p, root);
	if (r < 0)
		return r;
	*out = steal_ptr(&d);
	return 0;
}

int auth_xml_parse(const void *body, size_t len, struct auth_doc **out)
{
	return auth_xml_parse_full(body, len, out, NULL);
}
