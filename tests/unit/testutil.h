/*
 * testutil.h - what the unit tests share: scratch folders, passphrases, and
 * a registry made with the test KDF profile.
 */
#ifndef SIGREG_TESTUTIL_H
#define SIGREG_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <cmocka.h>

#include "sigreg/registry.h"
#include "sigreg/secret.h"

#define TEST_KDF "insecure-test-only"

/* A new empty folder under $TMPDIR; the returned path is static storage
 * overwritten by the next call. */
const char *tu_scratch_dir(void);
/* "<dir>/<name>" in a static buffer (one of four rotating). */
const char *tu_path(const char *dir, const char *name);
/* A secret holding text. Caller frees. */
sr_secret *tu_pass(const char *text);
/* Creates a registry at path with admin "admin" / "admin-passphrase". */
void tu_create_registry(const char *path);
/* Opens path as user (NULL: admin) with passphrase text; asserts success. */
sr_registry *tu_open(const char *path, const char *user, const char *pass);
/* tu_create_registry, then the shipped forms installed; returns the admin's
 * open handle (caller closes). */
sr_registry *tu_create_with_forms(const char *path);
/* Removes a scratch folder and all in it; 0 on success, -1 otherwise (a
 * cmocka teardown's return value). */
int tu_remove_dir(const char *dir);
/* Reads a whole file into a malloc'd buffer (caller frees); NULL if missing. */
unsigned char *tu_read_file(const char *path, size_t *len);
void tu_write_file(const char *path, const void *data, size_t len);
/* Whether two files are byte for byte the same. */
int tu_same_file(const char *a, const char *b);
void tu_copy_file(const char *from, const char *to);

#endif
