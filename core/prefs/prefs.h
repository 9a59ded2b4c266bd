/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The per-user preferences store of the login side: $XDG_CONFIG_HOME/sslvpn/preferences.xml
 * (default ~/.config/sslvpn/preferences.xml), with downloaded client profiles in profiles/
 * beside it.  Its own library, core/prefs (libxml2); never linked into the helper or the worker.
 *
 * What it holds, and nothing else: per gateway the certificate pin the user accepted, the
 * SHA-1 thumbprint the gateway reported at login, the last group, user name and use time, a
 * display name, the profile cache index and the server list of the cached profile; globally
 * the GUI's preferences.  Never a password, a one-time code or a cookie: there is no API for
 * them on purpose, so a preferences file can be shown, copied or backed up freely.
 *
 * File layout (UTF-8, no DOCTYPE, at most PREFS_FILE_MAX bytes):
 *
 *   <?xml version="1.0" encoding="UTF-8"?>
 *   <sslvpn-preferences version="1">
 *     <global>
 *       <block-untrusted-servers>true</block-untrusted-servers>   true|false, default true
 *       <use-dtls>true</use-dtls>                                 true|false, default true
 *       <start-in-tray>false</start-in-tray>                      true|false, default false
 *       <last-gateway>https://vpn.lab.test</last-gateway>         optional
 *     </global>
 *     <gateway url="https://vpn.lab.test:8443/staff">             one per gateway key
 *       <display-name>Lab</display-name>                          each leaf optional
 *       <server-pin>pin-sha256:(44 base64)</server-pin>
 *       <server-cert-sha1>(40 hex)</server-cert-sha1>
 *       <last-group>staff</last-group>
 *       <last-user>alice</last-user>
 *       <last-used>1700000000</last-used>                         unix seconds
 *       <profile uri="/profiles/profile.xml" file="profile.xml" sha1="(40 hex)"/>
 *       <server-list>
 *         <server name="Lab" address="vpn.lab.test" group="staff"/>
 *       </server-list>
 *     </gateway>
 *   </sslvpn-preferences>
 *
 * Loading is strict per entry and forgiving per file:
 * - A file that cannot be used as a whole (not well-formed XML, a DOCTYPE, another root or
 *   namespace, a missing or bad version, larger than PREFS_FILE_MAX, not a regular file) is
 *   renamed aside to "preferences.xml.corrupt-<unix time>" (with "-2", "-3"... when that name
 *   exists; an older file is never overwritten), a warning names the new file, and the prefs
 *   load as defaults.  prefs_load_status() says so, prefs_moved_aside_path() names the file.
 * - An invalid entry in an otherwise good file (bad pin, bad SHA-1, a value that is too long,
 *   not UTF-8 or holds control characters, a gateway key that is not an https URL, duplicate
 *   entries, counts beyond the caps below) is dropped with a warning; everything valid stays.
 * - Elements this version does not know (children of the root, <global> and <gateway>) are
 *   kept verbatim and written back on save, so an older build never destroys what a newer one
 *   added (up to PREFS_UNKNOWN_MAX per element and PREFS_UNKNOWN_BYTES_MAX in all).  Unknown
 *   attributes, comments and processing instructions are not kept.
 * - A file with a higher version number is not ours to rewrite: the prefs load as defaults,
 *   the file is left alone and prefs_save() refuses (-ERR_PREFS).  The same holds for a file
 *   that exists but cannot be read.
 *
 * Values are never repaired: setters reject invalid input with -ERR_INVALID_ARGS and keep
 * the old value.  Strings are at most PREFS_STRING_MAX bytes of UTF-8 without control
 * characters (C0, DEL, C1); an empty string clears a value.  Gateway keys are the canonical
 * gateway URL text made by the caller with gateway_url_format() ("https://host[:port]/path";
 * here checked only for shape: https, a host, an optional port, RFC 3986 characters, no user
 * info or fragment, at most PREFS_GATEWAY_KEY_MAX bytes) and are compared exactly.  Pins are
 * checked here and by cert_pin_parse().
 *
 * Nothing here is thread-safe; one struct prefs belongs to one thread.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cleanup.h"

