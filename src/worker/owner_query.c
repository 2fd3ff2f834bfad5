/*
 * owner_query.c
 *		The one place where code a monitor's owner wrote runs: the monitor's
 *		query (its filter, the functions and operators it calls, views over
 *		the owner's tables, IMMUTABLE functions the planner folds), for a run
 *		and for the EXPLAIN that validates a definition.
 *
 * Around that query this file
 *	- switches to the owner with SECURITY_LOCAL_USERID_CHANGE |
 *	  SECURITY_RESTRICTED_OPERATION, as PostgreSQL's own maintenance commands
 *	  do for index expressions: the owner's code cannot SET ROLE back to the
 *	  caller (a superuser, the worker), create temporary objects that would
 *	  outlive it, or prepare statements;
 *	- pins search_path to pg_catalog, pg_temp, so the query means what
 *	  _monitor_query wrote whoever calls it; settings the owner's code changes
 *	  are undone when it ends (its own GUC nest level);
 *	- arms pg_drift.monitor_timeout as a timeout of its own (not
 *	  statement_timeout, which the owner's code could change).  When it
 *	  fires, it requests a cancel and keeps requesting one every
 *	  CANCEL_REPEAT_MS, so code that catches query_canceled and carries on
 *	  is cancelled again.  Any PL can catch an ERROR, so code that keeps
 *	  catching for CANCEL_GRACE_MS more is ended the way pg_terminate_backend
 *	  ends a backend (no FATAL-free way exists to make an ERROR uncatchable);
 *	- leaves a marker file while a run's query is in progress.  If the
 *	  backend never comes back (terminated above, crashed, killed), the
 *	  marker survives and the monitor's next run records the lost run as an
 *	  error (drift._take_lost_run), so no failure goes unrecorded.
 *
 * A check that ran past the timeout fails with ERRCODE_DRIFT_CHECK_TIMEOUT
 * whatever the owner's code did with the cancel (caught it, raised
 * something else, or returned): the decision is made on the timeout's own
 * state, never on message text.
 */
#include "postgres.h"
#include "core/compat.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "storage/latch.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"

#include "worker/monitor.h"
#include "worker/owner_query.h"

PG_FUNCTION_INFO_V1(drift_run_check);
PG_FUNCTION_INFO_V1(drift_take_lost_run);

/* After the timeout, a cancel is requested again this often ... */
#define CANCEL_REPEAT_MS 100
/* ... and after this much more the backend is terminated. */
#define CANCEL_GRACE_MS 2000

/* Where the markers of runs in progress live, relative to the data directory. */
#define MARKER_DIR "pg_drift_runs"

static TimeoutId check_timeout_id;
static bool check_timeout_registered = false;

/* Set by the timeout handler (signal context); read after the query. */
static volatile sig_atomic_t check_timed_out = false;
static TimestampTz check_terminate_at;

/* Whether a check is running in this backend (they do not nest). */
static bool check_running = false;

/* Markers of lost runs recorded in this transaction: removed at commit. */
static List *markers_to_forget = NIL;

/*
 * Timeout handler, in signal context: only sets flags, as PostgreSQL's own
 * statement timeout does; the cancel or termination happens at the next
 * CHECK_FOR_INTERRUPTS.
 */
static void
check_timeout_handler(void)
{
	check_timed_out = true;
	if (GetCurrentTimestamp() >= check_terminate_at)
		ProcDiePending = true;
	else
		QueryCancelPending = true;
	InterruptPending = true;
	SetLatch(MyLatch);
}

/* Start the timeout of one check (no-op when pg_drift.monitor_timeout = 0). */
static void
arm_check_timeout(void)
{
	TimestampTz deadline;

	check_timed_out = false;
	if (drift_monitor_timeout <= 0)
		return;
	if (!check_timeout_registered)
	{
		check_timeout_id = RegisterTimeout(USER_TIMEOUT, check_timeout_handler);
		check_timeout_registered = true;
	}
	deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), drift_monitor_timeout);
	check_terminate_at = TimestampTzPlusMilliseconds(deadline, CANCEL_GRACE_MS);
	enable_timeout_every(check_timeout_id, deadline, CANCEL_REPEAT_MS);
}

/*
 * Stop the timeout.  A cancel it requested that no CHECK_FOR_INTERRUPTS has
 * taken yet is withdrawn: it was meant for the owner's code, and would
 * otherwise cancel whatever runs next (recording the timeout itself).
 */
static void
disarm_check_timeout(void)
{
	if (check_timeout_registered)
		disable_timeout(check_timeout_id, false);
	if (check_timed_out)
		QueryCancelPending = false;
}

