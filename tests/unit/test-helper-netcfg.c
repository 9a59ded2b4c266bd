// SPDX-License-Identifier: GPL-2.0-or-later
/* The route plan and the helper's own configuration checks (helper/helper-netcfg.c); applying
 * the plan to a kernel is covered by tests/integration (in a network namespace). */
#include <arpa/inet.h>
#include <glib.h>
#include <string.h>

#include "error.h"
#include "helper-netcfg.h"

static struct route4 r4(const char *net, unsigned prefix)
{
	struct route4 r = {.prefix = (uint8_t)prefix};

	g_assert_cmpint(inet_pton(AF_INET, net, &r.addr), ==, 1);
	return r;
}

static struct route6 r6(const char *net, unsigned prefix)
{
	struct route6 r = {.prefix = (uint8_t)prefix};

	g_assert_cmpint(inet_pton(AF_INET6, net, &r.addr), ==, 1);
	return r;
}

static struct tunnel_config *base_config(void)
{
	struct tunnel_config *cfg = tunnel_config_new();

	cfg->has_addr4 = true;
	inet_pton(AF_INET, "198.51.100.7", &cfg->addr4);
	cfg->prefix4 = 24;
	cfg->mtu = 1400;
	return cfg;
}

static union helper_rtnl_addr gw4(const char *a)
{
	union helper_rtnl_addr g = {0};

	g_assert_cmpint(inet_pton(AF_INET, a, &g), ==, 1);
	return g;
}

/* "net/prefix tun|old" per planned route, joined by spaces. */
static char *plan_text(const struct tunnel_config *cfg, int family,
                       const union helper_rtnl_addr *gw)
{
	struct helper_netcfg_route *plan = NULL;
	size_t n = 0;
	GString *s = g_string_new(NULL);

	g_assert_cmpint(helper_netcfg_plan(cfg, family, gw, &plan, &n), ==, 0);
	for (size_t i = 0; i < n; i++) {
		char buf[INET6_ADDRSTRLEN];

		inet_ntop(plan[i].family, &plan[i].dst, buf, sizeof(buf));
		g_string_append_printf(s, "%s%s/%u %s", i ? " " : "", buf, plan[i].prefix,
		                       plan[i].via_tun ? "tun" : "old");
	}
	free(plan);
	return g_string_free(s, FALSE);
}

static char *strv_text(char **v)
{
	char *s;

	g_assert_nonnull(v);
	s = g_strjoinv(" ", v);
	g_strfreev(v);
	return s;
}

static void test_full_tunnel(void)
{
	struct tunnel_config *cfg = base_config();
	union helper_rtnl_addr gw = gw4("203.0.113.9");
	g_autofree char *plan = NULL, *routes = NULL;

	cfg->exclude4[cfg->n_exclude4++] = r4("192.0.2.0", 24);
	/* The ASA's "local LAN access" marker is not a route. */
	cfg->exclude4[cfg->n_exclude4++] = r4("0.0.0.0", 32);
	plan = plan_text(cfg, AF_INET, &gw);
	/* The gateway is pinned first, then the excludes, then the halves. */
	g_assert_cmpstr(plan, ==,
	                "203.0.113.9/32 old 192.0.2.0/24 old 0.0.0.0/1 tun 128.0.0.0/1 tun");
	routes = strv_text(helper_netcfg_route_strings(cfg));
	g_assert_cmpstr(routes, ==, "0.0.0.0/0 !192.0.2.0/24");
	tunnel_config_free(cfg);
}

static void test_split_and_ipv6(void)
{
	struct tunnel_config *cfg = base_config();
	union helper_rtnl_addr gw = gw4("203.0.113.9");
	g_autofree char *plan = NULL, *routes = NULL;

	cfg->include4[cfg->n_include4++] = r4("10.0.0.0", 8);
	cfg->include4[cfg->n_include4++] = r4("0.0.0.0", 0);
	cfg->has_addr6 = true;
	inet_pton(AF_INET6, "2001:db8:100::7", &cfg->addr6);
	cfg->prefix6 = 64;
	cfg->include6[cfg->n_include6++] = r6("2001:db8:200::", 48);
	cfg->exclude6[cfg->n_exclude6++] = r6("2001:db8:200:1::", 64);
	plan = plan_text(cfg, AF_INET, &gw);
	/* An include of /0 also goes in as two halves. */
	g_assert_cmpstr(plan, ==,
	                "203.0.113.9/32 old 2001:db8:200:1::/64 old 10.0.0.0/8 tun 0.0.0.0/1 tun "
	                "128.0.0.0/1 tun 2001:db8:200::/48 tun");
	routes = strv_text(helper_netcfg_route_strings(cfg));
	g_assert_cmpstr(routes, ==, "10.0.0.0/8 0.0.0.0/0 2001:db8:200::/48 !2001:db8:200:1::/64");
	tunnel_config_free(cfg);
}

