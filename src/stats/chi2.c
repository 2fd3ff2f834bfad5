/*
 * chi2.c
 *		The regularised upper incomplete gamma function Q(a, x) and the
 *		chi-square survival function built on it.
 *
 * Method (Press, Teukolsky, Vetterling, Flannery, "Numerical Recipes", 3rd
 * ed., section 6.2; the same split as Cephes igam/igamc used by SciPy):
 *
 *	x < a + 1:	the power series for P(a, x), then Q = 1 - P (Q is not small
 *				there, so the subtraction loses nothing that matters);
 *	otherwise:	the continued fraction for Q(a, x), evaluated with the
 *				modified Lentz algorithm (Lentz 1976; Thompson and Barnett
 *				1986).
 *
 * Both are multiplied by the prefactor x^a e^-x / Gamma(a).  Its logarithm is
 * where accuracy is lost in the far tail: written naively as
 * a ln x - x - lgamma(a) it is a difference of large numbers.  For a >= 10 it
 * is rewritten as a (ln(1 + d) - d) + (1/2) ln(a / 2 pi) - stirlerr(a) with
 * d = (x - a) / a, where ln(1 + d) - d is summed as a series for small d and
 * stirlerr (the remainder of Stirling's series for lgamma) is its asymptotic
 * expansion, so that no large terms cancel (the device of Loader 2000, "Fast
 * and accurate computation of binomial probabilities").  The logarithm of the
 * continued fraction is added before exponentiating, so results down to the
 * smallest subnormal double are not lost to an intermediate underflow.
 */
#include <math.h>
#include <float.h>

#include "chi2.h"

#define GAMMA_EPS (DBL_EPSILON / 2)
#define GAMMA_TINY 1e-300
#define GAMMA_MAX_ITER 100000000L

/* ln(1 + d) - d without cancellation for small |d|. */
static double
log1pmx(double d)
{
	if (fabs(d) < 0.25)
	{
		/* -d^2/2 + d^3/3 - d^4/4 + ... */
		double		term = d * d;
		double		sum = 0.0;

		for (int k = 2; k < 200; k++)
		{
			double		t = term / k;

			sum += (k % 2 == 0) ? -t : t;
			if (fabs(t) < fabs(sum) * GAMMA_EPS)
				break;
			term *= d;
		}
		return sum;
	}
	return log1p(d) - d;
}

/* lgamma(a) - ((a - 1/2) ln a - a + ln(2 pi) / 2), for a >= 10. */
static double
stirlerr(double a)
{
	double		a2 = a * a;

	/* Bernoulli-number series: 1/12a - 1/360a^3 + 1/1260a^5 - 1/1680a^7 + 1/1188a^9 */
	return (1.0 / 12.0 - (1.0 / 360.0 - (1.0 / 1260.0 - (1.0 / 1680.0 - 1.0 / (1188.0 * a2)) / a2) / a2) / a2) / a;
}

/* ln(x^a e^-x / Gamma(a)). */
static double
log_prefactor(double a, double x)
{
	if (a < 10.0)
		return a * log(x) - x - lgamma(a);
	return a * log1pmx((x - a) / a) + 0.5 * log(a / (2.0 * M_PI)) - stirlerr(a);
}

/* P(a, x) by its power series (x < a + 1). */
static double
gamma_p_series(double a, double x)
{
	double		ap = a;
	double		term = 1.0 / a;
	double		sum = term;

	for (long n = 1; n < GAMMA_MAX_ITER; n++)
	{
		ap += 1.0;
		term *= x / ap;
		sum += term;
		if (fabs(term) < fabs(sum) * GAMMA_EPS)
			break;
	}
	return exp(log_prefactor(a, x) + log(sum));
}

/* Q(a, x) by its continued fraction (x >= a + 1), modified Lentz. */
static double
gamma_q_fraction(double a, double x)
{
	double		b = x + 1.0 - a;
	double		c = 1.0 / GAMMA_TINY;
	double		d = 1.0 / b;
	double		h = d;

	for (long i = 1; i < GAMMA_MAX_ITER; i++)
	{
		double		an = -(double) i * ((double) i - a);
		double		del;

		b += 2.0;
		d = an * d + b;
		if (fabs(d) < GAMMA_TINY)
			d = GAMMA_TINY;
		c = b + an / c;
		if (fabs(c) < GAMMA_TINY)
			c = GAMMA_TINY;
		d = 1.0 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1.0) < GAMMA_EPS)
			break;
	}
	return exp(log_prefactor(a, x) + log(h));
}

/* Regularised upper incomplete gamma function Q(a, x) = Gamma(a, x) / Gamma(a). */
double
gamma_q(double a, double x)
{
	if (isnan(a) || isnan(x) || a <= 0.0)
		return NAN;
	if (x <= 0.0)
		return 1.0;
	if (isinf(x))
		return 0.0;
	if (x < a + 1.0)
		return 1.0 - gamma_p_series(a, x);
	return gamma_q_fraction(a, x);
}

/* scipy.stats.chi2.sf(x, dof); dof 0 gives 1 (SciPy's chi2_contingency convention). */
double
chi2_sf(double x, double dof)
{
	if (dof <= 0.0)
		return 1.0;
	return gamma_q(dof / 2.0, x / 2.0);
}
