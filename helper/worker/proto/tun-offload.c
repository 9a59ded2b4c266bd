// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tun offload in user space: see tun-offload.h.
 *
 * Checksums are summed in the byte order words have in memory (RFC 1071 section 2(B): the
 * one's complement sum does not care), eight bytes at a time, and stored back the same way;
 * the pseudo-header's protocol and length are converted with htons() into that domain.  Every
 * region summed starts at an even offset of the checksummed data (IP and TCP/UDP headers have
 * even lengths), so regions can be summed separately and added.
 */
#include "tun-offload.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

/* A merged packet never exceeds what an IPv4 total length (or IPv6 payload length) can say. */
#define GRO_MAX_LEN 65535

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t rdle16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void wrle16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* One's complement sum with end-around carry, in memory word order. */
static uint64_t csum_add(uint64_t acc, uint64_t v)
{
	acc += v;
	return acc + (acc < v);
}

static uint64_t csum_partial(const uint8_t *p, size_t len, uint64_t acc)
{
	uint64_t v8;
	uint32_t v4;
	uint16_t v2;

	while (len >= 32) {
		uint64_t a, b, c, d;

		memcpy(&a, p, 8);
		memcpy(&b, p + 8, 8);
		memcpy(&c, p + 16, 8);
		memcpy(&d, p + 24, 8);
		acc = csum_add(acc, a);
		acc = csum_add(acc, b);
		acc = csum_add(acc, c);
		acc = csum_add(acc, d);
		p += 32;
		len -= 32;
	}
	while (len >= 8) {
		memcpy(&v8, p, 8);
		acc = csum_add(acc, v8);
		p += 8;
		len -= 8;
	}
	if (len >= 4) {
		memcpy(&v4, p, 4);
		acc = csum_add(acc, v4);
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&v2, p, 2);
		acc = csum_add(acc, v2);
		p += 2;
		len -= 2;
	}
	if (len) {
		/* The odd last byte is the high byte of a word padded with zero. */
		uint8_t b[2] = {p[0], 0};

		memcpy(&v2, b, 2);
		acc = csum_add(acc, v2);
	}
	return acc;
}

/* Folds to 16 bits (memory word order, not inverted). */
static uint16_t csum_fold(uint64_t acc)
{
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffu) + (acc >> 16);
	acc = (acc & 0xffffu) + (acc >> 16);
	acc = (acc & 0xffffu) + (acc >> 16);
	return (uint16_t)acc;
}

static void csum_store(uint8_t *field, uint16_t memory_order_value)
{
	memcpy(field, &memory_order_value, 2);
}

/* Sum of the pseudo-header of a packet whose IP header starts at ip (version 4 or 6). */
static uint64_t csum_pseudo(const uint8_t *ip, uint8_t version, uint8_t proto, size_t l4len)
{
	uint64_t acc = 0;

	if (version == 4)
		acc = csum_partial(ip + 12, 8, acc);
	else
		acc = csum_partial(ip + 8, 32, acc);
	acc = csum_add(acc, htons(proto));
	acc = csum_add(acc, htons((uint16_t)(l4len >> 16)));
	acc = csum_add(acc, htons((uint16_t)l4len));
	return acc;
}

static void ipv4_set_csum(uint8_t *ip, size_t l3len)
{
	ip[10] = ip[11] = 0;
	csum_store(ip + 10, (uint16_t)~csum_fold(csum_partial(ip, l3len, 0)));
}

int tun_offload_vnet_parse(const uint8_t *buf, size_t len, struct tun_offload_vnet *h)
{
	if (!buf || len < TUN_OFFLOAD_VNET_HDR_LEN)
		return -ERR_PROTOCOL;
	h->flags = buf[0];
	h->gso_type = buf[1];
	h->hdr_len = rdle16(buf + 2);
	h->gso_size = rdle16(buf + 4);
	h->csum_start = rdle16(buf + 6);
	h->csum_offset = rdle16(buf + 8);
	return 0;
}

