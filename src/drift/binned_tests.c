/*
 * binned_tests.c
 *		psi_drift, js_drift, hellinger_drift and kl_drift: distances between
 *		the baseline's and the current sample's proportions per bin, in the
 *		three forms of every drift test.
 *
 *	X_drift(value, 'baseline', 'column' [, bins [, binning [, fill]]])	streaming aggregate
 *	X_drift(value, profile [, bins [, binning [, fill]]])				streaming aggregate
 *	X_drift(baseline_profile, current_profile, bins, binning [, fill])
 *	X_drift(baseline float8[], current float8[], bins, binning [, fill])
 *
 * (fill only for psi and kl.)  Bins come from the baseline alone (binning.c);
 * the statistics are in stats/binned_distance.c.  psi_drift and js_drift are
 * categorical tests too: given categorical profiles, the profile form hands
 * them to categorical_tests.c (the streaming and array forms on text are
 * separate SQL functions there).
 *
 * The streaming aggregates of all four share their transition functions: a
 * row only becomes one count in its bin of a drift_stream_state (test
 * STREAM_TEST_BINNED, one slot per bin, option = bins and binning, param =
 * fill), which is O(bins) whatever the number of rows and pushes down on
 * Citus.  Sharing lets PostgreSQL keep a single state when one query asks for
 * several of the four with the same arguments.  The final function
 * recomputes the (deterministic) edges from the baseline, checks that they
 * give the state's number of bins, and bins the baseline's distinct values.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "core/pg_drift.h"
#include "utils/array.h"
#include "utils/memutils.h"

#include "drift/binning.h"
#include "core/agg_prologue.h"
#include "core/call_site.h"
#include "drift/categorical_tests.h"
#include "core/drift_result.h"
#include "profile/profile.h"
#include "stats/binned_distance.h"
#include "drift/stream_state.h"
#include "core/value_list.h"

PG_FUNCTION_INFO_V1(binned_drift_named_trans);
PG_FUNCTION_INFO_V1(binned_drift_profile_trans);
PG_FUNCTION_INFO_V1(psi_drift_final);
PG_FUNCTION_INFO_V1(js_drift_final);
PG_FUNCTION_INFO_V1(hellinger_drift_final);
PG_FUNCTION_INFO_V1(kl_drift_final);
PG_FUNCTION_INFO_V1(psi_drift_profiles);
PG_FUNCTION_INFO_V1(js_drift_profiles);
PG_FUNCTION_INFO_V1(hellinger_drift_profiles);
PG_FUNCTION_INFO_V1(kl_drift_profiles);
PG_FUNCTION_INFO_V1(psi_drift_arrays);
PG_FUNCTION_INFO_V1(js_drift_arrays);
PG_FUNCTION_INFO_V1(hellinger_drift_arrays);
PG_FUNCTION_INFO_V1(kl_drift_arrays);

typedef enum BinnedMetric
{
	METRIC_PSI,
	METRIC_JS,
	METRIC_HELLINGER,
	METRIC_KL
} BinnedMetric;

static const char *const metric_names[] = {"psi_drift", "js_drift", "hellinger_drift", "kl_drift"};

/* Does the metric take a zero-fill argument? */
static inline bool
metric_has_fill(BinnedMetric m)
{
	return m == METRIC_PSI || m == METRIC_KL;
}

/* The statistic from both samples' bin counts, as a drift_result (NULL for an empty sample). */
static Datum
binned_result(FunctionCallInfo fcinfo, BinnedMetric metric, const int64 *cb, int64 nb,
			  const int64 *cc, int64 nc, int32 n_bins, float8 fill)
{
	float8		stat;

	if (nb <= 0 || nc <= 0)
		PG_RETURN_NULL();
	switch (metric)
	{
		case METRIC_PSI:
			stat = psi_from_counts(cb, nb, cc, nc, n_bins, fill);
			break;
		case METRIC_JS:
			stat = js_from_counts(cb, nb, cc, nc, n_bins);
			break;
		case METRIC_HELLINGER:
			stat = hellinger_from_counts(cb, nb, cc, nc, n_bins);
			break;
		case METRIC_KL:
			stat = kl_from_counts(cb, nb, cc, nc, n_bins, fill);
			break;
		default:
			elog(ERROR, "unknown binned metric %d", (int) metric);
	}
	return drift_result_make(fcinfo, stat, false, 0.0, true, nb, nc);
}

/*
 * The locator of sb's bins under spec, built in sb's context on first use.
 * One aggregate call may see different options per group, so a baseline
 * keeps one locator per spec it met; the most recent comes first.
 */
