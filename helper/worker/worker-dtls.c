// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The DTLS data channel (docs/protocol.md "Phase 6: the DTLS channel";
 * docs/state-machines.md "DTLS channel"; docs/architecture.md "Data path").
 *
 * One struct worker_dtls per tunnel (per CONNECT): it is made from that CONNECT's answer, the
 * master secret sent with it (legacy) and its TLS session (PSK key), so every reconnect rebuilds it
 * with the new session id / App-ID / key
 * (docs/protocol.md "Pitfall: every CONNECT brings a new DTLS session").
 *
 * Tries follow proto/dtls-fallback.c: a fresh UDP socket (connected to the gateway's TLS address and
 * X-DTLS-Port) and a fresh GnuTLS session per try, at 0, 1, 3, 7, 15, 31 s, GnuTLS retransmitting
 * inside each window; then TLS for good with X-CSTP-MTU.  TLS carries the data until a handshake
 * completes; then DATA goes over DTLS only
 * (docs/protocol.md "Pitfall: no data on CSTP while DTLS is up") while the tunnel keeps CSTP's
 * keepalive and DPD running
 * (docs/protocol.md "Pitfall: CSTP stays alive while DTLS carries the data").  Both channels are
 * read at all times.  DTLS DPD death or a hard socket error: back to TLS at once (packets that
 * could not leave over UDP are handed back for CSTP), the tun MTU back to X-CSTP-MTU, and a new
 * sequence of tries.
 *
 * Batches: tunnel packets are queued (with their type byte) and sealed at the end of a
 * wakeup, one record each, into the UDP transport's batch (worker-udp.c), which sends them in
 * as few calls as the kernel allows.  Where the current session is follows
 * enum worker_dtls_phase (worker-dtls-phase.h), changed only by worker_dtls_enter_phase().
 */
#include <errno.h>
#include <gnutls/dtls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtls-batch.h"
#include "dtls-dpd.h"
#include "dtls-fallback.h"
#include "dtls-frame.h"
#include "dtls-session.h"
#include "error.h"
#include "log.h"
#include "mtu.h"
#include "rx-hold.h"
#include "worker-dtls-phase.h"
#include "worker-udp.h"
#include "worker.h"

#define WORKER_DTLS_BUDGET     64           /* records read per wakeup */
#define WORKER_DTLS_PLAIN_CAP  (256 * 1024) /* queued packets (plaintext) */
#define WORKER_DTLS_PLAIN_MAX  64
#define WORKER_DTLS_RECORD_OV  96 /* more than any record adds */
#define WORKER_DTLS_CIPHER_CAP (2 * WORKER_DTLS_PLAIN_CAP)

struct worker_dtls {
	struct worker *w;
	struct worker_dtls_hooks hooks;

	/* From the CONNECT answer. */
	enum dtls_method method;
	const struct dtls_suite *suite;
	uint8_t key[DTLS_SUITE_MASTER_LEN]; /* legacy master secret, or the 32-byte PSK key */
	size_t key_len;
	uint8_t sid[32]; /* X-DTLS-Session-ID or X-DTLS-App-ID */
	size_t sid_len;
	char psk_priority[512];
	unsigned cstp_mtu, dtls_mtu_hdr, base_mtu;
	bool ipv6;
	uint32_t dpd_s, keepalive_s, rekey_s;

	/* The current try, or the established channel. */
	enum worker_dtls_phase phase; /* changed only by worker_dtls_enter_phase() */
	struct worker_udp udp;
	struct dtls_session *s;
	struct dtls_session_params params;
	uint64_t try_started_ms;
	struct dtls_fallback *fb;
	struct dtls_dpd dpd;
	uint64_t up_ms, rekey_at_ms;
	unsigned data_mtu; /* largest tunnel packet one record takes */
	unsigned tun_mtu;  /* tun MTU while DTLS carries the data */

	/* Packets (type byte + payload) waiting to be sealed into the transport's batch. */
	struct dtls_batch *plain;

	bool rx_more;        /* the budget ended with records left */
	struct rx_hold hold; /* receive moderation (rx-hold.h) */

	uint8_t rec[DTLS_FRAME_MAX_LEN + 256];

	/* Counters for the log. */
	uint64_t tx_pkts, tx_bytes, rx_pkts, rx_bytes, dropped, resent, ignored;
};

