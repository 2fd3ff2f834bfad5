/*
 * scheduler.c
 *		The per-database pg_drift scheduler: a short-lived background worker
 *		that runs every due monitor of its database, each in its own
 *		transaction and as the monitor's owner, then tells the launcher when
 *		it next needs to run and exits (see src/worker/README.md).
 *
 * Not staying connected is what keeps DROP DATABASE from waiting on us;
 * between two monitors the scheduler also checks whether someone holds the
 * database's lock (DROP DATABASE, ALTER DATABASE) and leaves at once.
 *
 * When many monitors fall due together, one process running them one after
 * the other falls behind (a thousand 5 ms checks take five seconds), so the
 * scheduler starts helpers (pg_drift.schedulers_per_database) and shares the
 * due monitors out by a hash of monitor_id.  Helpers only run monitors; the
 * scheduler that started them waits for them before it reports the next
 * wake-up, so passes never overlap.
 *
 * One role must not be able to stall the others' monitors: the due list
 * takes owners in turn (each owner's oldest due monitor first, then each
 * owner's second ...), it is fetched again after every second of work, a
 * failure that cannot even be recorded still pushes the monitor back, and
 * the log gets at most one line a minute per owner (log_limit.c).
 *
 * Every transaction of a pass first takes a share lock on the extension
 * object, without waiting.  DROP EXTENSION takes that lock exclusively
 * before it locks the extension's tables one by one; a run holding locks on
 * some of those tables and waiting for others would otherwise deadlock with
 * it.  So a drop waits for the monitor being run and the pass then ends.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_database.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"

#include "worker/monitor.h"

/* Most monitors fetched per batch, and batches per scheduler lifetime. */
#define BATCH_SIZE 500
#define MAX_BATCHES 20

/*
 * Whether a list of monitor ids (pointers to int64: ids are bigint, and
 * PostgreSQL's integer lists hold int, which would confuse ids 2^32 apart)
 * holds id.
 */
static bool
id_listed(const List *ids, int64 id)
{
	ListCell   *lc;

	foreach(lc, ids)
	{
		if (*(const int64 *) lfirst(lc) == id)
			return true;
	}
	return false;
}

/*
 * A batch is left for a fresh due list after this much work, so that a
 * monitor falling due meanwhile (another owner's 1-second monitor) waits
 * for at most about this long plus one run.
 */
#define BATCH_MS 1000

/* Due monitors in the first batch that make starting helpers worth it. */
#define HELPERS_FROM 8

/* The most parts the due monitors are shared out in (the setting's maximum). */
#define MAX_PARTS 64

typedef struct DueMonitor
{
	int64		id;
	Oid			owner;
	char	   *owner_name;
	char	   *name;
} DueMonitor;

/* Whether this process is a helper (it then reports nothing to the launcher). */
static bool am_helper = false;

static void report(bool has_extension, TimestampTz next_wake, bool pruned);

/*
 * Take a share lock on the pg_drift extension object for the current
 * transaction, without waiting.  When DROP EXTENSION (or anything else that
 * locks the extension exclusively) holds or waits for it, the pass ends
 * here: the transaction is rolled back and the launcher starts a scheduler
 * again a second later.  When the extension is gone, the launcher looks
 * again after pg_drift.database_check_interval.
 */
static void
hold_extension(void)
{
	Oid			ext = get_extension_oid("pg_drift", true);
	LOCKTAG		tag;
	bool		busy = false;
	TimestampTz now;

	if (OidIsValid(ext))
	{
		SET_LOCKTAG_OBJECT(tag, MyDatabaseId, ExtensionRelationId, ext, 0);
		busy = LockAcquire(&tag, AccessShareLock, false, true) == LOCKACQUIRE_NOT_AVAIL;
		/* a drop may have committed between the look-up and the lock */
		if (!busy)
			AcceptInvalidationMessages();
		if (!busy && get_extension_oid("pg_drift", true) == ext)
			return;
	}
	AbortCurrentTransaction();
	now = GetCurrentTimestamp();
	if (!am_helper)
		report(busy, TimestampTzPlusMilliseconds(now, busy ? 1000L :
												 drift_database_check_interval * 1000L),
			   false);
	proc_exit(0);
}

