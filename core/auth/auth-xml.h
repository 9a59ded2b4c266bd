/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The aggregate-auth XML layer (docs/protocol.md "Phases 2 and 3: the aggregate-auth login"):
 * reads what a gateway sends during login and writes what the client posts.  Login side only
 * (core-auth); never linked into the helper or the worker.
 *
 * Every document from a gateway is hostile.  All parsing goes through xml_read_doc()
 * (core/xml/xml-read.h: no network, no entities, no DTD, caps, strict well-formedness, libxml2
 * kept quiet) with XML_READ_SKIP_LEADING, as ASAs send a byte-order mark and leading
 * whitespace.
 */
#include <stdbool.h>
#include <stddef.h>

#include "auth-form.h"
#include "cleanup.h"
#include "secret.h"

#define AUTH_XML_MAX_SIZE      (1024 * 1024) /* bytes of one gateway document */
#define AUTH_XML_MAX_ELEMENTS  10000
#define AUTH_XML_MAX_DEPTH     64
#define AUTH_XML_MAX_OPAQUE    (256 * 1024) /* bytes of the serialised <opaque> */
#define AUTH_XML_MAX_MANIFESTS 16
#define AUTH_XML_MAX_TOKEN     4096 /* bytes of <session-token> */

enum auth_doc_kind {
	AUTH_DOC_FORM,    /* a form to fill and post (form != NULL) */
	AUTH_DOC_SUCCESS, /* auth id="success": login done */
	/* Login failed: config-auth with no auth element (e.g. complete with only <error>),
	 * auth id="failure", or an auth element without a form.  error says why. */
	AUTH_DOC_ERROR,
	/* The gateway wants something this client does not do: host scan / CSD, single sign-on
	 * only, multiple-certificate authentication, a form method other than POST.  error says
	 * what.  form is kept (non-NULL) when the document had one, so that a group_list can
	 * still be offered: another group may not need the unsupported method. */
	AUTH_DOC_UNSUPPORTED,
	/* <client-cert-request/> without <cert-authenticated/>: the gateway wanted a client
	 * certificate during TLS and did not get one.  Reconnect offering one, or re-send init
	 * with client_cert_fail set (docs/protocol.md "Client certificate requests"). */
	AUTH_DOC_CLIENT_CERT_REQUEST,
};

struct auth_manifest_file {
	char *uri;  /* an absolute path: starts with '/', no "..", "." or empty segments, no
	               scheme, host, query, fragment, backslash, space or control character */
	char *sha1; /* 40 hex digits, upper-cased */
};

struct auth_doc {
	enum auth_doc_kind kind;
	struct auth_form *form; /* FORM (always), UNSUPPORTED (if the document had a form) */
	/* The config-auth/opaque element serialised (attributes and children, namespaces it
	 * uses declared on it), or NULL.  Pass it to auth_xml_build_reply() unchanged; keep the
	 * newest one across rounds. */
	char *opaque_xml;
	char *error;      /* ERROR and UNSUPPORTED: a message for the user (never NULL then) */
	bool legacy_root; /* the root was a bare <auth>, not <config-auth>
	                     (docs/protocol.md "Legacy gateways without aggregate auth") */
	char *doc_type;   /* the config-auth type attribute ("auth-request", "complete"), or NULL */
	bool cert_authenticated; /* <cert-authenticated/>: the TLS client certificate was taken */

	/* SUCCESS only (all NULL / 0 / false otherwise). */
	struct secret *session_token; /* <session-token>; NULL when absent or empty (ocserv sends
	                                 the token only as Set-Cookie: webvpn) */
	char *session_id;             /* <session-id>, informational */
	char *banner;                 /* auth/banner: show (and have accepted) before connecting */
	char *message;                /* auth/message, placeholders filled */
	char *server_cert_hash;       /* config/vpn-base-config/server-cert-hash: SHA-1 of the
	                                 gateway certificate's DER, 40 upper-case hex digits */
	struct auth_manifest_file *profiles; /* vpn-profile-manifest files of type="profile"
	                                        service-type="user" under vpn rev="1.0" */
	size_t n_profiles;
	/* Noticed so they can be logged, never acted upon: a third-party client must not fetch
	 * or run Cisco packages or scripts
	 * (docs/protocol.md "Pitfall: nothing the gateway offers is executed"). */
	bool has_core_manifest;
	bool has_customization_manifest;
	bool has_service_profile_manifest;
};

