// SPDX-License-Identifier: GPL-2.0-or-later
#include "dtls-suite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/*
 * Legacy suites we offer.  Order = order in the offer.  The X-DTLS-CipherSuite ones after
 * PSK-NEGOTIATE are DTLS 1.2 AES-GCM (openconnect's "OC-" names) and the pre-RFC DTLS 0.9
 * CBC suites Cisco gateways speak; the X-DTLS12-CipherSuite ones are Cisco's DTLS 1.2 names.
 * ECDHE-RSA in a fake session only names the suite: no key exchange happens on resumption.
 *
 * No TLS extension at all in the hello
 * (docs/protocol.md "Pitfall: no TLS extensions in the legacy DTLS hello"): GnuTLS 3.7.9's
 * GNUTLS_NO_EXTENSIONS init flag still sends signature_algorithms, session_ticket,
 * renegotiation_info and record_size_limit (checked by tests/unit/test-dtls-session.c); the
 * %NO_EXTENSIONS priority keyword sends none.  Safe renegotiation off as on ocserv's end (no SCSV
 * either).
 */
#define DTLS_PRIO_TAIL       ":+SIGN-ALL:%COMPAT:%NO_EXTENSIONS:%DISABLE_SAFE_RENEGOTIATION"
#define DTLS_PRIO_GCM(c, kx) "NONE:+VERS-DTLS1.2:+COMP-NULL:+" c ":+AEAD:+" kx DTLS_PRIO_TAIL
#define DTLS_PRIO_CBC(c)     "NONE:+VERS-DTLS0.9:+COMP-NULL:+" c ":+SHA1:+RSA" DTLS_PRIO_TAIL

static const struct dtls_suite dtls_suites[] = {
    {"OC-DTLS1_2-AES256-GCM", false, GNUTLS_DTLS1_2, GNUTLS_KX_RSA, GNUTLS_CIPHER_AES_256_GCM,
     GNUTLS_MAC_AEAD, DTLS_PRIO_GCM("AES-256-GCM", "RSA")},
    {"OC-DTLS1_2-AES128-GCM", false, GNUTLS_DTLS1_2, GNUTLS_KX_RSA, GNUTLS_CIPHER_AES_128_GCM,
     GNUTLS_MAC_AEAD, DTLS_PRIO_GCM("AES-128-GCM", "RSA")},
    {"AES256-SHA", false, GNUTLS_DTLS0_9, GNUTLS_KX_RSA, GNUTLS_CIPHER_AES_256_CBC, GNUTLS_MAC_SHA1,
     DTLS_PRIO_CBC("AES-256-CBC")},
    {"AES128-SHA", false, GNUTLS_DTLS0_9, GNUTLS_KX_RSA, GNUTLS_CIPHER_AES_128_CBC, GNUTLS_MAC_SHA1,
     DTLS_PRIO_CBC("AES-128-CBC")},
    {"ECDHE-RSA-AES256-GCM-SHA384", true, GNUTLS_DTLS1_2, GNUTLS_KX_ECDHE_RSA,
     GNUTLS_CIPHER_AES_256_GCM, GNUTLS_MAC_AEAD, DTLS_PRIO_GCM("AES-256-GCM", "ECDHE-RSA")},
    {"ECDHE-RSA-AES128-GCM-SHA256", true, GNUTLS_DTLS1_2, GNUTLS_KX_ECDHE_RSA,
     GNUTLS_CIPHER_AES_128_GCM, GNUTLS_MAC_AEAD, DTLS_PRIO_GCM("AES-128-GCM", "ECDHE-RSA")},
    {"AES256-GCM-SHA384", true, GNUTLS_DTLS1_2, GNUTLS_KX_RSA, GNUTLS_CIPHER_AES_256_GCM,
     GNUTLS_MAC_AEAD, DTLS_PRIO_GCM("AES-256-GCM", "RSA")},
    {"AES128-GCM-SHA256", true, GNUTLS_DTLS1_2, GNUTLS_KX_RSA, GNUTLS_CIPHER_AES_128_GCM,
     GNUTLS_MAC_AEAD, DTLS_PRIO_GCM("AES-128-GCM", "RSA")},
};

#define DTLS_SUITE_N (sizeof(dtls_suites) / sizeof(dtls_suites[0]))

/* Built once from the table; both fit easily. */
static char dtls_offer[256], dtls_offer12[256];

