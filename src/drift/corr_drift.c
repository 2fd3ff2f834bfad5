/*
 * corr_drift.c
 *		Concept drift: the change of a feature's Pearson correlation with the
 *		target between the baseline and the current rows.
 *
 *	corr_drift(feature, target, 'baseline', 'column')      aggregate
 *	corr_drift(feature, target, baseline_r, baseline_n)    aggregate, baseline by value
 *
 * statistic = r_current - r_baseline.  p-value: Fisher's z-test for two
 * independent correlations (Fisher 1921; e.g. Cohen, Cohen, West & Aiken,
 * "Applied Multiple Regression/Correlation Analysis", §2.8):
 *		z = (atanh(r_c) - atanh(r_b)) / sqrt(1/(n_c - 3) + 1/(n_b - 3)),
 *		p = erfc(|z| / sqrt 2)  (two-sided).
 * The statistic is NULL when either correlation is undefined (fewer than two
 * pairs, a constant or infinite variable); the p-value also when either n < 4.
 * No pairs at all: NULL.  Rows where feature or target is NULL or NaN are
 * skipped (counted in the state).  The baseline correlations are captured by
 * drift.capture_target_correlations() into drift.baseline_correlations.
 *
 * The state, drift_corr_state, is fixed-size: co-moments updated one pair at
 * a time as in Welford (1962) and its bivariate form (the Youngs–Cramer
 * recurrences PostgreSQL's own corr() uses, differently arranged):
 *		n += 1;  dx = x - mx;  mx += dx / n;  dy = y - my;  my += dy / n;
 *		Cxx += dx (x - mx);  Cyy += dy (y - my);  Cxy += dx (y - my),
 * and two states combine with Chan, Golub & LeVeque's (1979) pairwise formula
 *		C = C_a + C_b + dx dy n_a n_b / n,  dx = mx_b - mx_a.
 * Both avoid the cancellation of raw sums of squares.  The moments are of
 * x - x0 and y - y0, (x0, y0) the first pair seen: a column such as 1e9 +
 * noise then keeps its means small and exact to the noise's precision, which
 * plain updates lose (the running mean near 1e9 rounds at 1e-7 every row);
 * with the shift r agrees with an exact computation to about 1e-14.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "core/pg_drift.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/memutils.h"

#include "baseline/baseline.h"
#include "baseline/baseline_cache.h"
#include "baseline/baseline_nodes.h"
#include "core/drift_result.h"
#include "core/call_site.h"
#include "core/state_codec.h"

PG_FUNCTION_INFO_V1(drift_corr_state_combine);
PG_FUNCTION_INFO_V1(corr_drift_named_trans);
PG_FUNCTION_INFO_V1(corr_drift_value_trans);
PG_FUNCTION_INFO_V1(corr_drift_final);

#define CORR_STATE_VERSION 1
#define TYPE_NAME "drift_corr_state"

/* Fixed-size (INTERNALLENGTH 96) state of corr_drift. */
typedef struct CorrState
{
	uint8		version;		/* CORR_STATE_VERSION */
	uint8		reserved1[7];
	int64		n;				/* pairs counted */
	int64		skipped;		/* rows with a NULL or NaN in either column */
	float8		shift_x;		/* first pair seen: moments are of (x - shift_x) */
	float8		shift_y;
	float8		mean_x;			/* mean of x - shift_x */
	float8		mean_y;
	float8		cxx;			/* sum of (x - mean_x)^2 */
	float8		cyy;			/* sum of (y - mean_y)^2 */
	float8		cxy;			/* sum of (x - mean_x)(y - mean_y) */
	float8		b_r;			/* baseline correlation (NaN when undefined) */
	int64		b_n;			/* baseline pairs */
} CorrState;

StaticAssertDecl(sizeof(CorrState) == 96, "drift_corr_state is declared 96 bytes long");

/* The baseline correlation of one (baseline, column), cached per query. */
typedef struct CorrBaselineCache
{
	char	   *name;
	char	   *column;
	float8		r;
	int64		n;
} CorrBaselineCache;

/*
 * The baseline a name means to the caller: drift.baseline_owner, or on the
 * 0.1.0 catalog the only baseline of that name (baseline_names_per_owner).
 */
