// SPDX-License-Identifier: GPL-2.0-or-later
#include <glib.h>
#include <string.h>

#include "error.h"
#include "webvpnc.h"
#include "unit-helper.h"

#define SH "15499E46D4D3E79817D0E341D7A7D87CF0B36760"
#define FH "A8B0B07FBA93D06E8501E40AB807AEE2464E73B7"

static void test_ocserv_with_profile(void)
{
	struct webvpnc w;

	/* What ocserv 1.1.6 sends with user-profile set
	 * (docs/protocol.md "The webvpnc cookie",
	 * docs/protocol.md "Verified against real gateways"). */
	g_assert_cmpint(
	    webvpnc_parse("bu:/&p:t&iu:1/&sh:" SH
	                  "&lu:/+CSCOT+/translation-table?textdomain%3DAnyConnect%26type"
	                  "%3Dmanifest&fu:profiles%2Fprofile.xml&fh:" FH,
	                  &w),
	    ==, 0);
	g_assert_cmpstr(w.base_url, ==, "/");
	g_assert_cmpstr(w.server_cert_sha1, ==, SH);
	g_assert_cmpstr(w.profile_path, ==, "/profiles/profile.xml");
	g_assert_cmpstr(w.profile_sha1, ==, FH);
	webvpnc_clear(&w);
	g_assert_null(w.base_url);
	g_assert_null(w.profile_path);
}

static void test_minimal(void)
{
	struct webvpnc w;

	g_assert_cmpint(webvpnc_parse("bu:/&p:t&iu:1/&sh:" SH, &w), ==, 0);
	g_assert_cmpstr(w.server_cert_sha1, ==, SH);
	g_assert_null(w.profile_path);
	g_assert_null(w.profile_sha1);
	webvpnc_clear(&w);

	g_assert_cmpint(webvpnc_parse("sh:15499e46d4d3e79817d0e341d7a7d87cf0b36760", &w), ==, 0);
	g_assert_cmpstr(w.server_cert_sha1, ==, SH); /* upper-cased */
	g_assert_null(w.base_url);
	webvpnc_clear(&w);

	/* Unknown keys are ignored; values may hold ':' */
	g_assert_cmpint(webvpnc_parse("zz:a:b:c&bu:/x/&new:1", &w), ==, 0);
	g_assert_cmpstr(w.base_url, ==, "/x/");
	webvpnc_clear(&w);
}

static void test_profile_path_forms(void)
{
	struct webvpnc w;

	g_assert_cmpint(webvpnc_parse("bu:/CACHE/stc/&fu:profiles%2Fcorp.xml&fh:" FH, &w), ==, 0);
	g_assert_cmpstr(w.profile_path, ==, "/CACHE/stc/profiles/corp.xml");
	webvpnc_clear(&w);

	g_assert_cmpint(webvpnc_parse("bu:/CACHE/stc&fu:corp.xml", &w), ==, 0);
	g_assert_cmpstr(w.profile_path, ==, "/CACHE/stc/corp.xml");
	webvpnc_clear(&w);

	/* fu already absolute: bu does not apply */
	g_assert_cmpint(webvpnc_parse("bu:/CACHE/&fu:%2Fprofiles%2Fp.xml", &w), ==, 0);
	g_assert_cmpstr(w.profile_path, ==, "/profiles/p.xml");
	webvpnc_clear(&w);

	/* no bu: relative to / */
	g_assert_cmpint(webvpnc_parse("fu:profiles/p.xml&fh:" FH, &w), ==, 0);
	g_assert_cmpstr(w.profile_path, ==, "/profiles/p.xml");
	webvpnc_clear(&w);

	/* %-escapes decode case-insensitively */
	g_assert_cmpint(webvpnc_parse("fu:profiles%2fp%41.xml", &w), ==, 0);
	g_assert_cmpstr(w.profile_path, ==, "/profiles/pA.xml");
	webvpnc_clear(&w);
}

