/*
 * integrity.c
 *		Data-integrity aggregates on numeric (and any-typed) columns:
 *
 *	null_rate_drift(value, 'baseline', 'column') / (value, profile)
 *		change of the NULL rate, with a two-proportion z-test
 *	null_rate_drift(baseline_profile, current_profile)
 *	out_of_range_share(value, 'baseline', 'column') / (value, profile)
 *		share of current values outside the baseline's [min, max]
 *
 * Their transition state, drift_integrity_state, has a fixed size: the
 * current rows' counts plus the few baseline numbers the final function needs
 * (row and NULL counts, min and max), copied in when the group's first row
 * resolves the baseline.  The final function therefore never reads the
 * catalog, and a partial state is self-contained wherever it is combined
 * (parallel workers, Citus shards).  Two states combine only when they were
 * counted against the same baseline (same profile fingerprint).
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "core/pg_drift.h"
#include "libpq/pqformat.h"
#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/syscache.h"

#include "baseline/baseline_cache.h"
#include "core/drift_result.h"
#include "core/call_site.h"
#include "core/state_codec.h"
#include "profile/profile.h"

PG_FUNCTION_INFO_V1(drift_integrity_state_combine);
PG_FUNCTION_INFO_V1(null_rate_drift_named_trans);
PG_FUNCTION_INFO_V1(null_rate_drift_profile_trans);
PG_FUNCTION_INFO_V1(null_rate_drift_final);
PG_FUNCTION_INFO_V1(null_rate_drift_profiles);
PG_FUNCTION_INFO_V1(out_of_range_share_named_trans);
PG_FUNCTION_INFO_V1(out_of_range_share_profile_trans);
PG_FUNCTION_INFO_V1(out_of_range_share_final);

#define INTEGRITY_STATE_VERSION 1
#define TYPE_NAME "drift_integrity_state"

typedef enum IntegrityMetric
{
	INTEGRITY_NULL_RATE = 1,
	INTEGRITY_OUT_OF_RANGE = 2
} IntegrityMetric;

/* Fixed-size (INTERNALLENGTH 96) state of the integrity aggregates. */
typedef struct IntegrityState
{
	uint8		version;		/* INTEGRITY_STATE_VERSION */
	uint8		metric;			/* IntegrityMetric */
	uint16		reserved1;
	int32		reserved2;
	uint64		fingerprint;	/* profile_fingerprint() of the baseline */
	int64		rows;			/* current rows, NULLs included */
	int64		nulls;			/* current NULLs */
	int64		nans;			/* current NaNs */
	int64		outside;		/* current non-NULL, non-NaN values outside [b_min, b_max] */
	int64		b_rows;			/* baseline rows: values + NULLs + NaNs */
	int64		b_nulls;		/* baseline NULLs */
	int64		b_values;		/* baseline values (not NULL, not NaN) */
	float8		b_min;			/* baseline minimum (NaN when b_values = 0) */
	float8		b_max;			/* baseline maximum */
	int64		reserved3;
} IntegrityState;

StaticAssertDecl(sizeof(IntegrityState) == 96, "drift_integrity_state is declared 96 bytes long");

/* A fresh state in the aggregate's context, carrying the baseline numbers. */
static IntegrityState *
integrity_create(FunctionCallInfo fcinfo, IntegrityMetric metric, const StreamBaseline *sb)
{
	MemoryContext aggcxt;
	IntegrityState *s;
	const DriftProfile *p = sb->profile;

	aggcxt = aggregate_context(fcinfo, "integrity transition function");
	s = MemoryContextAllocZero(aggcxt, sizeof(IntegrityState));
	s->version = INTEGRITY_STATE_VERSION;
	s->metric = metric;
	s->fingerprint = sb->fingerprint;
	s->b_nulls = p->null_count;
	s->b_values = p->count;
	s->b_rows = p->count + p->null_count + p->nan_count;
	s->b_min = s->b_max = get_float8_nan();
	if (p->kind == PROFILE_KIND_NUMERIC && p->count > 0)
	{
		s->b_min = p->min;
		s->b_max = p->max;
	}
	return s;
}

