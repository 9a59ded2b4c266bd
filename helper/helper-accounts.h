/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The two system accounts the helper needs (the worker's user, the netdev group), read from
 * /etc/passwd and /etc/group with libc's file parsers rather than through NSS: a root D-Bus
 * service then loads no NSS modules (systemd, LDAP, ... with their libraries), which keeps
 * code out of the privileged process and about 1 MiB out of its memory.  Both are local
 * system accounts (systemd-sysusers, adduser --system, groupadd), so the files are where they
 * live.
 */
#include <sys/types.h>

/* 0, or -ERR_NOT_FOUND; uid and gid of the named user. */
int helper_accounts_user(const char *name, uid_t *uid, gid_t *gid);
/* 0, or -ERR_NOT_FOUND. */
int helper_accounts_group(const char *name, gid_t *gid);
