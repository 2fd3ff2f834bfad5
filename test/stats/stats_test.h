/*
 * stats_test.h -- the unit tests of src/stats run by stats_test: one
 * t_<file>.c per source file, each reading its SciPy/NumPy table
 * data/<file>.csv (written by gen_stats_cases.py).
 */
#ifndef PG_DRIFT_STATS_TEST_H
#define PG_DRIFT_STATS_TEST_H

#include "unit_check.h"

/*
 * Open DATADIR/name and check that its header row is `header` (the column
 * names joined by commas), so that the tests can address fields by position.
 */
extern void data_open(CsvReader *r, const char *datadir, const char *name, const char *header);

/* Record a check described by a printf format (printed if it fails). */
extern void checkf(int ok, const char *fmt,...) __attribute__((format(printf, 2, 3)));

/* A function of two numbers that returns a probability, by name. */
typedef struct ProbabilityFn
{
	const char *name;
	double		(*fn) (double a, double x);
} ProbabilityFn;

/*
 * Check every row of DATADIR/name, whose columns (`header`) are a function
 * name, its two arguments and the expected value, within the p-value
 * tolerance.
 */
extern void check_probability_table(const char *datadir, const char *name, const char *header,
									const ProbabilityFn *fns, size_t nfns);

extern void test_binned_distance(const char *datadir);
extern void test_categorical_stats(const char *datadir);
extern void test_chi2(const char *datadir);
extern void test_mean_shift(const char *datadir);
extern void test_wasserstein_1d(const char *datadir);
extern void test_float_sort(const char *datadir);
extern void test_kolmogorov_parts(const char *datadir);
extern void test_proportion_z(const char *datadir);
extern void test_p_adjust(const char *datadir);
extern void test_isotonic(const char *datadir);

/* Sort v[0..n) in place and collapse it into malloc'd distinct values and counts. */
extern size_t sorted_distinct(double *v, size_t n, double **values, int64_t **counts);

#endif							/* PG_DRIFT_STATS_TEST_H */
