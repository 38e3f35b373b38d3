/*
 * disclosure.c - primary and secondary cell suppression.
 */
#include "disclosure.h"

#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"

typedef struct relation {
    size_t first, count; /* into members */
    unsigned long long identity;
} relation;

struct srp_sdc {
    long min_cell;
    long *counts;
    unsigned long long *identity;
    unsigned char *state;
    size_t cells, cell_cap;
    size_t *members;
    size_t member_count, member_cap;
    relation *relations;
    size_t relation_count, relation_cap;
};

srp_sdc *srp_sdc_new(long min_cell)
{
    srp_sdc *s = calloc(1, sizeof *s);
    if (s)
        s->min_cell = min_cell;
    return s;
}

void srp_sdc_free(srp_sdc *s)
{
    if (!s)
        return;
    free(s->counts);
    free(s->identity);
    free(s->state);
    free(s->members);
    free(s->relations);
    free(s);
}

size_t srp_sdc_cell(srp_sdc *s, long count, int force, unsigned long long identity)
{
    size_t cap = s->cell_cap;
    if (srp_grow((void **)&s->counts, &cap, s->cells + 1, sizeof *s->counts) != 0)
        return (size_t)-1;
    cap = s->cell_cap;
    if (srp_grow((void **)&s->identity, &cap, s->cells + 1, sizeof *s->identity) != 0)
        return (size_t)-1;
    cap = s->cell_cap;
    if (srp_grow((void **)&s->state, &cap, s->cells + 1, sizeof *s->state) != 0)
        return (size_t)-1;
    s->cell_cap = cap;
    s->counts[s->cells] = count;
    s->identity[s->cells] = identity;
    s->state[s->cells] = force                               ? SRP_SDC_GROUP
                         : count >= 1 && count < s->min_cell ? SRP_SDC_SMALL
                                                             : SRP_SDC_PUBLISHED;
    return s->cells++;
}

void srp_sdc_force(srp_sdc *s, size_t cell, enum srp_sdc_reason reason)
{
    if (cell < s->cells && s->state[cell] == SRP_SDC_PUBLISHED)
        s->state[cell] = (unsigned char)reason;
}

int srp_sdc_relation(srp_sdc *s, const size_t *cells, size_t n)
{
    if (n < 2)
        return 0;
    if (srp_grow((void **)&s->members, &s->member_cap, s->member_count + n, sizeof *s->members) !=
            0 ||
        srp_grow((void **)&s->relations, &s->relation_cap, s->relation_count + 1,
                 sizeof *s->relations) != 0)
        return -1;
    s->relations[s->relation_count].first = s->member_count;
    s->relations[s->relation_count].count = n;
    /* An order-free fingerprint of the members: sum and xor of mixed ids. */
    unsigned long long sum = 0, mix = 0;
    for (size_t i = 0; i < n; i++) {
        s->members[s->member_count++] = cells[i];
        unsigned long long h = s->identity[cells[i]] * 0x9E3779B97F4A7C15ULL;
        sum += h;
        mix ^= (h << 7) | (h >> 57);
    }
    s->relations[s->relation_count].identity = sum ^ (mix * 0xBF58476D1CE4E5B9ULL);
    s->relation_count++;
    return 0;
}

typedef struct sized {
    size_t count, index;
    unsigned long long identity;
} sized;

static int by_size(const void *a, const void *b)
{
    const sized *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? -1 : 1;
    if (x->identity != y->identity)
        return x->identity < y->identity ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* A min-heap of relation positions (in the order relations are visited). */
typedef struct heap {
    size_t *items;
    size_t count, cap;
} heap;

static int heap_push(heap *h, size_t v)
{
    if (srp_grow((void **)&h->items, &h->cap, h->count + 1, sizeof *h->items) != 0)
        return -1;
    size_t i = h->count++;
    while (i > 0 && h->items[(i - 1) / 2] > v) {
        h->items[i] = h->items[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->items[i] = v;
    return 0;
}

static size_t heap_pop(heap *h)
{
    size_t top = h->items[0], v = h->items[--h->count], i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->count)
            break;
        if (c + 1 < h->count && h->items[c + 1] < h->items[c])
            c++;
        if (h->items[c] >= v)
            break;
        h->items[i] = h->items[c];
        i = c;
    }
    if (h->count)
        h->items[i] = v;
    return top;
}

/* Withholds the smallest published cell of relation r, preferring non-zero
 * ones (a zero tells less, but an all-zero rest must still hide); ties go
 * by identity. Returns the cell, or (size_t)-1 when none is published. */
static size_t pick(const srp_sdc *s, size_t r)
{
    const size_t *m = s->members + s->relations[r].first;
    size_t n = s->relations[r].count, best = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        size_t c = m[i];
        if (s->state[c] != SRP_SDC_PUBLISHED)
            continue;
        if (best == (size_t)-1)
            best = c;
        else if ((s->counts[best] == 0) != (s->counts[c] == 0))
            best = s->counts[c] != 0 ? c : best;
        else if (s->counts[c] < s->counts[best] ||
                 (s->counts[c] == s->counts[best] && s->identity[c] < s->identity[best]))
            best = c;
    }
    return best;
}

