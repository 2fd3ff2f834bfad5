/*
 * pg_drift.c
 *		Module entry point: registers pg_drift's settings, and when the
 *		library is preloaded, the shared memory and the background launcher.
 *
 * Everything that works without shared_preload_libraries is set up here on
 * first load; the background scheduler (launcher.c, scheduler.c) registers
 * itself from here only when the library is being preloaded.
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "baseline/baseline_shared.h"
#include "core/compat.h"
#include "worker/monitor.h"
#include "core/pg_drift.h"

PG_MODULE_MAGIC;

int			drift_exact_profile_limit = 1000000;

bool		drift_worker_enabled = true;
int			drift_naptime = 60;
int			drift_monitor_timeout = 300000;
char	   *drift_result_retention = NULL;
int			drift_database_check_interval = 60;
int			drift_schedulers_per_database = 2;

/* Read by SQL only (drift._check_slice_count, drift._record_slices). */
static int	drift_max_slices = 10000;

void		_PG_init(void);

/* Module load: define GUCs; when preloaded, the worker too. */
void
_PG_init(void)
{
	DefineCustomIntVariable("pg_drift.exact_profile_limit",
							"Largest number of distinct values a profile keeps exactly.",
							"Past this many distinct values a profile is too large to keep "
							"exactly; raise the limit to profile wider columns.",
							&drift_exact_profile_limit,
							1000000,
							1000,
							50000000,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("pg_drift.enabled",
							 "Whether the background worker runs due monitors.",
							 "Needs shared_preload_libraries = 'pg_drift'; off pauses every "
							 "scheduled run (drift.run_monitor still works).",
							 &drift_worker_enabled,
							 true,
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("pg_drift.naptime",
							"Longest time the worker sleeps before looking at a database's "
							"monitors again.",
							"Due times are followed exactly; this only bounds the sleep.",
							&drift_naptime,
							60, 1, 3600,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("pg_drift.database_check_interval",
							"How often the worker looks for new databases and for the "
							"extension in databases that lack it.",
							NULL,
							&drift_database_check_interval,
							60, 1, 86400,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("pg_drift.schedulers_per_database",
							"Most scheduler processes running one database's due monitors "
							"at the same time.",
							"When many monitors fall due together, the scheduler starts "
							"helpers that share them out; each takes a background worker "
							"slot (max_worker_processes).",
							&drift_schedulers_per_database,
							2, 1, 64,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("pg_drift.monitor_timeout",
							"Time limit of one monitor check, enforced by pg_drift itself (0 disables).",
							NULL,
							&drift_monitor_timeout,
							300000, 0, INT_MAX,
							PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("pg_drift.max_slices",
							"Most slices one monitor run may produce.",
							"A run with more fails with an error result; it also bounds "
							"how many slices a monitor's state remembers.",
							&drift_max_slices,
							10000, 1, 1000000,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
	DefineCustomStringVariable("pg_drift.result_retention",
							   "How long monitor results and alerts are kept (0 keeps all).",
							   NULL,
							   &drift_result_retention,
							   "30 days",
							   PGC_SIGHUP, 0,
							   NULL, NULL, NULL);

	baseline_shared_define_guc();
	MarkGUCPrefixReserved("pg_drift");

	drift_monitor_init();
	if (process_shared_preload_libraries_in_progress)
		drift_worker_init();
}

/* Counts of rows that no int64 holds (count_add in pg_drift.h). */
void
count_overflow(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("row counts out of range"),
			 errdetail("A count of rows exceeds the 64-bit integer range."),
			 errhint("Merge or combine fewer profiles or partial states, or ones of fewer rows.")));
}

/* The error of a state function called outside an aggregate (pg_drift.h). */
void
not_in_aggregate(const char *fn)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("%s called in non-aggregate context", fn),
			 errhint("Call the aggregate instead of its state function.")));
}
