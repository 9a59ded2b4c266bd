/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * DNS servers and search domains of a tunnel.
 *
 * With systemd-resolved on the bus: per-link settings over its D-Bus API (SetLinkDNS,
 * SetLinkDomains, with the routing domain "~." when a whole address family goes into the
 * tunnel), reverted with RevertLink.  The calls are asynchronous; failures are logged.
 *
 * Otherwise /etc/resolv.conf (through a symlink if it is one; the link itself is never
 * touched): the original bytes, mode and owner are kept in memory and in STATE_DIR (so that a
 * helper that died can be cleaned up after by the next one), our text is written in place
 * (the inode stays, so bind mounts and other holders keep working), and undo writes the
 * original back byte for byte, unless somebody else rewrote the file meanwhile: then their
 * version wins and we only say so.
 */
#include <dbus/dbus.h>
#include <stddef.h>

#include "cleanup.h"
#include "tunnel-config.h"

#define HELPER_DNS_RESOLV_CONF "/etc/resolv.conf"
#define HELPER_DNS_STATE_DIR   "/run/sslvpn"
#define HELPER_DNS_MAX_FILE    (64 * 1024)
#define HELPER_DNS_MAX_SERVERS 3 /* glibc's MAXNS */

struct helper_dns;

/* bus may be NULL (resolv.conf only). */
struct helper_dns *helper_dns_new(DBusConnection *bus, const char *resolv_conf,
                                  const char *state_dir);
void helper_dns_free(struct helper_dns *d); /* forgets; does not undo */

/* Nothing to do (0) when the gateway pushed neither servers nor domains. */
int helper_dns_apply(struct helper_dns *d, int ifindex, const char *ifname,
                     const struct tunnel_config *cfg);
void helper_dns_undo(struct helper_dns *d);

/* At start-up: restores the original a previous helper left in state_dir, if resolv.conf still
 * holds what that helper wrote. */
void helper_dns_recover(const char *resolv_conf, const char *state_dir);

/* The resolv.conf text for cfg, given the original text (pure; unit-tested).  NULL on
 * ENOMEM. */
char *helper_dns_resolv_conf_text(const char *original, size_t len, const struct tunnel_config *cfg,
                                  const char *ifname);

DEFINE_CLEANUP(struct helper_dns *, helper_dns_free)
