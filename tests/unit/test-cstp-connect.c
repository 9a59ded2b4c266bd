// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cstp-connect.h"
#include "cstp-frame.h"
#include "error.h"
#include "http-response.h"
#include "log.h"
#include "unit-helper.h"

/* Test data is stored with LF line ends; the wire uses CRLF. */
static char *load_crlf(const char *name, size_t *len)
{
	g_autofree char *rel = g_build_filename("worker", name, NULL);
	g_autofree char *text = unit_load_data(rel, NULL);
	GString *s;

	s = g_string_new(NULL);
	for (const char *p = text; *p; p++) {
		if (*p == '\n')
			g_string_append_c(s, '\r');
		g_string_append_c(s, *p);
	}
	*len = s->len;
	return g_string_free(s, FALSE);
}

static void test_request_exact(void)
{
	_cleanup_(secret_freep) struct secret *cookie = secret_new_str("3A1B+c/9xQ==");
	_cleanup_(secret_freep) struct secret *out = NULL;
	struct cstp_connect_request req = {
	    .host = "vpn.example.com",
	    .port = 443,
	    .user_agent = "AnyConnect Linux_64 4.10.07061",
	    .cookie = cookie,
	    .hostname = "laptop1",
	    .base_mtu = 1500,
	    .mtu = 1390,
	};
	size_t len;
	g_autofree char *want = load_crlf("connect-request.txt", &len);

	g_assert_cmpint(cstp_connect_request_build(&req, &out), ==, 0);
	g_assert_cmpstr(secret_str(out), ==, want);
	g_assert_cmpuint(secret_len(out), ==, len);
	/* No DTLS header at all when DTLS is not wanted (TLS-only tunnel). */
	g_assert_null(strstr(secret_str(out), "X-DTLS"));
	/* Port 0 means 443 too. */
	req.port = 0;
	secret_free(steal_ptr(&out));
	g_assert_cmpint(cstp_connect_request_build(&req, &out), ==, 0);
	g_assert_cmpstr(secret_str(out), ==, want);
}

static void test_request_reconnect_exact(void)
{
	_cleanup_(secret_freep) struct secret *cookie = secret_new_str("3A1B+c/9xQ==");
	_cleanup_(secret_freep) struct secret *out = NULL;
	_cleanup_(secret_freep) struct secret *ms = NULL;
	uint8_t msb[48];
	struct in_addr a4;
	struct in6_addr a6;
	size_t len;
	g_autofree char *want = load_crlf("connect-request-reconnect.txt", &len);

	for (int i = 0; i < 48; i++)
		msb[i] = (uint8_t)i;
	ms = secret_new(msb, sizeof(msb));
	inet_pton(AF_INET, "198.51.100.23", &a4);
	inet_pton(AF_INET6, "2001:db8:5::17", &a6);
	struct cstp_connect_request req = {
	    .host = "2001:db8::443",
	    .port = 8443,
	    .user_agent = "AnyConnect Linux_64 4.10.07061",
	    .cookie = cookie,
	    .base_mtu = 1406,
	    .mtu = 1276,
	    .ipv4_only = true,
	    .prev_addr4 = &a4,
	    .prev_addr6 = &a6,
	    .dtls_master_secret = ms,
	    .dtls_ciphers = "PSK-NEGOTIATE:OC-DTLS1_2-AES256-GCM:OC-DTLS1_2-AES128-GCM:"
	                    "AES256-SHA:AES128-SHA",
	    .dtls12_ciphers = "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:"
	                      "AES256-GCM-SHA384:AES128-GCM-SHA256",
	};

	g_assert_cmpint(cstp_connect_request_build(&req, &out), ==, 0);
	g_assert_cmpstr(secret_str(out), ==, want);
}

static void test_request_refuses(void)
{
	_cleanup_(secret_freep) struct secret *good = secret_new_str("abc");
	_cleanup_(secret_freep) struct secret *semi = secret_new_str("abc; other=1");
	_cleanup_(secret_freep) struct secret *crlf = secret_new_str("abc\r\nX-Evil: 1");
	_cleanup_(secret_freep) struct secret *space = secret_new_str("a b");
	_cleanup_(secret_freep) struct secret *nul = secret_new("ab\0c", 4);
	_cleanup_(secret_freep) struct secret *empty = secret_new_str("");
	_cleanup_(secret_freep) struct secret *ms47 = secret_new("0123456789", 10);
	struct secret *out = (struct secret *)0x1;
	const struct cstp_connect_request base = {
	    .host = "vpn.example.com",
	    .user_agent = "AnyConnect",
	    .cookie = good,
	    .base_mtu = 1500,
	    .mtu = 1390,
	};
	struct cstp_connect_request r;

#define REFUSE(stmt)                                                                               \
	do {                                                                                       \
		r = base;                                                                          \
		stmt;                                                                              \
		g_assert_cmpint(cstp_connect_request_build(&r, &out), ==, -ERR_INVALID_ARGS);      \
		g_assert_null(out);                                                                \
	} while (0)
	REFUSE(r.cookie = semi);
	REFUSE(r.cookie = crlf);
	REFUSE(r.cookie = space);
	REFUSE(r.cookie = nul);
	REFUSE(r.cookie = empty);
	REFUSE(r.cookie = NULL);
	REFUSE(r.host = NULL);
	REFUSE(r.host = "vpn.example.com\r\nX-Evil: 1");
	REFUSE(r.host = "vpn example");
	REFUSE(r.host = "");
	REFUSE(r.user_agent = "Agent\r\nX-Evil: 1");
	REFUSE(r.user_agent = "Agent\x80");
	REFUSE(r.user_agent = "");
	REFUSE(r.hostname = "bad host");
	REFUSE(r.hostname = "");
	REFUSE(r.base_mtu = 0);
	REFUSE(r.mtu = 0);
	REFUSE(r.mtu = 70000);
	REFUSE(r.dtls_master_secret = ms47);
	REFUSE(r.dtls_ciphers = "AES256-SHA\r\nX-Evil: 1");
	REFUSE(r.dtls12_ciphers = "A B");
	REFUSE(r.dtls12_ciphers = "");
#undef REFUSE
	g_assert_cmpint(cstp_connect_request_build(NULL, &out), ==, -ERR_INVALID_ARGS);
	r = base;
	r.host = "192.0.2.1";
	g_assert_cmpint(cstp_connect_request_build(&r, &out), ==, 0);
	g_assert_nonnull(strstr(secret_str(out), "\r\nHost: 192.0.2.1\r\n"));
	secret_free(out);
}

