// SPDX-License-Identifier: GPL-2.0-or-later
/* The plaintext of one DTLS record from the gateway (docs/protocol.md "DTLS framing"). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dtls-frame.h"
#include "error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[DTLS_FRAME_MAX_LEN];
	struct dtls_frame f;
	int r = dtls_frame_decode(data, size, &f);

	if (r == 0) {
		int n;

		if (f.len != size - DTLS_FRAME_HEADER_LEN || (f.len && f.payload != data + 1))
			abort();
		/* What decodes, encodes back to the same bytes (the DPD echo path). */
		n = dtls_frame_encode(out, sizeof(out), f.type, f.payload, f.len);
		if (n < 0 || (size_t)n != size || memcmp(out, data, size) != 0)
			abort();
		/* A DPD-REQ is answered with a DPD-RESP of the same length. */
		if (f.type == CSTP_FRAME_DPD_REQ &&
		    dtls_frame_encode(out, sizeof(out), CSTP_FRAME_DPD_RESP, f.payload, f.len) !=
		        (int)size)
			abort();
	} else if (r != -ERR_PROTOCOL && r != -ERR_UNSUPPORTED) {
		abort();
	}
	return 0;
}
