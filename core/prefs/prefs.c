// SPDX-License-Identifier: GPL-2.0-or-later
#include "prefs.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "prefs-internal.h"

/* ---------------------------------------------------------------- lifetime */

static void unknown_clear(struct prefs_unknown *u)
{
	for (size_t i = 0; i < u->n; i++)
		free(u->items[i]);
	free(u->items);
	u->items = NULL;
	u->n = 0;
}

static void server_clear(struct prefs_server *s)
{
	free(s->name);
	free(s->address);
	free(s->group);
}

void prefs_clear_profile(struct prefs_profile *e)
{
	free(e->uri);
	free(e->file);
}

static void gateway_free(struct prefs_gateway *g)
{
	if (!g)
		return;
	free(g->key);
	free(g->display_name);
	free(g->pin);
	free(g->last_group);
	free(g->last_user);
	for (size_t i = 0; i < g->n_profiles; i++)
		prefs_clear_profile(&g->profiles[i]);
	free(g->profiles);
	for (size_t i = 0; i < g->n_servers; i++)
		server_clear(&g->servers[i]);
	free(g->servers);
	unknown_clear(&g->unknown);
	free(g);
}

/* Back to defaults; the path and load state are left alone. */
void prefs_data_clear(struct prefs *p)
{
	for (size_t i = 0; i < p->n_gateways; i++)
		gateway_free(p->gateways[i]);
	free(p->gateways);
	p->gateways = NULL;
	p->n_gateways = 0;
	p->sorted = true;
	free(p->last_gateway);
	p->last_gateway = NULL;
	p->block_untrusted = true;
	p->use_dtls = true;
	p->start_in_tray = false;
	unknown_clear(&p->unknown_root);
	unknown_clear(&p->unknown_global);
	p->unknown_bytes = 0;
}

struct prefs *prefs_new(void)
{
	struct prefs *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	prefs_data_clear(p);
	return p;
}

void prefs_free(struct prefs *p)
{
	if (!p)
		return;
	prefs_data_clear(p);
	free(p->path);
	free(p->dir);
	free(p->profiles_dir);
	free(p->moved_aside);
	free(p);
}

/* ---------------------------------------------------------------- paths */

char *prefs_path_join(const char *a, const char *b)
{
	char *s;

	if (asprintf(&s, "%s/%s", a, b) < 0)
		return NULL;
	return s;
}

static char *default_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char *s;

	/* The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored. */
	if (xdg && xdg[0] == '/')
		return asprintf(&s, "%s/sslvpn/preferences.xml", xdg) < 0 ? NULL : s;
	if (!home || home[0] != '/') {
		struct passwd pw, *res = NULL;
		char buf[4096];

		if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &res) != 0 || !res || !pw.pw_dir ||
		    pw.pw_dir[0] != '/')
			return NULL;
		return asprintf(&s, "%s/.config/sslvpn/preferences.xml", pw.pw_dir) < 0 ? NULL : s;
	}
	return asprintf(&s, "%s/.config/sslvpn/preferences.xml", home) < 0 ? NULL : s;
}

int prefs_set_path(struct prefs *p, const char *path)
{
	_cleanup_free_ char *full = NULL;
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ char *profiles = NULL;
	const char *slash;

	if (!p || (path && (!*path || strnlen(path, PATH_MAX) >= PATH_MAX)))
		return -ERR_INVALID_ARGS;
	full = path ? strdup(path) : default_path();
	if (!full) {
		if (path)
			return -ERR_NOMEM;
		log_warning("preferences: cannot find the home directory");
		return -ERR_PREFS;
	}
	slash = strrchr(full, '/');
	if (!slash)
		dir = strdup(".");
	else if (slash == full)
		dir = strdup("/");
	else
		dir = strndup(full, (size_t)(slash - full));
	if (!dir)
		return -ERR_NOMEM;
	profiles = prefs_path_join(dir, "profiles");
	if (!profiles)
		return -ERR_NOMEM;
	free(p->path);
	free(p->dir);
	free(p->profiles_dir);
	p->path = steal_ptr(&full);
	p->dir = steal_ptr(&dir);
	p->profiles_dir = steal_ptr(&profiles);
	p->status = PREFS_LOAD_NONE;
	p->read_only = false;
	p->corrupt_pending = false;
	p->dropped = 0;
	free(p->moved_aside);
	p->moved_aside = NULL;
	return 0;
}

