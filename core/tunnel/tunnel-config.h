/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The IP configuration a gateway pushed in its CONNECT answer, as the worker parsed it and as
 * the helper receives it (typed, never as header text).  The helper validates it again with
 * tunnel_config_validate() before it touches the system.
 */
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cleanup.h"

/* Per route list (include4, exclude4, include6, exclude6).  Split-tunnel ACLs of a few
 * thousand entries are common; 4096 per list keeps the struct near 230 KiB and the worker's
 * WMSG_CONFIG within WORKER_MSG_MAX even with every list full. */
#define TUNNEL_CONFIG_MAX_ROUTES  4096
#define TUNNEL_CONFIG_MAX_DNS     8
#define TUNNEL_CONFIG_MAX_DOMAINS 16
#define TUNNEL_CONFIG_MAX_DOMAIN  253
#define TUNNEL_CONFIG_MAX_BANNER  8192

struct route4 {
	struct in_addr addr; /* host bits cleared */
	uint8_t prefix;      /* 0..32 */
};

struct route6 {
	struct in6_addr addr;
	uint8_t prefix; /* 0..128 */
};

struct tunnel_config {
	bool has_addr4;
	struct in_addr addr4;
	uint8_t prefix4;
	bool has_addr6;
	struct in6_addr addr6;
	uint8_t prefix6;

	uint32_t mtu;      /* X-CSTP-MTU: the MTU while data goes over TLS */
	uint32_t dtls_mtu; /* tun MTU while DTLS carries data; 0 = no DTLS */
	uint32_t base_mtu; /* X-CSTP-Base-MTU, 0 if absent */

	unsigned n_dns4, n_dns6;
	struct in_addr dns4[TUNNEL_CONFIG_MAX_DNS];
	struct in6_addr dns6[TUNNEL_CONFIG_MAX_DNS];
	unsigned n_domains;
	char domains[TUNNEL_CONFIG_MAX_DOMAINS][TUNNEL_CONFIG_MAX_DOMAIN + 1];

	/* No include route of a family means: everything of that family into the tunnel. */
	unsigned n_include4, n_exclude4, n_include6, n_exclude6;
	struct route4 include4[TUNNEL_CONFIG_MAX_ROUTES];
	struct route4 exclude4[TUNNEL_CONFIG_MAX_ROUTES];
	struct route6 include6[TUNNEL_CONFIG_MAX_ROUTES];
	struct route6 exclude6[TUNNEL_CONFIG_MAX_ROUTES];

	char banner[TUNNEL_CONFIG_MAX_BANNER + 1]; /* %XX-decoded X-CSTP-Banner, UTF-8 */

	/*
	 * An address the gateway sent that this host cannot use, while the other family works
	 * (tunnel_config_drop_unusable()): that family is left out of the tunnel, and its
	 * address is kept here only so that the user can be told.
	 */
	bool dropped4;
	struct in_addr dropped_addr4;
	uint8_t dropped_prefix4;
	bool dropped6;
	struct in6_addr dropped_addr6;
	uint8_t dropped_prefix6;
};

/* The struct is large (routes): allocate it.  new() returns it zeroed (NULL on ENOMEM). */
struct tunnel_config *tunnel_config_new(void);
void tunnel_config_free(struct tunnel_config *cfg);
DEFINE_CLEANUP(struct tunnel_config *, tunnel_config_free)

/*
 * One family's address is unusable when it lies in a range below (IPv4: 0/8, 127/8,
 * 169.254/16, 224/4, 240/4; IPv6: ::, ::1, fe80::/10, ff00::/8, ::ffff:0:0/96), its prefix is
 * out of range (IPv4 8..32, IPv6 16..128), or, for IPv6, the MTU is a valid IPv4 MTU below
 * IPv6's 1280.  Gateways do send such addresses: ocserv's own test configurations hand out a
 * link-local IPv6 pool (`ipv6-network = fe80::`).
 *
 * Rule: an unusable address costs its own family only, never the other.  When the other
 * family has a usable address, tunnel_config_drop_unusable() leaves the unusable family out
 * of the tunnel: its address moves to dropped4/dropped6, and its routes and DNS servers are
 * cleared (they could only be reached through that family inside the tunnel; a DNS server
 * left in place would be queried outside it).  Everything else stays.  When neither family
 * is usable it changes nothing and tunnel_config_validate() refuses the configuration.
 * Problems that are not a family's (a bad MTU, an include route into a special range, a
 * hostile banner) are never repaired.
 */
void tunnel_config_drop_unusable(struct tunnel_config *cfg);

/* The one-line English warning for a family tunnel_config_drop_unusable() left out (family
 * AF_INET or AF_INET6) into buf; false (buf empty) when that family was not dropped. */
bool tunnel_config_dropped_text(const struct tunnel_config *cfg, int family, char *buf,
                                size_t len);

/*
 * Everything the helper must know before it applies a configuration.  Returns 0, or
 * -ERR_PROTOCOL with a one-line English reason in why (if given):
 *  - at least one address, every address usable (above);
 *  - a dropped family: its address is indeed unusable, it has no address, route or DNS
 *    server in the tunnel, and the other family has an address;
 *  - mtu 576..9000, and >= 1280 with an IPv6 address; dtls_mtu 0 or the same range;
 *    base_mtu 0 or 576..65535;
 *  - counts within the TUNNEL_CONFIG_MAX_* caps; DNS servers not unspecified, loopback or
 *    multicast (nor IPv4 broadcast);
 *  - domains: NUL-terminated in their buffer, tunnel_config_domain_valid();
 *  - routes: prefix in range, host bits clear; an include route may not lie inside 0/8,
 *    127/8, 169.254/16, 224/4, 240/4 (IPv6: ::/128, ::1/128, fe80::/10, ff00::/8,
 *    ::ffff:0:0/96), since it would capture this host's own or link-local traffic;
 *  - banner: NUL-terminated, valid UTF-8, no control characters but TAB, CR and LF.
 * Routes that would capture the gateway's own address are the helper's to check (it knows
 * the address): tunnel_config_route4_contains() / _route6_contains() help.
 */
int tunnel_config_validate(const struct tunnel_config *cfg, char *why, size_t len);

/* Same content (every field, arrays compared up to their counts). */
bool tunnel_config_equal(const struct tunnel_config *a, const struct tunnel_config *b);
/* Same tunnel addresses and prefixes (compared after a reconnect:
 * docs/protocol.md "Pitfall: a reconnect may bring other addresses"). */
bool tunnel_config_same_addresses(const struct tunnel_config *a, const struct tunnel_config *b);

/* DNS name syntax: 1..253 bytes, dot-separated labels of 1..63 letters, digits, '-' and '_',
 * no label starting or ending with '-', no empty label, no trailing dot. */
bool tunnel_config_domain_valid(const char *name);

/* Prefix length of a contiguous netmask, or -1. */
int tunnel_config_mask4_prefix(struct in_addr mask);
int tunnel_config_mask6_prefix(const struct in6_addr *mask);
/* Clears the bits beyond prefix; returns true if any was set. */
bool tunnel_config_clear_host4(struct in_addr *addr, unsigned prefix);
bool tunnel_config_clear_host6(struct in6_addr *addr, unsigned prefix);
/* Is addr inside the route? */
bool tunnel_config_route4_contains(const struct route4 *r, struct in_addr addr);
bool tunnel_config_route6_contains(const struct route6 *r, const struct in6_addr *addr);
