/*
 * kanon.c - k-anonymity over a plain table: generalisation in levels, then
 * blanking.
 */
#include "kanon.h"

#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/error.h"

/* Cells are stored by column, as int16 while every value of the column fits
 * and as int32 from the first that does not. */
typedef struct kcol {
    int wide;
    void *data; /* int16_t or int32_t [cap] */
} kcol;

#define NARROW_EMPTY INT16_MIN

struct srp_kanon {
    srp_kanon_column *columns;
    size_t ncol;
    kcol *cells;
    size_t rows, cap;
    unsigned char *blanked;
    int32_t **rare; /* per CODE column: sorted codes fewer than k share */
    size_t *rare_count;
    int level;
    int ran;
};

srp_kanon *srp_kanon_new(const srp_kanon_column *columns, size_t count)
{
    srp_kanon *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->columns = calloc(count ? count : 1, sizeof *t->columns);
    t->rare = calloc(count ? count : 1, sizeof *t->rare);
    t->rare_count = calloc(count ? count : 1, sizeof *t->rare_count);
    t->cells = calloc(count ? count : 1, sizeof *t->cells);
    if (!t->columns || !t->rare || !t->rare_count || !t->cells) {
        srp_kanon_free(t);
        return NULL;
    }
    memcpy(t->columns, columns, count * sizeof *columns);
    for (size_t c = 0; c < count; c++)
        if (t->columns[c].scale <= 0)
            t->columns[c].scale = 1;
    t->ncol = count;
    return t;
}

void srp_kanon_free(srp_kanon *t)
{
    if (!t)
        return;
    for (size_t c = 0; t->rare && c < t->ncol; c++)
        free(t->rare[c]);
    free(t->rare);
    free(t->rare_count);
    free(t->columns);
    for (size_t c = 0; t->cells && c < t->ncol; c++)
        free(t->cells[c].data);
    free(t->cells);
    free(t->blanked);
    free(t);
}

static int32_t raw(const srp_kanon *t, size_t row, size_t c)
{
    if (t->cells[c].wide)
        return ((const int32_t *)t->cells[c].data)[row];
    int16_t v = ((const int16_t *)t->cells[c].data)[row];
    return v == NARROW_EMPTY ? SRP_KANON_EMPTY : v;
}

static int widen(srp_kanon *t, size_t c)
{
    int32_t *wide = malloc((t->cap ? t->cap : 1) * sizeof *wide);
    if (!wide)
        return -1;
    for (size_t r = 0; r < t->rows; r++)
        wide[r] = raw(t, r, c);
    free(t->cells[c].data);
    t->cells[c].data = wide;
    t->cells[c].wide = 1;
    return 0;
}

long srp_kanon_add(srp_kanon *t, const int32_t *values)
{
    if (t->rows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        for (size_t c = 0; c < t->ncol; c++) {
            void *d = realloc(t->cells[c].data, cap * (t->cells[c].wide ? 4 : 2));
            if (!d)
                return -1;
            t->cells[c].data = d;
        }
        t->cap = cap;
    }
    for (size_t c = 0; c < t->ncol; c++) {
        int32_t v = values[c];
        if (!t->cells[c].wide && v != SRP_KANON_EMPTY && (v <= INT16_MIN + 1 || v > INT16_MAX) &&
            widen(t, c) != 0)
            return -1;
        if (t->cells[c].wide)
            ((int32_t *)t->cells[c].data)[t->rows] = v;
        else
            ((int16_t *)t->cells[c].data)[t->rows] =
                (int16_t)(v == SRP_KANON_EMPTY ? NARROW_EMPTY : v);
    }
    return (long)t->rows++;
}

size_t srp_kanon_rows(const srp_kanon *t)
{
    return t->rows;
}

/* ---- generalisation ------------------------------------------------------------------------- */

static int32_t floor_div(int32_t a, int32_t b)
{
    int32_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int32_t age_band_index(int32_t age, int wide)
{
    if (wide)
        return age < 18 ? 0 : 1;
    return age < 12 ? 0 : age <= 14 ? 1 : age <= 17 ? 2 : age <= 20 ? 3 : 4;
}

static int is_rare(const srp_kanon *t, size_t c, int32_t v)
{
    const int32_t *r = t->rare[c];
    size_t lo = 0, hi = t->rare_count[c];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r[mid] < v)
            lo = mid + 1;
        else if (r[mid] > v)
            hi = mid;
        else
            return 1;
    }
    return 0;
}

