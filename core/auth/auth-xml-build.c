// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The documents the client posts (docs/protocol.md "Phases 2 and 3: the aggregate-auth
 * login"): the init request and the replies.  They carry passwords, so every tree is wiped
 * before it is freed.
 */
#include "auth-xml.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "error.h"
#include "log.h"
#include "auth-xml-internal.h"
#include "xml-read.h"

static xmlNode *add_text(xmlNode *parent, const char *name, const char *text)
{
	if (text && !auth_form_text_is_valid(text, AUTH_XML_MAX_SIZE)) {
		log_error("auth-xml: refusing a value XML cannot carry in <%s>", name);
		return NULL;
	}
	return xmlNewTextChild(parent, NULL, XC(name), XC(text));
}

static xmlDoc *new_query(const struct auth_client_info *ci, const char *type, xmlNode **rootp)
{
	_cleanup_(auth_xml_wiped_doc_freep) xmlDoc *doc = NULL;
	xmlNode *root, *v;

	if (!ci || !ci->version || !ci->device_id || !ci->version[0] || !ci->device_id[0]) {
		log_error("auth-xml: client version and device id are required");
		return NULL;
	}
	doc = xmlNewDoc(XC("1.0"));
	if (!doc)
		return NULL;
	root = xmlNewDocNode(doc, NULL, XC("config-auth"), NULL);
	if (!root)
		return NULL;
	xmlDocSetRootElement(doc, root);
	if (!xmlNewProp(root, XC("client"), XC("vpn")) || !xmlNewProp(root, XC("type"), XC(type)) ||
	    !xmlNewProp(root, XC("aggregate-auth-version"), XC("2")))
		return NULL;
	v = add_text(root, "version", ci->version);
	if (!v || !xmlNewProp(v, XC("who"), XC("vpn")))
		return NULL;
	if (!add_text(root, "device-id", ci->device_id))
		return NULL;
	/* Empty on purpose (docs/protocol.md "Pitfall: advertise only what is implemented"). */
	if (!xmlNewChild(root, NULL, XC("capabilities"), NULL))
		return NULL;
	*rootp = root;
	return steal_ptr(&doc);
}

static struct secret *finish(xmlDoc **docp)
{
	xmlChar *mem = NULL;
	int len = 0;
	struct secret *s = NULL;

	xmlDocDumpMemoryEnc(*docp, &mem, &len, "UTF-8");
	auth_xml_wiped_doc_freep(docp);
	*docp = NULL;
	if (mem && len > 0) {
		s = secret_new(mem, (size_t)len);
		secret_wipe(mem, (size_t)len);
	}
	if (mem)
		xmlFree(mem);
	return s;
}

struct secret *auth_xml_build_init(const struct auth_client_info *ci, const char *group_access_url,
                                   const char *group_select)
{
	struct xml_read_errors errs = {0};
	_cleanup_(xml_read_quiet_end) struct xml_read_quiet quiet = {0};
	_cleanup_(auth_xml_wiped_doc_freep) xmlDoc *doc = NULL;
	xmlNode *root = NULL;

	xml_read_quiet_begin(&quiet, &errs);
	doc = new_query(ci, "init", &root);
	if (!doc)
		return NULL;
	if (group_access_url && !add_text(root, "group-access", group_access_url))
		return NULL;
	if (ci->client_cert_fail && !xmlNewChild(root, NULL, XC("client-cert-fail"), NULL))
		return NULL;
	if (group_select && !add_text(root, "group-select", group_select))
		return NULL;
	return finish(&doc);
}

static int import_opaque(xmlDoc *doc, xmlNode *root, const char *opaque_xml)
{
	static const struct xml_read_limits limits = {
	    .max_size = AUTH_XML_MAX_OPAQUE,
	    .max_elements = AUTH_XML_MAX_ELEMENTS,
	    .max_depth = AUTH_XML_MAX_DEPTH,
	    .flags = XML_READ_SKIP_LEADING,
	};
	_cleanup_(xml_read_doc_freep) xmlDoc *src = NULL;
	_cleanup_free_ char *why = NULL;
	xmlNode *copy;
	int r;

	r = xml_read_doc(opaque_xml, strlen(opaque_xml), &limits, &src, &why);
	if (r < 0) {
		log_error("auth-xml: stored opaque element unusable: %s", why ? why : "no memory");
		return r;
	}
	if (!auth_xml_is_element(xmlDocGetRootElement(src), "opaque")) {
		log_error("auth-xml: stored opaque XML is not an <opaque> element");
		return -ERR_INVALID_ARGS;
	}
	copy = xmlDocCopyNode(xmlDocGetRootElement(src), doc, 1);
	if (!copy)
		return -ERR_NOMEM;
	if (!xmlAddChild(root, copy)) {
		xmlFreeNode(copy);
		return -ERR_NOMEM;
	}
	return 0;
}

struct secret *auth_xml_build_reply(const struct auth_client_info *ci, const char *opaque_xml,
                                    const struct auth_form *form)
{
	struct xml_read_errors errs = {0};
	_cleanup_(xml_read_quiet_end) struct xml_read_quiet quiet = {0};
	_cleanup_(auth_xml_wiped_doc_freep) xmlDoc *doc = NULL;
	const struct auth_field *group;
	xmlNode *root = NULL, *auth;
	bool has_password;

	if (!form) {
		log_error("auth-xml: no form to reply to");
		return NULL;
	}
	xml_read_quiet_begin(&quiet, &errs);
	doc = new_query(ci, "auth-reply", &root);
	if (!doc)
		return NULL;
	if (opaque_xml && import_opaque(doc, root, opaque_xml) < 0)
		return NULL;
	auth = xmlNewChild(root, NULL, XC("auth"), NULL);
	if (!auth)
		return NULL;

	has_password = auth_form_field(form, "password") != NULL;
	for (size_t i = 0; i < form->n_fields; i++) {
		const struct auth_field *f = &form->fields[i];
		const char *name = f->name;

		if (f->inactive || f->is_group_list)
			continue;
		if (!auth_xml_is_ncname(name)) {
			log_error("auth-xml: form field name is not a valid XML name");
			return NULL;
		}
		if (!strcmp(name, "verify_password") || !strcmp(name, "verify_pin"))
			continue;
		if (!has_password && (!strcmp(name, "answer") || !strcmp(name, "whichpin") ||
		                      !strcmp(name, "new_password")))
			name = "password";
		if (!add_text(auth, name, auth_field_value(f)))
			return NULL;
	}
	group = auth_form_group_field(form);
	if (group && !add_text(root, "group-select", auth_field_value(group)))
		return NULL;
	return finish(&doc);
}