/* True when another session holds a lock that conflicts with connecting. */
static bool
database_is_wanted(void)
{
	LOCKTAG		tag;
	LockAcquireResult res;

	SET_LOCKTAG_OBJECT(tag, InvalidOid, DatabaseRelationId, MyDatabaseId, 0);
	res = LockAcquire(&tag, AccessShareLock, false, true);
	if (res == LOCKACQUIRE_NOT_AVAIL)
		return true;
	LockRelease(&tag, AccessShareLock, false);
	return false;
}

/* Run a statement in the current transaction through SPI, one int8 argument. */
static void
run_sql(const char *sql, int64 id, const char *text_arg)
{
	Oid			types[2] = {INT8OID, TEXTOID};
	Datum		values[2];
	char		nulls[2] = {' ', ' '};
	int			rc;

	values[0] = Int64GetDatum(id);
	values[1] = text_arg ? CStringGetTextDatum(text_arg) : (Datum) 0;
	if (text_arg == NULL)
		nulls[1] = 'n';
	rc = SPI_execute_with_args(sql, text_arg ? 2 : 1, types, values, nulls, false, 0);
	if (rc < 0)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
}

/* The due monitors, oldest due first (as a superuser: RLS does not apply). */
static List *
fetch_due(MemoryContext cxt, const char *share_filter)
{
	List	   *due = NIL;
	uint64		i;
	int			rc;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	hold_extension();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, "pg_drift: looking for due monitors");
	/* owners in turn: every owner's oldest due monitor, then every second one */
	rc = SPI_execute(psprintf("SELECT monitor_id, owner::text, name FROM ("
							  "SELECT monitor_id, owner, name, next_run,"
							  " pg_catalog.row_number() OVER (PARTITION BY owner"
							  " ORDER BY next_run, monitor_id) AS turn"
							  " FROM drift.monitors"
							  " WHERE NOT paused AND next_run OPERATOR(pg_catalog.<=) pg_catalog.now()%s) d"
							  " ORDER BY turn, next_run, monitor_id LIMIT " CppAsString2(BATCH_SIZE),
							  share_filter),
					 true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read drift.monitors: %s", SPI_result_code_string(rc));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		MemoryContext old = MemoryContextSwitchTo(cxt);
		DueMonitor *m = palloc(sizeof(DueMonitor));
		char	   *owner = SPI_getvalue(tup, desc, 2);

		m->id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		m->owner = get_role_oid(owner, true);
		m->owner_name = owner;
		m->name = SPI_getvalue(tup, desc, 3);
		due = lappend(due, m);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	return due;
}

/*
 * Run one statement about a monitor in its own transaction, as the owner
 * (or as ourselves when owner is invalid).  GUC changes the owner's code
 * makes are undone so they cannot leak into the next owner's monitor.
 * Returns NULL on success, else the error message (the transaction is then
 * rolled back).
 */
static char *
run_as(Oid owner, const char *what, const char *sql, int64 id, const char *arg,
	   MemoryContext cxt)
{
	Oid			save_userid;
	int			save_sec;
	int			save_nestlevel;
	char	   *volatile error = NULL;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	hold_extension();
	pgstat_report_activity(STATE_RUNNING, what);
	GetUserIdAndSecContext(&save_userid, &save_sec);
	PG_TRY();
	{
		SPI_connect();
		PushActiveSnapshot(GetTransactionSnapshot());
		save_nestlevel = NewGUCNestLevel();
		if (OidIsValid(owner))
			SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE);
		run_sql(sql, id, arg);
		SetUserIdAndSecContext(save_userid, save_sec);
		AtEOXact_GUC(false, save_nestlevel);
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);
		ErrorData  *edata = CopyErrorData();

		MemoryContextSwitchTo(old);
		error = edata->message;
		FlushErrorState();
		disable_timeout(STATEMENT_TIMEOUT, false);
		SetUserIdAndSecContext(save_userid, save_sec);
		/* the abort also releases SPI, snapshots and GUC nesting */
		AbortCurrentTransaction();
	}
	PG_END_TRY();
	pgstat_report_activity(STATE_IDLE, NULL);
	return error;
}

