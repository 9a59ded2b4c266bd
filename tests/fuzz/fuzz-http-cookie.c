// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Set-Cookie values from a gateway, and pins as users and preference files write them.  Input:
 * lines; each is fed to the cookie jar as one Set-Cookie value and to the pin parser.
 * Invariants: the jar's Cookie header never carries a control character, CR, LF or a stray
 * "; " inside a value; a pin that parses formats to text that parses to the same pin.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cert-pin.h"
#include "error.h"
#include "http-cookie.h"
#include "fuzz-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_pin(const char *text)
{
	struct cert_pin pin, again;
	char buf[CERT_PIN_TEXT_SIZE];

	if (cert_pin_parse(text, &pin) < 0)
		return;
	CHECK(cert_pin_format(&pin, buf, sizeof(buf)) >= 0);
	CHECK(cert_pin_parse(buf, &again) == 0);
	CHECK(cert_pin_equal(&pin, &again));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_cookie_jar *jar = http_cookie_jar_new();
	char *text = malloc(size + 1);
	struct secret *header;

	if (!jar || !text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	for (char *line = text, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		(void)http_cookie_jar_set_header(jar, line);
		check_pin(line);
	}
	header = http_cookie_jar_format(jar);
	CHECK(header);
	for (const char *p = secret_str(header); *p; p++)
		CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
	secret_free(header);
	http_cookie_jar_free(jar);
	free(text);
	return 0;
}
