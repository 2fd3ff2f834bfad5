/*
 * sample_state.h
 *		The streaming state that keeps the current sample's distinct values
 *		with counts (wasserstein.c), shared by the tests that need the values
 *		themselves rather than counts per baseline slot: wasserstein_drift,
 *		wasserstein_norm_drift and proportion_z_drift on float8 (src/model).
 *		They share the transition, combine, serialize and deserialize
 *		functions and differ in the final function only.
 */
#ifndef PG_DRIFT_SAMPLE_STATE_H
#define PG_DRIFT_SAMPLE_STATE_H

#include "postgres.h"
#include "fmgr.h"

#include "profile/profile.h"

/*
 * A test's result from the baseline profile (numeric) and the current
 * sample: n ascending distinct values with counts summing to total.
 */
typedef Datum (*SampleStat) (FunctionCallInfo fcinfo, const DriftProfile *baseline,
							 const float8 *values, const int64 *counts, int32 n, int64 total);

/* The final function of such a test (fname names it in errors). */
extern Datum sample_state_final(FunctionCallInfo fcinfo, const char *fname, SampleStat stat);

#endif							/* PG_DRIFT_SAMPLE_STATE_H */
