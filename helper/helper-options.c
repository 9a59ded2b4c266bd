// SPDX-License-Identifier: GPL-2.0-or-later
#include "helper-options.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base64.h"
#include "error.h"
#include "gateway-url.h"

struct helper_options *helper_options_new(void)
{
	struct helper_options *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->cert_fd = -1;
	o->key_fd = -1;
	return o;
}

void helper_options_free(struct helper_options *o)
{
	if (!o)
		return;
	free(o->gateway);
	free(o->host);
	free(o->address);
	secret_free(o->cookie);
	free(o->pin);
	free(o->user_agent);
	if (o->cert_fd >= 0)
		close(o->cert_fd);
	if (o->key_fd >= 0)
		close(o->key_fd);
	free(o);
}

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt,
                                                      ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -ERR_INVALID_ARGS;
}

int helper_options_parse_gateway(const char *url, char **host_out, uint16_t *port_out)
{
	struct gateway_url u;
	char canonical[GATEWAY_URL_MAX_TEXT + 1];

	/* Only the canonical form the login code writes (gateway_url_format()): the URL is shown
	 * back to users in properties, so two spellings of one gateway must not exist. */
	if (strlen(url) > HELPER_OPTIONS_MAX_GATEWAY || gateway_url_parse(url, &u) < 0 ||
	    gateway_url_format(&u, canonical, sizeof(canonical)) < 0 || strcmp(canonical, url) != 0)
		return -ERR_INVALID_ARGS;
	if (host_out) {
		*host_out = strdup(u.host);
		if (!*host_out)
			return -ERR_NOMEM;
	}
	if (port_out)
		*port_out = u.port;
	return 0;
}

bool helper_options_pin_valid(const char *pin)
{
	size_t plen = strlen(HELPER_OPTIONS_PIN_PREFIX);
	uint8_t hash[32];

	return strncmp(pin, HELPER_OPTIONS_PIN_PREFIX, plen) == 0 &&
	       base64_decode_exact(pin + plen, hash, sizeof(hash));
}

bool helper_options_cookie_valid(const char *cookie, size_t len)
{
	if (len == 0 || len > HELPER_OPTIONS_MAX_COOKIE)
		return false;
	/* It ends up in a "Cookie: webvpn=..." header line. */
	for (size_t i = 0; i < len; i++)
		if (cookie[i] < 0x21 || cookie[i] > 0x7e || cookie[i] == ';')
			return false;
	return true;
}

bool helper_options_address_valid(const char *address)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (strlen(address) > INET6_ADDRSTRLEN - 1)
		return false;
	if (inet_pton(AF_INET, address, &a4) == 1) {
		uint32_t h = ntohl(a4.s_addr);

		return h != 0 && h != 0xffffffffu && (h >> 28) != 0xe;
	}
	if (inet_pton(AF_INET6, address, &a6) == 1)
		return !IN6_IS_ADDR_UNSPECIFIED(&a6) && !IN6_IS_ADDR_MULTICAST(&a6);
	return false;
}

bool helper_options_user_agent_valid(const char *ua)
{
	size_t len = strlen(ua);

	if (len == 0 || len > HELPER_OPTIONS_MAX_USER_AGENT)
		return false;
	for (size_t i = 0; i < len; i++)
		if (ua[i] < 0x20 || ua[i] > 0x7e)
			return false;
	return true;
}

/* A key is only quoted back when it is short and printable: it is caller-controlled text. */
static const char *printable_key(const char *key)
{
	size_t len = strlen(key);

	if (len == 0 || len > 64)
		return "(unprintable)";
	for (size_t i = 0; i < len; i++)
		if (key[i] < 0x20 || key[i] > 0x7e || key[i] == '\'')
			return "(unprintable)";
	return key;
}

enum opt_key {
	OPT_GATEWAY,
	OPT_ADDRESS,
	OPT_COOKIE,
	OPT_PIN,
	OPT_NO_DTLS,
	OPT_USER_AGENT,
	OPT_CERT_FD,
	OPT_KEY_FD,
	OPT_COUNT_
};

static const struct {
	const char *name;
	int type;
	bool required;
	bool relogin; /* also valid in a Relogin result */
	bool relogin_required;
} opt_table[OPT_COUNT_] = {
    [OPT_GATEWAY] = {"Gateway", DBUS_TYPE_STRING, true, false, false},
    [OPT_ADDRESS] = {"Address", DBUS_TYPE_STRING, true, false, false},
    /* Both or neither (neither: a prepared connection, completed by Connection.Start). */
    [OPT_COOKIE] = {"Cookie", DBUS_TYPE_STRING, false, true, true},
    [OPT_PIN] = {"ServerCertPin", DBUS_TYPE_STRING, false, true, false},
    [OPT_NO_DTLS] = {"NoDtls", DBUS_TYPE_BOOLEAN, false, false, false},
    [OPT_USER_AGENT] = {"UserAgent", DBUS_TYPE_STRING, false, false, false},
    [OPT_CERT_FD] = {"ClientCertFd", DBUS_TYPE_UNIX_FD, false, false, false},
    [OPT_KEY_FD] = {"ClientKeyFd", DBUS_TYPE_UNIX_FD, false, false, false},
};

