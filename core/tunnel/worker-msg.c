// SPDX-License-Identifier: GPL-2.0-or-later
#include "worker-msg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"

#define WMSG_HEADER_LEN  8
#define WATTR_HEADER_LEN 4
#define WATTR_MAX_LEN    0xffff

/* The largest WMSG_CONFIG worker_msg_put_config() can build: every list at its cap. */
#define WATTR_SIZE(len) (WATTR_HEADER_LEN + (((len) + 3) & ~3))
_Static_assert(WMSG_HEADER_LEN + 2 * WATTR_SIZE(16) + 5 * WATTR_SIZE(4) +
                       TUNNEL_CONFIG_MAX_DNS * (WATTR_SIZE(4) + WATTR_SIZE(16)) +
                       TUNNEL_CONFIG_MAX_DOMAINS * WATTR_SIZE(TUNNEL_CONFIG_MAX_DOMAIN + 1) +
                       TUNNEL_CONFIG_MAX_ROUTES * 2 * (WATTR_SIZE(5) + WATTR_SIZE(17)) +
                       WATTR_SIZE(TUNNEL_CONFIG_MAX_BANNER + 1) + WATTR_SIZE(5) +
                       WATTR_SIZE(17) <=
                   WORKER_MSG_MAX,
               "a full WMSG_CONFIG must fit in WORKER_MSG_MAX");

enum worker_attr_kind {
	WKIND_NONE = 0, /* unknown attribute number */
	WKIND_U32,
	WKIND_U64,
	WKIND_STR,
	WKIND_BYTES, /* any length */
	WKIND_FIXED, /* exactly .size bytes */
};

static const struct {
	uint8_t kind;
	uint8_t size;
	bool repeat;
} worker_attr_info[WATTR_COUNT_] = {
    [WATTR_HOST] = {WKIND_STR, 0, false},       [WATTR_PORT] = {WKIND_U32, 4, false},
    [WATTR_ADDRESS] = {WKIND_STR, 0, false},    [WATTR_PIN] = {WKIND_STR, 0, false},
    [WATTR_COOKIE] = {WKIND_STR, 0, false},     [WATTR_NO_DTLS] = {WKIND_U32, 4, false},
    [WATTR_USER_AGENT] = {WKIND_STR, 0, false}, [WATTR_REASON] = {WKIND_U32, 4, false},
    [WATTR_ADDR4] = {WKIND_FIXED, 4, false},    [WATTR_PREFIX4] = {WKIND_U32, 4, false},
    [WATTR_ADDR6] = {WKIND_FIXED, 16, false},   [WATTR_PREFIX6] = {WKIND_U32, 4, false},
    [WATTR_MTU] = {WKIND_U32, 4, false},        [WATTR_DTLS_MTU] = {WKIND_U32, 4, false},
    [WATTR_BASE_MTU] = {WKIND_U32, 4, false},   [WATTR_DNS4] = {WKIND_FIXED, 4, true},
    [WATTR_DNS6] = {WKIND_FIXED, 16, true},     [WATTR_DOMAIN] = {WKIND_STR, 0, true},
    [WATTR_INCLUDE4] = {WKIND_FIXED, 5, true},  [WATTR_EXCLUDE4] = {WKIND_FIXED, 5, true},
    [WATTR_INCLUDE6] = {WKIND_FIXED, 17, true}, [WATTR_EXCLUDE6] = {WKIND_FIXED, 17, true},
    [WATTR_BANNER] = {WKIND_STR, 0, false},     [WATTR_STATE] = {WKIND_U32, 4, false},
    [WATTR_TRANSPORT] = {WKIND_U32, 4, false},  [WATTR_TX_BYTES] = {WKIND_U64, 8, false},
    [WATTR_RX_BYTES] = {WKIND_U64, 8, false},   [WATTR_ERROR] = {WKIND_U32, 4, false},
    [WATTR_DETAIL] = {WKIND_STR, 0, false},     [WATTR_BLOB] = {WKIND_BYTES, 0, false},
    [WATTR_DROPPED4] = {WKIND_FIXED, 5, false}, [WATTR_DROPPED6] = {WKIND_FIXED, 17, false},
};

#define A(x) (UINT64_C(1) << (x))

