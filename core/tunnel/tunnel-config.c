// SPDX-License-Identifier: GPL-2.0-or-later
#include "tunnel-config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "utf8.h"
#include "mtu.h"

struct tunnel_config *tunnel_config_new(void)
{
	return calloc(1, sizeof(struct tunnel_config));
}

void tunnel_config_free(struct tunnel_config *cfg)
{
	free(cfg);
}

static uint32_t tunnel_config_mask_bits(unsigned prefix)
{
	return prefix == 0 ? 0 : prefix >= 32 ? 0xffffffffu : ~(0xffffffffu >> prefix);
}

int tunnel_config_mask4_prefix(struct in_addr mask)
{
	uint32_t m = ntohl(mask.s_addr);
	int prefix = 0;

	while (prefix < 32 && (m & (0x80000000u >> prefix)))
		prefix++;
	return m == tunnel_config_mask_bits((unsigned)prefix) ? prefix : -1;
}

int tunnel_config_mask6_prefix(const struct in6_addr *mask)
{
	int prefix = 0, i = 0;

	while (i < 16 && mask->s6_addr[i] == 0xff) {
		prefix += 8;
		i++;
	}
	if (i < 16) {
		uint8_t b = mask->s6_addr[i];
		int bits = 0;

		while (bits < 8 && (b & (0x80 >> bits)))
			bits++;
		if (b != (uint8_t)(0xff00 >> bits))
			return -1;
		prefix += bits;
		for (i++; i < 16; i++)
			if (mask->s6_addr[i])
				return -1;
	}
	return prefix;
}

bool tunnel_config_clear_host4(struct in_addr *addr, unsigned prefix)
{
	uint32_t a = ntohl(addr->s_addr), m = tunnel_config_mask_bits(prefix);

	addr->s_addr = htonl(a & m);
	return (a & ~m) != 0;
}

bool tunnel_config_clear_host6(struct in6_addr *addr, unsigned prefix)
{
	bool had = false;

	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = prefix >= (i + 1) * 8 ? 8 : prefix > i * 8 ? prefix - i * 8 : 0;
		uint8_t m = (uint8_t)(0xff00 >> keep);

		if (addr->s6_addr[i] & ~m)
			had = true;
		addr->s6_addr[i] &= m;
	}
	return had;
}

bool tunnel_config_route4_contains(const struct route4 *r, struct in_addr addr)
{
	uint32_t m = tunnel_config_mask_bits(r->prefix > 32 ? 32 : r->prefix);

	return (ntohl(addr.s_addr) & m) == (ntohl(r->addr.s_addr) & m);
}

bool tunnel_config_route6_contains(const struct route6 *r, const struct in6_addr *addr)
{
	struct in6_addr a = *addr, n = r->addr;
	unsigned prefix = r->prefix > 128 ? 128 : r->prefix;

	tunnel_config_clear_host6(&a, prefix);
	tunnel_config_clear_host6(&n, prefix);
	return memcmp(&a, &n, sizeof(a)) == 0;
}

/* Ranges no address, DNS server or include route of ours may fall into. */
static const struct {
	uint32_t net;
	uint8_t prefix;
	const char *name;
} tunnel_config_special4[] = {
    {0x00000000, 8, "0.0.0.0/8"}, {0x7f000000, 8, "loopback"}, {0xa9fe0000, 16, "link-local"},
    {0xe0000000, 4, "multicast"}, {0xf0000000, 4, "reserved"},
};

static const struct {
	const char *net;
	uint8_t prefix;
	const char *name;
} tunnel_config_special6[] = {
    {"::", 128, "unspecified"},
    {"::1", 128, "loopback"},
    {"fe80::", 10, "link-local"},
    {"ff00::", 8, "multicast"},
    {"::ffff:0.0.0.0", 96, "IPv4-mapped"},
};

/* Name of the reserved range that (addr, prefix) lies inside, or NULL. */
static const char *tunnel_config_special4_of(struct in_addr addr, unsigned prefix)
{
	for (size_t i = 0; i < sizeof(tunnel_config_special4) / sizeof(tunnel_config_special4[0]);
	     i++) {
		struct route4 r = {.addr.s_addr = htonl(tunnel_config_special4[i].net),
		                   .prefix = tunnel_config_special4[i].prefix};

		if (prefix >= r.prefix && tunnel_config_route4_contains(&r, addr))
			return tunnel_config_special4[i].name;
	}
	return NULL;
}

