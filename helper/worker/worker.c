// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sslvpn-worker: main(), the one state machine (worker_enter_state) and the poll loop.
 * See worker.h and worker/README.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "error.h"
#include "log.h"
#include "worker.h"

#define WORKER_STATS_INTERVAL_MS 1000

static volatile sig_atomic_t worker_stop_signal;

static const char *const worker_state_names[] = {
    [WORKER_RUN_STARTING] = "starting",       [WORKER_RUN_PREPARED] = "prepared",
    [WORKER_RUN_CONNECTING] = "connecting",
    [WORKER_RUN_CONNECTED] = "connected",     [WORKER_RUN_RECONNECTING] = "reconnecting",
    [WORKER_RUN_COOKIE_WAIT] = "cookie-wait", [WORKER_RUN_STOPPING] = "stopping",
    [WORKER_RUN_FAILED] = "failed",
};

uint64_t worker_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t worker_now_ms(void)
{
	return worker_now_us() / 1000;
}

void worker_timeout_lower(int64_t *timeout_us, uint64_t wait_us)
{
	if (wait_us > INT64_MAX)
		wait_us = INT64_MAX;
	if (*timeout_us < 0 || wait_us < (uint64_t)*timeout_us)
		*timeout_us = (int64_t)wait_us;
}

void worker_timeout_until_ms(int64_t *timeout_us, uint64_t now_ms, uint64_t at_ms)
{
	uint64_t wait = at_ms > now_ms ? at_ms - now_ms : 0;

	if (at_ms != UINT64_MAX)
		worker_timeout_lower(timeout_us, wait > INT64_MAX / 1000 ? INT64_MAX : wait * 1000);
}

/* journald-style lines on stderr: "<priority>message". */
static void worker_log_sink(int priority, const char *message, void *user_data)
{
	char line[2100];
	int n = snprintf(line, sizeof(line), "<%d>%s\n", priority, message);

	(void)user_data;
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1, line[n - 1] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)n);
}

bool worker_error_transient(int err)
{
	switch (err < 0 ? -err : err) {
	case ERR_IO:
	case ERR_TLS:
	case ERR_TIMEOUT:
	case ERR_CONNECT:
	case ERR_RESOLVE:
	case ERR_DPD_TIMEOUT:
	/* A failure of this attempt, not of the session
	 * (docs/protocol.md "The CONNECT answer status"). */
	case ERR_HTTP_STATUS:
		return true;
	default:
		return false;
	}
}

static void worker_drop_tunnel(struct worker *w, int reason, const char *text)
{
	worker_tunnel_free(steal_ptr(&w->tunnel), reason, text);
	tls_conn_free(steal_ptr(&w->prepared));
}

/* The only place that sends STATE: the run state as the helper sees it, and the channel
 * carrying the data while connected. */
static void worker_report_state(struct worker *w)
{
	switch (w->state) {
	case WORKER_RUN_CONNECTING:
		worker_ipc_send_state(w, WORKER_LINK_CONNECTING, WORKER_TRANSPORT_NONE);
		break;
	case WORKER_RUN_CONNECTED:
		worker_ipc_send_state(w, WORKER_LINK_UP, w->transport);
		break;
	case WORKER_RUN_RECONNECTING:
		worker_ipc_send_state(w, WORKER_LINK_RECONNECTING, WORKER_TRANSPORT_NONE);
		break;
	default:
		break;
	}
}

void worker_enter_transport(struct worker *w, enum worker_transport transport)
{
	if (w->state != WORKER_RUN_CONNECTED)
		return;
	log_debug("transport %s -> %s", w->transport == WORKER_TRANSPORT_DTLS ? "dtls" : "tls",
	          transport == WORKER_TRANSPORT_DTLS ? "dtls" : "tls");
	w->transport = transport;
	worker_report_state(w);
}

