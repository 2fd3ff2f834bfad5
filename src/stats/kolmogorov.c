/*
 * kolmogorov.c -- one-sample Kolmogorov-Smirnov distributions:
 *
 *   kolmogorov_sf(n, x) = P(D_n >= x), D_n = sup |F_n - F|   (scipy.stats.kstwo.sf)
 *   smirnov_sf(n, x)    = P(D+_n >= x), D+_n = sup (F_n - F) (scipy.special.smirnov)
 *
 * The two-sample test uses kolmogorov_sf at an effective sample size in its
 * asymptotic mode.  The reference is SciPy 1.10.1, including where SciPy
 * returns an approximation rather than the exact value (Pelz-Good, 2*smirnov
 * for the two-sided tail, 0 beyond n*x^2 >= 370, the large-n Smirnov formula):
 * the selection of methods follows SciPy 1.10's documented behaviour, which in
 * turn follows
 *
 *   R. Simard, P. L'Ecuyer, "Computing the two-sided Kolmogorov-Smirnov
 *   distribution", Journal of Statistical Software 39(11) (2011):
 *   exact formulas of Ruben & Gambino near the ends of the support, the Durbin
 *   matrix for small n*x^2, Pomeranz's recursion for moderate n*x^2 (n <= 140),
 *   the Pelz-Good expansion for large n, and the one-sided (Smirnov) tail
 *   doubled where the two-sided correction is negligible.
 *
 * Algorithms, with the literature:
 *   H. Ruben, J. Gambino, "The exact distribution of Kolmogorov's statistic
 *     D_n for n <= 10", Ann. Inst. Statist. Math. 34 (1982) 167-173:
 *     closed forms for x <= 1/n and x >= 1 - 1/n.
 *   J. Durbin (1968); G. Marsaglia, W. W. Tsang, J. Wang, "Evaluating
 *     Kolmogorov's distribution", Journal of Statistical Software 8(18) (2003):
 *     P(D_n < x) = n!/n^n * (H^n)_{kk} for a (2k-1)x(2k-1) matrix H.
 *   J. Pomeranz, "Exact cumulative distribution of the Kolmogorov-Smirnov
 *     statistic for small samples (Algorithm 487)", Comm. ACM 17(12) (1974)
 *     703-704: a recursion over the breakpoints of the boundary.
 *   W. Pelz, I. J. Good, "Approximating the lower tail-areas of the
 *     Kolmogorov-Smirnov one-sample statistic", J. Roy. Statist. Soc. B 38
 *     (1976) 152-156.
 *   Z. W. Birnbaum, F. H. Tingey, "One-sided confidence contours for
 *     probability distribution functions", Ann. Math. Statist. 22 (1951)
 *     592-596: P(D+_n >= x) = x * sum_{v=0}^{floor(n(1-x))} C(n,v)
 *     (x+v/n)^(v-1) (1-x-v/n)^(n-v)  (already in Smirnov 1944).
 *
 *   C. Loader, "Fast and accurate computation of binomial probabilities"
 *     (2000): saddle-point form of the binomial probability, used for the
 *     Birnbaum-Tingey terms.
 *
 * Precision: SciPy evaluates the Smirnov sum in double-double.  Here n*x is
 * split exactly (fma) and every Birnbaum-Tingey term is a binomial
 * probability in Loader's form, accurate to ~1e-15 in plain double for all
 * n <= 10^6 (the O(n log n) parts of the logarithms cancel analytically);
 * the terms are summed in long double.  Long double (80-bit on x86-64, wider
 * on aarch64) is also used for the few-term upper sum and for n!/n^n in the
 * exact methods; where long double is only double these lose about
 * sqrt(n)*1e-16 relative, still far inside the 1e-9 target.  Results in the
 * subnormal range reproduce SciPy's own rounding of each term.
 *
 * Cost: everything is O(1) except the Durbin matrix (n <= 10^5: ~12 ms at
 * worst), Pomeranz (n <= 140: negligible) and the Smirnov sum
 * (O(min(n, 10^6)) terms: ~30 ms at n = 10^6).
 */