void tun_offload_vnet_write(uint8_t buf[TUN_OFFLOAD_VNET_HDR_LEN], const struct tun_offload_vnet *h)
{
	buf[0] = h->flags;
	buf[1] = h->gso_type;
	wrle16(buf + 2, h->hdr_len);
	wrle16(buf + 4, h->gso_size);
	wrle16(buf + 6, h->csum_start);
	wrle16(buf + 8, h->csum_offset);
}

/* The IP layer of a complete packet: version, header length (IPv4: with options; IPv6: the
 * fixed 40), protocol (IPv6: the first next header).  Lengths must match the buffer. */
static int ip_parse(const uint8_t *p, size_t len, uint8_t *version, size_t *l3len, uint8_t *proto)
{
	if (len < 20)
		return -ERR_PROTOCOL;
	*version = p[0] >> 4;
	if (*version == 4) {
		*l3len = (size_t)(p[0] & 15) * 4;
		if (*l3len < 20 || *l3len > len || rd16(p + 2) != len)
			return -ERR_PROTOCOL;
		*proto = p[9];
		return 0;
	}
	if (*version == 6) {
		if (len < 40 || (size_t)rd16(p + 4) + 40 != len)
			return -ERR_PROTOCOL;
		*l3len = 40;
		*proto = p[6];
		return 0;
	}
	return -ERR_PROTOCOL;
}

/* ---- split ---------------------------------------------------------------------------- */

int tun_offload_split_init(struct tun_offload_split *s, const struct tun_offload_vnet *h,
                           const uint8_t *pkt, size_t len, size_t max_len)
{
	uint8_t gso, version, proto, want;
	size_t l3len, l4hdr, payload, mss;
	bool lowered = false;
	int r;

	memset(s, 0, sizeof(*s));
	if (!h || !pkt)
		return -ERR_INVALID_ARGS;
	r = ip_parse(pkt, len, &version, &l3len, &proto);
	if (r < 0)
		return r;
	s->pkt = pkt;
	s->len = len;
	s->l3len = l3len;
	s->version = version;
	s->proto = proto;
	gso = h->gso_type & (uint8_t)~TUN_OFFLOAD_GSO_ECN;

	if (gso == TUN_OFFLOAD_GSO_NONE) {
		if (h->gso_type & TUN_OFFLOAD_GSO_ECN)
			return -ERR_PROTOCOL;
		if (len > max_len)
			return -ERR_TOO_LARGE;
		if (h->flags & TUN_OFFLOAD_F_NEEDS_CSUM) {
			if (h->csum_start < l3len ||
			    (size_t)h->csum_start + h->csum_offset + 2 > len)
				return -ERR_PROTOCOL;
			s->complete_csum = true;
			s->csum_start = h->csum_start;
			s->csum_offset = h->csum_offset;
		}
		s->count = 1;
		return 0;
	}

	switch (gso) {
	case TUN_OFFLOAD_GSO_TCPV4:
	case TUN_OFFLOAD_GSO_TCPV6:
		want = IPPROTO_TCP_;
		break;
	case TUN_OFFLOAD_GSO_UDP_L4:
		want = IPPROTO_UDP_;
		break;
	default:
		return -ERR_UNSUPPORTED;
	}
	if ((gso == TUN_OFFLOAD_GSO_TCPV4 && version != 4) ||
	    (gso == TUN_OFFLOAD_GSO_TCPV6 && version != 6))
		return -ERR_PROTOCOL;
	if (proto != want)
		/* IPv6 extension headers we do not walk, or a type that does not match. */
		return version == 6 ? -ERR_UNSUPPORTED : -ERR_PROTOCOL;
	if ((h->gso_type & TUN_OFFLOAD_GSO_ECN) && want != IPPROTO_TCP_)
		return -ERR_PROTOCOL;
	/* A fragment cannot be segmented (neither MF nor an offset). */
	if (version == 4 && (rd16(pkt + 6) & 0x3fff))
		return -ERR_PROTOCOL;
	if (want == IPPROTO_TCP_) {
		if (len < l3len + 20)
			return -ERR_PROTOCOL;
		l4hdr = (size_t)(pkt[l3len + 12] >> 4) * 4;
		if (l4hdr < 20 || l3len + l4hdr > len)
			return -ERR_PROTOCOL;
	} else {
		l4hdr = 8;
		if (len < l3len + l4hdr || rd16(pkt + l3len + 4) != len - l3len)
			return -ERR_PROTOCOL;
	}
	if ((h->flags & TUN_OFFLOAD_F_NEEDS_CSUM) &&
	    (h->csum_start != l3len || h->csum_offset != (want == IPPROTO_TCP_ ? 16 : 6)))
		return -ERR_PROTOCOL;
	s->hdrlen = l3len + l4hdr;
	payload = len - s->hdrlen;
	if (payload == 0 || h->gso_size == 0)
		return -ERR_PROTOCOL;
	mss = h->gso_size;
	if (s->hdrlen + mss > max_len) {
		/* TCP takes smaller segments; UDP datagrams are the sender's to size. */
		if (want != IPPROTO_TCP_ || s->hdrlen >= max_len)
			return -ERR_TOO_LARGE;
		mss = max_len - s->hdrlen;
		lowered = true;
	}
	if ((payload + mss - 1) / mss > TUN_OFFLOAD_MAX_SEGMENTS)
		return lowered ? -ERR_TOO_LARGE : -ERR_PROTOCOL;
	s->mss = mss;
	s->count = (unsigned int)((payload + mss - 1) / mss);
	s->off = s->hdrlen;
	s->gso = true;
	if (version == 4)
		s->ip_id = rd16(pkt + 4);
	if (want == IPPROTO_TCP_)
		s->seq = rd32(pkt + l3len + 4);
	return 0;
}

