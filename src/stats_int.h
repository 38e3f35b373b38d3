/*
 * stats_int.h - what the modules of the summary engine share (internal; the
 * way form_int.h is the forms' model). Only src/stats*.c include it.
 *
 * A summary runs in these steps, one module each:
 *   stats.c          the run: checks the query, loads the form versions,
 *                    sets up dimensions and filters, audits; the result object
 *   stats_vars.c     the variables summarised, pooled over form versions
 *   stats_group.c    groups (slots): one per combination of dimension values
 *   stats_scan.c     the SQL scan and the per-person accumulation
 *   stats_protect.c  the cells and relations handed to disclosure control
 *   stats_rows.c     the tidy rows, with what disclosure control withheld
 *   stats_write.c    table, CSV and JSON (sr_stats_write)
 * Nothing here prints, and nothing here knows a command-line flag.
 */
#ifndef SIGREG_STATS_INT_H
#define SIGREG_STATS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cellkey.h"
#include "coded.h"
#include "disclosure.h"
#include "form_int.h"
#include "period.h"
#include "sigreg/limits.h"
#include "sigreg/stats.h"
#include "stats_hist.h"

/* The versions of one form (and of the intake) that a summary pools; a form
 * with more is refused with a clear error, never summarised in part. */
#define SRP_STATS_MAX_VERSIONS 64
/* Dimensions: two --by items and one per filter (unit, status, period);
 * never more than five, by construction of the setup in stats.c. */
#define SRP_STATS_MAX_DIMS 5
/* A group's key in one dimension: any code of limits.h, plus the NUL. */
#define SRP_STATS_KEY_SIZE (SR_GROUP_KEY_MAX + 1)

enum {
    SRP_DERIVED_NONE = 0,
    SRP_DERIVED_PER_CASE,
    SRP_DERIVED_DAYS_TO_CLOSURE,
    SRP_DERIVED_STATUS
};
enum {
    SRP_BY_NONE = 0,
    SRP_BY_UNIT,
    SRP_BY_AGE,
    SRP_BY_YEAR,
    SRP_BY_QUARTER,
    SRP_BY_ITEM,
    SRP_BY_INTAKE_ITEM,
    SRP_BY_STATUS,
    SRP_BY_PERIOD,
    SRP_BY_HALF
};

/* An item summarised (or grouped by), pooled over the versions of its form. */
typedef struct srp_variable {
    char *id;
    const char *label; /* borrowed from the newest form */
    sr_item_type type;
    int ordered;
    int derived;
    size_t ncodes;
    char **codes;
    const char **code_labels;
    int *missing;
    size_t codes_cap, labels_cap, missing_cap; /* what the three arrays hold */
    int item_of[SRP_STATS_MAX_VERSIONS];       /* item index in each version, -1 absent */
    int *option_map[SRP_STATS_MAX_VERSIONS];   /* version option index -> code index */
    int intake_item[SRP_STATS_MAX_VERSIONS];   /* change: item index in each intake version */
    int *intake_map[SRP_STATS_MAX_VERSIONS];
    int paired; /* has an intake counterpart */
} srp_variable;

typedef struct srp_dimension {
    int kind;
    char name[SR_ITEM_ID_MAX + 1];
    srp_variable var;     /* for item dimensions */
    const char *selected; /* a filter's value, or NULL */
    int by_index;         /* the --by column it fills, or -1 */
    /* A period dimension's small periods merged with a neighbour
     * (stats_merge.c): key merge_from[k] is counted as merge_to[k]. */
    char (*merge_from)[SRP_STATS_KEY_SIZE], (*merge_to)[SRP_STATS_KEY_SIZE];
    size_t merge_count;
} srp_dimension;

typedef struct group_labels_cache group_labels_cache;

/* Cells by identity, for summaries that share one disclosure problem (a
 * publication): the same figure in two tables is then one cell. */
typedef struct srp_idmap srp_idmap;

