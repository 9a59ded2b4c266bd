// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The CSTP data path (docs/protocol.md "CSTP framing",
 * docs/protocol.md "Keepalive and dead peer detection"; docs/architecture.md "Data path").
 *
 * Batches, not packets: each wakeup drains a ready descriptor up to a budget.  Packets read
 * from tun become one CSTP frame per TLS record (gnutls_record_send per frame), but the records
 * do not go to the socket one by one: our GnuTLS push function appends them to a batch buffer
 * that leaves in one send() per wakeup.  Reading TLS takes records until the socket is empty
 * or the budget is spent; GnuTLS may still hold decrypted bytes then
 * (gnutls_record_check_pending), so the next poll does not wait.
 *
 * Back-pressure: while the batch buffer holds more than WORKER_TUNNEL_HIGH_WATER bytes the tun
 * device is not read, and the kernel queues (or drops) packets there.
 *
 * Rekey "ssl" on TLS <= 1.2 (docs/protocol.md "CSTP rekey") renegotiates on this connection, in two
 * phases (enum worker_tunnel_reneg).  GnuTLS abandons a client's renegotiation when application
 * data arrives before the ServerHello (GNUTLS_E_GOT_APPLICATION_DATA; a new call would send a
 * second ClientHello, which the gateway rejects), and the gateway fails the handshake on
 * application data from us before our Finished.  So first QUIET: the tun device is no longer read
 * (unless DTLS carries the data), which stalls the flows inside the tunnel, until nothing came from
 * the gateway for WORKER_TUNNEL_QUIET_MS or two round trips since we stopped (at most
 * WORKER_TUNNEL_QUIET_MAX_MS in all).  Then HANDSHAKE: gnutls_handshake runs non-blocking through
 * the same batched transport, no frame of ours is sent, and DTLS keeps carrying data.  Data that
 * still interrupts it is delivered, and the gateway refusing, a failure or no end within
 * WORKER_TUNNEL_RENEG_TIMEOUT_MS turn into the new-tunnel method.  GnuTLS refuses a changed server
 * certificate during a renegotiation (GNUTLS_E_SESSION_USER_ID_CHANGED), so the pin checked at
 * connect time still holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/uio.h>
#include <unistd.h>

#include "cstp-frame.h"
#include "error.h"
#include "log.h"
#include "mtu.h"
#include "rx-hold.h"
#include "worker.h"

#define WORKER_TUNNEL_BUDGET     64           /* packets or records per wakeup and direction */
#define WORKER_TUNNEL_HIGH_WATER (256 * 1024) /* stop reading tun above this much queued */
#define WORKER_TUNNEL_OBUF_MAX   (4 * 1024 * 1024)
#define WORKER_TUNNEL_RBUF       (CSTP_FRAME_MAX_LEN + 1024)
#define WORKER_TUNNEL_RENEG_TIMEOUT_MS 20000
#define WORKER_TUNNEL_QUIET_MS         20
#define WORKER_TUNNEL_QUIET_MAX_MS     2000

/* Rekey "ssl" on TLS <= 1.2: see the top of this file. */
enum worker_tunnel_reneg {
	WORKER_TUNNEL_RENEG_NONE,
	WORKER_TUNNEL_RENEG_QUIET,     /* tun not read; waiting for the gateway to fall silent */
	WORKER_TUNNEL_RENEG_HANDSHAKE, /* gnutls_handshake in progress */
};

struct worker_tunnel {
	struct worker *w;
	struct tls_conn *tls;
	gnutls_session_t session;
	int fd;
	struct cstp_connect_reply *reply;
	struct worker_dtls *dtls; /* NULL: TLS only (worker-dtls.c) */

	/* TLS records waiting for the socket. */
	uint8_t *obuf;
	size_t ooff, olen, ocap;
	bool direct; /* closing: records go straight to the socket */
	struct worker_batch *rx; /* the socket read in batches (worker-batch.c) */

	bool tls_more; /* records may be waiting without the socket being readable */
	bool tun_more; /* the budget ended the last tun drain */
	struct rx_hold hold; /* receive moderation of the TLS socket (rx-hold.h) */
	enum worker_tunnel_reneg reneg;
	size_t max_record;

	uint64_t connected_ms, last_tx_ms, last_rx_ms, dpd_sent_ms, rekey_at_ms;
	uint64_t reneg_since_ms, reneg_until_ms;
	uint32_t quiet_ms; /* QUIET: how long the gateway must be silent */
	unsigned renegotiations;
	uint64_t dropped;

	uint8_t rbuf[WORKER_TUNNEL_RBUF];
	uint8_t sbuf[CSTP_FRAME_MAX_LEN];
};

