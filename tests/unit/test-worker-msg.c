// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <fcntl.h>
#include <glib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "worker-msg.h"

/* Raw access to a built message: send it through a socketpair and read the bytes. */
static GBytes *wire_of(const struct worker_msg *m)
{
	int sv[2];
	uint8_t buf[WORKER_MSG_MAX + 16];
	ssize_t n;

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), ==, 0);
	g_assert_cmpint(worker_msg_send(sv[0], m, NULL, 0), ==, 0);
	n = recv(sv[1], buf, sizeof(buf), 0);
	g_assert_cmpint(n, >, 0);
	close(sv[0]);
	close(sv[1]);
	return g_bytes_new(buf, (size_t)n);
}

static struct worker_msg *reparse(const struct worker_msg *m)
{
	g_autoptr(GBytes) w = wire_of(m);
	struct worker_msg *out = NULL;
	gsize len;
	const void *d = g_bytes_get_data(w, &len);

	g_assert_cmpint(worker_msg_parse(d, len, &out), ==, 0);
	g_assert_nonnull(out);
	return out;
}

static void put_u16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* Builds a packet by hand: header + raw attribute bytes. */
static size_t raw_msg(uint8_t *buf, uint16_t type, const void *attrs, size_t alen)
{
	put_u16(buf, type);
	put_u16(buf + 2, 0);
	put_u32(buf + 4, (uint32_t)alen);
	memcpy(buf + 8, attrs, alen);
	return 8 + alen;
}

static size_t raw_attr(uint8_t *p, uint16_t attr, const void *v, uint16_t len)
{
	size_t padded = (len + 3u) & ~3u;

	put_u16(p, attr);
	put_u16(p + 2, len);
	memcpy(p + 4, v, len);
	memset(p + 4 + len, 0, padded - len);
	return 4 + padded;
}

static int parse_raw(const uint8_t *buf, size_t len)
{
	_cleanup_(worker_msg_freep) struct worker_msg *m = NULL;
	int r = worker_msg_parse(buf, len, &m);

	if (r < 0)
		g_assert_null(m);
	return r;
}

static void test_start_roundtrip(void)
{
	_cleanup_(worker_msg_freep) struct worker_msg *m = worker_msg_new(WMSG_START);
	_cleanup_(worker_msg_freep) struct worker_msg *p = NULL;
	const char *s;
	uint32_t v;

	g_assert_nonnull(m);
	g_assert_cmpint(worker_msg_put_str(m, WATTR_HOST, "vpn.example.com"), ==, 0);
	g_assert_cmpint(worker_msg_put_u32(m, WATTR_PORT, 8443), ==, 0);
	g_assert_cmpint(worker_msg_put_str(m, WATTR_ADDRESS, "192.0.2.1"), ==, 0);
	g_assert_cmpint(worker_msg_put_str(m, WATTR_PIN, "pin-sha256:AAAA"), ==, 0);
	g_assert_cmpint(worker_msg_put_str(m, WATTR_COOKIE, "c00kie+/="), ==, 0);
	g_assert_cmpint(worker_msg_put_u32(m, WATTR_NO_DTLS, 1), ==, 0);
	g_assert_cmpint(worker_msg_put_str(m, WATTR_USER_AGENT, "AnyConnect Linux_64 4.10"), ==, 0);
	p = reparse(m);
	g_assert_cmpuint(worker_msg_type(p), ==, WMSG_START);
	g_assert_cmpint(worker_msg_get_str(p, WATTR_HOST, &s), ==, 0);
	g_assert_cmpstr(s, ==, "vpn.example.com");
	g_assert_cmpint(worker_msg_get_u32(p, WATTR_PORT, &v), ==, 0);
	g_assert_cmpuint(v, ==, 8443);
	g_assert_cmpint(worker_msg_get_str(p, WATTR_ADDRESS, &s), ==, 0);
	g_assert_cmpstr(s, ==, "192.0.2.1");
	g_assert_cmpint(worker_msg_get_str(p, WATTR_PIN, &s), ==, 0);
	g_assert_cmpstr(s, ==, "pin-sha256:AAAA");
	g_assert_cmpint(worker_msg_get_str(p, WATTR_COOKIE, &s), ==, 0);
	g_assert_cmpstr(s, ==, "c00kie+/=");
	g_assert_cmpint(worker_msg_get_u32(p, WATTR_NO_DTLS, &v), ==, 0);
	g_assert_cmpuint(v, ==, 1);
	g_assert_cmpint(worker_msg_get_str(p, WATTR_USER_AGENT, &s), ==, 0);
	g_assert_cmpstr(s, ==, "AnyConnect Linux_64 4.10");
	/* Wrong accessor kinds and absent attributes. */
	g_assert_cmpint(worker_msg_get_u32(p, WATTR_HOST, &v), ==, -ERR_PROTOCOL);
	g_assert_cmpint(worker_msg_get_str(p, WATTR_PORT, &s), ==, -ERR_PROTOCOL);
	g_assert_cmpint(worker_msg_get_str(p, WATTR_BANNER, &s), ==, -ERR_NOT_FOUND);
	g_assert_cmpint(worker_msg_get_u32(p, 0, &v), ==, -ERR_NOT_FOUND);
	g_assert_cmpint(worker_msg_get_u32(p, 999, &v), ==, -ERR_NOT_FOUND);
}

