/*
 * main.c - the `sigreg` command: the command table and the one runner.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

#define ADMIN SR_ROLE_BIT(SR_ROLE_ADMIN)
#define COORD SR_ROLE_BIT(SR_ROLE_COORDINATOR)

/* The kinds of options, short for the table. */
#define FLAG CLI_FLAG
#define ARG CLI_ARG
#define NEEDED (CLI_ARG | CLI_NEEDED)
#define MANY (CLI_ARG | CLI_MANY)
#define CHOICE (CLI_ARG | CLI_CHOICE)
/* A command's options: {name, kind, the library's where, value in the synopsis, group}. */
#define OPTIONS(...) ((const cli_option[]){__VA_ARGS__, {NULL, 0, NULL, NULL, 0}})

/* clang-format off */
#define LANG {"lang", CHOICE, "lang", "sv|en", 0}
#define PROFILE {"kdf-profile", ARG, "kdf_profile", "P", 0}
#define NEW_PASSPHRASE {"new-passphrase-file", ARG, NULL, "FILE", 0}
/* clang-format on */

static const cli_command commands[] = {
    {"init", NULL, cmd_init, NEEDS_NOTHING, 0, "create a registry", NULL,
     OPTIONS({"admin", NEEDED, NULL, "NAME", 0},
             {"kdf-profile", ARG, "kdf_profile", "interactive|moderate|sensitive", 0}),
     "Creates a registry at --registry PATH (with PATH's .keyring, .codekey and .lock beside it)\n"
     "and installs the shipped SIG forms. The passphrase becomes NAME's. The profile sets the\n"
     "Argon2id cost of unlocking; moderate is the default."},
    {"user", "add", cmd_user_add, NEEDS_REGISTRY, ADMIN, "add users", "NAME",
     OPTIONS({"role", NEEDED | CLI_CHOICE, "role", "admin|coordinator|analyst", 0},
             {"unit", MANY, "unit", "CODE[,CODE]", 0}, PROFILE, NEW_PASSPHRASE),
     "The new user's passphrase comes from --new-passphrase-file or is asked twice."},
    {"user", "remove", cmd_user_remove, NEEDS_REGISTRY, ADMIN, "remove users", "NAME", NULL,
     "Removes the user and rotates the registry's keys: the removed passphrase opens nothing."},
    {"user", "units", cmd_user_units, NEEDS_REGISTRY, ADMIN, "change users' units", "NAME",
     OPTIONS({"unit", NEEDED | CLI_MANY, "unit", "CODE[,CODE]", 0}),
     "Sets the units of a coordinator or an analyst (an admin holds every unit). A coordinator\n"
     "gets the keys of the units added; a unit taken away gets a new key she does not hold,\n"
     "so no copy of her keyring opens that unit's personnummer written after. An analyst's\n"
     "units say which publications are sealed to them."},
    {"user", "list", cmd_user_list, NEEDS_REGISTRY, ADMIN, "list users", NULL, NULL, NULL},
    {"passwd", NULL, cmd_passwd, NEEDS_REGISTRY, SR_ANY_ROLE, "change a passphrase", NULL,
     OPTIONS(PROFILE, NEW_PASSPHRASE), "Changes your own passphrase (the one you unlock with)."},
    {"unit", "add", cmd_unit_add, NEEDS_REGISTRY, ADMIN, "add units", "CODE",
     OPTIONS({"name", NEEDED, "name", "TEXT", 0}), NULL},
    {"unit", "list", cmd_unit_list, NEEDS_REGISTRY, SR_ANY_ROLE, "list units", NULL, NULL, NULL},
    {"audit", "verify", cmd_audit_verify, NEEDS_REGISTRY, SR_ANY_ROLE, "verify the audit log", NULL,
     OPTIONS({"expect", ARG, "expect", "SEQ:HEAD", 1}, {"checkpoint", ARG, NULL, "FILE", 1}),
     "Checks the hash chain of the access log and every entry's signature; prints its length\n"
     "and head. With --expect SEQ:HEAD or --checkpoint FILE (from 'sigreg audit checkpoint', a\n"
     "backup or an extract) it also checks that the log still holds that checkpoint: a cut or\n"
     "rolled-back tail is refused."},
    {"audit", "checkpoint", cmd_audit_checkpoint, NEEDS_REGISTRY, SR_ANY_ROLE,
     "make audit checkpoints", NULL, NULL,
     "Prints a checkpoint of the access log signed with your signing key; its last line is\n"
     "SEQ:HEAD. Keep it elsewhere: 'sigreg audit verify --checkpoint FILE' later detects a log\n"
     "cut below it."},
    {"audit", "show", cmd_audit_show, NEEDS_REGISTRY, ADMIN, "read the audit log", NULL,
     OPTIONS({"last", ARG, NULL, "N", 0}, {"case", ARG, "case", "CODE", 0}), NULL},
    {"verify", NULL, cmd_verify, NEEDS_REGISTRY, SR_ANY_ROLE, "verify the registry", NULL, NULL,
     "Checks the database's integrity, the code key and the audit chain."},
    {"form", "lint", cmd_form_lint, NEEDS_NOTHING, 0, "check forms", "FILE...", NULL,
     "Checks form definitions without a registry; prints every error as a JSON path and a\n"
     "reason, and exits non-zero on any."},
    {"form", "install", cmd_form_install, NEEDS_REGISTRY, ADMIN, "install forms", "FILE...", NULL,
     "Installs definitions. An installed id + version never changes: the same content again\n"
     "is a no-op, different content is refused (give it a new version)."},
    {"form", "list", cmd_form_list, NEEDS_REGISTRY, SR_ANY_ROLE, "list forms", NULL, OPTIONS(LANG),
     NULL},
    {"form", "show", cmd_form_show, NEEDS_REGISTRY, SR_ANY_ROLE, "show forms", "ID",
     OPTIONS({"version", ARG, "version", "N", 0}, {"json", FLAG, NULL, NULL, 0}, LANG),
     "Shows a form's items and options; --json gives the definition back as installed."},
    {"form", "export", cmd_form_export, NEEDS_REGISTRY, SR_ANY_ROLE, "export forms", "ID",
     OPTIONS({"version", ARG, "version", "N", 0},
             {"to", NEEDED | CLI_CHOICE, NULL, "redcap|fhir|xlsform", 0},
             {"out", ARG, "out", "FILE", 0}, {"force", FLAG, NULL, NULL, 0}),
     "Writes a form as a REDCap data dictionary (CSV), a FHIR R4 Questionnaire (JSON) or an\n"
     "XLSForm, to stdout or --out FILE (--force replaces it). XLSForm is two files: --out BASE\n"
     "writes BASE-survey.csv and BASE-choices.csv. What the format has no place for travels in\n"
     "@SIGREG-... action tags (REDCap) and sigreg extensions (FHIR), so import gives it back."},
    {"form", "import", cmd_form_import, NEEDS_REGISTRY, ADMIN, "import forms", "FILE",
     /* No where: an imported dictionary's own field names (id, version...) are wheres. */
     OPTIONS({"from", NEEDED | CLI_CHOICE, NULL, "redcap|fhir", 0}, {"id", ARG, NULL, "ID", 0},
             {"version", ARG, NULL, "N", 0}, {"phase", ARG, NULL, "PHASE", 0},
             {"repeatable", FLAG, NULL, NULL, 0}, {"instrument", ARG, NULL, "NAME", 0}),
     "Turns a REDCap data dictionary or a FHIR R4 Questionnaire into a sigreg form and installs\n"
     "it. The id comes from --id, else what sigreg wrote, else the REDCap Form Name or the\n"
     "Questionnaire's name (with _ as -); the version from --version, else the definition, else\n"
     "1; the phase from --phase or what sigreg wrote. --instrument picks one instrument of a\n"
     "dictionary that holds several. Whatever the form has that sigreg cannot express (calculated\n"
     "fields, piping, conditions on later items, unsupported types...) is refused, by field."},
    {"case", "new", cmd_case_new, NEEDS_REGISTRY, ADMIN | COORD, "open cases", NULL,
     OPTIONS({"unit", NEEDED, "unit", "CODE", 0}, {"pnr", ARG, "pnr", "PNR|-", 1},
             {"no-pnr", FLAG, NULL, NULL, 1}),
     "Opens a case and prints its code alone on a line. The personnummer (10 or 12 digits,\n"
     "with '-', '+' or nothing) is asked on the terminal, or read from standard input with\n"
     "--pnr -; --pnr PNR works for scripts but other local users can see a command line.\n"
     "It is checked, turned into a keyed pseudonym and kept only in the code key. The same\n"
     "person twice is refused."},
    {"case", "find", cmd_case_find, NEEDS_REGISTRY, ADMIN | COORD, "find cases", NULL,
     OPTIONS({"pnr", ARG, "pnr", "PNR|-", 0}),
     "Prints the code of the case that has this personnummer: asked on the terminal, or\n"
     "read from standard input with --pnr -."},
    {"case", "show", cmd_case_show, NEEDS_REGISTRY, ADMIN | COORD, "see cases", "CASE",
     OPTIONS({"json", FLAG, NULL, NULL, 1}, {"fhir", FLAG, NULL, NULL, 1},
             {"identity", FLAG, NULL, NULL, 0}, LANG),
     "Shows a case and all its responses, in phase order (intake, intervention, closure,\n"
     "experience, follow-up; within a phase by date), with item and value labels in the\n"
     "language asked for (Swedish by default), the intake date and the days open. --json\n"
     "keeps the codes. --identity adds the personnummer (audited)."},
    {"case", "list", cmd_case_list, NEEDS_REGISTRY, ADMIN | COORD, "list cases", NULL,
     OPTIONS({"unit", ARG, "unit", "CODE", 0}, {"status", ARG, "status", "open|closed", 0},
             {"missing", ARG, "missing", "PHASE", 0}, {"idle-days", ARG, "idle_days", "N", 0},
             LANG),
     "--missing lists cases with no response for a phase (e.g. closed cases without an\n"
     "experience form); --idle-days lists open cases without a registration for N days."},
    {"case", "reopen", cmd_case_reopen, NEEDS_REGISTRY, ADMIN | COORD, "reopen cases", "CASE",
     OPTIONS({"reason", NEEDED, "reason", "TEXT", 0}), NULL},
    {"case", "delete", cmd_case_delete, NEEDS_REGISTRY, ADMIN | COORD, "erase cases", "CASE",
     OPTIONS({"yes", FLAG, NULL, NULL, 0}),
     "Erases a case, its responses and its code key entry, e.g. when consent is withdrawn."},
    {"register", NULL, cmd_register, NEEDS_REGISTRY, ADMIN | COORD, "register answers", "CASE FORM",
     OPTIONS({"version", ARG, "version", "N", 0}, {"date", ARG, "date", "YYYY-MM-DD", 0},
             {"answers", ARG, "answers", "FILE|-", 0}, LANG),
     "Registers answers and prints the response id. Without --answers, on a terminal, asks\n"
     "the date first (checked against the case), then item by item: an option by number,\n"
     "code, label or its beginning; '<' goes back, '?' helps, 'q' stops. Every answer is\n"
     "kept as a draft, which the next register of the form offers to resume. The review\n"
     "numbers the answers ('ändra N' changes one) before 'Spara? (j/n)'."},
    {"response", "edit", cmd_response_edit, NEEDS_REGISTRY, ADMIN | COORD, "correct responses",
     "ID",
     OPTIONS({"answers", NEEDED, "answers", "FILE|-", 1},
             {"set", MANY | CLI_NEEDED, NULL, "ITEM=VALUE", 1},
             {"date", ARG, "date", "YYYY-MM-DD", 0}, LANG),
     "Makes a new revision of a response; the old one stays in the history. --answers gives\n"
     "the whole answer set as JSON; --set changes single answers (the value typed as in the\n"
     "dialog: an option's number, code or label) and keeps the others."},
    {"import", NULL, cmd_import, NEEDS_REGISTRY, ADMIN | COORD, "import cases", "FILE|-",
     OPTIONS({"batch", ARG, NULL, "N", 0}),
     "Registers many cases from JSON Lines (one case a line) and prints ref<TAB>case code\n"
     "for each once it is committed (every N cases, 5000 by default). A failing line is\n"
     "reported by number and ref and leaves nothing behind."},
    {"purge", NULL, cmd_purge, NEEDS_REGISTRY, ADMIN, "purge cases", NULL,
     OPTIONS({"closed-before", NEEDED, "closed_before", "DATE", 0}, {"yes", FLAG, NULL, NULL, 0}),
     "Retention purge: erases cases closed before DATE, after saying which and asking."},
    {"stats", NULL, cmd_stats, NEEDS_REGISTRY, SR_ANY_ROLE, "draw summaries", "FORM",
     OPTIONS({"by", ARG, "by", "ITEM[,ITEM]", 0}, {"unit", ARG, "unit", "CODE", 0},
             {"status", ARG, "status", "open|closed", 0}, {"from", ARG, "from", "DATE", 0},
             {"to", ARG, "to", "DATE", 0}, {"min-cell", ARG, "min_cell", "N", 0},
             {"change", FLAG, "change", NULL, 0},
             {"format", CHOICE, "format", "table|csv|json|xlsx", 0}, {"excel", FLAG, NULL, NULL, 0},
             {"out", ARG, "out", "FILE", 0}, {"force", FLAG, NULL, NULL, 0}, LANG),
     "Group summary of a form (or 'cases' for cases by status). --by groups by one or two\n"
     "items of the form or of the case's intake, or by unit, age_band, year, half or quarter.\n"
     "--from and --to together are one calendar quarter, half-year or year. --change pairs\n"
     "each item asked at intake with the same item in this form. Small counts are withheld\n"
     "(min cell: the registry's setting, default 5; --min-cell may only name it).\n"
     "--format xlsx writes a workbook to --out FILE (--force replaces it); CSV headers are\n"
     "Swedish with --lang sv or --excel, the contract's names otherwise."},
    {"publish", NULL, cmd_publish, NEEDS_REGISTRY, ADMIN | COORD, "publish summaries", NULL,
     OPTIONS({"units", MANY, "unit", "CODE,...", 0},
             {"periods", CHOICE, "periods", "year|half|quarter", 0},
             {"recipient", MANY, "recipient", "KEY.pub", 0}, {"min-cell", ARG, "min_cell", "N", 0}),
     "Computes every summary of every form for the units (by default every unit you may see):\n"
     "overall, by sex, age band, period (whole years, half-years or quarters) and status, the\n"
     "change tables and the case flow, protected together as one system. Seals it to each\n"
     "analyst of those units and to each --recipient key, signed by the registry, into the\n"
     "folder beside the registry (REGISTRY.publications/). --min-cell may only raise the\n"
     "registry's minimum cell. Prints one line per package: recipient, file."},
    {"view", NULL, cmd_view, NEEDS_NOTHING, 0, "read publications", "PUBLICATION [FORM]",
     OPTIONS({"key", NEEDED, "key", "NAME.key", 0}, {"signer", ARG, "signer", "FINGERPRINT", 0},
             {"by", ARG, "by", "ITEM", 0}, {"unit", ARG, "unit", "CODE", 0},
             {"status", ARG, "status", "open|closed", 0}, {"from", ARG, "from", "DATE", 0},
             {"to", ARG, "to", "DATE", 0}, {"min-cell", ARG, "min_cell", "N", 0},
             {"change", FLAG, "change", NULL, 0},
             {"format", CHOICE, "format", "table|csv|json|xlsx", 0}, {"excel", FLAG, NULL, NULL, 0},
             {"out", ARG, "out", "FILE", 0}, {"force", FLAG, NULL, NULL, 0}, LANG),
     "Verifies a publication with your key (from 'sigreg keygen') and shows a FORM's figures\n"
     "as 'sigreg stats' does, without a registry; without FORM, says what it holds. A query\n"
     "the publication does not hold is refused with what it holds."},
    {"report", NULL, cmd_report, NEEDS_REGISTRY, SR_ANY_ROLE, "draw summaries", NULL,
     OPTIONS({"unit", ARG, "unit", "CODE", 0}, {"year", ARG, NULL, "YYYY", 0},
             {"from", ARG, "from", "DATE", 0}, {"to", ARG, "to", "DATE", 0},
             {"compare-previous", FLAG, NULL, NULL, 0}, {"out", NEEDED, "out", "FILE.html", 0},
             {"force", FLAG, NULL, NULL, 0}),
     "The report for the nämnd, in Swedish, as one self-contained HTML page (no scripts,\n"
     "nothing fetched) that prints on A4: a cover, key figures (case flow, age, reasons for\n"
     "closure, change per need area, the young people's experience, actors and kinds of\n"
     "intervention), each beside the previous period with --compare-previous, and every form\n"
     "in an appendix. Periods are whole quarters (--from the first day of one, --to the last\n"
     "day of one) or a --year. --force replaces an existing file (never a registry's)."},
    {"settings", NULL, cmd_settings, NEEDS_REGISTRY, SR_ANY_ROLE, "read settings", NULL,
     OPTIONS({"min-cell", ARG, "min_cell", "N", 0},
             {"method", CHOICE, "method", "suppression|cell-key", 0},
             {"ptable-d", ARG, "ptable_d", "N", 0}, {"ptable-v", ARG, "ptable_v", "X", 0},
             {"ptable-js", ARG, "ptable_js", "N", 0}),
     "Shows the registry's settings; an admin may set the minimum cell of summaries\n"
     "(default 5, never below 3) and the disclosure method: suppression (the default) or\n"
     "cell-key, consistent noise from each case's record key and a perturbation table of\n"
     "largest noise --ptable-d (2-5, default 5), variance --ptable-v (0.9-3, default 3) and\n"
     "no perturbed count in 1..--ptable-js (default 2)."},
    {"keygen", NULL, cmd_keygen, NEEDS_NOTHING, 0, "make keys", NULL,
     OPTIONS({"out", NEEDED, "out", "NAME", 0}, PROFILE),
     "For evaluators: makes NAME.pub (give it to the registry) and NAME.key (the secret half,\n"
     "under a passphrase) and prints the key's fingerprint."},
    {"pubkey", NULL, cmd_pubkey, NEEDS_REGISTRY, SR_ANY_ROLE, "read the signing key", NULL, NULL,
     "Prints the registry's signing key and its fingerprint, for evaluators to pin."},
    {"extract", NULL, cmd_extract, NEEDS_REGISTRY, ADMIN, "make extracts", NULL,
     OPTIONS({"recipient", NEEDED, "recipient", "KEY.pub", 0}, {"out", NEEDED, "out", "FILE", 0},
             {"forms", ARG, "forms", "ID,...", 0}, {"k", ARG, "k", "N", 0},
             {"relative-dates", FLAG, NULL, NULL, 0}),
     "An anonymised extract for one evaluator: new random ids, no identifiers or free text,\n"
     "dates as year and month, ages in bands, k-anonymous (k = 5 unless given); sealed to\n"
     "the evaluator's key and signed by the registry."},
    {"open-extract", NULL, cmd_open_extract, NEEDS_NOTHING, 0, "open extracts", "FILE",
     OPTIONS({"key", NEEDED, "key", "NAME.key", 0}, {"out", NEEDED, "out", "DIR", 0},
             {"signer", ARG, "signer", "FINGERPRINT", 0}),
     "Verifies and opens an extract into DIR (cases.csv, further CSV files, codebook.csv,\n"
     "metadata.json). Nothing is written unless everything verifies."},
    {"serve", NULL, cmd_serve, NEEDS_NOTHING, 0, "serve the web page", NULL,
     OPTIONS({"port", ARG, NULL, "N", 0}, {"no-browser", FLAG, NULL, NULL, 0},
             {"idle-minutes", ARG, NULL, "N", 0}),
     "Serves the local web page for coordinators on 127.0.0.1 (port N, or one the system\n"
     "chooses) and prints its URL, which holds a one-time launch secret: only the browser\n"
     "that opens it first gets in. Each user logs in there with their own passphrase. It\n"
     "opens the browser when there is a display, unless --no-browser. A session locks after\n"
     "--idle-minutes of no use (15 by default). Ctrl-C stops the server and ends every session."},
    {"backup", NULL, cmd_backup, NEEDS_REGISTRY, ADMIN, "make backups", NULL,
     OPTIONS({"out", NEEDED, "out", "FILE", 0}),
     "Writes a consistent, still encrypted copy with its keyring and code key beside FILE."},
};
static const size_t command_count = sizeof commands / sizeof commands[0];

