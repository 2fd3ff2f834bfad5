/*
 * pg_drift.h
 *		Settings and small helpers shared by every part of the extension.
 */
#ifndef PG_DRIFT_H
#define PG_DRIFT_H

#include "postgres.h"

#include "fmgr.h"

/* GUC: largest number of distinct values a profile keeps exactly. */
extern int	drift_exact_profile_limit;

extern void not_in_aggregate(const char *fn) pg_attribute_noreturn();

/*
 * The aggregate's memory context.  Transition, combine and final functions
 * are callable from SQL like any function; called outside an aggregate they
 * have no state to work on, and say so.  Inline: transition functions call
 * it for every row.
 */
static inline MemoryContext
aggregate_context(FunctionCallInfo fcinfo, const char *fn)
{
	MemoryContext cxt;

	if (unlikely(!AggCheckCallContext(fcinfo, &cxt)))
		not_in_aggregate(fn);
	return cxt;
}

#endif							/* PG_DRIFT_H */
