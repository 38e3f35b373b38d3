/*
 * args.c - the one argument parser of the `sigreg` front end, and the
 * synopsis printed from the same declaration.
 *
 * Every command declares its positional arguments and its options once, in
 * its entry of the command table (main.c). cli_args_parse() reads the
 * command's arguments against that declaration, and cli_print_synopsis()
 * prints the usage line from it, so the two cannot drift. Options are long
 * only ("--from DATE" or "--from=DATE"), in any order among the positional
 * arguments, until a "--". Commands then read the parsed values (cli_opt,
 * cli_flag, cli_pos); asking for an option the command did not declare is a
 * programming error and aborts.
 *
 * This file must not know any command by name, and must not print anything
 * but the synopsis it is asked for.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct cli_args {
    const cli_command *cmd;
    size_t npos;
    const char **pos; /* the positional arguments, in order */
    size_t nocc;
    size_t *occ_opt;      /* per occurrence of an option: its index in cmd->options */
    const char **occ_val; /* and its value (NULL for a flag) */
};

/* ---- the declaration ------------------------------------------------------ */

static size_t option_count(const cli_command *cmd)
{
    size_t n = 0;
    while (cmd->options && cmd->options[n].name)
        n++;
    return n;
}

static const cli_option *find_option(const cli_command *cmd, const char *name, size_t len,
                                     size_t *index)
{
    for (size_t i = 0; cmd->options && cmd->options[i].name; i++)
        if (strlen(cmd->options[i].name) == len && strncmp(cmd->options[i].name, name, len) == 0) {
            if (index)
                *index = i;
            return &cmd->options[i];
        }
    return NULL;
}

const cli_option *cli_option_for_where(const cli_command *cmd, const char *where)
{
    if (!cmd || !where || !*where)
        return NULL;
    for (size_t i = 0; cmd->options && cmd->options[i].name; i++)
        if (cmd->options[i].where && strcmp(cmd->options[i].where, where) == 0)
            return &cmd->options[i];
    return NULL;
}

/* How many positional arguments the synopsis allows: every word is one, "[X]"
 * may be left out, "X..." may be repeated. */
static void positional_counts(const cli_command *cmd, size_t *min, size_t *max)
{
    *min = 0;
    *max = 0;
    const char *p = cmd->args ? cmd->args : "";
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t len = strcspn(p, " ");
        int optional = p[0] == '[';
        int many = len >= 3 && strncmp(p + len - 3, "...", 3) == 0;
        if (!optional)
            (*min)++;
        if (*max != SIZE_MAX)
            *max = many ? SIZE_MAX : *max + 1;
        p += len;
    }
}

/* The n-th word of the positional synopsis, without brackets and dots. */
static void positional_name(const cli_command *cmd, size_t n, char *out, size_t size)
{
    const char *p = cmd->args ? cmd->args : "";
    size_t len = 0, i = 0;
    for (;;) {
        while (*p == ' ')
            p++;
        len = strcspn(p, " ");
        if (!*p || i == n)
            break;
        p += len;
        i++;
    }
    if (len && p[0] == '[') {
        p++;
        len--;
    }
    while (len && (p[len - 1] == '.' || p[len - 1] == ']'))
        len--;
    snprintf(out, size, "%.*s", (int)len, p);
}

/* ---- the synopsis --------------------------------------------------------- */

static void print_one(FILE *f, const cli_option *o)
{
    fprintf(f, "--%s", o->name);
    if (o->kind & CLI_ARG)
        fprintf(f, " %s", o->meta ? o->meta : "VALUE");
}

static int group_needed(const cli_option *opts, int group)
{
    for (size_t i = 0; opts[i].name; i++)
        if (opts[i].group == group && (opts[i].kind & CLI_NEEDED))
            return 1;
    return 0;
}

void cli_print_synopsis(FILE *f, const cli_command *cmd)
{
    fprintf(f, "sigreg %s", cmd->name);
    if (cmd->sub)
        fprintf(f, " %s", cmd->sub);
    if (cmd->args && *cmd->args)
        fprintf(f, " %s", cmd->args);
    const cli_option *opts = cmd->options;
    for (size_t i = 0; opts && opts[i].name; i++) {
        const cli_option *o = &opts[i];
        fputc(' ', f);
        if (o->group) {
            int needed = group_needed(opts, o->group);
            fputc(needed ? '(' : '[', f);
            for (;;) {
                print_one(f, &opts[i]);
                if (!opts[i + 1].name || opts[i + 1].group != o->group)
                    break;
                fputs(" | ", f);
                i++;
            }
            fputc(needed ? ')' : ']', f);
            continue;
        }
        int needed = (o->kind & CLI_NEEDED) != 0;
        if (!needed)
            fputc('[', f);
        print_one(f, o);
        if (!needed)
            fputc(']', f);
        if (o->kind & CLI_MANY)
            fputs("...", f);
    }
}

