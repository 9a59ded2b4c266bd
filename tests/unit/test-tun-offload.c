// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * helper/worker/proto/tun-offload: packets are built here with a checksum implementation of
 * our own (the textbook RFC 1071 loop over big-endian words, nothing shared with the code
 * under test), and every output is compared byte for byte with the packet it must equal.
 * Over 900 lines on purpose: the packet builders are shared by every case and split nothing
 * useful apart.
 */
#include <glib.h>
#include <string.h>

#include "error.h"
#include "tun-offload.h"

/* ---- an independent reference ------------------------------------------------------- */

static uint64_t ref_sum(const uint8_t *p, size_t len, uint64_t acc)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		acc += (uint64_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		acc += (uint64_t)p[len - 1] << 8;
	return acc;
}

static uint16_t ref_fold(uint64_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

static uint64_t ref_pseudo(const uint8_t *ip, uint8_t proto, size_t l4len)
{
	uint64_t acc;

	if (ip[0] >> 4 == 4)
		acc = ref_sum(ip + 12, 8, 0);
	else
		acc = ref_sum(ip + 8, 32, 0);
	return acc + proto + (l4len >> 16) + (l4len & 0xffff);
}

static size_t ref_l3len(const uint8_t *ip)
{
	return ip[0] >> 4 == 4 ? (size_t)(ip[0] & 15) * 4 : 40;
}

/* Fills the IPv4 header checksum and the TCP (off 16) or UDP (off 6) checksum. */
static void ref_fill(uint8_t *ip, size_t len, uint8_t proto)
{
	size_t l3 = ref_l3len(ip);
	size_t off = proto == 6 ? 16 : 6;
	uint16_t c;

	if (ip[0] >> 4 == 4) {
		ip[10] = ip[11] = 0;
		c = (uint16_t)~ref_fold(ref_sum(ip, l3, 0));
		ip[10] = (uint8_t)(c >> 8);
		ip[11] = (uint8_t)c;
	}
	ip[l3 + off] = ip[l3 + off + 1] = 0;
	c = (uint16_t)~ref_fold(ref_sum(ip + l3, len - l3, ref_pseudo(ip, proto, len - l3)));
	if (proto == 17 && c == 0)
		c = 0xffff;
	ip[l3 + off] = (uint8_t)(c >> 8);
	ip[l3 + off + 1] = (uint8_t)c;
}

static bool ref_ok(const uint8_t *ip, size_t len)
{
	size_t l3 = ref_l3len(ip);
	uint8_t proto = ip[0] >> 4 == 4 ? ip[9] : ip[6];

	if (ip[0] >> 4 == 4 && ref_fold(ref_sum(ip, l3, 0)) != 0xffff)
		return false;
	return ref_fold(ref_sum(ip + l3, len - l3, ref_pseudo(ip, proto, len - l3))) == 0xffff;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* ---- packet builders ---------------------------------------------------------------- */

struct tcp_spec {
	int v;
	uint16_t sport, dport, id, win;
	uint32_t seq, ack;
	uint8_t flags, ttl, tos;
	bool df;
	const uint8_t *opts;
	size_t optlen;
	const uint8_t *payload;
	size_t plen;
	uint8_t src_last; /* varies the source address (other flows) */
};

static const uint8_t ts_opts[12] = {1, 1, 8, 10, 0, 0, 0x12, 0x34, 0, 0, 0x56, 0x78};

static struct tcp_spec spec4(void)
{
	return (struct tcp_spec){.v = 4,
	                         .sport = 443,
	                         .dport = 51000,
	                         .id = 0x1000,
	                         .win = 501,
	                         .seq = 0xfffff000, /* wraps inside a run */
	                         .ack = 0x01020304,
	                         .flags = 0x10,
	                         .ttl = 63,
	                         .df = true,
	                         .opts = ts_opts,
	                         .optlen = sizeof(ts_opts),
	                         .src_last = 1};
}

static struct tcp_spec spec6(void)
{
	struct tcp_spec s = spec4();

	s.v = 6;
	return s;
}

static size_t build_tcp(uint8_t *b, const struct tcp_spec *s)
{
	size_t l3 = s->v == 4 ? 20 : 40, thl = 20 + s->optlen, len = l3 + thl + s->plen;
	uint8_t *t = b + l3;

	g_assert_true(s->optlen % 4 == 0);
	memset(b, 0, l3 + thl);
	if (s->v == 4) {
		static const uint8_t src[4] = {203, 0, 113, 0}, dst[4] = {198, 51, 100, 50};

		b[0] = 0x45;
		b[1] = s->tos;
		put16(b + 2, (uint16_t)len);
		put16(b + 4, s->id);
		put16(b + 6, s->df ? 0x4000 : 0);
		b[8] = s->ttl;
		b[9] = 6;
		memcpy(b + 12, src, 4);
		b[15] = s->src_last;
		memcpy(b + 16, dst, 4);
	} else {
		static const uint8_t src[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2},
		                     dst[16] = {0x20, 0x01, 0x0d, 0xb8, 1, 0, 0, 0,
		                                0,    0,    0,    0,    0, 0, 0, 0x32};

		b[0] = 0x60 | (s->tos >> 4);
		b[1] = (uint8_t)(s->tos << 4) | 0x0a; /* a flow label */
		b[2] = 0xbc;
		b[3] = 0xde;
		put16(b + 4, (uint16_t)(thl + s->plen));
		b[6] = 6;
		b[7] = s->ttl;
		memcpy(b + 8, src, 16);
		b[23] = s->src_last;
		memcpy(b + 24, dst, 16);
	}
	put16(t, s->sport);
	put16(t + 2, s->dport);
	put32(t + 4, s->seq);
	put32(t + 8, s->ack);
	t[12] = (uint8_t)((thl / 4) << 4);
	t[13] = s->flags;
	put16(t + 14, s->win);
	if (s->optlen)
		memcpy(t + 20, s->opts, s->optlen);
	if (s->plen)
		memcpy(t + thl, s->payload, s->plen);
	ref_fill(b, len, 6);
	return len;
}

static size_t build_udp(uint8_t *b, int v, uint16_t id, const uint8_t *payload, size_t plen)
{
	size_t l3 = v == 4 ? 20 : 40, len = l3 + 8 + plen;

	memset(b, 0, l3 + 8);
	if (v == 4) {
		b[0] = 0x45;
		put16(b + 2, (uint16_t)len);
		put16(b + 4, id);
		b[8] = 64;
		b[9] = 17;
		b[12] = 10, b[15] = 1, b[16] = 10, b[19] = 2;
	} else {
		b[0] = 0x60;
		put16(b + 4, (uint16_t)(8 + plen));
		b[6] = 17;
		b[7] = 64;
		b[8] = 0xfd, b[23] = 1, b[24] = 0xfd, b[39] = 2;
	}
	put16(b + l3, 5353);
	put16(b + l3 + 2, 4433);
	put16(b + l3 + 4, (uint16_t)(8 + plen));
	memcpy(b + l3 + 8, payload, plen);
	ref_fill(b, len, 17);
	return len;
}

static uint8_t *payload_bytes(size_t n, unsigned seed)
{
	uint8_t *p = g_malloc(n ? n : 1);

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)((i * 131 + seed * 7 + (i >> 8)) ^ (i >> 3));
	return p;
}

/* The TCP checksum field as the kernel leaves it in a CHECKSUM_PARTIAL packet. */
static void make_partial(uint8_t *ip, size_t len, uint8_t proto)
{
	size_t l3 = ref_l3len(ip), off = proto == 6 ? 16 : 6;
	uint16_t c = ref_fold(ref_pseudo(ip, proto, len - l3));

	put16(ip + l3 + off, c);
}

static struct tun_offload_vnet gso_hdr(uint8_t type, size_t l3, size_t hdrlen, uint16_t mss)
{
	return (struct tun_offload_vnet){.flags = TUN_OFFLOAD_F_NEEDS_CSUM,
	                                 .gso_type = type,
	                                 .hdr_len = (uint16_t)hdrlen,
	                                 .gso_size = mss,
	                                 .csum_start = (uint16_t)l3,
	                                 .csum_offset =
	                                     (type & 0x7f) == TUN_OFFLOAD_GSO_UDP_L4 ? 6 : 16};
}

/* ---- vnet header -------------------------------------------------------------------- */

static void test_vnet(void)
{
	static const uint8_t raw[12] = {0x01, 0x81, 0x42, 0x00, 0xa8, 0x05,
	                                0x14, 0x00, 0x10, 0x00, 9,    9};
	struct tun_offload_vnet h;
	uint8_t out[TUN_OFFLOAD_VNET_HDR_LEN];

	g_assert_cmpint(tun_offload_vnet_parse(raw, sizeof(raw), &h), ==, 0);
	g_assert_cmpuint(h.flags, ==, TUN_OFFLOAD_F_NEEDS_CSUM);
	g_assert_cmpuint(h.gso_type, ==, TUN_OFFLOAD_GSO_TCPV4 | TUN_OFFLOAD_GSO_ECN);
	g_assert_cmpuint(h.hdr_len, ==, 0x42);
	g_assert_cmpuint(h.gso_size, ==, 1448);
	g_assert_cmpuint(h.csum_start, ==, 20);
	g_assert_cmpuint(h.csum_offset, ==, 16);
	tun_offload_vnet_write(out, &h);
	g_assert_cmpmem(out, sizeof(out), raw, 10);
	g_assert_cmpint(tun_offload_vnet_parse(raw, 9, &h), ==, -ERR_PROTOCOL);
	g_assert_cmpint(tun_offload_vnet_parse(NULL, 10, &h), ==, -ERR_PROTOCOL);
}

/* ---- split -------------------------------------------------------------------------- */

/* Splits super (built from sp with payload pl of plen bytes) with mss and checks every
 * segment against the packet built independently for it. */
static void check_tcp_split(struct tcp_spec sp, size_t plen, uint16_t mss, size_t max_len,
                            size_t want_mss, bool ecn)
{
	g_autofree uint8_t *pl = payload_bytes(plen, (unsigned)mss);
	g_autofree uint8_t *super = g_malloc(TUN_OFFLOAD_MAX_PACKET);
	g_autofree uint8_t *want = g_malloc(TUN_OFFLOAD_MAX_PACKET);
	g_autofree uint8_t *out = g_malloc(TUN_OFFLOAD_MAX_PACKET);
	uint8_t first_flags = sp.flags;
	size_t l3 = sp.v == 4 ? 20 : 40, len, off = 0;
	struct tun_offload_vnet h;
	struct tun_offload_split s;
	unsigned int i = 0;
	int n;

	sp.payload = pl;
	sp.plen = plen;
	len = build_tcp(super, &sp);
	make_partial(super, len, 6);
	h = gso_hdr((sp.v == 4 ? TUN_OFFLOAD_GSO_TCPV4 : TUN_OFFLOAD_GSO_TCPV6) |
	                (ecn ? TUN_OFFLOAD_GSO_ECN : 0),
	            l3, l3 + 20 + sp.optlen, mss);
	g_assert_cmpint(tun_offload_split_init(&s, &h, super, len, max_len), ==, 0);
	g_assert_cmpuint(tun_offload_split_count(&s), ==, (plen + want_mss - 1) / want_mss);
	while ((n = tun_offload_split_next(&s, out, TUN_OFFLOAD_MAX_PACKET)) > 0) {
		struct tcp_spec ws = sp;
		size_t seg = MIN(want_mss, plen - off);
		bool last = off + seg == plen;

		ws.payload = pl + off;
		ws.plen = seg;
		ws.seq = sp.seq + (uint32_t)off;
		ws.id = (uint16_t)(sp.id + i);
		ws.flags = first_flags;
		if (i > 0)
			ws.flags &= (uint8_t)~0x80;
		if (!last)
			ws.flags &= (uint8_t)~0x09;
		g_assert_cmpuint((size_t)n, ==, build_tcp(want, &ws));
		g_assert_cmpuint((size_t)n, <=, max_len);
		g_assert_cmpmem(out, (size_t)n, want, (size_t)n);
		g_assert_true(ref_ok(out, (size_t)n));
		g_assert_cmpint(tun_offload_verify(out, (size_t)n), ==, 1);
		off += seg;
		i++;
	}
	g_assert_cmpint(n, ==, 0);
	g_assert_cmpuint(off, ==, plen);
	g_assert_cmpuint(i, ==, tun_offload_split_count(&s));
	g_assert_cmpint(tun_offload_split_next(&s, out, TUN_OFFLOAD_MAX_PACKET), ==, 0);
}

static void test_split_tcp4(void)
{
	struct tcp_spec sp = spec4();

	/* 3 full segments and a short one; FIN|PSH|CWR on the super-packet. */
	sp.flags = 0x10 | 0x08 | 0x01 | 0x80;
	check_tcp_split(sp, 3 * 1388 + 500, 1388, 1500, 1388, true);
	/* Exactly full segments, no options, an odd MSS, an IP id that wraps. */
	sp = spec4();
	sp.opts = NULL;
	sp.optlen = 0;
	sp.id = 0xfffe;
	sp.flags = 0x18;
	check_tcp_split(sp, 5 * 1001, 1001, 16384, 1001, false);
	/* The largest super-packet. */
	sp = spec4();
	check_tcp_split(sp, 65535 - 20 - 32, 1448, 1500, 1448, false);
	/* One segment only: just a checksum to complete. */
	check_tcp_split(spec4(), 100, 1400, 1500, 100 /* unused */, false);
}

static void test_split_tcp6(void)
{
	struct tcp_spec sp = spec6();

	sp.flags = 0x10 | 0x08 | 0x80;
	check_tcp_split(sp, 7 * 1368 + 1, 1368, 1500, 1368, true);
	sp = spec6();
	check_tcp_split(sp, 65535 - 32, 1220, 1400, 1220, false);
}

static void test_split_lowers_mss(void)
{
	/* The kernel's MSS does not fit the room: TCP takes smaller segments. */
	check_tcp_split(spec4(), 10000, 1448, 1000, 1000 - 52, false);
	check_tcp_split(spec6(), 10000, 1448, 1300, 1300 - 72, false);
}

static void check_udp_split(int v, size_t plen, uint16_t mss)
{
	g_autofree uint8_t *pl = payload_bytes(plen, 3);
	g_autofree uint8_t *super = g_malloc(TUN_OFFLOAD_MAX_PACKET);
	g_autofree uint8_t *want = g_malloc(TUN_OFFLOAD_MAX_PACKET);
	g_autofree uint8_t *out = g_malloc(TUN_OFFLOAD_MAX_PACKET);
	size_t l3 = v == 4 ? 20 : 40, len, off = 0;
	struct tun_offload_vnet h = gso_hdr(TUN_OFFLOAD_GSO_UDP_L4, l3, l3 + 8, mss);
	struct tun_offload_split s;
	unsigned int i = 0;
	int n;

	len = build_udp(super, v, 0x4242, pl, plen);
	make_partial(super, len, 17);
	g_assert_cmpint(tun_offload_split_init(&s, &h, super, len, 1500), ==, 0);
	while ((n = tun_offload_split_next(&s, out, TUN_OFFLOAD_MAX_PACKET)) > 0) {
		size_t seg = MIN(mss, plen - off);

		g_assert_cmpuint((size_t)n, ==,
		                 build_udp(want, v, (uint16_t)(0x4242 + i), pl + off, seg));
		g_assert_cmpmem(out, (size_t)n, want, (size_t)n);
		g_assert_cmpint(tun_offload_verify(out, (size_t)n), ==, 1);
		off += seg;
		i++;
	}
	g_assert_cmpint(n, ==, 0);
	g_assert_cmpuint(off, ==, plen);
	g_assert_cmpuint(i, ==, (plen + mss - 1) / mss);
}

static void test_split_udp(void)
{
	check_udp_split(4, 3500, 1000);
	check_udp_split(6, 3500, 1000);
	check_udp_split(4, 4 * 1200, 1200);
}

static void test_split_udp_keeps_datagrams(void)
{
	g_autofree uint8_t *pl = payload_bytes(3000, 1);
	uint8_t super[3100];
	size_t len = build_udp(super, 4, 1, pl, 3000);
	struct tun_offload_vnet h = gso_hdr(TUN_OFFLOAD_GSO_UDP_L4, 20, 28, 1400);
	struct tun_offload_split s;

	/* A datagram larger than the room is refused, never cut. */
	g_assert_cmpint(tun_offload_split_init(&s, &h, super, len, 1400), ==, -ERR_TOO_LARGE);
	g_assert_cmpint(tun_offload_split_init(&s, &h, super, len, 1428), ==, 0);
}

static void test_split_complete_csum(void)
{
	g_autofree uint8_t *pl = payload_bytes(777, 9);
	uint8_t pkt[1000], orig[1000], out[1000], copy[1000];
	struct tcp_spec sp = spec6();
	struct tun_offload_vnet h = {
	    .flags = TUN_OFFLOAD_F_NEEDS_CSUM, .csum_start = 40, .csum_offset = 16};
	struct tun_offload_split s;
	size_t len;

	sp.payload = pl;
	sp.plen = 777;
	len = build_tcp(orig, &sp);
	memcpy(pkt, orig, len);
	make_partial(pkt, len, 6);
	g_assert_cmpint(memcmp(pkt, orig, len), !=, 0);
	memcpy(copy, pkt, len);
	g_assert_cmpint(tun_offload_split_init(&s, &h, pkt, len, 1500), ==, 0);
	g_assert_cmpuint(tun_offload_split_count(&s), ==, 1);
	g_assert_cmpint(tun_offload_split_next(&s, out, sizeof(out)), ==, (int)len);
	g_assert_cmpmem(out, len, orig, len);
	g_assert_cmpint(tun_offload_split_next(&s, out, sizeof(out)), ==, 0);
	/* The input is never written. */
	g_assert_cmpmem(pkt, len, copy, len);

	/* Without NEEDS_CSUM the packet passes untouched (DATA_VALID changes nothing). */
	h.flags = TUN_OFFLOAD_F_DATA_VALID;
	g_assert_cmpint(tun_offload_split_init(&s, &h, pkt, len, 1500), ==, 0);
	g_assert_cmpint(tun_offload_split_next(&s, out, sizeof(out)), ==, (int)len);
	g_assert_cmpmem(out, len, pkt, len);
}

static void test_split_udp_zero_csum(void)
{
	/* A UDP payload whose checksum comes out as 0 must be sent as 0xffff (0 = none). */
	uint8_t pl[64] = {1, 2, 3, 4, 5}, pkt[200], out[200];
	struct tun_offload_vnet h = {
	    .flags = TUN_OFFLOAD_F_NEEDS_CSUM, .csum_start = 20, .csum_offset = 6};
	struct tun_offload_split s;
	size_t len = build_udp(pkt, 4, 7, pl, sizeof(pl));
	uint64_t acc;

	/* Choose the last payload word so that the one's complement sum is 0xffff. */
	pkt[len - 2] = pkt[len - 1] = 0;
	pkt[26] = pkt[27] = 0;
	acc = ref_sum(pkt + 20, len - 20, ref_pseudo(pkt, 17, len - 20));
	put16(pkt + len - 2, (uint16_t)~ref_fold(acc));
	g_assert_cmpuint(ref_fold(ref_sum(pkt + 20, len - 20, ref_pseudo(pkt, 17, len - 20))), ==,
	                 0xffff);
	make_partial(pkt, len, 17);
	g_assert_cmpint(tun_offload_split_init(&s, &h, pkt, len, 1500), ==, 0);
	g_assert_cmpint(tun_offload_split_next(&s, out, sizeof(out)), ==, (int)len);
	g_assert_cmpuint(get16(out + 26), ==, 0xffff);
	g_assert_true(ref_ok(out, len));
}

static void test_split_small_cap(void)
{
	g_autofree uint8_t *pl = payload_bytes(3000, 2);
	g_autofree uint8_t *super = g_malloc(4000);
	uint8_t out[1600];
	struct tcp_spec sp = spec4();
	struct tun_offload_vnet h = gso_hdr(TUN_OFFLOAD_GSO_TCPV4, 20, 52, 1400);
	struct tun_offload_split s;
	size_t len;

	sp.payload = pl;
	sp.plen = 3000;
	len = build_tcp(super, &sp);
	g_assert_cmpint(tun_offload_split_init(&s, &h, super, len, 1500), ==, 0);
	/* Too small a buffer consumes nothing: the same segment comes with a bigger one. */
	g_assert_cmpint(tun_offload_split_next(&s, out, 1451), ==, -ERR_TOO_LARGE);
	g_assert_cmpint(tun_offload_split_next(&s, out, sizeof(out)), ==, 1452);
	g_assert_cmpuint(get32(out + 24), ==, sp.seq);
}

static void test_split_malformed(void)
{
	g_autofree uint8_t *pl = payload_bytes(3000, 5);
	g_autofree uint8_t *good = g_malloc(4000);
	g_autofree uint8_t *bad = g_malloc(4000);
	g_autofree uint8_t *good6 = g_malloc(4000);
	struct tcp_spec sp = spec4();
	struct tun_offload_vnet h4 = gso_hdr(TUN_OFFLOAD_GSO_TCPV4, 20, 52, 1400), h;
	struct tun_offload_vnet h6 = gso_hdr(TUN_OFFLOAD_GSO_TCPV6, 40, 72, 1400);
	struct tun_offload_vnet none = {0};
	struct tun_offload_split s;
	size_t len, len6;

	sp.payload = pl;
	sp.plen = 3000;
	len = build_tcp(good, &sp);
	sp = spec6();
	sp.payload = pl;
	sp.plen = 3000;
	len6 = build_tcp(good6, &sp);
	g_assert_cmpint(tun_offload_split_init(&s, &h4, good, len, 1500), ==, 0);
	g_assert_cmpint(tun_offload_split_init(&s, &h6, good6, len6, 1500), ==, 0);

#define EXPECT(hdr, buf, l, err)                                                                   \
	g_assert_cmpint(tun_offload_split_init(&s, &(hdr), (buf), (l), 1500), ==, (err))
#define MUTATE(off, val)                                                                           \
	do {                                                                                       \
		memcpy(bad, good, len);                                                            \
		bad[off] = (val);                                                                  \
	} while (0)

	/* lengths */
	EXPECT(h4, good, 0, -ERR_PROTOCOL);
	EXPECT(h4, good, 19, -ERR_PROTOCOL);
	EXPECT(h4, good, len - 1, -ERR_PROTOCOL);   /* total length says more */
	EXPECT(h6, good6, len6 - 1, -ERR_PROTOCOL); /* payload length says more */
	EXPECT(none, good, 39, -ERR_PROTOCOL);
	MUTATE(0, 0x44); /* IHL 4 */
	EXPECT(h4, bad, len, -ERR_PROTOCOL);
	MUTATE(0, 0x55); /* version 5 */
	EXPECT(h4, bad, len, -ERR_PROTOCOL);
	EXPECT(none, bad, len, -ERR_PROTOCOL);
	/* GSO type against the packet */
	EXPECT(h6, good, len, -ERR_PROTOCOL);
	EXPECT(h4, good6, len6, -ERR_PROTOCOL);
	h = h4;
	h.gso_type = TUN_OFFLOAD_GSO_UDP; /* UFO: never */
	EXPECT(h, good, len, -ERR_UNSUPPORTED);
	h.gso_type = 2;
	EXPECT(h, good, len, -ERR_UNSUPPORTED);
	h.gso_type = 0x7f;
	EXPECT(h, good, len, -ERR_UNSUPPORTED);
	h.gso_type = TUN_OFFLOAD_GSO_UDP_L4; /* on a TCP packet */
	h.csum_offset = 6;
	EXPECT(h, good, len, -ERR_PROTOCOL);
	h = none;
	h.gso_type = TUN_OFFLOAD_GSO_ECN; /* ECN without GSO */
	EXPECT(h, good, len, -ERR_PROTOCOL);
	MUTATE(9, 17); /* TCPV4 over a UDP protocol number */
	EXPECT(h4, bad, len, -ERR_PROTOCOL);
	memcpy(bad, good6, len6);
	bad[6] = 0; /* hop-by-hop header first */
	EXPECT(h6, bad, len6, -ERR_UNSUPPORTED);
	/* fragments */
	MUTATE(6, 0x60); /* DF|MF */
	EXPECT(h4, bad, len, -ERR_PROTOCOL);
	MUTATE(7, 0x01); /* offset 8 */
	EXPECT(h4, bad, len, -ERR_PROTOCOL);
	/* TCP header */
	MUTATE(32, 0x40); /* data offset 4 */
	EXPECT(h4, bad, len, -ERR_PROTOCOL);
	{
		uint8_t tiny[60];

		memcpy(tiny, good, 60);
		put16(tiny + 2, 40);
		tiny[0] = 0x4f; /* a 60-byte IP header in 40 bytes */
		EXPECT(none, tiny, 40, -ERR_PROTOCOL);
		tiny[0] = 0x45;
		put16(tiny + 2, 60);
		tiny[32] = 0xf0; /* 60-byte TCP header in 40 bytes */
		EXPECT(h4, tiny, 60, -ERR_PROTOCOL);
		put16(tiny + 2, 39);
		EXPECT(h4, tiny, 39, -ERR_PROTOCOL); /* shorter than IP + TCP */
		put16(tiny + 2, 52);
		tiny[32] = 0x80;
		EXPECT(h4, tiny, 52, -ERR_PROTOCOL); /* GSO without payload */
	}
	/* checksum position */
	h = h4;
	h.csum_start = 21;
	EXPECT(h, good, len, -ERR_PROTOCOL);
	h = h4;
	h.csum_offset = 6;
	EXPECT(h, good, len, -ERR_PROTOCOL);
	h = none;
	h.flags = TUN_OFFLOAD_F_NEEDS_CSUM;
	{
		uint8_t small[100];

		memcpy(small, good, 100);
		put16(small + 2, 100);
		h.csum_start = 19;
		h.csum_offset = 16;
		EXPECT(h, small, 100, -ERR_PROTOCOL); /* inside the IP header */
		h.csum_start = 20;
		h.csum_offset = 79; /* field ends at 101 */
		EXPECT(h, small, 100, -ERR_PROTOCOL);
		h.csum_offset = 78; /* ends at 100: fine */
		EXPECT(h, small, 100, 0);
		h.csum_start = 0xffff;
		h.csum_offset = 0xffff;
		EXPECT(h, small, 100, -ERR_PROTOCOL);
	}
	/* sizes */
	h = h4;
	h.gso_size = 0;
	EXPECT(h, good, len, -ERR_PROTOCOL);
	h.gso_size = 2; /* 1500 segments */
	EXPECT(h, good, len, -ERR_PROTOCOL);
	h.gso_size = 3; /* 1000: fine */
	EXPECT(h, good, len, 0);
	g_assert_cmpuint(tun_offload_split_count(&s), ==, 1000);
	g_assert_cmpint(tun_offload_split_init(&s, &none, good, len, 1500), ==, -ERR_TOO_LARGE);
	g_assert_cmpint(tun_offload_split_init(&s, &h4, good, len, 52), ==, -ERR_TOO_LARGE);
	g_assert_cmpint(tun_offload_split_init(&s, &h4, good, len, 53), ==, -ERR_TOO_LARGE);
	g_assert_cmpint(tun_offload_split_init(&s, &h4, good, len, 56), ==, 0);
	g_assert_cmpint(tun_offload_split_init(&s, NULL, good, len, 1500), ==, -ERR_INVALID_ARGS);
	/* UDP length field must agree */
	{
		uint8_t u[2000];
		size_t ul = build_udp(u, 4, 1, pl, 1500);
		struct tun_offload_vnet hu = gso_hdr(TUN_OFFLOAD_GSO_UDP_L4, 20, 28, 500);

		EXPECT(hu, u, ul, 0);
		put16(u + 24, 1507);
		EXPECT(hu, u, ul, -ERR_PROTOCOL);
		put16(u + 24, 1508);
		hu.gso_type |= TUN_OFFLOAD_GSO_ECN;
		EXPECT(hu, u, ul, -ERR_PROTOCOL);
	}
#undef EXPECT
#undef MUTATE
}

/* ---- verify ------------------------------------------------------------------------- */

static void test_verify(void)
{
	g_autofree uint8_t *pl = payload_bytes(301, 4);
	uint8_t p[400], u[400];
	struct tcp_spec sp = spec4();
	size_t len, ul;

	sp.payload = pl;
	sp.plen = 301; /* odd length */
	len = build_tcp(p, &sp);
	g_assert_cmpint(tun_offload_verify(p, len), ==, 1);
	p[len - 1] ^= 1;
	g_assert_cmpint(tun_offload_verify(p, len), ==, 0);
	p[len - 1] ^= 1;
	p[8]--; /* TTL: only the IPv4 header checksum notices */
	g_assert_cmpint(tun_offload_verify(p, len), ==, 0);
	p[8]++;
	p[13] ^= 0x80; /* source address: only the pseudo-header notices */
	p[10] = p[11] = 0;
	put16(p + 10, (uint16_t)~ref_fold(ref_sum(p, 20, 0)));
	g_assert_cmpint(tun_offload_verify(p, len), ==, 0);
	ul = build_udp(u, 4, 1, pl, 100);
	g_assert_cmpint(tun_offload_verify(u, ul), ==, 1);
	u[26] = u[27] = 0; /* IPv4 UDP without a checksum */
	g_assert_cmpint(tun_offload_verify(u, ul), ==, 1);
	ul = build_udp(u, 6, 1, pl, 100);
	u[46] = u[47] = 0; /* IPv6 UDP must have one */
	g_assert_cmpint(tun_offload_verify(u, ul), ==, 0);
	g_assert_cmpint(tun_offload_verify(p, 30), ==, -ERR_PROTOCOL);
	p[9] = 1; /* ICMP */
	g_assert_cmpint(tun_offload_verify(p, len), ==, -ERR_PROTOCOL);
	g_assert_cmpint(tun_offload_verify(NULL, 0), ==, -ERR_PROTOCOL);
}

/* ---- merge -------------------------------------------------------------------------- */

struct emitted {
	uint8_t vnet[TUN_OFFLOAD_VNET_HDR_LEN];
	uint8_t *pkt;
	size_t len;
};

struct sink {
	GPtrArray *out;
};

static void emitted_free(gpointer p)
{
	struct emitted *e = p;

	g_free(e->pkt);
	g_free(e);
}

static void sink_emit(void *ud, const uint8_t vnet[TUN_OFFLOAD_VNET_HDR_LEN], const uint8_t *pkt,
                      size_t len)
{
	struct sink *s = ud;
	struct emitted *e = g_new0(struct emitted, 1);

	memcpy(e->vnet, vnet, TUN_OFFLOAD_VNET_HDR_LEN);
	e->pkt = g_memdup2(pkt, len);
	e->len = len;
	g_ptr_array_add(s->out, e);
}

static struct sink sink_new(void)
{
	return (struct sink){.out = g_ptr_array_new_with_free_func(emitted_free)};
}

static struct emitted *sink_at(struct sink *s, guint i)
{
	g_assert_cmpuint(i, <, s->out->len);
	return s->out->pdata[i];
}

static const uint8_t zero_vnet[TUN_OFFLOAD_VNET_HDR_LEN];

struct seg {
	uint8_t buf[2000];
	size_t len;
};

/* n segments of mss payload bytes each (the last one last_len), ids and sequence numbers
 * consecutive, as the gateway sends a TCP stream.  pl holds the whole payload. */
static struct seg *make_segments(struct tcp_spec sp, unsigned int n, size_t mss, size_t last_len,
                                 const uint8_t *pl)
{
	struct seg *v = g_new0(struct seg, n);
	size_t off = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct tcp_spec ws = sp;

		ws.plen = i + 1 == n ? last_len : mss;
		ws.payload = pl + off;
		ws.seq = sp.seq + (uint32_t)off;
		ws.id = (uint16_t)(sp.id + i);
		v[i].len = build_tcp(v[i].buf, &ws);
		off += ws.plen;
	}
	return v;
}

