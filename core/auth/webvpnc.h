/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The value of the `webvpnc` cookie a gateway sets on login success
 * (docs/protocol.md "The webvpnc cookie"):
 * `&`-separated `key:value` pairs, e.g.
 *   bu:/&p:t&iu:1/&sh:15499E46...&lu:/+CSCOT+/translation-table?...&fu:profiles%2Fprofile.xml&fh:A8B0...
 * ocserv sends the server certificate hash only here (sh), and the profile location (fu, fh)
 * here as well as in the success document.
 *
 * Parsing is strict: every item must be key:value with a non-empty key, no key may repeat,
 * the value is at most WEBVPNC_MAX_LEN bytes of printable ASCII.  Unknown keys (p, iu, lu,
 * ...) are accepted and ignored; nothing here fetches lu (a translation table).
 */
#include <stddef.h>

#define WEBVPNC_MAX_LEN 4096

struct webvpnc {
	/* bu: an absolute path ("/"), no "..": NULL if absent */
	char *base_url;
	/* sh: SHA-1 of the gateway certificate's DER, 40 hex digits, upper-cased; NULL if absent */
	char *server_cert_sha1;
	/*
	 * fu, %-decoded ("profiles%2Fprofile.xml" -> "profiles/profile.xml") and made absolute
	 * by joining it to bu (or "/" without bu): "/profiles/profile.xml".  Checked like a
	 * manifest URI: no "..", ".", empty segments, '?', '#', '%', '\\', spaces or controls
	 * after decoding.  NULL if absent.  (ocserv serves the profile under any path starting
	 * with /profiles, so the decoded form works there; the reference client sends fu
	 * undecoded, which only works because of that.)
	 */
	char *profile_path;
	/* fh: SHA-1 of the profile, 40 hex digits, upper-cased; NULL if absent */
	char *profile_sha1;
};

/*
 * Parses a cookie value (without "webvpnc=" and without cookie attributes).  On success fills
 * *out (clear it with webvpnc_clear); on failure *out is left zeroed.
 * Returns 0, -ERR_PROTOCOL (malformed, bad hash, unsafe path), -ERR_TOO_LARGE, -ERR_NOMEM,
 * -ERR_INVALID_ARGS (NULL arguments).
 */
int webvpnc_parse(const char *value, struct webvpnc *out);
void webvpnc_clear(struct webvpnc *w);
