/*
 * wasserstein.c
 *		wasserstein_drift: the first Wasserstein (earth mover's) distance,
 *		as scipy.stats.wasserstein_distance(baseline, current), in its three
 *		forms.
 *
 *	wasserstein_drift(value, 'baseline', 'column')		streaming aggregate
 *	wasserstein_drift(value, profile)					streaming aggregate
 *	wasserstein_drift(baseline_profile, current_profile)
 *	wasserstein_drift(baseline float8[], current float8[])
 *
 * The distance is the area between the two ECDFs, which depends on where
 * every current value lies, not only on which baseline gap it falls in: the
 * streaming aggregate cannot reduce rows to counts per baseline slot as KS
 * and the binned tests do.  It keeps the current values' distinct values
 * with counts (value_list.c): memory O(distinct current values), bounded by
 * pg_drift.exact_profile_limit.  That state grows, so it is internal, with
 * combine, serialize and deserialize for parallel query; on Citus this
 * aggregate gathers the rows to the coordinator instead of pushing down
 * (SPEC.md section 8).  Partial states serialize as the baseline's name or
 * profile plus the current values in drift_profile's binary form.
 */
#include "postgres.h"
#include "core/compat.h"

#include <math.h>

#include "fmgr.h"
#include "core/pg_drift.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "baseline/baseline_cache.h"
#include "baseline/baseline_nodes.h"
#include "core/agg_prologue.h"
#include "core/call_site.h"
#include "core/drift_result.h"
#include "profile/profile.h"
#include "stats/wasserstein_1d.h"
#include "drift/sample_state.h"
#include "drift/stream_state.h"
#include "core/value_list.h"

PG_FUNCTION_INFO_V1(wasserstein_drift_named_trans);
PG_FUNCTION_INFO_V1(wasserstein_drift_profile_trans);
PG_FUNCTION_INFO_V1(wasserstein_drift_combine);
PG_FUNCTION_INFO_V1(wasserstein_drift_serialize);
PG_FUNCTION_INFO_V1(wasserstein_drift_deserialize);
PG_FUNCTION_INFO_V1(wasserstein_drift_final);
PG_FUNCTION_INFO_V1(wasserstein_drift_profiles);
PG_FUNCTION_INFO_V1(wasserstein_drift_arrays);

#define WASSERSTEIN_STATE_VERSION 1

typedef struct WassersteinState
{
	MemoryContext cxt;			/* the aggregate's context */
	BaselineSource source;		/* named or embedded */
	char	   *name;			/* BASELINE_NAMED */
	char	   *column;
	DriftProfile *baseline;		/* BASELINE_EMBEDDED: a copy of the profile */
	uint64		fingerprint;	/* profile_fingerprint() of the baseline */
	int64		null_count;
	int64		nan_count;
	ValueList	current;		/* the current values */
} WassersteinState;

/* An empty state naming no baseline yet, in cxt. */
static WassersteinState *
state_create(MemoryContext cxt)
{
	WassersteinState *s = MemoryContextAllocZero(cxt, sizeof(WassersteinState));

	s->cxt = cxt;
	value_list_init(&s->current, cxt, NULL);
	return s;
}

/* Record baseline sb in a new state. */
static void
state_set_baseline(WassersteinState *s, const StreamBaseline *sb)
{
	s->fingerprint = sb->fingerprint;
	if (sb->name != NULL)
	{
		s->source = BASELINE_NAMED;
		s->name = MemoryContextStrdup(s->cxt, sb->name);
		s->column = MemoryContextStrdup(s->cxt, sb->column);
	}
	else
	{
		s->source = BASELINE_EMBEDDED;
		s->baseline = MemoryContextAlloc(s->cxt, VARSIZE(sb->profile));
		memcpy(s->baseline, sb->profile, VARSIZE(sb->profile));
	}
}

