// SPDX-License-Identifier: GPL-2.0-or-later
#include "helper-dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "file-write.h"
#include "log.h"

#define RESOLVED_NAME  "org.freedesktop.resolve1"
#define RESOLVED_PATH  "/org/freedesktop/resolve1"
#define RESOLVED_IFACE "org.freedesktop.resolve1.Manager"

enum dns_mode {
	DNS_NONE,
	DNS_RESOLVED,
	DNS_RESOLV_CONF,
};

struct helper_dns {
	DBusConnection *bus;
	char *resolv_conf;
	char *state_dir;
	enum dns_mode mode;
	int ifindex;
	/* resolv.conf mode */
	char *original;
	size_t original_len;
	char *ours;
	size_t ours_len;
	mode_t st_mode;
	uid_t st_uid;
	gid_t st_gid;
};

struct helper_dns *helper_dns_new(DBusConnection *bus, const char *resolv_conf,
                                  const char *state_dir)
{
	struct helper_dns *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->resolv_conf = strdup(resolv_conf);
	d->state_dir = strdup(state_dir);
	if (!d->resolv_conf || !d->state_dir) {
		helper_dns_free(d);
		return NULL;
	}
	if (bus)
		d->bus = dbus_connection_ref(bus);
	return d;
}

void helper_dns_free(struct helper_dns *d)
{
	if (!d)
		return;
	if (d->bus)
		dbus_connection_unref(d->bus);
	free(d->resolv_conf);
	free(d->state_dir);
	free(d->original);
	free(d->ours);
	free(d);
}

static bool family_is_whole(const struct tunnel_config *cfg)
{
	bool v4 = cfg->has_addr4 && cfg->n_include4 == 0;
	bool v6 = cfg->has_addr6 && cfg->n_include6 == 0;

	for (unsigned i = 0; cfg->has_addr4 && i < cfg->n_include4; i++)
		v4 = v4 || cfg->include4[i].prefix == 0;
	for (unsigned i = 0; cfg->has_addr6 && i < cfg->n_include6; i++)
		v6 = v6 || cfg->include6[i].prefix == 0;
	return v4 || v6;
}

/* ------------------------------------------------------------------------------------------ */
/* systemd-resolved */

static void resolved_reply(DBusPendingCall *pending, void *data)
{
	const char *what = data;
	DBusMessage *reply = dbus_pending_call_steal_reply(pending);

	if (reply && dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_ERROR) {
		const char *msg = NULL;

		dbus_message_get_args(reply, NULL, DBUS_TYPE_STRING, &msg, DBUS_TYPE_INVALID);
		log_warning("systemd-resolved %s: %s: %s", what, dbus_message_get_error_name(reply),
		            msg ? msg : "");
	}
	if (reply)
		dbus_message_unref(reply);
	dbus_pending_call_unref(pending);
}

static int resolved_send(struct helper_dns *d, DBusMessage *m, const char *what)
{
	DBusPendingCall *pending = NULL;

	if (!dbus_connection_send_with_reply(d->bus, m, &pending, 10000) || !pending)
		return -ERR_NOMEM;
	if (!dbus_pending_call_set_notify(pending, resolved_reply, (void *)what, NULL)) {
		dbus_pending_call_cancel(pending);
		dbus_pending_call_unref(pending);
		return -ERR_NOMEM;
	}
	return 0;
}

static bool append_dns_entry(DBusMessageIter *arr, int family, const void *addr)
{
	DBusMessageIter st, bytes;
	int32_t fam = family;
	const unsigned char *p = addr;

	return dbus_message_iter_open_container(arr, DBUS_TYPE_STRUCT, NULL, &st) &&
	       dbus_message_iter_append_basic(&st, DBUS_TYPE_INT32, &fam) &&
	       dbus_message_iter_open_container(&st, DBUS_TYPE_ARRAY, "y", &bytes) &&
	       dbus_message_iter_append_fixed_array(&bytes, DBUS_TYPE_BYTE, &p,
	                                            family == AF_INET ? 4 : 16) &&
	       dbus_message_iter_close_container(&st, &bytes) &&
	       dbus_message_iter_close_container(arr, &st);
}

static bool append_domain(DBusMessageIter *arr, const char *name, dbus_bool_t routing_only)
{
	DBusMessageIter st;

	return dbus_message_iter_open_container(arr, DBUS_TYPE_STRUCT, NULL, &st) &&
	       dbus_message_iter_append_basic(&st, DBUS_TYPE_STRING, &name) &&
	       dbus_message_iter_append_basic(&st, DBUS_TYPE_BOOLEAN, &routing_only) &&
	       dbus_message_iter_close_container(arr, &st);
}

