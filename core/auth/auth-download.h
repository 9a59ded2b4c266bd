/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Phase 4 of a login, the client profile download (docs/protocol.md "Phase 4: the client
 * profile download"): the queue of profiles the gateway's manifest names, what the cache
 * already holds, and what a download brings.  The engine (auth.c) owns the states and the
 * connections; these functions only decide and store.
 */
#include <stddef.h>

#include "http-response.h"
#include "prefs.h"

#define AUTH_DOWNLOAD_MAX 8 /* profiles one login fetches */

struct auth_download_item {
	char uri[1024];
	char sha1[41];
};

struct auth_download {
	struct auth_download_item items[AUTH_DOWNLOAD_MAX];
	size_t n, next; /* next: the item being fetched or checked */
};

/* Queues a profile of the manifest once; an unusable entry is skipped with a warning. */
void auth_download_add(struct auth_download *d, const char *uri, const char *sha1);

/*
 * The next profile to fetch, skipping those whose cached file (of gateway @key in @prefs;
 * none without @prefs) already has the announced SHA-1, each counted in *unchanged.  NULL
 * when nothing is left.
 */
const struct auth_download_item *auth_download_next(struct auth_download *d, struct prefs *prefs,
                                                    const char *key, unsigned *unchanged);

/*
 * Takes the answer to the GET of the current item: checks status and SHA-1, stores the
 * profile and its server list in @prefs (if any) and moves on.  Returns 0, or -ERR_PROFILE_DOWNLOAD
 * / -ERR_INTERNAL with the reason in @why.
 */
int auth_download_store(struct auth_download *d, struct prefs *prefs, const char *key,
                        const char *host, const struct http_response *resp, char *why,
                        size_t why_len);
