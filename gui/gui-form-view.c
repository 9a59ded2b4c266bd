// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include "gui-form-view.h"

#include <glib/gi18n.h>

#include "error.h"
#include "gui-format.h"
#include "secret.h"

struct _GuiFormView {
	GtkBox parent_instance;
	GHashTable *widgets; /* field name -> input widget (borrowed from the tree) */
	GtkWidget *group;    /* the group list dropdown, or NULL */
	GtkWidget *banner, *title, *message, *error, *grid;
	guint n_inputs;
	gboolean rendering;
};

G_DEFINE_FINAL_TYPE(GuiFormView, gui_form_view, GTK_TYPE_BOX)

enum { SIGNAL_GROUP_CHANGED, SIGNAL_SUBMIT, N_SIGNALS };
static guint signals[N_SIGNALS];

#define OPTION_VALUES_KEY "sslvpn-option-values"

void gui_form_view_clear(GuiFormView *self)
{
	GtkWidget *child;

	while ((child = gtk_widget_get_first_child(GTK_WIDGET(self))))
		gtk_box_remove(GTK_BOX(self), child);
	g_hash_table_remove_all(self->widgets);
	self->group = self->banner = self->title = self->message = self->error = self->grid = NULL;
	self->n_inputs = 0;
}

static GtkWidget *text_label(const char *text, const char *css_class)
{
	g_autofree char *clean = gui_format_text_sanitize(text);
	GtkWidget *label = gtk_label_new(clean);

	gtk_label_set_wrap(GTK_LABEL(label), TRUE);
	gtk_label_set_wrap_mode(GTK_LABEL(label), PANGO_WRAP_WORD_CHAR);
	gtk_label_set_xalign(GTK_LABEL(label), 0);
	gtk_label_set_selectable(GTK_LABEL(label), TRUE);
	/* Selectable labels take focus first: keep Tab on the inputs. */
	gtk_widget_set_focusable(label, FALSE);
	if (css_class)
		gtk_widget_add_css_class(label, css_class);
	return label;
}

/* "Username:" -> "Username" for the accessible name. */
static char *field_name_for_people(const struct auth_field *f)
{
	g_autofree char *clean =
	    gui_format_text_sanitize(f->label && *f->label ? f->label : f->name);

	g_strstrip(clean);
	if (g_str_has_suffix(clean, ":") || g_str_has_suffix(clean, "："))
		clean[strlen(clean) - (g_str_has_suffix(clean, ":") ? 1 : 3)] = '\0';
	return g_strdup(*clean ? clean : f->name);
}

static void on_entry_activate(GtkWidget *entry, GuiFormView *self)
{
	g_signal_emit(self, signals[SIGNAL_SUBMIT], 0);
}

static void on_group_selected(GtkDropDown *dd, GParamSpec *pspec, GuiFormView *self)
{
	char **values = g_object_get_data(G_OBJECT(dd), OPTION_VALUES_KEY);
	guint i = gtk_drop_down_get_selected(dd);

	if (self->rendering || !values || i == GTK_INVALID_LIST_POSITION ||
	    i >= g_strv_length(values))
		return;
	g_signal_emit(self, signals[SIGNAL_GROUP_CHANGED], 0, values[i]);
}

static GtkWidget *make_dropdown(GuiFormView *self, const struct auth_field *f)
{
	GtkStringList *list = gtk_string_list_new(NULL);
	char **values = g_new0(char *, f->n_options + 1);
	GtkWidget *dd;

	for (size_t i = 0; i < f->n_options; i++) {
		const struct auth_option *o = &f->options[i];
		g_autofree char *label =
		    gui_format_text_sanitize(o->label && *o->label ? o->label : o->value);

		gtk_string_list_append(list, label);
		values[i] = g_strdup(o->value);
	}
	dd = gtk_drop_down_new(G_LIST_MODEL(list), NULL);
	g_object_set_data_full(G_OBJECT(dd), OPTION_VALUES_KEY, values, (GDestroyNotify)g_strfreev);
	gtk_drop_down_set_selected(GTK_DROP_DOWN(dd), (guint)f->selected);
	if (f->is_group_list)
		g_signal_connect(dd, "notify::selected", G_CALLBACK(on_group_selected), self);
	return dd;
}

