/*
 * value_list.h
 *		A sample as sorted distinct values with counts: built from a float8[]
 *		or grown row by row, for exact profiles (drift_profile_agg) and for the
 *		drift tests that need the current sample's values themselves
 *		(wasserstein) or take raw arrays.
 */
#ifndef PG_DRIFT_VALUE_LIST_H
#define PG_DRIFT_VALUE_LIST_H

#include "postgres.h"

#include "utils/array.h"

#include "profile/profile_sketch.h"

typedef struct ValueList
{
	MemoryContext cxt;			/* owns the arrays */
	int32		n_distinct;		/* entries in values/counts */
	int64		total;			/* sum of counts (pending values excluded) */
	float8	   *values;			/* ascending distinct values, no NaN */
	int64	   *counts;
	Size		cap_list;		/* room in values and counts */
	int32		n_pending;		/* raw values not yet merged */
	int32		cap_pending;
	float8	   *pending;
	float8	   *scratch;		/* cap_pending: the sort's second buffer */
	SketchTracker *sketch;		/* past pg_drift.exact_profile_limit: compact
								 * into a sketch tracked here, or (NULL) fail */
} ValueList;

extern void value_list_init(ValueList *vl, MemoryContext cxt, SketchTracker *sketch);
extern void value_list_flush(ValueList *vl);
extern void value_list_merge(ValueList *vl, const float8 *values, const int64 *counts, int32 m);

/* Add one value (not NaN); -0 counts as 0. */
static inline void
value_list_add(ValueList *vl, float8 x)
{
	if (vl->n_pending == vl->cap_pending)
		value_list_flush(vl);
	vl->pending[vl->n_pending++] = (x == 0.0) ? 0.0 : x;
}

extern int64 float8_array_to_list(ArrayType *a, const char *function_name,
								  float8 **values, int64 **counts, int32 *n_distinct);

#endif							/* PG_DRIFT_VALUE_LIST_H */
