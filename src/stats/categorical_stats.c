/*
 * categorical_stats.c
 *		Chi-square test of homogeneity and distances between category
 *		distributions, with SciPy 1.10's conventions.
 *
 *	chi2: scipy.stats.chi2_contingency([cb, cc]) with its defaults: expected
 *		  counts E = rowsum * colsum / N; when dof = K - 1 is 1, Yates'
 *		  correction as SciPy applies it (each observed count moves towards
 *		  its expectation by min(0.5, |E - O|), so a cell closer than 0.5
 *		  contributes nothing); statistic = sum (O' - E)^2 / E and
 *		  p = chi2.sf(statistic, dof).  A single category gives SciPy's
 *		  (0, 1, dof 0).
 *	psi:  sum (pc - pb) ln(pc / pb) with zero proportions replaced by fill
 *		  (no renormalisation).
 *	js:   scipy.spatial.distance.jensenshannon(pb, pc), natural log.
 *	linf: max |pb - pc|;  tvd: sum |pb - pc| / 2.
 *
 * Proportions are count / n in double, as the reference computes them.
 */
#include <math.h>

#include "categorical_stats.h"
#include "chi2.h"

/* Chi-square test of homogeneity of the 2 x K table [cb; cc]. */
Chi2Result
cat_chi2(const int64_t *cb, const int64_t *cc, int64_t k, int64_t nb, int64_t nc)
{
	Chi2Result r;
	double		n = (double) nb + (double) nc;
	double		sum = 0.0;
	int			yates = (k == 2);

	r.dof = k > 0 ? k - 1 : 0;
	if (k <= 1)
	{
		r.statistic = 0.0;
		r.p_value = 1.0;
		r.dof = 0;
		return r;
	}
	/* rows first, as NumPy sums the 2 x K array in row-major order */
	for (int row = 0; row < 2; row++)
	{
		const int64_t *obs = row == 0 ? cb : cc;
		double		rowsum = row == 0 ? (double) nb : (double) nc;

		for (int64_t i = 0; i < k; i++)
		{
			double		e = rowsum * ((double) cb[i] + (double) cc[i]) / n;
			double		o = (double) obs[i];
			double		diff;

			if (yates)
			{
				double		gap = e - o;
				double		step = fmin(0.5, fabs(gap));

				o += gap > 0 ? step : (gap < 0 ? -step : 0.0);
			}
			diff = o - e;
			sum += diff * diff / e;
		}
	}
	r.statistic = sum;
	r.p_value = chi2_sf(sum, (double) r.dof);
	return r;
}

/* Population stability index over categories, zero proportions filled. */
double
cat_psi(const int64_t *cb, const int64_t *cc, int64_t k, int64_t nb, int64_t nc, double fill)
{
	double		sum = 0.0;

	for (int64_t i = 0; i < k; i++)
	{
		double		pb = (double) cb[i] / (double) nb;
		double		pc = (double) cc[i] / (double) nc;

		if (pb == 0.0)
			pb = fill;
		if (pc == 0.0)
			pc = fill;
		sum += (pc - pb) * log(pc / pb);
	}
	return sum;
}

/* x ln(x / y), taken as 0 when x = 0 (scipy.special.rel_entr). */
static double
rel_entr(double x, double y)
{
	if (x == 0.0)
		return 0.0;
	return x * log(x / y);
}

/* Jensen-Shannon distance (the square root of the divergence), natural log. */
double
cat_js(const int64_t *cb, const int64_t *cc, int64_t k, int64_t nb, int64_t nc)
{
	double		sb = 0.0,
				sc = 0.0,
				left = 0.0,
				right = 0.0,
				js;

	/* SciPy divides by the sums again; they are 1 up to rounding */
	for (int64_t i = 0; i < k; i++)
	{
		sb += (double) cb[i] / (double) nb;
		sc += (double) cc[i] / (double) nc;
	}
	for (int64_t i = 0; i < k; i++)
	{
		double		p = (double) cb[i] / (double) nb / sb;
		double		q = (double) cc[i] / (double) nc / sc;
		double		m = (p + q) / 2.0;

		left += rel_entr(p, m);
		right += rel_entr(q, m);
	}
	js = (left + right) / 2.0;
	return js > 0.0 ? sqrt(js) : 0.0;
}

/* Largest absolute difference of proportions. */
double
cat_linf(const int64_t *cb, const int64_t *cc, int64_t k, int64_t nb, int64_t nc)
{
	double		m = 0.0;

	for (int64_t i = 0; i < k; i++)
		m = fmax(m, fabs((double) cb[i] / (double) nb - (double) cc[i] / (double) nc));
	return m;
}

/* Total variation distance: half the sum of absolute differences of proportions. */
double
cat_tvd(const int64_t *cb, const int64_t *cc, int64_t k, int64_t nb, int64_t nc)
{
	double		s = 0.0;

	for (int64_t i = 0; i < k; i++)
		s += fabs((double) cb[i] / (double) nb - (double) cc[i] / (double) nc);
	return 0.5 * s;
}