#define CORR_QUERY(owner_of_name, same_owner) \
	"SELECT one.owner IS NOT NULL, c.correlation, c.n, c.target_column" \
	"  FROM (SELECT " owner_of_name " AS owner) AS one" \
	"  LEFT JOIN drift.baseline_correlations c" \
	"    ON c.baseline_name OPERATOR(pg_catalog.=) $1 AND c.column_name OPERATOR(pg_catalog.=) $2" \
	same_owner

static const char *const corr_queries[2] = {
	CORR_QUERY("(SELECT b.owner FROM drift.baselines b WHERE b.name OPERATOR(pg_catalog.=) $1)", ""),
	CORR_QUERY("drift.baseline_owner($1)", " AND c.baseline_owner OPERATOR(pg_catalog.=) one.owner")
};

/* Read (r, n) of column's correlation with the target in baseline name. */
static void
corr_baseline_fetch(const char *name, const char *column, float8 *r, int64 *n)
{
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		args[2];
	bool		isnull;
	bool		exists;
	Datum		d;

	args[0] = CStringGetTextDatum(name);
	args[1] = CStringGetTextDatum(column);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(corr_queries[baseline_names_per_owner() ? 1 : 0], 2, argtypes,
							  args, NULL, true, 2) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "could not read pg_drift's baseline correlations");
	exists = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (!exists)
		baseline_missing_error(name);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("baseline \"%s\" has no target correlation for column \"%s\"", name, column),
				 errhint("Capture it with drift.capture_target_correlations(), or with "
						 "drift.capture_baseline(..., target_column => ...).")));
	*n = DatumGetInt64(d);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
	*r = isnull ? get_float8_nan() : DatumGetFloat8(d);
	SPI_finish();
}

/*
 * The baseline (r, n) for text arguments 3 and 4, kept in the call site: once
 * per query when they are constants (core/call_site.c), else fetched again
 * only when the name or column changes.
 */
static CorrBaselineCache *
corr_baseline_named(FunctionCallInfo fcinfo)
{
	CallSite   *cs = call_site_get_after(fcinfo, 2);
	CorrBaselineCache *cache = (CorrBaselineCache *) cs->data;
	char	   *name;
	char	   *column;

	if (cs->resolved)
		return cache;
	if (PG_ARGISNULL(3) || PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("baseline name and column must not be NULL"),
				 errhint("Name the baseline and the feature column.")));
	name = TextDatumGetCString(PG_GETARG_DATUM(3));
	column = TextDatumGetCString(PG_GETARG_DATUM(4));
	if (cache == NULL || strcmp(cache->name, name) != 0 || strcmp(cache->column, column) != 0)
	{
		float8		br;
		int64		bn;

		corr_baseline_fetch(name, column, &br, &bn);
		if (cache == NULL)
			cache = cs->data = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
													  sizeof(CorrBaselineCache));
		else
		{
			pfree(cache->name);
			pfree(cache->column);
		}
		cache->name = MemoryContextStrdup(fcinfo->flinfo->fn_mcxt, name);
		cache->column = MemoryContextStrdup(fcinfo->flinfo->fn_mcxt, column);
		cache->r = br;
		cache->n = bn;
	}
	pfree(name);
	pfree(column);
	call_site_done(cs);
	return cache;
}

/* Are two baseline descriptions the same (NaN equal to NaN)? */
static inline bool
same_baseline(float8 r1, int64 n1, float8 r2, int64 n2)
{
	return n1 == n2 && (r1 == r2 || (isnan(r1) && isnan(r2)));
}

