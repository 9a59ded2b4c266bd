// SPDX-License-Identifier: GPL-2.0-or-later
#include "dtls-batch.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "secret.h"

struct dtls_batch *dtls_batch_new(size_t cap, size_t max)
{
	struct dtls_batch *b;

	if (!cap || cap > UINT32_MAX || !max || max > DTLS_BATCH_MAX_DGRAMS)
		return NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->buf = malloc(cap);
	if (!b->buf) {
		free(b);
		return NULL;
	}
	b->cap = cap;
	b->max = max;
	return b;
}

void dtls_batch_free(struct dtls_batch *b)
{
	if (!b)
		return;
	secret_wipe(b->buf, b->cap);
	free(b->buf);
	free(b);
}

bool dtls_batch_room(const struct dtls_batch *b, size_t len)
{
	return b->n < b->max && len <= b->cap - b->used;
}

int dtls_batch_addv(struct dtls_batch *b, const void *const *data, const size_t *len, size_t n)
{
	size_t total = 0;

	for (size_t i = 0; i < n; i++) {
		if (len[i] > b->cap)
			return -ERR_TOO_LARGE;
		total += len[i];
	}
	if (!total)
		return -ERR_INVALID_ARGS;
	if (!dtls_batch_room(b, total))
		return -ERR_TOO_LARGE;
	b->off[b->n] = (uint32_t)b->used;
	b->len[b->n] = (uint32_t)total;
	for (size_t i = 0; i < n; i++) {
		if (len[i])
			memcpy(b->buf + b->used, data[i], len[i]);
		b->used += len[i];
	}
	b->n++;
	return 0;
}

int dtls_batch_add(struct dtls_batch *b, const void *data, size_t len)
{
	return dtls_batch_addv(b, &data, &len, 1);
}

const uint8_t *dtls_batch_data(const struct dtls_batch *b, size_t i)
{
	return i < b->n ? b->buf + b->off[i] : NULL;
}

size_t dtls_batch_len(const struct dtls_batch *b, size_t i)
{
	return i < b->n ? b->len[i] : 0;
}

void dtls_batch_clear(struct dtls_batch *b)
{
	b->n = 0;
	b->used = 0;
}

void dtls_batch_consume(struct dtls_batch *b, size_t k)
{
	size_t base;

	if (k >= b->n) {
		dtls_batch_clear(b);
		return;
	}
	base = b->off[k];
	memmove(b->buf, b->buf + base, b->used - base);
	b->used -= base;
	for (size_t i = k; i < b->n; i++) {
		b->off[i - k] = b->off[i] - (uint32_t)base;
		b->len[i - k] = b->len[i];
	}
	b->n -= k;
}

size_t dtls_batch_plan(const struct dtls_batch *b, size_t from, size_t max_segs, size_t max_bytes,
                       struct dtls_batch_group *out, size_t out_max)
{
	size_t ng = 0, i = from;

	if (!max_segs)
		max_segs = 1;
	while (i < b->n && ng < out_max) {
		struct dtls_batch_group g = {
		    .first = i, .count = 1, .seg = b->len[i], .bytes = b->len[i]};

		i++;
		/* Equal datagrams extend the run; one shorter datagram ends it. */
		while (i < b->n && g.count < max_segs && b->len[i] <= g.seg &&
		       g.bytes + b->len[i] <= max_bytes) {
			g.count++;
			g.bytes += b->len[i];
			i++;
			if (b->len[i - 1] < g.seg)
				break;
		}
		out[ng++] = g;
	}
	return ng;
}

size_t dtls_batch_gro_count(size_t len, size_t seg)
{
	if (!len)
		return 0;
	if (!seg || seg >= len)
		return 1;
	return (len + seg - 1) / seg;
}

size_t dtls_batch_gro_len(size_t len, size_t seg, size_t i)
{
	size_t n = dtls_batch_gro_count(len, seg);

	if (i >= n)
		return 0;
	if (n == 1)
		return len;
	return i + 1 < n ? seg : len - seg * (n - 1);
}
