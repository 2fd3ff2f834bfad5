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

/* chi2_sf with the table's argument order (dof, x). */
static double
chi2_sf_dof_x(double dof, double x)
{
	return chi2_sf(x, dof);
}

void
test_chi2(const char *datadir)
{
	static const ProbabilityFn fns[] = {{"chi2_sf", chi2_sf_dof_x}, {"gamma_q", gamma_q}};

	check_probability_table(datadir, "chi2.csv", "fn,a,x,expected", fns, 2);

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
