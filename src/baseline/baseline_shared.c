/*
 * baseline_shared.c
 *		The backend's cache of named baselines, kept across queries (see
 *		baseline_shared.h for what an entry holds).
 *
 * Why: reading a 100k-value baseline, detoasting it and indexing it costs
 * tens of milliseconds, and Citus runs one shard query after another in the
 * same worker backend, so a per-query cache pays that once per shard.
 *
 * Correctness rests on three rules.
 *
 *	- Key: (GetUserId(), baseline, column).  Every entry was read by its
 *	  role through SPI, so row-level security on the catalog decided what it
 *	  holds; another role never gets it.
 *	- Version: before a query uses an entry, the catalog row is read again as
 *	  the calling role (the same query, so a role that lost access gets the
 *	  error) and its version compared (baseline.c: ctid, xmin and the stored
 *	  value); a different version is loaded afresh.  The read is skipped when
 *	  the entry was already checked under the same snapshot: same xmin, xmax,
 *	  command id, count of completed transactions (snapXactCompletionCount,
 *	  which PostgreSQL bumps whenever a transaction ends) and local
 *	  transaction id.  Nothing the snapshot can see has changed then, in this
 *	  or any other session; a snapshot whose count is 0 (not taken by
 *	  GetSnapshotData) is always checked.  The catalog's policies depend on
 *	  the role and its memberships only, and GRANT of a role completes a
 *	  transaction.  A (sub)transaction abort clears every stamp: rows it
 *	  wrote are gone although the command id does not go back.
 *	- Lifetime: a query pins the entries it uses (a reset callback on its
 *	  memory unpins them, also on error).  A reload or eviction takes the
 *	  entry out of the cache but frees it only when its last pin goes, so a
 *	  running query never loses the profile or locators it points at.
 *
 * Bounded by pg_drift.baseline_cache_size (kB, per backend): unpinned
 * entries are evicted least recently used first until the cache fits; 0
 * keeps nothing between queries.
 */
#include "postgres.h"
#include "core/compat.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "baseline/baseline_shared.h"

/* GUC pg_drift.baseline_cache_size, in kB. */
static int	baseline_cache_kb = 65536;

static MemoryContext cache_cxt = NULL;
static dlist_head cache = DLIST_STATIC_INIT(cache);
static Size cache_bytes = 0;	/* held by every entry, retired ones included */

/* Define pg_drift.baseline_cache_size (from _PG_init). */
void
baseline_shared_define_guc(void)
{
	DefineCustomIntVariable("pg_drift.baseline_cache_size",
							"Memory each backend may keep named baselines in between queries.",
							"Profiles and indexes of named baselines are kept per backend and "
							"role, least recently used dropped first; 0 keeps none.",
							&baseline_cache_kb,
							65536, 0, MAX_KILOBYTES,
							PGC_USERSET, GUC_UNIT_KB,
							NULL, NULL, NULL);
}

/* Forget every stamp: the next use of each entry reads the catalog again. */
static void
clear_stamps(void)
{
	dlist_iter	it;

	dlist_foreach(it, &cache)
		dlist_container(SharedBaseline, node, it.cur)->stamped = false;
}

/* Transaction callback: an abort may take away rows an entry was checked against. */
static void
on_xact(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		clear_stamps();
}

/* Subtransaction callback: as on_xact, for ROLLBACK TO SAVEPOINT and failed blocks. */
static void
on_subxact(SubXactEvent event, SubTransactionId sub, SubTransactionId parent, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		clear_stamps();
}

/* The cache's memory and callbacks, on first use. */
static void
cache_init(void)
{
	if (cache_cxt != NULL)
		return;
	cache_cxt = AllocSetContextCreate(TopMemoryContext, "pg_drift baseline cache",
									  ALLOCSET_SMALL_SIZES);
	RegisterXactCallback(on_xact, NULL);
	RegisterSubXactCallback(on_subxact, NULL);
}

/* The active snapshot's stamp into *s; false when it cannot vouch for anything. */
static bool
current_stamp(SnapshotStamp *s)
{
	Snapshot	snap;

	if (!ActiveSnapshotSet())
		return false;
	snap = GetActiveSnapshot();
	if (snap->snapXactCompletionCount == 0)
		return false;
	s->xmin = snap->xmin;
	s->xmax = snap->xmax;
	s->curcid = snap->curcid;
	s->completions = snap->snapXactCompletionCount;
	s->lxid = DRIFT_LOCAL_XID();
	return true;
}

/* Was e checked under the snapshot stamped now? */
static bool
stamp_holds(const SharedBaseline *e, const SnapshotStamp *now)
{
	return e->stamped && e->stamp.xmin == now->xmin && e->stamp.xmax == now->xmax &&
		e->stamp.curcid == now->curcid && e->stamp.completions == now->completions &&
		e->stamp.lxid == now->lxid;
}

