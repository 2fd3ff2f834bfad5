/*
 * profile_sketch_sql.c
 *		SQL entry points around quantile-sketch profiles:
 *
 *	drift_sketch_agg(value float8, max_entries int)   a profile of at most
 *		max_entries entries (exact while the values fit), built in memory
 *		O(max_entries) whatever the number of rows
 *	drift_profile_compact(profile, max_entries)       shrink a profile
 *	drift_profile_info(profile)                       kind, exactness, bound,
 *		counts, moments and size of a profile
 *
 * drift_sketch_agg uses exactly the hooks the general profile builder
 * (profile_agg.c) calls once pg_drift.exact_profile_limit is exceeded
 * (profile_sketch.h), with the limit given per call; it is also how the
 * sketch's bound is tested on tens of millions of values.
 */
#include "postgres.h"
#include "core/compat.h"

#include <math.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "core/pg_drift.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "profile/profile.h"
#include "profile/profile_sketch.h"
#include "stats/float_sort.h"

PG_FUNCTION_INFO_V1(drift_sketch_agg_trans);
PG_FUNCTION_INFO_V1(drift_sketch_agg_combine);
PG_FUNCTION_INFO_V1(drift_sketch_agg_serialize);
PG_FUNCTION_INFO_V1(drift_sketch_agg_deserialize);
PG_FUNCTION_INFO_V1(drift_sketch_agg_final);
PG_FUNCTION_INFO_V1(drift_profile_compact);
PG_FUNCTION_INFO_V1(drift_profile_info);

#define SKETCH_MIN_ENTRIES 16
#define SKETCH_MAX_ENTRIES 50000000

/* drift_sketch_agg's state: a sorted list, a raw buffer and the tracker. */
typedef struct SketchBuilder
{
	MemoryContext cxt;
	int32		max_entries;	/* list length that triggers compaction */
	int32		n;				/* entries in values/counts */
	int32		cap;			/* room in values/counts: 2 * max_entries */
	int32		n_pending;
	int64		null_count;
	int64		nan_count;
	float8	   *values;
	int64	   *counts;
	float8	   *pending;		/* max_entries raw values */
	float8	   *scratch;		/* sort scratch, max_entries */
	int64	   *pcounts;		/* collapsed pending counts, max_entries */
	SketchTracker tracker;
} SketchBuilder;

/* Check the max_entries argument. */
static int32
checked_max_entries(int64 m)
{
	if (m < SKETCH_MIN_ENTRIES || m > SKETCH_MAX_ENTRIES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_entries must be between %d and %d", SKETCH_MIN_ENTRIES,
						SKETCH_MAX_ENTRIES),
				 errhint("The sketch keeps at most this many (value, count) entries.")));
	return (int32) m;
}

/* A new, empty builder in cxt. */
static SketchBuilder *
sketch_builder_create(MemoryContext cxt, int32 max_entries)
{
	SketchBuilder *b = MemoryContextAllocZero(cxt, sizeof(SketchBuilder));

	b->cxt = cxt;
	b->max_entries = max_entries;
	b->cap = 2 * max_entries;
	b->values = MemoryContextAllocHuge(cxt, sizeof(float8) * b->cap);
	b->counts = MemoryContextAllocHuge(cxt, sizeof(int64) * b->cap);
	b->pending = MemoryContextAllocHuge(cxt, sizeof(float8) * max_entries);
	b->scratch = MemoryContextAllocHuge(cxt, sizeof(float8) * max_entries);
	b->pcounts = MemoryContextAllocHuge(cxt, sizeof(int64) * max_entries);
	return b;
}

/*
 * Merge an ascending list of m <= max_entries entries into the builder's list
 * (which then holds at most 2 * max_entries) and compact when over the limit.
 */
