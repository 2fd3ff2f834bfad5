/*
 * profile_sketch.c
 *		Equi-depth compaction of a numeric profile into a quantile sketch, and
 *		the bookkeeping that keeps its rank-error bound and moments right.
 *
 * The sketch is the profile format itself: ascending (value, count) entries
 * whose counts add up to the true count.  Compaction merges runs of adjacent
 * entries, in the spirit of the equi-depth summaries of Greenwald & Khanna
 * ("Space-efficient online computation of quantile summaries", SIGMOD 2001)
 * and the compactors of Karnin, Lang & Liberty ("Optimal quantile
 * approximation in streams", FOCS 2016): every kept entry carries the counts
 * of the entries it replaces and sits at one of them.
 *
 * The algorithm.  Entries 0 and n-1 are never merged (so min and max stay
 * exact).  The m = n - 2 middle entries, of total weight W, are cut greedily
 * into runs: a run grows while its weight plus the next entry's count stays
 * <= B; an entry heavier than B is a run of its own.  Each run of two or more
 * entries becomes one entry with the run's weight, placed at the run's
 * weighted median v_m (the first entry whose cumulative weight within the run
 * reaches half of it).
 *
 * (That weight rule proves the bound; the code then looks for the smallest
 * error allowance that reaches the size, see sketch_compact().)
 *
 * Size.  A run is closed only when its weight plus the next count exceeds B,
 * so any two consecutive runs weigh more than B together; R runs contain
 * floor(R/2) disjoint such pairs, so floor(R/2) < W/B and R <= 2 ceil(W/B) - 1.
 * With h = floor((k + 1)/2) for k = target - 2 middle entries and
 * B = ceil(W / h), ceil(W/B) <= h and R <= 2h - 1 <= k.
 *
 * Rank error of one compaction.  Let rank(x) count values < x (the argument
 * is the same for <= x).  Runs occupy disjoint, ordered value ranges, so for
 * any x every run lies wholly below or above it, except at most one run r
 * whose first value is < x <= its last value.  Only r's contribution can
 * change: exactly before(m) or less of its weight lies below x when x <= v_m,
 * where the sketch counts none; at least W_r - after(m) when x > v_m, where it
 * counts all.  before(m) < W_r/2 and after(m) <= W_r/2 by the choice of m, so
 * |rank_sketch(x) - rank_list(x)| <= e = max over merged runs of
 * max(before(m), after(m)) <= B/2 — in counts; as a fraction, e/N.
 *
 * Accumulation.  The bound is kept in counts (SketchTracker.abs_error).  If a
 * list approximates the data within E and is compacted with error e, the
 * triangle inequality gives E + e; adding exact values (merging them into the
 * list) changes no rank difference, so E stays; merging two sketches of
 * disjoint data adds ranks, so errors add: E_a + E_b, i.e. the fractions add
 * weighted by their counts, (eps_a N_a + eps_b N_b) / (N_a + N_b).  The
 * profile stores rank_error = E / N.  Compacting to half the limit each time
 * the limit is exceeded, a stream of N distinct values with limit L compacts
 * about 2N/L times with errors growing with the stream, E/N <= ~2N/L^2 in the
 * worst case (0.4% for N = 20M, L = 100k; 1e-4 for 50M values under the
 * default limit of 1M); the stored bound is what was actually incurred.
 *
 * Moments.  Moving a value from v to v_m changes sums but not the count; the
 * tracker keeps A = sum w (v - v_m) and Q = sum w (v^2 - v_m^2) (compensated),
 * so the original mean is (sum_list + A)/N and the original sum of squared
 * deviations m2 = m2_list + Q - A (mu + mu_list).  Count, mean and variance of
 * a sketch are therefore those of the data, not of the sketch.
 */
#include "postgres.h"

#include <math.h>

#include "utils/float.h"

#include "core/pg_drift.h"
#include "profile/profile_sketch.h"

