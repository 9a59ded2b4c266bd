/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Liveness of the DTLS channel (docs/protocol.md "DTLS liveness"), from X-DTLS-DPD and
 * X-DTLS-Keepalive.  Pure: times are passed in.
 *
 * D = the DPD interval.  Any record received counts as life.
 *  - idle: nothing received for D -> DPD-REQ;
 *  - busy: we sent DATA after the last thing we received, and nothing came back for D/2 ->
 *    DPD-REQ (a path that eats our datagrams shows up while traffic flows, not a DPD later);
 *  - while a DPD-REQ is unanswered it is repeated every D/4, and D/2 after the first one
 *    without anything received the channel is dead (the caller moves data back to TLS).
 * So a dead path is noticed at most D after the last record while data flows, 1.5 D when idle
 * (openconnect: 2 D).  KEEPALIVE when nothing was sent for the keepalive interval.
 * A zero interval disables that timer.
 */
#include <stdbool.h>
#include <stdint.h>

enum dtls_dpd_action {
	DTLS_DPD_NOTHING,
	DTLS_DPD_SEND_DPD,       /* send a DPD-REQ now (dtls_dpd_sent_dpd() afterwards) */
	DTLS_DPD_SEND_KEEPALIVE, /* send a KEEPALIVE now (dtls_dpd_tx() afterwards) */
	DTLS_DPD_DEAD,           /* the channel is dead */
};

struct dtls_dpd {
	uint64_t dpd_ms, keepalive_ms;
	uint64_t last_rx_ms, last_tx_ms, last_data_tx_ms;
	bool dpd_pending;                   /* a DPD-REQ is unanswered */
	uint64_t dpd_first_ms, dpd_last_ms; /* first and latest unanswered DPD-REQ */
};

/* The channel just came up at now_ms. */
void dtls_dpd_init(struct dtls_dpd *d, uint32_t dpd_s, uint32_t keepalive_s, uint64_t now_ms);
/* A record arrived (answers an outstanding DPD-REQ). */
void dtls_dpd_rx(struct dtls_dpd *d, uint64_t now_ms);
/* A record left; data = it carried a tunnel packet. */
void dtls_dpd_tx(struct dtls_dpd *d, uint64_t now_ms, bool data);
/* A DPD-REQ left. */
void dtls_dpd_sent_dpd(struct dtls_dpd *d, uint64_t now_ms);
/* What is due now (DEAD first, then DPD, then KEEPALIVE). */
enum dtls_dpd_action dtls_dpd_check(const struct dtls_dpd *d, uint64_t now_ms);
/* When dtls_dpd_check() may next return something; UINT64_MAX for never. */
uint64_t dtls_dpd_next_ms(const struct dtls_dpd *d);
