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
    uint64_t *mask; /* per row: the columns blanked by local suppression */
    int32_t **rare; /* per CODE column: sorted codes fewer than k share */
    size_t *rare_count;
    int32_t **scarce; /* per CODE and AGE column: sorted values under a tenth have */
    size_t *scarce_count;
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
    t->scarce = calloc(count ? count : 1, sizeof *t->scarce);
    t->scarce_count = calloc(count ? count : 1, sizeof *t->scarce_count);
    if (!t->columns || !t->rare || !t->rare_count || !t->cells || !t->scarce || !t->scarce_count) {
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
    for (size_t c = 0; t->scarce && c < t->ncol; c++)
        free(t->scarce[c]);
    free(t->scarce);
    free(t->scarce_count);
    free(t->columns);
    for (size_t c = 0; t->cells && c < t->ncol; c++)
        free(t->cells[c].data);
    free(t->cells);
    free(t->mask);
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

static int in_sorted(const int32_t *r, size_t count, int32_t v)
{
    size_t lo = 0, hi = count;
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

static int is_rare(const srp_kanon *t, size_t c, int32_t v)
{
    return in_sorted(t->rare[c], t->rare_count[c], v);
}

static int32_t generalise(const srp_kanon *t, size_t c, int32_t v, int level)
{
    const srp_kanon_column *col = &t->columns[c];
    switch (col->kind) {
    case SRP_KANON_CODE:
        return v != SRP_KANON_EMPTY && level >= 1 && is_rare(t, c, v) ? SRP_KANON_OTHER : v;
    case SRP_KANON_NUMBER: {
        if (v == SRP_KANON_EMPTY || level >= 3)
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
        return v == SRP_KANON_EMPTY ? v : age_band_index(v, level >= 4);
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
        return level == 0 ? SRP_KANON_AS_IS : level >= 3 ? SRP_KANON_LEFT_OUT : SRP_KANON_BINS;
    case SRP_KANON_MONTH:
        return level >= 2 ? SRP_KANON_YEARS : SRP_KANON_AS_IS;
    case SRP_KANON_AGE:
        return level >= 4 ? SRP_KANON_WIDE_BANDS : SRP_KANON_BANDS;
    default:
        return SRP_KANON_AS_IS;
    }
}

int32_t srp_kanon_value(const srp_kanon *t, size_t row, size_t c)
{
    if (t->mask && (t->mask[row] >> c & 1))
        return SRP_KANON_EMPTY;
    return generalise(t, c, raw(t, row, c), t->level);
}

int32_t srp_kanon_generalised(const srp_kanon *t, size_t row, size_t c)
{
    return generalise(t, c, raw(t, row, c), t->level);
}

uint64_t srp_kanon_mask(const srp_kanon *t, size_t row)
{
    return t->mask ? t->mask[row] : 0;
}

int srp_kanon_blanked(const srp_kanon *t, size_t row)
{
    uint64_t m = t->mask ? t->mask[row] : 0;
    int n = 0;
    for (; m; m &= m - 1)
        n++;
    return n;
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
        ("small units and rare values merged into 'other', whole-number identifiers in "
         "five-year bins"),
        "dates coarsened to years", "whole-number identifiers left out",
        "age bands widened to 0-17 and 18+"};
    return level >= 1 && level < SRP_KANON_LEVELS ? steps[level] : "";
}

/* ---- classes -------------------------------------------------------------------------------- */

/* A cell as it reads with the row's blanked columns and extra ones. */
static int32_t cell(const srp_kanon *t, uint32_t r, size_t c, uint64_t extra)
{
    if ((t->mask[r] | extra) >> c & 1)
        return SRP_KANON_EMPTY;
    return generalise(t, c, raw(t, r, c), t->level);
}

static int key_cmp(const srp_kanon *t, uint32_t a, uint64_t ea, uint32_t b, uint64_t eb)
{
    for (size_t c = 0; c < t->ncol; c++) {
        int32_t x = cell(t, a, c, ea), y = cell(t, b, c, eb);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

/* Sorts rows by their cells with extra blanked (a bottom-up merge sort:
 * stable, no recursion). */
static void sort_rows(const srp_kanon *t, uint32_t *order, uint32_t *tmp, size_t n, uint64_t extra)
{
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, o = lo;
            while (i < mid && j < hi)
                tmp[o++] =
                    key_cmp(t, order[i], extra, order[j], extra) <= 0 ? order[i++] : order[j++];
            while (i < mid)
                tmp[o++] = order[i++];
            while (j < hi)
                tmp[o++] = order[j++];
        }
        memcpy(order, tmp, n * sizeof *order);
    }
}

static int int32_cmp(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return x < y ? -1 : x > y;
}

/* The values of column c that fewer than min rows share (raw, or as
 * generalised at the level reached), sorted, into *list. */
static int find_few(srp_kanon *t, size_t c, size_t min, int generalised, int32_t *scratch,
                    int32_t **list, size_t *list_count)
{
    size_t n = 0;
    for (size_t r = 0; r < t->rows; r++) {
        int32_t v = generalised ? generalise(t, c, raw(t, r, c), t->level) : raw(t, r, c);
        if (v != SRP_KANON_EMPTY)
            scratch[n++] = v;
    }
    qsort(scratch, n, sizeof *scratch, int32_cmp);
    size_t count = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && scratch[j] == scratch[i])
            j++;
        if (j - i < min)
            scratch[count++] = scratch[i]; /* count <= i: never overwrites what is unread */
        i = j;
    }
    free(*list);
    *list = malloc((count ? count : 1) * sizeof **list);
    if (!*list)
        return -1;
    memcpy(*list, scratch, count * sizeof *scratch);
    *list_count = count;
    return 0;
}

