// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <glib.h>
#include <string.h>

#include "error.h"
#include "tunnel-config.h"

static struct tunnel_config *good_config(void)
{
	struct tunnel_config *c = tunnel_config_new();

	g_assert_nonnull(c);
	c->has_addr4 = true;
	inet_pton(AF_INET, "198.51.100.7", &c->addr4);
	c->prefix4 = 24;
	c->has_addr6 = true;
	inet_pton(AF_INET6, "2001:db8:1::7", &c->addr6);
	c->prefix6 = 64;
	c->mtu = 1390;
	c->n_dns4 = 1;
	inet_pton(AF_INET, "203.0.113.53", &c->dns4[0]);
	c->n_domains = 1;
	strcpy(c->domains[0], "corp.example");
	c->n_include4 = 1;
	inet_pton(AF_INET, "203.0.113.0", &c->include4[0].addr);
	c->include4[0].prefix = 24;
	strcpy(c->banner, "Welcome\r\nto the lab\tnetwork \xc3\xa9\xe2\x82\xac");
	return c;
}

typedef void (*mutate_fn)(struct tunnel_config *c);

#define MUT(name, body)                                                                            \
	static void mut_##name(struct tunnel_config *c)                                            \
	{                                                                                          \
		body;                                                                              \
	}

static void set4(struct in_addr *a, const char *s)
{
	g_assert_cmpint(inet_pton(AF_INET, s, a), ==, 1);
}

static void set6(struct in6_addr *a, const char *s)
{
	g_assert_cmpint(inet_pton(AF_INET6, s, a), ==, 1);
}

MUT(no_address, c->has_addr4 = false; c->has_addr6 = false)
MUT(addr4_zero_net, set4(&c->addr4, "0.1.2.3"))
MUT(addr4_loopback, set4(&c->addr4, "127.0.0.1"))
MUT(addr4_linklocal, set4(&c->addr4, "169.254.3.4"))
MUT(addr4_multicast, set4(&c->addr4, "224.0.0.251"))
MUT(addr4_broadcast, set4(&c->addr4, "255.255.255.255"))
MUT(addr4_reserved, set4(&c->addr4, "240.0.0.1"))
MUT(prefix4_small, c->prefix4 = 7)
MUT(prefix4_big, c->prefix4 = 33)
MUT(addr6_unspec, set6(&c->addr6, "::"))
MUT(addr6_loopback, set6(&c->addr6, "::1"))
MUT(addr6_linklocal, set6(&c->addr6, "fe80::1"))
MUT(addr6_multicast, set6(&c->addr6, "ff02::1"))
MUT(addr6_mapped, set6(&c->addr6, "::ffff:192.0.2.1"))
MUT(prefix6_small, c->prefix6 = 15)
MUT(prefix6_big, c->prefix6 = 129)
MUT(mtu_zero, c->mtu = 0)
MUT(mtu_low, c->has_addr6 = false; c->mtu = 575)
MUT(mtu_high, c->mtu = 9001)
MUT(mtu_low_ipv6, c->mtu = 1279)
MUT(dtls_mtu_low_ipv6, c->dtls_mtu = 1200)
MUT(dtls_mtu_high, c->dtls_mtu = 10000)
MUT(base_mtu_low, c->base_mtu = 100)
MUT(base_mtu_high, c->base_mtu = 70000)
MUT(too_many_dns4, c->n_dns4 = TUNNEL_CONFIG_MAX_DNS + 1)
MUT(too_many_dns6, c->n_dns6 = TUNNEL_CONFIG_MAX_DNS + 1)
MUT(dns4_zero, set4(&c->dns4[0], "0.0.0.0"))
MUT(dns4_loopback, set4(&c->dns4[0], "127.0.0.53"))
MUT(dns4_multicast, set4(&c->dns4[0], "239.1.1.1"))
MUT(dns4_broadcast, set4(&c->dns4[0], "255.255.255.255"))
MUT(dns6_unspec, c->n_dns6 = 1; set6(&c->dns6[0], "::"))
MUT(dns6_loopback, c->n_dns6 = 1; set6(&c->dns6[0], "::1"))
MUT(dns6_multicast, c->n_dns6 = 1; set6(&c->dns6[0], "ff05::1:3"))
MUT(too_many_domains, c->n_domains = TUNNEL_CONFIG_MAX_DOMAINS + 1)
MUT(domain_empty, c->domains[0][0] = '\0')
MUT(domain_space, strcpy(c->domains[0], "corp example"))
MUT(domain_trailing_dot, strcpy(c->domains[0], "corp.example."))
MUT(domain_leading_dot, strcpy(c->domains[0], ".corp"))
MUT(domain_double_dot, strcpy(c->domains[0], "corp..example"))
MUT(domain_hyphen_start, strcpy(c->domains[0], "-corp.example"))
MUT(domain_hyphen_end, strcpy(c->domains[0], "corp-.example"))
MUT(domain_long_label, memset(c->domains[0], 'a', 64); c->domains[0][64] = '\0')
MUT(domain_unterminated, memset(c->domains[0], 'a', sizeof(c->domains[0])))
MUT(domain_utf8, strcpy(c->domains[0], "caf\xc3\xa9.example"))
MUT(too_many_routes, c->n_include4 = TUNNEL_CONFIG_MAX_ROUTES + 1)
MUT(too_many_ex6, c->n_exclude6 = TUNNEL_CONFIG_MAX_ROUTES + 1)
MUT(route4_prefix, c->include4[0].prefix = 33)
MUT(route4_host_bits, set4(&c->include4[0].addr, "203.0.113.1"))
MUT(include4_zero_net, set4(&c->include4[0].addr, "0.0.0.0"); c->include4[0].prefix = 8)
MUT(include4_loopback, set4(&c->include4[0].addr, "127.0.0.0"); c->include4[0].prefix = 8)
MUT(include4_loopback_host, set4(&c->include4[0].addr, "127.0.0.1"); c->include4[0].prefix = 32)
MUT(include4_linklocal, set4(&c->include4[0].addr, "169.254.0.0"); c->include4[0].prefix = 16)
MUT(include4_multicast, set4(&c->include4[0].addr, "224.0.0.0"); c->include4[0].prefix = 4)
MUT(include4_mdns, set4(&c->include4[0].addr, "224.0.0.251"); c->include4[0].prefix = 32)
MUT(exclude4_host_bits, c->n_exclude4 = 1; set4(&c->exclude4[0].addr, "10.0.0.1");
    c->exclude4[0].prefix = 8)