static const char *worker_dtls_method_name(enum dtls_method m)
{
	return m == DTLS_METHOD_PSK ? "PSK-NEGOTIATE" : m == DTLS_METHOD_LEGACY ? "legacy" : "none";
}

static void worker_dtls_enter_phase(struct worker_dtls *d, enum worker_dtls_phase_event e)
{
	enum worker_dtls_phase next = worker_dtls_phase_next(d->phase, e);

	if (next == d->phase)
		return;
	log_debug("DTLS phase %s -> %s", worker_dtls_phase_name(d->phase),
	          worker_dtls_phase_name(next));
	d->phase = next;
	/* Established records join the transport's batch; handshake messages leave at once. */
	d->udp.batching = next == WORKER_DTLS_PHASE_ESTABLISHED;
}

/* ---- tries ------------------------------------------------------------------------------ */

static void worker_dtls_close(struct worker_dtls *d)
{
	dtls_session_free(steal_ptr(&d->s));
	worker_udp_close(&d->udp);
	worker_dtls_enter_phase(d, WORKER_DTLS_EVENT_CLOSE);
	d->rx_more = false;
}

static int worker_dtls_handshake_step(struct worker_dtls *d);
static void worker_dtls_give_up(struct worker_dtls *d);

static void worker_dtls_try_failed(struct worker_dtls *d, const char *why)
{
	log_info("DTLS try %u failed: %s", dtls_fallback_tries(d->fb), why);
	worker_dtls_close(d);
	/* An early failure waits for its window to end, unless it was the last try. */
	if (dtls_fallback_try_failed(d->fb, worker_now_ms()) == DTLS_FALLBACK_GIVE_UP)
		worker_dtls_give_up(d);
}
static void worker_dtls_start_try(struct worker_dtls *d, uint64_t now)
{
	unsigned n = dtls_fallback_tries(d->fb);
	int r;

	worker_dtls_close(d);
	log_info("DTLS (%s) try %u%s at +%.1f s", worker_dtls_method_name(d->method), n,
	         dtls_fallback_last_try(d->fb) ? " (the last)" : "",
	         (double)dtls_fallback_try_offset_ms(d->fb, n - 1) / 1000.0);
	r = worker_udp_open(&d->udp);
	if (r == 0)
		r = dtls_session_new(&d->params, &d->s);
	if (r < 0) {
		worker_dtls_try_failed(d, "cannot set up the socket or the session");
		return;
	}
	worker_udp_attach(&d->udp, d->s->session);
	worker_dtls_enter_phase(d, WORKER_DTLS_EVENT_TRY);
	d->try_started_ms = now;
	worker_dtls_handshake_step(d);
}

static void worker_dtls_send_mtu(struct worker_dtls *d, unsigned mtu)
{
	if (!mtu_valid_tunnel(mtu, d->ipv6)) {
		log_warning("DTLS: not applying MTU %u (out of range)", mtu);
		return;
	}
	worker_ipc_send_mtu(d->w, mtu);
}

/* The handshake completed: DTLS carries the data from now on. */
static int worker_dtls_established(struct worker_dtls *d, uint64_t now)
{
	unsigned gnutls_data;
	char *desc;

	if (dtls_session_verify(d->s, &d->params) < 0)
		return -ERR_TLS;
	if (d->method == DTLS_METHOD_LEGACY) {
		d->tun_mtu = mtu_choose_tun(MTU_DTLS_LEGACY, d->cstp_mtu, d->dtls_mtu_hdr, 0);
		/* One full tunnel packet plus the type byte per record
		 * (docs/protocol.md "Legacy Cisco DTLS"). */
		if (gnutls_dtls_set_data_mtu(d->s->session, d->tun_mtu + 1) < 0)
			return -ERR_TLS;
	} else {
		gnutls_dtls_set_mtu(d->s->session, mtu_psk_link(d->base_mtu, d->udp.family));
		d->tun_mtu = mtu_choose_tun(MTU_DTLS_PSK, d->cstp_mtu, 0,
		                            gnutls_dtls_get_data_mtu(d->s->session));
	}
	gnutls_data = gnutls_dtls_get_data_mtu(d->s->session);
	d->data_mtu = gnutls_data > 1 ? gnutls_data - 1 : 0;
	worker_dtls_enter_phase(d, WORKER_DTLS_EVENT_DONE);
	dtls_fallback_established(d->fb, now);
	dtls_dpd_init(&d->dpd, d->dpd_s, d->keepalive_s, now);
	d->up_ms = now;
	d->rekey_at_ms = d->rekey_s ? now + (uint64_t)d->rekey_s * 1000 : 0;
	desc = gnutls_session_get_desc(d->s->session);
	log_notice(
	    "DTLS up (%s, %s) after try %u at +%.1f s, handshake %llu ms; tun MTU %u, "
	    "records carry up to %u bytes",
	    worker_dtls_method_name(d->method), desc ? desc : "?", dtls_fallback_tries(d->fb),
	    (double)dtls_fallback_try_offset_ms(d->fb, dtls_fallback_tries(d->fb) - 1) / 1000.0,
	    (unsigned long long)(now - d->try_started_ms), d->tun_mtu, d->data_mtu);
	gnutls_free(desc);
	worker_enter_transport(d->w, WORKER_TRANSPORT_DTLS);
	worker_dtls_send_mtu(d, d->tun_mtu);
	return 0;
}

