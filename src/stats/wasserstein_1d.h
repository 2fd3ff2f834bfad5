/*
 * wasserstein_1d.h
 *		First Wasserstein distance between two samples given as sorted
 *		distinct values with counts (pure C, no PostgreSQL headers).
 */
#ifndef PG_DRIFT_WASSERSTEIN_1D_H
#define PG_DRIFT_WASSERSTEIN_1D_H

#include <stdint.h>

extern double wasserstein_lists(const double *bv, const int64_t *bc, int32_t bn, int64_t nb,
								const double *cv, const int64_t *cc, int32_t cn, int64_t nc);

#endif							/* PG_DRIFT_WASSERSTEIN_1D_H */