/*
 * The state argument of a transition function, which must be of metric: the
 * two aggregates share the type, and a group's state of the other metric
 * (the INITCOND of a user's aggregate, say) would be counted with another
 * test's baseline numbers (a text column's state has no range).  The final
 * functions read any state: every state counts rows, NULLs and NaNs.
 */
static IntegrityState *
integrity_arg(FunctionCallInfo fcinfo, IntegrityMetric metric)
{
	IntegrityState *s = (IntegrityState *) PG_GETARG_POINTER(0);

	if (s->metric != metric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s state of another test", TYPE_NAME),
				 errhint("Pass a state only to the functions of the aggregate that made it.")));
	return s;
}

/* The group's state: created on its first row, else checked against this row's baseline. */
static IntegrityState *
integrity_state(FunctionCallInfo fcinfo, IntegrityMetric metric, const StreamBaseline *sb)
{
	IntegrityState *s;

	if (PG_ARGISNULL(0))
		return integrity_create(fcinfo, metric, sb);
	(void) aggregate_context(fcinfo, "integrity transition function");
	s = integrity_arg(fcinfo, metric);
	require_same_baseline(s->fingerprint == sb->fingerprint, "baseline");
	return s;
}

/* Count one row: NULL, NaN (float8 input only) or a value checked against the range. */
static Datum
integrity_count(FunctionCallInfo fcinfo, IntegrityMetric metric, const StreamBaseline *sb,
				bool is_float8)
{
	IntegrityState *s = integrity_state(fcinfo, metric, sb);

	s->rows++;
	if (PG_ARGISNULL(1))
		s->nulls++;
	else if (is_float8)
	{
		float8		x = PG_GETARG_FLOAT8(1);

		if (isnan(x))
			s->nans++;
		else if (s->b_values == 0 || x < s->b_min || x > s->b_max)
			s->outside++;
	}
	PG_RETURN_POINTER(s);
}

/*
 * Is argument 1 declared float8 (as opposed to text)?  The transition
 * function's own declaration decides (one C function serves both), not the
 * call's expression: a wrapper such as Citus's worker_partial_agg calls us
 * with no fn_expr.
 */
static bool
value_is_float8(FunctionCallInfo fcinfo)
{
	HeapTuple	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fcinfo->flinfo->fn_oid));
	bool		is_float8;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", fcinfo->flinfo->fn_oid);
	is_float8 = ((Form_pg_proc) GETSTRUCT(tup))->proargtypes.values[1] == FLOAT8OID;
	ReleaseSysCache(tup);
	return is_float8;
}

/*
 * Resolve the row's baseline (once per query when its arguments are
 * constants), check it suits the metric, and count the row.
 */
static Datum
integrity_trans(FunctionCallInfo fcinfo, IntegrityMetric metric, bool named)
{
	CallSite   *cs = call_site_get(fcinfo);

	if (!cs->resolved)
	{
		StreamBaseline *sb = call_site_baseline(fcinfo, cs, named);

		if (metric == INTEGRITY_OUT_OF_RANGE)
			profile_require_numeric(sb->profile, "out_of_range_share");
		else
			profile_check_usable(sb->profile);
		/* the value's type is fixed by the call */
		cs->option = metric == INTEGRITY_OUT_OF_RANGE || value_is_float8(fcinfo);
		call_site_done(cs);
	}
	return integrity_count(fcinfo, metric, cs->sb, cs->option != 0);
}

/* Transition of null_rate_drift(value float8|text, baseline name, column). */
Datum
null_rate_drift_named_trans(PG_FUNCTION_ARGS)
{
	return integrity_trans(fcinfo, INTEGRITY_NULL_RATE, true);
}

