/*
 * call_site.h
 *		What a streaming drift test's transition function remembers between
 *		rows of one query, so that constant arguments are resolved once.
 *
 * Resolving the baseline (name comparison or profile comparison through
 * baseline_cache.c) and parsing options costs more per row than counting the
 * row.  When every aggregate argument after the value is a constant (the
 * usual psi_drift(x, 'model', 'feature'), or $3/$4 of a monitor's query, or
 * drift.baseline('model', 'feature')), the first row's resolution holds for
 * the whole query and later rows skip it.  Otherwise every row is resolved
 * through baseline_cache.c, which finds its baselines by content.  Every
 * streaming family resolves through here; call_site.c states the rule.
 * A wrapper aggregate that calls the transition function with a fresh
 * FmgrInfo per row (Citus's worker_partial_agg) still gets one call site for
 * the query, found in a small registry (call_site.c), with its arguments
 * treated as not constant.
 *
 * A family's transition function reads:
 *
 *		CallSite *cs = call_site_get(fcinfo);
 *		if (!cs->resolved)
 *		{
 *			call_site_baseline(fcinfo, cs, named);	-- sets cs->sb
 *			cs->option = ...; cs->param = ...; cs->data = ...;
 *			call_site_done(cs);
 *		}
 */
#ifndef PG_DRIFT_CALL_SITE_H
#define PG_DRIFT_CALL_SITE_H

#include "postgres.h"
#include "fmgr.h"

#include "baseline/baseline_cache.h"

typedef struct CallSite
{
	FmgrInfo	cache_flinfo;	/* private copy whose fn_extra holds baseline_cache's cache */
	int8		args_const;		/* -1 not checked yet, else bool */
	bool		resolved;		/* the fields below hold for every row */
	StreamBaseline *sb;			/* the baseline */
	void	   *data;			/* the test's own resolved data (locator, ...) */
	int32		option;			/* the test's packed options */
	float8		param;			/* the test's parameter */
} CallSite;

extern CallSite *call_site_create(FunctionCallInfo fcinfo, int n_values);

/*
 * The call site's memory in fn_extra, created on the first row (inline: every
 * row asks).  The aggregate's first n_values arguments are the row's values;
 * the ones after them are the arguments that may be constant.
 */
static inline CallSite *
call_site_get_after(FunctionCallInfo fcinfo, int n_values)
{
	CallSite   *cs = (CallSite *) fcinfo->flinfo->fn_extra;

	return likely(cs != NULL) ? cs : call_site_create(fcinfo, n_values);
}

/* The call site of a test of one value per row. */
static inline CallSite *
call_site_get(FunctionCallInfo fcinfo)
{
	return call_site_get_after(fcinfo, 1);
}

extern StreamBaseline *call_site_baseline(FunctionCallInfo fcinfo, CallSite *cs, bool named);

/* Mark the call site resolved when its arguments are constants. */
static inline void
call_site_done(CallSite *cs)
{
	cs->resolved = cs->args_const > 0;
}

#endif							/* PG_DRIFT_CALL_SITE_H */
