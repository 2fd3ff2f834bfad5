/*
 * double_double.h
 *		Double-double ("dd") and compensated arithmetic for sums that must not
 *		lose accuracy or must be invertible (pure C, no PostgreSQL headers).
 *
 * A double-double keeps a value as an unevaluated pair hi + lo with
 * |lo| <= ulp(hi)/2, i.e. about 106 significant bits, and computes each
 * addition's rounding error exactly (Knuth's TwoSum, Dekker's FastTwoSum;
 * Dekker 1971, "A floating-point technique for extending the available
 * precision"; Hida, Li & Bailey 2001, "Algorithms for quad-double
 * precision").  Two uses:
 *
 * - Moments without cancellation (zscore_drift's shifted sums): the last
 *   rounding is the only one left.
 * - Invertible sums (the model-quality metrics as moving window aggregates):
 *   a row enters the frame (added) and later leaves it (subtracted).  With
 *   plain doubles every add/subtract pair leaves a rounding residue, and over
 *   a million rows the residues add up to a result that no longer agrees with
 *   the same frame summed from scratch.  In double-double, adding and then
 *   removing the same double returns to the old value up to about 2^-105 of
 *   the largest partial sum seen, far below the 1e-9 agreement the tests ask
 *   for, as long as the sum does not shrink by many orders of magnitude (the
 *   callers guard that with a peak, see dd_fell_from_peak).
 *
 * Neumaier's sum (Neumaier 1974) is the cheaper tool where one compensation
 * term suffices (the binned distances, Wasserstein's integral).
 *
 * Relies on IEEE double arithmetic with round-to-nearest and no excess
 * precision (SSE2 on x86_64), and on every operation being rounded as
 * written: C forbids reassociating them (pg_drift is never built with
 * -ffast-math), and fma() gives exact products, so the result does not depend
 * on whether the compiler contracts a*b+c.
 */
#ifndef PG_DRIFT_DOUBLE_DOUBLE_H
#define PG_DRIFT_DOUBLE_DOUBLE_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct DD
{
	double		hi;
	double		lo;
} DD;

/* a + b = s + e exactly (Knuth's TwoSum, no precondition on magnitudes). */
static inline void
dd_two_sum(double a, double b, double *s, double *e)
{
	double		x = a + b;
	double		bb = x - a;

	*e = (a - (x - bb)) + (b - bb);
	*s = x;
}

/* a + b = s + e exactly, given |a| >= |b| or a == 0 (Dekker's FastTwoSum). */
static inline void
dd_fast_two_sum(double a, double b, double *s, double *e)
{
	double		x = a + b;

	*e = b - (x - a);
	*s = x;
}

/* a * b = p + e exactly (the error of a rounded product is exact with fma). */
static inline void
dd_two_prod(double a, double b, double *p, double *e)
{
	*p = a * b;
	*e = fma(a, b, -*p);
}

/* Is s infinite or NaN?  (Rare: a branch the CPU predicts.) */
static inline bool
unlikely_nonfinite(double s)
{
	return __builtin_expect(!isfinite(s), 0);
}

/*
 * A sum that has become infinite or NaN: IEEE arithmetic on hi alone decides
 * what it is (inf + -inf = NaN), and lo is 0 so that it cannot turn an
 * infinity into NaN ((inf - inf) in the error term).
 */
static inline DD
dd_special(double s)
{
	DD			r = {s, 0.0};

	return r;
}

/* a + b exactly, as a double-double. */
static inline DD
dd_exact_sum(double a, double b)
{
	DD			r;

	dd_two_sum(a, b, &r.hi, &r.lo);
	return r;
}

/* x + y, with y a double. */
static inline DD
dd_add_d(DD x, double y)
{
	double		s,
				e;
	DD			r;

	dd_two_sum(x.hi, y, &s, &e);
	if (unlikely_nonfinite(s))
		return dd_special(s);
	e += x.lo;
	dd_fast_two_sum(s, e, &r.hi, &r.lo);
	return r;
}

/* x + y, both double-double ("accurate" addition of Hida, Li & Bailey). */
static inline DD
dd_add(DD x, DD y)
{
	double		s,
				e,
				t,
				f;
	DD			r;

	dd_two_sum(x.hi, y.hi, &s, &e);
	if (unlikely_nonfinite(s))
		return dd_special(s);
	dd_two_sum(x.lo, y.lo, &t, &f);
	e += t;
	dd_fast_two_sum(s, e, &s, &e);
	e += f;
	dd_fast_two_sum(s, e, &r.hi, &r.lo);
	return r;
}

/* -x */
static inline DD
dd_neg(DD x)
{
	DD			r = {-x.hi, -x.lo};

	return r;
}

/* x * y, both double-double (the lo * lo term is below the precision). */
static inline DD
dd_mul(DD x, DD y)
{
	double		p,
				e;
	DD			r;

	dd_two_prod(x.hi, y.hi, &p, &e);
	e += x.hi * y.lo + x.lo * y.hi;
	dd_fast_two_sum(p, e, &r.hi, &r.lo);
	return r;
}

/* x / d, d a double: one long-division step on the double-double remainder. */
static inline DD
dd_div_d(DD x, double d)
{
	double		q1 = x.hi / d;
	double		p,
				pe,
				s,
				se;
	DD			r;

	dd_two_prod(q1, d, &p, &pe);
	dd_two_sum(x.hi, -p, &s, &se);
	se -= pe;
	se += x.lo;
	dd_fast_two_sum(q1, (s + se) / d, &r.hi, &r.lo);
	return r;
}

/*
 * The double nearest to x.  Once the sum has overflowed (or met an infinite
 * term) lo is meaningless (inf - inf), and hi alone carries the IEEE result.
 */
static inline double
dd_value(DD x)
{
	return isfinite(x.hi) ? x.hi + x.lo : x.hi;
}

/*
 * Has a non-negative sum fallen so far below the largest value it has held
 * that the residues of earlier additions (up to ~2^-105 of the peak each)
 * could matter at 1e-9 relative?  2^-40 leaves a margin of 2^65 operations.
 */
static inline bool
dd_fell_from_peak(DD x, double peak)
{
	return fabs(x.hi) < peak * 0x1p-40;
}

/*
 * a*d - b*c with one rounding error at most a few ulps of the result
 * (Kahan's difference of products, exact product error through fma).
 */
static inline double
dd_diff_of_products(double a, double d, double b, double c)
{
	double		bc = b * c;
	double		err = fma(-b, c, bc);
	double		dop = fma(a, d, -bc);

	return dop + err;
}

/* Neumaier's compensated sum. */
typedef struct NeumaierSum
{
	double		sum;
	double		c;
} NeumaierSum;

static inline void
neumaier_add(NeumaierSum *s, double x)
{
	double		t = s->sum + x;

	if (fabs(s->sum) >= fabs(x))
		s->c += (s->sum - t) + x;
	else
		s->c += (x - t) + s->sum;
	s->sum = t;
}

/* The sum; an infinite sum stays infinite (its compensation is NaN). */
static inline double
neumaier_value(const NeumaierSum *s)
{
	return isinf(s->sum) ? s->sum : s->sum + s->c;
}

#endif							/* PG_DRIFT_DOUBLE_DOUBLE_H */