/* Transition of null_rate_drift(value float8|text, profile). */
Datum
null_rate_drift_profile_trans(PG_FUNCTION_ARGS)
{
	return integrity_trans(fcinfo, INTEGRITY_NULL_RATE, false);
}

/* Transition of out_of_range_share(value float8, baseline name, column). */
Datum
out_of_range_share_named_trans(PG_FUNCTION_ARGS)
{
	return integrity_trans(fcinfo, INTEGRITY_OUT_OF_RANGE, true);
}

/* Transition of out_of_range_share(value float8, profile). */
Datum
out_of_range_share_profile_trans(PG_FUNCTION_ARGS)
{
	return integrity_trans(fcinfo, INTEGRITY_OUT_OF_RANGE, false);
}

/* Combine two partial states counted against the same baseline. */
Datum
drift_integrity_state_combine(PG_FUNCTION_ARGS)
{
	IntegrityState *a;
	IntegrityState *b;

	if (state_combine_start(fcinfo, sizeof(IntegrityState), (void **) &a, (void **) &b))
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a->metric != b->metric || a->fingerprint != b->fingerprint)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine integrity states of different baselines or metrics"),
				 errhint("Group by the baseline, or compute one aggregate per baseline.")));
	a->rows = count_add(a->rows, b->rows);
	a->nulls = count_add(a->nulls, b->nulls);
	a->nans = count_add(a->nans, b->nans);
	a->outside = count_add(a->outside, b->outside);
	PG_RETURN_POINTER(a);
}

/*
 * The NULL-rate test shared by the aggregate and the profile form.
 *
 * statistic = x_c / n_c - x_b / n_b: the current minus the baseline NULL rate,
 * where x counts NULL rows and n all rows (NULLs and NaNs included).
 * p-value: the two-sided pooled two-proportion z-test,
 *   p = (x_b + x_c) / (n_b + n_c),
 *   z = statistic / sqrt(p (1 - p) (1/n_b + 1/n_c)),
 *   p-value = erfc(|z| / sqrt 2) = 2 Φ(-|z|),
 * NULL when the pooled rate is 0 or 1 (no spread: the rates are equal and the
 * test is undefined, as in statsmodels' proportions_ztest).  No current rows:
 * NULL; an empty baseline: a NULL statistic.
 */
static Datum
null_rate_result(FunctionCallInfo fcinfo, int64 xb, int64 nb, int64 xc, int64 nc)
{
	double		rb,
				rc,
				pooled,
				se,
				z;

	if (nc == 0)
		PG_RETURN_NULL();
	if (nb == 0)
		return drift_result_make(fcinfo, 0, true, 0, true, nb, nc);
	rb = (double) xb / (double) nb;
	rc = (double) xc / (double) nc;
	pooled = ((double) xb + (double) xc) / ((double) nb + (double) nc);
	if (pooled <= 0.0 || pooled >= 1.0)
		return drift_result_make(fcinfo, rc - rb, false, 0, true, nb, nc);
	se = sqrt(pooled * (1.0 - pooled) * (1.0 / (double) nb + 1.0 / (double) nc));
	z = (rc - rb) / se;
	return drift_result_make(fcinfo, rc - rb, false, erfc(fabs(z) / M_SQRT2), false, nb, nc);
}

/* Final of null_rate_drift. */
Datum
null_rate_drift_final(PG_FUNCTION_ARGS)
{
	IntegrityState *s;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (IntegrityState *) PG_GETARG_POINTER(0);
	return null_rate_result(fcinfo, s->b_nulls, s->b_rows, s->nulls, s->rows);
}

/* null_rate_drift(baseline drift_profile, current drift_profile). */
Datum
null_rate_drift_profiles(PG_FUNCTION_ARGS)
{
	DriftProfile *b = PG_GETARG_DRIFT_PROFILE_P(0);
	DriftProfile *c = PG_GETARG_DRIFT_PROFILE_P(1);

	profile_check_usable(b);
	profile_check_usable(c);
	return null_rate_result(fcinfo, b->null_count, b->count + b->null_count + b->nan_count,
							c->null_count, c->count + c->null_count + c->nan_count);
}