unsigned int tun_offload_split_count(const struct tun_offload_split *s)
{
	return s->count;
}

int tun_offload_split_next(struct tun_offload_split *s, uint8_t *out, size_t cap)
{
	size_t seg, n, l4len;
	uint8_t *l4;
	uint16_t c;

	if (s->index >= s->count)
		return 0;
	if (!s->gso) {
		if (cap < s->len)
			return -ERR_TOO_LARGE;
		memcpy(out, s->pkt, s->len);
		if (s->complete_csum) {
			/* The field holds the pseudo-header sum; the rest is ours to add. */
			uint8_t *field = out + s->csum_start + s->csum_offset;

			c = (uint16_t)~csum_fold(
			    csum_partial(out + s->csum_start, s->len - s->csum_start, 0));
			/* 0 would mean "no checksum" to UDP: send the other zero. */
			csum_store(field, c ? c : 0xffff);
		}
		s->index++;
		return (int)s->len;
	}

	seg = s->len - s->off;
	if (seg > s->mss)
		seg = s->mss;
	n = s->hdrlen + seg;
	if (cap < n)
		return -ERR_TOO_LARGE;
	memcpy(out, s->pkt, s->hdrlen);
	memcpy(out + s->hdrlen, s->pkt + s->off, seg);
	l4 = out + s->l3len;
	l4len = n - s->l3len;
	if (s->version == 4) {
		wr16(out + 2, (uint16_t)n);
		wr16(out + 4, (uint16_t)(s->ip_id + s->index));
		ipv4_set_csum(out, s->l3len);
	} else {
		wr16(out + 4, (uint16_t)l4len);
	}
	if (s->proto == IPPROTO_TCP_) {
		wr32(l4 + 4, s->seq + (uint32_t)(s->off - s->hdrlen));
		if (s->index > 0)
			l4[13] &= (uint8_t)~TCP_CWR;
		if (s->index + 1 < s->count)
			l4[13] &= (uint8_t) ~(TCP_FIN | TCP_PSH);
		l4[16] = l4[17] = 0;
		c = (uint16_t)~csum_fold(
		    csum_partial(l4, l4len, csum_pseudo(out, s->version, IPPROTO_TCP_, l4len)));
		csum_store(l4 + 16, c);
	} else {
		wr16(l4 + 4, (uint16_t)l4len);
		l4[6] = l4[7] = 0;
		c = (uint16_t)~csum_fold(
		    csum_partial(l4, l4len, csum_pseudo(out, s->version, IPPROTO_UDP_, l4len)));
		csum_store(l4 + 6, c ? c : 0xffff);
	}
	s->off += seg;
	s->index++;
	return (int)n;
}