/* Every message type with every attribute it allows. */
static void test_all_types(void)
{
	static const struct {
		uint16_t type;
		uint16_t attr;
		int kind; /* 0 u32, 1 u64, 2 str, 3 bytes */
	} cases[] = {
	    {WMSG_STOP, WATTR_REASON, 0},    {WMSG_SET_COOKIE, WATTR_COOKIE, 2},
	    {WMSG_STATE, WATTR_STATE, 0},    {WMSG_STATE, WATTR_TRANSPORT, 0},
	    {WMSG_MTU, WATTR_MTU, 0},        {WMSG_STATS, WATTR_TX_BYTES, 1},
	    {WMSG_STATS, WATTR_RX_BYTES, 1}, {WMSG_ERROR, WATTR_ERROR, 0},
	    {WMSG_ERROR, WATTR_DETAIL, 2},   {WMSG_POST_AUTH_XML, WATTR_BLOB, 3},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		_cleanup_(worker_msg_freep) struct worker_msg *m = worker_msg_new(cases[i].type);
		_cleanup_(worker_msg_freep) struct worker_msg *p = NULL;
		uint32_t v32;
		uint64_t v64;
		const char *s;
		const void *d;
		size_t len;

		switch (cases[i].kind) {
		case 0:
			g_assert_cmpint(worker_msg_put_u32(m, cases[i].attr, 0xdeadbeef), ==, 0);
			break;
		case 1:
			g_assert_cmpint(worker_msg_put_u64(m, cases[i].attr, UINT64_C(1) << 40), ==,
			                0);
			break;
		case 2:
			g_assert_cmpint(worker_msg_put_str(m, cases[i].attr, "text"), ==, 0);
			break;
		default:
			g_assert_cmpint(worker_msg_put_bytes(m, cases[i].attr, "<x>\0y", 5), ==, 0);
		}
		p = reparse(m);
		g_assert_cmpuint(worker_msg_type(p), ==, cases[i].type);
		switch (cases[i].kind) {
		case 0:
			g_assert_cmpint(worker_msg_get_u32(p, cases[i].attr, &v32), ==, 0);
			g_assert_cmphex(v32, ==, 0xdeadbeef);
			break;
		case 1:
			g_assert_cmpint(worker_msg_get_u64(p, cases[i].attr, &v64), ==, 0);
			g_assert_cmpuint(v64, ==, UINT64_C(1) << 40);
			break;
		case 2:
			g_assert_cmpint(worker_msg_get_str(p, cases[i].attr, &s), ==, 0);
			g_assert_cmpstr(s, ==, "text");
			break;
		default:
			g_assert_cmpint(worker_msg_get_bytes(p, cases[i].attr, &d, &len), ==, 0);
			g_assert_cmpmem(d, len, "<x>\0y", 5);
		}
	}
	/* COOKIE_REJECTED carries nothing, and a blob may be empty. */
	{
		_cleanup_(worker_msg_freep) struct worker_msg *m =
		    worker_msg_new(WMSG_COOKIE_REJECTED);
		_cleanup_(worker_msg_freep) struct worker_msg *p = reparse(m);
		_cleanup_(worker_msg_freep) struct worker_msg *b =
		    worker_msg_new(WMSG_POST_AUTH_XML);
		_cleanup_(worker_msg_freep) struct worker_msg *bp = NULL;
		const void *d;
		size_t len = 99;

		g_assert_cmpuint(worker_msg_type(p), ==, WMSG_COOKIE_REJECTED);
		g_assert_cmpint(worker_msg_put_u32(m, WATTR_REASON, 1), ==, -ERR_INVALID_ARGS);
		g_assert_cmpint(worker_msg_put_bytes(b, WATTR_BLOB, NULL, 0), ==, 0);
		bp = reparse(b);
		g_assert_cmpint(worker_msg_get_bytes(bp, WATTR_BLOB, &d, &len), ==, 0);
		g_assert_cmpuint(len, ==, 0);
	}
	g_assert_null(worker_msg_new(0));
	g_assert_null(worker_msg_new(4));
	g_assert_null(worker_msg_new(23));
}

