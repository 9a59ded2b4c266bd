// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Gateway URLs and redirect targets on hostile text.  Invariants: a parsed URL has a host, a
 * port, a path starting with '/', no byte outside printable ASCII; formatting it and parsing the
 * result gives the same URL; the Host header and resolve() agree with it; resolve() never
 * yields a URL that does not survive the same round trip.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "gateway-url.h"
#include "fuzz-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_printable(const char *s)
{
	for (; *s; s++)
		CHECK((unsigned char)*s > 0x20 && (unsigned char)*s < 0x7f && *s != '#');
}

static void check_url(const struct gateway_url *u)
{
	struct gateway_url again;
	char buf[GATEWAY_URL_MAX_TEXT + 64], host[300];

	CHECK(u->host[0] != '\0');
	CHECK(strnlen(u->host, sizeof(u->host)) < sizeof(u->host));
	CHECK(strnlen(u->path, sizeof(u->path)) < sizeof(u->path));
	CHECK(u->port != 0);
	CHECK(u->path[0] == '/');
	check_printable(u->host);
	check_printable(u->path);
	CHECK(gateway_url_format(u, buf, sizeof(buf)) == 0);
	CHECK(strncmp(buf, "https://", 8) == 0);
	CHECK(gateway_url_parse(buf, &again) == 0);
	CHECK(strcmp(again.host, u->host) == 0);
	CHECK(strcmp(again.path, u->path) == 0);
	CHECK(again.port == u->port);
	CHECK(again.host_is_ip == u->host_is_ip);
	CHECK(gateway_url_same_server(u, &again));
	CHECK(gateway_url_host_header(u, host, sizeof(host)) == 0);
	CHECK(strncmp(buf + 8, host, strlen(host)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const bases[] = {"vpn.example.com", "[2001:db8::1]:8443/grp"};
	char *text;
	struct gateway_url u, base, out;
	int ret;

	if (size > 2 * GATEWAY_URL_MAX_TEXT)
		return 0;
	text = malloc(size + 1);
	CHECK(text);
	memcpy(text, data, size);
	text[size] = '\0';

	ret = gateway_url_parse(text, &u);
	CHECK(ret == 0 || ret == -ERR_INVALID_ARGS);
	if (ret == 0)
		check_url(&u);

	for (size_t i = 0; i < 2; i++) {
		CHECK(gateway_url_parse(bases[i], &base) == 0);
		ret = gateway_url_resolve(text, &base, &out);
		CHECK(ret == 0 || ret == -ERR_PROTOCOL || ret == -ERR_UNSUPPORTED);
		if (ret == 0) {
			check_url(&out);
			/* An absolute path stays on the base's server. */
			if (text[0] == '/' && text[1] != '/')
				CHECK(gateway_url_same_server(&out, &base));
		}
	}
	free(text);
	return 0;
}
