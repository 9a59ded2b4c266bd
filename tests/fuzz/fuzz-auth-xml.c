// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * auth_xml_parse on hostile bytes; when a form comes out, every field is filled (with values
 * chosen to stress escaping), a reply is built, and the reply must be well-formed XML that
 * carries the opaque element and each value back unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "auth-xml.h"
#include "xml-read.h"
#include "log.h"

static void quiet_sink(int priority, const char *message, void *user_data)
{
}

static const xmlNode *child(const xmlNode *parent, const char *name)
{
	for (const xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name))
			return c;
	return NULL;
}

static void check_reply(const struct secret *reply, const struct auth_doc *d)
{
	static const struct xml_read_limits limits = {
	    .max_size = 4 * AUTH_XML_MAX_SIZE,
	    .max_elements = 4 * AUTH_XML_MAX_ELEMENTS,
	    .max_depth = AUTH_XML_MAX_DEPTH + 4,
	    .flags = XML_READ_SKIP_LEADING,
	};
	xmlDoc *x = NULL;
	const xmlNode *root;

	if (!reply)
		abort();
	if (xml_read_doc(secret_str(reply), secret_len(reply), &limits, &x, NULL) != 0)
		abort();
	root = xmlDocGetRootElement(x);
	if (strcmp((const char *)root->name, "config-auth") || !child(root, "auth"))
		abort();
	if (!!d->opaque_xml != !!child(root, "opaque"))
		abort();
	if (!!auth_form_group_field(d->form) != !!child(root, "group-select"))
		abort();
	xmlFreeDoc(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const values[] = {"", "<&>\"']]>", "\xc3\xbc\xe4\xb8\xad", "a\tb\nc"};
	static const struct auth_client_info ci = {.version = "4.10.07061",
	                                           .device_id = "linux-64"};
	struct auth_doc *d = NULL;
	char *msg = NULL;

	log_set_sink(quiet_sink, NULL);
	if (auth_xml_parse_full(data, size, &d, &msg) != 0) {
		free(msg);
		return 0;
	}
	if (d->form) {
		struct auth_form *f = d->form;
		struct secret *reply;

		for (size_t i = 0; i < f->n_fields; i++) {
			const struct auth_field *fld = &f->fields[i];

			if (fld->type == AUTH_FIELD_SELECT)
				auth_form_set_value(f, fld->name,
				                    fld->options[fld->n_options - 1].label);
			else
				auth_form_set_value(f, fld->name, values[i % 4]);
		}
		(void)auth_form_confirmations_match(f);
		reply = auth_xml_build_reply(&ci, d->opaque_xml, f);
		check_reply(reply, d);
		secret_free(reply);
	}
	auth_xml_doc_free(d);
	return 0;
}
