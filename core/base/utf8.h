/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The one check for text that came from outside (gateway forms and banners, the preferences
 * file): strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF, no
 * noncharacters U+FFFE/U+FFFF, no NUL) plus a policy for control characters.
 */
#include <stdbool.h>
#include <stddef.h>

enum utf8_controls {
	/* What XML 1.0 carries: C0 refused except TAB, LF, CR; DEL and C1 pass (form text). */
	UTF8_XML_TEXT,
	/* Text shown to a user, possibly on a terminal: as above, and DEL and C1 refused. */
	UTF8_DISPLAY_TEXT,
	/* Single-line values: every control character refused (C0 with TAB/LF/CR, DEL, C1). */
	UTF8_SINGLE_LINE,
};

/* Checks len bytes of s (an embedded NUL fails). */
bool utf8_valid(const char *s, size_t len, enum utf8_controls policy);
