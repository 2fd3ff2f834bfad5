/*
 * monitor.h
 *		Shared declarations of the monitor runtime: settings, the shared
 *		memory the launcher and the schedulers coordinate through, and the
 *		worker entry points.  See src/worker/README.md for the design.
 */
#ifndef DRIFT_MONITOR_H
#define DRIFT_MONITOR_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "postmaster/bgworker.h"
#include "storage/latch.h"
#include "storage/spin.h"

/* Settings (defined in pg_drift.c). */
extern bool drift_worker_enabled;
extern int	drift_naptime;			/* seconds */
extern int	drift_monitor_timeout;	/* milliseconds, 0 = none */
extern char *drift_result_retention;	/* interval text */
extern int	drift_database_check_interval;	/* seconds */
extern int	drift_schedulers_per_database;

/* Most databases the launcher tracks at once. */
#define DRIFT_MAX_DATABASES 256

/* What the launcher knows about one database. */
typedef struct DriftDatabaseSlot
{
	Oid			dboid;			/* InvalidOid: slot unused */
	TimestampTz next_wake;		/* start a scheduler at or after this time */
	TimestampTz last_prune;		/* when results were last pruned here */
	bool		wake_requested; /* a monitor changed since the scheduler looked */
	bool		has_extension;	/* as the last scheduler found it */
	bool		seen;			/* still in pg_database at the last scan */
	bool		helper_stuck;	/* a helper scheduler left a monitor it could not run */
} DriftDatabaseSlot;

/* Owners whose failure logging is rate-limited at once (log_limit.c). */
#define DRIFT_LOG_LIMITS 64

/* When a role's monitor failures in one database were last logged. */
typedef struct DriftLogLimit
{
	Oid			dboid;			/* InvalidOid: entry unused */
	Oid			owner;
	TimestampTz last_logged;
	int32		suppressed;		/* failures not logged since last_logged */
} DriftLogLimit;

/* The shared state: launcher latch, one slot per database, log limits. */
typedef struct DriftShared
{
	slock_t		mutex;
	Latch	   *launcher_latch;
	pid_t		launcher_pid;
	int			nslots;
	DriftDatabaseSlot slots[DRIFT_MAX_DATABASES];
	DriftLogLimit log_limits[DRIFT_LOG_LIMITS];
} DriftShared;

/*
 * Which due monitors a scheduler process runs: those whose part (a hash of
 * monitor_id, modulo parts) is one of its parts.  Passed in bgw_extra:
 * zeroed for the scheduler the launcher starts (parts = 0: every monitor,
 * helpers still to decide), one part for a helper.
 */
typedef struct DriftSchedulerShare
{
	int32		parts;
	int32		part;
} DriftSchedulerShare;

/* NULL unless pg_drift was preloaded (shared_preload_libraries). */
extern DriftShared *drift_shared;

extern void drift_worker_init(void);
extern void drift_monitor_init(void);
extern DriftDatabaseSlot *drift_find_slot(Oid dboid, bool create);
extern void drift_request_wake(Oid dboid);
extern bool drift_log_allowed(Oid owner, int32 *suppressed);
extern bool drift_start_scheduler(Oid dboid, int part, int parts,
								  BackgroundWorkerHandle **handle);

PGDLLEXPORT void drift_launcher_main(Datum arg);
PGDLLEXPORT void drift_scheduler_main(Datum arg);

#endif							/* DRIFT_MONITOR_H */
