// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One end of a CSTP-over-TLS tunnel between two tun devices, for bench-datapath.sh: the same
 * traffic through three loops, to compare their cost per packet and per byte.
 *
 *   bench-datapath MODE server|client TUN ADDRESS PORT CERT KEY
 *
 * MODE:
 *   single   what other clients do: one poll, one read, one TLS record, one send() per packet
 *            (and one recv-record-write per packet the other way)
 *   batch    the worker without offloads: each wakeup drains tun and TLS up to 64 each, the
 *            records of a wakeup leave in one send(), the socket is read 64 KiB at a time
 *   offload  batch + IFF_VNET_HDR with TSO: a read gives a super-packet that tun-offload.c
 *            splits; received segments are merged into GSO writes
 *
 * Framing is real CSTP (cstp-frame.c), one frame per TLS record, AES-256-GCM, TLS 1.3.
 * TUN must already exist in this network namespace (ip tuntap add); the server takes CERT and
 * KEY, the client verifies nothing (a benchmark).  Runs until SIGTERM, then prints one line:
 *   stats MODE ROLE tun_reads= tun_writes= pkts_out= pkts_in= bytes_out= bytes_in= sends=
 *   recvs= wakeups= cpu=
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "cstp-frame.h"
#include "tun-offload.h"

#define BUDGET     64
#define HIGH_WATER (256 * 1024)
#define OBUF_MAX   (4 * 1024 * 1024)
#define RXBUF      (64 * 1024)

enum mode { SINGLE, BATCH, OFFLOAD };

static volatile sig_atomic_t stop;
static enum mode mode;
static int tun_fd, sock_fd;
static gnutls_session_t session;
static uint8_t *obuf, *rxbuf, *superbuf;
static size_t olen, ooff, rxoff, rxlen;
static uint8_t sbuf[CSTP_FRAME_MAX_LEN], rbuf[CSTP_FRAME_MAX_LEN + 1024];
static struct tun_offload_gro *gro;
static struct {
	unsigned long long tun_reads, tun_writes, pkts_out, pkts_in, bytes_out, bytes_in, sends,
	    recvs, wakeups;
} st;

static void die(const char *what)
{
	fprintf(stderr, "bench-datapath: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

/* ---- batched transport (batch, offload) ------------------------------------------------ */

static ssize_t vec_push(gnutls_transport_ptr_t p, const giovec_t *iov, int n)
{
	size_t total = 0;

	(void)p;
	for (int i = 0; i < n; i++)
		total += iov[i].iov_len;
	if (olen + total > OBUF_MAX) {
		gnutls_transport_set_errno(session, EAGAIN);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		memcpy(obuf + olen, iov[i].iov_base, iov[i].iov_len);
		olen += iov[i].iov_len;
	}
	return (ssize_t)total;
}

static ssize_t push(gnutls_transport_ptr_t p, const void *data, size_t len)
{
	giovec_t iov = {(void *)data, len};

	return vec_push(p, &iov, 1);
}

static ssize_t pull(gnutls_transport_ptr_t p, void *buf, size_t len)
{
	size_t n;

	(void)p;
	if (rxoff == rxlen) {
		ssize_t r = recv(sock_fd, rxbuf, RXBUF, MSG_DONTWAIT);

		st.recvs++;
		if (r <= 0) {
			if (r < 0)
				gnutls_transport_set_errno(session,
				                           errno == EWOULDBLOCK ? EAGAIN : errno);
			return r;
		}
		rxoff = 0;
		rxlen = (size_t)r;
	}
	n = rxlen - rxoff < len ? rxlen - rxoff : len;
	memcpy(buf, rxbuf + rxoff, n);
	rxoff += n;
	return (ssize_t)n;
}

/* single: GnuTLS's own way, counted: one send() per record, recv() as GnuTLS asks. */
static ssize_t single_vec_push(gnutls_transport_ptr_t p, const giovec_t *iov, int n)
{
	struct msghdr msg = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)n};

	(void)p;
	st.sends++;
	return sendmsg(sock_fd, &msg, MSG_NOSIGNAL);
}

static ssize_t single_pull(gnutls_transport_ptr_t p, void *buf, size_t len)
{
	(void)p;
	st.recvs++;
	return recv(sock_fd, buf, len, 0);
}

static void flush_out(void)
{
	while (ooff < olen) {
		ssize_t n = send(sock_fd, obuf + ooff, olen - ooff, MSG_NOSIGNAL | MSG_DONTWAIT);

		st.sends++;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* Keep the rest at the front. */
			memmove(obuf, obuf + ooff, olen - ooff);
			olen -= ooff;
			ooff = 0;
			return;
		}
		if (n < 0)
			die("send");
		ooff += (size_t)n;
	}
	ooff = olen = 0;
}

/* ---- both loops ------------------------------------------------------------------------ */