/*
 * Parses a gateway's answer to an init or auth-reply POST.
 * Returns 0 with *out set, or:
 *   -ERR_TOO_LARGE  more than AUTH_XML_MAX_SIZE bytes, or too many / too deeply nested
 *                   elements;
 *   -ERR_PROTOCOL   not well-formed XML, a DOCTYPE, a root other than config-auth or auth
 *                   (an HTML page, for one), or a malformed aggregate-auth document (bad
 *                   hash, bad manifest URI, bad session token, invalid field name,
 *                   duplicate field, empty form action, too many fields...);
 *   -ERR_NOMEM.
 * auth_xml_parse_full() also hands back a message for the user on failure (in *errmsg, to be
 * freed; may stay NULL on ENOMEM).  For a body that is not aggregate-auth XML it says that the
 * gateway does not speak aggregate-auth v2 at this address.
 */
int auth_xml_parse(const void *body, size_t len, struct auth_doc **out);
int auth_xml_parse_full(const void *body, size_t len, struct auth_doc **out, char **errmsg);
void auth_xml_doc_free(struct auth_doc *doc);
DEFINE_CLEANUP(struct auth_doc *, auth_xml_doc_free)

struct auth_client_info {
	const char *version;   /* e.g. "4.10.07061" */
	const char *device_id; /* "linux-64" */
	/* init only: add <client-cert-fail/> (the gateway asked for a certificate this client
	 * does not have or that it already rejected;
	 * docs/protocol.md "Client certificate requests"). */
	bool client_cert_fail;
};

/*
 * Client documents.  They are returned as struct secret because a reply holds passwords.
 * Built with libxml2's tree API (values are escaped by libxml2, never pasted into markup),
 * UTF-8, with the XML declaration.  Element order as docs/protocol.md "The init document" and
 * docs/protocol.md "The auth-reply" say:
 *
 *   init:  config-auth client="vpn" type="init" aggregate-auth-version="2"
 *            version who="vpn", device-id, capabilities, [group-access], [client-cert-fail],
 *            [group-select]
 *   reply: config-auth client="vpn" type="auth-reply" aggregate-auth-version="2"
 *            version who="vpn", device-id, capabilities, [opaque], auth, [group-select]
 *
 * <capabilities> is sent empty: this client implements none of the optional auth methods
 * (single-sign-on-v2, single-sign-on-external-browser, multiple-cert), and advertising one
 * makes a gateway choose a flow we cannot finish
 * (docs/protocol.md "Pitfall: advertise only what is implemented").  The element itself stays
 * so the documents keep the shape every Cisco client sends.
 *
 * Reply <auth> children: one element per active field, in form order, named after the field
 * and holding its value: text, password, hidden and selects other than group_list.  As the
 * reference client does (docs/protocol.md "The auth-reply"): fields named answer, whichpin and
 * new_password are sent as <password> (ASA challenge, new-PIN and password-change forms),
 * unless the form also has a field named password (then they keep their name, so <password> is
 * never doubled); verify_password and verify_pin are not sent (check them with
 * auth_form_confirmations_match()).  The group_list choice goes into <group-select> after
 * <auth>, as the option's value, never its label
 * (docs/protocol.md "Pitfall: the group is sent as its value, never its label").
 *
 * Return NULL (and log why) on ENOMEM, a missing version/device_id, a field name that is not
 * an XML NCName, a value XML cannot carry, or an opaque_xml that is not one <opaque> element.
 */
struct secret *auth_xml_build_init(const struct auth_client_info *ci, const char *group_access_url,
                                   const char *group_select);
struct secret *auth_xml_build_reply(const struct auth_client_info *ci, const char *opaque_xml,
                                    const struct auth_form *filled_form);

/* ---- shared with core/auth/profile-xml.c ---- */

/* Tree readers matching elements by local name (namespaces ignored, as gateways vary). */
struct _xmlNode;
bool auth_xml_is_element(const struct _xmlNode *n, const char *name);
/* The first child element with that name, or NULL. */
struct _xmlNode *auth_xml_child(const struct _xmlNode *parent, const char *name);