/*
 * Rank error of run [s, i] (inclusive) represented at entry m, from the
 * prefix sums P (P[j] = sum of counts before entry j).
 */
static inline int64
run_error(const int64 *P, int32 s, int32 i, int32 m)
{
	return Max(P[m] - P[s], P[i + 1] - P[m + 1]);
}

/*
 * Cut the middle entries [lo, hi) greedily into runs whose error is <= e;
 * returns the number of runs.  When emitting, write each run's entry at
 * values/counts[*out], record moment shifts in *t and the largest run error
 * in *worst.  Extending a run never lowers its best error (after(m) only
 * grows, and a new last entry as median costs the whole old run), so greedy
 * extension yields the fewest runs for a given e.
 */
static int32
greedy_runs(float8 *values, int64 *counts, const int64 *P, int32 lo, int32 hi, int64 e,
			bool emit, int32 *out, SketchTracker *t, int64 *worst)
{
	int32		runs = 0;
	int32		s = lo;

	while (s < hi)
	{
		int32		i = s;
		int32		m = s;

		for (;;)
		{
			int32		m2 = m;

			if (i + 1 >= hi)
				break;
			/* best representative of [s, i+1]: move right while it helps */
			while (m2 < i + 1 && run_error(P, s, i + 1, m2 + 1) <= run_error(P, s, i + 1, m2))
				m2++;
			if (run_error(P, s, i + 1, m2) > e)
				break;
			i++;
			m = m2;
		}
		runs++;
		if (emit)
		{
			float8		vm = values[m];

			*worst = Max(*worst, run_error(P, s, i, m));
			for (int32 j = s; j <= i; j++)
			{
				double		d = values[j] - vm;

				if (j == m)
					continue;
				neumaier_add(&t->shift_sum, (double) counts[j] * d);
				neumaier_add(&t->shift_sq, (double) counts[j] * d * (values[j] + vm));
			}
			values[*out] = vm;
			counts[(*out)++] = P[i + 1] - P[s];
		}
		s = i + 1;
	}
	return runs;
}

/*
 * See the file header.  The error allowance e is the smallest for which the
 * greedy cut of the middle entries needs at most target - 2 runs (binary
 * search; e = B/2 always suffices, so the bound of the header holds, and on
 * a list of earlier representatives plus new light entries the search finds
 * far smaller errors: a heavy representative absorbs light neighbours at the
 * cost of their weight only).
 */
int32
sketch_compact(float8 *values, int64 *counts, int32 n, int32 target, SketchTracker *t)
{
	int64	   *P;
	int64		w,
				h,
				lo,
				hi;
	int32		k = target - 2;
	int32		out = 1;
	int64		worst = 0;

	Assert(target >= 3);
	if (n <= target)
		return n;
	P = palloc(sizeof(int64) * ((Size) n + 1));
	P[0] = 0;
	for (int32 i = 0; i < n; i++)
		P[i + 1] = count_add(P[i], counts[i]);
	w = P[n - 1] - P[1];
	h = (k + 1) / 2;
	/* greedy by weight with budget B = ceil(w / h) needs <= k runs, each of error <= B/2 */
	lo = 0;
	hi = ((w + h - 1) / h + 1) / 2;
	while (lo < hi)
	{
		int64		mid = lo + (hi - lo) / 2;

		if (greedy_runs(values, counts, P, 1, n - 1, mid, false, NULL, NULL, NULL) <= k)
			hi = mid;
		else
			lo = mid + 1;
	}
	/* entry 0 stays; the middle is rewritten in place (runs never overtake their source) */
	greedy_runs(values, counts, P, 1, n - 1, lo, true, &out, t, &worst);
	values[out] = values[n - 1];
	counts[out++] = counts[n - 1];
	pfree(P);
	t->abs_error += (double) worst;
	t->approximate = true;
	return out;
}

