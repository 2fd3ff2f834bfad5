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

extern MemoryContext aggregate_context(FunctionCallInfo fcinfo, const char *fn);

#endif							/* PG_DRIFT_H */
