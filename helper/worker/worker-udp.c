// SPDX-License-Identifier: GPL-2.0-or-later
#include "worker-udp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "secret.h"

#ifndef SOL_UDP
#define SOL_UDP 17
#endif

#define WORKER_UDP_RX_ARENA    (1024 * 1024)
#define WORKER_UDP_RX_SLOT     (DTLS_FRAME_MAX_LEN + 512) /* without GRO */
#define WORKER_UDP_RX_GRO_SLOT 65536
#define WORKER_UDP_SOCKBUF     (4 * 1024 * 1024)

int worker_udp_init(struct worker_udp *u, size_t tx_cap)
{
	/* The peer may be set already: only the transport's own fields start here. */
	u->fd = -1;
	u->tx_tag = -1;
	u->gso = true;
	u->tx = dtls_batch_new(tx_cap, DTLS_BATCH_MAX_DGRAMS);
	u->rx_arena = malloc(WORKER_UDP_RX_ARENA);
	if (!u->tx || !u->rx_arena) {
		worker_udp_clear(u);
		return -ERR_NOMEM;
	}
	return 0;
}

void worker_udp_clear(struct worker_udp *u)
{
	worker_udp_close(u);
	dtls_batch_free(steal_ptr(&u->tx));
	if (u->rx_arena)
		secret_wipe(u->rx_arena, WORKER_UDP_RX_ARENA);
	free(steal_ptr(&u->rx_arena));
}

int worker_udp_set_peer(struct worker_udp *u, const char *address, uint16_t port)
{
	int r;

	memset(&u->peer, 0, sizeof(u->peer));
	if (address && strchr(address, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&u->peer;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		r = inet_pton(AF_INET6, address, &s6->sin6_addr);
		u->peer_len = sizeof(*s6);
		u->family = AF_INET6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&u->peer;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		r = address ? inet_pton(AF_INET, address, &s4->sin_addr) : 0;
		u->peer_len = sizeof(*s4);
		u->family = AF_INET;
	}
	return r == 1 ? 0 : -ERR_INVALID_ARGS;
}

int worker_udp_open(struct worker_udp *u)
{
	int one = 1, size = WORKER_UDP_SOCKBUF;
	int fd = socket(u->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		log_warning("DTLS: cannot make a UDP socket: %s", strerror(errno));
		return -ERR_IO;
	}
	/* Bigger queues for batches; an unprivileged process gets up to the system maximum. */
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (connect(fd, (struct sockaddr *)&u->peer, u->peer_len) < 0) {
		log_warning("DTLS: cannot connect the UDP socket: %s", strerror(errno));
		close(fd);
		return -ERR_IO;
	}
	u->gro = setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof(one)) == 0;
	u->rx_slot = u->gro ? WORKER_UDP_RX_GRO_SLOT : WORKER_UDP_RX_SLOT;
	u->rx_slots = WORKER_UDP_RX_ARENA / u->rx_slot;
	if (u->rx_slots > WORKER_UDP_RX_MSGS)
		u->rx_slots = WORKER_UDP_RX_MSGS;
	u->fd = fd;
	return 0;
}

void worker_udp_close(struct worker_udp *u)
{
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
	u->session = NULL;
	u->batching = false;
	u->rx_n = u->rx_i = u->rx_seg = 0;
	u->rx_errno = 0;
	if (u->tx)
		dtls_batch_clear(u->tx);
}

bool worker_udp_rx_pending(const struct worker_udp *u)
{
	return u->rx_i < u->rx_n;
}

/* ---- transport for GnuTLS -------------------------------------------------------------- */

static int worker_udp_tx_add(struct worker_udp *u, const void *const *data, const size_t *len,
                             size_t n)
{
	size_t at = u->tx->n;
	int r = dtls_batch_addv(u->tx, data, len, n);

	if (r == 0)
		u->tx_src[at] = u->tx_tag;
	return r;
}

