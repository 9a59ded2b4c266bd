/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The Preferences window: the three global settings of preferences.xml, saved at once. */
#include <adwaita.h>

#include "prefs.h"

G_BEGIN_DECLS

/* Switches are named block-untrusted, use-dtls and start-in-tray.  @prefs is borrowed. */
GtkWidget *gui_prefs_window_new(GtkWindow *parent, struct prefs *prefs);

G_END_DECLS
