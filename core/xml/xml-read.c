// SPDX-License-Identifier: GPL-2.0-or-later
#include "xml-read.h"

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "cleanup.h"
#include "error.h"
#include "log.h"

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init_once(void)
{
	xmlInitParser();
}

void xml_read_init(void)
{
	pthread_once(&xml_once, xml_init_once);
}

/* Keeps printable ASCII only: libxml2's messages quote the hostile document. */
void xml_read_sanitize(char *dst, size_t cap, const char *src)
{
	size_t n = 0;

	if (!cap)
		return;
	for (; src && *src && n + 1 < cap; src++) {
		unsigned char c = (unsigned char)*src;

		if (c == '\n' && src[1] == '\0')
			break;
		dst[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	dst[n] = '\0';
}

static void on_xml_error(void *data, xmlErrorPtr e)
{
	struct xml_read_errors *errs = data;
	char msg[160];

	if (!errs || !e)
		return;
	if (errs->count++ > 0)
		return;
	xml_read_sanitize(msg, sizeof(msg), e->message ? e->message : "unknown error");
	snprintf(errs->first, sizeof(errs->first), "line %d: %s", e->line, msg);
}

static void on_generic_error(void *ctx, const char *msg, ...)
{
	/* Nothing may reach stderr; the structured handler already records parser errors. */
}

void xml_read_quiet_begin(struct xml_read_quiet *q, struct xml_read_errors *errs)
{
	xml_read_init();
	q->old_structured = xmlStructuredError;
	q->old_structured_ctx = xmlStructuredErrorContext;
	q->old_generic = xmlGenericError;
	q->old_generic_ctx = xmlGenericErrorContext;
	xmlSetStructuredErrorFunc(errs, on_xml_error);
	xmlSetGenericErrorFunc(NULL, on_generic_error);
	q->active = true;
}

void xml_read_quiet_end(struct xml_read_quiet *q)
{
	if (!q->active)
		return;
	xmlSetStructuredErrorFunc(q->old_structured_ctx, q->old_structured);
	xmlSetGenericErrorFunc(q->old_generic_ctx, q->old_generic);
	q->active = false;
}

void xml_read_message(char **errmsg, const char *fmt, ...)
{
	va_list ap;
	char *m = NULL;

	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	if (m)
		log_debug("xml: %s", m);
	if (errmsg) {
		free(*errmsg);
		*errmsg = m;
	} else {
		free(m);
	}
}

struct read_state {
	const struct xml_read_limits *limits;
	size_t elements;
	unsigned depth;
	bool doctype;
	bool too_many;
	bool too_deep;
	startElementNsSAX2Func start;
	endElementNsSAX2Func end;
};

static void hook_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                       const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                       int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct read_state *st = ctxt->_private;

	if (++st->elements > st->limits->max_elements) {
		st->too_many = true;
		xmlStopParser(ctxt);
		return;
	}
	if (++st->depth > st->limits->max_depth) {
		st->too_deep = true;
		xmlStopParser(ctxt);
		return;
	}
	st->start(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
	          nb_defaulted, attributes);
}

static void hook_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct read_state *st = ctxt->_private;

	if (st->depth > 0)
		st->depth--;
	st->end(ctx, localname, prefix, uri);
}

/*
 * Called as soon as "<!DOCTYPE name ..." is read, before any internal subset: stopping here
 * means no entity or external reference is ever declared, let alone loaded or expanded.
 */
static void hook_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id,
                         const xmlChar *system_id)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct read_state *st = ctxt->_private;

	st->doctype = true;
	xmlStopParser(ctxt);
}