/* ---- verify --------------------------------------------------------------------------- */

int tun_offload_verify(const uint8_t *pkt, size_t len)
{
	uint8_t version, proto;
	size_t l3len, l4len;
	const uint8_t *l4;
	int r;

	if (!pkt)
		return -ERR_PROTOCOL;
	r = ip_parse(pkt, len, &version, &l3len, &proto);
	if (r < 0)
		return r;
	if (proto != IPPROTO_TCP_ && proto != IPPROTO_UDP_)
		return -ERR_PROTOCOL;
	l4 = pkt + l3len;
	l4len = len - l3len;
	if (proto == IPPROTO_TCP_ &&
	    (l4len < 20 || (size_t)(l4[12] >> 4) * 4 < 20 || (size_t)(l4[12] >> 4) * 4 > l4len))
		return -ERR_PROTOCOL;
	if (proto == IPPROTO_UDP_ && (l4len < 8 || rd16(l4 + 4) != l4len))
		return -ERR_PROTOCOL;
	if (version == 4 && csum_fold(csum_partial(pkt, l3len, 0)) != 0xffff)
		return 0;
	if (proto == IPPROTO_UDP_ && version == 4 && rd16(l4 + 6) == 0)
		return 1;
	return csum_fold(csum_partial(l4, l4len, csum_pseudo(pkt, version, proto, l4len))) ==
	       0xffff;
}

/* ---- merge ---------------------------------------------------------------------------- */

struct gro_pkt {
	uint8_t version;
	size_t l3len, hdrlen, plen;
	uint32_t seq;
	uint8_t flags;
	bool keyed;     /* TCP with addresses and ports where we expect them */
	bool mergeable; /* and of a shape a run can take */
};

struct gro_flow {
	bool used, closed, verified, psh;
	uint64_t age;
	uint8_t *buf;
	size_t len, l3len, hdrlen;
	uint8_t version;
	uint32_t next_seq;
	uint16_t next_id, gso_size;
	unsigned int segs;
};

struct tun_offload_gro {
	struct gro_flow flow[TUN_OFFLOAD_GRO_FLOWS];
	uint64_t age, in, out;
};

static void gro_classify(const uint8_t *p, size_t len, struct gro_pkt *k)
{
	uint8_t proto;
	size_t thl;

	memset(k, 0, sizeof(*k));
	if (ip_parse(p, len, &k->version, &k->l3len, &proto) < 0 || proto != IPPROTO_TCP_)
		return;
	if (k->version == 4 && (rd16(p + 6) & 0x3fff))
		return; /* a fragment: no ports here */
	if (len < k->l3len + 20)
		return;
	thl = (size_t)(p[k->l3len + 12] >> 4) * 4;
	if (thl < 20 || k->l3len + thl > len)
		return;
	k->keyed = true;
	k->hdrlen = k->l3len + thl;
	k->plen = len - k->hdrlen;
	k->seq = rd32(p + k->l3len + 4);
	k->flags = p[k->l3len + 13];
	k->mergeable = k->plen > 0 && len <= GRO_MAX_LEN &&
	               k->l3len == (k->version == 4 ? 20 : 40) &&
	               (k->flags & (uint8_t)~TCP_PSH) == TCP_ACK;
}

/* Might this packet be TCP that gro_classify() could not key (so that a held run of its flow
 * must leave before it)?  IPv4 fragments of TCP, IPv6 behind extension headers. */
static bool gro_maybe_tcp(const uint8_t *p, size_t len)
{
	if (len < 20)
		return false;
	if (p[0] >> 4 == 4)
		return p[9] == IPPROTO_TCP_;
	if (p[0] >> 4 == 6 && len >= 40) {
		switch (p[6]) {
		case 0:   /* hop-by-hop */
		case 43:  /* routing */
		case 44:  /* fragment */
		case 50:  /* ESP */
		case 51:  /* AH */
		case 60:  /* destination options */
		case 135: /* mobility */
		case 139: /* HIP */
		case 140: /* shim6 */
			return true;
		}
	}
	return false;
}

