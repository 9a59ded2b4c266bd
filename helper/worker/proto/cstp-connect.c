// SPDX-License-Identifier: GPL-2.0-or-later
#include "cstp-connect.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "hex.h"
#include "http-response.h"
#include "log.h"

int cstp_connect_status_result(int status)
{
	if (status == 200)
		return 0;
	if (status == 401)
		return -ERR_COOKIE_REJECTED;
	return -ERR_HTTP_STATUS;
}

/* ---- reply ------------------------------------------------------------------------------ */

enum cstp_hdr {
	H_ADDRESS,
	H_NETMASK,
	H_ADDRESS_IP6,
	H_SPLIT_INCLUDE,
	H_SPLIT_INCLUDE_IP6,
	H_SPLIT_EXCLUDE,
	H_SPLIT_EXCLUDE_IP6,
	H_DNS,
	H_DNS_IP6,
	H_NBNS,
	H_DEFAULT_DOMAIN,
	H_SPLIT_DNS,
	H_TUNNEL_ALL_DNS,
	H_DYNDNS,
	H_BANNER,
	H_KEEPALIVE,
	H_DPD,
	H_IDLE_TIMEOUT,
	H_SESSION_TIMEOUT,
	H_SESSION_TIMEOUT_REMAINING,
	H_SESSION_TIMEOUT_ALERT,
	H_LEASE_DURATION,
	H_DISCONNECTED_TIMEOUT,
	H_REKEY_TIME,
	H_REKEY_METHOD,
	H_DTLS_KEEPALIVE,
	H_DTLS_DPD,
	H_DTLS_REKEY_TIME,
	H_DTLS_REKEY_METHOD,
	H_BASE_MTU,
	H_MTU,
	H_DTLS_MTU,
	H_DTLS_PORT,
	H_DTLS_SESSION_ID,
	H_DTLS_APP_ID,
	H_DTLS_CIPHERSUITE,
	H_DTLS12_CIPHERSUITE,
	H_CSTP_CONTENT_ENCODING,
	H_DTLS_CONTENT_ENCODING,
	H_POST_AUTH_XML,
	H_COUNT_
};