static int worker_tunnel_fail(char *detail, size_t len, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int worker_tunnel_fail(char *detail, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, len, fmt, ap);
	va_end(ap);
	return err;
}

/* Appends to the batch buffer, growing it up to WORKER_TUNNEL_OBUF_MAX. */
static int worker_tunnel_append(struct worker_tunnel *t, const void *data, size_t len)
{
	if (t->olen + len > t->ocap) {
		size_t used = t->olen - t->ooff, cap = t->ocap;
		uint8_t *nb;

		if (t->ooff) {
			memmove(t->obuf, t->obuf + t->ooff, used);
			t->ooff = 0;
			t->olen = used;
		}
		while (cap < t->olen + len)
			cap *= 2;
		if (cap > t->ocap) {
			if (cap > WORKER_TUNNEL_OBUF_MAX)
				return EAGAIN;
			nb = realloc(t->obuf, cap);
			if (!nb)
				return ENOMEM;
			t->obuf = nb;
			t->ocap = cap;
		}
	}
	memcpy(t->obuf + t->olen, data, len);
	t->olen += len;
	return 0;
}

/*
 * Our own GnuTLS transport once the tunnel is up (whatever tls_conn used for the handshake):
 * records are collected into the batch and leave with one send() per wakeup; reads never
 * block.  While closing, records go straight to the socket.
 */
static ssize_t worker_tunnel_vec_push(gnutls_transport_ptr_t ptr, const giovec_t *iov, int iovcnt)
{
	struct worker_tunnel *t = ptr;
	size_t total = 0;

	if (t->direct) {
		struct msghdr msg = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)iovcnt};
		ssize_t n = sendmsg(t->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0)
			gnutls_transport_set_errno(t->session,
			                           errno == EWOULDBLOCK ? EAGAIN : errno);
		return n;
	}
	for (int i = 0; i < iovcnt; i++) {
		int err = worker_tunnel_append(t, iov[i].iov_base, iov[i].iov_len);

		if (err) {
			/* Nothing of this call may stay half-queued. */
			t->olen -= total;
			gnutls_transport_set_errno(t->session, err);
			return -1;
		}
		total += iov[i].iov_len;
	}
	return (ssize_t)total;
}

static ssize_t worker_tunnel_push(gnutls_transport_ptr_t ptr, const void *data, size_t len)
{
	giovec_t iov = {.iov_base = (void *)data, .iov_len = len};

	return worker_tunnel_vec_push(ptr, &iov, 1);
}

static ssize_t worker_tunnel_pull(gnutls_transport_ptr_t ptr, void *buf, size_t len)
{
	struct worker_tunnel *t = ptr;
	ssize_t n;

	/* One recv() for many records: GnuTLS asks for a header, then a body, per record. */
	n = worker_batch_pull(t->rx, buf, len);
	if (n < 0)
		gnutls_transport_set_errno(t->session, errno == EWOULDBLOCK ? EAGAIN : errno);
	return n;
}

/* Never waits: the poll loop does the waiting, and our own deadlines bound a renegotiation. */
static int worker_tunnel_pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
	struct worker_tunnel *t = ptr;
	struct pollfd p = {.fd = t->fd, .events = POLLIN};
	int n;

	(void)ms;
	if (worker_batch_pending(t->rx))
		return 1;
	do {
		n = poll(&p, 1, 0);
	} while (n < 0 && errno == EINTR);
	return n;
}

/* While TLS renegotiates, tun packets wait in the kernel unless DTLS carries them. */
static bool worker_tunnel_tun_open(const struct worker_tunnel *t)
{
	return t->reneg == WORKER_TUNNEL_RENEG_NONE || worker_dtls_up(t->dtls);
}

static size_t worker_tunnel_queued(const struct worker_tunnel *t)
{
	return t->olen - t->ooff;
}

/* One send() for everything queued, as far as the socket takes it. */
static int worker_tunnel_flush(struct worker_tunnel *t, char *detail, size_t len)
{
	while (t->ooff < t->olen) {
		ssize_t n =
		    send(t->fd, t->obuf + t->ooff, t->olen - t->ooff, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0)
			return worker_tunnel_fail(detail, len, -ERR_IO,
			                          "sending to the gateway: %s", strerror(errno));
		t->ooff += (size_t)n;
	}
	t->ooff = t->olen = 0;
	return 0;
}

