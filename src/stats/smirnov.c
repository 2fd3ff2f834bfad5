/*
 * smirnov.c -- the one-sided Kolmogorov-Smirnov (Smirnov) distribution
 *
 *   smirnov_sf(n, x) = P(D+_n >= x), D+_n = sup (F_n - F) (scipy.special.smirnov)
 *
 * used directly by the one-sided tests and, doubled, by kolmogorov_sf() where
 * the two-sided correction is negligible.  SciPy 1.10.1 is the reference,
 * including its large-n approximation and its underflow cut-off.
 *
 *   Z. W. Birnbaum, F. H. Tingey, "One-sided confidence contours for
 *     probability distribution functions", Ann. Math. Statist. 22 (1951)
 *     592-596: P(D+_n >= x) = x * sum_{v=0}^{floor(n(1-x))} C(n,v)
 *     (x+v/n)^(v-1) (1-x-v/n)^(n-v)  (already in Smirnov 1944).
 *   C. Loader, "Fast and accurate computation of binomial probabilities"
 *     (2000): saddle-point form of the binomial probability, used for the
 *     Birnbaum-Tingey terms.
 *
 * Precision: SciPy evaluates the sum in double-double.  Here n*x is split
 * exactly (fma) and every Birnbaum-Tingey term is a binomial probability in
 * Loader's form, accurate to ~1e-15 in plain double for all n <= 10^6 (the
 * O(n log n) parts of the logarithms cancel analytically); the terms are
 * summed in long double.  Results in the subnormal range reproduce SciPy's
 * own rounding of each term.  Cost: O(min(n, 10^6)) terms, ~30 ms at n = 10^6.
 */
#include "ks_dist.h"
#include "ks_numerics.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

/*
 * Cephes' MINLOG as SciPy builds it (with DENORMAL): log(2^-1075).  SciPy's
 * smirnov returns 0 when -2 n x^2 is below it; above it the result may be a
 * subnormal number, which is reproduced.
 */
#define KS_MINLOG (-7.451332191019412076235E2)

/* SciPy: above this n, smirnov uses the approximation exp(-(6nx+1)^2/(18n)). */
#define KS_SMIRNOV_MAX_COMPUTE_N 1000000

/*
 * n*x split exactly into floor and fraction: *nxfl = floor(n*x) and the
 * fraction alpha in [0, 1) to long double precision, from the exact product
 * n*x = hi + lo (fma).  As in SciPy, a fraction that rounds to 1 counts as 0.
 */
static void
split_nx(double dn, double x, int64_t *nxfl, long double *alpha, long double *nx)
{
	double		hi = dn * x;
	double		lo = fma(dn, x, -hi);
	double		fl = floor(hi);
	long double a;

	if (fl == hi && lo < 0.0)
		fl -= 1.0;
	a = (long double) (hi - fl) + (long double) lo;
	if ((double) a >= 1.0)
	{
		fl += 1.0;
		a = 0.0L;
	}
	*nxfl = (int64_t) fl;
	*alpha = a;
	*nx = (long double) hi + (long double) lo;
}

/*
 * One Birnbaum-Tingey term A_v = C(n,v) (x+v/n)^(v-1) (1-x-v/n)^(n-v), with
 * C(n,v) = cman * 2^cexp, in long double logarithms; used for the (at most
 * 3-term) complementary "upper" sum, where 1-x-v/n < 0 and the terms
 * alternate in sign.  The bases come from the exact n*x (so 1-x-v/n has no
 * cancellation); there n x < 3, so the exponent's error stays ~1e-18.
 */
static long double
smirnov_term(int64_t n, int64_t v, int64_t nxfl, long double alpha, long double nx,
			 long double cman, int64_t cexp)
{
	long double nl = (long double) n;
	long double u = ((long double) v + nx) / nl;	/* x + v/n */
	long double t2n = (long double) (n - v - nxfl) - alpha;	/* n*(1-x-v/n) */
	long double e = logl(cman) + (long double) cexp * KS_LN2L;
	int			negative = 0;

	e += (long double) (v - 1) * logl(u);
	if (n - v > 0)
	{
		long double l2;

		if (t2n == 0.0L)
			return 0.0L;
		if (t2n > 0.0L)
			l2 = (u < 0.5L) ? log1pl(-u) : logl(t2n / nl);
		else
		{
			l2 = logl(-t2n / nl);
			negative = ((n - v) % 2) != 0;
		}
		e += (long double) (n - v) * l2;
	}
	return negative ? -expl(e) : expl(e);
}