static const struct {
	const char *name;
	bool repeat;
} cstp_hdrs[H_COUNT_] = {
    [H_ADDRESS] = {"X-CSTP-Address", true}, /* once per family, checked below */
    [H_NETMASK] = {"X-CSTP-Netmask", true}, /* once per family, checked below */
    [H_ADDRESS_IP6] = {"X-CSTP-Address-IP6", false},
    [H_SPLIT_INCLUDE] = {"X-CSTP-Split-Include", true},
    [H_SPLIT_INCLUDE_IP6] = {"X-CSTP-Split-Include-IP6", true},
    [H_SPLIT_EXCLUDE] = {"X-CSTP-Split-Exclude", true},
    [H_SPLIT_EXCLUDE_IP6] = {"X-CSTP-Split-Exclude-IP6", true},
    [H_DNS] = {"X-CSTP-DNS", true},
    [H_DNS_IP6] = {"X-CSTP-DNS-IP6", true},
    [H_NBNS] = {"X-CSTP-NBNS", true},
    [H_DEFAULT_DOMAIN] = {"X-CSTP-Default-Domain", true},
    [H_SPLIT_DNS] = {"X-CSTP-Split-DNS", true},
    [H_TUNNEL_ALL_DNS] = {"X-CSTP-Tunnel-All-DNS", false},
    [H_DYNDNS] = {"X-CSTP-DynDNS", false},
    [H_BANNER] = {"X-CSTP-Banner", false},
    [H_KEEPALIVE] = {"X-CSTP-Keepalive", false},
    [H_DPD] = {"X-CSTP-DPD", false},
    [H_IDLE_TIMEOUT] = {"X-CSTP-Idle-Timeout", false},
    [H_SESSION_TIMEOUT] = {"X-CSTP-Session-Timeout", false},
    [H_SESSION_TIMEOUT_REMAINING] = {"X-CSTP-Session-Timeout-Remaining", false},
    [H_SESSION_TIMEOUT_ALERT] = {"X-CSTP-Session-Timeout-Alert-Interval", false},
    [H_LEASE_DURATION] = {"X-CSTP-Lease-Duration", false},
    [H_DISCONNECTED_TIMEOUT] = {"X-CSTP-Disconnected-Timeout", false},
    [H_REKEY_TIME] = {"X-CSTP-Rekey-Time", false},
    [H_REKEY_METHOD] = {"X-CSTP-Rekey-Method", false},
    [H_DTLS_KEEPALIVE] = {"X-DTLS-Keepalive", false},
    [H_DTLS_DPD] = {"X-DTLS-DPD", false},
    [H_DTLS_REKEY_TIME] = {"X-DTLS-Rekey-Time", false},
    [H_DTLS_REKEY_METHOD] = {"X-DTLS-Rekey-Method", false},
    [H_BASE_MTU] = {"X-CSTP-Base-MTU", false},
    [H_MTU] = {"X-CSTP-MTU", false},
    [H_DTLS_MTU] = {"X-DTLS-MTU", false},
    [H_DTLS_PORT] = {"X-DTLS-Port", false},
    [H_DTLS_SESSION_ID] = {"X-DTLS-Session-ID", false},
    [H_DTLS_APP_ID] = {"X-DTLS-App-ID", false},
    [H_DTLS_CIPHERSUITE] = {"X-DTLS-CipherSuite", false},
    [H_DTLS12_CIPHERSUITE] = {"X-DTLS12-CipherSuite", false},
    [H_CSTP_CONTENT_ENCODING] = {"X-CSTP-Content-Encoding", false},
    [H_DTLS_CONTENT_ENCODING] = {"X-DTLS-Content-Encoding", false},
    [H_POST_AUTH_XML] = {"X-CSTP-Post-Auth-XML", false},
};

struct cstp_connect_reply *cstp_connect_reply_new(void)
{
	return calloc(1, sizeof(struct cstp_connect_reply));
}

void cstp_connect_reply_free(struct cstp_connect_reply *r)
{
	if (!r)
		return;
	secret_free(r->post_auth_xml);
	/* The DTLS session id is what lets a resumption in: no copy left behind. */
	secret_wipe(r, sizeof(*r));
	free(r);
}

