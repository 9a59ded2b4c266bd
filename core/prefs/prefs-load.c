// SPDX-License-Identifier: GPL-2.0-or-later
#include "prefs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "prefs-internal.h"
#include "xml-read.h"

/*
 * Reading the preferences file.  The file may have been edited by hand or damaged: whatever is
 * not understood is dropped with a warning (or kept verbatim if it is an unknown element),
 * never trusted.
 */

struct parse {
	struct prefs *p;
	const char *origin;
	unsigned warnings;
};

static void parse_drop(struct parse *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Counts a dropped entry and says why (values from the file are never echoed: they may be
 * anything; element names are ours and gateway keys have been validated). */
static void parse_drop(struct parse *ctx, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	ctx->p->dropped++;
	if (ctx->warnings++ > PREFS_WARN_MAX)
		return;
	if (ctx->warnings > PREFS_WARN_MAX) {
		log_warning("preferences: %s: more problems, not reported", ctx->origin);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_warning("preferences: %s: %s; dropped it", ctx->origin, buf);
}

static bool is_element(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !n->ns && xmlStrEqual(n->name, BAD_CAST name);
}

static bool is_blank_text(const xmlNode *n)
{
	if (n->type != XML_TEXT_NODE)
		return false;
	for (const xmlChar *c = n->content; c && *c; c++)
		if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r')
			return false;
	return true;
}

/*
 * The text of a leaf element; *out is NULL for an empty element.  -ERR_PROTOCOL when it holds
 * anything but text, -ERR_TOO_LARGE beyond @max bytes (checked before copying).
 */
static int leaf_text(const xmlNode *n, size_t max, char **out)
{
	size_t total = 0, o = 0;
	char *s;

	*out = NULL;
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE)
			return -ERR_PROTOCOL;
		total += c->content ? strlen((const char *)c->content) : 0;
		if (total > max)
			return -ERR_TOO_LARGE;
	}
	if (!total)
		return 0;
	s = malloc(total + 1);
	if (!s)
		return -ERR_NOMEM;
	for (const xmlNode *c = n->children; c; c = c->next) {
		size_t l = c->content ? strlen((const char *)c->content) : 0;

		memcpy(s + o, c->content, l);
		o += l;
	}
	s[o] = '\0';
	*out = s;
	return 0;
}

/* An attribute's value (NULL when absent) if it is at most @max bytes. */
static int attr_text(const xmlNode *n, const char *name, size_t max, char **out)
{
	_cleanup_(prefs_xml_charp_freep) xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);

	*out = NULL;
	if (!v)
		return 0;
	if (strnlen((const char *)v, max + 1) > max)
		return -ERR_TOO_LARGE;
	*out = strdup((const char *)v);
	return *out ? 0 : -ERR_NOMEM;
}

static int unknown_keep(struct parse *ctx, struct prefs_unknown *u, const xmlNode *n,
                        const char *where)
{
	_cleanup_(prefs_xml_doc_freep) xmlDoc *scratch = xmlNewDoc(BAD_CAST "1.0");
	_cleanup_(prefs_xml_buffer_freep) xmlBuffer *buf = xmlBufferCreate();
	xmlNode *copy;
	char **arr, *s;
	size_t len;

	if (!scratch || !buf)
		return -ERR_NOMEM;
	if (u->n >= PREFS_UNKNOWN_MAX) {
		parse_drop(ctx, "too many unknown elements in %s", where);
		return 0;
	}
	/* A copy in a document of its own carries the namespace declarations it needs. */
	copy = xmlDocCopyNode((xmlNode *)n, scratch, 1);
	if (!copy)
		return -ERR_NOMEM;
	xmlDocSetRootElement(scratch, copy);
	if (xmlNodeDump(buf, scratch, copy, 0, 0) < 0)
		return -ERR_NOMEM;
	len = (size_t)xmlBufferLength(buf);
	if (len > PREFS_UNKNOWN_ITEM_MAX || ctx->p->unknown_bytes + len > PREFS_UNKNOWN_BYTES_MAX) {
		parse_drop(ctx, "an unknown element in %s is too large", where);
		return 0;
	}
	s = strndup((const char *)xmlBufferContent(buf), len);
	if (!s)
		return -ERR_NOMEM;
	arr = realloc(u->items, (u->n + 1) * sizeof(*arr));
	if (!arr) {
		free(s);
		return -ERR_NOMEM;
	}
	u->items = arr;
	u->items[u->n++] = s;
	ctx->p->unknown_bytes += len;
	log_debug("preferences: %s: keeping unknown element <%.64s> in %s", ctx->origin,
	          (const char *)n->name, where);
	return 0;
}

