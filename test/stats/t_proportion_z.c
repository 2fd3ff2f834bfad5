/*
 * t_proportion_z.c -- the two-proportion z-test (src/stats/proportion_z.c)
 * against data/proportion_z.csv: |z| with the pooled variance computed in
 * exact rational arithmetic up to the square root, p = 2 * scipy.stats.
 * norm.sf(|z|); rows include one value on both sides (z 0, p 1), a p-value
 * far in the tail and samples of one value each.
 */
#include "stats_test.h"
#include "proportion_z.h"

void
test_proportion_z(const char *datadir)
{
	CsvReader	r;

	data_open(&r, datadir, "proportion_z.csv", "xb,nb,xc,nc,z,p");
	while (csv_next(&r))
	{
		int64_t		xb = parse_int64(r.fields[0]);
		int64_t		nb = parse_int64(r.fields[1]);
		int64_t		xc = parse_int64(r.fields[2]);
		int64_t		nc = parse_int64(r.fields[3]);
		double		rz = parse_double(r.fields[4]);
		double		rp = parse_double(r.fields[5]);
		double		z,
					p;

		proportion_z_test(xb, nb, xc, nc, &z, &p);
		checkf(stat_ok(z, rz), "z %lld/%lld vs %lld/%lld: got %.17g want %.17g (rel %.2g)",
			   (long long) xb, (long long) nb, (long long) xc, (long long) nc, z, rz, rel_err(z, rz));
		checkf(p_ok(p, rp), "p %lld/%lld vs %lld/%lld: got %.17g want %.17g (rel %.2g)",
			   (long long) xb, (long long) nb, (long long) xc, (long long) nc, p, rp, rel_err(p, rp));
	}
	csv_close(&r);
}
