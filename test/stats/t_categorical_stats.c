/*
 * t_categorical_stats.c -- cat_chi2, cat_psi, cat_js, cat_linf, cat_tvd
 * (src/stats/categorical_stats.c) against data/categorical_stats.csv:
 * scipy.stats.chi2_contingency([cb, cc]) with its defaults (Yates'
 * correction when dof = 1, including a cell closer than 0.5 to its
 * expectation), a single category (SciPy's 0, 1, dof 0), categories seen
 * in one sample only (the psi fill), and p-values far below 1e-300.
 */
#include "stats_test.h"
#include "categorical_stats.h"

#include <stdlib.h>

void
test_categorical_stats(const char *datadir)
{
	enum
	{
		COL_CB,
		COL_CC,
		COL_CHI2_STAT,
		COL_CHI2_P,
		COL_DOF,
		COL_PSI,
		COL_JS,
		COL_LINF,
		COL_TVD
	};
	CsvReader	r;

	data_open(&r, datadir, "categorical_stats.csv", "cb,cc,chi2_stat,chi2_p,dof,psi,js,linf,tvd");
	while (csv_next(&r))
	{
		int64_t    *cb,
				   *cc,
					nb = 0,
					nc = 0;
		size_t		k = parse_int64s(r.fields[COL_CB], &cb);
		Chi2Result	chi;
		const char *b = r.fields[COL_CB],
				   *c = r.fields[COL_CC];
		double		got,
					ref;

		if (parse_int64s(c, &cc) != k)
			die("category counts differ in length:", c);
		for (size_t i = 0; i < k; i++)
		{
			nb += cb[i];
			nc += cc[i];
		}
		chi = cat_chi2(cb, cc, (int64_t) k, nb, nc);
		ref = parse_double(r.fields[COL_CHI2_STAT]);
		checkf(stat_ok(chi.statistic, ref), "chi2 statistic [%.60s] vs [%.60s]: got %.17g want %.17g",
			   b, c, chi.statistic, ref);
		ref = parse_double(r.fields[COL_CHI2_P]);
		checkf(p_ok(chi.p_value, ref), "chi2 p [%.60s] vs [%.60s]: got %.17g want %.17g",
			   b, c, chi.p_value, ref);
		checkf(chi.dof == parse_int64(r.fields[COL_DOF]), "chi2 dof [%.60s]: got %ld want %s",
			   b, (long) chi.dof, r.fields[COL_DOF]);

		got = cat_psi(cb, cc, (int64_t) k, nb, nc, 1e-4);
		ref = parse_double(r.fields[COL_PSI]);
		checkf(stat_ok(got, ref), "psi_cat [%.60s] vs [%.60s]: got %.17g want %.17g", b, c, got, ref);
		got = cat_js(cb, cc, (int64_t) k, nb, nc);
		ref = parse_double(r.fields[COL_JS]);
		checkf(stat_ok(got, ref), "js_cat [%.60s] vs [%.60s]: got %.17g want %.17g", b, c, got, ref);
		got = cat_linf(cb, cc, (int64_t) k, nb, nc);
		ref = parse_double(r.fields[COL_LINF]);
		checkf(stat_ok(got, ref), "linf [%.60s] vs [%.60s]: got %.17g want %.17g", b, c, got, ref);
		got = cat_tvd(cb, cc, (int64_t) k, nb, nc);
		ref = parse_double(r.fields[COL_TVD]);
		checkf(stat_ok(got, ref), "tvd [%.60s] vs [%.60s]: got %.17g want %.17g", b, c, got, ref);
		free(cb);
		free(cc);
	}
	csv_close(&r);
}