MUT(include6_linklocal, c->n_include6 = 1; set6(&c->include6[0].addr, "fe80::");
    c->include6[0].prefix = 64)
MUT(include6_multicast, c->n_include6 = 1; set6(&c->include6[0].addr, "ff00::");
    c->include6[0].prefix = 8)
MUT(include6_loopback, c->n_include6 = 1; set6(&c->include6[0].addr, "::1");
    c->include6[0].prefix = 128)
MUT(include6_mapped, c->n_include6 = 1; set6(&c->include6[0].addr, "::ffff:10.0.0.0");
    c->include6[0].prefix = 104)
MUT(route6_host_bits, c->n_include6 = 1; set6(&c->include6[0].addr, "2001:db8::1");
    c->include6[0].prefix = 64)
MUT(route6_prefix, c->n_exclude6 = 1; set6(&c->exclude6[0].addr, "2001:db8::");
    c->exclude6[0].prefix = 129)
MUT(dropped6_usable, c->has_addr6 = false; c->dropped6 = true;
    set6(&c->dropped_addr6, "2001:db8::1"); c->dropped_prefix6 = 64)
MUT(dropped6_still_there, c->dropped6 = true; set6(&c->dropped_addr6, "fe80::1");
    c->dropped_prefix6 = 64)
MUT(dropped6_routes, c->has_addr6 = false; c->dropped6 = true;
    set6(&c->dropped_addr6, "fe80::1"); c->dropped_prefix6 = 64; c->n_include6 = 1;
    set6(&c->include6[0].addr, "2001:db8::"); c->include6[0].prefix = 64)
MUT(dropped4_dns, c->has_addr4 = false; c->dropped4 = true;
    set4(&c->dropped_addr4, "169.254.1.1"); c->dropped_prefix4 = 16; c->n_include4 = 0)
MUT(dropped4_no_other, c->has_addr6 = false; c->dropped4 = true;
    set4(&c->dropped_addr4, "169.254.1.1"); c->dropped_prefix4 = 16)