static const char *type_name(int type)
{
	switch (type) {
	case DBUS_TYPE_STRING:
		return "s";
	case DBUS_TYPE_BOOLEAN:
		return "b";
	case DBUS_TYPE_UNIX_FD:
		return "h";
	default:
		return "?";
	}
}

static int check_cert_fd(int fd, const char *name, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return fail(err, errlen, "option '%s' must be a regular file", name);
	if (st.st_size <= 0 || st.st_size > HELPER_OPTIONS_MAX_CERT_FILE)
		return fail(err, errlen, "option '%s' must hold 1 byte to %d bytes", name,
		            HELPER_OPTIONS_MAX_CERT_FILE);
	return 0;
}

/* A key that stays with the caller (a token's): the worker asks for signatures through this
 * socket, one datagram each way. */
static bool is_signer_socket(int fd)
{
	int type = 0, domain = 0;
	socklen_t len = sizeof(type), dlen = sizeof(domain);

	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_SEQPACKET &&
	       getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &dlen) == 0 && domain == AF_UNIX;
}

/* Collects the entries of an a{sv} into values[]; strings point into the message. */
struct opt_values {
	bool present[OPT_COUNT_];
	const char *str[OPT_COUNT_];
	dbus_bool_t flag[OPT_COUNT_];
	int fd[OPT_COUNT_];
};

static void opt_values_close(struct opt_values *v)
{
	for (int i = 0; i < OPT_COUNT_; i++)
		if (v->fd[i] >= 0)
			close(v->fd[i]);
}

static int collect(DBusMessageIter *iter, bool relogin, struct opt_values *v, char *err,
                   size_t errlen)
{
	DBusMessageIter arr;
	unsigned count = 0;

	for (int i = 0; i < OPT_COUNT_; i++)
		v->fd[i] = -1;
	if (dbus_message_iter_get_arg_type(iter) != DBUS_TYPE_ARRAY ||
	    dbus_message_iter_get_element_type(iter) != DBUS_TYPE_DICT_ENTRY)
		return fail(err, errlen, "options must be a{sv}");
	dbus_message_iter_recurse(iter, &arr);
	for (; dbus_message_iter_get_arg_type(&arr) == DBUS_TYPE_DICT_ENTRY;
	     dbus_message_iter_next(&arr)) {
		DBusMessageIter entry, var;
		const char *key;
		int k, type;

		if (++count > HELPER_OPTIONS_MAX_ENTRIES)
			return fail(err, errlen, "too many options");
		dbus_message_iter_recurse(&arr, &entry);
		if (dbus_message_iter_get_arg_type(&entry) != DBUS_TYPE_STRING)
			return fail(err, errlen, "options must be a{sv}");
		dbus_message_iter_get_basic(&entry, &key);
		dbus_message_iter_next(&entry);
		if (dbus_message_iter_get_arg_type(&entry) != DBUS_TYPE_VARIANT)
			return fail(err, errlen, "options must be a{sv}");
		dbus_message_iter_recurse(&entry, &var);

		for (k = 0; k < OPT_COUNT_; k++)
			if (strcmp(key, opt_table[k].name) == 0)
				break;
		if (k == OPT_COUNT_ || (relogin && !opt_table[k].relogin))
			return fail(err, errlen, "unknown option '%s'", printable_key(key));
		if (v->present[k])
			return fail(err, errlen, "option '%s' given twice", opt_table[k].name);
		type = dbus_message_iter_get_arg_type(&var);
		if (type != opt_table[k].type)
			return fail(err, errlen, "option '%s' must have type '%s'",
			            opt_table[k].name, type_name(opt_table[k].type));
		v->present[k] = true;
		if (type == DBUS_TYPE_STRING)
			dbus_message_iter_get_basic(&var, &v->str[k]);
		else if (type == DBUS_TYPE_BOOLEAN)
			dbus_message_iter_get_basic(&var, &v->flag[k]);
		else
			dbus_message_iter_get_basic(&var, &v->fd[k]); /* a dup we own */
		/* libdbus gives -1 for a handle whose index the message has no descriptor for:
		 * going on without it would start the tunnel without the certificate. */
		if (type == DBUS_TYPE_UNIX_FD && v->fd[k] < 0)
			return fail(err, errlen, "option '%s' has no descriptor behind it",
			            opt_table[k].name);
	}
	for (int k = 0; k < OPT_COUNT_; k++) {
		bool required = relogin ? opt_table[k].relogin_required : opt_table[k].required;

		if (required && !v->present[k])
			return fail(err, errlen, "missing required option '%s'", opt_table[k].name);
	}
	return 0;
}

static int check_cookie_and_pin(const struct opt_values *v, char *err, size_t errlen)
{
	if (v->present[OPT_COOKIE] &&
	    !helper_options_cookie_valid(v->str[OPT_COOKIE], strlen(v->str[OPT_COOKIE])))
		return fail(err, errlen,
		            "option 'Cookie' must be 1 to %d visible ASCII characters without ';'",
		            HELPER_OPTIONS_MAX_COOKIE);
	if (v->present[OPT_PIN] && !helper_options_pin_valid(v->str[OPT_PIN]))
		return fail(err, errlen,
		            "option 'ServerCertPin' must be pin-sha256: and 44 base64 characters");
	return 0;
}

