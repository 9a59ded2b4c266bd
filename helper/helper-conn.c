// SPDX-License-Identifier: GPL-2.0-or-later
#include "helper-conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "helper-conn-priv.h"
#include "log.h"

/* How long a worker gets to say goodbye to the gateway before it is killed. */
#define STOP_GRACE_MS 5000

/* ------------------------------------------------------------------------------------------ */
/* Lookup and accessors */

struct helper_conn *helper_conn_find(struct helper *h, const char *path)
{
	for (struct helper_conn *c = h->conns; c; c = c->next)
		if (strcmp(c->path, path) == 0)
			return c;
	return NULL;
}

const char *helper_conn_path(const struct helper_conn *c)
{
	return c->path;
}

struct helper_conn *helper_conn_next(const struct helper_conn *c)
{
	return c->next;
}

bool helper_conn_active(const struct helper_conn *c)
{
	return helper_conn_state_active(c->state);
}

unsigned helper_conn_count(const struct helper *h, bool active_only)
{
	unsigned n = 0;

	for (struct helper_conn *c = h->conns; c; c = c->next)
		if (!active_only || helper_conn_active(c))
			n++;
	return n;
}

void helper_conn_fail(struct helper_conn *c, int err)
{
	if (!helper_conn_active(c))
		return;
	if (err < 0)
		err = -err;
	c->last_error = err;
	helper_conn_props_mark(c, HELPER_CONN_PROP_LAST_ERROR);
	helper_conn_enter_state(c, CONN_FAILED);
}

static void kill_timer_fired(struct helper_loop_timer *t, void *data)
{
	struct helper_conn *c = data;

	log_warning("connection %u: the worker did not stop in time; killing it", c->id);
	helper_conn_worker_kill(c);
}

void helper_conn_maybe_connected(struct helper_conn *c)
{
	if (helper_conn_state_ready(c->state, c->worker_up, c->cfg != NULL))
		helper_conn_enter_state(c, CONN_CONNECTED);
}

void helper_conn_agent_gone(struct helper *h, const struct helper_agent *agent)
{
	for (struct helper_conn *c = h->conns; c; c = c->next) {
		if (!helper_conn_relogin_waits_for(c, agent))
			continue;
		log_warning("connection %u: the agent went away during the re-login", c->id);
		helper_conn_relogin_cancel(c, false);
		helper_conn_fail(c, ERR_COOKIE_REJECTED);
	}
}

/* ------------------------------------------------------------------------------------------ */
/* The state machine */

static void linger_expired(struct helper_loop_timer *t, void *data)
{
	struct helper_conn *c = data;
	struct helper *h = c->h;

	helper_loop_timer_remove(c->linger_timer);
	c->linger_timer = NULL;
	for (struct helper_conn **p = &h->conns; *p; p = &(*p)->next) {
		if (*p != c)
			continue;
		*p = c->next;
		break;
	}
	if (c->dirty)
		helper_bus_emit_changed(h, c->path, &helper_conn_interface, c, c->dirty);
	helper_bus_emit_removed(h, c->path, &helper_conn_interface);
	h->manager_dirty = true;
	log_info("connection %u: object removed", c->id);
	helper_netcfg_free(c->net);
	helper_dns_free(c->dns);
	tunnel_config_free(c->cfg);
	free(c->banner);
	helper_options_free(c->opts);
	helper_conn_props_clear_network(c);
	if (c->post_auth_xml)
		secret_wipe(c->post_auth_xml, c->post_auth_xml_len);
	free(c->post_auth_xml);
	free(c);
	helper_update_idle(h);
}

