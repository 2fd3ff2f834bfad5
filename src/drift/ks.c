/*
 * ks.c
 *		ks_drift: the two-sample Kolmogorov–Smirnov test in its three forms.
 *
 *	ks_drift(value, 'baseline', 'column' [, alternative])   streaming aggregate
 *	ks_drift(value, profile [, alternative])                streaming aggregate
 *	ks_drift(baseline_profile, current_profile [, alternative])
 *	ks_drift(baseline float8[], current float8[] [, alternative])
 *
 * The statistic is what scipy.stats.ks_2samp(baseline, current) computes: the
 * ECDFs are evaluated at every pooled observation as count/n in double and
 * differenced.  The streaming aggregate keeps, instead of the rows, how many
 * fell on each baseline value and in each gap between two (stream_state.h):
 * within a gap the baseline ECDF is flat, so the extremes of the difference
 * over a gap's observations are reached at its last observation (for
 * F_current - F_baseline) or at the baseline value that opens it (for
 * F_baseline - F_current), and the counts determine the statistic exactly.
 * The p-value comes from stats/ks_dist.c.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "core/pg_drift.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/lsyscache.h"

#include "baseline/baseline_index.h"
#include "core/agg_prologue.h"
#include "core/call_site.h"
#include "core/drift_result.h"
#include "profile/profile.h"
#include "stats/ks_dist.h"
#include "drift/stream_state.h"
#include "core/value_list.h"

PG_FUNCTION_INFO_V1(ks_drift_named_trans);
PG_FUNCTION_INFO_V1(ks_drift_profile_trans);
PG_FUNCTION_INFO_V1(ks_drift_final);
PG_FUNCTION_INFO_V1(ks_drift_profiles);
PG_FUNCTION_INFO_V1(ks_drift_arrays);

/* The running extremes of F_baseline - F_current over evaluation points. */
typedef struct KsExtremes
{
	int64		nb;
	int64		nc;
	double		max_diff;		/* max(F_b - F_c) */
	double		max_neg_diff;	/* max(F_c - F_b) */
} KsExtremes;

static void
ks_extremes_init(KsExtremes *e, int64 nb, int64 nc)
{
	e->nb = nb;
	e->nc = nc;
	e->max_diff = -get_float8_infinity();
	e->max_neg_diff = -get_float8_infinity();
}

/* Evaluate the ECDF difference at a point with cb baseline and cc current values at or below it. */
static inline void
ks_extremes_point(KsExtremes *e, int64 cb, int64 cc)
{
	double		diff = (double) cb / (double) e->nb - (double) cc / (double) e->nc;

	if (diff > e->max_diff)
		e->max_diff = diff;
	if (-diff > e->max_neg_diff)
		e->max_neg_diff = -diff;
}

/* Parse an alternative name as SciPy spells them. */
static KsAlternative
parse_alternative(text *t)
{
	char	   *s = text_to_cstring(t);

	if (pg_strcasecmp(s, "two-sided") == 0)
		return KS_TWO_SIDED;
	if (pg_strcasecmp(s, "less") == 0)
		return KS_LESS;
	if (pg_strcasecmp(s, "greater") == 0)
		return KS_GREATER;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid alternative \"%s\"", s),
			 errhint("Use 'two-sided', 'less' or 'greater'.")));
}

/* The alternative in argument arg, if the call has it; two-sided otherwise. */
static KsAlternative
alternative_arg(FunctionCallInfo fcinfo, int arg)
{
	if (PG_NARGS() <= arg)
		return KS_TWO_SIDED;
	if (PG_ARGISNULL(arg))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("alternative must not be NULL"),
				 errhint("Use 'two-sided', 'less' or 'greater'.")));
	return parse_alternative(PG_GETARG_TEXT_PP(arg));
}

/* Finish: statistic and p-value per the alternative, as a drift_result. */
static Datum
ks_result(FunctionCallInfo fcinfo, KsExtremes *e, KsAlternative alt)
{
	double		plus = Max(e->max_diff, 0.0);
	double		minus = Min(Max(e->max_neg_diff, 0.0), 1.0);
	double		d;
	KsResult	r;

	if (e->nb == 0 || e->nc == 0)
		PG_RETURN_NULL();
	if (alt == KS_GREATER)
		d = plus;
	else if (alt == KS_LESS)
		d = minus;
	else
		d = Max(plus, minus);
	r = ks_two_sample(e->nb, e->nc, d, alt);
	return drift_result_make(fcinfo, r.statistic, false, r.p_value, isnan(r.p_value),
							 e->nb, e->nc);
}

