/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Who is calling, and may they (helper/README.md, docs/architecture.md "Fixed names")?  Both
 * steps ask the bus asynchronously: the loop never waits for polkit, which may be showing a
 * password prompt.
 *
 * Identify: the caller's uid from the bus daemon (GetConnectionCredentials), never from
 * anything the caller says.
 * Connect: root always; otherwise, when org.freedesktop.PolicyKit1 has an owner on the bus,
 * polkit decides (CheckAuthorization of the action org.sslvpn.Helper1.connect for the
 * caller's bus name, user interaction allowed); when it has none, members of the netdev
 * group may, judged by the group list the bus daemon reports for the caller's process (not by
 * /etc/group, which only maps the name to a gid).  Any doubt (an error, a missing group list)
 * denies.
 */
#include <dbus/dbus.h>
#include <sys/types.h>

struct helper;

/* result: 0 (allowed), -ERR_ACCESS_DENIED, or another -ERR_* when the check itself failed.
 * uid is the caller's when it could be found ((uid_t)-1 otherwise).  fn owns data from then on
 * (and must free it); if fn is never called (the helper stops), data_free releases it. */
typedef void (*helper_authz_fn)(struct helper *h, DBusMessage *call, int result, uid_t uid,
                               void *data);

/* Called once the caller's uid is known, before polkit is asked (which may take minutes):
 * a negative -ERR_* ends the check with that result, so quotas apply before anyone waits. */
typedef int (*helper_authz_admit_fn)(struct helper *h, uid_t uid, void *data);

int helper_authz_identify(struct helper *h, DBusMessage *call, helper_authz_fn fn, void *data,
                         void (*data_free)(void *));
/* admit may be NULL. */
int helper_authz_connect(struct helper *h, DBusMessage *call, helper_authz_admit_fn admit,
                        helper_authz_fn fn, void *data, void (*data_free)(void *));
