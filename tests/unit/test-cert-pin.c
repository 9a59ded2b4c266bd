// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Expected values come from tests/data/http/pins.txt, which make-certs.sh computed with
 * OpenSSL's command-line tools (SPKI extracted by `openssl x509 -pubkey | openssl pkey -pubin
 * -outform DER`, hashed by sha256sum/sha1sum/openssl dgst), independently of the GnuTLS calls
 * under test; `certtool --certificate-info` prints the same pin-sha256.  A third source: the
 * `sh:` that a real ocserv put in its webvpnc cookie (ocserv-success.txt) for server-ecdsa.pem.
 */
#include <glib.h>
#include <gnutls/x509.h>
#include <string.h>

#include "cert-pin.h"
#include "error.h"
#include "unit-helper.h"

struct expected {
	char file[64];
	char pin_sha256[64];
	char sha256_hex[65];
	char sha1_hex[41];
	char der_sha1[41];
};

static struct expected expected[4];

static void load_expected(void)
{
	g_autofree char *text = unit_load_data("http/pins.txt", NULL);
	g_auto(GStrv) lines = NULL;
	size_t n = 0;

	lines = g_strsplit(text, "\n", -1);
	for (size_t i = 0; lines[i]; i++) {
		g_auto(GStrv) f = NULL;

		if (lines[i][0] == '#' || !lines[i][0])
			continue;
		f = g_strsplit(lines[i], " ", -1);
		g_assert_cmpuint(g_strv_length(f), ==, 5);
		g_assert_cmpuint(n, <, G_N_ELEMENTS(expected));
		g_strlcpy(expected[n].file, f[0], sizeof(expected[n].file));
		g_strlcpy(expected[n].pin_sha256, f[1], sizeof(expected[n].pin_sha256));
		g_strlcpy(expected[n].sha256_hex, f[2], sizeof(expected[n].sha256_hex));
		g_strlcpy(expected[n].sha1_hex, f[3], sizeof(expected[n].sha1_hex));
		g_strlcpy(expected[n].der_sha1, f[4], sizeof(expected[n].der_sha1));
		n++;
	}
	g_assert_cmpuint(n, ==, G_N_ELEMENTS(expected));
}

static gnutls_x509_crt_t load_cert(const char *name)
{
	g_autofree char *rel = g_build_filename("http", name, NULL);
	gsize len;
	g_autofree char *pem = unit_load_data(rel, &len);
	gnutls_datum_t d;
	gnutls_x509_crt_t crt;

	d.data = (unsigned char *)pem;
	d.size = (unsigned)len;
	g_assert_cmpint(gnutls_x509_crt_init(&crt), ==, 0);
	g_assert_cmpint(gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM), ==, 0);
	return crt;
}

static gboolean matches_text(const char *text, gnutls_x509_crt_t crt)
{
	struct cert_pin p;

	g_assert_cmpint(cert_pin_parse(text, &p), ==, 0);
	return cert_pin_matches(&p, crt);
}

static void test_compute(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(expected); i++) {
		const struct expected *e = &expected[i];
		gnutls_x509_crt_t crt = load_cert(e->file);
		char pin[CERT_PIN_TEXT_SIZE], sha1[41], small[55];
		g_autofree char *upper = g_ascii_strup(e->sha256_hex, -1);
		g_autofree char *lower_der = g_ascii_strdown(e->der_sha1, -1);
		g_autofree char *t_sha256 = g_strdup_printf("sha256:%s", e->sha256_hex);
		g_autofree char *t_sha256u = g_strdup_printf("sha256:%s", upper);
		g_autofree char *t_sha1 = g_strdup_printf("sha1:%s", e->sha1_hex);

		g_test_message("%s", e->file);
		g_assert_cmpint(cert_pin_from_cert(crt, pin, sizeof(pin)), ==, 0);
		g_assert_cmpstr(pin, ==, e->pin_sha256);
		g_assert_cmpint(cert_pin_from_cert(crt, small, sizeof(small)), ==, -ERR_TOO_LARGE);
		g_assert_cmpint(cert_pin_from_cert(crt, small, 0), ==, -ERR_TOO_LARGE);
		g_assert_cmpint(cert_pin_sha1_hex(crt, sha1), ==, 0);
		g_assert_cmpstr(sha1, ==, e->der_sha1);

		g_assert_true(matches_text(e->pin_sha256, crt));
		g_assert_true(matches_text(t_sha256, crt));
		g_assert_true(matches_text(t_sha256u, crt));
		g_assert_true(matches_text(t_sha1, crt));
		g_assert_true(matches_text(e->der_sha1, crt));
		g_assert_true(matches_text(lower_der, crt));

		/* Every other certificate's pins do not match this one, except where the key is
		 * shared (the renewed certificate) and the pin is over the key. */
		for (size_t j = 0; j < G_N_ELEMENTS(expected); j++) {
			const struct expected *o = &expected[j];
			gboolean same_key = strcmp(o->pin_sha256, e->pin_sha256) == 0;
			g_autofree char *o_sha1 = g_strdup_printf("sha1:%s", o->sha1_hex);
			g_autofree char *o_sha256 = g_strdup_printf("sha256:%s", o->sha256_hex);

			if (j == i)
				continue;
			g_assert_cmpint(matches_text(o->pin_sha256, crt), ==, same_key);
			g_assert_cmpint(matches_text(o_sha256, crt), ==, same_key);
			g_assert_cmpint(matches_text(o_sha1, crt), ==, same_key);
			g_assert_false(matches_text(o->der_sha1, crt));
		}
		gnutls_x509_crt_deinit(crt);
	}
}

static void test_renewed(void)
{
	gnutls_x509_crt_t a = load_cert("server-ecdsa.pem");
	gnutls_x509_crt_t b = load_cert("server-ecdsa-renewed.pem");
	char pa[CERT_PIN_TEXT_SIZE], pb[CERT_PIN_TEXT_SIZE], sa[41], sb[41];

	g_assert_cmpint(cert_pin_from_cert(a, pa, sizeof(pa)), ==, 0);
	g_assert_cmpint(cert_pin_from_cert(b, pb, sizeof(pb)), ==, 0);
	g_assert_cmpstr(pa, ==, pb);
	g_assert_cmpint(cert_pin_sha1_hex(a, sa), ==, 0);
	g_assert_cmpint(cert_pin_sha1_hex(b, sb), ==, 0);
	g_assert_cmpstr(sa, !=, sb);
	gnutls_x509_crt_deinit(a);
	gnutls_x509_crt_deinit(b);
}

/* ocserv announced the certificate's SHA-1 as sh: in the webvpnc cookie. */
static void test_ocserv_sh(void)
{
	g_autofree char *data = unit_load_data("http/ocserv-success.txt", NULL);
	gnutls_x509_crt_t crt = load_cert("server-ecdsa.pem");
	gnutls_x509_crt_t other = load_cert("server-ecdsa-renewed.pem");
	const char *sh;
	char hash[41];
	struct cert_pin p;

	sh = strstr(data, "&sh:");
	g_assert_nonnull(sh);
	g_strlcpy(hash, sh + 4, sizeof(hash));
	g_assert_cmpuint(strspn(hash, "0123456789ABCDEF"), ==, 40);
	g_assert_cmpint(cert_pin_parse(hash, &p), ==, 0);
	g_assert_cmpint(p.type, ==, CERT_PIN_CERT_SHA1);
	g_assert_true(cert_pin_matches(&p, crt));
	g_assert_false(cert_pin_matches(&p, other));
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_crt_deinit(other);
}

static void test_parse_invalid(void)
{
	const char *b64 = expected[0].pin_sha256 + strlen("pin-sha256:");
	const char *hex = expected[0].sha256_hex;
	g_autofree char *b64_43 = g_strndup(b64, 43);
	g_autofree char *hex63 = g_strndup(hex, 63);
	g_autofree char *hex39 = g_strndup(expected[0].der_sha1, 39);
	char *bad[] = {
	    g_strdup(""),
	    g_strdup("pin-sha256:"),
	    g_strdup_printf("pin-sha256:%s", b64_43),   /* no padding */
	    g_strdup_printf("pin-sha256:%s==", b64_43), /* extra padding */
	    g_strdup_printf("pin-sha256:%sA", b64),     /* too long */
	    g_strdup_printf("pin-sha256:%.42s=", b64),  /* too short */
	    g_strdup_printf("pin-sha256:-%s", b64 + 1), /* url-safe alphabet */
	    g_strdup_printf("pin-sha256:_%s", b64 + 1),
	    g_strdup_printf("pin-sha256: %s", b64), /* whitespace */
	    g_strdup_printf("pin-sha256:%s ", b64),
	    g_strdup_printf(" pin-sha256:%s", b64),
	    g_strdup_printf("PIN-SHA256:%s", b64), /* prefix case */
	    g_strdup_printf("pin-sha1:%s", b64),
	    g_strdup_printf("pin-sha256:%.8s", b64), /* openconnect's prefix shortcut */
	    g_strdup_printf("%.8s", expected[0].der_sha1),
	    g_strdup_printf("sha256:%s", hex63),
	    g_strdup_printf("sha256:%s0", hex),
	    g_strdup_printf("sha256:g%s", hex + 1),
	    g_strdup_printf("sha256:%s", expected[0].sha1_hex), /* wrong length for the type */
	    g_strdup_printf("SHA256:%s", hex),
	    g_strdup_printf("sha1:%s", hex),
	    g_strdup_printf("sha1:%s", hex39),
	    g_strdup_printf("sha1:%s", expected[0].pin_sha256),
	    g_strdup_printf("sha512:%s", hex),
	    g_strdup(hex39),
	    g_strdup_printf("%s0", expected[0].der_sha1),
	    g_strdup_printf("%s", hex), /* bare 64 hex: not a form */
	    g_strdup_printf("0x%s", hex39),
	    g_strdup_printf("%.39s:", expected[0].der_sha1),
	    NULL,
	};
	struct cert_pin p;
	char nc[64];

	for (size_t i = 0; bad[i]; i++) {
		g_test_message("case %zu: '%s'", i, bad[i]);
		memset(&p, 0x5a, sizeof(p));
		g_assert_cmpint(cert_pin_parse(bad[i], &p), ==, -ERR_INVALID_ARGS);
		g_assert_cmpuint(p.hash_len, ==, 0x5a5a5a5a5a5a5a5aull);
		g_free(bad[i]);
		bad[i] = NULL;
	}
	/* Non-canonical base64: the last character carries 4 bits and 2 unused ones that must
	 * be zero ('A' = 000000, 'B' = 000001). */
	g_snprintf(nc, sizeof(nc), "pin-sha256:%.42sA=", b64);
	g_assert_cmpint(cert_pin_parse(nc, &p), ==, 0);
	g_snprintf(nc, sizeof(nc), "pin-sha256:%.42sB=", b64);
	g_assert_cmpint(cert_pin_parse(nc, &p), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(cert_pin_parse(NULL, &p), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(cert_pin_parse(b64, NULL), ==, -ERR_INVALID_ARGS);
}

static void test_format(void)
{
	const struct expected *e = &expected[2];
	g_autofree char *t_sha256 = g_strdup_printf("sha256:%s", e->sha256_hex);
	g_autofree char *t_sha1u = g_ascii_strup(e->sha1_hex, -1);
	g_autofree char *t_sha1 = g_strdup_printf("sha1:%s", t_sha1u);
	g_autofree char *t_sha1_lower = g_strdup_printf("sha1:%s", e->sha1_hex);
	g_autofree char *t_der_lower = g_ascii_strdown(e->der_sha1, -1);
	struct {
		const char *in;
		const char *out;
	} cases[] = {
	    {e->pin_sha256, e->pin_sha256},
	    {t_sha256, e->pin_sha256},
	    {t_sha1, t_sha1_lower},
	    {t_der_lower, e->der_sha1},
	};
	char buf[CERT_PIN_TEXT_SIZE];
	struct cert_pin a, b;

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_assert_cmpint(cert_pin_parse(cases[i].in, &a), ==, 0);
		g_assert_cmpint(cert_pin_format(&a, buf, sizeof(buf)), ==, 0);
		g_assert_cmpstr(buf, ==, cases[i].out);
		g_assert_cmpint(cert_pin_parse(buf, &b), ==, 0);
		g_assert_true(cert_pin_equal(&a, &b));
		g_assert_cmpint(cert_pin_format(&a, buf, strlen(cases[i].out)), ==, -ERR_TOO_LARGE);
		g_assert_cmpint(cert_pin_format(&a, buf, strlen(cases[i].out) + 1), ==, 0);
	}
	/* Same hash bytes, different type: not equal. */
	g_assert_cmpint(cert_pin_parse(t_sha1, &a), ==, 0);
	g_assert_cmpint(cert_pin_parse(e->sha1_hex, &b), ==, 0);
	g_assert_false(cert_pin_equal(&a, &b));
	g_assert_cmpint(cert_pin_parse(expected[0].pin_sha256, &b), ==, 0);
	g_assert_cmpint(cert_pin_parse(e->pin_sha256, &a), ==, 0);
	g_assert_false(cert_pin_equal(&a, &b));
	/* A corrupt struct is refused everywhere. */
	a.hash_len = 20;
	g_assert_cmpint(cert_pin_format(&a, buf, sizeof(buf)), ==, -ERR_INVALID_ARGS);
	g_assert_false(cert_pin_equal(&a, &a));
	{
		gnutls_x509_crt_t crt = load_cert(e->file);

		g_assert_false(cert_pin_matches(&a, crt));
		a.hash_len = 32;
		g_assert_true(cert_pin_matches(&a, crt));
		a.type = (enum cert_pin_type)9;
		g_assert_false(cert_pin_matches(&a, crt));
		g_assert_false(cert_pin_matches(NULL, crt));
		gnutls_x509_crt_deinit(crt);
	}
	g_assert_false(cert_pin_matches(&b, NULL));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	load_expected();
	g_test_add_func("/cert-pin/compute", test_compute);
	g_test_add_func("/cert-pin/renewed", test_renewed);
	g_test_add_func("/cert-pin/ocserv-sh", test_ocserv_sh);
	g_test_add_func("/cert-pin/parse-invalid", test_parse_invalid);
	g_test_add_func("/cert-pin/format", test_format);
	return g_test_run();
}
