/*
 * value_categories.c
 *		Numeric values as categories: drift_profile_categories(profile) and the
 *		conversion the numeric proportion_z_drift and the whole-model check
 *		use.  A value becomes the text of its shortest exact decimal form, so
 *		distinct doubles stay distinct categories and equal ones merge (-0 is
 *		already 0 in a profile); the statistics over categories do not depend
 *		on the categories' order, and the profile keeps them bytewise sorted
 *		as every categorical profile does.
 */
#include "postgres.h"
#include "core/compat.h"

#include "common/shortest_dec.h"
#include "fmgr.h"

#include "model/value_categories.h"

PG_FUNCTION_INFO_V1(drift_profile_categories);

typedef struct NamedCount
{
	const char *s;
	int32		len;
	int64		count;
} NamedCount;

static int
by_bytes(const void *a, const void *b)
{
	const NamedCount *x = a;
	const NamedCount *y = b;

	return category_cmp(x->s, x->len, y->s, y->len);
}

/* See value_categories.h. */
DriftProfile *
values_as_categories(const float8 *values, const int64 *counts, int32 n, int64 null_count)
{
	NamedCount *e = palloc_extended(sizeof(NamedCount) * Max(n, 1), MCXT_ALLOC_HUGE);
	const char **names = palloc_extended(sizeof(char *) * Max(n, 1), MCXT_ALLOC_HUGE);
	int32	   *lens = palloc_extended(sizeof(int32) * Max(n, 1), MCXT_ALLOC_HUGE);
	int64	   *sorted_counts = palloc_extended(sizeof(int64) * Max(n, 1), MCXT_ALLOC_HUGE);
	char	   *buf = palloc_extended((Size) DOUBLE_SHORTEST_DECIMAL_LEN * Max(n, 1),
									  MCXT_ALLOC_HUGE);

	for (int32 i = 0; i < n; i++)
	{
		char	   *s = buf + (Size) i * DOUBLE_SHORTEST_DECIMAL_LEN;

		e[i].len = double_to_shortest_decimal_buf(values[i], s);
		e[i].s = s;
		e[i].count = counts[i];
	}
	qsort(e, n, sizeof(NamedCount), by_bytes);
	for (int32 i = 0; i < n; i++)
	{
		names[i] = e[i].s;
		lens[i] = e[i].len;
		sorted_counts[i] = e[i].count;
	}
	return profile_make_categorical(n, names, lens, sorted_counts, null_count);
}

/* See value_categories.h. */
DriftProfile *
profile_as_categories(DriftProfile *p, const char *fname)
{
	if (p->kind == PROFILE_KIND_CATEGORICAL)
		return p;
	if (!profile_is_exact(p))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s cannot compare an approximate profile's values as categories", fname),
				 errdetail("The profile lists representative values, not every distinct value."),
				 errhint("Compare columns with this many distinct values by ks_drift or wasserstein_norm_drift.")));
	return values_as_categories(profile_values(p), profile_counts(p), p->n_entries, p->null_count);
}

/* drift_profile_categories(profile): a numeric profile's values as categories. */
Datum
drift_profile_categories(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(profile_as_categories(PG_GETARG_DRIFT_PROFILE_P(0),
											"drift_profile_categories"));
}
