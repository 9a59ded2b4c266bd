// SPDX-License-Identifier: GPL-2.0-or-later
#include "prefs.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include "cert-pin.h"
#include "error.h"
#include "file-write.h"
#include "digest.h"
#include "hex.h"
#include "utf8.h"
#include "log.h"

#define PREFS_VERSION  1
#define PREFS_ROOT     "sslvpn-preferences"
#define PREFS_WARN_MAX 16 /* a hostile file must not flood the log */
/* year 9999: anything later in <last-used> is nonsense */
#define PREFS_TIME_MAX INT64_C(253402300799)

struct prefs_profile {
	char *uri;
	char *file; /* a name inside the profiles dir, checked by profile_file_valid() */
	char sha1[41];
};

struct prefs_server {
	char *name;
	char *address;
	char *group;
};

/* Elements this build does not know, kept as serialised XML to be written back verbatim. */
struct prefs_unknown {
	char **items;
	size_t n;
};

struct prefs_gateway {
	struct prefs *owner;
	char *key;
	char *display_name;
	char *pin;
	char cert_sha1[41]; /* "" when unset */
	char *last_group;
	char *last_user;
	int64_t last_used;
	struct prefs_profile *profiles;
	size_t n_profiles;
	struct prefs_server *servers;
	size_t n_servers;
	struct prefs_unknown unknown;
};

struct prefs {
	char *path;
	char *dir;
	char *profiles_dir;

	bool block_untrusted;
	bool use_dtls;
	bool start_in_tray;
	char *last_gateway;
	struct prefs_gateway **gateways;
	size_t n_gateways;
	bool sorted;
	struct prefs_unknown unknown_root;
	struct prefs_unknown unknown_global;
	size_t unknown_bytes;

	enum prefs_load_status status;
	char *moved_aside;
	unsigned dropped;
	bool read_only;       /* newer version or unreadable: never overwrite it */
	bool corrupt_pending; /* corrupt file could not be moved aside yet */
};

static void xml_doc_freep(xmlDoc **d)
{
	if (*d)
		xmlFreeDoc(*d);
}

static void xml_ctxt_freep(xmlParserCtxt **c)
{
	if (*c)
		xmlFreeParserCtxt(*c);
}

static void xml_buffer_freep(xmlBuffer **b)
{
	if (*b)
		xmlBufferFree(*b);
}

static void xml_writer_freep(xmlTextWriter **w)
{
	if (*w)
		xmlFreeTextWriter(*w);
}

static void xml_charp_freep(xmlChar **s)
{
	if (*s)
		xmlFree(*s);
}

/* ---------------------------------------------------------------- validators */