/*
 * Run one due monitor.  A failure that escaped the check is recorded (error
 * result, alert, back-off) in a fresh transaction; if even that fails, the
 * monitor is only counted as failed and pushed back, so that it costs its
 * owner and not the other monitors of the pass.  Failures are logged at
 * most once a minute per owner.  False when the monitor could not even be
 * pushed back (its next_run did not move: skip it for the rest of the pass).
 */
static bool
run_monitor(DueMonitor *m, MemoryContext cxt)
{
	char		what[256];
	char	   *error;
	char	   *record_error;
	char	   *defer_error = NULL;
	int32		suppressed;

	snprintf(what, sizeof(what), "pg_drift: running monitor %s", m->name);
	if (!OidIsValid(m->owner))
		error = pstrdup("the monitor's owner role no longer exists");
	else
		/*
		 * As ourselves: the internal functions are not the owner's to call;
		 * drift._run_check switches to the owner for the owner's query.
		 */
		error = run_as(InvalidOid, what,
					   "SELECT pg_catalog.count(*) FROM drift._run_monitor($1, NULL, true)",
					   m->id, NULL, cxt);
	if (error == NULL)
		return true;
	/*
	 * As the scheduler: internal functions are not executable by owners
	 * (the check itself ran as the owner inside drift._run_check).
	 */
	record_error = run_as(InvalidOid, "pg_drift: recording a failure",
						  "SELECT drift._record_failure($1, $2)", m->id, error, cxt);
	if (record_error != NULL)
		defer_error = run_as(InvalidOid, "pg_drift: deferring a failed monitor",
							 "SELECT drift._defer_monitor($1)", m->id, NULL, cxt);
	if (drift_log_allowed(m->owner, &suppressed))
		ereport(LOG,
				(errmsg("pg_drift monitor \"%s\" of role \"%s\" failed: %s",
						m->name, m->owner_name, error),
				 record_error && !defer_error ?
				 errdetail("The failure could not be recorded either: %s", record_error) : 0,
				 defer_error ?
				 errdetail("The failure could not be recorded (%s), nor the monitor deferred: %s",
						   record_error, defer_error) : 0,
				 suppressed > 0 ?
				 errcontext("%d more failures of role \"%s\"'s monitors in this database were not logged in the last minute",
							suppressed, m->owner_name) : 0));
	return defer_error == NULL;
}

/* Whether the extension is installed in this database. */
static bool
extension_present(void)
{
	bool		present;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	present = OidIsValid(get_extension_oid("pg_drift", true));
	CommitTransactionCommand();
	return present;
}

/* The earliest next_run of an active monitor, or 0 when there is none. */
static TimestampTz
next_due(void)
{
	TimestampTz next = 0;
	bool		isnull;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	hold_extension();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	if (SPI_execute("SELECT pg_catalog.min(next_run) FROM drift.monitors WHERE NOT paused",
					true, 1) == SPI_OK_SELECT && SPI_processed == 1)
	{
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
									  &isnull);

		if (!isnull)
			next = DatumGetTimestampTz(d);
	}
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	return next;
}

/* Write our result into the launcher's slot for this database. */
static void
report(bool has_extension, TimestampTz next_wake, bool pruned)
{
	DriftDatabaseSlot *slot;

	SpinLockAcquire(&drift_shared->mutex);
	slot = drift_find_slot(MyDatabaseId, true);
	if (slot != NULL)
	{
		slot->has_extension = has_extension;
		/* a change committed while we ran must be looked at at once */
		slot->next_wake = slot->wake_requested ? 0 : next_wake;
		if (pruned)
			slot->last_prune = GetCurrentTimestamp();
	}
	SpinLockRelease(&drift_shared->mutex);
	if (drift_shared->launcher_latch)
		SetLatch(drift_shared->launcher_latch);
}

