/*
 * profile_agg.c
 *		Aggregates that build drift_profile values: drift_profile_agg(float8)
 *		and drift_profile_merge(drift_profile).
 *
 * The transition state keeps the distinct values seen so far in a ValueList
 * (value_list.c: sorted values and counts plus a buffer of raw values merged
 * when full), so memory is O(distinct values) rather than O(rows); past the
 * exact limit the list compacts into a quantile sketch (profile_sketch.c).
 * Categorical builders (drift_profile_agg(text), or a merge of categorical
 * profiles) count categories in a hash table instead and sort once at the
 * end.  One builder type serves both kinds so that drift_profile_merge,
 * whose input kind is only known row by row, shares the combine, serialize
 * and final functions: a builder takes the kind of the first profile that
 * has values, and mixing kinds is an error.  Partial states travel between
 * parallel workers in drift_profile's own binary form.
 */
#include "postgres.h"
#include "core/compat.h"

#include <math.h>

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/memutils.h"

#include "drift/category_table.h"
#include "core/pg_drift.h"
#include "profile/profile.h"
#include "profile/profile_sketch.h"
#include "core/value_list.h"

PG_FUNCTION_INFO_V1(drift_profile_agg_trans);
PG_FUNCTION_INFO_V1(drift_profile_agg_text_trans);
PG_FUNCTION_INFO_V1(drift_profile_merge_trans);
PG_FUNCTION_INFO_V1(drift_profile_agg_combine);
PG_FUNCTION_INFO_V1(drift_profile_agg_serialize);
PG_FUNCTION_INFO_V1(drift_profile_agg_deserialize);
PG_FUNCTION_INFO_V1(drift_profile_agg_final);

typedef struct ProfileBuilder
{
	MemoryContext cxt;			/* where the arrays live (the aggregate's context) */
	int			kind;			/* PROFILE_KIND_*, or 0 while no value was seen */
	CategoryTable *categories;	/* categorical: category -> count */
	int64		null_count;
	int64		nan_count;
	ValueList	list;			/* numeric: distinct values and counts */
	SketchTracker sketch;		/* compactions past the exact limit (profile_sketch.h) */
} ProfileBuilder;

/* A new, empty builder in cxt. */
static ProfileBuilder *
builder_create(MemoryContext cxt)
{
	ProfileBuilder *b = MemoryContextAllocZero(cxt, sizeof(ProfileBuilder));

	b->cxt = cxt;
	value_list_init(&b->list, cxt, &b->sketch);
	return b;
}

/* Fail when the exact list would exceed the configured limit. */
static void
check_exact_limit(int64 n_distinct)
{
	if (n_distinct > drift_exact_profile_limit)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("column has more than %d distinct values", drift_exact_profile_limit),
				 errdetail("Exact profiles keep every distinct value."),
				 errhint("Raise pg_drift.exact_profile_limit to profile this column exactly.")));
}

/* Does the builder hold any value (not just NULL counts)? */
static bool
builder_has_values(const ProfileBuilder *b)
{
	if (b->kind == PROFILE_KIND_CATEGORICAL)
		return b->categories->n > 0;
	return value_list_has_values(&b->list) || b->nan_count > 0;
}

/*
 * Make the builder hold values of the given kind: a builder without values
 * adopts it; one with values of the other kind cannot.
 */
static void
builder_set_kind(ProfileBuilder *b, int kind)
{
	if (b->kind == kind)
		return;
	if (b->kind != 0 && builder_has_values(b))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("cannot merge numeric and categorical profiles"),
				 errhint("Merge profiles of one column at a time.")));
	b->kind = kind;
	if (kind == PROFILE_KIND_CATEGORICAL && b->categories == NULL)
		b->categories = category_table_create(b->cxt, 64);
}

/* Count n more of category s (copied into the builder when new). */
static void
builder_add_category(ProfileBuilder *b, const char *s, int32 len, int64 n)
{
	bool		found;
	CategoryEntry *e = category_table_insert(b->categories, s, len, true, &found);

	if (!found)
		check_exact_limit(b->categories->n);
	e->value = count_add(e->value, n);
}

/* Add every entry of a profile of either kind. */
static void
builder_add_profile(ProfileBuilder *b, DriftProfile *p)
{
	profile_check_usable(p);
	sketch_tracker_add_profile(&b->sketch, p);
	b->null_count = count_add(b->null_count, p->null_count);
	/* a profile without values (only NULLs, or nothing) merges into either kind */
	if (p->n_entries == 0 && p->nan_count == 0)
	{
		if (b->kind == 0)
			builder_set_kind(b, p->kind);
		return;
	}
	builder_set_kind(b, p->kind);
	if (p->kind == PROFILE_KIND_CATEGORICAL)
	{
		const int64 *counts = profile_counts(p);

		for (int32 i = 0; i < p->n_entries; i++)
		{
			int32		len;
			const char *c = profile_category(p, i, &len);

			builder_add_category(b, c, len, counts[i]);
		}
		return;
	}
	b->nan_count = count_add(b->nan_count, p->nan_count);
	value_list_flush(&b->list);
	value_list_merge(&b->list, profile_values(p), profile_counts(p), p->n_entries);
}