static void test_status(void)
{
	g_assert_cmpint(cstp_connect_status_result(200), ==, 0);
	g_assert_cmpint(cstp_connect_status_result(401), ==, -ERR_COOKIE_REJECTED);
	g_assert_cmpint(cstp_connect_status_result(503), ==, -ERR_HTTP_STATUS);
	g_assert_cmpint(cstp_connect_status_result(404), ==, -ERR_HTTP_STATUS);
	g_assert_cmpint(cstp_connect_status_result(405), ==, -ERR_HTTP_STATUS);
	g_assert_cmpint(cstp_connect_status_result(201), ==, -ERR_HTTP_STATUS);
}

/* Runs a stored answer through the HTTP parser and the reply parser. */
static struct cstp_connect_reply *parse_file(const char *name, int want)
{
	size_t len, consumed = 0;
	g_autofree char *text = load_crlf(name, &len);
	_cleanup_(http_response_freep) struct http_response *h =
	    http_response_new(HTTP_RESPONSE_HEAD_ONLY);
	struct cstp_connect_reply *r = cstp_connect_reply_new();

	g_assert_cmpint(http_response_feed(h, text, len, &consumed), ==, 1);
	g_assert_cmpuint(consumed, ==, len);
	if (cstp_connect_reply_from_http(r, h) != want)
		g_error("%s: %s", name, r->error);
	return r;
}

static void assert_addr4(struct in_addr a, const char *s)
{
	char buf[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, buf, sizeof(buf));
	g_assert_cmpstr(buf, ==, s);
}

static void assert_addr6(const struct in6_addr *a, const char *s)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, buf, sizeof(buf));
	g_assert_cmpstr(buf, ==, s);
}

static void test_reply_ocserv(void)
{
	_cleanup_(cstp_connect_reply_freep) struct cstp_connect_reply *r =
	    parse_file("connect-reply-ocserv.txt", 0);
	const struct tunnel_config *c = &r->cfg;

	g_assert_cmpstr(r->error, ==, "");
	g_assert_true(c->has_addr4);
	assert_addr4(c->addr4, "198.51.100.23");
	g_assert_cmpuint(c->prefix4, ==, 24);
	g_assert_true(c->has_addr6);
	assert_addr6(&c->addr6, "2001:db8:5::17");
	g_assert_cmpuint(c->prefix6, ==, 64);
	g_assert_cmpuint(c->mtu, ==, 1434);
	g_assert_cmpuint(c->dtls_mtu, ==, 0);
	g_assert_cmpuint(c->base_mtu, ==, 1500);
	g_assert_cmpuint(c->n_dns4, ==, 1);
	assert_addr4(c->dns4[0], "203.0.113.53");
	g_assert_cmpuint(c->n_dns6, ==, 1);
	assert_addr6(&c->dns6[0], "2001:db8:53::1");
	g_assert_cmpuint(c->n_domains, ==, 1);
	g_assert_cmpstr(c->domains[0], ==, "lab.example");
	g_assert_cmpuint(c->n_include4, ==, 1);
	assert_addr4(c->include4[0].addr, "203.0.113.0");
	g_assert_cmpuint(c->include4[0].prefix, ==, 24);
	g_assert_cmpuint(c->n_exclude4, ==, 1);
	assert_addr4(c->exclude4[0].addr, "203.0.113.128");
	g_assert_cmpuint(c->exclude4[0].prefix, ==, 25);
	g_assert_cmpuint(c->n_include6, ==, 1);
	assert_addr6(&c->include6[0].addr, "2001:db8:100::");
	g_assert_cmpuint(c->include6[0].prefix, ==, 48);
	g_assert_cmpuint(c->n_exclude6, ==, 0);
	g_assert_cmpstr(c->banner, ==, "");

	g_assert_cmpuint(r->cstp.dpd, ==, 90);
	g_assert_cmpuint(r->cstp.keepalive, ==, 32400);
	g_assert_cmpuint(r->cstp.rekey_time, ==, 172792);
	g_assert_cmpint(r->cstp.rekey_method, ==, CSTP_REKEY_SSL);
	g_assert_cmpuint(r->idle_timeout, ==, 0);
	g_assert_cmpuint(r->session_timeout, ==, 0);
	g_assert_cmpuint(r->session_timeout_alert, ==, 60);
	g_assert_false(r->tunnel_all_dns);
	g_assert_false(r->dyndns);
	g_assert_cmpuint(r->dtls_port, ==, 443);
	g_assert_false(r->has_dtls_session_id);
	g_assert_cmpuint(r->dtls_app_id_len, ==, 32);
	g_assert_cmpuint(r->dtls_app_id[0], ==, 0x3f);
	g_assert_cmpuint(r->dtls_app_id[31], ==, 0x55);
	g_assert_cmpstr(r->dtls_suite, ==, "PSK-NEGOTIATE");
	g_assert_cmpint(r->dtls_suite_header, ==, CSTP_DTLS_SUITE_DTLS);
	g_assert_cmpuint(r->dtls.dpd, ==, 90);
	g_assert_cmpuint(r->dtls.rekey_time, ==, 172802);
	g_assert_cmpint(r->dtls.rekey_method, ==, CSTP_REKEY_SSL);
	g_assert_null(r->post_auth_xml);
}