/* 0, or negative after the try failed (already handled). */
static int worker_dtls_handshake_step(struct worker_dtls *d)
{
	int r;

	do {
		r = gnutls_handshake(d->s->session);
	} while (r == GNUTLS_E_INTERRUPTED);
	if (r == GNUTLS_E_AGAIN)
		return 0;
	if (r == 0) {
		r = worker_dtls_established(d, worker_now_ms());
		if (r == 0)
			return 0;
		worker_dtls_try_failed(d, "the session is not the one CONNECT agreed on");
		return -1;
	}
	if (!gnutls_error_is_fatal(r)) {
		log_debug("DTLS handshake: %s", gnutls_strerror(r));
		return 0;
	}
	worker_dtls_try_failed(d, d->udp.rx_errno ? strerror(d->udp.rx_errno) : gnutls_strerror(r));
	return -1;
}

/* ---- sending ---------------------------------------------------------------------------- */

/* Hands the DATA packets of the transport's datagrams [from, n) back to CSTP. */
static void worker_dtls_resend_from(struct worker_dtls *d, size_t from)
{
	for (size_t j = from; j < d->udp.tx->n; j++) {
		int src = d->udp.tx_src[j];
		const uint8_t *p;
		size_t len;

		if (src < 0 || (size_t)src >= d->plain->n)
			continue;
		p = dtls_batch_data(d->plain, (size_t)src);
		len = dtls_batch_len(d->plain, (size_t)src);
		if (len > 1 && p[0] == CSTP_FRAME_DATA && d->hooks.resend &&
		    d->hooks.resend(d->hooks.ctx, p + 1, len - 1) == 0)
			d->resent++;
	}
}

/* Hands every queued DATA packet back to CSTP and empties the queue. */
static void worker_dtls_resend_plain(struct worker_dtls *d)
{
	for (size_t i = 0; i < d->plain->n; i++) {
		const uint8_t *p = dtls_batch_data(d->plain, i);
		size_t len = dtls_batch_len(d->plain, i);

		if (len > 1 && p[0] == CSTP_FRAME_DATA && d->hooks.resend &&
		    d->hooks.resend(d->hooks.ctx, p + 1, len - 1) == 0)
			d->resent++;
	}
	dtls_batch_clear(d->plain);
}

/*
 * Seals every queued packet (one record each) into the datagram batch, or none: a GnuTLS
 * record cut off by a full transport cannot be retried cleanly, so nothing is sealed unless
 * the batch has room for all.  *data tells whether a DATA record was among them.
 */
static bool worker_dtls_seal(struct worker_dtls *d, bool *data)
{
	size_t n = d->plain->n;

	*data = false;
	if (!dtls_batch_room(d->udp.tx, d->plain->used + n * WORKER_DTLS_RECORD_OV) ||
	    d->udp.tx->n + n > d->udp.tx->max)
		return false;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = dtls_batch_data(d->plain, i);
		size_t len = dtls_batch_len(d->plain, i);
		ssize_t r;

		d->udp.tx_tag = (int)i;
		do {
			r = gnutls_record_send(d->s->session, p, len);
		} while (r == GNUTLS_E_INTERRUPTED);
		d->udp.tx_tag = -1;
		if (r == (ssize_t)len) {
			if (p[0] == CSTP_FRAME_DATA) {
				d->tx_pkts++;
				d->tx_bytes += len - 1;
				*data = true;
			}
			continue;
		}
		/* Too big for a record (the tun MTU is being changed): CSTP takes it. */
		if (p[0] == CSTP_FRAME_DATA && len > 1 && d->hooks.resend &&
		    d->hooks.resend(d->hooks.ctx, p + 1, len - 1) == 0)
			d->resent++;
		else
			d->dropped++;
		log_debug("DTLS: cannot seal a %zu-byte record: %s", len,
		          r < 0 ? gnutls_strerror((int)r) : "short");
	}
	return true;
}