static int cstp_fail(struct cstp_connect_reply *r, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int cstp_fail(struct cstp_connect_reply *r, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	return err;
}

/* Decimal digits only, no sign, no spaces, no overflow past max. */
static bool cstp_parse_uint(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s || strlen(s) > 10)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Seconds, or "none" for disabled. */
static bool cstp_parse_timer(const char *s, uint32_t *out)
{
	if (strcasecmp(s, "none") == 0) {
		*out = 0;
		return true;
	}
	return cstp_parse_uint(s, UINT32_MAX, out);
}

static bool cstp_parse_bool(const char *s, bool *out)
{
	if (strcasecmp(s, "true") == 0)
		*out = true;
	else if (strcasecmp(s, "false") == 0)
		*out = false;
	else
		return false;
	return true;
}

static bool cstp_parse_rekey(const char *s, enum cstp_rekey_method *out)
{
	if (strcasecmp(s, "none") == 0)
		*out = CSTP_REKEY_NONE;
	else if (strcasecmp(s, "ssl") == 0)
		*out = CSTP_REKEY_SSL;
	else if (strcasecmp(s, "new-tunnel") == 0)
		*out = CSTP_REKEY_NEW_TUNNEL;
	else
		return false;
	return true;
}

/* "prefix" digits: 1..3 digits, no leading zero except "0". */
static bool cstp_parse_prefix(const char *s, unsigned max, uint8_t *out)
{
	uint32_t v;

	if (strlen(s) > 3 || (s[0] == '0' && s[1]) || !cstp_parse_uint(s, max, &v))
		return false;
	*out = (uint8_t)v;
	return true;
}

/* Splits "a/b" into a copy; exactly one '/'. */
static bool cstp_split_slash(const char *value, char *left, size_t llen, const char **right)
{
	const char *slash = strchr(value, '/');

	if (!slash || strchr(slash + 1, '/') || (size_t)(slash - value) >= llen)
		return false;
	memcpy(left, value, (size_t)(slash - value));
	left[slash - value] = '\0';
	*right = slash + 1;
	return true;
}

enum cstp_family { CSTP_ANY, CSTP_V4, CSTP_V6 };

static int cstp_add_route(struct cstp_connect_reply *r, const char *hname, const char *value,
                          enum cstp_family fam, bool include)
{
	struct tunnel_config *cfg = &r->cfg;
	char addr[INET6_ADDRSTRLEN];
	const char *mask;
	uint8_t prefix;

	if (!cstp_split_slash(value, addr, sizeof(addr), &mask))
		return cstp_fail(r, -ERR_PROTOCOL, "%s: not net/mask", hname);
	if (strchr(addr, ':')) {
		struct route6 rt;

		if (fam == CSTP_V4 || inet_pton(AF_INET6, addr, &rt.addr) != 1)
			return cstp_fail(r, -ERR_PROTOCOL, "%s: bad IPv6 network", hname);
		if (strchr(mask, ':')) {
			struct in6_addr m;
			int p;

			if (inet_pton(AF_INET6, mask, &m) != 1 ||
			    (p = tunnel_config_mask6_prefix(&m)) < 0)
				return cstp_fail(r, -ERR_PROTOCOL, "%s: bad IPv6 mask", hname);
			prefix = (uint8_t)p;
		} else if (!cstp_parse_prefix(mask, 128, &prefix)) {
			return cstp_fail(r, -ERR_PROTOCOL, "%s: bad IPv6 prefix", hname);
		}
		rt.prefix = prefix;
		if (tunnel_config_clear_host6(&rt.addr, prefix)) {
			inet_ntop(AF_INET6, &rt.addr, addr, sizeof(addr));
			log_warning("%s has host bits set; using %s/%u", hname, addr, prefix);
		}
		if (include) {
			if (cfg->n_include6 >= TUNNEL_CONFIG_MAX_ROUTES)
				return cstp_fail(r, -ERR_TOO_LARGE, "more than %d IPv6 include routes",
				                 TUNNEL_CONFIG_MAX_ROUTES);
			cfg->include6[cfg->n_include6++] = rt;
		} else {
			if (cfg->n_exclude6 >= TUNNEL_CONFIG_MAX_ROUTES)
				return cstp_fail(r, -ERR_TOO_LARGE, "more than %d IPv6 exclude routes",
				                 TUNNEL_CONFIG_MAX_ROUTES);
			cfg->exclude6[cfg->n_exclude6++] = rt;
		}
		return 0;
	} else {
		struct route4 rt;

		if (fam == CSTP_V6 || inet_pton(AF_INET, addr, &rt.addr) != 1)
			return cstp_fail(r, -ERR_PROTOCOL, "%s: bad IPv4 network", hname);
		if (strchr(mask, '.')) {
			struct in_addr m;
			int p;

			if (inet_pton(AF_INET, mask, &m) != 1 ||
			    (p = tunnel_config_mask4_prefix(m)) < 0)
				return cstp_fail(r, -ERR_PROTOCOL, "%s: bad IPv4 mask", hname);
			prefix = (uint8_t)p;
		} else if (!cstp_parse_prefix(mask, 32, &prefix)) {
			return cstp_fail(r, -ERR_PROTOCOL, "%s: bad IPv4 prefix", hname);
		}
		rt.prefix = prefix;
		/* ASA-style "allow local LAN access" marker, not a route. */
		if (!include && rt.addr.s_addr == 0 && prefix == 32) {
			r->local_lan_access = true;
			return 0;
		}
		if (tunnel_config_clear_host4(&rt.addr, prefix)) {
			inet_ntop(AF_INET, &rt.addr, addr, sizeof(addr));
			log_warning("%s has host bits set; using %s/%u", hname, addr, prefix);
		}
		if (include) {
			if (cfg->n_include4 >= TUNNEL_CONFIG_MAX_ROUTES)
				return cstp_fail(r, -ERR_TOO_LARGE, "more than %d IPv4 include routes",
				                 TUNNEL_CONFIG_MAX_ROUTES);
			cfg->include4[cfg->n_include4++] = rt;
		} else {
			if (cfg->n_exclude4 >= TUNNEL_CONFIG_MAX_ROUTES)
				return cstp_fail(r, -ERR_TOO_LARGE, "more than %d IPv4 exclude routes",
				                 TUNNEL_CONFIG_MAX_ROUTES);
			cfg->exclude4[cfg->n_exclude4++] = rt;
		}
		return 0;
	}
}

static int cstp_add_dns(struct cstp_connect_reply *r, const char *hname, const char *value,
                        enum cstp_family fam)
{
	struct tunnel_config *cfg = &r->cfg;
	struct in6_addr a6;
	struct in_addr a4;

	if (fam != CSTP_V6 && inet_pton(AF_INET, value, &a4) == 1) {
		if (cfg->n_dns4 >= TUNNEL_CONFIG_MAX_DNS)
			return cstp_fail(r, -ERR_TOO_LARGE, "too many IPv4 DNS servers");
		cfg->dns4[cfg->n_dns4++] = a4;
		return 0;
	}
	if (fam != CSTP_V4 && inet_pton(AF_INET6, value, &a6) == 1) {
		if (cfg->n_dns6 >= TUNNEL_CONFIG_MAX_DNS)
			return cstp_fail(r, -ERR_TOO_LARGE, "too many IPv6 DNS servers");
		cfg->dns6[cfg->n_dns6++] = a6;
		return 0;
	}
	return cstp_fail(r, -ERR_PROTOCOL, "%s: not an IP address", hname);
}

/* One or more domains separated by runs of space, ',' or ';'. */
static int cstp_add_domains(struct cstp_connect_reply *r, const char *hname, const char *value,
                            char (*list)[TUNNEL_CONFIG_MAX_DOMAIN + 1], unsigned *n)
{
	const char *p = value;

	for (;;) {
		size_t len;
		char dom[TUNNEL_CONFIG_MAX_DOMAIN + 1];

		p += strspn(p, " \t,;");
		if (!*p)
			return 0;
		len = strcspn(p, " \t,;");
		if (len > TUNNEL_CONFIG_MAX_DOMAIN)
			return cstp_fail(r, -ERR_PROTOCOL, "%s: domain too long", hname);
		memcpy(dom, p, len);
		dom[len] = '\0';
		if (!tunnel_config_domain_valid(dom))
			return cstp_fail(r, -ERR_PROTOCOL, "%s: invalid domain", hname);
		if (*n >= TUNNEL_CONFIG_MAX_DOMAINS)
			return cstp_fail(r, -ERR_TOO_LARGE, "%s: too many domains", hname);
		memcpy(list[(*n)++], dom, len + 1);
		p += len;
	}
}

/* %XX escapes decoded; a stray '%' or %00 is an error. */
static int cstp_set_banner(struct cstp_connect_reply *r, const char *value)
{
	char *out = r->cfg.banner;
	size_t n = 0;

	for (const char *p = value; *p; p++) {
		char c = *p;

		if (c == '%') {
			int hi = hex_digit(p[1]), lo = hi < 0 ? -1 : hex_digit(p[2]);

			if (hi < 0 || lo < 0)
				return cstp_fail(r, -ERR_PROTOCOL, "X-CSTP-Banner: bad %% escape");
			c = (char)(hi << 4 | lo);
			if (c == '\0')
				return cstp_fail(r, -ERR_PROTOCOL, "X-CSTP-Banner: NUL escape");
			p += 2;
		}
		if (n >= TUNNEL_CONFIG_MAX_BANNER)
			return cstp_fail(r, -ERR_TOO_LARGE, "X-CSTP-Banner too long");
		out[n++] = c;
	}
	out[n] = '\0';
	return 0;
}

static bool cstp_suite_ok(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > CSTP_CONNECT_MAX_SUITE)
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

static int cstp_hdr_lookup(const char *name)
{
	for (int i = 0; i < H_COUNT_; i++)
		if (strcasecmp(name, cstp_hdrs[i].name) == 0)
			return i;
	return -1;
}

/* Headers whose values are not secret and small enough to show in a debug log. */
static bool cstp_hdr_loggable(int h)
{
	return h != H_POST_AUTH_XML && h != H_DTLS_SESSION_ID && h != H_DTLS_APP_ID;
}

static int cstp_address(struct cstp_connect_reply *r, const char *value)
{
	struct in_addr a4;

	if (strchr(value, ':')) {
		if (r->parse_.has_legacy6)
			return cstp_fail(r, -ERR_PROTOCOL, "repeated IPv6 X-CSTP-Address");
		if (inet_pton(AF_INET6, value, &r->parse_.legacy6) != 1)
			return cstp_fail(r, -ERR_PROTOCOL, "X-CSTP-Address: bad IPv6 address");
		r->parse_.has_legacy6 = true;
		return 0;
	}
	if (r->cfg.has_addr4)
		return cstp_fail(r, -ERR_PROTOCOL, "repeated IPv4 X-CSTP-Address");
	if (inet_pton(AF_INET, value, &a4) != 1)
		return cstp_fail(r, -ERR_PROTOCOL, "X-CSTP-Address: bad IPv4 address");
	r->cfg.addr4 = a4;
	r->cfg.has_addr4 = true;
	return 0;
}

static int cstp_netmask(struct cstp_connect_reply *r, const char *value)
{
	if (strchr(value, ':')) {
		char net[INET6_ADDRSTRLEN];
		const char *prefix;
		struct in6_addr a;

		if (r->parse_.has_mask6)
			return cstp_fail(r, -ERR_PROTOCOL, "repeated IPv6 X-CSTP-Netmask");
		if (!cstp_split_slash(value, net, sizeof(net), &prefix) ||
		    inet_pton(AF_INET6, net, &a) != 1 ||
		    !cstp_parse_prefix(prefix, 128, &r->parse_.mask6_prefix))
			return cstp_fail(r, -ERR_PROTOCOL, "X-CSTP-Netmask: bad IPv6 net/prefix");
		r->parse_.has_mask6 = true;
		return 0;
	} else {
		struct in_addr m;
		int p;

		if (r->parse_.has_mask4)
			return cstp_fail(r, -ERR_PROTOCOL, "repeated IPv4 X-CSTP-Netmask");
		if (inet_pton(AF_INET, value, &m) != 1 || (p = tunnel_config_mask4_prefix(m)) < 0)
			return cstp_fail(r, -ERR_PROTOCOL, "X-CSTP-Netmask: bad IPv4 mask");
		r->parse_.mask4_prefix = (uint8_t)p;
		r->parse_.has_mask4 = true;
		return 0;
	}
}

static int cstp_address_ip6(struct cstp_connect_reply *r, const char *value)
{
	char addr[INET6_ADDRSTRLEN];
	const char *prefix;

	if (!cstp_split_slash(value, addr, sizeof(addr), &prefix) ||
	    inet_pton(AF_INET6, addr, &r->parse_.ip6) != 1 ||
	    !cstp_parse_prefix(prefix, 128, &r->parse_.ip6_prefix))
		return cstp_fail(r, -ERR_PROTOCOL, "X-CSTP-Address-IP6: bad addr/prefix");
	r->parse_.has_ip6 = true;
	return 0;
}

static int cstp_timer(struct cstp_connect_reply *r, int h, const char *value, uint32_t *out)
{
	if (!cstp_parse_timer(value, out))
		return cstp_fail(r, -ERR_PROTOCOL, "%s: bad value", cstp_hdrs[h].name);
	return 0;
}

static int cstp_mtu(struct cstp_connect_reply *r, int h, const char *value, uint32_t *out)
{
	if (!cstp_parse_uint(value, 65535, out))
		return cstp_fail(r, -ERR_PROTOCOL, "%s: bad value", cstp_hdrs[h].name);
	return 0;
}

static int cstp_boolean(struct cstp_connect_reply *r, int h, const char *value, bool *out)
{
	if (!cstp_parse_bool(value, out))
		return cstp_fail(r, -ERR_PROTOCOL, "%s: not true/false", cstp_hdrs[h].name);
	return 0;
}

static int cstp_rekey(struct cstp_connect_reply *r, int h, const char *value,
                      enum cstp_rekey_method *out)
{
	if (!cstp_parse_rekey(value, out))
		return cstp_fail(r, -ERR_PROTOCOL, "%s: unknown method", cstp_hdrs[h].name);
	return 0;
}

static int cstp_suite(struct cstp_connect_reply *r, int h, const char *value)
{
	if (r->dtls_suite_header != CSTP_DTLS_SUITE_NONE)
		return cstp_fail(r, -ERR_PROTOCOL,
		                 "both X-DTLS-CipherSuite and X-DTLS12-CipherSuite answered");
	if (!cstp_suite_ok(value))
		return cstp_fail(r, -ERR_PROTOCOL, "%s: bad suite name", cstp_hdrs[h].name);
	snprintf(r->dtls_suite, sizeof(r->dtls_suite), "%s", value);
	r->dtls_suite_header =
	    h == H_DTLS12_CIPHERSUITE ? CSTP_DTLS_SUITE_DTLS12 : CSTP_DTLS_SUITE_DTLS;
	return 0;
}

static int cstp_dispatch(struct cstp_connect_reply *r, int h, const char *value)
{
	struct tunnel_config *cfg = &r->cfg;
	const char *name = cstp_hdrs[h].name;
	struct in_addr a4;
	uint32_t v;

	switch (h) {
	case H_ADDRESS:
		return cstp_address(r, value);
	case H_NETMASK:
		return cstp_netmask(r, value);
	case H_ADDRESS_IP6:
		return cstp_address_ip6(r, value);
	case H_SPLIT_INCLUDE:
		return cstp_add_route(r, name, value, CSTP_ANY, true);
	case H_SPLIT_INCLUDE_IP6:
		return cstp_add_route(r, name, value, CSTP_V6, true);
	case H_SPLIT_EXCLUDE:
		return cstp_add_route(r, name, value, CSTP_ANY, false);
	case H_SPLIT_EXCLUDE_IP6:
		return cstp_add_route(r, name, value, CSTP_V6, false);
	case H_DNS:
		return cstp_add_dns(r, name, value, CSTP_ANY);
	case H_DNS_IP6:
		return cstp_add_dns(r, name, value, CSTP_V6);
	case H_NBNS: {
		struct in6_addr a6;

		/* WINS means nothing on Linux; only check that it is an address. */
		if (inet_pton(AF_INET, value, &a4) != 1 && inet_pton(AF_INET6, value, &a6) != 1)
			return cstp_fail(r, -ERR_PROTOCOL, "%s: not an IP address", name);
		return 0;
	}
	case H_DEFAULT_DOMAIN:
		return cstp_add_domains(r, name, value, cfg->domains, &cfg->n_domains);
	case H_SPLIT_DNS:
		return cstp_add_domains(r, name, value, r->split_dns, &r->n_split_dns);
	case H_TUNNEL_ALL_DNS:
		return cstp_boolean(r, h, value, &r->tunnel_all_dns);
	case H_DYNDNS:
		return cstp_boolean(r, h, value, &r->dyndns);
	case H_BANNER:
		return cstp_set_banner(r, value);
	case H_KEEPALIVE:
		return cstp_timer(r, h, value, &r->cstp.keepalive);
	case H_DPD:
		return cstp_timer(r, h, value, &r->cstp.dpd);
	case H_IDLE_TIMEOUT:
		return cstp_timer(r, h, value, &r->idle_timeout);
	case H_SESSION_TIMEOUT:
		return cstp_timer(r, h, value, &r->session_timeout);
	case H_SESSION_TIMEOUT_REMAINING:
		return cstp_timer(r, h, value, &r->session_timeout_remaining);
	case H_SESSION_TIMEOUT_ALERT:
		return cstp_timer(r, h, value, &r->session_timeout_alert);
	case H_LEASE_DURATION:
		return cstp_timer(r, h, value, &r->lease_duration);
	case H_DISCONNECTED_TIMEOUT:
		return cstp_timer(r, h, value, &r->disconnected_timeout);
	case H_REKEY_TIME:
		return cstp_timer(r, h, value, &r->cstp.rekey_time);
	case H_REKEY_METHOD:
		return cstp_rekey(r, h, value, &r->cstp.rekey_method);
	case H_DTLS_KEEPALIVE:
		return cstp_timer(r, h, value, &r->dtls.keepalive);
	case H_DTLS_DPD:
		return cstp_timer(r, h, value, &r->dtls.dpd);
	case H_DTLS_REKEY_TIME:
		return cstp_timer(r, h, value, &r->dtls.rekey_time);
	case H_DTLS_REKEY_METHOD:
		return cstp_rekey(r, h, value, &r->dtls.rekey_method);
	case H_BASE_MTU:
		return cstp_mtu(r, h, value, &cfg->base_mtu);
	case H_MTU:
		return cstp_mtu(r, h, value, &cfg->mtu);
	case H_DTLS_MTU:
		return cstp_mtu(r, h, value, &cfg->dtls_mtu);
	case H_DTLS_PORT:
		if (!cstp_parse_uint(value, 65535, &v) || v == 0)
			return cstp_fail(r, -ERR_PROTOCOL, "%s: bad port", name);
		r->dtls_port = (uint16_t)v;
		return 0;
	case H_DTLS_SESSION_ID:
		if (!hex_decode(value, r->dtls_session_id, CSTP_CONNECT_SESSION_ID_LEN))
			return cstp_fail(r, -ERR_PROTOCOL, "%s: not 64 hex digits", name);
		r->has_dtls_session_id = true;
		return 0;
	case H_DTLS_APP_ID: {
		size_t len = strlen(value);

		if (len == 0 || len % 2 || len / 2 > CSTP_CONNECT_MAX_APP_ID ||
		    !hex_decode(value, r->dtls_app_id, len / 2))
			return cstp_fail(r, -ERR_PROTOCOL, "%s: bad hex identifier", name);
		r->dtls_app_id_len = len / 2;
		return 0;
	}
	case H_DTLS_CIPHERSUITE:
	case H_DTLS12_CIPHERSUITE:
		return cstp_suite(r, h, value);
	case H_CSTP_CONTENT_ENCODING:
	case H_DTLS_CONTENT_ENCODING:
		return cstp_fail(r, -ERR_UNSUPPORTED, "%s: compression was not offered", name);
	case H_POST_AUTH_XML: {
		size_t len = strlen(value);

		if (len > CSTP_CONNECT_MAX_POST_AUTH_XML)
			return cstp_fail(r, -ERR_TOO_LARGE, "%s too large", name);
		if (len) {
			r->post_auth_xml = secret_new(value, len);
			if (!r->post_auth_xml)
				return cstp_fail(r, -ERR_NOMEM, "out of memory");
		}
		return 0;
	}
	}
	return 0;
}

int cstp_connect_reply_add_header(struct cstp_connect_reply *r, const char *name, const char *value)
{
	int h;

	if (!r || !name || !value)
		return -ERR_INVALID_ARGS;
	if (r->parse_.finished)
		return cstp_fail(r, -ERR_INVALID_ARGS, "header after finish");
	h = cstp_hdr_lookup(name);
	if (h < 0)
		return 0;
	for (const char *p = value; *p; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
			return cstp_fail(r, -ERR_PROTOCOL, "%s: control character",
			                 cstp_hdrs[h].name);
	if (!cstp_hdrs[h].repeat) {
		if (r->parse_.seen & (UINT64_C(1) << h))
			return cstp_fail(r, -ERR_PROTOCOL, "repeated %s", cstp_hdrs[h].name);
		r->parse_.seen |= UINT64_C(1) << h;
	}
	if (cstp_hdr_loggable(h))
		log_debug("CONNECT answer: %s: %s", cstp_hdrs[h].name, value);
	return cstp_dispatch(r, h, value);
}

int cstp_connect_reply_finish(struct cstp_connect_reply *r)
{
	struct tunnel_config *cfg = &r->cfg;
	char why[200];

	if (r->parse_.finished)
		return cstp_fail(r, -ERR_INVALID_ARGS, "finished twice");
	r->parse_.finished = true;
	if (cfg->has_addr4)
		cfg->prefix4 = r->parse_.has_mask4 ? r->parse_.mask4_prefix : 32;
	else if (r->parse_.has_mask4)
		return cstp_fail(r, -ERR_PROTOCOL, "IPv4 X-CSTP-Netmask without an IPv4 address");
	if (r->parse_.has_ip6) {
		/* Older ocserv sends the legacy pair as well; it must name the same address. */
		if (r->parse_.has_legacy6 &&
		    memcmp(&r->parse_.legacy6, &r->parse_.ip6, sizeof(r->parse_.ip6)) != 0)
			return cstp_fail(r, -ERR_PROTOCOL,
			                 "X-CSTP-Address-IP6 and X-CSTP-Address disagree");
		cfg->addr6 = r->parse_.ip6;
		cfg->prefix6 = r->parse_.ip6_prefix;
		cfg->has_addr6 = true;
	} else if (r->parse_.has_legacy6) {
		cfg->addr6 = r->parse_.legacy6;
		cfg->prefix6 = r->parse_.has_mask6 ? r->parse_.mask6_prefix : 128;
		cfg->has_addr6 = true;
	} else if (r->parse_.has_mask6) {
		return cstp_fail(r, -ERR_PROTOCOL, "IPv6 X-CSTP-Netmask without an IPv6 address");
	}
	if (!cfg->has_addr4 && !cfg->has_addr6)
		return cstp_fail(r, -ERR_PROTOCOL, "no tunnel address in the CONNECT answer");
	if (!(r->parse_.seen & (UINT64_C(1) << H_MTU)))
		return cstp_fail(r, -ERR_PROTOCOL, "no X-CSTP-MTU in the CONNECT answer");
	tunnel_config_drop_unusable(cfg);
	if (tunnel_config_validate(cfg, why, sizeof(why)) < 0)
		return cstp_fail(r, -ERR_PROTOCOL, "unacceptable configuration: %s", why);
	return 0;
}

int cstp_connect_reply_from_http(struct cstp_connect_reply *r, const struct http_response *resp)
{
	size_t n = http_response_header_count(resp);

	for (size_t i = 0; i < n; i++) {
		const char *name, *value;
		int err = http_response_header_at(resp, i, &name, &value);

		if (err < 0)
			return cstp_fail(r, err, "header %zu unreadable", i);
		err = cstp_connect_reply_add_header(r, name, value);
		if (err < 0)
			return err;
	}
	return cstp_connect_reply_finish(r);
}
