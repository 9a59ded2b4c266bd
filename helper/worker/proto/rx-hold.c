// SPDX-License-Identifier: GPL-2.0-or-later
#include "rx-hold.h"

void rx_hold_init(struct rx_hold *h, uint32_t hold_us)
{
	*h = (struct rx_hold){.hold_us = hold_us};
}

void rx_hold_drained(struct rx_hold *h, uint64_t now_us, unsigned records, bool emptied)
{
	bool stream;

	if (!records)
		return; /* a wakeup for nothing says nothing about the rate */
	/* 2 * hold: a drain right after a hold ends comes hold_us plus a wakeup after the last. */
	stream = h->last_drain_us && now_us >= h->last_drain_us &&
	         now_us - h->last_drain_us <= 2 * (uint64_t)h->hold_us;
	h->last_drain_us = now_us;
	h->until_us = stream && emptied && h->hold_us ? now_us + h->hold_us : 0;
}

uint64_t rx_hold_until(struct rx_hold *h, uint64_t now_us)
{
	if (h->until_us && now_us >= h->until_us)
		h->until_us = 0;
	return h->until_us;
}
