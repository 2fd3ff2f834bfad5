/*
 * t_chi2.c -- chi2_sf and gamma_q (src/stats/chi2.c) against
 * scipy.stats.chi2.sf and scipy.special.gammaincc (data/chi2.csv): both
 * branches (series below a + 1, continued fraction above), large degrees of
 * freedom, tails down to the subnormal range and beyond, and the edges the
 * C code defines (x <= 0 gives 1, x = inf gives 0, dof <= 0 gives 1, NaN or
 * a <= 0 gives NaN).  Also checks monotonicity in x on a fine grid, which a
 * switch between the two branches must not break.
 */
#include "stats_test.h"
#include "chi2.h"

#include <math.h>
#include <string.h>

void
test_chi2(const char *datadir)
{
	enum
	{
		COL_FN,
		COL_A,
		COL_X,
		COL_EXPECTED
	};
	CsvReader	r;

	data_open(&r, datadir, "chi2.csv", "fn,a,x,expected");
	while (csv_next(&r))
	{
		const char *fn = r.fields[COL_FN];
		double		a = parse_double(r.fields[COL_A]);
		double		x = parse_double(r.fields[COL_X]);
		double		ref = parse_double(r.fields[COL_EXPECTED]);
		double		got;

		if (strcmp(fn, "chi2_sf") == 0)
			got = chi2_sf(x, a);
		else if (strcmp(fn, "gamma_q") == 0)
			got = gamma_q(a, x);
		else
		{
			die("unknown function", fn);
			return;
		}
		checkf(p_ok(got, ref), "%s(a=%.17g, x=%.17g): got %.17g want %.17g (rel %.2g)",
			   fn, a, x, got, ref, rel_err(got, ref));
	}
	csv_close(&r);

	/* non-increasing in x across the series / continued-fraction switch */
	for (double dof = 1; dof <= 64; dof *= 2)
	{
		double		prev = 1.0;
		int			ok = 1;

		for (double x = 0.0; x <= 4 * dof + 40; x += dof / 64.0)
		{
			double		q = chi2_sf(x, dof);

			ok &= (q <= prev && q >= 0.0);
			prev = q;
		}
		checkf(ok, "chi2_sf(x, %g) not non-increasing in x", dof);
	}
}
