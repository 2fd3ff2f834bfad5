/*
 * ddouble.h
 *		Compensated and double-double arithmetic for sums that must not lose
 *		accuracy (pure C, no PostgreSQL headers).
 *
 * A double-double is an unevaluated sum hi + lo with |lo| <= ulp(hi)/2,
 * carrying about 106 bits (Dekker 1971, "A floating-point technique for
 * extending the available precision"; the algorithms as in Hida, Li and
 * Bailey 2001, "Algorithms for quad-double precision floating point
 * arithmetic").  The exact product error comes from fma().  Neumaier's sum
 * (Neumaier 1974) is the cheaper tool where one compensation term suffices.
 *
 * The error-free transformations rely on every operation being rounded as
 * written: they contain no product that feeds a single addition, so
 * floating-point contraction (-ffp-contract) cannot fuse them, and C forbids
 * reassociating them (pg_drift is never built with -ffast-math).
 */
#ifndef PG_DRIFT_DDOUBLE_H
#define PG_DRIFT_DDOUBLE_H

#include <math.h>

typedef struct DDouble
{
	double		hi;
	double		lo;
} DDouble;

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

/* s + e = a + b exactly (Knuth's TwoSum). */
static inline DDouble
dd_two_sum(double a, double b)
{
	double		s = a + b;
	double		bb = s - a;
	DDouble		r;

	r.hi = s;
	r.lo = (a - (s - bb)) + (b - bb);
	return r;
}

/* s + e = a + b exactly, given |a| >= |b|. */
static inline DDouble
dd_quick_two_sum(double a, double b)
{
	double		s = a + b;
	DDouble		r;

	r.hi = s;
	r.lo = b - (s - a);
	return r;
}

/* p + e = a * b exactly. */
static inline DDouble
dd_two_prod(double a, double b)
{
	double		p = a * b;
	DDouble		r;

	r.hi = p;
	r.lo = fma(a, b, -p);
	return r;
}

static inline DDouble
dd_from(double a)
{
	DDouble		r = {a, 0.0};

	return r;
}

static inline double
dd_value(DDouble a)
{
	return a.hi + a.lo;
}

static inline DDouble
dd_add(DDouble a, DDouble b)
{
	DDouble		s = dd_two_sum(a.hi, b.hi);
	DDouble		t = dd_two_sum(a.lo, b.lo);

	s.lo += t.hi;
	s = dd_quick_two_sum(s.hi, s.lo);
	s.lo += t.lo;
	return dd_quick_two_sum(s.hi, s.lo);
}

static inline DDouble
dd_neg(DDouble a)
{
	DDouble		r = {-a.hi, -a.lo};

	return r;
}

static inline DDouble
dd_mul(DDouble a, DDouble b)
{
	DDouble		p = dd_two_prod(a.hi, b.hi);

	p.lo += a.hi * b.lo + a.lo * b.hi;
	return dd_quick_two_sum(p.hi, p.lo);
}

/* a / b for a double-double a and a double b. */
static inline DDouble
dd_div_d(DDouble a, double b)
{
	double		q1 = a.hi / b;
	DDouble		p = dd_two_prod(q1, b);
	DDouble		s = dd_two_sum(a.hi, -p.hi);
	double		q2;

	s.lo -= p.lo;
	s.lo += a.lo;
	q2 = (s.hi + s.lo) / b;
	return dd_quick_two_sum(q1, q2);
}

/*
 * a*d - b*c for doubles that are exact products' factors (Kahan's
 * difference of products, accurate to a few ulps of the result).
 */
static inline double
dd_diff_of_products(double a, double d, double b, double c)
{
	double		bc = b * c;
	double		err = fma(-b, c, bc);
	double		dop = fma(a, d, -bc);

	return dop + err;
}

#endif							/* PG_DRIFT_DDOUBLE_H */