/*
 * The WHERE condition that keeps the monitors of the parts marked in mine.
 * Parts go by a hash of monitor_id, not by monitor_id itself: monitors that
 * fall due together often have ids in a pattern (created in a loop with
 * staggered start times), and a plain modulo would give them all to one part.
 */
static char *
share_filter(int parts, const bool *mine)
{
	StringInfoData buf;
	const char *sep = "";

	if (parts <= 1)
		return "";
	initStringInfo(&buf);
	appendStringInfo(&buf, " AND ((pg_catalog.hashint8(monitor_id)::pg_catalog.int8"
					 " OPERATOR(pg_catalog.&) 4294967295) OPERATOR(pg_catalog.%%) %d)"
					 " OPERATOR(pg_catalog.=) ANY ('{", parts);
	for (int i = 0; i < parts; i++)
		if (mine[i])
		{
			appendStringInfo(&buf, "%s%d", sep, i);
			sep = ",";
		}
	appendStringInfoString(&buf, "}'::pg_catalog.int8[])");
	return buf.data;
}

/*
 * Share the due monitors out: start a helper for each part but the first.
 * The parts whose helper could not start (no free worker slot) stay ours.
 * Returns the helpers' handles; *mine marks our parts.
 */
static List *
start_helpers(int parts, bool *mine)
{
	List	   *helpers = NIL;

	mine[0] = true;
	for (int part = 1; part < parts; part++)
	{
		BackgroundWorkerHandle *h;

		mine[part] = !drift_start_scheduler(MyDatabaseId, part, parts, &h);
		if (!mine[part])
			helpers = lappend(helpers, h);
	}
	return helpers;
}

/*
 * Run due monitors of our share batch by batch.  The first scheduler of a
 * pass (share->parts == 0) starts helpers when the first batch is large and
 * returns their handles in *helpers.  Returns the number of batches run;
 * *any_stuck tells whether a monitor could not even record its failure.
 */
static int
run_due(const DriftSchedulerShare *share, MemoryContext cxt, List **helpers, bool *any_stuck)
{
	int			parts = Max(share->parts, 1);
	bool		mine[MAX_PARTS] = {true};
	char	   *filter;
	List	   *stuck = NIL;
	int			batch;

	if (share->parts > 0)
	{
		mine[0] = false;
		mine[share->part] = true;
	}
	filter = MemoryContextStrdup(TopMemoryContext, share_filter(parts, mine));
	for (batch = 0; batch < MAX_BATCHES; batch++)
	{
		List	   *due;
		ListCell   *lc;
		bool		only_stuck = true;
		TimestampTz fetched;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		if (!drift_worker_enabled || database_is_wanted())
			proc_exit(0);
		MemoryContextReset(cxt);
		due = fetch_due(cxt, filter);
		if (due == NIL)
			break;
		if (share->parts == 0 && batch == 0 && parts == 1 &&
			drift_schedulers_per_database > 1 && list_length(due) >= HELPERS_FROM)
		{
			MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

			parts = Min(drift_schedulers_per_database, MAX_PARTS);
			*helpers = start_helpers(parts, mine);
			filter = pstrdup(share_filter(parts, mine));
			MemoryContextSwitchTo(old);
			due = fetch_due(cxt, filter);
			if (due == NIL)
				break;
		}
		fetched = GetCurrentTimestamp();
		foreach(lc, due)
		{
			DueMonitor *m = (DueMonitor *) lfirst(lc);

			/* a fresh due list: what fell due meanwhile takes its turn */
			if (TimestampDifferenceExceeds(fetched, GetCurrentTimestamp(), BATCH_MS))
			{
				only_stuck = false;
				break;
			}
			CHECK_FOR_INTERRUPTS();
			if (database_is_wanted())
				proc_exit(0);
			if (id_listed(stuck, m->id))
				continue;
			only_stuck = false;
			if (!run_monitor(m, cxt))
			{
				MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
				int64	   *id = palloc(sizeof(int64));

				*id = m->id;
				stuck = lappend(stuck, id);
				MemoryContextSwitchTo(old);
			}
		}
		if (only_stuck)
			break;
	}
	*any_stuck = (stuck != NIL);
	return batch;
}

