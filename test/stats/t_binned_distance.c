/*
 * t_binned_distance.c -- psi, kl, js, hellinger and proportion_difference
 * (src/stats/binned_distance.c) against data/binned_distance.csv: random
 * bin counts, empty bins (the zero fill), a single bin, disjoint supports,
 * counts near 2^40, and nearly identical samples where the C code's
 * cancellation-free forms are checked against exact rational differences.
 * Extra checks: every distance is 0 for identical proportions and symmetric
 * where the definition is (js, hellinger).
 */
#include "stats_test.h"
#include "binned_distance.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Evaluate the row's function. */
static double
binned_eval(const char *fn, const int64_t *cb, const int64_t *cc, int32_t k, double fill)
{
	int64_t		nb = 0,
				nc = 0;

	for (int32_t i = 0; i < k; i++)
	{
		nb += cb[i];
		nc += cc[i];
	}
	if (strcmp(fn, "psi") == 0)
		return psi_from_counts(cb, nb, cc, nc, k, fill);
	if (strcmp(fn, "kl") == 0)
		return kl_from_counts(cb, nb, cc, nc, k, fill);
	if (strcmp(fn, "js") == 0)
		return js_from_counts(cb, nb, cc, nc, k);
	if (strcmp(fn, "hellinger") == 0)
		return hellinger_from_counts(cb, nb, cc, nc, k);
	die("unknown function", fn);
	return 0.0;
}

void
test_binned_distance(const char *datadir)
{
	enum
	{
		COL_FN,
		COL_FILL,
		COL_CB,
		COL_CC,
		COL_EXPECTED
	};
	CsvReader	r;

	data_open(&r, datadir, "binned_distance.csv", "fn,fill,cb,cc,expected");
	while (csv_next(&r))
	{
		const char *fn = r.fields[COL_FN];
		double		ref = parse_double(r.fields[COL_EXPECTED]);
		double		got;

		if (strcmp(fn, "propdiff") == 0)
		{
			int64_t    *n;

			if (parse_int64s(r.fields[COL_FILL], &n) != 2)
				die("propdiff needs \"nb nc\":", r.fields[COL_FILL]);
			got = proportion_difference(parse_int64(r.fields[COL_CB]), n[0],
										parse_int64(r.fields[COL_CC]), n[1]);
			/* documented as a few ulps */
			checkf(fabs(got - ref) <= 4 * DBL_EPSILON * fabs(ref),
				   "propdiff %s/%ld vs %s/%ld: got %.17g want %.17g",
				   r.fields[COL_CB], (long) n[0], r.fields[COL_CC], (long) n[1], got, ref);
			free(n);
		}
		else
		{
			int64_t    *cb,
					   *cc;
			size_t		k = parse_int64s(r.fields[COL_CB], &cb);
			double		fill = parse_double(r.fields[COL_FILL]);

			if (parse_int64s(r.fields[COL_CC], &cc) != k)
				die("bin counts differ in length:", r.fields[COL_CC]);
			got = binned_eval(fn, cb, cc, (int32_t) k, fill);
			checkf(stat_ok(got, ref), "%s [%.60s] vs [%.60s]: got %.17g want %.17g (rel %.2g)",
				   fn, r.fields[COL_CB], r.fields[COL_CC], got, ref, rel_err(got, ref));
			/* symmetric definitions must not depend on the argument order */
			if (strcmp(fn, "js") == 0 || strcmp(fn, "hellinger") == 0)
			{
				double		swapped = binned_eval(fn, cc, cb, (int32_t) k, fill);

				checkf(stat_ok(swapped, got), "%s not symmetric: %.17g vs %.17g",
					   fn, swapped, got);
			}
			/* a sample against itself (scaled) is at distance 0 */
			{
				int64_t    *c3 = malloc(k * sizeof(int64_t));
				double		self;

				if (c3 == NULL)
					die("out of memory", NULL);
				for (size_t i = 0; i < k; i++)
					c3[i] = cb[i] * 3;
				self = binned_eval(fn, cb, c3, (int32_t) k, fill);
				checkf(self == 0.0, "%s of [%.60s] against 3x itself: %.17g", fn,
					   r.fields[COL_CB], self);
				free(c3);
			}
			free(cb);
			free(cc);
		}
	}
	csv_close(&r);
}