static GString *captured_log;

static void test_reply_asa(void)
{
	_cleanup_(cstp_connect_reply_freep) struct cstp_connect_reply *r = NULL;
	const struct tunnel_config *c;
	static const uint8_t sid_head[] = {0x5d, 0x0f, 0x1e, 0x2a};

	captured_log = unit_log_capture();
	log_set_max_priority(LOG_DEBUG);
	r = parse_file("connect-reply-asa.txt", 0);
	c = &r->cfg;

	assert_addr4(c->addr4, "10.10.0.5");
	g_assert_cmpuint(c->prefix4, ==, 16);
	g_assert_false(c->has_addr6);
	g_assert_cmpuint(c->mtu, ==, 1367);
	g_assert_cmpuint(c->dtls_mtu, ==, 1390);
	g_assert_cmpuint(c->base_mtu, ==, 0);
	/* Repeats, in order, whatever the case of the name. */
	g_assert_cmpuint(c->n_dns4, ==, 2);
	assert_addr4(c->dns4[0], "10.1.1.10");
	assert_addr4(c->dns4[1], "10.1.1.11");
	g_assert_cmpuint(c->n_domains, ==, 3);
	g_assert_cmpstr(c->domains[0], ==, "corp.example");
	g_assert_cmpstr(c->domains[1], ==, "lab.example");
	g_assert_cmpstr(c->domains[2], ==, "other.example");
	g_assert_cmpuint(r->n_split_dns, ==, 2);
	g_assert_cmpstr(r->split_dns[1], ==, "lab.example");
	/* Dotted masks, /N, host bits cleared (with a warning). */
	g_assert_cmpuint(c->n_include4, ==, 4);
	assert_addr4(c->include4[0].addr, "10.0.0.0");
	g_assert_cmpuint(c->include4[0].prefix, ==, 8);
	assert_addr4(c->include4[1].addr, "172.16.0.0");
	g_assert_cmpuint(c->include4[1].prefix, ==, 12);
	assert_addr4(c->include4[2].addr, "192.168.10.0");
	g_assert_cmpuint(c->include4[2].prefix, ==, 24);
	assert_addr4(c->include4[3].addr, "192.168.20.0");
	g_assert_cmpuint(c->include4[3].prefix, ==, 24);
	g_assert_nonnull(strstr(captured_log->str, "<4>X-CSTP-Split-Include has host bits set; "
	                                           "using 192.168.10.0/24"));
	/* The local-LAN marker is a flag, not a route. */
	g_assert_true(r->local_lan_access);
	g_assert_cmpuint(c->n_exclude4, ==, 1);
	assert_addr4(c->exclude4[0].addr, "10.99.0.0");
	g_assert_cmpstr(c->banner, ==,
	                "Authorized users only\r\nEverything is logged. Caf\xc3\xa9");
	g_assert_cmpuint(r->cstp.keepalive, ==, 20);
	g_assert_cmpuint(r->cstp.dpd, ==, 30);
	g_assert_cmpint(r->cstp.rekey_method, ==, CSTP_REKEY_NEW_TUNNEL);
	g_assert_cmpuint(r->cstp.rekey_time, ==, 3600);
	g_assert_cmpint(r->dtls.rekey_method, ==, CSTP_REKEY_NONE);
	g_assert_cmpuint(r->idle_timeout, ==, 1800);
	g_assert_cmpuint(r->lease_duration, ==, 1209600);
	g_assert_true(r->has_dtls_session_id);
	g_assert_cmpmem(r->dtls_session_id, 4, sid_head, 4);
	g_assert_cmpuint(r->dtls_session_id[31], ==, 0xe6);
	g_assert_cmpuint(r->dtls_app_id_len, ==, 0);
	g_assert_cmpstr(r->dtls_suite, ==, "ECDHE-RSA-AES256-GCM-SHA384");
	g_assert_cmpint(r->dtls_suite_header, ==, CSTP_DTLS_SUITE_DTLS12);
	/* Post-Auth-XML kept byte for byte, and never logged. */
	g_assert_nonnull(r->post_auth_xml);
	g_assert_true(g_str_has_prefix(secret_str(r->post_auth_xml), "<?xml version=\"1.0\""));
	g_assert_true(g_str_has_suffix(secret_str(r->post_auth_xml), "</config-auth>"));
	g_assert_nonnull(strstr(secret_str(r->post_auth_xml), "<![CDATA[cdn.example,"));
	g_assert_null(strstr(captured_log->str, "CANARY-TOKEN"));
	g_assert_null(strstr(captured_log->str, "5D0F1E2A"));
	/* Other values do show at debug level. */
	g_assert_nonnull(strstr(captured_log->str, "X-CSTP-MTU: 1367"));
	unit_log_release(captured_log);
	log_set_max_priority(LOG_INFO);
}

/* The bytes after the blank line are CSTP and stay with the caller
 * (docs/protocol.md "Pitfall: after CONNECT 200 everything is CSTP"). */
