/*
 * value_list.c
 *		Sorted distinct values with counts, built without keeping every row.
 *
 * While a column has few distinct values, a small hash table counts them
 * (the tally, below).  Past that, raw values collect in a buffer; a full
 * buffer is radix-sorted and merged into the distinct list, and the buffer
 * grows with the list so that merging stays amortised O(1) per value.  The
 * buffers and the list's arrays are kept and reused from flush to flush.
 * Memory is O(distinct values), bounded by pg_drift.exact_profile_limit:
 * past it a profile's list compacts into a quantile sketch
 * (profile_sketch.c), any other list is an error.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/memutils.h"

#include "core/pg_drift.h"
#include "stats/float_sort.h"
#include "core/value_list.h"

#define PENDING_MIN 4096
#define PENDING_MAX (1 << 24)

/*
 * The tally: while the list and the values counted since the last flush
 * have at most TALLY_MAX distinct values together (and no more than the
 * exact limit), a linear-probing hash table counts each value where the
 * buffer would store it and sort it later.  Low-cardinality columns (flags,
 * codes, small integers) then cost one probe per row.  TALLY_MAX keeps the
 * table (at most half full) within 8 kB: a check aggregates many columns
 * row by row, and a larger table per column misses the cache on every
 * probe, which costs more than buffering and sorting.  Leaving the tally
 * (more distinct values) spills it into the list and continues with the
 * buffer.  The flushes, and so any compaction into a sketch, happen at the
 * very rows where the buffer alone would flush: while the tally is on, the
 * list is smaller than PENDING_MIN and the exact limit, so the buffer would
 * flush every PENDING_MIN values and never compact; the first buffer after
 * the tally flushes at the next such point.
 */
#define TALLY_MAX 256
#define TALLY_MIN_SLOTS 16

StaticAssertDecl(TALLY_MAX <= PENDING_MIN, "the tally follows the buffer's PENDING_MIN flushes");

static void merge_sorted(ValueList *vl, const float8 *values, const int64 *counts, int32 m);

/*
 * An empty list whose arrays live in cxt; sketch (or NULL) tracks the
 * compactions past the exact limit.  It starts with a small tally.
 */
void
value_list_init(ValueList *vl, MemoryContext cxt, SketchTracker *sketch)
{
	memset(vl, 0, sizeof(ValueList));
	vl->cxt = cxt;
	vl->sketch = sketch;
	vl->cap_pending = PENDING_MIN;
	vl->flush_at = PENDING_MIN;
	vl->tally_mask = TALLY_MIN_SLOTS - 1;
	vl->tally = MemoryContextAllocZero(cxt, sizeof(TallyEntry) * TALLY_MIN_SLOTS);
}

/* The slot of x in a tally of mask + 1 slots: its own or the empty one it would take. */
static uint32
tally_slot(const TallyEntry *t, uint32 mask, float8 x)
{
	uint32		i = value_list_hash(x) & mask;

	while (t[i].count != 0 && t[i].value != x)
		i = (i + 1) & mask;
	return i;
}

/* Double the tally's slots (kept at most half full, so probes stay short). */
static void
tally_grow(ValueList *vl)
{
	uint32		slots = (vl->tally_mask + 1) * 2;
	TallyEntry *t = MemoryContextAllocZero(vl->cxt, sizeof(TallyEntry) * slots);

	for (uint32 i = 0; i <= vl->tally_mask; i++)
	{
		if (vl->tally[i].count != 0)
			t[tally_slot(t, slots - 1, vl->tally[i].value)] = vl->tally[i];
	}
	pfree(vl->tally);
	vl->tally = t;
	vl->tally_mask = slots - 1;
}

static int
tally_entry_cmp(const void *a, const void *b)
{
	float8		x = ((const TallyEntry *) a)->value;
	float8		y = ((const TallyEntry *) b)->value;

	return (x > y) - (x < y);
}

