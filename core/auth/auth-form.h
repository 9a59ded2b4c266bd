/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The login form model: what a gateway's aggregate-auth form asks for
 * (docs/protocol.md "The gateway's form"), as the GUI and CLI render and fill it.
 * core/auth/auth-xml.c builds one from the gateway's document and turns a filled one into the
 * auth-reply; nothing here touches XML.
 *
 * Strings in a form came from the gateway: valid UTF-8 without C0 controls other than tab, LF
 * and CR (XML 1.0 cannot carry others), but still hostile text.  A display layer must not
 * interpret markup or escape sequences in them, and should neutralise C1 controls and
 * bidirectional overrides before printing to a terminal.
 *
 * Group rules (the ASA attributes of group_list options, applied by auth_form_apply_group()
 * whenever the group selection changes, and once after parsing):
 *   - option noaaa="1": the group needs no username/password; every text and password field
 *     becomes inactive.
 *   - input second-auth="1": the field belongs to secondary authentication; it is inactive
 *     unless the selected group's option has second-auth="1".
 *   - option secondary_username="X" (with second-auth): preset value of the field named
 *     secondary_username; unless the option also has secondary_username_editable="true" the
 *     field becomes read-only (sent with the preset value, not asked for).
 * Inactive fields are neither rendered nor sent.  Without a group_list every field is active.
 */
#include <stdbool.h>
#include <stddef.h>

#include "cleanup.h"
#include "secret.h"

/* Caps applied by the parser (more fields, options or longer strings reject the document). */
#define AUTH_FORM_MAX_FIELDS  64
#define AUTH_FORM_MAX_OPTIONS 1024
#define AUTH_FORM_MAX_NAME    128   /* bytes of a field name */
#define AUTH_FORM_MAX_VALUE   4096  /* bytes of a value the user or gateway sets */
#define AUTH_FORM_MAX_TEXT    65536 /* bytes of a title, message, error or banner */

enum auth_field_type {
	AUTH_FIELD_TEXT,
	AUTH_FIELD_PASSWORD,
	AUTH_FIELD_HIDDEN,
	AUTH_FIELD_SELECT,
};

struct auth_option {
	char *value; /* sent to the gateway (the value attribute, else the option's text) */
	char *label; /* shown to the user (the option's text; may be "") */
	/* ASA group_list attributes, parsed into the model (see the group rules above). */
	bool noaaa;
	bool second_auth;
	char *secondary_username; /* NULL if absent */
	bool secondary_username_editable;
	/* Informational only; nothing acts on them. NULL if absent. */
	char *auth_type;
	char *override_name;
	char *override_label;
};

struct auth_field {
	enum auth_field_type type;
	char *name;  /* a valid XML NCName (the parser rejects others) */
	char *label; /* the label attribute, or "name:" when the gateway gave none */
	/*
	 * TEXT: the default from the value attribute, then what the user set (NULL = empty).
	 * HIDDEN: the value to send back unchanged.  PASSWORD and SELECT: always NULL (see
	 * secret and selected).
	 */
	char *value;
	struct secret *secret;       /* PASSWORD: what the user entered; NULL until set */
	struct auth_option *options; /* SELECT only; never empty (empty selects are dropped) */
	size_t n_options;
	size_t selected;         /* SELECT: index of the chosen option */
	size_t default_selected; /* SELECT: the gateway's default (selected="true", else 0) */
	bool is_group_list;      /* SELECT named group_list: the tunnel-group chooser */
	bool second_auth;        /* second-auth="1" on the input */
	bool inactive;           /* group rules: neither render nor send */
	bool readonly;           /* group rules: send the preset value, do not ask */
};

struct auth_form {
	char *id;      /* the auth id: "main", "challenge", "passwd", ... (never NULL) */
	char *title;   /* NULL if absent */
	char *message; /* %s placeholders already filled from param1/param2; NULL if absent */
	char *error;   /* likewise; NULL if absent */
	int error_id;  /* the error element's numeric id attribute, -1 if absent or not a number */
	char *banner;  /* pre-login banner; NULL if absent */
	char *action;  /* where to POST the reply; NULL = the URL the form came from.  Raw from
	                  the gateway (no control characters or spaces): resolve it like a redirect
	                  target (same rules: https only, host changes handled as redirects). */
	struct auth_field *fields; /* in document order; unknown, submit and reset inputs and
	                              empty selects are left out */
	size_t n_fields;
	/* <authentication-complete/>: the gateway wants this form posted again as it is,
	 * without asking the user. */
	bool authentication_complete;
	/* The form had an SSO token input (type="sso") or SAML parameters; the input itself is
	 * not in fields (single sign-on is not implemented). */
	bool has_sso;
};

