// SPDX-License-Identifier: GPL-2.0-or-later
#include "helper.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "error.h"
#include "helper-agent.h"
#include "helper-bus.h"
#include "helper-conn.h"
#include "helper-dns.h"
#include "helper-manager.h"
#include "log.h"

/* After SIGTERM, connections get this long to end cleanly before they are cut. */
#define STOP_DEADLINE_MS 10000

/* journald (and the test harness) read the "<N>" syslog priority prefix. */
static void log_to_stderr(int priority, const char *message, void *data)
{
	fprintf(stderr, "<%d>%s\n", priority, message);
	fflush(stderr);
}

static void idle_expired(struct helper_loop_timer *t, void *data)
{
	struct helper *h = data;
	DBusError err;

	log_notice("no connection for %u s; exiting", h->idle_seconds);
	h->stopping = true;
	/* Ended connections leave (InterfacesRemoved) while clients can still match our name. */
	helper_conn_free_all(h);
	helper_manager_flush(h);
	/* Calls from now on start a new helper instead of reaching one that is leaving. */
	if (h->bus) {
		dbus_error_init(&err);
		dbus_bus_release_name(h->bus, HELPER_BUS_NAME, &err);
		dbus_error_free(&err);
	}
	helper_loop_quit(h->loop, 0);
}

void helper_update_idle(struct helper *h)
{
	bool idle = !h->stopping && h->idle_seconds > 0 && h->pending_connects == 0 &&
	            helper_conn_count(h, true) == 0;

	if (!h->idle_timer)
		return;
	if (idle)
		helper_loop_timer_rearm(h->idle_timer, h->idle_seconds * 1000ull);
	else
		helper_loop_timer_disarm(h->idle_timer);
}

void helper_maybe_quit(struct helper *h)
{
	if (h->stopping && helper_conn_count(h, true) == 0)
		helper_loop_quit(h->loop, 0);
}

static void stop_deadline(struct helper_loop_timer *t, void *data)
{
	struct helper *h = data;

	log_warning("connections did not end in time; cutting them");
	helper_conn_free_all(h);
	helper_loop_quit(h->loop, 0);
}

void helper_stop(struct helper *h)
{
	if (h->stopping && !h->idle_timer)
		return;
	h->stopping = true;
	helper_update_idle(h);
	helper_loop_timer_remove(h->idle_timer);
	h->idle_timer = NULL;
	helper_conn_stop_all(h);
	if (helper_conn_count(h, true) > 0)
		helper_loop_timer_add(h->loop, STOP_DEADLINE_MS, stop_deadline, h);
	helper_maybe_quit(h);
}

static void signal_ready(struct helper_loop_io *io, int fd, short revents, void *data)
{
	struct helper *h = data;
	struct signalfd_siginfo si;
	ssize_t n = read(fd, &si, sizeof(si));

	if (n != sizeof(si))
		return;
	if (si.ssi_signo == SIGCHLD) {
		pid_t pid;
		int status;

		/* One SIGCHLD may stand for several children. */
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			helper_conn_child_exited(h, pid, status);
		return;
	}
	log_notice("signal %d: restoring the network and exiting", (int)si.ssi_signo);
	helper_stop(h);
}

/* A number of seconds from the environment (tests shorten the helper's timers), else dflt. */
static unsigned seconds_from_env(const char *name, unsigned dflt)
{
	const char *v = getenv(name);
	char *end;
	unsigned long n;

	if (!v || !*v)
		return dflt;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n > 86400) {
		log_warning("ignoring %s=%s", name, v);
		return dflt;
	}
	return (unsigned)n;
}

static void usage(FILE *f)
{
	fputs(
	    "Usage: sslvpn-helper [--version]\n"
	    "The sslvpn system service (org.sslvpn.Helper1 on the system bus).  Started by D-Bus\n"
	    "activation or systemd; exits after SSLVPN_HELPER_IDLE_SECONDS (default 60) without\n"
	    "an active connection (0: never).\n",
	    f);
}

int main(int argc, char **argv)
{
	struct helper h = {0};
	sigset_t mask;
	int sfd, r;
	const char *state_dir = getenv("SSLVPN_HELPER_STATE_DIR");

	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("sslvpn-helper %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (argc != 1) {
		usage(stderr);
		return 2;
	}
	log_set_sink(log_to_stderr, NULL);
	if (geteuid() != 0) {
		log_error("sslvpn-helper must run as root");
		return 1;
	}
	umask(022);

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    (sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		log_error("signalfd: %m");
		return 1;
	}
	/* A worker that dies between our poll and our write must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);

	h.resolv_conf = HELPER_DNS_RESOLV_CONF;
	h.state_dir = state_dir && state_dir[0] == '/' ? state_dir : HELPER_DNS_STATE_DIR;
	h.idle_seconds =
	    seconds_from_env("SSLVPN_HELPER_IDLE_SECONDS", HELPER_IDLE_SECONDS_DEFAULT);
	h.prepared_seconds =
	    seconds_from_env("SSLVPN_HELPER_PREPARED_SECONDS", HELPER_PREPARED_SECONDS);
	if (h.prepared_seconds == 0)
		h.prepared_seconds = 1;
	h.loop = helper_loop_new();
	if (!h.loop || !helper_loop_io_add(h.loop, sfd, POLLIN, signal_ready, &h))
		return 1;
	h.idle_timer = helper_loop_timer_add(h.loop, 0, idle_expired, &h);
	if (!h.idle_timer)
		return 1;
	helper_loop_timer_disarm(h.idle_timer);

	helper_dns_recover(h.resolv_conf, h.state_dir);
	h.rtnl = helper_rtnl_new();
	if (!h.rtnl)
		return 1;
	r = helper_bus_start(&h);
	if (r < 0) {
		helper_bus_stop(&h);
		helper_rtnl_free(h.rtnl);
		helper_loop_free(h.loop);
		close(sfd);
		return r == -ERR_BUSY ? 3 : 1;
	}
	/* Once the bus name is ours (no other helper runs) and before the first call is served:
	 * a predecessor that died mid-connection left its routes (the host route to the gateway,
	 * excludes on other interfaces); its tun device went with it. */
	if (helper_rtnl_route_sweep(h.rtnl) < 0)
		log_warning("could not look for routes a previous helper left behind");
	log_notice("sslvpn-helper %s started%s", PACKAGE_VERSION,
	           h.idle_seconds ? "" : " (no idle exit)");
	helper_update_idle(&h);

	r = helper_loop_run(h.loop);

	helper_conn_free_all(&h);
	helper_agent_free_all(&h);
	helper_bus_stop(&h);
	helper_rtnl_free(h.rtnl);
	helper_loop_free(h.loop);
	close(sfd);
	log_notice("sslvpn-helper stopped");
	return r < 0 ? 1 : 0;
}
