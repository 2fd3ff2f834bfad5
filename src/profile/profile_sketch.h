/*
 * profile_sketch.h
 *		Compacting a numeric profile's sorted (value, count) list into a
 *		quantile sketch with a stated rank-error bound.
 *
 * Past pg_drift.exact_profile_limit distinct values a profile keeps a
 * bounded number of representative entries instead of every value.  The
 * profile builder (profile_agg.c) carries a SketchTracker beside its list: the
 * accumulated bound and the corrections that keep count, mean and variance
 * exact although values were moved.  See profile_sketch.c for the algorithm
 * and the proof of the bound.
 */
#ifndef PG_DRIFT_PROFILE_SKETCH_H
#define PG_DRIFT_PROFILE_SKETCH_H

#include "postgres.h"

#include "profile/profile.h"
#include "stats/double_double.h"

/*
 * What the builder remembers about compactions so far (zero-initialised =
 * exact).  All fields add up when two builders combine.
 */
typedef struct SketchTracker
{
	bool		approximate;	/* some compaction (or approximate input) happened */
	double		abs_error;		/* bound on |rank error|, in counts (not a fraction) */
	NeumaierSum shift_sum;		/* sum of w * (v_original - v_kept) */
	NeumaierSum shift_sq;		/* sum of w * (v_original - v_kept) * (v_original + v_kept) */
} SketchTracker;

/*
 * Compact the ascending list (values[0..n-1], counts) in place to at most
 * target entries when n > limit; returns the new length (n when nothing was
 * done) and adds the compaction's error and moment shifts to *t.
 */
extern int32 sketch_compact_if_over(float8 *values, int64 *counts, int32 n, int32 limit,
									SketchTracker *t);

/* Compact unconditionally to at most target entries (target >= 3). */
extern int32 sketch_compact(float8 *values, int64 *counts, int32 n, int32 target,
							SketchTracker *t);

/* Fold an approximate profile's bound and moment shifts into *t (no-op when exact). */
extern void sketch_tracker_add_profile(SketchTracker *t, const DriftProfile *p);

/* Fold another builder's tracker into *t (parallel combine). */
extern void sketch_tracker_merge(SketchTracker *t, const SketchTracker *other);

/*
 * Finish a profile made by profile_make_numeric() from a compacted list:
 * mark it approximate with rank_error = abs_error / count, and correct its
 * mean and m2 to those of the original values.  Returns p; exact when the
 * tracker saw no compaction.
 */
extern DriftProfile *sketch_finish(DriftProfile *p, const SketchTracker *t);

/*
 * A profile of the ascending list compacted to at most target entries;
 * prior_error is the list's own bound as a fraction of its total count (0 for
 * an exact list).
 */
extern DriftProfile *profile_compact(const float8 *values, const int64 *counts, int32 n,
									 int32 target, double prior_error,
									 int64 null_count, int64 nan_count);

#endif							/* PG_DRIFT_PROFILE_SKETCH_H */
