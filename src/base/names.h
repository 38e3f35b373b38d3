/*
 * names.h - what a user name, a unit code, a form or item id and an option
 * code may look like (internal). One place, so that the keyring, the
 * database, the form parser, form import and the command line agree.
 */
#ifndef SIGREG_NAMES_H
#define SIGREG_NAMES_H

/* 1-32 of [A-Za-z0-9._-], starting with a letter or digit. */
int srp_name_user_valid(const char *name);
/* 1-32 of [A-Za-z0-9_-], starting with a letter or digit. */
int srp_name_unit_valid(const char *code);
/* sigreg-form/1: an item id is [a-z][a-z0-9_]{0,47}, a form id
 * [a-z][a-z0-9-]{0,47}, an option code [a-z0-9_]{1,32} (limits.h). */
int srp_name_item_id_valid(const char *id);
int srp_name_form_id_valid(const char *id);
int srp_name_option_code_valid(const char *code);

#endif