static void test_rejected(void)
{
	static const char *const bad[] = {
	    "",
	    "bu",           /* no colon */
	    ":x",           /* empty key */
	    "bu:/&&sh:" SH, /* empty item */
	    "bu:/&",        /* trailing empty item */
	    "bu:/&bu:/",    /* duplicate */
	    "sh:" SH "&sh:" SH,
	    "p:t&p:t",
	    "sh:15499E46", /* short hash */
	    "sh:" SH "0",  /* long hash */
	    "sh:Z5499E46D4D3E79817D0E341D7A7D87CF0B36760",
	    "fh:" FH "&fh:" FH,
	    "fh:A8B0B07F", /* short hash */
	    "fh:" FH "0",  /* long hash */
	    "fh:Z8B0B07FBA93D06E8501E40AB807AEE2464E73B7",
	    "bu:",                      /* empty base */
	    "bu:relative/",             /* base not absolute */
	    "bu:https://evil.example/", /* base with scheme */
	    "bu://evil.example/",
	    "bu:/a/../b/",
	    "bu:/a/./b/",
	    "fu:..%2Fetc%2Fpasswd",
	    "fu:profiles%2F..%2F..%2Fx",
	    "fu:%2E%2E/x",
	    "fu:profiles%2", /* truncated escape */
	    "fu:profiles%zz",
	    "fu:a%00b",       /* NUL */
	    "fu:a%0Ab",       /* newline */
	    "fu:a%20b",       /* space */
	    "fu:a%252Fb",     /* double escape */
	    "fu:a%5Cb",       /* backslash */
	    "fu:a%3Fb",       /* query */
	    "fu:profiles%2F", /* a directory */
	    "fu:a&fu:b",
	    "fu:a\\b",
	    "bu:/ x", /* space */
	    "bu:/\tx",
	    "bu:/x;y",
	    "bu:/\xc3\xa9", /* non-ASCII */
	};
	char *huge;
	struct webvpnc w;

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		int r = webvpnc_parse(bad[i], &w);

		if (r != -ERR_PROTOCOL)
			g_error("'%s': expected ProtocolError, got %s", bad[i], error_name(r));
		g_assert_null(w.base_url);
		g_assert_null(w.server_cert_sha1);
		g_assert_null(w.profile_path);
		g_assert_null(w.profile_sha1);
	}
	g_assert_cmpint(webvpnc_parse(NULL, &w), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(webvpnc_parse("bu:/", NULL), ==, -ERR_INVALID_ARGS);

	huge = g_malloc(WEBVPNC_MAX_LEN + 2);
	memcpy(huge, "bu:/", 4);
	memset(huge + 4, 'a', WEBVPNC_MAX_LEN - 3);
	huge[WEBVPNC_MAX_LEN + 1] = '\0';
	g_assert_cmpint(webvpnc_parse(huge, &w), ==, -ERR_TOO_LARGE);
	huge[WEBVPNC_MAX_LEN] = '\0';
	g_assert_cmpint(webvpnc_parse(huge, &w), ==, 0);
	webvpnc_clear(&w);
	g_free(huge);
	webvpnc_clear(NULL);
}

/* The Set-Cookie: webvpnc lines ocserv 1.1.6 sent in the lab (tests/data/ocserv/). */
static void test_real_ocserv(void)
{
	static const char *const files[] = {"auth-complete.headers", "auth-complete-otp.headers"};

	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autofree char *rel = g_build_filename("ocserv", files[i], NULL);
		g_autofree char *data = unit_load_data(rel, NULL);
		g_auto(GStrv) lines = NULL;
		unsigned parsed = 0;

		lines = g_strsplit(data, "\n", -1);
		for (char **l = lines; *l; l++) {
			const char *v;
			g_autofree char *value = NULL;
			struct webvpnc w;

			if (!g_str_has_prefix(*l, "Set-Cookie: webvpnc="))
				continue;
			v = *l + strlen("Set-Cookie: webvpnc=");
			value = g_strndup(v, strcspn(v, ";\r"));
			if (!*value)
				continue; /* the clearing cookie that comes first */
			g_assert_cmpint(webvpnc_parse(value, &w), ==, 0);
			g_assert_cmpstr(w.base_url, ==, "/");
			g_assert_cmpuint(strlen(w.server_cert_sha1), ==, 40);
			g_assert_cmpstr(w.profile_path, ==, "/profiles/profile.xml");
			/* the same hash as the success document's manifest */
			g_assert_cmpstr(w.profile_sha1, ==,
			                "4FB054B990611F4C868A828A3B065F4166DFF62C");
			webvpnc_clear(&w);
			parsed++;
		}
		g_assert_cmpuint(parsed, ==, 1);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/webvpnc/ocserv-profile", test_ocserv_with_profile);
	g_test_add_func("/webvpnc/minimal", test_minimal);
	g_test_add_func("/webvpnc/profile-path", test_profile_path_forms);
	g_test_add_func("/webvpnc/rejected", test_rejected);
	g_test_add_func("/webvpnc/real-ocserv", test_real_ocserv);
	return g_test_run();
}
