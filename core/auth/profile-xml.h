/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Reads the server list of an AnyConnect client profile (the XML file the downloader fetches,
 * docs/protocol.md "Phase 4: the client profile download"): AnyConnectProfile/ServerList/HostEntry
 * with HostName, HostAddress and UserGroup.  The profile comes from the gateway, so it is parsed
 * with the same hygiene as every login document (xml_read_doc(): no DTD, no entities, no
 * network, caps).  Elements are matched by local name whatever their namespace (profiles normally
 * use the default namespace http://schemas.xmlsoap.org/encoding/, some a prefix, some none).
 * Everything else in a profile (Cisco client preferences) is ignored.
 */
#include <stddef.h>

#define PROFILE_XML_MAX_SIZE   (1024 * 1024)
#define PROFILE_XML_MAX_HOSTS  256
#define PROFILE_XML_MAX_STRING 1024 /* bytes of one HostName / HostAddress / UserGroup */

struct profile_host {
	char *name;       /* HostName: what the user picks (never NULL) */
	char *address;    /* HostAddress; the HostName when there is none (Cisco's rule: then the
	                     name is the address).  Never NULL. */
	char *user_group; /* UserGroup: the group URL path, e.g. "engineering"; NULL if absent */
};

/*
 * Fills *hosts with the HostEntry elements directly under ServerList, in document order
 * (entries without a HostName are skipped).  Leading and trailing whitespace of the values is
 * dropped; a value with control characters or longer than PROFILE_XML_MAX_STRING, or an
 * address with spaces, rejects the profile.  No ServerList gives 0 hosts (and *hosts NULL).
 * Returns 0, -ERR_PROTOCOL (not well-formed, DOCTYPE, root not AnyConnectProfile, bad value),
 * -ERR_TOO_LARGE (size, element or host caps), -ERR_NOMEM.
 */
int profile_xml_parse_servers(const void *xml, size_t len, struct profile_host **hosts, size_t *n);
void profile_xml_hosts_free(struct profile_host *hosts, size_t n);
