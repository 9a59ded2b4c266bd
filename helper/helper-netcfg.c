// SPDX-License-Identifier: GPL-2.0-or-later
#include "helper-netcfg.h"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"

enum undo_kind {
	UNDO_LINK,  /* restore up/down and MTU */
	UNDO_ADDR,  /* delete an address we added */
	UNDO_ROUTE, /* delete a route we added */
};

struct undo {
	enum undo_kind kind;
	bool was_up;
	uint32_t old_mtu;
	int family;
	union helper_rtnl_addr addr;
	uint8_t prefix;
	struct helper_rtnl_route route;
};

struct helper_netcfg {
	struct helper_rtnl *rtnl;
	int ifindex;
	struct undo *log;
	size_t n_log, cap_log;
	bool link_logged;
};

/* ------------------------------------------------------------------------------------------ */
/* Pure part: checks and the route plan */

static bool route4_is(const struct route4 *r, uint32_t net, uint8_t prefix)
{
	return ntohl(r->addr.s_addr) == net && r->prefix == prefix;
}

static bool captures_gateway(const struct tunnel_config *cfg, int gw_family,
                             const union helper_rtnl_addr *gw)
{
	/* A host route to the gateway through the tunnel would tie with (and replace) ours
	 * through the old path; a tunnel address equal to the gateway's makes it local. */
	if (gw_family == AF_INET) {
		if (cfg->has_addr4 && cfg->addr4.s_addr == gw->v4.s_addr)
			return true;
		for (unsigned i = 0; i < cfg->n_include4; i++)
			if (cfg->include4[i].prefix == 32 &&
			    tunnel_config_route4_contains(&cfg->include4[i], gw->v4))
				return true;
	} else if (gw_family == AF_INET6) {
		if (cfg->has_addr6 && memcmp(&cfg->addr6, &gw->v6, 16) == 0)
			return true;
		for (unsigned i = 0; i < cfg->n_include6; i++)
			if (cfg->include6[i].prefix == 128 &&
			    tunnel_config_route6_contains(&cfg->include6[i], &gw->v6))
				return true;
	}
	return false;
}

int helper_netcfg_check(const struct tunnel_config *cfg, int gw_family,
                        const union helper_rtnl_addr *gw, char *why, size_t len)
{
	int r = tunnel_config_validate(cfg, why, len);

	if (r < 0)
		return r;
	if (captures_gateway(cfg, gw_family, gw)) {
		snprintf(why, len, "the configuration would capture the gateway's own address");
		return -ERR_PROTOCOL;
	}
	return 0;
}

struct plan {
	struct helper_netcfg_route *v;
	size_t n, cap;
};

static int plan_add(struct plan *p, int family, const void *dst, uint8_t prefix, bool via_tun)
{
	struct helper_netcfg_route *r;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		void *v = realloc(p->v, cap * sizeof(*p->v));

		if (!v)
			return -ERR_NOMEM;
		p->v = v;
		p->cap = cap;
	}
	r = &p->v[p->n++];
	memset(r, 0, sizeof(*r));
	r->family = family;
	memcpy(&r->dst, dst, family == AF_INET ? 4 : 16);
	r->prefix = prefix;
	r->via_tun = via_tun;
	return 0;
}

/* A whole family (or an include of prefix 0) goes in as two halves: the default route stays. */
static int plan_halves(struct plan *p, int family)
{
	union helper_rtnl_addr lo = {0}, hi = {0};
	int r;

	hi.bytes[0] = 0x80;
	r = plan_add(p, family, &lo, 1, true);
	return r < 0 ? r : plan_add(p, family, &hi, 1, true);
}