#include "ks_dist.h"
#include "kolmogorov.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#ifndef M_LN2
#define M_LN2 0.69314718055994530942
#endif

/*
 * Cephes' MINLOG as SciPy builds it (with DENORMAL): log(2^-1075).  SciPy's
 * smirnov returns 0 when -2 n x^2 is below it; above it the result may be a
 * subnormal number, which is reproduced.
 */
#define KS_MINLOG (-7.451332191019412076235E2)

/* SciPy: above this n, smirnov uses the approximation exp(-(6nx+1)^2/(18n)). */
#define KS_SMIRNOV_MAX_COMPUTE_N 1000000

/* Largest Durbin matrix order accepted (k <= 200): 2 matrices of 399^2 doubles. */
#define KS_DURBIN_MAX_K 200

/* Largest n accepted by the Pomeranz routine (SciPy uses it for n <= 140). */
#define KS_POMERANZ_MAX_N 100000

#define KS_LN2L 0.693147180559945309417232121458176568L

/* Clip a probability to [0, 1] (NaN passes through), as numpy.clip does. */
static double
clip01(double p)
{
	if (p < 0.0)
		return 0.0;
	if (p > 1.0)
		return 1.0;
	return p;
}

/* ------------------------------------------------------------------------ */
/* Smirnov (one-sided)                                                       */
/* ------------------------------------------------------------------------ */

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
	return clip01(p);
}

/* ------------------------------------------------------------------------ */
/* Kolmogorov (two-sided): exact algorithms                                 */
/* ------------------------------------------------------------------------ */

/* C = A*B for m x m row-major matrices (C distinct from A and B). */
static void
matmul(const double *restrict A, const double *restrict B, double *restrict C, int m)
{
	int			i,
				k,
				j;

	for (i = 0; i < m * m; i++)
		C[i] = 0.0;
	for (i = 0; i < m; i++)
	{
		double	   *restrict c = C + (size_t) i * m;

		for (k = 0; k < m; k++)
		{
			const double *restrict b = B + (size_t) k * m;
			double		a = A[(size_t) i * m + k];

			if (a == 0.0)
				continue;
			for (j = 0; j < m; j++)
				c[j] += a * b[j];
		}
	}
}

/* y = r*B for a row vector r of length m (y distinct from r). */
static void
vecmat(const double *restrict r, const double *restrict B, double *restrict y, int m)
{
	int			k,
				j;

	for (j = 0; j < m; j++)
		y[j] = 0.0;
	for (k = 0; k < m; k++)
	{
		const double *restrict b = B + (size_t) k * m;
		double		a = r[k];

		if (a == 0.0)
			continue;
		for (j = 0; j < m; j++)
			y[j] += a * b[j];
	}
}

/* Divide the len values of M by 2^s (exact) when the largest exceeds 2^256; returns s. */
static int
rescale(double *M, int len)
{
	double		mx = 0.0;
	int			i,
				e;

	for (i = 0; i < len; i++)
		if (fabs(M[i]) > mx)
			mx = fabs(M[i]);
	if (!(mx > 0x1p256))
		return 0;
	(void) frexp(mx, &e);
	for (i = 0; i < len; i++)
		M[i] = ldexp(M[i], -e);
	return e;
}

/*
 * Multiply a long double mantissa/exponent pair by n!/n^n = prod_{i<=n} i/n,
 * renormalising to avoid underflow.  O(n).
 */
static long double
times_nfact_over_npow(long double p, int64_t n, int64_t *expo)
{
	int64_t		i;
	long double nl = (long double) n;

	for (i = 1; i <= n; i++)
	{
		p = p * (long double) i / nl;
		if (p != 0.0L && fabsl(p) < 0x1p-128L)
		{
			p *= 0x1p128L;
			*expo -= 128;
		}
	}
	return p;
}