/*
 * Stirling-formula error ln(k!) - ln(sqrt(2 pi k) (k/e)^k) for integer k >= 1
 * (C. Loader, "Fast and accurate computation of binomial probabilities",
 * 2000): the asymptotic series in 1/k for k > 15, lgamma below.
 */
static double
stirling_error(double k)
{
	const double S0 = 1.0 / 12,
				S1 = 1.0 / 360,
				S2 = 1.0 / 1260,
				S3 = 1.0 / 1680,
				S4 = 1.0 / 1188;
	double		r,
				r2;

	if (k <= 15.0)
		return (double) (lgammal((long double) k + 1.0L) - ((long double) k + 0.5L) * logl((long double) k)
						 + (long double) k - 0.918938533204672741780329736405617639861L);
	r = 1.0 / k;
	r2 = r * r;
	if (k > 500)
		return (S0 - S1 * r2) * r;
	if (k > 80)
		return (S0 - (S1 - S2 * r2) * r2) * r;
	if (k > 35)
		return (S0 - (S1 - (S2 - S3 * r2) * r2) * r2) * r;
	return (S0 - (S1 - (S2 - (S3 - S4 * r2) * r2) * r2) * r2) * r;
}

/*
 * Loader's deviance term bd0(k, mu) = k ln(k/mu) + mu - k >= 0, given k, mu
 * and their difference d = mu - k exactly; a series in (k-mu)/(k+mu) when
 * they are close, so that the result keeps full relative precision.
 */
static double
binom_deviance(double k, double mu, double d)
{
	if (fabs(d) < 0.1 * (k + mu))
	{
		double		v = -d / (k + mu),
					v2 = v * v,
					s = -d * v,
					ej = 2 * k * v;
		int			j;

		static const double inv_odd[] = {
			1.0 / 3, 1.0 / 5, 1.0 / 7, 1.0 / 9, 1.0 / 11, 1.0 / 13, 1.0 / 15, 1.0 / 17,
			1.0 / 19, 1.0 / 21, 1.0 / 23, 1.0 / 25, 1.0 / 27, 1.0 / 29, 1.0 / 31, 1.0 / 33,
			1.0 / 35, 1.0 / 37, 1.0 / 39, 1.0 / 41
		};

		/* |v| < 0.1, so v^40 < 1e-40: the table is long enough */
		for (j = 0; j < (int) (sizeof(inv_odd) / sizeof(inv_odd[0])); j++)
		{
			double		s1;

			ej *= v2;
			s1 = s + ej * inv_odd[j];
			if (s1 == s)
				return s1;
			s = s1;
		}
		return s;
	}
	return k * log(k / mu) + d;
}

/*
 * A_v for 1 <= v < n(1-x), written as (1/u) * Binom(v; n, u) with
 * u = x + v/n (C(n,v) u^v (1-u)^(n-v) is a binomial probability since the two
 * bases of A_v add up to 1).  Loader's saddle-point form
 *   Binom(v; n, u) = exp(s(n) - s(v) - s(n-v) - bd0(v, n u) - bd0(n-v, n(1-u)))
 *                    * sqrt(n / (2 pi v (n-v)))
 * cancels the O(n ln n) parts of the logarithms analytically, so each term
 * has a relative error of a few 1e-16 times the (small) deviances, in plain
 * double and at the cost of one exp.  nu = v + n x and nw = n - v - n x are
 * passed in (nw from the exact integer/fraction split of n x).
 *
 * SciPy forms each A_v in double-double and scales it into place with ldexp,
 * so a term below DBL_MIN is rounded once to the subnormal grid before it is
 * summed; this is reproduced (it matters only for results below ~1e-300).
 */
static double
smirnov_lower_term(double n, double v, double nx, double nu, double nw, double sn)
{
	double		lc = sn - stirling_error(v) - stirling_error(n - v)
		- binom_deviance(v, nu, nx) - binom_deviance(n - v, nw, -nx);
	double		f = n / nu * sqrt(n / (2 * M_PI * v * (n - v)));

	/* 1e-3 < f < 1e6 for n <= 10^6, so this keeps f e^lc above DBL_MIN */
	if (lc > -690.0)
		return f * exp(lc);
	return ldexp(f * exp(lc + 512 * M_LN2), -512);
}

/*
 * scipy.special.smirnov(n, x) = P(D+_n >= x).  Branches as in SciPy 1.10's
 * Cephes kolmogorov.c: trivial cases, the closed forms for x <= 1/n and
 * x >= 1 - 1/n, 0 when -2nx^2 < MINLOG, the approximation
 * exp(-(6nx+1)^2/(18n)) for n > 10^6, otherwise the Birnbaum-Tingey sum (the
 * "upper" complementary sum when it has at most 3 terms and x is small).
 * n is not limited to int as in SciPy (which returns NaN for n >= 2^31).
 * Cost O(number of terms) <= O(min(n, 10^6)).
 */
