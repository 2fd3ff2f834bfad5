/*
 * float_sort.c
 *		LSD radix sort of doubles.
 *
 * Building a profile sorts every value once; a comparison sort costs about
 * n log n branchy comparisons, while a radix sort over the 64-bit keys makes
 * at most six linear passes and skips the passes in which every key shares
 * the digit (common for data of limited range).  The key of a double is its
 * bit pattern with the sign bit flipped for positives and all bits flipped for
 * negatives, which orders keys as the doubles (Knuth, TAOCP vol. 3, 5.2.5;
 * the float trick is the standard one, e.g. Terdiman, "Radix Sort Revisited").
 */
#include "float_sort.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RADIX_MIN 256

/* The order-preserving unsigned key of a double. */
static inline uint64_t
key_of(double d)
{
	uint64_t	u;

	memcpy(&u, &d, sizeof(u));
	return (u & UINT64_C(0x8000000000000000)) ? ~u : (u | UINT64_C(0x8000000000000000));
}

/*
 * qsort comparator for small inputs: the order of the radix keys, so that
 * -0.0 sorts below 0.0 here too (otherwise which zero collapse_sorted keeps
 * as the representative would depend on the input's size and order).
 */
static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	if (x == y)
		return (signbit(y) != 0) - (signbit(x) != 0);
	return (x > y) - (x < y);
}

/*
 * 11-bit digits: six passes cover the 64-bit key where 8-bit digits need
 * eight, and 2048 counters per digit still sit in the L1/L2 cache (the
 * digit width Herf recommends in "Radix Tricks" for the same float keys).
 * The top digit holds the sign and the exponent's high bits, which data of
 * one scale share, so its pass is usually skipped.
 */
#define DIGIT_BITS 11
#define DIGIT_VALUES (1 << DIGIT_BITS)
#define DIGITS ((64 + DIGIT_BITS - 1) / DIGIT_BITS)

const double *
sort_float8_buffers(double *v, size_t n, double *scratch)
{
	size_t		hist[DIGITS * DIGIT_VALUES];	/* 96 kB: stack, no allocation */
	double	   *src = v;
	double	   *dst = scratch;

	if (n < RADIX_MIN)
	{
		qsort(v, n, sizeof(double), cmp_double);
		return v;
	}
	memset(hist, 0, sizeof(hist));
	for (size_t i = 0; i < n; i++)
	{
		uint64_t	k = key_of(v[i]);

		for (int b = 0; b < DIGITS; b++)
			hist[b * DIGIT_VALUES + ((k >> (DIGIT_BITS * b)) & (DIGIT_VALUES - 1))]++;
	}
	for (int b = 0; b < DIGITS; b++)
	{
		size_t	   *h = hist + b * DIGIT_VALUES;
		size_t		offset = 0;
		int			shift = DIGIT_BITS * b;
		uint64_t	first = (key_of(src[0]) >> shift) & (DIGIT_VALUES - 1);

		/* every key has the same digit here: this pass would not move anything */
		if (h[first] == n)
			continue;
		for (int d = 0; d < DIGIT_VALUES; d++)
		{
			size_t		c = h[d];

			h[d] = offset;
			offset += c;
		}
		for (size_t i = 0; i < n; i++)
		{
			uint64_t	k = key_of(src[i]);

			dst[h[(k >> shift) & (DIGIT_VALUES - 1)]++] = src[i];
		}
		{
			double	   *t = src;

			src = dst;
			dst = t;
		}
	}
	return src;
}

void
sort_float8(double *v, size_t n, double *scratch)
{
	const double *sorted = sort_float8_buffers(v, n, scratch);

	if (sorted != v)
		memcpy(v, sorted, n * sizeof(double));
}

size_t
collapse_sorted(const double *v, size_t n, double *values, int64_t *counts)
{
	size_t		m = 0;

	for (size_t i = 0; i < n; i++)
	{
		if (m > 0 && values[m - 1] == v[i])
			counts[m - 1]++;
		else
		{
			values[m] = v[i];
			counts[m] = 1;
			m++;
		}
	}
	return m;
}
