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

/* A slot of the tally: a value and its count (0: empty slot), read together by a probe. */
typedef struct TallyEntry
{
	float8		value;
	int64		count;
} TallyEntry;

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
	int32		flush_at;		/* n_pending that triggers a flush */
	float8	   *pending;		/* NULL while the tally counts */
	float8	   *scratch;		/* cap_pending: the sort's second buffer */
	/*
	 * While few distinct values were seen, a hash table counts them instead
	 * of the buffer (value_list.c: the tally); NULL once it is off.
	 */
	struct TallyEntry *tally;
	uint32		tally_mask;		/* slots - 1 */
	int32		tally_n;		/* distinct values counted */
	int64		tally_raw;		/* values counted since the last flush */
	SketchTracker *sketch;		/* past pg_drift.exact_profile_limit: compact
								 * into a sketch tracked here, or (NULL) fail */
} ValueList;

extern void value_list_init(ValueList *vl, MemoryContext cxt, SketchTracker *sketch);
extern void value_list_flush(ValueList *vl);
extern void value_list_merge(ValueList *vl, const float8 *values, const int64 *counts, int32 m);
extern bool value_list_tally_insert(ValueList *vl, float8 x, uint32 slot);

/*
 * The tally's slot hash: MurmurHash3's 64-bit finalizer (Austin Appleby's
 * fmix64), which spreads keys that differ only in their high bits, as small
 * integers stored as doubles do.
 */
static inline uint32
value_list_hash(float8 x)
{
	uint64		k;

	memcpy(&k, &x, sizeof(k));
	k ^= k >> 33;
	k *= UINT64CONST(0xff51afd7ed558ccd);
	k ^= k >> 33;
	k *= UINT64CONST(0xc4ceb9fe1a85ec53);
	k ^= k >> 33;
	return (uint32) k;
}

/* Add one value (not NaN); -0 counts as 0. */
static inline void
value_list_add(ValueList *vl, float8 x)
{
	if (x == 0.0)
		x = 0.0;
	if (vl->tally != NULL)
	{
		uint32		i = value_list_hash(x) & vl->tally_mask;

		while (vl->tally[i].count != 0)
		{
			if (vl->tally[i].value == x)
			{
				vl->tally[i].count++;
				vl->tally_raw++;
				return;
			}
			i = (i + 1) & vl->tally_mask;
		}
		if (value_list_tally_insert(vl, x, i))
			return;
	}
	if (vl->n_pending == vl->flush_at)
		value_list_flush(vl);
	vl->pending[vl->n_pending++] = x;
}

/* Does the list hold any value, merged or not? */
static inline bool
value_list_has_values(const ValueList *vl)
{
	return vl->n_distinct > 0 || vl->n_pending > 0 || vl->tally_n > 0;
}

extern int64 float8_array_to_list(ArrayType *a, const char *function_name,
								  float8 **values, int64 **counts, int32 *n_distinct);

#endif							/* PG_DRIFT_VALUE_LIST_H */
