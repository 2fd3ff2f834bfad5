/*
 * baseline_cache.c
 *		Finding the baseline a row's arguments name, by content, within a query.
 *
 * Arguments that are constant for the query never get here after the first
 * row (core/call_site.c resolves them once); this cache serves the rest:
 * baselines that vary by group (a join with the catalog) and final
 * functions.  Entries are found by content, never by pointer alone: the executor may pass
 * a different value at an address it used before.  The most recently used
 * entry is checked first, which makes the common case (one baseline for the
 * whole query) a short byte comparison per row.
 */
#include "postgres.h"
#include "core/compat.h"

#include "utils/builtins.h"
#include "utils/memutils.h"

#include "baseline/baseline.h"
#include "baseline/baseline_cache.h"
#include "baseline/baseline_nodes.h"

#define BASELINE_CACHE_SIZE 16
#define FULL_COMPARE_BYTES 65536	/* profiles up to this size are compared in full */
#define COMPARE_SAMPLES 256		/* entries sampled from larger ones */

typedef struct BaselineCache
{
	int			n;				/* entries in use */
	int			last;			/* most recently used */
	int			victim;			/* next to evict when full */
	StreamBaseline *entries[BASELINE_CACHE_SIZE];
} BaselineCache;

/* The cache in fn_extra, created empty on first use. */
static BaselineCache *
get_cache(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
	{
		fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
														  sizeof(BaselineCache));
	}
	return (BaselineCache *) fcinfo->flinfo->fn_extra;
}

/* A baseline entry's own memory, under the query's. */
static MemoryContext
entry_context(FunctionCallInfo fcinfo)
{
	return AllocSetContextCreate(fcinfo->flinfo->fn_mcxt, "pg_drift baseline",
								 ALLOCSET_DEFAULT_SIZES);
}

/* A fresh entry in cxt (evicting one if the cache is full), made most recent. */
static StreamBaseline *
new_entry(BaselineCache *cache, MemoryContext cxt)
{
	StreamBaseline *e = MemoryContextAllocZero(cxt, sizeof(StreamBaseline));
	int			slot;

	e->cxt = cxt;
	if (cache->n < BASELINE_CACHE_SIZE)
		slot = cache->n++;
	else
	{
		slot = cache->victim;
		cache->victim = (cache->victim + 1) % BASELINE_CACHE_SIZE;
		MemoryContextDelete(cache->entries[slot]->cxt);
	}
	cache->entries[slot] = e;
	cache->last = slot;
	return e;
}

/* Does text datum d hold exactly the bytes of s? */
static inline bool
text_equals(Datum d, const char *s)
{
	text	   *t = DatumGetTextPP(d);
	Size		len = VARSIZE_ANY_EXHDR(t);

	return strlen(s) == len && memcmp(VARDATA_ANY(t), s, len) == 0;
}

/* Reject a NULL baseline argument. */
static void
require_argument(FunctionCallInfo fcinfo, int arg, const char *what)
{
	if (PG_ARGISNULL(arg))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", what),
				 errhint("Name the baseline and column, or pass a drift_profile.")));
}

/* The entry for a baseline given by name and column as C strings. */
StreamBaseline *
baseline_cache_by_name(FunctionCallInfo fcinfo, const char *name, const char *column)
{
	BaselineCache *cache = get_cache(fcinfo);
	StreamBaseline *e;
	SharedBaseline *shared;
	MemoryContext cxt;

	for (int i = 0; i < cache->n; i++)
	{
		e = cache->entries[i];
		if (e->name != NULL && strcmp(e->name, name) == 0 && strcmp(e->column, column) == 0)
		{
			cache->last = i;
			return e;
		}
	}
	cxt = entry_context(fcinfo);
	shared = shared_baseline_acquire(name, column, cxt);	/* pinned while cxt lives */
	e = new_entry(cache, cxt);
	e->name = MemoryContextStrdup(cxt, name);
	e->column = MemoryContextStrdup(cxt, column);
	e->shared = shared;
	e->profile = shared->profile;
	e->fingerprint = shared->fingerprint;
	return e;
}

/* The entry for the baseline named by text arguments name_arg and column_arg. */
StreamBaseline *
baseline_cache_named(FunctionCallInfo fcinfo, int name_arg, int column_arg)
{
	BaselineCache *cache = get_cache(fcinfo);
	Datum		name,
				column;

	require_argument(fcinfo, name_arg, "baseline name");
	require_argument(fcinfo, column_arg, "baseline column");
	name = PG_GETARG_DATUM(name_arg);
	column = PG_GETARG_DATUM(column_arg);
	if (cache->n > 0)
	{
		StreamBaseline *e = cache->entries[cache->last];

		if (e->name != NULL && text_equals(name, e->name) && text_equals(column, e->column))
			return e;
	}
	return baseline_cache_by_name(fcinfo, TextDatumGetCString(name),
													   TextDatumGetCString(column));
}

