/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * sslvpn-worker: the unprivileged data path of one connection
 * (docs/architecture.md "Trust boundary", docs/architecture.md "Data path").
 *
 * It inherits fd 3 (SOCK_SEQPACKET to sslvpn-helper) and fd 4 (the configured tun device) and
 * runs as the worker user.  Everything the gateway sends after the login is parsed here.
 * States: docs/state-machines.md "Worker" (enum worker_run_state, worker_enter_state()).
 *
 * Files, one job each:
 *   worker.c          main(), the state machine (worker_enter_state) and the poll loop
 *   worker-priv.c     refusing to run privileged; the seccomp allow-list
 *   worker-ipc.c      messages to and from the helper
 *   worker-connect.c  TLS + CONNECT exchange (blocking, with a timeout)
 *   worker-tunnel.c   the CSTP data path: batches between tun and TLS, keepalive, DPD
 *   worker-dtls.c     the DTLS data channel: tries and fallback, sealing, DTLS DPD
 *   worker-dtls-phase.c  the channel's session phase (pure, in worker-pure)
 *   worker-udp.c      the channel's UDP transport: GnuTLS push/pull, GSO sends, GRO receives
 *   worker-tun.c      the tun device: offloads, splitting super-packets, merged writes
 *   worker-batch.c    reading the CSTP socket in batches (one recv for many TLS records)
 */
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backoff.h"
#include "cstp-connect.h"
#include "secret.h"
#include "tls-conn.h"
#include "tunnel-config.h"
#include "worker-msg.h"

#define WORKER_HELPER_FD 3
#define WORKER_TUN_FD    4
/* Same default as the login's (core/auth/auth.h), which the worker must not include. */
#define WORKER_DEFAULT_USER_AGENT "AnyConnect Linux_64 4.10.07061"
/* One connect attempt (TCP + TLS + CONNECT answer) may take this long. */
#define WORKER_CONNECT_TIMEOUT_MS 15000
/* Receive moderation of the gateway's sockets (proto/rx-hold.h): how long a socket that
 * streams records rests after a drain emptied it.  In a stream a record waits at most this. */
#define WORKER_RX_HOLD_US 250

enum worker_run_state {
	WORKER_RUN_STARTING,     /* waiting for WMSG_START */
	WORKER_RUN_PREPARED,     /* TLS opened ahead of the login; waiting for WMSG_SET_COOKIE */
	WORKER_RUN_CONNECTING,   /* first TLS + CONNECT (on the prepared TLS, if any) */
	WORKER_RUN_CONNECTED,    /* data path over CSTP */
	WORKER_RUN_RECONNECTING, /* link lost: new TLS + CONNECT with the same cookie, backoff */
	WORKER_RUN_COOKIE_WAIT,  /* 401: waiting for WMSG_SET_COOKIE or WMSG_STOP */
	WORKER_RUN_STOPPING,     /* saying goodbye; exits 0 */
	WORKER_RUN_FAILED,       /* sent WMSG_ERROR; exits 1 */
};

struct worker_tunnel;
struct worker_tun;

struct worker {
	enum worker_run_state state;
	enum worker_transport transport; /* what carries the data while CONNECTED */
	int helper_fd, tun_fd;
	struct worker_tun *tun; /* the tun device's reads and writes (worker-tun.c) */
	bool helper_gone;    /* socket EOF: leave quietly */
	int exit_code;

	/* From WMSG_START (and SET_COOKIE). */
	char *host, *address, *pin, *user_agent;
	uint16_t port;
	struct secret *cookie;
	bool no_dtls;
	int cert_fd, key_fd;
	uint8_t stop_reason; /* DISCONNECT reason byte on STOP (WATTR_REASON, default 0xb0) */

	/* The last configuration the gateway gave (reconnects ask for its addresses). */
	struct tunnel_config *cfg;
	bool have_cfg;
	struct secret *post_auth_xml; /* last one sent to the helper */

	struct tls_conn *prepared;    /* PREPARED: the TLS link, certificate not checked yet */
	struct worker_tunnel *tunnel; /* while CONNECTED */
	struct backoff *backoff;
	uint64_t retry_at_ms; /* RECONNECTING: next attempt (monotonic ms) */
	int last_error;       /* why the last attempt or the link failed (positive code) */

	uint64_t tx_bytes, rx_bytes; /* over the whole life of the worker */
	uint64_t stats_sent_tx, stats_sent_rx, stats_at_ms;
};

/* worker.c */
void worker_enter_state(struct worker *w, enum worker_run_state state);
/* While CONNECTED: the DTLS channel took over the data or gave it back to TLS.  Reported
 * to the helper by the same path as the run state. */
