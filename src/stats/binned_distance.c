/*
 * binned_distance.c
 *		PSI, Jensen-Shannon, Hellinger and Kullback-Leibler from bin counts.
 *
 * The definitions are those of the reference (test/reference/README.md and
 * SPEC.md section 4): proportions p_b = count_b / n_b and p_c = count_c / n_c,
 *
 *	 psi:		 empty proportions become `fill` (no renormalisation);
 *				 sum (p_c - p_b) ln(p_c / p_b)
 *	 kl:		 scipy.stats.entropy(p_c, p_b) after the same fill, both vectors
 *				 renormalised to sum 1: sum q_c ln(q_c / q_b)
 *	 js:		 scipy.spatial.distance.jensenshannon(p_b, p_c), natural log:
 *				 sqrt((sum p_b ln(p_b/m) + sum p_c ln(p_c/m)) / 2), m = (p_b+p_c)/2
 *	 hellinger:	 sqrt(0.5 sum (sqrt(p_b) - sqrt(p_c))^2)
 *
 * Each is evaluated as a sum of per-bin terms that are never negative,
 * rewritten so that bins whose proportions nearly agree lose no accuracy to
 * cancellation (the results must match high-precision values to 1e-9
 * relative, also for nearly identical samples):
 *
 *	 psi term	   (p_c - p_b) * log1p((p_c - p_b) / p_b)
 *	 kl term	   q_b h(t), t = (q_c - q_b)/q_b, h(t) = (1+t) ln(1+t) - t
 *				   (sum q_c = sum q_b = 1 makes this equal to the definition)
 *	 js term	   m g(d), d = (p_b - p_c)/(p_b + p_c),
 *				   g(d) = (1+d) ln(1+d) + (1-d) ln(1-d)
 *	 hellinger	   (p_b - p_c)^2 / (sqrt(p_b) + sqrt(p_c))^2
 *
 * with h and g from their Taylor series near 0, the difference of two
 * proportions computed from the integer counts, and compensated sums.
 */
#include <math.h>

#include "binned_distance.h"
#include "double_double.h"

/* (cc/nc) - (cb/nb) = (cc nb - cb nc) / (nb nc), the numerator without cancellation. */
double
proportion_difference(int64_t cb, int64_t nb, int64_t cc, int64_t nc)
{
	double		num = dd_diff_of_products((double) cc, (double) nb, (double) cb, (double) nc);

	return num / ((double) nb * (double) nc);
}

/*
 * h(t) = (1+t) ln(1+t) - t for t > -1; series sum_{k>=2} (-t)^k / (k(k-1))
 * near 0, where the closed form cancels.
 */
static double
kl_h(double t)
{
	if (fabs(t) < 0.01)
	{
		double		sum = 0.0;
		double		pw = t * t;

		for (int k = 2; k <= 10; k++)
		{
			double		term = pw / (double) (k * (k - 1));

			sum += (k % 2 == 0) ? term : -term;
			pw *= t;
		}
		return sum;
	}
	return (1.0 + t) * log1p(t) - t;
}

/*
 * g(d) = (1+d) ln(1+d) + (1-d) ln(1-d) for |d| <= 1; series
 * sum_{k>=1} d^(2k) / (k(2k-1)) near 0.
 */
static double
js_g(double d)
{
	double		ad = fabs(d);

	if (ad >= 1.0)
		return 2.0 * M_LN2;
	if (ad < 0.05)
	{
		double		d2 = d * d;
		double		pw = d2;
		double		sum = 0.0;

		for (int k = 1; k <= 12; k++)
		{
			sum += pw / (double) (k * (2 * k - 1));
			pw *= d2;
		}
		return sum;
	}
	return (1.0 + ad) * log1p(ad) + (1.0 - ad) * log1p(-ad);
}

double
psi_from_counts(const int64_t *cb, int64_t nb, const int64_t *cc, int64_t nc,
				int32_t n_bins, double fill)
{
	NeumaierSum s = {0.0, 0.0};

	for (int32_t i = 0; i < n_bins; i++)
	{
		double		pb = cb[i] > 0 ? (double) cb[i] / (double) nb : fill;
		double		pc = cc[i] > 0 ? (double) cc[i] / (double) nc : fill;
		double		diff;

		if (cb[i] > 0 && cc[i] > 0)
			diff = proportion_difference(cb[i], nb, cc[i], nc);
		else
			diff = pc - pb;
		if (diff != 0.0)
			neumaier_add(&s, diff * log1p(diff / pb));
	}
	return neumaier_value(&s);
}

double
kl_from_counts(const int64_t *cb, int64_t nb, const int64_t *cc, int64_t nc,
			   int32_t n_bins, double fill)
{
	NeumaierSum sb = {0.0, 0.0};
	NeumaierSum sc = {0.0, 0.0};
	NeumaierSum s = {0.0, 0.0};
	double		tb,
				tc;

	/* the filled vectors' sums, for scipy.stats.entropy's renormalisation */
	for (int32_t i = 0; i < n_bins; i++)
	{
		neumaier_add(&sb, cb[i] > 0 ? (double) cb[i] / (double) nb : fill);
		neumaier_add(&sc, cc[i] > 0 ? (double) cc[i] / (double) nc : fill);
	}
	tb = neumaier_value(&sb);
	tc = neumaier_value(&sc);
	for (int32_t i = 0; i < n_bins; i++)
	{
		double		fb = cb[i] > 0 ? (double) cb[i] / (double) nb : fill;
		double		fc = cc[i] > 0 ? (double) cc[i] / (double) nc : fill;
		double		qb = fb / tb;
		/* q_c - q_b = (f_c t_b - f_b t_c) / (t_b t_c) */
		double		diff = dd_diff_of_products(fc, tb, fb, tc) / (tb * tc);

		if (diff != 0.0)
			neumaier_add(&s, qb * kl_h(diff / qb));
	}
	return neumaier_value(&s);
}

double
js_from_counts(const int64_t *cb, int64_t nb, const int64_t *cc, int64_t nc, int32_t n_bins)
{
	NeumaierSum s = {0.0, 0.0};
	double		div;

	for (int32_t i = 0; i < n_bins; i++)
	{
		double		pb = (double) cb[i] / (double) nb;
		double		pc = (double) cc[i] / (double) nc;
		double		sum = pb + pc;
		double		d;

		if (sum == 0.0)
			continue;
		/* p_b - p_c */
		d = -proportion_difference(cb[i], nb, cc[i], nc) / sum;
		if (d != 0.0)
			neumaier_add(&s, 0.5 * sum * js_g(d));
	}
	div = neumaier_value(&s) / 2.0;
	return sqrt(div > 0.0 ? div : 0.0);
}

double
hellinger_from_counts(const int64_t *cb, int64_t nb, const int64_t *cc, int64_t nc,
					  int32_t n_bins)
{
	NeumaierSum s = {0.0, 0.0};
	double		h;

	for (int32_t i = 0; i < n_bins; i++)
	{
		double		pb = (double) cb[i] / (double) nb;
		double		pc = (double) cc[i] / (double) nc;
		double		root_sum = sqrt(pb) + sqrt(pc);
		double		diff;

		if (root_sum == 0.0)
			continue;
		diff = proportion_difference(cb[i], nb, cc[i], nc);
		neumaier_add(&s, (diff / root_sum) * (diff / root_sum));
	}
	h = 0.5 * neumaier_value(&s);
	return sqrt(h > 0.0 ? h : 0.0);
}