int xml_read_doc(const void *buf, size_t len, const struct xml_read_limits *limits, xmlDoc **out,
                 char **errmsg)
{
	const unsigned char *p = buf;
	struct read_state st = {.limits = limits};
	struct xml_read_errors errs = {0};
	_cleanup_(xml_read_quiet_end) struct xml_read_quiet quiet = {0};
	_cleanup_(xml_read_doc_freep) xmlDoc *doc = NULL;
	xmlParserCtxtPtr ctxt;
	const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
	const bool utf8_text = limits && (limits->flags & XML_READ_UTF8_TEXT);
	bool well_formed, nomem;

	if (errmsg)
		*errmsg = NULL;
	if (!out || !limits || (!buf && len))
		return -ERR_INVALID_ARGS;
	*out = NULL;
	if (len > limits->max_size || len > INT_MAX) {
		xml_read_message(errmsg, "document too large (%zu bytes, at most %zu)", len,
		                 limits->max_size);
		return -ERR_TOO_LARGE;
	}
	if ((limits->flags & XML_READ_SKIP_LEADING) && len >= 3 && p[0] == 0xef && p[1] == 0xbb &&
	    p[2] == 0xbf) {
		p += 3;
		len -= 3;
	}
	while ((limits->flags & XML_READ_SKIP_LEADING) && len &&
	       (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
		p++;
		len--;
	}
	if (!len) {
		xml_read_message(errmsg, "empty document");
		return -ERR_PROTOCOL;
	}

	xml_read_quiet_begin(&quiet, &errs);
	/* A file of our own is read as UTF-8 whatever it declares: the encoding is fixed when the
	 * document is read, so that context starts empty. */
	if (utf8_text)
		ctxt = xmlNewParserCtxt();
	else
		ctxt = xmlCreateMemoryParserCtxt((const char *)p, (int)len);
	if (!ctxt || !ctxt->sax) {
		if (ctxt)
			xmlFreeParserCtxt(ctxt);
		return -ERR_NOMEM;
	}
	/* No XML_PARSE_NOENT (it substitutes entities), no DTDLOAD/DTDATTR/DTDVALID, no
	 * RECOVER, no HUGE. */
	xmlCtxtUseOptions(ctxt, options);
	ctxt->replaceEntities = 0;
	ctxt->loadsubset = 0;
	ctxt->validate = 0;
	ctxt->keepBlanks = 1;
	ctxt->_private = &st;
	st.start = ctxt->sax->startElementNs;
	st.end = ctxt->sax->endElementNs;
	ctxt->sax->startElementNs = hook_start;
	ctxt->sax->endElementNs = hook_end;
	ctxt->sax->internalSubset = hook_doctype;
	ctxt->sax->externalSubset = NULL;
	ctxt->sax->serror = NULL;

	if (utf8_text) {
		doc = xmlCtxtReadMemory(ctxt, (const char *)p, (int)len, NULL, "UTF-8",
		                        options | XML_PARSE_IGNORE_ENC | XML_PARSE_NOCDATA);
	} else {
		xmlParseDocument(ctxt);
		doc = ctxt->myDoc;
	}
	ctxt->myDoc = NULL;
	well_formed = ctxt->wellFormed && ctxt->nsWellFormed;
	nomem = ctxt->errNo == XML_ERR_NO_MEMORY;
	xmlFreeParserCtxt(ctxt);

	if (st.too_many) {
		xml_read_message(errmsg, "more than %zu elements", limits->max_elements);
		return -ERR_TOO_LARGE;
	}
	if (st.too_deep) {
		xml_read_message(errmsg, "elements nested more than %u deep", limits->max_depth);
		return -ERR_TOO_LARGE;
	}
	if (st.doctype || (doc && (doc->intSubset || doc->extSubset))) {
		xml_read_message(errmsg, "a document type declaration (DOCTYPE), which is refused");
		return -ERR_PROTOCOL;
	}
	if (nomem)
		return -ERR_NOMEM;
	if (!well_formed || !doc || !xmlDocGetRootElement(doc)) {
		xml_read_message(errmsg, "not well-formed XML (%s)",
		                 errs.count ? errs.first : "no root element");
		return -ERR_PROTOCOL;
	}
	*out = steal_ptr(&doc);
	return 0;
}

void xml_read_doc_freep(xmlDoc **d)
{
	if (*d)
		xmlFreeDoc(*d);
}