double
smirnov_sf(int64_t n, double x)
{
	double		dn;
	int64_t		nxfl,
				n1mxfl,
				n1mxceil,
				n_upper_terms,
				n_terms,
				start,
				j,
				vmid;
	long double alpha,
				nx,
				cman = 1.0L,
				sum,
				prob;
	int64_t		cexp = 0;
	int			use_upper;
	double		p;

	if (isnan(x))
		return NAN;
	if (!(n > 0 && x >= 0.0 && x <= 1.0))
		return NAN;
	if (n == 1)
		return 1.0 - x;
	if (x == 0.0)
		return 1.0;
	if (x == 1.0)
		return 0.0;

	dn = (double) n;
	split_nx(dn, x, &nxfl, &alpha, &nx);

	/* x <= 1/n: P(D+ < x) = x (1+x)^(n-1) */
	if (nxfl == 0 || (nxfl == 1 && alpha == 0.0L))
	{
		long double cdf = (long double) x * expl((long double) (n - 1) * log1pl((long double) x));

		return 1.0 - (double) cdf;
	}
	/* the tail is below the double range (SciPy's test, same rounding) */
	if ((-2.0 * dn) * x * x < KS_MINLOG)
		return 0.0;
	/* x >= 1 - 1/n: P(D+ >= x) = (1-x)^n, 1-x exact */
	if (nxfl >= n - 1)
		return pow(1.0 - x, dn);
	/* very large n: SciPy's approximation, evaluated as SciPy does */
	if (n > KS_SMIRNOV_MAX_COMPUTE_N)
	{
		double		logp = -pow(6.0 * dn * x + 1, 2) / 18.0 / dn;

		if (logp < -M_LN2)
			return exp(logp);
		return 1 - (-expm1(logp));
	}

	/* Birnbaum-Tingey sum: v from 0 up to floor(n(1-x)), or the complement */
	n1mxfl = n - nxfl - (alpha == 0.0L ? 0 : 1);
	n1mxceil = n - nxfl;
	if (alpha == 0.0L)
	{
		n1mxfl -= 1;
		n1mxceil += 1;
	}
	n_upper_terms = n - n1mxceil + 1;
	use_upper = (n_upper_terms <= 1 && x < 0.5)
		|| (n >= 10 && n_upper_terms <= 3 && x <= 0.5 / sqrt(dn));
	if (use_upper)
	{
		start = n;
		n_terms = n_upper_terms;
	}
	else
	{
		start = 0;
		n_terms = n1mxfl + 1;
	}
	vmid = n / 2;

	if (use_upper)
	{
		/* at most 3 terms (alternating): long double logarithms */
		sum = smirnov_term(n, start, nxfl, alpha, nx, cman, cexp);
		for (j = 0; j + 1 < n_terms; j++)
		{
			int			e;

			/* C(n, j+1) = C(n, j) (n-j)/(j+1), kept as mantissa * 2^exponent */
			cman = frexpl(cman * (long double) (n - j) / (long double) (j + 1), &e);
			cexp += e;
			sum += smirnov_term(n, start - (j + 1), nxfl, alpha, nx, cman, cexp);
		}
		prob = (long double) x * sum;
	}
	else
	{
		/* sum_{v} A_v, terms as binomial probabilities (see above) */
		double		nxd = (double) nx;
		double		sn = stirling_error(dn);
		double		ad = (double) alpha;
		long double sum0;

		/* v = 0: A_0 = (1-x)^n / x; 1-x is exact for x >= 0.5 as in SciPy */
		if (x >= 0.5)
			sum0 = (long double) pow(1.0 - x, dn);
		else
			sum0 = (long double) exp(dn * log1p(-x));
		sum = sum0 / (long double) x;
		for (j = 1; j < n_terms; j++)
		{
			double		nu = (double) ((long double) j + nx);
			double		nw = (double) (n - j - nxfl) - ad;
			double		aj = smirnov_lower_term(dn, (double) j, nxd, nu, nw, sn);

			if (aj != 0.0)
			{
				sum += aj;
				/* stop when the remaining terms cannot matter (SciPy's criterion) */
				if (4.0 * (double) (n_terms - j) * aj < DBL_EPSILON * (double) sum
					&& j != n_terms - 1)
					break;
			}
			else if (j > vmid)
				break;
		}
		prob = (long double) x * sum;
	}
	p = (double) prob;
	if (use_upper)
		p = 1 - p;
	return ks_clip01(p);
}
