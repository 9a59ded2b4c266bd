// SPDX-License-Identifier: GPL-2.0-or-later
#include "helper-accounts.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

#define HELPER_ACCOUNTS_PASSWD "/etc/passwd"
#define HELPER_ACCOUNTS_GROUP  "/etc/group"

int helper_accounts_user(const char *name, uid_t *uid, gid_t *gid)
{
	FILE *f = fopen(HELPER_ACCOUNTS_PASSWD, "re");
	const struct passwd *pw;
	int r = -ERR_NOT_FOUND;

	if (!f)
		return r;
	while ((pw = fgetpwent(f)))
		if (strcmp(pw->pw_name, name) == 0) {
			*uid = pw->pw_uid;
			*gid = pw->pw_gid;
			r = 0;
			break;
		}
	fclose(f);
	return r;
}

int helper_accounts_group(const char *name, gid_t *gid)
{
	FILE *f = fopen(HELPER_ACCOUNTS_GROUP, "re");
	const struct group *gr;
	int r = -ERR_NOT_FOUND;

	if (!f)
		return r;
	while ((gr = fgetgrent(f)))
		if (strcmp(gr->gr_name, name) == 0) {
			*gid = gr->gr_gid;
			r = 0;
			break;
		}
	fclose(f);
	return r;
}
