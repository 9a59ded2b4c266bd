// SPDX-License-Identifier: GPL-2.0-or-later
#include "prefs.h"

#include <inttypes.h>
#include <stdio.h>

#include "error.h"
#include "log.h"
#include "prefs-internal.h"

/* Writing the preferences file: known fields in a fixed order, unknown elements verbatim. */

/*
 * Indentation is written by hand (the writer's own gets lost after raw content): a newline
 * and two spaces per level before each element.  Whitespace between elements of the known
 * structure is ignored when reading, so it never changes what loads.
 */
static int write_indent(xmlTextWriter *w, int depth)
{
	static const char ws[] = "\n        ";

	return xmlTextWriterWriteRawLen(w, BAD_CAST ws, 1 + 2 * depth) < 0 ? -ERR_NOMEM : 0;
}

static int write_start(xmlTextWriter *w, int depth, const char *name)
{
	if (write_indent(w, depth) < 0 || xmlTextWriterStartElement(w, BAD_CAST name) < 0)
		return -ERR_NOMEM;
	return 0;
}

/* Ends an element whose children were written on lines of their own. */
static int write_end(xmlTextWriter *w, int depth)
{
	if (write_indent(w, depth) < 0 || xmlTextWriterEndElement(w) < 0)
		return -ERR_NOMEM;
	return 0;
}

static int write_leaf(xmlTextWriter *w, int depth, const char *name, const char *value)
{
	if (!value)
		return 0;
	if (write_indent(w, depth) < 0 ||
	    xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST value) < 0)
		return -ERR_NOMEM;
	return 0;
}

static int write_unknown(xmlTextWriter *w, int depth, const struct prefs_unknown *u)
{
	for (size_t i = 0; i < u->n; i++)
		if (write_indent(w, depth) < 0 ||
		    xmlTextWriterWriteRaw(w, BAD_CAST u->items[i]) < 0)
			return -ERR_NOMEM;
	return 0;
}

static int write_gateway(xmlTextWriter *w, const struct prefs_gateway *g)
{
	char t[24];
	int r;

	if (write_start(w, 1, "gateway") < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "url", BAD_CAST g->key) < 0)
		return -ERR_NOMEM;
	snprintf(t, sizeof(t), "%" PRId64, g->last_used);
	if ((r = write_leaf(w, 2, "display-name", g->display_name)) < 0 ||
	    (r = write_leaf(w, 2, "server-pin", g->pin)) < 0 ||
	    (r = write_leaf(w, 2, "server-cert-sha1", g->cert_sha1[0] ? g->cert_sha1 : NULL)) < 0 ||
	    (r = write_leaf(w, 2, "last-group", g->last_group)) < 0 ||
	    (r = write_leaf(w, 2, "last-user", g->last_user)) < 0 ||
	    (r = write_leaf(w, 2, "last-used", g->last_used ? t : NULL)) < 0)
		return r;
	for (size_t i = 0; i < g->n_profiles; i++) {
		const struct prefs_profile *e = &g->profiles[i];

		if (write_start(w, 2, "profile") < 0 ||
		    xmlTextWriterWriteAttribute(w, BAD_CAST "uri", BAD_CAST e->uri) < 0 ||
		    xmlTextWriterWriteAttribute(w, BAD_CAST "file", BAD_CAST e->file) < 0 ||
		    xmlTextWriterWriteAttribute(w, BAD_CAST "sha1", BAD_CAST e->sha1) < 0 ||
		    xmlTextWriterEndElement(w) < 0)
			return -ERR_NOMEM;
	}
	if (g->n_servers) {
		if (write_start(w, 2, "server-list") < 0)
			return -ERR_NOMEM;
		for (size_t i = 0; i < g->n_servers; i++) {
			const struct prefs_server *s = &g->servers[i];

			if (write_start(w, 3, "server") < 0 ||
			    xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST s->name) < 0 ||
			    xmlTextWriterWriteAttribute(w, BAD_CAST "address",
			                                BAD_CAST s->address) < 0 ||
			    xmlTextWriterWriteAttribute(w, BAD_CAST "group", BAD_CAST s->group) <
			        0 ||
			    xmlTextWriterEndElement(w) < 0)
				return -ERR_NOMEM;
		}
		if (write_end(w, 2) < 0)
			return -ERR_NOMEM;
	}
	if ((r = write_unknown(w, 2, &g->unknown)) < 0)
		return r;
	return write_end(w, 1);
}

static int write_document(xmlTextWriter *w, struct prefs *p)
{
	int r;

	/* StartDocument ends its declaration with a newline, so the root needs no indent. */
	if (xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST PREFS_ROOT) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "version", BAD_CAST "1") < 0 ||
	    write_start(w, 1, "global") < 0)
		return -ERR_NOMEM;
	if ((r = write_leaf(w, 2, "block-untrusted-servers",
	                    p->block_untrusted ? "true" : "false")) < 0 ||
	    (r = write_leaf(w, 2, "use-dtls", p->use_dtls ? "true" : "false")) < 0 ||
	    (r = write_leaf(w, 2, "start-in-tray", p->start_in_tray ? "true" : "false")) < 0 ||
	    (r = write_leaf(w, 2, "last-gateway", p->last_gateway)) < 0 ||
	    (r = write_unknown(w, 2, &p->unknown_global)) < 0 || (r = write_end(w, 1)) < 0)
		return r;
	prefs_gateways_sort(p);
	for (size_t i = 0; i < p->n_gateways; i++)
		if ((r = write_gateway(w, p->gateways[i])) < 0)
			return r;
	if ((r = write_unknown(w, 1, &p->unknown_root)) < 0 || (r = write_end(w, 0)) < 0)
		return r;
	if (xmlTextWriterEndDocument(w) < 0)
		return -ERR_NOMEM;
	return 0;
}

int prefs_save(struct prefs *p)
{
	_cleanup_(prefs_xml_buffer_freep) xmlBuffer *buf = NULL;
	_cleanup_(prefs_xml_writer_freep) xmlTextWriter *writer = NULL;
	_cleanup_free_ char *tmpl = NULL;
	size_t len;
	int r;

	if (!p)
		return -ERR_INVALID_ARGS;
	r = prefs_ensure_path(p);
	if (r < 0)
		return r;
	if (p->read_only) {
		log_warning("preferences: not overwriting %s (%s)", p->path,
		            p->status == PREFS_LOAD_NEWER_VERSION ? "written by a newer version"
		                                                  : "it could not be read");
		return -ERR_PREFS;
	}
	if (p->corrupt_pending && prefs_file_move_aside(p) < 0)
		return -ERR_PREFS;
	xmlInitParser();
	buf = xmlBufferCreate();
	if (!buf)
		return -ERR_NOMEM;
	writer = xmlNewTextWriterMemory(buf, 0);
	if (!writer)
		return -ERR_NOMEM;
	r = write_document(writer, p);
	if (r < 0)
		return r;
	xmlFreeTextWriter(steal_ptr(&writer)); /* flushes into buf */
	len = (size_t)xmlBufferLength(buf);
	if (len > PREFS_FILE_MAX) {
		log_warning("preferences: not saving %s: it would exceed %u bytes", p->path,
		            PREFS_FILE_MAX);
		return -ERR_TOO_LARGE;
	}
	if (asprintf(&tmpl, "%s.tmp-XXXXXX", p->path) < 0)
		return -ERR_NOMEM;
	return prefs_file_write_atomic(p->dir, p->path, tmpl, xmlBufferContent(buf), len);
}