/*
 * P(D_n < x) by Durbin's matrix method in the formulation of Marsaglia, Tsang
 * and Wang (2003): with k = ceil(n x), h = k - n x, m = 2k - 1,
 *   H_ij = 1/(i-j+1)! for i-j+1 >= 0 (else 0),
 *   H_i1 = (1 - h^i)/i!,  H_mj = (1 - h^(m-j+1))/(m-j+1)!,
 *   H_m1 = (1 - 2h^m + max(0, 2h-1)^m)/m!,
 * and P = n!/n^n (H^n)_kk.  H is non-negative, so the matrix powers (binary
 * powering, exact power-of-two rescaling) are accurate entrywise.
 * Cost O(m^3 log2 n) (about 10 ms at n = 10^5, m = 117), memory 2 m^2
 * doubles; refused (NaN) for k > 200.
 */
double
ks_kolmogorov_cdf_durbin(int64_t n, double x)
{
	double		nd,
				h,
				fac;
	double	   *H,
			   *S,
			   *R,
			   *T,
			   *w;
	int64_t		k64,
				nn,
				expo = 0,
				hexpo = 0;
	int			k,
				m,
				i,
				j;
	long double p;

	if (n < 1 || isnan(x))
		return NAN;
	if (x >= 1.0)
		return 1.0;
	nd = (double) n * x;
	if (nd <= 0.5)
		return 0.0;
	k64 = (int64_t) ceil(nd);
	if (k64 > KS_DURBIN_MAX_K)
		return NAN;
	k = (int) k64;
	h = (double) k - nd;
	m = 2 * k - 1;

	H = (double *) malloc(sizeof(double) * (size_t) m * (size_t) m);
	S = (double *) malloc(sizeof(double) * (size_t) m * (size_t) m);
	R = (double *) malloc(sizeof(double) * (size_t) m);
	T = (double *) malloc(sizeof(double) * (size_t) m);
	w = (double *) malloc(sizeof(double) * (size_t) (m + 1));
	if (H == NULL || S == NULL || R == NULL || T == NULL || w == NULL)
	{
		free(H);
		free(S);
		free(R);
		free(T);
		free(w);
		return NAN;
	}

	/* w[i] = 1/i! */
	fac = 1.0;
	for (i = 0; i <= m; i++)
	{
		if (i > 0)
			fac /= i;
		w[i] = fac;
	}
	for (i = 0; i < m; i++)
		for (j = 0; j < m; j++)
			H[i * m + j] = (i - j + 1 >= 0) ? w[i - j + 1] : 0.0;
	for (i = 0; i < m; i++)
	{
		double		v = (1.0 - pow(h, (double) (i + 1))) * w[i + 1];

		H[i * m + 0] = v;
		H[(m - 1) * m + (m - 1 - i)] = v;
	}
	H[(m - 1) * m + 0] = (1.0 - 2.0 * pow(h, (double) m)
						  + pow(fmax(2.0 * h - 1.0, 0.0), (double) m)) * w[m];

	/*
	 * (H^n)_kk = e_k' H^n e_k by binary powering.  The powers H^(2^j) are
	 * formed by squaring; since they commute, the ones selected by the bits
	 * of n are applied to the row vector e_k' (O(m^2) each instead of a full
	 * product).  R holds the row vector, T scratch; both carry binary
	 * exponents (expo, hexpo) and are rescaled exactly by powers of two.
	 */
	for (i = 0; i < m; i++)
		R[i] = (i == k - 1) ? 1.0 : 0.0;
	for (nn = n; nn > 0; nn /= 2)
	{
		if (nn % 2)
		{
			double	   *t;

			vecmat(R, H, T, m);
			t = R;
			R = T;
			T = t;
			expo += hexpo;
			expo += rescale(R, m);
		}
		if (nn / 2 > 0)
		{
			double	   *t;

			matmul(H, H, S, m);
			t = H;
			H = S;
			S = t;
			hexpo *= 2;
			hexpo += rescale(H, m * m);
		}
	}
	p = (long double) R[k - 1];
	free(H);
	free(S);
	free(R);
	free(T);
	free(w);

	p = times_nfact_over_npow(p, n, &expo);
	return clip01((double) ldexpl(p, (int) expo));
}

