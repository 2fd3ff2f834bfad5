/*
 * call_site.c
 *		Resolving a streaming test's constant arguments once per query
 *		(see call_site.h).
 */
#include "postgres.h"

#include "nodes/primnodes.h"
#include "utils/memutils.h"

#include "core/call_site.h"

/* Are all of the aggregate's arguments after the value constants? */
static bool
aggregate_args_const(FunctionCallInfo fcinfo)
{
	Aggref	   *aggref = AggGetAggref(fcinfo);
	ListCell   *lc;
	int			i = 0;

	if (aggref == NULL)
		return false;
	foreach(lc, aggref->args)
	{
		Node	   *expr = (Node *) ((TargetEntry *) lfirst(lc))->expr;

		if (i++ == 0)
			continue;
		if (!IsA(expr, Const) &&
			!(IsA(expr, Param) && ((Param *) expr)->paramkind == PARAM_EXTERN))
			return false;
	}
	return true;
}

/* The call site's memory in fn_extra, created (and its arguments checked) on the first row. */
CallSite *
call_site_get(FunctionCallInfo fcinfo)
{
	CallSite   *cs = (CallSite *) fcinfo->flinfo->fn_extra;

	if (cs == NULL)
	{
		cs = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(CallSite));
		cs->cache_flinfo = *fcinfo->flinfo;
		cs->cache_flinfo.fn_extra = NULL;
		cs->args_const = aggregate_args_const(fcinfo) ? 1 : 0;
		fcinfo->flinfo->fn_extra = cs;
	}
	return cs;
}

/*
 * This row's baseline, from arguments 2 and 3 (name, column) or 2 (profile),
 * through the baseline cache, which keeps its state in the private FmgrInfo.
 */
StreamBaseline *
call_site_baseline(FunctionCallInfo fcinfo, CallSite *cs, bool named)
{
	FmgrInfo   *own = fcinfo->flinfo;

	fcinfo->flinfo = &cs->cache_flinfo;
	PG_TRY();
	{
		cs->sb = named ? baseline_cache_named(fcinfo, 2, 3) : baseline_cache_profile(fcinfo, 2);
	}
	PG_FINALLY();
	{
		fcinfo->flinfo = own;
	}
	PG_END_TRY();
	return cs->sb;
}
