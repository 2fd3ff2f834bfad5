/*
 * t_mean_shift.c -- the streaming z-test (src/stats/mean_shift.c) against
 * data/mean_shift.csv: z = (mean_c - mean_b) / sqrt(var_b/n_b + var_c/n_c)
 * and p = 2 * scipy.stats.norm.sf(|z|), with the reference moments summed
 * exactly rounded.  Values are fed one at a time through ShiftedMoments with
 * the shift fixed at the baseline's first value (as a profile fixes it),
 * the current sample in two halves merged with shifted_moments_combine, so
 * that the streaming path, not a closed formula, is what is compared.  Rows
 * include samples near 1e4 and 1e8 with small noise (where raw sums lose
 * digits), two values per sample, and the cases the C code defines as
 * undefined (fewer than two values, zero spread).
 */
#include "stats_test.h"
#include "mean_shift.h"

#include <math.h>
#include <stdlib.h>

/* Moments of v[lo..hi) with the given shift. */
static ShiftedMoments
moments_of(const double *v, size_t lo, size_t hi, double shift)
{
	ShiftedMoments m = {shift, 0, {0.0, 0.0}, {0.0, 0.0}};

	for (size_t i = lo; i < hi; i++)
		shifted_moments_add(&m, v[i]);
	return m;
}

void
test_mean_shift(const char *datadir)
{
	enum
	{
		COL_B,
		COL_C,
		COL_OK,
		COL_Z,
		COL_P
	};
	CsvReader	r;

	data_open(&r, datadir, "mean_shift.csv", "b,c,ok,z,p");
	while (csv_next(&r))
	{
		double	   *b,
				   *c;
		size_t		nb = parse_doubles(r.fields[COL_B], &b);
		size_t		nc = parse_doubles(r.fields[COL_C], &c);
		double		shift = b[0];
		ShiftedMoments mb = moments_of(b, 0, nb, shift);
		ShiftedMoments mc = moments_of(c, 0, nc / 2, shift);
		ShiftedMoments mc2 = moments_of(c, nc / 2, nc, shift);
		double		db,
					m2b,
					dc,
					m2c,
					z = NAN,
					p = NAN;
		int			want_ok = (int) parse_int64(r.fields[COL_OK]);
		int			ok;

		shifted_moments_combine(&mc, &mc2);
		shifted_moments_result(&mb, &db, &m2b);
		shifted_moments_result(&mc, &dc, &m2c);
		ok = zscore_test((int64_t) nb, m2b, (int64_t) nc, m2c, dc - db, &z, &p);
		checkf(ok == want_ok, "zscore defined? n_b=%zu n_c=%zu [%.40s]: got %d want %d",
			   nb, nc, r.fields[COL_B], ok, want_ok);
		if (ok && want_ok)
		{
			double		rz = parse_double(r.fields[COL_Z]);
			double		rp = parse_double(r.fields[COL_P]);

			checkf(stat_ok(z, rz), "z n_b=%zu n_c=%zu: got %.17g want %.17g (rel %.2g)",
				   nb, nc, z, rz, rel_err(z, rz));
			checkf(p_ok(p, rp), "p n_b=%zu n_c=%zu: got %.17g want %.17g (rel %.2g)",
				   nb, nc, p, rp, rel_err(p, rp));
		}
		free(b);
		free(c);
	}
	csv_close(&r);
}
