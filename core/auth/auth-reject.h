/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Was the answer to the previous form refused?  Either the gateway says so in <error> (ASA), or
 * it sends the same fields again with the same prompt plus something in front of it (ocserv:
 * "Login failed.\nPlease enter your password.").  A second factor asks with the same field
 * names but another prompt, so the prompt is what tells them apart.
 */
#include <stdbool.h>

#include "auth-form.h"

/* What identifies "the same form again": the names of its visible fields, "a,b,".  malloc'd;
 * NULL on ENOMEM. */
char *auth_reject_signature(const struct auth_form *form);

/* The gateway's words of refusal (malloc'd), or NULL when form does not refuse the answer that
 * was given to a form with answered_fields (its signature) and answered_message (its prompt).
 * *restart is set when the gateway refuses every later answer of the same exchange, so the
 * next try has to start over with a new init (ocserv). */
char *auth_reject_detect(const struct auth_form *form, const char *answered_fields,
                         const char *answered_message, bool *restart);