static int32_t generalise(const srp_kanon *t, size_t c, int32_t v, int level)
{
    const srp_kanon_column *col = &t->columns[c];
    switch (col->kind) {
    case SRP_KANON_CODE:
        return v != SRP_KANON_EMPTY && level >= 1 && is_rare(t, c, v) ? SRP_KANON_OTHER : v;
    case SRP_KANON_NUMBER: {
        if (v == SRP_KANON_EMPTY || level >= 4)
            return SRP_KANON_EMPTY;
        if (level == 0)
            return v;
        int32_t whole = v / col->scale; /* toward zero, as a whole number is read */
        int32_t rem = ((whole % 5) + 5) % 5;
        return whole - rem;
    }
    case SRP_KANON_MONTH:
        return v == SRP_KANON_EMPTY || level < 2 ? v : floor_div(v, 12);
    case SRP_KANON_AGE:
        return v == SRP_KANON_EMPTY ? v : age_band_index(v, level >= 3);
    case SRP_KANON_YEAR:
    default:
        return v;
    }
}

srp_kanon_form srp_kanon_column_form(const srp_kanon *t, size_t c)
{
    int level = t->level;
    switch (t->columns[c].kind) {
    case SRP_KANON_NUMBER:
        return level == 0 ? SRP_KANON_AS_IS : level >= 4 ? SRP_KANON_LEFT_OUT : SRP_KANON_BINS;
    case SRP_KANON_MONTH:
        return level >= 2 ? SRP_KANON_YEARS : SRP_KANON_AS_IS;
    case SRP_KANON_AGE:
        return level >= 3 ? SRP_KANON_WIDE_BANDS : SRP_KANON_BANDS;
    default:
        return SRP_KANON_AS_IS;
    }
}

int32_t srp_kanon_value(const srp_kanon *t, size_t row, size_t c)
{
    if (t->blanked && t->blanked[row])
        return SRP_KANON_EMPTY;
    return generalise(t, c, raw(t, row, c), t->level);
}

int srp_kanon_blanked(const srp_kanon *t, size_t row)
{
    return t->blanked ? t->blanked[row] : 0;
}

const char *srp_kanon_age_band(int32_t band, int wide)
{
    static const char *const narrow[] = {"0-11", "12-14", "15-17", "18-20", "21+"};
    static const char *const widened[] = {"0-17", "18+"};
    if (band == SRP_KANON_EMPTY)
        return "unknown";
    if (wide)
        return band >= 0 && band < 2 ? widened[band] : "unknown";
    return band >= 0 && band < 5 ? narrow[band] : "unknown";
}

const char *srp_kanon_step(int level)
{
    static const char *const steps[SRP_KANON_LEVELS] = {
        "",
        "small units and rare values merged into 'other', whole-number identifiers in "
        "five-year bins",
        "dates coarsened to years", "age bands widened to 0-17 and 18+",
        "whole-number identifiers left out"};
    return level >= 1 && level < SRP_KANON_LEVELS ? steps[level] : "";
}

/* ---- classes -------------------------------------------------------------------------------- */

/* Compares two rows' generalised tuples at a level. */
static int tuple_cmp(const srp_kanon *t, uint32_t a, uint32_t b, int level)
{
    for (size_t c = 0; c < t->ncol; c++) {
        int32_t x = generalise(t, c, raw(t, a, c), level);
        int32_t y = generalise(t, c, raw(t, b, c), level);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return a < b ? -1 : a > b;
}

/* Sorts rows by tuple (a bottom-up merge sort: stable, no recursion). */
static void sort_rows(const srp_kanon *t, uint32_t *order, uint32_t *tmp, size_t n, int level)
{
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, o = lo;
            while (i < mid && j < hi)
                tmp[o++] = tuple_cmp(t, order[i], order[j], level) <= 0 ? order[i++] : order[j++];
            while (i < mid)
                tmp[o++] = order[i++];
            while (j < hi)
                tmp[o++] = order[j++];
        }
        memcpy(order, tmp, n * sizeof *order);
    }
}

static int same_class(const srp_kanon *t, uint32_t a, uint32_t b, int level)
{
    for (size_t c = 0; c < t->ncol; c++)
        if (generalise(t, c, raw(t, a, c), level) != generalise(t, c, raw(t, b, c), level))
            return 0;
    return 1;
}

static int int32_cmp(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return x < y ? -1 : x > y;
}

/* The codes of column c that fewer than k rows share. */
static int find_rare(srp_kanon *t, size_t c, int k, int32_t *scratch)
{
    size_t n = 0;
    for (size_t r = 0; r < t->rows; r++)
        if (raw(t, r, c) != SRP_KANON_EMPTY)
            scratch[n++] = raw(t, r, c);
    qsort(scratch, n, sizeof *scratch, int32_cmp);
    size_t count = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && scratch[j] == scratch[i])
            j++;
        if (j - i < (size_t)k)
            scratch[count++] = scratch[i]; /* count <= i: never overwrites what is unread */
        i = j;
    }
    free(t->rare[c]);
    t->rare[c] = malloc((count ? count : 1) * sizeof **t->rare);
    if (!t->rare[c])
        return -1;
    memcpy(t->rare[c], scratch, count * sizeof *scratch);
    t->rare_count[c] = count;
    return 0;
}

