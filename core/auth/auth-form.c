// SPDX-License-Identifier: GPL-2.0-or-later
#include "auth-form.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "utf8.h"

static void auth_option_clear(struct auth_option *o)
{
	free(o->value);
	free(o->label);
	free(o->secondary_username);
	free(o->auth_type);
	free(o->override_name);
	free(o->override_label);
}

void auth_form_field_clear(struct auth_field *f)
{
	if (!f)
		return;
	free(f->name);
	free(f->label);
	if (f->value) {
		/* A text field may hold a one-time code typed by the user. */
		secret_wipe(f->value, strlen(f->value));
		free(f->value);
	}
	secret_free(f->secret);
	for (size_t i = 0; i < f->n_options; i++)
		auth_option_clear(&f->options[i]);
	free(f->options);
	memset(f, 0, sizeof(*f));
}

struct auth_form *auth_form_new(const char *id)
{
	struct auth_form *form = calloc(1, sizeof(*form));

	if (!form)
		return NULL;
	form->error_id = -1;
	form->id = strdup(id ? id : "main");
	if (!form->id) {
		free(form);
		return NULL;
	}
	return form;
}

void auth_form_free(struct auth_form *form)
{
	if (!form)
		return;
	for (size_t i = 0; i < form->n_fields; i++)
		auth_form_field_clear(&form->fields[i]);
	free(form->fields);
	free(form->id);
	free(form->title);
	free(form->message);
	free(form->error);
	free(form->banner);
	free(form->action);
	free(form);
}

static struct auth_field *field_lookup(const struct auth_form *form, const char *name)
{
	if (!form || !name)
		return NULL;
	for (size_t i = 0; i < form->n_fields; i++)
		if (strcmp(form->fields[i].name, name) == 0)
			return &form->fields[i];
	return NULL;
}

int auth_form_add_field(struct auth_form *form, struct auth_field *field)
{
	struct auth_field *fields;

	if (!form || !field || !field->name || field_lookup(form, field->name))
		return -ERR_INVALID_ARGS;
	if (field->type == AUTH_FIELD_SELECT && field->n_options == 0)
		return -ERR_INVALID_ARGS;
	if (form->n_fields >= AUTH_FORM_MAX_FIELDS)
		return -ERR_TOO_LARGE;
	fields = realloc(form->fields, (form->n_fields + 1) * sizeof(*fields));
	if (!fields)
		return -ERR_NOMEM;
	form->fields = fields;
	fields[form->n_fields++] = *field;
	memset(field, 0, sizeof(*field));
	return 0;
}

const struct auth_field *auth_form_field(const struct auth_form *form, const char *name)
{
	return field_lookup(form, name);
}

static struct auth_field *group_lookup(const struct auth_form *form)
{
	if (!form)
		return NULL;
	for (size_t i = 0; i < form->n_fields; i++)
		if (form->fields[i].is_group_list)
			return &form->fields[i];
	return NULL;
}

const struct auth_field *auth_form_group_field(const struct auth_form *form)
{
	return group_lookup(form);
}

const char *auth_field_value(const struct auth_field *f)
{
	if (!f)
		return NULL;
	switch (f->type) {
	case AUTH_FIELD_PASSWORD:
		return f->secret ? secret_str(f->secret) : "";
	case AUTH_FIELD_SELECT:
		return f->selected < f->n_options ? f->options[f->selected].value : "";
	case AUTH_FIELD_TEXT:
	case AUTH_FIELD_HIDDEN:
		break;
	}
	return f->value ? f->value : "";
}

bool auth_form_text_is_valid(const char *s, size_t max_len)
{
	size_t len;

	if (!s)
		return false;
	len = strnlen(s, max_len + 1);
	return len <= max_len && utf8_valid(s, len, UTF8_XML_TEXT);
}

static int select_option(struct auth_field *f, const char *value_or_label)
{
	for (size_t i = 0; i < f->n_options; i++) {
		if (strcmp(f->options[i].value, value_or_label) == 0) {
			f->selected = i;
			return 0;
		}
	}
	for (size_t i = 0; i < f->n_options; i++) {
		if (strcmp(f->options[i].label, value_or_label) == 0) {
			f->selected = i;
			return 0;
		}
	}
	return -ERR_INVALID_ARGS;
}