int prefs_ensure_path(struct prefs *p)
{
	return p->path ? 0 : prefs_set_path(p, NULL);
}

const char *prefs_path(const struct prefs *p)
{
	return p ? p->path : NULL;
}

const char *prefs_profiles_dir(const struct prefs *p)
{
	return p ? p->profiles_dir : NULL;
}

enum prefs_load_status prefs_load_status(const struct prefs *p)
{
	return p ? p->status : PREFS_LOAD_NONE;
}

const char *prefs_moved_aside_path(const struct prefs *p)
{
	return p ? p->moved_aside : NULL;
}

unsigned prefs_dropped_count(const struct prefs *p)
{
	return p ? p->dropped : 0;
}

/* ---------------------------------------------------------------- gateways */

static int gateway_cmp(const void *a, const void *b)
{
	const struct prefs_gateway *x = *(struct prefs_gateway *const *)a;
	const struct prefs_gateway *y = *(struct prefs_gateway *const *)b;

	if (x->last_used != y->last_used)
		return x->last_used > y->last_used ? -1 : 1;
	return strcmp(x->key, y->key);
}

void prefs_gateways_sort(struct prefs *p)
{
	if (p->sorted)
		return;
	if (p->n_gateways > 1)
		qsort(p->gateways, p->n_gateways, sizeof(*p->gateways), gateway_cmp);
	p->sorted = true;
}

struct prefs_gateway *prefs_gateway_find(const struct prefs *p, const char *key)
{
	if (!p || !key)
		return NULL;
	for (size_t i = 0; i < p->n_gateways; i++)
		if (strcmp(p->gateways[i]->key, key) == 0)
			return p->gateways[i];
	return NULL;
}

struct prefs_gateway *prefs_gateway(struct prefs *p, const char *gateway_key, bool create)
{
	struct prefs_gateway *g = prefs_gateway_find(p, gateway_key);
	struct prefs_gateway **arr;

	if (g || !create || !p || !prefs_validate_gateway_key(gateway_key))
		return g;
	if (p->n_gateways >= PREFS_GATEWAYS_MAX) {
		log_warning("preferences: too many gateways; not remembering %s", gateway_key);
		return NULL;
	}
	arr = realloc(p->gateways, (p->n_gateways + 1) * sizeof(*arr));
	if (!arr)
		return NULL;
	p->gateways = arr;
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->key = strdup(gateway_key);
	if (!g->key) {
		free(g);
		return NULL;
	}
	g->owner = p;
	p->gateways[p->n_gateways++] = g;
	p->sorted = false;
	return g;
}

int prefs_gateway_remove(struct prefs *p, const char *gateway_key)
{
	for (size_t i = 0; p && gateway_key && i < p->n_gateways; i++) {
		struct prefs_gateway *g = p->gateways[i];

		if (strcmp(g->key, gateway_key) != 0)
			continue;
		for (size_t k = 0; p->profiles_dir && k < g->n_profiles; k++) {
			_cleanup_free_ char *f =
			    prefs_path_join(p->profiles_dir, g->profiles[k].file);

			if (f && unlink(f) < 0 && errno != ENOENT)
				log_warning("preferences: cannot delete %s: %s", f,
				            strerror(errno));
		}
		gateway_free(g);
		memmove(&p->gateways[i], &p->gateways[i + 1],
		        (p->n_gateways - i - 1) * sizeof(*p->gateways));
		p->n_gateways--;
		return 0;
	}
	return -ERR_NOT_FOUND;
}

size_t prefs_gateway_count(const struct prefs *p)
{
	return p ? p->n_gateways : 0;
}

struct prefs_gateway *prefs_gateway_at(struct prefs *p, size_t i)
{
	if (!p || i >= p->n_gateways)
		return NULL;
	prefs_gateways_sort(p);
	return p->gateways[i];
}

const char *prefs_gateway_key(const struct prefs_gateway *g)
{
	return g ? g->key : NULL;
}

static int set_string(char **field, const char *value)
{
	char *copy = NULL;

	if (value && !prefs_validate_string(value))
		return -ERR_INVALID_ARGS;
	if (value && *value && !(copy = strdup(value)))
		return -ERR_NOMEM;
	free(*field);
	*field = copy;
	return 0;
}

