/*
 * categorical_tests.h
 *		Categorical drift tests (categorical_tests.c), for other test families
 *		whose profile-against-profile functions must accept categorical
 *		profiles too (psi_drift, js_drift on drift_profile arguments).
 */
#ifndef PG_DRIFT_CATEGORICAL_TESTS_H
#define PG_DRIFT_CATEGORICAL_TESTS_H

#include "postgres.h"
#include "fmgr.h"

#include "core/options.h"

#include "profile/profile.h"

typedef enum CategoricalStat
{
	CAT_STAT_CHI2,
	CAT_STAT_CHI2_DETAILS,
	CAT_STAT_PSI,
	CAT_STAT_JS,
	CAT_STAT_LINF,
	CAT_STAT_TVD,
	CAT_STAT_PROPZ				/* proportion_z: at most two categories */
} CategoricalStat;

/* Default zero fill of categorical PSI (SPEC.md section 4). */
#define CATEGORICAL_PSI_FILL DRIFT_DEFAULT_FILL

/*
 * The statistic of two categorical profiles as the calling function's result
 * (drift_result, or chi2_details for CAT_STAT_CHI2_DETAILS); NULL (with
 * fcinfo->isnull set) when either profile has no values.  A numeric
 * psi_drift(drift_profile, drift_profile) calls this when given categorical
 * profiles: psi with the fill (checked: 0 < fill <= 1), js ignoring it.
 */
extern Datum categorical_profiles_result(FunctionCallInfo fcinfo, CategoricalStat stat,
										 DriftProfile *baseline, DriftProfile *current,
										 float8 fill);

#endif							/* PG_DRIFT_CATEGORICAL_TESTS_H */