/* Sorts every row by its cells and marks small[r] for the rows in classes
 * smaller than k; returns how many. order is left sorted. */
static size_t find_small(const srp_kanon *t, uint32_t *order, uint32_t *tmp, unsigned char *small,
                         int k)
{
    size_t n = t->rows, count = 0;
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    sort_rows(t, order, tmp, n, 0);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && key_cmp(t, order[i], 0, order[j], 0) == 0)
            j++;
        for (size_t x = i; x < j; x++)
            small[order[x]] = j - i < (size_t)k;
        if (j - i < (size_t)k)
            count += j - i;
        i = j;
    }
    return count;
}

/* How much is lost by blanking column c: dates and whole numbers least,
 * then codes, age bands most (what an evaluation groups by). */
static int weight(const srp_kanon *t, size_t c)
{
    if (t->columns[c].weight > 0)
        return t->columns[c].weight;
    switch (t->columns[c].kind) {
    case SRP_KANON_MONTH:
    case SRP_KANON_YEAR:
    case SRP_KANON_NUMBER:
        return 1;
    case SRP_KANON_AGE:
        return 4;
    default:
        return 3;
    }
}

/* The patterns tried, cheapest first: every set of one, two or three
 * columns (two with more than eight), by summed weight, then size. */
typedef struct pattern {
    uint64_t mask;
    int cost, size;
} pattern;

static int pattern_cmp(const void *a, const void *b)
{
    const pattern *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost - y->cost;
    if (x->size != y->size)
        return x->size - y->size;
    return x->mask < y->mask ? -1 : x->mask > y->mask;
}

static pattern *make_patterns(const srp_kanon *t, size_t *count)
{
    size_t m = t->ncol, most = m > 8 ? 2 : 3;
    size_t cap = m + m * m + m * m * m + 1, n = 0;
    pattern *p = malloc(cap * sizeof *p);
    if (!p)
        return NULL;
    for (size_t a = 0; a < m; a++) {
        p[n++] = (pattern){(uint64_t)1 << a, weight(t, a), 1};
        for (size_t b = a + 1; most >= 2 && b < m; b++) {
            p[n++] =
                (pattern){((uint64_t)1 << a) | ((uint64_t)1 << b), weight(t, a) + weight(t, b), 2};
            for (size_t c = b + 1; most >= 3 && c < m; c++)
                p[n++] = (pattern){((uint64_t)1 << a) | ((uint64_t)1 << b) | ((uint64_t)1 << c),
                                   weight(t, a) + weight(t, b) + weight(t, c), 3};
        }
    }
    qsort(p, n, sizeof *p, pattern_cmp);
    *count = n;
    return p;
}

/* How many rows of the sorted settled rows read as row r with extra
 * blanked (binary search for the first and last). */
