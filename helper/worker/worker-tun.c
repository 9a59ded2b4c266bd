// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The tun side of the data path (docs/architecture.md "Data path"): offloads, super-packets,
 * merged writes.
 *
 * With IFF_VNET_HDR (the helper creates the device that way) every packet carries a
 * virtio-net header, and the worker enables TUNSETOFFLOAD CSUM|TSO4|TSO6|TSO_ECN (and
 * USO4|USO6 where the kernel has them, 6.2+): one read then returns a TCP super-packet of up
 * to 64 KiB, which proto/tun-offload.c splits into MTU-sized packets, each one CSTP frame in
 * one TLS record.  In the other direction the DATA packets of a batch are offered to the
 * merger, which writes in-order TCP segments of one flow as one GSO packet.
 *
 * What a process may do with a tun fd it was handed (checked on Linux 6.18, as an
 * unprivileged user with NO_NEW_PRIVS): TUNSETOFFLOAD, TUNSETVNETHDRSZ, TUNSETVNETLE work
 * (no capability check in the driver), so do TUNSETPERSIST and TUNSETCARRIER; TUNSETIFF is
 * refused (EEXIST): IFF_VNET_HDR can only be chosen when the device is created, by the
 * helper.  The worker makes its calls here, before worker_priv_lockdown(); the seccomp
 * filter then refuses every ioctl.
 *
 * Fallbacks, each logged once: no IFF_VNET_HDR -> plain packets, one per read (the drain per
 * wakeup still applies); TUNSETOFFLOAD refused (or SSLVPN_TUN_OFFLOAD=0 in the environment,
 * for tests and benchmarks) -> headers without offloads, packets one per read, no merging;
 * a merged write refused -> merging off, the merged packet re-split and written one by one.
 */
#include <errno.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "tun-offload.h"
#include "worker.h"

#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif

#define WORKER_TUN_VNET_MAX 32

struct worker_tun {
	struct worker *w;
	int fd;
	size_t vnet_len;  /* 0, or the virtio-net header on each packet */
	unsigned offload; /* TUN_F_* the kernel accepted */
	bool merge;       /* write in-order TCP segments as one GSO packet */
	uint8_t *rbuf;    /* a whole super-packet (offloads on) */
	struct tun_offload_gro *gro;

	uint64_t reads, super_reads, segments, dropped, merged_in, merged_out, refused;
};

/* A packet from the gateway, or one of ours from tun, must at least look like IP. */
static bool worker_tun_ip_ok(const uint8_t *p, size_t len)
{
	return (len >= 20 && (p[0] >> 4) == 4) || (len >= 40 && (p[0] >> 4) == 6);
}

static bool worker_tun_offload_wanted(void)
{
	const char *e = getenv("SSLVPN_TUN_OFFLOAD");

	return !e || strcmp(e, "0") != 0;
}

/* proto/tun-offload.c speaks little-endian headers: what tun uses on a little-endian host. */
static bool worker_tun_little_endian(int fd)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	int le = 1;

	if (ioctl(fd, TUNSETVNETLE, &le) < 0) {
		log_warning("tun: no little-endian virtio-net headers (%s): offloads off",
		            strerror(errno));
		return false;
	}
#else
	(void)fd;
#endif
	return true;
}

/* The most the kernel accepts, from everything down to nothing. */
static unsigned worker_tun_set_offload(int fd)
{
	static const unsigned tries[] = {
	    TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN | TUN_F_USO4 | TUN_F_USO6,
	    TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN,
	    TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6,
	    TUN_F_CSUM,
	};

	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)tries[i]) == 0)
			return tries[i];
		log_debug("TUNSETOFFLOAD 0x%x refused: %s", tries[i], strerror(errno));
	}
	return 0;
}

