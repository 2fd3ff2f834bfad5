/*
 * drift_result.c
 *		The one result type every drift test returns:
 *		(statistic float8, p_value float8, n_baseline bigint, n_current bigint).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "funcapi.h"

#include "core/drift_result.h"

/* A drift_result datum; the caller's declared return type supplies the row type. */
Datum
drift_result_make(FunctionCallInfo fcinfo, float8 statistic, bool statistic_null,
				  float8 p_value, bool p_value_null, int64 n_baseline, int64 n_current)
{
	TupleDesc	tupdesc;
	Datum		values[4];
	bool		nulls[4] = {statistic_null, p_value_null, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "drift test must be declared to return drift_result");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = Float8GetDatum(statistic);
	values[1] = Float8GetDatum(p_value);
	values[2] = Int64GetDatum(n_baseline);
	values[3] = Int64GetDatum(n_current);
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}
