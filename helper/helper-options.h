/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The options of org.sslvpn.Helper1.Manager.Connect and of an Agent's Relogin result, parsed
 * and validated strictly before the helper does anything with them: unknown keys, wrong
 * types, missing required keys, oversize values and malformed URLs, addresses or pins are all
 * rejected with -ERR_INVALID_ARGS and a one-line English reason that never quotes a secret.
 * The exact rules are in dbus/org.sslvpn.Helper1.xml (Connect's "options" argument).
 */
#include <dbus/dbus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cleanup.h"
#include "secret.h"

#define HELPER_OPTIONS_MAX_GATEWAY    2048
#define HELPER_OPTIONS_MAX_COOKIE     4096
#define HELPER_OPTIONS_MAX_USER_AGENT 256
#define HELPER_OPTIONS_MAX_ENTRIES    32
#define HELPER_OPTIONS_MAX_CERT_FILE  (1024 * 1024)
#define HELPER_OPTIONS_PIN_PREFIX     "pin-sha256:"

struct helper_options {
	char *gateway; /* the URL as given */
	char *host;    /* host part: a DNS name, dotted IPv4, or IPv6 without brackets */
	uint16_t port;
	char *address; /* numeric; the worker connects here */
	struct secret *cookie; /* NULL with pin: a prepared connection */
	char *pin;
	bool no_dtls;
	char *user_agent; /* NULL: the worker's default */
	int cert_fd;      /* -1 when absent; owned */
	int key_fd;
};

struct helper_options *helper_options_new(void);
void helper_options_free(struct helper_options *o); /* wipes the cookie, closes the fds */

/* iter points at an a{sv}.  err receives the reason on failure (always NUL-terminated). */
int helper_options_parse(DBusMessageIter *iter, struct helper_options **out, char *err,
                         size_t errlen);
/* An Agent's Relogin result: "Cookie" (required), "ServerCertPin" (optional). */
int helper_options_parse_relogin(DBusMessageIter *iter, struct secret **cookie, char **pin,
                                 char *err, size_t errlen);

/* The single checks, exported for the unit tests.  host receives a malloc'd copy. */
int helper_options_parse_gateway(const char *url, char **host, uint16_t *port);
bool helper_options_pin_valid(const char *pin);
bool helper_options_cookie_valid(const char *cookie, size_t len);
bool helper_options_address_valid(const char *address);
bool helper_options_user_agent_valid(const char *ua);

DEFINE_CLEANUP(struct helper_options *, helper_options_free)