/* Add one row to the group's state (created on the first row). */
static Datum
corr_count(FunctionCallInfo fcinfo, float8 b_r, int64 b_n)
{
	MemoryContext aggcxt;
	CorrState  *s;
	float8		x,
				y,
				dx,
				dy;

	aggcxt = aggregate_context(fcinfo, "corr_drift transition function");
	if (PG_ARGISNULL(0))
	{
		s = MemoryContextAllocZero(aggcxt, sizeof(CorrState));
		s->version = CORR_STATE_VERSION;
		s->b_r = b_r;
		s->b_n = b_n;
	}
	else
	{
		s = (CorrState *) PG_GETARG_POINTER(0);
		require_same_baseline(same_baseline(s->b_r, s->b_n, b_r, b_n), "baseline");
	}
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		s->skipped++;
		PG_RETURN_POINTER(s);
	}
	x = PG_GETARG_FLOAT8(1);
	y = PG_GETARG_FLOAT8(2);
	if (isnan(x) || isnan(y))
	{
		s->skipped++;
		PG_RETURN_POINTER(s);
	}
	if (s->n == 0)
	{
		s->shift_x = x;
		s->shift_y = y;
	}
	x -= s->shift_x;
	y -= s->shift_y;
	s->n++;
	dx = x - s->mean_x;
	s->mean_x += dx / (double) s->n;
	dy = y - s->mean_y;
	s->mean_y += dy / (double) s->n;
	s->cxx += dx * (x - s->mean_x);
	s->cyy += dy * (y - s->mean_y);
	s->cxy += dx * (y - s->mean_y);
	PG_RETURN_POINTER(s);
}

/* Transition of corr_drift(feature, target, baseline name, column). */
Datum
corr_drift_named_trans(PG_FUNCTION_ARGS)
{
	CorrBaselineCache *b = corr_baseline_named(fcinfo);

	return corr_count(fcinfo, b->r, b->n);
}

/* Transition of corr_drift(feature, target, baseline_r, baseline_n). */
Datum
corr_drift_value_trans(PG_FUNCTION_ARGS)
{
	float8		r;
	int64		n;

	if (PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("baseline_n must not be NULL"),
				 errhint("Pass the number of pairs the baseline correlation was computed from.")));
	r = PG_ARGISNULL(3) ? get_float8_nan() : PG_GETARG_FLOAT8(3);
	n = PG_GETARG_INT64(4);
	if (n < 0 || !(isnan(r) || (r >= -1.0 && r <= 1.0)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid baseline correlation %g with n = " INT64_FORMAT, r, n),
				 errhint("A correlation lies in [-1, 1] (NULL when undefined) and n is not negative.")));
	return corr_count(fcinfo, r, n);
}

/* Combine two partial states (Chan, Golub & LeVeque). */
Datum
drift_corr_state_combine(PG_FUNCTION_ARGS)
{
	CorrState  *a;
	CorrState  *b;
	double		n,
				dx,
				dy,
				wb;

	if (state_combine_start(fcinfo, sizeof(CorrState), (void **) &a, (void **) &b))
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (!same_baseline(a->b_r, a->b_n, b->b_r, b->b_n))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine corr_drift states of different baselines"),
				 errhint("Group by the baseline, or compute one aggregate per baseline.")));
	a->skipped = count_add(a->skipped, b->skipped);
	if (b->n == 0)
		PG_RETURN_POINTER(a);
	if (a->n == 0)
	{
		int64		skipped = a->skipped;

		memcpy(a, b, sizeof(CorrState));
		a->skipped = skipped;
		PG_RETURN_POINTER(a);
	}
	n = (double) a->n + (double) b->n;
	wb = (double) b->n / n;
	/* difference of the absolute means, each kept relative to its own shift */
	dx = (b->shift_x - a->shift_x) + (b->mean_x - a->mean_x);
	dy = (b->shift_y - a->shift_y) + (b->mean_y - a->mean_y);
	a->cxx += b->cxx + dx * dx * (double) a->n * wb;
	a->cyy += b->cyy + dy * dy * (double) a->n * wb;
	a->cxy += b->cxy + dx * dy * (double) a->n * wb;
	a->mean_x += wb * dx;		/* a keeps its shift */
	a->mean_y += wb * dy;
	a->n = count_add(a->n, b->n);
	PG_RETURN_POINTER(a);
}

/* Pearson's r from co-moments; NaN when undefined. */
static double
pearson(double cxx, double cyy, double cxy, int64 n)
{
	double		r;

	if (n < 2 || !(cxx > 0.0) || !(cyy > 0.0) || !isfinite(cxx) || !isfinite(cyy))
		return get_float8_nan();
	r = cxy / (sqrt(cxx) * sqrt(cyy));
	if (!isfinite(r))
		return get_float8_nan();
	return Max(-1.0, Min(1.0, r));
}

