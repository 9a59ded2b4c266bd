/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * tun offload in user space (docs/architecture.md "Data path"): the virtio-net header a tun
 * device with IFF_VNET_HDR puts in front of every packet, splitting the TCP (and UDP)
 * super-packets the kernel hands us once TUNSETOFFLOAD enabled TSO/USO, completing
 * CHECKSUM_PARTIAL packets, and merging in-order TCP segments of one flow into one super-packet
 * for a single tun write.
 *
 * Pure functions on caller memory (no system calls, no logging), strictly bounds-checked:
 * the split side takes what the local kernel wrote, the merge side what the gateway sent, and
 * neither trusts a length field it has not checked against the buffer.
 *
 * Byte order: the virtio-net header is little-endian (the worker sets TUNSETVNETLE where the
 * host is big-endian); IP/TCP/UDP fields are network order as always.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* struct virtio_net_hdr: flags, gso_type, hdr_len, gso_size, csum_start, csum_offset. */
#define TUN_OFFLOAD_VNET_HDR_LEN 10
/* The largest IP packet a tun read may return: an IPv6 header plus a 65535-byte payload (an
 * IPv4 super-packet stays within its 65535-byte total length). */
#define TUN_OFFLOAD_MAX_PACKET (40 + 65535)
/* A super-packet split into more segments than this is refused (the kernel's TCP never goes
 * below a 48-byte MSS: 64 KiB / 48 < 1400). */
#define TUN_OFFLOAD_MAX_SEGMENTS 1400
/* Flows the merger holds at once, and segments per merged packet. */
#define TUN_OFFLOAD_GRO_FLOWS    8
#define TUN_OFFLOAD_GRO_MAX_SEGS 64

/* virtio-net header values (linux/virtio_net.h). */
#define TUN_OFFLOAD_F_NEEDS_CSUM 0x01 /* csum_start/csum_offset name a partial checksum */
#define TUN_OFFLOAD_F_DATA_VALID 0x02 /* the checksum was already verified */
enum tun_offload_gso_type {
	TUN_OFFLOAD_GSO_NONE = 0,
	TUN_OFFLOAD_GSO_TCPV4 = 1,
	TUN_OFFLOAD_GSO_UDP = 3, /* UFO (IP fragmentation): never enabled, always refused */
	TUN_OFFLOAD_GSO_TCPV6 = 4,
	TUN_OFFLOAD_GSO_UDP_L4 = 5, /* USO (TUN_F_USO4/6, Linux 6.2+) */
};
#define TUN_OFFLOAD_GSO_ECN 0x80 /* or'ed into gso_type: the first segment carries CWR */

struct tun_offload_vnet {
	uint8_t flags;    /* TUN_OFFLOAD_F_* */
	uint8_t gso_type; /* enum tun_offload_gso_type, maybe | TUN_OFFLOAD_GSO_ECN */
	uint16_t hdr_len; /* a hint only (the kernel may put the whole linear part here) */
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
};

/* Reads the first TUN_OFFLOAD_VNET_HDR_LEN bytes of buf (a longer configured header only adds
 * bytes we ignore).  0, or -ERR_PROTOCOL if len is shorter. */
int tun_offload_vnet_parse(const uint8_t *buf, size_t len, struct tun_offload_vnet *h);
/* Writes the 10-byte header. */
void tun_offload_vnet_write(uint8_t buf[TUN_OFFLOAD_VNET_HDR_LEN],
                            const struct tun_offload_vnet *h);

/*
 * Splitting one packet read from tun into the packets that go to the gateway.
 *
 *   struct tun_offload_split s;
 *   if (tun_offload_split_init(&s, &vnet, pkt, len, room) == 0)
 *           while ((n = tun_offload_split_next(&s, out, room)) > 0)
 *                   send out[0..n)
 *
 * GSO TCP (TCPV4/TCPV6): segments of at most max_len bytes: the MSS is gso_size, lowered when
 * the headers plus gso_size do not fit max_len (smaller segments are always fine for TCP).  Each
 * segment gets the headers of the super-packet with the IPv4 total length, id (+1 per segment)
 * and header checksum, or the IPv6 payload length, the TCP sequence number advanced, CWR only
 * on the first segment, FIN and PSH only on the last, and a complete TCP checksum.
 * GSO UDP_L4: datagram boundaries are the sender's, so gso_size is kept (a datagram that does
 * not fit max_len is -ERR_TOO_LARGE); each gets its IP fields, UDP length and checksum.
 * No GSO: the packet itself (at most max_len bytes), its partial checksum completed when
 * TUN_OFFLOAD_F_NEEDS_CSUM is set.
 *
 * init returns 0, -ERR_PROTOCOL (malformed: lengths that disagree with the buffer, a GSO type
 * that does not match the packet, a checksum position outside it, an IPv4 fragment, a GSO
 * packet without payload or beyond TUN_OFFLOAD_MAX_SEGMENTS segments), -ERR_UNSUPPORTED (UFO,
 * unknown GSO types, IPv6 extension headers in a GSO packet) or -ERR_TOO_LARGE (see above).
 * pkt must stay valid and unchanged until the last next(); it is never written.
 */