/* Stray text where only elements belong; whitespace, comments and PIs are ignored. */
static void parse_other(struct parse *ctx, const xmlNode *n, const char *where)
{
	if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && !is_blank_text(n))
		parse_drop(ctx, "stray text in %s", where);
}

static int parse_bool(struct parse *ctx, const xmlNode *n, bool *out)
{
	_cleanup_free_ char *v = NULL;
	int r = leaf_text(n, 8, &v);

	if (r == -ERR_NOMEM)
		return r;
	if (r == 0 && v && strcmp(v, "true") == 0)
		*out = true;
	else if (r == 0 && v && strcmp(v, "false") == 0)
		*out = false;
	else
		parse_drop(ctx, "<%s> is not true or false", (const char *)n->name);
	return 0;
}

static int parse_global(struct parse *ctx, const xmlNode *global)
{
	struct prefs *p = ctx->p;
	bool seen_block = false, seen_dtls = false, seen_tray = false, seen_last = false;

	for (const xmlNode *n = global->children; n; n = n->next) {
		int r = 0;

		if (n->type != XML_ELEMENT_NODE) {
			parse_other(ctx, n, "<global>");
			continue;
		}
		if (is_element(n, "block-untrusted-servers") && !seen_block) {
			seen_block = true;
			r = parse_bool(ctx, n, &p->block_untrusted);
		} else if (is_element(n, "use-dtls") && !seen_dtls) {
			seen_dtls = true;
			r = parse_bool(ctx, n, &p->use_dtls);
		} else if (is_element(n, "start-in-tray") && !seen_tray) {
			seen_tray = true;
			r = parse_bool(ctx, n, &p->start_in_tray);
		} else if (is_element(n, "last-gateway") && !seen_last) {
			_cleanup_free_ char *v = NULL;

			seen_last = true;
			r = leaf_text(n, PREFS_GATEWAY_KEY_MAX, &v);
			if (r == -ERR_NOMEM)
				return r;
			if (r < 0 || (v && prefs_set_last_gateway(p, v) < 0))
				parse_drop(ctx, "<last-gateway> is not a gateway URL");
			r = 0;
		} else if (is_element(n, "block-untrusted-servers") || is_element(n, "use-dtls") ||
		           is_element(n, "start-in-tray") || is_element(n, "last-gateway")) {
			parse_drop(ctx, "duplicate <%s> in <global>", (const char *)n->name);
		} else {
			r = unknown_keep(ctx, &p->unknown_global, n, "<global>");
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_profile(struct parse *ctx, struct prefs_gateway *g, const xmlNode *n)
{
	_cleanup_free_ char *uri = NULL;
	_cleanup_free_ char *file = NULL;
	_cleanup_free_ char *sha1 = NULL;
	int r;

	if ((r = attr_text(n, "uri", PREFS_PROFILE_URI_MAX, &uri)) == -ERR_NOMEM ||
	    (r = attr_text(n, "file", PREFS_PROFILE_NAME_MAX, &file)) == -ERR_NOMEM ||
	    (r = attr_text(n, "sha1", 40, &sha1)) == -ERR_NOMEM)
		return r;
	if (!prefs_profile_entry_valid(uri, sha1) || !prefs_validate_profile_file(file)) {
		parse_drop(ctx, "an invalid <profile> of %s", g->key);
		return 0;
	}
	if (g->n_profiles >= PREFS_PROFILES_MAX) {
		parse_drop(ctx, "too many <profile> entries for %s", g->key);
		return 0;
	}
	if (prefs_profile_find(g, uri) || prefs_profile_file_used(ctx->p, file)) {
		parse_drop(ctx, "a duplicate <profile> of %s", g->key);
		return 0;
	}
	return prefs_profile_append(g, uri, file, sha1);
}

static int parse_server_list(struct parse *ctx, struct prefs_gateway *g, const xmlNode *list)
{
	size_t n = 0;

	for (const xmlNode *c = list->children; c; c = c->next)
		n += is_element(c, "server");
	if (n > PREFS_SERVERS_MAX) {
		parse_drop(ctx, "a <server-list> of %s with %zu entries", g->key, n);
		n = PREFS_SERVERS_MAX;
	}
	if (n && !(g->servers = calloc(n, sizeof(*g->servers))))
		return -ERR_NOMEM;
	for (const xmlNode *c = list->children; c; c = c->next) {
		_cleanup_free_ char *name = NULL;
		_cleanup_free_ char *address = NULL;
		_cleanup_free_ char *group = NULL;
		int r;

		if (!is_element(c, "server")) {
			if (c->type == XML_ELEMENT_NODE)
				parse_drop(ctx, "an unknown element in the <server-list> of %s",
				           g->key);
			else
				parse_other(ctx, c, "<server-list>");
			continue;
		}
		if (g->n_servers >= n)
			break;
		if ((r = attr_text(c, "name", PREFS_STRING_MAX, &name)) == -ERR_NOMEM ||
		    (r = attr_text(c, "address", PREFS_STRING_MAX, &address)) == -ERR_NOMEM ||
		    (r = attr_text(c, "group", PREFS_STRING_MAX, &group)) == -ERR_NOMEM)
			return r;
		r = address ? prefs_server_fill(&g->servers[g->n_servers], name, address, group)
		            : -ERR_INVALID_ARGS;
		if (r == -ERR_NOMEM)
			return r;
		if (r < 0)
			parse_drop(ctx, "an invalid <server> of %s", g->key);
		else
			g->n_servers++;
	}
	return 0;
}

enum gw_field {
	GW_DISPLAY_NAME,
	GW_PIN,
	GW_CERT_SHA1,
	GW_LAST_GROUP,
	GW_LAST_USER,
	GW_LAST_USED,
	GW_SERVER_LIST,
	GW_FIELD_COUNT_,
};

static const char *const gw_field_names[GW_FIELD_COUNT_] = {
    [GW_DISPLAY_NAME] = "display-name",  [GW_PIN] = "server-pin",
    [GW_CERT_SHA1] = "server-cert-sha1", [GW_LAST_GROUP] = "last-group",
    [GW_LAST_USER] = "last-user",        [GW_LAST_USED] = "last-used",
    [GW_SERVER_LIST] = "server-list",
};

static int parse_last_used(const char *v, int64_t *out)
{
	int64_t t = 0;
	size_t len = v ? strlen(v) : 0;

	/* plain decimal, no sign, no leading zeros */
	if (len == 0 || len > 12 || (v[0] == '0' && len > 1))
		return -ERR_INVALID_ARGS;
	for (size_t i = 0; i < len; i++) {
		if (!prefs_is_digit(v[i]))
			return -ERR_INVALID_ARGS;
		t = t * 10 + (v[i] - '0');
	}
	if (t > PREFS_TIME_MAX)
		return -ERR_INVALID_ARGS;
	*out = t;
	return 0;
}

static int parse_gateway_field(struct parse *ctx, struct prefs_gateway *g, enum gw_field f,
                               const xmlNode *n)
{
	_cleanup_free_ char *v = NULL;
	int64_t t;
	int r;

	if (f == GW_SERVER_LIST)
		return parse_server_list(ctx, g, n);
	r = leaf_text(n, PREFS_STRING_MAX, &v);
	if (r == -ERR_NOMEM)
		return r;
	if (r == 0) {
		switch (f) {
		case GW_DISPLAY_NAME:
			r = prefs_gateway_set_display_name(g, v);
			break;
		case GW_PIN:
			r = prefs_gateway_set_pin(g, v);
			break;
		case GW_CERT_SHA1:
			r = prefs_gateway_set_cert_sha1(g, v);
			break;
		case GW_LAST_GROUP:
			r = prefs_gateway_set_last_group(g, v);
			break;
		case GW_LAST_USER:
			r = prefs_gateway_set_last_user(g, v);
			break;
		case GW_LAST_USED:
			r = v ? parse_last_used(v, &t) : -ERR_INVALID_ARGS;
			if (r == 0)
				r = prefs_gateway_set_last_used(g, t);
			break;
		default:
			r = -ERR_INTERNAL;
		}
	}
	if (r == -ERR_NOMEM)
		return r;
	if (r < 0)
		parse_drop(ctx, "an invalid <%s> of %s", gw_field_names[f], g->key);
	return 0;
}

static int parse_gateway(struct parse *ctx, const xmlNode *gw)
{
	struct prefs *p = ctx->p;
	_cleanup_free_ char *key = NULL;
	bool seen[GW_FIELD_COUNT_] = {0};
	struct prefs_gateway *g;
	int r = attr_text(gw, "url", PREFS_GATEWAY_KEY_MAX, &key);

	if (r == -ERR_NOMEM)
		return r;
	if (!prefs_validate_gateway_key(key)) {
		parse_drop(ctx, "a <gateway> without a valid url");
		return 0;
	}
	if (prefs_gateway_find(p, key)) {
		parse_drop(ctx, "a second <gateway> for %s", key);
		return 0;
	}
	if (p->n_gateways >= PREFS_GATEWAYS_MAX) {
		parse_drop(ctx, "<gateway> %s beyond the first %d", key, PREFS_GATEWAYS_MAX);
		return 0;
	}
	g = prefs_gateway(p, key, true);
	if (!g)
		return -ERR_NOMEM;
	for (const xmlNode *n = gw->children; n; n = n->next) {
		int f;

		if (n->type != XML_ELEMENT_NODE) {
			parse_other(ctx, n, "<gateway>");
			continue;
		}
		if (is_element(n, "profile")) {
			r = parse_profile(ctx, g, n);
			if (r < 0)
				return r;
			continue;
		}
		for (f = 0; f < GW_FIELD_COUNT_; f++)
			if (is_element(n, gw_field_names[f]))
				break;
		if (f == GW_FIELD_COUNT_) {
			r = unknown_keep(ctx, &g->unknown, n, "<gateway>");
		} else if (seen[f]) {
			parse_drop(ctx, "a second <%s> of %s", gw_field_names[f], g->key);
			r = 0;
		} else {
			seen[f] = true;
			r = parse_gateway_field(ctx, g, (enum gw_field)f, n);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* 0: usable, 1: newer version, -ERR_PREFS: corrupt, -ERR_NOMEM. */
static int parse_document(struct parse *ctx, const void *data, size_t len)
{
	/* No element caps beyond libxml2's own: the size cap bounds a file of our own format. */
	static const struct xml_read_limits limits = {
	    .max_size = PREFS_FILE_MAX,
	    .max_elements = SIZE_MAX,
	    .max_depth = UINT_MAX,
	    .flags = XML_READ_UTF8_TEXT,
	};
	_cleanup_(xml_read_doc_freep) xmlDoc *doc = NULL;
	_cleanup_free_ char *why = NULL;
	_cleanup_(prefs_xml_charp_freep) xmlChar *version = NULL;
	bool seen_global = false;
	const xmlNode *root;
	long v = 0;
	int err;

	if (len > PREFS_FILE_MAX) {
		log_warning("preferences: %s: larger than %u bytes", ctx->origin, PREFS_FILE_MAX);
		return -ERR_PREFS;
	}
	err = xml_read_doc(data, len, &limits, &doc, &why);
	if (err == -ERR_NOMEM)
		return err;
	if (err < 0) {
		log_warning("preferences: %s: %s", ctx->origin,
		            why ? why : "is not well-formed XML");
		return -ERR_PREFS;
	}
	root = xmlDocGetRootElement(doc);
	if (!root || !is_element(root, PREFS_ROOT)) {
		log_warning("preferences: %s: not an sslvpn preferences file", ctx->origin);
		return -ERR_PREFS;
	}
	version = xmlGetNoNsProp(root, BAD_CAST "version");
	if (version) {
		const char *s = (const char *)version;
		size_t l = strlen(s);

		for (size_t i = 0; i < l && l <= 9 && s[0] != '0'; i++) {
			if (!prefs_is_digit(s[i])) {
				v = 0;
				break;
			}
			v = v * 10 + (s[i] - '0');
		}
	}
	if (v < 1) {
		log_warning("preferences: %s: missing or invalid version", ctx->origin);
		return -ERR_PREFS;
	}
	if (v > PREFS_VERSION) {
		log_warning("preferences: %s: written by a newer version (format %ld); using "
		            "defaults and leaving it alone",
		            ctx->origin, v);
		return 1;
	}
	for (const xmlNode *n = root->children; n; n = n->next) {
		int r = 0;

		if (n->type != XML_ELEMENT_NODE) {
			parse_other(ctx, n, "the root element");
			continue;
		}
		if (is_element(n, "global")) {
			if (seen_global)
				parse_drop(ctx, "a second <global>");
			else
				r = parse_global(ctx, n);
			seen_global = true;
		} else if (is_element(n, "gateway")) {
			r = parse_gateway(ctx, n);
		} else {
			r = unknown_keep(ctx, &ctx->p->unknown_root, n, "the root element");
		}
		if (r < 0)
			return r;
	}
	return 0;
}

int prefs_load_from_memory(struct prefs *p, const void *data, size_t len, const char *origin)
{
	struct parse ctx = {.p = p, .origin = origin ? origin : "preferences"};
	int r;

	if (!p || (!data && len))
		return -ERR_INVALID_ARGS;
	prefs_data_clear(p);
	p->dropped = 0;
	r = parse_document(&ctx, data ? data : "", len);
	if (r != 0) {
		prefs_data_clear(p);
		p->dropped = 0;
	}
	return r;
}

int prefs_load(struct prefs *p, const char *path)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	struct stat st;
	int r = prefs_set_path(p, path);

	if (r < 0)
		return r;
	prefs_data_clear(p);
	fd = open(p->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT) {
			p->status = PREFS_LOAD_MISSING;
			return 0;
		}
		log_warning("preferences: cannot read %s (%s); using defaults and leaving it alone",
		            p->path, strerror(errno));
		p->status = PREFS_LOAD_UNREADABLE;
		p->read_only = true;
		return 0;
	}
	if (fstat(fd, &st) < 0) {
		log_warning("preferences: cannot read %s (%s); using defaults and leaving it alone",
		            p->path, strerror(errno));
		p->status = PREFS_LOAD_UNREADABLE;
		p->read_only = true;
		return 0;
	}
	r = -ERR_PREFS;
	if (!S_ISREG(st.st_mode)) {
		log_warning("preferences: %s: not a regular file", p->path);
	} else if (st.st_size > (off_t)PREFS_FILE_MAX) {
		log_warning("preferences: %s: larger than %u bytes", p->path, PREFS_FILE_MAX);
	} else {
		/* Read one byte more than allowed, so a file that grew since fstat shows. */
		buf = malloc(PREFS_FILE_MAX + 1);
		if (!buf)
			return -ERR_NOMEM;
		while (len <= PREFS_FILE_MAX) {
			ssize_t n = read(fd, buf + len, PREFS_FILE_MAX + 1 - len);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				log_warning("preferences: cannot read %s (%s); using defaults and "
				            "leaving it alone",
				            p->path, strerror(errno));
				p->status = PREFS_LOAD_UNREADABLE;
				p->read_only = true;
				return 0;
			}
			if (n == 0)
				break;
			len += (size_t)n;
		}
		r = prefs_load_from_memory(p, buf, len, p->path);
	}
	if (r == -ERR_NOMEM)
		return r;
	if (r == 1) {
		p->status = PREFS_LOAD_NEWER_VERSION;
		p->read_only = true;
		return 0;
	}
	if (r < 0) {
		closep(&fd);
		fd = -1;
		p->status = PREFS_LOAD_CORRUPT;
		prefs_file_move_aside(p);
		return 0;
	}
	p->status = p->dropped ? PREFS_LOAD_DROPPED : PREFS_LOAD_OK;
	return 0;
}