static GtkWidget *make_input(GuiFormView *self, const struct auth_field *f,
                             const char *remembered_user)
{
	GtkWidget *w;

	switch (f->type) {
	case AUTH_FIELD_TEXT: {
		const char *text = f->value;

		if ((!text || !*text) && remembered_user && g_str_equal(f->name, "username"))
			text = remembered_user;
		w = gtk_entry_new();
		gtk_editable_set_text(GTK_EDITABLE(w), text ? text : "");
		gtk_entry_set_activates_default(GTK_ENTRY(w), FALSE);
		if (g_str_equal(f->name, "username"))
			gtk_entry_set_input_purpose(GTK_ENTRY(w), GTK_INPUT_PURPOSE_FREE_FORM);
		g_signal_connect(w, "activate", G_CALLBACK(on_entry_activate), self);
		if (f->readonly) {
			gtk_editable_set_editable(GTK_EDITABLE(w), FALSE);
			gtk_widget_set_sensitive(w, FALSE);
		}
		return w;
	}
	case AUTH_FIELD_PASSWORD:
		w = gtk_password_entry_new();
		gtk_password_entry_set_show_peek_icon(GTK_PASSWORD_ENTRY(w), TRUE);
		g_signal_connect(w, "activate", G_CALLBACK(on_entry_activate), self);
		return w;
	case AUTH_FIELD_SELECT:
		return make_dropdown(self, f);
	case AUTH_FIELD_HIDDEN:
	default:
		return NULL;
	}
}

void gui_form_view_render(GuiFormView *self, const struct auth_form *form,
                          const char *remembered_user)
{
	int row = 0;

	self->rendering = TRUE;
	gui_form_view_clear(self);
	if (form->banner && *form->banner) {
		GtkWidget *frame = gtk_frame_new(NULL);

		self->banner = text_label(form->banner, NULL);
		gtk_widget_set_margin_start(self->banner, 12);
		gtk_widget_set_margin_end(self->banner, 12);
		gtk_widget_set_margin_top(self->banner, 8);
		gtk_widget_set_margin_bottom(self->banner, 8);
		gtk_frame_set_child(GTK_FRAME(frame), self->banner);
		gtk_widget_set_name(self->banner, "form-banner");
		gtk_box_append(GTK_BOX(self), frame);
	}
	if (form->title && *form->title) {
		self->title = text_label(form->title, "title-4");
		gtk_box_append(GTK_BOX(self), self->title);
	}
	if (form->message && *form->message) {
		self->message = text_label(form->message, NULL);
		gtk_widget_set_name(self->message, "form-message");
		gtk_box_append(GTK_BOX(self), self->message);
	}
	if (form->error && *form->error) {
		self->error = text_label(form->error, "error");
		gtk_widget_set_name(self->error, "form-error");
		gtk_accessible_update_property(GTK_ACCESSIBLE(self->error),
		                               GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("Error"), -1);
		gtk_box_append(GTK_BOX(self), self->error);
	}
	self->grid = gtk_grid_new();
	gtk_grid_set_row_spacing(GTK_GRID(self->grid), 10);
	gtk_grid_set_column_spacing(GTK_GRID(self->grid), 12);
	gtk_widget_set_margin_top(self->grid, 6);
	for (size_t i = 0; i < form->n_fields; i++) {
		const struct auth_field *f = &form->fields[i];
		g_autofree char *name = NULL;
		g_autofree char *label_text = NULL;
		GtkWidget *label, *input;

		if (f->inactive || f->type == AUTH_FIELD_HIDDEN)
			continue;
		input = make_input(self, f, remembered_user);
		if (!input)
			continue;
		name = field_name_for_people(f);
		label_text = gui_format_text_sanitize(f->label && *f->label ? f->label : f->name);
		label = gtk_label_new(label_text);
		gtk_label_set_xalign(GTK_LABEL(label), 1);
		gtk_widget_set_hexpand(input, TRUE);
		gtk_widget_set_name(input, f->name);
		gtk_accessible_update_property(GTK_ACCESSIBLE(input), GTK_ACCESSIBLE_PROPERTY_LABEL,
		                               name, -1);
		gtk_grid_attach(GTK_GRID(self->grid), label, 0, row, 1, 1);
		gtk_grid_attach(GTK_GRID(self->grid), input, 1, row, 1, 1);
		row++;
		g_hash_table_insert(self->widgets, g_strdup(f->name), input);
		if (f->is_group_list)
			self->group = input;
		self->n_inputs++;
	}
	gtk_box_append(GTK_BOX(self), self->grid);
	self->rendering = FALSE;
}

