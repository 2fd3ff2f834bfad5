/*
 * value_list.c
 *		Sorted distinct values with counts, built without keeping every row.
 *
 * Raw values collect in a buffer; a full buffer is radix-sorted, collapsed
 * and merged into the distinct list, and the buffer grows with the list so
 * that merging stays amortised O(1) per value.  The buffers and the list's
 * arrays are kept and reused from flush to flush.  Memory is O(distinct values),
 * bounded by pg_drift.exact_profile_limit: past it a profile's list compacts
 * into a quantile sketch (profile_sketch.c), any other list is an error.
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
 * An empty list whose arrays live in cxt; sketch (or NULL) tracks the
 * compactions past the exact limit.
 */
void
value_list_init(ValueList *vl, MemoryContext cxt, SketchTracker *sketch)
{
	memset(vl, 0, sizeof(ValueList));
	vl->cxt = cxt;
	vl->sketch = sketch;
	vl->cap_pending = PENDING_MIN;
	vl->pending = MemoryContextAlloc(cxt, sizeof(float8) * vl->cap_pending);
	vl->scratch = MemoryContextAlloc(cxt, sizeof(float8) * vl->cap_pending);
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
 * Merge a sorted distinct run of m entries into the list, in place: with
 * room for both, a merge from the largest entries down writes each entry
 * at or above the list entries still unread, so the arrays are reused and
 * only grow (a fresh allocation per merge page-faults its memory in again).
 * The merged list ends up at the arrays' end and moves to their start.
 */
void
value_list_merge(ValueList *vl, const float8 *values, const int64 *counts, int32 m)
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
			n = counts[j--];
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
 * Sort the buffered values and merge them into the list.  The sort leaves
 * its result in the buffer or in the scratch array, and the other one holds
 * the run's counts (both are cap_pending 8-byte slots): nothing is
 * allocated unless the buffer grows with the list.
 */
void
value_list_flush(ValueList *vl)
{
	float8	   *sorted;
	int64	   *cnts;
	int32		m;
	Size		want;

	if (vl->n_pending == 0)
		return;
	StaticAssertStmt(sizeof(int64) == sizeof(float8), "counts reuse the other sort buffer");
	sorted = (float8 *) sort_float8_buffers(vl->pending, vl->n_pending, vl->scratch);
	cnts = (int64 *) (sorted == vl->pending ? vl->scratch : vl->pending);
	m = (int32) collapse_sorted(sorted, vl->n_pending, sorted, cnts);
	vl->n_pending = 0;
	value_list_merge(vl, sorted, cnts, m);

	want = Min(Max((Size) vl->n_distinct, (Size) PENDING_MIN), (Size) PENDING_MAX);
	if (want > (Size) vl->cap_pending)
	{
		pfree(vl->pending);
		pfree(vl->scratch);
		vl->cap_pending = (int32) want;
		vl->pending = MemoryContextAllocHuge(vl->cxt, sizeof(float8) * want);
		vl->scratch = MemoryContextAllocHuge(vl->cxt, sizeof(float8) * want);
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
