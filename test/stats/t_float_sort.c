/*
 * t_float_sort.c -- sort_float8 and collapse_sorted (src/stats/float_sort.c)
 * against numpy.unique(values, return_counts=True) (data/float_sort.csv):
 * sizes around the radix threshold (255, 256, 257), many ties, magnitudes
 * from 1e-300 to 1e300 with +-inf, +-0, subnormals and the largest doubles,
 * and keys sharing all their high bytes (the skipped radix passes).  The
 * sorted array must also be ascending with -0.0 before 0.0, as documented.
 * NaN is not an input: callers remove it first.
 */
#include "stats_test.h"
#include "float_sort.h"

#include <math.h>
#include <stdlib.h>

size_t
sorted_distinct(double *v, size_t n, double **values, int64_t **counts)
{
	double	   *scratch = malloc((n + 1) * sizeof(double));

	*values = malloc((n + 1) * sizeof(double));
	*counts = malloc((n + 1) * sizeof(int64_t));
	if (scratch == NULL || *values == NULL || *counts == NULL)
		die("out of memory", NULL);
	sort_float8(v, n, scratch);
	free(scratch);
	return collapse_sorted(v, n, *values, *counts);
}

void
test_float_sort(const char *datadir)
{
	enum
	{
		COL_VALUES,
		COL_UNIQUE,
		COL_COUNTS
	};
	CsvReader	r;

	data_open(&r, datadir, "float_sort.csv", "values,unique,counts");
	while (csv_next(&r))
	{
		double	   *v,
				   *want_u,
				   *u;
		int64_t    *want_c,
				   *c;
		size_t		n = parse_doubles(r.fields[COL_VALUES], &v);
		size_t		want_m = parse_doubles(r.fields[COL_UNIQUE], &want_u);
		size_t		m;
		int			ordered = 1,
					same = 1;

		if (parse_int64s(r.fields[COL_COUNTS], &want_c) != want_m)
			die("unique values and counts differ in length:", r.fields[COL_COUNTS]);
		m = sorted_distinct(v, n, &u, &c);
		for (size_t i = 1; i < n; i++)
			ordered &= v[i - 1] < v[i] || (v[i - 1] == v[i] && (signbit(v[i - 1]) || !signbit(v[i])));
		checkf(ordered, "sort_float8 of %zu values: not ascending (-0.0 first)", n);
		checkf(m == want_m, "collapse_sorted of %zu values: %zu distinct, want %zu", n, m, want_m);
		for (size_t i = 0; i < m && i < want_m; i++)
			same &= (u[i] == want_u[i] && c[i] == want_c[i]);
		checkf(same, "collapse_sorted of %zu values: values or counts differ from numpy.unique", n);
		free(v);
		free(want_u);
		free(want_c);
		free(u);
		free(c);
	}
	csv_close(&r);
}