static size_t settled_like(const srp_kanon *t, const uint32_t *settled, size_t n, uint32_t r,
                           uint64_t extra)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (key_cmp(t, settled[mid], 0, r, extra) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t first = lo;
    hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (key_cmp(t, settled[mid], 0, r, extra) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo - first;
}

/* What blanking pattern p costs for row r: the columns' weights, each three
 * times when r's value there is scarce (under a tenth of the table have
 * it), so that the few in a small group are not the ones who always lose
 * what makes them a group. */
static int row_cost(const srp_kanon *t, const pattern *p, uint32_t r)
{
    int cost = 0;
    for (size_t c = 0; c < t->ncol; c++) {
        if (!(p->mask >> c & 1))
            continue;
        int32_t v = cell(t, r, c, 0);
        int scarce = v != SRP_KANON_EMPTY && in_sorted(t->scarce[c], t->scarce_count[c], v);
        cost += weight(t, c) * (scarce ? 3 : 1);
    }
    return cost;
}

/* A group costs what it costs the member who loses most. */
static int group_cost(const srp_kanon *t, const pattern *p, const uint32_t *rows, size_t from,
                      size_t to)
{
    int most = 0;
    for (size_t x = from; x < to; x++) {
        int c = row_cost(t, p, rows[x]);
        if (c > most)
            most = c;
    }
    return most;
}

/* One round of local suppression. For the rows still in small classes,
 * each pattern's groups (the rows that read the same with it blanked) that
 * reach k, with each other or with settled rows that read the same, are
 * what it could settle; the pattern that settles some at the least cost is
 * applied to every group of it at that cost. Returns 1 when a pattern was
 * applied. */
static int suppress_round(srp_kanon *t, const pattern *pats, size_t npat, uint32_t *order,
                          uint32_t *tmp, unsigned char *small, int k)
{
    size_t n = t->rows, nsmall = 0, nsettled = 0;
    (void)find_small(t, order, tmp, small, k);
    /* order: the settled rows first (still sorted), then the small ones. */
    for (size_t i = 0; i < n; i++)
        if (!small[order[i]])
            tmp[nsettled++] = order[i];
    for (size_t i = 0; i < n; i++)
        if (small[order[i]])
            tmp[nsettled + nsmall++] = order[i];
    if (nsmall == 0)
        return 0;
    memcpy(order, tmp, n * sizeof *order);
    uint32_t *settled = order, *out = order + nsettled, *scratch = tmp + nsettled;
    int best_cost = -1;
    size_t best = npat;
    /* Patterns come cheapest first and no group costs less than its
     * pattern's weights: stop when a pattern cannot beat the best. */
    for (size_t p = 0; p < npat && (best_cost < 0 || pats[p].cost < best_cost); p++) {
        uint64_t extra = pats[p].mask;
        sort_rows(t, out, scratch, nsmall, extra);
        for (size_t i = 0; i < nsmall;) {
            size_t j = i + 1;
            while (j < nsmall && key_cmp(t, out[i], extra, out[j], extra) == 0)
                j++;
            int cost = group_cost(t, &pats[p], out, i, j);
            if ((best_cost < 0 || cost < best_cost) &&
                j - i + settled_like(t, settled, nsettled, out[i], extra) >= (size_t)k) {
                best_cost = cost;
                best = p;
            }
            i = j;
        }
    }
    if (best == npat)
        return 0;
    uint64_t extra = pats[best].mask;
    sort_rows(t, out, scratch, nsmall, extra);
    for (size_t i = 0; i < nsmall;) {
        size_t j = i + 1;
        while (j < nsmall && key_cmp(t, out[i], extra, out[j], extra) == 0)
            j++;
        if (group_cost(t, &pats[best], out, i, j) <= best_cost &&
            j - i + settled_like(t, settled, nsettled, out[i], extra) >= (size_t)k)
            for (size_t x = i; x < j; x++)
                t->mask[out[x]] |= extra;
        i = j;
    }
    return 1;
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
    if (n >= UINT32_MAX)
        return srp_error_set(err, SR_ERR_USAGE, "too many rows for k-anonymity");
    if (t->ncol > 64)
        return srp_error_set(err, SR_ERR_USAGE, "too many quasi-identifiers for k-anonymity");
    sr_status rc = SR_OK;
    uint32_t *order = NULL, *tmp = NULL;
    unsigned char *small = NULL;
    pattern *pats = NULL;
    size_t npat = 0;
    free(t->mask);
    t->level = 0;
    t->mask = calloc(n, sizeof *t->mask);
    if (!t->mask)
        goto oom;
    /* Rare codes first, so that the scratch is gone before the sort. */
    int32_t *scratch = malloc(n * sizeof *scratch);
    if (!scratch)
        goto oom;
    for (size_t c = 0; c < t->ncol; c++)
        if (t->columns[c].kind == SRP_KANON_CODE &&
            find_few(t, c, (size_t)k, 0, scratch, &t->rare[c], &t->rare_count[c]) != 0) {
            free(scratch);
            goto oom;
        }
    free(scratch);
    order = malloc(n * sizeof *order);
    tmp = malloc(n * sizeof *tmp);
    small = malloc(n);
    pats = make_patterns(t, &npat);
    if (!order || !tmp || !small || !pats)
        goto oom;
    /* Global recoding: levels 1-3 while more than max(n / 100, k) stand
     * out; the age bands are widened (level 4) only when more than a third
     * would still stand out, for local suppression is then cheaper. */
    size_t allowed = n / 100 > (size_t)k ? n / 100 : (size_t)k;
    for (int level = 0;; level++) {
        t->level = level;
        size_t outliers = find_small(t, order, tmp, small, k);
        res->level = level;
        res->outliers = outliers;
        if (level == SRP_KANON_LEVELS - 1 || outliers <= allowed ||
            (level == SRP_KANON_LEVELS - 2 && outliers * 3 <= n))
            break;
    }
    /* Local suppression, a pattern at a time, knowing which values are
     * scarce at the level reached. */
    int32_t *values = malloc(n * sizeof *values);
    if (!values)
        goto oom;
    for (size_t c = 0; c < t->ncol; c++)
        if ((t->columns[c].kind == SRP_KANON_CODE || t->columns[c].kind == SRP_KANON_AGE) &&
            find_few(t, c, (n + 9) / 10, 1, values, &t->scarce[c], &t->scarce_count[c]) != 0) {
            free(values);
            goto oom;
        }
    free(values);
    while (suppress_round(t, pats, npat, order, tmp, small, k))
        ;
    /* Whoever still stands out is blanked whole; when those are fewer than
     * k, more join them from the largest classes (never taking one below
     * k), then whole classes, smallest first. */
    uint64_t all = t->ncol == 64 ? UINT64_MAX : (((uint64_t)1 << t->ncol) - 1);
    (void)find_small(t, order, tmp, small, k);
    for (size_t r = 0; r < n; r++)
        if (small[r])
            t->mask[r] = all;
    for (;;) {
        (void)find_small(t, order, tmp, small, k);
        size_t empty = 0, best = n, best_size = 0, smallest = n, smallest_size = 0;
        for (size_t i = 0; i < n;) {
            size_t j = i + 1;
            while (j < n && key_cmp(t, order[i], 0, order[j], 0) == 0)
                j++;
            if (key_cmp(t, order[i], 0, order[i], all) == 0)
                empty = j - i;
            else if (j - i > (size_t)k && j - i > best_size)
                best = i, best_size = j - i;
            else if (j - i <= (size_t)k && (smallest == n || j - i < smallest_size))
                smallest = i, smallest_size = j - i;
            i = j;
        }
        if (empty == 0 || empty >= (size_t)k)
            break;
        if (best < n) {
            t->mask[order[best]] = all;
        } else if (smallest < n) {
            for (size_t x = smallest; x < smallest + smallest_size; x++)
                t->mask[order[x]] = all;
        } else {
            break; /* everyone is blank: one class of n >= k */
        }
    }
    for (size_t r = 0; r < n; r++) {
        if (!t->mask[r])
            continue;
        res->blanked++;
        res->all_blanked += t->mask[r] == all;
        for (uint64_t m = t->mask[r]; m; m &= m - 1)
            res->cells++;
    }
    t->ran = 1;
    goto out;
oom:
    rc = srp_error_set(err, SR_ERR_NOMEM, "out of memory");
out:
    free(order);
    free(tmp);
    free(small);
    free(pats);
    return rc;
}
