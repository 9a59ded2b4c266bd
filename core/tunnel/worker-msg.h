/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Messages between sslvpn-helper (root) and sslvpn-worker (unprivileged) over a
 * SOCK_SEQPACKET socketpair: one message per packet, so no framing state can be desynchronised.
 *
 * Wire format (host byte order: both ends are the same machine):
 *   u16 type, u16 reserved (0), u32 payload length, then attributes:
 *   u16 attr, u16 length, value, padded with zeros to 4 bytes.
 * The decoder is strict: unknown message types, unknown attributes, wrong fixed sizes,
 * non-zero padding, strings without their terminating NUL or with an embedded NUL, and
 * trailing bytes are all errors (-ERR_PROTOCOL).  The helper treats any such message from the
 * worker as hostile: it kills the worker and restores the network.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cleanup.h"
#include "secret.h"
#include "tunnel-config.h"

/* A WMSG_CONFIG with every route list full is about 300 KiB (checked at compile time in
 * worker-msg.c); that is more than a socket's default send buffer: see
 * worker_msg_socket_size(). */
#define WORKER_MSG_MAX     (512 * 1024)
#define WORKER_MSG_MAX_FDS 4

enum worker_msg_type {
	/* helper -> worker */
	/* HOST PORT ADDRESS PIN COOKIE [NO_DTLS] [USER_AGENT]; fds: none, or the client
	 * certificate (PEM with key, or PKCS#12), or certificate and key.  The tun fd is not
	 * sent here: the worker inherits it as fd 4 (and the helper socket as fd 3). */
	WMSG_START = 1,
	WMSG_STOP = 2,       /* [REASON]: send DISCONNECT (REASON = its reason byte, default
			      * 0xb0) and exit */
	WMSG_SET_COOKIE = 3, /* COOKIE [PIN]: after a re-login, reconnect with it (and the pin
			      * of a certificate the user accepted during that login) */
	/* worker -> helper */
	WMSG_CONFIG = 16,          /* tunnel_config attributes; sent after every successful CONNECT */
	WMSG_STATE = 17,           /* STATE TRANSPORT */
	WMSG_MTU = 18,             /* MTU: apply to the tun device now */
	WMSG_STATS = 19,           /* TX_BYTES RX_BYTES */
	WMSG_ERROR = 20,           /* ERROR [DETAIL]: the worker exits after sending it */
	WMSG_COOKIE_REJECTED = 21, /* the gateway refused the cookie; waiting for SET_COOKIE or STOP */
	WMSG_POST_AUTH_XML = 22,   /* BLOB: X-CSTP-Post-Auth-XML, untouched, for the owner only */
};

enum worker_attr {
	WATTR_HOST = 1,       /* string: gateway host name as the user gave it (SNI, Host:) */
	WATTR_PORT,           /* u32 */
	WATTR_ADDRESS,        /* string: numeric IP the login resolved the host to */
	WATTR_PIN,            /* string: pin-sha256:... */
	WATTR_COOKIE,         /* string, secret */
	WATTR_NO_DTLS,        /* u32 0/1 */
	WATTR_USER_AGENT,     /* string */
	WATTR_REASON,         /* u32 */
	WATTR_ADDR4,          /* 4 bytes */
	WATTR_PREFIX4,        /* u32 */
	WATTR_ADDR6,          /* 16 bytes */
	WATTR_PREFIX6,        /* u32 */
	WATTR_MTU,            /* u32 */
	WATTR_DTLS_MTU,       /* u32 */
	WATTR_BASE_MTU,       /* u32 */
	WATTR_DNS4,           /* 4 bytes, repeated */
	WATTR_DNS6,           /* 16 bytes, repeated */
	WATTR_DOMAIN,         /* string, repeated */
	WATTR_INCLUDE4,       /* 5 bytes (address, prefix), repeated */
	WATTR_EXCLUDE4,       /* 5 bytes, repeated */
	WATTR_INCLUDE6,       /* 17 bytes, repeated */
	WATTR_EXCLUDE6,       /* 17 bytes, repeated */
	WATTR_BANNER,         /* string */
	WATTR_STATE,          /* u32 enum worker_link */
	WATTR_TRANSPORT,      /* u32 enum worker_transport */
	WATTR_TX_BYTES,       /* u64 */
	WATTR_RX_BYTES,       /* u64 */
	WATTR_ERROR,          /* u32 enum error_code (positive) */
	WATTR_DETAIL,         /* string: English detail for logs, never secret */
	WATTR_BLOB,           /* bytes */
	WATTR_DROPPED4,       /* 5 bytes (address, prefix): a family left out of the tunnel */
	WATTR_DROPPED6,       /* 17 bytes */
	WATTR_COUNT_
};