struct tun_offload_split {
	/* private */
	const uint8_t *pkt;
	size_t len, l3len, hdrlen, mss, off;
	unsigned int index, count;
	uint32_t seq;
	uint16_t ip_id, csum_start, csum_offset;
	uint8_t version, proto;
	bool gso, complete_csum;
};

int tun_offload_split_init(struct tun_offload_split *s, const struct tun_offload_vnet *h,
                           const uint8_t *pkt, size_t len, size_t max_len);
/* How many packets next() will produce (>= 1). */
unsigned int tun_offload_split_count(const struct tun_offload_split *s);
/* Writes the next packet into out: its length, 0 when there are no more, -ERR_TOO_LARGE when
 * cap is smaller than the packet (nothing is consumed then). */
int tun_offload_split_next(struct tun_offload_split *s, uint8_t *out, size_t cap);

/*
 * Merging packets from the gateway into super-packets for the tun write (GRO in user space).
 *
 * Offer every IP packet of a batch with add(); call flush() at the end of the batch.  Packets
 * leave through emit, each with the virtio-net header to write in front of it: merged TCP
 * packets as GSO TCPV4/TCPV6 with NEEDS_CSUM (the TCP checksum field holds the pseudo-header
 * sum, as the kernel expects), everything else unchanged with an all-zero header.
 *
 * A packet merges with the held run of its flow when it is plain TCP (IPv4 without options
 * and not fragmented, or IPv6 with TCP as the next header), carries payload, has only ACK
 * (and PSH) set, continues the run's sequence numbers exactly, repeats its ack number, window,
 * TCP options, TOS/TTL/DF (IPv4; and the next IP id) or traffic class/flow label/hop limit
 * (IPv6), is no longer than the run's first segment, and every segment before it had exactly
 * that length.  PSH ends a run.  Checksums (IPv4 header, TCP) are verified before a packet
 * joins a run: the merged packet's checksum is trusted by the kernel, so a corrupted segment
 * must never be blessed (it goes to the kernel unmerged, which drops it).
 * A flow's packets leave in their order; packets of different flows may be reordered.
 */
struct tun_offload_gro;

typedef void (*tun_offload_emit_fn)(void *user_data, const uint8_t vnet[TUN_OFFLOAD_VNET_HDR_LEN],
                                    const uint8_t *pkt, size_t len);

struct tun_offload_gro *tun_offload_gro_new(void);
void tun_offload_gro_free(struct tun_offload_gro *g);
/* Takes one packet (copied when held).  Anything, even garbage, is accepted: what cannot be
 * merged is emitted as it came. */
void tun_offload_gro_add(struct tun_offload_gro *g, const uint8_t *pkt, size_t len,
                         tun_offload_emit_fn emit, void *user_data);
/* Emits every held run. */
void tun_offload_gro_flush(struct tun_offload_gro *g, tun_offload_emit_fn emit, void *user_data);
/* Packets taken and packets emitted since the start. */
void tun_offload_gro_counts(const struct tun_offload_gro *g, uint64_t *in, uint64_t *out);

/*
 * Checks the checksums of one complete packet (RFC 1071): the IPv4 header checksum and the
 * TCP/UDP checksum over the pseudo-header (UDP checksum 0 over IPv4 means "none" and counts as
 * right).  1 when right, 0 when one is wrong, -ERR_PROTOCOL for anything that is not a
 * well-formed IPv4/IPv6 (no extension headers) TCP/UDP packet.
 */
int tun_offload_verify(const uint8_t *pkt, size_t len);