typedef struct srp_stats_engine {
    sr_registry *reg;
    const sr_stats_query *q;
    const char *lang;
    const sr_form *forms[SRP_STATS_MAX_VERSIONS]; /* borrowed from the session (form_store_int.h) */
    int versions[SRP_STATS_MAX_VERSIONS];
    size_t version_count;
    const sr_form *intake_forms[SRP_STATS_MAX_VERSIONS];
    int intake_versions[SRP_STATS_MAX_VERSIONS];
    size_t intake_count;
    int repeatable;
    sr_phase phase;
    srp_variable *vars;
    size_t var_count, var_cap;
    /* Dimensions: the --by ones (shown in rows) and one per filter (unit,
     * status, period), whose whole partition is always computed so that a
     * filtered figure is protected exactly as the same figure unfiltered. */
    srp_dimension dims[SRP_STATS_MAX_DIMS];
    int dim_count;
    char from[SR_DATE_MAX + 1], to[SR_DATE_MAX + 1];
    srp_period_kind period_kind; /* of the window */
    char period_selected[16];    /* the window's period key, e.g. "2025-Q2" */
    char unit_filter[SR_UNIT_CODE_MAX + 1];
    /* The cell-key method (NULL: suppression), and the record key of the
     * case being gathered (stats_scan.c). */
    const srp_cellkey *ck;
    uint32_t case_key;
    char intake_id[SR_FORM_ID_MAX + 1];
    int need_intake;
    /* The units' names, for the labels of a unit dimension (parallel arrays). */
    char **unit_codes, **unit_names;
    size_t unit_count;
    /* A publication's shared problems (NULL for a summary of its own): the
     * groups' and the figures' cells by identity, and a salt mixed into
     * every identity (the form, and whether it is a change table), so that
     * figures of different forms never share a cell. */
    srp_idmap *group_map, *cell_map;
    unsigned long long salt;
    /* A live change table: the solved problems of the two tables that show
     * its margins, the intake's of closed cases ([0]) and the form's own
     * ([1]), with their cells by identity; NULL when not run. */
    const srp_sdc *margin_sdc[2];
    const srp_idmap *margin_map[2];
    /* Summaries in one problem (a publication, issue 16): per dimension,
     * the same query without it (for the unit: the summary of every unit
     * together), whose figures this one's groups along that dimension add
     * up to: each such sum is then that summary's cell, not a figure known
     * from outside. NULL: none (the sums are another query's figures).
     * Protected before this one. */
    const struct srp_stats_job *total_along[SRP_STATS_MAX_DIMS];
    /* A live summary of every unit together (issue 16): the same query of
     * the units, solved first on its own (its sums along the unit taken as
     * known), and its solved problem. A figure here whose every part it
     * publishes is known, so never a complement (srp_stats_protect). */
    const struct srp_stats_job *unit_parts;
    const srp_sdc *unit_parts_sdc;
    /* The cross-tables of items this summary solved by unit (stats_pairs.c):
     * per point without its unit, whether every unit's is published, so
     * that a summary of every unit reads them instead of solving them
     * again. Made by srp_stats_protect; freed with the engine. */
    struct srp_pair_memo *pair_memo;
    /* A live breakdown of two dimensions with an empty combination (issue
     * 16): per item dimension, the same query without it, solved as it
     * would be alone, and its solved problem. An empty combination whose 0
     * it publishes (that item's figure in the other's group) is public,
     * and published here too. NULL: none. */
    const struct srp_stats_job *coarser[SRP_STATS_MAX_DIMS];
    const srp_sdc *coarser_sdc[SRP_STATS_MAX_DIMS];
    /* stats_rows.c: the strings of the group and variable whose rows are
     * being made (interned in the result). */
    struct group_labels_cache {
        const void *slot;
        const char *label[2];
        const void *variable;
        const char *form, *item, *item_label;
    } labels;
} srp_stats_engine;

/* ---- accumulated groups (stats_group.c) ---- */

typedef struct srp_accum {
    long *counts; /* per code */
    long **pairs; /* change: [intake code][code] */
    long answered;
    long denominator;
    long top2; /* scale: people who gave one of the two highest steps */
    srp_hist values;
    /* Cell keys (cellkey.h) of the same figures, only under the cell-key
     * method: sums of the record keys of the people counted, mod 2^32. */
    uint32_t *kcounts;
    uint32_t **kpairs;
    uint32_t kanswered, kdenominator, ktop2;
} srp_accum;

