/*
 * extract_dict.c - the codebook, the value-label table and the R, Stata and
 * SPSS syntax files of an extract, from one list of variables.
 */
#include "extract_dict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

typedef struct dvar {
    char *file, *name, *sv, *en, *type, *coarsening, *form, *version;
    srp_dict_kind kind;
    int quasi;
    size_t first, count; /* its value labels */
} dvar;

typedef struct dvalue {
    char *code, *sv, *en;
    int order, missing;
} dvalue;

struct srp_dict {
    dvar *vars;
    size_t nvars, vcap;
    dvalue *values;
    size_t nvalues, lcap;
    int oom;
};

srp_dict *srp_dict_new(void)
{
    return calloc(1, sizeof(srp_dict));
}

void srp_dict_free(srp_dict *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nvars; i++) {
        dvar *v = &d->vars[i];
        free(v->file);
        free(v->name);
        free(v->sv);
        free(v->en);
        free(v->type);
        free(v->coarsening);
        free(v->form);
        free(v->version);
    }
    for (size_t i = 0; i < d->nvalues; i++) {
        free(d->values[i].code);
        free(d->values[i].sv);
        free(d->values[i].en);
    }
    free(d->vars);
    free(d->values);
    free(d);
}

static char *dup(srp_dict *d, const char *s)
{
    char *c = strdup(s ? s : "");
    if (!c)
        d->oom = 1;
    return c;
}

void srp_dict_var(srp_dict *d, const char *file, const char *name, const char *sv, const char *en,
                  const char *type, srp_dict_kind kind, int quasi, const char *coarsening,
                  const char *form, const char *version)
{
    if (d->nvars == d->vcap) {
        size_t cap = d->vcap ? d->vcap * 2 : 64;
        dvar *v = realloc(d->vars, cap * sizeof *v);
        if (!v) {
            d->oom = 1;
            return;
        }
        d->vars = v;
        d->vcap = cap;
    }
    dvar *v = &d->vars[d->nvars++];
    v->file = dup(d, file);
    v->name = dup(d, name);
    v->sv = dup(d, sv);
    v->en = dup(d, en ? en : sv);
    v->type = dup(d, type);
    v->coarsening = dup(d, coarsening);
    v->form = dup(d, form);
    v->version = dup(d, version);
    v->kind = kind;
    v->quasi = quasi;
    v->first = d->nvalues;
    v->count = 0;
}

void srp_dict_value(srp_dict *d, const char *code, const char *sv, const char *en, int order,
                    int missing)
{
    if (d->nvars == 0)
        return;
    if (d->nvalues == d->lcap) {
        size_t cap = d->lcap ? d->lcap * 2 : 256;
        dvalue *v = realloc(d->values, cap * sizeof *v);
        if (!v) {
            d->oom = 1;
            return;
        }
        d->values = v;
        d->lcap = cap;
    }
    dvalue *v = &d->values[d->nvalues++];
    v->code = dup(d, code);
    v->sv = dup(d, sv);
    v->en = dup(d, en ? en : sv);
    v->order = order;
    v->missing = missing;
    d->vars[d->nvars - 1].count++;
}

int srp_dict_oom(const srp_dict *d)
{
    return d->oom;
}

/* ---- quoting -------------------------------------------------------------------------------- */

/* "text" for R: backslash and double quote escaped, line breaks as spaces. */
static void r_string(srp_buf *b, const char *s)
{
    srp_buf_puts(b, "\"");
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\')
            srp_buf_put(b, "\\", 1);
        srp_buf_put(b, *p == '\r' || *p == '\n' ? " " : p, 1);
    }
    srp_buf_puts(b, "\"");
}

/* `"text"' for Stata (compound quotes take any double quote inside). */
static void stata_string(srp_buf *b, const char *s)
{
    srp_buf_puts(b, "`\"");
    for (const char *p = s; *p; p++)
        srp_buf_put(b, *p == '\r' || *p == '\n' || *p == '`' ? " " : p, 1);
    srp_buf_puts(b, "\"'");
}

/* 'text' for SPSS: single quotes doubled. */
static void spss_string(srp_buf *b, const char *s)
{
    srp_buf_puts(b, "'");
    for (const char *p = s; *p; p++)
        srp_buf_put(b, *p == '\'' ? "''" : *p == '\r' || *p == '\n' ? " " : p, *p == '\'' ? 2 : 1);
    srp_buf_puts(b, "'");
}

/* ---- the codebook and the value labels ------------------------------------------------------ */

