/*
 * float_sort.h
 *		Sorting doubles fast enough to build exact profiles of large columns.
 */
#ifndef PG_DRIFT_FLOAT_SORT_H
#define PG_DRIFT_FLOAT_SORT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Sort v[0..n) ascending (no NaNs; -0.0 sorts below 0.0) using scratch (n
 * doubles) as the other buffer; returns the one that holds the result (v or
 * scratch), the other's content is undefined.  Saves the final copy.
 */
extern const double *sort_float8_buffers(double *v, size_t n, double *scratch);

/* Sort v[0..n) ascending (no NaNs; -0.0 sorts below 0.0). scratch holds n doubles. */
extern void sort_float8(double *v, size_t n, double *scratch);

/*
 * Collapse sorted v[0..n) into distinct values and counts; returns how many.
 * values may be v itself (each value is written at or below where it is read).
 */
extern size_t collapse_sorted(const double *v, size_t n, double *values, int64_t *counts);

#endif							/* PG_DRIFT_FLOAT_SORT_H */
