/*
 * same_values.h
 *		An exact, invertible test of "are all the values in this multiset
 *		equal?", in O(1) per value.
 *
 * r2 needs it: scikit-learn's r2 is 1.0 or 0.0 when the actual values are
 * constant (SST = 0), and a floating-point SST of a constant window is only
 * approximately 0 after values have been added and removed.  Min/max would
 * answer the question but cannot be inverted when a value leaves a moving
 * frame.  Instead each double x is mapped to an integer key h(x) (its IEEE bit
 * pattern; -0 and +0 share one key, NaN never arrives) and the state keeps
 * S1 = sum h and S2 = sum h^2 as exact integers.  By Lagrange's identity
 *
 *		n * S2 - S1^2 = sum over pairs i < j of (h_i - h_j)^2,
 *
 * which is zero exactly when every key (so every value) is equal.  With
 * h < 2^64 and n < 2^64, S1 < 2^128 and S2 < 2^192, and both products are
 * below 2^256, so 128/192/256-bit wrapping arithmetic is exact and removal is
 * a plain subtraction.  Limbs are little-endian uint64 so that the binary I/O
 * can write them field by field.
 */
#ifndef PG_DRIFT_SAME_VALUES_H
#define PG_DRIFT_SAME_VALUES_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#ifndef __SIZEOF_INT128__
#error "same_values.h needs a compiler with unsigned __int128"
#endif

typedef unsigned __int128 sv_u128;

typedef struct SameValues
{
	uint64_t	s1[2];			/* sum of keys, mod 2^128 */
	uint64_t	s2[3];			/* sum of squared keys, mod 2^192 */
} SameValues;

/* The integer key of a double (bit pattern, one key for both zeros). */
static inline uint64_t
sv_key(double x)
{
	uint64_t	h;

	if (x == 0.0)
		return 0;
	memcpy(&h, &x, sizeof(h));
	return h;
}

/* Add (sign = +1) or remove (sign = -1) the value x. */
static inline void
sv_update(SameValues *sv, double x, int sign)
{
	uint64_t	h = sv_key(x);
	sv_u128		sq = (sv_u128) h * h;
	uint64_t	a[3] = {h, 0, 0};
	uint64_t	b[3] = {(uint64_t) sq, (uint64_t) (sq >> 64), 0};
	sv_u128		c;

	if (sign < 0)
	{
		/* two's complement negation in 128 / 192 bits */
		a[0] = ~a[0];
		a[1] = ~a[1];
		b[0] = ~b[0];
		b[1] = ~b[1];
		b[2] = ~b[2];
		c = (sv_u128) a[0] + 1;
		a[0] = (uint64_t) c;
		a[1] += (uint64_t) (c >> 64);
		c = (sv_u128) b[0] + 1;
		b[0] = (uint64_t) c;
		c = (sv_u128) b[1] + (uint64_t) (c >> 64);
		b[1] = (uint64_t) c;
		b[2] += (uint64_t) (c >> 64);
	}
	c = (sv_u128) sv->s1[0] + a[0];
	sv->s1[0] = (uint64_t) c;
	sv->s1[1] += a[1] + (uint64_t) (c >> 64);
	c = (sv_u128) sv->s2[0] + b[0];
	sv->s2[0] = (uint64_t) c;
	c = (sv_u128) sv->s2[1] + b[1] + (uint64_t) (c >> 64);
	sv->s2[1] = (uint64_t) c;
	sv->s2[2] += b[2] + (uint64_t) (c >> 64);
}

/* a += b (merging two multisets). */
static inline void
sv_merge(SameValues *a, const SameValues *b)
{
	sv_u128		c;

	c = (sv_u128) a->s1[0] + b->s1[0];
	a->s1[0] = (uint64_t) c;
	a->s1[1] += b->s1[1] + (uint64_t) (c >> 64);
	c = (sv_u128) a->s2[0] + b->s2[0];
	a->s2[0] = (uint64_t) c;
	c = (sv_u128) a->s2[1] + b->s2[1] + (uint64_t) (c >> 64);
	a->s2[1] = (uint64_t) c;
	a->s2[2] += b->s2[2] + (uint64_t) (c >> 64);
}

/* r = x * y mod 2^256, x of nx limbs, y of ny limbs (schoolbook). */
static inline void
sv_mul256(const uint64_t *x, int nx, const uint64_t *y, int ny, uint64_t r[4])
{
	memset(r, 0, 4 * sizeof(uint64_t));
	for (int i = 0; i < nx; i++)
	{
		uint64_t	carry = 0;

		for (int j = 0; j < ny && i + j < 4; j++)
		{
			sv_u128		t = (sv_u128) x[i] * y[j] + r[i + j] + carry;

			r[i + j] = (uint64_t) t;
			carry = (uint64_t) (t >> 64);
		}
		if (i + ny < 4)
			r[i + ny] = carry;
	}
}

/* Are all n values (n >= 1) of the multiset equal? */
static inline bool
sv_all_equal(const SameValues *sv, uint64_t n)
{
	uint64_t	lhs[4],
				rhs[4];

	sv_mul256(&n, 1, sv->s2, 3, lhs);
	sv_mul256(sv->s1, 2, sv->s1, 2, rhs);
	return memcmp(lhs, rhs, sizeof(lhs)) == 0;
}

#endif							/* PG_DRIFT_SAME_VALUES_H */
