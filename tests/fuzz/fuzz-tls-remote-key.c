// SPDX-License-Identifier: GPL-2.0-or-later
/* The signer's side of a token key: every request comes from the worker, which parses
 * gateway data and is trusted no further than that.  One input = one request datagram. */
#include <gnutls/abstract.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz-check.h"
#include "log.h"
#include "tls-remote-key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_quiet(int priority, const char *message, void *user_data)
{
	(void)priority;
	(void)message;
	(void)user_data;
}

static gnutls_privkey_t fuzz_key(void)
{
	static gnutls_privkey_t key;

	if (!key) {
		CHECK(gnutls_privkey_init(&key) == 0);
		CHECK(gnutls_privkey_generate(key, GNUTLS_PK_ECDSA,
					      GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1),
					      0) == 0);
	}
	return key;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char ans[4 + TLS_REMOTE_KEY_MAX_SIGNATURE];
	int sv[2], r;
	ssize_t n;

	/* An empty datagram reads as the worker closing its end. */
	if (size == 0 || size > 12 + TLS_REMOTE_KEY_MAX_INPUT + 64)
		return 0;
	log_set_sink(fuzz_quiet, NULL);
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	CHECK(send(sv[0], data, size, 0) == (ssize_t)size);
	r = tls_remote_key_serve(sv[1], fuzz_key());
	CHECK(r == 0);
	n = recv(sv[0], ans, sizeof(ans), MSG_DONTWAIT);
	CHECK(n >= 4);
	/* Signed means a signature came too, and only for a request of the key's kind. */
	if (ans[0] == 0 && ans[1] == 0 && ans[2] == 0 && ans[3] == 0)
		CHECK(n > 4 && size > 12 && data[0] >= 1 && data[0] <= 2);
	else
		CHECK(n == 4);
	close(sv[0]);
	close(sv[1]);
	return 0;
}