static BinLocator *
binned_locator(FunctionCallInfo fcinfo, StreamBaseline *sb, BinSpec spec)
{
	BinLocator *loc = (BinLocator *) sb->locator;
	BinLocator *prev = NULL;
	MemoryContext old;

	if (loc != NULL && loc->spec.bins == spec.bins && loc->spec.method == spec.method)
		return loc;
	for (; loc != NULL; prev = loc, loc = loc->next)
	{
		if (loc->spec.bins == spec.bins && loc->spec.method == spec.method)
		{
			prev->next = loc->next;
			loc->next = (BinLocator *) sb->locator;
			sb->locator = loc;
			return loc;
		}
	}
	if (sb->profile->kind != PROFILE_KIND_NUMERIC)
		profile_require_numeric(sb->profile, drift_caller_name(fcinfo));
	old = MemoryContextSwitchTo(sb->cxt);
	loc = binning_locator(sb->profile, spec);
	loc->next = (BinLocator *) sb->locator;
	sb->locator = loc;
	MemoryContextSwitchTo(old);
	return loc;
}

/* Resolve the row's baseline, options and locator into cs. */
static void
resolve_row(FunctionCallInfo fcinfo, CallSite *cs, bool named, int opt_arg)
{
	StreamBaseline *sb = call_site_baseline(fcinfo, cs, named);
	BinSpec		spec = binspec_from_args(fcinfo, opt_arg, opt_arg + 1);

	cs->param = fill_from_arg(fcinfo, opt_arg + 2);
	cs->option = binspec_pack(spec);
	cs->data = binned_locator(fcinfo, sb, spec);
	call_site_done(cs);
}

/* Count one row into the state; options start at argument opt_arg. */
static Datum
binned_count(FunctionCallInfo fcinfo, bool named, int opt_arg)
{
	CallSite   *cs = call_site_get(fcinfo);
	BinLocator *loc;
	StreamState *s;
	float8		x;

	if (!cs->resolved)
		resolve_row(fcinfo, cs, named, opt_arg);
	loc = (BinLocator *) cs->data;
	if (PG_ARGISNULL(0))
	{
		cs->sb->n_slots = loc->n_edges + 1;
		s = stream_state_create(STREAM_TEST_BINNED, cs->sb, cs->option, cs->param);
	}
	else
	{
		s = PG_GETARG_STREAM_STATE_P(0);
		stream_state_require(s, STREAM_TEST_BINNED, cs->option, cs->param, cs->sb->fingerprint,
							 loc->n_edges + 1, "baseline and options");
	}
	if (agg_value_missing(fcinfo, &s->null_count, &s->nan_count, &x))
		PG_RETURN_POINTER(s);
	PG_RETURN_POINTER(stream_state_add(s, binning_lookup(loc, x)));
}

/* Transition of X_drift(value, baseline name, column [, bins [, binning [, fill]]]). */
Datum
binned_drift_named_trans(PG_FUNCTION_ARGS)
{
	return binned_count(fcinfo, true, 4);
}

/* Transition of X_drift(value, profile [, bins [, binning [, fill]]]). */
Datum
binned_drift_profile_trans(PG_FUNCTION_ARGS)
{
	return binned_count(fcinfo, false, 3);
}

/* Final function of the streaming forms: bin the baseline the same way and compare. */
static Datum
binned_final(FunctionCallInfo fcinfo, BinnedMetric metric)
{
	StreamState *s = PG_GETARG_STREAM_STATE_P(0);
	const char *name = metric_names[metric];
	DriftProfile *p;
	BinSpec		spec;
	float8	   *edges;
	int32		k;
	int64	   *cb;
	int64	   *cc;

	stream_state_require_test(s, STREAM_TEST_BINNED, -1, name);
	spec = binspec_unpack(s->option);
	binspec_check(spec, name);
	if (metric_has_fill(metric))
		fill_check(s->param, name);
	p = profile_require_numeric(stream_state_baseline(fcinfo, s), name);
	k = binning_profile_edges(p, spec, &edges);
	stream_state_require_slots(s, k + 1, name);
	cb = palloc0(sizeof(int64) * (k + 1));
	binning_count_list(edges, k, profile_values(p), profile_counts(p), p->n_entries, cb);
	cc = stream_state_counts(s);
	return binned_result(fcinfo, metric, cb, p->count, cc, s->n_current, k + 1, s->param);
}

Datum
psi_drift_final(PG_FUNCTION_ARGS)
{
	return binned_final(fcinfo, METRIC_PSI);
}

Datum
js_drift_final(PG_FUNCTION_ARGS)
{
	return binned_final(fcinfo, METRIC_JS);
}

Datum
hellinger_drift_final(PG_FUNCTION_ARGS)
{
	return binned_final(fcinfo, METRIC_HELLINGER);
}

Datum
kl_drift_final(PG_FUNCTION_ARGS)
{
	return binned_final(fcinfo, METRIC_KL);
}

