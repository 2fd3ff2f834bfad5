/*
 * mean_shift.c
 *		z = (mean_c - mean_b) / sqrt(var_b/n_b + var_c/n_c), p = erfc(|z|/sqrt 2)
 *		(sample variances, ddof 1), and the double-double running moments the
 *		streaming form accumulates.
 *
 * The reference has samples near 1e4 with unit noise, where a plain sum of
 * raw values loses about 1e-10 relative in z.  Accumulating x - K with K the
 * baseline's mean, each deviation split exactly into two doubles (TwoSum),
 * squared exactly (TwoProd) and summed in double-double, leaves only the
 * final rounding; the mean difference is then K - mean_b + s1/n = s1/n
 * without any cancellation.
 */
#include <math.h>

#include "mean_shift.h"

/* Add one value (finite or not: non-finite values make the result undefined). */
void
shifted_moments_add(ShiftedMoments *m, double x)
{
	DD			d = dd_exact_sum(x, -m->shift);
	DD			sq = dd_mul(d, d);

	m->n++;
	m->s1 = dd_add(m->s1, d);
	m->s2 = dd_add(m->s2, sq);
}

/* a += b (same shift). */
void
shifted_moments_combine(ShiftedMoments *a, const ShiftedMoments *b)
{
	a->n += b->n;
	a->s1 = dd_add(a->s1, b->s1);
	a->s2 = dd_add(a->s2, b->s2);
}

/* mean - shift and the sum of squared deviations from the mean (n > 0). */
void
shifted_moments_result(const ShiftedMoments *m, double *mean_minus_shift, double *m2)
{
	DD			mean = dd_div_d(m->s1, (double) m->n);
	DD			sq = dd_add(m->s2, dd_neg(dd_mul(mean, m->s1)));
	double		v = dd_value(sq);

	*mean_minus_shift = dd_value(mean);
	*m2 = (v < 0.0) ? 0.0 : v;
}

/*
 * The test from both samples' sizes and sums of squared deviations and the
 * difference of means.  False (undefined) when a sample has fewer than two
 * values or the standard error is zero or not finite.
 */
bool
zscore_test(int64_t nb, double m2b, int64_t nc, double m2c, double mean_diff,
			double *z, double *p)
{
	double		se;

	if (nb < 2 || nc < 2)
		return false;
	se = sqrt(m2b / (double) (nb - 1) / (double) nb + m2c / (double) (nc - 1) / (double) nc);
	if (!(se > 0.0) || !isfinite(se) || !isfinite(mean_diff))
		return false;
	*z = mean_diff / se;
	*p = erfc(fabs(*z) / M_SQRT2);
	return true;
}