void cli_print_usage(FILE *stream, const cli_command *cmd)
{
    fputs("usage: ", stream);
    cli_print_synopsis(stream, cmd);
    fputc('\n', stream);
    if (cmd->help)
        fprintf(stream, "\n%s\n", cmd->help);
}

/* ---- parsing -------------------------------------------------------------- */

static void command_name(const cli_command *cmd, char *out, size_t size)
{
    snprintf(out, size, "%s%s%s", cmd->name, cmd->sub ? " " : "", cmd->sub ? cmd->sub : "");
}

/* "sv|en" -> "sv or en", "a|b|c" -> "a, b or c". */
static void choices_text(const char *meta, char *out, size_t size)
{
    size_t n = 0, words = 1;
    for (const char *p = meta; *p; p++)
        words += *p == '|';
    size_t word = 0;
    out[0] = '\0';
    for (const char *p = meta; *p && n + 8 < size; p++) {
        if (*p != '|') {
            out[n++] = *p;
            continue;
        }
        word++;
        const char *sep = word + 1 == words ? " or " : ", ";
        size_t len = strlen(sep);
        memcpy(out + n, sep, len);
        n += len;
    }
    out[n] = '\0';
}

static int is_choice(const char *meta, const char *value)
{
    size_t len = strlen(value);
    for (const char *p = meta; *p;) {
        size_t w = strcspn(p, "|");
        if (w == len && len > 0 && strncmp(p, value, len) == 0)
            return 1;
        p += w;
        if (*p == '|')
            p++;
    }
    return 0;
}

/* The checks made once every argument is read: counts, needed options and
 * options that exclude each other. */
static int check_parsed(const cli_args *a, sr_error *err)
{
    const cli_command *cmd = a->cmd;
    char name[64];
    command_name(cmd, name, sizeof name);
    size_t min, max;
    positional_counts(cmd, &min, &max);
    if (a->npos > max)
        return cli_usage_error(err, "unexpected argument '%s'", a->pos[max]);
    if (a->npos < min) {
        char word[64];
        positional_name(cmd, a->npos, word, sizeof word);
        return cli_usage_error(err, "%s needs %s", name, word);
    }
    size_t n = option_count(cmd);
    for (size_t i = 0; i < n; i++) {
        const cli_option *o = &cmd->options[i];
        size_t given = 0;
        for (size_t k = 0; k < a->nocc; k++)
            given += a->occ_opt[k] == i;
        if (given > 1 && !(o->kind & CLI_MANY))
            return cli_usage_error(err, "option '--%s' is given more than once", o->name);
        if (given && o->group)
            for (size_t k = 0; k < a->nocc; k++) {
                const cli_option *other = &cmd->options[a->occ_opt[k]];
                if (other != o && other->group == o->group)
                    return cli_usage_error(err, "--%s and --%s exclude each other", o->name,
                                           other->name);
            }
        if (!given && o->group && group_needed(cmd->options, o->group) &&
            (i == 0 || cmd->options[i - 1].group != o->group)) {
            int any = 0;
            for (size_t k = 0; k < a->nocc; k++)
                any |= cmd->options[a->occ_opt[k]].group == o->group;
            if (!any) {
                char alternatives[256] = "";
                size_t len = 0;
                for (size_t j = i; j < n && cmd->options[j].group == o->group; j++)
                    len += (size_t)snprintf(alternatives + len, sizeof alternatives - len, "%s--%s",
                                            j == i ? "" : " or ", cmd->options[j].name);
                return cli_usage_error(err, "%s needs %s", name, alternatives);
            }
        }
        if (!given && !o->group && (o->kind & CLI_NEEDED))
            return cli_usage_error(err, "%s needs --%s%s%s", name, o->name,
                                   o->kind & CLI_ARG ? " " : "",
                                   o->kind & CLI_ARG ? (o->meta ? o->meta : "VALUE") : "");
    }
    return CLI_OK;
}