/* Count one row (shared by both streaming forms). */
static Datum
wasserstein_count(FunctionCallInfo fcinfo, bool named)
{
	MemoryContext cxt = aggregate_context(fcinfo, "wasserstein_drift transition");
	CallSite   *cs = call_site_get(fcinfo);
	WassersteinState *s;
	float8		x;

	if (!cs->resolved)
	{
		StreamBaseline *sb = call_site_baseline(fcinfo, cs, named);

		if (sb->profile->kind != PROFILE_KIND_NUMERIC)
			profile_require_numeric(sb->profile, "wasserstein_drift");
		call_site_done(cs);
	}
	if (PG_ARGISNULL(0))
	{
		s = state_create(cxt);
		state_set_baseline(s, cs->sb);
	}
	else
	{
		s = (WassersteinState *) PG_GETARG_POINTER(0);
		require_same_baseline(s->fingerprint == cs->sb->fingerprint, "baseline");
	}
	if (!agg_value_missing(fcinfo, &s->null_count, &s->nan_count, &x))
		value_list_add(&s->current, x);
	PG_RETURN_POINTER(s);
}

/* Transition of wasserstein_drift(value, baseline name, column). */
Datum
wasserstein_drift_named_trans(PG_FUNCTION_ARGS)
{
	return wasserstein_count(fcinfo, true);
}

/* Transition of wasserstein_drift(value, profile). */
Datum
wasserstein_drift_profile_trans(PG_FUNCTION_ARGS)
{
	return wasserstein_count(fcinfo, false);
}

/* Merge b's current values and counts into a (same baseline). */
static void
state_merge(WassersteinState *a, WassersteinState *b)
{
	MemoryContext old = MemoryContextSwitchTo(a->cxt);

	if (a->fingerprint != b->fingerprint)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine wasserstein_drift states computed against different baselines"),
				 errhint("Every partial state of one aggregate must use the same baseline.")));
	value_list_flush(&b->current);
	value_list_flush(&a->current);
	value_list_merge(&a->current, b->current.values, b->current.counts, b->current.n_distinct);
	a->null_count += b->null_count;
	a->nan_count += b->nan_count;
	MemoryContextSwitchTo(old);
}

/* Combine two partial states (parallel aggregation). */
Datum
wasserstein_drift_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = aggregate_context(fcinfo, "wasserstein_drift_combine");
	WassersteinState *a = PG_ARGISNULL(0) ? NULL : (WassersteinState *) PG_GETARG_POINTER(0);
	WassersteinState *b = PG_ARGISNULL(1) ? NULL : (WassersteinState *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
	{
		/* a copy in this context: b may live in another */
		StreamBaseline sb;

		memset(&sb, 0, sizeof(sb));
		sb.name = b->name;
		sb.column = b->column;
		sb.profile = b->baseline;
		sb.fingerprint = b->fingerprint;
		a = state_create(cxt);
		state_set_baseline(a, &sb);
	}
	state_merge(a, b);
	PG_RETURN_POINTER(a);
}

/* Write a length-prefixed string. */
static void
send_string(StringInfo buf, const char *s)
{
	pq_sendint32(buf, strlen(s));
	pq_sendbytes(buf, s, strlen(s));
}

/* Write a length-prefixed drift_profile binary form. */
static void
send_profile(StringInfo buf, const DriftProfile *p)
{
	bytea	   *pb = profile_send_bytes(p);

	pq_sendint32(buf, VARSIZE(pb) - VARHDRSZ);
	pq_sendbytes(buf, VARDATA(pb), VARSIZE(pb) - VARHDRSZ);
}

/*
 * Serialize: version int8, source int8, fingerprint int64, null_count int64,
 * nan_count int64, the baseline (named: two length-prefixed strings;
 * embedded: length-prefixed profile), then the current values as a
 * length-prefixed profile.
 */
