/*
 * baseline_index.h
 *		Locating a value among a baseline's sorted distinct values in O(1)
 *		expected time.
 *
 * Streaming tests call this once per row, so it is the hot path: a guide
 * table over the baseline's finite range sends each value to a bucket that
 * holds a handful of candidates, and a short binary search finishes.
 */
#ifndef PG_DRIFT_BASELINE_INDEX_H
#define PG_DRIFT_BASELINE_INDEX_H

#include "postgres.h"

typedef struct BaselineIndex
{
	int32		n;				/* number of sorted distinct values */
	const float8 *values;		/* ascending, no NaN (not owned) */
	int32		n_buckets;		/* 0: no guide, plain binary search */
	float8		lo;				/* smallest finite value */
	float8		scale;			/* buckets per unit */
	int32	   *start;			/* start[b]: first index whose bucket is >= b */
} BaselineIndex;

extern BaselineIndex *baseline_index_build(const float8 *values, int32 n);

/* The bucket of x; monotone non-decreasing in x, which is all correctness needs. */
static inline int32
baseline_index_bucket(const BaselineIndex *ix, float8 x)
{
	float8		t = (x - ix->lo) * ix->scale;

	if (!(t > 0.0))
		return 0;
	if (t >= (float8) ix->n_buckets)
		return ix->n_buckets - 1;
	return (int32) t;
}

/*
 * The first index in [lo, hi) whose value is >= x (hi if none), given that
 * the answer lies in [lo, hi].  Branch-free: the candidates of a guide bucket
 * are few and the comparisons unpredictable, so a conditional move per step
 * beats a mispredicted branch (Khuong & Morin 2017, "Array layouts for
 * comparison-based searching", the branch-free binary search).
 */
static inline int32
baseline_index_search(const float8 *values, int32 lo, int32 hi, float8 x)
{
	const float8 *base = values + lo;
	int32		len = hi - lo;

	if (len <= 0)
		return lo;
	while (len > 1)
	{
		int32		half = len >> 1;

		base = (base[half] < x) ? base + half : base;
		len -= half;
	}
	return (int32) (base - values) + (base[0] < x ? 1 : 0);
}

/* Number of baseline values strictly less than x. */
static inline int32
baseline_index_lower_bound(const BaselineIndex *ix, float8 x)
{
	if (ix->n_buckets > 0)
	{
		int32		b = baseline_index_bucket(ix, x);

		return baseline_index_search(ix->values, ix->start[b], ix->start[b + 1], x);
	}
	return baseline_index_search(ix->values, 0, ix->n, x);
}

/*
 * The slot of x among the 2n+1 slots the baseline's values cut the line
 * into: slot 2i is the open interval below value i (above value i-1), slot
 * 2i+1 is value i itself.
 */
static inline int32
baseline_index_slot(const BaselineIndex *ix, float8 x)
{
	int32		i = baseline_index_lower_bound(ix, x);

	return 2 * i + ((i < ix->n && ix->values[i] == x) ? 1 : 0);
}

#endif							/* PG_DRIFT_BASELINE_INDEX_H */