static int worker_tunnel_send_frame(struct worker_tunnel *t, uint8_t type, const void *payload,
                                    size_t plen, char *detail, size_t len)
{
	int n = cstp_frame_encode(t->sbuf, sizeof(t->sbuf), type, payload, plen);
	ssize_t r;

	if (n < 0)
		return worker_tunnel_fail(detail, len, -ERR_INTERNAL, "cannot frame a %s",
		                          cstp_frame_type_name(type));
	do {
		r = gnutls_record_send(t->session, t->sbuf, (size_t)n);
	} while (r == GNUTLS_E_INTERRUPTED);
	if (r != n)
		return worker_tunnel_fail(detail, len, -ERR_TLS, "TLS send failed: %s",
		                          r < 0 ? gnutls_strerror((int)r) : "short write");
	t->last_tx_ms = worker_now_ms();
	return 0;
}

/* DATA for the kernel: worker-tun.c checks that it looks like IP and, with offloads, holds
 * in-order TCP segments to write them merged when the batch ends (worker_tun_flush). */
static void worker_tunnel_to_tun(struct worker_tunnel *t, const uint8_t *p, size_t len)
{
	worker_tun_write(t->w->tun, p, len);
}

static int worker_tunnel_frame(struct worker_tunnel *t, const struct cstp_frame *f, char *detail,
                               size_t len)
{
	char text[128];
	size_t j = 0;

	t->last_rx_ms = worker_now_ms();
	switch (f->type) {
	case CSTP_FRAME_DATA:
		worker_tunnel_to_tun(t, f->payload, f->len);
		return 0;
	case CSTP_FRAME_DPD_REQ:
		/* Echo the payload: server-side MTU probing needs the same length
		 * (docs/protocol.md "Pitfall: a DPD response echoes the request's payload"). */
		log_debug("DPD request (%zu bytes) from the gateway", f->len);
		return worker_tunnel_send_frame(t, CSTP_FRAME_DPD_RESP, f->payload, f->len, detail,
		                                len);
	case CSTP_FRAME_DPD_RESP:
		log_debug("DPD response from the gateway");
		t->dpd_sent_ms = 0;
		return 0;
	case CSTP_FRAME_KEEPALIVE:
		/* Never answered (docs/protocol.md "Pitfall: never answer a keepalive"). */
		return 0;
	case CSTP_FRAME_DISCONNECT:
		/* Reason byte, then optional text: shown, so printable ASCII only. */
		for (size_t i = 1; i < f->len && j < sizeof(text) - 1; i++)
			text[j++] = (f->payload[i] >= 0x20 && f->payload[i] < 0x7f)
			                ? (char)f->payload[i]
			                : '?';
		text[j] = '\0';
		return worker_tunnel_fail(detail, len, -ERR_GATEWAY_CLOSED,
		                          "the gateway disconnected (reason 0x%02x)%s%s",
		                          f->len ? f->payload[0] : 0, j ? ": " : "", text);
	case CSTP_FRAME_TERMINATE:
		return worker_tunnel_fail(detail, len, -ERR_GATEWAY_CLOSED,
		                          "the gateway terminated the session");
	}
	return worker_tunnel_fail(detail, len, -ERR_PROTOCOL, "unexpected CSTP frame type 0x%02x",
	                          f->type);
}

/* One decrypted record of n bytes in t->rbuf. */
static int worker_tunnel_record(struct worker_tunnel *t, ssize_t n, char *detail, size_t len)
{
	struct cstp_frame f;
	int r = cstp_frame_decode(t->rbuf, (size_t)n, &f);

	if (r < 0)
		return worker_tunnel_fail(detail, len, r,
		                          "malformed CSTP record of %zd bytes from the gateway", n);
	return worker_tunnel_frame(t, &f, detail, len);
}