static void test_leftover(void)
{
	static const char head[] = "HTTP/1.1 200 CONNECTED\r\nX-CSTP-Address: 10.1.2.3\r\n"
	                           "X-CSTP-MTU: 1400\r\n\r\n";
	uint8_t buf[256];
	size_t consumed = 0;
	struct cstp_frame f;
	_cleanup_(http_response_freep) struct http_response *h =
	    http_response_new(HTTP_RESPONSE_HEAD_ONLY);
	_cleanup_(cstp_connect_reply_freep) struct cstp_connect_reply *r = cstp_connect_reply_new();
	int n;

	memcpy(buf, head, sizeof(head) - 1);
	n = cstp_frame_encode(buf + sizeof(head) - 1, sizeof(buf) - sizeof(head),
	                      CSTP_FRAME_DPD_REQ, "ab", 2);
	g_assert_cmpint(http_response_feed(h, buf, sizeof(head) - 1 + (size_t)n, &consumed), ==, 1);
	g_assert_cmpuint(consumed, ==, sizeof(head) - 1);
	g_assert_cmpint(cstp_frame_next(buf + consumed, (size_t)n, &f), ==, n);
	g_assert_cmpuint(f.type, ==, CSTP_FRAME_DPD_REQ);
	g_assert_cmpint(cstp_connect_reply_from_http(r, h), ==, 0);
	g_assert_cmpuint(r->cfg.prefix4, ==, 32); /* no netmask: a host address */
}

/* Each case: the baseline headers plus (or with one replaced by) the case's header. */
static const struct {
	const char *name;
	const char *value;
	int want;
	const char *why;
} reply_cases[] = {
    /* values that must parse completely */
    {"X-CSTP-MTU", "1400x", -ERR_PROTOCOL, "X-CSTP-MTU"},
    {"X-CSTP-MTU", "-1400", -ERR_PROTOCOL, "X-CSTP-MTU"},
    {"X-CSTP-MTU", "", -ERR_PROTOCOL, "X-CSTP-MTU"},
    {"X-CSTP-MTU", "99999", -ERR_PROTOCOL, "X-CSTP-MTU"},
    {"X-CSTP-MTU", "500", -ERR_PROTOCOL, "MTU 500"},
    {"X-CSTP-MTU", "9001", -ERR_PROTOCOL, "MTU 9001"},
    {"X-CSTP-MTU", "1400", -ERR_PROTOCOL, "repeated X-CSTP-MTU"},
    {"x-cstp-mtu", "1300", -ERR_PROTOCOL, "repeated X-CSTP-MTU"},
    {"X-CSTP-Base-MTU", "15OO", -ERR_PROTOCOL, "Base-MTU"},
    {"X-DTLS-MTU", "100", -ERR_PROTOCOL, "DTLS MTU"},
    {"X-CSTP-Address", "10.1.2.4", -ERR_PROTOCOL, "repeated IPv4"},
    {"X-CSTP-Address", "10.1.2", -ERR_PROTOCOL, "X-CSTP-Address"},
    {"X-CSTP-Address", "010.001.002.003", -ERR_PROTOCOL, "X-CSTP-Address"},
    {"X-CSTP-Address", "2001:db8::1::2", -ERR_PROTOCOL, "X-CSTP-Address"},
    {"X-CSTP-Netmask", "255.255.0.0", -ERR_PROTOCOL, "repeated IPv4 X-CSTP-Netmask"},
    {"X-CSTP-Netmask", "2001:db8::", -ERR_PROTOCOL, "X-CSTP-Netmask"},
    {"X-CSTP-Address-IP6", "2001:db8::5", -ERR_PROTOCOL, "addr/prefix"},
    {"X-CSTP-Address-IP6", "2001:db8::5/129", -ERR_PROTOCOL, "addr/prefix"},
    {"X-CSTP-Address-IP6", "2001:db8::5/064", -ERR_PROTOCOL, "addr/prefix"},
    {"X-CSTP-Address-IP6", "10.0.0.1/24", -ERR_PROTOCOL, "addr/prefix"},
    {"X-CSTP-Split-Include", "10.0.0.0", -ERR_PROTOCOL, "net/mask"},
    {"X-CSTP-Split-Include", "10.0.0.0/255.0.255.0", -ERR_PROTOCOL, "mask"},
    {"X-CSTP-Split-Include", "10.0.0.0/33", -ERR_PROTOCOL, "prefix"},
    {"X-CSTP-Split-Include", "10.0.0.0/8/8", -ERR_PROTOCOL, "net/mask"},
    {"X-CSTP-Split-Include", "10.0.0.0/ 8", -ERR_PROTOCOL, "prefix"},
    {"X-CSTP-Split-Include", "10.0.0/8", -ERR_PROTOCOL, "network"},
    {"X-CSTP-Split-Include", "127.0.0.0/255.0.0.0", -ERR_PROTOCOL, "loopback"},
    {"X-CSTP-Split-Include", "169.254.0.0/16", -ERR_PROTOCOL, "link-local"},
    {"X-CSTP-Split-Include", "224.0.0.0/240.0.0.0", -ERR_PROTOCOL, "multicast"},
    {"X-CSTP-Split-Include", "0.0.0.0/8", -ERR_PROTOCOL, "0.0.0.0/8"},
    {"X-CSTP-Split-Include", "2001:db8::/ffff:ff01::", -ERR_PROTOCOL, "mask"},
    {"X-CSTP-Split-Include-IP6", "10.0.0.0/8", -ERR_PROTOCOL, "IPv4 network"},
    {"X-CSTP-Split-Include-IP6", "fe80::/10", -ERR_PROTOCOL, "link-local"},
    {"X-CSTP-Split-Include-IP6", "ff00::/8", -ERR_PROTOCOL, "multicast"},
    {"X-CSTP-Split-Exclude-IP6", "2001:db8::/300", -ERR_PROTOCOL, "prefix"},
    {"X-CSTP-DNS", "dns.example", -ERR_PROTOCOL, "not an IP"},
    {"X-CSTP-DNS", "127.0.0.1", -ERR_PROTOCOL, "DNS server"},
    {"X-CSTP-DNS-IP6", "10.0.0.1", -ERR_PROTOCOL, "not an IP"},
    {"X-CSTP-NBNS", "wins", -ERR_PROTOCOL, "not an IP"},
    {"X-CSTP-Default-Domain", "bad_domain!", -ERR_PROTOCOL, "invalid domain"},
    {"X-CSTP-Default-Domain", "a..b", -ERR_PROTOCOL, "invalid domain"},
    {"X-CSTP-Split-DNS", "-x.example", -ERR_PROTOCOL, "invalid domain"},
    {"X-CSTP-Banner", "50%", -ERR_PROTOCOL, "escape"},
    {"X-CSTP-Banner", "%4", -ERR_PROTOCOL, "escape"},
    {"X-CSTP-Banner", "%zz", -ERR_PROTOCOL, "escape"},
    {"X-CSTP-Banner", "a%00b", -ERR_PROTOCOL, "NUL"},
    {"X-CSTP-Banner", "%1B[2J", -ERR_PROTOCOL, "banner"},
    {"X-CSTP-Banner", "%FF", -ERR_PROTOCOL, "banner"},
    {"X-CSTP-Banner", "bell\x07", -ERR_PROTOCOL, "control"},
    {"X-CSTP-DPD", "30s", -ERR_PROTOCOL, "X-CSTP-DPD"},
    {"X-CSTP-DPD", "4294967296", -ERR_PROTOCOL, "X-CSTP-DPD"},
    {"X-CSTP-Keepalive", "nonee", -ERR_PROTOCOL, "X-CSTP-Keepalive"},
    {"X-CSTP-Rekey-Method", "sometimes", -ERR_PROTOCOL, "unknown method"},
    {"X-DTLS-Rekey-Method", "", -ERR_PROTOCOL, "unknown method"},
    {"X-CSTP-Tunnel-All-DNS", "yes", -ERR_PROTOCOL, "true/false"},
    {"X-CSTP-DynDNS", "1", -ERR_PROTOCOL, "true/false"},
    {"X-DTLS-Port", "0", -ERR_PROTOCOL, "port"},
    {"X-DTLS-Port", "65536", -ERR_PROTOCOL, "port"},
    {"X-DTLS-Session-ID", "00", -ERR_PROTOCOL, "64 hex"},
    {"X-DTLS-Session-ID", "5D0F1E2A3B4C5D6E7F8091A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F",
     -ERR_PROTOCOL, "64 hex"},
    {"X-DTLS-Session-ID", "5D0F1E2A3B4C5D6E7F8091A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D5EG",
     -ERR_PROTOCOL, "64 hex"},
    {"X-DTLS-App-ID", "abc", -ERR_PROTOCOL, "hex"},
    {"X-DTLS-App-ID", "", -ERR_PROTOCOL, "hex"},
    {"X-DTLS-App-ID", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00",
     -ERR_PROTOCOL, "hex"},
    {"X-DTLS-CipherSuite", "AES256 SHA", -ERR_PROTOCOL, "suite"},
    {"X-DTLS-CipherSuite", "PSK-NEGOTIATE:AES256-SHA", -ERR_PROTOCOL, "suite"},
    {"X-DTLS-CipherSuite", "", -ERR_PROTOCOL, "suite"},
    {"X-CSTP-Content-Encoding", "deflate", -ERR_UNSUPPORTED, "compression"},
    {"X-DTLS-Content-Encoding", "oc-lz4", -ERR_UNSUPPORTED, "compression"},
    {"x-cstp-content-encoding", "lzs", -ERR_UNSUPPORTED, "compression"},
};

