/*
 * owner_query.h
 *		Running a monitor's query as its owner, under pg_drift.monitor_timeout
 *		(owner_query.c).
 */
#ifndef DRIFT_OWNER_QUERY_H
#define DRIFT_OWNER_QUERY_H

#include "postgres.h"

#include "access/tupdesc.h"
#include "utils/tuplestore.h"

/*
 * SQLSTATE of a check that ran past pg_drift.monitor_timeout.  Its own code
 * (class 57, operator intervention), so that callers tell it from a cancel
 * the user asked for (57014) by code, never by message text.
 */
#define ERRCODE_DRIFT_CHECK_TIMEOUT MAKE_SQLSTATE('5','7','D','0','1')

/* Number of $n parameters a monitor query takes (see _monitor_query). */
#define DRIFT_QUERY_NARGS 5

extern void drift_run_owner_query(Oid owner, int64 monitor_id, const char *query,
								  bool plan_only, Datum *args, const char *nulls,
								  Tuplestorestate *store, TupleDesc desc);
extern void drift_marker_xact_end(bool commit);
extern void drift_forget_lost_runs(void);

#endif							/* DRIFT_OWNER_QUERY_H */
