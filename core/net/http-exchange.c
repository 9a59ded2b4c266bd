// SPDX-License-Identifier: GPL-2.0-or-later
#include "http-exchange.h"

#include <string.h>

#include "error.h"

int http_exchange(struct tls_conn *c, const struct secret *request, enum http_response_mode mode,
		  struct http_response **out, void *leftover, size_t leftover_size,
		  size_t *leftover_len)
{
	_cleanup_(http_response_freep) struct http_response *resp = http_response_new(mode);
	unsigned char buf[16384];
	int r;

	if (leftover_len)
		*leftover_len = 0;
	if (!resp)
		return -ERR_NOMEM;
	r = tls_conn_send_all(c, secret_str(request), secret_len(request));
	if (r < 0)
		return r;
	for (;;) {
		ssize_t n = tls_conn_recv(c, buf, sizeof(buf));
		size_t used = 0;

		if (n < 0) {
			secret_wipe(buf, sizeof(buf));
			return (int)n;
		}
		r = n == 0 ? http_response_eof(resp)
			   : http_response_feed(resp, buf, (size_t)n, &used);
		if (r == 1 && n > 0 && used < (size_t)n) {
			size_t extra = (size_t)n - used;

			if (!leftover || extra > leftover_size) {
				r = mode == HTTP_RESPONSE_HEAD_ONLY ? -ERR_TOO_LARGE : 1;
			} else {
				memcpy(leftover, buf + used, extra);
				*leftover_len = extra;
			}
		}
		secret_wipe(buf, (size_t)(n > 0 ? n : 0));
		if (r < 0)
			return r;
		if (r == 1)
			break;
	}
	*out = steal_ptr(&resp);
	return 0;
}
