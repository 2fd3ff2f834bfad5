/*
 * drift_quantile.c
 *		drift_quantile(value, profile) and drift_quantile(value, 'baseline',
 *		'column'): a value's position in the baseline's distribution, for
 *		per-row outlier filters such as
 *		WHERE drift_quantile(amount, 'fraud_v3', 'amount') NOT BETWEEN 0.001 AND 0.999.
 *
 * The position is the mid-rank empirical CDF
 *		q(x) = (#{baseline values < x} + 0.5 * #{baseline values = x}) / n,
 * n the baseline's non-NULL, non-NaN values: 0 below the minimum, 1 above the
 * maximum, 0.5 for the median of a continuous sample, symmetric under x -> -x.
 * NULL for a NULL or NaN value or an empty baseline.  On an approximate
 * profile q(x) is within the profile's rank_error of the exact value.
 *
 * The profile's cumulative counts are built once per query (the per-query
 * baseline cache in fn_extra), so each row costs one binary search.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/memutils.h"

#include "baseline/baseline_cache.h"
#include "profile/profile.h"

PG_FUNCTION_INFO_V1(drift_quantile_profile);
PG_FUNCTION_INFO_V1(drift_quantile_named);

/* cumulative[i] = sum of counts[0 .. i-1]; n_entries + 1 elements. */
typedef struct QuantileLocator
{
	int64	   *cumulative;
} QuantileLocator;

/* A numeric profile's cumulative counts (a LocatorBuilder). */
static void *
quantile_locator_build(const DriftProfile *p)
{
	const int64 *counts = profile_counts(p);
	QuantileLocator *q = palloc(sizeof(QuantileLocator));

	q->cumulative = palloc_extended(sizeof(int64) * ((Size) p->n_entries + 1), MCXT_ALLOC_HUGE);
	q->cumulative[0] = 0;
	for (int32 i = 0; i < p->n_entries; i++)
		q->cumulative[i + 1] = q->cumulative[i] + counts[i];
	return q;
}

/* Find the locator the first time the query meets this baseline. */
static QuantileLocator *
quantile_prepare(StreamBaseline *sb)
{
	if (sb->locator == NULL)
	{
		const DriftProfile *p = profile_require_numeric(sb->profile, "drift_quantile");

		sb->n_slots = p->n_entries;
		sb->locator = baseline_locator(sb, LOCATOR_QUANTILES, quantile_locator_build);
	}
	return (QuantileLocator *) sb->locator;
}

/* The mid-rank ECDF of x in the baseline; *isnull when undefined. */
static float8
quantile_of(StreamBaseline *sb, float8 x, bool *isnull)
{
	QuantileLocator *q = quantile_prepare(sb);
	const DriftProfile *p = sb->profile;
	const float8 *v = profile_values(p);
	int32		lo = 0,
				hi = p->n_entries;
	double		below,
				equal = 0.0;

	*isnull = isnan(x) || p->count == 0;
	if (*isnull)
		return 0.0;
	/* lo = first index with v[lo] >= x */
	while (lo < hi)
	{
		int32		mid = lo + (hi - lo) / 2;

		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	below = (double) q->cumulative[lo];
	if (lo < p->n_entries && v[lo] == x)
		equal = (double) (q->cumulative[lo + 1] - q->cumulative[lo]);
	return (below + 0.5 * equal) / (double) p->count;
}

/* drift_quantile(value float8, baseline drift_profile). */
Datum
drift_quantile_profile(PG_FUNCTION_ARGS)
{
	float8		x = PG_GETARG_FLOAT8(0);
	bool		isnull;
	float8		q = quantile_of(baseline_cache_profile(fcinfo, 1), x, &isnull);

	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(q);
}

/* drift_quantile(value float8, baseline text, column text). */
Datum
drift_quantile_named(PG_FUNCTION_ARGS)
{
	float8		x = PG_GETARG_FLOAT8(0);
	bool		isnull;
	float8		q = quantile_of(baseline_cache_named(fcinfo, 1, 2), x, &isnull);

	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(q);
}
