/*
 * mean_shift.h
 *		The z-test for a difference of means (pure C, no PostgreSQL headers),
 *		and the accurate running moments its streaming form keeps.
 */
#ifndef PG_DRIFT_MEAN_SHIFT_H
#define PG_DRIFT_MEAN_SHIFT_H

#include <stdbool.h>
#include <stdint.h>

#include "double_double.h"

/*
 * Sums of deviations from a fixed shift K, in double-double: s1 = sum (x-K),
 * s2 = sum (x-K)^2.  With K near the mean (the baseline's) they carry the
 * current sample's mean and spread without the cancellation of raw sums.
 */
typedef struct ShiftedMoments
{
	double		shift;
	int64_t		n;
	DD			s1;
	DD			s2;
} ShiftedMoments;

extern void shifted_moments_add(ShiftedMoments *m, double x);
extern void shifted_moments_combine(ShiftedMoments *a, const ShiftedMoments *b);
extern void shifted_moments_result(const ShiftedMoments *m, double *mean_minus_shift, double *m2);

extern bool zscore_test(int64_t nb, double m2b, int64_t nc, double m2c, double mean_diff,
						double *z, double *p);

#endif							/* PG_DRIFT_MEAN_SHIFT_H */