bool prefs_string_valid(const char *s)
{
	size_t len;

	if (!s)
		return false;
	len = strnlen(s, PREFS_STRING_MAX + 1);
	return len <= PREFS_STRING_MAX && utf8_valid(s, len, UTF8_SINGLE_LINE);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* "https://" authority [path/query]; authority = host | [v6] , optional :port (1-65535).
 * No user info and no fragment: neither belongs in a gateway's identity.  Everything
 * gateway_url_format() produces passes. */
bool prefs_gateway_key_valid(const char *key)
{
	static const char url_chars[] = "-._~:/?[]!$&'()*+,;=%@";
	const char *a, *end;
	size_t len;

	if (!key)
		return false;
	len = strnlen(key, PREFS_GATEWAY_KEY_MAX + 1);
	if (len > PREFS_GATEWAY_KEY_MAX || strncmp(key, "https://", 8) != 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_alnum(key[i]) && !strchr(url_chars, key[i]))
			return false;
	a = key + 8;
	end = a + strcspn(a, "/?");
	if (*a == '[') {
		const char *close = memchr(a, ']', (size_t)(end - a));

		if (!close || close == a + 1)
			return false;
		for (const char *c = a + 1; c < close; c++)
			if (hex_digit(*c) < 0 && *c != ':' && *c != '.')
				return false;
		a = close + 1;
	} else {
		const char *h = a;

		while (a < end && (is_alnum(*a) || *a == '-' || *a == '.'))
			a++;
		if (a == h)
			return false;
	}
	if (a == end)
		return true;
	if (*a != ':')
		return false;
	a++;
	if (end - a < 1 || end - a > 5)
		return false;
	{
		long port = 0;

		for (const char *c = a; c < end; c++) {
			if (!is_digit(*c))
				return false;
			port = port * 10 + (*c - '0');
		}
		return port >= 1 && port <= 65535;
	}
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (is_digit(c))
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* "pin-sha256:" + canonical base64 of 32 bytes: 43 symbols, then "=", and the last symbol
 * carries only 4 bits of data (its low two bits are zero). */
bool prefs_pin_valid(const char *pin)
{
	static const char prefix[] = "pin-sha256:";
	const size_t plen = sizeof(prefix) - 1;
	struct cert_pin parsed;
	int last;

	if (!pin || strnlen(pin, plen + 45) != plen + 44 || strncmp(pin, prefix, plen) != 0)
		return false;
	for (size_t i = plen; i < plen + 43; i++)
		if (b64_value(pin[i]) < 0)
			return false;
	last = b64_value(pin[plen + 42]);
	if ((last & 3) != 0 || pin[plen + 43] != '=')
		return false;
	/* and the project's one pin parser must agree */
	return cert_pin_parse(pin, &parsed) == 0 && parsed.type == CERT_PIN_SPKI_SHA256;
}

bool prefs_sha1_hex_valid(const char *hex)
{
	return hex_is_sha1(hex);
}

static bool profile_uri_valid(const char *uri)
{
	size_t len;

	if (!uri)
		return false;
	len = strnlen(uri, PREFS_PROFILE_URI_MAX + 1);
	if (len == 0 || len > PREFS_PROFILE_URI_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)uri[i] <= 0x20 || (unsigned char)uri[i] >= 0x7f)
			return false;
	return true;
}

static bool profile_name_char(char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '-';
}

/* A plain file name inside profiles/: no separators, no leading dot (so no ".", "..", hidden
 * or temporary names). */
static bool profile_file_valid(const char *name)
{
	size_t len;

	if (!name)
		return false;
	len = strnlen(name, PREFS_PROFILE_NAME_MAX + 1);
	if (len == 0 || len > PREFS_PROFILE_NAME_MAX || name[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!profile_name_char(name[i]))
			return false;
	return true;
}

static void sha1_upper(char dst[41], const char *src)
{
	for (size_t i = 0; i < 40; i++)
		dst[i] = (src[i] >= 'a' && src[i] <= 'f') ? (char)(src[i] - 'a' + 'A') : src[i];
	dst[40] = '\0';
}

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

static void profile_clear(struct prefs_profile *e)
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
		profile_clear(&g->profiles[i]);
	free(g->profiles);
	for (size_t i = 0; i < g->n_servers; i++)
		server_clear(&g->servers[i]);
	free(g->servers);
	unknown_clear(&g->unknown);
	free(g);
}

/* Back to defaults; the path and load state are left alone. */
static void data_clear(struct prefs *p)
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
	data_clear(p);
	return p;
}

void prefs_free(struct prefs *p)
{
	if (!p)
		return;
	data_clear(p);
	free(p->path);
	free(p->dir);
	free(p->profiles_dir);
	free(p->moved_aside);
	free(p);
}

/* ---------------------------------------------------------------- paths */

static char *path_join(const char *a, const char *b)
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
	profiles = path_join(dir, "profiles");
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

static int ensure_path(struct prefs *p)
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

/* ---------------------------------------------------------------- files */

/* Like mkdir -p, with 0700 for every directory it creates (the XDG spec asks for 0700). */
static int mkdir_p(const char *dir)
{
	_cleanup_free_ char *buf = strdup(dir);
	struct stat st;

	if (!buf)
		return -ERR_NOMEM;
	for (char *s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, 0700) < 0 && errno != EEXIST) {
			log_warning("preferences: cannot create %s: %s", buf, strerror(errno));
			return -ERR_PREFS;
		}
		*s = '/';
	}
	if (mkdir(buf, 0700) < 0 && errno != EEXIST) {
		log_warning("preferences: cannot create %s: %s", buf, strerror(errno));
		return -ERR_PREFS;
	}
	if (stat(buf, &st) < 0 || !S_ISDIR(st.st_mode)) {
		log_warning("preferences: %s is not a directory", buf);
		return -ERR_PREFS;
	}
	return 0;
}

