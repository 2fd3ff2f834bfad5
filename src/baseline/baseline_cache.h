/*
 * baseline_cache.h
 *		Per-query cache of the baselines an aggregate's rows refer to.
 *
 * A streaming test resolves its baseline once, not per row; with GROUP BY the
 * groups may use different baselines (one per feature, one per model
 * version), so the cache holds several, each with whatever the test derived
 * from it to place values (its "locator").  It lives in the function's
 * fn_extra and so lasts for the query.  A named baseline's profile and the
 * locators that depend on it alone come from the backend's cache
 * (baseline_shared.h), which keeps them across queries.
 */
#ifndef PG_DRIFT_BASELINE_CACHE_H
#define PG_DRIFT_BASELINE_CACHE_H

#include "postgres.h"
#include "fmgr.h"

#include "baseline/baseline_shared.h"
#include "profile/profile.h"

typedef struct StreamBaseline
{
	MemoryContext cxt;			/* owns the entry; deleted when evicted */
	char	   *name;			/* baseline name, or NULL for a profile argument */
	char	   *column;			/* column within the baseline */
	Datum		profile_arg;	/* raw profile argument last matched (compared only) */
	struct varlena *toast_pointer;	/* copy of the last matched TOAST pointer, if any */
	DriftProfile *profile;		/* the baseline (a named one's belongs to shared) */
	SharedBaseline *shared;		/* a named baseline's backend-level entry, pinned */
	uint64		fingerprint;	/* profile_fingerprint(profile) */
	void	   *locator;		/* test-specific, built by the test in cxt */
	int32		n_slots;		/* slots the locator defines */
} StreamBaseline;

extern StreamBaseline *baseline_cache_named(FunctionCallInfo fcinfo, int name_arg, int column_arg);
extern StreamBaseline *baseline_cache_profile(FunctionCallInfo fcinfo, int profile_arg);
extern StreamBaseline *baseline_cache_by_name(FunctionCallInfo fcinfo, const char *name,
											  const char *column);
extern void *baseline_locator(StreamBaseline *sb, BaselineLocatorKind kind,
							  LocatorBuilder build);
extern void require_same_baseline(bool same, const char *what);

#endif							/* PG_DRIFT_BASELINE_CACHE_H */
