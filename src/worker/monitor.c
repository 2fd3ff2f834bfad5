/*
 * monitor.c
 *		The C side of a monitor run that SQL cannot do by itself: waking the
 *		background scheduler when a monitor changes, the transaction
 *		callback, and the 0.1.0 entry points kept for its install script.
 *
 * The check itself (query building, states, results, alerts) is SQL in
 * src/sql/72_monitor_run.sql, shared by the worker, drift.run_monitor and
 * drift.run_due_monitors; the monitor's query runs in owner_query.c, as its
 * owner and under the timeout.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"

#include "worker/monitor.h"
#include "worker/owner_query.h"

PG_FUNCTION_INFO_V1(drift_wake_scheduler);
PG_FUNCTION_INFO_V1(drift_arm_timeout);
PG_FUNCTION_INFO_V1(drift_disarm_timeout);
PG_FUNCTION_INFO_V1(drift_exec_as_owner);

/* Whether this transaction asked to wake the scheduler at commit. */
static bool wake_at_commit = false;

/* The statement timeout drift_arm_timeout replaced, to restore. */
static bool timeout_armed = false;
static bool saved_timeout_active = false;
static TimestampTz saved_timeout_finish = 0;

/* At commit, wake the scheduler; at abort, forget a pending wake and timeout. */
static void
drift_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			if (wake_at_commit)
				drift_request_wake(MyDatabaseId);
			wake_at_commit = false;
			timeout_armed = false;
			drift_marker_xact_end(true);
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			wake_at_commit = false;
			timeout_armed = false;
			drift_marker_xact_end(false);
			break;
		default:
			break;
	}
}

/* Register the transaction callback (once per backend, from _PG_init). */
void
drift_monitor_init(void)
{
	RegisterXactCallback(drift_xact_callback, NULL);
}

/*
 * drift._wake_scheduler(): ask the scheduler of this database to look at the
 * monitors again once this transaction commits (before that it could not
 * see the change).  Without the preload there is no scheduler: a no-op.
 */
Datum
drift_wake_scheduler(PG_FUNCTION_ARGS)
{
	if (drift_shared != NULL)
		wake_at_commit = true;
	PG_RETURN_VOID();
}

/*
 * drift._arm_timeout() (0.1.0 only; the timeout is now owner_query.c's): start pg_drift.monitor_timeout for the check about to
 * run.  An earlier deadline already set (the caller's statement_timeout) is
 * kept: the check must not outlive the statement that runs it.
 */
Datum
drift_arm_timeout(PG_FUNCTION_ARGS)
{
	TimestampTz finish;

	if (drift_monitor_timeout <= 0 || timeout_armed)
		PG_RETURN_VOID();
	finish = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), drift_monitor_timeout);
	saved_timeout_active = get_timeout_active(STATEMENT_TIMEOUT);
	if (saved_timeout_active)
	{
		saved_timeout_finish = get_timeout_finish_time(STATEMENT_TIMEOUT);
		if (saved_timeout_finish <= finish)
			PG_RETURN_VOID();
	}
	enable_timeout_at(STATEMENT_TIMEOUT, finish);
	timeout_armed = true;
	PG_RETURN_VOID();
}

/* drift._disarm_timeout() (0.1.0 only): put back the statement timeout arm replaced. */
Datum
drift_disarm_timeout(PG_FUNCTION_ARGS)
{
	if (!timeout_armed)
		PG_RETURN_VOID();
	timeout_armed = false;
	if (saved_timeout_active)
		enable_timeout_at(STATEMENT_TIMEOUT, saved_timeout_finish);
	else
		disable_timeout(STATEMENT_TIMEOUT, false);
	PG_RETURN_VOID();
}

/*
 * drift._exec_as_owner(owner, query, window_start, window_end, baseline,
 * column, previous_start) RETURNS SETOF (slice jsonb, n_rows bigint, r jsonb)
 *
 * The 0.1.0 interface of drift._run_check (owner_query.c), kept so that the
 * 0.1.0 install script still works with this library: it runs the query
 * the same way, now also under the timeout.  Not used by this version's SQL.
 */
Datum
drift_exec_as_owner(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum		args[DRIFT_QUERY_NARGS];
	char		nulls[DRIFT_QUERY_NARGS];
	int			i;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("owner and query must not be NULL")));
	for (i = 0; i < DRIFT_QUERY_NARGS; i++)
	{
		nulls[i] = PG_ARGISNULL(i + 2) ? 'n' : ' ';
		args[i] = PG_ARGISNULL(i + 2) ? (Datum) 0 : PG_GETARG_DATUM(i + 2);
	}
	InitMaterializedSRF(fcinfo, 0);
	drift_run_owner_query(get_role_oid(NameStr(*PG_GETARG_NAME(0)), false), 0,
						  text_to_cstring(PG_GETARG_TEXT_PP(1)), false, args, nulls,
						  rsinfo->setResult, rsinfo->setDesc);
	return (Datum) 0;
}