typedef struct srp_slot {
    const char *key[SRP_STATS_MAX_DIMS]; /* interned in the slots' pool; "" when unused */
    int selected;                        /* published (every filter matches) */
    unsigned long long identity;         /* of the group, from its dimension=value pairs */
    long people;
    uint32_t kpeople; /* the cell key of people (cell-key method) */
    srp_accum *acc;   /* per variable */
} srp_slot;

typedef struct srp_strings srp_strings; /* an intern pool (stats.c) */

typedef struct srp_slots {
    srp_slot *items;
    size_t count, cap;
    size_t *table; /* open addressing: slot index + 1, 0 empty */
    size_t table_size;
    srp_strings *pool;
    /* The accumulators' shape, each variable's codes as the first slot was
     * made (merging options changes the variables: stats_merge.c). */
    size_t *ncodes;
    size_t var_count;
} srp_slots;

/* ---- the result (stats.c) ---- */

struct sr_stats {
    sr_stats_row *rows;
    size_t count, cap;
    srp_strings *strings; /* every string the rows point to, once each */
    char **notes;
    size_t note_count, note_cap;
    int min_cell;
    int change;
    char form[SR_FORM_ID_MAX + 1];
    char lang[3];
    char from[SR_DATE_MAX + 1], to[SR_DATE_MAX + 1];
    char unit[SR_UNIT_CODE_MAX + 1]; /* the unit the figures are of, "" for all */
    char status[8];                  /* "open", "closed", "" for both */
    char *versions;
    char generated_at[32];
    char by[2][SR_ITEM_ID_MAX + 1];
    char *title;
    /* A summary read from a publication: when and by whom it was published,
     * and the signer's fingerprint ("" and NULL for a live summary). */
    char published_at[32];
    char *published_by;
    char *signer;
    srp_ptable *ptable;             /* the cell-key method's, NULL under suppression */
    sr_stats_protection protection; /* what disclosure control hid (stats_protect.c) */
};

/* ---- interned strings (stats.c) ---- */

srp_strings *srp_strings_new(void);
void srp_strings_free(srp_strings *pool);
/* The pool's copy of s (made on first use); NULL for NULL or out of memory. */
const char *srp_strings_intern(srp_strings *pool, const char *s);

/* ---- variables (stats_vars.c) ---- */

/* Inline: the scan asks these once per answer. */
static inline int srp_stats_categorical(sr_item_type t)
{
    return t == SR_ITEM_BOOLEAN || t == SR_ITEM_CHOICE || t == SR_ITEM_MULTICHOICE ||
           t == SR_ITEM_SCALE;
}

static inline int srp_stats_numeric(sr_item_type t)
{
    return t == SR_ITEM_INTEGER || t == SR_ITEM_DECIMAL || t == SR_ITEM_SCALE;
}
/* The index of code in v, adding it when add (-1 absent, -2 out of memory). */
int srp_stats_code_index(srp_variable *v, const char *code, const char *label, int missing,
                         int add);
/* Builds the code list and option maps of a choice-like item across the
 * versions of one form; -1 when out of memory. */
int srp_stats_map_options(srp_variable *v, const sr_form *const *forms, size_t count,
                          const int *item_of, int **maps, const char *lang);
void srp_stats_variable_release(srp_variable *v);
/* Appends a variable named id (zeroed otherwise). */
sr_status srp_stats_add_variable(srp_stats_engine *e, const char *id, sr_error *err);
/* The variables of the form's versions, plus the derived ones. */
sr_status srp_stats_build_variables(srp_stats_engine *e, sr_error *err);
/* Pairs each variable with the same item of the intake (same type and codes). */
sr_status srp_stats_pair_with_intake(srp_stats_engine *e, sr_error *err);

/* ---- groups (stats_group.c) ---- */

/* FNV-1a of text, continuing from h. */
unsigned long long srp_stats_hash_text(unsigned long long h, const char *text);
sr_status srp_slots_init(srp_slots *s, sr_error *err);
/* The slot of keys (one per dimension), made on first use; -1 on error. */
long srp_slots_find(srp_stats_engine *e, srp_slots *s, char keys[][SRP_STATS_KEY_SIZE],
                    sr_error *err);
/* Adds the groups of from, scanned with the same variables but keyed by
 * other dimensions, to s: the key of s's dimension d is from's key
 * key_of[d], and the groups of from that share their keys in s are summed
 * (people are counted in one group of from each). SR_ERR_INVALID when the
 * variables differ from those of from. */
