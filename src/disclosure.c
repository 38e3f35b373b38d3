/*
 * disclosure.c - primary and secondary cell suppression.
 */
#include "disclosure.h"

#include <stdlib.h>

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
    s->state[s->cells] = force                                 ? SRP_SDC_GROUP
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
    if (srp_grow((void **)&s->members, &s->member_cap, s->member_count + n, sizeof *s->members) != 0 ||
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

size_t srp_sdc_solve(srp_sdc *s)
{
    size_t added = 0;
    int changed = 1;
    /* The most constrained relations (fewest cells) first: the cell they
     * force often settles the larger ones too, so fewer figures go. */
    sized *order = malloc((s->relation_count ? s->relation_count : 1) * sizeof *order);
    if (!order)
        return 0;
    for (size_t r = 0; r < s->relation_count; r++) {
        order[r].count = s->relations[r].count;
        order[r].identity = s->relations[r].identity;
        order[r].index = r;
    }
    qsort(order, s->relation_count, sizeof *order, by_size);
    while (changed) {
        changed = 0;
        for (size_t k = 0; k < s->relation_count; k++) {
            size_t r = order[k].index;
            const size_t *m = s->members + s->relations[r].first;
            size_t n = s->relations[r].count, withheld = 0;
            for (size_t i = 0; i < n; i++)
                withheld += s->state[m[i]] != SRP_SDC_PUBLISHED;
            if (withheld != 1)
                continue;
            /* Withhold the smallest published cell, preferring non-zero ones
             * (a zero tells less, but an all-zero rest must still hide). */
            size_t best = (size_t)-1;
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
            if (best != (size_t)-1) {
                s->state[best] = SRP_SDC_SECONDARY;
                added++;
                changed = 1;
            }
        }
    }
    free(order);
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
