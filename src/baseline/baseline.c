/*
 * baseline.c
 *		Reading a stored baseline profile by (baseline name, column).
 *
 * The catalog is ordinary tables in schema drift, read through SPI as the
 * calling role, so row-level security on the catalog applies to every read.
 * baseline_shared.c keeps what it reads across queries, keyed by role and
 * checked against the row's version (baseline_read); the catalog
 * query's plan is kept for the backend's life (the plan cache replans it
 * after DDL on the catalog or for another role, as row security needs).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "catalog/namespace.h"
#include "executor/spi.h"
#include "nodes/primnodes.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "baseline/baseline.h"
#include "baseline/baseline_nodes.h"
#include "baseline/baseline_shared.h"
#include "core/pg_drift.h"

/*
 * Baseline names are per owner; drift.baseline_owner picks the one a name
 * means to the caller (own first, else the only visible one, else an
 * ambiguity error), the same rule as every SQL look-up.  The query is built
 * with and without the owner conditions: see baseline_names_per_owner.  It
 * returns the column's profile, the baseline's columns (for the error when
 * the profile is missing), and the profile row's version (ctid, xmin).  Each
 * is a subquery of its own, as 0.1.0 read the catalog: a join took the
 * tables' locks in an order that deadlocked with ALTER EXTENSION UPDATE.
 */
#define COLUMN_ROW(what, same_owner) \
	"(SELECT " what " FROM drift.baseline_columns c" \
	"  WHERE c.baseline_name OPERATOR(pg_catalog.=) b.name" same_owner \
	"    AND c.column_name OPERATOR(pg_catalog.=) $2)"
#define BASELINE_QUERY(same_owner, owner_of_name) \
	"SELECT " COLUMN_ROW("c.profile", same_owner) "," \
	"       (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(c.column_name), ', '" \
	"                                     ORDER BY c.column_name)" \
	"          FROM drift.baseline_columns c" \
	"         WHERE c.baseline_name OPERATOR(pg_catalog.=) b.name" same_owner ")," \
	"       " COLUMN_ROW("c.ctid", same_owner) "," COLUMN_ROW("c.xmin", same_owner) \
	"  FROM drift.baselines b WHERE b.name OPERATOR(pg_catalog.=) $1" owner_of_name

static const char *const baseline_queries[2] = {
	BASELINE_QUERY("", ""),
	BASELINE_QUERY(" AND c.baseline_owner OPERATOR(pg_catalog.=) b.owner",
				   " AND b.owner OPERATOR(pg_catalog.=) drift.baseline_owner($1)")
};

/* The kept plans of baseline_queries. */
static SPIPlanPtr baseline_plans[2] = {NULL, NULL};

/*
 * Whether the catalog has per-owner baseline names (pg_drift 0.2.0 on).
 * Between installing a newer library and ALTER EXTENSION pg_drift UPDATE the
 * library runs against the 0.1.0 catalog, where names are global and are
 * looked up as 0.1.0 did.  Three syscache look-ups, once per query.
 */
bool
baseline_names_per_owner(void)
{
	Oid			nsp = get_namespace_oid("drift", true);
	Oid			rel = OidIsValid(nsp) ? get_relname_relid("baseline_columns", nsp) : InvalidOid;

	return OidIsValid(rel) && get_attnum(rel, "baseline_owner") != InvalidAttrNumber;
}

/* Is version a the same catalog row version as b? */
static bool
same_version(const BaselineVersion *a, const BaselineVersion *b)
{
	return ItemPointerEquals((ItemPointer) &a->ctid, (ItemPointer) &b->ctid) &&
		a->xmin == b->xmin &&
		VARSIZE_ANY(a->stored) == VARSIZE_ANY(b->stored) &&
		memcmp(a->stored, b->stored, VARSIZE_ANY(a->stored)) == 0;
}

/*
 * Read column of baseline name as the calling role (so row-level security
 * applies): its row's version into *version (copied into cxt) and, unless
 * that equals *known, the profile, detoasted into cxt; NULL when it equals.
 * The version is the row's ctid and xmin and the profile as stored (its
 * TOAST pointer, which names a new value each time one is written, or its
 * inline bytes): a frozen row reads xmin 2 and a vacuumed slot may be
 * reused, but not with the same stored value as well.  Errors name what is
 * missing and what exists.
 */
