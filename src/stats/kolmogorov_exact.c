/*
 * kolmogorov_exact.c -- exact algorithms for the two-sided one-sample
 * Kolmogorov distribution P(D_n <= x), selected by kolmogorov_sf()
 * (kolmogorov.c) for small n*x^2 or small n:
 *
 *   J. Durbin (1968); G. Marsaglia, W. W. Tsang, J. Wang, "Evaluating
 *     Kolmogorov's distribution", Journal of Statistical Software 8(18) (2003):
 *     P(D_n < x) = n!/n^n * (H^n)_{kk} for a (2k-1)x(2k-1) matrix H.
 *   J. Pomeranz, "Exact cumulative distribution of the Kolmogorov-Smirnov
 *     statistic for small samples (Algorithm 487)", Comm. ACM 17(12) (1974)
 *     703-704: a recursion over the breakpoints of the boundary.
 *
 * Both carry n!/n^n in long double with a separate binary exponent, so that
 * neither the matrix powers nor the recursion overflow.  Cost: the Durbin
 * matrix is at most ~12 ms (n <= 10^5); Pomeranz (n <= 140 in practice) is
 * negligible.  Both return NaN when the input is beyond their size limits.
 */
#include "kolmogorov.h"
#include "ks_numerics.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

/* Largest Durbin matrix order accepted (k <= 200): 2 matrices of 399^2 doubles. */
#define KS_DURBIN_MAX_K 200

/* Largest n accepted by the Pomeranz routine (SciPy uses it for n <= 140). */
#define KS_POMERANZ_MAX_N 100000

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
	return ks_clip01((double) ldexpl(p, (int) expo));
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
	return ks_clip01((double) ldexpl(p, (int) expo));
}
