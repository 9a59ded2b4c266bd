/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The CSTP CONNECT exchange (docs/protocol.md "Phase 5: CSTP CONNECT"):
 *  - cstp_connect_request_build() writes the request bytes (they hold the cookie, so they come
 *    back as a struct secret);
 *  - struct cstp_connect_reply collects the answer's headers, fed one by one in the order
 *    received (cstp_connect_reply_add_header()), then cstp_connect_reply_finish() checks the
 *    whole and validates the IP configuration with tunnel_config_validate().
 *
 * Reply parsing is strict: header names are matched case-insensitively, unknown headers are
 * ignored, and every value of a known header must parse completely.  Single-valued headers may
 * not repeat; routes, DNS servers and domains accumulate in order up to the caps of
 * tunnel-config.h (more is an error, never a silent drop).  The only repair is the one
 * docs/protocol.md "The CONNECT answer headers" asks for: host bits set in a route are cleared
 * (with a warning).
 * Compression was not offered, so a Content-Encoding answer is -ERR_UNSUPPORTED.
 * X-CSTP-Post-Auth-XML is XML and may hold the session token: it is only size-checked, kept
 * as an opaque secret and never logged or parsed here.
 */
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cleanup.h"
#include "secret.h"
#include "tunnel-config.h"

#define CSTP_CONNECT_PATH     "/CSCOSSLC/tunnel"
#define CSTP_CONNECT_PROTOCOL "Copyright (c) 2004 Cisco Systems, Inc."

#define CSTP_CONNECT_MAX_POST_AUTH_XML (48 * 1024)
#define CSTP_CONNECT_MAX_SUITE         63 /* chosen DTLS suite name */
#define CSTP_CONNECT_MAX_APP_ID        32 /* bytes (a ClientHello session id holds 32) */
#define CSTP_CONNECT_SESSION_ID_LEN    32 /* X-DTLS-Session-ID: exactly 64 hex digits */
#define CSTP_CONNECT_MAX_USER_AGENT    256
#define CSTP_CONNECT_MAX_COOKIE        4096

struct cstp_connect_request {
	const char *host;            /* gateway name as the user gave it (Host:) */
	uint16_t port;               /* 443 if 0; Host: gets ":port" otherwise */
	const char *user_agent;      /* printable ASCII */
	const struct secret *cookie; /* webvpn cookie value; Cookie: webvpn=<it>, nothing else */
	const char *hostname;        /* X-CSTP-Hostname; NULL = header omitted */
	unsigned base_mtu;           /* X-CSTP-Base-MTU (mtu_base_from_socket()) */
	unsigned mtu;                /* X-CSTP-MTU (mtu_request()) */
	bool ipv4_only;              /* Address-Type IPv4, no Full-IPv6-Capability */
	/* Reconnect: ask for the addresses we had (docs/protocol.md "The CONNECT request");
	 * NULL = none. */
	const struct in_addr *prev_addr4;
	const struct in6_addr *prev_addr6;
	/* DTLS: with all three NULL no X-DTLS-* header is sent and the gateway runs TLS only. */
	const struct secret *dtls_master_secret; /* 48 bytes, sent as 96 hex digits */
	const char *dtls_ciphers;                /* X-DTLS-CipherSuite list */
	const char *dtls12_ciphers;              /* X-DTLS12-CipherSuite list */
};

/*
 * Builds "CONNECT /CSCOSSLC/tunnel HTTP/1.1" with, in this order: Host, User-Agent, Cookie,
 * X-CSTP-Version, X-CSTP-Hostname, X-CSTP-Protocol, X-CSTP-Base-MTU, X-CSTP-MTU,
 * X-CSTP-Address-Type, X-CSTP-Full-IPv6-Capability, X-CSTP-Address (IPv4, then IPv6),
 * X-DTLS-Master-Secret, X-DTLS-CipherSuite, X-DTLS12-CipherSuite (names in exactly this case).
 * Returns 0 or -ERR_INVALID_ARGS (missing or unsafe value: a host that is neither a DNS name
 * nor an IP literal, a user agent or cookie with control characters, spaces or ';' in the
 * cookie, an invalid hostname, a master secret not 48 bytes, cipher lists not made of
 * [A-Za-z0-9_:-]) or -ERR_NOMEM.
 */
int cstp_connect_request_build(const struct cstp_connect_request *req, struct secret **out);

