/*
 * metrics_regression.c
 *		regression_metrics(predicted float8, actual float8): n, mse, rmse,
 *		mae, mape, r2 and bias as scikit-learn defines them (bias =
 *		mean(predicted - actual)), as a plain, parallel, Citus-pushable and
 *		moving-window aggregate.
 *
 * The state is a fixed-size named type (regression_metrics_state) of sums,
 * updated in place.  A moving window subtracts a row's terms when it leaves
 * the frame, so the sums must not drift: they are double-doubles
 * (stats/double_double.h), whose add-then-remove residue is ~2^-105 of the
 * largest partial sum, and the inverse gives up (returns NULL, so PostgreSQL
 * recomputes the frame) when a sum has become non-finite or has fallen more
 * than 2^40 below its peak, where the residues could start to show at 1e-9.
 *
 * r2 = 1 - SSE / SST needs SST = sum (a - mean a)^2 of the frame.  It is
 * computed as sum a^2 - (sum a)^2 / n in double-double, with each a^2 added
 * exactly (TwoProduct), so that the cancellation when |mean| >> sd (values
 * around 1e4 with unit noise lose 8 digits) still leaves ~90 good bits.
 * Whether SST is exactly 0 (constant actual values: scikit-learn's
 * force_finite rule gives 1.0 or 0.0) cannot be read from rounded sums, so an
 * exact integer test tracks it (stats/same_values.h); likewise counts of
 * non-zero errors make a perfect frame's SSE exactly 0.
 *
 * Pairs with a NULL or NaN side are skipped.  Infinite values propagate as in
 * IEEE arithmetic (an infinite error gives infinite mse), as scikit-learn's
 * NumPy sums would.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "core/state_codec.h"
#include "core/pg_drift.h"
#include "libpq/pqformat.h"

#include "metrics/metrics_io.h"
#include "stats/same_values.h"

#define REGRESSION_STATE_TYPE "drift_regression_metrics_state"

/* scikit-learn's mape guard: np.finfo(np.float64).eps */
#define MAPE_EPS 2.220446049250313e-16

typedef struct RegressionState
{
	int64		n;				/* pairs counted */
	int64		n_err;			/* pairs with predicted != actual */
	int64		n_sq;			/* pairs with (predicted - actual)^2 != 0 */
	int64		pad;
	DD			s_e;			/* sum of e = predicted - actual */
	DD			s_e2;			/* sum of e^2 (as NumPy rounds it) */
	DD			s_ae;			/* sum of |e| */
	DD			s_ape;			/* sum of |e| / max(|actual|, eps) */
	DD			s_a;			/* sum of actual */
	DD			s_a2;			/* sum of actual^2, each added exactly */
	double		peak_e2;		/* largest |s_e2.hi| since the state began */
	double		peak_ae;
	double		peak_ape;
	double		peak_a2;
	SameValues	same;			/* exact "all actual values equal" test */
} RegressionState;

StaticAssertDecl(sizeof(RegressionState) == 200, "drift_regression_metrics_state INTERNALLENGTH in SQL");

PG_FUNCTION_INFO_V1(regression_metrics_trans);
PG_FUNCTION_INFO_V1(regression_metrics_inv);
PG_FUNCTION_INFO_V1(regression_metrics_combine);
PG_FUNCTION_INFO_V1(regression_metrics_final);

/* The state argument, or a new empty state when it is still NULL. */
static RegressionState *
regression_state_arg(FunctionCallInfo fcinfo, const char *fn)
{
	(void) aggregate_context(fcinfo, fn);
	if (PG_ARGISNULL(0))
		return palloc0(sizeof(RegressionState));	/* the executor copies it */
	return (RegressionState *) PG_GETARG_POINTER(0);
}

/* The pair of this call, or false when it is to be skipped (NULL or NaN). */
static inline bool
regression_pair(FunctionCallInfo fcinfo, double *p, double *a)
{
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		return false;
	*p = PG_GETARG_FLOAT8(1);
	*a = PG_GETARG_FLOAT8(2);
	return !isnan(*p) && !isnan(*a);
}