/*
 * Interval idx (1 <= idx <= 2n+1) of Pomeranz's partition of [0, n]: its
 * length class (0: g at the ends, 1: 2g around an integer, 2: 1-2g between)
 * and the integer bounds L <= N(a) <= U valid inside it.  For a = j + s with
 * integer j and 0 < s < 1: floor(a - t) = j - l - [s < f] and
 * floor(a + t) = j + l + [s > 1 - f]; odd intervals contain s -> 0+, even
 * ones s = 1/2.
 */
static void
pomeranz_interval(int64_t idx, int64_t n, int64_t ll, double f,
				  int *cls, int64_t *L, int64_t *U)
{
	int64_t		j;

	if (idx % 2 == 1)
	{
		j = (idx - 1) / 2;
		*cls = (j == 0 || j == n) ? 0 : 1;
		*L = j - ll;
		*U = j + ll;
	}
	else
	{
		j = (idx - 2) / 2;
		*cls = 2;
		if (f > 0.5)
		{
			*L = j - ll;
			*U = j + ll + 1;
		}
		else
		{
			*L = j - ll + 1;
			*U = j + ll;
		}
	}
	if (*L < 0)
		*L = 0;
	if (*U > n)
		*U = n;
}

/*
 * P(D_n <= x) by Pomeranz's recursion (1974).  Scale the sample to [0, n]:
 * with t = n x = l + f (l integer, 0 <= f < 1) and g = min(f, 1-f), D_n <= x
 * means  N(a) >= floor(a - t) + 1  and  N(a) <= floor(a + t)  for every a,
 * N(a) the number of scaled observations <= a.  Both bounds are constant
 * between the breakpoints 0, g, 1-g, 1+g, 2-g, ..., n-g, n (2n+1 intervals
 * of lengths g, 1-2g, 2g, 1-2g, ..., 1-2g, g).  Poissonising the sample, the
 * counts in the intervals are independent Poisson(len/n) variables, so
 *   P = n! * sum over admissible count paths of prod (len_i/n)^c_i / c_i!,
 * computed as a sequence of truncated convolutions (all terms positive).
 * Admissible: N at the right end of interval i is <= U_i (bound on interval
 * i) and >= L_{i+1} (bound on interval i+1); empty intervals impose nothing.
 * The integer bounds are derived symbolically from l and f, not from rounded
 * breakpoint positions.  Cost O(n l^2), memory O(l).
 */