static int resolved_apply(struct helper_dns *d, const struct tunnel_config *cfg)
{
	DBusMessage *m;
	DBusMessageIter it, arr;
	int32_t idx = d->ifindex;
	bool ok;
	int r;

	m = dbus_message_new_method_call(RESOLVED_NAME, RESOLVED_PATH, RESOLVED_IFACE,
	                                 "SetLinkDNS");
	if (!m)
		return -ERR_NOMEM;
	dbus_message_iter_init_append(m, &it);
	ok = dbus_message_iter_append_basic(&it, DBUS_TYPE_INT32, &idx) &&
	     dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "(iay)", &arr);
	for (unsigned i = 0; ok && i < cfg->n_dns4; i++)
		ok = append_dns_entry(&arr, AF_INET, &cfg->dns4[i]);
	for (unsigned i = 0; ok && i < cfg->n_dns6; i++)
		ok = append_dns_entry(&arr, AF_INET6, &cfg->dns6[i]);
	ok = ok && dbus_message_iter_close_container(&it, &arr);
	r = ok ? resolved_send(d, m, "SetLinkDNS") : -ERR_NOMEM;
	dbus_message_unref(m);
	if (r < 0)
		return r;

	m = dbus_message_new_method_call(RESOLVED_NAME, RESOLVED_PATH, RESOLVED_IFACE,
	                                 "SetLinkDomains");
	if (!m)
		return -ERR_NOMEM;
	dbus_message_iter_init_append(m, &it);
	ok = dbus_message_iter_append_basic(&it, DBUS_TYPE_INT32, &idx) &&
	     dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "(sb)", &arr);
	for (unsigned i = 0; ok && i < cfg->n_domains; i++)
		ok = append_domain(&arr, cfg->domains[i], FALSE);
	/* A whole family in the tunnel: every name is looked up through the tunnel's DNS. */
	if (ok && family_is_whole(cfg) && cfg->n_dns4 + cfg->n_dns6 > 0)
		ok = append_domain(&arr, ".", TRUE);
	ok = ok && dbus_message_iter_close_container(&it, &arr);
	r = ok ? resolved_send(d, m, "SetLinkDomains") : -ERR_NOMEM;
	dbus_message_unref(m);
	return r;
}

static void resolved_undo(struct helper_dns *d)
{
	DBusMessage *m = dbus_message_new_method_call(RESOLVED_NAME, RESOLVED_PATH, RESOLVED_IFACE,
	                                              "RevertLink");
	int32_t idx = d->ifindex;

	if (!m)
		return;
	if (dbus_message_append_args(m, DBUS_TYPE_INT32, &idx, DBUS_TYPE_INVALID))
		resolved_send(d, m, "RevertLink");
	dbus_message_unref(m);
	log_info("DNS settings of link %d reverted in systemd-resolved", d->ifindex);
}

/* ------------------------------------------------------------------------------------------ */
/* resolv.conf */

static bool line_starts(const char *line, size_t len, const char *word)
{
	size_t w = strlen(word);

	return len > w && strncmp(line, word, w) == 0 && (line[w] == ' ' || line[w] == '\t');
}

/* Copies the original's lines that start with word (verbatim, or only what follows the word
 * when rest_only).  Lines holding a NUL are skipped: the file is not ours to repair. */
static void copy_lines(FILE *f, const char *original, size_t len, const char *word, bool rest_only)
{
	for (size_t pos = 0; pos < len;) {
		const char *line = original + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - line) : len - pos;

		pos += l + (nl ? 1 : 0);
		if (memchr(line, '\0', l) || !line_starts(line, l, word))
			continue;
		if (rest_only)
			fprintf(f, "%.*s", (int)(l - strlen(word)), line + strlen(word));
		else
			fprintf(f, "%.*s\n", (int)l, line);
	}
}

