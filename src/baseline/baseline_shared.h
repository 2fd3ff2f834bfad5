/*
 * baseline_shared.h
 *		The backend's cache of named baselines, kept across queries.
 *
 * A named baseline (capture_baseline's profile of one column) is read from
 * the catalog, detoasted and indexed once per backend rather than once per
 * query: a monitor that runs every minute, a dashboard that repeats a query,
 * or Citus running one shard query after another all reuse the same entry.
 * Entries are keyed by (role, baseline, column), so a role only ever gets
 * what its own catalog read returned, and checked against the catalog row's
 * version at most once per snapshot (baseline_shared.c says how).
 */
#ifndef PG_DRIFT_BASELINE_SHARED_H
#define PG_DRIFT_BASELINE_SHARED_H

#include "postgres.h"

#include "lib/ilist.h"

#include "baseline/baseline.h"

/* What a test derives from a baseline to place values; one of each kind per entry. */
typedef enum BaselineLocatorKind
{
	LOCATOR_KS_INDEX,			/* ks.c: bucketed index of the values */
	LOCATOR_CATEGORIES,			/* categorical_tests.c: category -> index */
	LOCATOR_QUANTILES,			/* drift_quantile.c: cumulative counts */
	N_LOCATOR_KINDS
} BaselineLocatorKind;

/* Builds a locator from a profile in CurrentMemoryContext. */
typedef void *(*LocatorBuilder) (const DriftProfile *profile);

/* The snapshot an entry was last checked under (see baseline_shared.c). */
typedef struct SnapshotStamp
{
	TransactionId xmin;
	TransactionId xmax;
	CommandId	curcid;
	uint64		completions;
	LocalTransactionId lxid;
} SnapshotStamp;

typedef struct SharedBaseline
{
	dlist_node	node;			/* in the cache, most recently used first */
	MemoryContext cxt;			/* owns the entry */
	Oid			role;			/* who read it */
	char	   *name;
	char	   *column;
	BaselineVersion version;
	DriftProfile *profile;
	uint64		fingerprint;	/* profile_fingerprint(profile) */
	void	   *locators[N_LOCATOR_KINDS];
	Size		bytes;			/* memory the entry holds */
	int			pins;			/* queries using it now */
	bool		retired;		/* out of the cache; freed when the last pin goes */
	bool		stamped;		/* stamp holds */
	SnapshotStamp stamp;
} SharedBaseline;

extern void baseline_shared_define_guc(void);
extern SharedBaseline *shared_baseline_acquire(const char *name, const char *column,
											   MemoryContext holder);
extern void *shared_baseline_locator(SharedBaseline *e, BaselineLocatorKind kind,
									 LocatorBuilder build);

#endif							/* PG_DRIFT_BASELINE_SHARED_H */