Datum
wasserstein_drift_serialize(PG_FUNCTION_ARGS)
{
	WassersteinState *s;
	StringInfoData buf;
	MemoryContext old;
	DriftProfile *cur;

	(void) aggregate_context(fcinfo, "wasserstein_drift_serialize");
	s = (WassersteinState *) PG_GETARG_POINTER(0);
	old = MemoryContextSwitchTo(s->cxt);
	value_list_flush(&s->current);
	MemoryContextSwitchTo(old);
	cur = profile_make_numeric(s->current.n_distinct, s->current.values, s->current.counts,
							   s->null_count, s->nan_count);
	pq_begintypsend(&buf);
	pq_sendint8(&buf, WASSERSTEIN_STATE_VERSION);
	pq_sendint8(&buf, (int8) s->source);
	pq_sendint64(&buf, (int64) s->fingerprint);
	pq_sendint64(&buf, s->null_count);
	pq_sendint64(&buf, s->nan_count);
	if (s->source == BASELINE_NAMED)
	{
		send_string(&buf, s->name);
		send_string(&buf, s->column);
	}
	else
		send_profile(&buf, s->baseline);
	send_profile(&buf, cur);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Report a malformed serialized state. */
pg_noreturn static void
invalid_serialized(const char *detail);

static void
invalid_serialized(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid serialized wasserstein_drift state"),
			 errdetail("%s", detail)));
}

/* Read a length-prefixed string without zero bytes. */
static char *
recv_string(StringInfo buf)
{
	int32		len = pq_getmsgint(buf, 4);
	const char *bytes;

	if (len < 0 || len > buf->len - buf->cursor)
		invalid_serialized("A baseline name has an impossible length.");
	bytes = pq_getmsgbytes(buf, len);
	if (memchr(bytes, '\0', len) != NULL)
		invalid_serialized("A baseline name contains a zero byte.");
	return pnstrdup(bytes, len);
}

/* Read a length-prefixed, validated numeric profile. */
static DriftProfile *
recv_profile(StringInfo buf)
{
	int32		len = pq_getmsgint(buf, 4);
	StringInfoData sub;
	DriftProfile *p;

	if (len < 0 || len > buf->len - buf->cursor)
		invalid_serialized("A profile has an impossible length.");
	sub.data = (char *) pq_getmsgbytes(buf, len);
	sub.len = len;
	sub.maxlen = len;
	sub.cursor = 0;
	p = profile_recv_buffer(&sub);
	if (sub.cursor != sub.len)
		invalid_serialized("A profile has trailing bytes.");
	if (p->kind != PROFILE_KIND_NUMERIC)
		invalid_serialized("A profile is not numeric.");
	return p;
}

/* Rebuild a partial state from its serialized form, checking everything. */
Datum
wasserstein_drift_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = aggregate_context(fcinfo, "wasserstein_drift_deserialize");
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	StreamBaseline sb;
	WassersteinState *s;
	DriftProfile *cur;
	int			source;
	int64		null_count,
				nan_count;
	MemoryContext old;

	buf.data = VARDATA_ANY(bytes);
	buf.len = VARSIZE_ANY_EXHDR(bytes);
	buf.maxlen = buf.len;
	buf.cursor = 0;
	memset(&sb, 0, sizeof(sb));
	if (pq_getmsgint(&buf, 1) != WASSERSTEIN_STATE_VERSION)
		invalid_serialized("Unsupported format version.");
	source = pq_getmsgint(&buf, 1);
	sb.fingerprint = (uint64) pq_getmsgint64(&buf);
	null_count = pq_getmsgint64(&buf);
	nan_count = pq_getmsgint64(&buf);
	if (null_count < 0 || nan_count < 0)
		invalid_serialized("A count is negative.");
	if (source == BASELINE_NAMED)
	{
		sb.name = recv_string(&buf);
		sb.column = recv_string(&buf);
	}
	else if (source == BASELINE_EMBEDDED)
	{
		sb.profile = recv_profile(&buf);
		if (profile_fingerprint(sb.profile) != sb.fingerprint)
			invalid_serialized("The baseline profile does not match the fingerprint.");
	}
	else
		invalid_serialized("Unknown baseline source.");
	cur = recv_profile(&buf);
	if (buf.cursor != buf.len)
		invalid_serialized("The state has trailing bytes.");
	if (!profile_is_exact(cur))
		invalid_serialized("The current values are not exact.");
	old = MemoryContextSwitchTo(cxt);
	s = state_create(cxt);
	state_set_baseline(s, &sb);
	value_list_merge(&s->current, profile_values(cur), profile_counts(cur), cur->n_entries);
	s->null_count = null_count;
	s->nan_count = nan_count;
	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(s);
}