static ssize_t worker_udp_vec_push(gnutls_transport_ptr_t ptr, const giovec_t *iov, int iovcnt)
{
	struct worker_udp *u = ptr;
	const void *data[8];
	size_t len[8], total = 0;
	struct msghdr msg = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)iovcnt};
	ssize_t n;

	if (iovcnt <= 0 || iovcnt > 8) {
		gnutls_transport_set_errno(u->session, EINVAL);
		return -1;
	}
	for (int i = 0; i < iovcnt; i++) {
		data[i] = iov[i].iov_base;
		len[i] = iov[i].iov_len;
		total += iov[i].iov_len;
	}
	/* Established: every record is one datagram of the batch. */
	if (u->batching && worker_udp_tx_add(u, data, len, (size_t)iovcnt) == 0)
		return (ssize_t)total;
	/* Handshake messages (and a record that finds the batch full) leave at once. */
	do {
		n = sendmsg(u->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		gnutls_transport_set_errno(u->session, errno == EWOULDBLOCK ? EAGAIN : errno);
		return -1;
	}
	return n;
}

static ssize_t worker_udp_push(gnutls_transport_ptr_t ptr, const void *data, size_t len)
{
	giovec_t iov = {.iov_base = (void *)data, .iov_len = len};

	return worker_udp_vec_push(ptr, &iov, 1);
}

/* Reads what the socket has into the receive arena: 0, or -1 with errno. */
static int worker_udp_rx_fill(struct worker_udp *u)
{
	int n;

	u->rx_n = u->rx_i = u->rx_seg = 0;
	for (size_t i = 0; i < u->rx_slots; i++) {
		u->rx_iov[i] = (struct iovec){u->rx_arena + i * u->rx_slot, u->rx_slot};
		u->rx_msg[i].msg_hdr = (struct msghdr){
		    .msg_iov = &u->rx_iov[i],
		    .msg_iovlen = 1,
		    .msg_control = u->gro ? u->rx_cmsg[i] : NULL,
		    .msg_controllen = u->gro ? sizeof(u->rx_cmsg[i]) : 0,
		};
		u->rx_msg[i].msg_len = 0;
	}
	do {
		n = recvmmsg(u->fd, u->rx_msg, (unsigned)u->rx_slots, MSG_DONTWAIT, NULL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	u->rx_n = (size_t)n;
	u->rx_calls++;
	return 0;
}

/* The GRO segment size of message i (0: one datagram). */
static size_t worker_udp_rx_segsize(struct worker_udp *u, size_t i)
{
	struct msghdr *mh = &u->rx_msg[i].msg_hdr;

	if (!u->gro)
		return 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(uint16_t))) {
			uint16_t seg;

			memcpy(&seg, CMSG_DATA(c), sizeof(seg));
			return seg;
		}
	}
	return 0;
}

/* Next datagram from the arena (refilling it when empty): 1 with *p and *len, 0 if none. */
static int worker_udp_rx_next(struct worker_udp *u, const uint8_t **p, size_t *len)
{
	for (;;) {
		while (u->rx_i < u->rx_n) {
			struct mmsghdr *m = &u->rx_msg[u->rx_i];
			size_t total = m->msg_len, seg = worker_udp_rx_segsize(u, u->rx_i);
			size_t cnt = dtls_batch_gro_count(total, seg);

			if ((m->msg_hdr.msg_flags & MSG_TRUNC) || u->rx_seg >= cnt) {
				if (m->msg_hdr.msg_flags & MSG_TRUNC)
					u->dropped++;
				u->rx_i++;
				u->rx_seg = 0;
				continue;
			}
			*p = u->rx_arena + u->rx_i * u->rx_slot + u->rx_seg * seg;
			*len = dtls_batch_gro_len(total, seg, u->rx_seg);
			u->rx_seg++;
			u->rx_dgrams++;
			return 1;
		}
		if (u->rx_n && u->rx_n < u->rx_slots) {
			/* The last read did not fill the arena: the socket is empty. */
			u->rx_n = u->rx_i = 0;
			return 0;
		}
		if (worker_udp_rx_fill(u) < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				u->rx_errno = errno;
			return 0;
		}
		if (!u->rx_n)
			return 0;
	}
}

static ssize_t worker_udp_pull(gnutls_transport_ptr_t ptr, void *buf, size_t len)
{
	struct worker_udp *u = ptr;
	const uint8_t *p;
	size_t n;

	if (!worker_udp_rx_next(u, &p, &n)) {
		int e = u->rx_errno ? u->rx_errno : EAGAIN;

		gnutls_transport_set_errno(u->session, e);
		return -1;
	}
	if (n > len) {
		/* Longer than any record GnuTLS accepts: drop it, as the kernel would. */
		u->dropped++;
		n = len;
	}
	memcpy(buf, p, n);
	return (ssize_t)n;
}

