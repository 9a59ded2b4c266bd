/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The one hygienic way to parse XML that may be hostile: gateway documents, client profiles and
 * the preferences file (edited by hand, or damaged).  From memory, no network, no entity
 * substitution, no DTD loading; a document with a DOCTYPE is refused as soon as it is seen (so
 * no entity can ever be declared, let alone expanded); a size cap, caps on element count and
 * nesting depth, and strict well-formedness (including namespaces; nothing is "recovered").
 * libxml2 never prints: its messages are collected per parse and go to the log sink at debug
 * level, sanitised.  libxml2 is initialised once, thread-safely.  Login side only (the CLI and
 * the GUI): never linked into the helper or the worker.
 */
#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>
#include <libxml/xmlerror.h>

enum xml_read_flags {
	/* A leading UTF-8 byte-order mark and leading whitespace are skipped: ASAs send both. */
	XML_READ_SKIP_LEADING = 1 << 0,
	/* The bytes are UTF-8 whatever the document declares, and CDATA sections are read as
	 * text: for files this program writes itself. */
	XML_READ_UTF8_TEXT = 1 << 1,
};

struct xml_read_limits {
	size_t max_size;     /* bytes */
	size_t max_elements; /* elements in the whole document */
	unsigned max_depth;  /* element nesting */
	unsigned flags;      /* enum xml_read_flags */
};

/* Initialises libxml2 once (thread-safe); every function here calls it. */
void xml_read_init(void);

/*
 * On success *out is the document (free with xmlFreeDoc).  Returns -ERR_TOO_LARGE (size,
 * element or depth cap), -ERR_PROTOCOL (not well-formed, DOCTYPE, namespace error, empty),
 * -ERR_NOMEM.  On failure *errmsg (if errmsg is not NULL) gets a sanitised one-line reason, or
 * stays NULL on ENOMEM.
 */
int xml_read_doc(const void *buf, size_t len, const struct xml_read_limits *limits, xmlDoc **out,
                 char **errmsg);
void xml_read_doc_freep(xmlDoc **d);

/* The first libxml2 error of a call, sanitised. */
struct xml_read_errors {
	unsigned count;
	char first[200];
};

/*
 * libxml2's error handlers are per thread: xml_read_quiet_begin() installs ours (collecting
 * into @errs) for the duration of one call that builds or parses a tree, xml_read_quiet_end()
 * puts the previous ones back.
 */
struct xml_read_quiet {
	bool active;
	xmlStructuredErrorFunc old_structured;
	void *old_structured_ctx;
	xmlGenericErrorFunc old_generic;
	void *old_generic_ctx;
};
void xml_read_quiet_begin(struct xml_read_quiet *q, struct xml_read_errors *errs);
void xml_read_quiet_end(struct xml_read_quiet *q);

/* Printable ASCII of @src into @dst (a '?' for anything else, a final newline dropped): names
 * and libxml2 messages quote the hostile document. */
void xml_read_sanitize(char *dst, size_t cap, const char *src);

/* Logs a reason at debug level and hands it to the caller in *@errmsg (replacing what was
 * there; nothing when @errmsg is NULL). */
void xml_read_message(char **errmsg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
