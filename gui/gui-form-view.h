/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Renders an aggregate-auth form (core/auth/auth-form.h) as widgets and reads the user's input
 * back into it.  Thin: what to ask comes from the form model (inactive and hidden fields are
 * not shown, read-only ones are shown but not editable); gateway text is shown as plain text.
 *
 * Signals: "group-changed" (const char *value) when the user picks another group in the
 * group list; "submit" when the user presses Enter in the last entry.
 */
#include <adwaita.h>

#include "auth-form.h"

G_BEGIN_DECLS

#define GUI_TYPE_FORM_VIEW (gui_form_view_get_type())
G_DECLARE_FINAL_TYPE(GuiFormView, gui_form_view, GUI, FORM_VIEW, GtkBox)

GtkWidget *gui_form_view_new(void);
/* Replaces the content with @form's.  @remembered_user pre-fills an empty "username". */
void gui_form_view_render(GuiFormView *self, const struct auth_form *form,
                          const char *remembered_user);
void gui_form_view_clear(GuiFormView *self);
/* Copies what the user entered into @form.  0, or -ERR_* with *bad_label (the field's label,
 * borrowed from the form) set to the field that was refused. */
int gui_form_view_apply(GuiFormView *self, struct auth_form *form, const char **bad_label);

/* For tests and the automation interface. */
GtkWidget *gui_form_view_get_field_widget(GuiFormView *self, const char *name);
GtkWidget *gui_form_view_get_group_widget(GuiFormView *self);
GtkWidget *gui_form_view_get_message_label(GuiFormView *self);
GtkWidget *gui_form_view_get_error_label(GuiFormView *self);
GtkWidget *gui_form_view_get_banner_label(GuiFormView *self);
/* Number of input widgets rendered (entries and dropdowns). */
guint gui_form_view_get_n_inputs(GuiFormView *self);
/* Selects the option with this value or label in the group list, as a user would (emits
 * "group-changed").  FALSE if there is no group list or no such option. */
gboolean gui_form_view_select_group(GuiFormView *self, const char *value_or_label);
/* Focuses the first empty entry. */
void gui_form_view_focus_first(GuiFormView *self);

G_END_DECLS