/* Compact to half the limit once the list exceeds it. */
int32
sketch_compact_if_over(float8 *values, int64 *counts, int32 n, int32 limit, SketchTracker *t)
{
	if (n <= limit)
		return n;
	return sketch_compact(values, counts, n, Max(limit / 2, 3), t);
}

/*
 * An approximate profile's bound and the moment shifts between its entries
 * and the data it summarises (recovered from its exact mean and m2).
 */
void
sketch_tracker_add_profile(SketchTracker *t, const DriftProfile *p)
{
	const float8 *v = profile_values(p);
	const int64 *c = profile_counts(p);
	double		mu = p->mean;
	NeumaierSum s1 = {0.0, 0.0};
	NeumaierSum s2 = {0.0, 0.0};
	double		a;

	if (profile_is_exact(p))
		return;
	t->approximate = true;
	t->abs_error += p->rank_error * (double) p->count;
	if (p->count == 0 || !isfinite(mu) || !isfinite(p->m2))
		return;
	for (int32 i = 0; i < p->n_entries; i++)
	{
		double		d = v[i] - mu;

		neumaier_add(&s1, (double) c[i] * d);
		neumaier_add(&s2, (double) c[i] * d * d);
	}
	/* A = sum_true x - sum_list v;  Q = m2 - S2 + 2 mu A (profile_sketch.h) */
	a = -neumaier_value(&s1);
	neumaier_add(&t->shift_sum, a);
	neumaier_add(&t->shift_sq, p->m2 - neumaier_value(&s2) + 2.0 * mu * a);
}

/* Add another tracker (its builder's data is disjoint from ours). */
void
sketch_tracker_merge(SketchTracker *t, const SketchTracker *other)
{
	t->approximate |= other->approximate;
	t->abs_error += other->abs_error;
	neumaier_add(&t->shift_sum, other->shift_sum.sum);
	neumaier_add(&t->shift_sum, other->shift_sum.c);
	neumaier_add(&t->shift_sq, other->shift_sq.sum);
	neumaier_add(&t->shift_sq, other->shift_sq.c);
}

/* Mark p approximate and restore the data's mean and m2 (see the file header). */
DriftProfile *
sketch_finish(DriftProfile *p, const SketchTracker *t)
{
	double		n = (double) p->count;
	double		a = neumaier_value(&t->shift_sum);
	double		q = neumaier_value(&t->shift_sq);
	double		mu_list = p->mean;
	double		mu;

	if (!t->approximate || p->count == 0 || !(t->abs_error > 0.0))
		return p;
	p->flags |= PROFILE_FLAG_APPROXIMATE;
	p->rank_error = Min(1.0, t->abs_error / n);
	if (isfinite(mu_list) && isfinite(p->m2))
	{
		mu = mu_list + a / n;
		p->mean = mu;
		p->m2 = Max(0.0, p->m2 + q - a * (mu + mu_list));
	}
	return p;
}

/* An approximate profile of at most target entries (see profile_sketch.h). */
DriftProfile *
profile_compact(const float8 *values, const int64 *counts, int32 n, int32 target,
				double prior_error, int64 null_count, int64 nan_count)
{
	SketchTracker t = {0};
	float8	   *v = palloc(sizeof(float8) * Max(n, 1));
	int64	   *c = palloc(sizeof(int64) * Max(n, 1));
	int64		total = 0;
	int32		m;
	DriftProfile *p;

	memcpy(v, values, sizeof(float8) * n);
	memcpy(c, counts, sizeof(int64) * n);
	for (int32 i = 0; i < n; i++)
		total = count_add(total, counts[i]);
	if (prior_error > 0.0)
	{
		t.approximate = true;
		t.abs_error = prior_error * (double) total;
	}
	m = sketch_compact(v, c, n, Max(target, 3), &t);
	p = profile_make_numeric(m, v, c, null_count, nan_count);
	pfree(v);
	pfree(c);
	return sketch_finish(p, &t);
}
