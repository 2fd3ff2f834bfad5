/*
 * launcher.c
 *		The pg_drift launcher: one static background worker, connected to no
 *		database, that starts a short-lived scheduler per database when that
 *		database's monitors are due (see src/worker/README.md).
 *
 * The launcher scans pg_database every pg_drift.database_check_interval and
 * keeps one slot per database in shared memory.  A scheduler (scheduler.c)
 * runs what is due in its database, writes into its slot when it next needs
 * to run, and exits; the launcher sleeps until the earliest such time.  SQL
 * that changes a monitor wakes the launcher at commit.  Because schedulers
 * do not stay connected, DROP DATABASE is never kept waiting by them.
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "worker/monitor.h"
#include "worker/owner_query.h"

DriftShared *drift_shared = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* Schedulers this launcher started, by slot index. */
static BackgroundWorkerHandle *handles[DRIFT_MAX_DATABASES];

/* Reserve the shared state (PostgreSQL 15 asks for it in a hook). */
static void
drift_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(DriftShared)));
}

/* Create or attach to the shared state. */
static void
drift_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	drift_shared = ShmemInitStruct("pg_drift", sizeof(DriftShared), &found);
	if (!found)
	{
		memset(drift_shared, 0, sizeof(DriftShared));
		SpinLockInit(&drift_shared->mutex);
		drift_forget_lost_runs();
	}
	LWLockRelease(AddinShmemInitLock);
}

/* From _PG_init when preloaded: shared memory and the launcher. */
void
drift_worker_init(void)
{
	BackgroundWorker worker;

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = drift_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = drift_shmem_startup;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 5;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "pg_drift");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "drift_launcher_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "pg_drift launcher");
	snprintf(worker.bgw_type, BGW_MAXLEN, "pg_drift launcher");
	RegisterBackgroundWorker(&worker);
}

/*
 * The slot of a database, optionally claiming a free one.  Caller holds the
 * mutex.  NULL when absent (or no slot is free).
 */
DriftDatabaseSlot *
drift_find_slot(Oid dboid, bool create)
{
	DriftDatabaseSlot *free_slot = NULL;
	int			i;

	for (i = 0; i < drift_shared->nslots; i++)
	{
		if (drift_shared->slots[i].dboid == dboid)
			return &drift_shared->slots[i];
		if (free_slot == NULL && drift_shared->slots[i].dboid == InvalidOid)
			free_slot = &drift_shared->slots[i];
	}
	if (!create)
		return NULL;
	if (free_slot == NULL && drift_shared->nslots < DRIFT_MAX_DATABASES)
		free_slot = &drift_shared->slots[drift_shared->nslots++];
	if (free_slot != NULL)
	{
		memset(free_slot, 0, sizeof(*free_slot));
		free_slot->dboid = dboid;
		free_slot->seen = true;
	}
	return free_slot;
}

/* Ask for a scheduler in a database now, and wake the launcher. */
void
drift_request_wake(Oid dboid)
{
	DriftDatabaseSlot *slot;
	Latch	   *latch;

	if (drift_shared == NULL || !OidIsValid(dboid))
		return;
	SpinLockAcquire(&drift_shared->mutex);
	slot = drift_find_slot(dboid, true);
	if (slot != NULL)
	{
		slot->wake_requested = true;
		slot->next_wake = 0;
	}
	latch = drift_shared->launcher_latch;
	SpinLockRelease(&drift_shared->mutex);
	if (latch != NULL)
		SetLatch(latch);
}

/* Mark every database that allows connections as seen; forget the others. */
static void
scan_databases(void)
{
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tup;
	int			i;
	Oid		   *oids;
	int			n = 0;
	int			cap = DRIFT_MAX_DATABASES;

	oids = palloc(sizeof(Oid) * cap);
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	(void) GetTransactionSnapshot();
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_database db = (Form_pg_database) GETSTRUCT(tup);

		if (!db->datallowconn || db->datistemplate)
			continue;
		if (n == cap)
		{
			ereport(LOG,
					(errmsg("pg_drift launcher serves at most %d databases", cap)));
			break;
		}
		oids[n++] = db->oid;
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	CommitTransactionCommand();

	SpinLockAcquire(&drift_shared->mutex);
	for (i = 0; i < drift_shared->nslots; i++)
		drift_shared->slots[i].seen = false;
	for (i = 0; i < n; i++)
	{
		DriftDatabaseSlot *slot = drift_find_slot(oids[i], false);

		if (slot == NULL)
			slot = drift_find_slot(oids[i], true);	/* new: next_wake = 0 */
		if (slot != NULL)
		{
			slot->seen = true;
			/* databases without the extension are looked at again now */
			if (!slot->has_extension)
				slot->next_wake = 0;
		}
	}
	for (i = 0; i < drift_shared->nslots; i++)
		if (!drift_shared->slots[i].seen && handles[i] == NULL)
			drift_shared->slots[i].dboid = InvalidOid;
	SpinLockRelease(&drift_shared->mutex);
	pfree(oids);
}

