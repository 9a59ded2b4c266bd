// SPDX-License-Identifier: GPL-2.0-or-later
#include "profile-xml.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "auth-xml.h"
#include "xml-read.h"
#include "cleanup.h"
#include "error.h"
#include "log.h"

void profile_xml_hosts_free(struct profile_host *hosts, size_t n)
{
	if (!hosts)
		return;
	for (size_t i = 0; i < n; i++) {
		free(hosts[i].name);
		free(hosts[i].address);
		free(hosts[i].user_group);
	}
	free(hosts);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The trimmed text of a child element: 0 with *out NULL when absent or empty. */
static int value_of(const xmlNode *parent, const char *name, bool no_spaces, char **out)
{
	xmlNode *el = auth_xml_child(parent, name);
	xmlChar *raw;
	const char *s, *e;
	int r = 0;

	*out = NULL;
	if (!el)
		return 0;
	raw = xmlNodeGetContent(el);
	if (!raw)
		return -ERR_NOMEM;
	s = (const char *)raw;
	while (is_space(*s))
		s++;
	e = s + strlen(s);
	while (e > s && is_space(e[-1]))
		e--;
	if ((size_t)(e - s) > PROFILE_XML_MAX_STRING) {
		r = -ERR_PROTOCOL;
	} else {
		for (const char *p = s; p < e && r == 0; p++) {
			unsigned char c = (unsigned char)*p;

			if (c < 0x20 || c == 0x7f || (no_spaces && c == ' '))
				r = -ERR_PROTOCOL;
		}
	}
	if (r == 0 && e > s) {
		*out = strndup(s, (size_t)(e - s));
		if (!*out)
			r = -ERR_NOMEM;
	}
	xmlFree(raw);
	return r;
}

static void host_clear(struct profile_host *h)
{
	free(h->name);
	free(h->address);
	free(h->user_group);
}

int profile_xml_parse_servers(const void *xml, size_t len, struct profile_host **hosts, size_t *n)
{
	static const struct xml_read_limits limits = {
	    .max_size = PROFILE_XML_MAX_SIZE,
	    .max_elements = 20000,
	    .max_depth = AUTH_XML_MAX_DEPTH,
	    .flags = XML_READ_SKIP_LEADING,
	};
	xmlDoc *doc = NULL;
	_cleanup_free_ char *why = NULL;
	struct profile_host *list = NULL;
	size_t count = 0;
	xmlNode *root, *servers;
	int r;

	if (!hosts || !n)
		return -ERR_INVALID_ARGS;
	*hosts = NULL;
	*n = 0;
	r = xml_read_doc(xml, len, &limits, &doc, &why);
	if (r < 0) {
		log_warning("profile: refusing the client profile: %s", why ? why : "no memory");
		return r;
	}
	root = xmlDocGetRootElement(doc);
	if (!auth_xml_is_element(root, "AnyConnectProfile")) {
		log_warning("profile: the file is not an AnyConnect profile");
		xmlFreeDoc(doc);
		return -ERR_PROTOCOL;
	}
	servers = auth_xml_child(root, "ServerList");
	for (xmlNode *e = servers ? servers->children : NULL; e && r == 0; e = e->next) {
		struct profile_host h = {0};
		struct profile_host *grown;

		if (!auth_xml_is_element(e, "HostEntry"))
			continue;
		r = value_of(e, "HostName", false, &h.name);
		if (r == 0)
			r = value_of(e, "HostAddress", true, &h.address);
		if (r == 0)
			r = value_of(e, "UserGroup", false, &h.user_group);
		if (r == 0 && !h.name) {
			host_clear(&h);
			continue;
		}
		if (r == 0 && !h.address && !(h.address = strdup(h.name)))
			r = -ERR_NOMEM;
		if (r == 0 && count >= PROFILE_XML_MAX_HOSTS)
			r = -ERR_TOO_LARGE;
		if (r == 0) {
			grown = realloc(list, (count + 1) * sizeof(*list));
			if (grown) {
				list = grown;
				list[count++] = h;
				continue;
			}
			r = -ERR_NOMEM;
		}
		host_clear(&h);
	}
	xmlFreeDoc(doc);
	if (r < 0) {
		log_warning("profile: refusing the client profile's server list (%s)",
		            error_text(r));
		profile_xml_hosts_free(list, count);
		return r;
	}
	*hosts = list;
	*n = count;
	return 0;
}
