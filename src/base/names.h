/*
 * names.h - what a user name, a unit code and similar identifiers may look
 * like (internal). One place, so that the keyring, the database and the
 * command line agree.
 */
#ifndef SIGREG_NAMES_H
#define SIGREG_NAMES_H

/* 1-32 of [A-Za-z0-9._-], starting with a letter or digit. */
int srp_name_user_valid(const char *name);
/* 1-32 of [A-Za-z0-9_-], starting with a letter or digit. */
int srp_name_unit_valid(const char *code);

#endif
