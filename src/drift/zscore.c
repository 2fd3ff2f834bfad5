/*
 * zscore.c
 *		zscore_drift: the z-test for a shift of the mean, in its three forms,
 *		and its streaming state type drift_mean_state.
 *
 *	zscore_drift(value, 'baseline', 'column')		streaming aggregate
 *	zscore_drift(value, profile)					streaming aggregate
 *	zscore_drift(baseline_profile, current_profile)
 *	zscore_drift(baseline float8[], current float8[])
 *
 * z = (mean_c - mean_b) / sqrt(var_b/n_b + var_c/n_c) with sample variances
 * (ddof 1), p = erfc(|z|/sqrt 2); NULL when a sample has fewer than two
 * values or the standard error is zero or not finite (stats/mean_shift.c).
 *
 * The baseline's size, mean and spread come from its profile.  The streaming
 * state cannot be a drift_stream_state, whose slots are counts that combine
 * by addition; it is its own fixed-size type (so it still pushes down on
 * Citus, SPEC.md section 8) holding the baseline's moments, copied once when
 * a group starts, and the current values' double-double sums of deviations
 * from the baseline's mean.  The final function therefore needs no catalog
 * access and works on any node.
 */
#include "postgres.h"
#include "core/compat.h"

#include <math.h>

#include "fmgr.h"
#include "core/pg_drift.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "core/agg_prologue.h"
#include "core/call_site.h"
#include "core/drift_result.h"
#include "core/state_codec.h"
#include "profile/profile.h"
#include "stats/mean_shift.h"
#include "core/value_list.h"

PG_FUNCTION_INFO_V1(zscore_drift_named_trans);
PG_FUNCTION_INFO_V1(zscore_drift_profile_trans);
PG_FUNCTION_INFO_V1(zscore_drift_combine);
PG_FUNCTION_INFO_V1(zscore_drift_final);
PG_FUNCTION_INFO_V1(zscore_drift_profiles);
PG_FUNCTION_INFO_V1(zscore_drift_arrays);

#define MEAN_STATE_VERSION 1

/* drift_mean_state: a fixed-length type (INTERNALLENGTH 104 in SQL). */
typedef struct MeanState
{
	int32		version;		/* MEAN_STATE_VERSION */
	int32		reserved;		/* zero */
	uint64		fingerprint;	/* profile_fingerprint() of the baseline */
	int64		n_baseline;		/* baseline values */
	float8		mean_baseline;
	float8		m2_baseline;	/* baseline's sum of squared deviations */
	int64		null_count;		/* current NULLs skipped */
	int64		nan_count;		/* current NaNs excluded */
	ShiftedMoments current;		/* current values, shift = the baseline's mean */
} MeanState;

#define MEAN_STATE_SIZE 104
StaticAssertDecl(sizeof(MeanState) == MEAN_STATE_SIZE, "drift_mean_state size changed");

#define PG_GETARG_MEAN_STATE_P(n) ((MeanState *) PG_GETARG_POINTER(n))

/* A new state for the baseline profile p (in the current memory context). */
static MeanState *
mean_state_create(const DriftProfile *p, uint64 fingerprint)
{
	MeanState  *s = palloc0(sizeof(MeanState));

	s->version = MEAN_STATE_VERSION;
	s->fingerprint = fingerprint;
	s->n_baseline = p->count;
	s->mean_baseline = p->count > 0 ? p->mean : 0.0;
	s->m2_baseline = p->count > 0 ? p->m2 : 0.0;
	s->current.shift = isfinite(s->mean_baseline) ? s->mean_baseline : 0.0;
	return s;
}