/* The only place that assigns w->state: logs, tells the helper, runs the entry actions. */
void worker_enter_state(struct worker *w, enum worker_run_state state)
{
	enum worker_run_state old = w->state;

	if (old == state)
		return;
	/* Terminal states stay terminal. */
	if (old == WORKER_RUN_STOPPING || old == WORKER_RUN_FAILED)
		return;
	log_notice("state %s -> %s", worker_state_names[old], worker_state_names[state]);
	w->state = state;
	/* Every tunnel starts over TLS; DTLS takes over later (worker_enter_transport()). */
	w->transport = state == WORKER_RUN_CONNECTED ? WORKER_TRANSPORT_TLS : WORKER_TRANSPORT_NONE;
	switch (state) {
	case WORKER_RUN_STARTING:
	case WORKER_RUN_PREPARED:
		break;
	case WORKER_RUN_CONNECTING:
		w->retry_at_ms = worker_now_ms();
		worker_report_state(w);
		break;
	case WORKER_RUN_CONNECTED:
		backoff_reset(w->backoff);
		worker_report_state(w);
		break;
	case WORKER_RUN_RECONNECTING:
		/* Keep the tun device and its configuration; only the TLS link is new.  No
		 * DISCONNECT: 0xb0 would end the session
		 * (docs/protocol.md "Pitfall: DISCONNECT 0xb0 ends the session"). */
		worker_drop_tunnel(w, -1, NULL);
		backoff_reset(w->backoff);
		w->retry_at_ms = worker_now_ms();
		worker_report_state(w);
		break;
	case WORKER_RUN_COOKIE_WAIT:
		worker_drop_tunnel(w, -1, NULL);
		worker_ipc_send_cookie_rejected(w);
		break;
	case WORKER_RUN_STOPPING:
		worker_drop_tunnel(w, w->stop_reason, "Client disconnected");
		worker_ipc_send_stats(w);
		w->exit_code = 0;
		break;
	case WORKER_RUN_FAILED:
		worker_drop_tunnel(w, -1, NULL);
		worker_ipc_send_stats(w);
		w->exit_code = 1;
		break;
	}
}

void worker_fail(struct worker *w, int err, const char *detail)
{
	int code = err < 0 ? -err : err;

	if (w->state == WORKER_RUN_STOPPING || w->state == WORKER_RUN_FAILED)
		return;
	log_error("%s%s%s", error_text(code), detail && *detail ? ": " : "", detail ? detail : "");
	worker_ipc_send_error(w, code, detail);
	worker_enter_state(w, WORKER_RUN_FAILED);
}

static bool worker_secret_equal(const struct secret *a, const struct secret *b)
{
	return a && b && secret_equal(a, b);
}

/* A CONNECT succeeded: tell the helper what the gateway wants, then run the data path. */
static void worker_connected(struct worker *w, struct worker_connect_result *res)
{
	struct cstp_connect_reply *reply = res->reply;
	int r;

	if (w->have_cfg && !tunnel_config_same_addresses(w->cfg, &reply->cfg))
		log_warning("the gateway gave other addresses after reconnecting");
	memcpy(w->cfg, &reply->cfg, sizeof(*w->cfg));
	/* DTLS is not run yet: the tun MTU is X-CSTP-MTU
	 * (docs/protocol.md "Pitfall: the two MTUs are not interchangeable"). */
	w->cfg->dtls_mtu = 0;
	w->have_cfg = true;
	r = worker_ipc_send_config(w, w->cfg);
	if (r < 0) {
		worker_fail(w, r == -ERR_PROTOCOL ? ERR_PROTOCOL : ERR_INTERNAL,
		            "cannot hand the configuration to the helper");
		return;
	}
	if (reply->post_auth_xml && !worker_secret_equal(reply->post_auth_xml, w->post_auth_xml)) {
		secret_free(w->post_auth_xml);
		w->post_auth_xml = secret_dup(reply->post_auth_xml);
		worker_ipc_send_post_auth_xml(w, reply->post_auth_xml);
	}
	if (reply->cfg.banner[0])
		log_info("the gateway sent a banner (%zu bytes)", strlen(reply->cfg.banner));
	w->tunnel = worker_tunnel_new(w, res);
	if (!w->tunnel) {
		worker_fail(w, ERR_NOMEM, NULL);
		return;
	}
	worker_enter_state(w, WORKER_RUN_CONNECTED);
}

static void worker_attempt(struct worker *w)
{
	struct worker_connect_result res;
	bool first = w->state == WORKER_RUN_CONNECTING, prepared = w->prepared != NULL;
	int64_t delay;
	int r;

	if (!w->cookie) {
		/* Prepared: the TLS link now, the CONNECT once the login's cookie arrives. */
		r = worker_connect_prepare(w, res.detail, sizeof(res.detail));
		if (r < 0)
			worker_fail(w, r, res.detail);
		else
			worker_enter_state(w, WORKER_RUN_PREPARED);
		return;
	}
	r = worker_connect(w, &res);
	if (r < 0 && prepared && worker_error_transient(r)) {
		/* The gateway may have dropped the idle link meanwhile: once more on a new one. */
		log_info("the prepared link failed (%s); connecting afresh", res.detail);
		worker_connect_result_clear(&res);
		r = worker_connect(w, &res);
	}
	if (r == 0) {
		worker_connected(w, &res);
		worker_connect_result_clear(&res);
		return;
	}
	worker_connect_result_clear(&res);
	if (r == -ERR_COOKIE_REJECTED) {
		log_notice("the gateway rejected the cookie (%s)", res.detail);
		worker_enter_state(w, WORKER_RUN_COOKIE_WAIT);
		return;
	}
	if (first || !worker_error_transient(r)) {
		worker_fail(w, r, res.detail);
		return;
	}
	w->last_error = -r;
	delay = backoff_next(w->backoff, worker_now_ms());
	if (delay < 0) {
		char detail[300];

		snprintf(detail, sizeof(detail), "gave up reconnecting: %.250s", res.detail);
		worker_fail(w, r, detail);
		return;
	}
	log_info("reconnect attempt %u failed (%s); next in %lld ms", backoff_tries(w->backoff),
	         res.detail, (long long)delay);
	w->retry_at_ms = worker_now_ms() + (uint64_t)delay;
}