MUT(banner_control, strcpy(c->banner, "bell\a"))
MUT(banner_escape, strcpy(c->banner, "\x1b[31mred"))
MUT(banner_del, strcpy(c->banner, "x\x7f"))
MUT(banner_bad_utf8, strcpy(c->banner, "\xc3("))
MUT(banner_overlong, strcpy(c->banner, "\xc0\xaf"))
MUT(banner_surrogate, strcpy(c->banner, "\xed\xa0\x80"))
MUT(banner_too_high, strcpy(c->banner, "\xf4\x90\x80\x80"))
MUT(banner_truncated, strcpy(c->banner, "\xe2\x82"))
MUT(banner_unterminated, memset(c->banner, 'x', sizeof(c->banner)))

static const struct {
	const char *name;
	mutate_fn fn;
	const char *why; /* substring of the reason */
} bad_cases[] = {
#define C(n, w)                                                                                    \
	{                                                                                          \
#n, mut_##n, w                                                                     \
	}
    C(no_address, "no tunnel address"),
    C(addr4_zero_net, "0.0.0.0/8"),
    C(addr4_loopback, "loopback"),
    C(addr4_linklocal, "link-local"),
    C(addr4_multicast, "multicast"),
    C(addr4_broadcast, "reserved"),
    C(addr4_reserved, "reserved"),
    C(prefix4_small, "prefix"),
    C(prefix4_big, "prefix"),
    C(addr6_unspec, "unspecified"),
    C(addr6_loopback, "loopback"),
    C(addr6_linklocal, "link-local"),
    C(addr6_multicast, "multicast"),
    C(addr6_mapped, "IPv4-mapped"),
    C(prefix6_small, "prefix"),
    C(prefix6_big, "prefix"),
    C(dropped6_usable, "IPv6 left out without reason"),
    C(dropped6_still_there, "IPv6 left out without reason"),
    C(dropped6_routes, "IPv6 left out without reason"),
    C(dropped4_dns, "IPv4 left out without reason"),
    C(dropped4_no_other, "IPv4 left out without reason"),
    C(mtu_zero, "MTU 0"),
    C(mtu_low, "MTU 575"),
    C(mtu_high, "MTU 9001"),
    C(mtu_low_ipv6, "for IPv6"),
    C(dtls_mtu_low_ipv6, "DTLS MTU"),
    C(dtls_mtu_high, "DTLS MTU"),
    C(base_mtu_low, "base MTU"),
    C(base_mtu_high, "base MTU"),
    C(too_many_dns4, "DNS"),
    C(too_many_dns6, "DNS"),
    C(dns4_zero, "DNS server"),
    C(dns4_loopback, "DNS server"),
    C(dns4_multicast, "DNS server"),
    C(dns4_broadcast, "DNS server"),
    C(dns6_unspec, "DNS server"),
    C(dns6_loopback, "DNS server"),
    C(dns6_multicast, "DNS server"),
    C(too_many_domains, "domains"),
    C(domain_empty, "domain"),
    C(domain_space, "domain"),
    C(domain_trailing_dot, "domain"),
    C(domain_leading_dot, "domain"),
    C(domain_double_dot, "domain"),
    C(domain_hyphen_start, "domain"),
    C(domain_hyphen_end, "domain"),
    C(domain_long_label, "domain"),
    C(domain_unterminated, "domain"),
    C(domain_utf8, "domain"),
    C(too_many_routes, "routes"),
    C(too_many_ex6, "routes"),
    C(route4_prefix, "prefix"),
    C(route4_host_bits, "host bits"),
    C(include4_zero_net, "0.0.0.0/8"),
    C(include4_loopback, "loopback"),
    C(include4_loopback_host, "loopback"),
    C(include4_linklocal, "link-local"),
    C(include4_multicast, "multicast"),
    C(include4_mdns, "multicast"),
    C(exclude4_host_bits, "host bits"),
    C(include6_linklocal, "link-local"),
    C(include6_multicast, "multicast"),
    C(include6_loopback, "loopback"),
    C(include6_mapped, "IPv4-mapped"),
    C(route6_host_bits, "host bits"),
    C(route6_prefix, "prefix"),
    C(banner_control, "banner"),
    C(banner_escape, "banner"),
    C(banner_del, "banner"),
    C(banner_bad_utf8, "banner"),
    C(banner_overlong, "banner"),
    C(banner_surrogate, "banner"),
    C(banner_too_high, "banner"),
    C(banner_truncated, "banner"),
    C(banner_unterminated, "banner"),
#undef C
};

