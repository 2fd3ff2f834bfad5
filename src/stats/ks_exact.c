/*
 * ks_exact.c -- exact null distributions of the two-sample Kolmogorov-Smirnov
 * statistics by lattice-path counting.
 *
 * A pair of samples of sizes m and n, merged and sorted, is a lattice path
 * from (0, 0) to (m, n): a step in x for an observation of the first sample, a
 * step in y for one of the second.  Under H0 (continuous data) all C(m+n, n)
 * paths are equally likely, and D >= h/lcm(m, n) holds exactly when the path
 * touches the line |n*x - m*y| = h*g (two-sided) or n*x - m*y = h*g
 * (one-sided), g = gcd(m, n).  References:
 *
 *   J. L. Hodges Jr., "The significance probability of the Smirnov two-sample
 *   test", Arkiv for Matematik 3 (1958) 469-486: the "inside" and "outside"
 *   path-counting methods.
 *   T. Viehmann, "Numerically more stable computation of the p-values for the
 *   two-sample Kolmogorov-Smirnov test", arXiv:2102.08037 (2021): running the
 *   inside recursion on the probability of having LEFT the band, so that all
 *   terms are positive and tiny p-values keep full relative accuracy.
 *
 * The selection of methods follows SciPy 1.10's documented behaviour.  Three of
 * the four routines below perform, in the same order, the same IEEE double
 * operations as SciPy 1.10.1, so that they return SciPy's value to the last
 * bit, including where SciPy's own value is slightly off (e.g. the two-sided
 * equal-size sum exceeds 1 for h = 1, which makes SciPy fall back to the
 * asymptotic distribution) or underflows into the subnormal range.  The fourth
 * (one-sided, unequal sizes) uses a different, more accurate algorithm: SciPy's
 * alternating-sign count is accurate to about 1e-11 relative whenever it
 * succeeds, so an accurate value agrees with it well within 1e-9.
 */
#include "ks_exact.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

/*
 * The bit-for-bit routines must not have a*b+c contracted into a fused
 * multiply-add (SciPy's compiled code rounds the product).  Clang honours the
 * standard pragma (unless -ffp-contract=fast is forced); GCC only contracts
 * when FMA instructions are enabled (-march=...), and then the pragma below
 * turns contraction off.  A contracted build differs in the last bits only:
 * no decision (fallback to the asymptotic formula) depends on contractible
 * expressions, and the tests still pass.
 */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__) && defined(__FP_FAST_FMA)
#pragma GCC optimize ("fp-contract=off")
#endif

/* Columns of the inside recursion advanced together (see below); 8 keeps the
 * divider pipeline busy on current x86-64 cores. */
#define KS_INSIDE_LANES 8

/* Floor of a/b for b > 0 and any sign of a. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t		q = a / b;

	if ((a % b) != 0 && a < 0)
		q--;
	return q;
}

/* Ceiling of a/b for b > 0 and any sign of a. */
static int64_t
ceil_div(int64_t a, int64_t b)
{
	return -floor_div(-a, b);
}