int helper_netcfg_plan(const struct tunnel_config *cfg, int gw_family,
                       const union helper_rtnl_addr *gw, struct helper_netcfg_route **out,
                       size_t *n)
{
	struct plan p = {0};
	bool v4 = cfg->has_addr4, v6 = cfg->has_addr6;
	int r = 0;

	if ((gw_family == AF_INET && v4) || (gw_family == AF_INET6 && v6))
		r = plan_add(&p, gw_family, gw, gw_family == AF_INET ? 32 : 128, false);
	for (unsigned i = 0; v4 && r == 0 && i < cfg->n_exclude4; i++) {
		/* 0.0.0.0/32 is the ASA's "local LAN access" marker, not a network. */
		if (route4_is(&cfg->exclude4[i], 0, 32))
			continue;
		r = plan_add(&p, AF_INET, &cfg->exclude4[i].addr, cfg->exclude4[i].prefix, false);
	}
	for (unsigned i = 0; v6 && r == 0 && i < cfg->n_exclude6; i++) {
		if (IN6_IS_ADDR_UNSPECIFIED(&cfg->exclude6[i].addr))
			continue;
		r = plan_add(&p, AF_INET6, &cfg->exclude6[i].addr, cfg->exclude6[i].prefix, false);
	}
	if (v4 && r == 0 && cfg->n_include4 == 0)
		r = plan_halves(&p, AF_INET);
	for (unsigned i = 0; v4 && r == 0 && i < cfg->n_include4; i++)
		r = cfg->include4[i].prefix == 0 ? plan_halves(&p, AF_INET)
		                                 : plan_add(&p, AF_INET, &cfg->include4[i].addr,
		                                            cfg->include4[i].prefix, true);
	if (v6 && r == 0 && cfg->n_include6 == 0)
		r = plan_halves(&p, AF_INET6);
	for (unsigned i = 0; v6 && r == 0 && i < cfg->n_include6; i++)
		r = cfg->include6[i].prefix == 0 ? plan_halves(&p, AF_INET6)
		                                 : plan_add(&p, AF_INET6, &cfg->include6[i].addr,
		                                            cfg->include6[i].prefix, true);
	if (r < 0) {
		free(p.v);
		return r;
	}
	*out = p.v;
	*n = p.n;
	return 0;
}

struct strv {
	char **v;
	size_t n, cap;
	bool failed;
};