/* Which attributes each message type may carry; 0 = unknown type. */
static uint64_t worker_msg_allowed(uint16_t type)
{
	switch (type) {
	case WMSG_START:
		return A(WATTR_HOST) | A(WATTR_PORT) | A(WATTR_ADDRESS) | A(WATTR_PIN) |
		       A(WATTR_COOKIE) | A(WATTR_NO_DTLS) | A(WATTR_USER_AGENT);
	case WMSG_STOP:
		return A(WATTR_REASON);
	case WMSG_SET_COOKIE:
		return A(WATTR_COOKIE) | A(WATTR_PIN);
	case WMSG_CONFIG:
		return A(WATTR_ADDR4) | A(WATTR_PREFIX4) | A(WATTR_ADDR6) | A(WATTR_PREFIX6) |
		       A(WATTR_MTU) | A(WATTR_DTLS_MTU) | A(WATTR_BASE_MTU) | A(WATTR_DNS4) |
		       A(WATTR_DNS6) | A(WATTR_DOMAIN) | A(WATTR_INCLUDE4) | A(WATTR_EXCLUDE4) |
		       A(WATTR_INCLUDE6) | A(WATTR_EXCLUDE6) | A(WATTR_BANNER) |
		       A(WATTR_DROPPED4) | A(WATTR_DROPPED6);
	case WMSG_STATE:
		return A(WATTR_STATE) | A(WATTR_TRANSPORT);
	case WMSG_MTU:
		return A(WATTR_MTU);
	case WMSG_STATS:
		return A(WATTR_TX_BYTES) | A(WATTR_RX_BYTES);
	case WMSG_ERROR:
		return A(WATTR_ERROR) | A(WATTR_DETAIL);
	case WMSG_POST_AUTH_XML:
		return A(WATTR_BLOB);
	case WMSG_COOKIE_REJECTED:
		/* Known, but carries nothing: the bit outside the attribute range marks it. */
		return A(0);
	default:
		return 0;
	}
}

struct worker_msg {
	uint16_t type;
	uint64_t present; /* attributes seen, to refuse repeats of single ones */
	uint8_t *buf;     /* the whole packet: header + attributes */
	size_t len, cap;
};