DriftProfile *
baseline_read(const char *name, const char *column, const BaselineVersion *known,
			  BaselineVersion *version, MemoryContext cxt)
{
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		args[2];
	bool		isnull;
	Datum		d;
	DriftProfile *result = NULL;
	MemoryContext old;
	int			per_owner = baseline_names_per_owner() ? 1 : 0;
	HeapTuple	row;
	TupleDesc	desc;

	args[0] = CStringGetTextDatum(name);
	args[1] = CStringGetTextDatum(column);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (baseline_plans[per_owner] == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(baseline_queries[per_owner], 2, argtypes);

		if (plan == NULL || SPI_keepplan(plan) != 0)
			elog(ERROR, "could not prepare pg_drift's baseline query: %s",
				 SPI_result_code_string(SPI_result));
		baseline_plans[per_owner] = plan;
	}
	if (SPI_execute_plan(baseline_plans[per_owner], args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read pg_drift's baseline catalog");
	if (SPI_processed == 0)
		baseline_missing_error(name);
	row = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	d = SPI_getbinval(row, desc, 1, &isnull);
	if (isnull)
	{
		char	   *have = SPI_getvalue(row, desc, 2);

		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("baseline \"%s\" has no column \"%s\"", name, column),
				 have ? errdetail("The baseline profiles: %s.", have) : 0,
				 errhint("Capture the column with drift.capture_baseline(..., columns => ARRAY[...]).")));
	}
	old = MemoryContextSwitchTo(cxt);
	version->ctid = *(ItemPointer) DatumGetPointer(SPI_getbinval(row, desc, 3, &isnull));
	version->xmin = DatumGetTransactionId(SPI_getbinval(row, desc, 4, &isnull));
	version->stored = palloc(VARSIZE_ANY(DatumGetPointer(d)));
	memcpy(version->stored, DatumGetPointer(d), VARSIZE_ANY(DatumGetPointer(d)));
	if (known == NULL || !same_version(known, version))
		result = (DriftProfile *) PG_DETOAST_DATUM_COPY(d);
	MemoryContextSwitchTo(old);
	SPI_finish();
	if (result != NULL)
		profile_check_usable(result);
	return result;
}

PG_FUNCTION_INFO_V1(drift_baseline_profile);

/* What drift.baseline() keeps in fn_extra: the last profile it returned. */
typedef struct BaselineCallCache
{
	bool		args_const;		/* both arguments are literals (Const nodes) */
	text	   *name;
	text	   *column;
	MemoryContext pin;			/* holds the pin on the backend's entry */
	DriftProfile *profile;		/* the entry's (baseline_shared.c) */
} BaselineCallCache;

/*
 * Are all arguments of the call literals, so that its first result holds for
 * as long as the expression lives?  Only Const nodes qualify: unlike an
 * aggregate's state, a plain call's FmgrInfo can outlive one value of a $n
 * (PL/pgSQL keeps a simple expression's state across evaluations with new
 * parameter values), so a parameter is compared on every call.
 */
static bool
call_args_literal(FunctionCallInfo fcinfo)
{
	Node	   *call = fcinfo->flinfo->fn_expr;
	ListCell   *lc;

	if (call == NULL || !IsA(call, FuncExpr))
		return false;
	foreach(lc, ((FuncExpr *) call)->args)
	{
		if (!IsA(lfirst(lc), Const))
			return false;
	}
	return true;
}

/*
 * drift.baseline(name, column): the stored profile.
 *
 * Written as ks_drift(x, drift.baseline('b', 'c')) the call is evaluated once
 * per row; the profile comes from the backend's cache (baseline_shared.c,
 * checked against the catalog once per query and snapshot, pinned while the
 * expression lives) and the same (read-only) value is returned every time.  When both arguments are literals (the usual
 * case) the first result holds for every row and nothing is compared;
 * otherwise the per-row check compares the arguments'
 * bytes in place (converting them to C strings cost a sixth of a KS query).
 */
Datum
drift_baseline_profile(PG_FUNCTION_ARGS)
{
	BaselineCallCache *cache = (BaselineCallCache *) fcinfo->flinfo->fn_extra;
	MemoryContext cxt = fcinfo->flinfo->fn_mcxt;
	text	   *name;
	text	   *column;

	if (likely(cache != NULL) && cache->args_const && cache->profile != NULL)
		PG_RETURN_POINTER(cache->profile);
	name = PG_GETARG_TEXT_PP(0);
	column = PG_GETARG_TEXT_PP(1);
	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(cxt, sizeof(BaselineCallCache));
		cache->args_const = call_args_literal(fcinfo);
		fcinfo->flinfo->fn_extra = cache;
	}
	if (cache->profile == NULL || !text_bytes_equal(cache->name, name) || !text_bytes_equal(cache->column, column))
	{
		MemoryContext old;

		if (cache->profile != NULL)
		{
			pfree(cache->name);
			pfree(cache->column);
			MemoryContextDelete(cache->pin);	/* unpins the entry */
		}
		cache->profile = NULL;
		old = MemoryContextSwitchTo(cxt);
		cache->name = (text *) PG_DETOAST_DATUM_COPY(PointerGetDatum(name));
		cache->column = (text *) PG_DETOAST_DATUM_COPY(PointerGetDatum(column));
		MemoryContextSwitchTo(old);
		cache->pin = AllocSetContextCreate(cxt, "pg_drift baseline pin", ALLOCSET_SMALL_SIZES);
		cache->profile = shared_baseline_acquire(text_to_cstring(name), text_to_cstring(column),
												 cache->pin)->profile;
	}
	PG_RETURN_POINTER(cache->profile);
}