static void worker_dtls_lost(struct worker_dtls *d, const char *why);

/*
 * Seals the queue and sends every datagram the socket takes.  A hard error hands this flush's
 * packets back to CSTP and takes the channel down.
 */
static void worker_dtls_send_batch(struct worker_dtls *d)
{
	size_t sent = 0;
	bool data, sealed = worker_dtls_seal(d, &data);
	int r = worker_udp_send(&d->udp, &sent);

	if (r < 0) {
		char why[96];

		snprintf(why, sizeof(why), "sending over UDP: %s", strerror(-r));
		if (sealed) {
			worker_dtls_resend_from(d, sent);
			dtls_batch_clear(d->plain);
		}
		worker_dtls_lost(d, why); /* resends what was not sealed */
		return;
	}
	if (sealed)
		dtls_batch_clear(d->plain);
	if (sent)
		dtls_dpd_tx(&d->dpd, worker_now_ms(), data);
	/* The socket took everything, and packets are still queued: seal and send them. */
	if (!sealed && d->plain->n && !d->udp.tx->n)
		worker_dtls_send_batch(d);
}

void worker_dtls_flush(struct worker_dtls *d)
{
	if (!d || d->phase != WORKER_DTLS_PHASE_ESTABLISHED)
		return;
	if (d->plain->n || d->udp.tx->n)
		worker_dtls_send_batch(d);
}

bool worker_dtls_up(const struct worker_dtls *d)
{
	return d && d->phase == WORKER_DTLS_PHASE_ESTABLISHED &&
	       dtls_fallback_state(d->fb) == DTLS_FALLBACK_UP;
}

bool worker_dtls_busy(const struct worker_dtls *d)
{
	return worker_dtls_up(d) && d->udp.tx->n > 0;
}

/* Queues one frame (type + payload) for the next flush. */
static int worker_dtls_queue(struct worker_dtls *d, uint8_t type, const uint8_t *payload,
                             size_t len)
{
	const void *parts[2] = {&type, payload};
	size_t lens[2] = {1, len};
	int r;

	if (!dtls_batch_room(d->plain, len + 1))
		worker_dtls_send_batch(d);
	if (!worker_dtls_up(d))
		return -ERR_BUSY;
	r = dtls_batch_addv(d->plain, parts, lens, len ? 2 : 1);
	if (r < 0)
		return r;
	/* Keep room for the next packet: a flush now is safe, the caller's buffer was copied. */
	if (!dtls_batch_room(d->plain, DTLS_FRAME_MAX_LEN))
		worker_dtls_send_batch(d);
	return 0;
}

int worker_dtls_send(struct worker_dtls *d, const uint8_t *pkt, size_t len)
{
	if (!worker_dtls_up(d))
		return -ERR_BUSY;
	int r;

	if (!len || len > d->data_mtu)
		return -ERR_TOO_LARGE;
	r = worker_dtls_queue(d, CSTP_FRAME_DATA, pkt, len);
	if (r == -ERR_TOO_LARGE && worker_dtls_up(d)) {
		/* Queue and socket both full: drop it as a congested router would, rather than
		 * move it to CSTP while DTLS is up
		 * (docs/protocol.md "Pitfall: no data on CSTP while DTLS is up"). */
		d->dropped++;
		return 0;
	}
	return r;
}

/* ---- the channel going down ------------------------------------------------------------- */

