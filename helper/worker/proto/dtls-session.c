// SPDX-License-Identifier: GPL-2.0-or-later
#include "dtls-session.h"

#include <gnutls/dtls.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"

/* GnuTLS 3.8.1 renamed the flag. */
#ifdef GNUTLS_NO_DEFAULT_EXTENSIONS
#define DTLS_SESSION_NO_EXT GNUTLS_NO_DEFAULT_EXTENSIONS
#else
#define DTLS_SESSION_NO_EXT GNUTLS_NO_EXTENSIONS
#endif

void dtls_session_free(struct dtls_session *s)
{
	if (!s)
		return;
	if (s->session)
		gnutls_deinit(s->session);
	if (s->psk)
		gnutls_psk_free_client_credentials(s->psk);
	free(s);
}

static int dtls_session_check_params(const struct dtls_session_params *p)
{
	switch (p->method) {
	case DTLS_METHOD_LEGACY:
		if (!p->suite || p->key_len != DTLS_SUITE_MASTER_LEN ||
		    p->session_id_len != DTLS_SUITE_SESSION_LEN)
			return -ERR_INVALID_ARGS;
		break;
	case DTLS_METHOD_PSK:
		if (!p->psk_priority || p->key_len != DTLS_SUITE_PSK_KEY_LEN ||
		    p->session_id_len < 1 || p->session_id_len > 32)
			return -ERR_INVALID_ARGS;
		break;
	default:
		return -ERR_INVALID_ARGS;
	}
	return p->key && p->session_id ? 0 : -ERR_INVALID_ARGS;
}

static int dtls_session_legacy(struct dtls_session *s, const struct dtls_session_params *p)
{
	const struct dtls_suite *suite = p->suite;
	gnutls_datum_t master = {(unsigned char *)p->key, (unsigned)p->key_len};
	gnutls_datum_t sid = {(unsigned char *)p->session_id, (unsigned)p->session_id_len};
	const char *err_pos = NULL;
	int r;

	r = gnutls_priority_set_direct(s->session, suite->priority, &err_pos);
	if (r < 0) {
		log_warning("DTLS: GnuTLS refuses the priority of %s near \"%s\": %s", suite->name,
		            err_pos ? err_pos : "", gnutls_strerror(r));
		return -ERR_TLS;
	}
	gnutls_record_disable_padding(s->session);
	r = gnutls_session_set_premaster(s->session, GNUTLS_CLIENT, suite->version, suite->kx,
	                                 suite->cipher, suite->mac, GNUTLS_COMP_NULL, &master,
	                                 &sid);
	if (r < 0) {
		log_warning("DTLS: cannot set up the %s session: %s", suite->name,
		            gnutls_strerror(r));
		return -ERR_TLS;
	}
	return 0;
}

static int dtls_session_psk(struct dtls_session *s, const struct dtls_session_params *p)
{
	gnutls_datum_t key = {(unsigned char *)p->key, (unsigned)p->key_len};
	gnutls_datum_t sid = {(unsigned char *)p->session_id, (unsigned)p->session_id_len};
	const char *err_pos = NULL;
	int r;

	r = gnutls_priority_set_direct(s->session, p->psk_priority, &err_pos);
	if (r < 0) {
		log_warning("DTLS: GnuTLS refuses the PSK priority near \"%s\": %s",
		            err_pos ? err_pos : "", gnutls_strerror(r));
		return -ERR_TLS;
	}
	r = gnutls_psk_allocate_client_credentials(&s->psk);
	if (r < 0)
		return -ERR_NOMEM;
	/* The identity is not looked at by ocserv (it comes after the ServerHello): the
	 * session id below is what routes the hello to our session. */
	r = gnutls_psk_set_client_credentials(s->psk, DTLS_SUITE_PSK_IDENTITY, &key,
	                                      GNUTLS_PSK_KEY_RAW);
	if (r == 0)
		r = gnutls_credentials_set(s->session, GNUTLS_CRD_PSK, s->psk);
	if (r == 0)
		r = gnutls_session_set_id(s->session, &sid);
	if (r < 0) {
		log_warning("DTLS: cannot set up the PSK session: %s", gnutls_strerror(r));
		return -ERR_TLS;
	}
	return 0;
}

int dtls_session_new(const struct dtls_session_params *p, struct dtls_session **out)
{
	_cleanup_(dtls_session_freep) struct dtls_session *s = NULL;
	int r;

	*out = NULL;
	r = dtls_session_check_params(p);
	if (r < 0)
		return r;
	if (!dtls_suite_gnutls_ok(gnutls_check_version(NULL)))
		return -ERR_UNSUPPORTED;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ERR_NOMEM;
	s->method = p->method;
	r = gnutls_init(&s->session, GNUTLS_CLIENT | GNUTLS_DATAGRAM | GNUTLS_NONBLOCK |
	                                 GNUTLS_NO_TICKETS | DTLS_SESSION_NO_EXT);
	if (r < 0) {
		s->session = NULL;
		return r == GNUTLS_E_MEMORY_ERROR ? -ERR_NOMEM : -ERR_TLS;
	}
	r = p->method == DTLS_METHOD_LEGACY ? dtls_session_legacy(s, p) : dtls_session_psk(s, p);
	if (r < 0)
		return r;
	gnutls_dtls_set_timeouts(s->session, p->retrans_ms ? p->retrans_ms : 1000,
	                         p->total_ms ? p->total_ms : 60000);
	*out = steal_ptr(&s);
	return 0;
}

int dtls_session_verify(const struct dtls_session *s, const struct dtls_session_params *p)
{
	gnutls_protocol_t v = gnutls_protocol_get_version(s->session);

	if (s->method == DTLS_METHOD_LEGACY) {
		if (!gnutls_session_is_resumed(s->session)) {
			log_warning("DTLS: the gateway made a full handshake instead of resuming "
			            "the session it gave us: not our gateway");
			return -ERR_TLS;
		}
		if (v != p->suite->version || gnutls_cipher_get(s->session) != p->suite->cipher) {
			log_warning("DTLS: the resumed session is not the %s we agreed on",
			            p->suite->name);
			return -ERR_TLS;
		}
		return 0;
	}
	if (v != GNUTLS_DTLS1_0 && v != GNUTLS_DTLS1_2) {
		log_warning("DTLS: unexpected protocol version %s", gnutls_protocol_get_name(v));
		return -ERR_TLS;
	}
	return 0;
}