/* Writes @data to @final through the temporary name @tmpl in @dir (file_write_atomic()). */
static int write_atomic(const char *dir, const char *final, char *tmpl, const void *data,
                        size_t len)
{
	const char *what = NULL;
	int r = mkdir_p(dir);

	if (r < 0)
		return r;
	if (file_write_atomic(final, tmpl, data, len, &what) < 0) {
		if (strcmp(what, "create") == 0)
			log_warning("preferences: cannot create a file in %s: %s", dir,
			            strerror(errno));
		else
			log_warning("preferences: cannot write %s (%s: %s)", final, what,
			            strerror(errno));
		return -ERR_PREFS;
	}
	/* The rename already happened; this only makes it durable, so failure is a warning. */
	if (file_sync_dir(dir) < 0)
		log_warning("preferences: cannot sync directory %s: %s", dir, strerror(errno));
	return 0;
}

/* Renames a corrupt file aside without ever replacing an earlier one (RENAME_NOREPLACE). */
static int move_aside(struct prefs *p)
{
	long long now = (long long)time(NULL);

	for (unsigned i = 1; i <= 100; i++) {
		_cleanup_free_ char *name = NULL;
		int r;

		if ((i == 1 ? asprintf(&name, "%s.corrupt-%lld", p->path, now)
		            : asprintf(&name, "%s.corrupt-%lld-%u", p->path, now, i)) < 0)
			return -ERR_NOMEM;
		r = renameat2(AT_FDCWD, p->path, AT_FDCWD, name, RENAME_NOREPLACE);
		if (r < 0 && (errno == EINVAL || errno == ENOSYS)) {
			/* file system without RENAME_NOREPLACE: check, then rename */
			struct stat st;

			if (lstat(name, &st) == 0)
				continue;
			r = rename(p->path, name);
		}
		if (r == 0) {
			log_warning("preferences: %s is damaged; moved it to %s and started from "
			            "defaults",
			            p->path, name);
			free(p->moved_aside);
			p->moved_aside = steal_ptr(&name);
			p->corrupt_pending = false;
			return 0;
		}
		if (errno != EEXIST) {
			log_warning("preferences: %s is damaged and cannot be moved aside (%s); "
			            "using defaults",
			            p->path, strerror(errno));
			p->corrupt_pending = true;
			return -ERR_PREFS;
		}
	}
	log_warning("preferences: %s is damaged and too many damaged copies exist; using defaults",
	            p->path);
	p->corrupt_pending = true;
	return -ERR_PREFS;
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

static void gateways_sort(struct prefs *p)
{
	if (p->sorted)
		return;
	if (p->n_gateways > 1)
		qsort(p->gateways, p->n_gateways, sizeof(*p->gateways), gateway_cmp);
	p->sorted = true;
}

static struct prefs_gateway *gateway_find(const struct prefs *p, const char *key)
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
	struct prefs_gateway *g = gateway_find(p, gateway_key);
	struct prefs_gateway **arr;

	if (g || !create || !p || !prefs_gateway_key_valid(gateway_key))
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
			_cleanup_free_ char *f = path_join(p->profiles_dir, g->profiles[k].file);

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
	gateways_sort(p);
	return p->gateways[i];
}

const char *prefs_gateway_key(const struct prefs_gateway *g)
{
	return g ? g->key : NULL;
}

