/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * What the pieces of the preferences library share: the model's structures (prefs.c owns
 * them), the checks of stored values (prefs-validate.c), file handling (prefs-file.c) and the
 * profile cache (prefs-profile.c) that the reader (prefs-load.c) and writer (prefs-save.c) use.
 */
#include <stdbool.h>
#include <stdint.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include "prefs.h"

#define PREFS_VERSION  1
#define PREFS_ROOT     "sslvpn-preferences"
#define PREFS_WARN_MAX 16 /* a hostile file must not flood the log */
/* year 9999: anything later in <last-used> is nonsense */
#define PREFS_TIME_MAX INT64_C(253402300799)

struct prefs_profile {
	char *uri;
	char *file; /* a name inside the profiles dir, checked by prefs_validate_profile_file() */
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

static inline bool prefs_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool prefs_is_alnum(char c)
{
	return prefs_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline void prefs_sha1_upper(char dst[41], const char *src)
{
	for (size_t i = 0; i < 40; i++)
		dst[i] = (src[i] >= 'a' && src[i] <= 'f') ? (char)(src[i] - 'a' + 'A') : src[i];
	dst[40] = '\0';
}

static inline void prefs_xml_doc_freep(xmlDoc **d)
{
	if (*d)
		xmlFreeDoc(*d);
}

static inline void prefs_xml_buffer_freep(xmlBuffer **b)
{
	if (*b)
		xmlBufferFree(*b);
}

static inline void prefs_xml_writer_freep(xmlTextWriter **w)
{
	if (*w)
		xmlFreeTextWriter(*w);
}

static inline void prefs_xml_charp_freep(xmlChar **s)
{
	if (*s)
		xmlFree(*s);
}

/* prefs-validate.c */
bool prefs_validate_profile_file(const char *name);
bool prefs_validate_profile_char(char c);
bool prefs_validate_profile_uri(const char *uri);

/* prefs.c */
void prefs_data_clear(struct prefs *p);
void prefs_clear_profile(struct prefs_profile *e);
int prefs_ensure_path(struct prefs *p);
char *prefs_path_join(const char *a, const char *b);
void prefs_gateways_sort(struct prefs *p);
struct prefs_gateway *prefs_gateway_find(const struct prefs *p, const char *key);
int prefs_server_fill(struct prefs_server *s, const char *name, const char *address,
                      const char *group);

/* prefs-file.c */
int prefs_file_write_atomic(const char *dir, const char *final, char *tmpl, const void *data,
                            size_t len);
int prefs_file_move_aside(struct prefs *p);

/* prefs-profile.c */
struct prefs_profile *prefs_profile_find(const struct prefs_gateway *g, const char *uri);
int prefs_profile_append(struct prefs_gateway *g, const char *uri, const char *file,
                         const char *sha1);
bool prefs_profile_file_used(const struct prefs *p, const char *name);
