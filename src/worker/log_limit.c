/*
 * log_limit.c
 *		Rate limit for the scheduler's log lines about failed monitors.
 *
 * A role with many monitors that keep failing must not fill the server log
 * (a security review saw 22,000 lines in two minutes from one role).  The
 * first failure of a role's monitors in a database is logged, then at most
 * one line a minute, which says how many were left out meanwhile.  The
 * limit is per (database, owner) and lives in shared memory because each
 * pass is a new, short-lived process.  The table has DRIFT_LOG_LIMITS
 * entries; when it is full the entry logged longest ago is reused (its
 * suppressed count is then lost: a role pushed out simply logs again).
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/timestamp.h"

#include "worker/monitor.h"

/* At most one line per owner and database in this many milliseconds. */
#define LOG_INTERVAL_MS (60 * 1000)

/*
 * Whether a failure of a monitor owned by owner may be logged now.  When it
 * may, *suppressed is set to the number of failures not logged since the
 * last line; when not, the failure is counted.  Without shared memory (no
 * preload: only the scheduler calls this, which needs it) always true.
 */
bool
drift_log_allowed(Oid owner, int32 *suppressed)
{
	TimestampTz now = GetCurrentTimestamp();
	DriftLogLimit *entry = NULL;
	DriftLogLimit *oldest = NULL;
	bool		allowed = true;

	*suppressed = 0;
	if (drift_shared == NULL)
		return true;
	SpinLockAcquire(&drift_shared->mutex);
	for (int i = 0; i < DRIFT_LOG_LIMITS; i++)
	{
		DriftLogLimit *e = &drift_shared->log_limits[i];

		if (e->dboid == MyDatabaseId && e->owner == owner)
		{
			entry = e;
			break;
		}
		if (oldest == NULL || e->dboid == InvalidOid ||
			(oldest->dboid != InvalidOid && e->last_logged < oldest->last_logged))
			oldest = e;
	}
	if (entry == NULL)
	{
		entry = oldest;
		entry->dboid = MyDatabaseId;
		entry->owner = owner;
		entry->suppressed = 0;
	}
	else if (!TimestampDifferenceExceeds(entry->last_logged, now, LOG_INTERVAL_MS))
	{
		entry->suppressed++;
		allowed = false;
	}
	if (allowed)
	{
		*suppressed = entry->suppressed;
		entry->suppressed = 0;
		entry->last_logged = now;
	}
	SpinLockRelease(&drift_shared->mutex);
	return allowed;
}