static size_t worker_pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static void worker_put_u16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint16_t worker_get_u16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void worker_put_u32le(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint32_t worker_get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static struct worker_msg *worker_msg_alloc(uint16_t type, size_t cap)
{
	struct worker_msg *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->buf = calloc(1, cap);
	if (!m->buf) {
		free(m);
		return NULL;
	}
	m->cap = cap;
	m->type = type;
	return m;
}

struct worker_msg *worker_msg_new(uint16_t type)
{
	struct worker_msg *m;

	if (!worker_msg_allowed(type))
		return NULL;
	m = worker_msg_alloc(type, 256);
	if (!m)
		return NULL;
	worker_put_u16(m->buf, type);
	m->len = WMSG_HEADER_LEN;
	return m;
}

void worker_msg_free(struct worker_msg *m)
{
	if (!m)
		return;
	secret_wipe(m->buf, m->cap);
	free(m->buf);
	free(m);
}

uint16_t worker_msg_type(const struct worker_msg *m)
{
	return m->type;
}

/* Grows without realloc so that no copy of a cookie is left behind unwiped. */
static int worker_msg_reserve(struct worker_msg *m, size_t extra)
{
	size_t need = m->len + extra, cap = m->cap;
	uint8_t *nbuf;

	if (need > WORKER_MSG_MAX)
		return -ERR_TOO_LARGE;
	if (need <= cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if (cap > WORKER_MSG_MAX)
		cap = WORKER_MSG_MAX;
	nbuf = calloc(1, cap);
	if (!nbuf)
		return -ERR_NOMEM;
	memcpy(nbuf, m->buf, m->len);
	secret_wipe(m->buf, m->cap);
	free(m->buf);
	m->buf = nbuf;
	m->cap = cap;
	return 0;
}

static int worker_msg_put(struct worker_msg *m, uint16_t attr, int kind, const void *data,
                          size_t len)
{
	size_t total;
	int r;

	if (!m || attr == 0 || attr >= WATTR_COUNT_ || !(worker_msg_allowed(m->type) & A(attr)))
		return -ERR_INVALID_ARGS;
	if (worker_attr_info[attr].kind != kind)
		return -ERR_INVALID_ARGS;
	if (kind == WKIND_FIXED && len != worker_attr_info[attr].size)
		return -ERR_INVALID_ARGS;
	if (!worker_attr_info[attr].repeat && (m->present & A(attr)))
		return -ERR_INVALID_ARGS;
	if (len > WATTR_MAX_LEN)
		return -ERR_TOO_LARGE;
	total = WATTR_HEADER_LEN + worker_pad4(len);
	r = worker_msg_reserve(m, total);
	if (r < 0)
		return r;
	worker_put_u16(m->buf + m->len, attr);
	worker_put_u16(m->buf + m->len + 2, (uint16_t)len);
	if (len)
		memcpy(m->buf + m->len + WATTR_HEADER_LEN, data, len);
	memset(m->buf + m->len + WATTR_HEADER_LEN + len, 0, worker_pad4(len) - len);
	m->len += total;
	worker_put_u32le(m->buf + 4, (uint32_t)(m->len - WMSG_HEADER_LEN));
	m->present |= A(attr);
	return 0;
}

int worker_msg_put_u32(struct worker_msg *m, uint16_t attr, uint32_t v)
{
	return worker_msg_put(m, attr, WKIND_U32, &v, sizeof(v));
}

int worker_msg_put_u64(struct worker_msg *m, uint16_t attr, uint64_t v)
{
	return worker_msg_put(m, attr, WKIND_U64, &v, sizeof(v));
}

int worker_msg_put_str(struct worker_msg *m, uint16_t attr, const char *s)
{
	if (!s)
		return -ERR_INVALID_ARGS;
	return worker_msg_put(m, attr, WKIND_STR, s, strlen(s) + 1);
}

int worker_msg_put_bytes(struct worker_msg *m, uint16_t attr, const void *data, size_t len)
{
	int kind;

	if (!m || attr == 0 || attr >= WATTR_COUNT_ || (len && !data))
		return -ERR_INVALID_ARGS;
	kind = worker_attr_info[attr].kind;
	if (kind != WKIND_BYTES && kind != WKIND_FIXED)
		return -ERR_INVALID_ARGS;
	return worker_msg_put(m, attr, kind, data, len);
}

/* Checks one attribute value against its kind. */
static bool worker_attr_value_ok(uint16_t attr, const uint8_t *v, size_t len)
{
	switch (worker_attr_info[attr].kind) {
	case WKIND_U32:
	case WKIND_U64:
	case WKIND_FIXED:
		return len == worker_attr_info[attr].size;
	case WKIND_STR:
		/* Terminated exactly at the end: no missing NUL, no embedded NUL. */
		return len >= 1 && v[len - 1] == '\0' && memchr(v, '\0', len) == v + len - 1;
	case WKIND_BYTES:
		return true;
	default:
		return false;
	}
}

int worker_msg_parse(const void *buf, size_t len, struct worker_msg **out)
{
	const uint8_t *p = buf;
	uint16_t type;
	uint64_t allowed, present = 0;
	size_t off;
	struct worker_msg *m;

	*out = NULL;
	if (!p || len < WMSG_HEADER_LEN || len > WORKER_MSG_MAX)
		return -ERR_PROTOCOL;
	type = worker_get_u16(p);
	allowed = worker_msg_allowed(type);
	if (!allowed || worker_get_u16(p + 2) != 0 ||
	    worker_get_u32(p + 4) != len - WMSG_HEADER_LEN)
		return -ERR_PROTOCOL;
	for (off = WMSG_HEADER_LEN; off < len;) {
		uint16_t attr, alen;
		size_t padded;

		if (len - off < WATTR_HEADER_LEN)
			return -ERR_PROTOCOL;
		attr = worker_get_u16(p + off);
		alen = worker_get_u16(p + off + 2);
		padded = worker_pad4(alen);
		if (attr == 0 || attr >= WATTR_COUNT_ || !(allowed & A(attr)))
			return -ERR_PROTOCOL;
		if (padded > len - off - WATTR_HEADER_LEN)
			return -ERR_PROTOCOL;
		if (!worker_attr_info[attr].repeat && (present & A(attr)))
			return -ERR_PROTOCOL;
		if (!worker_attr_value_ok(attr, p + off + WATTR_HEADER_LEN, alen))
			return -ERR_PROTOCOL;
		for (size_t i = alen; i < padded; i++)
			if (p[off + WATTR_HEADER_LEN + i] != 0)
				return -ERR_PROTOCOL;
		present |= A(attr);
		off += WATTR_HEADER_LEN + padded;
	}
	m = worker_msg_alloc(type, len);
	if (!m)
		return -ERR_NOMEM;
	memcpy(m->buf, p, len);
	m->len = len;
	m->present = present;
	*out = m;
	return 0;
}

/* Finds the next attribute `attr` at or after payload offset *iter. */
static bool worker_msg_find(const struct worker_msg *m, uint16_t attr, size_t *iter,
                            const uint8_t **data, size_t *len)
{
	size_t off = WMSG_HEADER_LEN + *iter;

	while (off + WATTR_HEADER_LEN <= m->len) {
		uint16_t a = worker_get_u16(m->buf + off), l = worker_get_u16(m->buf + off + 2);
		size_t next = off + WATTR_HEADER_LEN + worker_pad4(l);

		if (next > m->len)
			return false;
		if (a == attr) {
			*data = m->buf + off + WATTR_HEADER_LEN;
			*len = l;
			*iter = next - WMSG_HEADER_LEN;
			return true;
		}
		off = next;
	}
	return false;
}

static int worker_msg_get(const struct worker_msg *m, uint16_t attr, const uint8_t **data,
                          size_t *len)
{
	size_t iter = 0;

	if (!m || attr == 0 || attr >= WATTR_COUNT_)
		return -ERR_NOT_FOUND;
	return worker_msg_find(m, attr, &iter, data, len) ? 0 : -ERR_NOT_FOUND;
}

/* An attribute of exactly `size` bytes copied to v. */
static int worker_msg_get_fixed(const struct worker_msg *m, uint16_t attr, void *v, size_t size)
{
	const uint8_t *d;
	size_t len;
	int r = worker_msg_get(m, attr, &d, &len);

	if (r < 0)
		return r;
	if (len != size)
		return -ERR_PROTOCOL;
	memcpy(v, d, size);
	return 0;
}

int worker_msg_get_u32(const struct worker_msg *m, uint16_t attr, uint32_t *v)
{
	return worker_msg_get_fixed(m, attr, v, sizeof(*v));
}

int worker_msg_get_u64(const struct worker_msg *m, uint16_t attr, uint64_t *v)
{
	return worker_msg_get_fixed(m, attr, v, sizeof(*v));
}

int worker_msg_get_str(const struct worker_msg *m, uint16_t attr, const char **s)
{
	const uint8_t *d;
	size_t len;
	int r = worker_msg_get(m, attr, &d, &len);

	if (r < 0)
		return r;
	if (worker_attr_info[attr].kind != WKIND_STR || !worker_attr_value_ok(attr, d, len))
		return -ERR_PROTOCOL;
	*s = (const char *)d;
	return 0;
}

int worker_msg_get_bytes(const struct worker_msg *m, uint16_t attr, const void **data, size_t *len)
{
	const uint8_t *d;
	int r = worker_msg_get(m, attr, &d, len);

	if (r < 0)
		return r;
	*data = d;
	return 0;
}

int worker_msg_next(const struct worker_msg *m, uint16_t attr, size_t *iter, const void **data,
                    size_t *len)
{
	const uint8_t *d;

	if (!m || attr == 0 || attr >= WATTR_COUNT_)
		return 0;
	if (!worker_msg_find(m, attr, iter, &d, len))
		return 0;
	*data = d;
	return 1;
}

int worker_msg_send(int sock, const struct worker_msg *m, const int *fds, size_t nfds)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * WORKER_MSG_MAX_FDS)];
	} control;
	struct iovec iov = {.iov_base = m->buf, .iov_len = m->len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (nfds > WORKER_MSG_MAX_FDS || (nfds && !fds))
		return -ERR_INVALID_ARGS;
	if (nfds) {
		struct cmsghdr *c;

		memset(&control, 0, sizeof(control));
		mh.msg_control = control.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	do {
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -ERR_TIMEOUT : -ERR_IO;
	return (size_t)n == m->len ? 0 : -ERR_IO;
}

int worker_msg_socket_size(int sock)
{
	int size = WORKER_MSG_MAX;

	/* The kernel doubles the value for its own bookkeeping: room for the largest message
	 * and the skb overhead. */
	return setsockopt(sock, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) == 0 ? 0 : -ERR_IO;
}

static void worker_msg_close_fds(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

int worker_msg_recv(int sock, struct worker_msg **out, int *fds, size_t *nfds)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * WORKER_MSG_MAX_FDS)];
	} control;
	int got[WORKER_MSG_MAX_FDS * 2];
	size_t ngot = 0, cap;
	_cleanup_free_ uint8_t *buf = NULL;
	struct iovec iov;
	struct msghdr mh = {.msg_iov = &iov,
	                    .msg_iovlen = 1,
	                    .msg_control = control.buf,
	                    .msg_controllen = sizeof(control.buf)};
	ssize_t n;
	int r;

	*out = NULL;
	if (nfds)
		*nfds = 0;
	/* Most messages are a few hundred bytes: peek at the length (MSG_TRUNC gives the whole
	 * datagram's) and allocate that, not WORKER_MSG_MAX every time.  An oversized message
	 * gets a one-byte buffer and is refused below as truncated. */
	do {
		n = recv(sock, NULL, 0, MSG_PEEK | MSG_TRUNC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -ERR_TIMEOUT : -ERR_IO;
	cap = n == 0 || (size_t)n > WORKER_MSG_MAX ? 1 : (size_t)n;
	buf = malloc(cap);
	if (!buf)
		return -ERR_NOMEM;
	iov = (struct iovec){.iov_base = buf, .iov_len = cap};
	do {
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -ERR_TIMEOUT : -ERR_IO;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (size_t i = 0; i < k && ngot < sizeof(got) / sizeof(got[0]); i++)
				memcpy(&got[ngot++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
		}
	}
	if (n == 0) {
		/* Our messages are never empty, so 0 is the end of the stream. */
		worker_msg_close_fds(got, ngot);
		return -ERR_IO;
	}
	if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || ngot > WORKER_MSG_MAX_FDS ||
	    (ngot && (!fds || !nfds))) {
		worker_msg_close_fds(got, ngot);
		secret_wipe(buf, (size_t)n > cap ? cap : (size_t)n);
		return -ERR_PROTOCOL;
	}
	r = worker_msg_parse(buf, (size_t)n, out);
	secret_wipe(buf, (size_t)n);
	if (r < 0) {
		worker_msg_close_fds(got, ngot);
		return r;
	}
	if (ngot) {
		memcpy(fds, got, ngot * sizeof(int));
		*nfds = ngot;
	}
	return 0;
}

int worker_msg_put_config(struct worker_msg *m, const struct tunnel_config *cfg)
{
	int r = 0;

	if (!m || !cfg || m->type != WMSG_CONFIG)
		return -ERR_INVALID_ARGS;
	if (tunnel_config_validate(cfg, NULL, 0) < 0)
		return -ERR_PROTOCOL;
	if (cfg->has_addr4) {
		r = worker_msg_put_bytes(m, WATTR_ADDR4, &cfg->addr4, 4);
		if (r == 0)
			r = worker_msg_put_u32(m, WATTR_PREFIX4, cfg->prefix4);
	}
	if (r == 0 && cfg->has_addr6) {
		r = worker_msg_put_bytes(m, WATTR_ADDR6, &cfg->addr6, 16);
		if (r == 0)
			r = worker_msg_put_u32(m, WATTR_PREFIX6, cfg->prefix6);
	}
	if (r == 0)
		r = worker_msg_put_u32(m, WATTR_MTU, cfg->mtu);
	if (r == 0 && cfg->dtls_mtu)
		r = worker_msg_put_u32(m, WATTR_DTLS_MTU, cfg->dtls_mtu);
	if (r == 0 && cfg->base_mtu)
		r = worker_msg_put_u32(m, WATTR_BASE_MTU, cfg->base_mtu);
	for (unsigned i = 0; r == 0 && i < cfg->n_dns4; i++)
		r = worker_msg_put_bytes(m, WATTR_DNS4, &cfg->dns4[i], 4);
	for (unsigned i = 0; r == 0 && i < cfg->n_dns6; i++)
		r = worker_msg_put_bytes(m, WATTR_DNS6, &cfg->dns6[i], 16);
	for (unsigned i = 0; r == 0 && i < cfg->n_domains; i++)
		r = worker_msg_put_str(m, WATTR_DOMAIN, cfg->domains[i]);
	for (unsigned i = 0; r == 0 && i < cfg->n_include4 + cfg->n_exclude4; i++) {
		bool inc = i < cfg->n_include4;
		const struct route4 *rt =
		    inc ? &cfg->include4[i] : &cfg->exclude4[i - cfg->n_include4];
		uint8_t v[5];

		memcpy(v, &rt->addr, 4);
		v[4] = rt->prefix;
		r = worker_msg_put_bytes(m, inc ? WATTR_INCLUDE4 : WATTR_EXCLUDE4, v, sizeof(v));
	}
	for (unsigned i = 0; r == 0 && i < cfg->n_include6 + cfg->n_exclude6; i++) {
		bool inc = i < cfg->n_include6;
		const struct route6 *rt =
		    inc ? &cfg->include6[i] : &cfg->exclude6[i - cfg->n_include6];
		uint8_t v[17];

		memcpy(v, &rt->addr, 16);
		v[16] = rt->prefix;
		r = worker_msg_put_bytes(m, inc ? WATTR_INCLUDE6 : WATTR_EXCLUDE6, v, sizeof(v));
	}
	if (r == 0 && cfg->banner[0])
		r = worker_msg_put_str(m, WATTR_BANNER, cfg->banner);
	if (r == 0 && cfg->dropped4) {
		uint8_t v[5];

		memcpy(v, &cfg->dropped_addr4, 4);
		v[4] = cfg->dropped_prefix4;
		r = worker_msg_put_bytes(m, WATTR_DROPPED4, v, sizeof(v));
	}
	if (r == 0 && cfg->dropped6) {
		uint8_t v[17];

		memcpy(v, &cfg->dropped_addr6, 16);
		v[16] = cfg->dropped_prefix6;
		r = worker_msg_put_bytes(m, WATTR_DROPPED6, v, sizeof(v));
	}
	return r;
}

/* Reads an optional u32 that must fit in max; absent leaves *out alone. */
static int worker_msg_get_bounded(const struct worker_msg *m, uint16_t attr, uint32_t max,
                                  uint32_t *out)
{
	uint32_t v;
	int r = worker_msg_get_u32(m, attr, &v);

	if (r == -ERR_NOT_FOUND)
		return 0;
	if (r < 0 || v > max)
		return -ERR_PROTOCOL;
	*out = v;
	return 1;
}

static int worker_msg_decode_config(const struct worker_msg *m, struct tunnel_config *cfg)
{
	const void *d;
	size_t len, iter;
	uint32_t v;
	int r;

	if (m->type != WMSG_CONFIG)
		return -ERR_PROTOCOL;

	r = worker_msg_get_bytes(m, WATTR_ADDR4, &d, &len);
	if (r == 0) {
		if (len != 4 || worker_msg_get_bounded(m, WATTR_PREFIX4, 32, &v) != 1)
			return -ERR_PROTOCOL;
		memcpy(&cfg->addr4, d, 4);
		cfg->prefix4 = (uint8_t)v;
		cfg->has_addr4 = true;
	} else if (worker_msg_get_u32(m, WATTR_PREFIX4, &v) != -ERR_NOT_FOUND) {
		return -ERR_PROTOCOL;
	}
	r = worker_msg_get_bytes(m, WATTR_ADDR6, &d, &len);
	if (r == 0) {
		if (len != 16 || worker_msg_get_bounded(m, WATTR_PREFIX6, 128, &v) != 1)
			return -ERR_PROTOCOL;
		memcpy(&cfg->addr6, d, 16);
		cfg->prefix6 = (uint8_t)v;
		cfg->has_addr6 = true;
	} else if (worker_msg_get_u32(m, WATTR_PREFIX6, &v) != -ERR_NOT_FOUND) {
		return -ERR_PROTOCOL;
	}
	if (worker_msg_get_bounded(m, WATTR_MTU, UINT32_MAX, &cfg->mtu) != 1 ||
	    worker_msg_get_bounded(m, WATTR_DTLS_MTU, UINT32_MAX, &cfg->dtls_mtu) < 0 ||
	    worker_msg_get_bounded(m, WATTR_BASE_MTU, UINT32_MAX, &cfg->base_mtu) < 0)
		return -ERR_PROTOCOL;

	for (iter = 0; worker_msg_next(m, WATTR_DNS4, &iter, &d, &len);) {
		if (len != 4 || cfg->n_dns4 >= TUNNEL_CONFIG_MAX_DNS)
			return -ERR_PROTOCOL;
		memcpy(&cfg->dns4[cfg->n_dns4++], d, 4);
	}
	for (iter = 0; worker_msg_next(m, WATTR_DNS6, &iter, &d, &len);) {
		if (len != 16 || cfg->n_dns6 >= TUNNEL_CONFIG_MAX_DNS)
			return -ERR_PROTOCOL;
		memcpy(&cfg->dns6[cfg->n_dns6++], d, 16);
	}
	for (iter = 0; worker_msg_next(m, WATTR_DOMAIN, &iter, &d, &len);) {
		if (len < 2 || len > TUNNEL_CONFIG_MAX_DOMAIN + 1 ||
		    cfg->n_domains >= TUNNEL_CONFIG_MAX_DOMAINS ||
		    !worker_attr_value_ok(WATTR_DOMAIN, d, len))
			return -ERR_PROTOCOL;
		memcpy(cfg->domains[cfg->n_domains++], d, len);
	}
	for (int kind = 0; kind < 2; kind++) {
		uint16_t attr = kind ? WATTR_EXCLUDE4 : WATTR_INCLUDE4;
		struct route4 *routes = kind ? cfg->exclude4 : cfg->include4;
		unsigned *n = kind ? &cfg->n_exclude4 : &cfg->n_include4;

		for (iter = 0; worker_msg_next(m, attr, &iter, &d, &len);) {
			if (len != 5 || *n >= TUNNEL_CONFIG_MAX_ROUTES ||
			    ((const uint8_t *)d)[4] > 32)
				return -ERR_PROTOCOL;
			memcpy(&routes[*n].addr, d, 4);
			routes[(*n)++].prefix = ((const uint8_t *)d)[4];
		}
	}
	for (int kind = 0; kind < 2; kind++) {
		uint16_t attr = kind ? WATTR_EXCLUDE6 : WATTR_INCLUDE6;
		struct route6 *routes = kind ? cfg->exclude6 : cfg->include6;
		unsigned *n = kind ? &cfg->n_exclude6 : &cfg->n_include6;

		for (iter = 0; worker_msg_next(m, attr, &iter, &d, &len);) {
			if (len != 17 || *n >= TUNNEL_CONFIG_MAX_ROUTES ||
			    ((const uint8_t *)d)[16] > 128)
				return -ERR_PROTOCOL;
			memcpy(&routes[*n].addr, d, 16);
			routes[(*n)++].prefix = ((const uint8_t *)d)[16];
		}
	}
	/* The prefix byte is any value: validate() decides whether the address was unusable. */
	if (worker_msg_get_bytes(m, WATTR_DROPPED4, &d, &len) == 0) {
		memcpy(&cfg->dropped_addr4, d, 4);
		cfg->dropped_prefix4 = ((const uint8_t *)d)[4];
		cfg->dropped4 = true;
	}
	if (worker_msg_get_bytes(m, WATTR_DROPPED6, &d, &len) == 0) {
		memcpy(&cfg->dropped_addr6, d, 16);
		cfg->dropped_prefix6 = ((const uint8_t *)d)[16];
		cfg->dropped6 = true;
	}
	r = worker_msg_get_bytes(m, WATTR_BANNER, &d, &len);
	if (r == 0) {
		if (len > TUNNEL_CONFIG_MAX_BANNER + 1 ||
		    !worker_attr_value_ok(WATTR_BANNER, d, len))
			return -ERR_PROTOCOL;
		memcpy(cfg->banner, d, len);
	}
	if (tunnel_config_validate(cfg, NULL, 0) < 0)
		return -ERR_PROTOCOL;
	return 0;
}

int worker_msg_get_config(const struct worker_msg *m, struct tunnel_config *cfg)
{
	int r;

	if (!m || !cfg)
		return -ERR_INVALID_ARGS;
	memset(cfg, 0, sizeof(*cfg));
	r = worker_msg_decode_config(m, cfg);
	if (r < 0)
		memset(cfg, 0, sizeof(*cfg));
	return r;
}
