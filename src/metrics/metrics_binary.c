/*
 * metrics_binary.c
 *		binary_metrics(predicted bool, actual bool) and
 *		binary_metrics(score float8, actual bool, threshold float8): the
 *		confusion matrix and scikit-learn's accuracy, precision, recall and
 *		F1 for the positive class (true), as a plain, parallel, Citus-pushable
 *		and moving-window aggregate.
 *
 * The state is the four confusion counts: a fixed-size named type
 * (binary_metrics_state) updated in place.  Counts are exactly invertible, so
 * the moving-aggregate inverse is a decrement and a frame of any size costs
 * O(1) per row.  A pair with a NULL side is skipped; so is a NaN score.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "common/int.h"
#include "funcapi.h"
#include "core/state_codec.h"
#include "core/pg_drift.h"
#include "libpq/pqformat.h"

#include "metrics/metrics_io.h"

#define BINARY_STATE_TYPE "drift_binary_metrics_state"

typedef struct BinaryState
{
	int64		tp;				/* predicted true, actual true */
	int64		fp;				/* predicted true, actual false */
	int64		tn;				/* predicted false, actual false */
	int64		fn;				/* predicted false, actual true */
} BinaryState;

StaticAssertDecl(sizeof(BinaryState) == 32, "drift_binary_metrics_state INTERNALLENGTH in SQL");

PG_FUNCTION_INFO_V1(binary_metrics_trans);
PG_FUNCTION_INFO_V1(binary_metrics_inv);
PG_FUNCTION_INFO_V1(binary_metrics_score_trans);
PG_FUNCTION_INFO_V1(binary_metrics_score_inv);
PG_FUNCTION_INFO_V1(binary_metrics_combine);
PG_FUNCTION_INFO_V1(binary_metrics_final);

/* The state argument, or a new zeroed state when it is still NULL. */
static BinaryState *
binary_state_arg(FunctionCallInfo fcinfo, const char *fn)
{
	(void) aggregate_context(fcinfo, fn);
	if (PG_ARGISNULL(0))
		return palloc0(sizeof(BinaryState));	/* the executor copies it */
	return (BinaryState *) PG_GETARG_POINTER(0);
}

/*
 * Count (delta = 1) or uncount (delta = -1) one pair.  Uncounting a pair the
 * state does not hold (a user's moving aggregate whose MINITCOND or MSFUNC is
 * not ours) is an error: counts never go negative.
 */
static inline void
binary_count(BinaryState *s, bool predicted, bool actual, int64 delta)
{
	int64	   *cell = predicted ? (actual ? &s->tp : &s->fp) : (actual ? &s->fn : &s->tn);

	if (delta < 0 && *cell <= 0)
		metrics_inverse_missing("binary_metrics_inv", "pair");
	*cell += delta;
}

/* Is score at or above threshold, i.e. a positive prediction?  Errors on a bad threshold. */
static inline bool
binary_score_positive(FunctionCallInfo fcinfo, bool *skip)
{
	float8		score,
				threshold;

	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("binary_metrics threshold must not be NULL"),
				 errhint("Pass the score at or above which a prediction counts as positive.")));
	threshold = PG_GETARG_FLOAT8(3);
	if (isnan(threshold))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("binary_metrics threshold must not be NaN")));
	*skip = PG_ARGISNULL(1) || PG_ARGISNULL(2);
	if (*skip)
		return false;
	score = PG_GETARG_FLOAT8(1);
	if (isnan(score))
	{
		*skip = true;
		return false;
	}
	return score >= threshold;
}

/* Transition: count one (predicted, actual) pair. */
Datum
binary_metrics_trans(PG_FUNCTION_ARGS)
{
	BinaryState *s = binary_state_arg(fcinfo, "binary_metrics_trans");

	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
		binary_count(s, PG_GETARG_BOOL(1), PG_GETARG_BOOL(2), 1);
	PG_RETURN_POINTER(s);
}

/* Inverse transition: a pair leaves the moving frame. */
Datum
binary_metrics_inv(PG_FUNCTION_ARGS)
{
	BinaryState *s = binary_state_arg(fcinfo, "binary_metrics_inv");

	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
		binary_count(s, PG_GETARG_BOOL(1), PG_GETARG_BOOL(2), -1);
	PG_RETURN_POINTER(s);
}

/* Transition of the score form: score >= threshold is a positive prediction. */
Datum
binary_metrics_score_trans(PG_FUNCTION_ARGS)
{
	BinaryState *s = binary_state_arg(fcinfo, "binary_metrics_score_trans");
	bool		skip;
	bool		positive = binary_score_positive(fcinfo, &skip);

	if (!skip)
		binary_count(s, positive, PG_GETARG_BOOL(2), 1);
	PG_RETURN_POINTER(s);
}