/* Final: r_c - r_b and Fisher's z-test (see the file header). */
Datum
corr_drift_final(PG_FUNCTION_ARGS)
{
	CorrState  *s;
	double		rc,
				rb,
				z;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (CorrState *) PG_GETARG_POINTER(0);
	if (s->n == 0)
		PG_RETURN_NULL();
	rc = pearson(s->cxx, s->cyy, s->cxy, s->n);
	rb = s->b_r;
	if (isnan(rc) || isnan(rb))
		return drift_result_make(fcinfo, 0, true, 0, true, s->b_n, s->n);
	if (s->n < 4 || s->b_n < 4)
		return drift_result_make(fcinfo, rc - rb, false, 0, true, s->b_n, s->n);
	z = (atanh(rc) - atanh(rb)) / sqrt(1.0 / (double) (s->n - 3) + 1.0 / (double) (s->b_n - 3));
	if (isnan(z))				/* both +-1 and equal: no evidence of change */
		return drift_result_make(fcinfo, rc - rb, false, 0, true, s->b_n, s->n);
	return drift_result_make(fcinfo, rc - rb, false, erfc(fabs(z) / M_SQRT2), false, s->b_n, s->n);
}

/* Binary form, field by field. */
static bytea *
corr_send_bytes(const void *state)
{
	const CorrState *s = state;
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, s->version);
	pq_sendint64(&buf, s->n);
	pq_sendint64(&buf, s->skipped);
	pq_sendfloat8(&buf, s->shift_x);
	pq_sendfloat8(&buf, s->shift_y);
	pq_sendfloat8(&buf, s->mean_x);
	pq_sendfloat8(&buf, s->mean_y);
	pq_sendfloat8(&buf, s->cxx);
	pq_sendfloat8(&buf, s->cyy);
	pq_sendfloat8(&buf, s->cxy);
	pq_sendfloat8(&buf, s->b_r);
	pq_sendint64(&buf, s->b_n);
	return pq_endtypsend(&buf);
}

/* Read and validate a binary form. */
static void *
corr_recv_buffer(StringInfo buf)
{
	CorrState  *s = palloc0(sizeof(CorrState));

	if (buf->len - buf->cursor != 1 + 11 * 8)
		state_invalid(TYPE_NAME, "The value has the wrong length.");
	s->version = pq_getmsgbyte(buf);
	s->n = pq_getmsgint64(buf);
	s->skipped = pq_getmsgint64(buf);
	s->shift_x = pq_getmsgfloat8(buf);
	s->shift_y = pq_getmsgfloat8(buf);
	s->mean_x = pq_getmsgfloat8(buf);
	s->mean_y = pq_getmsgfloat8(buf);
	s->cxx = pq_getmsgfloat8(buf);
	s->cyy = pq_getmsgfloat8(buf);
	s->cxy = pq_getmsgfloat8(buf);
	s->b_r = pq_getmsgfloat8(buf);
	s->b_n = pq_getmsgint64(buf);
	if (s->version != CORR_STATE_VERSION)
		state_invalid(TYPE_NAME, "Unknown format version.");
	if (s->n < 0 || s->skipped < 0 || s->b_n < 0)
		state_invalid(TYPE_NAME, "A count is negative.");
	if (s->cxx < 0.0 || s->cyy < 0.0)
		state_invalid(TYPE_NAME, "A sum of squares is negative.");
	if (!(isnan(s->b_r) || (s->b_r >= -1.0 && s->b_r <= 1.0)))
		state_invalid(TYPE_NAME, "The baseline correlation is outside [-1, 1].");
	if (s->n == 0 && (s->shift_x != 0.0 || s->shift_y != 0.0 || s->mean_x != 0.0 || s->mean_y != 0.0 || s->cxx != 0.0 ||
					  s->cyy != 0.0 || s->cxy != 0.0))
		state_invalid(TYPE_NAME, "An empty state has moments.");
	return s;
}

/* The type's I/O functions, from the binary form above (state_codec.h). */
STATE_CODEC(drift_corr_state, TYPE_NAME, false, corr_send_bytes, corr_recv_buffer)