int worker_tun_new(struct worker *w, int fd, struct worker_tun **out)
{
	struct worker_tun *t;
	int hdr = TUN_OFFLOAD_VNET_HDR_LEN;
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0) {
		log_error("fd %d is not a tun device: %s", fd, strerror(errno));
		return -ERR_INVALID_ARGS;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ERR_NOMEM;
	t->w = w;
	t->fd = fd;
	if (ifr.ifr_flags & IFF_VNET_HDR) {
		/* Our header is the 10-byte one; a device set up otherwise still works. */
		if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0 &&
		    (ioctl(fd, TUNGETVNETHDRSZ, &hdr) < 0 || hdr < TUN_OFFLOAD_VNET_HDR_LEN ||
		     hdr > WORKER_TUN_VNET_MAX)) {
			log_error("cannot use the tun device's virtio-net header");
			free(t);
			return -ERR_INVALID_ARGS;
		}
		t->vnet_len = (size_t)hdr;
		if (worker_tun_offload_wanted() && worker_tun_little_endian(fd))
			t->offload = worker_tun_set_offload(fd);
		/* CSUM alone is not worth a copy per packet: back to whole packets if we can. */
		if (t->offload == TUN_F_CSUM && ioctl(fd, TUNSETOFFLOAD, 0UL) == 0)
			t->offload = 0;
		if (t->offload) {
			t->rbuf = malloc(TUN_OFFLOAD_MAX_PACKET);
			if (t->offload & (TUN_F_TSO4 | TUN_F_TSO6))
				t->gro = tun_offload_gro_new();
			if (!t->rbuf || (!t->gro && (t->offload & (TUN_F_TSO4 | TUN_F_TSO6)))) {
				worker_tun_free(t);
				return -ERR_NOMEM;
			}
			/* A kernel that hands us TSO takes GSO writes too. */
			t->merge = t->gro != NULL;
		}
	}
	if (t->offload)
		log_info("tun: offloads on (CSUM%s%s%s%s), merged writes %s",
		         t->offload & TUN_F_TSO4 ? " TSO4" : "",
		         t->offload & TUN_F_TSO6 ? " TSO6" : "",
		         t->offload & TUN_F_TSO_ECN ? " ECN" : "",
		         t->offload & TUN_F_USO4 ? " USO" : "", t->merge ? "on" : "off");
	else if (t->vnet_len)
		log_info("tun: offloads %s: one packet per read",
		         worker_tun_offload_wanted() ? "refused by the kernel"
		                                     : "off (SSLVPN_TUN_OFFLOAD=0)");
	else
		log_info("tun: no virtio-net header: one packet per read");
	*out = t;
	return 0;
}

void worker_tun_free(struct worker_tun *t)
{
	if (!t)
		return;
	if (t->reads)
		log_info(
		    "tun: %llu reads (%llu super-packets -> %llu packets), %llu packets merged "
		    "into %llu writes, %llu dropped",
		    (unsigned long long)t->reads, (unsigned long long)t->super_reads,
		    (unsigned long long)t->segments, (unsigned long long)t->merged_in,
		    (unsigned long long)t->merged_out, (unsigned long long)t->dropped);
	tun_offload_gro_free(t->gro);
	free(t->rbuf);
	free(t);
}

int worker_tun_read(struct worker_tun *t, uint8_t *out, size_t room, worker_tun_packet_fn fn,
                    void *user_data)
{
	uint8_t vnet[WORKER_TUN_VNET_MAX];
	struct iovec iov[2] = {
	    {vnet, t->vnet_len},
	    {t->offload ? t->rbuf : out, t->offload ? TUN_OFFLOAD_MAX_PACKET : room}};
	struct tun_offload_vnet h;
	struct tun_offload_split s;
	ssize_t n;
	int r;

	do {
		n = t->vnet_len ? readv(t->fd, iov, 2) : read(t->fd, out, room);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n <= 0) {
		log_error("reading the tun device: %s", n < 0 ? strerror(errno) : "end of file");
		return -ERR_NETWORK_CONFIG;
	}
	t->reads++;
	if (!t->vnet_len) {
		if (!worker_tun_ip_ok(out, (size_t)n)) {
			t->dropped++;
			return 1;
		}
		r = fn(user_data, out, (size_t)n);
		return r < 0 ? r : 1;
	}
	if ((size_t)n < t->vnet_len || tun_offload_vnet_parse(vnet, t->vnet_len, &h) < 0) {
		t->dropped++;
		return 1;
	}
	n -= (ssize_t)t->vnet_len;
	if (!t->offload) {
		/* Nothing was enabled, so nothing partial or segmented may come. */
		if (h.gso_type != TUN_OFFLOAD_GSO_NONE || (h.flags & TUN_OFFLOAD_F_NEEDS_CSUM) ||
		    !worker_tun_ip_ok(out, (size_t)n)) {
			t->dropped++;
			return 1;
		}
		r = fn(user_data, out, (size_t)n);
		return r < 0 ? r : 1;
	}
	r = tun_offload_split_init(&s, &h, t->rbuf, (size_t)n, room);
	if (r < 0) {
		t->dropped++;
		log_debug("dropping a %zd-byte packet from tun (gso type %u, size %u): %s", n,
		          h.gso_type, h.gso_size, error_text(-r));
		return 1;
	}
	if (tun_offload_split_count(&s) > 1)
		t->super_reads++;
	for (;;) {
		int len = tun_offload_split_next(&s, out, room);

		if (len <= 0) {
			if (len < 0)
				t->dropped++;
			return 1;
		}
		t->segments++;
		r = fn(user_data, out, (size_t)len);
		if (r < 0)
			return r;
	}
}