/*
 * Count a batch of values into the slots around the baseline's values.
 * Each value costs three scattered reads for a large baseline (its guide
 * bucket, the baseline values there, its count).  They are kept small enough
 * for a core's L2 cache: a 100k-value baseline's guide is 0.1 MB
 * (baseline_index.c), its values 0.8 MB and the state's narrow counts 0.8 MB
 * (stream_state.h), where wide counts and a guide entry per value made 2.8 MB
 * and three times the last-level cache misses (cachegrind, 1M values).
 * The misses that remain overlap: the loop asks for the reads of the value
 * KS_PREFETCH_AHEAD places ahead while it works on this one, and the cache
 * misses overlap instead of following each other.  The guide buckets are
 * computed first, so that the bucket two distances ahead is known without
 * arithmetic in the loop.  (This replaced grouping the batch by bucket with
 * a counting sort: out of the server, on 5M values against a 100k-value
 * baseline, arrival order with prefetching took 55-70 ms where the sort took
 * 70-80 ms; the sort's own passes cost what its locality saved.)
 */
#define KS_PREFETCH_AHEAD 16

#if defined(__GNUC__)
#define ks_prefetch(addr, for_write) __builtin_prefetch((addr), (for_write))
#else
#define ks_prefetch(addr, for_write) ((void) 0)
#endif

/*
 * The placement loop, for counts of either width (the state's working
 * layout is narrow, the final function's array wide): inline, so that each
 * caller below gets its own copy with the width fixed.
 */
static pg_attribute_always_inline void
ks_place_loop(const BaselineIndex *ix, const float8 *values, int32 n, int32 *bucket,
			  int64 *wide, int32 *narrow)
{
	const int32 ahead = KS_PREFETCH_AHEAD;

	for (int32 k = 0; k < n; k++)
		bucket[k] = baseline_index_bucket(ix, values[k]);
	for (int32 k = 0; k < n; k++)
	{
		float8		x = values[k];
		int32		i,
					slot;

		if (k + 2 * ahead < n)
			ks_prefetch(&ix->start[bucket[k + 2 * ahead]], 0);
		if (k + ahead < n)
		{
			int32		first = ix->start[bucket[k + ahead]];

			ks_prefetch(&ix->values[first], 0);
			if (wide)
				ks_prefetch(&wide[2 * first], 1);
			else
				ks_prefetch(&narrow[2 * first], 1);
		}
		i = baseline_index_search(ix->values, ix->start[bucket[k]], ix->start[bucket[k] + 1], x);
		slot = 2 * i + ((i < ix->n && ix->values[i] == x) ? 1 : 0);
		if (wide)
			wide[slot]++;
		else
			narrow[slot]++;
	}
}

static void
ks_place_batch(const void *locator, const float8 *values, int32 n, int64 *wide, int32 *narrow)
{
	const BaselineIndex *ix = (const BaselineIndex *) locator;
	int32	   *bucket;

	if (ix->n_buckets == 0 || n < 256)
	{
		for (int32 k = 0; k < n; k++)
		{
			int32		slot = baseline_index_slot(ix, values[k]);

			if (wide)
				wide[slot]++;
			else
				narrow[slot]++;
		}
		return;
	}
	bucket = palloc(sizeof(int32) * n);
	if (wide)
		ks_place_loop(ix, values, n, bucket, wide, NULL);
	else
		ks_place_loop(ix, values, n, bucket, NULL, narrow);
	pfree(bucket);
}

/* The index of a numeric profile's values (a LocatorBuilder). */
static void *
ks_index_build(const DriftProfile *p)
{
	return baseline_index_build(profile_values(p), p->n_entries);
}

/* Find the baseline's locator (built once per backend for a named one) the first time the query meets it. */
static StreamBaseline *
ks_prepare(StreamBaseline *sb)
{
	if (sb->locator == NULL)
	{
		profile_require_numeric(sb->profile, "ks_drift");
		sb->n_slots = 2 * sb->profile->n_entries + 1;
		sb->locator = baseline_locator(sb, LOCATOR_KS_INDEX, ks_index_build);
	}
	return sb;
}

