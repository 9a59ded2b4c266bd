// SPDX-License-Identifier: GPL-2.0-or-later
#include "helper-rtnl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "log.h"

/* MNL_SOCKET_BUFFER_SIZE is computed at run time; our messages are small and fixed. */
#define RTNL_BUFFER_SIZE 8192

struct helper_rtnl {
	struct mnl_socket *nl;
	unsigned int portid;
	unsigned int seq;
};

struct helper_rtnl *helper_rtnl_new(void)
{
	struct helper_rtnl *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!r->nl || mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		log_error("rtnetlink socket: %m");
		helper_rtnl_free(r);
		return NULL;
	}
	r->portid = mnl_socket_get_portid(r->nl);
	r->seq = (unsigned int)time(NULL);
	return r;
}

void helper_rtnl_free(struct helper_rtnl *r)
{
	if (!r)
		return;
	if (r->nl)
		mnl_socket_close(r->nl);
	free(r);
}

const char *helper_rtnl_format(int family, const union helper_rtnl_addr *a, int prefix, char *buf,
                               size_t len)
{
	char tmp[INET6_ADDRSTRLEN];

	if (!inet_ntop(family, a, tmp, sizeof(tmp)))
		snprintf(tmp, sizeof(tmp), "?");
	if (prefix >= 0)
		snprintf(buf, len, "%s/%d", tmp, prefix);
	else
		snprintf(buf, len, "%s", tmp);
	return buf;
}

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* Sends one request with NLM_F_ACK and reads until the acknowledgement.  Returns 0, or the
 * kernel's errno as a positive number, or -1 on a local socket failure. */