/* An empty form with that auth id (NULL id gives "main"); NULL on ENOMEM. */
struct auth_form *auth_form_new(const char *id);
void auth_form_free(struct auth_form *form);
DEFINE_CLEANUP(struct auth_form *, auth_form_free)

/* Frees what a field owns (wiping values) and zeroes it. */
void auth_form_field_clear(struct auth_field *field);
/*
 * Moves *field into the form (on success *field is zeroed and owned by the form).
 * -ERR_INVALID_ARGS if the name is missing or already used, or a select has no options;
 * -ERR_TOO_LARGE beyond AUTH_FORM_MAX_FIELDS; -ERR_NOMEM.
 */
int auth_form_add_field(struct auth_form *form, struct auth_field *field);

/* The field with that name, or NULL. */
const struct auth_field *auth_form_field(const struct auth_form *form, const char *name);
/* The select named group_list, or NULL. */
const struct auth_field *auth_form_group_field(const struct auth_form *form);

/*
 * The value a field would send: TEXT and HIDDEN their value ("" if NULL), PASSWORD the
 * secret's bytes ("" if unset; never log it), SELECT the chosen option's value.
 */
const char *auth_field_value(const struct auth_field *field);

/*
 * Sets a field from user input.  TEXT: stores a copy.  PASSWORD: stores it as a struct secret.
 * SELECT: value must equal an option's value, or else an option's label (the matching option's
 * value is what gets sent); for group_list the group rules are re-applied.  HIDDEN fields
 * cannot be set (the gateway's value goes back unchanged).
 * The value must be valid UTF-8 that XML 1.0 can carry (no C0 controls except tab, LF, CR;
 * no U+FFFE/U+FFFF) and at most AUTH_FORM_MAX_VALUE bytes.
 * Returns 0, -ERR_NOT_FOUND (no such field), -ERR_INVALID_ARGS (hidden field, bad value, or no
 * matching option), -ERR_NOMEM.
 */
int auth_form_set_value(struct auth_form *form, const char *name, const char *value);
/* Same for a password held in a struct secret (copied; the field must be PASSWORD or TEXT). */
int auth_form_set_secret(struct auth_form *form, const char *name, const struct secret *value);

/* Chooses a group (value, else label) in the group_list select; -ERR_NOT_FOUND if the form has
 * no group list, -ERR_INVALID_ARGS if nothing matches. */
int auth_form_select_group(struct auth_form *form, const char *value_or_label);
/* The value of the chosen group, or NULL without a group list. */
const char *auth_form_selected_group(const struct auth_form *form);
/*
 * True when the chosen group differs from the gateway's default.  The caller must then not
 * post this form but start again with an init carrying the new group
 * (docs/protocol.md "Pitfall: a group change needs a new init").
 */
bool auth_form_group_changed(const struct auth_form *form);

/* Re-applies the group rules (see the top of this file) for the current selection. */
void auth_form_apply_group(struct auth_form *form);

/*
 * Confirmation fields (verify_password, verify_pin) are not sent to the gateway; this checks
 * that each one present and active equals its partner (new_password, whichpin).  Call it
 * before building the reply and ask again on false.
 */
bool auth_form_confirmations_match(const struct auth_form *form);

/*
 * Fills placeholders the way gateways use them (docs/protocol.md "The gateway's form"): the
 * first "%s" becomes
 * param1, the second param2; a NULL param leaves its "%s" as it is; every other '%' is plain
 * text.  Never a printf format.  Returns a new string, or NULL on ENOMEM.
 */
char *auth_form_format_message(const char *fmt, const char *param1, const char *param2);

/*
 * True if s is valid UTF-8 (no overlong forms, no surrogates, at most U+10FFFF) made of
 * characters XML 1.0 allows, and at most max_len bytes.
 */
bool auth_form_text_is_valid(const char *s, size_t max_len);
