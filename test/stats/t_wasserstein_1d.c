/*
 * t_wasserstein_1d.c -- wasserstein_lists (src/stats/wasserstein_1d.c)
 * against scipy.stats.wasserstein_distance (data/wasserstein_1d.csv): one
 * value per sample, ties, unequal sizes, -0.0 against 0.0, values of
 * +-1e300, and the C code's documented convention for infinite values
 * (0 where the ECDFs agree on the infinite interval, inf where they differ;
 * SciPy returns NaN there).  The raw samples go through sort_float8 and
 * collapse_sorted first, as a profile builds them.  The distance must also
 * be symmetric.
 */
#include "stats_test.h"
#include "wasserstein_1d.h"

#include <stdlib.h>

void
test_wasserstein_1d(const char *datadir)
{
	enum
	{
		COL_B,
		COL_C,
		COL_EXPECTED
	};
	CsvReader	r;

	data_open(&r, datadir, "wasserstein_1d.csv", "b,c,expected");
	while (csv_next(&r))
	{
		double	   *b,
				   *c,
				   *bv,
				   *cv;
		int64_t    *bc,
				   *ccnt;
		size_t		nb = parse_doubles(r.fields[COL_B], &b);
		size_t		nc = parse_doubles(r.fields[COL_C], &c);
		int32_t		bn = (int32_t) sorted_distinct(b, nb, &bv, &bc);
		int32_t		cn = (int32_t) sorted_distinct(c, nc, &cv, &ccnt);
		double		ref = parse_double(r.fields[COL_EXPECTED]);
		double		got = wasserstein_lists(bv, bc, bn, (int64_t) nb, cv, ccnt, cn, (int64_t) nc);
		double		rev = wasserstein_lists(cv, ccnt, cn, (int64_t) nc, bv, bc, bn, (int64_t) nb);

		checkf(stat_ok(got, ref), "wasserstein n_b=%zu n_c=%zu [%.40s]: got %.17g want %.17g (rel %.2g)",
			   nb, nc, r.fields[COL_B], got, ref, rel_err(got, ref));
		checkf(stat_ok(rev, got), "wasserstein not symmetric n_b=%zu n_c=%zu: %.17g vs %.17g",
			   nb, nc, rev, got);
		free(b);
		free(c);
		free(bv);
		free(cv);
		free(bc);
		free(ccnt);
	}
	csv_close(&r);
}
