// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading the CSTP socket in batches (docs/architecture.md "Data path"): GnuTLS pulls a TLS
 * record as two reads of exactly what it needs (the 5-byte header, then the body), which is two
 * recv() calls per tunnel packet.  Here one recv() takes whatever the socket holds (up to 64 KiB,
 * dozens of records) and GnuTLS's pulls are served from that.
 *
 * Nothing can be stranded in the buffer: GnuTLS only sees EAGAIN once the buffer is empty and
 * the socket has nothing either, and worker-tunnel.c's drain ends either there or at its budget
 * (then it does not wait in poll); worker_batch_pending() says so too.  The bytes are TLS
 * ciphertext: nothing to wipe.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "worker.h"

#define WORKER_BATCH_RX_SIZE (64 * 1024)

struct worker_batch {
	int fd;
	uint8_t *buf;
	size_t off, len;
};

struct worker_batch *worker_batch_new(int fd)
{
	struct worker_batch *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->buf = malloc(WORKER_BATCH_RX_SIZE);
	if (!b->buf) {
		free(b);
		return NULL;
	}
	b->fd = fd;
	return b;
}

void worker_batch_free(struct worker_batch *b)
{
	if (!b)
		return;
	free(b->buf);
	free(b);
}

bool worker_batch_pending(const struct worker_batch *b)
{
	return b && b->off < b->len;
}

ssize_t worker_batch_pull(struct worker_batch *b, void *dst, size_t len)
{
	size_t n;

	if (b->off == b->len) {
		ssize_t r;

		/* A read as big as the buffer gains nothing from it. */
		if (len >= WORKER_BATCH_RX_SIZE) {
			do {
				r = recv(b->fd, dst, len, MSG_DONTWAIT);
			} while (r < 0 && errno == EINTR);
			return r;
		}
		do {
			r = recv(b->fd, b->buf, WORKER_BATCH_RX_SIZE, MSG_DONTWAIT);
		} while (r < 0 && errno == EINTR);
		if (r <= 0)
			return r;
		b->off = 0;
		b->len = (size_t)r;
	}
	n = b->len - b->off;
	if (n > len)
		n = len;
	memcpy(dst, b->buf + b->off, n);
	b->off += n;
	return (ssize_t)n;
}