/* Merge the tally's values into the list and empty it (no -0 or NaN in it: exact order). */
static void
tally_spill(ValueList *vl)
{
	TallyEntry *e;
	float8	   *v;
	int64	   *c;
	int32		n = 0;

	vl->tally_raw = 0;
	if (vl->tally_n == 0)
		return;
	e = palloc(sizeof(TallyEntry) * vl->tally_n);
	for (uint32 i = 0; i <= vl->tally_mask; i++)
	{
		if (vl->tally[i].count != 0)
		{
			e[n++] = vl->tally[i];
			vl->tally[i].count = 0;
		}
	}
	qsort(e, n, sizeof(TallyEntry), tally_entry_cmp);
	v = palloc(sizeof(float8) * n);
	c = palloc(sizeof(int64) * n);
	for (int32 i = 0; i < n; i++)
	{
		v[i] = e[i].value;
		c[i] = e[i].count;
	}
	vl->tally_n = 0;
	merge_sorted(vl, v, c, n);
	pfree(e);
	pfree(v);
	pfree(c);
}

/*
 * Turn the tally off for good: spill it into the list and allocate the
 * buffer, which would now hold the values counted since the last
 * PENDING_MIN-value flush point.
 */
static void
tally_off(ValueList *vl)
{
	vl->flush_at = PENDING_MIN - (int32) (vl->tally_raw % PENDING_MIN);
	tally_spill(vl);
	pfree(vl->tally);
	vl->tally = NULL;
	vl->pending = MemoryContextAlloc(vl->cxt, sizeof(float8) * vl->cap_pending);
	vl->scratch = MemoryContextAlloc(vl->cxt, sizeof(float8) * vl->cap_pending);
}

/*
 * A value new to the tally, whose empty slot is slot: count it and return
 * true, or turn the tally off (see tally_off) and return false so that the
 * caller buffers it.
 */
bool
value_list_tally_insert(ValueList *vl, float8 x, uint32 slot)
{
	if ((int64) vl->n_distinct + vl->tally_n + 1 > Min(TALLY_MAX, drift_exact_profile_limit))
	{
		tally_off(vl);
		return false;
	}
	if ((uint32) (vl->tally_n + 1) * 2 > vl->tally_mask + 1)
	{
		tally_grow(vl);
		slot = tally_slot(vl->tally, vl->tally_mask, x);
	}
	vl->tally[slot].value = x;
	vl->tally[slot].count = 1;
	vl->tally_n++;
	vl->tally_raw++;
	return true;
}

/* Make room for n entries in the list's arrays, keeping its content. */
static void
reserve_list(ValueList *vl, Size n)
{
	Size		cap = Max(n, (Size) vl->cap_list * 3 / 2);

	if (n <= (Size) vl->cap_list)
		return;
	if (vl->values == NULL)
	{
		vl->values = MemoryContextAllocHuge(vl->cxt, sizeof(float8) * cap);
		vl->counts = MemoryContextAllocHuge(vl->cxt, sizeof(int64) * cap);
	}
	else
	{
		vl->values = repalloc_huge(vl->values, sizeof(float8) * cap);
		vl->counts = repalloc_huge(vl->counts, sizeof(int64) * cap);
	}
	vl->cap_list = cap;
}

/*
 * Merge an ascending run of m values into the list, in place: with room for
 * both, a merge from the largest entries down writes each entry at or above
 * the list entries still unread, so the arrays are reused and only grow (a
 * fresh allocation per merge page-faults its memory in again).  Equal
 * values, in the list or the run, add up as they meet, so a sorted buffer
 * merges as it is (counts NULL: each value once), without collapsing it
 * first.  The merged list ends up at the arrays' end and moves to their
 * start.
 */