/* Entry actions of disconnected and failed: everything this connection changed goes back. */
static void teardown(struct helper_conn *c)
{
	helper_conn_relogin_cancel(c, true);
	helper_loop_timer_remove(steal_ptr(&c->prepared_timer));
	helper_loop_timer_remove(c->kill_timer);
	c->kill_timer = NULL;
	helper_conn_worker_kill(c);
	helper_conn_worker_close_socket(c);
	helper_conn_net_undo(c);
	if (c->tun_fd >= 0) {
		/* The device goes with the worker's copy of the fd. */
		close(c->tun_fd);
		c->tun_fd = -1;
		helper_conn_props_mark(c, HELPER_CONN_PROP_INTERFACE);
	}
	helper_conn_props_clear_network(c);
	/* An ended object lingers (up to HELPER_MAX_CONNECTIONS of them): only its properties
	 * stay, not the 33 KiB configuration. */
	helper_netcfg_free(steal_ptr(&c->net));
	helper_dns_free(steal_ptr(&c->dns));
	tunnel_config_free(steal_ptr(&c->cfg));
	c->transport = "";
	helper_conn_props_mark(c, HELPER_CONN_PROP_TRANSPORT);
	c->worker_up = false;
	secret_free(steal_ptr(&c->opts->cookie));
	c->linger_timer =
	    helper_loop_timer_add(c->h->loop, HELPER_LINGER_SECONDS * 1000ull, linger_expired, c);
}

void helper_conn_enter_state(struct helper_conn *c, enum helper_conn_state state)
{
	enum helper_conn_state old = c->state;

	if (old == state)
		return;
	log_notice("connection %u: %s -> %s%s%s", c->id, helper_conn_state_name(old),
	           helper_conn_state_name(state), state == CONN_FAILED ? ": " : "",
	           state == CONN_FAILED ? error_name(c->last_error) : "");
	c->state = state;
	helper_conn_props_mark(c, HELPER_CONN_PROP_STATE);

	switch (state) {
	case CONN_CONNECTING:
		break;
	case CONN_CONNECTED:
		if (!c->connected_since) {
			c->connected_since = (uint64_t)time(NULL);
			helper_conn_props_mark(c, HELPER_CONN_PROP_CONNECTED_SINCE);
		}
		break;
	case CONN_RECONNECTING:
		break;
	case CONN_DISCONNECTING: {
		_cleanup_(worker_msg_freep) struct worker_msg *m = worker_msg_new(WMSG_STOP);

		helper_conn_relogin_cancel(c, true);
		if (!m || helper_conn_worker_send(c, m, NULL, 0) < 0)
			helper_conn_worker_kill(c);
		c->kill_timer =
		    helper_loop_timer_add(c->h->loop, STOP_GRACE_MS, kill_timer_fired, c);
		break;
	}
	case CONN_DISCONNECTED:
	case CONN_FAILED:
		teardown(c);
		helper_update_idle(c->h);
		helper_maybe_quit(c->h);
		break;
	}
}

void helper_conn_disconnect(struct helper_conn *c)
{
	if (!helper_conn_active(c) || c->state == CONN_DISCONNECTING)
		return;
	if (c->pid <= 0 && c->sock < 0) {
		/* No worker left to say goodbye. */
		helper_conn_enter_state(c, CONN_DISCONNECTED);
		return;
	}
	helper_conn_enter_state(c, CONN_DISCONNECTING);
}

void helper_conn_stop_all(struct helper *h)
{
	for (struct helper_conn *c = h->conns; c; c = c->next)
		helper_conn_disconnect(c);
}

void helper_conn_child_exited(struct helper *h, pid_t pid, int status)
{
	for (struct helper_conn *c = h->conns; c; c = c->next) {
		if (c->pid != pid)
			continue;
		if (WIFSIGNALED(status))
			log_info("connection %u: worker %d killed by signal %d", c->id, (int)pid,
			         WTERMSIG(status));
		else
			log_info("connection %u: worker %d exited with status %d", c->id, (int)pid,
			         WEXITSTATUS(status));
		c->pid = 0;
		helper_loop_timer_remove(c->kill_timer);
		c->kill_timer = NULL;
		/* What it said last (an error, say) still counts; a bounded drain, since a dead
		 * worker cannot add more. */
		for (int i = 0; i < 64 && helper_conn_worker_read(c); i++)
			;
		helper_conn_worker_gone(c);
		return;
	}
}

void helper_conn_flush(struct helper *h)
{
	for (struct helper_conn *c = h->conns; c; c = c->next) {
		if (!c->dirty)
			continue;
		helper_bus_emit_changed(h, c->path, &helper_conn_interface, c, c->dirty);
		c->dirty = 0;
	}
}

