// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include "gui-format.h"

#include "tls-conn.h"

#include <glib/gi18n.h>
#include <string.h>

static gboolean gui_format_char_is_deceptive(gunichar c)
{
	if (c == '\t' || c == '\n')
		return FALSE;
	if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
		return TRUE;
	/* LRE..RLO, LRI..PDI, and the invisible marks that reorder text. */
	return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e ||
	       c == 0x200f || c == 0x061c;
}

char *gui_format_text_sanitize(const char *text)
{
	g_autofree char *valid = NULL;
	GString *out;

	if (!text)
		return g_strdup("");
	valid = g_utf8_make_valid(text, -1);
	out = g_string_sized_new(strlen(valid));
	for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (c == '\r')
			continue; /* CRLF from gateways: keep the LF */
		if (gui_format_char_is_deceptive(c))
			continue;
		g_string_append_unichar(out, c);
	}
	return g_string_free(out, FALSE);
}

const char *gui_format_state(const char *state)
{
	if (!state || !*state)
		return _("Not connected");
	if (g_str_equal(state, "connecting"))
		return C_("vpn state", "Connecting");
	if (g_str_equal(state, "connected"))
		return C_("vpn state", "Connected");
	if (g_str_equal(state, "reconnecting"))
		return C_("vpn state", "Reconnecting");
	if (g_str_equal(state, "disconnecting"))
		return C_("vpn state", "Disconnecting");
	if (g_str_equal(state, "disconnected"))
		return C_("vpn state", "Disconnected");
	if (g_str_equal(state, "failed"))
		return C_("vpn state", "Failed");
	return _("Unknown");
}

const char *gui_format_transport(const char *transport)
{
	if (transport && g_str_equal(transport, "dtls"))
		return _("DTLS (UDP)");
	if (transport && g_str_equal(transport, "tls"))
		return _("TLS (TCP)");
	return "—";
}

char *gui_format_bytes(guint64 bytes)
{
	return g_format_size(bytes);
}

char *gui_format_duration(gint64 seconds)
{
	gint64 d, h, m, s;

	if (seconds < 0)
		seconds = 0;
	d = seconds / 86400;
	h = (seconds / 3600) % 24;
	m = (seconds / 60) % 60;
	s = seconds % 60;
	if (seconds < 60)
		/* Translators: a duration in seconds. */
		return g_strdup_printf(_("%d s"), (int)s);
	if (d > 0)
		/* Translators: a duration: days, then hours:minutes:seconds. */
		return g_strdup_printf(g_dngettext(GETTEXT_PACKAGE, "%d day, %02d:%02d:%02d",
		                                   "%d days, %02d:%02d:%02d", (unsigned long)d),
		                       (int)d, (int)h, (int)m, (int)s);
	if (h > 0)
		return g_strdup_printf("%d:%02d:%02d", (int)h, (int)m, (int)s);
	return g_strdup_printf("%d:%02d", (int)m, (int)s);
}

char *gui_format_date(time_t t)
{
	g_autoptr(GDateTime) dt = NULL;

	if (t <= 0)
		return g_strdup(_("unknown"));
	dt = g_date_time_new_from_unix_local((gint64)t);
	if (!dt)
		return g_strdup(_("unknown"));
	/* Translators: a date and time in strftime format; keep it short and unambiguous. */
	return g_date_time_format(dt, _("%Y-%m-%d %H:%M"));
}

char *gui_format_gateway(const char *url)
{
	const char *host;
	size_t n;

	if (!url)
		return g_strdup("");
	n = strlen(url);
	host = strstr(url, "://");
	host = host ? host + 3 : url;
	if (n > 1 && url[n - 1] == '/' && strchr(host, '/') == url + n - 1)
		return g_strndup(url, n - 1);
	return g_strdup(url);
}

char *gui_format_list(const char *const *items)
{
	if (!items || !items[0])
		return g_strdup("—");
	return g_strjoinv(", ", (char **)items);
}

char *gui_format_cert_problems(const struct tls_cert_report *rep)
{
	static const struct {
		unsigned bit;
		const char *text;
	} bits[] = {
	    {GNUTLS_CERT_SIGNER_NOT_FOUND, N_("it was issued by an unknown authority")},
	    {GNUTLS_CERT_UNEXPECTED_OWNER, N_("it was issued for another name")},
	    {GNUTLS_CERT_EXPIRED, N_("it has expired")},
	    {GNUTLS_CERT_NOT_ACTIVATED, N_("it is not valid yet")},
	    {GNUTLS_CERT_REVOKED, N_("it was revoked")},
	    {GNUTLS_CERT_INSECURE_ALGORITHM, N_("it uses an insecure algorithm")},
	    {GNUTLS_CERT_SIGNER_NOT_CA, N_("its issuer is not a certificate authority")},
	    {GNUTLS_CERT_SIGNATURE_FAILURE, N_("its signature is invalid")},
	    {GNUTLS_CERT_PURPOSE_MISMATCH, N_("it is not meant for a server")},
	};
	GString *out = g_string_new(NULL);

	/* Translators: the problems are joined into one sentence shown as "Problem: ..."; the
	 * first letter is capitalised by the program where the script has capitals. */
	for (size_t i = 0; i < G_N_ELEMENTS(bits); i++) {
		if (!(rep->gnutls_status & bits[i].bit))
			continue;
		if (out->len)
			/* Translators: separates certificate problems. */
			g_string_append(out, _("; "));
		g_string_append(out, _(bits[i].text));
	}
	if (!out->len && rep->reason[0]) {
		g_autofree char *clean = gui_format_text_sanitize(rep->reason);

		g_string_append(out, clean);
	}
	if (out->len && g_ascii_islower(out->str[0]))
		out->str[0] = g_ascii_toupper(out->str[0]);
	return g_string_free(out, FALSE);
}