/* The merged packet, split again, gives back exactly the segments it was made of. */
static void check_resplit(const struct emitted *e, const struct seg *segs, unsigned int n)
{
	g_autofree uint8_t *out = g_malloc(TUN_OFFLOAD_MAX_PACKET);
	g_autofree uint8_t *full = g_memdup2(e->pkt, e->len);
	struct tun_offload_vnet h;
	struct tun_offload_split s;
	struct tun_offload_vnet as_partial;
	size_t l3 = ref_l3len(e->pkt);
	int len;

	g_assert_cmpint(tun_offload_vnet_parse(e->vnet, sizeof(e->vnet), &h), ==, 0);
	g_assert_cmpuint(h.flags, ==, TUN_OFFLOAD_F_NEEDS_CSUM);
	g_assert_cmpuint(h.gso_type, ==,
	                 e->pkt[0] >> 4 == 4 ? TUN_OFFLOAD_GSO_TCPV4 : TUN_OFFLOAD_GSO_TCPV6);
	g_assert_cmpuint(h.csum_start, ==, l3);
	g_assert_cmpuint(h.csum_offset, ==, 16);
	g_assert_cmpuint(h.hdr_len, ==, l3 + (e->pkt[l3 + 12] >> 4) * 4);
	g_assert_cmpuint(h.gso_size, ==, segs[0].len - h.hdr_len);
	g_assert_cmpint(tun_offload_split_init(&s, &h, e->pkt, e->len, 16384), ==, 0);
	g_assert_cmpuint(tun_offload_split_count(&s), ==, n);
	for (unsigned int i = 0; i < n; i++) {
		len = tun_offload_split_next(&s, out, TUN_OFFLOAD_MAX_PACKET);
		g_assert_cmpint(len, ==, (int)segs[i].len);
		g_assert_cmpmem(out, (size_t)len, segs[i].buf, segs[i].len);
	}
	g_assert_cmpint(tun_offload_split_next(&s, out, TUN_OFFLOAD_MAX_PACKET), ==, 0);

	/* What the kernel does with CHECKSUM_PARTIAL gives a right checksum for the whole. */
	as_partial = (struct tun_offload_vnet){
	    .flags = TUN_OFFLOAD_F_NEEDS_CSUM, .csum_start = (uint16_t)l3, .csum_offset = 16};
	g_assert_cmpint(tun_offload_split_init(&s, &as_partial, full, e->len, 70000), ==, 0);
	g_assert_cmpint(tun_offload_split_next(&s, out, TUN_OFFLOAD_MAX_PACKET), ==, (int)e->len);
	g_assert_true(ref_ok(out, e->len));
	/* And the IPv4 header checksum is right as it is. */
	if (e->pkt[0] >> 4 == 4)
		g_assert_cmpuint(ref_fold(ref_sum(e->pkt, 20, 0)), ==, 0xffff);
}

