/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * One blocking HTTP exchange on a tls_conn: send a serialized request, read until the response
 * is complete (or, in HEAD_ONLY mode, until the end of its headers).  Used by the CLI's login
 * driver and by the worker for CONNECT.
 */
#include <stddef.h>

#include "http-response.h"
#include "secret.h"
#include "tls-conn.h"

/*
 * Returns 0 with *out, or -ERR_*.  In HEAD_ONLY mode the bytes that followed the headers in the
 * same read are copied to leftover (at most leftover_size; more is -ERR_TOO_LARGE) and their
 * count stored in *leftover_len; pass NULL/0 in FULL mode.
 */
int http_exchange(struct tls_conn *c, const struct secret *request, enum http_response_mode mode,
		  struct http_response **out, void *leftover, size_t leftover_size,
		  size_t *leftover_len);
