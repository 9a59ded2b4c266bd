// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "profile-xml.h"

static void quiet_sink(int priority, const char *message, void *user_data)
{
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct profile_host *hosts = NULL;
	size_t n = 0;

	log_set_sink(quiet_sink, NULL);
	if (profile_xml_parse_servers(data, size, &hosts, &n) != 0) {
		if (hosts || n)
			abort();
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (!hosts[i].name || !hosts[i].address || !hosts[i].name[0])
			abort();
	profile_xml_hosts_free(hosts, n);
	return 0;
}