int helper_options_parse(DBusMessageIter *iter, struct helper_options **out, char *err,
                         size_t errlen)
{
	_cleanup_(helper_options_freep) struct helper_options *o = NULL;
	struct opt_values v = {0};
	int r;

	if (err && errlen)
		err[0] = '\0';
	r = collect(iter, false, &v, err, errlen);
	if (r < 0) {
		opt_values_close(&v);
		return r;
	}
	o = helper_options_new();
	if (!o) {
		opt_values_close(&v);
		return -ERR_NOMEM;
	}
	/* From here on o owns the fds, whatever happens. */
	o->cert_fd = v.fd[OPT_CERT_FD];
	o->key_fd = v.fd[OPT_KEY_FD];

	if (helper_options_parse_gateway(v.str[OPT_GATEWAY], &o->host, &o->port) < 0)
		return fail(
		    err, errlen,
		    "option 'Gateway' must be a canonical https://host[:port]/path URL (at most "
		    "%d bytes)",
		    HELPER_OPTIONS_MAX_GATEWAY);
	if (!helper_options_address_valid(v.str[OPT_ADDRESS]))
		return fail(err, errlen, "option 'Address' must be a numeric unicast IP address");
	r = check_cookie_and_pin(&v, err, errlen);
	if (r < 0)
		return r;
	if (v.present[OPT_COOKIE] != v.present[OPT_PIN])
		return fail(err, errlen,
		            "options 'Cookie' and 'ServerCertPin' go together (neither: a prepared "
		            "connection)");
	if (v.present[OPT_USER_AGENT] && !helper_options_user_agent_valid(v.str[OPT_USER_AGENT]))
		return fail(err, errlen,
		            "option 'UserAgent' must be 1 to %d printable ASCII characters",
		            HELPER_OPTIONS_MAX_USER_AGENT);
	if (o->key_fd >= 0 && o->cert_fd < 0)
		return fail(err, errlen, "option 'ClientKeyFd' needs 'ClientCertFd'");
	/* A prepared worker completes its TLS handshake before the pin is known: a client
	 * certificate would be shown to a server nobody has verified yet. */
	if (o->cert_fd >= 0 && !v.present[OPT_COOKIE])
		return fail(err, errlen,
		            "option 'ClientCertFd' needs 'Cookie' and 'ServerCertPin' (a prepared "
		            "connection presents no client certificate)");
	if (o->cert_fd >= 0 && (r = check_cert_fd(o->cert_fd, "ClientCertFd", err, errlen)) < 0)
		return r;
	if (o->key_fd >= 0 && !is_signer_socket(o->key_fd) &&
	    (r = check_cert_fd(o->key_fd, "ClientKeyFd", err, errlen)) < 0)
		return r;

	/* A literal address in the URL must be the address we connect to. */
	{
		unsigned char a[16], b[16];
		int fam = strchr(o->host, ':') ? AF_INET6 : AF_INET;

		if (inet_pton(fam, o->host, a) == 1 &&
		    (inet_pton(fam, v.str[OPT_ADDRESS], b) != 1 ||
		     memcmp(a, b, fam == AF_INET ? 4 : 16) != 0))
			return fail(err, errlen,
			            "option 'Address' differs from the address in 'Gateway'");
	}

	o->gateway = strdup(v.str[OPT_GATEWAY]);
	o->address = strdup(v.str[OPT_ADDRESS]);
	if (v.present[OPT_COOKIE]) {
		o->cookie = secret_new_str(v.str[OPT_COOKIE]);
		o->pin = strdup(v.str[OPT_PIN]);
		if (!o->cookie || !o->pin)
			return -ERR_NOMEM;
	}
	o->no_dtls = v.present[OPT_NO_DTLS] && v.flag[OPT_NO_DTLS];
	if (v.present[OPT_USER_AGENT])
		o->user_agent = strdup(v.str[OPT_USER_AGENT]);
	if (!o->gateway || !o->address || (v.present[OPT_USER_AGENT] && !o->user_agent))
		return -ERR_NOMEM;
	*out = steal_ptr(&o);
	return 0;
}

int helper_options_parse_relogin(DBusMessageIter *iter, struct secret **cookie, char **pin,
                                 char *err, size_t errlen)
{
	struct opt_values v = {0};
	int r;

	if (err && errlen)
		err[0] = '\0';
	r = collect(iter, true, &v, err, errlen);
	opt_values_close(&v);
	if (r < 0)
		return r;
	r = check_cookie_and_pin(&v, err, errlen);
	if (r < 0)
		return r;
	*cookie = secret_new_str(v.str[OPT_COOKIE]);
	*pin = v.present[OPT_PIN] ? strdup(v.str[OPT_PIN]) : NULL;
	if (!*cookie || (v.present[OPT_PIN] && !*pin)) {
		secret_free(steal_ptr(cookie));
		free(steal_ptr(pin));
		return -ERR_NOMEM;
	}
	return 0;
}