#define PREFS_FILE_MAX          (4u * 1024 * 1024) /* larger files are corrupt */
#define PREFS_PROFILE_MAX       (4u * 1024 * 1024) /* largest cached profile */
#define PREFS_STRING_MAX        1024               /* bytes, every free-text value */
#define PREFS_GATEWAY_KEY_MAX   2048               /* GATEWAY_URL_MAX_TEXT */
#define PREFS_PROFILE_URI_MAX   1024
#define PREFS_GATEWAYS_MAX      256
#define PREFS_PROFILES_MAX      16  /* per gateway */
#define PREFS_SERVERS_MAX       256 /* per gateway */
#define PREFS_UNKNOWN_MAX       32  /* unknown elements kept per parent element */
#define PREFS_UNKNOWN_ITEM_MAX  (16u * 1024)
#define PREFS_UNKNOWN_BYTES_MAX (256u * 1024)
#define PREFS_PROFILE_NAME_MAX  64 /* file name length in profiles/ */

struct prefs;
struct prefs_gateway;

enum prefs_load_status {
	/* prefs_load() not called (or prefs_set_path() only) */
	PREFS_LOAD_NONE = 0,
	/* file read, nothing dropped */
	PREFS_LOAD_OK,
	/* no file yet: defaults */
	PREFS_LOAD_MISSING,
	/* file read, some invalid entries were dropped (warnings logged) */
	PREFS_LOAD_DROPPED,
	/* file unusable: defaults; renamed aside (prefs_moved_aside_path()), or when that failed
	 * (NULL path) prefs_save() tries again and refuses rather than destroy it */
	PREFS_LOAD_CORRUPT,
	/* written by a newer version: defaults, file kept, prefs_save() refused */
	PREFS_LOAD_NEWER_VERSION,
	/* exists but cannot be read: defaults, file kept, prefs_save() refused */
	PREFS_LOAD_UNREADABLE,
};

struct prefs *prefs_new(void); /* defaults, no path yet; NULL on ENOMEM */
void prefs_free(struct prefs *p);
DEFINE_CLEANUP(struct prefs *, prefs_free)

/*
 * Loads @path, or with NULL the default location ($XDG_CONFIG_HOME if set and absolute, else
 * $HOME/.config, else the passwd entry's home, plus "/sslvpn/preferences.xml").  Replaces
 * everything @p held.  Returns 0 whenever the prefs are usable, which is every case above
 * (missing, corrupt, newer...: see prefs_load_status()); -ERR_NOMEM, or -ERR_PREFS when no
 * location can be found at all.  The file's directory and profiles dir are fixed from here on.
 */
int prefs_load(struct prefs *p, const char *path);
/* Uses @path (NULL: the default) for prefs_save() and the profile cache without reading it. */
int prefs_set_path(struct prefs *p, const char *path);
enum prefs_load_status prefs_load_status(const struct prefs *p);
/* After PREFS_LOAD_CORRUPT: where the bad file went (NULL if it could not be moved). */
const char *prefs_moved_aside_path(const struct prefs *p);
/* Number of entries or values dropped by the last load (0 unless PREFS_LOAD_DROPPED). */
unsigned prefs_dropped_count(const struct prefs *p);

/*
 * Writes the file atomically: "preferences.xml.tmp-XXXXXX" in the same directory (created
 * 0700 with missing parents if needed), created exclusively with mode 0600 (a symlink planted
 * at the name is never followed), written, fsync'd, renamed over the file, then the directory
 * fsync'd.  On failure the old file is unchanged and no temporary file is left.  Uses the
 * default location if no path was set.  Returns 0, -ERR_PREFS (I/O, or a file this build must
 * not overwrite, see above; a warning is logged), -ERR_TOO_LARGE, -ERR_NOMEM.
 */
