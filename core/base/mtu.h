/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * MTU arithmetic of docs/protocol.md "MTU computation".  Pure functions (apart from
 * mtu_base_from_socket()) so its worked examples are unit tests:
 *   mtu_request(1500, AF_INET) = 1390                 (openconnect's request)
 *   mtu_dtls_data(1375, AF_INET, MTU_RECORD_DTLS12_AES_GCM) = 1309   (ocserv's answer)
 * "family" is always the family of the OUTER connection to the gateway.
 */
#include <stdbool.h>
#include <stdint.h>

#define MTU_MIN          576  /* smallest tunnel MTU we accept (IPv4 minimum datagram) */
#define MTU_MIN_IPV6     1280 /* IPv6 needs this inside the tunnel */
#define MTU_MAX          9000 /* largest tunnel MTU we accept */
#define MTU_BASE_DEFAULT 1406 /* when the socket tells nothing */
#define MTU_BASE_MIN     1280 /* the base MTU estimate never goes below this */
/* openconnect's generous DTLS allowance: type 1 + header 13 + MAC 20 + IV 32 + padding 16. */
#define MTU_DTLS_ALLOWANCE 82
#define MTU_UDP_HEADER     8
#define MTU_TCP_HEADER     20

/* Record protections whose per-record overhead we know (ciphertext header + nonce + tag/MAC +
 * worst-case padding; the DTLS/CSTP type bytes are not included). */
enum mtu_record {
	MTU_RECORD_DTLS12_AES_GCM,  /* 13 + 8 + 16 */
	MTU_RECORD_DTLS12_CHACHA20, /* 13 + 16 */
	MTU_RECORD_DTLS_CBC_SHA1,   /* 13 + 16 IV + 20 MAC + 16 padding (worst case) */
	MTU_RECORD_TLS12_AES_GCM,   /* 5 + 8 + 16 */
	MTU_RECORD_TLS13_AEAD,      /* 5 + 1 + 16 */
};

/* Which MTU the tun device should have (docs/protocol.md "MTU computation"). */
enum mtu_dtls_mode {
	MTU_DTLS_NONE,   /* no DTLS (not offered, not up yet, or given up): X-CSTP-MTU */
	MTU_DTLS_LEGACY, /* legacy resumption: X-DTLS-MTU if present, else X-CSTP-MTU */
	MTU_DTLS_PSK,    /* PSK-NEGOTIATE: min(computed DTLS data MTU, X-CSTP-MTU) */
};

/* IP header size of a family (20 for AF_INET, 40 for AF_INET6, 0 otherwise). */
unsigned mtu_ip_header(int family);

/* Base (outer path) MTU estimate: pmtu if known (non-zero), else mss - 13, else 1406; never
 * below MTU_BASE_MIN. */
unsigned mtu_base(unsigned pmtu, unsigned mss);
/* The same from a connected TCP socket (TCP_INFO.tcpi_pmtu, TCP_MAXSEG). */
unsigned mtu_base_from_socket(int fd);

/* Tunnel MTU to ask for in X-CSTP-MTU: base - 82 - 8 - IP header; 0 if base is too small. */
unsigned mtu_request(unsigned base, int family);

/* Per-record overhead of a protection (see enum mtu_record); 0 for an unknown value. */
unsigned mtu_record_overhead(enum mtu_record rec);

/* ocserv's DTLS data MTU from a link MTU: link - IP - UDP - 1 (type byte) - record overhead;
 * 0 if the link MTU is too small. */
unsigned mtu_dtls_data(unsigned link, int family, enum mtu_record rec);

/* Per-packet outer overhead of CSTP: 8 (CSTP) + record + TCP + IP. */
unsigned mtu_cstp_overhead(int family, enum mtu_record rec);

/* PSK mode: the MTU to give gnutls_dtls_set_mtu(): base - IP - UDP (0 if too small). */
unsigned mtu_psk_link(unsigned base, int family);

/*
 * The tun MTU: cstp_mtu = X-CSTP-MTU, dtls_mtu = X-DTLS-MTU (0 if absent), psk_data_mtu =
 * gnutls_dtls_get_data_mtu() of the PSK session (0 if unknown).  0 if nothing usable.
 */
unsigned mtu_choose_tun(enum mtu_dtls_mode mode, unsigned cstp_mtu, unsigned dtls_mtu,
                        unsigned psk_data_mtu);

/* Is this a tunnel MTU we accept (576..9000, and >= 1280 when IPv6 is configured)? */
bool mtu_valid_tunnel(unsigned mtu, bool ipv6);
