/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Applies a validated tunnel_config to the system (addresses, MTU, link state, routes) and
 * keeps an undo log of exactly the changes it made, so that helper_netcfg_undo() restores the
 * routing tables and the tun device to what they were, whether the tunnel ends normally, the
 * worker dies, or the helper is told to stop.
 *
 * Routing (docs/protocol.md "The CONNECT answer headers"): the gateway's own address and every
 * excluded network get a route through the path the system used before (looked up with RTM_GETROUTE
 * before anything changes); included networks go into the tun device; a family without any include
 * route is tunnelled whole, as two halves (0.0.0.0/1 + 128.0.0.0/1, ::/1 + 8000::/1) that beat the
 * default route without replacing it.  Routes of a family the tunnel has no address for are not
 * installed.
 */
#include <stdbool.h>
#include <stddef.h>

#include "cleanup.h"
#include "helper-rtnl.h"
#include "tunnel-config.h"

struct helper_netcfg_route {
	int family;
	union helper_rtnl_addr dst;
	uint8_t prefix;
	bool via_tun; /* else via the path the system used before */
};

/*
 * The helper's own checks on top of tunnel_config_validate(): the gateway's address must not
 * be the tunnel's, nor be captured by a host route into the tunnel.  0 or -ERR_PROTOCOL with a
 * reason in why.
 */
int helper_netcfg_check(const struct tunnel_config *cfg, int gw_family,
                        const union helper_rtnl_addr *gw, char *why, size_t len);

/* The routes helper_netcfg_apply() adds, in the order it adds them (pure; unit-tested).
 * *out is malloc'd. */
int helper_netcfg_plan(const struct tunnel_config *cfg, int gw_family,
                       const union helper_rtnl_addr *gw, struct helper_netcfg_route **out,
                       size_t *n);

/* What the Routes property shows: "net/prefix" of every tunnelled network (a whole family as
 * "0.0.0.0/0" / "::/0"), then "!net/prefix" for every excluded one.  NULL-terminated. */
char **helper_netcfg_route_strings(const struct tunnel_config *cfg);

struct helper_netcfg;

struct helper_netcfg *helper_netcfg_new(struct helper_rtnl *rtnl, int ifindex);
void helper_netcfg_free(struct helper_netcfg *n); /* forgets; does not undo */

/* Brings the link up with this MTU, adds the addresses and the routes.  On failure the
 * changes made so far stay in the log: call helper_netcfg_undo(). */
int helper_netcfg_apply(struct helper_netcfg *n, const struct tunnel_config *cfg, int gw_family,
                        const union helper_rtnl_addr *gw, uint32_t mtu);
int helper_netcfg_set_mtu(struct helper_netcfg *n, uint32_t mtu);
/* Reverts every logged change, newest first; failures are logged and skipped. */
void helper_netcfg_undo(struct helper_netcfg *n);

DEFINE_CLEANUP(struct helper_netcfg *, helper_netcfg_free)
