/*
 * stats_hist.c - a histogram of numbers, sorted by value.
 */
#include "stats_hist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"

int srp_hist_add_n(srp_hist *h, double v, long n)
{
    size_t lo = 0, hi = h->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (h->values[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < h->n && h->values[lo] == v) {
        h->counts[lo] += n;
        h->total += n;
        return 0;
    }
    if (h->n == h->cap) {
        size_t cap = h->cap;
        if (srp_grow((void **)&h->values, &cap, h->n + 1, sizeof *h->values) != 0)
            return -1;
        cap = h->cap;
        if (srp_grow((void **)&h->counts, &cap, h->n + 1, sizeof *h->counts) != 0)
            return -1;
        h->cap = cap;
    }
    memmove(h->values + lo + 1, h->values + lo, (h->n - lo) * sizeof *h->values);
    memmove(h->counts + lo + 1, h->counts + lo, (h->n - lo) * sizeof *h->counts);
    h->values[lo] = v;
    h->counts[lo] = n;
    h->n++;
    h->total += n;
    return 0;
}

int srp_hist_add(srp_hist *h, double v)
{
    return srp_hist_add_n(h, v, 1);
}

int srp_hist_merge(srp_hist *h, const srp_hist *from)
{
    if (from->n == 0)
        return 0;
    /* Both ascending: merged into new arrays, equal values' counts summed. */
    size_t cap = h->n + from->n;
    double *values = malloc(cap * sizeof *values);
    long *counts = malloc(cap * sizeof *counts);
    if (!values || !counts) {
        free(values);
        free(counts);
        return -1;
    }
    size_t a = 0, b = 0, n = 0;
    while (a < h->n || b < from->n) {
        int take_a = b == from->n || (a < h->n && !(from->values[b] < h->values[a]));
        int take_b = a == h->n || (b < from->n && !(h->values[a] < from->values[b]));
        values[n] = take_a ? h->values[a] : from->values[b];
        counts[n++] = (take_a ? h->counts[a++] : 0) + (take_b ? from->counts[b++] : 0);
    }
    free(h->values);
    free(h->counts);
    h->values = values;
    h->counts = counts;
    h->n = n;
    h->cap = cap;
    h->total += from->total;
    return 0;
}

double srp_hist_rank(const srp_hist *h, long k)
{
    long seen = 0;
    for (size_t i = 0; i < h->n; i++) {
        seen += h->counts[i];
        if (k < seen)
            return h->values[i];
    }
    return h->n ? h->values[h->n - 1] : 0;
}

double srp_hist_quantile(const srp_hist *h, double p)
{
    if (h->total == 0)
        return 0;
    double pos = (double)(h->total - 1) * p;
    long lo = (long)floor(pos);
    double frac = pos - (double)lo;
    double a = srp_hist_rank(h, lo), b = srp_hist_rank(h, lo + 1 < h->total ? lo + 1 : lo);
    return a + (b - a) * frac;
}

double srp_hist_mean(const srp_hist *h)
{
    double sum = 0;
    for (size_t i = 0; i < h->n; i++)
        sum += h->values[i] * (double)h->counts[i];
    return h->total ? sum / (double)h->total : 0;
}

long srp_hist_at_most(const srp_hist *h, double v)
{
    long n = 0;
    for (size_t i = 0; i < h->n && h->values[i] <= v; i++)
        n += h->counts[i];
    return n;
}

long srp_hist_at_least(const srp_hist *h, double v)
{
    long n = 0;
    for (size_t i = 0; i < h->n; i++)
        if (h->values[i] >= v)
            n += h->counts[i];
    return n;
}

void srp_hist_release(srp_hist *h)
{
    free(h->values);
    free(h->counts);
    memset(h, 0, sizeof *h);
}
