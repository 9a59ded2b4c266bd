/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Datagrams in batches (docs/architecture.md "Data path"): a list of datagrams packed in one
 * buffer, and the plan that sends them with as few system calls as possible.
 *
 * UDP GSO (UDP_SEGMENT) sends one buffer that the kernel cuts into datagrams of one size; only
 * the last may be shorter.  DTLS records of full-sized packets all have the same length, so a
 * bulk transfer becomes runs of equal datagrams.  dtls_batch_plan() cuts the list into such
 * runs ("groups"), each one sendmsg() with UDP_SEGMENT (one datagram = no cmsg), and all the
 * groups of a batch leave in one sendmmsg().  The order of datagrams is kept.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cleanup.h"

#define DTLS_BATCH_MAX_DGRAMS 128
/* What the kernel takes in one GSO send: at most 64 segments (UDP_MAX_SEGMENTS on older
 * kernels) and a UDP payload of at most 65507 bytes (IPv4). */
#define DTLS_BATCH_GSO_MAX_SEGS  64
#define DTLS_BATCH_GSO_MAX_BYTES 65000

struct dtls_batch {
	uint8_t *buf;
	size_t cap, used;
	size_t n, max;
	uint32_t off[DTLS_BATCH_MAX_DGRAMS];
	uint32_t len[DTLS_BATCH_MAX_DGRAMS];
};

/* One run: datagrams first..first+count-1, all seg bytes long but the last (<= seg). */
struct dtls_batch_group {
	size_t first, count;
	size_t seg;   /* segment size (the first datagram's length) */
	size_t bytes; /* total */
};

/* cap bytes of buffer, at most max datagrams (<= DTLS_BATCH_MAX_DGRAMS).  NULL on ENOMEM or
 * bad sizes. */
struct dtls_batch *dtls_batch_new(size_t cap, size_t max);
void dtls_batch_free(struct dtls_batch *b); /* wipes the buffer (it may hold plaintext) */

/* Can a datagram of len bytes still be added? */
bool dtls_batch_room(const struct dtls_batch *b, size_t len);
/* Appends a copy.  0, -ERR_TOO_LARGE (no room: flush first), -ERR_INVALID_ARGS (len 0). */
int dtls_batch_add(struct dtls_batch *b, const void *data, size_t len);
/* Appends several pieces as ONE datagram (a GnuTLS vector push). */
int dtls_batch_addv(struct dtls_batch *b, const void *const *data, const size_t *len, size_t n);
/* Datagram i (0 <= i < b->n). */
const uint8_t *dtls_batch_data(const struct dtls_batch *b, size_t i);
size_t dtls_batch_len(const struct dtls_batch *b, size_t i);
/* Drops datagrams 0..k-1 (sent); the rest move to the front. */
void dtls_batch_consume(struct dtls_batch *b, size_t k);
void dtls_batch_clear(struct dtls_batch *b);

/*
 * Cuts datagrams [from, b->n) into GSO groups of at most max_segs datagrams and max_bytes
 * bytes (max_segs 1 = no GSO: one group per datagram).  Writes at most out_max groups and
 * returns how many; datagrams after the last group written are left for another call.
 */
size_t dtls_batch_plan(const struct dtls_batch *b, size_t from, size_t max_segs, size_t max_bytes,
                       struct dtls_batch_group *out, size_t out_max);

/* A UDP GRO read of len bytes with segment size seg (0 = a single datagram): how many
 * datagrams, and the length of datagram i. */
size_t dtls_batch_gro_count(size_t len, size_t seg);
size_t dtls_batch_gro_len(size_t len, size_t seg, size_t i);

DEFINE_CLEANUP(struct dtls_batch *, dtls_batch_free)
