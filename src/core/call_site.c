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

#include "nodes/execnodes.h"
#include "nodes/nodeFuncs.h"
#include "nodes/primnodes.h"
#include "optimizer/optimizer.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "core/call_site.h"
#include "core/options.h"
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

	/* a wrapper aggregate calling our transition function has its own Aggref */
	if (aggref == NULL || !aggregate_uses_function(aggref->aggfnoid, fcinfo->flinfo->fn_oid))
		return false;
	for_each_from(lc, aggref->args, n_values)
	{
		if (!query_constant((Node *) lfirst_node(TargetEntry, lc)->expr))
			return false;
	}
	return true;
}

/*
 * Call sites of transition functions called through a wrapper.
 *
 * Citus pushes an aggregate down as worker_partial_agg(oid, args), whose
 * transition function calls ours with a FmgrInfo it fills afresh for every
 * row (fmgr_info into a stack variable, fn_extra and fn_expr NULL, fn_mcxt
 * the per-row memory), so fn_extra cannot carry anything from one row to the
 * next.  What does last the query is the wrapper's aggregate node, passed as
 * fcinfo->context, and its Aggref.  So a call with no fn_expr (the executor
 * always sets it for an aggregate it calls itself) finds its call site here,
 * keyed by the transition function, the node and the Aggref (two pg_drift
 * aggregates under one wrapper node have different Aggrefs).  The entry and
 * its call site live in the node's query memory, and a reset callback on that
 * memory unlinks the entry when the query ends or fails, so no entry outlives
 * the node whose address keys it.  The arguments count as not constant: the
 * wrapper's Aggref does not show ours, so every row resolves its baseline
 * through baseline_cache.c, which costs a short comparison per row.
 */
typedef struct DetachedSite
{
	Oid			fn_oid;
	fmNodePtr	node;			/* the wrapper's AggState */
	Aggref	   *aggref;			/* the wrapper's aggregate within it */
	CallSite   *cs;
	struct DetachedSite *next;
	MemoryContextCallback on_reset;
} DetachedSite;

static DetachedSite *detached_sites = NULL;

/* Reset callback: the query that owned the entry ended; unlink it. */
static void
detached_site_forget(void *arg)
{
	for (DetachedSite **p = &detached_sites; *p != NULL; p = &(*p)->next)
	{
		if (*p == arg)
		{
			*p = (*p)->next;
			return;
		}
	}
}

/* The query memory of the aggregate node calling us (AggState or WindowAggState). */
static MemoryContext
node_query_context(fmNodePtr node)
{
	if (node != NULL && (IsA(node, AggState) || IsA(node, WindowAggState)))
		return ((PlanState *) node)->state->es_query_cxt;
	return NULL;
}

/*
 * The call site of a wrapped call, found or created in the registry above.
 * The caller's FmgrInfo is pointed at it (fn_extra, and fn_mcxt, which the
 * families use for what they keep in the call site), so the rest of this
 * row's call works as in an ordinary aggregate.
 */
static CallSite *
detached_call_site(FunctionCallInfo fcinfo, MemoryContext query_cxt)
{
	Oid			fn_oid = fcinfo->flinfo->fn_oid;
	Aggref	   *aggref = AggGetAggref(fcinfo);
	DetachedSite *d;

	for (d = detached_sites; d != NULL; d = d->next)
	{
		if (d->fn_oid == fn_oid && d->node == fcinfo->context && d->aggref == aggref)
			break;
	}
	if (d == NULL)
	{
		d = MemoryContextAllocZero(query_cxt, sizeof(DetachedSite));
		d->fn_oid = fn_oid;
		d->node = fcinfo->context;
		d->aggref = aggref;
		d->cs = MemoryContextAllocZero(query_cxt, sizeof(CallSite));
		d->cs->cache_flinfo = *fcinfo->flinfo;
		d->cs->cache_flinfo.fn_extra = NULL;
		d->cs->cache_flinfo.fn_mcxt = query_cxt;
		d->cs->args_const = 0;
		d->on_reset.func = detached_site_forget;
		d->on_reset.arg = d;
		MemoryContextRegisterResetCallback(query_cxt, &d->on_reset);
		d->next = detached_sites;
		detached_sites = d;
	}
	fcinfo->flinfo->fn_mcxt = query_cxt;
	fcinfo->flinfo->fn_extra = d->cs;
	return d->cs;
}

/*
 * The call site's memory in fn_extra, created and its arguments checked
 * (first row).  A transition function is called with the same FmgrInfo for
 * the whole query, always inside the aggregate or never, so checking the
 * context here, once, is as good as on every row: a direct call fails before
 * fn_extra is set, and so fails again on its next row.  A call without
 * fn_expr comes through a wrapper (above) and gets here on every row.
 */
CallSite *
call_site_create(FunctionCallInfo fcinfo, int n_values)
{
	CallSite   *cs;

	if (!AggCheckCallContext(fcinfo, NULL))
		not_in_aggregate(get_func_name(fcinfo->flinfo->fn_oid));
	if (fcinfo->flinfo->fn_expr == NULL)
	{
		MemoryContext query_cxt = node_query_context(fcinfo->context);

		if (query_cxt != NULL)
			return detached_call_site(fcinfo, query_cxt);
	}
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
