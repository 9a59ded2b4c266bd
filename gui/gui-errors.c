// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include "gui-errors.h"

#include <glib/gi18n.h>

#include "error.h"

/*
 * Indexed by code.  Each entry says what happened and, where the user can do something about
 * it, what.  A unit test checks that every code of core/base/error.h has its sentence here.
 */
static const char *const gui_errors_table[ERR_COUNT_] = {
    [ERR_OK] = N_("No error."),
    [ERR_NOMEM] = N_("The program ran out of memory."),
    [ERR_INVALID_ARGS] =
        N_("The request was not valid. Check the gateway address and the values you entered."),
    [ERR_IO] = N_("A read or write error occurred."),
    [ERR_TIMEOUT] = N_("The gateway did not answer in time."),
    [ERR_RESOLVE] = N_(
        "The gateway's name could not be resolved. Check the address and your network connection."),
    [ERR_CONNECT] =
        N_("The gateway could not be reached. Check the address and your network connection."),
    [ERR_TLS] = N_("The secure connection to the gateway failed."),
    [ERR_CERT_UNTRUSTED] =
        N_("The gateway's certificate is not trusted, so the connection was blocked."),
    [ERR_CERT_PIN_MISMATCH] =
        N_("The gateway presented a different certificate from the one you chose to trust. This "
           "can mean that someone is intercepting the connection, so it was refused. If the "
           "gateway's administrator replaced the certificate, remove the old one from the "
           "preferences file before connecting again."),
    [ERR_CLIENT_CERT] =
        N_("The client certificate is missing, unusable or was rejected by the gateway."),
    [ERR_PROTOCOL] = N_("The gateway sent an answer this program does not understand."),
    [ERR_HTTP_STATUS] = N_("The gateway answered with an HTTP error."),
    [ERR_UNSUPPORTED] = N_("The gateway asked for a login method this program does not support."),
    [ERR_AUTH_FAILED] = N_("Login failed. Check your user name and password."),
    [ERR_CANCELLED] = N_("The operation was cancelled."),
    [ERR_PROFILE_DOWNLOAD] = N_(
        "The gateway's client profile could not be downloaded, so the connection was not started."),
    [ERR_COOKIE_REJECTED] = N_("The gateway no longer accepts this session. Log in again."),
    [ERR_ACCESS_DENIED] = N_(
        "You are not allowed to do this. Ask your administrator to add you to the netdev group."),
    [ERR_NOT_FOUND] = N_("The connection no longer exists."),
    [ERR_TOO_LARGE] = N_("The gateway sent more data than this program accepts."),
    [ERR_PREFS] = N_("The preferences file could not be read or written."),
    [ERR_GATEWAY_CLOSED] = N_("The gateway ended the session."),
    [ERR_DPD_TIMEOUT] = N_("The gateway stopped answering."),
    [ERR_WORKER_CRASHED] = N_("The VPN tunnel process stopped unexpectedly."),
    [ERR_NETWORK_CONFIG] = N_("The network settings for the VPN could not be applied."),
    [ERR_INTERNAL] = N_("An internal error occurred."),
    [ERR_BUSY] = N_("A VPN connection is already active. Disconnect it first."),
    [ERR_KEY_PASSWORD] =
        N_("The client certificate's key needs a password, or the password given is wrong."),
    [ERR_TLS_OBSOLETE] =
        N_("The gateway offers only old TLS versions or ciphers that are no longer safe, so the "
           "connection was refused. Ask the gateway's administrator to enable TLS 1.2 or later."),
    [ERR_WORKER_USER] = N_("The VPN service is not installed completely: the user its tunnel "
                           "process runs as is missing. Reinstall the sslvpn package."),
};

static int gui_errors_index(int err)
{
	if (err < 0)
		err = -err;
	if (err >= ERR_COUNT_ || !gui_errors_table[err])
		return ERR_INTERNAL;
	return err;
}

const char *gui_errors_msgid(int err)
{
	return gui_errors_table[gui_errors_index(err)];
}

const char *gui_errors_message(int err)
{
	return _(gui_errors_msgid(err));
}

const char *gui_errors_message_for_name(const char *name)
{
	if (!name || !*name)
		return NULL;
	return gui_errors_message(error_from_name(name));
}

gboolean gui_errors_is_unavailable(const GError *error)
{
	g_autofree char *remote = NULL;

	if (!error)
		return FALSE;
	if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_EXEC_FAILED) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_CHILD_EXITED) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_FAILED) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_FILE_NOT_FOUND) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NO_SERVER) ||
	    g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
	    g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
	    g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CLOSED))
		return TRUE;
	remote = g_dbus_error_get_remote_error(error);
	return remote && (g_str_equal(remote, "org.freedesktop.DBus.Error.ServiceUnknown") ||
	                  g_str_equal(remote, "org.freedesktop.DBus.Error.NameHasNoOwner") ||
	                  g_str_has_prefix(remote, "org.freedesktop.DBus.Error.Spawn"));
}

int gui_errors_code(const GError *error)
{
	g_autofree char *remote = NULL;

	if (!error)
		return 0;
	if (gui_errors_is_unavailable(error))
		return -ERR_NOT_FOUND;
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return -ERR_CANCELLED;
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY))
		return -ERR_TIMEOUT;
	if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_AUTH_FAILED))
		return -ERR_ACCESS_DENIED;
	remote = g_dbus_error_get_remote_error(error);
	if (remote && g_str_has_prefix(remote, ERROR_DBUS_PREFIX))
		return -error_from_name(remote);
	return -ERR_INTERNAL;
}

char *gui_errors_describe(const GError *error)
{
	g_autofree char *remote = NULL;

	if (!error)
		return g_strdup("");
	if (gui_errors_is_unavailable(error))
		return g_strdup(_("The VPN service (sslvpn-helper) is not available. Check that it "
		                  "is installed."));
	remote = g_dbus_error_get_remote_error(error);
	if (remote && g_str_has_prefix(remote, ERROR_DBUS_PREFIX))
		return g_strdup(gui_errors_message_for_name(remote));
	if (gui_errors_code(error) != -ERR_INTERNAL)
		return g_strdup(gui_errors_message(gui_errors_code(error)));
	/* Not ours: GIO's message is already translated by GLib's own catalogue. */
	{
		g_autoptr(GError) copy = g_error_copy(error);

		g_dbus_error_strip_remote_error(copy);
		return g_strdup(copy->message);
	}
}
