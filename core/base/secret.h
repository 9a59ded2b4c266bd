/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Passwords, one-time codes, session cookies, DTLS master secrets and key passphrases live in
 * a struct secret: the bytes are wiped before the memory is released, and nothing in the tree
 * logs one (tests plant canary secrets and grep every log).
 * The data is always NUL-terminated so it can be handed to C string APIs.
 */
#include <stdbool.h>
#include <stddef.h>

#include "cleanup.h"

struct secret;

struct secret *secret_new(const void *data, size_t len); /* copies; NULL on ENOMEM */
struct secret *secret_new_str(const char *s);             /* NULL s gives NULL */
struct secret *secret_dup(const struct secret *s);
void secret_free(struct secret *s); /* wipes; NULL is fine */
const char *secret_str(const struct secret *s);
size_t secret_len(const struct secret *s);
bool secret_equal(const struct secret *a, const struct secret *b); /* constant time for equal lengths */
/* Wipes a plain buffer (for temporaries that never became a struct secret). */
void secret_wipe(void *buf, size_t len);

DEFINE_CLEANUP(struct secret *, secret_free)
