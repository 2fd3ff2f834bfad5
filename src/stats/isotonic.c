/*
 * isotonic.c
 *		scikit-learn 1.2's IsotonicRegression(out_of_bounds='clip') for a
 *		score and a binary label with unit sample weights, step for step, so
 *		that fitted points and predictions agree with it to the last bit
 *		where the arithmetic allows.
 *
 * fit (sklearn/isotonic.py, IsotonicRegression._build_y):
 *	1. sort by score and pool tied scores (sklearn/_isotonic.pyx,
 *	   _make_unique): a score starts a new point unless it is less than
 *	   np.finfo(float64).resolution = 1e-15 above the first score of the
 *	   current point; the point keeps that first score, its weight is the
 *	   number of rows, its value the share of positives.  The caller passes
 *	   exact ties already counted, which gives the same sums, since adding
 *	   ones is exact;
 *	2. pool adjacent violators (_inplace_contiguous_isotonic_regression):
 *	   a single pass that merges each decreasing run into its weighted mean
 *	   and backtracks one block, so the result is the weighted least-squares
 *	   non-decreasing fit (Barlow et al., "Statistical inference under order
 *	   restrictions", 1972; the O(n) variant of Best and Chakravarti 1990);
 *	3. drop interior points whose value equals both neighbours' (they lie
 *	   on a flat segment and change no prediction).
 * predict (IsotonicRegression._transform and scipy.interpolate.interp1d
 * kind='linear'): clip the score into [first x, last x]; take the segment
 * whose right end is the first x >= t (the first segment for t = x[0]), and
 * evaluate slope * (t - x_lo) + y_lo with slope = (y_hi - y_lo) / (x_hi -
 * x_lo), in that order of operations.  A single fitted point predicts its
 * value everywhere (scikit-learn's constant case).
 */
#include <stdbool.h>

#include "isotonic.h"

/* np.finfo(np.float64).resolution: _make_unique's tie tolerance */
#define ISOTONIC_TIE_EPS 1e-15

/* Step 1: pool scores closer than ISOTONIC_TIE_EPS to a point's first score. */
static size_t
pool_near_ties(double *x, double *wy, double *w, size_t n)
{
	size_t		k = 0;

	for (size_t j = 1; j < n; j++)
	{
		if (x[j] - x[k] >= ISOTONIC_TIE_EPS)
		{
			k++;
			x[k] = x[j];
			wy[k] = wy[j];
			w[k] = w[j];
		}
		else
		{
			wy[k] += wy[j];
			w[k] += w[j];
		}
	}
	return k + 1;
}

/*
 * Step 2 on y[0..n) with weights w (both overwritten), block ends kept in
 * target: target[start] is the last index of a block, target[last] its start.
 */
static void
pool_adjacent_violators(double *y, double *w, size_t n, size_t *target)
{
	size_t		i = 0;

	for (size_t j = 0; j < n; j++)
		target[j] = j;
	while (i < n)
	{
		size_t		k = target[i] + 1;
		double		sum_wy,
					sum_w;

		if (k == n)
			break;
		if (y[i] < y[k])
		{
			i = k;
			continue;
		}
		sum_wy = w[i] * y[i];
		sum_w = w[i];
		for (;;)
		{
			double		prev_y = y[k];

			sum_wy += w[k] * y[k];
			sum_w += w[k];
			k = target[k] + 1;
			if (k == n || prev_y < y[k])
			{
				y[i] = sum_wy / sum_w;
				w[i] = sum_w;
				target[i] = k - 1;
				target[k - 1] = i;
				if (i > 0)
					i = target[i - 1];	/* backtrack: the merged block may now violate */
				break;
			}
		}
	}
	/* spread each block's value over its members */
	i = 0;
	while (i < n)
	{
		size_t		k = target[i] + 1;

		for (size_t j = i + 1; j < k; j++)
			y[j] = y[i];
		i = k;
	}
}

size_t
isotonic_fit(double *x, double *wy, double *w, size_t n, size_t *target)
{
	size_t		m = pool_near_ties(x, wy, w, n);
	size_t		k = 0;

	/* the value of a point is its share of positives */
	for (size_t i = 0; i < m; i++)
		wy[i] = wy[i] / w[i];
	pool_adjacent_violators(wy, w, m, target);

	/* step 3, in place; the decision reads the untrimmed neighbours */
	for (size_t i = 0; i < m; i++)
	{
		bool		keep = (i == 0 || i == m - 1 ||
							wy[i] != wy[i - 1] || wy[i] != wy[i + 1]);

		if (keep)
		{
			/* k <= i: the points before i that are kept are already written */
			x[k] = x[i];
			w[k] = wy[i];		/* stage values: wy[i + 1] is still read */
			k++;
		}
	}
	for (size_t i = 0; i < k; i++)
		wy[i] = w[i];
	return k;
}

size_t
isotonic_segment(const double *x, size_t k, double t)
{
	size_t		lo = 0,
				hi = k;

	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;

		if (x[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

double
isotonic_predict(const double *x, const double *y, size_t k, double t)
{
	size_t		lo;

	if (k == 1)
		return y[0];
	if (t < x[0])
		t = x[0];
	if (t > x[k - 1])
		t = x[k - 1];
	lo = isotonic_segment(x, k, t);
	if (lo < 1)
		lo = 1;
	{
		double		slope = (y[lo] - y[lo - 1]) / (x[lo] - x[lo - 1]);

		return slope * (t - x[lo - 1]) + y[lo - 1];
	}
}
