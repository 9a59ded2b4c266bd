/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Terminal I/O of the command line client: prompts on the controlling terminal (secrets
 * without echo), lines from standard input for --password-stdin, and printing of text that
 * came from a gateway with control characters neutralised (a hostile banner must not drive the
 * user's terminal). */
#include <stdbool.h>
#include <stdio.h>

#include "secret.h"

/* Opens /dev/tty for prompts; false when there is none (then prompting is impossible). */
bool cli_term_open(void);
bool cli_term_available(void);

/* Prompts on the terminal, the prompt and def through cli_term_put_safe (labels and defaults
 * come from the gateway); returns a malloc'd line (without newline) or NULL on EOF/none.
 * def is shown in brackets and returned for an empty answer. */
char *cli_term_ask(const char *prompt, const char *def);
/* Same without echo; returns a secret, NULL on EOF/none. */
struct secret *cli_term_ask_secret(const char *prompt);
/* Next line of standard input as a secret (for --password-stdin), NULL at EOF. */
struct secret *cli_term_stdin_secret(void);

/* Prints gateway-supplied text to f: control characters other than newline and tab (C0, DEL,
 * C1 such as U+009B CSI) and bytes that are not UTF-8 become '?', every line is indented by
 * indent and the last one ends with a newline. */
void cli_term_print_safe(FILE *f, const char *indent, const char *text);
/* The same filter for text within a line (a prompt, a label): newline and tab become spaces,
 * nothing is added. */
void cli_term_put_safe(FILE *f, const char *text);