void srp_dict_codebook(const srp_dict *d, srp_buf *b)
{
    srp_buf_puts(b, "variable,label,label_en,type,codes,quasi_identifier,coarsening,file,form,"
                    "version\r\n");
    for (size_t i = 0; i < d->nvars; i++) {
        const dvar *v = &d->vars[i];
        const char *fields[] = {v->name, v->sv, v->en, v->type};
        for (size_t f = 0; f < 4; f++) {
            srp_csv_quote(b, fields[f], ',');
            srp_buf_puts(b, ",");
        }
        if (v->count)
            srp_buf_printf(b, "%zu codes in value_labels.csv", v->count);
        srp_buf_puts(b, v->quasi ? ",yes," : ",no,");
        srp_csv_quote(b, v->coarsening, ',');
        srp_buf_puts(b, ",");
        srp_csv_quote(b, v->file, ',');
        srp_buf_puts(b, ",");
        srp_csv_quote(b, v->form, ',');
        srp_buf_puts(b, ",");
        srp_csv_quote(b, v->version, ',');
        srp_buf_puts(b, "\r\n");
    }
}

void srp_dict_value_labels(const srp_dict *d, srp_buf *b)
{
    srp_buf_puts(b, "variable,code,label_sv,label_en,order,missing\r\n");
    for (size_t i = 0; i < d->nvars; i++) {
        const dvar *v = &d->vars[i];
        for (size_t j = v->first; j < v->first + v->count; j++) {
            const dvalue *x = &d->values[j];
            srp_csv_quote(b, v->name, ',');
            srp_buf_puts(b, ",");
            srp_csv_quote(b, x->code, ',');
            srp_buf_puts(b, ",");
            srp_csv_quote(b, x->sv, ',');
            srp_buf_puts(b, ",");
            srp_csv_quote(b, x->en, ',');
            srp_buf_puts(b, ",");
            if (x->order > 0)
                srp_buf_printf(b, "%d", x->order);
            srp_buf_puts(b, x->missing ? ",true\r\n" : ",false\r\n");
        }
    }
}

/* The distinct files, in the order their first variable came. */
static int first_of_file(const srp_dict *d, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (strcmp(d->vars[j].file, d->vars[i].file) == 0)
            return 0;
    return 1;
}

/* A data set's name for a file: "cases.csv" -> "cases". */
static void dataset(srp_buf *b, const char *file)
{
    size_t n = strlen(file);
    srp_buf_put(b, file, n > 4 && strcmp(file + n - 4, ".csv") == 0 ? n - 4 : n);
}

/* ---- R -------------------------------------------------------------------------------------- */

void srp_dict_r(const srp_dict *d, srp_buf *b)
{
    srp_buf_puts(
        b, "# load_extract.R - loads this extract into R with its labels (base R only).\n"
           "# Run it in the extract's folder: source(\"load_extract.R\"). Each CSV file becomes\n"
           "# a data frame of the same name (cases, interventions, ...).\n"
           "# Coded variables become factors with the labels of value_labels.csv; set lang to\n"
           "# \"en\" for the English labels. Codes marked missing there (such as \"Vet ej\")\n"
           "# are kept as levels, named in attr(x, \"missing_levels\"): set them to NA with\n"
           "# x[x %in% attr(x, \"missing_levels\")] <- NA when they should not count.\n"
           "# An empty field (not asked, not answered, or blanked for k-anonymity) is NA.\n"
           "# Multiple-choice columns (name__option) stay 0/1 integers. Each variable's\n"
           "# label is in attr(x, \"label\").\n"
           "if (!exists(\"lang\")) lang <- \"sv\"\n"
           ".sigreg_label <- function(sv, en) if (identical(lang, \"en\")) en else sv\n");
    for (size_t i = 0; i < d->nvars; i++) {
        if (!first_of_file(d, i))
            continue;
        const char *file = d->vars[i].file;
        srp_buf_puts(b, "\n");
        dataset(b, file);
        srp_buf_puts(b, " <- read.csv(");
        r_string(b, file);
        srp_buf_puts(b, ", na.strings = \"\", encoding = \"UTF-8\", check.names = FALSE,\n"
                        "    colClasses = c(");
        int first = 1;
        for (size_t j = i; j < d->nvars; j++) {
            const dvar *v = &d->vars[j];
            if (strcmp(v->file, file) != 0)
                continue;
            srp_buf_puts(b, first ? "" : ", ");
            first = 0;
            r_string(b, v->name);
            srp_buf_puts(b, v->kind == SRP_DICT_NUMBER ? " = \"numeric\""
                            : v->kind == SRP_DICT_FLAG ? " = \"integer\""
                                                       : " = \"character\"");
        }
        srp_buf_puts(b, "))\n");
        for (size_t j = i; j < d->nvars; j++) {
            const dvar *v = &d->vars[j];
            if (strcmp(v->file, file) != 0)
                continue;
            srp_buf tgt = SRP_BUF_INIT;
            dataset(&tgt, file);
            srp_buf_puts(&tgt, "[[");
            r_string(&tgt, v->name);
            srp_buf_puts(&tgt, "]]");
            const char *x = srp_buf_text(&tgt);
            int multi = strstr(v->name, "__") != NULL;
            if (v->count && !multi) {
                srp_buf_printf(b, "%s <- factor(%s, levels = c(", x, x);
                for (size_t k = 0; k < v->count; k++) {
                    srp_buf_puts(b, k ? ", " : "");
                    if (v->kind == SRP_DICT_FLAG)
                        srp_buf_puts(b, d->values[v->first + k].code);
                    else
                        r_string(b, d->values[v->first + k].code);
                }
                srp_buf_puts(b, "),\n    labels = .sigreg_label(c(");
                for (size_t k = 0; k < v->count; k++) {
                    srp_buf_puts(b, k ? ", " : "");
                    r_string(b, d->values[v->first + k].sv);
                }
                srp_buf_puts(b, "), c(");
                for (size_t k = 0; k < v->count; k++) {
                    srp_buf_puts(b, k ? ", " : "");
                    r_string(b, d->values[v->first + k].en);
                }
                srp_buf_puts(b, ")))\n");
                int any = 0;
                for (size_t k = 0; k < v->count; k++)
                    any |= d->values[v->first + k].missing;
                if (any) {
                    srp_buf_printf(b, "attr(%s, \"missing_levels\") <- levels(%s)[c(", x, x);
                    int f = 1;
                    for (size_t k = 0; k < v->count; k++)
                        if (d->values[v->first + k].missing) {
                            srp_buf_printf(b, "%s%zu", f ? "" : ", ", k + 1);
                            f = 0;
                        }
                    srp_buf_puts(b, ")]\n");
                }
            }
            srp_buf_printf(b, "attr(%s, \"label\") <- .sigreg_label(", x);
            r_string(b, v->sv);
            srp_buf_puts(b, ", ");
            r_string(b, v->en);
            srp_buf_puts(b, ")\n");
            srp_buf_free(&tgt);
        }
    }
    srp_buf_puts(b, "rm(.sigreg_label)\n");
}

