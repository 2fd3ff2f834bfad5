/*
 * binning.c
 *		Edges of the binned drift tests, computed from a baseline profile, and
 *		the options that choose them.
 *
 * Quantile binning (the default) reproduces numpy.quantile(b, [i/B ...])
 * (method 'linear', NumPy 1.24) bit for bit, because bin membership is an
 * exact comparison and observations sit on edges in real data:
 *
 *	 q = i/B (one double division); h = (n-1)*q (double multiply);
 *	 h >= n-1: the largest value; else j = floor(h), g = h - j,
 *	 d = x_{j+1} - x_j, edge = x_{j+1} - d*(1-g) if g >= 0.5 else x_j + d*g.
 *
 * The x_j are order statistics of the expanded sample; they are read from
 * the profile's sorted distinct values and counts by walking cumulative
 * counts, never by expanding the sample.  Duplicate edges are dropped after
 * sorting (numpy.unique), outer edges are -inf and +inf.
 *
 * Uniform binning (binning => 'uniform') follows numpy.linspace(lo, hi, B+1)
 * over the baseline's finite range [lo, hi], i.e. inner edges
 * e_i = i * ((hi - lo) / B) + lo for i = 1 .. B-1, duplicates dropped, outer
 * edges -inf and +inf, with the same right-closed membership as quantile bins
 * (x is in bin i when e_{i-1} < x <= e_i).  Values outside the baseline's
 * range thus fall in the first or last bin.  Where (hi - lo) overflows, the
 * step is hi/B - lo/B instead.
 *
 * Products are stored in volatile doubles before the addition so that no
 * compiler contracts a*b+c into a fused multiply-add, which NumPy does not
 * use and which would move edges by an ulp.
 */
#include "postgres.h"
#include "core/compat.h"

#include <math.h>

#include "nodes/primnodes.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "drift/binning.h"

/* Parse a binning method name (called per row: no allocation on success). */
static BinningMethod
parse_method(FunctionCallInfo fcinfo, text *t)
{
	const char *s = VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);

	if (len == 8 && pg_strncasecmp(s, "quantile", 8) == 0)
		return BINNING_QUANTILE;
	if (len == 7 && pg_strncasecmp(s, "uniform", 7) == 0)
		return BINNING_UNIFORM;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: unknown binning \"%s\"", drift_caller_name(fcinfo), text_to_cstring(t)),
			 errhint("Use 'quantile' (bins at the baseline's quantiles) or 'uniform' "
					 "(equal-width bins over the baseline's range).")));
}

/* Fail unless spec is usable. */
void
binspec_check(BinSpec spec, const char *function_name)
{
	if (spec.bins < 1 || spec.bins > BINNING_MAX_BINS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: bins must be between 1 and %d, not %d",
						function_name, BINNING_MAX_BINS, spec.bins),
				 errhint("Pass a positive number of bins, such as bins => 10.")));
	if (spec.method != BINNING_QUANTILE && spec.method != BINNING_UNIFORM)
		elog(ERROR, "%s: unknown binning method %d", function_name, (int) spec.method);
}

/*
 * The bins and binning method in arguments bins_arg and method_arg, where
 * the call has them (defaults otherwise); NULL is an error.
 */
BinSpec
binspec_from_args(FunctionCallInfo fcinfo, int bins_arg, int method_arg)
{
	BinSpec		spec = {BINNING_DEFAULT_BINS, BINNING_QUANTILE};

	if (PG_NARGS() > bins_arg)
	{
		if (PG_ARGISNULL(bins_arg))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s: bins must not be NULL", drift_caller_name(fcinfo)),
					 errhint("Pass a positive number of bins, such as bins => 10.")));
		spec.bins = PG_GETARG_INT32(bins_arg);
	}
	if (PG_NARGS() > method_arg)
	{
		if (PG_ARGISNULL(method_arg))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s: binning must not be NULL", drift_caller_name(fcinfo)),
					 errhint("Use 'quantile' or 'uniform'.")));
		spec.method = parse_method(fcinfo, PG_GETARG_TEXT_PP(method_arg));
	}
	if (spec.bins < 1 || spec.bins > BINNING_MAX_BINS)
		binspec_check(spec, drift_caller_name(fcinfo));
	return spec;
}

/*
 * NumPy's _lerp(a, b, t): a + (b-a)*t, or b - (b-a)*(1-t) when t >= 0.5.
 * Where the result is NaN (only with infinite values, or a difference that
 * overflows) NumPy's edge is unusable; take the limit instead: the nearer
 * endpoint's side (a when t < 0.5, else b), or a when a == b.
 */
static float8
numpy_lerp(float8 a, float8 b, float8 t)
{
	volatile float8 d = b - a;
	volatile float8 prod;
	float8		r;

	if (t >= 0.5)
	{
		prod = d * (1.0 - t);
		r = b - prod;
	}
	else
	{
		prod = d * t;
		r = a + prod;
	}
	if (isnan(r))
		r = (a == b || t < 0.5) ? a : b;
	return r;
}

