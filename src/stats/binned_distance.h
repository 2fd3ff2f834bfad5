/*
 * binned_distance.h
 *		PSI, Jensen-Shannon, Hellinger and Kullback-Leibler between two
 *		binned samples given as counts per bin (pure C, no PostgreSQL headers).
 */
#ifndef PG_DRIFT_BINNED_DISTANCE_H
#define PG_DRIFT_BINNED_DISTANCE_H

#include <stdint.h>

/*
 * Every function takes the baseline's and the current sample's counts per
 * bin (n_bins entries each) and their totals (both > 0).
 */
extern double psi_from_counts(const int64_t *cb, int64_t nb, const int64_t *cc, int64_t nc,
							  int32_t n_bins, double fill);
extern double kl_from_counts(const int64_t *cb, int64_t nb, const int64_t *cc, int64_t nc,
							 int32_t n_bins, double fill);
extern double js_from_counts(const int64_t *cb, int64_t nb, const int64_t *cc, int64_t nc,
							 int32_t n_bins);
extern double hellinger_from_counts(const int64_t *cb, int64_t nb, const int64_t *cc, int64_t nc,
									int32_t n_bins);

/* (cc/nc) - (cb/nb), to a few ulps even when the two proportions nearly agree. */
extern double proportion_difference(int64_t cb, int64_t nb, int64_t cc, int64_t nc);

#endif							/* PG_DRIFT_BINNED_DISTANCE_H */