sr_status srp_slots_add(srp_stats_engine *e, srp_slots *s, const srp_slots *from, const int *key_of,
                        sr_error *err);
/* Whether slots scanned with e's variables as they are now could be added
 * to from or from to them (srp_slots_add). */
int srp_slots_fit(const srp_stats_engine *e, const srp_slots *from);
/* Sorts the slots by their keys (the lookup table is then dropped). */
void srp_slots_sort(srp_slots *s);
/* Adds an empty slot for every combination of the values the --by
 * dimensions have, within each combination of the filters' values found
 * (units, statuses, periods), and sorts: a listing of groups then never
 * tells which combinations are empty (with an item among the dimensions,
 * that would give away what a small group answered). Refused
 * (SR_ERR_USAGE) above SRP_STATS_MAX_GROUPS combinations of the --by
 * values, above SRP_STATS_MAX_FIGURES figures in them, or above
 * SRP_STATS_MAX_SLOTS groups with the filters'. */
#define SRP_STATS_MAX_GROUPS 20000
#define SRP_STATS_MAX_FIGURES 500000
#define SRP_STATS_MAX_SLOTS 200000
sr_status srp_slots_complete(srp_stats_engine *e, srp_slots *s, sr_error *err);
void srp_slots_release(srp_slots *s);
/* The code index of a choice-like coded value of an item read as type
 * (it->type: srp_stats_code_of), -1 when unanswered (inline: the scan asks
 * it once per answer, with type a constant where it knows it). */
static inline __attribute__((always_inline)) int
srp_stats_code_as(const srp_item *it, sr_item_type type, const srp_coded_value *cv, const int *map)
{
    if (!cv->present || !map)
        return -1;
    if (type == SR_ITEM_BOOLEAN)
        return map[cv->boolean ? 1 : 0];
    if (type == SR_ITEM_SCALE) {
        long k = (long)cv->number - (long)it->min;
        return k >= 0 && k <= (long)(it->max - it->min) ? map[k] : -1;
    }
    if (type == SR_ITEM_CHOICE)
        return map[cv->option];
    return -1;
}

static inline int srp_stats_code_of(const srp_item *it, const srp_coded_value *cv, const int *map)
{
    return srp_stats_code_as(it, it->type, cv, map);
}
/* The value of every dimension for one response. */
sr_status srp_stats_dim_values(srp_stats_engine *e, const char *date, const char *unit,
                               const char *birth, const char *status, const srp_coded_value *vals,
                               int vslot, const srp_coded_value *ivals, int islot,
                               char keys[][SRP_STATS_KEY_SIZE], sr_error *err);

/* ---- the scan (stats_scan.c) ---- */

sr_status srp_stats_scan(srp_stats_engine *e, srp_slots *s, sr_error *err);
/* The same scan into units (made here) with the case's unit as one more
 * dimension, the last, and units added up into s: what srp_stats_scan
 * gives in s, and the groups of the units' summary beside it, from one
 * pass. e must have no unit dimension. */
sr_status srp_stats_scan_by_unit(srp_stats_engine *e, srp_slots *s, srp_slots *units,
                                 sr_error *err);
sr_status srp_stats_scan_cases(srp_stats_engine *e, srp_slots *s, sr_error *err);

/* ---- disclosure control (stats_protect.c) ---- */

typedef struct srp_layout {
    size_t **denominator; /* per variable: per slot, the denominator's cell */
    size_t *group_cell;   /* per slot: group size cell */
    size_t **cells;       /* per variable: slot * columns */
    size_t *columns;      /* per variable */
    size_t **summary;     /* per variable: slot * 3 (improved, unchanged, worsened) */
    /* Per slot: the group is withheld whole (its size), whatever of its
     * figures the audit publishes (a provable zero shows, its base not). */
    unsigned char *group_hidden;
    /* Change: per variable, slot * SRP_MARGIN_STRIDE(ncodes): the intake
     * margins (the rows: ncodes), the closure margins (the columns: ncodes),
     * their denominators (the non-missing rows, columns) and the comparable
     * pairs (the summaries' denominator); (size_t)-1 where there is none. */
    size_t **margin;
    /* Per variable enabled by another's option (enable_when): per slot,
     * the cell of those who answered it; NULL for the others. */
    size_t **answered;
} srp_layout;