static int set_string(char **field, const char *value)
{
	char *copy = NULL;

	if (value && !prefs_string_valid(value))
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
	if (!g || (pin && *pin && !prefs_pin_valid(pin)))
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
	if (!prefs_sha1_hex_valid(sha1_hex))
		return -ERR_INVALID_ARGS;
	sha1_upper(g->cert_sha1, sha1_hex);
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
	if (!p || (gateway_key && *gateway_key && !prefs_gateway_key_valid(gateway_key)))
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

static int server_fill(struct prefs_server *s, const char *name, const char *address,
                       const char *group)
{
	if (!name)
		name = "";
	if (!group)
		group = "";
	if (!prefs_string_valid(name) || !prefs_string_valid(address) || !*address ||
	    !prefs_string_valid(group))
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

	if (!p || !prefs_gateway_key_valid(gateway_key) || (n && !addresses))
		return -ERR_INVALID_ARGS;
	if (n > PREFS_SERVERS_MAX)
		return -ERR_TOO_LARGE;
	if (n && !(list = calloc(n, sizeof(*list))))
		return -ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		int r = server_fill(&list[i], names ? names[i] : NULL, addresses[i],
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
	const struct prefs_gateway *g = gateway_find(p, gateway_key);

	return g ? g->n_servers : 0;
}

int prefs_server_list_at(const struct prefs *p, const char *gateway_key, size_t i,
                         const char **name, const char **address, const char **group)
{
	const struct prefs_gateway *g = gateway_find(p, gateway_key);

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

/* ---------------------------------------------------------------- profile cache */

static struct prefs_profile *profile_find(const struct prefs_gateway *g, const char *uri)
{
	for (size_t i = 0; g && i < g->n_profiles; i++)
		if (strcmp(g->profiles[i].uri, uri) == 0)
			return &g->profiles[i];
	return NULL;
}

/* Case-insensitive, in case profiles/ lives on a file system that folds case. */
static bool profile_file_used(const struct prefs *p, const char *name)
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
		if (uri[i] == '%' && i + 2 < end && hex_digit(uri[i + 1]) >= 0 && hex_digit(uri[i + 2]) >= 0) {
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

		if (!profile_name_char(c) || (c == '.' && o == 0))
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
		if (!profile_file_used(p, out))
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
	e = profile_find(gateway_find(p, gateway_key), uri);
	if (!e || !p->profiles_dir)
		return -ERR_NOT_FOUND;
	if (local_path && !(path = path_join(p->profiles_dir, e->file)))
		return -ERR_NOMEM;
	if (sha1 && !(hash = strdup(e->sha1)))
		return -ERR_NOMEM;
	if (local_path)
		*local_path = steal_ptr(&path);
	if (sha1)
		*sha1 = steal_ptr(&hash);
	return 0;
}

static int profile_append(struct prefs_gateway *g, const char *uri, const char *file,
                          const char *sha1)
{
	struct prefs_profile *arr, e = {0};

	e.uri = strdup(uri);
	e.file = strdup(file);
	if (!e.uri || !e.file) {
		profile_clear(&e);
		return -ERR_NOMEM;
	}
	sha1_upper(e.sha1, sha1);
	arr = realloc(g->profiles, (g->n_profiles + 1) * sizeof(*arr));
	if (!arr) {
		profile_clear(&e);
		return -ERR_NOMEM;
	}
	g->profiles = arr;
	g->profiles[g->n_profiles++] = e;
	return 0;
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

	if (!p || !prefs_gateway_key_valid(gateway_key) || !profile_uri_valid(uri) ||
	    (!data && len) || (sha1 && !prefs_sha1_hex_valid(sha1)))
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
	r = ensure_path(p);
	if (r < 0)
		return r;
	g = gateway_find(p, gateway_key);
	e = profile_find(g, uri);
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
	final = path_join(p->profiles_dir, name);
	if (!final || asprintf(&tmpl, "%s/.%s.tmp-XXXXXX", p->profiles_dir, name) < 0)
		return -ERR_NOMEM;
	r = write_atomic(p->profiles_dir, final, tmpl, data ? data : "", len);
	if (r < 0)
		return r;
	if (e) {
		sha1_upper(e->sha1, digest);
		return 0;
	}
	g = prefs_gateway(p, gateway_key, true);
	if (!g)
		return -ERR_NOMEM;
	return profile_append(g, uri, name, digest);
}

/* ---------------------------------------------------------------- parsing */

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
	_cleanup_(xml_charp_freep) xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);

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
	_cleanup_(xml_doc_freep) xmlDoc *scratch = xmlNewDoc(BAD_CAST "1.0");
	_cleanup_(xml_buffer_freep) xmlBuffer *buf = xmlBufferCreate();
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
	if (!profile_uri_valid(uri) || !profile_file_valid(file) || !prefs_sha1_hex_valid(sha1)) {
		parse_drop(ctx, "an invalid <profile> of %s", g->key);
		return 0;
	}
	if (g->n_profiles >= PREFS_PROFILES_MAX) {
		parse_drop(ctx, "too many <profile> entries for %s", g->key);
		return 0;
	}
	if (profile_find(g, uri) || profile_file_used(ctx->p, file)) {
		parse_drop(ctx, "a duplicate <profile> of %s", g->key);
		return 0;
	}
	return profile_append(g, uri, file, sha1);
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
		r = address ? server_fill(&g->servers[g->n_servers], name, address, group)
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
		if (!is_digit(v[i]))
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
	if (!prefs_gateway_key_valid(key)) {
		parse_drop(ctx, "a <gateway> without a valid url");
		return 0;
	}
	if (gateway_find(p, key)) {
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

static void sax_reject_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id,
                               const xmlChar *system_id)
{
	xmlParserCtxt *ctxt = ctx;

	/* A DTD is how entity bombs and external fetches get in; we never write one. */
	*(bool *)ctxt->_private = true;
	xmlStopParser(ctxt);
}

static void sax_quiet(void *ctx, xmlError *error)
{
}

/* 0: usable, 1: newer version, -ERR_PREFS: corrupt, -ERR_NOMEM. */
static int parse_document(struct parse *ctx, const void *data, size_t len)
{
	_cleanup_(xml_ctxt_freep) xmlParserCtxt *ctxt = NULL;
	_cleanup_(xml_doc_freep) xmlDoc *doc = NULL;
	_cleanup_(xml_charp_freep) xmlChar *version = NULL;
	bool doctype = false, seen_global = false;
	const xmlNode *root;
	long v = 0;

	if (len > PREFS_FILE_MAX) {
		log_warning("preferences: %s: larger than %u bytes", ctx->origin, PREFS_FILE_MAX);
		return -ERR_PREFS;
	}
	xmlInitParser();
	ctxt = xmlNewParserCtxt();
	if (!ctxt || !ctxt->sax)
		return -ERR_NOMEM;
	ctxt->sax->internalSubset = sax_reject_doctype;
	ctxt->sax->serror = sax_quiet;
	ctxt->_private = &doctype;
	/* No network, no DTD loading, no entity substitution; the file is always UTF-8. */
	doc = xmlCtxtReadMemory(ctxt, data, (int)len, NULL, "UTF-8",
	                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	                            XML_PARSE_NOCDATA | XML_PARSE_IGNORE_ENC);
	if (doctype || !doc || !ctxt->wellFormed || !ctxt->nsWellFormed || doc->intSubset ||
	    doc->extSubset) {
		log_warning("preferences: %s: %s", ctx->origin,
		            doctype ? "has a DOCTYPE" : "is not well-formed XML");
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
			if (!is_digit(s[i])) {
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
	data_clear(p);
	p->dropped = 0;
	r = parse_document(&ctx, data ? data : "", len);
	if (r != 0) {
		data_clear(p);
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
	data_clear(p);
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
		move_aside(p);
		return 0;
	}
	p->status = p->dropped ? PREFS_LOAD_DROPPED : PREFS_LOAD_OK;
	return 0;
}

/* ---------------------------------------------------------------- writing */

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
	gateways_sort(p);
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
	_cleanup_(xml_buffer_freep) xmlBuffer *buf = NULL;
	_cleanup_(xml_writer_freep) xmlTextWriter *writer = NULL;
	_cleanup_free_ char *tmpl = NULL;
	size_t len;
	int r;

	if (!p)
		return -ERR_INVALID_ARGS;
	r = ensure_path(p);
	if (r < 0)
		return r;
	if (p->read_only) {
		log_warning("preferences: not overwriting %s (%s)", p->path,
		            p->status == PREFS_LOAD_NEWER_VERSION ? "written by a newer version"
		                                                  : "it could not be read");
		return -ERR_PREFS;
	}
	if (p->corrupt_pending && move_aside(p) < 0)
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
	return write_atomic(p->dir, p->path, tmpl, xmlBufferContent(buf), len);
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
		const struct prefs_gateway *g = gateway_find(b, a->gateways[i]->key);

		if (!g || !gateway_eq(a->gateways[i], g))
			return false;
	}
	return true;
}