/*
 * Register a scheduler for a database (parts = 0), or a helper running part
 * `part` of `parts` of a pass (scheduler.c); it notifies the caller when it
 * stops.  False if no worker slot was free.
 */
bool
drift_start_scheduler(Oid dboid, int part, int parts, BackgroundWorkerHandle **handle)
{
	BackgroundWorker worker;
	DriftSchedulerShare share = {parts, part};

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "pg_drift");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "drift_scheduler_main");
	if (parts > 0)
		snprintf(worker.bgw_name, BGW_MAXLEN, "pg_drift scheduler %u (part %d of %d)",
				 dboid, part + 1, parts);
	else
		snprintf(worker.bgw_name, BGW_MAXLEN, "pg_drift scheduler %u", dboid);
	snprintf(worker.bgw_type, BGW_MAXLEN, "pg_drift scheduler");
	worker.bgw_main_arg = ObjectIdGetDatum(dboid);
	memcpy(worker.bgw_extra, &share, sizeof(share));
	worker.bgw_notify_pid = MyProcPid;
	return RegisterDynamicBackgroundWorker(&worker, handle);
}

/* Launcher main loop. */
void
drift_launcher_main(Datum arg)
{
	TimestampTz next_scan = 0;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	pgstat_report_appname("pg_drift launcher");

	SpinLockAcquire(&drift_shared->mutex);
	drift_shared->launcher_latch = &MyProc->procLatch;
	drift_shared->launcher_pid = MyProcPid;
	SpinLockRelease(&drift_shared->mutex);
	ereport(LOG, (errmsg("pg_drift launcher started")));

	for (;;)
	{
		TimestampTz now;
		TimestampTz wake;
		long		delay_ms;
		int			i;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		now = GetCurrentTimestamp();
		if (now >= next_scan)
		{
			scan_databases();
			next_scan = TimestampTzPlusMilliseconds(now,
													drift_database_check_interval * 1000L);
		}
		wake = next_scan;

		for (i = 0; i < DRIFT_MAX_DATABASES; i++)
		{
			Oid			dboid;
			TimestampTz slot_wake;
			pid_t		pid;

			/* forget schedulers that have exited */
			if (handles[i] != NULL &&
				GetBackgroundWorkerPid(handles[i], &pid) == BGWH_STOPPED)
			{
				pfree(handles[i]);
				handles[i] = NULL;
			}
			if (i >= drift_shared->nslots)
				continue;
			SpinLockAcquire(&drift_shared->mutex);
			dboid = drift_shared->slots[i].dboid;
			slot_wake = drift_shared->slots[i].next_wake;
			SpinLockRelease(&drift_shared->mutex);
			if (!OidIsValid(dboid) || handles[i] != NULL || !drift_worker_enabled)
				continue;
			if (slot_wake <= now)
			{
				/*
				 * Until the scheduler says otherwise, do not start it again
				 * within a naptime: one that fails at startup must not loop.
				 */
				SpinLockAcquire(&drift_shared->mutex);
				drift_shared->slots[i].next_wake =
					TimestampTzPlusMilliseconds(now, drift_naptime * 1000L);
				SpinLockRelease(&drift_shared->mutex);
				if (!drift_start_scheduler(dboid, 0, 0, &handles[i]))
				{
					handles[i] = NULL;
					slot_wake = TimestampTzPlusMilliseconds(now, 1000);
				}
				else
					continue;
			}
			if (slot_wake < wake)
				wake = slot_wake;
		}

		now = GetCurrentTimestamp();
		delay_ms = (wake > now) ? (long) ((wake - now + 999) / 1000) : 0;
		if (delay_ms > drift_naptime * 1000L)
			delay_ms = drift_naptime * 1000L;
		if (delay_ms > 0)
		{
			(void) WaitLatch(MyLatch,
							 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 delay_ms, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
		}
	}
}