#define SRP_MARGIN_STRIDE(n) (2 * (n) + 3)
#define SRP_MARGIN_ROW_DEN(n) (2 * (n))
#define SRP_MARGIN_COL_DEN(n) (2 * (n) + 1)
#define SRP_MARGIN_COMPARABLE(n) (2 * (n) + 2)

srp_idmap *srp_idmap_new(void); /* NULL when out of memory */
void srp_idmap_free(srp_idmap *map);
/* The cell of identity, or (size_t)-1. */
size_t srp_idmap_find(const srp_idmap *map, unsigned long long identity);
int srp_idmap_put(srp_idmap *map, unsigned long long identity, size_t cell); /* -1 on OOM */

/* 0 improved, 1 unchanged, 2 worsened, -1 not comparable. */
int srp_stats_region_of(const srp_variable *v, size_t from, size_t to);
/* Lays out every figure as a cell of sdc, relates them and solves; -1 on OOM. */
int srp_stats_protect(srp_stats_engine *e, srp_slots *s, srp_sdc *sdc, srp_layout *lay);
/* The two stages of srp_stats_protect, for summaries that share problems:
 * the groups' sizes as cells of g (related, not solved), then, with g
 * solved, every figure as a cell of sdc (related, not solved). */
int srp_stats_protect_groups(srp_stats_engine *e, srp_slots *s, srp_sdc *g, srp_layout *lay);
int srp_stats_protect_figures(srp_stats_engine *e, srp_slots *s, srp_sdc *sdc, srp_sdc *g,
                              srp_layout *lay);
void srp_layout_release(const srp_stats_engine *e, srp_layout *lay);
/* The salt of a publication's table of form (a change table or not), mixed
 * into every identity of its figures (see srp_stats_engine.salt). */
unsigned long long srp_stats_table_salt(const char *form, int change);
/* The identity of name=value pairs, in name order (sorts the arrays). */
unsigned long long srp_stats_identity_of(const char **names, const char **values, int n);
/* The identity of slot keys' group with one more dimension name=value
 * (e.g. status=closed: the same people in a table filtered by status). */
unsigned long long srp_stats_group_identity_with(const srp_stats_engine *e, const char *const *keys,
                                                 const char *name, const char *value);
/* After the problem is solved: what it hid in this summary's figures. */
void srp_stats_protection(const srp_stats_engine *e, const srp_slots *s, const srp_sdc *sdc,
                          const srp_layout *lay, sr_stats_protection *out);

/* How much dearer a figure that readers read first is to withhold than the
 * cells beside it: a change summary (improved, unchanged, worsened) than
 * the pairs it sums, a scale's two top steps than the others. */
#define SRP_SUMMARY_COST_WEIGHT 10.0

/* ---- cross-tables of items (stats_pairs.c) ---- */

/* Whether v (a variable of e) is an item every version has and requires,
 * with no condition: then everyone in a group answered it, and its options
 * add up to the group (stats_protect.c). */
int srp_stats_required_everywhere(const srp_stats_engine *e, const srp_variable *v);
/* The same of item id, which may be an item dimension's (whose variable
 * has no versions of its own): its variable among e's tells; 0 when it
 * has none. */
int srp_stats_item_required_everywhere(const srp_stats_engine *e, const char *id);

/* The memo of srp_stats_engine.pair_memo: NULL when out of memory. */
struct srp_pair_memo *srp_stats_pair_memo_new(void);
void srp_stats_pair_memo_free(struct srp_pair_memo *m);

/* After srp_stats_protect_figures has laid out the figures (not solved):
 * each table of one of the summary's choice, boolean or scale items, with
 * its item dimensions (if any), is solved as a problem of its own, the
 * same in every query that shows it, and the figures follow it (published
 * ones are never complements, withheld ones are held). -1 on OOM. */
int srp_stats_pair_figures(const srp_stats_engine *e, const srp_slots *s, srp_sdc *sdc,
                           const srp_layout *lay);
/* The same for the groups of a breakdown by items (before g is solved). */
int srp_stats_pair_groups(const srp_stats_engine *e, const srp_slots *s, srp_sdc *g,
                          const srp_layout *lay);

