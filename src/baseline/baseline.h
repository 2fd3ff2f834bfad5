/*
 * baseline.h
 *		Reading stored baselines from pg_drift's catalog.
 */
#ifndef PG_DRIFT_BASELINE_H
#define PG_DRIFT_BASELINE_H

#include "postgres.h"

#include "storage/itemptr.h"

#include "profile/profile.h"

/* Which version of the catalog row a profile came from. */
typedef struct BaselineVersion
{
	ItemPointerData ctid;		/* the drift.baseline_columns row */
	TransactionId xmin;
	struct varlena *stored;		/* its profile as stored: TOAST pointer or inline bytes */
} BaselineVersion;

extern bool baseline_names_per_owner(void);
extern DriftProfile *baseline_read(const char *name, const char *column,
								   const BaselineVersion *known, BaselineVersion *version,
								   MemoryContext cxt);

#endif							/* PG_DRIFT_BASELINE_H */
