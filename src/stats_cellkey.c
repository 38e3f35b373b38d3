/*
 * stats_cellkey.c - the summary engine's side of the cell-key method
 * (cellkey.h): the cell keys kept beside each accumulator's counts, and the
 * counts and statistics as published. Under suppression (e->ck NULL) every
 * function here leaves the figures as they are.
 */
#include <stdio.h>
#include <stdlib.h>

#include "base/error.h"
#include "base/texts.h"

#include "stats_int.h"

int srp_stats_ck_init(srp_accum *a, size_t ncodes, int pairs)
{
    if (ncodes && !(a->kcounts = calloc(ncodes, sizeof *a->kcounts)))
        return -1;
    if (pairs && ncodes) {
        if (!(a->kpairs = calloc(ncodes, sizeof *a->kpairs)))
            return -1;
        for (size_t c = 0; c < ncodes; c++)
            if (!(a->kpairs[c] = calloc(ncodes, sizeof **a->kpairs)))
                return -1;
    }
    return 0;
}

void srp_stats_ck_release(srp_accum *a, size_t ncodes)
{
    free(a->kcounts);
    if (a->kpairs)
        for (size_t c = 0; c < ncodes; c++)
            free(a->kpairs[c]);
    free(a->kpairs);
    a->kcounts = NULL;
    a->kpairs = NULL;
}

long srp_stats_ck_count(const srp_stats_engine *e, long count, uint32_t key)
{
    return e->ck ? srp_cellkey_perturb(e->ck, count, key) : count;
}

int srp_stats_ck_statistic_ok(const srp_stats_engine *e, long n, uint32_t key, int quartile)
{
    long need = e->q->min_cell;
    if (quartile && need < 10)
        need = 10;
    return n >= need && srp_cellkey_perturb(e->ck, n, key) >= need;
}

sr_status srp_stats_ck_begin(srp_stats_engine *e, srp_cellkey **ck, sr_error *err)
{
    sr_status rc = srp_cellkey_open(e->reg, ck, err);
    e->ck = *ck;
    return rc;
}

sr_status srp_stats_ck_finish(srp_stats_engine *e, srp_cellkey *ck, sr_stats *r, sr_error *err)
{
    if (!ck)
        return SR_OK;
    const srp_ptable *pt = srp_cellkey_ptable(ck);
    char note[600];
    snprintf(note, sizeof note, srp_texts_get(SRP_T_STATS_CELL_KEY, e->lang), pt->d, pt->v, pt->js,
             pt->js);
    if (srp_stats_add_note(r, note) != 0)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    int quartiles = e->q->min_cell > 10 ? e->q->min_cell : 10;
    snprintf(note, sizeof note, srp_texts_get(SRP_T_STATS_CELL_KEY_STATS, e->lang), e->q->min_cell,
             quartiles);
    if (srp_stats_add_note(r, note) != 0)
        return srp_error_set(err, SR_ERR_NOMEM, "out of memory");
    e->ck = NULL;
    r->ptable = srp_cellkey_take_ptable(ck);
    return SR_OK;
}
