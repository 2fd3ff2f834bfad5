/*
 * t_kolmogorov_parts.c -- the individual one-sample Kolmogorov algorithms
 * (src/stats/kolmogorov_exact.c: Durbin matrix, Pomeranz recursion;
 * src/stats/kolmogorov.c: Pelz-Good) against SciPy 1.10.1's implementations
 * of the same algorithms (data/kolmogorov_parts.csv), in the ranges where
 * kolmogorov_sf selects them.  ks_test.c checks the composed kolmogorov_sf
 * and smirnov_sf (smirnov.c); this pins each piece on its own, so that a
 * regression is located in the file that has it.
 */
#include "stats_test.h"
#include "kolmogorov.h"


/* The table gives n as a double (exact: n <= 10^6). */
static double
durbin(double n, double x)
{
	return ks_kolmogorov_cdf_durbin((int64_t) n, x);
}

static double
pomeranz(double n, double x)
{
	return ks_kolmogorov_cdf_pomeranz((int64_t) n, x);
}

static double
pelz_good(double n, double x)
{
	return ks_kolmogorov_cdf_pelz_good((int64_t) n, x);
}

void
test_kolmogorov_parts(const char *datadir)
{
	static const ProbabilityFn fns[] = {
		{"durbin", durbin}, {"pomeranz", pomeranz}, {"pelz_good", pelz_good}
	};

	check_probability_table(datadir, "kolmogorov_parts.csv", "method,n,x,cdf", fns, 3);
}
