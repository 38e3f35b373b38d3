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

static const cli_command commands[] = {
    {"init", NULL, cmd_init, NEEDS_NOTHING, 0, "create a registry",
     "init --admin NAME [--kdf-profile interactive|moderate|sensitive]",
     "Creates a registry at --registry PATH (with PATH's .keyring, .codekey and .lock beside it)\n"
     "and installs the shipped SIG forms. The passphrase becomes NAME's. The profile sets the\n"
     "Argon2id cost of unlocking; moderate is the default."},
    {"user", "add", cmd_user_add, NEEDS_REGISTRY, ADMIN, "add users",
     "user add NAME --role admin|coordinator|analyst [--unit CODE[,CODE]] [--kdf-profile P] "
     "[--new-passphrase-file FILE]",
     "The new user's passphrase comes from --new-passphrase-file or is asked twice."},
    {"user", "remove", cmd_user_remove, NEEDS_REGISTRY, ADMIN, "remove users", "user remove NAME",
     "Removes the user and rotates the registry's keys: the removed passphrase opens nothing."},
    {"user", "list", cmd_user_list, NEEDS_REGISTRY, ADMIN, "list users", "user list", NULL},
    {"passwd", NULL, cmd_passwd, NEEDS_REGISTRY, SR_ANY_ROLE, "change a passphrase",
     "passwd [--kdf-profile P] [--new-passphrase-file FILE]",
     "Changes your own passphrase (the one you unlock with)."},
    {"unit", "add", cmd_unit_add, NEEDS_REGISTRY, ADMIN, "add units", "unit add CODE --name TEXT",
     NULL},
    {"unit", "list", cmd_unit_list, NEEDS_REGISTRY, SR_ANY_ROLE, "list units", "unit list", NULL},
    {"audit", "verify", cmd_audit_verify, NEEDS_REGISTRY, SR_ANY_ROLE, "verify the audit log",
     "audit verify", "Checks the hash chain of the access log; prints its length and head."},
    {"audit", "show", cmd_audit_show, NEEDS_REGISTRY, ADMIN, "read the audit log",
     "audit show [--last N] [--case CODE]", NULL},
    {"verify", NULL, cmd_verify, NEEDS_REGISTRY, SR_ANY_ROLE, "verify the registry", "verify",
     "Checks the database's integrity, the code key and the audit chain."},
    {"form", "lint", cmd_form_lint, NEEDS_NOTHING, 0, "check forms", "form lint FILE...",
     "Checks form definitions without a registry; prints every error as a JSON path and a\n"
     "reason, and exits non-zero on any."},
    {"form", "install", cmd_form_install, NEEDS_REGISTRY, ADMIN, "install forms",
     "form install FILE...",
     "Installs definitions. An installed id + version never changes: the same content again\n"
     "is a no-op, different content is refused (give it a new version)."},
    {"form", "list", cmd_form_list, NEEDS_REGISTRY, SR_ANY_ROLE, "list forms",
     "form list [--lang sv|en]", NULL},
    {"form", "show", cmd_form_show, NEEDS_REGISTRY, SR_ANY_ROLE, "show forms",
     "form show ID [--version N] [--json] [--lang sv|en]",
     "Shows a form's items and options; --json gives the definition back as installed."},
    {"form", "export", cmd_form_export, NEEDS_REGISTRY, SR_ANY_ROLE, "export forms",
     "form export ID [--version N] --to redcap|fhir|xlsform [--out FILE [--force]]",
     "Writes a form as a REDCap data dictionary (CSV), a FHIR R4 Questionnaire (JSON) or an\n"
     "XLSForm, to stdout or --out FILE (--force replaces it). XLSForm is two files: --out BASE\n"
     "writes BASE-survey.csv and BASE-choices.csv. What the format has no place for travels in\n"
     "@SIGREG-... action tags (REDCap) and sigreg extensions (FHIR), so import gives it back."},
    {"form", "import", cmd_form_import, NEEDS_REGISTRY, ADMIN, "import forms",
     "form import FILE --from redcap|fhir [--id ID] [--version N] [--phase PHASE] "
     "[--repeatable] [--instrument NAME]",
     "Turns a REDCap data dictionary or a FHIR R4 Questionnaire into a sigreg form and installs\n"
     "it. The id comes from --id, else what sigreg wrote, else the REDCap Form Name or the\n"
     "Questionnaire's name (with _ as -); the version from --version, else the definition, else\n"
     "1; the phase from --phase or what sigreg wrote. --instrument picks one instrument of a\n"
     "dictionary that holds several. Whatever the form has that sigreg cannot express (calculated\n"
     "fields, piping, conditions on later items, unsupported types...) is refused, by field."},
    {"case", "new", cmd_case_new, NEEDS_REGISTRY, ADMIN | COORD, "open cases",
     "case new --unit CODE (--pnr PNR | --no-pnr)",
     "Opens a case and prints its code alone on a line. The personnummer (10 or 12 digits,\n"
     "with '-', '+' or nothing) is checked, turned into a keyed pseudonym and kept only in the\n"
     "code key. The same person twice is refused, naming the existing case."},
    {"case", "find", cmd_case_find, NEEDS_REGISTRY, ADMIN | COORD, "find cases",
     "case find --pnr PNR", "Prints the code of the case that has this personnummer."},
    {"case", "show", cmd_case_show, NEEDS_REGISTRY, ADMIN | COORD, "see cases",
     "case show CASE [--json | --fhir] [--identity]",
     "Shows a case and all its responses. --identity adds the personnummer (audited)."},
    {"case", "list", cmd_case_list, NEEDS_REGISTRY, ADMIN | COORD, "list cases",
     "case list [--unit CODE] [--status open|closed] [--missing PHASE] [--idle-days N]",
     "--missing lists cases with no response for a phase (e.g. closed cases without an\n"
     "experience form); --idle-days lists open cases without a registration for N days."},
    {"case", "reopen", cmd_case_reopen, NEEDS_REGISTRY, ADMIN | COORD, "reopen cases",
     "case reopen CASE --reason TEXT", NULL},
    {"case", "delete", cmd_case_delete, NEEDS_REGISTRY, ADMIN | COORD, "erase cases",
     "case delete CASE [--yes]",
     "Erases a case, its responses and its code key entry, e.g. when consent is withdrawn."},
    {"register", NULL, cmd_register, NEEDS_REGISTRY, ADMIN | COORD, "register answers",
     "register CASE FORM [--version N] [--date YYYY-MM-DD] [--answers FILE|-] [--lang sv|en]",
     "Registers answers and prints the response id. Without --answers, on a terminal, asks\n"
     "item by item and shows a review before saving."},
    {"response", "edit", cmd_response_edit, NEEDS_REGISTRY, ADMIN | COORD, "correct responses",
     "response edit ID --answers FILE|- [--date YYYY-MM-DD]",
     "Makes a new revision of a response; the old one stays in the history."},
    {"import", NULL, cmd_import, NEEDS_REGISTRY, ADMIN | COORD, "import cases",
     "import FILE|- [--batch N]",
     "Registers many cases from JSON Lines (one case a line) and prints ref<TAB>case code\n"
     "for each once it is committed (every N cases, 5000 by default). A failing line is\n"
     "reported by number and ref and leaves nothing behind."},
    {"purge", NULL, cmd_purge, NEEDS_REGISTRY, ADMIN, "purge cases",
     "purge --closed-before DATE [--yes]",
     "Retention purge: erases cases closed before DATE, after saying which and asking."},
    {"stats", NULL, cmd_stats, NEEDS_REGISTRY, SR_ANY_ROLE, "draw summaries",
     "stats FORM [--by ITEM[,ITEM]] [--unit CODE] [--status open|closed] [--from DATE] "
     "[--to DATE] [--min-cell N] [--change] [--format table|csv|json|xlsx] [--excel] "
     "[--out FILE [--force]] [--lang sv|en]",
     "Group summary of a form (or 'cases' for cases by status). --by groups by one or two\n"
     "items of the form or of the case's intake, or by unit, age_band, year or quarter.\n"
     "--change pairs each item asked at intake with the same item in this form. Small counts\n"
     "are withheld (min cell: the registry's, default 5; never below 3). --format xlsx\n"
     "writes a workbook to --out FILE; CSV headers are Swedish with --lang sv or --excel."},
    {"report", NULL, cmd_report, NEEDS_REGISTRY, SR_ANY_ROLE, "draw summaries",
     "report --out FILE.html [--unit CODE]",
     "One self-contained HTML page (no scripts, nothing fetched) with the case flow, every\n"
     "form's summary and the change tables, in Swedish; it prints on A4."},
    {"settings", NULL, cmd_settings, NEEDS_REGISTRY, SR_ANY_ROLE, "read settings",
     "settings [--min-cell N]",
     "Shows the registry's settings; an admin may set the minimum cell of summaries\n"
     "(default 5, never below 3)."},
    {"keygen", NULL, cmd_keygen, NEEDS_NOTHING, 0, "make keys", "keygen --out NAME [--kdf-profile P]",
     "For evaluators: makes NAME.pub (give it to the registry) and NAME.key (the secret half,\n"
     "under a passphrase) and prints the key's fingerprint."},
    {"pubkey", NULL, cmd_pubkey, NEEDS_REGISTRY, SR_ANY_ROLE, "read the signing key", "pubkey",
     "Prints the registry's signing key and its fingerprint, for evaluators to pin."},
    {"extract", NULL, cmd_extract, NEEDS_REGISTRY, ADMIN, "make extracts",
     "extract --recipient KEY.pub --out FILE [--forms ID,...] [--k N] [--relative-dates]",
     "An anonymised extract for one evaluator: new random ids, no identifiers or free text,\n"
     "dates as year and month, ages in bands, k-anonymous (k = 5 unless given); sealed to\n"
     "the evaluator's key and signed by the registry."},
    {"open-extract", NULL, cmd_open_extract, NEEDS_NOTHING, 0, "open extracts",
     "open-extract FILE --key NAME.key --out DIR [--signer FINGERPRINT]",
     "Verifies and opens an extract into DIR (cases.csv, further CSV files, codebook.csv,\n"
     "metadata.json). Nothing is written unless everything verifies."},
    {"backup", NULL, cmd_backup, NEEDS_REGISTRY, ADMIN, "make backups", "backup --out FILE",
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
    fprintf(out, "usage: sigreg [-r|--registry PATH] [--user NAME] [--passphrase-file FILE] "
                 "COMMAND ...\n\n"
                 "sigreg is an encrypted, pseudonymised follow-up registry for social intervention\n"
                 "groups (SIG). Commands:\n\n");
    for (size_t i = 0; i < command_count; i++)
        fprintf(out, "  sigreg %s\n", commands[i].usage);
    fprintf(out, "\nThe registry defaults to $SIGREG_REGISTRY, the user to $SIGREG_USER, the\n"
                 "passphrase file to $SIGREG_PASSPHRASE_FILE; without one the passphrase is asked\n"
                 "on the terminal. 'sigreg COMMAND --help' says more.\n");
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

static void print_error(const sr_error *err, sr_status fallback)
{
    if (err->status != SR_OK && err->message[0])
        fprintf(stderr, "error: %s\n", err->message);
    else
        fprintf(stderr, "error: %s\n", sr_strerror(fallback));
}

static int run(const cli_command *cmd, int argc, char **argv, cli_globals *g, sr_error *err)
{
    sr_registry *reg = NULL;
    int code = CLI_OK;
    if (cmd->needs == NEEDS_REGISTRY) {
        if (!g->registry)
            return cli_usage_error(err, "no registry given: use --registry PATH or set "
                                        "SIGREG_REGISTRY");
        sr_status rc = cli_read_passphrase(g, g->user ? g->user : "the registry", &g->passphrase,
                                           err);
        sr_open_options opts = {g->user, g->busy_timeout_ms};
        if (rc == SR_OK)
            rc = sr_registry_open(g->registry, &opts, g->passphrase, &reg, err);
        if (rc == SR_OK)
            rc = sr_registry_require(reg, cmd->roles, cmd->what, err);
        if (rc != SR_OK) {
            sr_registry_close(reg);
            return cli_fail(rc);
        }
    }
    code = cmd->fn(argc, argv, g, reg, err);
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
        print_error(&err, err.status);
        return code;
    }
    if (argc < 2) {
        print_overview(stderr);
        return CLI_USAGE;
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
        if (has_subcommands(argv[1])) {
            fprintf(stderr, "error: '%s' needs one of:\n", argv[1]);
            for (size_t i = 0; i < command_count; i++)
                if (strcmp(commands[i].name, argv[1]) == 0)
                    fprintf(stderr, "  sigreg %s\n", commands[i].usage);
        } else {
            fprintf(stderr, "error: unknown command '%s': see 'sigreg --help'\n", argv[1]);
        }
        return CLI_USAGE;
    }
    int skip = cmd->sub ? 2 : 1;
    int cargc = argc - skip;
    char **cargv = argv + skip;
    if (wants_help(cargc, cargv)) {
        cli_print_usage(stdout, cmd);
        return CLI_OK;
    }
    code = run(cmd, cargc, cargv, &g, &err);
    if (fflush(stdout) != 0 && code == CLI_OK) {
        sr_error_set(&err, SR_ERR_IO, "cannot write the output");
        code = CLI_FAIL;
    }
    if (code != CLI_OK)
        print_error(&err, SR_ERR_INVALID);
    sr_secret_free(g.passphrase);
    return code;
}