#define NOT_START UINT32_MAX

/* The end of the class that starts at order position i (see srp_kanon_run). */
static size_t class_end(const uint32_t *left, size_t n, size_t i)
{
    size_t j = i + 1;
    while (j < n && left[j] == NOT_START)
        j++;
    return j;
}

sr_status srp_kanon_run(srp_kanon *t, int k, srp_kanon_result *res, sr_error *err)
{
    memset(res, 0, sizeof *res);
    if (k < 2)
        return srp_error_set_where(err, SR_ERR_USAGE, "k", "k must be at least 2, not %d", k);
    size_t n = t->rows;
    if (n < (size_t)k)
        return srp_error_set_where(err, SR_ERR_STATE, "k",
                                   "only %zu people would be in the extract: fewer than k = %d", n,
                                   k);
    if (n >= NOT_START)
        return srp_error_set(err, SR_ERR_USAGE, "too many rows for k-anonymity");
    sr_status rc = SR_OK;
    uint32_t *order = NULL, *tmp = NULL;
    free(t->blanked);
    t->blanked = NULL;
    t->level = 0;
    /* Rare codes first, so that the scratch is gone before the sort. */
    int32_t *scratch = malloc(n * sizeof *scratch);
    if (!scratch)
        goto oom;
    for (size_t c = 0; c < t->ncol; c++)
        if (t->columns[c].kind == SRP_KANON_CODE && find_rare(t, c, k, scratch) != 0) {
            free(scratch);
            goto oom;
        }
    free(scratch);
    order = malloc(n * sizeof *order);
    tmp = malloc(n * sizeof *tmp);
    if (!order || !tmp)
        goto oom;
    size_t allowed = n / 100 > (size_t)k ? n / 100 : (size_t)k;
    for (int level = 0;; level++) {
        for (size_t i = 0; i < n; i++)
            order[i] = (uint32_t)i;
        sort_rows(t, order, tmp, n, level);
        size_t outliers = 0;
        for (size_t i = 0; i < n;) {
            size_t j = i + 1;
            while (j < n && same_class(t, order[i], order[j], level))
                j++;
            if (j - i < (size_t)k)
                outliers += j - i;
            i = j;
        }
        t->level = level;
        res->level = level;
        res->outliers = outliers;
        if (outliers <= allowed || level == SRP_KANON_LEVELS - 1)
            break;
    }
    /* left[i]: at the first position of a class, how many of it are not
     * blanked; NOT_START at every other position. */
    uint32_t *left = tmp;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && same_class(t, order[i], order[j], t->level))
            j++;
        left[i] = (uint32_t)(j - i);
        for (size_t x = i + 1; x < j; x++)
            left[x] = NOT_START;
        i = j;
    }
    t->blanked = calloc(n, 1);
    if (!t->blanked)
        goto oom;
    /* Everyone in a class smaller than k. */
    size_t blanked = 0;
    for (size_t i = 0; i < n; i = class_end(left, n, i))
        if (left[i] < (uint32_t)k) {
            for (size_t x = i; x < class_end(left, n, i); x++)
                t->blanked[order[x]] = 1;
            blanked += left[i];
            left[i] = 0;
        }
    /* Fewer than k blanked: one at a time from the largest class above k. */
    while (blanked > 0 && blanked < (size_t)k) {
        size_t best = n;
        for (size_t i = 0; i < n; i = class_end(left, n, i))
            if (left[i] > (uint32_t)k && (best == n || left[i] > left[best]))
                best = i;
        if (best == n)
            break;
        size_t x = best;
        while (t->blanked[order[x]])
            x++;
        t->blanked[order[x]] = 1;
        left[best]--;
        blanked++;
    }
    /* Still short: whole classes, smallest first (at worst everyone). */
    while (blanked > 0 && blanked < (size_t)k) {
        size_t best = n;
        for (size_t i = 0; i < n; i = class_end(left, n, i))
            if (left[i] > 0 && (best == n || left[i] < left[best]))
                best = i;
        if (best == n)
            break;
        for (size_t x = best; x < class_end(left, n, best); x++)
            if (!t->blanked[order[x]]) {
                t->blanked[order[x]] = 1;
                blanked++;
            }
        left[best] = 0;
    }
    res->blanked = blanked;
    t->ran = 1;
    goto out;
oom:
    rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
out:
    free(order);
    free(tmp);
    return rc;
}