void worker_enter_transport(struct worker *w, enum worker_transport transport);
uint64_t worker_now_ms(void);
uint64_t worker_now_us(void);
/* Lowers a poll timeout (*timeout_us, -1: none) to wake after wait_us at the latest. */
void worker_timeout_lower(int64_t *timeout_us, uint64_t wait_us);
/* The same for a deadline in monotonic ms (UINT64_MAX: none). */
void worker_timeout_until_ms(int64_t *timeout_us, uint64_t now_ms, uint64_t at_ms);
/* Fatal: WMSG_ERROR with err and detail, then FAILED. */
void worker_fail(struct worker *w, int err, const char *detail);
/* May a new connect attempt help after this error (network, TLS, DPD, HTTP status)? */
bool worker_error_transient(int err);

/* worker-priv.c */
/* Refuses (-ERR_ACCESS_DENIED, logged) any uid/gid 0 or any capability. */
int worker_priv_check(void);
/* PR_SET_NO_NEW_PRIVS and, when built with libseccomp, the syscall allow-list. */
int worker_priv_lockdown(void);

/* worker-ipc.c */
int worker_ipc_send_state(struct worker *w, uint32_t state, uint32_t transport);
int worker_ipc_send_config(struct worker *w, const struct tunnel_config *cfg);
int worker_ipc_send_post_auth_xml(struct worker *w, const struct secret *xml);
int worker_ipc_send_stats(struct worker *w);
int worker_ipc_send_error(struct worker *w, int err, const char *detail);
int worker_ipc_send_cookie_rejected(struct worker *w);
/* WMSG_MTU: the helper applies it to the tun device. */
int worker_ipc_send_mtu(struct worker *w, uint32_t mtu);
/* Reads one message and acts on it (START, STOP, SET_COOKIE).  0, or negative when the helper
 * is gone or broke the protocol (then the worker stops). */
int worker_ipc_handle(struct worker *w);
/* Blocks until WMSG_START arrives and stores it in w. */
int worker_ipc_wait_start(struct worker *w);

/* worker-connect.c */
struct worker_connect_result {
	struct tls_conn *tls;
	struct cstp_connect_reply *reply;
	struct secret *dtls_master_secret; /* sent as X-DTLS-Master-Secret (NULL: no DTLS) */
	uint8_t *leftover; /* CSTP bytes that came with the answer's last record */
	size_t leftover_len;
	int http_status;
	char detail[256]; /* why it failed (English, no secret) */
};
/* 0 (result filled), -ERR_COOKIE_REJECTED (401), or another error with detail set.  Uses the
 * prepared TLS link (checking the pin first) when there is one. */
int worker_connect(struct worker *w, struct worker_connect_result *res);
/* PREPARED: TCP + TLS without the pin (nothing is sent until worker_connect checks it). */
int worker_connect_prepare(struct worker *w, char *detail, size_t len);
void worker_connect_result_clear(struct worker_connect_result *res);

/* worker-tunnel.c */
/* Takes over res->tls and res->reply. */
struct worker_tunnel *worker_tunnel_new(struct worker *w, struct worker_connect_result *res);
/* Sends DISCONNECT (reason byte + text) if the link is up, flushes briefly, closes. */
void worker_tunnel_free(struct worker_tunnel *t, int disconnect_reason, const char *text);
/* poll() set-up and dispatch: fills fds[0..n) and returns n; *timeout_us (-1: none) is lowered
 * to the next timer or the end of a receive hold, as of now_us (worker_now_us()). */
size_t worker_tunnel_poll_fds(struct worker_tunnel *t, struct pollfd *fds, uint64_t now_us,
                              int64_t *timeout_us);
/* After poll: moves data, runs timers.  Returns 0 (fine), WORKER_TUNNEL_REKEY (time for a new
 * tunnel), or -ERR_* with the reason in detail: the link is lost (worker_error_transient()
 * says whether a reconnect may help: -ERR_IO, -ERR_TLS, -ERR_TIMEOUT, -ERR_DPD_TIMEOUT) or
 * ended for good (-ERR_GATEWAY_CLOSED, -ERR_PROTOCOL from a malformed frame, a tun error). */
#define WORKER_TUNNEL_REKEY 1
int worker_tunnel_dispatch(struct worker_tunnel *t, const struct pollfd *fds, size_t n,
                           char *detail, size_t len);