static int rtnl_talk(struct helper_rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[RTNL_BUFFER_SIZE];
	unsigned int seq = ++r->seq;
	int ret;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(r->nl, buf, sizeof(buf));

		if (n < 0)
			return -1;
		ret = mnl_cb_run(buf, (size_t)n, seq, r->portid, cb, data);
		if (ret == MNL_CB_ERROR)
			return errno ? errno : EPROTO;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

static int rtnl_result(int kerr, const char *what)
{
	if (kerr == 0)
		return 0;
	if (kerr < 0)
		log_error("rtnetlink %s: %m", what);
	else
		log_error("rtnetlink %s: %s", what, strerror(kerr));
	return -ERR_NETWORK_CONFIG;
}

int helper_rtnl_link_set(struct helper_rtnl *r, int ifindex, bool up, uint32_t mtu)
{
	char buf[RTNL_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;
	int kerr;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	ifm->ifi_change = IFF_UP;
	ifm->ifi_flags = up ? IFF_UP : 0;
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	kerr = rtnl_talk(r, nlh, NULL, NULL);
	if (kerr == ENODEV)
		return -ERR_NOT_FOUND;
	return rtnl_result(kerr, "set link");
}

struct link_get_ctx {
	bool found;
	bool up;
	uint32_t mtu;
};

static int link_attr_cb(const struct nlattr *attr, void *data)
{
	struct link_get_ctx *ctx = data;

	if (mnl_attr_get_type(attr) == IFLA_MTU && mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
		ctx->mtu = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

static int link_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_get_ctx *ctx = data;
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	ctx->found = true;
	ctx->up = (ifm->ifi_flags & IFF_UP) != 0;
	return mnl_attr_parse(nlh, sizeof(*ifm), link_attr_cb, ctx);
}

int helper_rtnl_link_get(struct helper_rtnl *r, int ifindex, bool *up, uint32_t *mtu)
{
	char buf[RTNL_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;
	struct link_get_ctx ctx = {0};
	int kerr;

	nlh->nlmsg_type = RTM_GETLINK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	kerr = rtnl_talk(r, nlh, link_get_cb, &ctx);
	if (kerr == ENODEV)
		return -ERR_NOT_FOUND;
	if (kerr)
		return rtnl_result(kerr, "get link");
	if (!ctx.found)
		return -ERR_NOT_FOUND;
	*up = ctx.up;
	*mtu = ctx.mtu;
	return 0;
}

static int addr_change(struct helper_rtnl *r, bool add, int ifindex, int family,
                       const union helper_rtnl_addr *addr, uint8_t prefix)
{
	char buf[RTNL_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	int kerr;

	nlh->nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	if (add)
		nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned int)ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, addr_len(family), addr);
	mnl_attr_put(nlh, IFA_ADDRESS, addr_len(family), addr);
	if (family == AF_INET6) {
		/* A point-to-point tun has nobody to detect duplicates with. */
		ifa->ifa_flags = IFA_F_NODAD;
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	}
	kerr = rtnl_talk(r, nlh, NULL, NULL);
	if (add && kerr == EEXIST)
		return 1;
	if (!add && (kerr == EADDRNOTAVAIL || kerr == ENODEV))
		return 0;
	return rtnl_result(kerr, add ? "add address" : "delete address");
}

int helper_rtnl_addr_add(struct helper_rtnl *r, int ifindex, int family,
                         const union helper_rtnl_addr *addr, uint8_t prefix)
{
	return addr_change(r, true, ifindex, family, addr, prefix);
}

int helper_rtnl_addr_del(struct helper_rtnl *r, int ifindex, int family,
                         const union helper_rtnl_addr *addr, uint8_t prefix)
{
	return addr_change(r, false, ifindex, family, addr, prefix);
}

static void route_msg(struct nlmsghdr *nlh, const struct helper_rtnl_route *route)
{
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	rtm->rtm_family = (uint8_t)route->family;
	rtm->rtm_dst_len = route->dst_len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = HELPER_RTNL_PROTO;
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_scope = route->has_gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	if (route->table && route->table != RT_TABLE_MAIN) {
		rtm->rtm_table = RT_TABLE_UNSPEC;
		mnl_attr_put_u32(nlh, RTA_TABLE, route->table);
	}
	mnl_attr_put(nlh, RTA_DST, addr_len(route->family), &route->dst);
	if (route->has_gateway)
		mnl_attr_put(nlh, RTA_GATEWAY, addr_len(route->family), &route->gateway);
	if (route->oif)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)route->oif);
}

int helper_rtnl_route_add(struct helper_rtnl *r, const struct helper_rtnl_route *route)
{
	char buf[RTNL_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	int kerr;

	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	route_msg(nlh, route);
	kerr = rtnl_talk(r, nlh, NULL, NULL);
	if (kerr == EEXIST)
		return 1;
	return rtnl_result(kerr, "add route");
}

int helper_rtnl_route_del(struct helper_rtnl *r, const struct helper_rtnl_route *route)
{
	char buf[RTNL_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	int kerr;

	nlh->nlmsg_type = RTM_DELROUTE;
	route_msg(nlh, route);
	/* Scope must not narrow the match: the kernel compares it when it is not NOWHERE. */
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_scope = RT_SCOPE_NOWHERE;
	kerr = rtnl_talk(r, nlh, NULL, NULL);
	if (kerr == ESRCH || kerr == ENODEV || kerr == ENETUNREACH)
		return 0;
	return rtnl_result(kerr, "delete route");
}

struct route_get_ctx {
	struct helper_rtnl_route *out;
	bool found;
};

static int route_attr_cb(const struct nlattr *attr, void *data)
{
	struct route_get_ctx *ctx = data;
	struct helper_rtnl_route *out = ctx->out;
	size_t alen = addr_len(out->family);

	switch (mnl_attr_get_type(attr)) {
	case RTA_GATEWAY:
		if (mnl_attr_get_payload_len(attr) == alen) {
			memcpy(&out->gateway, mnl_attr_get_payload(attr), alen);
			out->has_gateway = true;
		}
		break;
	case RTA_OIF:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			out->oif = (int)mnl_attr_get_u32(attr);
		break;
	case RTA_TABLE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			out->table = mnl_attr_get_u32(attr);
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

static int route_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_get_ctx *ctx = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWROUTE || rtm->rtm_family != ctx->out->family)
		return MNL_CB_OK;
	ctx->out->type = rtm->rtm_type;
	ctx->out->table = rtm->rtm_table;
	ctx->found = true;
	return mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, ctx);
}

int helper_rtnl_route_get(struct helper_rtnl *r, int family, const union helper_rtnl_addr *dst,
                          struct helper_rtnl_route *out)
{
	char buf[RTNL_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	struct route_get_ctx ctx = {.out = out};
	int kerr;

	memset(out, 0, sizeof(*out));
	out->family = family;
	memcpy(&out->dst, dst, addr_len(family));
	out->dst_len = family == AF_INET ? 32 : 128;

	nlh->nlmsg_type = RTM_GETROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = out->dst_len;
	mnl_attr_put(nlh, RTA_DST, addr_len(family), dst);
	kerr = rtnl_talk(r, nlh, route_get_cb, &ctx);
	if (kerr == ENETUNREACH || kerr == EHOSTUNREACH || kerr == ESRCH)
		return -ERR_NOT_FOUND;
	if (kerr)
		return rtnl_result(kerr, "get route");
	if (!ctx.found)
		return -ERR_NOT_FOUND;
	return 0;
}

struct route_sweep_ctx {
	int family;
	struct helper_rtnl_route *found;
	size_t n, cap;
	bool nomem;
};

/* A dump names each route's destination too (a lookup's answer does not need it). */
static int route_sweep_attr_cb(const struct nlattr *attr, void *data)
{
	struct route_get_ctx *one = data;
	size_t alen = addr_len(one->out->family);

	if (mnl_attr_get_type(attr) != RTA_DST)
		return route_attr_cb(attr, data);
	if (mnl_attr_get_payload_len(attr) == alen)
		memcpy(&one->out->dst, mnl_attr_get_payload(attr), alen);
	return MNL_CB_OK;
}

static int route_sweep_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_sweep_ctx *ctx = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct route_get_ctx one;
	struct helper_rtnl_route route = {.family = ctx->family};

	if (nlh->nlmsg_type != RTM_NEWROUTE || rtm->rtm_family != ctx->family ||
	    rtm->rtm_protocol != HELPER_RTNL_PROTO)
		return MNL_CB_OK;
	route.dst_len = rtm->rtm_dst_len;
	route.table = rtm->rtm_table;
	one.out = &route;
	mnl_attr_parse(nlh, sizeof(*rtm), route_sweep_attr_cb, &one);
	if (ctx->n == ctx->cap) {
		size_t cap = ctx->cap ? ctx->cap * 2 : 16;
		struct helper_rtnl_route *more = reallocarray(ctx->found, cap, sizeof(*more));

		if (!more) {
			ctx->nomem = true;
			return MNL_CB_OK;
		}
		ctx->found = more;
		ctx->cap = cap;
	}
	ctx->found[ctx->n++] = route;
	return MNL_CB_OK;
}

/* One dump of a family's routes (every table). */
static int route_dump(struct helper_rtnl *r, struct route_sweep_ctx *ctx)
{
	char buf[RTNL_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	unsigned int seq = ++r->seq;
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)ctx->family;
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return rtnl_result(-1, "dump routes");
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(r->nl, buf, sizeof(buf));
		int ret;

		if (n < 0)
			return rtnl_result(-1, "dump routes");
		ret = mnl_cb_run(buf, (size_t)n, seq, r->portid, route_sweep_cb, ctx);
		if (ret == MNL_CB_ERROR)
			return rtnl_result(errno ? errno : EPROTO, "dump routes");
		if (ret == MNL_CB_STOP)
			return ctx->nomem ? -ERR_NOMEM : 0;
	}
}

int helper_rtnl_route_sweep(struct helper_rtnl *r)
{
	static const int families[] = {AF_INET, AF_INET6};
	int removed = 0;

	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
		struct route_sweep_ctx ctx = {.family = families[f]};
		int ret = route_dump(r, &ctx);

		for (size_t i = 0; ret == 0 && i < ctx.n; i++) {
			char net[64];

			ret = helper_rtnl_route_del(r, &ctx.found[i]);
			if (ret == 0) {
				removed++;
				log_notice("removed a route a previous helper left behind: %s",
				           helper_rtnl_format(ctx.family, &ctx.found[i].dst,
				                              ctx.found[i].dst_len, net, sizeof(net)));
			}
		}
		free(ctx.found);
		if (ret < 0)
			return ret;
	}
	return removed;
}
