// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tun-offload.c: super-packets from tun (split) and packet runs from the gateway (merge).
 *
 * Input: byte 0 picks the mode (low two bits), the rest depends on it:
 *   0 split:  10-byte virtio-net header, u16 max_len (little-endian), the packet.
 *   1 merge:  packets, each as u16 length (little-endian) + bytes, offered in turn, then flush.
 *   2 merge:  the same, but the harness first fixes the IPv4 header and TCP checksums of each
 *             packet (so runs actually form; a corrupted checksum is a separate case: mode 1).
 *   3 both:   as mode 0, then the segments go through the merger.
 * Invariants (abort on violation): segments fit max_len and the buffer, a split GSO segment
 * always has right checksums, every packet offered to the merger comes out exactly once (a
 * merged packet re-splits into as many segments as went in, all with right checksums).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tun-offload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t seg_buf[TUN_OFFLOAD_MAX_PACKET];
static uint8_t pkt_buf[TUN_OFFLOAD_MAX_PACKET];
static uint8_t resplit_buf[TUN_OFFLOAD_MAX_PACKET];

struct count {
	size_t packets;
};

static void check_emit(void *ud, const uint8_t vnet[TUN_OFFLOAD_VNET_HDR_LEN], const uint8_t *pkt,
                       size_t len)
{
	static const uint8_t zero[TUN_OFFLOAD_VNET_HDR_LEN];
	struct count *c = ud;
	struct tun_offload_vnet h;
	struct tun_offload_split s;
	int n;

	if (memcmp(vnet, zero, sizeof(zero)) == 0) {
		c->packets++;
		return;
	}
	/* A merged packet: well-formed, checksummed when completed, and re-splittable. */
	if (tun_offload_vnet_parse(vnet, TUN_OFFLOAD_VNET_HDR_LEN, &h) != 0 ||
	    h.flags != TUN_OFFLOAD_F_NEEDS_CSUM || len > 65535)
		abort();
	if (tun_offload_split_init(&s, &h, pkt, len, sizeof(resplit_buf)) != 0)
		abort();
	if (tun_offload_split_count(&s) < 2 ||
	    tun_offload_split_count(&s) > TUN_OFFLOAD_GRO_MAX_SEGS)
		abort();
	c->packets += tun_offload_split_count(&s);
	while ((n = tun_offload_split_next(&s, resplit_buf, sizeof(resplit_buf))) > 0)
		if (tun_offload_verify(resplit_buf, (size_t)n) != 1)
			abort();
	if (n != 0)
		abort();
}

/* Independent of the code under test: the IPv4 header and TCP checksums, textbook style. */
static uint32_t sum16(const uint8_t *p, size_t len, uint32_t acc)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		acc += (uint32_t)p[len - 1] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

static void fix_checksums(uint8_t *p, size_t len)
{
	size_t l3;
	uint32_t acc;
	uint16_t c;

	if (len < 40)
		return;
	if (p[0] >> 4 == 4) {
		l3 = (size_t)(p[0] & 15) * 4;
		if (l3 < 20 || l3 + 20 > len || p[9] != 6)
			return;
		p[10] = p[11] = 0;
		c = (uint16_t)~fold(sum16(p, l3, 0));
		p[10] = (uint8_t)(c >> 8);
		p[11] = (uint8_t)c;
		acc = sum16(p + 12, 8, 0);
	} else if (p[0] >> 4 == 6) {
		l3 = 40;
		if (len < 60 || p[6] != 6)
			return;
		acc = sum16(p + 8, 32, 0);
	} else {
		return;
	}
	acc += 6 + (uint32_t)(len - l3);
	p[l3 + 16] = p[l3 + 17] = 0;
	c = (uint16_t)~fold(sum16(p + l3, len - l3, acc));
	p[l3 + 16] = (uint8_t)(c >> 8);
	p[l3 + 17] = (uint8_t)c;
}

static void fuzz_merge(const uint8_t *data, size_t size, bool fix)
{
	struct tun_offload_gro *g = tun_offload_gro_new();
	struct count c = {0};
	size_t off = 0, offered = 0;
	uint64_t in, out;

	if (!g)
		return;
	while (off + 2 <= size) {
		size_t len = (size_t)(data[off] | data[off + 1] << 8);

		off += 2;
		if (len > size - off)
			len = size - off;
		memcpy(pkt_buf, data + off, len);
		if (fix)
			fix_checksums(pkt_buf, len);
		tun_offload_gro_add(g, pkt_buf, len, check_emit, &c);
		/* The merger copied what it holds: scribbling over our buffer changes nothing. */
		memset(pkt_buf, 0xa5, len);
		offered++;
		off += len;
	}
	tun_offload_gro_flush(g, check_emit, &c);
	tun_offload_gro_counts(g, &in, &out);
	if (c.packets != offered || in != offered || out > in)
		abort();
	tun_offload_gro_free(g);
}

static void fuzz_split(const uint8_t *data, size_t size, bool then_merge)
{
	struct tun_offload_vnet h;
	struct tun_offload_split s;
	struct tun_offload_gro *g = NULL;
	struct count c = {0};
	size_t max_len, produced = 0;
	int n;

	if (size < TUN_OFFLOAD_VNET_HDR_LEN + 2 || tun_offload_vnet_parse(data, size, &h) != 0)
		return;
	max_len = (size_t)(data[10] | data[11] << 8);
	data += 12;
	size -= 12;
	if (tun_offload_split_init(&s, &h, data, size, max_len) != 0)
		return;
	if (tun_offload_split_count(&s) < 1 ||
	    tun_offload_split_count(&s) > TUN_OFFLOAD_MAX_SEGMENTS)
		abort();
	if (then_merge)
		g = tun_offload_gro_new();
	while ((n = tun_offload_split_next(&s, seg_buf, sizeof(seg_buf))) > 0) {
		if ((size_t)n > max_len || (size_t)n > sizeof(seg_buf))
			abort();
		/* Our own segments are always right (a lone packet only when we completed it). */
		if ((h.gso_type & 0x7f) != TUN_OFFLOAD_GSO_NONE &&
		    tun_offload_verify(seg_buf, (size_t)n) != 1)
			abort();
		if (g)
			tun_offload_gro_add(g, seg_buf, (size_t)n, check_emit, &c);
		produced++;
	}
	if (n != 0 || produced != tun_offload_split_count(&s))
		abort();
	if (g) {
		tun_offload_gro_flush(g, check_emit, &c);
		if (c.packets != produced)
			abort();
		tun_offload_gro_free(g);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] & 3) {
	case 0:
		fuzz_split(data + 1, size - 1, false);
		break;
	case 1:
		fuzz_merge(data + 1, size - 1, false);
		break;
	case 2:
		fuzz_merge(data + 1, size - 1, true);
		break;
	case 3:
		fuzz_split(data + 1, size - 1, true);
		break;
	}
	return 0;
}
