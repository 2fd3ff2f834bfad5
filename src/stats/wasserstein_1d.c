/*
 * wasserstein_1d.c
 *		scipy.stats.wasserstein_distance(b, c) from value/count lists.
 *
 * With v_0 < v_1 < ... the pooled distinct values and F the ECDFs,
 * W = sum_k |F_b(v_k) - F_c(v_k)| (v_{k+1} - v_k): the area between the two
 * ECDFs.  Repeated values add zero-width intervals in SciPy's formulation, so
 * walking distinct values gives the same sum.  The ECDF difference is taken
 * from the integer counts (exact numerator), the terms are non-negative and
 * summed with compensation.
 *
 * Infinite values: an interval of infinite width where the ECDFs agree
 * contributes nothing (SciPy computes 0 * inf = NaN there), and one where
 * they differ makes the distance infinite, as the area is.
 */
#include <math.h>

#include "double_double.h"
#include "wasserstein_1d.h"

double
wasserstein_lists(const double *bv, const int64_t *bc, int32_t bn, int64_t nb,
				  const double *cv, const int64_t *cc, int32_t cn, int64_t nc)
{
	NeumaierSum s = {0.0, 0.0};
	int32_t		i = 0,
				j = 0;
	int64_t		sb = 0,
				sc = 0;
	double		prev = 0.0;
	double		gap = 0.0;		/* |F_b - F_c| on [prev, next) */
	double		denom = (double) nb * (double) nc;

	while (i < bn || j < cn)
	{
		double		u;

		if (j >= cn || (i < bn && bv[i] <= cv[j]))
			u = bv[i];
		else
			u = cv[j];
		if (gap != 0.0)
			neumaier_add(&s, gap * (u - prev));
		if (i < bn && bv[i] == u)
			sb += bc[i++];
		if (j < cn && cv[j] == u)
			sc += cc[j++];
		gap = fabs(dd_diff_of_products((double) sb, (double) nc, (double) sc, (double) nb)) / denom;
		prev = u;
	}
	return neumaier_value(&s);
}