/* Free a retired entry. */
static void
entry_free(SharedBaseline *e)
{
	cache_bytes -= e->bytes;
	MemoryContextDelete(e->cxt);
}

/* Take e out of the cache; free it now unless a query still uses it. */
static void
entry_retire(SharedBaseline *e)
{
	dlist_delete(&e->node);
	e->retired = true;
	if (e->pins == 0)
		entry_free(e);
}

/* Evict unpinned entries, least recently used first, until the cache fits. */
static void
cache_shrink(void)
{
	dlist_node *cur = dlist_is_empty(&cache) ? NULL : dlist_tail_node(&cache);

	while (cur != NULL && cache_bytes > (Size) baseline_cache_kb * 1024)
	{
		dlist_node *prev = dlist_has_prev(&cache, cur) ? dlist_prev_node(&cache, cur) : NULL;
		SharedBaseline *e = dlist_container(SharedBaseline, node, cur);

		if (e->pins == 0)
			entry_retire(e);
		cur = prev;
	}
}

/* Re-measure what e holds (after loading or adding a locator). */
static void
entry_measure(SharedBaseline *e)
{
	Size		now = MemoryContextMemAllocated(e->cxt, true);

	cache_bytes += now - e->bytes;
	e->bytes = now;
}

/* Reset callback of a query's memory: the query no longer uses the entry. */
static void
entry_unpin(void *arg)
{
	SharedBaseline *e = (SharedBaseline *) arg;

	if (--e->pins > 0)
		return;
	if (e->retired)
		entry_free(e);
	else
		cache_shrink();
}

/* The live entry for (role, name, column), made most recent, or NULL. */
static SharedBaseline *
cache_find(Oid role, const char *name, const char *column)
{
	dlist_iter	it;

	dlist_foreach(it, &cache)
	{
		SharedBaseline *e = dlist_container(SharedBaseline, node, it.cur);

		if (e->role == role && strcmp(e->name, name) == 0 && strcmp(e->column, column) == 0)
		{
			dlist_move_head(&cache, &e->node);
			return e;
		}
	}
	return NULL;
}

/*
 * A new entry from a profile just read into cxt (a child of the caller's
 * memory until now, so that a failed read freed it).
 */
static SharedBaseline *
entry_create(MemoryContext cxt, Oid role, const char *name, const char *column,
			 const BaselineVersion *version, DriftProfile *profile)
{
	SharedBaseline *e = MemoryContextAllocZero(cxt, sizeof(SharedBaseline));

	MemoryContextSetParent(cxt, cache_cxt);
	e->cxt = cxt;
	e->role = role;
	e->name = MemoryContextStrdup(cxt, name);
	e->column = MemoryContextStrdup(cxt, column);
	e->version = *version;
	e->profile = profile;
	e->fingerprint = profile_fingerprint(profile);
	dlist_push_head(&cache, &e->node);
	entry_measure(e);
	return e;
}

/*
 * The entry for column of baseline name as the calling role sees it now,
 * checked against the catalog (at most once per snapshot), and pinned until
 * holder, the caller's memory, is reset or deleted.
 */
SharedBaseline *
shared_baseline_acquire(const char *name, const char *column, MemoryContext holder)
{
	Oid			role = GetUserId();
	SharedBaseline *e;
	SnapshotStamp now = {0};
	bool		stampable;
	MemoryContextCallback *unpin;

	cache_init();
	stampable = current_stamp(&now);
	e = cache_find(role, name, column);
	if (e == NULL || !stampable || !stamp_holds(e, &now))
	{
		MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "pg_drift cached baseline",
												  ALLOCSET_DEFAULT_SIZES);
		BaselineVersion version;
		DriftProfile *profile = baseline_read(name, column, e ? &e->version : NULL, &version, cxt);

		if (profile == NULL)
			MemoryContextDelete(cxt);	/* e holds this version */
		else
		{
			if (e != NULL)
				entry_retire(e);
			e = entry_create(cxt, role, name, column, &version, profile);
		}
		e->stamped = stampable;
		e->stamp = now;
	}
	unpin = MemoryContextAlloc(holder, sizeof(MemoryContextCallback));
	unpin->func = entry_unpin;
	unpin->arg = e;
	e->pins++;
	MemoryContextRegisterResetCallback(holder, unpin);
	cache_shrink();
	return e;
}

/*
 * e's locator of the given kind, built on first use in e's memory, so that
 * later queries find it ready.
 */
void *
shared_baseline_locator(SharedBaseline *e, BaselineLocatorKind kind, LocatorBuilder build)
{
	if (e->locators[kind] == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(e->cxt);

		e->locators[kind] = build(e->profile);
		MemoryContextSwitchTo(old);
		entry_measure(e);
		cache_shrink();
	}
	return e->locators[kind];
}
