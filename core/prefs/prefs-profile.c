// SPDX-License-Identifier: GPL-2.0-or-later
#include "prefs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/crypto.h>

#include "error.h"
#include "digest.h"
#include "hex.h"
#include "log.h"
#include "prefs-internal.h"

/* The client profile cache: one file per profile URI in profiles/, its SHA-1 in the file. */

struct prefs_profile *prefs_profile_find(const struct prefs_gateway *g, const char *uri)
{
	for (size_t i = 0; g && i < g->n_profiles; i++)
		if (strcmp(g->profiles[i].uri, uri) == 0)
			return &g->profiles[i];
	return NULL;
}

/* Case-insensitive, in case profiles/ lives on a file system that folds case. */
bool prefs_profile_file_used(const struct prefs *p, const char *name)
{
	for (size_t i = 0; i < p->n_gateways; i++)
		for (size_t k = 0; k < p->gateways[i]->n_profiles; k++)
			if (strcasecmp(p->gateways[i]->profiles[k].file, name) == 0)
				return true;
	return false;
}

/* Room left for a "-NNNNN" collision suffix within PREFS_PROFILE_NAME_MAX. */
#define PROFILE_BASE_MAX (PREFS_PROFILE_NAME_MAX - 6)

/*
 * The last path segment of @uri, percent-decoded, reduced to [A-Za-z0-9._-] with leading dots
 * turned into '_'.  The result is only ever a file name inside profiles/: the server's text
 * never becomes a path.
 */
static void profile_base_name(const char *uri, char out[PROFILE_BASE_MAX + 1])
{
	char decoded[PREFS_PROFILE_URI_MAX + 1];
	size_t end = strcspn(uri, "?#"), n = 0, start = 0, o = 0;

	for (size_t i = 0; i < end && n < PREFS_PROFILE_URI_MAX; i++) {
		if (uri[i] == '%' && i + 2 < end && hex_digit(uri[i + 1]) >= 0 &&
		    hex_digit(uri[i + 2]) >= 0) {
			decoded[n++] = (char)(hex_digit(uri[i + 1]) * 16 + hex_digit(uri[i + 2]));
			i += 2;
		} else {
			decoded[n++] = uri[i];
		}
	}
	for (size_t i = 0; i < n; i++)
		if (decoded[i] == '/' || decoded[i] == '\\')
			start = i + 1;
	for (size_t i = start; i < n && o < PROFILE_BASE_MAX; i++) {
		char c = decoded[i];

		if (!prefs_validate_profile_char(c) || (c == '.' && o == 0))
			c = '_';
		out[o++] = c;
	}
	out[o] = '\0';
	if (o == 0 || strspn(out, "_.") == o)
		strcpy(out, "profile");
}

/* A name no other index entry uses: "corp.xml", then "corp-2.xml", "corp-3.xml"... */
static int profile_unique_name(const struct prefs *p, const char *uri,
                               char out[PREFS_PROFILE_NAME_MAX + 1])
{
	char base[PROFILE_BASE_MAX + 1];
	const char *dot;
	size_t stem;

	profile_base_name(uri, base);
	dot = strrchr(base, '.');
	stem = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	for (unsigned i = 1; i <= PREFS_GATEWAYS_MAX * PREFS_PROFILES_MAX + 1; i++) {
		if (i == 1)
			snprintf(out, PREFS_PROFILE_NAME_MAX + 1, "%s", base);
		else
			snprintf(out, PREFS_PROFILE_NAME_MAX + 1, "%.*s-%u%s", (int)stem, base, i,
			         base + stem);
		if (!prefs_profile_file_used(p, out))
			return 0;
	}
	return -ERR_TOO_LARGE;
}

static void hash_deinitp(gnutls_hash_hd_t *h)
{
	if (*h)
		gnutls_hash_deinit(*h, NULL);
}

int prefs_profile_file_sha1(const char *path, char out[41])
{
	_cleanup_close_ int fd = -1;
	_cleanup_(hash_deinitp) gnutls_hash_hd_t h = NULL;
	unsigned char d[20];
	char buf[65536];
	size_t total = 0;
	struct stat st;

	if (!path || !out)
		return -ERR_INVALID_ARGS;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? -ERR_NOT_FOUND : -ERR_IO;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return -ERR_IO;
	if (gnutls_hash_init(&h, GNUTLS_DIG_SHA1) < 0)
		return -ERR_INTERNAL;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -ERR_IO;
		if (n == 0)
			break;
		total += (size_t)n;
		if (total > PREFS_PROFILE_MAX)
			return -ERR_TOO_LARGE;
		if (gnutls_hash(h, buf, (size_t)n) < 0)
			return -ERR_INTERNAL;
	}
	gnutls_hash_deinit(h, d);
	h = NULL;
	hex_encode(d, sizeof(d), out, true);
	return 0;
}