/* The relations are visited in sweeps, the most constrained (fewest cells)
 * first: the cell they force often settles the larger ones too, so fewer
 * figures go. A sweep takes every relation that has exactly one withheld
 * cell when its turn comes, until a sweep changes nothing. Rather than
 * visiting every relation in every sweep, only those whose count of
 * withheld cells has just become one are queued: for the current sweep when
 * their turn is still to come, else for the next. The outcome is that of
 * the plain sweeps, in time linear in the members (times a logarithm). */
size_t srp_sdc_solve(srp_sdc *s)
{
    size_t added = 0, nr = s->relation_count;
    sized *order = malloc((nr ? nr : 1) * sizeof *order);
    size_t *pos_of = malloc((nr ? nr : 1) * sizeof *pos_of);
    size_t *withheld = calloc(nr ? nr : 1, sizeof *withheld);
    size_t *start = calloc(s->cells + 1, sizeof *start); /* cell -> its positions */
    size_t *in = malloc((s->member_count ? s->member_count : 1) * sizeof *in);
    heap now = {NULL, 0, 0}, later = {NULL, 0, 0};
    if (!order || !pos_of || !withheld || !start || !in)
        goto out;
    for (size_t r = 0; r < nr; r++) {
        order[r].count = s->relations[r].count;
        order[r].identity = s->relations[r].identity;
        order[r].index = r;
    }
    qsort(order, nr, sizeof *order, by_size);
    for (size_t k = 0; k < nr; k++)
        pos_of[order[k].index] = k;
    /* Every membership, grouped by cell (counting sort). */
    for (size_t i = 0; i < s->member_count; i++)
        start[s->members[i] + 1]++;
    for (size_t c = 0; c < s->cells; c++)
        start[c + 1] += start[c];
    {
        size_t *fill = malloc((s->cells ? s->cells : 1) * sizeof *fill);
        if (!fill)
            goto out;
        memcpy(fill, start, s->cells * sizeof *fill);
        for (size_t r = 0; r < nr; r++) {
            const relation *rel = &s->relations[r];
            for (size_t i = 0; i < rel->count; i++)
                in[fill[s->members[rel->first + i]]++] = pos_of[r];
        }
        free(fill);
    }
    for (size_t r = 0; r < nr; r++) {
        const relation *rel = &s->relations[r];
        for (size_t i = 0; i < rel->count; i++)
            withheld[pos_of[r]] += s->state[s->members[rel->first + i]] != SRP_SDC_PUBLISHED;
    }
    for (size_t k = 0; k < nr; k++)
        if (withheld[k] == 1 && heap_push(&now, k) != 0)
            goto out;
    while (now.count || later.count) {
        if (!now.count) { /* the next sweep */
            heap t = now;
            now = later;
            later = t;
        }
        size_t k = heap_pop(&now);
        if (withheld[k] != 1)
            continue;
        size_t best = pick(s, order[k].index);
        if (best == (size_t)-1)
            continue;
        s->state[best] = SRP_SDC_SECONDARY;
        added++;
        for (size_t i = start[best]; i < start[best + 1]; i++) {
            size_t p = in[i];
            if (++withheld[p] == 1 && heap_push(p > k ? &now : &later, p) != 0)
                goto out;
        }
    }
out:
    free(order);
    free(pos_of);
    free(withheld);
    free(start);
    free(in);
    free(now.items);
    free(later.items);
    return added;
}

enum srp_sdc_reason srp_sdc_state(const srp_sdc *s, size_t cell)
{
    return cell < s->cells ? (enum srp_sdc_reason)s->state[cell] : SRP_SDC_PUBLISHED;
}

size_t srp_sdc_cell_count(const srp_sdc *s)
{
    return s->cells;
}
