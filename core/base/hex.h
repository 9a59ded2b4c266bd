/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Hex digits as gateways and pins use them: session ids, key hashes, %XX escapes.  No crypto
 * library here: the root helper links this and must not load GnuTLS. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 0..15 for [0-9a-fA-F], -1 for anything else. */
int hex_digit(char c);
/* Exactly 2*n digits (either case, nothing after them) into n bytes; false otherwise. */
bool hex_decode(const char *in, uint8_t *out, size_t n);
/* Exactly 40 digits (either case) and the NUL: how a SHA-1 is written in manifests, cookies
 * and the preferences.  False for NULL. */
bool hex_is_sha1(const char *s);
/* 2*n digits and a NUL into out. */
void hex_encode(const void *in, size_t n, char *out, bool upper);
