/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The two privileged acts a connection starts with: creating its tun device, and starting its
 * unprivileged sslvpn-worker.
 *
 * The worker is exec'd with the helper's socket (SOCK_SEQPACKET, the other end of a
 * socketpair) as fd 3, the tun device as fd 4, /dev/null as fd 0, the helper's stdout and
 * stderr as fds 1 and 2 (its logs land where the helper's do), and no other fd.  Before the
 * exec the child drops every privilege: supplementary groups cleared, setresgid/setresuid to
 * the worker user (WORKER_USER from the build, else "nobody" with a warning; never root),
 * PR_SET_NO_NEW_PRIVS, parent-death signal SIGKILL, default signal dispositions, and an
 * environment holding only SSLVPN_DEBUG and the sanitizers' *SAN_OPTIONS.
 *
 * The worker program is LIBEXECDIR/sslvpn-worker, or $SSLVPN_WORKER (tests run the build
 * tree's; the helper's own environment comes from systemd or the bus daemon, never from a
 * user).
 */
#include <net/if.h>
#include <stdbool.h>
#include <sys/types.h>

#define HELPER_SPAWN_TUN_FD    4
#define HELPER_SPAWN_SOCKET_FD 3

/* Creates sslvpnN (IFF_TUN | IFF_NO_PI, plus IFF_VNET_HDR when vnet_hdr): the device lives as
 * long as some process holds *fd. */
int helper_spawn_tun(bool vnet_hdr, char ifname[IFNAMSIZ], int *ifindex, int *fd);

/* Forks and execs the worker; returns once the exec has succeeded (or failed: -ERR_INTERNAL,
 * logged).  *sock is the helper's end (non-blocking, close-on-exec). */
int helper_spawn_worker(int tun_fd, pid_t *pid, int *sock);

/* The user the worker runs as (resolved once, logged once when it falls back).  0 or
 * -ERR_INTERNAL when neither WORKER_USER nor nobody exists or it would be root. */
int helper_spawn_worker_user(uid_t *uid, gid_t *gid);
