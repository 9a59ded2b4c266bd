// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "gui-app.h"

int main(int argc, char **argv)
{
	g_autoptr(GuiApp) app = NULL;
	const char *localedir = g_getenv("SSLVPN_LOCALEDIR"); /* uninstalled runs and tests */

	setlocale(LC_ALL, "");
	bindtextdomain(GETTEXT_PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);
	g_set_application_name(_("SSL VPN"));

	app = gui_app_new();
	return g_application_run(G_APPLICATION(app), argc, argv);
}