int cli_args_parse(const cli_command *cmd, int argc, char **argv, cli_args **out, sr_error *err)
{
    *out = NULL;
    cli_args *a = calloc(1, sizeof *a);
    size_t cap = argc > 0 ? (size_t)argc : 1;
    if (a) {
        a->cmd = cmd;
        a->pos = calloc(cap, sizeof *a->pos);
        a->occ_opt = calloc(cap, sizeof *a->occ_opt);
        a->occ_val = calloc(cap, sizeof *a->occ_val);
    }
    if (!a || !a->pos || !a->occ_opt || !a->occ_val) {
        cli_args_free(a);
        sr_error_set(err, SR_ERR_NOMEM, "out of memory");
        return CLI_FAIL;
    }
    int code = CLI_OK;
    int options_end = 0;
    /* argv[0] is the command's own name. */
    for (int i = 1; i < argc && code == CLI_OK; i++) {
        const char *arg = argv[i];
        if (options_end || arg[0] != '-' || strcmp(arg, "-") == 0) {
            a->pos[a->npos++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            options_end = 1;
            continue;
        }
        size_t index = 0;
        const char *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
        const cli_option *o =
            strncmp(arg, "--", 2) == 0 ? find_option(cmd, arg + 2, len - 2, &index) : NULL;
        if (!o) {
            code = cli_usage_error(err, "unknown option '%.*s'", (int)len, arg);
            break;
        }
        const char *value = NULL;
        if (!(o->kind & CLI_ARG)) {
            if (eq)
                code = cli_usage_error(err, "option '--%s' takes no value", o->name);
        } else if (eq) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            code = cli_usage_error(err, "option '--%s' needs a value", o->name);
        }
        if (code == CLI_OK && value && (o->kind & CLI_CHOICE) && !is_choice(o->meta, value)) {
            char choices[160];
            choices_text(o->meta, choices, sizeof choices);
            code = cli_usage_error(err, "--%s takes %s", o->name, choices);
        }
        a->occ_opt[a->nocc] = index;
        a->occ_val[a->nocc] = value;
        a->nocc++;
    }
    if (code == CLI_OK)
        code = check_parsed(a, err);
    if (code != CLI_OK) {
        cli_args_free(a);
        return code;
    }
    *out = a;
    return CLI_OK;
}

void cli_args_free(cli_args *a)
{
    if (!a)
        return;
    free(a->pos);
    free(a->occ_opt);
    free(a->occ_val);
    free(a);
}

/* ---- reading the parsed values -------------------------------------------- */

static size_t declared(const cli_args *a, const char *name)
{
    size_t index = 0;
    if (!find_option(a->cmd, name, strlen(name), &index)) {
        fprintf(stderr, "sigreg: internal error: '%s%s%s' declares no option '--%s'\n",
                a->cmd->name, a->cmd->sub ? " " : "", a->cmd->sub ? a->cmd->sub : "", name);
        abort();
    }
    return index;
}

const cli_command *cli_args_command(const cli_args *a)
{
    return a->cmd;
}

size_t cli_opt_count(const cli_args *a, const char *name)
{
    size_t index = declared(a, name), n = 0;
    for (size_t k = 0; k < a->nocc; k++)
        n += a->occ_opt[k] == index;
    return n;
}

const char *cli_opt_at(const cli_args *a, const char *name, size_t i)
{
    size_t index = declared(a, name);
    for (size_t k = 0; k < a->nocc; k++)
        if (a->occ_opt[k] == index && i-- == 0)
            return a->occ_val[k];
    return NULL;
}

const char *cli_opt(const cli_args *a, const char *name)
{
    size_t index = declared(a, name);
    const char *value = NULL;
    for (size_t k = 0; k < a->nocc; k++)
        if (a->occ_opt[k] == index)
            value = a->occ_val[k];
    return value;
}

int cli_flag(const cli_args *a, const char *name)
{
    return cli_opt_count(a, name) > 0;
}

size_t cli_pos_count(const cli_args *a)
{
    return a->npos;
}

const char *cli_pos(const cli_args *a, size_t i)
{
    return i < a->npos ? a->pos[i] : NULL;
}

int cli_opt_long(const cli_args *a, const char *name, long min, long max, long *out, sr_error *err)
{
    const char *text = cli_opt(a, name);
    if (!text)
        return CLI_OK;
    if (cli_parse_int(text, min, max, out) != 0)
        return cli_usage_error(err, "--%s takes a whole number from %ld to %ld", name, min, max);
    return CLI_OK;
}

int cli_opt_list(const cli_args *a, const char *name, char *buf, size_t size, const char **parts,
                 size_t max, size_t *count, sr_error *err)
{
    size_t used = 0, n = 0;
    *count = 0;
    for (size_t i = 0; i < cli_opt_count(a, name); i++) {
        const char *value = cli_opt_at(a, name, i);
        size_t len = strlen(value);
        if (used + len + 1 > size)
            return cli_usage_error(err, "--%s is too long", name);
        memcpy(buf + used, value, len + 1);
        char *save = NULL;
        for (char *t = strtok_r(buf + used, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            if (n == max)
                return cli_usage_error(err, "--%s takes at most %zu values", name, max);
            parts[n++] = t;
        }
        used += len + 1;
    }
    *count = n;
    return CLI_OK;
}