/* Add (sign = 1) or remove (sign = -1) one pair's terms. */
static inline void
regression_update(RegressionState *s, double p, double a, double sign)
{
	double		e = p - a;
	double		e2 = e * e;
	double		ae = fabs(e);
	double		ape = ae / fmax(fabs(a), MAPE_EPS);
	double		q,
				qe;

	dd_two_prod(a, a, &q, &qe);
	s->s_e = dd_add_d(s->s_e, sign * e);
	s->s_e2 = dd_add_d(s->s_e2, sign * e2);
	s->s_ae = dd_add_d(s->s_ae, sign * ae);
	s->s_ape = dd_add_d(s->s_ape, sign * ape);
	s->s_a = dd_add_d(s->s_a, sign * a);
	s->s_a2 = dd_add_d(s->s_a2, sign * q);
	if (isfinite(q))
		s->s_a2 = dd_add_d(s->s_a2, sign * qe);
	sv_update(&s->same, a, sign > 0 ? 1 : -1);
	s->n += (int64) sign;
	if (e != 0)
		s->n_err += (int64) sign;
	if (e2 != 0)
		s->n_sq += (int64) sign;
}

/* Raise the peaks to the current sums (after adding). */
static inline void
regression_raise_peaks(RegressionState *s)
{
	s->peak_e2 = fmax(s->peak_e2, fabs(s->s_e2.hi));
	s->peak_ae = fmax(s->peak_ae, fabs(s->s_ae.hi));
	s->peak_ape = fmax(s->peak_ape, fabs(s->s_ape.hi));
	s->peak_a2 = fmax(s->peak_a2, fabs(s->s_a2.hi));
}

/* Transition: add one (predicted, actual) pair. */
Datum
regression_metrics_trans(PG_FUNCTION_ARGS)
{
	RegressionState *s = regression_state_arg(fcinfo, "regression_metrics_trans");
	double		p,
				a;

	if (regression_pair(fcinfo, &p, &a))
	{
		regression_update(s, p, a, 1.0);
		regression_raise_peaks(s);
	}
	PG_RETURN_POINTER(s);
}

/*
 * Inverse transition: a pair leaves the moving frame.  Returns NULL (the
 * executor then recomputes the frame from scratch) when subtraction cannot be
 * trusted: a sum is infinite or NaN, or has shrunk so far below its peak that
 * double-double residues could matter.
 */
Datum
regression_metrics_inv(PG_FUNCTION_ARGS)
{
	RegressionState *s = regression_state_arg(fcinfo, "regression_metrics_inv");
	double		p,
				a;

	if (!regression_pair(fcinfo, &p, &a))
		PG_RETURN_POINTER(s);
	if (s->n == 0)
		metrics_inverse_missing("regression_metrics_inv", "pair");
	if (!isfinite(s->s_e.hi) || !isfinite(s->s_e2.hi) || !isfinite(s->s_ae.hi) ||
		!isfinite(s->s_ape.hi) || !isfinite(s->s_a.hi) || !isfinite(s->s_a2.hi))
		PG_RETURN_NULL();
	regression_update(s, p, a, -1.0);
	if (s->n == 0)
	{
		/* an empty frame starts afresh, residues and peaks included */
		memset(s, 0, sizeof(RegressionState));
		PG_RETURN_POINTER(s);
	}

	/*
	 * Sums of terms that are now all exactly zero are exactly zero: drop
	 * their residues and peaks instead of carrying them to the next rows.
	 */
	if (s->n_sq == 0)
	{
		s->s_e2 = (DD) {0, 0};
		s->peak_e2 = 0;
	}
	if (s->n_err == 0)
	{
		s->s_e = s->s_ae = s->s_ape = (DD) {0, 0};
		s->peak_ae = s->peak_ape = 0;
	}
	if (dd_fell_from_peak(s->s_e2, s->peak_e2) ||
		dd_fell_from_peak(s->s_ae, s->peak_ae) ||
		dd_fell_from_peak(s->s_ape, s->peak_ape) ||
		dd_fell_from_peak(s->s_a2, s->peak_a2))
		PG_RETURN_NULL();		/* the recomputed state starts with fresh peaks */
	PG_RETURN_POINTER(s);
}

