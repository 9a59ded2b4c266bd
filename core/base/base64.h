/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Base64 (RFC 4648, standard alphabet, padded) as certificate pins use it.  Decoding is strict:
 * one encoding per value, so that two spellings of a pin never compare as different pins. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The encoded length of n bytes, without the NUL. */
#define BASE64_LEN(n) (((n) + 2) / 3 * 4)

/* BASE64_LEN(n) characters and a NUL into out. */
void base64_encode(const uint8_t *in, size_t n, char *out);
/* Exactly the canonical encoding of n bytes (length, padding, unused bits zero, nothing after
 * it) into out; false otherwise. */
bool base64_decode_exact(const char *in, uint8_t *out, size_t n);