const char *prefs_gateway_get_pin(const struct prefs_gateway *g)
{
	return g ? g->pin : NULL;
}

int prefs_gateway_set_pin(struct prefs_gateway *g, const char *pin)
{
	if (!g || (pin && *pin && !prefs_validate_pin(pin)))
		return -ERR_INVALID_ARGS;
	return set_string(&g->pin, pin);
}

void prefs_gateway_forget_pin(struct prefs_gateway *g)
{
	if (g)
		set_string(&g->pin, NULL);
}

const char *prefs_gateway_get_cert_sha1(const struct prefs_gateway *g)
{
	return g && g->cert_sha1[0] ? g->cert_sha1 : NULL;
}

int prefs_gateway_set_cert_sha1(struct prefs_gateway *g, const char *sha1_hex)
{
	if (!g)
		return -ERR_INVALID_ARGS;
	if (!sha1_hex || !*sha1_hex) {
		g->cert_sha1[0] = '\0';
		return 0;
	}
	if (!prefs_validate_sha1_hex(sha1_hex))
		return -ERR_INVALID_ARGS;
	prefs_sha1_upper(g->cert_sha1, sha1_hex);
	return 0;
}

const char *prefs_gateway_get_last_group(const struct prefs_gateway *g)
{
	return g ? g->last_group : NULL;
}

int prefs_gateway_set_last_group(struct prefs_gateway *g, const char *group)
{
	return g ? set_string(&g->last_group, group) : -ERR_INVALID_ARGS;
}

const char *prefs_gateway_get_last_user(const struct prefs_gateway *g)
{
	return g ? g->last_user : NULL;
}

int prefs_gateway_set_last_user(struct prefs_gateway *g, const char *user)
{
	return g ? set_string(&g->last_user, user) : -ERR_INVALID_ARGS;
}

const char *prefs_gateway_get_display_name(const struct prefs_gateway *g)
{
	return g ? g->display_name : NULL;
}

int prefs_gateway_set_display_name(struct prefs_gateway *g, const char *name)
{
	return g ? set_string(&g->display_name, name) : -ERR_INVALID_ARGS;
}

int64_t prefs_gateway_get_last_used(const struct prefs_gateway *g)
{
	return g ? g->last_used : 0;
}

int prefs_gateway_set_last_used(struct prefs_gateway *g, int64_t unix_seconds)
{
	if (!g || unix_seconds < 0 || unix_seconds > PREFS_TIME_MAX)
		return -ERR_INVALID_ARGS;
	if (g->last_used != unix_seconds)
		g->owner->sorted = false;
	g->last_used = unix_seconds;
	return 0;
}

/* ---------------------------------------------------------------- globals */

bool prefs_get_block_untrusted(const struct prefs *p)
{
	return p ? p->block_untrusted : true;
}

void prefs_set_block_untrusted(struct prefs *p, bool block)
{
	if (p)
		p->block_untrusted = block;
}

const char *prefs_get_last_gateway(const struct prefs *p)
{
	return p ? p->last_gateway : NULL;
}

int prefs_set_last_gateway(struct prefs *p, const char *gateway_key)
{
	if (!p || (gateway_key && *gateway_key && !prefs_validate_gateway_key(gateway_key)))
		return -ERR_INVALID_ARGS;
	return set_string(&p->last_gateway, gateway_key);
}

bool prefs_get_use_dtls(const struct prefs *p)
{
	return p ? p->use_dtls : true;
}

void prefs_set_use_dtls(struct prefs *p, bool use_dtls)
{
	if (p)
		p->use_dtls = use_dtls;
}

bool prefs_get_start_in_tray(const struct prefs *p)
{
	return p ? p->start_in_tray : false;
}

void prefs_set_start_in_tray(struct prefs *p, bool start_in_tray)
{
	if (p)
		p->start_in_tray = start_in_tray;
}

/* ---------------------------------------------------------------- server list */

int prefs_server_fill(struct prefs_server *s, const char *name, const char *address,
                      const char *group)
{
	if (!name)
		name = "";
	if (!group)
		group = "";
	if (!prefs_validate_string(name) || !prefs_validate_string(address) || !*address ||
	    !prefs_validate_string(group))
		return -ERR_INVALID_ARGS;
	s->name = strdup(name);
	s->address = strdup(address);
	s->group = strdup(group);
	if (!s->name || !s->address || !s->group) {
		server_clear(s);
		return -ERR_NOMEM;
	}
	return 0;
}