static void
merge_sorted(ValueList *vl, const float8 *values, const int64 *counts, int32 m)
{
	float8	   *v;
	int64	   *c;
	int32		i = vl->n_distinct - 1,
				j = m - 1;
	Size		w;
	int32		k;

	if (m == 0)
		return;
	reserve_list(vl, (Size) vl->n_distinct + m);
	v = vl->values;
	c = vl->counts;
	w = vl->cap_list;			/* entries [w, cap_list) are merged */
	while (i >= 0 || j >= 0)
	{
		float8		x;
		int64		n;

		if (j < 0 || (i >= 0 && v[i] > values[j]))
		{
			x = v[i];
			n = c[i--];
		}
		else
		{
			x = values[j];
			n = counts != NULL ? counts[j] : 1;
			j--;
			vl->total = count_add(vl->total, n);
		}
		if (w < vl->cap_list && v[w] == x)
			c[w] = count_add(c[w], n);
		else
		{
			v[--w] = x;
			c[w] = n;
		}
	}
	k = (int32) (vl->cap_list - w);
	memmove(v, v + w, sizeof(float8) * k);
	memmove(c, c + w, sizeof(int64) * k);
	if (vl->sketch != NULL)
		k = sketch_compact_if_over(v, c, k, drift_exact_profile_limit, vl->sketch);
	else if (k > drift_exact_profile_limit)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the current sample has more than %d distinct values",
						drift_exact_profile_limit),
				 errdetail("The aggregate keeps every distinct value of the current rows exactly."),
				 errhint("Raise pg_drift.exact_profile_limit, or compare fewer rows at once.")));
	vl->n_distinct = k;
}

/*
 * Merge a sorted distinct list of m entries (a profile's, another state's)
 * into the list.  The tally goes off first: the buffer's flush schedule,
 * which the tally follows, assumes a list below PENDING_MIN entries.
 */
void
value_list_merge(ValueList *vl, const float8 *values, const int64 *counts, int32 m)
{
	if (vl->tally != NULL)
		tally_off(vl);
	merge_sorted(vl, values, counts, m);
}

/*
 * Sort the buffered values and merge them into the list.  The sort leaves
 * its result in the buffer or in the scratch array: nothing is allocated
 * unless the buffer grows with the list.
 */
void
value_list_flush(ValueList *vl)
{
	const float8 *sorted;
	Size		want;

	if (vl->tally != NULL)
	{
		tally_spill(vl);
		return;
	}
	vl->flush_at = vl->cap_pending;
	if (vl->n_pending == 0)
		return;
	sorted = sort_float8_buffers(vl->pending, vl->n_pending, vl->scratch);
	merge_sorted(vl, sorted, NULL, vl->n_pending);
	vl->n_pending = 0;

	want = Min(Max((Size) vl->n_distinct, (Size) PENDING_MIN), (Size) PENDING_MAX);
	if (want > (Size) vl->cap_pending)
	{
		pfree(vl->pending);
		pfree(vl->scratch);
		vl->cap_pending = (int32) want;
		vl->pending = MemoryContextAllocHuge(vl->cxt, sizeof(float8) * want);
		vl->scratch = MemoryContextAllocHuge(vl->cxt, sizeof(float8) * want);
		vl->flush_at = vl->cap_pending;
	}
}

/*
 * The non-NULL, non-NaN elements of a one-dimensional float8[] as sorted
 * distinct values and counts (palloc'd); returns how many values.
 */
int64
float8_array_to_list(ArrayType *a, const char *function_name,
					 float8 **values, int64 **counts, int32 *n_distinct)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			m = 0;
	float8	   *v;
	float8	   *sorted;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s expects one-dimensional arrays", function_name),
				 errhint("Pass each sample as a float8[] with one dimension.")));
	deconstruct_array(a, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &n);
	v = palloc(sizeof(float8) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		float8		x;

		if (nulls[i])
			continue;
		x = DatumGetFloat8(elems[i]);
		if (isnan(x))
			continue;
		v[m++] = (x == 0.0) ? 0.0 : x;
	}
	sorted = palloc(sizeof(float8) * Max(m, 1));
	sort_float8(v, m, sorted);
	*values = sorted;
	*counts = palloc(sizeof(int64) * Max(m, 1));
	*n_distinct = (int32) collapse_sorted(v, m, *values, *counts);
	pfree(v);
	pfree(elems);
	pfree(nulls);
	return m;
}