static void send_packet(uint8_t *pkt, size_t n)
{
	int h = cstp_frame_encode_header(pkt - CSTP_FRAME_HEADER_LEN, CSTP_FRAME_DATA, n);
	ssize_t r;

	if (h < 0)
		return;
	do {
		r = gnutls_record_send(session, pkt - CSTP_FRAME_HEADER_LEN, (size_t)h);
	} while (r == GNUTLS_E_INTERRUPTED || r == GNUTLS_E_AGAIN);
	if (r != h) {
		fprintf(stderr, "bench-datapath: TLS send: %s\n", gnutls_strerror((int)r));
		exit(1);
	}
	st.pkts_out++;
	st.bytes_out += n;
}

static void tun_write_plain(const uint8_t *vnet, const uint8_t *p, size_t len)
{
	uint8_t zero[TUN_OFFLOAD_VNET_HDR_LEN] = {0};
	struct iovec iov[2] = {{vnet ? (void *)vnet : zero, TUN_OFFLOAD_VNET_HDR_LEN},
	                       {(void *)p, len}};

	st.tun_writes++;
	if (mode == OFFLOAD)
		(void)!writev(tun_fd, iov, 2);
	else
		(void)!write(tun_fd, p, len);
}

static void gro_emit(void *ud, const uint8_t vnet[TUN_OFFLOAD_VNET_HDR_LEN], const uint8_t *p,
                     size_t len)
{
	(void)ud;
	tun_write_plain(vnet, p, len);
}

/* One record in: its DATA payload to tun.  false when nothing was there. */
static bool recv_record(void)
{
	ssize_t n = gnutls_record_recv(session, rbuf, sizeof(rbuf));
	struct cstp_frame f;

	if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
		return false;
	if (n <= 0) {
		fprintf(stderr, "bench-datapath: TLS receive: %s\n",
		        n ? gnutls_strerror((int)n) : "closed");
		stop = 1;
		return false;
	}
	if (cstp_frame_decode(rbuf, (size_t)n, &f) < 0 || f.type != CSTP_FRAME_DATA)
		return true;
	st.pkts_in++;
	st.bytes_in += f.len;
	if (mode == OFFLOAD)
		tun_offload_gro_add(gro, f.payload, f.len, gro_emit, NULL);
	else
		tun_write_plain(NULL, f.payload, f.len);
	return true;
}

static void loop_single(const sigset_t *mask)
{
	uint8_t *pkt = sbuf + CSTP_FRAME_HEADER_LEN;

	while (!stop) {
		struct pollfd p[2] = {{.fd = sock_fd, .events = POLLIN},
		                      {.fd = tun_fd, .events = POLLIN}};

		if (!gnutls_record_check_pending(session) && ppoll(p, 2, NULL, mask) < 0)
			continue;
		st.wakeups++;
		if (p[1].revents & POLLIN) {
			ssize_t n = read(tun_fd, pkt, sizeof(sbuf) - CSTP_FRAME_HEADER_LEN);

			st.tun_reads++;
			if (n > 0)
				send_packet(pkt, (size_t)n);
		}
		if ((p[0].revents & POLLIN) || gnutls_record_check_pending(session))
			recv_record();
	}
}

static void seg_out(uint8_t *pkt, size_t n)
{
	send_packet(pkt, n);
}

static void read_tun_batch(bool *more)
{
	uint8_t *pkt = sbuf + CSTP_FRAME_HEADER_LEN;
	size_t room = sizeof(sbuf) - CSTP_FRAME_HEADER_LEN;

	*more = false;
	for (int i = 0; i < BUDGET; i++) {
		ssize_t n;

		if (olen - ooff >= HIGH_WATER)
			return;
		if (mode == OFFLOAD) {
			uint8_t vnet[TUN_OFFLOAD_VNET_HDR_LEN];
			struct iovec iov[2] = {{vnet, sizeof(vnet)},
			                       {superbuf, TUN_OFFLOAD_MAX_PACKET}};
			struct tun_offload_vnet h;
			struct tun_offload_split s;
			int len;

			n = readv(tun_fd, iov, 2);
			st.tun_reads++;
			if (n < (ssize_t)sizeof(vnet))
				return;
			tun_offload_vnet_parse(vnet, sizeof(vnet), &h);
			if (tun_offload_split_init(&s, &h, superbuf, (size_t)n - sizeof(vnet),
			                           room) < 0)
				continue;
			while ((len = tun_offload_split_next(&s, pkt, room)) > 0)
				seg_out(pkt, (size_t)len);
		} else {
			n = read(tun_fd, pkt, room);
			st.tun_reads++;
			if (n <= 0)
				return;
			seg_out(pkt, (size_t)n);
		}
	}
	*more = true;
}