/* Count one row's value into the state (shared by both streaming forms). */
static Datum
ks_count(FunctionCallInfo fcinfo, StreamBaseline *sb, KsAlternative alt)
{
	StreamState *s;
	float8		x;

	if (PG_ARGISNULL(0))
		s = stream_state_create_buffered(STREAM_TEST_KS, sb, alt, 0.0);
	else
	{
		s = PG_GETARG_STREAM_STATE_P(0);
		stream_state_require(s, STREAM_TEST_KS, (int32) alt, 0.0, sb->fingerprint, sb->n_slots,
							 "baseline and alternative");
	}
	if (agg_value_missing(fcinfo, &s->null_count, &s->nan_count, &x))
		PG_RETURN_POINTER(s);
	PG_RETURN_POINTER(stream_state_add_value(s, (x == 0.0) ? 0.0 : x, ks_place_batch, sb->locator));
}

/* Resolve the baseline and alternative (once per query when they are constants), then count. */
static pg_noinline Datum
ks_trans(FunctionCallInfo fcinfo, bool named, int alt_arg)
{
	CallSite   *cs = call_site_get(fcinfo);

	if (!cs->resolved)
	{
		ks_prepare(call_site_baseline(fcinfo, cs, named));
		cs->option = (int32) alternative_arg(fcinfo, alt_arg);
		call_site_done(cs);
	}
	return ks_count(fcinfo, cs->sb, (KsAlternative) cs->option);
}

/*
 * Nearly every row of a query: the call site is resolved, the state is the
 * narrow one this query's transition made for that baseline, and its buffer
 * has room for the value.  Then the row is one store, done here without
 * calling anything, so that the compiler need not set up the frame the
 * general path (ks_trans) needs; the cost per row was half the transition's
 * instructions.  Anything else (the first row, a NULL, a NaN, a full
 * buffer, a state of another baseline or layout) returns false and takes
 * ks_trans, which decides as before.
 */
static pg_attribute_always_inline bool
ks_buffer_row(FunctionCallInfo fcinfo)
{
	const CallSite *cs = (const CallSite *) fcinfo->flinfo->fn_extra;
	StreamState *s;
	float8		x;

	if (unlikely(cs == NULL || !cs->resolved || PG_ARGISNULL(0) || PG_ARGISNULL(1)))
		return false;
	s = (StreamState *) DatumGetPointer(PG_GETARG_DATUM(0));
	x = PG_GETARG_FLOAT8(1);
	if (unlikely(VARATT_IS_EXTENDED(s) || s->dense != STREAM_DENSE32 ||
				 s->n_values >= s->cap_values || isnan(x) || s->n_current >= PG_INT32_MAX ||
				 !stream_state_matches(s, STREAM_TEST_KS, cs->option, 0.0, cs->sb->fingerprint,
									   cs->sb->n_slots)))
		return false;
	stream_state_values(s)[s->n_values++] = (x == 0.0) ? 0.0 : x;
	s->n_current++;
	return true;
}

/* Transition of ks_drift(value, baseline name, column [, alternative]). */
Datum
ks_drift_named_trans(PG_FUNCTION_ARGS)
{
	if (ks_buffer_row(fcinfo))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	return ks_trans(fcinfo, true, 4);
}

/* Transition of ks_drift(value, profile [, alternative]). */
Datum
ks_drift_profile_trans(PG_FUNCTION_ARGS)
{
	if (ks_buffer_row(fcinfo))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	return ks_trans(fcinfo, false, 3);
}

/*
 * The baseline of a ks_drift state (in *baseline) and the state's counts per
 * slot with its buffered raw values placed: for the final function, and for
 * the state's text and binary output, which carry counts only
 * (stream_state.c).
 */
static int64 *
ks_slots(FunctionCallInfo fcinfo, const StreamState *s, DriftProfile **baseline)
{
	DriftProfile *p;
	int32		n;

	stream_state_require_test(s, STREAM_TEST_KS, -1, "ks_drift");
	p = profile_require_numeric(stream_state_baseline(fcinfo, s), "ks_drift");
	n = p->n_entries;
	stream_state_require_slots(s, 2 * n + 1, "ks_drift");
	*baseline = p;
	if (s->n_values > 0)
	{
		/*
		 * A named baseline's index is the one the transition built (kept
		 * with the backend's cache entry): output runs once per partial
		 * state, which on Citus is once per shard.
		 */
		StreamBaseline *sb = stream_state_named_baseline(fcinfo, s);
		const void *ix = sb != NULL ? baseline_locator(sb, LOCATOR_KS_INDEX, ks_index_build) :
			ks_index_build(p);

		return stream_state_counts_placed(s, ks_place_batch, ix);
	}
	return stream_state_counts(s);
}

