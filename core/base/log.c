// SPDX-License-Identifier: GPL-2.0-or-later
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static log_sink_fn log_sink;
static void *log_sink_data;
static int log_max_priority = -1;

static void log_default_sink(int priority, const char *message, void *user_data)
{
	static const char *const prefix[] = {"emerg", "alert", "crit", "error", "warning",
					     "notice", "info", "debug"};
	(void)user_data;
	fprintf(stderr, "sslvpn: %s: %s\n", prefix[priority & 7], message);
}

void log_set_sink(log_sink_fn sink, void *user_data)
{
	log_sink = sink;
	log_sink_data = user_data;
}

void log_set_max_priority(int priority)
{
	log_max_priority = priority;
}

int log_get_max_priority(void)
{
	if (log_max_priority < 0) {
		const char *d = getenv("SSLVPN_DEBUG");

		log_max_priority = (d && *d && strcmp(d, "0") != 0) ? LOG_DEBUG : LOG_INFO;
	}
	return log_max_priority;
}

void log_msgv(int priority, const char *fmt, va_list ap)
{
	char buf[2048];

	if (priority > log_get_max_priority())
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* One line per message: a hostile server string must not forge extra log lines. */
	for (char *p = buf; *p; p++)
		if (*p == '\n' || *p == '\r' || (unsigned char)*p < 0x20)
			*p = ' ';
	(log_sink ? log_sink : log_default_sink)(priority & 7, buf, log_sink_data);
}

void log_msg(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_msgv(priority, fmt, ap);
	va_end(ap);
}