/*
 * Is arg the profile of entry e?  Called for every row, so the common cases
 * must be cheap: the executor passing the very same datum again (a constant, a
 * parameter, drift.baseline()'s cached result), or the same TOAST pointer
 * (a profile read from a table through a join).  Otherwise the header decides
 * most cases; a large profile whose header matches is compared on a sample of
 * its entries, since comparing 1.6 MB per row would dominate the query.  Two
 * different profiles with bit-identical count, min, max, mean, sum of squares,
 * entry count and sampled entries do not occur in practice.
 */
static bool
profile_matches(StreamBaseline *e, Datum arg)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(arg);
	DriftProfile *p;
	bool		same;

	if (e->name != NULL)
		return false;
	if (VARATT_IS_EXTERNAL_ONDISK(raw))
	{
		if (e->toast_pointer != NULL && VARSIZE_ANY(raw) == VARSIZE_ANY(e->toast_pointer) &&
			memcmp(raw, e->toast_pointer, VARSIZE_ANY(raw)) == 0)
			return true;
	}
	else if (!VARATT_IS_EXTENDED(raw) && arg == e->profile_arg &&
			 memcmp(raw, e->profile, PROFILE_HEADER_SIZE) == 0)
		return true;

	p = (DriftProfile *) PG_DETOAST_DATUM(arg);
	if (VARSIZE(p) != VARSIZE(e->profile) || memcmp(p, e->profile, PROFILE_HEADER_SIZE) != 0)
		return false;
	if (VARSIZE(p) <= FULL_COMPARE_BYTES)
		same = memcmp(p, e->profile, VARSIZE(p)) == 0;
	else
	{
		Size		body = VARSIZE(p) - PROFILE_HEADER_SIZE;
		Size		step = body / COMPARE_SAMPLES;

		same = true;
		for (Size off = PROFILE_HEADER_SIZE; same && off + 8 <= VARSIZE(p); off += step)
			same = memcmp((char *) p + off, (char *) e->profile + off, 8) == 0;
		same = same && memcmp((char *) p + VARSIZE(p) - 8, (char *) e->profile + VARSIZE(p) - 8, 8) == 0;
	}
	if (!same)
		return false;
	e->profile_arg = arg;
	if (VARATT_IS_EXTERNAL_ONDISK(raw))
	{
		if (e->toast_pointer != NULL)
			pfree(e->toast_pointer);
		e->toast_pointer = MemoryContextAlloc(e->cxt, VARSIZE_ANY(raw));
		memcpy(e->toast_pointer, raw, VARSIZE_ANY(raw));
	}
	return true;
}

/* The entry for the baseline given as drift_profile argument profile_arg. */
StreamBaseline *
baseline_cache_profile(FunctionCallInfo fcinfo, int profile_arg)
{
	BaselineCache *cache = get_cache(fcinfo);
	Datum		arg;
	StreamBaseline *e;
	DriftProfile *p;

	require_argument(fcinfo, profile_arg, "baseline profile");
	arg = PG_GETARG_DATUM(profile_arg);
	if (cache->n > 0 && profile_matches(cache->entries[cache->last], arg))
		return cache->entries[cache->last];
	for (int i = 0; i < cache->n; i++)
	{
		if (profile_matches(cache->entries[i], arg))
		{
			cache->last = i;
			return cache->entries[i];
		}
	}
	p = (DriftProfile *) PG_DETOAST_DATUM(arg);
	profile_check_usable(p);
	e = new_entry(cache, entry_context(fcinfo));
	e->profile = MemoryContextAlloc(e->cxt, VARSIZE(p));
	memcpy(e->profile, p, VARSIZE(p));
	e->fingerprint = profile_fingerprint(e->profile);
	e->profile_arg = arg;
	if (VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(arg)))
	{
		e->toast_pointer = MemoryContextAlloc(e->cxt, VARSIZE_ANY(DatumGetPointer(arg)));
		memcpy(e->toast_pointer, DatumGetPointer(arg), VARSIZE_ANY(DatumGetPointer(arg)));
	}
	return e;
}

/*
 * sb's locator of the given kind: a named baseline's from the backend's
 * cache (built there once), a profile argument's built in sb's memory.
 */
void *
baseline_locator(StreamBaseline *sb, BaselineLocatorKind kind, LocatorBuilder build)
{
	MemoryContext old;
	void	   *locator;

	if (sb->shared != NULL)
		return shared_baseline_locator(sb->shared, kind, build);
	old = MemoryContextSwitchTo(sb->cxt);
	locator = build(sb->profile);
	MemoryContextSwitchTo(old);
	return locator;
}

/*
 * Fail unless a row's baseline (and whatever else "what" names: options,
 * alternative, zero fill) is the one its group's state was counted against.
 */
void
require_same_baseline(bool same, const char *what)
{
	if (!same)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the %s must be the same for every row of a group", what),
				 baseline_on_citus() ?
				 errhint("Group by the %s, or compute one aggregate per baseline; if the query names "
						 "one baseline, a Citus node holds a stale copy of it: run SELECT "
						 "drift.citus_sync_baselines() on the coordinator.", what) :
				 errhint("Group by the %s, or compute one aggregate per baseline.", what)));
}
