// SPDX-License-Identifier: GPL-2.0-or-later
#include "error.h"

#include <errno.h>
#include <string.h>

static const struct {
	const char *name;
	const char *dbus_name;
	const char *text;
} error_table[ERR_COUNT_] = {
	[ERR_OK] = {"Ok", ERROR_DBUS_PREFIX "Ok", "success"},
#define ERROR_ROW_(code, name, text) [code] = {name, ERROR_DBUS_PREFIX name, text},
	ERROR_TABLE(ERROR_ROW_)
#undef ERROR_ROW_
};

static int error_index(int err)
{
	if (err < 0)
		err = -err;
	if (err >= ERR_COUNT_)
		return ERR_INTERNAL;
	return err;
}

const char *error_name(int err)
{
	return error_table[error_index(err)].name;
}

const char *error_dbus_name(int err)
{
	return error_table[error_index(err)].dbus_name;
}

const char *error_text(int err)
{
	return error_table[error_index(err)].text;
}

int error_from_name(const char *name)
{
	if (!name)
		return ERR_INTERNAL;
	if (strncmp(name, ERROR_DBUS_PREFIX, strlen(ERROR_DBUS_PREFIX)) == 0)
		name += strlen(ERROR_DBUS_PREFIX);
	for (int i = 0; i < ERR_COUNT_; i++)
		if (strcmp(error_table[i].name, name) == 0)
			return i;
	return ERR_INTERNAL;
}

int error_from_errno(int errnum)
{
	switch (errnum) {
	case 0:
		return ERR_OK;
	case ENOMEM:
		return ERR_NOMEM;
	case EINVAL:
		return ERR_INVALID_ARGS;
	case ETIMEDOUT:
		return ERR_TIMEOUT;
	case ECONNREFUSED:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case ECONNRESET:
		return ERR_CONNECT;
	case EACCES:
	case EPERM:
		return ERR_ACCESS_DENIED;
	case ENOENT:
		return ERR_NOT_FOUND;
	case E2BIG:
	case EMSGSIZE:
		return ERR_TOO_LARGE;
	case ECANCELED:
		return ERR_CANCELLED;
	default:
		return ERR_IO;
	}
}
