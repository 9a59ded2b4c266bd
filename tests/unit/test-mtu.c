// SPDX-License-Identifier: GPL-2.0-or-later
#include <glib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mtu.h"

/* docs/protocol.md "MTU computation": base 1500 over IPv4 gives 1390. */
static void test_request(void)
{
	g_assert_cmpuint(mtu_request(1500, AF_INET), ==, 1390);
	g_assert_cmpuint(mtu_request(1500, AF_INET6), ==, 1370);
	g_assert_cmpuint(mtu_request(1406, AF_INET), ==, 1296);
	g_assert_cmpuint(mtu_request(110, AF_INET), ==, 0);
	g_assert_cmpuint(mtu_request(100, AF_INET), ==, 0);
	g_assert_cmpuint(mtu_request(1500, AF_UNIX), ==, 0);
	g_assert_cmpuint(MTU_DTLS_ALLOWANCE, ==, 1 + 13 + 20 + 32 + 16);
}

static void test_base(void)
{
	g_assert_cmpuint(mtu_base(1500, 0), ==, 1500);
	g_assert_cmpuint(mtu_base(1500, 1448), ==, 1500); /* pmtu wins */
	g_assert_cmpuint(mtu_base(0, 1448), ==, 1435);    /* mss - 13 */
	g_assert_cmpuint(mtu_base(0, 0), ==, 1406);
	g_assert_cmpuint(mtu_base(576, 0), ==, 1280); /* never below 1280 */
	g_assert_cmpuint(mtu_base(0, 500), ==, 1280);
	g_assert_cmpuint(mtu_base(9000, 0), ==, 9000);
}

/* docs/protocol.md "MTU computation", ocserv: base 1375 with AES-128-GCM DTLS 1.2:
 * 1375 - 20 - 8 - 1 - (13 + 8 + 16) = 1309. */
static void test_dtls_data(void)
{
	g_assert_cmpuint(mtu_record_overhead(MTU_RECORD_DTLS12_AES_GCM), ==, 37);
	g_assert_cmpuint(mtu_dtls_data(1375, AF_INET, MTU_RECORD_DTLS12_AES_GCM), ==, 1309);
	g_assert_cmpuint(mtu_dtls_data(1375, AF_INET6, MTU_RECORD_DTLS12_AES_GCM), ==, 1289);
	g_assert_cmpuint(mtu_dtls_data(1500, AF_INET, MTU_RECORD_DTLS12_CHACHA20), ==,
	                 1500 - 20 - 8 - 1 - 29);
	g_assert_cmpuint(mtu_dtls_data(1500, AF_INET, MTU_RECORD_DTLS_CBC_SHA1), ==,
	                 1500 - 20 - 8 - 1 - 65);
	g_assert_cmpuint(mtu_dtls_data(50, AF_INET, MTU_RECORD_DTLS12_AES_GCM), ==, 0);
	g_assert_cmpuint(mtu_dtls_data(1500, 0, MTU_RECORD_DTLS12_AES_GCM), ==, 0);
	g_assert_cmpuint(mtu_record_overhead((enum mtu_record)99), ==, 0);
}

static void test_overheads(void)
{
	/* docs/protocol.md "MTU computation", overheads: 8 + 5 + 8 + 16 + 20 + 20. */
	g_assert_cmpuint(mtu_cstp_overhead(AF_INET, MTU_RECORD_TLS12_AES_GCM), ==, 77);
	g_assert_cmpuint(mtu_cstp_overhead(AF_INET6, MTU_RECORD_TLS13_AEAD), ==,
	                 8 + 5 + 1 + 16 + 20 + 40);
	g_assert_cmpuint(mtu_psk_link(1500, AF_INET), ==, 1472);
	g_assert_cmpuint(mtu_psk_link(1500, AF_INET6), ==, 1452);
	g_assert_cmpuint(mtu_psk_link(20, AF_INET), ==, 0);
}

static void test_choose(void)
{
	/* No DTLS: X-CSTP-MTU, even if X-DTLS-MTU is larger
	 * (docs/protocol.md "Pitfall: the two MTUs are not interchangeable"). */
	g_assert_cmpuint(mtu_choose_tun(MTU_DTLS_NONE, 1367, 1390, 0), ==, 1367);
	/* Legacy: X-DTLS-MTU if present (ASA capture 1367/1390). */
	g_assert_cmpuint(mtu_choose_tun(MTU_DTLS_LEGACY, 1367, 1390, 0), ==, 1390);
	g_assert_cmpuint(mtu_choose_tun(MTU_DTLS_LEGACY, 1367, 0, 0), ==, 1367);
	/* PSK: data MTU minus the type byte, but never above X-CSTP-MTU. */
	g_assert_cmpuint(mtu_choose_tun(MTU_DTLS_PSK, 1400, 0, 1435), ==, 1400);
	g_assert_cmpuint(mtu_choose_tun(MTU_DTLS_PSK, 1400, 0, 1310), ==, 1309);
	g_assert_cmpuint(mtu_choose_tun(MTU_DTLS_PSK, 1400, 0, 0), ==, 1400);
	g_assert_cmpuint(mtu_choose_tun(MTU_DTLS_PSK, 0, 0, 1310), ==, 1309);
}

static void test_valid(void)
{
	g_assert_false(mtu_valid_tunnel(575, false));
	g_assert_true(mtu_valid_tunnel(576, false));
	g_assert_false(mtu_valid_tunnel(1279, true));
	g_assert_true(mtu_valid_tunnel(1280, true));
	g_assert_true(mtu_valid_tunnel(9000, true));
	g_assert_false(mtu_valid_tunnel(9001, false));
}

static void test_socket(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	/* An unconnected socket knows nothing: the default (or what MSS it reports). */
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpuint(mtu_base_from_socket(fd), >=, MTU_BASE_MIN);
	close(fd);
	g_assert_cmpuint(mtu_base_from_socket(-1), ==, MTU_BASE_DEFAULT);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/mtu/request", test_request);
	g_test_add_func("/mtu/base", test_base);
	g_test_add_func("/mtu/dtls-data", test_dtls_data);
	g_test_add_func("/mtu/overheads", test_overheads);
	g_test_add_func("/mtu/choose", test_choose);
	g_test_add_func("/mtu/valid", test_valid);
	g_test_add_func("/mtu/socket", test_socket);
	return g_test_run();
}
