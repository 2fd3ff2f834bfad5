/*
 * categorical_stats.h
 *		Drift statistics over category counts (plain C99 + libm).
 *
 * Every function takes the counts of the baseline (cb) and current (cc)
 * samples over the same K categories (the union of both samples' categories,
 * in any fixed order: sorted bytewise for agreement with the reference's
 * summation order) and the sample sizes nb = sum cb, nc = sum cc (both > 0).
 */
#ifndef PG_DRIFT_CATEGORICAL_STATS_H
#define PG_DRIFT_CATEGORICAL_STATS_H

#include <stdint.h>

typedef struct Chi2Result
{
	double		statistic;
	double		p_value;
	int64_t		dof;
} Chi2Result;

extern Chi2Result cat_chi2(const int64_t *cb, const int64_t *cc, int64_t k,
						   int64_t nb, int64_t nc);
extern double cat_psi(const int64_t *cb, const int64_t *cc, int64_t k,
					  int64_t nb, int64_t nc, double fill);
extern double cat_js(const int64_t *cb, const int64_t *cc, int64_t k,
					 int64_t nb, int64_t nc);
extern double cat_linf(const int64_t *cb, const int64_t *cc, int64_t k,
					   int64_t nb, int64_t nc);
extern double cat_tvd(const int64_t *cb, const int64_t *cc, int64_t k,
					  int64_t nb, int64_t nc);

#endif							/* PG_DRIFT_CATEGORICAL_STATS_H */