static void worker_on_link_lost(struct worker *w, int r, const char *detail)
{
	if (r == WORKER_TUNNEL_REKEY) {
		log_info("%s: building a new tunnel", detail);
		worker_enter_state(w, WORKER_RUN_RECONNECTING);
		return;
	}
	if (!worker_error_transient(r)) {
		worker_fail(w, r, detail);
		return;
	}
	log_warning("link lost: %s", detail);
	w->last_error = -r;
	worker_enter_state(w, WORKER_RUN_RECONNECTING);
}

static void worker_stop_handler(int sig)
{
	(void)sig;
	worker_stop_signal = 1;
}

static void worker_run(struct worker *w, const sigset_t *waitmask)
{
	while (w->state != WORKER_RUN_STOPPING && w->state != WORKER_RUN_FAILED) {
		struct pollfd fds[4]; /* helper, TLS, tun, DTLS */
		size_t n = 0, tn = 0;
		int64_t timeout = -1; /* µs */
		int r;
		/* One clock reading per wakeup, for the timers here and in the tunnel. */
		uint64_t now_us = worker_now_us(), now = now_us / 1000;

		if ((w->state == WORKER_RUN_CONNECTING || w->state == WORKER_RUN_RECONNECTING) &&
		    now >= w->retry_at_ms) {
			/* Blocking (bounded): a STOP or SIGTERM meanwhile waits for its end. */
			worker_attempt(w);
			continue;
		}
		if (w->state == WORKER_RUN_CONNECTING || w->state == WORKER_RUN_RECONNECTING)
			worker_timeout_until_ms(&timeout, now, w->retry_at_ms);
		if (w->state == WORKER_RUN_CONNECTED) {
			uint64_t due = w->stats_at_ms + WORKER_STATS_INTERVAL_MS;

			if (w->tx_bytes != w->stats_sent_tx || w->rx_bytes != w->stats_sent_rx) {
				if (now >= due)
					worker_ipc_send_stats(w);
				else
					worker_timeout_until_ms(&timeout, now, due);
			}
		}
		fds[n++] =
		    (struct pollfd){.fd = w->helper_gone ? -1 : w->helper_fd, .events = POLLIN};
		if (w->state == WORKER_RUN_CONNECTED) {
			tn = worker_tunnel_poll_fds(w->tunnel, fds + n, now_us, &timeout);
			n += tn;
		}
		if (timeout >= 0) {
			struct timespec ts = {.tv_sec = timeout / 1000000,
			                      .tv_nsec = (long)(timeout % 1000000) * 1000};

			r = ppoll(fds, n, &ts, waitmask);
		} else {
			r = ppoll(fds, n, NULL, waitmask);
		}
		if (r < 0 && errno != EINTR) {
			worker_fail(w, ERR_INTERNAL, "poll failed");
			break;
		}
		if (worker_stop_signal) {
			log_info("stop signal");
			worker_enter_state(w, WORKER_RUN_STOPPING);
			break;
		}
		if (r < 0)
			continue;
		if (fds[0].revents) {
			r = worker_ipc_handle(w);
			if (r < 0) {
				/* Helper gone: leave quietly; malformed: the helper is broken. */
				worker_enter_state(w, WORKER_RUN_STOPPING);
				break;
			}
			if (w->state != WORKER_RUN_CONNECTED)
				continue;
		}
		if (tn && w->state == WORKER_RUN_CONNECTED) {
			char detail[256] = "";

			r = worker_tunnel_dispatch(w->tunnel, fds + 1, tn, detail, sizeof(detail));
			if (r != 0)
				worker_on_link_lost(w, r, detail);
		}
	}
}

