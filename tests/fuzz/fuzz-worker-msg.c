// SPDX-License-Identifier: GPL-2.0-or-later
/* The helper reads worker messages from a process that parses hostile input: the decoder and
 * every accessor must hold whatever bytes arrive. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "worker-msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(worker_msg_freep) struct worker_msg *m = NULL;
	struct tunnel_config *cfg;
	const char *s;
	const void *d;
	size_t len, iter;
	uint32_t v32;
	uint64_t v64;

	if (worker_msg_parse(data, size, &m) < 0)
		return 0;
	for (uint16_t a = 0; a <= WATTR_COUNT_; a++) {
		worker_msg_get_u32(m, a, &v32);
		worker_msg_get_u64(m, a, &v64);
		if (worker_msg_get_str(m, a, &s) == 0 && strlen(s) > size)
			abort();
		if (worker_msg_get_bytes(m, a, &d, &len) == 0 && len > size)
			abort();
		for (iter = 0; worker_msg_next(m, a, &iter, &d, &len);)
			if (len > size)
				abort();
	}
	cfg = tunnel_config_new();
	if (cfg && worker_msg_get_config(m, cfg) == 0) {
		/* Whatever decodes must validate and re-encode to an equal config. */
		_cleanup_(worker_msg_freep) struct worker_msg *again = worker_msg_new(WMSG_CONFIG);
		struct tunnel_config *back = tunnel_config_new();

		if (tunnel_config_validate(cfg, NULL, 0) != 0)
			abort();
		if (again && back && worker_msg_put_config(again, cfg) == 0) {
			if (worker_msg_get_config(again, back) != 0 ||
			    !tunnel_config_equal(cfg, back))
				abort();
		}
		tunnel_config_free(back);
	}
	tunnel_config_free(cfg);
	return 0;
}