static void add_all(struct tun_offload_gro *g, struct sink *k, const struct seg *segs,
                    unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		tun_offload_gro_add(g, segs[i].buf, segs[i].len, sink_emit, k);
}

static void check_merge(struct tcp_spec sp, unsigned int n, size_t mss, size_t last_len,
                        uint8_t last_flags)
{
	g_autofree uint8_t *pl = payload_bytes(n * mss, 11);
	g_autofree struct seg *segs = NULL;
	struct tun_offload_gro *g = tun_offload_gro_new();
	struct sink k = sink_new();
	uint64_t in, out;

	segs = make_segments(sp, n, mss, last_len, pl);
	if (last_flags) {
		struct tcp_spec ws = sp;
		size_t l3 = sp.v == 4 ? 20 : 40;

		/* Rebuild the last one with its flags. */
		ws.plen = last_len;
		ws.payload = pl + (n - 1) * mss;
		ws.seq = sp.seq + (uint32_t)((n - 1) * mss);
		ws.id = (uint16_t)(sp.id + n - 1);
		ws.flags = last_flags;
		segs[n - 1].len = build_tcp(segs[n - 1].buf, &ws);
		g_assert_cmpuint(segs[n - 1].buf[l3 + 13], ==, last_flags);
	}
	add_all(g, &k, segs, n);
	g_assert_cmpuint(k.out->len, ==, 0); /* all held until the end of the batch */
	tun_offload_gro_flush(g, sink_emit, &k);
	g_assert_cmpuint(k.out->len, ==, 1);
	check_resplit(sink_at(&k, 0), segs, n);
	tun_offload_gro_counts(g, &in, &out);
	g_assert_cmpuint(in, ==, n);
	g_assert_cmpuint(out, ==, 1);
	tun_offload_gro_free(g);
	g_ptr_array_unref(k.out);
}