double
ks_kolmogorov_cdf_pomeranz(int64_t n, double x)
{
	double		t,
				f,
				g,
				lens[3];
	double	   *pw[3],
			   *Q,
			   *Qn,
			   *buf;
	int64_t		ll,
				width,
				i,
				plo,
				phi,
				expo = 0;
	int			c;
	long double p;

	if (n < 1 || isnan(x))
		return NAN;
	if (x >= 1.0)
		return 1.0;
	t = (double) n * x;
	if (t <= 0.5)
		return 0.0;
	if (n > KS_POMERANZ_MAX_N || t > 1000.0)
		return NAN;
	ll = (int64_t) floor(t);
	f = t - (double) ll;
	g = fmin(f, 1.0 - f);
	width = 2 * ll + 4;

	lens[0] = g / (double) n;
	lens[1] = 2.0 * g / (double) n;
	lens[2] = (1.0 - 2.0 * g) / (double) n;
	buf = (double *) malloc(sizeof(double) * (size_t) (5 * (width + 1)));
	if (buf == NULL)
		return NAN;
	pw[0] = buf;
	pw[1] = buf + (width + 1);
	pw[2] = buf + 2 * (width + 1);
	Q = buf + 3 * (width + 1);
	Qn = buf + 4 * (width + 1);
	/* pw[c][k] = len_c^k / k! */
	for (c = 0; c < 3; c++)
	{
		int64_t		kk;

		pw[c][0] = 1.0;
		for (kk = 1; kk <= width; kk++)
			pw[c][kk] = pw[c][kk - 1] * lens[c] / (double) kk;
	}

	/* Q[c - plo] holds the weight of count c, plo <= c <= phi */
	plo = phi = 0;
	Q[0] = 1.0;
	for (i = 1; i <= 2 * n + 1; i++)
	{
		int			cls,
					ncls;
		int64_t		L,
					U,
					Ln,
					Un,
					lo,
					hi,
					cnt;
		double		mx = 0.0;

		pomeranz_interval(i, n, ll, f, &cls, &L, &U);
		/* counts cannot grow across an empty interval */
		hi = (lens[cls] > 0.0) ? U : phi;
		if (i < 2 * n + 1)
		{
			pomeranz_interval(i + 1, n, ll, f, &ncls, &Ln, &Un);
			lo = (lens[ncls] > 0.0) ? Ln : 0;
		}
		else
			lo = n;
		if (lo < plo)
			lo = plo;
		if (lo > hi)
		{
			free(buf);
			return 0.0;
		}
		if (hi - plo > width)
		{
			/* cannot happen: admissible counts span at most 2l+3 values */
			free(buf);
			return NAN;
		}
		for (cnt = lo; cnt <= hi; cnt++)
		{
			double		s = 0.0;
			int64_t		cp,
						top = (cnt < phi) ? cnt : phi;

			for (cp = plo; cp <= top; cp++)
				s += Q[cp - plo] * pw[cls][cnt - cp];
			Qn[cnt - lo] = s;
			if (s > mx)
				mx = s;
		}
		{
			double	   *tmp = Q;

			Q = Qn;
			Qn = tmp;
		}
		plo = lo;
		phi = hi;
		/* keep the values away from underflow (exact power-of-two scaling) */
		if (mx > 0.0 && mx < 0x1p-128)
		{
			for (cnt = 0; cnt <= phi - plo; cnt++)
				Q[cnt] *= 0x1p128;
			expo -= 128;
		}
	}
	p = (long double) Q[n - plo];
	free(buf);

	/* multiply by n! with renormalisation */
	for (i = 1; i <= n; i++)
	{
		p *= (long double) i;
		if (p > 0x1p128L)
		{
			p *= 0x1p-128L;
			expo += 128;
		}
	}
	return clip01((double) ldexpl(p, (int) expo));
}

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
		return clip01(1.0 - prob);
	}
	if (t >= dn - 1)
		return clip01(2 * pow(1.0 - x, dn));
	if (x >= 0.5)
		return clip01(2 * smirnov_sf(n, x));

	nxsq = t * x;
	if (n <= 140)
	{
		if (nxsq <= 0.754693)
			return clip01(1.0 - ks_kolmogorov_cdf_durbin(n, x));
		if (nxsq <= 4)
			return clip01(1.0 - ks_kolmogorov_cdf_pomeranz(n, x));
		return clip01(2 * smirnov_sf(n, x));
	}
	if (nxsq >= 370.0)
		return 0.0;
	if (nxsq >= 2.2)
		return clip01(2 * smirnov_sf(n, x));
	if (n <= 100000 && dn * pow(x, 1.5) <= 1.4)
		cdf = ks_kolmogorov_cdf_durbin(n, x);
	else
		cdf = ks_kolmogorov_cdf_pelz_good(n, x);
	return clip01(1.0 - cdf);
}