/* The one place that changes t->reneg. */
static void worker_tunnel_enter_reneg(struct worker_tunnel *t, enum worker_tunnel_reneg phase)
{
	uint64_t now = worker_now_ms();

	t->reneg = phase;
	switch (phase) {
	case WORKER_TUNNEL_RENEG_NONE:
		break;
	case WORKER_TUNNEL_RENEG_QUIET: {
		struct tcp_info ti;
		socklen_t tl = sizeof(ti);

		t->reneg_since_ms = now;
		t->reneg_until_ms = now + WORKER_TUNNEL_QUIET_MAX_MS;
		t->quiet_ms = WORKER_TUNNEL_QUIET_MS;
		if (getsockopt(t->fd, IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0 &&
		    2 * (ti.tcpi_rtt / 1000) > t->quiet_ms)
			t->quiet_ms = 2 * (ti.tcpi_rtt / 1000);
		break;
	}
	case WORKER_TUNNEL_RENEG_HANDSHAKE:
		log_debug("TLS renegotiation: handshake after waiting %llu ms for quiet",
		          (unsigned long long)(now - t->reneg_since_ms));
		/* Without a handshake timeout GnuTLS reads straight from the transport (EAGAIN)
		 * instead of asking pull_timeout first; our own deadline bounds it instead. */
		gnutls_handshake_set_timeout(t->session, 0);
		t->reneg_until_ms = now + WORKER_TUNNEL_RENEG_TIMEOUT_MS;
		break;
	}
}

/* Rekey "ssl" on TLS <= 1.2, or the gateway's HelloRequest: renegotiate, or build a new
 * tunnel when this connection cannot (no safe renegotiation, RFC 5746). */
static int worker_tunnel_renegotiate(struct worker_tunnel *t, const char *why, char *detail,
                                     size_t len)
{
	if (!gnutls_safe_renegotiation_status(t->session)) {
		snprintf(detail, len, "%s, and the gateway lacks safe renegotiation", why);
		return WORKER_TUNNEL_REKEY;
	}
	log_info("%s: renegotiating TLS", why);
	worker_tunnel_enter_reneg(t, WORKER_TUNNEL_RENEG_QUIET);
	return 0;
}

/* Data that interrupted the handshake: GnuTLS holds it decrypted; it still goes to tun. */
static int worker_tunnel_read_held(struct worker_tunnel *t, char *detail, size_t len)
{
	while (gnutls_record_check_pending(t->session) > 0) {
		ssize_t n = gnutls_record_recv(t->session, t->rbuf, sizeof(t->rbuf));
		int r;

		if (n <= 0)
			return 0;
		r = worker_tunnel_record(t, n, detail, len);
		if (r < 0)
			return r;
	}
	return 0;
}

static int worker_tunnel_renegotiate_step(struct worker_tunnel *t, char *detail, size_t len)
{
	int r;

	do {
		r = gnutls_handshake(t->session);
	} while (r == GNUTLS_E_INTERRUPTED);
	if (r == GNUTLS_E_AGAIN)
		return 0;
	if (r < 0) {
		int e = 0;

		worker_tunnel_enter_reneg(t, WORKER_TUNNEL_RENEG_NONE);
		if (r == GNUTLS_E_GOT_APPLICATION_DATA) {
			/* A bad record in it is the link's failure, with its own detail. */
			e = worker_tunnel_read_held(t, detail, len);
			if (e == 0)
				snprintf(detail, len,
				         "data from the gateway interrupted the TLS renegotiation");
		} else if (r == GNUTLS_E_WARNING_ALERT_RECEIVED &&
		           gnutls_alert_get(t->session) == GNUTLS_A_NO_RENEGOTIATION) {
			snprintf(detail, len, "the gateway refused the TLS renegotiation");
		} else {
			snprintf(detail, len, "TLS renegotiation failed: %s", gnutls_strerror(r));
		}
		return e < 0 ? e : WORKER_TUNNEL_REKEY;
	}
	worker_tunnel_enter_reneg(t, WORKER_TUNNEL_RENEG_NONE);
	t->renegotiations++;
	t->tls_more = true; /* records may have come with the last handshake flight */
	if (t->reply->cstp.rekey_time)
		t->rekey_at_ms = worker_now_ms() + (uint64_t)t->reply->cstp.rekey_time * 1000;
	log_info("TLS renegotiated (%s, %s, %u so far)",
	         gnutls_protocol_get_name(gnutls_protocol_get_version(t->session)),
	         gnutls_cipher_get_name(gnutls_cipher_get(t->session)), t->renegotiations);
	/* DTLS keys come from this connection; without a rekey of its own DTLS starts over. */
	if (t->dtls && t->reply->dtls.rekey_method != CSTP_REKEY_SSL)
		worker_dtls_rekey(t->dtls, "the TLS channel renegotiated");
	return 0;
}

/* QUIET ends when the gateway has said nothing for a while since we stopped sending (answers
 * to what we sent before may still be on their way: at least two round trips of this TCP
 * connection), or when waiting took too long. */
static uint64_t worker_tunnel_quiet_at(const struct worker_tunnel *t)
{
	uint64_t from = t->last_rx_ms > t->reneg_since_ms ? t->last_rx_ms : t->reneg_since_ms;
	uint64_t quiet = from + t->quiet_ms;

	return quiet < t->reneg_until_ms ? quiet : t->reneg_until_ms;
}

static int worker_tunnel_read_tls(struct worker_tunnel *t, char *detail, size_t len)
{
	if (t->reneg == WORKER_TUNNEL_RENEG_HANDSHAKE)
		return worker_tunnel_renegotiate_step(t, detail, len);
	for (int i = 0; i < WORKER_TUNNEL_BUDGET; i++) {
		ssize_t n = gnutls_record_recv(t->session, t->rbuf, sizeof(t->rbuf));
		int r;

		if (n == GNUTLS_E_AGAIN) {
			t->tls_more = gnutls_record_check_pending(t->session) > 0;
			rx_hold_drained(&t->hold, worker_now_us(), (unsigned)i, !t->tls_more);
			return 0;
		}
		if (n == GNUTLS_E_INTERRUPTED)
			continue;
		if (n == GNUTLS_E_REHANDSHAKE) {
			if (t->reneg != WORKER_TUNNEL_RENEG_NONE)
				continue; /* ours is on its way */
			if (gnutls_protocol_get_version(t->session) >= GNUTLS_TLS1_3 ||
			    !gnutls_safe_renegotiation_status(t->session)) {
				log_info("the gateway asked for a TLS renegotiation; ignored (unsafe)");
				continue;
			}
			return worker_tunnel_renegotiate(t, "the gateway asked for new keys", detail,
			                                 len);
		}
		if (n == 0 || n == GNUTLS_E_PREMATURE_TERMINATION)
			return worker_tunnel_fail(detail, len, -ERR_IO,
			                          "the gateway closed the TLS connection");
		if (n < 0 && !gnutls_error_is_fatal((int)n)) {
			log_info("TLS: %s", gnutls_strerror((int)n));
			continue;
		}
		if (n < 0)
			return worker_tunnel_fail(detail, len, -ERR_TLS, "TLS receive failed: %s",
			                          gnutls_strerror((int)n));
		r = worker_tunnel_record(t, n, detail, len);
		if (r < 0)
			return r;
	}
	t->tls_more = true;
	rx_hold_drained(&t->hold, worker_now_us(), WORKER_TUNNEL_BUDGET, false);
	return 0;
}

/*
 * One tunnel packet out (the choice of channel): over DTLS while DTLS carries the data
 * (never on CSTP then: docs/protocol.md "Pitfall: no data on CSTP while DTLS is up"), else as one
 * CSTP DATA frame framed in place: pkt must have CSTP_FRAME_HEADER_LEN writable bytes before it.
 */
static int worker_tunnel_send_data(struct worker_tunnel *t, uint8_t *pkt, size_t n, char *detail,
                                   size_t len)
{
	uint8_t *frame = pkt - CSTP_FRAME_HEADER_LEN;
	ssize_t r;
	int h;

	if (t->dtls && worker_dtls_send(t->dtls, pkt, n) == 0) {
		t->w->tx_bytes += n;
		return 0;
	}
	h = cstp_frame_encode_header(frame, CSTP_FRAME_DATA, n);
	/* Not while renegotiating: the gateway would fail the handshake. */
	if (h < 0 || t->reneg == WORKER_TUNNEL_RENEG_HANDSHAKE) {
		t->dropped++;
		return 0;
	}
	do {
		r = gnutls_record_send(t->session, frame, (size_t)h);
	} while (r == GNUTLS_E_INTERRUPTED);
	if (r != h)
		return worker_tunnel_fail(detail, len, -ERR_TLS, "TLS send failed: %s",
		                          r < 0 ? gnutls_strerror((int)r) : "short write");
	t->last_tx_ms = worker_now_ms();
	t->w->tx_bytes += n;
	return 0;
}

/* worker-dtls.c hands back DATA it could not send (DTLS went down): CSTP takes it.  Framed in
 * a buffer of its own: t->sbuf may hold the packet being read from tun. */
static int worker_tunnel_dtls_resend(void *ctx, const uint8_t *pkt, size_t n)
{
	struct worker_tunnel *t = ctx;
	uint8_t frame[CSTP_FRAME_MAX_LEN];
	int h = cstp_frame_encode(frame, sizeof(frame), CSTP_FRAME_DATA, pkt, n);
	ssize_t r;

	if (h < 0)
		return h;
	if (t->reneg == WORKER_TUNNEL_RENEG_HANDSHAKE)
		return -ERR_TLS; /* dropped: the gateway would fail the handshake */
	do {
		r = gnutls_record_send(t->session, frame, (size_t)h);
	} while (r == GNUTLS_E_INTERRUPTED);
	if (r != h)
		return -ERR_TLS;
	t->last_tx_ms = worker_now_ms();
	return 0;
}

/* DATA that came over DTLS goes where CSTP DATA goes. */
static void worker_tunnel_dtls_deliver(void *ctx, const uint8_t *pkt, size_t n)
{
	worker_tunnel_to_tun(ctx, pkt, n);
}

struct worker_tunnel_tx {
	struct worker_tunnel *t;
	char *detail;
	size_t len;
};

/* Each packet of a tun read (a TSO super-packet arrives here split, segment by segment). */
static int worker_tunnel_tun_packet(void *user_data, uint8_t *pkt, size_t n)
{
	struct worker_tunnel_tx *tx = user_data;

	return worker_tunnel_send_data(tx->t, pkt, n, tx->detail, tx->len);
}

/* Up to the budget of reads (worker-tun.c: one packet, or one super-packet with offloads). */
static int worker_tunnel_read_tun(struct worker_tunnel *t, char *detail, size_t len)
{
	struct worker_tunnel_tx tx = {.t = t, .detail = detail, .len = len};
	size_t room = t->max_record - CSTP_FRAME_HEADER_LEN;

	t->tun_more = false;
	for (int i = 0; i < WORKER_TUNNEL_BUDGET; i++) {
		int r;

		if (worker_tunnel_queued(t) >= WORKER_TUNNEL_HIGH_WATER)
			return 0;
		/* Each packet lands behind room for the CSTP header: framed in place. */
		detail[0] = '\0';
		r = worker_tun_read(t->w->tun, t->sbuf + CSTP_FRAME_HEADER_LEN, room,
		                    worker_tunnel_tun_packet, &tx);
		if (r < 0 && !detail[0])
			return worker_tunnel_fail(detail, len, r, "reading the tun device failed");
		if (r <= 0)
			return r;
	}
	t->tun_more = true;
	return 0;
}

/* Next time something is due, from the gateway's timers
 * (docs/protocol.md "Keepalive and dead peer detection"). */
static uint64_t worker_tunnel_next_timer(const struct worker_tunnel *t, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	uint64_t ka = (uint64_t)t->reply->cstp.keepalive * 1000;
	uint64_t dpd = (uint64_t)t->reply->cstp.dpd * 1000;

	if (ka)
		next = t->last_tx_ms + ka;
	if (dpd) {
		uint64_t dead = t->last_rx_ms + 2 * dpd, probe = t->last_rx_ms + dpd;

		if (now >= probe && t->dpd_sent_ms)
			probe = t->dpd_sent_ms + dpd / 2;
		if (probe < next)
			next = probe;
		if (dead < next)
			next = dead;
	}
	if (t->rekey_at_ms && t->rekey_at_ms < next)
		next = t->rekey_at_ms;
	if (t->reneg == WORKER_TUNNEL_RENEG_QUIET && worker_tunnel_quiet_at(t) < next)
		next = worker_tunnel_quiet_at(t);
	if (t->reneg == WORKER_TUNNEL_RENEG_HANDSHAKE && t->reneg_until_ms < next)
		next = t->reneg_until_ms;
	return next;
}

static int worker_tunnel_timers(struct worker_tunnel *t, char *detail, size_t len)
{
	uint64_t now = worker_now_ms();
	uint64_t ka = (uint64_t)t->reply->cstp.keepalive * 1000;
	uint64_t dpd = (uint64_t)t->reply->cstp.dpd * 1000;
	int r;

	if (dpd && now - t->last_rx_ms >= 2 * dpd)
		return worker_tunnel_fail(detail, len, -ERR_DPD_TIMEOUT,
		                          "nothing from the gateway for %llu s",
		                          (unsigned long long)((now - t->last_rx_ms) / 1000));
	switch (t->reneg) {
	case WORKER_TUNNEL_RENEG_QUIET:
		if (now >= worker_tunnel_quiet_at(t)) {
			worker_tunnel_enter_reneg(t, WORKER_TUNNEL_RENEG_HANDSHAKE);
			return worker_tunnel_renegotiate_step(t, detail, len);
		}
		return 0;
	case WORKER_TUNNEL_RENEG_HANDSHAKE:
		/* A frame of ours now would make the gateway fail the handshake. */
		if (now < t->reneg_until_ms)
			return 0;
		worker_tunnel_enter_reneg(t, WORKER_TUNNEL_RENEG_NONE);
		snprintf(detail, len, "the TLS renegotiation did not finish within %d s",
		         WORKER_TUNNEL_RENEG_TIMEOUT_MS / 1000);
		return WORKER_TUNNEL_REKEY;
	case WORKER_TUNNEL_RENEG_NONE:
		break;
	}
	if (dpd && now - t->last_rx_ms >= dpd &&
	    (!t->dpd_sent_ms || now - t->dpd_sent_ms >= dpd / 2)) {
		log_debug("nothing from the gateway for %llu s: DPD request",
		          (unsigned long long)((now - t->last_rx_ms) / 1000));
		r = worker_tunnel_send_frame(t, CSTP_FRAME_DPD_REQ, NULL, 0, detail, len);
		if (r < 0)
			return r;
		t->dpd_sent_ms = now;
	}
	if (ka && now - t->last_tx_ms >= ka) {
		r = worker_tunnel_send_frame(t, CSTP_FRAME_KEEPALIVE, NULL, 0, detail, len);
		if (r < 0)
			return r;
	}
	if (t->rekey_at_ms && now >= t->rekey_at_ms) {
		t->rekey_at_ms = 0;
		if (t->reply->cstp.rekey_method != CSTP_REKEY_SSL) {
			snprintf(detail, len, "rekey time reached");
			return WORKER_TUNNEL_REKEY;
		}
		/* TLS 1.3: the gateway updates the keys itself (KeyUpdate), GnuTLS follows. */
		if (gnutls_protocol_get_version(t->session) >= GNUTLS_TLS1_3)
			return 0;
		return worker_tunnel_renegotiate(t, "rekey time reached", detail, len);
	}
	return 0;
}

struct worker_tunnel *worker_tunnel_new(struct worker *w, struct worker_connect_result *res)
{
	struct worker_tunnel *t = calloc(1, sizeof(*t));
	uint64_t now = worker_now_ms();
	char detail[256];
	size_t off = 0;

	if (!t)
		return NULL;
	t->ocap = 256 * 1024;
	t->obuf = malloc(t->ocap);
	t->rx = worker_batch_new(tls_conn_fd(res->tls));
	if (!t->obuf || !t->rx) {
		free(t->obuf);
		worker_batch_free(t->rx);
		free(t);
		return NULL;
	}
	t->w = w;
	t->tls = steal_ptr(&res->tls);
	t->reply = steal_ptr(&res->reply);
	t->session = tls_conn_session(t->tls);
	t->fd = tls_conn_fd(t->tls);
	t->connected_ms = t->last_tx_ms = t->last_rx_ms = now;
	if (t->reply->cstp.rekey_method != CSTP_REKEY_NONE && t->reply->cstp.rekey_time)
		t->rekey_at_ms = now + (uint64_t)t->reply->cstp.rekey_time * 1000;
	t->max_record = gnutls_record_get_max_size(t->session);
	if (t->max_record > CSTP_FRAME_MAX_LEN)
		t->max_record = CSTP_FRAME_MAX_LEN;
	if (t->max_record < CSTP_FRAME_HEADER_LEN + t->reply->cfg.mtu)
		log_warning("TLS records hold at most %zu bytes: packets near the MTU (%u) will be "
		            "dropped",
		            t->max_record, t->reply->cfg.mtu);

	/* From here on the socket is ours to drive: non-blocking, records batched. */
	fcntl(t->fd, F_SETFL, fcntl(t->fd, F_GETFL) | O_NONBLOCK);
	gnutls_transport_set_ptr(t->session, t);
	gnutls_transport_set_push_function(t->session, worker_tunnel_push);
	gnutls_transport_set_vec_push_function(t->session, worker_tunnel_vec_push);
	gnutls_transport_set_pull_function(t->session, worker_tunnel_pull);
	gnutls_transport_set_pull_timeout_function(t->session, worker_tunnel_pull_timeout);
	t->tls_more = true;
	rx_hold_init(&t->hold, WORKER_RX_HOLD_US);

	/* The DTLS channel of this CONNECT (none with NoDtls or when the gateway offered none);
	 * TLS carries the data until its handshake completes. */
	{
		struct worker_dtls_setup ds = {
		    .reply = t->reply,
		    .tls = t->session,
		    .peer = tls_conn_peer_address(t->tls),
		    .master_secret = res->dtls_master_secret,
		    .base_mtu = mtu_base_from_socket(t->fd),
		    .hooks = {.ctx = t,
		              .deliver = worker_tunnel_dtls_deliver,
		              .resend = worker_tunnel_dtls_resend},
		};

		t->dtls = worker_dtls_new(w, &ds);
	}

	/* Frames that arrived with the CONNECT answer
	 * (docs/protocol.md "Pitfall: after CONNECT 200 everything is CSTP"). */
	while (off < res->leftover_len) {
		struct cstp_frame f;
		int n = cstp_frame_next(res->leftover + off, res->leftover_len - off, &f);

		if (n <= 0 || worker_tunnel_frame(t, &f, detail, sizeof(detail)) < 0) {
			log_warning("ignoring malformed CSTP bytes after the CONNECT answer");
			break;
		}
		off += (size_t)n;
	}
	worker_tun_flush(w->tun);
	log_info("CSTP tunnel up (keepalive %u s, DPD %u s, rekey %s every %u s)",
	         t->reply->cstp.keepalive, t->reply->cstp.dpd,
	         t->reply->cstp.rekey_method == CSTP_REKEY_SSL          ? "ssl"
	         : t->reply->cstp.rekey_method == CSTP_REKEY_NEW_TUNNEL ? "new-tunnel"
	                                                                : "none",
	         t->reply->cstp.rekey_time);
	return t;
}

void worker_tunnel_free(struct worker_tunnel *t, int disconnect_reason, const char *text)
{
	char detail[256];

	if (!t)
		return;
	/* What came in before the link ended still reaches the kernel. */
	worker_tun_flush(t->w->tun);
	worker_dtls_free(steal_ptr(&t->dtls));
	if (disconnect_reason >= 0) {
		uint8_t payload[128];
		size_t tl = text ? strlen(text) : 0;

		if (tl > sizeof(payload) - 1)
			tl = sizeof(payload) - 1;
		payload[0] = (uint8_t)disconnect_reason;
		if (tl)
			memcpy(payload + 1, text, tl);
		if (worker_tunnel_send_frame(t, CSTP_FRAME_DISCONNECT, payload, 1 + tl, detail,
		                             sizeof(detail)) == 0)
			log_info("sent DISCONNECT (reason 0x%02x)", disconnect_reason);
	}
	/* Give what is queued (the DISCONNECT) a moment to leave. */
	for (int i = 0; i < 10 && worker_tunnel_queued(t); i++) {
		struct pollfd p = {.fd = t->fd, .events = POLLOUT};

		if (worker_tunnel_flush(t, detail, sizeof(detail)) < 0)
			break;
		if (worker_tunnel_queued(t) && poll(&p, 1, 100) < 0 && errno != EINTR)
			break;
	}
	/* close_notify goes straight out (tls_conn_free sends it, best effort). */
	t->direct = true;
	if (t->dropped)
		log_info("%llu packets dropped during this tunnel", (unsigned long long)t->dropped);
	tls_conn_free(t->tls);
	cstp_connect_reply_free(t->reply);
	free(t->obuf);
	worker_batch_free(t->rx);
	secret_wipe(t->rbuf, sizeof(t->rbuf));
	secret_wipe(t->sbuf, sizeof(t->sbuf));
	free(t);
}

size_t worker_tunnel_poll_fds(struct worker_tunnel *t, struct pollfd *fds, uint64_t now_us,
                              int64_t *timeout_us)
{
	uint64_t now = now_us / 1000;
	bool room = worker_tunnel_queued(t) < WORKER_TUNNEL_HIGH_WATER &&
	            !worker_dtls_busy(t->dtls) && worker_tunnel_tun_open(t);
	/* Never while renegotiating: the quiet it waits for must be seen, not held back. */
	uint64_t hold = t->reneg == WORKER_TUNNEL_RENEG_NONE ? rx_hold_until(&t->hold, now_us) : 0;

	fds[0] = (struct pollfd){.fd = t->fd, .events = hold ? 0 : POLLIN};
	if (worker_tunnel_queued(t))
		fds[0].events |= POLLOUT;
	fds[1] = (struct pollfd){.fd = room ? t->w->tun_fd : -1, .events = POLLIN};
	fds[2] = (struct pollfd){.fd = -1};
	if (t->dtls)
		worker_dtls_poll_fd(t->dtls, &fds[2], now_us, timeout_us);
	if (t->tls_more || gnutls_record_check_pending(t->session) ||
	    worker_batch_pending(t->rx) || (t->tun_more && room)) {
		*timeout_us = 0;
		return 3;
	}
	if (hold)
		worker_timeout_lower(timeout_us, hold - now_us);
	worker_timeout_until_ms(timeout_us, now, worker_tunnel_next_timer(t, now));
	return 3;
}

int worker_tunnel_dispatch(struct worker_tunnel *t, const struct pollfd *fds, size_t n,
                           char *detail, size_t len)
{
	int r;

	if (fds[0].revents & POLLNVAL)
		return worker_tunnel_fail(detail, len, -ERR_IO, "gateway socket closed");
	if ((fds[0].revents & (POLLIN | POLLERR | POLLHUP)) || t->tls_more) {
		t->tls_more = false;
		r = worker_tunnel_read_tls(t, detail, len);
		if (r < 0)
			return r;
	}
	if (t->dtls && n > 2) {
		r = worker_dtls_dispatch(t->dtls, fds[2].revents, detail, len);
		if (r < 0)
			return r;
	}
	/* The batch from the gateway is in: merged TCP runs go to the kernel now. */
	worker_tun_flush(t->w->tun);
	if (fds[1].revents & (POLLERR | POLLNVAL))
		return worker_tunnel_fail(detail, len, -ERR_NETWORK_CONFIG,
		                          "the tun device went away");
	if (((fds[1].revents & POLLIN) || t->tun_more) && worker_tunnel_tun_open(t)) {
		r = worker_tunnel_read_tun(t, detail, len);
		if (r < 0)
			return r;
	}
	r = worker_tunnel_timers(t, detail, len);
	if (r != 0)
		return r;
	worker_dtls_flush(t->dtls);
	return worker_tunnel_flush(t, detail, len);
}