static void test_merge_basic(void)
{
	struct tcp_spec sp = spec4();

	check_merge(sp, 10, 1388, 1388, 0);
	check_merge(sp, 10, 1388, 17, 0);
	check_merge(sp, 5, 1388, 1388, 0x18); /* PSH on the last */
	sp.id = 0xfffd;                       /* the id wraps */
	sp.opts = NULL;
	sp.optlen = 0;
	check_merge(sp, 7, 1001, 3, 0);
	check_merge(spec6(), 20, 1368, 1368, 0);
	check_merge(spec6(), 2, 1368, 1, 0x18);
	/* The most one run takes: 64 segments, or 65535 bytes. */
	check_merge(spec4(), TUN_OFFLOAD_GRO_MAX_SEGS, 500, 500, 0);
	check_merge(spec4(), 46, 1455, 8, 0); /* 52 + 45 * 1455 + 8 = 65535 */
}

static void test_merge_round_trip(void)
{
	/* A super-packet split, then merged: the same packet (the way the kernel made it). */
	for (int v = 4; v <= 6; v += 2) {
		g_autofree uint8_t *pl = payload_bytes(20000, 13);
		g_autofree uint8_t *super = g_malloc(TUN_OFFLOAD_MAX_PACKET);
		g_autofree uint8_t *seg = g_malloc(TUN_OFFLOAD_MAX_PACKET);
		struct tcp_spec sp = v == 4 ? spec4() : spec6();
		size_t l3 = v == 4 ? 20 : 40, len;
		struct tun_offload_vnet h = gso_hdr(
		    v == 4 ? TUN_OFFLOAD_GSO_TCPV4 : TUN_OFFLOAD_GSO_TCPV6, l3, l3 + 32, 1400);
		struct tun_offload_gro *g = tun_offload_gro_new();
		struct sink k = sink_new();
		struct tun_offload_split s;
		struct tun_offload_vnet got;
		int n;

		sp.flags = 0x18;
		sp.payload = pl;
		sp.plen = 20000;
		len = build_tcp(super, &sp);
		make_partial(super, len, 6);
		g_assert_cmpint(tun_offload_split_init(&s, &h, super, len, 1500), ==, 0);
		while ((n = tun_offload_split_next(&s, seg, TUN_OFFLOAD_MAX_PACKET)) > 0)
			tun_offload_gro_add(g, seg, (size_t)n, sink_emit, &k);
		g_assert_cmpint(n, ==, 0);
		tun_offload_gro_flush(g, sink_emit, &k);
		g_assert_cmpuint(k.out->len, ==, 1);
		g_assert_cmpmem(sink_at(&k, 0)->pkt, sink_at(&k, 0)->len, super, len);
		g_assert_cmpint(tun_offload_vnet_parse(sink_at(&k, 0)->vnet, 10, &got), ==, 0);
		g_assert_cmpuint(got.gso_size, ==, 1400);
		g_assert_cmpuint(got.hdr_len, ==, l3 + 32);
		tun_offload_gro_free(g);
		g_ptr_array_unref(k.out);
	}
}