/* Wait until every helper has exited (or the postmaster is gone). */
static void
wait_for_helpers(List *helpers)
{
	ListCell   *lc;

	foreach(lc, helpers)
	{
		BackgroundWorkerHandle *h = (BackgroundWorkerHandle *) lfirst(lc);

		if (WaitForBackgroundWorkerShutdown(h) == BGWH_POSTMASTER_DIED)
			proc_exit(1);
	}
}

/* A helper: run our part of what is due, flag anything stuck, exit. */
static void
helper_main(const DriftSchedulerShare *share, MemoryContext cxt)
{
	bool		stuck;
	DriftDatabaseSlot *slot;
	List	   *none = NIL;

	(void) run_due(share, cxt, &none, &stuck);
	if (stuck)
	{
		SpinLockAcquire(&drift_shared->mutex);
		slot = drift_find_slot(MyDatabaseId, false);
		if (slot != NULL)
			slot->helper_stuck = true;
		SpinLockRelease(&drift_shared->mutex);
	}
	proc_exit(0);
}

/* Scheduler main: run what is due, report the next wake-up, exit. */
void
drift_scheduler_main(Datum arg)
{
	Oid			dboid = DatumGetObjectId(arg);
	DriftSchedulerShare share;
	MemoryContext cxt;
	TimestampTz now;
	TimestampTz next;
	TimestampTz last_prune = 0;
	DriftDatabaseSlot *slot;
	bool		prune;
	int			batches;
	bool		stuck;
	List	   *helpers = NIL;

	memcpy(&share, MyBgworkerEntry->bgw_extra, sizeof(share));
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(dboid, InvalidOid, 0);
	pgstat_report_appname("pg_drift scheduler");
	cxt = AllocSetContextCreate(TopMemoryContext, "pg_drift scheduler", ALLOCSET_DEFAULT_SIZES);
	if (share.parts > 0)
	{
		am_helper = true;
		helper_main(&share, cxt);
	}

	SpinLockAcquire(&drift_shared->mutex);
	slot = drift_find_slot(MyDatabaseId, true);
	if (slot != NULL)
	{
		slot->wake_requested = false;
		slot->helper_stuck = false;
		last_prune = slot->last_prune;
	}
	SpinLockRelease(&drift_shared->mutex);

	if (!extension_present())
	{
		report(false, TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
												  drift_database_check_interval * 1000L),
			   false);
		proc_exit(0);
	}

	batches = run_due(&share, cxt, &helpers, &stuck);
	wait_for_helpers(helpers);
	SpinLockAcquire(&drift_shared->mutex);
	slot = drift_find_slot(MyDatabaseId, false);
	if (slot != NULL && slot->helper_stuck)
		stuck = true;
	SpinLockRelease(&drift_shared->mutex);

	/* retention, at most once a minute per database */
	now = GetCurrentTimestamp();
	prune = TimestampDifferenceExceeds(last_prune, now, 60 * 1000);
	if (prune)
	{
		char	   *error = run_as(InvalidOid, "pg_drift: pruning old results",
								   "SELECT drift.prune_results() WHERE $1 IS NOT NULL", 0,
								   NULL, cxt);

		if (error != NULL)
			ereport(LOG, (errmsg("pg_drift could not prune results: %s", error)));
	}

	next = next_due();
	now = GetCurrentTimestamp();
	if (next == 0 || next > TimestampTzPlusMilliseconds(now, drift_naptime * 1000L))
		next = TimestampTzPlusMilliseconds(now, drift_naptime * 1000L);
	/* a batch limit reached means more may be due: come back at once */
	if (batches == MAX_BATCHES && !stuck)
		next = now;
	/* a monitor we could not even record a failure for: not in a busy loop */
	if (stuck && next < TimestampTzPlusMilliseconds(now, 1000))
		next = TimestampTzPlusMilliseconds(now, drift_naptime * 1000L);
	report(true, next, prune);
	proc_exit(0);
}
