// SPDX-License-Identifier: GPL-2.0-or-later
#include "cert-pin.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <string.h>

#include "base64.h"
#include "error.h"
#include "hex.h"

#define PIN_SHA256_PREFIX "pin-sha256:"
#define SHA256_PREFIX     "sha256:"
#define SHA1_PREFIX       "sha1:"


static int hash_spki(gnutls_x509_crt_t crt, gnutls_digest_algorithm_t alg, uint8_t *out)
{
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t der = {NULL, 0};
	int ret = -ERR_TLS;

	if (gnutls_pubkey_init(&pub) < 0)
		return -ERR_NOMEM;
	if (gnutls_pubkey_import_x509(pub, crt, 0) >= 0 &&
	    gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &der) >= 0 &&
	    gnutls_hash_fast(alg, der.data, der.size, out) >= 0)
		ret = 0;
	gnutls_free(der.data);
	gnutls_pubkey_deinit(pub);
	return ret;
}

static int hash_der(gnutls_x509_crt_t crt, uint8_t out[20])
{
	gnutls_datum_t der = {NULL, 0};
	int ret = -ERR_TLS;

	if (gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) >= 0 &&
	    gnutls_hash_fast(GNUTLS_DIG_SHA1, der.data, der.size, out) >= 0)
		ret = 0;
	gnutls_free(der.data);
	return ret;
}

int cert_pin_compute(gnutls_x509_crt_t crt, enum cert_pin_type type, struct cert_pin *out)
{
	struct cert_pin p = {.type = type};
	int ret;

	if (!crt || !out)
		return -ERR_INVALID_ARGS;
	switch (type) {
	case CERT_PIN_SPKI_SHA256:
		p.hash_len = 32;
		ret = hash_spki(crt, GNUTLS_DIG_SHA256, p.hash);
		break;
	case CERT_PIN_SPKI_SHA1:
		p.hash_len = 20;
		ret = hash_spki(crt, GNUTLS_DIG_SHA1, p.hash);
		break;
	case CERT_PIN_CERT_SHA1:
		p.hash_len = 20;
		ret = hash_der(crt, p.hash);
		break;
	default:
		return -ERR_INVALID_ARGS;
	}
	if (ret < 0)
		return ret;
	*out = p;
	return 0;
}

int cert_pin_from_cert(gnutls_x509_crt_t crt, char *pin, size_t len)
{
	struct cert_pin p;
	int ret;

	if (!pin)
		return -ERR_INVALID_ARGS;
	ret = cert_pin_compute(crt, CERT_PIN_SPKI_SHA256, &p);
	if (ret < 0)
		return ret;
	return cert_pin_format(&p, pin, len);
}

int cert_pin_sha1_hex(gnutls_x509_crt_t crt, char out[41])
{
	struct cert_pin p;
	int ret;

	if (!out)
		return -ERR_INVALID_ARGS;
	ret = cert_pin_compute(crt, CERT_PIN_CERT_SHA1, &p);
	if (ret < 0)
		return ret;
	hex_encode(p.hash, 20, out, true);
	return 0;
}

int cert_pin_parse(const char *text, struct cert_pin *out)
{
	struct cert_pin p = {0};
	size_t len;

	if (!text || !out)
		return -ERR_INVALID_ARGS;
	len = strnlen(text, CERT_PIN_TEXT_SIZE * 2);
	if (len >= CERT_PIN_TEXT_SIZE * 2)
		return -ERR_INVALID_ARGS;
	if (strncmp(text, PIN_SHA256_PREFIX, strlen(PIN_SHA256_PREFIX)) == 0) {
		p.type = CERT_PIN_SPKI_SHA256;
		p.hash_len = 32;
		if (!base64_decode_exact(text + strlen(PIN_SHA256_PREFIX), p.hash, 32))
			return -ERR_INVALID_ARGS;
	} else if (strncmp(text, SHA256_PREFIX, strlen(SHA256_PREFIX)) == 0) {
		p.type = CERT_PIN_SPKI_SHA256;
		p.hash_len = 32;
		if (!hex_decode(text + strlen(SHA256_PREFIX), p.hash, 32))
			return -ERR_INVALID_ARGS;
	} else if (strncmp(text, SHA1_PREFIX, strlen(SHA1_PREFIX)) == 0) {
		p.type = CERT_PIN_SPKI_SHA1;
		p.hash_len = 20;
		if (!hex_decode(text + strlen(SHA1_PREFIX), p.hash, 20))
			return -ERR_INVALID_ARGS;
	} else {
		p.type = CERT_PIN_CERT_SHA1;
		p.hash_len = 20;
		if (!hex_decode(text, p.hash, 20))
			return -ERR_INVALID_ARGS;
	}
	*out = p;
	return 0;
}

static bool const_time_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	volatile uint8_t diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

static bool pin_valid(const struct cert_pin *p)
{
	switch (p->type) {
	case CERT_PIN_SPKI_SHA256:
		return p->hash_len == 32;
	case CERT_PIN_SPKI_SHA1:
	case CERT_PIN_CERT_SHA1:
		return p->hash_len == 20;
	default:
		return false;
	}
}

bool cert_pin_equal(const struct cert_pin *a, const struct cert_pin *b)
{
	if (!a || !b || !pin_valid(a) || !pin_valid(b) || a->type != b->type)
		return false;
	return const_time_equal(a->hash, b->hash, a->hash_len);
}

bool cert_pin_matches(const struct cert_pin *pin, gnutls_x509_crt_t crt)
{
	struct cert_pin actual;
	bool eq;

	if (!pin || !crt || !pin_valid(pin))
		return false;
	if (cert_pin_compute(crt, pin->type, &actual) < 0)
		return false;
	eq = cert_pin_equal(pin, &actual);
	return eq;
}

int cert_pin_format(const struct cert_pin *pin, char *buf, size_t len)
{
	char tmp[CERT_PIN_TEXT_SIZE];

	if (!pin || !buf || !pin_valid(pin))
		return -ERR_INVALID_ARGS;
	switch (pin->type) {
	case CERT_PIN_SPKI_SHA256:
		strcpy(tmp, PIN_SHA256_PREFIX);
		base64_encode(pin->hash, 32, tmp + strlen(PIN_SHA256_PREFIX));
		break;
	case CERT_PIN_SPKI_SHA1:
		strcpy(tmp, SHA1_PREFIX);
		hex_encode(pin->hash, 20, tmp + strlen(SHA1_PREFIX), false);
		break;
	case CERT_PIN_CERT_SHA1:
		hex_encode(pin->hash, 20, tmp, true);
		break;
	}
	if (strlen(tmp) >= len)
		return -ERR_TOO_LARGE;
	strcpy(buf, tmp);
	return 0;
}
