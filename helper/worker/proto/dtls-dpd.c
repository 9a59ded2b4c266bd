// SPDX-License-Identifier: GPL-2.0-or-later
#include "dtls-dpd.h"

#include <string.h>

void dtls_dpd_init(struct dtls_dpd *d, uint32_t dpd_s, uint32_t keepalive_s, uint64_t now_ms)
{
	memset(d, 0, sizeof(*d));
	d->dpd_ms = (uint64_t)dpd_s * 1000;
	d->keepalive_ms = (uint64_t)keepalive_s * 1000;
	d->last_rx_ms = d->last_tx_ms = now_ms;
}

void dtls_dpd_rx(struct dtls_dpd *d, uint64_t now_ms)
{
	d->last_rx_ms = now_ms;
	d->dpd_pending = false;
}

void dtls_dpd_tx(struct dtls_dpd *d, uint64_t now_ms, bool data)
{
	d->last_tx_ms = now_ms;
	if (data)
		d->last_data_tx_ms = now_ms;
}

void dtls_dpd_sent_dpd(struct dtls_dpd *d, uint64_t now_ms)
{
	if (!d->dpd_pending)
		d->dpd_first_ms = now_ms;
	d->dpd_pending = true;
	d->dpd_last_ms = now_ms;
	d->last_tx_ms = now_ms;
}

/* When the next DPD-REQ is due (UINT64_MAX: DPD off). */
static uint64_t dtls_dpd_probe_at(const struct dtls_dpd *d)
{
	uint64_t at;

	if (!d->dpd_ms)
		return UINT64_MAX;
	if (d->dpd_pending)
		return d->dpd_last_ms + (d->dpd_ms / 4 ? d->dpd_ms / 4 : 1);
	at = d->last_rx_ms + d->dpd_ms;
	/* Data left after the last thing we heard: ask sooner. */
	if (d->last_data_tx_ms > d->last_rx_ms) {
		uint64_t busy = d->last_rx_ms + d->dpd_ms / 2;

		if (busy < d->last_data_tx_ms)
			busy = d->last_data_tx_ms;
		if (busy < at)
			at = busy;
	}
	return at;
}

static uint64_t dtls_dpd_dead_at(const struct dtls_dpd *d)
{
	if (!d->dpd_ms || !d->dpd_pending)
		return UINT64_MAX;
	return d->dpd_first_ms + d->dpd_ms / 2;
}

static uint64_t dtls_dpd_keepalive_at(const struct dtls_dpd *d)
{
	return d->keepalive_ms ? d->last_tx_ms + d->keepalive_ms : UINT64_MAX;
}

enum dtls_dpd_action dtls_dpd_check(const struct dtls_dpd *d, uint64_t now_ms)
{
	if (now_ms >= dtls_dpd_dead_at(d))
		return DTLS_DPD_DEAD;
	if (now_ms >= dtls_dpd_probe_at(d))
		return DTLS_DPD_SEND_DPD;
	if (now_ms >= dtls_dpd_keepalive_at(d))
		return DTLS_DPD_SEND_KEEPALIVE;
	return DTLS_DPD_NOTHING;
}

uint64_t dtls_dpd_next_ms(const struct dtls_dpd *d)
{
	uint64_t next = dtls_dpd_dead_at(d), p = dtls_dpd_probe_at(d), k = dtls_dpd_keepalive_at(d);

	if (p < next)
		next = p;
	if (k < next)
		next = k;
	return next;
}
