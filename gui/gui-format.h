/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Display helpers shared by the windows, the tray and the notifications; no widgets. */
#include <glib.h>
#include <stdint.h>
#include <time.h>

G_BEGIN_DECLS

/*
 * Text from a gateway or the helper (banners, messages, labels, certificate names) is shown
 * as plain text, never markup.  This also drops what could make it lie about itself: C0/C1
 * controls other than tab and newline, bidirectional embeddings, overrides and isolates,
 * and invalid UTF-8 (replaced with U+FFFD).  Newly allocated; NULL gives "".
 */
char *gui_format_text_sanitize(const char *text);
/* Translated name of a Connection.State value ("connected" -> "Connected"). */
const char *gui_format_state(const char *state);
/* "DTLS", "TLS" or "—" for the Transport property. */
const char *gui_format_transport(const char *transport);
/* "1.2 MB"-style size of a byte counter. */
char *gui_format_bytes(guint64 bytes);
/* Elapsed time as "5 s", "3:07", "1:02:03" or "2 days, 01:02:03" (translated). */
char *gui_format_duration(gint64 seconds);
/* A certificate validity date, local time; "unknown" for t <= 0. */
char *gui_format_date(time_t t);
/* A gateway URL as people write it: "https://host[:port][/path]" without the lone trailing
 * "/" of a URL that has no path (the preferences keep "https://host/"). */
char *gui_format_gateway(const char *url);
/* Joins a string array with ", " for display; "—" when empty. */
char *gui_format_list(const char *const *items);

struct tls_cert_report;
/* The certificate problems of a report as translated text ("issued by an unknown authority;
 * issued for another name"), from the verification status bits; the report's own English
 * reason when no bit is known; "" when there is none. */
char *gui_format_cert_problems(const struct tls_cert_report *rep);
G_END_DECLS