static void
sketch_builder_merge(SketchBuilder *b, const float8 *v, const int64 *c, int32 m)
{
	int32		i = b->n - 1,
				j = m - 1,
				k = b->n + m - 1;

	Assert(b->n <= b->max_entries && m <= b->max_entries);
	/* merge from the back, in place */
	while (j >= 0)
	{
		if (i >= 0 && b->values[i] > v[j])
		{
			b->values[k] = b->values[i];
			b->counts[k--] = b->counts[i--];
		}
		else
		{
			b->values[k] = v[j];
			b->counts[k--] = c[j--];
		}
	}
	b->n += m;
	/* collapse equal neighbours left by the merge */
	k = 0;
	for (i = 1; i < b->n; i++)
	{
		if (b->values[i] == b->values[k])
			b->counts[k] = count_add(b->counts[k], b->counts[i]);
		else
		{
			b->values[++k] = b->values[i];
			b->counts[k] = b->counts[i];
		}
	}
	b->n = b->n > 0 ? k + 1 : 0;
	b->n = sketch_compact_if_over(b->values, b->counts, b->n, b->max_entries, &b->tracker);
}

/* Sort and collapse the raw buffer into the list. */
static void
sketch_builder_flush(SketchBuilder *b)
{
	int32		m;

	if (b->n_pending == 0)
		return;
	sort_float8(b->pending, b->n_pending, b->scratch);
	m = (int32) collapse_sorted(b->pending, b->n_pending, b->scratch, b->pcounts);
	b->n_pending = 0;
	sketch_builder_merge(b, b->scratch, b->pcounts, m);
}

/* Fold a whole profile (exact or approximate) into the builder. */
static void
sketch_builder_add_profile(SketchBuilder *b, const DriftProfile *p)
{
	const float8 *v = profile_values(p);
	const int64 *c = profile_counts(p);

	sketch_builder_flush(b);
	b->null_count = count_add(b->null_count, p->null_count);
	b->nan_count = count_add(b->nan_count, p->nan_count);
	sketch_tracker_add_profile(&b->tracker, p);
	for (int32 off = 0; off < p->n_entries; off += b->max_entries)
		sketch_builder_merge(b, v + off, c + off, Min(b->max_entries, p->n_entries - off));
}

/* The builder's content as a profile. */
static DriftProfile *
sketch_builder_result(SketchBuilder *b)
{
	sketch_builder_flush(b);
	return sketch_finish(profile_make_numeric(b->n, b->values, b->counts, b->null_count,
											  b->nan_count), &b->tracker);
}

/* drift_sketch_agg(value, max_entries) transition. */
Datum
drift_sketch_agg_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt;
	SketchBuilder *b;
	float8		x;

	cxt = aggregate_context(fcinfo, "drift_sketch_agg_trans");
	if (PG_ARGISNULL(0))
	{
		if (PG_ARGISNULL(2))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("max_entries must not be NULL")));
		b = sketch_builder_create(cxt, checked_max_entries(PG_GETARG_INT32(2)));
	}
	else
		b = (SketchBuilder *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1))
	{
		b->null_count++;
		PG_RETURN_POINTER(b);
	}
	x = PG_GETARG_FLOAT8(1);
	if (isnan(x))
	{
		b->nan_count++;
		PG_RETURN_POINTER(b);
	}
	if (b->n_pending == b->max_entries)
		sketch_builder_flush(b);
	b->pending[b->n_pending++] = (x == 0.0) ? 0.0 : x;
	PG_RETURN_POINTER(b);
}

/* Combine two partial builders. */
Datum
drift_sketch_agg_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt;
	SketchBuilder *a = PG_ARGISNULL(0) ? NULL : (SketchBuilder *) PG_GETARG_POINTER(0);
	SketchBuilder *b = PG_ARGISNULL(1) ? NULL : (SketchBuilder *) PG_GETARG_POINTER(1);
	MemoryContext old;

	cxt = aggregate_context(fcinfo, "drift_sketch_agg_combine");
	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();	/* two empty partial states stay SQL NULL */
		PG_RETURN_POINTER(a);
	}
	old = MemoryContextSwitchTo(cxt);
	if (a == NULL)
		a = sketch_builder_create(cxt, b->max_entries);
	sketch_builder_flush(b);
	sketch_builder_add_profile(a, sketch_builder_result(b));
	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(a);
}

