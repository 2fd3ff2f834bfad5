/*
 * unit_check.c -- the shared harness of the server-free unit tests
 * (ks_test.c, stats_test.c): pass/fail counting with the closing
 * "N passed, M failed" line, the project's tolerances (SPEC.md section 4),
 * number parsing that fails loudly, and a minimal CSV reader for the
 * reference tables in data/ and test/reference/.
 */
#include "unit_check.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long		n_passed = 0;
long		n_failed = 0;
static int	verbose_failures = 40;

/* Abort with a message (test-harness setup errors only). */
void
die(const char *msg, const char *arg)
{
	fprintf(stderr, "unit test: %s %s\n", msg, arg ? arg : "");
	exit(2);
}

/* Record one check; print the first failures. */
void
record(int ok, const char *what)
{
	if (ok)
		n_passed++;
	else
	{
		n_failed++;
		if (verbose_failures-- > 0)
			printf("FAIL %s\n", what);
	}
}

/* The project's p-value tolerance. */
int
p_ok(double got, double ref)
{
	double		tol;

	if (got == ref)
		return 1;				/* also equal infinities */
	if (isnan(ref) || isnan(got))
		return isnan(ref) && isnan(got);
	tol = fmax(1e-9 * fabs(ref), fmin(1e-15, 1e-6 * fabs(ref)));
	return fabs(got - ref) <= tol;
}

/* The project's statistic tolerance. */
int
stat_ok(double got, double ref)
{
	if (got == ref)
		return 1;				/* also equal infinities */
	if (isnan(ref) || isnan(got))
		return isnan(ref) && isnan(got);
	return fabs(got - ref) <= fmax(1e-9 * fabs(ref), 1e-12);
}

/* Relative error for reporting (absolute when ref == 0). */
double
rel_err(double got, double ref)
{
	if (got == ref)
		return 0.0;
	if (ref == 0.0)
		return fabs(got);
	return fabs(got - ref) / fabs(ref);
}

/* Parse a double, failing loudly. */
double
parse_double(const char *s)
{
	char	   *end;
	double		v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0')
		die("bad number:", s);
	return v;
}

/*
 * Minimal RFC 4180 reader: fields separated by commas, optionally quoted
 * (doubled quotes inside, commas and line breaks allowed inside quotes).
 */
/* Open a CSV file. */
void
csv_open(CsvReader *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	r->f = fopen(path, "r");
	if (r->f == NULL)
		die("cannot open", path);
	r->cap = 1 << 16;
	r->buf = malloc(r->cap);
	if (r->buf == NULL)
		die("out of memory", NULL);
}

/* Close a CSV file. */
void
csv_close(CsvReader *r)
{
	fclose(r->f);
	free(r->buf);
}

/* Append a char to the record buffer. */
static void
csv_put(CsvReader *r, size_t *len, char c)
{
	if (*len + 1 >= r->cap)
	{
		r->cap *= 2;
		r->buf = realloc(r->buf, r->cap);
		if (r->buf == NULL)
			die("out of memory", NULL);
	}
	r->buf[(*len)++] = c;
}

/* Read one record; returns 0 at EOF. */
int
csv_next(CsvReader *r)
{
	size_t		len = 0;
	int			c,
				inq = 0,
				any = 0,
				i;

	r->nfields = 0;
	r->offs[r->nfields++] = 0;
	for (;;)
	{
		c = fgetc(r->f);
		if (c == EOF)
		{
			if (!any)
				return 0;
			break;
		}
		any = 1;
		if (inq)
		{
			if (c == '"')
			{
				int			c2 = fgetc(r->f);

				if (c2 == '"')
					csv_put(r, &len, '"');
				else
				{
					inq = 0;
					if (c2 != EOF)
						ungetc(c2, r->f);
				}
			}
			else
				csv_put(r, &len, (char) c);
			continue;
		}
		if (c == '"')
			inq = 1;
		else if (c == ',')
		{
			csv_put(r, &len, '\0');
			if (r->nfields == 32)
				die("too many fields", NULL);
			r->offs[r->nfields++] = len;
		}
		else if (c == '\n')
			break;
		else if (c != '\r')
			csv_put(r, &len, (char) c);
	}
	csv_put(r, &len, '\0');
	for (i = 0; i < r->nfields; i++)
		r->fields[i] = r->buf + r->offs[i];
	return 1;
}

/* Index of a header column (dies if missing). */
int
csv_col(CsvReader *r, const char *name)
{
	int			i;

	for (i = 0; i < r->nfields; i++)
		if (strcmp(r->fields[i], name) == 0)
			return i;
	die("missing column", name);
	return -1;
}

/* Parse an integer, failing loudly. */
int64_t
parse_int64(const char *s)
{
	char	   *end;
	long long	v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0)
		die("bad integer:", s);
	return (int64_t) v;
}

/*
 * Parse a space-separated list of doubles (ints == NULL) or integers
 * (dbls == NULL) into a new malloc'd array; returns its length.
 */
static size_t
parse_list(const char *s, double **dbls, int64_t **ints)
{
	size_t		cap = 16,
				n = 0;
	void	   *out = malloc(cap * 8);
	const char *p = s;

	if (out == NULL)
		die("out of memory", NULL);
	while (*p != '\0')
	{
		char	   *end;

		if (*p == ' ')
		{
			p++;
			continue;
		}
		if (n == cap)
		{
			cap *= 2;
			out = realloc(out, cap * 8);
			if (out == NULL)
				die("out of memory", NULL);
		}
		errno = 0;
		if (dbls != NULL)
			((double *) out)[n++] = strtod(p, &end);
		else
			((int64_t *) out)[n++] = (int64_t) strtoll(p, &end, 10);
		/* no ERANGE check: glibc sets it for subnormal results, which are wanted */
		if (end == p || (ints != NULL && errno == ERANGE) || (*end != ' ' && *end != '\0'))
			die("bad list:", s);
		p = end;
	}
	if (dbls != NULL)
		*dbls = out;
	else
		*ints = out;
	return n;
}

size_t
parse_doubles(const char *s, double **out)
{
	return parse_list(s, out, NULL);
}

size_t
parse_int64s(const char *s, int64_t **out)
{
	return parse_list(s, NULL, out);
}

/* Print the closing line; the process exit status (1 if anything failed). */
int
unit_report(void)
{
	printf("\n%ld passed, %ld failed\n", n_passed, n_failed);
	return n_failed ? 1 : 0;
}
