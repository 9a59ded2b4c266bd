// SPDX-License-Identifier: GPL-2.0-or-later
#include "secret.h"

#include <stdlib.h>
#include <string.h>

struct secret {
	size_t len;
	char data[];
};

void secret_wipe(void *buf, size_t len)
{
	if (buf && len)
		explicit_bzero(buf, len);
}

struct secret *secret_new(const void *data, size_t len)
{
	struct secret *s = malloc(sizeof(*s) + len + 1);

	if (!s)
		return NULL;
	s->len = len;
	if (len)
		memcpy(s->data, data, len);
	s->data[len] = '\0';
	return s;
}

struct secret *secret_new_str(const char *str)
{
	return str ? secret_new(str, strlen(str)) : NULL;
}

struct secret *secret_dup(const struct secret *s)
{
	return s ? secret_new(s->data, s->len) : NULL;
}

void secret_free(struct secret *s)
{
	if (!s)
		return;
	explicit_bzero(s->data, s->len + 1);
	explicit_bzero(&s->len, sizeof(s->len));
	free(s);
}

const char *secret_str(const struct secret *s)
{
	return s ? s->data : NULL;
}

size_t secret_len(const struct secret *s)
{
	return s ? s->len : 0;
}

bool secret_equal(const struct secret *a, const struct secret *b)
{
	unsigned char diff = 0;

	if (!a || !b)
		return a == b;
	if (a->len != b->len)
		return false;
	for (size_t i = 0; i < a->len; i++)
		diff |= (unsigned char)(a->data[i] ^ b->data[i]);
	return diff == 0;
}