/* 200 -> 0, 401 -> -ERR_COOKIE_REJECTED, anything else -> -ERR_HTTP_STATUS. */
int cstp_connect_status_result(int status);

enum cstp_rekey_method {
	CSTP_REKEY_NONE = 0, /* absent, "none" */
	CSTP_REKEY_SSL,
	CSTP_REKEY_NEW_TUNNEL,
};

/* Which header named the chosen DTLS suite: the same name means different DTLS versions
 * (docs/protocol.md "Pitfall: a DTLS suite's version depends on its header"). */
enum cstp_dtls_suite_header {
	CSTP_DTLS_SUITE_NONE = 0,
	CSTP_DTLS_SUITE_DTLS,   /* X-DTLS-CipherSuite */
	CSTP_DTLS_SUITE_DTLS12, /* X-DTLS12-CipherSuite */
};

struct cstp_connect_timers {
	uint32_t keepalive; /* seconds; 0 = disabled ("none" or absent) */
	uint32_t dpd;
	uint32_t rekey_time;
	enum cstp_rekey_method rekey_method;
};

struct cstp_connect_reply {
	struct tunnel_config cfg; /* cfg.mtu = X-CSTP-MTU, cfg.dtls_mtu = X-DTLS-MTU (or 0) */

	struct cstp_connect_timers cstp; /* X-CSTP-Keepalive, -DPD, -Rekey-Time, -Rekey-Method */
	struct cstp_connect_timers dtls; /* X-DTLS-Keepalive, ... */
	uint32_t idle_timeout;           /* seconds; 0 = none */
	uint32_t session_timeout;
	uint32_t session_timeout_remaining;
	uint32_t session_timeout_alert;
	uint32_t lease_duration;
	uint32_t disconnected_timeout;
	bool dyndns;           /* re-resolve the gateway on reconnect */
	bool tunnel_all_dns;   /* X-CSTP-Tunnel-All-DNS: true */
	bool local_lan_access; /* exclude 0.0.0.0/255.255.255.255 was sent (and dropped) */
	unsigned n_split_dns;
	char split_dns[TUNNEL_CONFIG_MAX_DOMAINS][TUNNEL_CONFIG_MAX_DOMAIN + 1];

	/* DTLS parameters (docs/protocol.md "Phase 6: the DTLS channel"); all zero when the
	 * gateway offered no DTLS. */
	uint16_t dtls_port;
	bool has_dtls_session_id;
	uint8_t dtls_session_id[CSTP_CONNECT_SESSION_ID_LEN];
	size_t dtls_app_id_len; /* 0 = no X-DTLS-App-ID */
	uint8_t dtls_app_id[CSTP_CONNECT_MAX_APP_ID];
	char dtls_suite[CSTP_CONNECT_MAX_SUITE + 1];
	enum cstp_dtls_suite_header dtls_suite_header;

	struct secret *post_auth_xml; /* NULL if absent; never log it */

	char error[256]; /* why add_header()/finish() failed (English, no secret) */

	/* Parser state, not part of the result. */
	struct {
		uint64_t seen; /* single-valued headers met so far */
		bool has_mask4, has_mask6, has_legacy6, has_ip6;
		uint8_t mask4_prefix, mask6_prefix, ip6_prefix;
		struct in6_addr legacy6, ip6;
		bool finished;
	} parse_;
};

struct cstp_connect_reply *cstp_connect_reply_new(void);    /* NULL on ENOMEM */
void cstp_connect_reply_free(struct cstp_connect_reply *r); /* wipes the Post-Auth-XML */

/* One response header.  0, or -ERR_PROTOCOL / -ERR_TOO_LARGE / -ERR_UNSUPPORTED with
 * r->error set; after an error the reply must not be used. */
int cstp_connect_reply_add_header(struct cstp_connect_reply *r, const char *name,
                                  const char *value);

/* All headers seen: derives prefixes, checks that an address and X-CSTP-MTU came, leaves out
 * a family whose address is unusable while the other works (tunnel_config_drop_unusable())
 * and runs tunnel_config_validate().  0 or -ERR_PROTOCOL with r->error set. */
int cstp_connect_reply_finish(struct cstp_connect_reply *r);

/* Feeds every header of a parsed response (core/net/http-response.h) in order, then finish(). */
struct http_response;
int cstp_connect_reply_from_http(struct cstp_connect_reply *r, const struct http_response *resp);

DEFINE_CLEANUP(struct cstp_connect_reply *, cstp_connect_reply_free)