const cli_command *cli_find_command(const char *name, const char *sub)
{
    for (size_t i = 0; i < command_count; i++)
        if (strcmp(commands[i].name, name) == 0 &&
            (!commands[i].sub || (sub && strcmp(commands[i].sub, sub) == 0)))
            return &commands[i];
    return NULL;
}

static int has_subcommands(const char *name)
{
    for (size_t i = 0; i < command_count; i++)
        if (strcmp(commands[i].name, name) == 0 && commands[i].sub)
            return 1;
    return 0;
}

static void print_overview(FILE *out)
{
    fprintf(out,
            "usage: sigreg [-r|--registry PATH] [--user NAME] [--passphrase-file FILE] "
            "COMMAND ...\n\n"
            "sigreg is an encrypted, pseudonymised follow-up registry for social intervention\n"
            "groups (SIG). Commands:\n\n");
    for (size_t i = 0; i < command_count; i++) {
        fputs("  ", out);
        cli_print_synopsis(out, &commands[i]);
        fputc('\n', out);
    }
    fprintf(out,
            "\nThe registry defaults to $SIGREG_REGISTRY, the user to $SIGREG_USER, the\n"
            "passphrase file to $SIGREG_PASSPHRASE_FILE; without one the passphrase is asked\n"
            "on the terminal. 'sigreg COMMAND --help' (or 'sigreg help COMMAND') says more.\n");
}

