/*
 * cli.h - what the command files of the `sigreg` front end share.
 *
 * main.c holds the command table and the one runner: it takes the global
 * options (registry, user, passphrase file) from anywhere on the line, opens
 * and unlocks the registry when the command needs it, checks the role, runs
 * the command, prints the error if there is one and flushes stdout. Command
 * files only parse their own options and call the library.
 */
#ifndef SIGREG_CLI_H
#define SIGREG_CLI_H

#include <stdio.h>

#include "sigreg/registry.h"
#include "sigreg/secret.h"
#include "sigreg/status.h"

enum cli_exit { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

typedef struct cli_globals {
    const char *registry;        /* --registry or $SIGREG_REGISTRY */
    const char *user;            /* --user or $SIGREG_USER, NULL: the init admin */
    const char *passphrase_file; /* --passphrase-file or $SIGREG_PASSPHRASE_FILE */
    int busy_timeout_ms;         /* $SIGREG_BUSY_TIMEOUT_MS */
    sr_secret *passphrase;       /* the passphrase the registry was unlocked with */
} cli_globals;

typedef struct cli_command cli_command;

/* A command gets its own arguments (argv[0] is the command's name), the
 * globals, and the open registry when it needs one (else NULL). It returns
 * an exit code; on failure it fills err, which the runner prints. */
typedef int (*cli_fn)(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);

enum cli_needs { NEEDS_NOTHING = 0, NEEDS_REGISTRY = 1 };

struct cli_command {
    const char *name;    /* "user" */
    const char *sub;     /* "add", or NULL */
    cli_fn fn;
    int needs;
    unsigned roles;      /* SR_ROLE_BIT mask, checked by the runner */
    const char *what;    /* for refusals: "add users" */
    const char *usage;   /* one line of synopsis */
    const char *help;    /* a paragraph, or NULL */
};

/* ---- passphrases (passphrase.c) ---- */
/* The passphrase of the session: the first line of the passphrase file, or a
 * prompt without echo on the terminal. */
sr_status cli_read_passphrase(const cli_globals *g, const char *prompt_for, sr_secret **out,
                              sr_error *err);
/* A new passphrase: the first line of file, or asked twice on the terminal. */
sr_status cli_read_new_passphrase(const char *file, const char *prompt_for, sr_secret **out,
                                  sr_error *err);

/* ---- helpers (util.c) ---- */
/* Prints the usage of a command to stream. */
void cli_print_usage(FILE *stream, const cli_command *cmd);
/* Finds the table entry for a command (defined in main.c). */
const cli_command *cli_find_command(const char *name, const char *sub);
/* Fills err with a usage error and returns CLI_USAGE. */
int cli_usage_error(sr_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parses a non-negative decimal integer; 0 on success. */
int cli_parse_int(const char *text, long min, long max, long *out);
/* Splits a comma-separated list in place into at most max parts. */
size_t cli_split_commas(char *text, const char **parts, size_t max);
/* Sets err and returns CLI_FAIL (or CLI_USAGE for SR_ERR_USAGE) for rc. */
int cli_fail(sr_status rc);

/* Reads a whole file, or stdin for "-" (malloc'd, NUL-terminated). */
char *cli_read_file(const char *path, size_t *len, sr_error *err);
typedef struct sr_problems sr_problems;
/* Prints every problem of a list to stderr, prefixed (e.g. by a file name). */
void cli_print_problems(const char *prefix, const sr_problems *problems);

/* Asks question on the terminal; true only when the answer is expected. */
int cli_confirm(const char *question, const char *expected);

/* The commands. */
int cmd_init(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_user_add(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_user_remove(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_user_list(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_passwd(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_unit_add(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_unit_list(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_audit_verify(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_audit_show(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_verify(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_form_lint(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_form_install(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_form_list(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_form_show(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_form_export(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_form_import(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_case_new(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_case_find(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_case_show(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_case_list(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_case_reopen(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_case_delete(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_register(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_response_edit(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_purge(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_import(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_stats(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_report(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_settings(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_keygen(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_pubkey(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_extract(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_open_extract(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_backup(int argc, char **argv, cli_globals *g, sr_registry *reg, sr_error *err);

#endif