static void worker_dtls_lost(struct worker_dtls *d, const char *why)
{
	uint64_t now = worker_now_ms();

	log_warning("DTLS down after %.1f s (%s): TLS carries the data, tun MTU back to %u",
	            (double)(now - d->up_ms) / 1000.0, why, d->cstp_mtu);
	/* Packets still queued go over CSTP now. */
	worker_dtls_resend_plain(d);
	worker_dtls_close(d);
	worker_enter_transport(d->w, WORKER_TRANSPORT_TLS);
	worker_dtls_send_mtu(d, d->cstp_mtu);
	if (dtls_fallback_start(d->fb, now) == DTLS_FALLBACK_START_TRY)
		worker_dtls_start_try(d, now);
}

static void worker_dtls_give_up(struct worker_dtls *d)
{
	char line[160];
	size_t o = 0;

	for (unsigned i = 0; i < dtls_fallback_tries(d->fb) && o < sizeof(line) - 12; i++)
		o += (size_t)snprintf(line + o, sizeof(line) - o, "%s%.1f", i ? ", " : "",
		                      (double)dtls_fallback_try_offset_ms(d->fb, i) / 1000.0);
	worker_dtls_close(d);
	log_notice("DTLS gave up after %u tries (at %s s): TLS carries the data, tun MTU %u "
	           "(X-CSTP-MTU)",
	           dtls_fallback_tries(d->fb), line, d->cstp_mtu);
	worker_dtls_send_mtu(d, d->cstp_mtu);
}

/* ---- receiving -------------------------------------------------------------------------- */

static int worker_dtls_frame(struct worker_dtls *d, const uint8_t *rec, size_t n, char *detail,
                             size_t len)
{
	struct dtls_frame f;
	int r = dtls_frame_decode(rec, n, &f);

	if (r < 0) {
		/* Never fatal: stray, reordered or unknown (docs/protocol.md "DTLS framing"). */
		d->ignored++;
		log_debug("DTLS: ignoring a %zu-byte record (type 0x%02x)", n, n ? rec[0] : 0);
		return 0;
	}
	switch (f.type) {
	case CSTP_FRAME_DATA:
		d->rx_pkts++;
		d->rx_bytes += f.len;
		d->hooks.deliver(d->hooks.ctx, f.payload, f.len);
		return 0;
	case CSTP_FRAME_DPD_REQ:
		/* Echo the payload
		 * (docs/protocol.md "Pitfall: a DPD response echoes the request's payload"). */
		log_debug("DTLS DPD request (%zu bytes) from the gateway", f.len);
		worker_dtls_queue(d, CSTP_FRAME_DPD_RESP, f.payload, f.len);
		return 0;
	case CSTP_FRAME_DPD_RESP:
		log_debug("DTLS DPD response from the gateway");
		return 0;
	case CSTP_FRAME_KEEPALIVE:
		return 0;
	case CSTP_FRAME_DISCONNECT:
	case CSTP_FRAME_TERMINATE:
		snprintf(detail, len, "the gateway ended the session over DTLS (%s)",
		         dtls_frame_type_name(f.type));
		return -ERR_GATEWAY_CLOSED;
	}
	return 0;
}

static int worker_dtls_read(struct worker_dtls *d, char *detail, size_t len)
{
	d->rx_more = false;
	for (int i = 0; i < WORKER_DTLS_BUDGET && worker_dtls_up(d); i++) {
		ssize_t n = gnutls_record_recv(d->s->session, d->rec, sizeof(d->rec));
		int r;

		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED) {
			rx_hold_drained(&d->hold, worker_now_us(), (unsigned)i, true);
			if (d->udp.rx_errno) {
				char why[96];

				snprintf(why, sizeof(why), "receiving over UDP: %s",
				         strerror(d->udp.rx_errno));
				worker_dtls_lost(d, why);
			}
			return 0;
		}
		if (n == GNUTLS_E_REHANDSHAKE) {
			log_info("DTLS: the gateway asked for a renegotiation; ignored");
			continue;
		}
		if (n < 0 && !gnutls_error_is_fatal((int)n)) {
			log_debug("DTLS: %s", gnutls_strerror((int)n));
			continue;
		}
		if (n <= 0) {
			char why[96];

			snprintf(why, sizeof(why), "%s",
			         n == 0        ? "the gateway closed it"
			         : d->udp.rx_errno ? strerror(d->udp.rx_errno)
			                       : gnutls_strerror((int)n));
			worker_dtls_lost(d, why);
			return 0;
		}
		dtls_dpd_rx(&d->dpd, worker_now_ms());
		r = worker_dtls_frame(d, d->rec, (size_t)n, detail, len);
		if (r < 0)
			return r;
	}
	d->rx_more = worker_dtls_up(d);
	rx_hold_drained(&d->hold, worker_now_us(), WORKER_DTLS_BUDGET, false);
	return 0;
}

