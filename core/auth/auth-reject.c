// SPDX-License-Identifier: GPL-2.0-or-later
#include "auth-reject.h"

#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

char *auth_reject_signature(const struct auth_form *form)
{
	size_t len = 1;
	char *sig;

	for (size_t i = 0; i < form->n_fields; i++)
		len += strlen(form->fields[i].name) + 1;
	sig = calloc(1, len);
	for (size_t i = 0; sig && i < form->n_fields; i++) {
		if (form->fields[i].type == AUTH_FIELD_HIDDEN || form->fields[i].is_group_list)
			continue;
		strcat(sig, form->fields[i].name);
		strcat(sig, ",");
	}
	return sig;
}

char *auth_reject_detect(const struct auth_form *form, const char *answered_fields,
                         const char *answered_message, bool *restart)
{
	_cleanup_free_ char *sig = NULL;
	const char *msg = form->message ? form->message : "";
	const char *at;
	char *words;

	*restart = false;
	if (form->error && *form->error)
		return strdup(form->error);
	if (!answered_fields || !answered_message || !*answered_message)
		return NULL;
	sig = auth_reject_signature(form);
	if (!sig || strcmp(sig, answered_fields) != 0)
		return NULL;
	at = strstr(msg, answered_message);
	if (!at)
		return NULL;
	*restart = true;
	words = strndup(msg, (size_t)(at - msg));
	if (!words)
		return NULL;
	/* Trim to the gateway's own words. */
	for (size_t n = strlen(words); n && strchr(" \t\r\n", words[n - 1]); n--)
		words[n - 1] = '\0';
	if (!*words) {
		free(words);
		words = strdup("the gateway asked for the same again");
	}
	return words;
}