static void test_valid(void)
{
	_cleanup_(tunnel_config_freep) struct tunnel_config *c = good_config();
	char why[128] = "stale";

	g_assert_cmpint(tunnel_config_validate(c, why, sizeof(why)), ==, 0);
	g_assert_cmpstr(why, ==, "");
	/* IPv4 only with a small MTU is fine; IPv6 only too. */
	c->has_addr6 = false;
	c->mtu = 576;
	g_assert_cmpint(tunnel_config_validate(c, NULL, 0), ==, 0);
	c->has_addr6 = true;
	c->has_addr4 = false;
	c->mtu = 1280;
	c->n_include4 = 0;
	g_assert_cmpint(tunnel_config_validate(c, NULL, 0), ==, 0);
	/* A default route include and excludes inside reserved ranges are allowed. */
	c->has_addr4 = true;
	c->n_include4 = 1;
	c->include4[0].addr.s_addr = 0;
	c->include4[0].prefix = 0;
	c->n_exclude4 = 1;
	set4(&c->exclude4[0].addr, "169.254.0.0");
	c->exclude4[0].prefix = 16;
	c->n_include6 = 1;
	memset(&c->include6[0], 0, sizeof(c->include6[0]));
	c->n_exclude6 = 1;
	set6(&c->exclude6[0].addr, "fe80::");
	c->exclude6[0].prefix = 10;
	g_assert_cmpint(tunnel_config_validate(c, why, sizeof(why)), ==, 0);
	/* Highest legal values. */
	c->mtu = 9000;
	c->dtls_mtu = 9000;
	c->base_mtu = 65535;
	c->prefix4 = 32;
	c->prefix6 = 128;
	g_assert_cmpint(tunnel_config_validate(c, why, sizeof(why)), ==, 0);
	g_assert_cmpint(tunnel_config_validate(NULL, why, sizeof(why)), ==, -ERR_PROTOCOL);
}

static void test_bad(gconstpointer data)
{
	size_t i = GPOINTER_TO_SIZE(data);
	_cleanup_(tunnel_config_freep) struct tunnel_config *c = good_config();
	char why[200];

	g_assert_cmpint(tunnel_config_validate(c, why, sizeof(why)), ==, 0);
	bad_cases[i].fn(c);
	g_assert_cmpint(tunnel_config_validate(c, why, sizeof(why)), ==, -ERR_PROTOCOL);
	if (!strstr(why, bad_cases[i].why))
		g_error("%s: reason \"%s\" lacks \"%s\"", bad_cases[i].name, why, bad_cases[i].why);
	/* A tiny reason buffer is truncated, not overrun. */
	{
		char tiny[4] = "xxx";

		g_assert_cmpint(tunnel_config_validate(c, tiny, sizeof(tiny)), ==, -ERR_PROTOCOL);
		g_assert_cmpuint(strlen(tiny), <=, 3);
	}
}

static void test_domains(void)
{
	char max[254];

	g_assert_true(tunnel_config_domain_valid("a"));
	g_assert_true(tunnel_config_domain_valid("corp.example"));
	g_assert_true(tunnel_config_domain_valid("_ldap._tcp.dc.example"));
	g_assert_true(tunnel_config_domain_valid("x-1.Example.COM"));
	g_assert_false(tunnel_config_domain_valid(NULL));
	g_assert_false(tunnel_config_domain_valid(""));
	g_assert_false(tunnel_config_domain_valid("a/b"));
	/* 253 bytes: 63+1+63+1+63+1+61 */
	memset(max, 'a', 253);
	max[63] = max[127] = max[191] = '.';
	max[253] = '\0';
	g_assert_true(tunnel_config_domain_valid(max));
	{
		char over[255];

		memcpy(over, max, 253);
		over[253] = 'a';
		over[254] = '\0';
		g_assert_false(tunnel_config_domain_valid(over));
	}
}