/* ---- the cell-key method (stats_cellkey.c) ---- */

/* Opens the registry's cell-key method into *ck (NULL: suppression) and
 * points e at it. */
sr_status srp_stats_ck_begin(srp_stats_engine *e, srp_cellkey **ck, sr_error *err);
/* The notes of the method, and its pTable moved into the result (its JSON
 * settings); a no-op without ck. */
sr_status srp_stats_ck_finish(srp_stats_engine *e, srp_cellkey *ck, sr_stats *r, sr_error *err);
/* The cell keys of an accumulator: -1 when out of memory. */
int srp_stats_ck_init(srp_accum *a, size_t ncodes, int pairs);
void srp_stats_ck_release(srp_accum *a, size_t ncodes);
/* A count as published: perturbed at its cell key under the cell-key
 * method, else as it is. */
long srp_stats_ck_count(const srp_stats_engine *e, long count, uint32_t key);
/* Whether a statistic over n people (true; key of its cell) may be shown
 * under the cell-key method: the true and the perturbed n both reach
 * min_cell, and for a quartile 10. */
int srp_stats_ck_statistic_ok(const srp_stats_engine *e, long n, uint32_t key, int quartile);

/* ---- merging before suppressing (stats_merge.c) ---- */

/* Small periods of each period dimension merged with a neighbour; small
 * mergeable and missing options of choice items merged into one. Each
 * decides from the scanned slots s; when anything merges, *rescan is set,
 * s is released (scan it again) and the notes say what was merged. */
sr_status srp_stats_merge_periods(srp_stats_engine *e, srp_slots *s, sr_stats *r, int *rescan,
                                  sr_error *err);
sr_status srp_stats_merge_options(srp_stats_engine *e, srp_slots *s, sr_stats *r, int *rescan,
                                  sr_error *err);
/* The key a period key of dim is counted under (key itself when not merged). */
const char *srp_stats_period_merged(const srp_dimension *dim, const char *key);

/* ---- rows (stats_rows.c) ---- */

sr_stats_row *srp_stats_new_row(sr_stats *r);
int srp_stats_add_note(sr_stats *r, const char *text);
/* The tidy rows of every selected slot; -1 on OOM. */
int srp_stats_emit(srp_stats_engine *e, srp_slots *s, srp_sdc *sdc, srp_layout *lay, sr_stats *r);

/* ---- one summary's run in steps (stats.c), for summaries that share one
 * disclosure problem: prepare (check, set up, scan), protect (the stages of
 * stats_protect.c, into problems the caller may share), finish (the rows
 * and notes, from the solved problem). A job must not move once prepared:
 * its engine points into it. ---- */

typedef struct srp_stats_job {
    sr_stats_query q; /* the query run (min_cell filled in); its strings are the caller's */
    srp_stats_engine e;
    srp_slots s;
    srp_layout lay;
    srp_cellkey *ck; /* the cell-key method, NULL under suppression */
    sr_stats *r;     /* the result, owned by the job until taken (set to NULL) */
    /* SRP_JOB_UNITS: the first scan's groups by unit as well (the unit the
     * last dimension), from which a units' summary starts without a scan
     * of its own; empty when the job has a unit dimension. */
    srp_slots units;
} srp_stats_job;

/* Flags of srp_stats_job_prepare. SRP_JOB_RAISE: the query's min_cell may
 * lie above the registry's floor (a publication's own setting); live
 * summaries may not change it. SRP_JOB_PARTS: the units' summary that a
 * live summary of every unit together is checked against (stats.c), never
 * shown: of any unit, whatever units the user may see. */
#define SRP_JOB_RAISE 1
#define SRP_JOB_PARTS 2
/* SRP_JOB_UNITS: its units' summary may be wanted (a live summary of every
 * unit together, stats.c): the first scan keeps its groups by unit. */
#define SRP_JOB_UNITS 4
sr_status srp_stats_job_prepare(sr_registry *reg, const sr_stats_query *query, int flags,
                                srp_stats_job *job, sr_error *err);
sr_status srp_stats_job_finish(srp_stats_job *job, srp_sdc *sdc, sr_error *err);
/* Frees everything the job holds (the result too, unless taken); zeroes it. */
void srp_stats_job_release(srp_stats_job *job);

#endif
