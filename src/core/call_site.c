/*
 * call_site.c
 *		The one resolver of a streaming aggregate's constant arguments
 *		(see call_site.h for what it remembers).
 *
 * The rule, for every family: an argument after the row's value(s) holds
 * for the whole query when its expression is "query-constant":
 *
 *	- a Const;
 *	- a PARAM_EXTERN parameter ($n of PREPARE, of a monitor's query, of a
 *	  PL/pgSQL statement): its value is fixed for one executor run, and each
 *	  run initialises the Agg node afresh, so fn_extra never outlives it;
 *	- a non-volatile function or operator (drift.baseline(name, column), a
 *	  cast) applied to query-constant arguments: PostgreSQL documents that a
 *	  STABLE function returns the same result for the same arguments for all
 *	  rows within a single statement ("Function Volatility Categories").
 *
 * Anything else (a column, a PARAM_EXEC of a subquery or initplan, which
 * may change when the aggregate is rescanned while fn_extra lives on, a
 * volatile function) is resolved on every row.  FILTER plays no part: it
 * only decides which rows reach the transition function, never what their
 * arguments are, so a filtered aggregate resolves once like any other.
 */
#include "postgres.h"

#include "nodes/nodeFuncs.h"
#include "nodes/primnodes.h"
#include "optimizer/optimizer.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "core/call_site.h"
#include "core/pg_drift.h"

/* Walker: does the expression contain anything that may differ between rows? */
static bool
varies_per_row(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Const))
		return false;
	if (IsA(node, Param))
		return ((Param *) node)->paramkind != PARAM_EXTERN;
	/* only these node kinds are known to compute from their arguments alone */
	if (!IsA(node, FuncExpr) && !IsA(node, OpExpr) && !IsA(node, RelabelType) &&
		!IsA(node, CoerceViaIO) && !IsA(node, ArrayExpr) && !IsA(node, CollateExpr))
		return true;
	return expression_tree_walker(node, varies_per_row, context);
}

/* Is expr query-constant under the rule above? */
static bool
query_constant(Node *expr)
{
	return !varies_per_row(expr, NULL) && !contain_volatile_functions(expr);
}

/* Are all of the aggregate's arguments after its first n_values query-constant? */
static bool
aggregate_args_const(FunctionCallInfo fcinfo, int n_values)
{
	Aggref	   *aggref = AggGetAggref(fcinfo);
	ListCell   *lc;

	if (aggref == NULL)
		return false;
	for_each_from(lc, aggref->args, n_values)
	{
		if (!query_constant((Node *) lfirst_node(TargetEntry, lc)->expr))
			return false;
	}
	return true;
}

/*
 * The call site's memory in fn_extra, created and its arguments checked
 * (first row).  A transition function is called with the same FmgrInfo for
 * the whole query, always inside the aggregate or never, so checking the
 * context here, once, is as good as on every row: a direct call fails before
 * fn_extra is set, and so fails again on its next row.
 */
CallSite *
call_site_create(FunctionCallInfo fcinfo, int n_values)
{
	CallSite   *cs;

	if (!AggCheckCallContext(fcinfo, NULL))
		not_in_aggregate(get_func_name(fcinfo->flinfo->fn_oid));
	cs = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(CallSite));

	cs->cache_flinfo = *fcinfo->flinfo;
	cs->cache_flinfo.fn_extra = NULL;
	cs->args_const = aggregate_args_const(fcinfo, n_values) ? 1 : 0;
	fcinfo->flinfo->fn_extra = cs;
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