int prefs_profile_lookup(const struct prefs *p, const char *gateway_key, const char *uri,
                         char **local_path, char **sha1)
{
	const struct prefs_profile *e;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *hash = NULL;

	if (local_path)
		*local_path = NULL;
	if (sha1)
		*sha1 = NULL;
	if (!p || !gateway_key || !uri)
		return -ERR_INVALID_ARGS;
	e = prefs_profile_find(prefs_gateway_find(p, gateway_key), uri);
	if (!e || !p->profiles_dir)
		return -ERR_NOT_FOUND;
	if (local_path && !(path = prefs_path_join(p->profiles_dir, e->file)))
		return -ERR_NOMEM;
	if (sha1 && !(hash = strdup(e->sha1)))
		return -ERR_NOMEM;
	if (local_path)
		*local_path = steal_ptr(&path);
	if (sha1)
		*sha1 = steal_ptr(&hash);
	return 0;
}

int prefs_profile_append(struct prefs_gateway *g, const char *uri, const char *file,
                         const char *sha1)
{
	struct prefs_profile *arr, e = {0};

	e.uri = strdup(uri);
	e.file = strdup(file);
	if (!e.uri || !e.file) {
		prefs_clear_profile(&e);
		return -ERR_NOMEM;
	}
	prefs_sha1_upper(e.sha1, sha1);
	arr = realloc(g->profiles, (g->n_profiles + 1) * sizeof(*arr));
	if (!arr) {
		prefs_clear_profile(&e);
		return -ERR_NOMEM;
	}
	g->profiles = arr;
	g->profiles[g->n_profiles++] = e;
	return 0;
}

bool prefs_profile_entry_valid(const char *uri, const char *sha1)
{
	return prefs_validate_profile_uri(uri) && hex_is_sha1(sha1);
}

int prefs_profile_store(struct prefs *p, const char *gateway_key, const char *uri, const void *data,
                        size_t len, const char *sha1)
{
	char name[PREFS_PROFILE_NAME_MAX + 1], digest[41];
	_cleanup_free_ char *final = NULL;
	_cleanup_free_ char *tmpl = NULL;
	struct prefs_gateway *g;
	struct prefs_profile *e;
	int r;

	if (!p || !prefs_validate_gateway_key(gateway_key) || (!data && len) ||
	    !(sha1 ? prefs_profile_entry_valid(uri, sha1) : prefs_validate_profile_uri(uri)))
		return -ERR_INVALID_ARGS;
	if (len > PREFS_PROFILE_MAX)
		return -ERR_TOO_LARGE;
	r = digest_sha1_hex(data ? data : "", len, digest);
	if (r < 0)
		return r;
	if (sha1 && strcasecmp(sha1, digest) != 0) {
		log_warning("preferences: profile %s of %s does not match its announced SHA-1", uri,
		            gateway_key);
		return -ERR_INVALID_ARGS;
	}
	r = prefs_ensure_path(p);
	if (r < 0)
		return r;
	g = prefs_gateway_find(p, gateway_key);
	e = prefs_profile_find(g, uri);
	if (e) {
		snprintf(name, sizeof(name), "%s", e->file);
	} else {
		if ((g && g->n_profiles >= PREFS_PROFILES_MAX) ||
		    (!g && p->n_gateways >= PREFS_GATEWAYS_MAX))
			return -ERR_TOO_LARGE;
		r = profile_unique_name(p, uri, name);
		if (r < 0)
			return r;
	}
	final = prefs_path_join(p->profiles_dir, name);
	if (!final || asprintf(&tmpl, "%s/.%s.tmp-XXXXXX", p->profiles_dir, name) < 0)
		return -ERR_NOMEM;
	r = prefs_file_write_atomic(p->profiles_dir, final, tmpl, data ? data : "", len);
	if (r < 0)
		return r;
	if (e) {
		prefs_sha1_upper(e->sha1, digest);
		return 0;
	}
	g = prefs_gateway(p, gateway_key, true);
	if (!g)
		return -ERR_NOMEM;
	return prefs_profile_append(g, uri, name, digest);
}