/* Runs segs through a fresh merger and returns how the output splits into emissions: for
 * each emission the number of input segments it holds (checked by re-splitting). */
static GArray *merge_shape(struct seg *segs, unsigned int n)
{
	struct tun_offload_gro *g = tun_offload_gro_new();
	struct sink k = sink_new();
	GArray *shape = g_array_new(FALSE, FALSE, sizeof(unsigned int));
	unsigned int at = 0;

	add_all(g, &k, segs, n);
	tun_offload_gro_flush(g, sink_emit, &k);
	for (guint i = 0; i < k.out->len; i++) {
		struct emitted *e = sink_at(&k, i);
		unsigned int c = 1;

		if (memcmp(e->vnet, zero_vnet, sizeof(zero_vnet)) == 0) {
			/* Unmerged: exactly the packet that came in. */
			g_assert_cmpuint(at, <, n);
			g_assert_cmpmem(e->pkt, e->len, segs[at].buf, segs[at].len);
		} else {
			struct tun_offload_vnet h;
			struct tun_offload_split s;

			tun_offload_vnet_parse(e->vnet, 10, &h);
			g_assert_cmpint(tun_offload_split_init(&s, &h, e->pkt, e->len, 16384), ==,
			                0);
			c = tun_offload_split_count(&s);
			g_assert_cmpuint(at + c, <=, n);
			check_resplit(e, segs + at, c);
		}
		at += c;
		g_array_append_val(shape, c);
	}
	g_assert_cmpuint(at, ==, n);
	tun_offload_gro_free(g);
	g_ptr_array_unref(k.out);
	return shape;
}