static void test_masks(void)
{
	struct in_addr m;
	struct in6_addr m6, a6;
	struct in_addr a;
	struct route4 r4 = {.prefix = 24};
	struct route6 r6 = {.prefix = 48};

	set4(&m, "255.255.255.0");
	g_assert_cmpint(tunnel_config_mask4_prefix(m), ==, 24);
	set4(&m, "0.0.0.0");
	g_assert_cmpint(tunnel_config_mask4_prefix(m), ==, 0);
	set4(&m, "255.255.255.255");
	g_assert_cmpint(tunnel_config_mask4_prefix(m), ==, 32);
	set4(&m, "255.0.255.0");
	g_assert_cmpint(tunnel_config_mask4_prefix(m), ==, -1);
	set4(&m, "0.255.255.255");
	g_assert_cmpint(tunnel_config_mask4_prefix(m), ==, -1);
	set6(&m6, "ffff:ffff:ffff:ff80::");
	g_assert_cmpint(tunnel_config_mask6_prefix(&m6), ==, 57);
	set6(&m6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	g_assert_cmpint(tunnel_config_mask6_prefix(&m6), ==, 128);
	set6(&m6, "::");
	g_assert_cmpint(tunnel_config_mask6_prefix(&m6), ==, 0);
	set6(&m6, "ffff::1");
	g_assert_cmpint(tunnel_config_mask6_prefix(&m6), ==, -1);
	set6(&m6, "fff7::");
	g_assert_cmpint(tunnel_config_mask6_prefix(&m6), ==, -1);

	set4(&a, "10.1.2.3");
	g_assert_true(tunnel_config_clear_host4(&a, 8));
	g_assert_cmpuint(ntohl(a.s_addr), ==, 0x0a000000);
	g_assert_false(tunnel_config_clear_host4(&a, 8));
	g_assert_true(tunnel_config_clear_host4(&a, 0));
	g_assert_cmpuint(a.s_addr, ==, 0);
	set6(&a6, "2001:db8:aaaa:bbbb::1");
	g_assert_true(tunnel_config_clear_host6(&a6, 36));
	set6(&m6, "2001:db8:a000::");
	g_assert_cmpmem(&a6, 16, &m6, 16);

	set4(&r4.addr, "192.0.2.0");
	set4(&a, "192.0.2.200");
	g_assert_true(tunnel_config_route4_contains(&r4, a));
	set4(&a, "192.0.3.1");
	g_assert_false(tunnel_config_route4_contains(&r4, a));
	set6(&r6.addr, "2001:db8:1::");
	set6(&a6, "2001:db8:1:ffff::9");
	g_assert_true(tunnel_config_route6_contains(&r6, &a6));
	set6(&a6, "2001:db8:2::9");
	g_assert_false(tunnel_config_route6_contains(&r6, &a6));
}

/* The per-family rule of tunnel-config.h. */
static void test_drop_unusable(void)
{
	_cleanup_(tunnel_config_freep) struct tunnel_config *ref = good_config();
	_cleanup_(tunnel_config_freep) struct tunnel_config *c = good_config();
	char why[200];

	/* A usable configuration is left alone. */
	tunnel_config_drop_unusable(c);
	g_assert_true(tunnel_config_equal(c, ref));
	g_assert_false(c->dropped4 || c->dropped6);

	/* A link-local IPv6 pool: IPv6 goes (address, routes, DNS), IPv4 and the rest stay. */
	set6(&c->addr6, "fe80::7");
	c->n_include6 = 1;
	set6(&c->include6[0].addr, "2001:db8:2::");
	c->include6[0].prefix = 64;
	c->n_dns6 = 1;
	set6(&c->dns6[0], "2001:db8:2::53");
	g_assert_cmpint(tunnel_config_validate(c, why, sizeof(why)), ==, -ERR_PROTOCOL);
	tunnel_config_drop_unusable(c);
	g_assert_cmpint(tunnel_config_validate(c, why, sizeof(why)), ==, 0);
	g_assert_true(c->dropped6 && !c->has_addr6 && !c->dropped4);
	g_assert_cmpuint(c->dropped_prefix6, ==, 64);
	g_assert_cmpuint(c->n_include6 + c->n_exclude6 + c->n_dns6, ==, 0);
	g_assert_cmpuint(c->addr4.s_addr, ==, ref->addr4.s_addr);
	g_assert_cmpuint(c->n_include4, ==, 1);
	g_assert_cmpuint(c->n_dns4, ==, 1);
	g_assert_cmpstr(c->domains[0], ==, ref->domains[0]);
	g_assert_cmpstr(c->banner, ==, ref->banner);
	g_assert_false(tunnel_config_equal(c, ref));
	/* Idempotent. */
	tunnel_config_drop_unusable(c);
	g_assert_cmpint(tunnel_config_validate(c, NULL, 0), ==, 0);
	tunnel_config_free(c);

	/* Nothing to fall back on: unchanged, and refused with the reason. */
	c = good_config();
	c->has_addr4 = false;
	set6(&c->addr6, "fe80::7");
	tunnel_config_drop_unusable(c);
	g_assert_true(c->has_addr6 && !c->dropped6);
	g_assert_cmpint(tunnel_config_validate(c, why, sizeof(why)), ==, -ERR_PROTOCOL);
	g_assert_nonnull(strstr(why, "link-local"));
	tunnel_config_free(c);

	c = good_config();
	set4(&c->addr4, "127.0.0.1");
	set6(&c->addr6, "ff02::1");
	tunnel_config_drop_unusable(c);
	g_assert_true(c->has_addr4 && c->has_addr6 && !c->dropped4 && !c->dropped6);
	g_assert_cmpint(tunnel_config_validate(c, NULL, 0), ==, -ERR_PROTOCOL);
	tunnel_config_free(c);

	/* An MTU that is bad for both families is not IPv6's problem: nothing is dropped. */
	c = good_config();
	c->mtu = 100;
	tunnel_config_drop_unusable(c);
	g_assert_true(c->has_addr6 && !c->dropped6);
	g_assert_cmpint(tunnel_config_validate(c, why, sizeof(why)), ==, -ERR_PROTOCOL);
	tunnel_config_free(c);

	/* An IPv4 prefix out of range costs IPv4, not IPv6. */
	c = good_config();
	c->prefix4 = 4;
	tunnel_config_drop_unusable(c);
	g_assert_true(c->dropped4 && !c->has_addr4 && c->has_addr6);
	g_assert_cmpuint(c->n_include4 + c->n_dns4, ==, 0);
	g_assert_cmpint(tunnel_config_validate(c, NULL, 0), ==, 0);
	g_assert_true(tunnel_config_dropped_text(c, AF_INET, why, sizeof(why)));
	g_assert_nonnull(strstr(why, "IPv4 prefix /4 out of range"));
	g_assert_false(tunnel_config_dropped_text(c, AF_INET6, why, sizeof(why)));
}

static void test_equal(void)
{
	_cleanup_(tunnel_config_freep) struct tunnel_config *a = good_config();
	_cleanup_(tunnel_config_freep) struct tunnel_config *b = good_config();

	g_assert_true(tunnel_config_equal(a, b));
	g_assert_true(tunnel_config_same_addresses(a, b));
	/* Garbage past the counts does not matter. */
	b->include4[5].prefix = 9;
	strcpy(b->domains[3], "ignored");
	g_assert_true(tunnel_config_equal(a, b));
	b->n_dns4 = 2;
	g_assert_false(tunnel_config_equal(a, b));
	g_assert_true(tunnel_config_same_addresses(a, b));
	b->n_dns4 = 1;
	strcpy(b->banner, "other");
	g_assert_false(tunnel_config_equal(a, b));
	strcpy(b->banner, a->banner);
	b->prefix6 = 80;
	g_assert_false(tunnel_config_same_addresses(a, b));
	g_assert_false(tunnel_config_equal(a, b));
	b->prefix6 = 64;
	set4(&b->addr4, "198.51.100.8");
	g_assert_false(tunnel_config_same_addresses(a, b));
	set4(&b->addr4, "198.51.100.7");
	b->has_addr6 = false;
	g_assert_false(tunnel_config_same_addresses(a, b));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/tunnel-config/valid", test_valid);
	for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
		char *path = g_strdup_printf("/tunnel-config/bad/%s", bad_cases[i].name);

		g_test_add_data_func(path, GSIZE_TO_POINTER(i), test_bad);
		g_free(path);
	}
	g_test_add_func("/tunnel-config/domains", test_domains);
	g_test_add_func("/tunnel-config/masks", test_masks);
	g_test_add_func("/tunnel-config/equal", test_equal);
	g_test_add_func("/tunnel-config/drop-unusable", test_drop_unusable);
	return g_test_run();
}