static void strv_add(struct strv *s, const char *prefix, int family, const void *addr, unsigned len)
{
	char buf[80], tmp[INET6_ADDRSTRLEN];

	if (s->failed)
		return;
	if (s->n + 1 >= s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		char **v = realloc(s->v, cap * sizeof(*v));

		if (!v) {
			s->failed = true;
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	inet_ntop(family, addr, tmp, sizeof(tmp));
	snprintf(buf, sizeof(buf), "%s%s/%u", prefix, tmp, len);
	s->v[s->n] = strdup(buf);
	if (!s->v[s->n]) {
		s->failed = true;
		return;
	}
	s->v[++s->n] = NULL;
}

char **helper_netcfg_route_strings(const struct tunnel_config *cfg)
{
	static const union helper_rtnl_addr any = {0};
	struct strv s = {0};

	s.v = calloc(1, sizeof(char *));
	s.cap = s.v ? 1 : 0;
	if (!s.v)
		return NULL;
	if (cfg->has_addr4 && cfg->n_include4 == 0)
		strv_add(&s, "", AF_INET, &any, 0);
	for (unsigned i = 0; cfg->has_addr4 && i < cfg->n_include4; i++)
		strv_add(&s, "", AF_INET, &cfg->include4[i].addr, cfg->include4[i].prefix);
	if (cfg->has_addr6 && cfg->n_include6 == 0)
		strv_add(&s, "", AF_INET6, &any, 0);
	for (unsigned i = 0; cfg->has_addr6 && i < cfg->n_include6; i++)
		strv_add(&s, "", AF_INET6, &cfg->include6[i].addr, cfg->include6[i].prefix);
	for (unsigned i = 0; cfg->has_addr4 && i < cfg->n_exclude4; i++)
		if (!route4_is(&cfg->exclude4[i], 0, 32))
			strv_add(&s, "!", AF_INET, &cfg->exclude4[i].addr, cfg->exclude4[i].prefix);
	for (unsigned i = 0; cfg->has_addr6 && i < cfg->n_exclude6; i++)
		if (!IN6_IS_ADDR_UNSPECIFIED(&cfg->exclude6[i].addr))
			strv_add(&s, "!", AF_INET6, &cfg->exclude6[i].addr,
			         cfg->exclude6[i].prefix);
	if (s.failed) {
		for (size_t i = 0; i < s.n; i++)
			free(s.v[i]);
		free(s.v);
		return NULL;
	}
	return s.v;
}

/* ------------------------------------------------------------------------------------------ */
/* Applying, with the undo log */

struct helper_netcfg *helper_netcfg_new(struct helper_rtnl *rtnl, int ifindex)
{
	struct helper_netcfg *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->rtnl = rtnl;
	n->ifindex = ifindex;
	return n;
}

void helper_netcfg_free(struct helper_netcfg *n)
{
	if (!n)
		return;
	free(n->log);
	free(n);
}

static struct undo *log_push(struct helper_netcfg *n, enum undo_kind kind)
{
	struct undo *u;

	if (n->n_log == n->cap_log) {
		size_t cap = n->cap_log ? n->cap_log * 2 : 32;
		void *v = realloc(n->log, cap * sizeof(*n->log));

		if (!v)
			return NULL;
		n->log = v;
		n->cap_log = cap;
	}
	u = &n->log[n->n_log++];
	memset(u, 0, sizeof(*u));
	u->kind = kind;
	return u;
}

int helper_netcfg_set_mtu(struct helper_netcfg *n, uint32_t mtu)
{
	bool up;
	uint32_t old;
	int r;

	if (!n->link_logged) {
		/* The first change to the link records how it was. */
		struct undo *u;

		r = helper_rtnl_link_get(n->rtnl, n->ifindex, &up, &old);
		if (r < 0)
			return r;
		u = log_push(n, UNDO_LINK);
		if (!u)
			return -ERR_NOMEM;
		u->was_up = up;
		u->old_mtu = old;
		n->link_logged = true;
	}
	return helper_rtnl_link_set(n->rtnl, n->ifindex, true, mtu);
}

static int add_address(struct helper_netcfg *n, int family, const void *addr, uint8_t prefix)
{
	union helper_rtnl_addr a = {0};
	struct undo *u;
	char buf[80];
	int r;

	memcpy(&a, addr, family == AF_INET ? 4 : 16);
	r = helper_rtnl_addr_add(n->rtnl, n->ifindex, family, &a, prefix);
	if (r < 0)
		return r;
	log_info("address %s on link %d", helper_rtnl_format(family, &a, prefix, buf, sizeof(buf)),
	         n->ifindex);
	if (r == 1)
		return 0;
	u = log_push(n, UNDO_ADDR);
	if (!u) {
		helper_rtnl_addr_del(n->rtnl, n->ifindex, family, &a, prefix);
		return -ERR_NOMEM;
	}
	u->family = family;
	u->addr = a;
	u->prefix = prefix;
	return 0;
}

static int add_route(struct helper_netcfg *n, const struct helper_rtnl_route *route)
{
	struct undo *u;
	char buf[80], gw[80];
	int r = helper_rtnl_route_add(n->rtnl, route);

	if (r < 0)
		return r;
	helper_rtnl_format(route->family, &route->dst, route->dst_len, buf, sizeof(buf));
	if (route->has_gateway)
		helper_rtnl_format(route->family, &route->gateway, -1, gw, sizeof(gw));
	if (r == 1) {
		/* Someone else's route: not ours to remove later. */
		log_info("route %s already present; left alone", buf);
		return 0;
	}
	/* Gateways push thousands of routes: one line each only when debugging. */
	log_debug("route %s%s%s dev %d", buf, route->has_gateway ? " via " : "",
	          route->has_gateway ? gw : "", route->oif);
	u = log_push(n, UNDO_ROUTE);
	if (!u) {
		helper_rtnl_route_del(n->rtnl, route);
		return -ERR_NOMEM;
	}
	u->route = *route;
	return 0;
}

int helper_netcfg_apply(struct helper_netcfg *n, const struct tunnel_config *cfg, int gw_family,
                        const union helper_rtnl_addr *gw, uint32_t mtu)
{
	_cleanup_free_ struct helper_netcfg_route *plan = NULL;
	_cleanup_free_ struct helper_rtnl_route *routes = NULL;
	_cleanup_free_ bool *skip = NULL;
	size_t n_plan = 0, n_added = 0;
	int r;

	r = helper_netcfg_plan(cfg, gw_family, gw, &plan, &n_plan);
	if (r < 0)
		return r;
	routes = calloc(n_plan ? n_plan : 1, sizeof(*routes));
	skip = calloc(n_plan ? n_plan : 1, sizeof(*skip));
	if (!routes || !skip)
		return -ERR_NOMEM;

	/* Every "old path" is looked up before anything changes: afterwards the lookups would
	 * answer with the tunnel. */
	for (size_t i = 0; i < n_plan; i++) {
		struct helper_rtnl_route *rt = &routes[i];
		char buf[80];

		if (plan[i].via_tun) {
			rt->family = plan[i].family;
			rt->dst = plan[i].dst;
			rt->dst_len = plan[i].prefix;
			rt->oif = n->ifindex;
			continue;
		}
		helper_rtnl_format(plan[i].family, &plan[i].dst, plan[i].prefix, buf, sizeof(buf));
		r = helper_rtnl_route_get(n->rtnl, plan[i].family, &plan[i].dst, rt);
		if (r == -ERR_NOT_FOUND || (r == 0 && rt->type != RTN_UNICAST)) {
			/* Local, unreachable or blackholed now: the tunnel cannot capture a local
			 * address, and there is no old path to keep. */
			log_info("no outside route for %s; not pinned", buf);
			skip[i] = true;
			continue;
		}
		if (r < 0)
			return r;
		rt->dst = plan[i].dst;
		rt->dst_len = plan[i].prefix;
		rt->table = 0;
	}

	r = helper_netcfg_set_mtu(n, mtu);
	if (r < 0)
		return r;
	if (cfg->has_addr4 && (r = add_address(n, AF_INET, &cfg->addr4, cfg->prefix4)) < 0)
		return r;
	if (cfg->has_addr6 && (r = add_address(n, AF_INET6, &cfg->addr6, cfg->prefix6)) < 0)
		return r;
	/* The plan lists the old-path routes first, so the gateway is pinned before any tunnel
	 * route could capture it. */
	for (size_t i = 0; i < n_plan; i++) {
		if (skip[i])
			continue;
		r = add_route(n, &routes[i]);
		if (r < 0)
			return r;
		n_added++;
	}
	log_info("%zu routes set up for link %d", n_added, n->ifindex);
	return 0;
}

void helper_netcfg_undo(struct helper_netcfg *n)
{
	size_t n_removed = 0;

	while (n->n_log > 0) {
		struct undo *u = &n->log[--n->n_log];
		char buf[80];

		switch (u->kind) {
		case UNDO_ROUTE:
			helper_rtnl_format(u->route.family, &u->route.dst, u->route.dst_len, buf,
			                   sizeof(buf));
			if (helper_rtnl_route_del(n->rtnl, &u->route) < 0) {
				log_warning("could not remove route %s", buf);
			} else {
				log_debug("removed route %s", buf);
				n_removed++;
			}
			break;
		case UNDO_ADDR:
			helper_rtnl_format(u->family, &u->addr, u->prefix, buf, sizeof(buf));
			if (helper_rtnl_addr_del(n->rtnl, n->ifindex, u->family, &u->addr,
			                         u->prefix) < 0)
				log_warning("could not remove address %s", buf);
			break;
		case UNDO_LINK:
			/* The tun device may already be gone with its last file descriptor. */
			if (helper_rtnl_link_set(n->rtnl, n->ifindex, u->was_up, u->old_mtu) ==
			    -ERR_NETWORK_CONFIG)
				log_warning("could not restore link %d", n->ifindex);
			n->link_logged = false;
			break;
		}
	}
	if (n_removed)
		log_info("%zu routes removed", n_removed);
}