/* The synopses of every subcommand of name, as in git's usage: "usage: ...",
 * then "   or: ..." for each further one. */
static void print_subcommands(FILE *out, const char *name, const char *first)
{
    const char *lead = first;
    for (size_t i = 0; i < command_count; i++)
        if (strcmp(commands[i].name, name) == 0) {
            fputs(lead, out);
            cli_print_synopsis(out, &commands[i]);
            fputc('\n', out);
            lead = *first == ' ' ? first : "   or: ";
        }
}

/* Takes the global options out of argv wherever they stand (before a "--"). */
static int take_globals(int *argc, char **argv, cli_globals *g, sr_error *err)
{
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (strcmp(a, "--") == 0) {
            while (i < *argc)
                argv[out++] = argv[i++];
            break;
        }
        if (strcmp(a, "-r") == 0 || strcmp(a, "--registry") == 0)
            slot = &g->registry;
        else if (strcmp(a, "--user") == 0)
            slot = &g->user;
        else if (strcmp(a, "--passphrase-file") == 0)
            slot = &g->passphrase_file;
        if (!slot) {
            const char *eq = strchr(a, '=');
            if (eq && strncmp(a, "--registry=", 11) == 0)
                g->registry = eq + 1;
            else if (eq && strncmp(a, "--user=", 7) == 0)
                g->user = eq + 1;
            else if (eq && strncmp(a, "--passphrase-file=", 18) == 0)
                g->passphrase_file = eq + 1;
            else
                argv[out++] = argv[i];
            continue;
        }
        if (i + 1 >= *argc)
            return cli_usage_error(err, "option '%s' needs a value", a);
        *slot = argv[++i];
    }
    argv[out] = NULL;
    *argc = out;
    return CLI_OK;
}

