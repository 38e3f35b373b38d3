/*
 * cli.h - what the command files of the `sigreg` front end share.
 *
 * main.c holds the command table and the one runner: it takes the global
 * options (registry, user, passphrase file) from anywhere on the line, parses
 * the command's arguments against the command's declaration in the table
 * (args.c), opens and unlocks the registry when the command needs it, checks
 * the role, runs the command, prints the error if there is one and flushes
 * stdout. Command files read their parsed arguments and call the library;
 * they never parse options themselves.
 */
#ifndef SIGREG_CLI_H
#define SIGREG_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "sigreg/registry.h"
#include "sigreg/limits.h"
#include "sigreg/secret.h"
#include "sigreg/stats.h"
#include "sigreg/status.h"

/* Exit codes. CLI_SYNTAX is the runner's own: a command line that does not
 * fit the command; the runner prints the error and the command's synopsis
 * and exits with CLI_USAGE. */
enum cli_exit { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2, CLI_SYNTAX = 3 };

typedef struct cli_globals {
    const char *registry;        /* --registry or $SIGREG_REGISTRY */
    const char *user;            /* --user or $SIGREG_USER, NULL: the init admin */
    const char *passphrase_file; /* --passphrase-file or $SIGREG_PASSPHRASE_FILE */
    int busy_timeout_ms;         /* $SIGREG_BUSY_TIMEOUT_MS */
    sr_secret *passphrase;       /* the passphrase the registry was unlocked with */
} cli_globals;

typedef struct cli_command cli_command;
/* A command's parsed arguments (args.c): opaque, read with cli_opt & co. */
typedef struct cli_args cli_args;

/* A command gets its parsed arguments, the globals, and the open registry
 * when it needs one (else NULL). It returns an exit code; on failure it
 * fills err, which the runner prints. */
typedef int (*cli_fn)(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);

enum cli_needs { NEEDS_NOTHING = 0, NEEDS_REGISTRY = 1 };

/* What an option is (cli_option.kind). */
enum cli_option_kind {
    CLI_FLAG = 0,        /* --json: takes no value */
    CLI_ARG = 1 << 0,    /* --from DATE or --from=DATE */
    CLI_MANY = 1 << 1,   /* may be given more than once (else once at most) */
    CLI_NEEDED = 1 << 2, /* must be given (in a group: one of the group must) */
    CLI_CHOICE = 1 << 3  /* the value is one of the '|'-separated words of meta */
};

/* One option of a command, as declared in the command table. */
typedef struct cli_option {
    const char *name;  /* the long name without dashes: "min-cell" */
    unsigned kind;     /* enum cli_option_kind, or'ed */
    const char *where; /* the library's sr_error.where it stands for ("min_cell"), or NULL */
    const char *meta;  /* the value in the synopsis ("N", "sv|en"); NULL for a flag */
    int group;         /* > 0: options with the same group exclude each other */
} cli_option;

struct cli_command {
    const char *name; /* "user" */
    const char *sub;  /* "add", or NULL */
    cli_fn fn;
    int needs;
    unsigned roles;            /* SR_ROLE_BIT mask, checked by the runner */
    const char *what;          /* for refusals: "add users" */
    const char *args;          /* positionals: "CASE FORM", "FILE...", "[X]" (optional, last) */
    const cli_option *options; /* ended by an entry with a NULL name; NULL: none */
    const char *help;          /* a paragraph, or NULL */
};

/* ---- arguments (args.c) ---- */
/* Parses a command's arguments (argv[0] is the command's name) against its
 * declaration. On CLI_OK, *out is the caller's to free with cli_args_free;
 * else err says what does not fit (and the result is CLI_SYNTAX). */
int cli_args_parse(const cli_command *cmd, int argc, char **argv, cli_args **out, sr_error *err);
void cli_args_free(cli_args *args);
const cli_command *cli_args_command(const cli_args *args);
/* The last value of an option, or NULL when not given (values point into argv). */
const char *cli_opt(const cli_args *args, const char *name);
/* 1 when a flag (or an option) was given. */
int cli_flag(const cli_args *args, const char *name);
/* How often a (CLI_MANY) option was given, and its i-th value. */
size_t cli_opt_count(const cli_args *args, const char *name);
const char *cli_opt_at(const cli_args *args, const char *name, size_t i);
/* The positional arguments: how many, and the i-th (NULL past the end). */
size_t cli_pos_count(const cli_args *args);
const char *cli_pos(const cli_args *args, size_t i);
/* Parses an option's value as a whole number in [min, max] into *out (left
 * alone when the option is not given): CLI_OK, or CLI_SYNTAX with err set. */