static void test_family_without_address(void)
{
	struct tunnel_config *cfg = tunnel_config_new();
	union helper_rtnl_addr gw = gw4("203.0.113.9");
	g_autofree char *plan = NULL, *routes = NULL;

	/* IPv6 only: IPv4 routes are not installed and the IPv4 gateway needs no pin. */
	cfg->has_addr6 = true;
	inet_pton(AF_INET6, "2001:db8:100::7", &cfg->addr6);
	cfg->prefix6 = 64;
	cfg->mtu = 1400;
	cfg->include4[cfg->n_include4++] = r4("10.0.0.0", 8);
	cfg->exclude4[cfg->n_exclude4++] = r4("10.1.0.0", 16);
	plan = plan_text(cfg, AF_INET, &gw);
	g_assert_cmpstr(plan, ==, "::/1 tun 8000::/1 tun");
	routes = strv_text(helper_netcfg_route_strings(cfg));
	g_assert_cmpstr(routes, ==, "::/0");
	tunnel_config_free(cfg);
}

static void test_check(void)
{
	struct tunnel_config *cfg = base_config();
	union helper_rtnl_addr gw = gw4("203.0.113.9");
	char why[256];

	g_assert_cmpint(helper_netcfg_check(cfg, AF_INET, &gw, why, sizeof(why)), ==, 0);
	/* A wider include holding the gateway is fine: the pinned /32 wins. */
	cfg->include4[cfg->n_include4++] = r4("203.0.113.0", 24);
	g_assert_cmpint(helper_netcfg_check(cfg, AF_INET, &gw, why, sizeof(why)), ==, 0);
	/* A host route to the gateway itself is not. */
	cfg->include4[cfg->n_include4++] = r4("203.0.113.9", 32);
	g_assert_cmpint(helper_netcfg_check(cfg, AF_INET, &gw, why, sizeof(why)), ==,
	                -ERR_PROTOCOL);
	g_assert_nonnull(strstr(why, "gateway"));
	cfg->n_include4 = 0;
	/* Nor the gateway's address as our own. */
	cfg->addr4 = gw.v4;
	g_assert_cmpint(helper_netcfg_check(cfg, AF_INET, &gw, why, sizeof(why)), ==,
	                -ERR_PROTOCOL);
	cfg->addr4.s_addr = htonl(0xc6336407);
	/* tunnel_config_validate() runs first: link-local includes are refused there. */
	cfg->include4[cfg->n_include4++] = r4("169.254.0.0", 16);
	g_assert_cmpint(helper_netcfg_check(cfg, AF_INET, &gw, why, sizeof(why)), ==,
	                -ERR_PROTOCOL);
	tunnel_config_free(cfg);

	cfg = base_config();
	{
		union helper_rtnl_addr g6 = {0};

		cfg->has_addr6 = true;
		inet_pton(AF_INET6, "2001:db8:100::7", &cfg->addr6);
		cfg->prefix6 = 64;
		inet_pton(AF_INET6, "2001:db8:9::1", &g6);
		cfg->include6[cfg->n_include6++] = r6("2001:db8:9::1", 128);
		g_assert_cmpint(helper_netcfg_check(cfg, AF_INET6, &g6, why, sizeof(why)), ==,
		                -ERR_PROTOCOL);
	}
	tunnel_config_free(cfg);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/helper-netcfg/full-tunnel", test_full_tunnel);
	g_test_add_func("/helper-netcfg/split-and-ipv6", test_split_and_ipv6);
	g_test_add_func("/helper-netcfg/family-without-address", test_family_without_address);
	g_test_add_func("/helper-netcfg/check", test_check);
	return g_test_run();
}