/* One write of a packet with its header (all-zero unless it is a merged one). */
static int worker_tun_writev(struct worker_tun *t, const uint8_t *vnet, const uint8_t *p,
                             size_t len)
{
	uint8_t hdr[WORKER_TUN_VNET_MAX] = {0};
	struct iovec iov[2] = {{hdr, t->vnet_len}, {(void *)p, len}};
	ssize_t n;

	if (vnet)
		memcpy(hdr, vnet, TUN_OFFLOAD_VNET_HDR_LEN);
	do {
		n = t->vnet_len ? writev(t->fd, iov, 2) : write(t->fd, p, len);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

static void worker_tun_deliver(struct worker_tun *t, const uint8_t *vnet, const uint8_t *p,
                               size_t len, uint64_t bytes)
{
	int r = worker_tun_writev(t, vnet, p, len);

	if (r < 0) {
		/* A full queue or a packet the kernel refuses: drop it, as a router would. */
		t->dropped++;
		log_debug("tun write of %zu bytes failed: %s", len, strerror(-r));
		return;
	}
	t->w->rx_bytes += bytes;
}

static void worker_tun_emit(void *user_data, const uint8_t vnet[TUN_OFFLOAD_VNET_HDR_LEN],
                            const uint8_t *p, size_t len)
{
	struct worker_tun *t = user_data;
	struct tun_offload_vnet h;
	struct tun_offload_split s;
	int r, n;

	tun_offload_vnet_parse(vnet, TUN_OFFLOAD_VNET_HDR_LEN, &h);
	if (h.gso_type == TUN_OFFLOAD_GSO_NONE) {
		worker_tun_deliver(t, NULL, p, len, len);
		return;
	}
	/* Statistics count the packets the gateway sent, headers and all. */
	if (tun_offload_split_init(&s, &h, p, len, TUN_OFFLOAD_MAX_PACKET) < 0) {
		t->dropped++;
		return;
	}
	t->merged_in += tun_offload_split_count(&s);
	t->merged_out++;
	r = worker_tun_writev(t, vnet, p, len);
	if (r == 0) {
		t->w->rx_bytes += len + (tun_offload_split_count(&s) - 1) * (size_t)h.hdr_len;
		return;
	}
	if (r != -EINVAL) {
		t->dropped += tun_offload_split_count(&s);
		log_debug("tun write of a %zu-byte merged packet failed: %s", len, strerror(-r));
		return;
	}
	/* This kernel does not take GSO writes: the segments one by one, and no merging. */
	log_warning("tun: the kernel refused a merged packet; writing packets one by one");
	t->merge = false;
	while ((n = tun_offload_split_next(&s, t->rbuf, TUN_OFFLOAD_MAX_PACKET)) > 0)
		worker_tun_deliver(t, NULL, t->rbuf, (size_t)n, (size_t)n);
}

void worker_tun_write(struct worker_tun *t, const uint8_t *p, size_t len)
{
	if (!worker_tun_ip_ok(p, len)) {
		t->dropped++;
		log_debug("dropping a %zu-byte DATA frame that is not an IP packet", len);
		return;
	}
	if (t->merge)
		tun_offload_gro_add(t->gro, p, len, worker_tun_emit, t);
	else
		worker_tun_deliver(t, NULL, p, len, len);
}

void worker_tun_flush(struct worker_tun *t)
{
	if (t && t->gro)
		tun_offload_gro_flush(t->gro, worker_tun_emit, t);
}