static int parse_headers(const char *const *hdrs, struct cstp_connect_reply *r)
{
	int err;

	for (size_t i = 0; hdrs[i]; i += 2) {
		err = cstp_connect_reply_add_header(r, hdrs[i], hdrs[i + 1]);
		if (err < 0)
			return err;
	}
	return cstp_connect_reply_finish(r);
}

static void test_reply_bad(gconstpointer data)
{
	size_t i = GPOINTER_TO_SIZE(data);
	_cleanup_(cstp_connect_reply_freep) struct cstp_connect_reply *r = cstp_connect_reply_new();
	const char *hdrs[] = {"X-CSTP-Address",    "10.1.2.3",           "X-CSTP-Netmask",
	                      "255.255.255.0",     "X-CSTP-MTU",         "1300",
	                      reply_cases[i].name, reply_cases[i].value, NULL};
	int err;

	if (strcasecmp(reply_cases[i].name, "X-CSTP-MTU") == 0 &&
	    !strstr(reply_cases[i].why, "repeated")) {
		hdrs[5] = reply_cases[i].value; /* replace instead of repeat */
		hdrs[6] = NULL;
	}
	err = parse_headers(hdrs, r);
	if (err != reply_cases[i].want || !strstr(r->error, reply_cases[i].why))
		g_error("%s: %s: got %d \"%s\", want %d \"%s\"", reply_cases[i].name,
		        reply_cases[i].value, err, r->error, reply_cases[i].want,
		        reply_cases[i].why);
}

