/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The IP configuration a gateway pushed in its CONNECT answer, as the worker parsed it and as
 * the helper receives it (typed, never as header text).  The helper validates it again with
 * tunnel_config_validate() before it touches the system.
 */
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#define TUNNEL_CONFIG_MAX_ROUTES  512
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
};
