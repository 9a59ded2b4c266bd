// SPDX-License-Identifier: GPL-2.0-or-later
#include <glib.h>
#include <string.h>

#include "auth-form.h"
#include "error.h"

static void add(struct auth_form *f, enum auth_field_type type, const char *name)
{
	struct auth_field fld = {.type = type};

	fld.name = g_strdup(name);
	fld.label = g_strdup_printf("%s:", name);
	g_assert_cmpint(auth_form_add_field(f, &fld), ==, 0);
	g_assert_null(fld.name); /* moved */
}

static void add_select(struct auth_form *f, const char *name, const char *const *vals,
                       const char *const *labels, size_t n, size_t sel)
{
	struct auth_field fld = {.type = AUTH_FIELD_SELECT};

	fld.name = g_strdup(name);
	fld.label = g_strdup("Group:");
	fld.options = g_new0(struct auth_option, n);
	fld.n_options = n;
	for (size_t i = 0; i < n; i++) {
		fld.options[i].value = g_strdup(vals[i]);
		fld.options[i].label = g_strdup(labels[i]);
	}
	fld.selected = fld.default_selected = sel;
	fld.is_group_list = !strcmp(name, "group_list");
	g_assert_cmpint(auth_form_add_field(f, &fld), ==, 0);
}

static struct auth_form *sample(void)
{
	static const char *const vals[] = {"emp", "con", "Contractors"};
	static const char *const labels[] = {"Employees", "Contractors", "Other"};
	struct auth_form *f = auth_form_new(NULL);
	struct auth_field hidden = {.type = AUTH_FIELD_HIDDEN};

	g_assert_nonnull(f);
	g_assert_cmpstr(f->id, ==, "main");
	g_assert_cmpint(f->error_id, ==, -1);
	add(f, AUTH_FIELD_TEXT, "username");
	add(f, AUTH_FIELD_PASSWORD, "password");
	hidden.name = g_strdup("token");
	hidden.label = g_strdup("token:");
	hidden.value = g_strdup("h1");
	g_assert_cmpint(auth_form_add_field(f, &hidden), ==, 0);
	add_select(f, "group_list", vals, labels, 3, 0);
	return f;
}

static void test_lookup(void)
{
	_cleanup_(auth_form_freep) struct auth_form *f = sample();
	struct auth_field dup = {.type = AUTH_FIELD_TEXT};
	struct auth_field empty_sel = {.type = AUTH_FIELD_SELECT};

	g_assert_cmpuint(f->n_fields, ==, 4);
	g_assert_true(auth_form_field(f, "password") == &f->fields[1]);
	g_assert_null(auth_form_field(f, "nope"));
	g_assert_null(auth_form_field(NULL, "password"));
	g_assert_true(auth_form_group_field(f) == &f->fields[3]);
	g_assert_cmpstr(auth_form_selected_group(f), ==, "emp");

	dup.name = g_strdup("username");
	g_assert_cmpint(auth_form_add_field(f, &dup), ==, -ERR_INVALID_ARGS);
	auth_form_field_clear(&dup);
	g_assert_null(dup.name);
	empty_sel.name = g_strdup("s");
	g_assert_cmpint(auth_form_add_field(f, &empty_sel), ==, -ERR_INVALID_ARGS);
	auth_form_field_clear(&empty_sel);
	g_assert_cmpuint(f->n_fields, ==, 4);
}

static void test_field_cap(void)
{
	_cleanup_(auth_form_freep) struct auth_form *f = auth_form_new("main");
	struct auth_field extra = {.type = AUTH_FIELD_TEXT};

	for (int i = 0; i < AUTH_FORM_MAX_FIELDS; i++) {
		g_autofree char *n = g_strdup_printf("f%d", i);

		add(f, AUTH_FIELD_TEXT, n);
	}
	extra.name = g_strdup("one-too-many");
	g_assert_cmpint(auth_form_add_field(f, &extra), ==, -ERR_TOO_LARGE);
	auth_form_field_clear(&extra);
}