/* ---- Stata ---------------------------------------------------------------------------------- */

#define STATA_NAME_MAX 32

void srp_dict_stata(const srp_dict *d, srp_buf *b)
{
    srp_buf_puts(b,
                 "* load_extract.do - loads this extract into Stata with its labels.\n"
                 "* Run it in the extract's folder: do load_extract.do. Each CSV file is read and\n"
                 "* saved as a .dta file of the same name (cases.dta, interventions.dta, ...).\n"
                 "* Coded variables become numbered values with value labels (label define,\n"
                 "* label values); the codes of value_labels.csv are numbered in its order.\n"
                 "* Codes marked missing there are labelled values, not Stata missing values.\n"
                 "* An empty field (not asked, not answered, or blanked) is missing (.).\n"
                 "* A variable name longer than Stata's 32 characters becomes its first 26\n"
                 "* characters and its column number (intake_protective_factors__22); its\n"
                 "* variable label says what it is, and codebook.csv has the full name.\n"
                 "version 14\n");
    for (size_t i = 0; i < d->nvars; i++) {
        if (!first_of_file(d, i))
            continue;
        const char *file = d->vars[i].file;
        srp_buf_printf(b,
                       "\nimport delimited using \"%s\", clear varnames(nonames) rowrange(2) "
                       "stringcols(_all) encoding(\"utf-8\") delimiters(\",\") "
                       "bindquote(strict)\n",
                       file);
        size_t position = 0;
        for (size_t j = i; j < d->nvars; j++) {
            const dvar *v = &d->vars[j];
            if (strcmp(v->file, file) != 0)
                continue;
            position++;
            /* Read without names, column i is v<i>; a name longer than
             * Stata allows becomes its first 26 characters and i. */
            char shortened[STATA_NAME_MAX + 1];
            const char *n = v->name;
            if (strlen(v->name) > STATA_NAME_MAX) {
                snprintf(shortened, sizeof shortened, "%.26s_%zu", v->name, position);
                n = shortened;
            }
            srp_buf_printf(b, "rename v%zu %s\n", position, n);
            if (v->kind == SRP_DICT_NUMBER || v->kind == SRP_DICT_FLAG)
                srp_buf_printf(b, "destring %s, replace\n", n);
            if (v->count && v->kind == SRP_DICT_CODED) {
                srp_buf_printf(b, "generate long _sigreg_v = .\n");
                for (size_t k = 0; k < v->count; k++) {
                    srp_buf_printf(b, "replace _sigreg_v = %zu if %s == ", k + 1, n);
                    stata_string(b, d->values[v->first + k].code);
                    srp_buf_puts(b, "\n");
                }
                srp_buf_printf(b, "drop %s\nrename _sigreg_v %s\n", n, n);
            }
            if (v->count) {
                srp_buf_printf(b, "label define %s", n);
                for (size_t k = 0; k < v->count; k++) {
                    const dvalue *x = &d->values[v->first + k];
                    if (v->kind == SRP_DICT_FLAG)
                        srp_buf_printf(b, " %s ", x->code);
                    else
                        srp_buf_printf(b, " %zu ", k + 1);
                    stata_string(b, x->sv);
                }
                srp_buf_printf(b, ", replace\nlabel values %s %s\n", n, n);
            }
            srp_buf_printf(b, "label variable %s ", n);
            stata_string(b, v->sv);
            srp_buf_puts(b, "\n");
        }
        srp_buf_puts(b, "save \"");
        dataset(b, file);
        srp_buf_puts(b, ".dta\", replace\n");
    }
}