int prefs_save(struct prefs *p);

const char *prefs_path(const struct prefs *p);         /* NULL before load/set_path/save */
const char *prefs_profiles_dir(const struct prefs *p); /* "<dir of the file>/profiles" */

/* ---- gateways ---- */

/*
 * The entry for @gateway_key; with @create a new empty entry is made when there is none.
 * NULL when there is none (and !@create), the key is invalid, PREFS_GATEWAYS_MAX entries
 * exist, or on ENOMEM.  The pointer stays valid until prefs_gateway_remove() of that entry,
 * the next prefs_load() or prefs_free().
 */
struct prefs_gateway *prefs_gateway(struct prefs *p, const char *gateway_key, bool create);
/* Removes the entry and deletes its cached profile files.  0 or -ERR_NOT_FOUND. */
int prefs_gateway_remove(struct prefs *p, const char *gateway_key);
/* The GUI's chooser: entries sorted by last use, newest first (never used last; ties by key). */
size_t prefs_gateway_count(const struct prefs *p);
struct prefs_gateway *prefs_gateway_at(struct prefs *p, size_t i); /* NULL when out of range */

const char *prefs_gateway_key(const struct prefs_gateway *g);
/* Getters return NULL for "not set".  Setters: NULL or "" clears; 0 or -ERR_INVALID_ARGS or
 * -ERR_NOMEM (the old value is kept on error). */
const char *prefs_gateway_get_pin(const struct prefs_gateway *g); /* "pin-sha256:<44 b64>" */
int prefs_gateway_set_pin(struct prefs_gateway *g, const char *pin);
void prefs_gateway_forget_pin(struct prefs_gateway *g);
/* The gateway's reported certificate SHA-1 (server-cert-hash / webvpnc sh:).  Either case is
 * accepted; it is stored and returned in upper case. */
const char *prefs_gateway_get_cert_sha1(const struct prefs_gateway *g);
int prefs_gateway_set_cert_sha1(struct prefs_gateway *g, const char *sha1_hex);
const char *prefs_gateway_get_last_group(const struct prefs_gateway *g);
int prefs_gateway_set_last_group(struct prefs_gateway *g, const char *group);
const char *prefs_gateway_get_last_user(const struct prefs_gateway *g);
int prefs_gateway_set_last_user(struct prefs_gateway *g, const char *user);
const char *prefs_gateway_get_display_name(const struct prefs_gateway *g);
int prefs_gateway_set_display_name(struct prefs_gateway *g, const char *name);
int64_t prefs_gateway_get_last_used(const struct prefs_gateway *g);             /* 0: never */
int prefs_gateway_set_last_used(struct prefs_gateway *g, int64_t unix_seconds); /* >= 0 */

/* ---- global (GUI) preferences ---- */

bool prefs_get_block_untrusted(const struct prefs *p); /* default true */
void prefs_set_block_untrusted(struct prefs *p, bool block);
const char *prefs_get_last_gateway(const struct prefs *p);            /* NULL if none */
int prefs_set_last_gateway(struct prefs *p, const char *gateway_key); /* NULL/"" clears */
bool prefs_get_use_dtls(const struct prefs *p);                       /* default true */
void prefs_set_use_dtls(struct prefs *p, bool use_dtls);
bool prefs_get_start_in_tray(const struct prefs *p); /* default false */
void prefs_set_start_in_tray(struct prefs *p, bool start_in_tray);

/* ---- profile cache ---- */

/*
 * The cached copy of the profile a gateway announced at @uri (the manifest's path text, or
 * the decoded webvpnc fu: value).  On 0, *@local_path (absolute, always inside
 * prefs_profiles_dir()) and *@sha1 (upper-case hex as recorded at store time) are malloc'd;
 * either pointer may be NULL.  -ERR_NOT_FOUND when nothing is recorded.  The file itself may
 * have gone or changed: compare prefs_profile_file_sha1() of it with the gateway's hash.
 */