static bool gro_same_flow(const struct gro_flow *f, const uint8_t *p, const struct gro_pkt *k)
{
	const uint8_t *b = f->buf;

	if (f->version != k->version)
		return false;
	if (k->version == 4) {
		if (memcmp(b + 12, p + 12, 8) != 0)
			return false;
	} else if (memcmp(b + 8, p + 8, 32) != 0) {
		return false;
	}
	return memcmp(b + f->l3len, p + k->l3len, 4) == 0;
}

struct tun_offload_gro *tun_offload_gro_new(void)
{
	return calloc(1, sizeof(struct tun_offload_gro));
}

void tun_offload_gro_free(struct tun_offload_gro *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < TUN_OFFLOAD_GRO_FLOWS; i++)
		free(g->flow[i].buf);
	free(g);
}

static void gro_emit_plain(struct tun_offload_gro *g, const uint8_t *p, size_t len,
                           tun_offload_emit_fn emit, void *ud)
{
	static const uint8_t none[TUN_OFFLOAD_VNET_HDR_LEN];

	g->out++;
	emit(ud, none, p, len);
}

static void gro_emit_flow(struct tun_offload_gro *g, struct gro_flow *f, tun_offload_emit_fn emit,
                          void *ud)
{
	uint8_t vnet[TUN_OFFLOAD_VNET_HDR_LEN];
	struct tun_offload_vnet h = {0};
	uint8_t *b = f->buf, *th = f->buf + f->l3len;

	f->used = false;
	if (f->segs < 2) {
		gro_emit_plain(g, b, f->len, emit, ud);
		return;
	}
	if (f->version == 4) {
		wr16(b + 2, (uint16_t)f->len);
		ipv4_set_csum(b, f->l3len);
	} else {
		wr16(b + 4, (uint16_t)(f->len - 40));
	}
	if (f->psh)
		th[13] |= TCP_PSH;
	/* CHECKSUM_PARTIAL: the pseudo-header sum, which the kernel completes or trusts. */
	csum_store(th + 16, csum_fold(csum_pseudo(b, f->version, IPPROTO_TCP_, f->len - f->l3len)));
	h.flags = TUN_OFFLOAD_F_NEEDS_CSUM;
	h.gso_type = f->version == 4 ? TUN_OFFLOAD_GSO_TCPV4 : TUN_OFFLOAD_GSO_TCPV6;
	h.hdr_len = (uint16_t)f->hdrlen;
	h.gso_size = f->gso_size;
	h.csum_start = (uint16_t)f->l3len;
	h.csum_offset = 16;
	tun_offload_vnet_write(vnet, &h);
	g->out++;
	emit(ud, vnet, b, f->len);
}

/* Can the run f take packet p (already known to be of its flow and mergeable)? */
static bool gro_can_append(const struct gro_flow *f, const uint8_t *p, const struct gro_pkt *k)
{
	const uint8_t *b = f->buf, *bt = f->buf + f->l3len, *pt = p + k->l3len;

	if (f->closed || f->segs >= TUN_OFFLOAD_GRO_MAX_SEGS || k->plen > f->gso_size ||
	    f->len + k->plen > GRO_MAX_LEN || k->seq != f->next_seq || k->hdrlen != f->hdrlen)
		return false;
	if (k->version == 4) {
		/* TOS, flags/fragment (DF only, both), TTL, and the next id. */
		if (b[1] != p[1] || rd16(b + 6) != rd16(p + 6) || b[8] != p[8] ||
		    rd16(p + 4) != f->next_id)
			return false;
	} else if (memcmp(b, p, 4) != 0 || b[7] != p[7]) {
		/* traffic class, flow label, hop limit */
		return false;
	}
	/* ack number, flags without PSH, window; then the options byte for byte. */
	return memcmp(bt + 8, pt + 8, 4) == 0 && (uint8_t)(pt[13] & ~TCP_PSH) == bt[13] &&
	       memcmp(bt + 14, pt + 14, 2) == 0 &&
	       memcmp(bt + 20, pt + 20, f->hdrlen - f->l3len - 20) == 0;
}

