/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * core/ never prints.  It reports through one process-wide sink that the program installs:
 * the CLI writes to stderr, the GUI to g_log, the helper to stderr with syslog "<N>" prefixes
 * (journald reads them).  Priorities are syslog's; what they mean here:
 *   LOG_ERR      this connection or login failed
 *   LOG_WARNING  unexpected but recovered
 *   LOG_NOTICE   state changes a user or admin wants to see
 *   LOG_INFO     progress
 *   LOG_DEBUG    anything
 * Never pass a secret (struct secret contents, cookies, Cookie headers) to these functions.
 */
#include <stdarg.h>
#include <syslog.h>

typedef void (*log_sink_fn)(int priority, const char *message, void *user_data);

/* NULL restores the default sink (stderr, messages up to LOG_INFO, or LOG_DEBUG with
 * SSLVPN_DEBUG=1 in the environment). */
void log_set_sink(log_sink_fn sink, void *user_data);
/* Messages above this priority are dropped before formatting. */
void log_set_max_priority(int priority);
int log_get_max_priority(void);

void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_msgv(int priority, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#define log_error(...)   log_msg(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...)  log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)    log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)   log_msg(LOG_DEBUG, __VA_ARGS__)