static void test_reply_required(void)
{
	static const char *const no_addr[] = {"X-CSTP-MTU", "1300", NULL};
	static const char *const no_mtu[] = {"X-CSTP-Address", "10.1.2.3", NULL};
	static const char *const mask_only[] = {
	    "X-CSTP-Netmask", "255.0.0.0", "X-CSTP-Address-IP6", "2001:db8::2/64", "X-CSTP-MTU",
	    "1300",           NULL};
	static const char *const v6_small_mtu[] = {"X-CSTP-Address-IP6", "2001:db8::2/64",
	                                           "X-CSTP-MTU", "1200", NULL};
	/* An unusable address with no other family to fall back on. */
	static const char *const v6_linklocal_only[] = {"X-CSTP-Address-IP6", "fe80::1/64",
	                                                "X-CSTP-MTU", "1300", NULL};
	static const char *const v6_disagree[] = {"X-CSTP-Address-IP6",
	                                          "2001:db8::2/64",
	                                          "X-CSTP-Address",
	                                          "2001:db8::3",
	                                          "X-CSTP-MTU",
	                                          "1300",
	                                          NULL};
	static const char *const v6_legacy[] = {
	    "X-CSTP-Address", "2001:db8::3", "X-CSTP-Netmask", "2001:db8::/80", "X-CSTP-MTU",
	    "1300",           NULL};
	static const char *const v6_legacy_nomask[] = {"X-CSTP-Address", "2001:db8::3",
	                                               "X-CSTP-MTU", "1300", NULL};
	static const char *const unknown[] = {"X-CSTP-Address",
	                                      "10.1.2.3",
	                                      "X-CSTP-MTU",
	                                      "1300",
	                                      "X-Whatever",
	                                      "\x01 anything",
	                                      "Set-Cookie",
	                                      "a=b",
	                                      "X-CSTP-Future-Thing",
	                                      "??",
	                                      NULL};
	struct cstp_connect_reply *r;

#define RUN(hdrs, want, substr)                                                                    \
	do {                                                                                       \
		r = cstp_connect_reply_new();                                                      \
		g_assert_cmpint(parse_headers(hdrs, r), ==, want);                                 \
		g_assert_nonnull(strstr(r->error, substr));                                        \
	} while (0)
	RUN(no_addr, -ERR_PROTOCOL, "no tunnel address");
	cstp_connect_reply_free(r);
	RUN(no_mtu, -ERR_PROTOCOL, "no X-CSTP-MTU");
	cstp_connect_reply_free(r);
	RUN(mask_only, -ERR_PROTOCOL, "Netmask without");
	cstp_connect_reply_free(r);
	RUN(v6_small_mtu, -ERR_PROTOCOL, "for IPv6");
	cstp_connect_reply_free(r);
	RUN(v6_linklocal_only, -ERR_PROTOCOL, "IPv6 address fe80::1 is link-local");
	cstp_connect_reply_free(r);
	RUN(v6_disagree, -ERR_PROTOCOL, "disagree");
	cstp_connect_reply_free(r);
	RUN(v6_legacy, 0, "");
	g_assert_true(r->cfg.has_addr6);
	g_assert_cmpuint(r->cfg.prefix6, ==, 80);
	g_assert_false(r->cfg.has_addr4);
	/* Finish twice, header after finish. */
	g_assert_cmpint(cstp_connect_reply_finish(r), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(cstp_connect_reply_add_header(r, "X-CSTP-DPD", "1"), ==, -ERR_INVALID_ARGS);
	cstp_connect_reply_free(r);
	RUN(v6_legacy_nomask, 0, "");
	g_assert_cmpuint(r->cfg.prefix6, ==, 128);
	cstp_connect_reply_free(r);
	/* Unknown headers are ignored, whatever they hold. */
	RUN(unknown, 0, "");
	cstp_connect_reply_free(r);
#undef RUN
}

/* A CONNECT answer as a gateway with a large split-tunnel list sends it: n4 IPv4 and n6 IPv6
 * include routes, one header line each. */
static GString *answer_with_routes(unsigned n4, unsigned n6)
{
	GString *s = g_string_new("HTTP/1.1 200 CONNECTED\r\n"
	                          "X-CSTP-Version: 1\r\n"
	                          "X-CSTP-Address: 10.255.0.2\r\n"
	                          "X-CSTP-Netmask: 255.255.255.0\r\n"
	                          "X-CSTP-Address-IP6: 2001:db8:ffff::2/64\r\n"
	                          "X-CSTP-MTU: 1400\r\n"
	                          "X-CSTP-Split-Exclude: 192.0.2.0/255.255.255.0\r\n");

	for (unsigned i = 0; i < n4; i++)
		g_string_append_printf(s, "X-CSTP-Split-Include: 10.%u.%u.0/255.255.255.0\r\n",
		                       i / 256, i % 256);
	for (unsigned i = 0; i < n6; i++)
		g_string_append_printf(s, "X-CSTP-Split-Include-IP6: 2001:db8:%x:%x::/64\r\n",
		                       i / 256, i % 256);
	g_string_append(s, "\r\n");
	return s;
}

/* Parses it as the worker does: TLS-record-sized pieces into the HEAD_ONLY parser. */
static int parse_answer(const GString *s, struct cstp_connect_reply *r)
{
	_cleanup_(http_response_freep) struct http_response *h =
	    http_response_new(HTTP_RESPONSE_HEAD_ONLY);
	size_t off = 0;
	int ret = 0;

	while (off < s->len && ret == 0) {
		size_t n = MIN(s->len - off, 16384), used = 0;

		ret = http_response_feed(h, s->str + off, n, &used);
		off += used;
	}
	if (ret != 1)
		return ret < 0 ? ret : -ERR_PROTOCOL;
	return cstp_connect_reply_from_http(r, h);
}

static void test_reply_many_routes(void)
{
	g_autoptr(GString) big = answer_with_routes(2000, 500);
	g_autoptr(GString) full = answer_with_routes(TUNNEL_CONFIG_MAX_ROUTES, 0);
	g_autoptr(GString) over = answer_with_routes(TUNNEL_CONFIG_MAX_ROUTES + 1, 0);
	g_autoptr(GString) lines = answer_with_routes(HTTP_RESPONSE_MAX_HEADERS, 0);
	_cleanup_(cstp_connect_reply_freep) struct cstp_connect_reply *r = cstp_connect_reply_new();
	struct in_addr want;

	/* Far more than the 200 header lines that once failed the whole tunnel. */
	g_assert_cmpint(parse_answer(big, r), ==, 0);
	g_assert_cmpuint(r->cfg.n_include4, ==, 2000);
	g_assert_cmpuint(r->cfg.n_include6, ==, 500);
	g_assert_cmpuint(r->cfg.n_exclude4, ==, 1);
	inet_pton(AF_INET, "10.7.207.0", &want);
	g_assert_cmpuint(r->cfg.include4[1999].addr.s_addr, ==, want.s_addr);
	g_assert_cmpuint(r->cfg.include4[1999].prefix, ==, 24);

	cstp_connect_reply_free(r);
	r = cstp_connect_reply_new();
	g_assert_cmpint(parse_answer(full, r), ==, 0);
	g_assert_cmpuint(r->cfg.n_include4, ==, TUNNEL_CONFIG_MAX_ROUTES);

	/* One past the cap: refused with a reason that names it, never silently cut. */
	cstp_connect_reply_free(r);
	r = cstp_connect_reply_new();
	g_assert_cmpint(parse_answer(over, r), ==, -ERR_TOO_LARGE);
	g_assert_nonnull(strstr(r->error, "more than 4096 IPv4 include routes"));

	/* More header lines than the HTTP parser holds: refused before the reply sees them. */
	cstp_connect_reply_free(r);
	r = cstp_connect_reply_new();
	g_assert_cmpint(parse_answer(lines, r), ==, -ERR_TOO_LARGE);
	g_assert_cmpuint(r->cfg.n_include4, ==, 0);
}

/* An address of one family we cannot use costs that family only (tunnel-config.h). */
static void test_reply_drops_family(void)
{
	/* ocserv with `ipv6-network = fe80::/64`: a link-local pool, IPv6 routes and DNS. */
	static const char *const linklocal6[] = {
	    "X-CSTP-Address", "198.51.100.50", "X-CSTP-Netmask", "255.255.255.0",
	    "X-CSTP-Address-IP6", "fe80::5/64", "X-CSTP-DNS", "203.0.113.53",
	    "X-CSTP-DNS", "2001:db8:2::53", "X-CSTP-Split-Include", "203.0.113.0/255.255.255.0",
	    "X-CSTP-Split-Include-IP6", "2001:db8:2::/64", "X-CSTP-Split-Exclude-IP6",
	    "2001:db8:3::/64", "X-CSTP-Default-Domain", "lab.test", "X-CSTP-MTU", "1400", NULL};
	/* The other way round: an IPv4 address in a reserved range, a good IPv6 one. */
	static const char *const reserved4[] = {
	    "X-CSTP-Address", "169.254.3.4", "X-CSTP-Netmask", "255.255.0.0",
	    "X-CSTP-Address-IP6", "2001:db8:100::5/64", "X-CSTP-Split-Include",
	    "10.0.0.0/255.0.0.0", "X-CSTP-DNS", "10.0.0.53", "X-CSTP-MTU", "1400", NULL};
	/* Both families present, an MTU that only IPv4 can live with. */
	static const char *const small_mtu[] = {"X-CSTP-Address", "198.51.100.50",
	                                        "X-CSTP-Address-IP6", "2001:db8::2/64",
	                                        "X-CSTP-MTU", "1200", NULL};
	_cleanup_(cstp_connect_reply_freep) struct cstp_connect_reply *r = cstp_connect_reply_new();
	char text[256];

	g_assert_cmpint(parse_headers(linklocal6, r), ==, 0);
	g_assert_false(r->cfg.has_addr6);
	g_assert_true(r->cfg.dropped6);
	g_assert_cmpuint(r->cfg.dropped_prefix6, ==, 64);
	g_assert_cmpuint(r->cfg.n_include6 + r->cfg.n_exclude6 + r->cfg.n_dns6, ==, 0);
	/* The rest is kept. */
	g_assert_true(r->cfg.has_addr4);
	g_assert_false(r->cfg.dropped4);
	g_assert_cmpuint(r->cfg.n_include4, ==, 1);
	g_assert_cmpuint(r->cfg.n_dns4, ==, 1);
	g_assert_cmpuint(r->cfg.n_domains, ==, 1);
	g_assert_cmpint(tunnel_config_validate(&r->cfg, NULL, 0), ==, 0);
	g_assert_true(tunnel_config_dropped_text(&r->cfg, AF_INET6, text, sizeof(text)));
	g_assert_nonnull(strstr(text, "IPv6 address fe80::5 is link-local"));
	g_assert_nonnull(strstr(text, "carries IPv4 only"));
	g_assert_false(tunnel_config_dropped_text(&r->cfg, AF_INET, text, sizeof(text)));
	g_assert_cmpstr(text, ==, "");

	cstp_connect_reply_free(r);
	r = cstp_connect_reply_new();
	g_assert_cmpint(parse_headers(reserved4, r), ==, 0);
	g_assert_true(r->cfg.dropped4 && !r->cfg.has_addr4 && r->cfg.has_addr6);
	g_assert_cmpuint(r->cfg.n_include4 + r->cfg.n_dns4, ==, 0);
	g_assert_true(tunnel_config_dropped_text(&r->cfg, AF_INET, text, sizeof(text)));
	g_assert_nonnull(strstr(text, "169.254.3.4 is link-local"));
	g_assert_nonnull(strstr(text, "carries IPv6 only"));

	cstp_connect_reply_free(r);
	r = cstp_connect_reply_new();
	g_assert_cmpint(parse_headers(small_mtu, r), ==, 0);
	g_assert_true(r->cfg.dropped6 && r->cfg.has_addr4);
	g_assert_true(tunnel_config_dropped_text(&r->cfg, AF_INET6, text, sizeof(text)));
	g_assert_nonnull(strstr(text, "MTU 1200 out of range for IPv6"));
}

static void test_reply_caps(void)
{
	_cleanup_(cstp_connect_reply_freep) struct cstp_connect_reply *r = cstp_connect_reply_new();
	char v[64];
	int err = 0;
	unsigned i;

	for (i = 0; i <= TUNNEL_CONFIG_MAX_ROUTES && err == 0; i++) {
		snprintf(v, sizeof(v), "10.%u.%u.0/24", i / 256, i % 256);
		err = cstp_connect_reply_add_header(r, "X-CSTP-Split-Include", v);
	}
	g_assert_cmpint(err, ==, -ERR_TOO_LARGE);
	g_assert_cmpuint(i, ==, TUNNEL_CONFIG_MAX_ROUTES + 1);

	cstp_connect_reply_free(r);
	r = cstp_connect_reply_new();
	for (i = 0, err = 0; i <= TUNNEL_CONFIG_MAX_DNS && err == 0; i++) {
		snprintf(v, sizeof(v), "10.0.0.%u", i + 1);
		err = cstp_connect_reply_add_header(r, "X-CSTP-DNS", v);
	}
	g_assert_cmpint(err, ==, -ERR_TOO_LARGE);

	cstp_connect_reply_free(r);
	r = cstp_connect_reply_new();
	g_assert_cmpint(cstp_connect_reply_add_header(
	                    r, "X-CSTP-Default-Domain",
	                    "a.x b.x c.x d.x e.x f.x g.x h.x i.x j.x k.x l.x m.x n.x o.x p.x"),
	                ==, 0);
	g_assert_cmpint(cstp_connect_reply_add_header(r, "X-CSTP-Default-Domain", "q.x"), ==,
	                -ERR_TOO_LARGE);

	/* Banner: 8192 decoded bytes fit, 8193 do not. */
	{
		GString *b = g_string_new(NULL);

		cstp_connect_reply_free(r);
		r = cstp_connect_reply_new();
		for (int k = 0; k < TUNNEL_CONFIG_MAX_BANNER; k++)
			g_string_append(b, k % 2 ? "%41" : "b");
		g_assert_cmpint(cstp_connect_reply_add_header(r, "X-CSTP-Banner", b->str), ==, 0);
		g_assert_cmpuint(strlen(r->cfg.banner), ==, TUNNEL_CONFIG_MAX_BANNER);
		cstp_connect_reply_free(r);
		r = cstp_connect_reply_new();
		g_string_append(b, "c");
		g_assert_cmpint(cstp_connect_reply_add_header(r, "X-CSTP-Banner", b->str), ==,
		                -ERR_TOO_LARGE);
		g_string_free(b, TRUE);
	}
	/* Post-Auth-XML size cap; an empty one is simply absent. */
	{
		char *big = g_malloc(CSTP_CONNECT_MAX_POST_AUTH_XML + 2);

		memset(big, 'x', CSTP_CONNECT_MAX_POST_AUTH_XML + 1);
		big[CSTP_CONNECT_MAX_POST_AUTH_XML + 1] = '\0';
		cstp_connect_reply_free(r);
		r = cstp_connect_reply_new();
		g_assert_cmpint(cstp_connect_reply_add_header(r, "X-CSTP-Post-Auth-XML", big), ==,
		                -ERR_TOO_LARGE);
		big[CSTP_CONNECT_MAX_POST_AUTH_XML] = '\0';
		cstp_connect_reply_free(r);
		r = cstp_connect_reply_new();
		g_assert_cmpint(cstp_connect_reply_add_header(r, "X-CSTP-Post-Auth-XML", big), ==,
		                0);
		g_assert_cmpuint(secret_len(r->post_auth_xml), ==, CSTP_CONNECT_MAX_POST_AUTH_XML);
		g_assert_cmpint(cstp_connect_reply_add_header(r, "X-CSTP-Post-Auth-XML", "x"), ==,
		                -ERR_PROTOCOL);
		cstp_connect_reply_free(r);
		r = cstp_connect_reply_new();
		g_assert_cmpint(cstp_connect_reply_add_header(r, "X-CSTP-Post-Auth-XML", ""), ==,
		                0);
		g_assert_null(r->post_auth_xml);
		g_free(big);
	}
	/* Both DTLS suite headers answered: ambiguous
	 * (docs/protocol.md "Pitfall: a DTLS suite's version depends on its header"). */
	cstp_connect_reply_free(r);
	r = cstp_connect_reply_new();
	g_assert_cmpint(
	    cstp_connect_reply_add_header(r, "X-DTLS12-CipherSuite", "AES128-GCM-SHA256"), ==, 0);
	g_assert_cmpint(cstp_connect_reply_add_header(r, "X-DTLS-CipherSuite", "AES128-SHA"), ==,
	                -ERR_PROTOCOL);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/cstp-connect/request-exact", test_request_exact);
	g_test_add_func("/cstp-connect/request-reconnect-exact", test_request_reconnect_exact);
	g_test_add_func("/cstp-connect/request-refuses", test_request_refuses);
	g_test_add_func("/cstp-connect/status", test_status);
	g_test_add_func("/cstp-connect/reply-ocserv", test_reply_ocserv);
	g_test_add_func("/cstp-connect/reply-asa", test_reply_asa);
	g_test_add_func("/cstp-connect/leftover", test_leftover);
	g_test_add_func("/cstp-connect/reply-required", test_reply_required);
	g_test_add_func("/cstp-connect/reply-caps", test_reply_caps);
	g_test_add_func("/cstp-connect/reply-drops-family", test_reply_drops_family);
	g_test_add_func("/cstp-connect/reply-many-routes", test_reply_many_routes);
	for (size_t i = 0; i < G_N_ELEMENTS(reply_cases); i++) {
		char *path =
		    g_strdup_printf("/cstp-connect/reply-bad/%zu-%s", i, reply_cases[i].name);

		g_test_add_data_func(path, GSIZE_TO_POINTER(i), test_reply_bad);
		g_free(path);
	}
	return g_test_run();
}