/* ---- timers ----------------------------------------------------------------------------- */

void worker_dtls_rekey(struct worker_dtls *d, const char *why)
{
	uint64_t now = worker_now_ms();

	if (!worker_dtls_up(d))
		return; /* a try in progress derives its keys afresh anyway */
	log_info("%s: new DTLS session", why);
	d->rekey_at_ms = 0;
	worker_dtls_resend_plain(d);
	worker_dtls_close(d);
	worker_enter_transport(d->w, WORKER_TRANSPORT_TLS);
	if (dtls_fallback_start(d->fb, now) == DTLS_FALLBACK_START_TRY)
		worker_dtls_start_try(d, now);
}

static void worker_dtls_timers(struct worker_dtls *d)
{
	uint64_t now = worker_now_ms();

	switch (dtls_fallback_tick(d->fb, now)) {
	case DTLS_FALLBACK_START_TRY:
		worker_dtls_start_try(d, now);
		break;
	case DTLS_FALLBACK_GIVE_UP:
		worker_dtls_give_up(d);
		break;
	case DTLS_FALLBACK_NOTHING:
		break;
	}
	if (d->phase == WORKER_DTLS_PHASE_HANDSHAKING && gnutls_dtls_get_timeout(d->s->session) == 0)
		worker_dtls_handshake_step(d); /* GnuTLS retransmits */
	if (!worker_dtls_up(d))
		return;
	if (d->rekey_at_ms && now >= d->rekey_at_ms) {
		/* X-DTLS-Rekey-Method ssl: fresh keys from a fresh handshake. */
		worker_dtls_rekey(d, "DTLS rekey time");
		return;
	}
	switch (dtls_dpd_check(&d->dpd, now)) {
	case DTLS_DPD_DEAD: {
		char why[96];

		snprintf(why, sizeof(why), "nothing received for %llu ms, DPD unanswered",
		         (unsigned long long)(now - d->dpd.last_rx_ms));
		worker_dtls_lost(d, why);
		return;
	}
	case DTLS_DPD_SEND_DPD:
		log_debug("DTLS: nothing from the gateway for %llu ms: DPD request",
		          (unsigned long long)(now - d->dpd.last_rx_ms));
		dtls_dpd_sent_dpd(&d->dpd, now);
		worker_dtls_queue(d, CSTP_FRAME_DPD_REQ, NULL, 0);
		break;
	case DTLS_DPD_SEND_KEEPALIVE:
		dtls_dpd_tx(&d->dpd, now, false);
		worker_dtls_queue(d, CSTP_FRAME_KEEPALIVE, NULL, 0);
		break;
	case DTLS_DPD_NOTHING:
		break;
	}
}

/* ---- the tunnel's interface ------------------------------------------------------------- */

void worker_dtls_poll_fd(struct worker_dtls *d, struct pollfd *pfd, uint64_t now_us,
                         int64_t *timeout_us)
{
	uint64_t now = now_us / 1000, hold = 0;
	uint64_t next = d->phase != WORKER_DTLS_PHASE_PENDING ? dtls_fallback_next_ms(d->fb) : now;
	/* Records to read without polling. */
	bool rx_pending = d->rx_more || worker_udp_rx_pending(&d->udp);

	if (worker_dtls_up(d) && !rx_pending)
		hold = rx_hold_until(&d->hold, now_us);
	*pfd = (struct pollfd){.fd = d->udp.fd, .events = hold ? 0 : POLLIN};
	if (hold)
		worker_timeout_lower(timeout_us, hold - now_us);
	if (d->udp.fd >= 0 && d->udp.tx->n)
		pfd->events |= POLLOUT;
	if (d->phase == WORKER_DTLS_PHASE_HANDSHAKING) {
		uint64_t t = now + gnutls_dtls_get_timeout(d->s->session);

		if (t < next)
			next = t;
	}
	if (worker_dtls_up(d)) {
		uint64_t t = dtls_dpd_next_ms(&d->dpd);

		if (t < next)
			next = t;
		if (d->rekey_at_ms && d->rekey_at_ms < next)
			next = d->rekey_at_ms;
		if (rx_pending)
			next = now;
	}
	worker_timeout_until_ms(timeout_us, now, next);
}