static void assert_shape(GArray *shape, const unsigned int *want, size_t n)
{
	g_assert_cmpuint(shape->len, ==, n);
	for (size_t i = 0; i < n; i++)
		g_assert_cmpuint(g_array_index(shape, unsigned int, i), ==, want[i]);
	g_array_unref(shape);
}

static void rebuild(struct seg *sg, void (*change)(struct tcp_spec *), struct tcp_spec sp,
                    unsigned int i, size_t mss, const uint8_t *pl)
{
	struct tcp_spec ws = sp;

	ws.plen = mss;
	ws.payload = pl + i * mss;
	ws.seq = sp.seq + (uint32_t)(i * mss);
	ws.id = (uint16_t)(sp.id + i);
	change(&ws);
	sg[i].len = build_tcp(sg[i].buf, &ws);
}

static void ch_ack(struct tcp_spec *s)
{
	s->ack += 1000;
}
static void ch_win(struct tcp_spec *s)
{
	s->win++;
}
static void ch_ts(struct tcp_spec *s)
{
	static const uint8_t other[12] = {1, 1, 8, 10, 0, 0, 0x12, 0x35, 0, 0, 0x56, 0x78};

	s->opts = other;
}
static void ch_id(struct tcp_spec *s)
{
	s->id += 5;
}
static void ch_ttl(struct tcp_spec *s)
{
	s->ttl--;
}
static void ch_tos(struct tcp_spec *s)
{
	s->tos = 0x10;
}
static void ch_df(struct tcp_spec *s)
{
	s->df = false;
}
static void ch_psh(struct tcp_spec *s)
{
	s->flags |= 0x08;
}
static void ch_fin(struct tcp_spec *s)
{
	s->flags |= 0x01;
}
static void ch_syn(struct tcp_spec *s)
{
	s->flags = 0x12;
}
static void ch_rst(struct tcp_spec *s)
{
	s->flags |= 0x04;
}
static void ch_urg(struct tcp_spec *s)
{
	s->flags |= 0x20;
}
static void ch_ece(struct tcp_spec *s)
{
	s->flags |= 0x40;
}
static void ch_cwr(struct tcp_spec *s)
{
	s->flags |= 0x80;
}
static void ch_seq(struct tcp_spec *s)
{
	s->seq += 1; /* a gap */
}
static void ch_short(struct tcp_spec *s)
{
	s->plen -= 100;
}
static void ch_port(struct tcp_spec *s)
{
	s->dport++;
}
static void ch_src(struct tcp_spec *s)
{
	s->src_last = 9;
}
static void ch_noopt(struct tcp_spec *s)
{
	s->opts = NULL;
	s->optlen = 0;
}

