/*
 * profile_integrity.c
 *		The data-integrity rates of SPEC.md section 4 between two profiles,
 *		so that a whole-model check gets them from the profiles of its one
 *		scan instead of a second pass over the rows:
 *
 *	out_of_range_share(baseline, current)		share of the current values
 *												outside the baseline's [min, max]
 *	unseen_category_share(baseline, current)	share of the current values in
 *												categories the baseline never saw
 *
 * They follow the streaming aggregates' conventions (integrity.c,
 * categorical_tests.c): NULL when the current profile has no values; every
 * value is outside an empty baseline's range.  From an approximate current
 * profile the shares carry its rank error.
 */
#include "postgres.h"
#include "core/compat.h"

#include "fmgr.h"

#include "profile/profile.h"

PG_FUNCTION_INFO_V1(out_of_range_share_profiles);
PG_FUNCTION_INFO_V1(unseen_category_share_profiles);

/* out_of_range_share(baseline drift_profile, current drift_profile). */
Datum
out_of_range_share_profiles(PG_FUNCTION_ARGS)
{
	DriftProfile *b = profile_require_numeric(PG_GETARG_DRIFT_PROFILE_P(0), "out_of_range_share");
	DriftProfile *c = profile_require_numeric(PG_GETARG_DRIFT_PROFILE_P(1), "out_of_range_share");
	const float8 *v = profile_values(c);
	const int64 *n = profile_counts(c);
	int64		outside = 0;

	if (c->count == 0)
		PG_RETURN_NULL();
	for (int32 i = 0; i < c->n_entries; i++)
		if (b->count == 0 || v[i] < b->min || v[i] > b->max)
			outside += n[i];
	PG_RETURN_FLOAT8((double) outside / (double) c->count);
}

/* unseen_category_share(baseline drift_profile, current drift_profile). */
Datum
unseen_category_share_profiles(PG_FUNCTION_ARGS)
{
	DriftProfile *b = profile_require_categorical(PG_GETARG_DRIFT_PROFILE_P(0),
												  "unseen_category_share");
	DriftProfile *c = profile_require_categorical(PG_GETARG_DRIFT_PROFILE_P(1),
												  "unseen_category_share");
	const int64 *n = profile_counts(c);
	int64		unseen = 0;

	if (c->count == 0)
		PG_RETURN_NULL();
	for (int32 i = 0; i < c->n_entries; i++)
	{
		int32		len;
		const char *s = profile_category(c, i, &len);

		if (profile_find_category(b, s, len) < 0)
			unseen += n[i];
	}
	PG_RETURN_FLOAT8((double) unseen / (double) c->count);
}
