// SPDX-License-Identifier: GPL-2.0-or-later
#include "auth-download.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "digest.h"
#include "error.h"
#include "log.h"
#include "profile-xml.h"

void auth_download_add(struct auth_download *d, const char *uri, const char *sha1)
{
	if (d->n >= AUTH_DOWNLOAD_MAX || !prefs_profile_entry_valid(uri, sha1) || uri[0] != '/') {
		log_warning("ignoring an unusable profile entry in the gateway's manifest");
		return;
	}
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->items[i].uri, uri) == 0)
			return;
	snprintf(d->items[d->n].uri, sizeof(d->items[0].uri), "%s", uri);
	snprintf(d->items[d->n].sha1, sizeof(d->items[0].sha1), "%s", sha1);
	d->n++;
}

const struct auth_download_item *auth_download_next(struct auth_download *d, struct prefs *prefs,
                                                    const char *key, unsigned *unchanged)
{
	while (d->next < d->n) {
		const struct auth_download_item *item = &d->items[d->next];
		char cached[41] = "";
		_cleanup_free_ char *path = NULL;

		/* Hash the file itself: the index may be stale or the file edited. */
		if (!prefs || prefs_profile_lookup(prefs, key, item->uri, &path, NULL) != 0 ||
		    prefs_profile_file_sha1(path, cached) != 0 ||
		    strcasecmp(cached, item->sha1) != 0)
			return item;
		log_info("client profile %s is up to date", item->uri);
		(*unchanged)++;
		d->next++;
	}
	return NULL;
}

/* The profile's server list feeds the GUI's gateway chooser; a profile without one is fine. */
static void auth_download_servers(struct prefs *prefs, const char *key, const void *xml, size_t len)
{
	struct profile_host *hosts = NULL;
	size_t n = 0;
	_cleanup_free_ const char **names = NULL;
	_cleanup_free_ const char **addrs = NULL;
	_cleanup_free_ const char **groups = NULL;

	if (profile_xml_parse_servers(xml, len, &hosts, &n) < 0) {
		log_warning("the client profile has no usable server list");
		return;
	}
	names = calloc(n + 1, sizeof(char *));
	addrs = calloc(n + 1, sizeof(char *));
	groups = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; names && addrs && groups && i < n; i++) {
		names[i] = hosts[i].name ? hosts[i].name : "";
		addrs[i] = hosts[i].address ? hosts[i].address : "";
		groups[i] = hosts[i].user_group ? hosts[i].user_group : "";
	}
	if (!names || !addrs || !groups ||
	    prefs_set_server_list(prefs, key, names, addrs, groups, n) < 0)
		log_warning("cannot remember the profile's server list");
	profile_xml_hosts_free(hosts, n);
}

int auth_download_store(struct auth_download *d, struct prefs *prefs, const char *key,
                        const char *host, const struct http_response *resp, char *why,
                        size_t why_len)
{
	const struct auth_download_item *item = &d->items[d->next];
	size_t len;
	const void *body = http_response_body(resp, &len);
	char hex[41];
	int r;

	if (http_response_status(resp) != 200) {
		snprintf(why, why_len,
		         "the client profile %s could not be fetched: %s answered %d %s", item->uri,
		         host, http_response_status(resp), http_response_reason(resp));
		return -ERR_PROFILE_DOWNLOAD;
	}
	if (digest_sha1_hex(body, len, hex) < 0) {
		snprintf(why, why_len, "cannot hash the client profile");
		return -ERR_INTERNAL;
	}
	if (strcasecmp(hex, item->sha1) != 0) {
		snprintf(
		    why, why_len,
		    "the client profile %s does not match its announced SHA-1 (got %s, want %s)",
		    item->uri, hex, item->sha1);
		return -ERR_PROFILE_DOWNLOAD;
	}
	if (prefs) {
		r = prefs_profile_store(prefs, key, item->uri, body, len, hex);
		if (r < 0) {
			snprintf(why, why_len, "cannot save the client profile %s: %s", item->uri,
			         error_text(r));
			return -ERR_PROFILE_DOWNLOAD;
		}
		auth_download_servers(prefs, key, body, len);
	}
	log_notice("downloaded client profile %s (%zu bytes)", item->uri, len);
	d->next++;
	return 0;
}
