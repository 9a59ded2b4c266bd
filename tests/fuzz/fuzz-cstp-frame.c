// SPDX-License-Identifier: GPL-2.0-or-later
/* CSTP records straight from the gateway: one record per frame, or a stream of frames. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cstp-frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cstp_frame f;
	uint8_t out[CSTP_FRAME_MAX_LEN];
	size_t off = 0;

	if (cstp_frame_decode(data, size, &f) == 0) {
		int n;

		if (f.len != size - CSTP_FRAME_HEADER_LEN)
			abort();
		/* What decodes, encodes back to the same bytes (DPD echo path). */
		n = cstp_frame_encode(out, sizeof(out), f.type, f.payload, f.len);
		if (n < 0 || (size_t)n != size || memcmp(out, data, size) != 0)
			abort();
	}
	for (;;) {
		int n = cstp_frame_next(data + off, size - off, &f);

		if (n <= 0)
			break;
		if ((size_t)n > size - off || f.len + CSTP_FRAME_HEADER_LEN != (size_t)n)
			abort();
		off += (size_t)n;
	}
	return 0;
}