/* Sort the edges ascending (insertion sort: there are fewer than B) and drop duplicates. */
static int32
sort_unique(float8 *edges, int32 n)
{
	int32		k = 0;

	for (int32 i = 1; i < n; i++)
	{
		float8		v = edges[i];
		int32		j = i - 1;

		while (j >= 0 && edges[j] > v)
		{
			edges[j + 1] = edges[j];
			j--;
		}
		edges[j + 1] = v;
	}
	for (int32 i = 0; i < n; i++)
		if (k == 0 || edges[i] != edges[k - 1])
			edges[k++] = (edges[i] == 0.0) ? 0.0 : edges[i];
	return k;
}

/*
 * Walks the order statistics of a sample given as sorted distinct values and
 * counts: rank r (0-based) lies in entry idx when cum_before <= r < cum_before
 * + counts[idx].  Ranks asked for must not decrease.
 */
typedef struct RankWalker
{
	const float8 *values;
	const int64 *counts;
	int32		n;
	int32		idx;
	int64		cum_before;
} RankWalker;

static float8
rank_value(RankWalker *w, int64 r)
{
	while (w->idx < w->n - 1 && r >= w->cum_before + w->counts[w->idx])
	{
		w->cum_before += w->counts[w->idx];
		w->idx++;
	}
	return w->values[w->idx];
}

/* Quantile edges i/B, i = 1..B-1, exactly as numpy.quantile (see the file header). */
static int32
quantile_edges(const float8 *values, const int64 *counts, int32 n_distinct, int64 total,
			   int32 bins, float8 *edges)
{
	/* one walker per endpoint: each asks for non-decreasing ranks */
	RankWalker	wa = {values, counts, n_distinct, 0, 0};
	RankWalker	wb = {values, counts, n_distinct, 0, 0};
	float8		last = (float8) (total - 1);

	for (int32 i = 1; i < bins; i++)
	{
		float8		q = (float8) i / (float8) bins;
		volatile float8 h = last * q;

		if (h >= last)
			edges[i - 1] = numpy_lerp(values[n_distinct - 1], values[n_distinct - 1], 0.0);
		else
		{
			float8		fj = floor(h);
			int64		j = (int64) fj;
			float8		g = h - fj;
			float8		a = rank_value(&wa, j);
			float8		b = rank_value(&wb, j + 1);

			edges[i - 1] = numpy_lerp(a, b, g);
		}
	}
	return sort_unique(edges, bins - 1);
}

/* Equal-width edges over the finite range of the values (see the file header). */
static int32
uniform_edges(const float8 *values, int32 n_distinct, int32 bins, float8 *edges)
{
	int32		first = 0,
				last = n_distinct - 1;
	float8		lo,
				hi;
	volatile float8 step;

	while (first < n_distinct && isinf(values[first]))
		first++;
	while (last >= 0 && isinf(values[last]))
		last--;
	if (first > last)
		return 0;				/* no finite value: a single bin */
	lo = values[first];
	hi = values[last];
	step = (hi - lo) / (float8) bins;
	if (!isfinite(step))
		step = hi / (float8) bins - lo / (float8) bins;
	for (int32 i = 1; i < bins; i++)
	{
		volatile float8 prod;

		if (step == 0.0)
		{
			/* numpy.linspace divides first when the step underflows */
			prod = ((float8) i / (float8) bins) * (hi - lo);
		}
		else
			prod = (float8) i * step;
		edges[i - 1] = prod + lo;
	}
	return sort_unique(edges, bins - 1);
}

/*
 * The inner edges of the sample given as sorted distinct values with counts
 * (total values in all) under spec, written to edges (room for bins - 1);
 * returns how many.  An empty sample has none (one bin).
 */
int32
binning_edges(const float8 *values, const int64 *counts, int32 n_distinct, int64 total,
			  BinSpec spec, float8 *edges)
{
	if (total <= 0 || n_distinct <= 0)
		return 0;
	if (spec.method == BINNING_UNIFORM)
		return uniform_edges(values, n_distinct, spec.bins, edges);
	return quantile_edges(values, counts, n_distinct, total, spec.bins, edges);
}

/* The edges of a numeric profile, palloc'd; returns how many. */
int32
binning_profile_edges(const DriftProfile *p, BinSpec spec, float8 **edges)
{
	*edges = palloc(sizeof(float8) * Max(spec.bins - 1, 1));
	return binning_edges(profile_values(p), profile_counts(p), p->n_entries, p->count,
						 spec, *edges);
}

/*
 * Add the counts of a sorted distinct-value list to bin_counts (n_edges + 1
 * entries): one merge pass, since both are ascending.
 */
void
binning_count_list(const float8 *edges, int32 n_edges, const float8 *values,
				   const int64 *counts, int32 n_distinct, int64 *bin_counts)
{
	int32		e = 0;

	for (int32 i = 0; i < n_distinct; i++)
	{
		while (e < n_edges && edges[e] < values[i])
			e++;
		bin_counts[e] += counts[i];
	}
}

/* Lookup structure of a profile's bins, in the current memory context. */
BinLocator *
binning_locator(const DriftProfile *p, BinSpec spec)
{
	BinLocator *loc = palloc0(sizeof(BinLocator));

	loc->spec = spec;
	loc->n_edges = binning_profile_edges(p, spec, &loc->edges);
	if (loc->n_edges > 16)
		loc->index = baseline_index_build(loc->edges, loc->n_edges);
	return loc;
}
