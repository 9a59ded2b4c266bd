/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Receive moderation for a socket that carries the gateway's records, as a network card's
 * interrupt coalescing does it (docs/architecture.md "Data path").
 *
 * The worker is faster than a gateway that sends one record at a time, so without this every
 * wakeup finds one or two records: one tun write, one pass of the kernel's TCP receive path
 * and often one ACK back per packet.  When records come in a stream, the socket is left alone
 * for hold_us after a drain emptied it; the next drain then finds a batch that leaves as one
 * merged tun write.
 *
 * Latency: a record that follows a quiet spell never waits (a ping, the first packet of a
 * reply): the hold starts only when this drain came within 2 * hold_us of the previous one.
 * In a stream a record waits at most hold_us.  A drain that ended at its budget holds nothing:
 * there is more to read at once.
 *
 * Time is passed in (microseconds of a monotonic clock), so tests are exact.
 */
#include <stdbool.h>
#include <stdint.h>

struct rx_hold {
	uint32_t hold_us;
	uint64_t last_drain_us; /* the last drain that read a record; 0 = none yet */
	uint64_t until_us;      /* no reading before this; 0 = no hold */
};

void rx_hold_init(struct rx_hold *h, uint32_t hold_us);

/* A drain at now_us read `records` records; emptied: it stopped because nothing was left. */
void rx_hold_drained(struct rx_hold *h, uint64_t now_us, unsigned records, bool emptied);

/* The end of the hold (monotonic µs) if the socket is not to be read at now_us, else 0. */
uint64_t rx_hold_until(struct rx_hold *h, uint64_t now_us);
