/*
 * options.c
 *		Parsing the options the drift tests share (see options.h).
 *
 * Called once per query for constant arguments (core/call_site.c), per row
 * otherwise; the success paths read no catalog and allocate nothing.
 */
#include "postgres.h"

#include "nodes/primnodes.h"
#include "utils/lsyscache.h"

#include "core/options.h"

/*
 * The SQL name of the function or aggregate being called, for messages.  Only
 * error paths call this: it reads the catalog.
 */
const char *
drift_caller_name(FunctionCallInfo fcinfo)
{
	Aggref	   *aggref = AggGetAggref(fcinfo);
	char	   *name = get_func_name(aggref != NULL ? aggref->aggfnoid : fcinfo->flinfo->fn_oid);

	return name != NULL ? name : "drift test";
}

/* fill, unless it is not a usable zero-fill proportion. */
float8
fill_check(float8 fill, const char *function_name)
{
	if (!fill_is_valid(fill))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: fill must be greater than 0 and at most 1, not %g", function_name, fill),
				 errhint("Pass the proportion that replaces empty bins or categories, such as fill => 0.0001.")));
	return fill;
}

/* The zero-fill proportion in argument fill_arg, or the default when the call has none. */
float8
fill_from_arg(FunctionCallInfo fcinfo, int fill_arg)
{
	float8		fill;

	if (PG_NARGS() <= fill_arg)
		return DRIFT_DEFAULT_FILL;
	if (PG_ARGISNULL(fill_arg))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: fill must not be NULL", drift_caller_name(fcinfo)),
				 errhint("Pass the proportion that replaces empty bins or categories, such as fill => 0.0001.")));
	fill = PG_GETARG_FLOAT8(fill_arg);
	if (!fill_is_valid(fill))
		fill_check(fill, drift_caller_name(fcinfo));
	return fill;
}
