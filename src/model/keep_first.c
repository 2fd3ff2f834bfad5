/*
 * keep_first.c
 *		The transition (and combine) function of drift.reference_profiles,
 *		the aggregate through which a model monitor's check reads the
 *		previous window's profiles: they are joined to every row of the
 *		slice, all equal, and the check is a plain function over aggregates,
 *		so it must take them through an aggregate.  With a STRICT function
 *		and no initial state, PostgreSQL makes the first non-NULL input the
 *		state without a call; every later call returns the state itself, so
 *		nothing is copied per row.
 */
#include "postgres.h"

#include "fmgr.h"

PG_FUNCTION_INFO_V1(drift_keep_first);

Datum
drift_keep_first(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}