/* Combine two partial states (strict: the executor handles NULLs). */
Datum
regression_metrics_combine(PG_FUNCTION_ARGS)
{
	/* outside an aggregate the first argument is not ours to change */
	RegressionState *a = (RegressionState *) state_combine_left(fcinfo, sizeof(RegressionState));
	RegressionState *b = (RegressionState *) PG_GETARG_POINTER(1);

	a->n = count_add(a->n, b->n);
	a->n_err = count_add(a->n_err, b->n_err);
	a->n_sq = count_add(a->n_sq, b->n_sq);
	a->s_e = dd_add(a->s_e, b->s_e);
	a->s_e2 = dd_add(a->s_e2, b->s_e2);
	a->s_ae = dd_add(a->s_ae, b->s_ae);
	a->s_ape = dd_add(a->s_ape, b->s_ape);
	a->s_a = dd_add(a->s_a, b->s_a);
	a->s_a2 = dd_add(a->s_a2, b->s_a2);
	sv_merge(&a->same, &b->same);
	a->peak_e2 = fmax(a->peak_e2, b->peak_e2);
	a->peak_ae = fmax(a->peak_ae, b->peak_ae);
	a->peak_ape = fmax(a->peak_ape, b->peak_ape);
	a->peak_a2 = fmax(a->peak_a2, b->peak_a2);
	regression_raise_peaks(a);
	PG_RETURN_POINTER(a);
}

/*
 * scikit-learn's r2_score with force_finite: NULL for fewer than 2 pairs;
 * with constant actual values 1.0 if SSE = 0, else 0.0; else 1 - SSE/SST.
 */
static bool
regression_r2(const RegressionState *s, double sse, double *r2)
{
	double		sst;

	if (s->n < 2)
		return false;
	if (sv_all_equal(&s->same, (uint64_t) s->n))
		sst = 0.0;
	else
	{
		DD			sum_sq = dd_mul(s->s_a, s->s_a);

		sst = dd_value(dd_add(s->s_a2, dd_neg(dd_div_d(sum_sq, (double) s->n))));
		if (!isfinite(s->s_a.hi))
			sst = dd_value(s->s_a2) - s->s_a.hi * s->s_a.hi / (double) s->n;
	}
	if (sst == 0.0 || (isfinite(sst) && sst < 0.0))
		*r2 = (sse == 0.0) ? 1.0 : 0.0;		/* SST underflowed to 0, as NumPy's would */
	else if (sse == 0.0)
		*r2 = 1.0;
	else
		*r2 = 1.0 - sse / sst;
	return true;
}

