/*
 * kolmogorov.c -- the two-sided one-sample Kolmogorov-Smirnov distribution
 *
 *   kolmogorov_sf(n, x) = P(D_n >= x), D_n = sup |F_n - F|   (scipy.stats.kstwo.sf)
 *
 * and its large-n approximation (Pelz-Good).  The two-sample test uses
 * kolmogorov_sf at an effective sample size in its asymptotic mode.  The
 * reference is SciPy 1.10.1, including where SciPy returns an approximation
 * rather than the exact value (Pelz-Good, 2*smirnov for the two-sided tail,
 * 0 beyond n*x^2 >= 370): the selection of methods follows SciPy 1.10's
 * documented behaviour, which in turn follows
 *
 *   R. Simard, P. L'Ecuyer, "Computing the two-sided Kolmogorov-Smirnov
 *   distribution", Journal of Statistical Software 39(11) (2011):
 *   exact formulas of Ruben & Gambino near the ends of the support, the Durbin
 *   matrix for small n*x^2, Pomeranz's recursion for moderate n*x^2 (n <= 140),
 *   the Pelz-Good expansion for large n, and the one-sided (Smirnov) tail
 *   doubled where the two-sided correction is negligible.
 *
 *   H. Ruben, J. Gambino, "The exact distribution of Kolmogorov's statistic
 *     D_n for n <= 10", Ann. Inst. Statist. Math. 34 (1982) 167-173:
 *     closed forms for x <= 1/n and x >= 1 - 1/n.
 *   W. Pelz, I. J. Good, "Approximating the lower tail-areas of the
 *     Kolmogorov-Smirnov one-sample statistic", J. Roy. Statist. Soc. B 38
 *     (1976) 152-156.
 *
 * The exact algorithms are in kolmogorov_exact.c, the one-sided tail in
 * smirnov.c.  Long double (80-bit on x86-64, wider on aarch64) carries n!/n^n
 * in the exact methods; where long double is only double these lose about
 * sqrt(n)*1e-16 relative, still far inside the 1e-9 target.
 */
#include "ks_dist.h"
#include "kolmogorov.h"
#include "ks_numerics.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
/*
 * Pelz-Good (1976) approximation of P(D_n <= x):
 *   K0(z) + K1(z)/sqrt(n) + K2(z)/n + K3(z)/n^(3/2),  z = x sqrt(n),
 * each K_i written with Jacobi-theta transformed series in
 * q = exp(-pi^2/(8 z^2)) (terms q^((2k-1)^2)) plus, for K2 and K3, series in
 * exp(-pi^2/(2 z^2)) (terms with k^2).  Truncation after ceil(16 z/pi) terms
 * and the term grouping are those of SciPy 1.10, whose value is the
 * reference (this is an approximation, not the exact distribution).
 */
double
ks_kolmogorov_cdf_pelz_good(int64_t n, double x)
{
	const double pi2 = M_PI * M_PI;
	const double pi4 = pow(M_PI, 4);
	const double pi6 = pow(M_PI, 6);
	const double sqrt2pi = sqrt(2 * M_PI);
	double		dn = (double) n;
	double		z,
				z2,
				z3,
				z4,
				z6,
				qlog,
				q,
				q2,
				k1a,
				k1b,
				k2a,
				k2b,
				k2c,
				k3a,
				k3b,
				k3c,
				k3d,
				K[4] = {0.0, 0.0, 0.0, 0.0},
				ex2 = 0.0,
				ex3 = 0.0,
				sqrt3z;
	int64_t		maxk,
				kk;

	if (n < 1 || isnan(x))
		return NAN;
	if (x <= 0.0)
		return 0.0;
	if (x >= 1.0)
		return 1.0;
	z = sqrt(dn) * x;
	z2 = pow(z, 2);
	z3 = pow(z, 3);
	z4 = pow(z, 4);
	z6 = pow(z, 6);
	qlog = -pi2 / 8 / z2;
	if (qlog < -708)
		return 0.0;
	q = exp(qlog);

	k1a = -z2;
	k1b = pi2 / 4;
	k2a = 6 * z6 + 2 * z4;
	k2b = (2 * z4 - 5 * z2) * pi2 / 4;
	k2c = pi4 * (1 - 2 * z2) / 16;
	k3d = pi6 * (5 - 30 * z2) / 64;
	k3c = pi4 * (-60 * z2 + 212 * z4) / 16;
	k3b = pi2 * (135 * z4 - 96 * z6) / 4;
	k3a = -30 * z6 - 90 * pow(z, 8);

	/* Horner in q: sum_k c_k q^((2k-1)^2) = q * (c_1 + q^8 (c_2 + q^16 (...))) */
	maxk = (int64_t) ceil(16 * z / M_PI);
	for (kk = maxk; kk >= 1; kk--)
	{
		double		mm = (double) (2 * kk - 1);
		double		m2 = mm * mm,
					m4 = m2 * m2,
					m6 = m4 * m2;
		double		qp = pow(q, (double) (8 * kk));

		K[0] = K[0] * qp + 1.0;
		K[1] = K[1] * qp + (k1a + k1b * m2);
		K[2] = K[2] * qp + (k2a + k2b * m2 + k2c * m4);
		K[3] = K[3] * qp + (k3a + k3b * m2 + k3c * m4 + k3d * m6);
	}
	for (kk = 0; kk < 4; kk++)
		K[kk] = K[kk] * q * sqrt2pi;
	K[0] /= z;
	K[1] /= 6 * z4;
	K[2] /= 72 * pow(z, 7);
	K[3] /= 6480 * pow(z, 10);

	/* the k^2 series of K2 and K3 */
	q2 = exp(-pi2 / 2 / z2);
	sqrt3z = sqrt(3.0) * z;
	for (kk = maxk; kk >= 1; kk--)
	{
		double		ks = (double) (kk * kk);
		double		qp = pow(q2, ks);
		double		kpi = M_PI * (double) kk;

		ex2 += ks * qp;
		ex3 += (sqrt3z + kpi) * (sqrt3z - kpi) * ks * qp;
	}
	K[2] += ex2 * (pi2 * sqrt2pi / (-36 * z3));
	K[3] += ex3 * (pi2 * sqrt2pi / (216 * z6));

	K[1] /= pow(dn, 0.5);
	K[2] /= dn;
	K[3] /= pow(dn, 1.5);
	return ((K[0] + K[1]) + K[2]) + K[3];
}