/* The error of a check that ran past the timeout. */
pg_noreturn static void
report_check_timeout(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DRIFT_CHECK_TIMEOUT),
			 errmsg("monitor check exceeded pg_drift.monitor_timeout (%d ms)",
					drift_monitor_timeout),
			 errhint("Make the check cheaper (a narrower window or filter) or raise pg_drift.monitor_timeout.")));
}

/* The marker file of a run of this monitor in this database. */
static char *
marker_path(int64 monitor_id)
{
	return psprintf(MARKER_DIR "/%u.%lld", MyDatabaseId, (long long) monitor_id);
}

static void
marker_create(int64 monitor_id)
{
	char	   *path = marker_path(monitor_id);
	int			fd;

	if (MakePGDirectory(MARKER_DIR) < 0 && errno != EEXIST)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not create directory \"%s\": %m", MARKER_DIR)));
	fd = OpenTransientFile(path, O_CREAT | O_WRONLY | PG_BINARY);
	if (fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not create file \"%s\": %m", path)));
	CloseTransientFile(fd);
}

static void
marker_remove(int64 monitor_id)
{
	char	   *path = marker_path(monitor_id);

	if (unlink(path) < 0 && errno != ENOENT)
		ereport(WARNING,
				(errcode_for_file_access(),
				 errmsg("could not remove file \"%s\": %m", path)));
}

/* Run sql through SPI; unless plan_only, put its rows into store. */
static void
execute_and_store(const char *sql, bool plan_only, Datum *args, const char *nulls,
				  Tuplestorestate *store, TupleDesc desc)
{
	static Oid	argtypes[DRIFT_QUERY_NARGS] = {TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID,
	TEXTOID, TIMESTAMPTZOID};
	uint64		r;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* read-only for a run; EXPLAIN is refused in read-only mode */
	if (SPI_execute_with_args(sql, DRIFT_QUERY_NARGS, argtypes, args, nulls, !plan_only,
							  0) < 0)
		elog(ERROR, "monitor query failed");
	if (!plan_only && SPI_tuptable->tupdesc->natts != desc->natts)
		elog(ERROR, "monitor query returned %d columns, expected %d",
			 SPI_tuptable->tupdesc->natts, desc->natts);
	for (r = 0; !plan_only && r < SPI_processed; r++)
	{
		Datum		values[3];
		bool		isnull[3];
		int			i;

		for (i = 0; i < desc->natts; i++)
			values[i] = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, i + 1,
									  &isnull[i]);
		/* copies the values into the result's memory */
		tuplestore_putvalues(store, desc, values, isnull);
	}
	SPI_finish();
}

static void run_guarded(Oid owner, int64 monitor_id, const char *sql, bool plan_only,
						Datum *args, const char *nulls, Tuplestorestate *store,
						TupleDesc desc);

/*
 * Run query as owner (see the file header); its rows (slice, n_rows, r) go
 * to store.  plan_only: EXPLAIN it instead, which plans (and folds the
 * owner's IMMUTABLE functions) without running it.  monitor_id > 0 marks a
 * run, whose loss the next run records.
 */
void
drift_run_owner_query(Oid owner, int64 monitor_id, const char *query, bool plan_only,
					  Datum *args, const char *nulls, Tuplestorestate *store,
					  TupleDesc desc)
{
	run_guarded(owner, monitor_id,
				plan_only ? psprintf("EXPLAIN (COSTS OFF) %s", query) : query,
				plan_only, args, nulls, store, desc);
}

/* drift_run_owner_query with the SQL to run (PG_TRY apart from the caller's locals) */
static void
run_guarded(Oid owner, int64 monitor_id, const char *sql, bool plan_only,
			Datum *args, const char *nulls, Tuplestorestate *store, TupleDesc desc)
{
	MemoryContext cxt = CurrentMemoryContext;
	Oid			save_userid;
	int			save_sec;
	int			save_nestlevel;

	if (check_running)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("a monitor check cannot start another check")));
	if (!is_member_of_role(GetUserId(), owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to run a check as role \"%s\"",
						GetUserNameFromId(owner, false)),
				 errdetail("A monitor runs with its owner's privileges.")));

	GetUserIdAndSecContext(&save_userid, &save_sec);
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	if (monitor_id > 0)
		marker_create(monitor_id);
	SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	check_running = true;
	arm_check_timeout();
	PG_TRY();
	{
		execute_and_store(sql, plan_only, args, nulls, store, desc);
	}
	PG_CATCH();
	{
		disarm_check_timeout();
		check_running = false;
		if (monitor_id > 0)
			marker_remove(monitor_id);
		/*
		 * The user and settings are put back by the (sub)transaction abort
		 * this error leads to.  After the timeout, whatever the owner's code
		 * raised becomes the timeout error.
		 */
		if (!check_timed_out)
			PG_RE_THROW();
		MemoryContextSwitchTo(cxt);
		FlushErrorState();
		report_check_timeout();
	}
	PG_END_TRY();
	disarm_check_timeout();
	check_running = false;
	if (monitor_id > 0)
		marker_remove(monitor_id);
	AtEOXact_GUC(false, save_nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec);
	/* the owner's code caught the cancel and returned: still too late */
	if (check_timed_out)
		report_check_timeout();
}