char *helper_dns_resolv_conf_text(const char *original, size_t len, const struct tunnel_config *cfg,
                                  const char *ifname)
{
	char *text = NULL;
	size_t text_len = 0;
	unsigned servers = 0;
	FILE *f = open_memstream(&text, &text_len);

	if (!f)
		return NULL;
	fprintf(f,
	        "# Written by sslvpn-helper for the VPN on %s; the original comes back when it "
	        "disconnects.\n",
	        ifname);
	for (unsigned i = 0; i < cfg->n_dns4 && servers < HELPER_DNS_MAX_SERVERS; i++, servers++) {
		char buf[INET6_ADDRSTRLEN];

		fprintf(f, "nameserver %s\n", inet_ntop(AF_INET, &cfg->dns4[i], buf, sizeof(buf)));
	}
	for (unsigned i = 0; i < cfg->n_dns6 && servers < HELPER_DNS_MAX_SERVERS; i++, servers++) {
		char buf[INET6_ADDRSTRLEN];

		fprintf(f, "nameserver %s\n", inet_ntop(AF_INET6, &cfg->dns6[i], buf, sizeof(buf)));
	}
	/* Domains only: the system's servers stay. */
	if (servers == 0)
		copy_lines(f, original, len, "nameserver", false);
	if (cfg->n_domains > 0) {
		/* Ours first, then the original search list. */
		fputs("search", f);
		for (unsigned i = 0; i < cfg->n_domains; i++)
			fprintf(f, " %s", cfg->domains[i]);
		copy_lines(f, original, len, "search", true);
		copy_lines(f, original, len, "domain", true);
		fputc('\n', f);
	} else {
		copy_lines(f, original, len, "search", false);
		copy_lines(f, original, len, "domain", false);
	}
	copy_lines(f, original, len, "options", false);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static int read_all(int fd, char **out, size_t *out_len)
{
	_cleanup_free_ char *buf = malloc(HELPER_DNS_MAX_FILE + 1);
	size_t n = 0;

	if (!buf)
		return -ERR_NOMEM;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -ERR_IO;
	for (;;) {
		ssize_t r = read(fd, buf + n, HELPER_DNS_MAX_FILE + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -ERR_IO;
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > HELPER_DNS_MAX_FILE)
			return -ERR_TOO_LARGE;
	}
	buf[n] = '\0';
	*out = steal_ptr(&buf);
	*out_len = n;
	return 0;
}

static char *state_path(const char *dir, const char *name)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		return NULL;
	return p;
}

static int write_state_file(const char *dir, const char *name, const char *data, size_t len,
                            const struct stat *meta)
{
	_cleanup_free_ char *path = state_path(dir, name);
	_cleanup_close_ int fd = -1;
	int r;

	if (!path)
		return -ERR_NOMEM;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_error("cannot write %s: %m", path);
		return -ERR_IO;
	}
	r = file_write_at_start(fd, data, len);
	/* The backup carries the original's mode and owner, for a later helper to restore. */
	if (r == 0 && meta &&
	    (fchown(fd, meta->st_uid, meta->st_gid) < 0 || fchmod(fd, meta->st_mode & 07777) < 0))
		r = -ERR_IO;
	if (r < 0)
		log_error("cannot write %s: %m", path);
	return r;
}

static void remove_state_files(const char *dir)
{
	_cleanup_free_ char *orig = state_path(dir, "resolv.conf.orig");
	_cleanup_free_ char *ours = state_path(dir, "resolv.conf.ours");

	if (orig)
		unlink(orig);
	if (ours)
		unlink(ours);
}

/* Writes original back if the file still holds ours.  Returns 0, or 1 when it was left. */
static int restore_file(const char *resolv_conf, const char *original, size_t original_len,
                        const char *ours, size_t ours_len, mode_t mode, uid_t uid, gid_t gid)
{
	_cleanup_close_ int fd = open(resolv_conf, O_RDWR | O_CLOEXEC);
	_cleanup_free_ char *now = NULL;
	size_t now_len = 0;
	struct stat st;
	int r;

	if (fd < 0 || fstat(fd, &st) < 0) {
		log_error("cannot open %s to restore it: %m", resolv_conf);
		return -ERR_IO;
	}
	r = read_all(fd, &now, &now_len);
	if (r < 0)
		return r;
	if (now_len != ours_len || memcmp(now, ours, ours_len) != 0) {
		log_warning("%s was changed by someone else while the VPN was up; leaving their "
		            "version",
		            resolv_conf);
		return 1;
	}
	r = file_write_at_start(fd, original, original_len);
	if (r < 0) {
		log_error("cannot restore %s: %m", resolv_conf);
		return r;
	}
	if ((st.st_uid != uid || st.st_gid != gid) && fchown(fd, uid, gid) < 0)
		log_warning("cannot restore the owner of %s: %m", resolv_conf);
	if ((st.st_mode & 07777) != (mode & 07777) && fchmod(fd, mode & 07777) < 0)
		log_warning("cannot restore the mode of %s: %m", resolv_conf);
	return 0;
}

