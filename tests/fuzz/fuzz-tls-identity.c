// SPDX-License-Identifier: GPL-2.0-or-later
/* Client identity files: what the user names and what the worker receives as descriptors.
 * Input: a mode byte, a 16-bit big-endian length, then the data.  Mode bit 0: the data is a
 * certificate file of that length (at most what there is) and a key file; otherwise one file.
 * Mode bit 1: with the password "pass" (the seeds' encrypted keys and PKCS#12 files use it). */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "error.h"
#include "fuzz-check.h"
#include "log.h"
#include "tls-identity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_file(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	CHECK(fd >= 0);
	CHECK(write(fd, data, size) == (ssize_t)size);
	return fd;
}

static void fuzz_quiet(int priority, const char *message, void *user_data)
{
	(void)priority;
	(void)message;
	(void)user_data;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct secret *pw = NULL;
	struct tls_identity id = {.cert_fd = -1, .key_fd = -1};
	struct tls_identity_parts parts;
	size_t cert_len;
	char why[256];
	int mode, r;

	if (size < 3)
		return 0;
	log_set_sink(fuzz_quiet, NULL);
	mode = data[0];
	cert_len = (size_t)data[1] << 8 | data[2];
	data += 3;
	size -= 3;
	if (!(mode & 1) || cert_len > size)
		cert_len = size;
	id.cert_fd = fuzz_file(data, cert_len);
	if (mode & 1)
		id.key_fd = fuzz_file(data + cert_len, size - cert_len);
	if (mode & 2) {
		pw = secret_new_str("pass");
		id.password = pw;
	}
	r = tls_identity_decode(&id, &parts, why, sizeof(why));
	if (r == 0) {
		CHECK(parts.n_chain >= 1 && parts.key);
		tls_identity_parts_clear(&parts);
		/* What decodes seals, and the sealed copy decodes without a password. */
		{
			int sealed = -1;
			struct tls_identity again = {.cert_fd = -1, .key_fd = -1};

			CHECK(tls_identity_seal(&id, &sealed, why, sizeof(why)) == 0);
			again.cert_fd = sealed;
			CHECK(tls_identity_decode(&again, &parts, why, sizeof(why)) == 0);
			tls_identity_parts_clear(&parts);
			close(sealed);
		}
	} else {
		CHECK(r == -ERR_CLIENT_CERT || r == -ERR_KEY_PASSWORD || r == -ERR_NOMEM);
		CHECK(why[0] != '\0');
		CHECK(!parts.chain && !parts.key);
	}
	close(id.cert_fd);
	if (id.key_fd >= 0)
		close(id.key_fd);
	secret_free(pw);
	return 0;
}
