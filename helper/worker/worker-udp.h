/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The DTLS channel's UDP transport (worker-dtls.c is the channel): one connected socket per
 * try, GnuTLS's push and pull functions, sealed records collected into a batch that leaves in
 * one sendmmsg() with UDP_SEGMENT runs of equal datagrams (helper/worker/proto/dtls-batch.c),
 * and recvmmsg() with UDP_GRO into an arena that GnuTLS pulls one datagram at a time.  GSO or
 * GRO refused by the kernel: plain sendmmsg()/recvmmsg().
 */
#include <gnutls/gnutls.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dtls-batch.h"
#include "dtls-frame.h"

#define WORKER_UDP_RX_MSGS 64

struct worker_udp {
	int fd; /* -1 between tries */
	struct sockaddr_storage peer;
	socklen_t peer_len;
	int family;
	gnutls_session_t session; /* attached to this socket, for its errno reports */
	/* Established: records join the batch.  Otherwise (handshake messages) each leaves at
	 * once. */
	bool batching;

	/* Send side: sealed datagrams waiting for the socket, and for each the tag it was sealed
	 * under (the caller's packet index; -1: none, or from an earlier flush). */
	struct dtls_batch *tx;
	int tx_src[DTLS_BATCH_MAX_DGRAMS];
	int tx_tag;
	bool gso;

	/* Receive side: datagrams read with recvmmsg(), handed to GnuTLS one by one. */
	bool gro;
	uint8_t *rx_arena;
	size_t rx_slot, rx_slots;
	struct mmsghdr rx_msg[WORKER_UDP_RX_MSGS];
	struct iovec rx_iov[WORKER_UDP_RX_MSGS];
	uint8_t rx_cmsg[WORKER_UDP_RX_MSGS][CMSG_SPACE(sizeof(uint16_t)) + 16];
	size_t rx_n, rx_i, rx_seg; /* messages read, current message, datagram within it */
	int rx_errno;              /* a socket error to report through GnuTLS */

	/* Counters for the log. */
	uint64_t dropped, tx_dgrams, tx_calls, tx_msgs, rx_dgrams, rx_calls;
};

/* Buffers for tx_cap bytes of sealed datagrams and the receive arena; -ERR_NOMEM. */
int worker_udp_init(struct worker_udp *u, size_t tx_cap);
/* Closes and frees everything (the arena wiped). */
void worker_udp_clear(struct worker_udp *u);
/* The gateway's endpoint: numeric address (v4 or v6) and port; -ERR_INVALID_ARGS. */
int worker_udp_set_peer(struct worker_udp *u, const char *address, uint16_t port);
/* A fresh non-blocking socket connected to the peer; -ERR_IO (logged). */
int worker_udp_open(struct worker_udp *u);
/* Makes this socket session's transport (push, vector push, pull, pull timeout). */
void worker_udp_attach(struct worker_udp *u, gnutls_session_t session);
/* Closes the socket and forgets what was read and what waits to be sent. */
void worker_udp_close(struct worker_udp *u);
/* Datagrams already read and not yet pulled. */
bool worker_udp_rx_pending(const struct worker_udp *u);
/*
 * Sends the batch in as few calls as the kernel allows; what the socket cannot take now stays
 * for POLLOUT (its tags reset to -1).  *sent: datagrams that left.  0, or -errno after a hard
 * error (the batch kept as it was, so the caller can hand the unsent packets back).
 */
int worker_udp_send(struct worker_udp *u, size_t *sent);