static void dtls_suite_build_offers(void)
{
	size_t o = 0, o12 = 0;

	if (dtls_offer[0])
		return;
	o = (size_t)snprintf(dtls_offer, sizeof(dtls_offer), "%s", DTLS_SUITE_PSK_NEGOTIATE);
	for (size_t i = 0; i < DTLS_SUITE_N; i++) {
		const struct dtls_suite *s = &dtls_suites[i];

		if (s->dtls12)
			o12 += (size_t)snprintf(dtls_offer12 + o12, sizeof(dtls_offer12) - o12,
			                        "%s%s", o12 ? ":" : "", s->name);
		else
			o += (size_t)snprintf(dtls_offer + o, sizeof(dtls_offer) - o, ":%s",
			                      s->name);
	}
}

const char *dtls_suite_offer(void)
{
	dtls_suite_build_offers();
	return dtls_offer;
}

const char *dtls_suite_offer12(void)
{
	dtls_suite_build_offers();
	return dtls_offer12;
}

enum dtls_method dtls_suite_choose(const char *name, bool dtls12, const struct dtls_suite **suite)
{
	if (suite)
		*suite = NULL;
	if (!name)
		return DTLS_METHOD_NONE;
	if (strcmp(name, DTLS_SUITE_PSK_NEGOTIATE) == 0)
		return dtls12 ? DTLS_METHOD_NONE : DTLS_METHOD_PSK;
	for (size_t i = 0; i < DTLS_SUITE_N; i++) {
		if (dtls_suites[i].dtls12 == dtls12 && strcmp(dtls_suites[i].name, name) == 0) {
			if (suite)
				*suite = &dtls_suites[i];
			return DTLS_METHOD_LEGACY;
		}
	}
	return DTLS_METHOD_NONE;
}

int dtls_suite_psk_priority(const char *tls_priority, char *out, size_t len)
{
	int n;

	if (!tls_priority || !*tls_priority || !out)
		return -ERR_INVALID_ARGS;
	/* Removing ChaCha20 and adding it again moves it to the end: without AES acceleration
	 * (docs/architecture.md "Data path") it is ten times slower here, but a gateway that
	 * matches the DTLS cipher to a ChaCha20 TLS session offers nothing else. */
	n = snprintf(out, len,
	             "%s:-VERS-TLS-ALL:+VERS-DTLS-ALL:-KX-ALL:+PSK:-CHACHA20-POLY1305:"
	             "+CHACHA20-POLY1305",
	             tls_priority);
	if (n < 0 || (size_t)n >= len)
		return -ERR_TOO_LARGE;
	return 0;
}

/* "a.b.c" with each part 0..999, optionally followed by a non-digit suffix. */
static bool dtls_suite_parse_version(const char *v, unsigned part[3])
{
	const char *p = v;

	for (int i = 0; i < 3; i++) {
		unsigned x = 0;
		int digits = 0;

		while (*p >= '0' && *p <= '9' && digits < 4) {
			x = x * 10 + (unsigned)(*p - '0');
			p++;
			digits++;
		}
		if (!digits || digits > 3)
			return false;
		part[i] = x;
		if (i < 2) {
			if (*p != '.')
				return false;
			p++;
		}
	}
	return !(*p >= '0' && *p <= '9') && *p != '.';
}

bool dtls_suite_gnutls_ok(const char *version)
{
	unsigned v[3];
	unsigned n;

	if (!version || !dtls_suite_parse_version(version, v))
		return false;
	n = v[0] * 1000000 + v[1] * 1000 + v[2];
	return n < 3006003 || n > 3006012;
}

int dtls_suite_psk_key(gnutls_session_t tls, uint8_t key[DTLS_SUITE_PSK_KEY_LEN])
{
	int r;

	if (!tls)
		return -ERR_INVALID_ARGS;
	/* gnutls_prf without context = RFC 5705 exporter with no context; ocserv and
	 * openconnect make exactly this call, so the keys match byte for byte. */
	r = gnutls_prf(tls, strlen(DTLS_SUITE_PSK_LABEL), DTLS_SUITE_PSK_LABEL, 0, 0, NULL,
	               DTLS_SUITE_PSK_KEY_LEN, (char *)key);
	if (r < 0) {
		memset(key, 0, DTLS_SUITE_PSK_KEY_LEN);
		return -ERR_TLS;
	}
	return 0;
}