static void loop_batch(const sigset_t *mask)
{
	bool tun_more = false, tls_more = false;

	while (!stop) {
		struct pollfd p[2] = {
		    {.fd = sock_fd, .events = POLLIN | (olen ? POLLOUT : 0)},
		    {.fd = olen - ooff < HIGH_WATER ? tun_fd : -1, .events = POLLIN}};
		struct timespec zero = {0, 0};
		bool now =
		    tun_more || tls_more || rxoff < rxlen || gnutls_record_check_pending(session);

		if (ppoll(p, 2, now ? &zero : NULL, mask) < 0)
			continue;
		st.wakeups++;
		if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) || tls_more || rxoff < rxlen ||
		    gnutls_record_check_pending(session)) {
			int i;

			for (i = 0; i < BUDGET && recv_record(); i++)
				;
			tls_more = i == BUDGET;
			if (gro)
				tun_offload_gro_flush(gro, gro_emit, NULL);
		}
		if ((p[1].revents & POLLIN) || tun_more)
			read_tun_batch(&tun_more);
		flush_out();
	}
}

/* ---- set-up ---------------------------------------------------------------------------- */

static int tcp_socket(bool server, const char *addr, const char *port)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST}, *ai;
	int fd, one = 1;

	if (getaddrinfo(addr, port, &hints, &ai) != 0)
		die("address");
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	if (server) {
		int c;

		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 1) < 0)
			die("listen");
		printf("listening\n");
		fflush(stdout);
		c = accept(fd, NULL, NULL);
		if (c < 0)
			die("accept");
		close(fd);
		fd = c;
	} else {
		int tries = 0;

		while (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			if (++tries > 100)
				die("connect");
			usleep(50000);
		}
	}
	freeaddrinfo(ai);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_stop};
	gnutls_certificate_credentials_t cred;
	struct ifreq ifr = {0};
	sigset_t block, mask;
	struct rusage ru;
	bool server;
	int r;

	if (argc != 8) {
		fprintf(stderr, "usage: bench-datapath single|batch|offload server|client TUN "
		                "ADDRESS PORT CERT KEY\n");
		return 2;
	}
	mode = strcmp(argv[1], "single") == 0  ? SINGLE
	       : strcmp(argv[1], "batch") == 0 ? BATCH
	                                       : OFFLOAD;
	server = strcmp(argv[2], "server") == 0;

	tun_fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (tun_fd < 0)
		die("/dev/net/tun");
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", argv[3]);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (mode == OFFLOAD ? IFF_VNET_HDR : 0);
	if (ioctl(tun_fd, TUNSETIFF, &ifr) < 0)
		die("TUNSETIFF");
	if (mode == OFFLOAD) {
		if (ioctl(tun_fd, TUNSETOFFLOAD,
		          (unsigned long)(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)) <
		    0)
			die("TUNSETOFFLOAD");
		superbuf = malloc(TUN_OFFLOAD_MAX_PACKET);
		gro = tun_offload_gro_new();
	}
	if (mode != SINGLE)
		fcntl(tun_fd, F_SETFL, O_NONBLOCK);

	sock_fd = tcp_socket(server, argv[4], argv[5]);
	gnutls_global_init();
	gnutls_certificate_allocate_credentials(&cred);
	if (server &&
	    gnutls_certificate_set_x509_key_file(cred, argv[6], argv[7], GNUTLS_X509_FMT_PEM) < 0) {
		fprintf(stderr, "bench-datapath: cannot load %s / %s\n", argv[6], argv[7]);
		return 1;
	}
	gnutls_init(&session, server ? GNUTLS_SERVER : GNUTLS_CLIENT);
	gnutls_priority_set_direct(session,
	                           "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-256-GCM", NULL);
	gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, cred);
	gnutls_transport_set_int(session, sock_fd);
	do {
		r = gnutls_handshake(session);
	} while (r < 0 && !gnutls_error_is_fatal(r));
	if (r < 0) {
		fprintf(stderr, "bench-datapath: handshake: %s\n", gnutls_strerror(r));
		return 1;
	}
	if (mode == SINGLE) {
		gnutls_transport_set_vec_push_function(session, single_vec_push);
		gnutls_transport_set_pull_function(session, single_pull);
	} else {
		obuf = malloc(OBUF_MAX);
		rxbuf = malloc(RXBUF);
		fcntl(sock_fd, F_SETFL, O_NONBLOCK);
		gnutls_transport_set_ptr(session, NULL);
		gnutls_transport_set_push_function(session, push);
		gnutls_transport_set_vec_push_function(session, vec_push);
		gnutls_transport_set_pull_function(session, pull);
	}
	printf("ready %s\n", gnutls_cipher_get_name(gnutls_cipher_get(session)));
	fflush(stdout);

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &mask);
	sigdelset(&mask, SIGTERM);
	sigdelset(&mask, SIGINT);
	if (mode == SINGLE)
		loop_single(&mask);
	else
		loop_batch(&mask);

	getrusage(RUSAGE_SELF, &ru);
	printf("stats %s %s tun_reads=%llu tun_writes=%llu pkts_out=%llu pkts_in=%llu "
	       "bytes_out=%llu bytes_in=%llu sends=%llu recvs=%llu wakeups=%llu cpu=%.3f\n",
	       argv[1], argv[2], st.tun_reads, st.tun_writes, st.pkts_out, st.pkts_in, st.bytes_out,
	       st.bytes_in, st.sends, st.recvs, st.wakeups,
	       (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	           ru.ru_stime.tv_usec / 1e6);
	return 0;
}