/*
 * Final of out_of_range_share: outside / (non-NULL, non-NaN current values);
 * NULL when there are none.  Against an empty baseline every value is outside.
 */
Datum
out_of_range_share_final(PG_FUNCTION_ARGS)
{
	IntegrityState *s;
	int64		values;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (IntegrityState *) PG_GETARG_POINTER(0);
	values = s->rows - s->nulls - s->nans;
	if (values <= 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) s->outside / (double) values);
}

/* Binary form: version, metric, then every field in order with pq_send*. */
static bytea *
integrity_send_bytes(const void *state)
{
	const IntegrityState *s = state;
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, s->version);
	pq_sendbyte(&buf, s->metric);
	pq_sendint64(&buf, (int64) s->fingerprint);
	pq_sendint64(&buf, s->rows);
	pq_sendint64(&buf, s->nulls);
	pq_sendint64(&buf, s->nans);
	pq_sendint64(&buf, s->outside);
	pq_sendint64(&buf, s->b_rows);
	pq_sendint64(&buf, s->b_nulls);
	pq_sendint64(&buf, s->b_values);
	pq_sendfloat8(&buf, s->b_min);
	pq_sendfloat8(&buf, s->b_max);
	return pq_endtypsend(&buf);
}

/* Read and validate a binary form. */
static void *
integrity_recv_buffer(StringInfo buf)
{
	IntegrityState *s = palloc0(sizeof(IntegrityState));

	if (buf->len - buf->cursor != 2 + 10 * 8)
		state_invalid(TYPE_NAME, "The value has the wrong length.");
	s->version = pq_getmsgbyte(buf);
	s->metric = pq_getmsgbyte(buf);
	s->fingerprint = (uint64) pq_getmsgint64(buf);
	s->rows = pq_getmsgint64(buf);
	s->nulls = pq_getmsgint64(buf);
	s->nans = pq_getmsgint64(buf);
	s->outside = pq_getmsgint64(buf);
	s->b_rows = pq_getmsgint64(buf);
	s->b_nulls = pq_getmsgint64(buf);
	s->b_values = pq_getmsgint64(buf);
	s->b_min = pq_getmsgfloat8(buf);
	s->b_max = pq_getmsgfloat8(buf);
	if (s->version != INTEGRITY_STATE_VERSION)
		state_invalid(TYPE_NAME, "Unknown format version.");
	if (s->metric != INTEGRITY_NULL_RATE && s->metric != INTEGRITY_OUT_OF_RANGE)
		state_invalid(TYPE_NAME, "Unknown metric.");
	if (s->rows < 0 || s->nulls < 0 || s->nans < 0 || s->outside < 0 ||
		s->nulls > s->rows || s->nans > s->rows - s->nulls ||
		s->outside > s->rows - s->nulls - s->nans)
		state_invalid(TYPE_NAME, "The current counts are inconsistent.");
	if (s->b_nulls < 0 || s->b_values < 0 || s->b_rows < 0 ||
		s->b_nulls > s->b_rows || s->b_values > s->b_rows - s->b_nulls)
		state_invalid(TYPE_NAME, "The baseline counts are inconsistent.");
	if (isnan(s->b_min) != isnan(s->b_max) || s->b_min > s->b_max ||
		(s->metric == INTEGRITY_OUT_OF_RANGE && (s->b_values > 0) == isnan(s->b_min)))
		state_invalid(TYPE_NAME, "The baseline range is inconsistent.");
	return s;
}

/* The type's I/O functions, from the binary form above (state_codec.h). */
STATE_CODEC(drift_integrity_state, TYPE_NAME, false, integrity_send_bytes, integrity_recv_buffer)
