/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* An invariant of a fuzz target: abort() makes libFuzzer (and the corpus replay) report the
 * input that broke it. */
#include <stdlib.h>

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)