void auth_form_apply_group(struct auth_form *form)
{
	const struct auth_field *group = group_lookup(form);
	const struct auth_option *opt = NULL;

	if (!form)
		return;
	if (group && group->selected < group->n_options)
		opt = &group->options[group->selected];

	for (size_t i = 0; i < form->n_fields; i++) {
		struct auth_field *f = &form->fields[i];

		f->inactive = false;
		f->readonly = false;
		if (!opt || (f->type != AUTH_FIELD_TEXT && f->type != AUTH_FIELD_PASSWORD))
			continue;
		if (opt->noaaa || (f->second_auth && !opt->second_auth)) {
			f->inactive = true;
			continue;
		}
		if (f->second_auth && f->type == AUTH_FIELD_TEXT &&
		    strcmp(f->name, "secondary_username") == 0) {
			if (opt->secondary_username) {
				char *v = strdup(opt->secondary_username);

				/* Keep the old value on ENOMEM; the user can still type it. */
				if (v) {
					free(f->value);
					f->value = v;
				}
			}
			if (!opt->secondary_username_editable)
				f->readonly = true;
		}
	}
}

static int field_store(struct auth_field *f, const char *value, size_t len)
{
	if (f->type == AUTH_FIELD_PASSWORD) {
		struct secret *s = secret_new(value, len);

		if (!s)
			return -ERR_NOMEM;
		secret_free(f->secret);
		f->secret = s;
		return 0;
	}
	char *v = strndup(value, len);

	if (!v)
		return -ERR_NOMEM;
	if (f->value) {
		secret_wipe(f->value, strlen(f->value));
		free(f->value);
	}
	f->value = v;
	return 0;
}

int auth_form_set_value(struct auth_form *form, const char *name, const char *value)
{
	struct auth_field *f = field_lookup(form, name);
	int r;

	if (!f)
		return -ERR_NOT_FOUND;
	if (!auth_form_text_is_valid(value, AUTH_FORM_MAX_VALUE))
		return -ERR_INVALID_ARGS;
	switch (f->type) {
	case AUTH_FIELD_HIDDEN:
		return -ERR_INVALID_ARGS;
	case AUTH_FIELD_SELECT:
		r = select_option(f, value);
		if (r == 0 && f->is_group_list)
			auth_form_apply_group(form);
		return r;
	case AUTH_FIELD_TEXT:
	case AUTH_FIELD_PASSWORD:
		break;
	}
	return field_store(f, value, strlen(value));
}

int auth_form_set_secret(struct auth_form *form, const char *name, const struct secret *value)
{
	struct auth_field *f = field_lookup(form, name);

	if (!f)
		return -ERR_NOT_FOUND;
	if (!value || (f->type != AUTH_FIELD_PASSWORD && f->type != AUTH_FIELD_TEXT))
		return -ERR_INVALID_ARGS;
	/* A NUL inside the secret would silently truncate what gets sent. */
	if (strlen(secret_str(value)) != secret_len(value) ||
	    !auth_form_text_is_valid(secret_str(value), AUTH_FORM_MAX_VALUE))
		return -ERR_INVALID_ARGS;
	return field_store(f, secret_str(value), secret_len(value));
}

int auth_form_select_group(struct auth_form *form, const char *value_or_label)
{
	struct auth_field *g = group_lookup(form);
	int r;

	if (!g)
		return -ERR_NOT_FOUND;
	if (!value_or_label)
		return -ERR_INVALID_ARGS;
	r = select_option(g, value_or_label);
	if (r == 0)
		auth_form_apply_group(form);
	return r;
}

const char *auth_form_selected_group(const struct auth_form *form)
{
	const struct auth_field *g = group_lookup(form);

	return g ? auth_field_value(g) : NULL;
}

bool auth_form_group_changed(const struct auth_form *form)
{
	const struct auth_field *g = group_lookup(form);

	return g && g->selected != g->default_selected;
}

bool auth_form_confirmations_match(const struct auth_form *form)
{
	static const char *const pairs[][2] = {
	    {"verify_password", "new_password"},
	    {"verify_pin", "whichpin"},
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const struct auth_field *check = field_lookup(form, pairs[i][0]);
		const struct auth_field *orig = field_lookup(form, pairs[i][1]);

		if (!check || check->inactive)
			continue;
		if (!orig || strcmp(auth_field_value(check), auth_field_value(orig)) != 0)
			return false;
	}
	return true;
}

char *auth_form_format_message(const char *fmt, const char *param1, const char *param2)
{
	const char *params[2] = {param1, param2};
	size_t cap, used = 0, n_subst = 0;
	char *out;

	if (!fmt)
		return NULL;
	cap = strlen(fmt) + (param1 ? strlen(param1) : 0) + (param2 ? strlen(param2) : 0) + 1;
	out = malloc(cap);
	if (!out)
		return NULL;
	for (const char *p = fmt; *p;) {
		if (p[0] == '%' && p[1] == 's' && n_subst < 2) {
			const char *param = params[n_subst++];

			if (param) {
				size_t l = strlen(param);

				memcpy(out + used, param, l);
				used += l;
				p += 2;
				continue;
			}
			/* No such attribute: the "%s" stays as text. */
			out[used++] = *p++;
			out[used++] = *p++;
			continue;
		}
		out[used++] = *p++;
	}
	out[used] = '\0';
	return out;
}
