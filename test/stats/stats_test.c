/*
 * stats_test.c -- server-free unit tests of the statistics layer beyond the
 * KS p-values (ks_test.c covers those):
 *
 *   stats_test DATADIR
 *
 * runs one test per file of src/stats (t_*.c) against the tables in DATADIR
 * and ends with "N passed, M failed"; exit status 1 if anything failed, 2 if
 * a table is missing or malformed.
 */
#include "stats_test.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
data_open(CsvReader *r, const char *datadir, const char *name, const char *header)
{
	char		path[4096],
				got[4096] = "";

	snprintf(path, sizeof(path), "%s/%s", datadir, name);
	csv_open(r, path);
	if (!csv_next(r))
		die("empty", path);
	for (int i = 0; i < r->nfields; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? "," : "", r->fields[i]);
	if (strcmp(got, header) != 0)
		die("unexpected columns (regenerate with gen_stats_cases.py?):", got);
}

void
checkf(int ok, const char *fmt,...)
{
	char		msg[512];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	record(ok, msg);
}

void
check_probability_table(const char *datadir, const char *name, const char *header,
						const ProbabilityFn *fns, size_t nfns)
{
	CsvReader	r;

	data_open(&r, datadir, name, header);
	while (csv_next(&r))
	{
		const char *fname = r.fields[0];
		double		a = parse_double(r.fields[1]);
		double		x = parse_double(r.fields[2]);
		double		ref = parse_double(r.fields[3]);
		double		got;
		size_t		i;

		for (i = 0; i < nfns && strcmp(fns[i].name, fname) != 0; i++)
			;
		if (i == nfns)
			die("unknown function", fname);
		got = fns[i].fn(a, x);
		checkf(p_ok(got, ref), "%s(%.17g, %.17g): got %.17g want %.17g (rel %.2g)",
			   fname, a, x, got, ref, rel_err(got, ref));
	}
	csv_close(&r);
}

int
main(int argc, char **argv)
{
	static const struct
	{
		const char *name;
		void		(*run) (const char *datadir);
	}			tests[] = {
		{"binned_distance", test_binned_distance},
		{"categorical_stats", test_categorical_stats},
		{"chi2", test_chi2},
		{"mean_shift", test_mean_shift},
		{"wasserstein_1d", test_wasserstein_1d},
		{"float_sort", test_float_sort},
		{"kolmogorov_parts", test_kolmogorov_parts},
		{"proportion_z", test_proportion_z},
		{"p_adjust", test_p_adjust},
		{"isotonic", test_isotonic},
	};

	if (argc != 2)
	{
		fprintf(stderr, "usage: %s DATADIR\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
	{
		long		before = n_passed + n_failed,
					failed = n_failed;

		tests[i].run(argv[1]);
		printf("%-18s %5ld checks, %ld failed\n", tests[i].name,
			   n_passed + n_failed - before, n_failed - failed);
	}
	return unit_report();
}
