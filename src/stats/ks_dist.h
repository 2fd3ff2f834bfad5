/*
 * ks_dist.h -- public interface of the pure-math Kolmogorov-Smirnov library.
 *
 * Plain C99 + libm, no PostgreSQL dependency.  The functions reproduce
 * SciPy 1.10.1:
 *
 *   ks_two_sample()   scipy.stats.ks_2samp(data1, data2, alternative, method='auto')
 *                     given the sample sizes and the statistic d;
 *   kolmogorov_sf()   scipy.stats.kstwo.sf(x, n)   (two-sided one-sample K-S distribution);
 *   smirnov_sf()      scipy.special.smirnov(n, x)  (one-sided one-sample K-S distribution).
 *
 * Every function is reentrant, allocates only with malloc/free (released before
 * returning; an allocation failure gives a NaN p-value), never loops without
 * bound and has a cost bounded independently of the sample sizes except where
 * noted in the implementation files.
 */
#ifndef PG_DRIFT_KS_DIST_H
#define PG_DRIFT_KS_DIST_H

#include <stdint.h>

typedef enum
{
	KS_TWO_SIDED = 0,
	KS_LESS = 1,
	KS_GREATER = 2
} KsAlternative;

typedef enum
{
	KS_METHOD_EXACT = 0,
	KS_METHOD_ASYMP = 1,
	KS_METHOD_EXACT_FAILED_ASYMP = 2
} KsMethod;

typedef struct
{
	double		statistic;
	double		p_value;
	KsMethod	method;
} KsResult;

/*
 * d is the statistic exactly as SciPy computes it in double: for two-sided
 * max|cdf1-cdf2|, for greater max(cdf1-cdf2), for less max(cdf2-cdf1) clipped
 * at 0, where cdf = (double)count/(double)n.  n1 is the baseline (first
 * sample), n2 the current one.
 *
 * Returns SciPy's statistic (rounded to h/lcm(n1,n2) in exact mode) and
 * p-value for method='auto'.  If n1 <= 0, n2 <= 0, d is NaN or outside [0, 1],
 * or alt is not a valid alternative, statistic and p_value are NaN.
 */
extern KsResult ks_two_sample(int64_t n1, int64_t n2, double d, KsAlternative alt);

/* scipy.stats.kstwo.sf(x, n): P(D_n >= x) for the two-sided one-sample statistic. */
extern double kolmogorov_sf(int64_t n, double x);

/* scipy.special.smirnov(n, x): P(D+_n >= x) for the one-sided one-sample statistic. */
extern double smirnov_sf(int64_t n, double x);

#endif							/* PG_DRIFT_KS_DIST_H */
