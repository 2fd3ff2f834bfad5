/*
 * unit_check.h -- the shared harness of the server-free unit tests of
 * src/stats (see unit_check.c).  Plain C99 + libm, no PostgreSQL.
 */
#ifndef PG_DRIFT_UNIT_CHECK_H
#define PG_DRIFT_UNIT_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern long n_passed;
extern long n_failed;

/* Abort with a message (test-harness setup errors only, exit status 2). */
extern void die(const char *msg, const char *arg);

/* Record one check; the first failures are printed with `what`. */
extern void record(int ok, const char *what);

/*
 * The project's tolerances (SPEC.md section 4), NaN equal to NaN and an
 * infinity to itself: p-values |a-r| <= max(1e-9|r|, min(1e-15, 1e-6|r|));
 * statistics |a-r| <= max(1e-9|r|, 1e-12).
 */
extern int	p_ok(double got, double ref);
extern int	stat_ok(double got, double ref);

/* Relative error for reporting (absolute when ref == 0). */
extern double rel_err(double got, double ref);

/* Numbers and space-separated lists (malloc'd; the caller frees), dying on bad input. */
extern double parse_double(const char *s);
extern int64_t parse_int64(const char *s);
extern size_t parse_doubles(const char *s, double **out);
extern size_t parse_int64s(const char *s, int64_t **out);

/*
 * Minimal RFC 4180 reader: fields separated by commas, optionally quoted
 * (doubled quotes inside, commas and line breaks allowed inside quotes).
 */
typedef struct
{
	FILE	   *f;
	char	   *buf;
	size_t		cap;
	int			nfields;
	char	   *fields[32];
	size_t		offs[32];
} CsvReader;

extern void csv_open(CsvReader *r, const char *path);
extern void csv_close(CsvReader *r);
/* Read one record; returns 0 at EOF. */
extern int	csv_next(CsvReader *r);
/* Index of a header column (dies if missing). */
extern int	csv_col(CsvReader *r, const char *name);

/* Print "N passed, M failed"; returns the exit status (1 if anything failed). */
extern int	unit_report(void);

#endif							/* PG_DRIFT_UNIT_CHECK_H */
