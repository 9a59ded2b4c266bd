// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The root helper's parser of D-Bus input: the options of Manager.Connect and of an agent's
 * Relogin answer, reached through libdbus's own demarshaller exactly as messages from the bus
 * are.  Seeds: make-helper-options-corpus.py (valid and broken Connect calls).
 */
#include <dbus/dbus.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helper-options.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(int priority, const char *message, void *data)
{
	(void)priority;
	(void)message;
	(void)data;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	DBusMessage *msg;
	DBusMessageIter iter;
	DBusError err;
	char why[256];

	log_set_sink(quiet, NULL);
	if (size > 1024 * 1024)
		return 0;
	dbus_error_init(&err);
	msg = dbus_message_demarshal((const char *)data, (int)size, &err);
	dbus_error_free(&err);
	if (!msg)
		return 0;
	if (dbus_message_iter_init(msg, &iter)) {
		struct helper_options *o = NULL;

		if (helper_options_parse(&iter, &o, why, sizeof(why)) == 0)
			helper_options_free(o);
	}
	if (dbus_message_iter_init(msg, &iter)) {
		struct secret *cookie = NULL;
		char *pin = NULL;

		if (helper_options_parse_relogin(&iter, &cookie, &pin, why, sizeof(why)) == 0) {
			secret_free(cookie);
			free(pin);
		}
	}
	dbus_message_unref(msg);
	return 0;
}