/* The builder's categories as a profile. */
static DriftProfile *
builder_categorical_result(ProfileBuilder *b)
{
	int32		n = b->categories->n;
	CategoryEntry **sorted = category_table_sorted(b->categories);
	const char **cats = palloc_extended(sizeof(char *) * Max(n, 1), MCXT_ALLOC_HUGE);
	int32	   *lens = palloc_extended(sizeof(int32) * Max(n, 1), MCXT_ALLOC_HUGE);
	int64	   *counts = palloc_extended(sizeof(int64) * Max(n, 1), MCXT_ALLOC_HUGE);
	DriftProfile *p;

	for (int32 i = 0; i < n; i++)
	{
		cats[i] = sorted[i]->bytes;
		lens[i] = sorted[i]->len;
		counts[i] = sorted[i]->value;
	}
	p = profile_make_categorical(n, cats, lens, counts, b->null_count);
	pfree(sorted);
	pfree(cats);
	pfree(lens);
	pfree(counts);
	return p;
}

/* The builder's content as a profile. */
static DriftProfile *
builder_result(ProfileBuilder *b)
{
	if (b->kind == PROFILE_KIND_CATEGORICAL)
		return builder_categorical_result(b);
	value_list_flush(&b->list);
	return sketch_finish(profile_make_numeric(b->list.n_distinct, b->list.values, b->list.counts,
											  b->null_count, b->nan_count),
						 &b->sketch);
}

/* drift_profile_agg(float8) transition: buffer the value, count NULL and NaN. */
Datum
drift_profile_agg_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = aggregate_context(fcinfo, "drift_profile_agg_trans");
	ProfileBuilder *b = PG_ARGISNULL(0) ? builder_create(cxt) : (ProfileBuilder *) PG_GETARG_POINTER(0);
	float8		x;

	b->kind = PROFILE_KIND_NUMERIC;
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
	value_list_add(&b->list, x);
	PG_RETURN_POINTER(b);
}

/* drift_profile_agg(text) transition: count the category, or the NULL. */
Datum
drift_profile_agg_text_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = aggregate_context(fcinfo, "drift_profile_agg_text_trans");
	ProfileBuilder *b;
	text	   *t;

	if (PG_ARGISNULL(0))
	{
		b = builder_create(cxt);
		builder_set_kind(b, PROFILE_KIND_CATEGORICAL);
	}
	else
		b = (ProfileBuilder *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1))
	{
		b->null_count++;
		PG_RETURN_POINTER(b);
	}
	t = PG_GETARG_TEXT_PP(1);
	builder_add_category(b, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), 1);
	PG_RETURN_POINTER(b);
}

/* drift_profile_merge(drift_profile) transition: fold one profile in. */
Datum
drift_profile_merge_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = aggregate_context(fcinfo, "drift_profile_merge_trans");
	ProfileBuilder *b = PG_ARGISNULL(0) ? builder_create(cxt) : (ProfileBuilder *) PG_GETARG_POINTER(0);

	if (!PG_ARGISNULL(1))
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);

		builder_add_profile(b, PG_GETARG_DRIFT_PROFILE_P(1));
		MemoryContextSwitchTo(old);
	}
	PG_RETURN_POINTER(b);
}

/* Combine two partial builders (parallel aggregation). */
Datum
drift_profile_agg_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = aggregate_context(fcinfo, "drift_profile_agg_combine");
	ProfileBuilder *a = PG_ARGISNULL(0) ? NULL : (ProfileBuilder *) PG_GETARG_POINTER(0);
	ProfileBuilder *b = PG_ARGISNULL(1) ? NULL : (ProfileBuilder *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		/* two workers that saw no rows: still no state */
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = builder_create(cxt);
	a->null_count = count_add(a->null_count, b->null_count);
	if (!builder_has_values(b))
	{
		if (a->kind == 0 && b->kind != 0)
			builder_set_kind(a, b->kind);
		PG_RETURN_POINTER(a);
	}
	builder_set_kind(a, b->kind);
	if (b->kind == PROFILE_KIND_CATEGORICAL)
	{
		for (uint32 i = 0; i <= b->categories->mask; i++)
		{
			CategoryEntry *e = &b->categories->slots[i];

			if (e->bytes != NULL)
				builder_add_category(a, e->bytes, e->len, e->value);
		}
		PG_RETURN_POINTER(a);
	}
	value_list_flush(&a->list);
	value_list_flush(&b->list);
	a->nan_count = count_add(a->nan_count, b->nan_count);
	sketch_tracker_merge(&a->sketch, &b->sketch);
	value_list_merge(&a->list, b->list.values, b->list.counts, b->list.n_distinct);
	PG_RETURN_POINTER(a);
}

/* Serialize a partial builder as a profile's binary form. */
Datum
drift_profile_agg_serialize(PG_FUNCTION_ARGS)
{
	ProfileBuilder *b = (ProfileBuilder *) PG_GETARG_POINTER(0);

	(void) aggregate_context(fcinfo, "drift_profile_agg_serialize");
	PG_RETURN_BYTEA_P(profile_send_bytes(builder_result(b)));
}

/* Rebuild a partial builder from its serialized form. */
Datum
drift_profile_agg_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = aggregate_context(fcinfo, "drift_profile_agg_deserialize");
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	DriftProfile *p;
	ProfileBuilder *b;
	MemoryContext old;

	buf.data = VARDATA_ANY(bytes);
	buf.len = VARSIZE_ANY_EXHDR(bytes);
	buf.maxlen = buf.len;
	buf.cursor = 0;
	p = profile_recv_buffer(&buf);
	old = MemoryContextSwitchTo(cxt);
	b = builder_create(cxt);
	builder_add_profile(b, p);
	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(b);
}

/* Final: the profile. NULL when no row at all was aggregated. */
Datum
drift_profile_agg_final(PG_FUNCTION_ARGS)
{
	ProfileBuilder *b;

	(void) aggregate_context(fcinfo, "drift_profile_agg_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	b = (ProfileBuilder *) PG_GETARG_POINTER(0);
	PG_RETURN_DRIFT_PROFILE_P(builder_result(b));
}
