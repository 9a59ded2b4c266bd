// SPDX-License-Identifier: GPL-2.0-or-later
#include "tls-diagnose.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "log.h"

bool tls_diagnose_worth(int gnutls_err, gnutls_alert_description_t alert)
{
	switch (gnutls_err) {
	case GNUTLS_E_UNSUPPORTED_VERSION_PACKET: /* a TLS 1.0 ServerHello */
	case GNUTLS_E_PREMATURE_TERMINATION:      /* GnuTLS servers close without an alert */
	case GNUTLS_E_NO_CIPHER_SUITES:
	case GNUTLS_E_UNKNOWN_CIPHER_SUITE:
	case GNUTLS_E_INSUFFICIENT_SECURITY:
		return true;
	case GNUTLS_E_FATAL_ALERT_RECEIVED:
		return alert == GNUTLS_A_PROTOCOL_VERSION || alert == GNUTLS_A_HANDSHAKE_FAILURE ||
		       alert == GNUTLS_A_INSUFFICIENT_SECURITY;
	default:
		return false;
	}
}

static bool tls_diagnose_listed(const unsigned *list, int n, unsigned want)
{
	for (int i = 0; i < n; i++)
		if (list[i] == want)
			return true;
	return false;
}

/* "TLS 1.2" from GnuTLS's "TLS1.2". */
static void tls_diagnose_version_name(gnutls_protocol_t v, char *buf, size_t len)
{
	const char *name = gnutls_protocol_get_name(v);

	if (!name)
		name = "an unknown protocol version";
	if (strncmp(name, "TLS", 3) == 0 && name[3] != ' ')
		snprintf(buf, len, "TLS %s", name + 3);
	else
		snprintf(buf, len, "%s", name);
}

/* The oldest TLS version the priority allows, or 0 when it lists none. */
static gnutls_protocol_t tls_diagnose_oldest(const unsigned *list, int n)
{
	gnutls_protocol_t oldest = 0;

	for (int i = 0; i < n; i++)
		if (list[i] <= GNUTLS_TLS_VERSION_MAX && (!oldest || list[i] < oldest))
			oldest = (gnutls_protocol_t)list[i];
	return oldest;
}

/* Adds "VERB WHAT[ SUFFIX]" to the sentence. */
static void tls_diagnose_append(char *buf, size_t len, bool *first, const char *verb,
                                const char *what, const char *suffix)
{
	size_t used = strlen(buf);

	snprintf(buf + used, len - used, "%s%s %s%s", *first ? "; this client " : " and ", verb,
	         what, suffix);
	*first = false;
}

int tls_diagnose_describe(const struct tls_negotiated *n, const char *priority, char *buf,
                          size_t len)
{
	gnutls_priority_t prio;
	const unsigned *versions, *ciphers, *macs, *kxs;
	int nv, nc, nm, nk;
	bool bad_version, bad_cipher, bad_mac, bad_kx, first = true;
	char version[32], oldest[48];

	if (gnutls_priority_init(&prio, priority, NULL) < 0)
		return -ERR_INVALID_ARGS;
	nv = gnutls_priority_protocol_list(prio, &versions);
	nc = gnutls_priority_cipher_list(prio, &ciphers);
	nm = gnutls_priority_mac_list(prio, &macs);
	nk = gnutls_priority_kx_list(prio, &kxs);
	bad_version = !tls_diagnose_listed(versions, nv, n->version);
	bad_cipher = !tls_diagnose_listed(ciphers, nc, n->cipher);
	/* TLS 1.3 suites name no key exchange; AEAD ciphers have no separate MAC. */
	bad_mac = n->mac != GNUTLS_MAC_AEAD && !tls_diagnose_listed(macs, nm, n->mac);
	bad_kx = n->kx != GNUTLS_KX_UNKNOWN && !tls_diagnose_listed(kxs, nk, n->kx);
	tls_diagnose_version_name(tls_diagnose_oldest(versions, nv), oldest, sizeof(oldest));
	gnutls_priority_deinit(prio);
	if (!bad_version && !bad_cipher && !bad_mac && !bad_kx)
		return -ERR_NOT_FOUND;

	tls_diagnose_version_name(n->version, version, sizeof(version));
	snprintf(buf, len, "the gateway offers only %s with %s", version,
	         gnutls_cipher_get_name(n->cipher) ? gnutls_cipher_get_name(n->cipher) : "?");
	if (bad_version)
		tls_diagnose_append(buf, len, &first, "needs", oldest, " or later");
	if (bad_cipher)
		tls_diagnose_append(buf, len, &first, "refuses",
		                    gnutls_cipher_get_name(n->cipher), "");
	if (bad_mac)
		tls_diagnose_append(buf, len, &first, "refuses",
		                    gnutls_mac_get_name(n->mac), " MACs");
	if (bad_kx)
		tls_diagnose_append(buf, len, &first, "refuses",
		                    gnutls_kx_get_name(n->kx), " key exchange");
	return 0;
}

int tls_diagnose(const struct tls_conn_options *o, const char *peer_address, const char *priority,
                 char *buf, size_t len)
{
	struct tls_conn_options probe = *o;
	_cleanup_(tls_conn_freep) struct tls_conn *c = NULL;
	struct tls_negotiated n;
	char *desc;
	int r;

	/* Only the negotiated parameters are read, so nothing is trusted: no pin, no CA. */
	probe.address = peer_address && *peer_address ? peer_address : o->address;
	probe.priority = TLS_DIAGNOSE_PRIORITY;
	probe.pin = NULL;
	probe.defer_check = true;
	r = tls_conn_open(&probe, &c, NULL);
	if (r < 0)
		return r;
	n = (struct tls_negotiated){
	    .version = gnutls_protocol_get_version(tls_conn_session(c)),
	    .cipher = gnutls_cipher_get(tls_conn_session(c)),
	    .mac = gnutls_mac_get(tls_conn_session(c)),
	    .kx = gnutls_kx_get(tls_conn_session(c)),
	};
	desc = gnutls_session_get_desc(tls_conn_session(c));
	log_debug("the diagnostic handshake with %s got %s",
	          probe.address ? probe.address : o->host, desc ? desc : "?");
	gnutls_free(desc);
	return tls_diagnose_describe(&n, priority, buf, len);
}