int prefs_set_server_list(struct prefs *p, const char *gateway_key, const char *const names[],
                          const char *const addresses[], const char *const groups[], size_t n)
{
	struct prefs_server *list = NULL;
	struct prefs_gateway *g;

	if (!p || !prefs_validate_gateway_key(gateway_key) || (n && !addresses))
		return -ERR_INVALID_ARGS;
	if (n > PREFS_SERVERS_MAX)
		return -ERR_TOO_LARGE;
	if (n && !(list = calloc(n, sizeof(*list))))
		return -ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		int r = prefs_server_fill(&list[i], names ? names[i] : NULL, addresses[i],
		                          groups ? groups[i] : NULL);

		if (r < 0) {
			for (size_t k = 0; k < i; k++)
				server_clear(&list[k]);
			free(list);
			return r;
		}
	}
	g = prefs_gateway(p, gateway_key, true);
	if (!g) {
		for (size_t k = 0; k < n; k++)
			server_clear(&list[k]);
		free(list);
		return p->n_gateways >= PREFS_GATEWAYS_MAX ? -ERR_TOO_LARGE : -ERR_NOMEM;
	}
	for (size_t k = 0; k < g->n_servers; k++)
		server_clear(&g->servers[k]);
	free(g->servers);
	g->servers = list;
	g->n_servers = n;
	return 0;
}

size_t prefs_server_list_count(const struct prefs *p, const char *gateway_key)
{
	const struct prefs_gateway *g = prefs_gateway_find(p, gateway_key);

	return g ? g->n_servers : 0;
}

int prefs_server_list_at(const struct prefs *p, const char *gateway_key, size_t i,
                         const char **name, const char **address, const char **group)
{
	const struct prefs_gateway *g = prefs_gateway_find(p, gateway_key);

	if (!g || i >= g->n_servers)
		return -ERR_NOT_FOUND;
	if (name)
		*name = g->servers[i].name;
	if (address)
		*address = g->servers[i].address;
	if (group)
		*group = g->servers[i].group;
	return 0;
}

/* ---------------------------------------------------------------- equality */

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool unknown_eq(const struct prefs_unknown *a, const struct prefs_unknown *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->items[i], b->items[i]) != 0)
			return false;
	return true;
}

static bool gateway_eq(const struct prefs_gateway *a, const struct prefs_gateway *b)
{
	if (!str_eq(a->key, b->key) || !str_eq(a->display_name, b->display_name) ||
	    !str_eq(a->pin, b->pin) || strcmp(a->cert_sha1, b->cert_sha1) != 0 ||
	    !str_eq(a->last_group, b->last_group) || !str_eq(a->last_user, b->last_user) ||
	    a->last_used != b->last_used || a->n_profiles != b->n_profiles ||
	    a->n_servers != b->n_servers || !unknown_eq(&a->unknown, &b->unknown))
		return false;
	for (size_t i = 0; i < a->n_profiles; i++)
		if (!str_eq(a->profiles[i].uri, b->profiles[i].uri) ||
		    !str_eq(a->profiles[i].file, b->profiles[i].file) ||
		    strcmp(a->profiles[i].sha1, b->profiles[i].sha1) != 0)
			return false;
	for (size_t i = 0; i < a->n_servers; i++)
		if (!str_eq(a->servers[i].name, b->servers[i].name) ||
		    !str_eq(a->servers[i].address, b->servers[i].address) ||
		    !str_eq(a->servers[i].group, b->servers[i].group))
			return false;
	return true;
}

bool prefs_equal(const struct prefs *a, const struct prefs *b)
{
	if (!a || !b)
		return a == b;
	if (a->block_untrusted != b->block_untrusted || a->use_dtls != b->use_dtls ||
	    a->start_in_tray != b->start_in_tray || !str_eq(a->last_gateway, b->last_gateway) ||
	    a->n_gateways != b->n_gateways || !unknown_eq(&a->unknown_root, &b->unknown_root) ||
	    !unknown_eq(&a->unknown_global, &b->unknown_global))
		return false;
	for (size_t i = 0; i < a->n_gateways; i++) {
		const struct prefs_gateway *g = prefs_gateway_find(b, a->gateways[i]->key);

		if (!g || !gateway_eq(a->gateways[i], g))
			return false;
	}
	return true;
}