/* ks_slots without the baseline, for stream_state.c's flush. */
int64 *
ks_drift_slot_counts(FunctionCallInfo fcinfo, const StreamState *s)
{
	DriftProfile *p;

	return ks_slots(fcinfo, s, &p);
}

/* Final function of the streaming forms: walk the slots in order. */
Datum
ks_drift_final(PG_FUNCTION_ARGS)
{
	StreamState *s = PG_GETARG_STREAM_STATE_P(0);
	DriftProfile *p;
	int64	   *slots = ks_slots(fcinfo, s, &p);
	const int64 *bcounts = profile_counts(p);
	int32		n = p->n_entries;
	int64		cb = 0,
				cc = 0;
	KsExtremes	e;

	ks_extremes_init(&e, p->count, s->n_current);
	if (e.nb == 0 || e.nc == 0)
		PG_RETURN_NULL();
	for (int32 i = 0; i < n; i++)
	{
		if (slots[2 * i] > 0)
		{
			cc += slots[2 * i];
			ks_extremes_point(&e, cb, cc);
		}
		cb += bcounts[i];
		cc += slots[2 * i + 1];
		ks_extremes_point(&e, cb, cc);
	}
	if (slots[2 * n] > 0)
	{
		cc += slots[2 * n];
		ks_extremes_point(&e, cb, cc);
	}
	return ks_result(fcinfo, &e, (KsAlternative) s->option);
}

/* Walk two sorted value/count lists in merged order, evaluating at every pooled value. */
static void
ks_walk_lists(KsExtremes *e, const float8 *bv, const int64 *bc, int32 bn,
			  const float8 *cv, const int64 *cc, int32 cn)
{
	int32		i = 0,
				j = 0;
	int64		sb = 0,
				sc = 0;

	while (i < bn || j < cn)
	{
		float8		u;

		if (j >= cn || (i < bn && bv[i] <= cv[j]))
			u = bv[i];
		else
			u = cv[j];
		if (i < bn && bv[i] == u)
			sb += bc[i++];
		if (j < cn && cv[j] == u)
			sc += cc[j++];
		ks_extremes_point(e, sb, sc);
	}
}

/* ks_drift(baseline drift_profile, current drift_profile [, alternative]). */
Datum
ks_drift_profiles(PG_FUNCTION_ARGS)
{
	DriftProfile *b = profile_require_numeric(PG_GETARG_DRIFT_PROFILE_P(0), "ks_drift");
	DriftProfile *c = profile_require_numeric(PG_GETARG_DRIFT_PROFILE_P(1), "ks_drift");
	KsAlternative alt = alternative_arg(fcinfo, 2);
	KsExtremes	e;

	ks_extremes_init(&e, b->count, c->count);
	if (e.nb == 0 || e.nc == 0)
		PG_RETURN_NULL();
	ks_walk_lists(&e, profile_values(b), profile_counts(b), b->n_entries,
				  profile_values(c), profile_counts(c), c->n_entries);
	return ks_result(fcinfo, &e, alt);
}

/* ks_drift(baseline float8[], current float8[] [, alternative]). */
Datum
ks_drift_arrays(PG_FUNCTION_ARGS)
{
	float8	   *bv,
			   *cv;
	int64	   *bc,
			   *cc;
	int32		bn,
				cn;
	int64		nb = float8_array_to_list(PG_GETARG_ARRAYTYPE_P(0), "ks_drift", &bv, &bc, &bn);
	int64		nc = float8_array_to_list(PG_GETARG_ARRAYTYPE_P(1), "ks_drift", &cv, &cc, &cn);
	KsAlternative alt = alternative_arg(fcinfo, 2);
	KsExtremes	e;

	ks_extremes_init(&e, nb, nc);
	if (nb == 0 || nc == 0)
		PG_RETURN_NULL();
	ks_walk_lists(&e, bv, bc, bn, cv, cc, cn);
	return ks_result(fcinfo, &e, alt);
}