int cli_opt_long(const cli_args *args, const char *name, long min, long max, long *out,
                 sr_error *err);
/* Every value of an option, each split at commas, copied into buf (size
 * bytes) and pointed to by parts (at most max): CLI_OK with *count set, or
 * CLI_SYNTAX when they do not fit. */
int cli_opt_list(const cli_args *args, const char *name, char *buf, size_t size, const char **parts,
                 size_t max, size_t *count, sr_error *err);
/* The option whose where is where, or NULL. */
const cli_option *cli_option_for_where(const cli_command *cmd, const char *where);
/* Prints "sigreg NAME [SUB] ARGS OPTIONS", made from the declaration. */
void cli_print_synopsis(FILE *stream, const cli_command *cmd);
/* Prints "usage: " and the synopsis, then the help paragraph if any. */
void cli_print_usage(FILE *stream, const cli_command *cmd);

/* ---- passphrases (passphrase.c) ---- */
/* The passphrase of the session: the first line of the passphrase file, or a
 * prompt without echo on the terminal. */
sr_status cli_read_passphrase(const cli_globals *g, const char *prompt_for, sr_secret **out,
                              sr_error *err);
/* A personnummer into guarded memory, NUL-terminated: value "-" reads the
 * first line of standard input, NULL asks on the terminal (without echo),
 * and any other value is taken as it is, with a warning on stderr that a
 * command line is visible to other local users. */
sr_status cli_read_pnr(const char *value, sr_secret **out, sr_error *err);
/* A new passphrase: the first line of file, or asked twice on the terminal. */
sr_status cli_read_new_passphrase(const char *file, const char *prompt_for, sr_secret **out,
                                  sr_error *err);

/* ---- helpers (util.c) ---- */
/* Finds the table entry for a command (defined in main.c). */
const cli_command *cli_find_command(const char *name, const char *sub);
/* Fills err with an error in the command line and returns CLI_SYNTAX (the
 * runner adds the command's synopsis). */
int cli_usage_error(sr_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Warns on stderr that who (a user, a key) uses the test KDF profile. */
void cli_warn_test_kdf(const char *who);
/* Parses a non-negative decimal integer; 0 on success. */
int cli_parse_int(const char *text, long min, long max, long *out);
/* Splits a comma-separated list in place into at most max parts. */
size_t cli_split_commas(char *text, const char **parts, size_t max);
/* Sets err and returns CLI_FAIL (or CLI_USAGE for SR_ERR_USAGE) for rc. */
int cli_fail(sr_status rc);
/* The evaluator's file of known registries (cmd_extract.c): malloc'd, NULL
 * when there is none. */
char *cli_known_registries_path(void);

/* Reads a whole file, or stdin for "-" (malloc'd, NUL-terminated). */
char *cli_read_file(const char *path, size_t *len, sr_error *err);
typedef struct sr_problems sr_problems;
/* Prints every problem of a list to stderr, prefixed (e.g. by a file name). */
void cli_print_problems(const char *prefix, const sr_problems *problems);

/* Asks question on the terminal; true only when the answer is expected. */
int cli_confirm(const char *question, const char *expected);

/* The commands. */
int cmd_init(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_user_add(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_user_remove(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_user_units(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_user_list(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_passwd(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_unit_add(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_unit_list(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_audit_verify(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_audit_show(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_audit_checkpoint(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_verify(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_form_lint(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_form_install(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_form_list(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_form_show(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_form_export(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_form_import(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_case_new(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_case_find(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_case_show(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_case_list(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_case_reopen(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_case_delete(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_register(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_response_edit(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_purge(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_import(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_stats(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_publish(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_view(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
/* The stats options as a query (all but the form), for `stats` and `view`;
 * the strings point into args and o. */
typedef struct cli_stats_opts {
    sr_stats_query q;
    char by_text[3 * (SR_GROUP_KEY_MAX + 1)];
} cli_stats_opts;
int cli_stats_query(const cli_args *args, cli_stats_opts *o, sr_error *err);
/* Writes s in the format the options ask for (stdout or --out). */
int cli_stats_output(const cli_args *args, const cli_globals *g, const sr_stats *s, sr_error *err);
int cmd_report(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_settings(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_keygen(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_pubkey(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_extract(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_open_extract(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_backup(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);
int cmd_serve(const cli_args *args, cli_globals *g, sr_registry *reg, sr_error *err);

#endif