static int wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    }
    return 0;
}

/* "error: MESSAGE", or "error: --FLAG: MESSAGE" when the error's where is the
 * where of one of the running command's options. */
static void print_error(const cli_command *cmd, const sr_error *err, sr_status fallback)
{
    const char *message =
        err->status != SR_OK && err->message[0] ? err->message : sr_strerror(fallback);
    const cli_option *o = err->status != SR_OK ? cli_option_for_where(cmd, err->where) : NULL;
    if (o &&
        !(strncmp(message, "--", 2) == 0 && strncmp(message + 2, o->name, strlen(o->name)) == 0))
        fprintf(stderr, "error: --%s: %s\n", o->name, message);
    else
        fprintf(stderr, "error: %s\n", message);
}

static int run(const cli_command *cmd, const cli_args *args, cli_globals *g, sr_error *err)
{
    sr_registry *reg = NULL;
    int code = CLI_OK;
    if (cmd->needs == NEEDS_REGISTRY) {
        if (!g->registry || !*g->registry)
            return sr_error_set(err, SR_ERR_USAGE,
                                "no registry given: use --registry PATH or "
                                "set SIGREG_REGISTRY"),
                   CLI_USAGE;
        sr_status rc =
            cli_read_passphrase(g, g->user ? g->user : "the registry", &g->passphrase, err);
        sr_open_options opts = {g->user, g->busy_timeout_ms};
        if (rc == SR_OK)
            rc = sr_registry_open(g->registry, &opts, g->passphrase, &reg, err);
        if (rc == SR_OK && sr_registry_kdf_for_tests(reg))
            cli_warn_test_kdf(sr_registry_user(reg));
        if (rc == SR_OK)
            rc = sr_registry_require(reg, cmd->roles, cmd->what, err);
        if (rc != SR_OK) {
            sr_registry_close(reg);
            return cli_fail(rc);
        }
    }
    code = cmd->fn(args, g, reg, err);
    sr_registry_close(reg);
    return code;
}