/* Count one row (shared by both streaming forms). */
static Datum
zscore_count(FunctionCallInfo fcinfo, bool named)
{
	CallSite   *cs = call_site_get(fcinfo);
	MeanState  *s;
	float8		x;

	if (!cs->resolved)
	{
		StreamBaseline *sb = call_site_baseline(fcinfo, cs, named);

		if (sb->profile->kind != PROFILE_KIND_NUMERIC)
			profile_require_numeric(sb->profile, "zscore_drift");
		call_site_done(cs);
	}
	if (PG_ARGISNULL(0))
		s = mean_state_create(cs->sb->profile, cs->sb->fingerprint);
	else
	{
		s = PG_GETARG_MEAN_STATE_P(0);
		require_same_baseline(s->fingerprint == cs->sb->fingerprint, "baseline");
	}
	if (!agg_value_missing(fcinfo, &s->null_count, &s->nan_count, &x))
		shifted_moments_add(&s->current, x);
	PG_RETURN_POINTER(s);
}

/* Transition of zscore_drift(value, baseline name, column). */
Datum
zscore_drift_named_trans(PG_FUNCTION_ARGS)
{
	return zscore_count(fcinfo, true);
}

/* Transition of zscore_drift(value, profile). */
Datum
zscore_drift_profile_trans(PG_FUNCTION_ARGS)
{
	return zscore_count(fcinfo, false);
}

/* Combine two partial states; updates the first in place inside an aggregate. */
Datum
zscore_drift_combine(PG_FUNCTION_ARGS)
{
	MeanState  *a = (MeanState *) state_combine_left(fcinfo, sizeof(MeanState));
	MeanState  *b = PG_GETARG_MEAN_STATE_P(1);

	if (a->fingerprint != b->fingerprint || a->n_baseline != b->n_baseline ||
		a->current.shift != b->current.shift)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine zscore_drift states computed against different baselines"),
				 errhint("Every partial state of one aggregate must use the same baseline.")));
	a->null_count = count_add(a->null_count, b->null_count);
	a->nan_count = count_add(a->nan_count, b->nan_count);
	(void) count_add(a->current.n, b->current.n);	/* stats/ has no ereport */
	shifted_moments_combine(&a->current, &b->current);
	PG_RETURN_POINTER(a);
}

/* The test's drift_result from sizes, spreads and the difference of means. */
static Datum
zscore_result(FunctionCallInfo fcinfo, int64 nb, float8 m2b, int64 nc, float8 m2c, float8 diff)
{
	double		z,
				p;

	if (nb == 0 || nc == 0)
		PG_RETURN_NULL();
	if (!zscore_test(nb, m2b, nc, m2c, diff, &z, &p))
		return drift_result_make(fcinfo, 0.0, true, 0.0, true, nb, nc);
	return drift_result_make(fcinfo, z, false, p, false, nb, nc);
}

/* Final function of the streaming forms. */
Datum
zscore_drift_final(PG_FUNCTION_ARGS)
{
	MeanState  *s = PG_GETARG_MEAN_STATE_P(0);
	double		mean_minus_shift,
				m2c;

	if (s->current.n == 0 || s->n_baseline == 0)
		PG_RETURN_NULL();
	shifted_moments_result(&s->current, &mean_minus_shift, &m2c);
	return zscore_result(fcinfo, s->n_baseline, s->m2_baseline, s->current.n, m2c,
						 (s->current.shift - s->mean_baseline) + mean_minus_shift);
}

/* zscore_drift(baseline drift_profile, current drift_profile). */
Datum
zscore_drift_profiles(PG_FUNCTION_ARGS)
{
	DriftProfile *b = profile_require_numeric(PG_GETARG_DRIFT_PROFILE_P(0), "zscore_drift");
	DriftProfile *c = profile_require_numeric(PG_GETARG_DRIFT_PROFILE_P(1), "zscore_drift");

	if (b->count == 0 || c->count == 0)
		PG_RETURN_NULL();
	return zscore_result(fcinfo, b->count, b->m2, c->count, c->m2, c->mean - b->mean);
}

