/*
 * stats_hist.h - a histogram of numbers for summaries (internal): the
 * distinct values seen and how often, in ascending order, from which the
 * mean and the quantiles are computed exactly. Memory grows with the
 * number of distinct values, not of people. It knows nothing of forms,
 * groups or disclosure control.
 */
#ifndef SIGREG_STATS_HIST_H
#define SIGREG_STATS_HIST_H

#include <stddef.h>

typedef struct srp_hist {
    double *values; /* ascending, distinct */
    long *counts;   /* how often each value was added */
    size_t n, cap;
    long total; /* the sum of counts */
} srp_hist;

/* A zeroed srp_hist is empty. Adds one observation; -1 when out of memory
 * (the histogram is then as before). */
int srp_hist_add(srp_hist *h, double v);
/* Adds n observations of v (n >= 1); -1 when out of memory, as
 * srp_hist_add. */
int srp_hist_add_n(srp_hist *h, double v, long n);
/* Adds every observation of from to h; -1 when out of memory (h is then
 * as before). */
int srp_hist_merge(srp_hist *h, const srp_hist *from);
/* The value at 0-based rank k (0 for an empty histogram). */
double srp_hist_rank(const srp_hist *h, long k);
/* Quantile p (0..1) by linear interpolation between order statistics
 * (R's type 7); 0 for an empty histogram. */
double srp_hist_quantile(const srp_hist *h, double p);
/* The arithmetic mean; 0 for an empty histogram. */
double srp_hist_mean(const srp_hist *h);
/* How many observations are at most / at least v. */
long srp_hist_at_most(const srp_hist *h, double v);
long srp_hist_at_least(const srp_hist *h, double v);
/* Frees what h holds and empties it. */
void srp_hist_release(srp_hist *h);

#endif
