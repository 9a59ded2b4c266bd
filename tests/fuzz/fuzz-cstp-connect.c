// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The CONNECT answer.  First byte 'H': the rest is raw HTTP, run through the HEAD_ONLY
 * response parser and then the reply parser (what the worker does).  Otherwise the rest is
 * NUL-separated name/value pairs fed straight to cstp_connect_reply_add_header(), so values
 * the HTTP parser would refuse reach the reply parser too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cstp-connect.h"
#include "http-response.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(int priority, const char *message, void *user_data)
{
	(void)priority;
	(void)message;
	(void)user_data;
}

static void check(struct cstp_connect_reply *r)
{
	if (cstp_connect_reply_finish(r) == 0 && tunnel_config_validate(&r->cfg, NULL, 0) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(cstp_connect_reply_freep) struct cstp_connect_reply *r = cstp_connect_reply_new();
	char *copy;

	log_set_sink(quiet, NULL);
	if (!r || size == 0)
		return 0;
	if (data[0] == 'H') {
		_cleanup_(http_response_freep) struct http_response *h =
		    http_response_new(HTTP_RESPONSE_HEAD_ONLY);
		size_t consumed = 0;

		if (h && http_response_feed(h, data + 1, size - 1, &consumed) == 1) {
			if (cstp_connect_reply_from_http(r, h) == 0 &&
			    tunnel_config_validate(&r->cfg, NULL, 0) != 0)
				abort();
		}
		return 0;
	}
	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = '\0';
	for (size_t off = 0; off < size - 1;) {
		const char *name = copy + off;
		size_t nlen = strlen(name);
		const char *value;

		if (off + nlen + 1 >= size - 1)
			break;
		value = name + nlen + 1;
		off += nlen + 1 + strlen(value) + 1;
		if (cstp_connect_reply_add_header(r, name, value) < 0) {
			free(copy);
			return 0;
		}
	}
	check(r);
	free(copy);
	return 0;
}