/* worker-dtls.c */
struct worker_dtls;
struct worker_dtls_hooks {
	void *ctx;
	/* A DATA packet from the gateway, for the tun device. */
	void (*deliver)(void *ctx, const uint8_t *pkt, size_t len);
	/* A tunnel packet DTLS took but could not send: send it over CSTP (0 if done). */
	int (*resend)(void *ctx, const uint8_t *pkt, size_t len);
};
struct worker_dtls_setup {
	const struct cstp_connect_reply *reply; /* this CONNECT's answer (kept by the caller) */
	gnutls_session_t tls;                   /* its TLS session: the PSK key comes from it */
	const char *peer;                       /* numeric address of the gateway (TLS peer) */
	const struct secret *master_secret;     /* sent with this CONNECT (legacy method) */
	unsigned base_mtu;                      /* our estimate, when the gateway sent none */
	struct worker_dtls_hooks hooks;
};
/* NULL when this tunnel has no DTLS (NoDtls, not offered or chosen, unusable parameters:
 * logged).  The first try starts at the first worker_dtls_dispatch() (poll returns at once). */
struct worker_dtls *worker_dtls_new(struct worker *w, const struct worker_dtls_setup *setup);
void worker_dtls_free(struct worker_dtls *d);
/* DTLS carries the data now. */
bool worker_dtls_up(const struct worker_dtls *d);
/* Fresh keys: an established DTLS session is closed (TLS carries the data) and a new one
 * tried at once.  Nothing while DTLS is not up. */
void worker_dtls_rekey(struct worker_dtls *d, const char *why);
/* Sealed datagrams wait for the socket: do not read more packets. */
bool worker_dtls_busy(const struct worker_dtls *d);
/* Takes one tunnel packet (copied) for the next flush: 0, or -ERR_BUSY (DTLS not up) /
 * -ERR_TOO_LARGE (bigger than a record takes): send it over CSTP instead. */
int worker_dtls_send(struct worker_dtls *d, const uint8_t *pkt, size_t len);
/* Seals and sends what is queued (once per wakeup). */
void worker_dtls_flush(struct worker_dtls *d);
/* The UDP socket (fd -1 when there is none) and the next timer or end of a receive hold, as of
 * now_us (worker_now_us()). */
void worker_dtls_poll_fd(struct worker_dtls *d, struct pollfd *pfd, uint64_t now_us,
                         int64_t *timeout_us);
/* After poll: handshake, records, timers.  0, or -ERR_GATEWAY_CLOSED with detail. */
int worker_dtls_dispatch(struct worker_dtls *d, short revents, char *detail, size_t len);

/* worker-tun.c (offloads on the tun device: docs/architecture.md "Data path") */
/* Before worker_priv_lockdown() (ioctls): on a device with IFF_VNET_HDR, enables what the
 * kernel accepts of CSUM|TSO4|TSO6|TSO_ECN|USO4|USO6 (SSLVPN_TUN_OFFLOAD=0: none). */
int worker_tun_new(struct worker *w, int fd, struct worker_tun **out);
void worker_tun_free(struct worker_tun *t);
/* Gets one IP packet for the gateway, placed at out (at most room bytes): 0 on success, or a
 * negative error that stops the read. */
typedef int (*worker_tun_packet_fn)(void *user_data, uint8_t *pkt, size_t len);
/* One read from tun: every packet it gives (a super-packet is split into packets of at most
 * room bytes) goes to fn, which may send out[] on.  1 (something was read; malformed
 * packets are counted and dropped), 0 (nothing to read), fn's error, or
 * -ERR_NETWORK_CONFIG (the device failed; logged). */
int worker_tun_read(struct worker_tun *t, uint8_t *out, size_t room, worker_tun_packet_fn fn,
                    void *user_data);
/* A DATA packet from the gateway (anything not IPv4/IPv6 is dropped).  With offloads it may be
 * held to merge with the next ones: call worker_tun_flush() at the end of each batch. */
void worker_tun_write(struct worker_tun *t, const uint8_t *pkt, size_t len);
void worker_tun_flush(struct worker_tun *t);

/* worker-batch.c: the CSTP socket read in batches for GnuTLS's pull function */
struct worker_batch;
struct worker_batch *worker_batch_new(int fd);
void worker_batch_free(struct worker_batch *b);
/* Like recv(MSG_DONTWAIT): bytes (served from one big recv), 0 at EOF, -1 with errno. */
ssize_t worker_batch_pull(struct worker_batch *b, void *dst, size_t len);
/* Bytes wait in the buffer (the socket may not be readable: do not wait in poll). */
bool worker_batch_pending(const struct worker_batch *b);
