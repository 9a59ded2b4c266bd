/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The few rtnetlink operations the helper needs, over libmnl (no `ip`, no shell).  Every call
 * is one synchronous request/acknowledgement with the kernel.
 *
 * Adds return 0 when they changed something and 1 when the object already existed (the caller
 * then must not record it for undo: it was not ours); deletes return 0 also when the object is
 * already gone (its device vanished, say).  Errors are -ERR_NETWORK_CONFIG (logged here with
 * the kernel's reason) or -ERR_NOMEM.
 */
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "cleanup.h"

/* The rtm_protocol of every route the helper adds, so that its routes can be told from
 * everyone else's: a helper that died without undoing its changes (kill -9, the OOM killer)
 * leaves routes behind, and the next one removes exactly these (helper_rtnl_route_sweep).
 * Outside the numbers iproute2's rt_protos assigns. */
#define HELPER_RTNL_PROTO 0xa6

union helper_rtnl_addr {
	struct in_addr v4;
	struct in6_addr v6;
	uint8_t bytes[16];
};

struct helper_rtnl_route {
	int family; /* AF_INET or AF_INET6 */
	union helper_rtnl_addr dst;
	uint8_t dst_len;
	bool has_gateway;
	union helper_rtnl_addr gateway;
	int oif;        /* 0 = unspecified */
	uint8_t type;   /* RTN_*: filled by helper_rtnl_route_get(); adds use RTN_UNICAST */
	uint32_t table; /* 0 = main */
};

struct helper_rtnl;

struct helper_rtnl *helper_rtnl_new(void); /* NULL with a log message on failure */
void helper_rtnl_free(struct helper_rtnl *r);

int helper_rtnl_link_get(struct helper_rtnl *r, int ifindex, bool *up, uint32_t *mtu);
/* mtu 0 leaves the MTU alone. */
int helper_rtnl_link_set(struct helper_rtnl *r, int ifindex, bool up, uint32_t mtu);
int helper_rtnl_addr_add(struct helper_rtnl *r, int ifindex, int family,
                         const union helper_rtnl_addr *addr, uint8_t prefix);
int helper_rtnl_addr_del(struct helper_rtnl *r, int ifindex, int family,
                         const union helper_rtnl_addr *addr, uint8_t prefix);
int helper_rtnl_route_add(struct helper_rtnl *r, const struct helper_rtnl_route *route);
int helper_rtnl_route_del(struct helper_rtnl *r, const struct helper_rtnl_route *route);
/* What the kernel would do now with a packet to dst (like `ip route get`): -ERR_NOT_FOUND when
 * it is unreachable. */
int helper_rtnl_route_get(struct helper_rtnl *r, int family, const union helper_rtnl_addr *dst,
                          struct helper_rtnl_route *out);

/* Deletes every route of HELPER_RTNL_PROTO, in every table and family: what a helper that is
 * gone left behind.  Returns how many it removed, or -ERR_*. */
int helper_rtnl_route_sweep(struct helper_rtnl *r);

/* "net/prefix" into buf (at least 64 bytes). */
const char *helper_rtnl_format(int family, const union helper_rtnl_addr *a, int prefix, char *buf,
                               size_t len);

DEFINE_CLEANUP(struct helper_rtnl *, helper_rtnl_free)