/* Serialize: max_entries, then the partial profile's binary form. */
Datum
drift_sketch_agg_serialize(PG_FUNCTION_ARGS)
{
	SketchBuilder *b = (SketchBuilder *) PG_GETARG_POINTER(0);
	bytea	   *prof;
	StringInfoData buf;

	(void) aggregate_context(fcinfo, "drift_sketch_agg_serialize");
	prof = profile_send_bytes(sketch_builder_result(b));
	pq_begintypsend(&buf);
	pq_sendint32(&buf, b->max_entries);
	pq_sendbytes(&buf, VARDATA(prof), VARSIZE(prof) - VARHDRSZ);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Deserialize into a fresh builder. */
Datum
drift_sketch_agg_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext cxt;
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	SketchBuilder *b;
	DriftProfile *p;
	MemoryContext old;

	cxt = aggregate_context(fcinfo, "drift_sketch_agg_deserialize");
	buf.data = VARDATA_ANY(bytes);
	buf.len = VARSIZE_ANY_EXHDR(bytes);
	buf.maxlen = buf.len;
	buf.cursor = 0;
	old = MemoryContextSwitchTo(cxt);
	b = sketch_builder_create(cxt, checked_max_entries(pq_getmsgint(&buf, 4)));
	p = profile_recv_buffer(&buf);
	sketch_builder_add_profile(b, p);
	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(b);
}

/* Final: the profile; NULL when no row was aggregated. */
Datum
drift_sketch_agg_final(PG_FUNCTION_ARGS)
{
	(void) aggregate_context(fcinfo, "drift_sketch_agg_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_DRIFT_PROFILE_P(sketch_builder_result((SketchBuilder *) PG_GETARG_POINTER(0)));
}

/* drift_profile_compact(profile, max_entries): at most max_entries entries. */
Datum
drift_profile_compact(PG_FUNCTION_ARGS)
{
	DriftProfile *p = profile_require_numeric(PG_GETARG_DRIFT_PROFILE_P(0), "drift_profile_compact");
	int32		target = checked_max_entries(PG_GETARG_INT32(1));
	SketchTracker t = {0};
	float8	   *v;
	int64	   *c;
	int32		n;
	DriftProfile *r;

	if (p->n_entries <= target)
		PG_RETURN_DRIFT_PROFILE_P(p);
	v = palloc(sizeof(float8) * p->n_entries);
	c = palloc(sizeof(int64) * p->n_entries);
	memcpy(v, profile_values(p), sizeof(float8) * p->n_entries);
	memcpy(c, profile_counts(p), sizeof(int64) * p->n_entries);
	sketch_tracker_add_profile(&t, p);
	n = sketch_compact(v, c, p->n_entries, target, &t);
	r = profile_make_numeric(n, v, c, p->null_count, p->nan_count);
	PG_RETURN_DRIFT_PROFILE_P(sketch_finish(r, &t));
}

/* drift_profile_info(profile): one row describing the profile. */
Datum
drift_profile_info(PG_FUNCTION_ARGS)
{
	DriftProfile *p = PG_GETARG_DRIFT_PROFILE_P(0);
	TupleDesc	tupdesc;
	Datum		values[12];
	bool		nulls[12] = {0};
	bool		numeric;

	profile_check_usable(p);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "drift_profile_info must return a composite type");
	tupdesc = BlessTupleDesc(tupdesc);
	numeric = p->kind == PROFILE_KIND_NUMERIC;
	values[0] = CStringGetTextDatum(numeric ? "numeric" : "categorical");
	values[1] = BoolGetDatum(profile_is_exact(p));
	values[2] = Float8GetDatum(p->rank_error);
	values[3] = Int64GetDatum(p->count);
	values[4] = Int64GetDatum(p->null_count);
	values[5] = Int64GetDatum(p->nan_count);
	values[6] = Int32GetDatum(p->n_entries);
	values[7] = Float8GetDatum(p->min);
	values[8] = Float8GetDatum(p->max);
	values[9] = Float8GetDatum(p->mean);
	values[10] = Float8GetDatum(p->count > 1 ? p->m2 / (double) (p->count - 1) : 0.0);
	nulls[7] = nulls[8] = nulls[9] = !numeric || p->count == 0;
	nulls[10] = !numeric || p->count < 2;
	values[11] = Int32GetDatum((int32) VARSIZE(p));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