/* fd 3 must be our SOCK_SEQPACKET, fd 4 a tun device (IFF_TUN | IFF_NO_PI). */
static int worker_check_fds(struct worker *w)
{
	int type = 0;
	socklen_t len = sizeof(type);
	struct ifreq ifr;

	if (getsockopt(WORKER_HELPER_FD, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    type != SOCK_SEQPACKET) {
		log_error("fd %d is not the helper's SOCK_SEQPACKET socket; sslvpn-worker is "
		          "started by sslvpn-helper only",
		          WORKER_HELPER_FD);
		return -ERR_INVALID_ARGS;
	}
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(WORKER_TUN_FD, TUNGETIFF, &ifr) < 0 || !(ifr.ifr_flags & IFF_TUN) ||
	    !(ifr.ifr_flags & IFF_NO_PI)) {
		log_error("fd %d is not a tun device in IFF_TUN|IFF_NO_PI mode", WORKER_TUN_FD);
		return -ERR_INVALID_ARGS;
	}
	if (fcntl(WORKER_TUN_FD, F_SETFL, fcntl(WORKER_TUN_FD, F_GETFL) | O_NONBLOCK) < 0)
		return -ERR_IO;
	fcntl(WORKER_HELPER_FD, F_SETFD, FD_CLOEXEC);
	fcntl(WORKER_TUN_FD, F_SETFD, FD_CLOEXEC);
	log_debug("tun device %.*s%s", IFNAMSIZ, ifr.ifr_name,
	          ifr.ifr_flags & IFF_VNET_HDR ? " with virtio-net headers" : "");
	return 0;
}

static void worker_free_contents(struct worker *w)
{
	worker_drop_tunnel(w, -1, NULL);
	worker_tun_free(steal_ptr(&w->tun));
	free(w->host);
	free(w->address);
	free(w->pin);
	free(w->user_agent);
	secret_free(w->cookie);
	secret_free(w->post_auth_xml);
	tunnel_config_free(w->cfg);
	backoff_free(w->backoff);
	if (w->cert_fd >= 0)
		close(w->cert_fd);
	if (w->key_fd >= 0)
		close(w->key_fd);
}

int main(int argc, char **argv)
{
	struct worker w = {
	    .state = WORKER_RUN_STARTING,
	    .helper_fd = WORKER_HELPER_FD,
	    .tun_fd = WORKER_TUN_FD,
	    .cert_fd = -1,
	    .key_fd = -1,
	    .stop_reason = 0xb0,
	    .exit_code = 1,
	};
	struct sigaction sa = {.sa_handler = worker_stop_handler};
	sigset_t block, waitmask;
	int r;

	log_set_sink(worker_log_sink, NULL);
	if (argc > 1) {
		if (strcmp(argv[1], "--version") == 0) {
			printf("sslvpn-worker %s\n", PACKAGE_VERSION);
			return 0;
		}
		fprintf(stderr, "usage: sslvpn-worker (started by sslvpn-helper only)\n");
		return 2;
	}
	if (worker_check_fds(&w) < 0)
		return 1;
	/* Nothing else of the parent's may leak in. */
	syscall(SYS_close_range, 5U, ~0U, 0U);
	if (worker_priv_check() < 0) {
		worker_ipc_send_error(&w, ERR_ACCESS_DENIED, "the worker runs with privileges");
		return 1;
	}

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* The signals are only let in while we wait in ppoll(): no race, and no EINTR in the
	 * middle of a TLS exchange. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);

	w.cfg = tunnel_config_new();
	w.backoff = backoff_new(&backoff_policy_reconnect);
	if (!w.cfg || !w.backoff) {
		worker_free_contents(&w);
		return 1;
	}
	/* Offloads are ioctls on the tun device: before the lockdown forbids them. */
	r = worker_tun_new(&w, WORKER_TUN_FD, &w.tun);
	if (r < 0) {
		worker_ipc_send_error(&w, r, "cannot set up the tun device");
		worker_free_contents(&w);
		return 1;
	}
	r = worker_priv_lockdown();
	if (r < 0) {
		worker_ipc_send_error(&w, r, "cannot drop the remaining privileges");
		worker_free_contents(&w);
		return 1;
	}

	/* STARTING: the first message must be START (or STOP). */
	for (;;) {
		struct pollfd p = {.fd = w.helper_fd, .events = POLLIN};

		r = ppoll(&p, 1, NULL, &waitmask);
		if (worker_stop_signal) {
			worker_free_contents(&w);
			return 0;
		}
		if (r > 0)
			break;
	}
	r = worker_ipc_wait_start(&w);
	if (r == -ERR_CANCELLED || (r < 0 && w.helper_gone)) {
		worker_free_contents(&w);
		return 0;
	}
	if (r < 0) {
		worker_ipc_send_error(&w, ERR_INVALID_ARGS, "malformed start message");
		worker_free_contents(&w);
		return 1;
	}
	worker_enter_state(&w, WORKER_RUN_CONNECTING);
	worker_run(&w, &waitmask);
	r = w.exit_code;
	log_info("exiting (sent %llu bytes, received %llu bytes)", (unsigned long long)w.tx_bytes,
	         (unsigned long long)w.rx_bytes);
	worker_free_contents(&w);
	return r;
}