/*
 * drift._run_check(monitor_id, owner, query, plan_only, window_start,
 * window_end, baseline, column, previous_start)
 *		RETURNS SETOF (slice jsonb, n_rows bigint, r jsonb)
 *
 * SQL access to drift_run_owner_query for _run_monitor and _check_monitor.
 * Not executable by PUBLIC: it runs as any role the caller is a member of.
 */
Datum
drift_run_check(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum		args[DRIFT_QUERY_NARGS];
	char		nulls[DRIFT_QUERY_NARGS];
	int			i;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("owner, query and plan_only must not be NULL")));
	for (i = 0; i < DRIFT_QUERY_NARGS; i++)
	{
		nulls[i] = PG_ARGISNULL(i + 4) ? 'n' : ' ';
		args[i] = PG_ARGISNULL(i + 4) ? (Datum) 0 : PG_GETARG_DATUM(i + 4);
	}
	InitMaterializedSRF(fcinfo, 0);
	drift_run_owner_query(get_role_oid(NameStr(*PG_GETARG_NAME(1)), false),
						  PG_ARGISNULL(0) ? 0 : PG_GETARG_INT64(0),
						  text_to_cstring(PG_GETARG_TEXT_PP(2)), PG_GETARG_BOOL(3),
						  args, nulls, rsinfo->setResult, rsinfo->setDesc);
	return (Datum) 0;
}

/*
 * drift._take_lost_run(monitor_id) RETURNS boolean
 *
 * Whether a run of the monitor started and never finished (its marker is
 * still there).  The marker is removed when the transaction that records
 * the loss commits, so the loss is recorded exactly once.
 */
Datum
drift_take_lost_run(PG_FUNCTION_ARGS)
{
	int64		monitor_id = PG_GETARG_INT64(0);
	struct stat st;
	MemoryContext old;

	if (stat(marker_path(monitor_id), &st) < 0)
		PG_RETURN_BOOL(false);
	old = MemoryContextSwitchTo(TopMemoryContext);
	markers_to_forget = lappend(markers_to_forget, pstrdup(marker_path(monitor_id)));
	MemoryContextSwitchTo(old);
	PG_RETURN_BOOL(true);
}

/*
 * At server start and after crash recovery (shared memory made anew): forget
 * every marker.  A run cut short by a shutdown or by another backend's crash
 * was not the monitor's failure; the case the markers are for, a backend
 * terminated for ignoring the timeout, exits without a restart of shared
 * memory, so its marker survives until the monitor's next run records it.
 */
void
drift_forget_lost_runs(void)
{
	DIR		   *dir = AllocateDir(MARKER_DIR);
	struct dirent *de;

	if (dir == NULL)
		return;					/* no run has ever left a marker */
	while ((de = ReadDir(dir, MARKER_DIR)) != NULL)
	{
		char	   *path;

		if (de->d_name[0] == '.')
			continue;
		path = psprintf(MARKER_DIR "/%s", de->d_name);
		if (unlink(path) < 0 && errno != ENOENT)
			ereport(LOG,
					(errcode_for_file_access(),
					 errmsg("could not remove file \"%s\": %m", path)));
		pfree(path);
	}
	FreeDir(dir);
}

/* At the end of a transaction: remove the markers it recorded (commit only). */
void
drift_marker_xact_end(bool commit)
{
	ListCell   *lc;

	foreach(lc, markers_to_forget)
	{
		if (commit && unlink((char *) lfirst(lc)) < 0 && errno != ENOENT)
			ereport(WARNING,
					(errcode_for_file_access(),
					 errmsg("could not remove file \"%s\": %m", (char *) lfirst(lc))));
		pfree(lfirst(lc));
	}
	list_free(markers_to_forget);
	markers_to_forget = NIL;
	check_running = false;
}
