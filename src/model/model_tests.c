/*
 * model_tests.c
 *		The two tests the whole-model check added (SPEC.md section 9), in the
 *		forms of every test (SPEC.md section 4), on float8:
 *
 *	wasserstein_norm_drift	wasserstein_distance(baseline, current) divided by
 *							max(std(baseline, ddof=0), 0.001): Evidently's
 *							normed Wasserstein distance, comparable across
 *							columns of different scales.
 *	proportion_z_drift		two-proportion z-test over the (at most two)
 *							distinct values as categories.
 *
 *	test(value float8, 'baseline', 'column')	streaming: the state that keeps
 *	test(value float8, profile)					the current values (sample_state.h)
 *	test(baseline_profile, current_profile)
 *	test(baseline float8[], current float8[])
 *
 * proportion_z_drift on text (and so on booleans and enums by cast) is a
 * statistic of categorical_tests.c; its profile form here takes either kind.
 */
#include "postgres.h"
#include "core/compat.h"

#include <math.h>

#include "fmgr.h"
#include "utils/array.h"

#include "core/drift_result.h"
#include "core/value_list.h"
#include "drift/categorical_tests.h"
#include "drift/sample_state.h"
#include "model/value_categories.h"
#include "profile/profile.h"
#include "stats/wasserstein_1d.h"

PG_FUNCTION_INFO_V1(wasserstein_norm_drift_final);
PG_FUNCTION_INFO_V1(wasserstein_norm_drift_profiles);
PG_FUNCTION_INFO_V1(wasserstein_norm_drift_arrays);
PG_FUNCTION_INFO_V1(proportion_z_drift_float8_final);
PG_FUNCTION_INFO_V1(proportion_z_drift_profiles);
PG_FUNCTION_INFO_V1(proportion_z_drift_float8_arrays);

/* Evidently's floor of the baseline's spread, so a constant baseline does not divide by 0. */
#define NORM_MIN_STD 0.001

/* The normed distance of a baseline (sorted values) and a current sample; NULL when either is empty. */
static Datum
norm_result(FunctionCallInfo fcinfo, const float8 *bv, const int64 *bc, int32 bn, int64 nb,
			float8 m2b, const float8 *cv, const int64 *cc, int32 cn, int64 nc)
{
	double		d;
	double		sd;

	if (nb == 0 || nc == 0)
		PG_RETURN_NULL();
	d = wasserstein_lists(bv, bc, bn, nb, cv, cc, cn, nc);
	/* NumPy's std(ddof=0): the root of the mean squared deviation */
	sd = sqrt(m2b / (double) nb);
	return drift_result_make(fcinfo, d / fmax(sd, NORM_MIN_STD), false, 0.0, true, nb, nc);
}

static Datum
norm_of_sample(FunctionCallInfo fcinfo, const DriftProfile *p, const float8 *values,
			   const int64 *counts, int32 n, int64 total)
{
	return norm_result(fcinfo, profile_values(p), profile_counts(p), p->n_entries, p->count,
					   p->m2, values, counts, n, total);
}

Datum
wasserstein_norm_drift_final(PG_FUNCTION_ARGS)
{
	return sample_state_final(fcinfo, "wasserstein_norm_drift", norm_of_sample);
}

/* wasserstein_norm_drift(baseline drift_profile, current drift_profile). */
Datum
wasserstein_norm_drift_profiles(PG_FUNCTION_ARGS)
{
	DriftProfile *b = profile_require_numeric(PG_GETARG_DRIFT_PROFILE_P(0), "wasserstein_norm_drift");
	DriftProfile *c = profile_require_numeric(PG_GETARG_DRIFT_PROFILE_P(1), "wasserstein_norm_drift");

	return norm_of_sample(fcinfo, b, profile_values(c), profile_counts(c), c->n_entries, c->count);
}

/* wasserstein_norm_drift(baseline float8[], current float8[]). */
Datum
wasserstein_norm_drift_arrays(PG_FUNCTION_ARGS)
{
	float8	   *bv,
			   *cv;
	int64	   *bc,
			   *cc;
	int32		bn,
				cn;
	int64		nb = float8_array_to_list(PG_GETARG_ARRAYTYPE_P(0), "wasserstein_norm_drift",
										  &bv, &bc, &bn);
	int64		nc = float8_array_to_list(PG_GETARG_ARRAYTYPE_P(1), "wasserstein_norm_drift",
										  &cv, &cc, &cn);
	float8		mean = 0.0,
				m2 = 0.0;

	if (bn > 0)
		profile_compute_moments(bv, bc, bn, &mean, &m2);
	return norm_result(fcinfo, bv, bc, bn, nb, m2, cv, cc, cn, nc);
}

/* proportion_z over a baseline profile and a current sample, values as categories. */
static Datum
propz_of_sample(FunctionCallInfo fcinfo, const DriftProfile *p, const float8 *values,
				const int64 *counts, int32 n, int64 total)
{
	return categorical_profiles_result(fcinfo, CAT_STAT_PROPZ,
									   profile_as_categories((DriftProfile *) p, "proportion_z_drift"),
									   values_as_categories(values, counts, n, 0),
									   CATEGORICAL_PSI_FILL);
}

Datum
proportion_z_drift_float8_final(PG_FUNCTION_ARGS)
{
	return sample_state_final(fcinfo, "proportion_z_drift", propz_of_sample);
}

/* proportion_z_drift(baseline drift_profile, current drift_profile), either kind. */
Datum
proportion_z_drift_profiles(PG_FUNCTION_ARGS)
{
	DriftProfile *b = PG_GETARG_DRIFT_PROFILE_P(0);
	DriftProfile *c = PG_GETARG_DRIFT_PROFILE_P(1);

	profile_check_usable(b);
	profile_check_usable(c);
	if (b->kind != c->kind)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("proportion_z_drift cannot compare a numeric profile with a categorical one"),
				 errhint("Profile both samples the same way.")));
	return categorical_profiles_result(fcinfo, CAT_STAT_PROPZ,
									   profile_as_categories(b, "proportion_z_drift"),
									   profile_as_categories(c, "proportion_z_drift"),
									   CATEGORICAL_PSI_FILL);
}

/* proportion_z_drift(baseline float8[], current float8[]). */
Datum
proportion_z_drift_float8_arrays(PG_FUNCTION_ARGS)
{
	float8	   *bv,
			   *cv;
	int64	   *bc,
			   *cc;
	int32		bn,
				cn;

	(void) float8_array_to_list(PG_GETARG_ARRAYTYPE_P(0), "proportion_z_drift", &bv, &bc, &bn);
	(void) float8_array_to_list(PG_GETARG_ARRAYTYPE_P(1), "proportion_z_drift", &cv, &cc, &cn);
	return categorical_profiles_result(fcinfo, CAT_STAT_PROPZ,
									   values_as_categories(bv, bc, bn, 0),
									   values_as_categories(cv, cc, cn, 0),
									   CATEGORICAL_PSI_FILL);
}
