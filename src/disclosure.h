/*
 * disclosure.h - small-cell suppression with secondary suppression (internal).
 *
 * A problem is a set of cells (counts) and a set of relations: groups of
 * cells whose sum an outsider can learn (a published total, or a figure that
 * another query publishes). A cell is withheld when its count is between 1
 * and min-1 (primary), or when it is forced (e.g. its whole group is too
 * small). Then, as long as some relation has exactly one withheld cell, the
 * smallest other cell of that relation is withheld too (secondary), so that
 * no withheld figure can be recomputed by subtraction. The outcome depends
 * only on the sets of cells and relations (ties go by identity), never on
 * the order they were added in: queries that share figures agree on them.
 * This module knows nothing of forms or registries.
 */
#ifndef SIGREG_DISCLOSURE_H
#define SIGREG_DISCLOSURE_H

#include <stddef.h>

typedef struct srp_sdc srp_sdc;

enum srp_sdc_reason { SRP_SDC_PUBLISHED = 0, SRP_SDC_SMALL, SRP_SDC_GROUP, SRP_SDC_SECONDARY };

srp_sdc *srp_sdc_new(long min_cell);
void srp_sdc_free(srp_sdc *sdc);
/* Adds a cell; returns its id, or (size_t)-1 when out of memory. identity is
 * a hash of what the cell means (item, option, group): the same figure in
 * two queries must carry the same identity, so that both withhold it alike. */
size_t srp_sdc_cell(srp_sdc *sdc, long count, int force, unsigned long long identity);
/* Marks a cell withheld for a reason (e.g. a too small group). */
void srp_sdc_force(srp_sdc *sdc, size_t cell, enum srp_sdc_reason reason);
/* Adds a relation over n cells (ignored when n < 2). Returns -1 on OOM. */
int srp_sdc_relation(srp_sdc *sdc, const size_t *cells, size_t n);
/* Secondary suppression until every relation has 0 or at least 2 withheld
 * cells. Returns the number of cells withheld in this step. */
size_t srp_sdc_solve(srp_sdc *sdc);
enum srp_sdc_reason srp_sdc_state(const srp_sdc *sdc, size_t cell);
size_t srp_sdc_cell_count(const srp_sdc *sdc);

#endif