static void test_merge_breaks(void)
{
	static const struct {
		const char *what;
		void (*change)(struct tcp_spec *);
		int v;
		unsigned int shape[4];
		size_t n;
	} cases[] = {
	    /* segment 3 of 6 differs */
	    {"ack", ch_ack, 4, {3, 3}, 2},
	    {"window", ch_win, 4, {3, 3}, 2},
	    {"options", ch_ts, 4, {3, 3}, 2},
	    {"option length", ch_noopt, 4, {3, 3}, 2},
	    {"ip id", ch_id, 4, {3, 3}, 2},
	    {"ttl", ch_ttl, 4, {3, 3}, 2},
	    {"tos", ch_tos, 4, {3, 3}, 2},
	    {"df", ch_df, 4, {3, 3}, 2},
	    {"psh ends a run", ch_psh, 4, {4, 2}, 2},
	    {"fin", ch_fin, 4, {3, 1, 2}, 3},
	    {"syn", ch_syn, 4, {3, 1, 2}, 3},
	    {"rst", ch_rst, 4, {3, 1, 2}, 3},
	    {"urg", ch_urg, 4, {3, 1, 2}, 3},
	    {"ece", ch_ece, 4, {3, 1, 2}, 3},
	    {"cwr", ch_cwr, 4, {3, 1, 2}, 3},
	    {"sequence gap", ch_seq, 4, {3, 3}, 2},
	    {"short segment ends a run", ch_short, 4, {4, 2}, 2},
	    {"hop limit", ch_ttl, 6, {3, 3}, 2},
	    {"traffic class", ch_tos, 6, {3, 3}, 2},
	    {"ack v6", ch_ack, 6, {3, 3}, 2},
	    {"other port (another flow)", ch_port, 4, {3, 3}, 2},
	    {"other source (another flow)", ch_src, 6, {3, 3}, 2},
	};

	for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
		struct tcp_spec sp = cases[c].v == 4 ? spec4() : spec6();
		g_autofree uint8_t *pl = payload_bytes(6 * 1000, 17);
		g_autofree struct seg *segs = make_segments(sp, 6, 1000, 1000, pl);
		bool later_too = cases[c].change != ch_psh && cases[c].change != ch_fin &&
		                 cases[c].change != ch_syn && cases[c].change != ch_rst &&
		                 cases[c].change != ch_urg && cases[c].change != ch_ece &&
		                 cases[c].change != ch_cwr && cases[c].change != ch_short &&
		                 cases[c].change != ch_seq;

		g_test_message("case %s", cases[c].what);
		/* A lasting change (new ack, ttl...) applies to the rest of the stream too. */
		for (unsigned int i = 3; i < (later_too ? 6u : 4u); i++)
			rebuild(segs, cases[c].change, sp, i, 1000, pl);
		if (cases[c].change == ch_seq || cases[c].change == ch_short) {
			/* the rest continues from the changed one */
			for (unsigned int i = 4; i < 6; i++) {
				struct tcp_spec ws = sp;

				ws.plen = 1000;
				ws.payload = pl + i * 1000;
				ws.seq = sp.seq + (uint32_t)(i * 1000) +
				         (cases[c].change == ch_seq ? 1 : -100);
				ws.id = (uint16_t)(sp.id + i);
				segs[i].len = build_tcp(segs[i].buf, &ws);
			}
		}
		assert_shape(merge_shape(segs, 6), cases[c].shape, cases[c].n);
	}
}

static void test_merge_longer_segment(void)
{
	/* A segment longer than the run's first: the run ends before it. */
	struct tcp_spec sp = spec4();
	g_autofree uint8_t *pl = payload_bytes(10000, 1);
	g_autofree struct seg *segs = make_segments(sp, 2, 1000, 1000, pl);
	g_autofree struct seg *more = g_new0(struct seg, 3);
	struct tcp_spec ws = sp;
	static const unsigned int want[] = {2, 1};

	memcpy(more, segs, 2 * sizeof(*segs));
	ws.seq += 2000;
	ws.id += 2;
	ws.payload = pl + 2000;
	ws.plen = 1001;
	more[2].len = build_tcp(more[2].buf, &ws);
	assert_shape(merge_shape(more, 3), want, 2);
}

static void test_merge_limits(void)
{
	/* 65 segments: the 64-segment cap splits them; 46 x 1448: the 65535-byte cap. */
	struct tcp_spec sp = spec4();
	g_autofree uint8_t *pl = payload_bytes(100 * 1448, 1);
	g_autofree struct seg *a = make_segments(sp, 65, 500, 500, pl);
	g_autofree struct seg *b = make_segments(sp, 46, 1448, 1448, pl);
	static const unsigned int wa[] = {64, 1}, wb[] = {45, 1};

	assert_shape(merge_shape(a, 65), wa, 2);
	assert_shape(merge_shape(b, 46), wb, 2);
}

static void test_merge_bad_checksums(void)
{
	struct tcp_spec sp = spec4();
	g_autofree uint8_t *pl = payload_bytes(6000, 3);
	static const unsigned int mid[] = {2, 1, 3}, first[] = {1, 5}, iph[] = {2, 1, 3};

	/* A corrupted segment is never merged: it reaches the kernel as it came (and is
	 * dropped there); order stays. */
	{
		g_autofree struct seg *s = make_segments(sp, 6, 1000, 1000, pl);

		s[2].buf[500] ^= 0x40;
		assert_shape(merge_shape(s, 6), mid, 3);
	}
	{
		g_autofree struct seg *s = make_segments(sp, 6, 1000, 1000, pl);

		s[0].buf[s[0].len - 1] ^= 1;
		assert_shape(merge_shape(s, 6), first, 2);
	}
	{
		/* IPv4 header checksum wrong (the TCP one right). */
		g_autofree struct seg *s = make_segments(sp, 6, 1000, 1000, pl);

		s[2].buf[10] ^= 1;
		assert_shape(merge_shape(s, 6), iph, 3);
	}
	{
		/* IPv6: a wrong TCP checksum. */
		g_autofree struct seg *s = make_segments(spec6(), 6, 1000, 1000, pl);

		s[5].buf[100] ^= 2;
		static const unsigned int w6[] = {5, 1};
		assert_shape(merge_shape(s, 6), w6, 2);
	}
}

