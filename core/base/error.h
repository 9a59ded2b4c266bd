/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The one error vocabulary of sslvpn.  Every process (login code, CLI, GUI, helper, worker)
 * speaks it: GLib-free code returns 0 or -ERR_*, the helper puts error_dbus_name() on the bus,
 * the worker sends the code in its messages, and the GUI maps names to translated text in one
 * table.  Append only: the numbers cross process boundaries and the names are API.
 *
 * X(code, D-Bus name suffix, short English description)
 */
#define ERROR_TABLE(X)                                                                             \
	X(ERR_NOMEM, "NoMemory", "out of memory")                                                  \
	X(ERR_INVALID_ARGS, "InvalidArgs", "invalid arguments")                                    \
	X(ERR_IO, "Io", "input/output error")                                                      \
	X(ERR_TIMEOUT, "Timeout", "timed out")                                                     \
	X(ERR_RESOLVE, "ResolveFailed", "cannot resolve the gateway's name")                       \
	X(ERR_CONNECT, "ConnectFailed", "cannot reach the gateway")                                \
	X(ERR_TLS, "TlsFailed", "TLS handshake or record error")                                   \
	X(ERR_CERT_UNTRUSTED, "CertUntrusted", "the gateway's certificate is not trusted")         \
	X(ERR_CERT_PIN_MISMATCH, "CertPinMismatch",                                                \
	  "the gateway's certificate differs from the pinned one")                                 \
	X(ERR_CLIENT_CERT, "ClientCertFailed", "client certificate missing or rejected")           \
	X(ERR_PROTOCOL, "ProtocolError", "the gateway sent something malformed")                   \
	X(ERR_HTTP_STATUS, "HttpError", "the gateway answered with an HTTP error")                 \
	X(ERR_UNSUPPORTED, "Unsupported", "the gateway asked for something this client does not do") \
	X(ERR_AUTH_FAILED, "AuthFailed", "authentication failed")                                  \
	X(ERR_CANCELLED, "Cancelled", "cancelled")                                                 \
	X(ERR_PROFILE_DOWNLOAD, "ProfileDownloadFailed", "the client profile could not be fetched") \
	X(ERR_COOKIE_REJECTED, "CookieRejected", "the gateway rejected the session cookie")        \
	X(ERR_ACCESS_DENIED, "AccessDenied", "not allowed")                                        \
	X(ERR_NOT_FOUND, "NotFound", "no such object")                                             \
	X(ERR_TOO_LARGE, "TooLarge", "input too large")                                            \
	X(ERR_PREFS, "PreferencesError", "the preferences file could not be read or written")      \
	X(ERR_GATEWAY_CLOSED, "GatewayClosed", "the gateway ended the session")                    \
	X(ERR_DPD_TIMEOUT, "DeadPeer", "the gateway stopped answering")                            \
	X(ERR_WORKER_CRASHED, "WorkerCrashed", "the tunnel worker died")                           \
	X(ERR_NETWORK_CONFIG, "NetworkConfigFailed", "the network could not be configured")        \
	X(ERR_INTERNAL, "Internal", "internal error")                                              \
	X(ERR_BUSY, "Busy", "busy")                                                                \
	X(ERR_KEY_PASSWORD, "KeyPasswordNeeded",                                                   \
	  "the client key needs a password, or the one given is wrong")                            \
	X(ERR_TLS_OBSOLETE, "TlsObsolete",                                                         \
	  "the gateway offers only TLS versions or ciphers this client refuses as insecure")       \
	X(ERR_WORKER_USER, "WorkerUserMissing",                                                    \
	  "the tunnel worker's own user does not exist on this machine")

enum error_code {
	ERR_OK = 0,
#define ERROR_ENUM_(code, name, text) code,
	ERROR_TABLE(ERROR_ENUM_)
#undef ERROR_ENUM_
	ERR_COUNT_
};

#define ERROR_DBUS_PREFIX "org.sslvpn.Helper1.Error."

/* Accept both 17 and -17; unknown codes map to ERR_INTERNAL's strings. */
const char *error_name(int err);      /* "CertUntrusted" */
const char *error_dbus_name(int err); /* "org.sslvpn.Helper1.Error.CertUntrusted" */
const char *error_text(int err);      /* short English description, for logs and the CLI */
/* Reverse mapping: a full D-Bus error name or a bare name; returns ERR_INTERNAL if unknown. */
int error_from_name(const char *name);
/* Converts an errno value to the closest error code (positive). */
int error_from_errno(int errnum);