/*
 * Options of the plain forms: arguments 2 (bins), 3 (binning) and, for psi
 * and kl, 4 (fill).  They are declared with defaults, so always present.
 */
static void
plain_options(FunctionCallInfo fcinfo, BinnedMetric metric, BinSpec *spec, float8 *fill)
{
	*spec = binspec_from_args(fcinfo, 2, 3);
	*fill = metric_has_fill(metric) ? fill_from_arg(fcinfo, 4) : BINNING_DEFAULT_FILL;
}

/* Both samples as sorted value/count lists, binned by the baseline's edges. */
static Datum
binned_lists(FunctionCallInfo fcinfo, BinnedMetric metric, BinSpec spec, float8 fill,
			 const float8 *bv, const int64 *bc, int32 bn, int64 nb,
			 const float8 *cv, const int64 *cc, int32 cn, int64 nc)
{
	float8	   *edges = palloc(sizeof(float8) * Max(spec.bins - 1, 1));
	int32		k = binning_edges(bv, bc, bn, nb, spec, edges);
	int64	   *bins_b = palloc0(sizeof(int64) * (k + 1));
	int64	   *bins_c = palloc0(sizeof(int64) * (k + 1));

	binning_count_list(edges, k, bv, bc, bn, bins_b);
	binning_count_list(edges, k, cv, cc, cn, bins_c);
	return binned_result(fcinfo, metric, bins_b, nb, bins_c, nc, k + 1, fill);
}

/* X_drift(baseline drift_profile, current drift_profile, bins, binning [, fill]). */
static Datum
binned_profiles(FunctionCallInfo fcinfo, BinnedMetric metric)
{
	const char *name = metric_names[metric];
	BinSpec		spec;
	float8		fill;
	DriftProfile *b,
			   *c;

	plain_options(fcinfo, metric, &spec, &fill);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	b = PG_GETARG_DRIFT_PROFILE_P(0);
	c = PG_GETARG_DRIFT_PROFILE_P(1);
	profile_check_usable(b);
	/* psi and js are also categorical tests: categorical baselines go there (bins unused) */
	if (b->kind == PROFILE_KIND_CATEGORICAL && (metric == METRIC_PSI || metric == METRIC_JS))
		return categorical_profiles_result(fcinfo, metric == METRIC_PSI ? CAT_STAT_PSI : CAT_STAT_JS,
										   b, c, fill);
	b = profile_require_numeric(b, name);
	c = profile_require_numeric(c, name);
	return binned_lists(fcinfo, metric, spec, fill,
						profile_values(b), profile_counts(b), b->n_entries, b->count,
						profile_values(c), profile_counts(c), c->n_entries, c->count);
}

/* X_drift(baseline float8[], current float8[], bins, binning [, fill]). */
static Datum
binned_arrays(FunctionCallInfo fcinfo, BinnedMetric metric)
{
	const char *name = metric_names[metric];
	BinSpec		spec;
	float8		fill;
	float8	   *bv,
			   *cv;
	int64	   *bc,
			   *cc;
	int32		bn,
				cn;
	int64		nb,
				nc;

	plain_options(fcinfo, metric, &spec, &fill);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	nb = float8_array_to_list(PG_GETARG_ARRAYTYPE_P(0), name, &bv, &bc, &bn);
	nc = float8_array_to_list(PG_GETARG_ARRAYTYPE_P(1), name, &cv, &cc, &cn);
	return binned_lists(fcinfo, metric, spec, fill, bv, bc, bn, nb, cv, cc, cn, nc);
}

Datum
psi_drift_profiles(PG_FUNCTION_ARGS)
{
	return binned_profiles(fcinfo, METRIC_PSI);
}

Datum
js_drift_profiles(PG_FUNCTION_ARGS)
{
	return binned_profiles(fcinfo, METRIC_JS);
}

Datum
hellinger_drift_profiles(PG_FUNCTION_ARGS)
{
	return binned_profiles(fcinfo, METRIC_HELLINGER);
}

Datum
kl_drift_profiles(PG_FUNCTION_ARGS)
{
	return binned_profiles(fcinfo, METRIC_KL);
}

Datum
psi_drift_arrays(PG_FUNCTION_ARGS)
{
	return binned_arrays(fcinfo, METRIC_PSI);
}

Datum
js_drift_arrays(PG_FUNCTION_ARGS)
{
	return binned_arrays(fcinfo, METRIC_JS);
}

Datum
hellinger_drift_arrays(PG_FUNCTION_ARGS)
{
	return binned_arrays(fcinfo, METRIC_HELLINGER);
}

Datum
kl_drift_arrays(PG_FUNCTION_ARGS)
{
	return binned_arrays(fcinfo, METRIC_KL);
}