int worker_dtls_dispatch(struct worker_dtls *d, short revents, char *detail, size_t len)
{
	uint64_t now = worker_now_ms();
	int r = 0;

	if (d->phase == WORKER_DTLS_PHASE_PENDING) {
		/* Not in worker_dtls_new(): a quick handshake must not report DTLS before the
		 * worker reported the tunnel connected over TLS. */
		worker_dtls_enter_phase(d, WORKER_DTLS_EVENT_START);
		if (dtls_fallback_start(d->fb, now) == DTLS_FALLBACK_START_TRY)
			worker_dtls_start_try(d, now);
		return 0;
	}
	if (d->udp.fd >= 0 && (revents & (POLLIN | POLLERR | POLLHUP))) {
		if (d->phase == WORKER_DTLS_PHASE_HANDSHAKING)
			worker_dtls_handshake_step(d);
		else if (worker_dtls_up(d))
			r = worker_dtls_read(d, detail, len);
	} else if (d->rx_more && worker_dtls_up(d)) {
		r = worker_dtls_read(d, detail, len);
	}
	if (r < 0)
		return r;
	worker_dtls_timers(d);
	return 0;
}

struct worker_dtls *worker_dtls_new(struct worker *w, const struct worker_dtls_setup *setup)
{
	const struct cstp_connect_reply *reply = setup->reply;
	_cleanup_free_ struct worker_dtls *d = NULL;
	bool dtls12 = reply->dtls_suite_header == CSTP_DTLS_SUITE_DTLS12;
	int r;