/*
 * See sample_state.h: the final step of every test that keeps the current
 * values in this state (wasserstein_drift, wasserstein_norm_drift and the
 * numeric proportion_z_drift): the baseline profile and the current sample,
 * handed to stat.
 */
Datum
sample_state_final(FunctionCallInfo fcinfo, const char *fname, SampleStat stat)
{
	WassersteinState *s;
	DriftProfile *p;
	MemoryContext old;

	(void) aggregate_context(fcinfo, fname);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (WassersteinState *) PG_GETARG_POINTER(0);
	old = MemoryContextSwitchTo(s->cxt);
	value_list_flush(&s->current);
	MemoryContextSwitchTo(old);
	if (s->source == BASELINE_EMBEDDED)
		p = s->baseline;
	else
	{
		StreamBaseline *sb = baseline_cache_by_name(fcinfo, s->name, s->column);

		if (sb->fingerprint != s->fingerprint)
			baseline_version_error(s->name);
		p = sb->profile;
	}
	p = profile_require_numeric(p, fname);
	return stat(fcinfo, p, s->current.values, s->current.counts, s->current.n_distinct,
				s->current.total);
}

/* wasserstein_drift of a baseline profile and a current sample; NULL when either is empty. */
static Datum
distance_result(FunctionCallInfo fcinfo, const DriftProfile *p, const float8 *values,
				const int64 *counts, int32 n, int64 total)
{
	if (p->count == 0 || total == 0)
		PG_RETURN_NULL();
	return drift_result_make(fcinfo,
							 wasserstein_lists(profile_values(p), profile_counts(p), p->n_entries,
											   p->count, values, counts, n, total),
							 false, 0.0, true, p->count, total);
}

/* Final: the distance between the baseline and the current values. */
Datum
wasserstein_drift_final(PG_FUNCTION_ARGS)
{
	return sample_state_final(fcinfo, "wasserstein_drift", distance_result);
}

/* wasserstein_drift(baseline drift_profile, current drift_profile). */
Datum
wasserstein_drift_profiles(PG_FUNCTION_ARGS)
{
	DriftProfile *b = profile_require_numeric(PG_GETARG_DRIFT_PROFILE_P(0), "wasserstein_drift");
	DriftProfile *c = profile_require_numeric(PG_GETARG_DRIFT_PROFILE_P(1), "wasserstein_drift");

	if (b->count == 0 || c->count == 0)
		PG_RETURN_NULL();
	return drift_result_make(fcinfo,
							 wasserstein_lists(profile_values(b), profile_counts(b), b->n_entries,
											   b->count, profile_values(c), profile_counts(c),
											   c->n_entries, c->count),
							 false, 0.0, true, b->count, c->count);
}

/* wasserstein_drift(baseline float8[], current float8[]). */
Datum
wasserstein_drift_arrays(PG_FUNCTION_ARGS)
{
	float8	   *bv,
			   *cv;
	int64	   *bc,
			   *cc;
	int32		bn,
				cn;
	int64		nb = float8_array_to_list(PG_GETARG_ARRAYTYPE_P(0), "wasserstein_drift", &bv, &bc, &bn);
	int64		nc = float8_array_to_list(PG_GETARG_ARRAYTYPE_P(1), "wasserstein_drift", &cv, &cc, &cn);

	if (nb == 0 || nc == 0)
		PG_RETURN_NULL();
	return drift_result_make(fcinfo, wasserstein_lists(bv, bc, bn, nb, cv, cc, cn, nc),
							 false, 0.0, true, nb, nc);
}