int prefs_profile_lookup(const struct prefs *p, const char *gateway_key, const char *uri,
                         char **local_path, char **sha1);
/*
 * Writes @data atomically into the profiles dir (created 0700; the file 0600) and records
 * (gateway, uri) -> file, SHA-1 in the index (call prefs_save() to persist it).  The file
 * name is derived from the URI's last path segment, percent-decoded and reduced to
 * [A-Za-z0-9._-] (no leading dot, at most PREFS_PROFILE_NAME_MAX bytes, "profile" when
 * nothing is left); nothing the server sent is ever used as a path.  A name another index
 * entry uses gets a "-2", "-3"... suffix; storing the same (gateway, uri) again replaces its
 * file.  @sha1 (may be NULL) is the hash the gateway announced: if given, the data must match
 * it.  Returns 0, -ERR_INVALID_ARGS (bad key, URI or hash, or a hash mismatch),
 * -ERR_TOO_LARGE (> PREFS_PROFILE_MAX, or the caps), -ERR_PREFS (I/O), -ERR_NOMEM.
 */
int prefs_profile_store(struct prefs *p, const char *gateway_key, const char *uri, const void *data,
                        size_t len, const char *sha1);
/*
 * The rule every profile entry of a gateway's manifest (or its webvpnc cookie) meets before
 * anything acts on it, and that the cache applies to what it records: a URI of 1 to
 * PREFS_PROFILE_URI_MAX printable ASCII bytes without spaces, and a SHA-1 of exactly 40 hex
 * digits.  The login adds its own restrictions on the path (an absolute path on the gateway).
 */
bool prefs_profile_entry_valid(const char *uri, const char *sha1);
/* SHA-1 of a local file as 40 upper-case hex digits + NUL.  0, -ERR_NOT_FOUND, -ERR_IO (also
 * for anything but a regular file), -ERR_TOO_LARGE (> PREFS_PROFILE_MAX), -ERR_INTERNAL. */
int prefs_profile_file_sha1(const char *path, char out[41]);

/* ---- server list of the cached profile (ServerList/HostEntry) ---- */

/*
 * Replaces the gateway's server list (creating the gateway entry) with @n entries of display
 * name, host address and user group.  @names and @groups (or elements of them) may be NULL,
 * meaning empty; every address must be a non-empty valid string.  All or nothing:
 * -ERR_INVALID_ARGS for any invalid entry or key, -ERR_TOO_LARGE beyond PREFS_SERVERS_MAX.
 */
int prefs_set_server_list(struct prefs *p, const char *gateway_key, const char *const names[],
                          const char *const addresses[], const char *const groups[], size_t n);
size_t prefs_server_list_count(const struct prefs *p, const char *gateway_key);
/* Pointers stay valid until the list or the entry changes; name and group may be "". */
int prefs_server_list_at(const struct prefs *p, const char *gateway_key, size_t i,
                         const char **name, const char **address, const char **group);

/* ---- validators (shared with callers that want to check before setting) ---- */

bool prefs_validate_gateway_key(const char *key);
bool prefs_validate_pin(const char *pin);
bool prefs_validate_sha1_hex(const char *hex);
bool prefs_validate_string(const char *s);

/* ---- internal: for the fuzz target and unit tests only ---- */

/* Parses a preferences document from memory into @p (replacing its content; the path is not
 * touched and nothing is renamed).  0 when the document is usable (entries may have been
 * dropped: prefs_dropped_count()), -ERR_PREFS when it is corrupt as a whole (@p then holds
 * defaults), 1 when it is a newer version, -ERR_NOMEM.  @origin names it in warnings. */
int prefs_load_from_memory(struct prefs *p, const void *data, size_t len, const char *origin);
/* Deep equality of everything stored (not paths or load status). */
bool prefs_equal(const struct prefs *a, const struct prefs *b);
