/*
 * options.c
 *		Parsing the options the drift tests share (see options.h).
 *
 * Called once per query for constant arguments (core/call_site.c), per row
 * otherwise; the success paths read no catalog and allocate nothing.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_type.h"
#include "nodes/primnodes.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "core/options.h"

/*
 * Does aggregate aggfnoid call function fn (as its transition, final,
 * combine, serialize or deserialize function)?
 */
bool
aggregate_uses_function(Oid aggfnoid, Oid fn)
{
	HeapTuple	tup = SearchSysCache1(AGGFNOID, ObjectIdGetDatum(aggfnoid));
	Form_pg_aggregate agg;
	bool		uses;

	if (!HeapTupleIsValid(tup))
		return false;
	agg = (Form_pg_aggregate) GETSTRUCT(tup);
	uses = agg->aggtransfn == fn || agg->aggfinalfn == fn || agg->aggcombinefn == fn ||
		agg->aggserialfn == fn || agg->aggdeserialfn == fn;
	ReleaseSysCache(tup);
	return uses;
}

/*
 * The aggregate that called fcinfo's function, or InvalidOid.  Normally the
 * executor's Aggref names it.  A wrapper aggregate that calls ours for its
 * rows has an Aggref of its own; Citus's worker_partial_agg(oid, ...) and
 * coord_combine_agg(oid, ...) name the aggregate they compute by OID in their
 * first argument, a constant.  Many pg_drift aggregates share one transition
 * function (psi_drift and kl_drift, say), so the function alone does not tell
 * which aggregate is meant.
 */
static Oid
calling_aggregate(FunctionCallInfo fcinfo)
{
	Aggref	   *aggref = AggGetAggref(fcinfo);
	Oid			fn = fcinfo->flinfo->fn_oid;
	TargetEntry *first;

	if (aggref == NULL)
		return InvalidOid;
	if (aggregate_uses_function(aggref->aggfnoid, fn))
		return aggref->aggfnoid;
	first = list_length(aggref->args) > 0 ? linitial_node(TargetEntry, aggref->args) : NULL;
	if (first != NULL && IsA(first->expr, Const) && ((Const *) first->expr)->consttype == OIDOID &&
		!((Const *) first->expr)->constisnull)
	{
		Oid			named = DatumGetObjectId(((Const *) first->expr)->constvalue);

		if (aggregate_uses_function(named, fn))
			return named;
	}
	return InvalidOid;
}

/*
 * The SQL name of the aggregate or function being called, for messages: the
 * aggregate's (ks_drift, not its transition function nor a wrapper such as
 * worker_partial_agg), else the function's own.  Only error paths call this:
 * it reads the catalog.
 */
const char *
drift_caller_name(FunctionCallInfo fcinfo)
{
	Oid			agg = calling_aggregate(fcinfo);
	char	   *name = get_func_name(OidIsValid(agg) ? agg : fcinfo->flinfo->fn_oid);

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