/* Final: n, mse, rmse, mae, mape, r2, bias; no pairs give n = 0 and NULLs. */
Datum
regression_metrics_final(PG_FUNCTION_ARGS)
{
	TupleDesc	desc = metrics_result_desc(fcinfo);
	Datum		values[7];
	bool		nulls[7] = {false};
	const RegressionState *s;
	double		n,
				sse,
				r2;

	if (PG_ARGISNULL(0) || ((RegressionState *) PG_GETARG_POINTER(0))->n == 0)
	{
		values[0] = Int64GetDatum(0);
		for (int i = 1; i < 7; i++)
			nulls[i] = true;
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
	}
	s = (RegressionState *) PG_GETARG_POINTER(0);
	n = (double) s->n;
	sse = (s->n_sq == 0) ? 0.0 : dd_value(s->s_e2);
	values[0] = Int64GetDatum(s->n);
	values[1] = Float8GetDatum(sse / n);
	values[2] = Float8GetDatum(sqrt(sse / n));
	values[3] = Float8GetDatum(s->n_err == 0 ? 0.0 : dd_value(s->s_ae) / n);
	values[4] = Float8GetDatum(s->n_err == 0 ? 0.0 : dd_value(s->s_ape) / n);
	nulls[5] = !regression_r2(s, sse, &r2);
	values[5] = Float8GetDatum(nulls[5] ? 0.0 : r2);
	values[6] = Float8GetDatum(s->n_err == 0 ? 0.0 : dd_value(s->s_e) / n);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/*
 * Binary form: version int8; n, n_err, n_sq int64; the six sums as (hi, lo)
 * float8 pairs in struct order; the four peaks as float8; the exact
 * same-value sums as five uint64 limbs.
 */
static bytea *
regression_state_send_bytes(const void *state)
{
	const RegressionState *s = state;
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint8(&buf, METRICS_STATE_VERSION);
	pq_sendint64(&buf, s->n);
	pq_sendint64(&buf, s->n_err);
	pq_sendint64(&buf, s->n_sq);
	metrics_send_dd(&buf, s->s_e);
	metrics_send_dd(&buf, s->s_e2);
	metrics_send_dd(&buf, s->s_ae);
	metrics_send_dd(&buf, s->s_ape);
	metrics_send_dd(&buf, s->s_a);
	metrics_send_dd(&buf, s->s_a2);
	pq_sendfloat8(&buf, s->peak_e2);
	pq_sendfloat8(&buf, s->peak_ae);
	pq_sendfloat8(&buf, s->peak_ape);
	pq_sendfloat8(&buf, s->peak_a2);
	pq_sendint64(&buf, (int64) s->same.s1[0]);
	pq_sendint64(&buf, (int64) s->same.s1[1]);
	pq_sendint64(&buf, (int64) s->same.s2[0]);
	pq_sendint64(&buf, (int64) s->same.s2[1]);
	pq_sendint64(&buf, (int64) s->same.s2[2]);
	return pq_endtypsend(&buf);
}

/* Read a float8 peak. */
static double
recv_peak(StringInfo buf, DD sum)
{
	double		peak;

	if (buf->len - buf->cursor < 8)
		state_invalid(REGRESSION_STATE_TYPE, "The value is shorter than its peaks.");
	peak = pq_getmsgfloat8(buf);
	metrics_check_peak(REGRESSION_STATE_TYPE, sum, peak);
	return peak;
}

/* Read and validate the binary form. */
static void *
regression_state_recv_buffer(StringInfo buf)
{
	const char *t = REGRESSION_STATE_TYPE;
	RegressionState *s = palloc0(sizeof(RegressionState));

	metrics_check_version(t, buf);
	s->n = metrics_recv_count(t, buf);
	s->n_err = metrics_recv_count(t, buf);
	s->n_sq = metrics_recv_count(t, buf);
	if (s->n_err > s->n || s->n_sq > s->n_err)
		state_invalid(t, "The error counts exceed the number of pairs.");
	s->s_e = metrics_recv_dd(t, buf, false);
	s->s_e2 = metrics_recv_dd(t, buf, true);
	s->s_ae = metrics_recv_dd(t, buf, true);
	s->s_ape = metrics_recv_dd(t, buf, true);
	s->s_a = metrics_recv_dd(t, buf, false);
	s->s_a2 = metrics_recv_dd(t, buf, true);
	s->peak_e2 = recv_peak(buf, s->s_e2);
	s->peak_ae = recv_peak(buf, s->s_ae);
	s->peak_ape = recv_peak(buf, s->s_ape);
	s->peak_a2 = recv_peak(buf, s->s_a2);
	if (buf->len - buf->cursor < 40)
		state_invalid(t, "The value is shorter than its same-value sums.");
	s->same.s1[0] = (uint64_t) pq_getmsgint64(buf);
	s->same.s1[1] = (uint64_t) pq_getmsgint64(buf);
	s->same.s2[0] = (uint64_t) pq_getmsgint64(buf);
	s->same.s2[1] = (uint64_t) pq_getmsgint64(buf);
	s->same.s2[2] = (uint64_t) pq_getmsgint64(buf);
	if (s->n == 0 &&
		(s->n_err != 0 || s->s_e.hi != 0 || s->s_e2.hi != 0 || s->s_ae.hi != 0 ||
		 s->s_ape.hi != 0 || s->s_a.hi != 0 || s->s_a2.hi != 0 ||
		 s->same.s1[0] != 0 || s->same.s1[1] != 0 || s->same.s2[0] != 0 ||
		 s->same.s2[1] != 0 || s->same.s2[2] != 0))
		state_invalid(t, "An empty state has non-zero sums.");
	return s;
}

/* The type's I/O functions, from the binary form above (state_codec.h). */
STATE_CODEC(regression_metrics_state, REGRESSION_STATE_TYPE, false, regression_state_send_bytes, regression_state_recv_buffer)
