// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Arbitrary bytes as a preferences file.  Whatever loads must save, and the saved file must
 * load back cleanly (nothing dropped) and equal to the first load, and saving that again
 * must give the same bytes.  The same bytes as a profile URI must give a file inside the
 * profiles dir.  Files go to a private directory (on /dev/shm when there is one, where fsync
 * is cheap), removed at exit.
 */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "prefs.h"

static char dir[64];
static char path[128];

static void quiet(int priority, const char *message, void *user_data)
{
}

static int remove_one(const char *file, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(file) < 0 ? -1 : 0;
}

static void remove_dir(void)
{
	if (dir[0])
		nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
	if (dir[0])
		return;
	snprintf(dir, sizeof(dir), "%s",
	         access("/dev/shm", W_OK) == 0 ? "/dev/shm/fuzz-prefs-XXXXXX"
	                                       : "/tmp/fuzz-prefs-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/preferences.xml", dir);
	atexit(remove_dir);
	log_set_sink(quiet, NULL);
}

static char *slurp(const char *file, size_t *len)
{
	FILE *f = fopen(file, "rb");
	char *buf = malloc(PREFS_FILE_MAX + 1);

	if (!f || !buf)
		abort();
	*len = fread(buf, 1, PREFS_FILE_MAX + 1, f);
	fclose(f);
	return buf;
}

static void round_trip(struct prefs *p)
{
	struct prefs *q = prefs_new();
	char *first, *second;
	size_t l1, l2;
	int r;

	if (!q || prefs_set_path(p, path) != 0)
		abort();
	r = prefs_save(p);
	if (r == -ERR_TOO_LARGE) {
		prefs_free(q);
		return;
	}
	if (r != 0 || prefs_load(q, path) != 0)
		abort();
	if (prefs_load_status(q) != PREFS_LOAD_OK || !prefs_equal(p, q))
		abort();
	first = slurp(path, &l1);
	if (prefs_save(q) != 0)
		abort();
	second = slurp(path, &l2);
	if (l1 != l2 || memcmp(first, second, l1) != 0)
		abort();
	/* walk what the GUI would show */
	for (size_t i = 0; i < prefs_gateway_count(q); i++) {
		struct prefs_gateway *g = prefs_gateway_at(q, i);
		const char *key = prefs_gateway_key(g);
		const char *n, *a, *grp;

		if (!g || !prefs_validate_gateway_key(key))
			abort();
		for (size_t k = 0; k < prefs_server_list_count(q, key); k++)
			if (prefs_server_list_at(q, key, k, &n, &a, &grp) != 0 || !*a)
				abort();
	}
	free(first);
	free(second);
	prefs_free(q);
}

static void profile_name(const uint8_t *data, size_t size)
{
	struct prefs *p = prefs_new();
	char uri[PREFS_PROFILE_URI_MAX + 1];
	char *local = NULL;
	const char *pdir;
	size_t n = size < PREFS_PROFILE_URI_MAX ? size : PREFS_PROFILE_URI_MAX;

	memcpy(uri, data, n);
	uri[n] = '\0';
	if (!p || prefs_set_path(p, path) != 0)
		abort();
	pdir = prefs_profiles_dir(p);
	if (prefs_profile_store(p, "https://fuzz.test/", uri, "x", 1, NULL) == 0) {
		const char *base;

		if (prefs_profile_lookup(p, "https://fuzz.test/", uri, &local, NULL) != 0)
			abort();
		if (strncmp(local, pdir, strlen(pdir)) != 0 || local[strlen(pdir)] != '/')
			abort();
		base = local + strlen(pdir) + 1;
		if (!*base || base[0] == '.' || strchr(base, '/') ||
		    strspn(base,
		           "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
		        strlen(base) ||
		    strlen(base) > PREFS_PROFILE_NAME_MAX)
			abort();
		if (unlink(local) != 0)
			abort();
		free(local);
	}
	prefs_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prefs *p;
	int r;

	setup();
	p = prefs_new();
	if (!p)
		abort();
	r = prefs_load_from_memory(p, data, size, "fuzz");
	if (r == 0)
		round_trip(p);
	else if (r != 1 && r != -ERR_PREFS)
		abort();
	prefs_free(p);
	if (size < 2048)
		profile_name(data, size);
	return 0;
}
