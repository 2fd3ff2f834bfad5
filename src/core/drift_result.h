/*
 * drift_result.h
 *		Building values of the drift_result composite type.
 */
#ifndef PG_DRIFT_DRIFT_RESULT_H
#define PG_DRIFT_DRIFT_RESULT_H

#include "postgres.h"
#include "fmgr.h"

extern Datum drift_result_make(FunctionCallInfo fcinfo, float8 statistic, bool statistic_null,
							   float8 p_value, bool p_value_null, int64 n_baseline, int64 n_current);

#endif							/* PG_DRIFT_DRIFT_RESULT_H */