/* Inverse transition of the score form. */
Datum
binary_metrics_score_inv(PG_FUNCTION_ARGS)
{
	BinaryState *s = binary_state_arg(fcinfo, "binary_metrics_score_inv");
	bool		skip;
	bool		positive = binary_score_positive(fcinfo, &skip);

	if (!skip)
		binary_count(s, positive, PG_GETARG_BOOL(2), -1);
	PG_RETURN_POINTER(s);
}

/* Combine two partial states (strict: the executor handles NULLs). */
Datum
binary_metrics_combine(PG_FUNCTION_ARGS)
{
	/* outside an aggregate the first argument is not ours to change */
	BinaryState *a = (BinaryState *) state_combine_left(fcinfo, sizeof(BinaryState));
	BinaryState *b = (BinaryState *) PG_GETARG_POINTER(1);

	if (pg_add_s64_overflow(a->tp, b->tp, &a->tp) ||
		pg_add_s64_overflow(a->fp, b->fp, &a->fp) ||
		pg_add_s64_overflow(a->tn, b->tn, &a->tn) ||
		pg_add_s64_overflow(a->fn, b->fn, &a->fn))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("binary_metrics counts out of range")));
	PG_RETURN_POINTER(a);
}

/* x / y, or NULL (isnull) when y is 0. */
static inline Datum
ratio(int64 x, int64 y, bool *isnull)
{
	*isnull = (y == 0);
	return Float8GetDatum(y == 0 ? 0.0 : (double) x / (double) y);
}

/*
 * Final: n, tp, fp, tn, fn, accuracy, precision, recall, f1.  Undefined
 * ratios (zero denominators) are NULL; no rows give n = 0 and NULL ratios.
 */
Datum
binary_metrics_final(PG_FUNCTION_ARGS)
{
	TupleDesc	desc = metrics_result_desc(fcinfo);
	BinaryState zero = {0, 0, 0, 0};
	const BinaryState *s = PG_ARGISNULL(0) ? &zero : (BinaryState *) PG_GETARG_POINTER(0);
	int64		n = s->tp + s->fp + s->tn + s->fn;
	Datum		values[9];
	bool		nulls[9] = {false};

	values[0] = Int64GetDatum(n);
	values[1] = Int64GetDatum(s->tp);
	values[2] = Int64GetDatum(s->fp);
	values[3] = Int64GetDatum(s->tn);
	values[4] = Int64GetDatum(s->fn);
	values[5] = ratio(s->tp + s->tn, n, &nulls[5]);
	values[6] = ratio(s->tp, s->tp + s->fp, &nulls[6]);
	values[7] = ratio(s->tp, s->tp + s->fn, &nulls[7]);
	/* 2tp / (2tp + fp + fn): sklearn's F1, also where precision or recall alone is undefined */
	values[8] = ratio(2 * s->tp, 2 * s->tp + s->fp + s->fn, &nulls[8]);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/* Binary form: version int8, then tp, fp, tn, fn as int64. */
static bytea *
binary_state_send_bytes(const void *state)
{
	const BinaryState *s = state;
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint8(&buf, METRICS_STATE_VERSION);
	pq_sendint64(&buf, s->tp);
	pq_sendint64(&buf, s->fp);
	pq_sendint64(&buf, s->tn);
	pq_sendint64(&buf, s->fn);
	return pq_endtypsend(&buf);
}

/* Read and validate the binary form. */
static void *
binary_state_recv_buffer(StringInfo buf)
{
	BinaryState *s = palloc(sizeof(BinaryState));
	int64		n;

	metrics_check_version(BINARY_STATE_TYPE, buf);
	s->tp = metrics_recv_count(BINARY_STATE_TYPE, buf);
	s->fp = metrics_recv_count(BINARY_STATE_TYPE, buf);
	s->tn = metrics_recv_count(BINARY_STATE_TYPE, buf);
	s->fn = metrics_recv_count(BINARY_STATE_TYPE, buf);
	if (pg_add_s64_overflow(s->tp, s->fp, &n) ||
		pg_add_s64_overflow(n, s->tn, &n) ||
		pg_add_s64_overflow(n, s->fn, &n) ||
		pg_add_s64_overflow(n, s->tp, &n))	/* 2tp + fp + fn must fit too */
		state_invalid(BINARY_STATE_TYPE, "The counts overflow.");
	return s;
}

/* The type's I/O functions, from the binary form above (state_codec.h). */
STATE_CODEC(binary_metrics_state, BINARY_STATE_TYPE, false, binary_state_send_bytes, binary_state_recv_buffer)