/* Greatest common divisor of two positive integers. */
static int64_t
gcd64(int64_t a, int64_t b)
{
	while (b != 0)
	{
		int64_t		t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * Two-sided, m == n == n.  By the reflection principle
 *   P(D >= h/n) = 2 * sum_{k>=1} (-1)^(k-1) C(2n, n-kh) / C(2n, n),
 * evaluated (as SciPy does) as 2*A1*(1 - A2*(1 - A3*(...))) where A_k is the
 * ratio of consecutive binomial terms, a product of h simple factors.  The
 * nested form has no catastrophic cancellation.  Cost O(n + h).
 */
double
ks_exact_two_sided_equal(int64_t n, int64_t h)
{
	double		P = 0.0;
	int64_t		k;

	if (n < 1 || h < 1 || h > n)
		return NAN;
	for (k = n / h; k >= 0; k--)
	{
		double		p1 = 1.0;
		int64_t		j;

		for (j = 0; j < h; j++)
			p1 = ((double) (n - k * h - j) * p1) / (double) (n + k * h + j + 1);
		P = p1 * (1.0 - P);
	}
	return 2 * P;
}

/*
 * Two-sided, general sizes: Hodges' inside method in Viehmann's form.  With
 * m >= n, A(i, j) is the probability that a random path from (0, 0) to (i, j)
 * has left the band |n*i - m*j| < h*g; it is 1 outside the band and inside
 *     A(i, j) = (i*A(i-1, j) + j*A(i, j-1)) / (i + j),
 * a convex combination, so every term is positive and the relative accuracy of
 * the result does not degrade in the tail.  The answer is A(m, n).
 *
 * Column i only needs rows minj(i) <= j < maxj(i) (the band), both
 * non-decreasing in i, so one array indexed by j is updated in place.  The
 * recursion along a column is a chain of dependent divisions, which would make
 * the worst case (m, n ~ 10^4, band covering everything: 10^8 cells) take
 * about 0.6 s; cell (i+1, j) only needs (i, j) and (i+1, j-1), so
 * KS_INSIDE_LANES consecutive columns are advanced as a skewed wavefront
 * (column i+c works on row s-c at step s), which gives the processor
 * independent chains without changing a single operation.  Worst case about
 * 0.2 s, memory O(n).
 */
double
ks_exact_two_sided_inside(int64_t m, int64_t n, int64_t h)
{
	int64_t		g,
				mg,
				ng,
				maxj0,
				i,
				j;
	double	   *col;
	double		result;

	if (m < 1 || n < 1 || h < 1)
		return NAN;
	if (m < n)
	{
		int64_t		t = m;

		m = n;
		n = t;
	}
	g = gcd64(m, n);
	mg = m / g;
	ng = n / g;

	col = (double *) malloc(sizeof(double) * (size_t) (n + 1));
	if (col == NULL)
		return NAN;

	/* column 0: inside the band below ceil(h/mg), outside (1) above */
	maxj0 = ceil_div(h, mg);
	if (maxj0 > n + 1)
		maxj0 = n + 1;
	for (j = 0; j <= n; j++)
		col[j] = (j < maxj0) ? 0.0 : 1.0;

	for (i = 1; i <= m; i += KS_INSIDE_LANES)
	{
		int64_t		lo[KS_INSIDE_LANES],
					hi[KS_INSIDE_LANES];
		double		val[KS_INSIDE_LANES],
					di[KS_INSIDE_LANES];
		int			lanes = (m - i + 1 < KS_INSIDE_LANES) ? (int) (m - i + 1) : KS_INSIDE_LANES;
		int			c;
		int64_t		s,
					s_end;

		for (c = 0; c < lanes; c++)
		{
			int64_t		ii = i + c;
			int64_t		a = floor_div(ng * ii - h, mg) + 1;
			int64_t		b = ceil_div(ng * ii + h, mg);

			if (a < 0)
				a = 0;
			if (a > n)
				a = n;
			if (b > n + 1)
				b = n + 1;
			if (b <= a)
			{
				/* the band is empty: every path leaves it */
				free(col);
				return 1.0;
			}
			lo[c] = a;
			hi[c] = b;
			/* value just below the band: 0 at the axis, else "has left" */
			val[c] = (a == 0) ? 0.0 : 1.0;
			di[c] = (double) ii;
		}

		s_end = hi[lanes - 1] - 1 + (lanes - 1);
		for (s = lo[0]; s <= s_end; s++)
		{
			for (c = 0; c < lanes; c++)
			{
				j = s - c;
				if (j >= lo[c] && j < hi[c])
				{
					/* same operations and order as SciPy 1.10.1 */
					double		v = (col[j] * di[c] + val[c] * (double) j) / (double) (i + c + j);

					val[c] = v;
					col[j] = v;
				}
			}
		}
	}
	result = col[n];
	free(col);
	return result;
}

/*
 * One-sided, m == n: P(D+ >= h/n) = C(2n, n-h)/C(2n, n)
 *   = prod_{j<h} (n-j)/(n+j+1), multiplied left to right as NumPy's prod does.
 */
double
ks_exact_one_sided_equal(int64_t n, int64_t h)
{
	double		p = 1.0;
	int64_t		j;

	if (n < 1 || h < 1 || h > n)
		return NAN;
	for (j = 0; j < h; j++)
		p *= (double) (n - j) / ((double) (n + j) + 1.0);
	return p;
}

/*
 * SciPy 1.10 computes binom(m+n, n) in double and gives up the exact one-sided
 * computation when it is infinite.  ln C(m+n, n) from lgammal has an absolute
 * error far below 1e-12, while no pair m, n <= 10^4 has ln C(m+n, n) within
 * 7e-5 of ln(DBL_MAX) (checked exhaustively against SciPy's binom), so the
 * comparison reproduces SciPy's decision.
 */
int
ks_exact_binom_overflows(int64_t m, int64_t n)
{
	long double lc;

	if (m < 0 || n < 0)
		return 1;
	lc = lgammal((long double) (m + n) + 1.0L) - lgammal((long double) m + 1.0L)
		- lgammal((long double) n + 1.0L);
	return lc > 709.78271289338399678773L;	/* ln(DBL_MAX) */
}

/*
 * One-sided, m != n.  SciPy counts the paths that reach n*x - m*y >= h*g with
 * Hodges' "outside" formula (an alternating recursion on binomial
 * coefficients) and divides by C(m+n, n).  Here the same probability is
 * accumulated directly: a uniformly random path is a Markov chain that at
 * (x, y) steps in x with probability (m-x)/(m-x+n-y); q(x, y) is the
 * probability of reaching (x, y) without having touched the boundary, and the
 * mass of every step onto the boundary (only x-steps can reach it) is added to
 * p.  All quantities are positive, so p keeps full relative accuracy down to
 * 1/C(m+n, n) ~ 1e-308; long double avoids the subnormal range.  The cost is
 * O(m*n) but this is only reached when C(m+n, n) < DBL_MAX, which bounds
 * m*n by about 1.4e6 for sizes up to 10^4.
 */
double
ks_exact_one_sided_unequal(int64_t m, int64_t n, int64_t h)
{
	int64_t		g,
				H,
				x,
				y,
				ylo;
	long double *q,
			   *inv;
	long double p = 0.0L;

	if (m < 1 || n < 1 || h < 1)
		return NAN;
	if (ks_exact_binom_overflows(m, n))
		return NAN;
	if (m < n)
	{
		int64_t		t = m;

		m = n;
		n = t;
	}
	g = gcd64(m, n);
	H = h * g;

	q = (long double *) malloc(sizeof(long double) * (size_t) (n + 1));
	inv = (long double *) malloc(sizeof(long double) * (size_t) (m + n + 1));
	if (q == NULL || inv == NULL)
	{
		free(q);
		free(inv);
		return NAN;
	}
	inv[0] = 0.0L;
	for (x = 1; x <= m + n; x++)
		inv[x] = 1.0L / (long double) x;

	/* column 0: the boundary cannot be touched (n*0 - m*y <= 0 < H) */
	q[0] = 1.0L;
	for (y = 1; y <= n; y++)
		q[y] = q[y - 1] * (long double) (n - y + 1) * inv[m + n - y + 1];
	ylo = 0;

	for (x = 0; x < m; x++)
	{
		/* lowest row of column x+1 that is strictly inside (n*x - m*y < H) */
		int64_t		nlo = floor_div(n * (x + 1) - H, m) + 1;
		long double below = 0.0L;	/* q(x+1, y-1) * P(y-step) */

		if (nlo < 0)
			nlo = 0;
		for (y = ylo; y <= n; y++)
		{
			int64_t		rx = m - x,
						ry = n - y;
			long double fromleft = q[y] * (long double) rx * inv[rx + ry];

			if (y < nlo)
			{
				/* the x-step from (x, y) lands on the boundary */
				p += fromleft;
				q[y] = 0.0L;
			}
			else
			{
				long double v = fromleft + below;

				q[y] = v;
				/* y-step from (x+1, y): remaining m-x-1 x-steps, n-y y-steps */
				below = v * (long double) ry * inv[rx - 1 + ry];
			}
		}
		ylo = nlo;
	}
	free(q);
	free(inv);
	return (double) p;
}