static const char *tunnel_config_special6_of(const struct in6_addr *addr, unsigned prefix)
{
	for (size_t i = 0; i < sizeof(tunnel_config_special6) / sizeof(tunnel_config_special6[0]);
	     i++) {
		struct route6 r = {.prefix = tunnel_config_special6[i].prefix};

		inet_pton(AF_INET6, tunnel_config_special6[i].net, &r.addr);
		if (prefix >= r.prefix && tunnel_config_route6_contains(&r, addr))
			return tunnel_config_special6[i].name;
	}
	return NULL;
}

bool tunnel_config_domain_valid(const char *name)
{
	size_t len, label = 0;

	if (!name)
		return false;
	len = strlen(name);
	if (len == 0 || len > TUNNEL_CONFIG_MAX_DOMAIN)
		return false;
	for (size_t i = 0; i <= len; i++) {
		char c = name[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || name[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
		if (label == 0 && c == '-')
			return false;
		label++;
	}
	return true;
}


/* The banner ends up in a terminal or a dialog. */
static bool tunnel_config_banner_valid(const char *s)
{
	return utf8_valid(s, strlen(s), UTF8_DISPLAY_TEXT);
}

static int tunnel_config_fail(char *why, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int tunnel_config_fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -ERR_PROTOCOL;
}

/* One route of either family: a valid prefix, no host bits, and (include) no special range. */
static int tunnel_config_check_route(int family, const void *addr, unsigned prefix,
                                     bool include, char *why, size_t len)
{
	const char *kind = include ? "include" : "exclude";
	union {
		struct in_addr a4;
		struct in6_addr a6;
	} net;
	char buf[INET6_ADDRSTRLEN];
	const char *special;
	bool host_bits;

	inet_ntop(family, addr, buf, sizeof(buf));
	if (prefix > (family == AF_INET ? 32u : 128u))
		return tunnel_config_fail(why, len, "%s route %s has prefix %u", kind, buf, prefix);
	memcpy(&net, addr, family == AF_INET ? sizeof(net.a4) : sizeof(net.a6));
	host_bits = family == AF_INET ? tunnel_config_clear_host4(&net.a4, prefix)
	                              : tunnel_config_clear_host6(&net.a6, prefix);
	if (host_bits)
		return tunnel_config_fail(why, len, "%s route %s/%u has host bits set", kind, buf,
		                          prefix);
	special = family == AF_INET
	              ? tunnel_config_special4_of(*(const struct in_addr *)addr, prefix)
	              : tunnel_config_special6_of(addr, prefix);
	if (include && special)
		return tunnel_config_fail(why, len, "include route %s/%u lies in the %s range", buf,
		                          prefix, special);
	return 0;
}

static int tunnel_config_check_routes4(const struct route4 *routes, unsigned n, bool include,
                                       char *why, size_t len)
{
	int r = 0;

	for (unsigned i = 0; i < n && r == 0; i++)
		r = tunnel_config_check_route(AF_INET, &routes[i].addr, routes[i].prefix, include,
		                              why, len);
	return r;
}

static int tunnel_config_check_routes6(const struct route6 *routes, unsigned n, bool include,
                                       char *why, size_t len)
{
	int r = 0;

	for (unsigned i = 0; i < n && r == 0; i++)
		r = tunnel_config_check_route(AF_INET6, &routes[i].addr, routes[i].prefix, include,
		                              why, len);
	return r;
}

static bool tunnel_config_mtu_ok(uint32_t mtu, bool ipv6)
{
	return mtu_valid_tunnel(mtu, ipv6);
}

/* Whether the tunnel cannot use this IPv4 address; why says so (see the header). */
static bool tunnel_config_addr4_unusable(struct in_addr addr, unsigned prefix, char *why,
                                         size_t len)
{
	char buf[INET_ADDRSTRLEN];
	const char *special = tunnel_config_special4_of(addr, 32);

	inet_ntop(AF_INET, &addr, buf, sizeof(buf));
	if (special)
		tunnel_config_fail(why, len, "IPv4 address %s is %s", buf, special);
	else if (prefix < 8 || prefix > 32)
		tunnel_config_fail(why, len, "IPv4 prefix /%u out of range", prefix);
	return special || prefix < 8 || prefix > 32;
}

static bool tunnel_config_addr6_unusable(const struct in6_addr *addr, unsigned prefix,
                                         uint32_t mtu, char *why, size_t len)
{
	char buf[INET6_ADDRSTRLEN];
	const char *special = tunnel_config_special6_of(addr, 128);
	/* An MTU that is wrong for IPv4 too is not IPv6's problem: validate() refuses it. */
	bool small_mtu = tunnel_config_mtu_ok(mtu, false) && !tunnel_config_mtu_ok(mtu, true);

	inet_ntop(AF_INET6, addr, buf, sizeof(buf));
	if (special)
		tunnel_config_fail(why, len, "IPv6 address %s is %s", buf, special);
	else if (prefix < 16 || prefix > 128)
		tunnel_config_fail(why, len, "IPv6 prefix /%u out of range", prefix);
	else if (small_mtu)
		tunnel_config_fail(why, len, "MTU %u out of range for IPv6", mtu);
	return special || prefix < 16 || prefix > 128 || small_mtu;
}

static bool tunnel_config_usable4(const struct tunnel_config *cfg)
{
	return cfg->has_addr4 && !tunnel_config_addr4_unusable(cfg->addr4, cfg->prefix4, NULL, 0);
}

static bool tunnel_config_usable6(const struct tunnel_config *cfg)
{
	return cfg->has_addr6 &&
	       !tunnel_config_addr6_unusable(&cfg->addr6, cfg->prefix6, cfg->mtu, NULL, 0);
}

void tunnel_config_drop_unusable(struct tunnel_config *cfg)
{
	bool ok4 = tunnel_config_usable4(cfg), ok6 = tunnel_config_usable6(cfg);

	if (cfg->has_addr4 && !ok4 && ok6) {
		cfg->dropped4 = true;
		cfg->dropped_addr4 = cfg->addr4;
		cfg->dropped_prefix4 = cfg->prefix4;
		cfg->has_addr4 = false;
		cfg->addr4.s_addr = 0;
		cfg->prefix4 = 0;
		cfg->n_include4 = cfg->n_exclude4 = cfg->n_dns4 = 0;
	}
	if (cfg->has_addr6 && !ok6 && ok4) {
		cfg->dropped6 = true;
		cfg->dropped_addr6 = cfg->addr6;
		cfg->dropped_prefix6 = cfg->prefix6;
		cfg->has_addr6 = false;
		memset(&cfg->addr6, 0, sizeof(cfg->addr6));
		cfg->prefix6 = 0;
		cfg->n_include6 = cfg->n_exclude6 = cfg->n_dns6 = 0;
	}
}

bool tunnel_config_dropped_text(const struct tunnel_config *cfg, int family, char *buf,
                                size_t len)
{
	char why[128] = "";

	if (len)
		buf[0] = '\0';
	if (family == AF_INET && cfg->dropped4)
		tunnel_config_addr4_unusable(cfg->dropped_addr4, cfg->dropped_prefix4, why,
		                             sizeof(why));
	else if (family == AF_INET6 && cfg->dropped6)
		tunnel_config_addr6_unusable(&cfg->dropped_addr6, cfg->dropped_prefix6, cfg->mtu,
		                             why, sizeof(why));
	else
		return false;
	snprintf(buf, len, "%s: the tunnel carries %s only (the gateway's %s address, routes and "
	                   "DNS servers are not used)",
	         why, family == AF_INET ? "IPv6" : "IPv4", family == AF_INET ? "IPv4" : "IPv6");
	return true;
}

/* A dropped family: really unusable, really gone, and the other family carries the tunnel. */
static int tunnel_config_check_dropped(const struct tunnel_config *cfg, char *why, size_t len)
{
	if (cfg->dropped4 &&
	    (cfg->has_addr4 || !cfg->has_addr6 || cfg->n_include4 || cfg->n_exclude4 ||
	     cfg->n_dns4 ||
	     !tunnel_config_addr4_unusable(cfg->dropped_addr4, cfg->dropped_prefix4, NULL, 0)))
		return tunnel_config_fail(why, len, "IPv4 left out without reason");
	if (cfg->dropped6 &&
	    (cfg->has_addr6 || !cfg->has_addr4 || cfg->n_include6 || cfg->n_exclude6 ||
	     cfg->n_dns6 ||
	     !tunnel_config_addr6_unusable(&cfg->dropped_addr6, cfg->dropped_prefix6, cfg->mtu,
	                                   NULL, 0)))
		return tunnel_config_fail(why, len, "IPv6 left out without reason");
	return 0;
}

int tunnel_config_validate(const struct tunnel_config *cfg, char *why, size_t len)
{
	char buf[INET6_ADDRSTRLEN];
	const char *special;
	int r;

	if (why && len)
		why[0] = '\0';
	if (!cfg)
		return tunnel_config_fail(why, len, "no configuration");
	if (!cfg->has_addr4 && !cfg->has_addr6)
		return tunnel_config_fail(why, len, "no tunnel address");
	if (cfg->has_addr4 && tunnel_config_addr4_unusable(cfg->addr4, cfg->prefix4, why, len))
		return -ERR_PROTOCOL;
	if (cfg->has_addr6 &&
	    tunnel_config_addr6_unusable(&cfg->addr6, cfg->prefix6, cfg->mtu, why, len))
		return -ERR_PROTOCOL;
	r = tunnel_config_check_dropped(cfg, why, len);
	if (r < 0)
		return r;
	if (!tunnel_config_mtu_ok(cfg->mtu, cfg->has_addr6))
		return tunnel_config_fail(why, len, "MTU %u out of range%s", cfg->mtu,
		                          cfg->has_addr6 ? " for IPv6" : "");
	if (cfg->dtls_mtu && !tunnel_config_mtu_ok(cfg->dtls_mtu, cfg->has_addr6))
		return tunnel_config_fail(why, len, "DTLS MTU %u out of range%s", cfg->dtls_mtu,
		                          cfg->has_addr6 ? " for IPv6" : "");
	if (cfg->base_mtu && (cfg->base_mtu < MTU_MIN || cfg->base_mtu > 65535))
		return tunnel_config_fail(why, len, "base MTU %u out of range", cfg->base_mtu);

	if (cfg->n_dns4 > TUNNEL_CONFIG_MAX_DNS || cfg->n_dns6 > TUNNEL_CONFIG_MAX_DNS)
		return tunnel_config_fail(why, len, "too many DNS servers");
	for (unsigned i = 0; i < cfg->n_dns4; i++) {
		inet_ntop(AF_INET, &cfg->dns4[i], buf, sizeof(buf));
		special = tunnel_config_special4_of(cfg->dns4[i], 32);
		if (special)
			return tunnel_config_fail(why, len, "DNS server %s is %s", buf, special);
	}
	for (unsigned i = 0; i < cfg->n_dns6; i++) {
		inet_ntop(AF_INET6, &cfg->dns6[i], buf, sizeof(buf));
		special = tunnel_config_special6_of(&cfg->dns6[i], 128);
		if (special)
			return tunnel_config_fail(why, len, "DNS server %s is %s", buf, special);
	}

	if (cfg->n_domains > TUNNEL_CONFIG_MAX_DOMAINS)
		return tunnel_config_fail(why, len, "too many domains");
	for (unsigned i = 0; i < cfg->n_domains; i++) {
		if (!memchr(cfg->domains[i], '\0', sizeof(cfg->domains[i])) ||
		    !tunnel_config_domain_valid(cfg->domains[i]))
			return tunnel_config_fail(why, len, "domain %u is not a valid DNS name",
			                          i + 1);
	}

	if (cfg->n_include4 > TUNNEL_CONFIG_MAX_ROUTES ||
	    cfg->n_exclude4 > TUNNEL_CONFIG_MAX_ROUTES ||
	    cfg->n_include6 > TUNNEL_CONFIG_MAX_ROUTES ||
	    cfg->n_exclude6 > TUNNEL_CONFIG_MAX_ROUTES)
		return tunnel_config_fail(why, len, "too many routes");
	r = tunnel_config_check_routes4(cfg->include4, cfg->n_include4, true, why, len);
	if (r == 0)
		r = tunnel_config_check_routes4(cfg->exclude4, cfg->n_exclude4, false, why, len);
	if (r == 0)
		r = tunnel_config_check_routes6(cfg->include6, cfg->n_include6, true, why, len);
	if (r == 0)
		r = tunnel_config_check_routes6(cfg->exclude6, cfg->n_exclude6, false, why, len);
	if (r < 0)
		return r;

	if (!memchr(cfg->banner, '\0', sizeof(cfg->banner)))
		return tunnel_config_fail(why, len, "banner not terminated");
	if (!tunnel_config_banner_valid(cfg->banner))
		return tunnel_config_fail(why, len, "banner is not clean UTF-8 text");
	return 0;
}

bool tunnel_config_same_addresses(const struct tunnel_config *a, const struct tunnel_config *b)
{
	if (a->has_addr4 != b->has_addr4 || a->has_addr6 != b->has_addr6 ||
	    a->dropped4 != b->dropped4 || a->dropped6 != b->dropped6)
		return false;
	if (a->dropped4 && (a->dropped_addr4.s_addr != b->dropped_addr4.s_addr ||
	                    a->dropped_prefix4 != b->dropped_prefix4))
		return false;
	if (a->dropped6 && (memcmp(&a->dropped_addr6, &b->dropped_addr6, 16) != 0 ||
	                    a->dropped_prefix6 != b->dropped_prefix6))
		return false;
	if (a->has_addr4 && (a->addr4.s_addr != b->addr4.s_addr || a->prefix4 != b->prefix4))
		return false;
	if (a->has_addr6 &&
	    (memcmp(&a->addr6, &b->addr6, sizeof(a->addr6)) != 0 || a->prefix6 != b->prefix6))
		return false;
	return true;
}

static bool tunnel_config_routes4_equal(const struct route4 *a, const struct route4 *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (a[i].addr.s_addr != b[i].addr.s_addr || a[i].prefix != b[i].prefix)
			return false;
	return true;
}

static bool tunnel_config_routes6_equal(const struct route6 *a, const struct route6 *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (memcmp(&a[i].addr, &b[i].addr, sizeof(a[i].addr)) != 0 ||
		    a[i].prefix != b[i].prefix)
			return false;
	return true;
}

bool tunnel_config_equal(const struct tunnel_config *a, const struct tunnel_config *b)
{
	if (!tunnel_config_same_addresses(a, b))
		return false;
	if (a->mtu != b->mtu || a->dtls_mtu != b->dtls_mtu || a->base_mtu != b->base_mtu)
		return false;
	if (a->n_dns4 != b->n_dns4 || a->n_dns6 != b->n_dns6 || a->n_domains != b->n_domains ||
	    a->n_include4 != b->n_include4 || a->n_exclude4 != b->n_exclude4 ||
	    a->n_include6 != b->n_include6 || a->n_exclude6 != b->n_exclude6)
		return false;
	if (a->n_dns4 > TUNNEL_CONFIG_MAX_DNS || a->n_dns6 > TUNNEL_CONFIG_MAX_DNS ||
	    a->n_domains > TUNNEL_CONFIG_MAX_DOMAINS || a->n_include4 > TUNNEL_CONFIG_MAX_ROUTES ||
	    a->n_exclude4 > TUNNEL_CONFIG_MAX_ROUTES || a->n_include6 > TUNNEL_CONFIG_MAX_ROUTES ||
	    a->n_exclude6 > TUNNEL_CONFIG_MAX_ROUTES)
		return false;
	for (unsigned i = 0; i < a->n_dns4; i++)
		if (a->dns4[i].s_addr != b->dns4[i].s_addr)
			return false;
	for (unsigned i = 0; i < a->n_dns6; i++)
		if (memcmp(&a->dns6[i], &b->dns6[i], sizeof(a->dns6[i])) != 0)
			return false;
	for (unsigned i = 0; i < a->n_domains; i++)
		if (strncmp(a->domains[i], b->domains[i], sizeof(a->domains[i])) != 0)
			return false;
	if (!tunnel_config_routes4_equal(a->include4, b->include4, a->n_include4) ||
	    !tunnel_config_routes4_equal(a->exclude4, b->exclude4, a->n_exclude4) ||
	    !tunnel_config_routes6_equal(a->include6, b->include6, a->n_include6) ||
	    !tunnel_config_routes6_equal(a->exclude6, b->exclude6, a->n_exclude6))
		return false;
	return strncmp(a->banner, b->banner, sizeof(a->banner)) == 0;
}