static void test_set_value(void)
{
	_cleanup_(auth_form_freep) struct auth_form *f = sample();
	_cleanup_(secret_freep) struct secret *s = secret_new_str("from-secret");
	_cleanup_(secret_freep) struct secret *nul = secret_new("a\0b", 3);
	char *longv;

	g_assert_cmpint(auth_form_set_value(f, "username", "jdoe"), ==, 0);
	g_assert_cmpstr(auth_form_field(f, "username")->value, ==, "jdoe");
	g_assert_cmpint(auth_form_set_value(f, "username", "jane"), ==, 0);
	g_assert_cmpstr(auth_field_value(auth_form_field(f, "username")), ==, "jane");

	g_assert_cmpint(auth_form_set_value(f, "password", "pw"), ==, 0);
	g_assert_null(auth_form_field(f, "password")->value);
	g_assert_cmpstr(secret_str(auth_form_field(f, "password")->secret), ==, "pw");
	g_assert_cmpstr(auth_field_value(auth_form_field(f, "password")), ==, "pw");
	g_assert_cmpint(auth_form_set_secret(f, "password", s), ==, 0);
	g_assert_cmpstr(auth_field_value(auth_form_field(f, "password")), ==, "from-secret");
	g_assert_cmpint(auth_form_set_secret(f, "password", nul), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(auth_form_set_secret(f, "token", s), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(auth_form_set_secret(f, "password", NULL), ==, -ERR_INVALID_ARGS);

	/* Hidden values go back as the gateway sent them. */
	g_assert_cmpint(auth_form_set_value(f, "token", "forged"), ==, -ERR_INVALID_ARGS);
	g_assert_cmpstr(auth_field_value(auth_form_field(f, "token")), ==, "h1");

	g_assert_cmpint(auth_form_set_value(f, "missing", "x"), ==, -ERR_NOT_FOUND);
	g_assert_cmpint(auth_form_set_value(f, "username", NULL), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(auth_form_set_value(f, "username", "a\x01"), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(auth_form_set_value(f, "username", "bad\xff utf8"), ==, -ERR_INVALID_ARGS);
	g_assert_cmpint(auth_form_set_value(f, "username", "\xc3"), ==, -ERR_INVALID_ARGS);
	g_assert_cmpstr(auth_form_field(f, "username")->value, ==, "jane");
	g_assert_cmpint(auth_form_set_value(f, "username", "tab\tcr\rlf\n ü 中 😀"), ==, 0);

	longv = g_malloc(AUTH_FORM_MAX_VALUE + 2);
	memset(longv, 'a', AUTH_FORM_MAX_VALUE + 1);
	longv[AUTH_FORM_MAX_VALUE + 1] = '\0';
	g_assert_cmpint(auth_form_set_value(f, "username", longv), ==, -ERR_INVALID_ARGS);
	longv[AUTH_FORM_MAX_VALUE] = '\0';
	g_assert_cmpint(auth_form_set_value(f, "username", longv), ==, 0);
	g_free(longv);
}

static void test_select(void)
{
	_cleanup_(auth_form_freep) struct auth_form *f = sample();

	g_assert_false(auth_form_group_changed(f));
	/* By value */
	g_assert_cmpint(auth_form_set_value(f, "group_list", "con"), ==, 0);
	g_assert_cmpstr(auth_form_selected_group(f), ==, "con");
	g_assert_true(auth_form_group_changed(f));
	/* By label: the value is stored */
	g_assert_cmpint(auth_form_select_group(f, "Employees"), ==, 0);
	g_assert_cmpstr(auth_form_selected_group(f), ==, "emp");
	g_assert_false(auth_form_group_changed(f));
	/* A value wins over an equal label of another option */
	g_assert_cmpint(auth_form_select_group(f, "Contractors"), ==, 0);
	g_assert_cmpuint(auth_form_group_field(f)->selected, ==, 2);
	g_assert_cmpint(auth_form_select_group(f, "nothing"), ==, -ERR_INVALID_ARGS);
	g_assert_cmpuint(auth_form_group_field(f)->selected, ==, 2);
	g_assert_cmpint(auth_form_select_group(f, NULL), ==, -ERR_INVALID_ARGS);
}

static void test_no_group(void)
{
	_cleanup_(auth_form_freep) struct auth_form *f = auth_form_new("challenge");

	add(f, AUTH_FIELD_PASSWORD, "answer");
	g_assert_null(auth_form_group_field(f));
	g_assert_null(auth_form_selected_group(f));
	g_assert_false(auth_form_group_changed(f));
	g_assert_cmpint(auth_form_select_group(f, "x"), ==, -ERR_NOT_FOUND);
}

static void test_group_rules(void)
{
	static const char *const vals[] = {"plain", "dual", "cert"};
	_cleanup_(auth_form_freep) struct auth_form *f = auth_form_new("main");
	struct auth_field *su;

	add(f, AUTH_FIELD_TEXT, "username");
	add(f, AUTH_FIELD_PASSWORD, "password");
	add(f, AUTH_FIELD_TEXT, "secondary_username");
	add(f, AUTH_FIELD_PASSWORD, "secondary_password");
	add(f, AUTH_FIELD_HIDDEN, "h");
	add_select(f, "group_list", vals, vals, 3, 0);
	f->fields[2].second_auth = true;
	f->fields[3].second_auth = true;
	f->fields[5].options[1].second_auth = true;
	f->fields[5].options[1].secondary_username = g_strdup("preset");
	f->fields[5].options[2].noaaa = true;
	su = &f->fields[2];

	auth_form_apply_group(f);
	g_assert_false(f->fields[0].inactive);
	g_assert_true(su->inactive);
	g_assert_true(f->fields[3].inactive);

	g_assert_cmpint(auth_form_select_group(f, "dual"), ==, 0);
	g_assert_false(su->inactive);
	g_assert_true(su->readonly);
	g_assert_cmpstr(su->value, ==, "preset");
	g_assert_false(f->fields[3].inactive);

	g_assert_cmpint(auth_form_select_group(f, "cert"), ==, 0);
	g_assert_true(f->fields[0].inactive);
	g_assert_true(f->fields[1].inactive);
	g_assert_true(su->inactive);
	g_assert_false(su->readonly);
	g_assert_false(f->fields[4].inactive); /* hidden fields are always sent */

	g_assert_cmpint(auth_form_select_group(f, "plain"), ==, 0);
	g_assert_false(f->fields[0].inactive);
	g_assert_true(su->inactive);
}

static void test_confirmations(void)
{
	_cleanup_(auth_form_freep) struct auth_form *f = auth_form_new("passwd");

	g_assert_true(auth_form_confirmations_match(f));
	add(f, AUTH_FIELD_PASSWORD, "new_password");
	add(f, AUTH_FIELD_PASSWORD, "verify_password");
	g_assert_true(auth_form_confirmations_match(f)); /* both empty */
	auth_form_set_value(f, "new_password", "a");
	g_assert_false(auth_form_confirmations_match(f));
	auth_form_set_value(f, "verify_password", "a");
	g_assert_true(auth_form_confirmations_match(f));
	add(f, AUTH_FIELD_PASSWORD, "verify_pin"); /* without its partner */
	auth_form_set_value(f, "verify_pin", "1");
	g_assert_false(auth_form_confirmations_match(f));
}

static void check_fmt(const char *fmt, const char *p1, const char *p2, const char *want)
{
	g_autofree char *got = auth_form_format_message(fmt, p1, p2);

	g_assert_cmpstr(got, ==, want);
}

static void test_format_message(void)
{
	check_fmt("plain", "x", "y", "plain");
	check_fmt("%s and %s", "A", "B", "A and B");
	check_fmt("%s and %s and %s", "A", "B", "A and B and %s");
	check_fmt("%s-%s", NULL, "B", "%s-B");
	check_fmt("%s-%s", "A", NULL, "A-%s");
	check_fmt("%s-%s", "", "", "-");
	/* Hostile formats and hostile parameters stay text. */
	check_fmt("%n%x%d%p %s", "%n%s", "%s", "%n%x%d%p %n%s");
	check_fmt("%%s %s", "A", "B", "%A B");
	check_fmt("100%", "A", "B", "100%");
	check_fmt("%", NULL, NULL, "%");
	check_fmt("", "A", "B", "");
	g_assert_null(auth_form_format_message(NULL, "a", "b"));
}

static void test_text_valid(void)
{
	g_assert_true(auth_form_text_is_valid("", 10));
	g_assert_true(auth_form_text_is_valid("abc", 3));
	g_assert_false(auth_form_text_is_valid("abcd", 3));
	g_assert_false(auth_form_text_is_valid(NULL, 3));
	g_assert_true(auth_form_text_is_valid("\t\r\n", 10));
	g_assert_false(auth_form_text_is_valid("\x1b[31m", 10));
	g_assert_false(auth_form_text_is_valid("\x7f\x80", 10));    /* lone continuation */
	g_assert_true(auth_form_text_is_valid("\x7f\xc2\x80", 10)); /* DEL and U+0080: XML allows */
	g_assert_false(auth_form_text_is_valid("\xc0\xaf", 10));    /* overlong */
	g_assert_false(auth_form_text_is_valid("\xe0\x80\xaf", 10));
	g_assert_false(auth_form_text_is_valid("\xed\xa0\x80", 10)); /* surrogate */
	g_assert_false(auth_form_text_is_valid("\xef\xbf\xbe", 10)); /* U+FFFE */
	g_assert_false(auth_form_text_is_valid("\xef\xbf\xbf", 10)); /* U+FFFF */
	g_assert_true(auth_form_text_is_valid("\xef\xbf\xbd", 10));  /* U+FFFD */
	g_assert_true(auth_form_text_is_valid("\xf0\x9f\x98\x80", 10));
	g_assert_false(auth_form_text_is_valid("\xf4\x90\x80\x80", 10)); /* > U+10FFFF */
	g_assert_false(auth_form_text_is_valid("\xf0\x9f\x98", 10));     /* truncated */
	g_assert_false(auth_form_text_is_valid("\xf8\x88\x80\x80\x80", 10));
}

static void test_free_null(void)
{
	auth_form_free(NULL);
	auth_form_field_clear(NULL);
	auth_form_apply_group(NULL);
	g_assert_null(auth_field_value(NULL));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/auth-form/lookup", test_lookup);
	g_test_add_func("/auth-form/field-cap", test_field_cap);
	g_test_add_func("/auth-form/set-value", test_set_value);
	g_test_add_func("/auth-form/select", test_select);
	g_test_add_func("/auth-form/no-group", test_no_group);
	g_test_add_func("/auth-form/group-rules", test_group_rules);
	g_test_add_func("/auth-form/confirmations", test_confirmations);
	g_test_add_func("/auth-form/format-message", test_format_message);
	g_test_add_func("/auth-form/text-valid", test_text_valid);
	g_test_add_func("/auth-form/free-null", test_free_null);
	return g_test_run();
}
