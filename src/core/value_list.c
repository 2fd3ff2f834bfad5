/*
 * value_list.c
 *		Sorted distinct values with counts, built without keeping every row.
 *
 * Raw values collect in a buffer; a full buffer is radix-sorted, collapsed
 * and merged into the distinct list, and the buffer grows with the list so
 * that merging stays amortised O(1) per value.  Memory is O(distinct values),
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
}

/* Merge a sorted distinct list of m entries into vl's list. */
void
value_list_merge(ValueList *vl, const float8 *values, const int64 *counts, int32 m)
{
	Size		cap = (Size) vl->n_distinct + m;
	float8	   *nv;
	int64	   *nc;
	int32		i = 0,
				j = 0,
				k = 0;

	if (m == 0)
		return;
	nv = MemoryContextAllocHuge(vl->cxt, sizeof(float8) * cap);
	nc = MemoryContextAllocHuge(vl->cxt, sizeof(int64) * cap);
	while (i < vl->n_distinct || j < m)
	{
		if (j >= m || (i < vl->n_distinct && vl->values[i] < values[j]))
		{
			nv[k] = vl->values[i];
			nc[k++] = vl->counts[i++];
		}
		else if (i >= vl->n_distinct || values[j] < vl->values[i])
		{
			nv[k] = values[j];
			vl->total = count_add(vl->total, counts[j]);
			nc[k++] = counts[j++];
		}
		else
		{
			nv[k] = values[j];
			vl->total = count_add(vl->total, counts[j]);
			nc[k++] = count_add(vl->counts[i++], counts[j++]);
		}
	}
	if (vl->sketch != NULL)
		k = sketch_compact_if_over(nv, nc, k, drift_exact_profile_limit, vl->sketch);
	else if (k > drift_exact_profile_limit)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the current sample has more than %d distinct values",
						drift_exact_profile_limit),
				 errdetail("The aggregate keeps every distinct value of the current rows exactly."),
				 errhint("Raise pg_drift.exact_profile_limit, or compare fewer rows at once.")));
	if (vl->values)
	{
		pfree(vl->values);
		pfree(vl->counts);
	}
	vl->values = nv;
	vl->counts = nc;
	vl->n_distinct = k;
}

/* Sort the buffered values and merge them into the list. */
void
value_list_flush(ValueList *vl)
{
	float8	   *sorted;
	int64	   *cnts;
	int32		m;
	Size		want;

	if (vl->n_pending == 0)
		return;
	sorted = MemoryContextAllocHuge(vl->cxt, sizeof(float8) * vl->n_pending);
	cnts = MemoryContextAllocHuge(vl->cxt, sizeof(int64) * vl->n_pending);
	sort_float8(vl->pending, vl->n_pending, sorted);
	m = (int32) collapse_sorted(vl->pending, vl->n_pending, sorted, cnts);
	vl->n_pending = 0;
	value_list_merge(vl, sorted, cnts, m);
	pfree(sorted);
	pfree(cnts);

	want = Min(Max((Size) vl->n_distinct, (Size) PENDING_MIN), (Size) PENDING_MAX);
	if (want > (Size) vl->cap_pending)
	{
		pfree(vl->pending);
		vl->cap_pending = (int32) want;
		vl->pending = MemoryContextAllocHuge(vl->cxt, sizeof(float8) * want);
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