static struct gro_flow *gro_start(struct tun_offload_gro *g, const uint8_t *p, size_t len,
                                  const struct gro_pkt *k, tun_offload_emit_fn emit, void *ud)
{
	struct gro_flow *f = NULL;

	for (size_t i = 0; i < TUN_OFFLOAD_GRO_FLOWS && !f; i++)
		if (!g->flow[i].used)
			f = &g->flow[i];
	if (!f) {
		f = &g->flow[0];
		for (size_t i = 1; i < TUN_OFFLOAD_GRO_FLOWS; i++)
			if (g->flow[i].age < f->age)
				f = &g->flow[i];
		gro_emit_flow(g, f, emit, ud);
	}
	if (!f->buf) {
		f->buf = malloc(GRO_MAX_LEN);
		if (!f->buf)
			return NULL;
	}
	memcpy(f->buf, p, len);
	f->used = true;
	f->closed = false;
	f->verified = false;
	f->psh = false;
	f->age = g->age++;
	f->len = len;
	f->l3len = k->l3len;
	f->hdrlen = k->hdrlen;
	f->version = k->version;
	f->next_seq = k->seq + (uint32_t)k->plen;
	f->next_id = k->version == 4 ? (uint16_t)(rd16(p + 4) + 1) : 0;
	f->gso_size = (uint16_t)k->plen;
	f->segs = 1;
	return f;
}

void tun_offload_gro_add(struct tun_offload_gro *g, const uint8_t *pkt, size_t len,
                         tun_offload_emit_fn emit, void *user_data)
{
	struct gro_flow *f = NULL;
	struct gro_pkt k;

	if (!pkt)
		return;
	g->in++;
	gro_classify(pkt, len, &k);
	if (!k.keyed) {
		/* Not a flow we can name: if it could belong to a held run, the runs go first. */
		if (gro_maybe_tcp(pkt, len))
			tun_offload_gro_flush(g, emit, user_data);
		gro_emit_plain(g, pkt, len, emit, user_data);
		return;
	}
	for (size_t i = 0; i < TUN_OFFLOAD_GRO_FLOWS && !f; i++)
		if (g->flow[i].used && gro_same_flow(&g->flow[i], pkt, &k))
			f = &g->flow[i];
	if (f && k.mergeable && gro_can_append(f, pkt, &k)) {
		/* Both ends verified before they are merged (the result is trusted). */
		if (!f->verified && tun_offload_verify(f->buf, f->len) != 1) {
			gro_emit_flow(g, f, emit, user_data);
			f = NULL;
		} else if (tun_offload_verify(pkt, len) != 1) {
			gro_emit_flow(g, f, emit, user_data);
			gro_emit_plain(g, pkt, len, emit, user_data);
			return;
		} else {
			f->verified = true;
			memcpy(f->buf + f->len, pkt + k.hdrlen, k.plen);
			f->len += k.plen;
			f->next_seq += (uint32_t)k.plen;
			f->next_id++;
			f->segs++;
			if (k.flags & TCP_PSH)
				f->psh = f->closed = true;
			if (k.plen < f->gso_size)
				f->closed = true;
			return;
		}
	}
	/* The flow's held run leaves before anything newer of that flow. */
	if (f)
		gro_emit_flow(g, f, emit, user_data);
	if (!k.mergeable || (k.flags & TCP_PSH)) {
		gro_emit_plain(g, pkt, len, emit, user_data);
		return;
	}
	if (!gro_start(g, pkt, len, &k, emit, user_data))
		gro_emit_plain(g, pkt, len, emit, user_data);
}

void tun_offload_gro_flush(struct tun_offload_gro *g, tun_offload_emit_fn emit, void *user_data)
{
	for (;;) {
		struct gro_flow *f = NULL;

		for (size_t i = 0; i < TUN_OFFLOAD_GRO_FLOWS; i++)
			if (g->flow[i].used && (!f || g->flow[i].age < f->age))
				f = &g->flow[i];
		if (!f)
			return;
		gro_emit_flow(g, f, emit, user_data);
	}
}

void tun_offload_gro_counts(const struct tun_offload_gro *g, uint64_t *in, uint64_t *out)
{
	*in = g->in;
	*out = g->out;
}
