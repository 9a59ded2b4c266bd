// SPDX-License-Identifier: GPL-2.0-or-later
#include "tls-pkcs11.h"

#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include <stdio.h>
#include <string.h>

#include "error.h"

struct tls_pkcs11_pin {
	const struct secret *pin;
	bool asked;
};

bool tls_pkcs11_is_uri(const char *s)
{
	return s && strncmp(s, "pkcs11:", 7) == 0;
}

static int tls_pkcs11_give_pin(void *userdata, int attempt, const char *token_url,
			       const char *token_label, unsigned flags, char *pin, size_t pin_max)
{
	struct tls_pkcs11_pin *p = userdata;

	p->asked = true;
	if (!p->pin || attempt > 0 || (flags & GNUTLS_PIN_WRONG) ||
	    secret_len(p->pin) + 1 > pin_max)
		return GNUTLS_E_PKCS11_PIN_ERROR;
	memcpy(pin, secret_str(p->pin), secret_len(p->pin) + 1);
	return 0;
}

static int tls_pkcs11_fail(int err, char *why, size_t len, const char *what, const char *uri,
			   int gnutls_err)
{
	if (why && len)
		snprintf(why, len, "%s %s: %s", what, uri, gnutls_strerror(gnutls_err));
	return err;
}

/* One signature, verified with the certificate's key. */
static int tls_pkcs11_try_key(gnutls_privkey_t key, gnutls_x509_crt_t crt)
{
	static const unsigned char probe[32] = "sslvpn: does the key sign?";
	gnutls_datum_t data = {(unsigned char *)probe, sizeof(probe)}, sig = {0};
	gnutls_pubkey_t pub = NULL;
	gnutls_sign_algorithm_t algo;
	int pk = gnutls_x509_crt_get_pk_algorithm(crt, NULL), r;

	if (pk < 0)
		return pk;
	algo = gnutls_pk_to_sign((gnutls_pk_algorithm_t)pk, GNUTLS_DIG_SHA256);
	r = gnutls_privkey_sign_data2(key, algo, 0, &data, &sig);
	if (r >= 0)
		r = gnutls_pubkey_init(&pub);
	if (r >= 0)
		r = gnutls_pubkey_import_x509(pub, crt, 0);
	if (r >= 0)
		r = gnutls_pubkey_verify_data2(pub, algo, 0, &data, &sig);
	gnutls_pubkey_deinit(pub);
	gnutls_free(sig.data);
	return r;
}

int tls_pkcs11_open(const char *cert_uri, const char *key_uri, const struct secret *pin,
		    struct tls_identity_parts *chain, gnutls_privkey_t *key, char *why,
		    size_t why_len)
{
	struct tls_pkcs11_pin p = {.pin = pin};
	gnutls_x509_crt_t crt = NULL;
	int r;

	memset(chain, 0, sizeof(*chain));
	*key = NULL;
	if (!key_uri)
		key_uri = cert_uri;
	chain->chain = gnutls_calloc(1, sizeof(*chain->chain));
	if (!chain->chain || gnutls_x509_crt_init(&crt) < 0) {
		tls_identity_parts_clear(chain);
		return -ERR_NOMEM;
	}
	chain->chain[0] = crt;
	chain->n_chain = 1;
	gnutls_x509_crt_set_pin_function(crt, tls_pkcs11_give_pin, &p);
	r = gnutls_x509_crt_import_url(crt, cert_uri, 0);
	if (r < 0) {
		tls_identity_parts_clear(chain);
		return tls_pkcs11_fail(p.asked ? -ERR_KEY_PASSWORD : -ERR_CLIENT_CERT, why, why_len,
				       "no certificate at", cert_uri, r);
	}
	if (gnutls_privkey_init(key) < 0) {
		tls_identity_parts_clear(chain);
		return -ERR_NOMEM;
	}
	gnutls_privkey_set_pin_function(*key, tls_pkcs11_give_pin, &p);
	r = gnutls_privkey_import_url(*key, key_uri, 0);
	if (r >= 0)
		r = tls_pkcs11_try_key(*key, crt);
	/* The callback's data lives on this stack: later logins of the token (a new session)
	 * would read it after we return. */
	gnutls_privkey_set_pin_function(*key, NULL, NULL);
	if (r >= 0)
		return 0;
	gnutls_privkey_deinit(*key);
	*key = NULL;
	tls_identity_parts_clear(chain);
	if (p.asked)
		return tls_pkcs11_fail(-ERR_KEY_PASSWORD, why, why_len,
				       pin ? "wrong PIN for" : "a PIN is needed for", key_uri, r);
	return tls_pkcs11_fail(-ERR_CLIENT_CERT, why, why_len,
			       "no usable key for the certificate at", key_uri, r);
}
