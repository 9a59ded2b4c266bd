// SPDX-License-Identifier: GPL-2.0-or-later
#include "tls-identity.h"

#include <gnutls/abstract.h>
#include <gnutls/pkcs12.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "file-write.h"
#include "log.h"
#include "tls-remote-key.h"

#define TLS_IDENTITY_MAX_FILE (1024 * 1024)

static int tls_identity_fail(int err, char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int tls_identity_fail(int err, char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return err;
}

static const char *tls_identity_name(const char *path)
{
	return path ? path : "the certificate descriptor";
}

/* GnuTLS says "decryption failed" for a missing or wrong password on an encrypted key and
 * "MAC verification failed" for one on a PKCS#12 file: both mean "ask for the password". */
static bool tls_identity_password_error(int r)
{
	return r == GNUTLS_E_DECRYPTION_FAILED || r == GNUTLS_E_MAC_VERIFY_FAILED;
}

static void tls_identity_free_datum(gnutls_datum_t *d)
{
	if (d->data) {
		secret_wipe(d->data, d->size);
		gnutls_free(d->data);
	}
	d->data = NULL;
	d->size = 0;
}

/* Reads a file by name, or a descriptor from its start (the worker gets descriptors only). */
static int tls_identity_read(const char *path, int fd, gnutls_datum_t *out, char *why,
			     size_t len)
{
	_cleanup_close_ int own = -1;
	struct stat st;
	unsigned char *buf;
	size_t got = 0;

	if (path) {
		own = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (own < 0)
			return tls_identity_fail(-ERR_CLIENT_CERT, why, len, "cannot open %s: %s", path,
						 strerror(errno));
		fd = own;
	} else if (fd < 0) {
		return tls_identity_fail(-ERR_CLIENT_CERT, why, len, "no certificate given");
	} else {
		lseek(fd, 0, SEEK_SET);
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > TLS_IDENTITY_MAX_FILE)
		return tls_identity_fail(-ERR_CLIENT_CERT, why, len,
					 "%s is not a regular file of 1 byte to 1 MiB",
					 tls_identity_name(path));
	buf = gnutls_malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ERR_NOMEM;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			secret_wipe(buf, got);
			gnutls_free(buf);
			return tls_identity_fail(-ERR_CLIENT_CERT, why, len, "cannot read %s",
						 tls_identity_name(path));
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	out->data = buf;
	out->size = (unsigned)got;
	return 0;
}

/* The key stays with the login side, which signs through this socket (tls-remote-key.h). */
static bool tls_identity_key_is_remote(const struct tls_identity *id)
{
	struct stat st;

	return id->key_fd >= 0 && fstat(id->key_fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

static bool tls_identity_is_pem(const gnutls_datum_t *d)
{
	return memmem(d->data, d->size, "-----BEGIN ", 11) != NULL;
}

static int tls_identity_pkcs12(const gnutls_datum_t *data, const char *password, const char *name,
			       struct tls_identity_parts *out, char *why, size_t len)
{
	gnutls_pkcs12_t p12;
	int r;

	if (gnutls_pkcs12_init(&p12) < 0)
		return -ERR_NOMEM;
	r = gnutls_pkcs12_import(p12, data, GNUTLS_X509_FMT_DER, 0);
	if (r < 0) {
		gnutls_pkcs12_deinit(p12);
		return tls_identity_fail(-ERR_CLIENT_CERT, why, len,
					 "%s is neither PEM, a DER certificate nor PKCS#12", name);
	}
	/* A file made without a password has an empty one (or none at all: no MAC). */
	r = gnutls_pkcs12_verify_mac(p12, password ? password : "");
	if (r < 0 && r != GNUTLS_E_UNKNOWN_HASH_ALGORITHM && !password)
		r = gnutls_pkcs12_verify_mac(p12, NULL);
	if (r >= 0 || r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		r = gnutls_pkcs12_simple_parse(p12, password ? password : "", &out->key, &out->chain,
					       &out->n_chain, NULL, NULL, NULL, 0);
	gnutls_pkcs12_deinit(p12);
	if (r >= 0)
		return 0;
	if (tls_identity_password_error(r))
		return tls_identity_fail(-ERR_KEY_PASSWORD, why, len,
					 password ? "wrong password for %s" : "%s needs a password",
					 name);
	return tls_identity_fail(-ERR_CLIENT_CERT, why, len, "cannot read the PKCS#12 file %s: %s",
				 name, gnutls_strerror(r));
}

static int tls_identity_key(const gnutls_datum_t *data, const char *password, const char *name,
			    gnutls_x509_privkey_t *key, char *why, size_t len)
{
	gnutls_x509_crt_fmt_t fmt = tls_identity_is_pem(data) ? GNUTLS_X509_FMT_PEM
							      : GNUTLS_X509_FMT_DER;
	int r;

	if (fmt == GNUTLS_X509_FMT_PEM && !memmem(data->data, data->size, "PRIVATE KEY-----", 16))
		return tls_identity_fail(-ERR_CLIENT_CERT, why, len,
					 "%s holds no private key: name the key file too",
					 name);
	if (gnutls_x509_privkey_init(key) < 0)
		return -ERR_NOMEM;
	r = gnutls_x509_privkey_import2(*key, data, fmt, password, 0);
	if (r >= 0)
		return 0;
	gnutls_x509_privkey_deinit(*key);
	*key = NULL;
	if (tls_identity_password_error(r) ||
	    (!password && (memmem(data->data, data->size, "ENCRYPTED", 9) ||
			   r == GNUTLS_E_INVALID_PASSWORD)))
		return tls_identity_fail(-ERR_KEY_PASSWORD, why, len,
					 password ? "wrong password for the key in %s"
						  : "the key in %s needs a password",
					 name);
	return tls_identity_fail(-ERR_CLIENT_CERT, why, len, "cannot read the key in %s: %s", name,
				 gnutls_strerror(r));
}

/* A key that is not the leaf's would only fail later, in the handshake, with a vaguer error. */
static bool tls_identity_key_matches(const struct tls_identity_parts *p)
{
	unsigned char a[64], b[64];
	size_t la = sizeof(a), lb = sizeof(b);

	return gnutls_x509_crt_get_key_id(p->chain[0], GNUTLS_KEYID_USE_SHA256, a, &la) >= 0 &&
	       gnutls_x509_privkey_get_key_id(p->key, GNUTLS_KEYID_USE_SHA256, b, &lb) >= 0 &&
	       la == lb && memcmp(a, b, la) == 0;
}

void tls_identity_parts_clear(struct tls_identity_parts *p)
{
	for (unsigned i = 0; i < p->n_chain; i++)
		gnutls_x509_crt_deinit(p->chain[i]);
	gnutls_free(p->chain);
	if (p->key)
		gnutls_x509_privkey_deinit(p->key);
	memset(p, 0, sizeof(*p));
}

/* A DER file is one certificate (its key in a second file) or a PKCS#12 bundle. */
static int tls_identity_der_cert(const gnutls_datum_t *data, struct tls_identity_parts *out)
{
	out->chain = gnutls_calloc(1, sizeof(*out->chain));
	if (!out->chain || gnutls_x509_crt_init(&out->chain[0]) < 0)
		return -ERR_NOMEM;
	out->n_chain = 1;
	if (gnutls_x509_crt_import(out->chain[0], data, GNUTLS_X509_FMT_DER) >= 0)
		return 0;
	tls_identity_parts_clear(out);
	return -ERR_CLIENT_CERT;
}

static int tls_identity_decode_data(const struct tls_identity *id, const gnutls_datum_t *cert,
				    struct tls_identity_parts *out, char *why, size_t len)
{
	const char *password = id->password ? secret_str(id->password) : NULL;
	const char *name = tls_identity_name(id->cert_file);
	gnutls_datum_t key = {0};
	int r;

	if (tls_identity_is_pem(cert)) {
		r = gnutls_x509_crt_list_import2(&out->chain, &out->n_chain, cert,
						 GNUTLS_X509_FMT_PEM, 0);
		if (r < 0 || out->n_chain == 0)
			return tls_identity_fail(-ERR_CLIENT_CERT, why, len,
						 "%s holds no readable certificate", name);
	} else {
		r = tls_identity_der_cert(cert, out);
		if (r == -ERR_CLIENT_CERT)
			return tls_identity_pkcs12(cert, password, name, out, why, len);
		if (r < 0)
			return r;
	}
	if (tls_identity_key_is_remote(id))
		return 0;
	if (!id->key_file && id->key_fd < 0) {
		if (!tls_identity_is_pem(cert))
			return tls_identity_fail(-ERR_CLIENT_CERT, why, len,
						 "%s is a DER certificate: name its key file too", name);
		return tls_identity_key(cert, password, name, &out->key, why, len);
	}
	r = tls_identity_read(id->key_file, id->key_fd, &key, why, len);
	if (r >= 0)
		r = tls_identity_key(&key, password,
				     id->key_file ? id->key_file : "the key descriptor", &out->key,
				     why, len);
	tls_identity_free_datum(&key);
	return r;
}

int tls_identity_decode(const struct tls_identity *id, struct tls_identity_parts *out, char *why,
			size_t why_len)
{
	gnutls_datum_t cert = {0};
	int r;

	memset(out, 0, sizeof(*out));
	if (why && why_len)
		why[0] = '\0';
	r = tls_identity_read(id->cert_file, id->cert_fd, &cert, why, why_len);
	if (r >= 0)
		r = tls_identity_decode_data(id, &cert, out, why, why_len);
	tls_identity_free_datum(&cert);
	if (r >= 0 && (out->n_chain == 0 || (!out->key && !tls_identity_key_is_remote(id))))
		r = tls_identity_fail(-ERR_CLIENT_CERT, why, why_len, "%s holds no %s",
				      tls_identity_name(id->cert_file),
				      out->n_chain ? "private key" : "certificate");
	if (r >= 0 && out->key && !tls_identity_key_matches(out))
		r = tls_identity_fail(-ERR_CLIENT_CERT, why, why_len,
				      "the key does not belong to the certificate in %s",
				      tls_identity_name(id->cert_file));
	if (r < 0)
		tls_identity_parts_clear(out);
	return r;
}

int tls_identity_load(const struct tls_identity *id, gnutls_pcert_st **pcerts, unsigned *n,
		      gnutls_privkey_t *key)
{
	struct tls_identity_parts p;
	char why[512];
	unsigned count;
	int r;

	*pcerts = NULL;
	*n = 0;
	*key = NULL;
	r = tls_identity_decode(id, &p, why, sizeof(why));
	if (r < 0) {
		log_error("client certificate: %s", why);
		return r;
	}
	count = p.n_chain;
	*pcerts = calloc(count, sizeof(**pcerts));
	if (!*pcerts)
		r = -ERR_NOMEM;
	else if (gnutls_pcert_import_x509_list(*pcerts, p.chain, &count, 0) < 0)
		r = -ERR_CLIENT_CERT;
	else
		*n = count;
	if (r >= 0 && !p.key)
		r = tls_remote_key_import(id->key_fd, p.chain[0], key);
	else if (r >= 0 && (gnutls_privkey_init(key) < 0 ||
			    gnutls_privkey_import_x509(*key, p.key, GNUTLS_PRIVKEY_IMPORT_COPY) < 0))
		r = -ERR_CLIENT_CERT;
	tls_identity_parts_clear(&p);
	return r;
}

static int tls_identity_write_pem(int fd, const struct tls_identity_parts *p)
{
	gnutls_datum_t d = {0};
	int r = 0;

	for (unsigned i = 0; i < p->n_chain && r >= 0; i++) {
		r = gnutls_x509_crt_export2(p->chain[i], GNUTLS_X509_FMT_PEM, &d) < 0
			    ? -ERR_CLIENT_CERT
			    : file_write_all(fd, d.data, d.size);
		tls_identity_free_datum(&d);
	}
	if (r >= 0 && p->key) {
		r = gnutls_x509_privkey_export2_pkcs8(p->key, GNUTLS_X509_FMT_PEM, NULL,
						      GNUTLS_PKCS_PLAIN, &d) < 0
			    ? -ERR_CLIENT_CERT
			    : file_write_all(fd, d.data, d.size);
		tls_identity_free_datum(&d);
	}
	return r;
}

int tls_identity_seal_parts(const struct tls_identity_parts *p, int *fd)
{
	_cleanup_close_ int mfd = -1;
	int r;

	mfd = memfd_create("sslvpn-identity", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return -error_from_errno(errno);
	r = tls_identity_write_pem(mfd, p);
	/* Sealed: whoever receives the descriptor knows that nobody can change it any more. */
	if (r >= 0 && fcntl(mfd, F_ADD_SEALS,
			    F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		r = -error_from_errno(errno);
	if (r < 0)
		return r;
	*fd = steal_fd(&mfd);
	return 0;
}

int tls_identity_seal(const struct tls_identity *id, int *fd, char *why, size_t why_len)
{
	struct tls_identity_parts p;
	int r;

	r = tls_identity_decode(id, &p, why, why_len);
	if (r < 0)
		return r;
	r = tls_identity_seal_parts(&p, fd);
	tls_identity_parts_clear(&p);
	if (r < 0)
		return tls_identity_fail(r, why, why_len, "cannot keep the decoded certificate: %s",
					 error_text(r));
	return 0;
}