/* WATTR_STATE: how far the worker's link to the gateway is (not its own run state, which has
 * more steps the helper does not see). */
enum worker_link {
	WORKER_LINK_CONNECTING = 1,
	WORKER_LINK_UP,
	WORKER_LINK_RECONNECTING,
};

enum worker_transport {
	WORKER_TRANSPORT_NONE = 0,
	WORKER_TRANSPORT_TLS,
	WORKER_TRANSPORT_DTLS,
};

struct worker_msg;

void worker_msg_free(struct worker_msg *m); /* wipes the buffer: it may hold a cookie */
uint16_t worker_msg_type(const struct worker_msg *m);

/* NULL on ENOMEM or an unknown type. */
struct worker_msg *worker_msg_new(uint16_t type);

/* Builders: return 0 or -ERR_TOO_LARGE / -ERR_NOMEM, or -ERR_INVALID_ARGS when the attribute
 * is unknown, not allowed in this message type, of another kind or size (put_u32 on a string
 * attribute, 3 bytes for an IPv4 address), or not repeatable and already present. */
int worker_msg_put_u32(struct worker_msg *m, uint16_t attr, uint32_t v);
int worker_msg_put_u64(struct worker_msg *m, uint16_t attr, uint64_t v);
int worker_msg_put_str(struct worker_msg *m, uint16_t attr, const char *s);
int worker_msg_put_bytes(struct worker_msg *m, uint16_t attr, const void *data, size_t len);

/* Strict decoder of one packet (see above).  Fuzzed. */
int worker_msg_parse(const void *buf, size_t len, struct worker_msg **out);

/* Accessors on a parsed or built message.  get_* return 0, -ERR_NOT_FOUND, or -ERR_PROTOCOL
 * on a size mismatch.  Repeated attributes are walked with worker_msg_next(): *iter starts
 * at 0; returns 1 with the value, 0 at the end. */
int worker_msg_get_u32(const struct worker_msg *m, uint16_t attr, uint32_t *v);
int worker_msg_get_u64(const struct worker_msg *m, uint16_t attr, uint64_t *v);
int worker_msg_get_str(const struct worker_msg *m, uint16_t attr, const char **s);
int worker_msg_get_bytes(const struct worker_msg *m, uint16_t attr, const void **data,
			 size_t *len);
int worker_msg_next(const struct worker_msg *m, uint16_t attr, size_t *iter, const void **data,
		    size_t *len);

/* I/O on a SOCK_SEQPACKET socket, with optional file descriptors (SCM_RIGHTS, at most
 * WORKER_MSG_MAX_FDS).
 * send: 0, -ERR_INVALID_ARGS (too many fds), -ERR_TIMEOUT (non-blocking socket full), -ERR_IO.
 * recv: returns 0 and a message, -ERR_IO on EOF or a socket error, -ERR_TIMEOUT when a
 * non-blocking socket has nothing, -ERR_PROTOCOL on a malformed or truncated packet (or fds
 * when fds is NULL).  fds must have room for WORKER_MSG_MAX_FDS; received fds are stored in
 * fds[0..*nfds), marked close-on-exec, and owned by the caller (closed on error, and then
 * *nfds is 0).  fds and nfds may both be NULL when no fds are expected. */
int worker_msg_send(int sock, const struct worker_msg *m, const int *fds, size_t nfds);
/* Lets `sock` send messages of WORKER_MSG_MAX bytes.  A SOCK_SEQPACKET message must fit the
 * sender's send buffer (net.core.wmem_default, often 208 KiB, else EMSGSIZE), and the
 * unprivileged worker could not raise its own past net.core.wmem_max: the helper forces it
 * (CAP_NET_ADMIN) on both ends before the fork.  0 or -ERR_IO. */
int worker_msg_socket_size(int sock);
int worker_msg_recv(int sock, struct worker_msg **out, int *fds, size_t *nfds);

/* struct tunnel_config <-> WMSG_CONFIG attributes.  put refuses (-ERR_PROTOCOL) a config
 * that fails tunnel_config_validate(); get zeroes *cfg, decodes strictly (ADDR4 needs PREFIX4,
 * counts within the caps) and then validates: -ERR_PROTOCOL on any failure. */
int worker_msg_put_config(struct worker_msg *m, const struct tunnel_config *cfg);
int worker_msg_get_config(const struct worker_msg *m, struct tunnel_config *cfg);

DEFINE_CLEANUP(struct worker_msg *, worker_msg_free)