void helper_conn_free_all(struct helper *h)
{
	while (h->conns) {
		struct helper_conn *c = h->conns;

		if (helper_conn_active(c)) {
			c->last_error = ERR_CANCELLED;
			helper_conn_enter_state(c, CONN_FAILED);
		}
		linger_expired(c->linger_timer, c);
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Starting */

/* Makes room for a new object by dropping the oldest ended one. */
static bool make_room(struct helper *h)
{
	struct helper_conn *oldest = NULL;

	if (helper_conn_count(h, false) < HELPER_MAX_CONNECTIONS)
		return true;
	for (struct helper_conn *c = h->conns; c; c = c->next)
		if (!helper_conn_active(c))
			oldest = c;
	if (!oldest)
		return false;
	linger_expired(oldest->linger_timer, oldest);
	return true;
}

static void prepared_expired(struct helper_loop_timer *t, void *data)
{
	struct helper_conn *c = data;

	(void)t;
	helper_loop_timer_remove(steal_ptr(&c->prepared_timer));
	log_warning("connection %u: no Start within %u s of the prepared Connect", c->id,
	            c->h->prepared_seconds);
	helper_conn_fail(c, ERR_TIMEOUT);
}

struct helper_conn *helper_conn_start(struct helper *h, struct helper_options *opts, uid_t owner)
{
	struct helper_conn *c;
	int r;

	if (!make_room(h) || !(c = calloc(1, sizeof(*c)))) {
		helper_options_free(opts);
		return NULL;
	}
	c->h = h;
	c->id = ++h->next_conn_id;
	snprintf(c->path, sizeof(c->path), HELPER_CONN_PATH_PREFIX "%u", c->id);
	c->owner = owner;
	c->opts = opts;
	c->state = CONN_CONNECTING;
	c->tun_fd = -1;
	c->sock = -1;
	c->transport = "";
	c->gw_family = strchr(opts->address, ':') ? AF_INET6 : AF_INET;
	inet_pton(c->gw_family, opts->address, &c->gw);
	c->next = h->conns;
	h->conns = c;
	h->manager_dirty = true;
	log_notice("connection %u: created for uid %u to %s (%s)", c->id, (unsigned)owner,
	           opts->gateway, opts->address);

	r = 0;
	if (!opts->cookie) {
		/* Prepared: Connection.Start must come in time. */
		c->prepared = CONN_PREPARED_WAITING;
		c->prepared_timer = helper_loop_timer_add(h->loop, h->prepared_seconds * 1000ull,
		                                          prepared_expired, c);
		if (!c->prepared_timer)
			r = -ERR_NOMEM;
	}
	if (r == 0)
		r = helper_conn_worker_start(c);
	c->dirty = 0;
	/* The object is announced with its properties as they are now. */
	helper_bus_emit_added(h, c->path, &helper_conn_interface, c);
	if (r < 0) {
		log_error("connection %u: cannot start: %s", c->id, error_text(r));
		helper_conn_fail(c, r);
	}
	helper_update_idle(h);
	return c;
}

/* The only change of the prepared sub-state after creation: WAITING -> STARTED.  The worker
 * checks the pin on the link it holds and only then sends the cookie. */
int helper_conn_start_prepared(struct helper_conn *c, const struct secret *cookie, char **pin)
{
	_cleanup_(worker_msg_freep) struct worker_msg *m = NULL;

	if (!helper_conn_state_may_start(c->state, c->prepared))
		return -ERR_BUSY;
	m = worker_msg_new(WMSG_SET_COOKIE);
	if (!m || worker_msg_put_str(m, WATTR_COOKIE, secret_str(cookie)) < 0 ||
	    worker_msg_put_str(m, WATTR_PIN, *pin) < 0)
		return -ERR_NOMEM;
	helper_loop_timer_remove(steal_ptr(&c->prepared_timer));
	free(c->opts->pin);
	c->opts->pin = steal_ptr(pin);
	log_debug("connection %u: prepared %s -> %s", c->id, helper_conn_prepared_name(c->prepared),
	          helper_conn_prepared_name(CONN_PREPARED_STARTED));
	c->prepared = CONN_PREPARED_STARTED;
	if (helper_conn_worker_send(c, m, NULL, 0) < 0) {
		helper_conn_fail(c, ERR_WORKER_CRASHED);
		return -ERR_WORKER_CRASHED;
	}
	return 0;
}
