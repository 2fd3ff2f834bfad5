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

#include <string.h>

void
test_kolmogorov_parts(const char *datadir)
{
	enum
	{
		COL_METHOD,
		COL_N,
		COL_X,
		COL_CDF
	};
	CsvReader	r;

	data_open(&r, datadir, "kolmogorov_parts.csv", "method,n,x,cdf");
	while (csv_next(&r))
	{
		const char *method = r.fields[COL_METHOD];
		int64_t		n = parse_int64(r.fields[COL_N]);
		double		x = parse_double(r.fields[COL_X]);
		double		ref = parse_double(r.fields[COL_CDF]);
		double		got;

		if (strcmp(method, "durbin") == 0)
			got = ks_kolmogorov_cdf_durbin(n, x);
		else if (strcmp(method, "pomeranz") == 0)
			got = ks_kolmogorov_cdf_pomeranz(n, x);
		else if (strcmp(method, "pelz_good") == 0)
			got = ks_kolmogorov_cdf_pelz_good(n, x);
		else
		{
			die("unknown method", method);
			return;
		}
		checkf(p_ok(got, ref), "%s(n=%ld, x=%.17g): got %.17g want %.17g (rel %.2g)",
			   method, (long) n, x, got, ref, rel_err(got, ref));
	}
	csv_close(&r);
}
