// SPDX-License-Identifier: GPL-2.0-or-later
/* The CONNECT request (docs/protocol.md "The CONNECT request"); the answer is read by
 * cstp-connect.c. */
#include "cstp-connect.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "hex.h"

/* A growable buffer that is wiped whenever it moves or dies: it holds the cookie. */
struct cstp_buf {
	char *data;
	size_t len, cap;
	bool failed;
};

static void cstp_buf_release(struct cstp_buf *b)
{
	secret_wipe(b->data, b->cap);
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

static void cstp_buf_append(struct cstp_buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *nd;

		while (cap < b->len + n + 1)
			cap *= 2;
		nd = malloc(cap);
		if (!nd) {
			b->failed = true;
			return;
		}
		if (b->len)
			memcpy(nd, b->data, b->len);
		cstp_buf_release(b);
		b->data = nd;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void cstp_buf_puts(struct cstp_buf *b, const char *s)
{
	cstp_buf_append(b, s, strlen(s));
}

static void cstp_buf_header(struct cstp_buf *b, const char *name, const char *value)
{
	cstp_buf_puts(b, name);
	cstp_buf_puts(b, ": ");
	cstp_buf_puts(b, value);
	cstp_buf_puts(b, "\r\n");
}

static void cstp_buf_header_uint(struct cstp_buf *b, const char *name, unsigned v)
{
	char num[16];

	snprintf(num, sizeof(num), "%u", v);
	cstp_buf_header(b, name, num);
}

static bool cstp_is_ip_literal(const char *s, int *family)
{
	unsigned char buf[sizeof(struct in6_addr)];

	if (inet_pton(AF_INET, s, buf) == 1) {
		*family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, buf) == 1) {
		*family = AF_INET6;
		return true;
	}
	return false;
}

/* Printable ASCII only (no CR/LF/NUL: nothing can smuggle a header in). */
static bool cstp_printable(const char *s, size_t max, bool allow_space)
{
	size_t n = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++, n++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c > 0x7e || (!allow_space && c == ' '))
			return false;
	}
	return n <= max;
}

static bool cstp_cipher_list_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 1024)
		return false;
	for (; *s; s++) {
		char c = *s;

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == ':'))
			return false;
	}
	return true;
}

int cstp_connect_request_build(const struct cstp_connect_request *req, struct secret **out)
{
	struct cstp_buf b = {0};
	char tmp[INET6_ADDRSTRLEN + 16];
	int family = 0;
	bool host_ip;
	const char *cookie;

	*out = NULL;
	if (!req || !req->host || !req->user_agent || !req->cookie)
		return -ERR_INVALID_ARGS;
	host_ip = cstp_is_ip_literal(req->host, &family);
	if (!host_ip && !tunnel_config_domain_valid(req->host))
		return -ERR_INVALID_ARGS;
	if (!cstp_printable(req->user_agent, CSTP_CONNECT_MAX_USER_AGENT, true))
		return -ERR_INVALID_ARGS;
	cookie = secret_str(req->cookie);
	if (secret_len(req->cookie) != strlen(cookie) ||
	    !cstp_printable(cookie, CSTP_CONNECT_MAX_COOKIE, false) || strchr(cookie, ';'))
		return -ERR_INVALID_ARGS;
	if (req->hostname && !tunnel_config_domain_valid(req->hostname))
		return -ERR_INVALID_ARGS;
	if (!req->base_mtu || !req->mtu || req->base_mtu > 65535 || req->mtu > 65535)
		return -ERR_INVALID_ARGS;
	if (req->dtls_master_secret && secret_len(req->dtls_master_secret) != 48)
		return -ERR_INVALID_ARGS;
	if ((req->dtls_ciphers && !cstp_cipher_list_ok(req->dtls_ciphers)) ||
	    (req->dtls12_ciphers && !cstp_cipher_list_ok(req->dtls12_ciphers)))
		return -ERR_INVALID_ARGS;

	cstp_buf_puts(&b, "CONNECT " CSTP_CONNECT_PATH " HTTP/1.1\r\n");
	/* Host: an IPv6 literal needs brackets; the port only when it is not 443. */
	cstp_buf_puts(&b, "Host: ");
	if (family == AF_INET6)
		cstp_buf_puts(&b, "[");
	cstp_buf_puts(&b, req->host);
	if (family == AF_INET6)
		cstp_buf_puts(&b, "]");
	if (req->port && req->port != 443) {
		snprintf(tmp, sizeof(tmp), ":%u", req->port);
		cstp_buf_puts(&b, tmp);
	}
	cstp_buf_puts(&b, "\r\n");
	cstp_buf_header(&b, "User-Agent", req->user_agent);
	cstp_buf_puts(&b, "Cookie: webvpn=");
	cstp_buf_append(&b, cookie, secret_len(req->cookie));
	cstp_buf_puts(&b, "\r\n");
	cstp_buf_header(&b, "X-CSTP-Version", "1");
	if (req->hostname)
		cstp_buf_header(&b, "X-CSTP-Hostname", req->hostname);
	cstp_buf_header(&b, "X-CSTP-Protocol", CSTP_CONNECT_PROTOCOL);
	cstp_buf_header_uint(&b, "X-CSTP-Base-MTU", req->base_mtu);
	cstp_buf_header_uint(&b, "X-CSTP-MTU", req->mtu);
	if (req->ipv4_only) {
		cstp_buf_header(&b, "X-CSTP-Address-Type", "IPv4");
	} else {
		cstp_buf_header(&b, "X-CSTP-Address-Type", "IPv6,IPv4");
		cstp_buf_header(&b, "X-CSTP-Full-IPv6-Capability", "true");
	}
	if (req->prev_addr4) {
		inet_ntop(AF_INET, req->prev_addr4, tmp, sizeof(tmp));
		cstp_buf_header(&b, "X-CSTP-Address", tmp);
	}
	if (req->prev_addr6) {
		inet_ntop(AF_INET6, req->prev_addr6, tmp, sizeof(tmp));
		cstp_buf_header(&b, "X-CSTP-Address", tmp);
	}
	if (req->dtls_master_secret) {
		char ms_hex[97];

		hex_encode(secret_str(req->dtls_master_secret), 48, ms_hex, true);
		cstp_buf_header(&b, "X-DTLS-Master-Secret", ms_hex);
		secret_wipe(ms_hex, sizeof(ms_hex));
	}
	if (req->dtls_ciphers)
		cstp_buf_header(&b, "X-DTLS-CipherSuite", req->dtls_ciphers);
	if (req->dtls12_ciphers)
		cstp_buf_header(&b, "X-DTLS12-CipherSuite", req->dtls12_ciphers);
	cstp_buf_puts(&b, "\r\n");

	if (b.failed) {
		cstp_buf_release(&b);
		return -ERR_NOMEM;
	}
	*out = secret_new(b.data, b.len);
	cstp_buf_release(&b);
	return *out ? 0 : -ERR_NOMEM;
}