static void test_merge_flows_and_order(void)
{
	struct tcp_spec a = spec4(), b = spec4(), c6 = spec6();
	g_autofree uint8_t *pl = payload_bytes(10000, 5);
	g_autofree struct seg *sa = NULL, *sb = NULL, *sc = NULL;
	struct tun_offload_gro *g = tun_offload_gro_new();
	struct sink k = sink_new();
	uint8_t udp[200], junk[3] = {0x45, 0, 0}, ack[100];
	struct tcp_spec pa = a;
	size_t ulen, alen;

	b.dport++;
	sa = make_segments(a, 4, 1000, 1000, pl);
	sb = make_segments(b, 4, 1000, 1000, pl);
	sc = make_segments(c6, 4, 1000, 1000, pl);
	/* Interleaved: a0 b0 c0 a1 b1 c1 ... */
	for (unsigned int i = 0; i < 4; i++) {
		tun_offload_gro_add(g, sa[i].buf, sa[i].len, sink_emit, &k);
		tun_offload_gro_add(g, sb[i].buf, sb[i].len, sink_emit, &k);
		tun_offload_gro_add(g, sc[i].buf, sc[i].len, sink_emit, &k);
	}
	g_assert_cmpuint(k.out->len, ==, 0);
	/* Other traffic passes at once and leaves the runs alone: UDP, garbage. */
	ulen = build_udp(udp, 4, 1, pl, 50);
	tun_offload_gro_add(g, udp, ulen, sink_emit, &k);
	tun_offload_gro_add(g, junk, sizeof(junk), sink_emit, &k);
	g_assert_cmpuint(k.out->len, ==, 2);
	g_assert_cmpmem(sink_at(&k, 0)->pkt, sink_at(&k, 0)->len, udp, ulen);
	g_assert_cmpmem(sink_at(&k, 0)->vnet, 10, zero_vnet, 10);
	g_assert_cmpmem(sink_at(&k, 1)->pkt, sink_at(&k, 1)->len, junk, sizeof(junk));
	/* A pure ACK of flow a: a's run goes first, then the ACK; b and c stay held. */
	pa.seq += 4000;
	pa.id += 4;
	alen = build_tcp(ack, &pa);
	tun_offload_gro_add(g, ack, alen, sink_emit, &k);
	g_assert_cmpuint(k.out->len, ==, 4);
	check_resplit(sink_at(&k, 2), sa, 4);
	g_assert_cmpmem(sink_at(&k, 3)->pkt, sink_at(&k, 3)->len, ack, alen);
	tun_offload_gro_flush(g, sink_emit, &k);
	g_assert_cmpuint(k.out->len, ==, 6);
	check_resplit(sink_at(&k, 4), sb, 4);
	check_resplit(sink_at(&k, 5), sc, 4);
	tun_offload_gro_free(g);
	g_ptr_array_unref(k.out);
}

static void test_merge_unkeyed_tcp_flushes(void)
{
	/* An IPv4 TCP fragment or IPv6 behind an extension header might belong to a held run:
	 * every run leaves before it. */
	struct tcp_spec sp = spec4();
	g_autofree uint8_t *pl = payload_bytes(4000, 5);
	g_autofree struct seg *s = make_segments(sp, 2, 1000, 1000, pl);
	struct tun_offload_gro *g = tun_offload_gro_new();
	struct sink k = sink_new();
	uint8_t frag[100] = {0x45, 0, 0, 100, 0, 0, 0x20, 0, 64, 6};
	uint8_t ext[60] = {0x60, 0, 0, 0, 0, 20, 0 /* hop-by-hop */, 64};

	add_all(g, &k, s, 2);
	g_assert_cmpuint(k.out->len, ==, 0);
	tun_offload_gro_add(g, frag, sizeof(frag), sink_emit, &k);
	g_assert_cmpuint(k.out->len, ==, 2);
	check_resplit(sink_at(&k, 0), s, 2);
	g_assert_cmpmem(sink_at(&k, 1)->pkt, sink_at(&k, 1)->len, frag, sizeof(frag));
	add_all(g, &k, s, 2);
	tun_offload_gro_add(g, ext, sizeof(ext), sink_emit, &k);
	g_assert_cmpuint(k.out->len, ==, 4);
	check_resplit(sink_at(&k, 2), s, 2);
	tun_offload_gro_free(g);
	g_ptr_array_unref(k.out);
}

static void test_merge_many_flows(void)
{
	/* One flow more than the merger holds: the oldest run leaves to make room. */
	struct tun_offload_gro *g = tun_offload_gro_new();
	struct sink k = sink_new();
	g_autofree uint8_t *pl = payload_bytes(3000, 5);
	struct seg *s[TUN_OFFLOAD_GRO_FLOWS + 1];

	for (unsigned int f = 0; f <= TUN_OFFLOAD_GRO_FLOWS; f++) {
		struct tcp_spec sp = spec4();

		sp.src_last = (uint8_t)(10 + f);
		s[f] = make_segments(sp, 2, 1000, 1000, pl);
		add_all(g, &k, s[f], 2);
	}
	g_assert_cmpuint(k.out->len, ==, 1);
	check_resplit(sink_at(&k, 0), s[0], 2);
	tun_offload_gro_flush(g, sink_emit, &k);
	g_assert_cmpuint(k.out->len, ==, TUN_OFFLOAD_GRO_FLOWS + 1);
	for (unsigned int f = 0; f <= TUN_OFFLOAD_GRO_FLOWS; f++) {
		check_resplit(sink_at(&k, f), s[f], 2);
		g_free(s[f]);
	}
	tun_offload_gro_free(g);
	g_ptr_array_unref(k.out);
}

static void test_merge_single_untouched(void)
{
	/* A lone segment leaves exactly as it came, with an all-zero header; so do IPv4 packets
	 * with options, which we never merge. */
	struct tcp_spec sp = spec4();
	g_autofree uint8_t *pl = payload_bytes(1000, 5);
	g_autofree struct seg *s = make_segments(sp, 1, 1000, 1000, pl);
	static const unsigned int one[] = {1}, two[] = {1, 1};
	g_autofree struct seg *o = g_new0(struct seg, 2);

	assert_shape(merge_shape(s, 1), one, 1);
	for (int i = 0; i < 2; i++) {
		/* 45 -> 46 with a 4-byte NOP option block */
		uint8_t *b = o[i].buf;
		struct tcp_spec ws = sp;

		ws.payload = pl;
		ws.plen = 500;
		ws.seq += (uint32_t)(i * 500);
		ws.id = (uint16_t)(ws.id + i);
		o[i].len = build_tcp(b + 4, &ws) + 4;
		memmove(b, b + 4, 20);
		b[0] = 0x46;
		memset(b + 20, 1, 4);
		put16(b + 2, (uint16_t)o[i].len);
		ref_fill(b, o[i].len, 6);
	}
	g_assert_cmpint(tun_offload_verify(o[0].buf, o[0].len), ==, 1);
	assert_shape(merge_shape(o, 2), two, 2);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/tun-offload/vnet", test_vnet);
	g_test_add_func("/tun-offload/split-tcp4", test_split_tcp4);
	g_test_add_func("/tun-offload/split-tcp6", test_split_tcp6);
	g_test_add_func("/tun-offload/split-lowers-mss", test_split_lowers_mss);
	g_test_add_func("/tun-offload/split-udp", test_split_udp);
	g_test_add_func("/tun-offload/split-udp-keeps-datagrams", test_split_udp_keeps_datagrams);
	g_test_add_func("/tun-offload/split-complete-csum", test_split_complete_csum);
	g_test_add_func("/tun-offload/split-udp-zero-csum", test_split_udp_zero_csum);
	g_test_add_func("/tun-offload/split-small-cap", test_split_small_cap);
	g_test_add_func("/tun-offload/split-malformed", test_split_malformed);
	g_test_add_func("/tun-offload/verify", test_verify);
	g_test_add_func("/tun-offload/merge-basic", test_merge_basic);
	g_test_add_func("/tun-offload/merge-round-trip", test_merge_round_trip);
	g_test_add_func("/tun-offload/merge-breaks", test_merge_breaks);
	g_test_add_func("/tun-offload/merge-longer-segment", test_merge_longer_segment);
	g_test_add_func("/tun-offload/merge-limits", test_merge_limits);
	g_test_add_func("/tun-offload/merge-bad-checksums", test_merge_bad_checksums);
	g_test_add_func("/tun-offload/merge-flows-and-order", test_merge_flows_and_order);
	g_test_add_func("/tun-offload/merge-unkeyed-tcp-flushes", test_merge_unkeyed_tcp_flushes);
	g_test_add_func("/tun-offload/merge-many-flows", test_merge_many_flows);
	g_test_add_func("/tun-offload/merge-single-untouched", test_merge_single_untouched);
	return g_test_run();
}