int main(int argc, char **argv)
{
    cli_globals g;
    sr_error err;
    memset(&g, 0, sizeof g);
    sr_error_clear(&err);
    umask(077);
    g.registry = getenv("SIGREG_REGISTRY");
    g.user = getenv("SIGREG_USER");
    g.passphrase_file = getenv("SIGREG_PASSPHRASE_FILE");
    const char *timeout = getenv("SIGREG_BUSY_TIMEOUT_MS");
    long ms = 0;
    if (timeout && cli_parse_int(timeout, 1, 600000, &ms) == 0)
        g.busy_timeout_ms = (int)ms;
    if (g.registry && !*g.registry)
        g.registry = NULL;
    if (g.user && !*g.user)
        g.user = NULL;
    if (g.passphrase_file && !*g.passphrase_file)
        g.passphrase_file = NULL;

    int code = take_globals(&argc, argv, &g, &err);
    if (code == CLI_OK && sr_crypto_init(&err) != SR_OK)
        code = CLI_FAIL;
    if (code != CLI_OK) {
        print_error(NULL, &err, err.status);
        return code == CLI_SYNTAX ? CLI_USAGE : code;
    }
    if (argc < 2) {
        print_overview(stderr);
        return CLI_USAGE;
    }
    /* "sigreg help COMMAND" is "sigreg COMMAND --help". */
    if (strcmp(argv[1], "help") == 0 && argc > 2) {
        for (int i = 1; i + 1 < argc; i++)
            argv[i] = argv[i + 1];
        argv[argc - 1] = "--help";
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        print_overview(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("sigreg 0.1.0\n");
        return CLI_OK;
    }
    const char *sub = argc > 2 ? argv[2] : NULL;
    const cli_command *cmd = cli_find_command(argv[1], sub);
    if (!cmd) {
        if (!has_subcommands(argv[1])) {
            fprintf(stderr, "error: unknown command '%s': see 'sigreg --help'\n", argv[1]);
            return CLI_USAGE;
        }
        if (wants_help(argc - 1, argv + 1)) {
            print_subcommands(stdout, argv[1], "usage: ");
            printf("\n'sigreg %s SUBCOMMAND --help' says more.\n", argv[1]);
            return CLI_OK;
        }
        if (sub)
            fprintf(stderr, "error: '%s' has no subcommand '%s'; it has:\n", argv[1], sub);
        else
            fprintf(stderr, "error: '%s' needs one of:\n", argv[1]);
        print_subcommands(stderr, argv[1], "  ");
        return CLI_USAGE;
    }
    int skip = cmd->sub ? 2 : 1;
    int cargc = argc - skip;
    char **cargv = argv + skip;
    if (wants_help(cargc, cargv)) {
        cli_print_usage(stdout, cmd);
        return CLI_OK;
    }
    cli_args *args = NULL;
    code = cli_args_parse(cmd, cargc, cargv, &args, &err);
    if (code == CLI_OK)
        code = run(cmd, args, &g, &err);
    cli_args_free(args);
    if (fflush(stdout) != 0 && code == CLI_OK) {
        sr_error_set(&err, SR_ERR_IO, "cannot write the output");
        code = CLI_FAIL;
    }
    if (code != CLI_OK)
        print_error(cmd, &err, SR_ERR_INVALID);
    if (code == CLI_SYNTAX) {
        fputs("usage: ", stderr);
        cli_print_synopsis(stderr, cmd);
        fputc('\n', stderr);
        code = CLI_USAGE;
    }
    sr_secret_free(g.passphrase);
    return code;
}