static void test_builder_refuses(void)
{
	_cleanup_(worker_msg_freep) struct worker_msg *m = worker_msg_new(WMSG_START);
	static uint8_t big[70000];

	/* Not allowed in START, wrong kind, repeat of a single attribute, unknown. */
	g_assert_cmpint(worker_msg_put_u32(m, WATTR_MTU, 1), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(worker_msg_put_u32(m, WATTR_HOST, 1), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(worker_msg_put_u64(m, WATTR_PORT, 1), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(worker_msg_put_bytes(m, WATTR_HOST, "x", 1), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(worker_msg_put_str(m, WATTR_HOST, NULL), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(worker_msg_put_str(m, WATTR_HOST, "a"), ==, 0);
	g_assert_cmpint(worker_msg_put_str(m, WATTR_HOST, "b"), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(worker_msg_put_u32(m, 0, 1), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(worker_msg_put_u32(m, WATTR_COUNT_, 1), ==, -ERR_INVALID_ARGS);
	{
		_cleanup_(worker_msg_freep) struct worker_msg *c = worker_msg_new(WMSG_CONFIG);

		g_assert_cmpint(worker_msg_put_bytes(c, WATTR_ADDR4, "abc", 3), ==,
		                -ERR_INVALID_ARGS);
		g_assert_cmpint(worker_msg_put_bytes(c, WATTR_DNS6, "abcd", 4), ==,
		                -ERR_INVALID_ARGS);
		g_assert_cmpint(worker_msg_put_bytes(c, WATTR_DNS4, "abcd", 4), ==, 0);
		g_assert_cmpint(worker_msg_put_bytes(c, WATTR_DNS4, "efgh", 4), ==,
		                0); /* repeats */
	}
	/* One attribute holds at most 65535 bytes; a message at most WORKER_MSG_MAX. */
	{
		_cleanup_(worker_msg_freep) struct worker_msg *b =
		    worker_msg_new(WMSG_POST_AUTH_XML);

		g_assert_cmpint(worker_msg_put_bytes(b, WATTR_BLOB, big, 65536), ==,
		                -ERR_TOO_LARGE);
		g_assert_cmpint(worker_msg_put_bytes(b, WATTR_BLOB, big, 65535), ==, 0);
	}
	{
		_cleanup_(worker_msg_freep) struct worker_msg *c = worker_msg_new(WMSG_CONFIG);
		int r = 0;
		unsigned n = 0;
		char dom[254];

		memset(dom, 'a', 200);
		dom[200] = '\0';
		while ((r = worker_msg_put_str(c, WATTR_DOMAIN, dom)) == 0)
			n++;
		g_assert_cmpint(r, ==, -ERR_TOO_LARGE);
		g_assert_cmpuint(n * 208 + 8, <=, WORKER_MSG_MAX);
		g_assert_cmpuint((n + 1) * 208 + 8, >, WORKER_MSG_MAX);
	}
}

static void test_repeated_next(void)
{
	_cleanup_(worker_msg_freep) struct worker_msg *m = worker_msg_new(WMSG_CONFIG);
	_cleanup_(worker_msg_freep) struct worker_msg *p = NULL;
	const char *doms[] = {"one.example", "two.example", "three.example"};
	const void *d;
	size_t len, iter = 0;
	unsigned n = 0;

	for (size_t i = 0; i < 3; i++) {
		g_assert_cmpint(worker_msg_put_str(m, WATTR_DOMAIN, doms[i]), ==, 0);
		g_assert_cmpint(worker_msg_put_bytes(m, WATTR_DNS4, "\x0a\0\0\x01", 4), ==, 0);
	}
	p = reparse(m);
	while (worker_msg_next(p, WATTR_DOMAIN, &iter, &d, &len)) {
		g_assert_cmpuint(len, ==, strlen(doms[n]) + 1);
		g_assert_cmpstr(d, ==, doms[n]);
		n++;
	}
	g_assert_cmpuint(n, ==, 3);
	g_assert_cmpint(worker_msg_next(p, WATTR_DOMAIN, &iter, &d, &len), ==, 0);
	iter = 0;
	g_assert_cmpint(worker_msg_next(p, WATTR_BANNER, &iter, &d, &len), ==, 0);
	g_assert_cmpint(worker_msg_next(p, 0, &iter, &d, &len), ==, 0);
}

static struct tunnel_config *sample_config(void)
{
	struct tunnel_config *c = tunnel_config_new();

	c->has_addr4 = true;
	inet_pton(AF_INET, "198.51.100.10", &c->addr4);
	c->prefix4 = 24;
	c->has_addr6 = true;
	inet_pton(AF_INET6, "2001:db8:5::10", &c->addr6);
	c->prefix6 = 64;
	c->mtu = 1399;
	c->dtls_mtu = 1418;
	c->base_mtu = 1500;
	c->n_dns4 = 2;
	inet_pton(AF_INET, "203.0.113.53", &c->dns4[0]);
	inet_pton(AF_INET, "203.0.113.54", &c->dns4[1]);
	c->n_dns6 = 1;
	inet_pton(AF_INET6, "2001:db8:53::1", &c->dns6[0]);
	c->n_domains = 2;
	strcpy(c->domains[0], "corp.example");
	strcpy(c->domains[1], "lab.example");
	c->n_include4 = 2;
	inet_pton(AF_INET, "203.0.113.0", &c->include4[0].addr);
	c->include4[0].prefix = 24;
	inet_pton(AF_INET, "10.0.0.0", &c->include4[1].addr);
	c->include4[1].prefix = 8;
	c->n_exclude4 = 1;
	inet_pton(AF_INET, "10.9.0.0", &c->exclude4[0].addr);
	c->exclude4[0].prefix = 16;
	c->n_include6 = 1;
	inet_pton(AF_INET6, "2001:db8:100::", &c->include6[0].addr);
	c->include6[0].prefix = 48;
	c->n_exclude6 = 1;
	inet_pton(AF_INET6, "2001:db8:100:5::", &c->exclude6[0].addr);
	c->exclude6[0].prefix = 64;
	strcpy(c->banner, "Hello\nworld");
	return c;
}

static void test_config_roundtrip(void)
{
	_cleanup_(tunnel_config_freep) struct tunnel_config *c = sample_config();
	_cleanup_(tunnel_config_freep) struct tunnel_config *got = tunnel_config_new();
	_cleanup_(worker_msg_freep) struct worker_msg *m = worker_msg_new(WMSG_CONFIG);
	_cleanup_(worker_msg_freep) struct worker_msg *p = NULL;

	g_assert_cmpint(worker_msg_put_config(m, c), ==, 0);
	p = reparse(m);
	g_assert_cmpint(worker_msg_get_config(p, got), ==, 0);
	g_assert_true(tunnel_config_equal(c, got));

	/* Minimal: IPv4 only, no optional attributes. */
	{
		_cleanup_(tunnel_config_freep) struct tunnel_config *min = tunnel_config_new();
		_cleanup_(worker_msg_freep) struct worker_msg *mm = worker_msg_new(WMSG_CONFIG);
		_cleanup_(worker_msg_freep) struct worker_msg *pp = NULL;

		min->has_addr4 = true;
		inet_pton(AF_INET, "10.1.1.1", &min->addr4);
		min->prefix4 = 32;
		min->mtu = 1300;
		g_assert_cmpint(worker_msg_put_config(mm, min), ==, 0);
		pp = reparse(mm);
		g_assert_cmpint(worker_msg_get_config(pp, got), ==, 0);
		g_assert_true(tunnel_config_equal(min, got));
	}
	/* A family left out travels with its reason; a claim that a usable one was is refused. */
	{
		_cleanup_(tunnel_config_freep) struct tunnel_config *d = sample_config();
		_cleanup_(worker_msg_freep) struct worker_msg *dm = worker_msg_new(WMSG_CONFIG);
		_cleanup_(worker_msg_freep) struct worker_msg *dp = NULL;
		_cleanup_(worker_msg_freep) struct worker_msg *bad = worker_msg_new(WMSG_CONFIG);
		_cleanup_(worker_msg_freep) struct worker_msg *badp = NULL;
		uint8_t v[17] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1, [16] = 64};

		inet_pton(AF_INET6, "fe80::10", &d->addr6);
		tunnel_config_drop_unusable(d);
		g_assert_true(d->dropped6);
		g_assert_cmpint(worker_msg_put_config(dm, d), ==, 0);
		dp = reparse(dm);
		g_assert_cmpint(worker_msg_get_config(dp, got), ==, 0);
		g_assert_true(tunnel_config_equal(d, got));
		g_assert_true(got->dropped6 && !got->has_addr6);

		d->dropped6 = false;
		g_assert_cmpint(worker_msg_put_config(bad, d), ==, 0);
		g_assert_cmpint(worker_msg_put_bytes(bad, WATTR_DROPPED6, v, sizeof(v)), ==, 0);
		badp = reparse(bad);
		g_assert_cmpint(worker_msg_get_config(badp, got), ==, -ERR_PROTOCOL);
	}
	/* Wrong message type, invalid config. */
	{
		_cleanup_(worker_msg_freep) struct worker_msg *s = worker_msg_new(WMSG_STATE);

		g_assert_cmpint(worker_msg_put_config(s, c), ==, -ERR_INVALID_ARGS);
		g_assert_cmpint(worker_msg_get_config(s, got), ==, -ERR_PROTOCOL);
		c->mtu = 100;
		g_assert_cmpint(worker_msg_put_config(m, c), ==, -ERR_PROTOCOL);
	}
}

/* Every list at its cap, every field at its largest: the biggest CONFIG a worker sends. */
static void test_config_full(void)
{
	_cleanup_(tunnel_config_freep) struct tunnel_config *c = sample_config();
	_cleanup_(tunnel_config_freep) struct tunnel_config *got = tunnel_config_new();
	_cleanup_(worker_msg_freep) struct worker_msg *m = worker_msg_new(WMSG_CONFIG);
	_cleanup_(worker_msg_freep) struct worker_msg *p = NULL;
	int sv[2];

	for (unsigned i = 0; i < TUNNEL_CONFIG_MAX_ROUTES; i++) {
		uint32_t net = htonl(0x0a000000u | (i << 8));

		c->include4[i] = (struct route4){.addr.s_addr = net, .prefix = 24};
		c->exclude4[i] = (struct route4){.addr.s_addr = net | htonl(0x80), .prefix = 25};
		c->include6[i].prefix = 64;
		inet_pton(AF_INET6, "2001:db8::", &c->include6[i].addr);
		c->include6[i].addr.s6_addr[4] = (uint8_t)(i >> 8);
		c->include6[i].addr.s6_addr[5] = (uint8_t)i;
		c->exclude6[i] = c->include6[i];
		c->exclude6[i].addr.s6_addr[6] = 1;
	}
	c->n_include4 = c->n_exclude4 = c->n_include6 = c->n_exclude6 = TUNNEL_CONFIG_MAX_ROUTES;
	for (c->n_domains = 0; c->n_domains < TUNNEL_CONFIG_MAX_DOMAINS; c->n_domains++) {
		memset(c->domains[c->n_domains], 'a', TUNNEL_CONFIG_MAX_DOMAIN);
		for (unsigned d = 63; d < TUNNEL_CONFIG_MAX_DOMAIN; d += 64)
			c->domains[c->n_domains][d] = '.';
		c->domains[c->n_domains][TUNNEL_CONFIG_MAX_DOMAIN] = '\0';
	}
	memset(c->banner, 'b', TUNNEL_CONFIG_MAX_BANNER);
	c->banner[TUNNEL_CONFIG_MAX_BANNER] = '\0';
	g_assert_cmpint(tunnel_config_validate(c, NULL, 0), ==, 0);
	g_assert_cmpint(worker_msg_put_config(m, c), ==, 0);

	/* Larger than a default socket buffer: sent whole once the helper sized the socket. */
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), ==, 0);
	if (worker_msg_socket_size(sv[0]) == 0) {
		g_assert_cmpint(worker_msg_send(sv[0], m, NULL, 0), ==, 0);
		g_assert_cmpint(worker_msg_recv(sv[1], &p, NULL, NULL), ==, 0);
		g_assert_cmpint(worker_msg_get_config(p, got), ==, 0);
		g_assert_true(tunnel_config_equal(c, got));
		g_assert_cmpuint(got->n_exclude6, ==, TUNNEL_CONFIG_MAX_ROUTES);
	} else {
		g_test_message("not root: the socket could not be sized; send not tested");
	}
	close(sv[0]);
	close(sv[1]);
}

/* A CONFIG assembled by hand with one defect each: get_config refuses it. */
static void test_config_strict(void)
{
	_cleanup_(tunnel_config_freep) struct tunnel_config *got = tunnel_config_new();
	struct in_addr a4;
	uint8_t r4[5];

	inet_pton(AF_INET, "10.1.1.1", &a4);
	for (int defect = 0; defect < 9; defect++) {
		_cleanup_(worker_msg_freep) struct worker_msg *m = worker_msg_new(WMSG_CONFIG);
		_cleanup_(worker_msg_freep) struct worker_msg *p = NULL;

		if (defect != 0)
			g_assert_cmpint(worker_msg_put_bytes(m, WATTR_ADDR4, &a4, 4), ==, 0);
		if (defect != 1)
			g_assert_cmpint(worker_msg_put_u32(m, WATTR_PREFIX4, defect == 2 ? 33 : 24),
			                ==, 0);
		if (defect != 3)
			g_assert_cmpint(worker_msg_put_u32(m, WATTR_MTU, defect == 4 ? 100 : 1300),
			                ==, 0);
		if (defect == 5) {
			memcpy(r4, "\x0a\x00\x00\x00\x21", 5); /* prefix 33 */
			g_assert_cmpint(worker_msg_put_bytes(m, WATTR_INCLUDE4, r4, 5), ==, 0);
		}
		if (defect == 6)
			for (int i = 0; i <= TUNNEL_CONFIG_MAX_DNS; i++)
				g_assert_cmpint(
				    worker_msg_put_bytes(m, WATTR_DNS4, "\x0a\0\0\x35", 4), ==, 0);
		if (defect == 7)
			g_assert_cmpint(worker_msg_put_str(m, WATTR_DOMAIN, "bad domain"), ==, 0);
		if (defect == 8)
			g_assert_cmpint(worker_msg_put_u32(m, WATTR_PREFIX6, 64), ==, 0);
		p = reparse(m);
		if (defect == 0) {
			/* PREFIX4 without ADDR4; and nothing else: no address at all. */
			g_assert_cmpint(worker_msg_get_config(p, got), ==, -ERR_PROTOCOL);
			continue;
		}
		g_assert_cmpint(worker_msg_get_config(p, got), ==, -ERR_PROTOCOL);
		/* Nothing half-filled is left behind. */
		g_assert_false(got->has_addr4);
		g_assert_cmpuint(got->mtu, ==, 0);
	}
}

/* The strict decoder, case by case on hand-made packets. */
static void test_parse_strict(void)
{
	uint8_t a[256], buf[512];
	size_t n, alen;
	uint32_t one = 1;

	/* Baseline: a valid STOP. */
	alen = raw_attr(a, WATTR_REASON, &one, 4);
	n = raw_msg(buf, WMSG_STOP, a, alen);
	g_assert_cmpint(parse_raw(buf, n), ==, 0);
	/* Truncated at every byte. */
	for (size_t i = 0; i < n; i++)
		g_assert_cmpint(parse_raw(buf, i), ==, -ERR_PROTOCOL);
	/* Trailing byte(s) beyond the declared length, or length lying. */
	buf[n] = 0;
	g_assert_cmpint(parse_raw(buf, n + 1), ==, -ERR_PROTOCOL);
	put_u32(buf + 4, (uint32_t)alen + 4);
	memset(buf + n, 0, 4);
	g_assert_cmpint(parse_raw(buf, n + 4), ==, -ERR_PROTOCOL); /* 4 stray zero bytes */
	put_u32(buf + 4, (uint32_t)alen);
	/* Reserved field. */
	put_u16(buf + 2, 1);
	g_assert_cmpint(parse_raw(buf, n), ==, -ERR_PROTOCOL);
	put_u16(buf + 2, 0);
	/* Unknown message types. */
	put_u16(buf, 0);
	g_assert_cmpint(parse_raw(buf, n), ==, -ERR_PROTOCOL);
	put_u16(buf, 99);
	g_assert_cmpint(parse_raw(buf, n), ==, -ERR_PROTOCOL);
	put_u16(buf, WMSG_STOP);
	/* Attribute not allowed in this type (MTU in STOP), unknown attributes. */
	alen = raw_attr(a, WATTR_MTU, &one, 4);
	n = raw_msg(buf, WMSG_STOP, a, alen);
	g_assert_cmpint(parse_raw(buf, n), ==, -ERR_PROTOCOL);
	alen = raw_attr(a, WATTR_COUNT_, &one, 4);
	n = raw_msg(buf, WMSG_STOP, a, alen);
	g_assert_cmpint(parse_raw(buf, n), ==, -ERR_PROTOCOL);
	alen = raw_attr(a, 0, &one, 4);
	n = raw_msg(buf, WMSG_STOP, a, alen);
	g_assert_cmpint(parse_raw(buf, n), ==, -ERR_PROTOCOL);
	/* Wrong fixed sizes: a u32 of 2 and of 8 bytes, an IPv4 of 16. */
	alen = raw_attr(a, WATTR_REASON, &one, 2);
	n = raw_msg(buf, WMSG_STOP, a, alen);
	g_assert_cmpint(parse_raw(buf, n), ==, -ERR_PROTOCOL);
	{
		uint64_t big = 1;

		alen = raw_attr(a, WATTR_REASON, &big, 8);
		n = raw_msg(buf, WMSG_STOP, a, alen);
		g_assert_cmpint(parse_raw(buf, n), ==, -ERR_PROTOCOL);
		alen = raw_attr(a, WATTR_TX_BYTES, &one, 4);
		n = raw_msg(buf, WMSG_STATS, a, alen);
		g_assert_cmpint(parse_raw(buf, n), ==, -ERR_PROTOCOL);
	}
	alen = raw_attr(a, WATTR_ADDR4, "0123456789abcdef", 16);
	n = raw_msg(buf, WMSG_CONFIG, a, alen);
	g_assert_cmpint(parse_raw(buf, n), ==, -ERR_PROTOCOL);
	alen = raw_attr(a, WATTR_INCLUDE6, "0123456789abcdef", 16);
	n = raw_msg(buf, WMSG_CONFIG, a, alen);
	g_assert_cmpint(parse_raw(buf, n), ==, -ERR_PROTOCOL);
	/* Non-zero padding (a 3-byte string has one pad byte). */
	alen = raw_attr(a, WATTR_COOKIE, "ab\0", 3);
	n = raw_msg(buf, WMSG_SET_COOKIE, a, alen);
	g_assert_cmpint(parse_raw(buf, n), ==, 0);
	buf[8 + 4 + 3] = 'x';
	g_assert_cmpint(parse_raw(buf, n), ==, -ERR_PROTOCOL);
	/* Missing padding on the last attribute: length says 3, packet ends after 3 bytes. */
	alen = raw_attr(a, WATTR_COOKIE, "ab\0", 3);
	n = raw_msg(buf, WMSG_SET_COOKIE, a, alen - 1);
	g_assert_cmpint(parse_raw(buf, n), ==, -ERR_PROTOCOL);
	/* Strings: missing NUL, embedded NUL, empty (zero-length) value. */
	alen = raw_attr(a, WATTR_COOKIE, "abcd", 4);
	n = raw_msg(buf, WMSG_SET_COOKIE, a, alen);
	g_assert_cmpint(parse_raw(buf, n), ==, -ERR_PROTOCOL);
	alen = raw_attr(a, WATTR_COOKIE, "ab\0d\0", 5);
	n = raw_msg(buf, WMSG_SET_COOKIE, a, alen);
	g_assert_cmpint(parse_raw(buf, n), ==, -ERR_PROTOCOL);
	alen = raw_attr(a, WATTR_COOKIE, "", 0);
	n = raw_msg(buf, WMSG_SET_COOKIE, a, alen);
	g_assert_cmpint(parse_raw(buf, n), ==, -ERR_PROTOCOL);
	alen = raw_attr(a, WATTR_COOKIE, "\0", 1); /* "" is a string */
	n = raw_msg(buf, WMSG_SET_COOKIE, a, alen);
	g_assert_cmpint(parse_raw(buf, n), ==, 0);
	/* Repeated single attribute; repeated repeatable is fine. */
	alen = raw_attr(a, WATTR_COOKIE, "a\0", 2);
	alen += raw_attr(a + alen, WATTR_COOKIE, "b\0", 2);
	n = raw_msg(buf, WMSG_SET_COOKIE, a, alen);
	g_assert_cmpint(parse_raw(buf, n), ==, -ERR_PROTOCOL);
	alen = raw_attr(a, WATTR_DNS4, "abcd", 4);
	alen += raw_attr(a + alen, WATTR_DNS4, "efgh", 4);
	n = raw_msg(buf, WMSG_CONFIG, a, alen);
	g_assert_cmpint(parse_raw(buf, n), ==, 0);
	/* Attribute length running past the end. */
	alen = raw_attr(a, WATTR_COOKIE, "ab\0", 3);
	put_u16(a + 2, 200);
	n = raw_msg(buf, WMSG_SET_COOKIE, a, alen);
	g_assert_cmpint(parse_raw(buf, n), ==, -ERR_PROTOCOL);
	/* Half an attribute header at the end. */
	alen = raw_attr(a, WATTR_COOKIE, "ab\0", 3);
	a[alen] = WATTR_COOKIE;
	a[alen + 1] = 0;
	n = raw_msg(buf, WMSG_SET_COOKIE, a, alen + 2);
	g_assert_cmpint(parse_raw(buf, n), ==, -ERR_PROTOCOL);
	/* Attributes in COOKIE_REJECTED. */
	alen = raw_attr(a, WATTR_REASON, &one, 4);
	n = raw_msg(buf, WMSG_COOKIE_REJECTED, a, alen);
	g_assert_cmpint(parse_raw(buf, n), ==, -ERR_PROTOCOL);
	n = raw_msg(buf, WMSG_COOKIE_REJECTED, a, 0);
	g_assert_cmpint(parse_raw(buf, n), ==, 0);
	/* Size cap. */
	{
		uint8_t *huge = g_malloc0(WORKER_MSG_MAX + 4);

		put_u16(huge, WMSG_POST_AUTH_XML);
		put_u32(huge + 4, WORKER_MSG_MAX + 4 - 8);
		g_assert_cmpint(parse_raw(huge, WORKER_MSG_MAX + 4), ==, -ERR_PROTOCOL);
		g_free(huge);
	}
	g_assert_cmpint(parse_raw(NULL, 0), ==, -ERR_PROTOCOL);
}

/* Every truncation of a big, real message fails cleanly. */
static void test_truncate_config(void)
{
	_cleanup_(tunnel_config_freep) struct tunnel_config *c = sample_config();
	_cleanup_(worker_msg_freep) struct worker_msg *m = worker_msg_new(WMSG_CONFIG);
	g_autoptr(GBytes) w = NULL;
	gsize len;
	const uint8_t *d;
	uint8_t *copy;

	g_assert_cmpint(worker_msg_put_config(m, c), ==, 0);
	w = wire_of(m);
	d = g_bytes_get_data(w, &len);
	copy = g_malloc(len);
	for (size_t i = 0; i < len; i++) {
		/* Fix up the length so only the attribute walk can notice. */
		memcpy(copy, d, i);
		if (i >= 8)
			put_u32(copy + 4, (uint32_t)(i - 8));
		if (i % 4 == 0 && i >= 8) {
			/* A cut at an attribute boundary is a shorter valid message. */
			int r = parse_raw(copy, i);

			(void)r;
			continue;
		}
		g_assert_cmpint(parse_raw(copy, i), ==, -ERR_PROTOCOL);
	}
	g_assert_cmpint(parse_raw(d, len), ==, 0);
	g_free(copy);
}

static void test_fd_passing(void)
{
	int sv[2], fds[WORKER_MSG_MAX_FDS], pipefd[2];
	size_t nfds = 0;
	_cleanup_(worker_msg_freep) struct worker_msg *m = worker_msg_new(WMSG_START);
	_cleanup_(worker_msg_freep) struct worker_msg *got = NULL;
	const char *s;
	char c;

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), ==, 0);
	g_assert_cmpint(pipe(pipefd), ==, 0);
	g_assert_cmpint(worker_msg_put_str(m, WATTR_COOKIE, "secret"), ==, 0);
	g_assert_cmpint(worker_msg_send(sv[0], m, pipefd, 2), ==, 0);
	g_assert_cmpint(worker_msg_recv(sv[1], &got, fds, &nfds), ==, 0);
	g_assert_cmpuint(nfds, ==, 2);
	g_assert_cmpint(worker_msg_get_str(got, WATTR_COOKIE, &s), ==, 0);
	g_assert_cmpstr(s, ==, "secret");
	/* The received pipe works and is close-on-exec. */
	g_assert_cmpint(write(fds[1], "z", 1), ==, 1);
	g_assert_cmpint(read(pipefd[0], &c, 1), ==, 1);
	g_assert_cmpint(c, ==, 'z');
	g_assert_true(fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
	close(fds[0]);
	close(fds[1]);
	worker_msg_free(steal_ptr(&got));

	/* Too many fds for the API. */
	{
		int many[WORKER_MSG_MAX_FDS + 1];

		for (size_t i = 0; i < G_N_ELEMENTS(many); i++)
			many[i] = pipefd[0];
		g_assert_cmpint(worker_msg_send(sv[0], m, many, G_N_ELEMENTS(many)), ==,
		                -ERR_INVALID_ARGS);
	}
	/* fds sent to a receiver that wants none: refused, nothing leaks. */
	g_assert_cmpint(worker_msg_send(sv[0], m, pipefd, 1), ==, 0);
	g_assert_cmpint(worker_msg_recv(sv[1], &got, NULL, NULL), ==, -ERR_PROTOCOL);
	g_assert_null(got);
	/* fds with a malformed message are closed and not returned. */
	{
		uint8_t raw[16];
		struct iovec iov = {.iov_base = raw, .iov_len = 12};
		union {
			struct cmsghdr h;
			char b[CMSG_SPACE(sizeof(int))];
		} ctl;
		struct msghdr mh = {.msg_iov = &iov,
		                    .msg_iovlen = 1,
		                    .msg_control = ctl.b,
		                    .msg_controllen = sizeof(ctl.b)};
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		int dupfd = dup(pipefd[0]);
		struct stat st;

		raw_msg(raw, WMSG_STOP, "\x01\x02\x03\x04", 4); /* attr 0x0201: unknown */
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &dupfd, sizeof(int));
		g_assert_cmpint(sendmsg(sv[0], &mh, 0), ==, 12);
		close(dupfd);
		nfds = 7;
		g_assert_cmpint(worker_msg_recv(sv[1], &got, fds, &nfds), ==, -ERR_PROTOCOL);
		g_assert_cmpuint(nfds, ==, 0);
		/* The descriptor number the kernel used is free again. */
		g_assert_cmpint(fstat(dupfd, &st), ==, -1);
	}
	/* An oversized packet is truncated by the kernel: refused.  The default socket buffer
	 * is smaller than that: only root can force a bigger one. */
	{
		uint8_t *huge = g_malloc0(WORKER_MSG_MAX + 64);
		int sz = 4 * WORKER_MSG_MAX;

		raw_msg(huge, WMSG_POST_AUTH_XML, huge + 8, 0);
		if (setsockopt(sv[0], SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) == 0) {
			g_assert_cmpint(send(sv[0], huge, WORKER_MSG_MAX + 64, 0), ==,
			                WORKER_MSG_MAX + 64);
			g_assert_cmpint(worker_msg_recv(sv[1], &got, fds, &nfds), ==,
			                -ERR_PROTOCOL);
		} else {
			g_test_message("not root: oversized packet case skipped");
		}
		g_free(huge);
	}
	/* Non-blocking and empty, then EOF. */
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	g_assert_cmpint(worker_msg_recv(sv[1], &got, fds, &nfds), ==, -ERR_TIMEOUT);
	close(sv[0]);
	g_assert_cmpint(worker_msg_recv(sv[1], &got, fds, &nfds), ==, -ERR_IO);
	g_assert_cmpint(worker_msg_send(sv[1], m, NULL, 0), ==, -ERR_IO);
	close(sv[1]);
	close(pipefd[0]);
	close(pipefd[1]);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/worker-msg/start-roundtrip", test_start_roundtrip);
	g_test_add_func("/worker-msg/all-types", test_all_types);
	g_test_add_func("/worker-msg/builder-refuses", test_builder_refuses);
	g_test_add_func("/worker-msg/repeated-next", test_repeated_next);
	g_test_add_func("/worker-msg/config-roundtrip", test_config_roundtrip);
	g_test_add_func("/worker-msg/config-full", test_config_full);
	g_test_add_func("/worker-msg/config-strict", test_config_strict);
	g_test_add_func("/worker-msg/parse-strict", test_parse_strict);
	g_test_add_func("/worker-msg/truncate-config", test_truncate_config);
	g_test_add_func("/worker-msg/fd-passing", test_fd_passing);
	return g_test_run();
}