static int worker_udp_pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
	struct worker_udp *u = ptr;
	struct pollfd p = {.fd = u->fd, .events = POLLIN};

	(void)ms; /* non-blocking session: never wait here */
	if (u->rx_i < u->rx_n)
		return 1;
	return poll(&p, 1, 0) > 0 ? 1 : 0;
}

void worker_udp_attach(struct worker_udp *u, gnutls_session_t session)
{
	u->session = session;
	gnutls_transport_set_ptr(session, u);
	gnutls_transport_set_push_function(session, worker_udp_push);
	gnutls_transport_set_vec_push_function(session, worker_udp_vec_push);
	gnutls_transport_set_pull_function(session, worker_udp_pull);
	gnutls_transport_set_pull_timeout_function(session, worker_udp_pull_timeout);
}

/* ---- sending batches -------------------------------------------------------------------- */

static bool worker_udp_hard_error(int e)
{
	return e != EAGAIN && e != EWOULDBLOCK && e != EINTR && e != ENOBUFS && e != ENOMEM;
}

int worker_udp_send(struct worker_udp *u, size_t *sent_out)
{
	struct dtls_batch_group g[DTLS_BATCH_MAX_DGRAMS];
	struct mmsghdr msg[DTLS_BATCH_MAX_DGRAMS];
	struct iovec iov[DTLS_BATCH_MAX_DGRAMS];
	uint8_t cm[DTLS_BATCH_MAX_DGRAMS][CMSG_SPACE(sizeof(uint16_t))];
	size_t sent = 0;

	while (sent < u->tx->n) {
		size_t ng = dtls_batch_plan(u->tx, sent, u->gso ? DTLS_BATCH_GSO_MAX_SEGS : 1,
		                            DTLS_BATCH_GSO_MAX_BYTES, g, DTLS_BATCH_MAX_DGRAMS);
		int n;

		memset(msg, 0, sizeof(msg[0]) * ng);
		for (size_t i = 0; i < ng; i++) {
			iov[i].iov_base = (void *)dtls_batch_data(u->tx, g[i].first);
			iov[i].iov_len = g[i].bytes;
			msg[i].msg_hdr.msg_iov = &iov[i];
			msg[i].msg_hdr.msg_iovlen = 1;
			if (g[i].count > 1) {
				struct cmsghdr *c = (struct cmsghdr *)cm[i];
				uint16_t seg = (uint16_t)g[i].seg;

				memset(cm[i], 0, sizeof(cm[i]));
				msg[i].msg_hdr.msg_control = cm[i];
				msg[i].msg_hdr.msg_controllen = sizeof(cm[i]);
				c->cmsg_level = SOL_UDP;
				c->cmsg_type = UDP_SEGMENT;
				c->cmsg_len = CMSG_LEN(sizeof(seg));
				memcpy(CMSG_DATA(c), &seg, sizeof(seg));
			}
		}
		do {
			n = sendmmsg(u->fd, msg, (unsigned)ng, MSG_DONTWAIT | MSG_NOSIGNAL);
		} while (n < 0 && errno == EINTR);
		if (n < 0 && u->gso && (errno == EIO || errno == EINVAL || errno == EOPNOTSUPP)) {
			/* This kernel or route refuses UDP GSO: one datagram per message. */
			log_info("DTLS: UDP segmentation offload refused (%s); sending datagrams "
			         "one by one",
			         strerror(errno));
			u->gso = false;
			continue;
		}
		if (n < 0 && !worker_udp_hard_error(errno))
			break;
		if (n < 0) {
			*sent_out = sent;
			return -errno;
		}
		u->tx_calls++;
		u->tx_msgs += (uint64_t)n;
		for (int i = 0; i < n; i++)
			sent += g[i].count;
		if ((size_t)n < ng)
			break;
	}
	u->tx_dgrams += sent;
	dtls_batch_consume(u->tx, sent);
	/* What is left waits for POLLOUT; its packets are no longer the caller's to resend. */
	for (size_t j = 0; j < u->tx->n; j++)
		u->tx_src[j] = -1;
	*sent_out = sent;
	return 0;
}
