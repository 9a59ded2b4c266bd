/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Scope-bound cleanup for GLib-free code (the helper and worker have no GLib, so no
 * g_autoptr there).  Pointers are released when they leave scope; ownership is handed
 * on with steal_ptr() / steal_fd().
 */
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(fn) __attribute__((cleanup(fn)))

/* DEFINE_CLEANUP(struct foo *, foo_free) gives foo_freep() for _cleanup_(foo_freep). */
#define DEFINE_CLEANUP(type, fn)                                                                   \
	static inline void fn##p(type *p)                                                         \
	{                                                                                          \
		if (*p)                                                                            \
			fn(*p);                                                                    \
	}

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

#define _cleanup_free_  _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)

static inline void *steal_ptr_(void *pp)
{
	void **p = pp;
	void *v = *p;
	*p = NULL;
	return v;
}
#define steal_ptr(pp) steal_ptr_(pp)

static inline int steal_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}
