// SPDX-License-Identifier: GPL-2.0-or-later
#include "mtu.h"

#include <netinet/in.h>
#include <stddef.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

/* What openconnect subtracts from the TCP MSS when the path MTU is unknown. */
#define MTU_MSS_ADJUST 13

unsigned mtu_ip_header(int family)
{
	switch (family) {
	case AF_INET:
		return 20;
	case AF_INET6:
		return 40;
	default:
		return 0;
	}
}

unsigned mtu_base(unsigned pmtu, unsigned mss)
{
	unsigned base = 0;

	if (pmtu)
		base = pmtu;
	else if (mss > MTU_MSS_ADJUST)
		base = mss - MTU_MSS_ADJUST;
	if (!base)
		base = MTU_BASE_DEFAULT;
	return base < MTU_BASE_MIN ? MTU_BASE_MIN : base;
}

unsigned mtu_base_from_socket(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	unsigned pmtu = 0, mss = 0;
	int seg = 0;

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
	    len >= offsetof(struct tcp_info, tcpi_pmtu) + sizeof(ti.tcpi_pmtu))
		pmtu = ti.tcpi_pmtu;
	len = sizeof(seg);
	if (!pmtu && getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &seg, &len) == 0 && seg > 0)
		mss = (unsigned)seg;
	return mtu_base(pmtu, mss);
}

static unsigned mtu_sub(unsigned a, unsigned b)
{
	return a > b ? a - b : 0;
}

unsigned mtu_request(unsigned base, int family)
{
	unsigned ip = mtu_ip_header(family);

	if (!ip)
		return 0;
	return mtu_sub(base, MTU_DTLS_ALLOWANCE + MTU_UDP_HEADER + ip);
}

unsigned mtu_record_overhead(enum mtu_record rec)
{
	switch (rec) {
	case MTU_RECORD_DTLS12_AES_GCM:
		return 13 + 8 + 16;
	case MTU_RECORD_DTLS12_CHACHA20:
		return 13 + 16;
	case MTU_RECORD_DTLS_CBC_SHA1:
		return 13 + 16 + 20 + 16;
	case MTU_RECORD_TLS12_AES_GCM:
		return 5 + 8 + 16;
	case MTU_RECORD_TLS13_AEAD:
		return 5 + 1 + 16;
	}
	return 0;
}

unsigned mtu_dtls_data(unsigned link, int family, enum mtu_record rec)
{
	unsigned ip = mtu_ip_header(family), ov = mtu_record_overhead(rec);

	if (!ip || !ov)
		return 0;
	return mtu_sub(link, ip + MTU_UDP_HEADER + 1 + ov);
}

unsigned mtu_cstp_overhead(int family, enum mtu_record rec)
{
	unsigned ip = mtu_ip_header(family), ov = mtu_record_overhead(rec);

	if (!ip || !ov)
		return 0;
	return 8 + ov + MTU_TCP_HEADER + ip;
}

unsigned mtu_psk_link(unsigned base, int family)
{
	unsigned ip = mtu_ip_header(family);

	if (!ip)
		return 0;
	return mtu_sub(base, ip + MTU_UDP_HEADER);
}

unsigned mtu_choose_tun(enum mtu_dtls_mode mode, unsigned cstp_mtu, unsigned dtls_mtu,
                        unsigned psk_data_mtu)
{
	unsigned psk;

	switch (mode) {
	case MTU_DTLS_NONE:
		return cstp_mtu;
	case MTU_DTLS_LEGACY:
		return dtls_mtu ? dtls_mtu : cstp_mtu;
	case MTU_DTLS_PSK:
		/* The type byte travels inside the DTLS record too. */
		psk = mtu_sub(psk_data_mtu, 1);
		if (!psk)
			return cstp_mtu;
		if (!cstp_mtu)
			return psk;
		return psk < cstp_mtu ? psk : cstp_mtu;
	}
	return 0;
}

bool mtu_valid_tunnel(unsigned mtu, bool ipv6)
{
	return mtu >= (ipv6 ? MTU_MIN_IPV6 : MTU_MIN) && mtu <= MTU_MAX;
}
