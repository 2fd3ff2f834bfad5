/*
 * t_p_adjust.c -- the multiple-testing corrections (src/stats/p_adjust.c)
 * against data/p_adjust.csv, written by statsmodels 0.13's multipletests
 * (bonferroni, holm, fdr_bh): ties, p-values of 0 and 1e-300, a single test,
 * and random sets of up to 100 p-values.  The C code follows statsmodels
 * operation for operation, so the values must agree exactly, not only
 * within the p-value tolerance.  An unknown method is refused.
 */
#include "stats_test.h"
#include "p_adjust.h"

#include <stdlib.h>

static PAdjustMethod
method_of(const char *name)
{
	PAdjustMethod method = P_ADJUST_NONE;

	if (p_adjust_method(name, &method) != 0)
		die("p_adjust.csv: unknown method", name);
	return method;
}

void
test_p_adjust(const char *datadir)
{
	CsvReader	r;
	double		one = 0.5,
				out;
	size_t		order;

	data_open(&r, datadir, "p_adjust.csv", "method,p,expected");
	while (csv_next(&r))
	{
		double	   *p,
				   *want;
		size_t		m = parse_doubles(r.fields[1], &p);
		size_t		mw = parse_doubles(r.fields[2], &want);
		double	   *got = malloc(sizeof(double) * m);
		double	   *scratch = malloc(sizeof(double) * m);
		size_t	   *idx = malloc(sizeof(size_t) * m);
		int			rc = p_adjust(method_of(r.fields[0]), p, m, got, idx, scratch);

		checkf(rc == 0 && m == mw, "%s [%.40s]: rc %d, %zu values for %zu", r.fields[0],
			   r.fields[1], rc, m, mw);
		for (size_t i = 0; i < m && i < mw; i++)
			checkf(got[i] == want[i], "%s [%.40s] #%zu: got %.17g want %.17g", r.fields[0],
				   r.fields[1], i, got[i], want[i]);
		free(p);
		free(want);
		free(got);
		free(scratch);
		free(idx);
	}
	csv_close(&r);
	checkf(p_adjust((PAdjustMethod) 99, &one, 1, &out, &order, &out) == -1,
		   "an unknown method is refused");
}