static int resolv_conf_apply(struct helper_dns *d, const char *ifname,
                             const struct tunnel_config *cfg)
{
	_cleanup_close_ int fd = open(d->resolv_conf, O_RDWR | O_CLOEXEC);
	_cleanup_free_ char *original = NULL, *ours = NULL;
	size_t original_len = 0;
	struct stat st;
	int r;

	if (fd < 0 || fstat(fd, &st) < 0) {
		log_error("cannot open %s: %m", d->resolv_conf);
		return -ERR_NETWORK_CONFIG;
	}
	if (!S_ISREG(st.st_mode)) {
		log_error("%s is not a regular file", d->resolv_conf);
		return -ERR_NETWORK_CONFIG;
	}
	r = read_all(fd, &original, &original_len);
	if (r < 0) {
		log_error("cannot read %s: %s", d->resolv_conf, error_text(r));
		return -ERR_NETWORK_CONFIG;
	}
	ours = helper_dns_resolv_conf_text(original, original_len, cfg, ifname);
	if (!ours)
		return -ERR_NOMEM;

	/* The backup reaches the disk before the file changes. */
	if (mkdir(d->state_dir, 0700) < 0 && errno != EEXIST) {
		log_error("cannot create %s: %m", d->state_dir);
		return -ERR_NETWORK_CONFIG;
	}
	if (write_state_file(d->state_dir, "resolv.conf.orig", original, original_len, &st) < 0 ||
	    write_state_file(d->state_dir, "resolv.conf.ours", ours, strlen(ours), NULL) < 0) {
		remove_state_files(d->state_dir);
		return -ERR_NETWORK_CONFIG;
	}
	r = file_write_at_start(fd, ours, strlen(ours));
	if (r < 0) {
		log_error("cannot write %s: %m", d->resolv_conf);
		/* Half-written: put the original back at once. */
		file_write_at_start(fd, original, original_len);
		remove_state_files(d->state_dir);
		return -ERR_NETWORK_CONFIG;
	}
	d->ours_len = strlen(ours);
	d->ours = steal_ptr(&ours);
	d->original_len = original_len;
	d->original = steal_ptr(&original);
	d->st_mode = st.st_mode;
	d->st_uid = st.st_uid;
	d->st_gid = st.st_gid;
	log_info("%s written for %s", d->resolv_conf, ifname);
	return 0;
}

static void resolv_conf_undo(struct helper_dns *d)
{
	if (restore_file(d->resolv_conf, d->original, d->original_len, d->ours, d->ours_len,
	                 d->st_mode, d->st_uid, d->st_gid) == 0)
		log_info("%s restored", d->resolv_conf);
	remove_state_files(d->state_dir);
	free(d->original);
	free(d->ours);
	d->original = d->ours = NULL;
}

/* ------------------------------------------------------------------------------------------ */

int helper_dns_apply(struct helper_dns *d, int ifindex, const char *ifname,
                     const struct tunnel_config *cfg)
{
	int r;

	if (d->mode != DNS_NONE)
		return -ERR_BUSY;
	if (cfg->n_dns4 + cfg->n_dns6 == 0 && cfg->n_domains == 0)
		return 0;
	d->ifindex = ifindex;
	/* The bus daemon answers this one at once; resolved itself is only called
	 * asynchronously. */
	if (d->bus && dbus_bus_name_has_owner(d->bus, RESOLVED_NAME, NULL)) {
		d->mode = DNS_RESOLVED;
		r = resolved_apply(d, cfg);
		log_info("DNS for %s handed to systemd-resolved", ifname);
		return r;
	}
	r = resolv_conf_apply(d, ifname, cfg);
	if (r == 0)
		d->mode = DNS_RESOLV_CONF;
	return r;
}

void helper_dns_undo(struct helper_dns *d)
{
	if (d->mode == DNS_RESOLVED)
		resolved_undo(d);
	else if (d->mode == DNS_RESOLV_CONF)
		resolv_conf_undo(d);
	d->mode = DNS_NONE;
}

void helper_dns_recover(const char *resolv_conf, const char *state_dir)
{
	_cleanup_free_ char *orig_path = state_path(state_dir, "resolv.conf.orig");
	_cleanup_free_ char *ours_path = state_path(state_dir, "resolv.conf.ours");
	_cleanup_free_ char *original = NULL, *ours = NULL;
	_cleanup_close_ int ofd = -1;
	_cleanup_close_ int wfd = -1;
	size_t original_len = 0, ours_len = 0;
	struct stat st;

	if (!orig_path || !ours_path)
		return;
	ofd = open(orig_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (ofd < 0)
		return;
	wfd = open(ours_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (wfd >= 0 && fstat(ofd, &st) == 0 && read_all(ofd, &original, &original_len) == 0 &&
	    read_all(wfd, &ours, &ours_len) == 0) {
		log_notice("a previous helper left %s changed; restoring it", resolv_conf);
		restore_file(resolv_conf, original, original_len, ours, ours_len, st.st_mode,
		             st.st_uid, st.st_gid);
	}
	remove_state_files(state_dir);
}