/* ---- SPSS ----------------------------------------------------------------------------------- */

void srp_dict_spss(const srp_dict *d, srp_buf *b)
{
    srp_buf_puts(b,
                 "* load_extract.sps - loads this extract into SPSS with its labels.\n"
                 "* Run it with the extract's folder as the working folder (CD first). Each CSV\n"
                 "* file is read and saved as a .sav file of the same name.\n"
                 "* Coded variables are strings holding the codes, with VALUE LABELS; codes\n"
                 "* marked missing in value_labels.csv are MISSING VALUES (at most three short\n"
                 "* ones per variable, as SPSS allows for strings). An empty field (not asked,\n"
                 "* not answered, or blanked) is empty (strings) or system-missing (numbers).\n"
                 "SET UNICODE=ON.\n");
    for (size_t i = 0; i < d->nvars; i++) {
        if (!first_of_file(d, i))
            continue;
        const char *file = d->vars[i].file;
        srp_buf_printf(b,
                       "\nGET DATA /TYPE=TXT /FILE='%s' /ENCODING='UTF8'\n"
                       "  /ARRANGEMENT=DELIMITED /DELIMITERS=',' /QUALIFIER='\"' "
                       "/FIRSTCASE=2\n  /VARIABLES=",
                       file);
        for (size_t j = i; j < d->nvars; j++) {
            const dvar *v = &d->vars[j];
            if (strcmp(v->file, file) != 0)
                continue;
            srp_buf_printf(b, "\n    %s %s", v->name,
                           v->kind == SRP_DICT_NUMBER ? "F12.3"
                           : v->kind == SRP_DICT_FLAG ? "F1.0"
                                                      : "A64");
        }
        srp_buf_puts(b, ".\nVARIABLE LABELS");
        int first = 1;
        for (size_t j = i; j < d->nvars; j++) {
            const dvar *v = &d->vars[j];
            if (strcmp(v->file, file) != 0)
                continue;
            srp_buf_printf(b, "%s\n    %s ", first ? "" : " /", v->name);
            spss_string(b, v->sv);
            first = 0;
        }
        srp_buf_puts(b, ".\n");
        first = 1;
        for (size_t j = i; j < d->nvars; j++) {
            const dvar *v = &d->vars[j];
            if (strcmp(v->file, file) != 0 || !v->count)
                continue;
            srp_buf_printf(b, "%s\n    %s", first ? "VALUE LABELS" : " /", v->name);
            for (size_t k = 0; k < v->count; k++) {
                const dvalue *x = &d->values[v->first + k];
                srp_buf_puts(b, " ");
                if (v->kind == SRP_DICT_FLAG)
                    srp_buf_puts(b, x->code);
                else
                    spss_string(b, x->code);
                srp_buf_puts(b, " ");
                spss_string(b, x->sv);
            }
            first = 0;
        }
        if (!first)
            srp_buf_puts(b, ".\n");
        for (size_t j = i; j < d->nvars; j++) {
            const dvar *v = &d->vars[j];
            if (strcmp(v->file, file) != 0 || v->kind != SRP_DICT_CODED)
                continue;
            size_t n = 0;
            for (size_t k = 0; k < v->count; k++) {
                const dvalue *x = &d->values[v->first + k];
                if (!x->missing || strlen(x->code) > 8 || n == 3)
                    continue;
                srp_buf_printf(b, "%s", n ? " " : "MISSING VALUES ");
                if (n == 0)
                    srp_buf_printf(b, "%s (", v->name);
                spss_string(b, x->code);
                n++;
            }
            if (n)
                srp_buf_puts(b, ").\n");
        }
        srp_buf_puts(b, "SAVE OUTFILE='");
        dataset(b, file);
        srp_buf_puts(b, ".sav'.\n");
    }
    srp_buf_puts(b, "EXECUTE.\n");
}
