/*
 * monitor.c
 *		The C side of a monitor run that SQL cannot do by itself: a
 *		statement timeout around the check (pg_drift.monitor_timeout), and
 *		waking the background scheduler when a monitor changes.
 *
 * The check itself (query building, states, results, alerts) is SQL in
 * src/sql/72_monitor_run.sql, shared by the worker, drift.run_monitor and
 * drift.run_due_monitors; only the monitor's query runs here, as its owner.
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

#include "monitor.h"

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
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			wake_at_commit = false;
			timeout_armed = false;
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
 * drift._arm_timeout(): start pg_drift.monitor_timeout for the check about to
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

/* drift._disarm_timeout(): put back the statement timeout arm replaced. */
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
 * Run a monitor's query with its owner's privileges.  The user switch is
 * SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION, as PostgreSQL
 * does for index expressions: the owner's SQL (the filter) cannot SET ROLE
 * or RESET ROLE back to a more privileged caller (a superuser running
 * run_due_monitors from pg_cron), and the settings it changes are undone
 * when the query ends.  The switch lasts only for the query; nothing is
 * exposed that would switch back.  The caller must be able to act as the
 * owner (be a member of its role, or a superuser).
 */
Datum
drift_exec_as_owner(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			owner;
	char	   *query;
	Oid			argtypes[5] = {TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID, TEXTOID, TIMESTAMPTZOID};
	Datum		args[5];
	char		nulls[5];
	Oid			save_userid;
	int			save_sec;
	int			save_nestlevel;
	int			i;
	uint64		r;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("owner and query must not be NULL")));
	owner = get_role_oid(NameStr(*PG_GETARG_NAME(0)), false);
	if (!is_member_of_role(GetUserId(), owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to run a check as role \"%s\"",
						NameStr(*PG_GETARG_NAME(0))),
				 errdetail("A monitor runs with its owner's privileges.")));
	query = text_to_cstring(PG_GETARG_TEXT_PP(1));
	for (i = 0; i < 5; i++)
	{
		nulls[i] = PG_ARGISNULL(i + 2) ? 'n' : ' ';
		args[i] = PG_ARGISNULL(i + 2) ? (Datum) 0 : PG_GETARG_DATUM(i + 2);
	}

	InitMaterializedSRF(fcinfo, 0);

	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	save_nestlevel = NewGUCNestLevel();
	/* errors abort the (sub)transaction, which restores the user and GUCs */
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(query, 5, argtypes, args, nulls, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "monitor query did not return rows");
	if (SPI_tuptable->tupdesc->natts != 3)
		elog(ERROR, "monitor query returned %d columns, expected 3",
			 SPI_tuptable->tupdesc->natts);
	for (r = 0; r < SPI_processed; r++)
	{
		Datum		values[3];
		bool		isnull[3];

		for (i = 0; i < 3; i++)
			values[i] = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, i + 1,
									  &isnull[i]);
		/* tuplestore_putvalues copies the values into the result's context */
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, isnull);
	}
	SPI_finish();
	AtEOXact_GUC(false, save_nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec);
	return (Datum) 0;
}
