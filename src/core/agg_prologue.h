/*
 * agg_prologue.h
 *		The value prologue every float8 streaming test shares.
 *
 * A NULL value and a NaN are never placed against the baseline: each test
 * counts them (its result and its state report them) and goes on to the
 * next row.  Every family reads its value argument through here, so that
 * they agree on what is missing and all count with overflow checks.
 */
#ifndef PG_DRIFT_AGG_PROLOGUE_H
#define PG_DRIFT_AGG_PROLOGUE_H

#include <math.h>

#include "postgres.h"
#include "fmgr.h"

#include "core/pg_drift.h"

/*
 * The row's value (argument 1) in *x; or true, after counting the row in
 * *null_count or *nan_count, when it has none.
 */
static inline bool
agg_value_missing(FunctionCallInfo fcinfo, int64 *null_count, int64 *nan_count, float8 *x)
{
	if (PG_ARGISNULL(1))
	{
		*null_count = count_add(*null_count, 1);
		return true;
	}
	*x = PG_GETARG_FLOAT8(1);
	if (isnan(*x))
	{
		*nan_count = count_add(*nan_count, 1);
		return true;
	}
	return false;
}

#endif							/* PG_DRIFT_AGG_PROLOGUE_H */