int gui_form_view_apply(GuiFormView *self, struct auth_form *form, const char **bad_label)
{
	for (size_t i = 0; i < form->n_fields; i++) {
		const struct auth_field *f = &form->fields[i];
		GtkWidget *w = g_hash_table_lookup(self->widgets, f->name);
		int r = 0;

		if (!w || f->inactive || f->readonly || f->is_group_list)
			continue;
		if (f->type == AUTH_FIELD_TEXT) {
			r = auth_form_set_value(form, f->name,
			                        gtk_editable_get_text(GTK_EDITABLE(w)));
		} else if (f->type == AUTH_FIELD_PASSWORD) {
			_cleanup_(secret_freep) struct secret *s =
			    secret_new_str(gtk_editable_get_text(GTK_EDITABLE(w)));

			r = s ? auth_form_set_secret(form, f->name, s) : -ERR_NOMEM;
		} else if (f->type == AUTH_FIELD_SELECT) {
			char **values = g_object_get_data(G_OBJECT(w), OPTION_VALUES_KEY);
			guint sel = gtk_drop_down_get_selected(GTK_DROP_DOWN(w));

			if (values && sel < g_strv_length(values))
				r = auth_form_set_value(form, f->name, values[sel]);
		}
		if (r < 0) {
			if (bad_label)
				*bad_label = f->label;
			return r;
		}
	}
	return 0;
}

GtkWidget *gui_form_view_get_field_widget(GuiFormView *self, const char *name)
{
	return g_hash_table_lookup(self->widgets, name);
}

GtkWidget *gui_form_view_get_group_widget(GuiFormView *self)
{
	return self->group;
}

GtkWidget *gui_form_view_get_message_label(GuiFormView *self)
{
	return self->message;
}

GtkWidget *gui_form_view_get_error_label(GuiFormView *self)
{
	return self->error;
}

GtkWidget *gui_form_view_get_banner_label(GuiFormView *self)
{
	return self->banner;
}

guint gui_form_view_get_n_inputs(GuiFormView *self)
{
	return self->n_inputs;
}

gboolean gui_form_view_select_group(GuiFormView *self, const char *value_or_label)
{
	char **values;
	GListModel *model;

	if (!self->group || !value_or_label)
		return FALSE;
	values = g_object_get_data(G_OBJECT(self->group), OPTION_VALUES_KEY);
	model = gtk_drop_down_get_model(GTK_DROP_DOWN(self->group));
	for (guint i = 0; values && values[i]; i++) {
		const char *label = gtk_string_list_get_string(GTK_STRING_LIST(model), i);

		if (g_str_equal(values[i], value_or_label) ||
		    g_strcmp0(label, value_or_label) == 0) {
			if (gtk_drop_down_get_selected(GTK_DROP_DOWN(self->group)) == i)
				g_signal_emit(self, signals[SIGNAL_GROUP_CHANGED], 0, values[i]);
			else
				gtk_drop_down_set_selected(GTK_DROP_DOWN(self->group), i);
			return TRUE;
		}
	}
	return FALSE;
}

void gui_form_view_focus_first(GuiFormView *self)
{
	GtkWidget *first = NULL;

	if (!self->grid)
		return;
	for (GtkWidget *c = gtk_widget_get_first_child(self->grid); c;
	     c = gtk_widget_get_next_sibling(c)) {
		if (!GTK_IS_EDITABLE(c) || !gtk_widget_get_sensitive(c))
			continue;
		if (!first)
			first = c;
		if (!*gtk_editable_get_text(GTK_EDITABLE(c))) {
			gtk_widget_grab_focus(c);
			return;
		}
	}
	if (first)
		gtk_widget_grab_focus(first);
}

static void gui_form_view_finalize(GObject *object)
{
	g_hash_table_unref(GUI_FORM_VIEW(object)->widgets);
	G_OBJECT_CLASS(gui_form_view_parent_class)->finalize(object);
}

static void gui_form_view_class_init(GuiFormViewClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = gui_form_view_finalize;
	signals[SIGNAL_GROUP_CHANGED] =
	    g_signal_new("group-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
	                 NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
	signals[SIGNAL_SUBMIT] = g_signal_new("submit", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
	                                      0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void gui_form_view_init(GuiFormView *self)
{
	self->widgets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	gtk_orientable_set_orientation(GTK_ORIENTABLE(self), GTK_ORIENTATION_VERTICAL);
	gtk_box_set_spacing(GTK_BOX(self), 12);
}

GtkWidget *gui_form_view_new(void)
{
	return g_object_new(GUI_TYPE_FORM_VIEW, NULL);
}
