/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The one table that turns error codes (core/base/error.h) and the error names the helper puts on
 * the bus into translated sentences for the user.  The helper never sends text of its own
 * (docs/architecture.md "Conventions"): whatever a user reads about a failure comes from here.
 */
#include <gio/gio.h>

G_BEGIN_DECLS

/* Translated sentence for -ERR_* or ERR_* (sign ignored); unknown codes get the ERR_INTERNAL
 * text.  Never NULL. */
const char *gui_errors_message(int err);
/* Same for a bare name ("CookieRejected") or a full D-Bus error name
 * ("org.sslvpn.Helper1.Error.CookieRejected").  NULL or "" gives NULL (no error). */
const char *gui_errors_message_for_name(const char *name);
/* The untranslated (msgid) text of a code: for tests. */
const char *gui_errors_msgid(int err);
/*
 * A translated sentence for a failed D-Bus call: our own error names through the table, the
 * bus's "no such service / no bus" errors as "the VPN service is not available", anything
 * else as its message.  Newly allocated.
 */
char *gui_errors_describe(const GError *error);
/* The -ERR_* code behind a failed D-Bus call (ERR_INTERNAL when it is not one of ours;
 * -ERR_NOT_FOUND when the helper is not there at all). */
int gui_errors_code(const GError *error);
/* Whether the error says that the helper service cannot be reached (no system bus, not
 * installed, not activatable). */
gboolean gui_errors_is_unavailable(const GError *error);

G_END_DECLS