/* ln(n!/n^n) by Stirling's series (as SciPy, for n > 140). */
static double
log_nfact_over_npow(double n)
{
	static const double coef[8] = {
		-3617.0 / 122400.0, 1.0 / 156.0, -691.0 / 360360.0, 1.0 / 1188.0,
		-1.0 / 1680.0, 1.0 / 1260.0, -1.0 / 360.0, 1.0 / 12.0
	};
	double		rn = 1.0 / n,
				y = 0.0,
				r2 = rn / n;
	int			i;

	for (i = 0; i < 8; i++)
		y = y * r2 + coef[i];
	return log(n) / 2 - n + log(2 * M_PI) / 2 + rn * y;
}

/*
 * scipy.stats.kstwo.sf(x, n) = P(D_n >= x).  Method selection as SciPy 1.10
 * (_kolmogn with cdf=False), after Simard & L'Ecuyer (2011):
 *   x <= 1/(2n): 1;  x >= 1: 0;
 *   n x <= 1 (Ruben-Gambino): 1 - n!/n^n (2nx-1)^n;
 *   n x >= n-1 (Ruben-Gambino): 2 (1-x)^n;
 *   x >= 0.5: 2 smirnov(n, x) (exact there);
 *   n <= 140: Durbin matrix if n x^2 <= 0.754693, Pomeranz if <= 4, else
 *             2 smirnov;
 *   n > 140:  0 if n x^2 >= 370, 2 smirnov if >= 2.2, else Durbin matrix if
 *             n <= 100000 and n x^1.5 <= 1.4, else Pelz-Good.
 * Cost: O(1) except the Durbin matrix (<= ~0.03 s at n = 10^5), Pomeranz
 * (tiny) and the Smirnov sum (O(min(n, 10^6)) terms).
 */
double
kolmogorov_sf(int64_t n, double x)
{
	double		dn,
				t,
				nxsq,
				cdf;

	if (n < 1 || isnan(x))
		return NAN;
	dn = (double) n;
	/* outside the support of kstwo: (1/(2n), 1) */
	if (x <= 0.5 / dn)
		return 1.0;
	if (x >= 1.0)
		return 0.0;

	t = dn * x;
	if (t <= 1.0)
	{
		double		prob;

		if (t <= 0.5)
			return 1.0;
		if (n <= 140)
		{
			double		rn = 1.0 / dn,
						b = 2 * t - 1;
			int64_t		i;

			/* numpy: prod(arange(1, n+1) * (1.0/n) * (2t-1)), left to right */
			prob = 1.0;
			for (i = 1; i <= n; i++)
				prob *= ((double) i * rn) * b;
		}
		else
			prob = exp(log_nfact_over_npow(dn) + dn * log(2 * t - 1));
		return ks_clip01(1.0 - prob);
	}
	if (t >= dn - 1)
		return ks_clip01(2 * pow(1.0 - x, dn));
	if (x >= 0.5)
		return ks_clip01(2 * smirnov_sf(n, x));

	nxsq = t * x;
	if (n <= 140)
	{
		if (nxsq <= 0.754693)
			return ks_clip01(1.0 - ks_kolmogorov_cdf_durbin(n, x));
		if (nxsq <= 4)
			return ks_clip01(1.0 - ks_kolmogorov_cdf_pomeranz(n, x));
		return ks_clip01(2 * smirnov_sf(n, x));
	}
	if (nxsq >= 370.0)
		return 0.0;
	if (nxsq >= 2.2)
		return ks_clip01(2 * smirnov_sf(n, x));
	if (n <= 100000 && dn * pow(x, 1.5) <= 1.4)
		cdf = ks_kolmogorov_cdf_durbin(n, x);
	else
		cdf = ks_kolmogorov_cdf_pelz_good(n, x);
	return ks_clip01(1.0 - cdf);
}
