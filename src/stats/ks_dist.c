/*
 * ks_dist.c -- the two-sample Kolmogorov-Smirnov p-value as
 * scipy.stats.ks_2samp(data1, data2, alternative, method='auto') computes it
 * in SciPy 1.10.1, given the sample sizes and the statistic.
 *
 * The selection of methods follows SciPy 1.10's documented behaviour:
 *
 *   exact mode (max(n1, n2) <= 10000): the statistic is first rounded to h/L,
 *     L = lcm(n1, n2), h = round-half-even(d*L); h = 0 gives p = 1.  Then
 *       two-sided, n1 == n2: reflection-principle alternating sum;
 *       two-sided, n1 != n2: Hodges' inside method (Viehmann's 1-p form);
 *       one-sided, n1 == n2: prod_{j<h} (n-j)/(n+j+1);
 *       one-sided, n1 != n2: boundary-crossing probability (Hodges' outside
 *         problem), which SciPy abandons when C(n1+n2, n1) overflows a double;
 *     a result outside [0, 1] or an abandoned computation falls back to the
 *     asymptotic formulas with the rounded statistic (EXACT_FAILED_ASYMP);
 *   asymptotic mode: two-sided kstwo.sf(d, round(m n/(m+n))) -- the exact
 *     one-sample distribution at the effective size, not its Kolmogorov
 *     limit; one-sided Hodges (1958) eq. 5.3,
 *       p = exp(-2 z^2 - 2 z (m + 2n) / (3 sqrt(m n (m+n)))),
 *     z = d sqrt(m n/(m+n)), m >= n.
 *   p is clipped to [0, 1].
 *
 * J. L. Hodges Jr., "The significance probability of the Smirnov two-sample
 * test", Arkiv for Matematik 3 (1958) 469-486.
 */
#include "ks_dist.h"
#include "ks_exact.h"

#include <math.h>

/* SciPy's MAX_AUTO_N: 'auto' is exact up to this size of the larger sample. */
#define KS_MAX_AUTO_N 10000

/* Round half to even, independent of the current rounding mode. */
static double
round_half_even(double v)
{
	double		f = floor(v);
	double		diff = v - f;

	if (diff > 0.5)
		return f + 1.0;
	if (diff < 0.5)
		return f;
	return (fmod(f, 2.0) == 0.0) ? f : f + 1.0;
}

/* Greatest common divisor of two positive integers. */
static int64_t
gcd_i64(int64_t a, int64_t b)
{
	while (b != 0)
	{
		int64_t		t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* numpy.clip(p, 0, 1), also turning -0.0 into +0.0. */
static double
clip_prob(double p)
{
	if (p < 0.0)
		return 0.0;
	if (p > 1.0)
		return 1.0;
	return p + 0.0;
}

/*
 * SciPy's _attempt_exact_2kssamp after the rounding of d, for 1 <= h <= lcm.
 * Returns 0 with *p set on success, 1 when SciPy gives up (C(n1+n2, n1)
 * overflows, or a result outside [0, 1]) and -1 on allocation failure.
 * Costs: O(n) for equal sizes, O(m n) (<= 0.2 s at 10^4 x 10^4) two-sided,
 * O(m n) with m n <~ 1.4e6 one-sided.
 */
static int
exact_p(int64_t n1, int64_t n2, int64_t h, KsAlternative alt, double *p)
{
	double		v;

	if (alt == KS_TWO_SIDED)
	{
		if (n1 == n2)
			v = ks_exact_two_sided_equal(n1, h);
		else
		{
			v = ks_exact_two_sided_inside(n1, n2, h);
			if (isnan(v))
				return -1;
		}
	}
	else
	{
		if (n1 == n2)
			v = ks_exact_one_sided_equal(n1, h);
		else
		{
			if (ks_exact_binom_overflows(n1, n2))
				return 1;
			v = ks_exact_one_sided_unequal(n1, n2, h);
			if (isnan(v))
				return -1;
		}
	}
	if (!(v >= 0.0 && v <= 1.0))
		return 1;
	*p = v;
	return 0;
}

/*
 * Asymptotic p-value of ks_2samp (mode 'asymp'), for statistic d.  Cost O(1)
 * except kolmogorov_sf's Durbin matrix / Smirnov sum for effective sizes up to
 * 10^6 (see kolmogorov.c, kolmogorov_exact.c, smirnov.c).
 */
static double
asymp_p(int64_t n1, int64_t n2, double d, KsAlternative alt)
{
	double		m = (double) n1,
				n = (double) n2,
				en;

	if (m < n)
	{
		double		t = m;

		m = n;
		n = t;
	}
	en = m * n / (m + n);
	if (alt == KS_TWO_SIDED)
	{
		double		enr = round_half_even(en);

		if (!(enr >= 1.0) || enr > 9.0e18)
			return NAN;
		return kolmogorov_sf((int64_t) enr, d);
	}
	else
	{
		/* Hodges (1958) eq. 5.3, operations in SciPy's order */
		double		z = sqrt(en) * d;
		double		expt = -2 * (z * z) - 2 * z * (m + 2 * n) / sqrt(m * n * (m + n)) / 3.0;

		return exp(expt);
	}
}

/* scipy.stats.ks_2samp(..., method='auto') from the sizes and the statistic. */
KsResult
ks_two_sample(int64_t n1, int64_t n2, double d, KsAlternative alt)
{
	KsResult	r;

	r.statistic = NAN;
	r.p_value = NAN;
	r.method = KS_METHOD_ASYMP;
	if (n1 <= 0 || n2 <= 0 || !(d >= 0.0 && d <= 1.0))
		return r;
	if (alt != KS_TWO_SIDED && alt != KS_LESS && alt != KS_GREATER)
		return r;
	d = d + 0.0;				/* no negative zero */

	if ((n1 > n2 ? n1 : n2) <= KS_MAX_AUTO_N)
	{
		int64_t		g = gcd_i64(n1, n2);
		int64_t		lcm = (n1 / g) * n2;
		double		hd = round_half_even(d * (double) lcm);
		int64_t		h = (int64_t) hd;
		double		p = NAN;
		int			status;

		d = hd * 1.0 / (double) lcm;
		r.statistic = d;
		if (h == 0)
		{
			r.p_value = 1.0;
			r.method = KS_METHOD_EXACT;
			return r;
		}
		status = exact_p(n1, n2, h, alt, &p);
		if (status == 0)
		{
			r.p_value = clip_prob(p);
			r.method = KS_METHOD_EXACT;
			return r;
		}
		if (status < 0)
		{
			r.method = KS_METHOD_EXACT;
			return r;			/* allocation failure: NaN p-value */
		}
		/* SciPy: "Exact calculation unsuccessful. Switching to method=asymp" */
		r.method = KS_METHOD_EXACT_FAILED_ASYMP;
	}
	else
	{
		r.statistic = d;
		r.method = KS_METHOD_ASYMP;
	}
	r.p_value = clip_prob(asymp_p(n1, n2, d, alt));
	return r;
}