	if (w->no_dtls || reply->dtls_suite_header == CSTP_DTLS_SUITE_NONE)
		return NULL;
	if (!reply->dtls_port) {
		log_info("DTLS: the gateway named a suite but no X-DTLS-Port; TLS only");
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->phase = WORKER_DTLS_PHASE_PENDING;
	d->udp.fd = -1;
	rx_hold_init(&d->hold, WORKER_RX_HOLD_US);
	d->w = w;
	d->hooks = setup->hooks;
	d->method = dtls_suite_choose(reply->dtls_suite, dtls12, &d->suite);
	switch (d->method) {
	case DTLS_METHOD_NONE:
		log_warning("DTLS: the gateway chose \"%s\" in %s, which we did not offer; TLS "
		            "only",
		            reply->dtls_suite,
		            dtls12 ? "X-DTLS12-CipherSuite" : "X-DTLS-CipherSuite");
		return NULL;
	case DTLS_METHOD_LEGACY:
		if (!reply->has_dtls_session_id || !setup->master_secret ||
		    secret_len(setup->master_secret) != DTLS_SUITE_MASTER_LEN) {
			log_warning("DTLS: legacy suite %s without X-DTLS-Session-ID; TLS only",
			            reply->dtls_suite);
			return NULL;
		}
		memcpy(d->key, secret_str(setup->master_secret), DTLS_SUITE_MASTER_LEN);
		d->key_len = DTLS_SUITE_MASTER_LEN;
		memcpy(d->sid, reply->dtls_session_id, CSTP_CONNECT_SESSION_ID_LEN);
		d->sid_len = CSTP_CONNECT_SESSION_ID_LEN;
		break;
	case DTLS_METHOD_PSK:
		if (!reply->dtls_app_id_len) {
			log_warning("DTLS: PSK-NEGOTIATE without X-DTLS-App-ID; TLS only");
			return NULL;
		}
		if (dtls_suite_psk_key(setup->tls, d->key) < 0) {
			log_warning(
			    "DTLS: cannot derive the PSK key from the TLS session; TLS only");
			return NULL;
		}
		d->key_len = DTLS_SUITE_PSK_KEY_LEN;
		memcpy(d->sid, reply->dtls_app_id, reply->dtls_app_id_len);
		d->sid_len = reply->dtls_app_id_len;
		if (dtls_suite_psk_priority(TLS_CONN_DEFAULT_PRIORITY, d->psk_priority,
		                            sizeof(d->psk_priority)) < 0) {
			secret_wipe(d->key, sizeof(d->key));
			return NULL;
		}
		break;
	}
	if (!dtls_suite_gnutls_ok(gnutls_check_version(NULL))) {
		log_warning("DTLS: GnuTLS %s sends all-zero DTLS randoms; TLS only",
		            gnutls_check_version(NULL));
		secret_wipe(d->key, sizeof(d->key));
		return NULL;
	}
	d->params = (struct dtls_session_params){
	    .method = d->method,
	    .suite = d->suite,
	    .psk_priority = d->psk_priority,
	    .key = d->key,
	    .key_len = d->key_len,
	    .session_id = d->sid,
	    .session_id_len = d->sid_len,
	    .retrans_ms = 1000,
	    .total_ms = 60000,
	};

	/* The gateway's UDP endpoint: the TLS peer's address, X-DTLS-Port
	 * (docs/protocol.md "When DTLS is tried"). */
	r = worker_udp_set_peer(&d->udp, setup->peer, reply->dtls_port);
	if (r < 0) {
		log_warning("DTLS: no usable gateway address; TLS only");
		secret_wipe(d->key, sizeof(d->key));
		return NULL;
	}

	d->cstp_mtu = reply->cfg.mtu;
	d->dtls_mtu_hdr = reply->cfg.dtls_mtu;
	d->ipv6 = reply->cfg.has_addr6;
	d->base_mtu = reply->cfg.base_mtu ? reply->cfg.base_mtu : setup->base_mtu;
	/* No DTLS DPD from the gateway: its CSTP one, else 30 s (a dead UDP path must show). */
	d->dpd_s = reply->dtls.dpd ? reply->dtls.dpd : reply->cstp.dpd ? reply->cstp.dpd : 30;
	d->keepalive_s = reply->dtls.keepalive;
	d->rekey_s = reply->dtls.rekey_method == CSTP_REKEY_SSL ? reply->dtls.rekey_time : 0;

	d->fb = dtls_fallback_new(&backoff_policy_dtls);
	d->plain = dtls_batch_new(WORKER_DTLS_PLAIN_CAP, WORKER_DTLS_PLAIN_MAX);
	r = worker_udp_init(&d->udp, WORKER_DTLS_CIPHER_CAP);
	if (r < 0 || !d->fb || !d->plain) {
		dtls_fallback_free(d->fb);
		dtls_batch_free(d->plain);
		worker_udp_clear(&d->udp);
		secret_wipe(d->key, sizeof(d->key));
		return NULL;
	}
	log_info("DTLS: %s%s%s to port %u (DPD %u s, keepalive %u s, rekey %u s)",
	         worker_dtls_method_name(d->method), d->suite ? " " : "",
	         d->suite ? d->suite->name : "", reply->dtls_port, d->dpd_s, d->keepalive_s,
	         d->rekey_s);
	return steal_ptr(&d);
}

void worker_dtls_free(struct worker_dtls *d)
{
	if (!d)
		return;
	if (d->tx_pkts || d->rx_pkts || d->resent || d->ignored)
		log_info("DTLS carried %llu packets (%llu bytes) out and %llu (%llu bytes) in; "
		         "%llu handed back to TLS, %llu records ignored, %llu dropped",
		         (unsigned long long)d->tx_pkts, (unsigned long long)d->tx_bytes,
		         (unsigned long long)d->rx_pkts, (unsigned long long)d->rx_bytes,
		         (unsigned long long)d->resent, (unsigned long long)d->ignored,
		         (unsigned long long)(d->dropped + d->udp.dropped));
	if (d->udp.tx_calls || d->udp.rx_calls)
		log_info(
		    "DTLS batches: %llu datagrams sent in %llu sendmmsg() calls (%llu messages, "
		    "GSO %s), %llu received in %llu recvmmsg() calls (GRO %s)",
		    (unsigned long long)d->udp.tx_dgrams, (unsigned long long)d->udp.tx_calls,
		    (unsigned long long)d->udp.tx_msgs, d->udp.gso ? "on" : "off",
		    (unsigned long long)d->udp.rx_dgrams, (unsigned long long)d->udp.rx_calls,
		    d->udp.gro ? "on" : "off");
	worker_dtls_close(d);
	dtls_fallback_free(d->fb);
	dtls_batch_free(d->plain);
	worker_udp_clear(&d->udp);
	secret_wipe(d->key, sizeof(d->key));
	secret_wipe(d->rec, sizeof(d->rec));
	free(d);
}