/* zscore_drift(baseline float8[], current float8[]). */
Datum
zscore_drift_arrays(PG_FUNCTION_ARGS)
{
	float8	   *bv,
			   *cv;
	int64	   *bc,
			   *cc;
	int32		bn,
				cn;
	int64		nb = float8_array_to_list(PG_GETARG_ARRAYTYPE_P(0), "zscore_drift", &bv, &bc, &bn);
	int64		nc = float8_array_to_list(PG_GETARG_ARRAYTYPE_P(1), "zscore_drift", &cv, &cc, &cn);
	float8		mean_b,
				m2_b,
				mean_c,
				m2_c;

	if (nb == 0 || nc == 0)
		PG_RETURN_NULL();
	profile_compute_moments(bv, bc, bn, &mean_b, &m2_b);
	profile_compute_moments(cv, cc, cn, &mean_c, &m2_c);
	return zscore_result(fcinfo, nb, m2_b, nc, m2_c, mean_c - mean_b);
}

/*
 * Binary form: version int8, fingerprint int64, n_baseline int64,
 * mean_baseline float8, m2_baseline float8, null_count int64, nan_count
 * int64, shift float8, n int64, s1 (hi, lo) float8, s2 (hi, lo) float8.
 */
static bytea *
mean_state_send_bytes(const void *state)
{
	const MeanState *s = state;
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint8(&buf, (int8) s->version);
	pq_sendint64(&buf, (int64) s->fingerprint);
	pq_sendint64(&buf, s->n_baseline);
	pq_sendfloat8(&buf, s->mean_baseline);
	pq_sendfloat8(&buf, s->m2_baseline);
	pq_sendint64(&buf, s->null_count);
	pq_sendint64(&buf, s->nan_count);
	pq_sendfloat8(&buf, s->current.shift);
	pq_sendint64(&buf, s->current.n);
	pq_sendfloat8(&buf, s->current.s1.hi);
	pq_sendfloat8(&buf, s->current.s1.lo);
	pq_sendfloat8(&buf, s->current.s2.hi);
	pq_sendfloat8(&buf, s->current.s2.lo);
	return pq_endtypsend(&buf);
}

/* Report a malformed state. */
#define invalid_mean_state(detail) state_invalid("drift_mean_state", (detail))

/* Read and check a binary state. */
static void *
mean_state_recv_buffer(StringInfo buf)
{
	MeanState  *s = palloc0(sizeof(MeanState));

	if (buf->len - buf->cursor != 1 + 12 * 8)
		invalid_mean_state("The value has the wrong length.");
	s->version = pq_getmsgint(buf, 1);
	if (s->version != MEAN_STATE_VERSION)
		invalid_mean_state("Unsupported format version.");
	s->fingerprint = (uint64) pq_getmsgint64(buf);
	s->n_baseline = pq_getmsgint64(buf);
	s->mean_baseline = pq_getmsgfloat8(buf);
	s->m2_baseline = pq_getmsgfloat8(buf);
	s->null_count = pq_getmsgint64(buf);
	s->nan_count = pq_getmsgint64(buf);
	s->current.shift = pq_getmsgfloat8(buf);
	s->current.n = pq_getmsgint64(buf);
	s->current.s1.hi = pq_getmsgfloat8(buf);
	s->current.s1.lo = pq_getmsgfloat8(buf);
	s->current.s2.hi = pq_getmsgfloat8(buf);
	s->current.s2.lo = pq_getmsgfloat8(buf);
	if (s->n_baseline < 0 || s->null_count < 0 || s->nan_count < 0 || s->current.n < 0)
		invalid_mean_state("A count is negative.");
	if (!isfinite(s->current.shift))
		invalid_mean_state("The shift is not finite.");
	if (s->m2_baseline < 0.0 || s->current.s2.hi < 0.0)
		invalid_mean_state("A sum of squares is negative.");
	if (s->current.n == 0 && (s->current.s1.hi != 0.0 || s->current.s1.lo != 0.0 ||
							  s->current.s2.hi != 0.0 || s->current.s2.lo != 0.0))
		invalid_mean_state("Sums are not zero although no value was counted.");
	return s;
}

/* The type's I/O functions, from the binary form above (state_codec.h). */
STATE_CODEC(drift_mean_state, "drift_mean_state", false, mean_state_send_bytes, mean_state_recv_buffer)
