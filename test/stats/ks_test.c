/*
 * ks_test.c -- standalone test harness of the KS p-value library
 * (src/stats/ks_dist.h).  No PostgreSQL needed.
 *
 *   ks_test REFDIR DATADIR
 *
 * 1. Reference agreement: every `ks` row of REFDIR/cases.csv; the statistic d
 *    is computed from the raw samples of REFDIR/samples.csv the way
 *    scipy.stats.ks_2samp does (sorted samples, ECDFs count/n in double at
 *    every pooled observation), then ks_two_sample() must reproduce
 *    statistic, p-value and method.
 * 2. Wider agreement with SciPy 1.10.1: DATADIR/ks2_cases.csv,
 *    kstwo_sf.csv, smirnov_sf.csv written by gen_ks_cases.py.
 * 3. Internal cross-checks (Durbin matrix vs Pomeranz), robustness on extreme
 *    arguments (no NaN/crash/runaway cost), and timing of the slowest exact
 *    cases.
 *
 * Tolerances (the project's): statistic |a-r| <= max(1e-9|r|, 1e-12);
 * p-value |a-r| <= max(1e-9|r|, min(1e-15, 1e-6|r|)).
 * Prints the largest relative error per group and a final line
 * "N passed, M failed"; exit status 1 if anything failed.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ks_dist.h"
#include "ks_exact.h"
#include "kolmogorov.h"
#include "unit_check.h"

/* ------------------------------------------------------------ utilities */

/* CPU seconds used by this process. */
static double
now_sec(void)
{
	struct timespec ts;

	/*
	 * The process's CPU time, not the wall clock: the limits below catch
	 * runaway cost, and a loaded machine (a CI runner, other builds) must not
	 * look like one.
	 */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

/* -------------------------------------------------- error statistics per group */

#define MAX_GROUPS 64
typedef struct
{
	char		name[64];
	long		rows;
	long		fails;
	double		max_rel;
	double		max_rel_ref;	/* reference value at the max */
} Group;

typedef struct
{
	const char *title;
	int			ngroups;
	Group		g[MAX_GROUPS];
} GroupSet;

/* Start an empty group set. */
static void
group_init(GroupSet *gs, const char *title)
{
	memset(gs, 0, sizeof(*gs));
	gs->title = title;
}

/* Find or create a group by name. */
static Group *
group_get(GroupSet *gs, const char *name)
{
	int			i;

	for (i = 0; i < gs->ngroups; i++)
		if (strcmp(gs->g[i].name, name) == 0)
			return &gs->g[i];
	if (gs->ngroups == MAX_GROUPS)
		die("too many groups", name);
	memset(&gs->g[gs->ngroups], 0, sizeof(Group));
	snprintf(gs->g[gs->ngroups].name, sizeof(gs->g[0].name), "%s", name);
	return &gs->g[gs->ngroups++];
}

/* Add one comparison to a group. */
static void
group_add(GroupSet *gs, const char *name, double got, double ref, int ok)
{
	Group	   *g = group_get(gs, name);
	double		r = rel_err(got, ref);

	g->rows++;
	if (!ok)
		g->fails++;
	if (r > g->max_rel || g->rows == 1)
	{
		if (r >= g->max_rel)
		{
			g->max_rel = r;
			g->max_rel_ref = ref;
		}
	}
}

/* Print a group table. */
static void
group_print(const GroupSet *gs)
{
	int			i;

	printf("\n%s\n", gs->title);
	printf("  %-34s %7s %6s %12s %12s\n", "group", "rows", "fails", "max rel err", "(at ref)");
	for (i = 0; i < gs->ngroups; i++)
		printf("  %-34s %7ld %6ld %12.3g %12.3g\n", gs->g[i].name, gs->g[i].rows,
			   gs->g[i].fails, gs->g[i].max_rel, gs->g[i].max_rel_ref);
}

/* ------------------------------------------------ statistic from raw samples */

/* qsort comparator for doubles. */
static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/*
 * SciPy's ks_2samp statistic: with both samples sorted, cdf_i(v) =
 * #{obs <= v} / n_i in double, evaluated at every pooled observation;
 * maxS = max(cdf1 - cdf2), minS = clip(-min(cdf1 - cdf2), 0, 1).
 */
static double
ks_statistic(double *a, int64_t na, double *b, int64_t nb, KsAlternative alt)
{
	int64_t		i = 0,
				j = 0;
	double		maxS = -INFINITY,
				minS = INFINITY;

	qsort(a, (size_t) na, sizeof(double), cmp_double);
	qsort(b, (size_t) nb, sizeof(double), cmp_double);
	while (i < na || j < nb)
	{
		double		v,
					diff;

		if (j >= nb || (i < na && a[i] <= b[j]))
			v = a[i];
		else
			v = b[j];
		while (i < na && a[i] <= v)
			i++;
		while (j < nb && b[j] <= v)
			j++;
		diff = (double) i / (double) na - (double) j / (double) nb;
		if (diff > maxS)
			maxS = diff;
		if (diff < minS)
			minS = diff;
	}
	minS = -minS;
	if (minS < 0.0)
		minS = 0.0;
	if (minS > 1.0)
		minS = 1.0;
	if (alt == KS_LESS || (alt == KS_TWO_SIDED && minS > maxS))
		return minS;
	return maxS;
}

/* ----------------------------------------------------- reference data set */

typedef struct
{
	char		id[64];
	double	   *v[2];
	int64_t		n[2];
	int64_t		cap[2];
} Sample;

static Sample *samples = NULL;
static int	nsamples = 0;
static int	capsamples = 0;

/* Find or add a case's sample pair. */
static Sample *
sample_get(const char *id, int create)
{
	int			i;

	/* rows come grouped by case: check the last one first */
	if (nsamples > 0 && strcmp(samples[nsamples - 1].id, id) == 0)
		return &samples[nsamples - 1];
	for (i = 0; i < nsamples; i++)
		if (strcmp(samples[i].id, id) == 0)
			return &samples[i];
	if (!create)
		return NULL;
	if (nsamples == capsamples)
	{
		capsamples = capsamples ? 2 * capsamples : 64;
		samples = realloc(samples, sizeof(Sample) * (size_t) capsamples);
		if (samples == NULL)
			die("out of memory", NULL);
	}
	memset(&samples[nsamples], 0, sizeof(Sample));
	snprintf(samples[nsamples].id, sizeof(samples[0].id), "%s", id);
	return &samples[nsamples++];
}

/* Append a value to a sample. */
static void
sample_push(Sample *s, int which, double v)
{
	if (s->n[which] == s->cap[which])
	{
		s->cap[which] = s->cap[which] ? 2 * s->cap[which] : 1024;
		s->v[which] = realloc(s->v[which], sizeof(double) * (size_t) s->cap[which]);
		if (s->v[which] == NULL)
			die("out of memory", NULL);
	}
	s->v[which][s->n[which]++] = v;
}

/* Load the numeric samples of REFDIR/samples.csv. */
static void
load_samples(const char *dir)
{
	char		path[4096];
	CsvReader	r;
	int			ci,
				cs,
				cv;

	snprintf(path, sizeof(path), "%s/samples.csv", dir);
	csv_open(&r, path);
	if (!csv_next(&r))
		die("empty", path);
	ci = csv_col(&r, "case_id");
	cs = csv_col(&r, "sample");
	cv = csv_col(&r, "value");
	while (csv_next(&r))
	{
		Sample	   *s;
		int			which = 0;

		if (strstr(r.fields[ci], "-num-") == NULL)
			continue;
		s = sample_get(r.fields[ci], 1);
		if (strcmp(r.fields[cs], "baseline") == 0)
			which = 0;
		else if (strcmp(r.fields[cs], "current") == 0)
			which = 1;
		else
			die("bad sample", r.fields[cs]);
		sample_push(s, which, parse_double(r.fields[cv]));
	}
	csv_close(&r);
}

/* Parse "alternative=..." into the enum. */
static KsAlternative
parse_alt(const char *s)
{
	if (strstr(s, "two-sided"))
		return KS_TWO_SIDED;
	if (strstr(s, "less"))
		return KS_LESS;
	if (strstr(s, "greater"))
		return KS_GREATER;
	die("bad alternative", s);
	return KS_TWO_SIDED;
}

/* Parse a method name into the enum (-1 if unknown). */
static int
parse_method(const char *s)
{
	if (strcmp(s, "exact") == 0)
		return KS_METHOD_EXACT;
	if (strcmp(s, "asymp") == 0)
		return KS_METHOD_ASYMP;
	if (strcmp(s, "exact_failed_asymp") == 0)
		return KS_METHOD_EXACT_FAILED_ASYMP;
	return -1;
}

static const char *const method_names[] = {"exact", "asymp", "exact_failed_asymp"};
static const char *const alt_names[] = {"two-sided", "less", "greater"};

/* Test 1: the ks rows of REFDIR/cases.csv. */
static void
test_reference(const char *dir)
{
	char		path[4096];
	CsvReader	r;
	int			ci,
				cm,
				cp,
				cst,
				cpv,
				cx;
	GroupSet	gs_p,
				gs_s;
	long		rows = 0;

	group_init(&gs_p, "reference cases.csv (ks): p-value");
	group_init(&gs_s, "reference cases.csv (ks): statistic");

	load_samples(dir);
	snprintf(path, sizeof(path), "%s/cases.csv", dir);
	csv_open(&r, path);
	if (!csv_next(&r))
		die("empty", path);
	ci = csv_col(&r, "case_id");
	cm = csv_col(&r, "metric");
	cp = csv_col(&r, "params");
	cst = csv_col(&r, "statistic");
	cpv = csv_col(&r, "p_value");
	cx = csv_col(&r, "extra");
	while (csv_next(&r))
	{
		Sample	   *s;
		KsAlternative alt;
		double		d,
					ref_s,
					ref_p;
		double	   *a,
				   *b;
		KsResult	res;
		int			ref_m = -1,
					ok_s,
					ok_p,
					ok_m;
		const char *mp;
		char		grp[64],
					msg[512];

		if (strcmp(r.fields[cm], "ks") != 0)
			continue;
		rows++;
		s = sample_get(r.fields[ci], 0);
		if (s == NULL)
			die("no samples for", r.fields[ci]);
		alt = parse_alt(r.fields[cp]);
		ref_s = parse_double(r.fields[cst]);
		ref_p = parse_double(r.fields[cpv]);
		mp = strstr(r.fields[cx], "method=");
		if (mp)
		{
			char		mbuf[64];
			size_t		k = 0;

			mp += 7;
			while (*mp && *mp != ';' && k < sizeof(mbuf) - 1)
				mbuf[k++] = *mp++;
			mbuf[k] = '\0';
			ref_m = parse_method(mbuf);
		}
		/* ks_statistic sorts in place: work on copies */
		a = malloc(sizeof(double) * (size_t) (s->n[0] + 1));
		b = malloc(sizeof(double) * (size_t) (s->n[1] + 1));
		if (a == NULL || b == NULL)
			die("out of memory", NULL);
		memcpy(a, s->v[0], sizeof(double) * (size_t) s->n[0]);
		memcpy(b, s->v[1], sizeof(double) * (size_t) s->n[1]);
		d = ks_statistic(a, s->n[0], b, s->n[1], alt);
		free(a);
		free(b);

		res = ks_two_sample(s->n[0], s->n[1], d, alt);
		ok_s = stat_ok(res.statistic, ref_s);
		ok_p = p_ok(res.p_value, ref_p);
		ok_m = (ref_m < 0) || ((int) res.method == ref_m);
		snprintf(grp, sizeof(grp), "%s/%s", alt_names[alt],
				 ref_m >= 0 ? method_names[ref_m] : "?");
		group_add(&gs_p, grp, res.p_value, ref_p, ok_p);
		group_add(&gs_s, grp, res.statistic, ref_s, ok_s);
		snprintf(msg, sizeof(msg),
				 "reference %s %s n=%ld,%ld d=%.17g: stat %.17g (ref %.17g) p %.17g (ref %.17g) method %d (ref %d)",
				 r.fields[ci], alt_names[alt], (long) s->n[0], (long) s->n[1], d,
				 res.statistic, ref_s, res.p_value, ref_p, (int) res.method, ref_m);
		record(ok_s && ok_p && ok_m, msg);
	}
	csv_close(&r);
	printf("reference ks rows: %ld\n", rows);
	if (rows != 248)
	{
		printf("(expected 248 ks rows in the public reference set)\n");
	}
	group_print(&gs_p);
	group_print(&gs_s);
}

/* Test 2a: DATADIR/ks2_cases.csv. */
static void
test_ks2(const char *dir)
{
	char		path[4096];
	CsvReader	r;
	int			c1,
				c2,
				cd,
				ca,
				cs,
				cp,
				cm,
				cn;
	GroupSet	gs;
	double		slowest = 0.0;
	char		slowest_desc[256] = "";

	group_init(&gs, "ks2_cases.csv (SciPy ks_2samp): p-value by alternative/method/sizes");

	snprintf(path, sizeof(path), "%s/ks2_cases.csv", dir);
	csv_open(&r, path);
	if (!csv_next(&r))
		die("empty", path);
	c1 = csv_col(&r, "n1");
	c2 = csv_col(&r, "n2");
	cd = csv_col(&r, "d");
	ca = csv_col(&r, "alternative");
	cs = csv_col(&r, "statistic");
	cp = csv_col(&r, "p_value");
	cm = csv_col(&r, "method");
	cn = csv_col(&r, "note");
	while (csv_next(&r))
	{
		int64_t		n1 = (int64_t) parse_double(r.fields[c1]);
		int64_t		n2 = (int64_t) parse_double(r.fields[c2]);
		double		d = parse_double(r.fields[cd]);
		KsAlternative alt = parse_alt(r.fields[ca]);
		double		ref_s = parse_double(r.fields[cs]);
		double		ref_p = parse_double(r.fields[cp]);
		int			ref_m = parse_method(r.fields[cm]);
		KsResult	res;
		double		t0,
					dt;
		int			ok_s,
					ok_p,
					ok_m;
		char		grp[64],
					msg[512];
		const char *sz;

		t0 = now_sec();
		res = ks_two_sample(n1, n2, d, alt);
		dt = now_sec() - t0;
		if (res.method != KS_METHOD_ASYMP && dt > slowest)
		{
			slowest = dt;
			snprintf(slowest_desc, sizeof(slowest_desc), "n1=%ld n2=%ld d=%.17g %s",
					 (long) n1, (long) n2, d, alt_names[alt]);
		}
		ok_s = stat_ok(res.statistic, ref_s);
		ok_p = p_ok(res.p_value, ref_p);
		ok_m = (int) res.method == ref_m;
		if (ref_m == KS_METHOD_ASYMP)
			sz = "";
		else if (n1 == n2)
			sz = "/equal";
		else
			sz = "/unequal";
		snprintf(grp, sizeof(grp), "%s/%s%s", alt_names[alt],
				 ref_m >= 0 ? method_names[ref_m] : "?", sz);
		group_add(&gs, grp, res.p_value, ref_p, ok_p && ok_s && ok_m);
		snprintf(msg, sizeof(msg),
				 "ks2 [%s] n=%ld,%ld d=%.17g %s: stat %.17g (ref %.17g) p %.17g (ref %.17g) method %d (ref %d)",
				 r.fields[cn], (long) n1, (long) n2, d, alt_names[alt], res.statistic, ref_s,
				 res.p_value, ref_p, (int) res.method, ref_m);
		record(ok_s && ok_p && ok_m, msg);
	}
	csv_close(&r);
	group_print(&gs);
	printf("  slowest exact row: %.3f s (%s)\n", slowest, slowest_desc);
}

/* Test 2b/2c: DATADIR/kstwo_sf.csv or smirnov_sf.csv. */
static void
test_one_sample(const char *dir, const char *file, int smirnov)
{
	char		path[4096],
				title[128];
	CsvReader	r;
	int			cn,
				cx,
				cs,
				cb;
	GroupSet	gs;
	double		slowest = 0.0;
	char		slowest_desc[128] = "";

	snprintf(title, sizeof(title), "%s (SciPy %s): by branch", file,
			 smirnov ? "special.smirnov" : "stats.kstwo.sf");
	group_init(&gs, title);
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	csv_open(&r, path);
	if (!csv_next(&r))
		die("empty", path);
	cn = csv_col(&r, "n");
	cx = csv_col(&r, "x");
	cs = csv_col(&r, "sf");
	cb = csv_col(&r, "branch");
	while (csv_next(&r))
	{
		int64_t		n = (int64_t) parse_double(r.fields[cn]);
		double		x = parse_double(r.fields[cx]);
		double		ref = parse_double(r.fields[cs]);
		double		got,
					t0,
					dt;
		int			ok;
		char		msg[512];

		t0 = now_sec();
		got = smirnov ? smirnov_sf(n, x) : kolmogorov_sf(n, x);
		dt = now_sec() - t0;
		if (dt > slowest)
		{
			slowest = dt;
			snprintf(slowest_desc, sizeof(slowest_desc), "n=%ld x=%.17g [%s]", (long) n, x,
					 r.fields[cb]);
		}
		ok = p_ok(got, ref);
		group_add(&gs, r.fields[cb], got, ref, ok);
		snprintf(msg, sizeof(msg), "%s [%s] n=%ld x=%.17g: %.17g (ref %.17g)", file,
				 r.fields[cb], (long) n, x, got, ref);
		record(ok, msg);
	}
	csv_close(&r);
	group_print(&gs);
	printf("  slowest row: %.3f s (%s)\n", slowest, slowest_desc);
}

/* ------------------------------------------------------ internal checks */

/*
 * Durbin matrix and Pomeranz are both exact algorithms for P(D_n <= x): they
 * must agree to rounding, absolutely on the cdf (sf = 1 - cdf inherits it).
 * Against 40-digit arithmetic the Durbin matrix is within ~2e-15 here, while
 * Pomeranz accumulates up to ~1e-14 (as SciPy's Pomeranz, which it follows).
 */
static void
test_durbin_vs_pomeranz(void)
{
	int64_t		n;
	double		worst = 0.0;
	long		cnt = 0;

	for (n = 1; n <= 140; n++)
	{
		int			i;

		for (i = 1; i <= 40; i++)
		{
			/* n x^2 from 0.1 to 4 (t = n x from 0.5 to n) */
			double		x = sqrt(4.0 * i / 40.0 / (double) n);
			double		a,
						b;
			char		msg[256];

			if (x >= 1.0 || (double) n * x <= 0.5)
				continue;
			a = ks_kolmogorov_cdf_durbin(n, x);
			b = ks_kolmogorov_cdf_pomeranz(n, x);
			if (fabs(a - b) > worst)
				worst = fabs(a - b);
			cnt++;
			snprintf(msg, sizeof(msg), "durbin vs pomeranz n=%ld x=%.17g: %.17g vs %.17g",
					 (long) n, x, a, b);
			record(fabs(a - b) <= 1e-13, msg);
		}
	}
	printf("\ndurbin vs pomeranz (n <= 140, n x^2 <= 4): %ld pairs, max |cdf diff| %.3g\n",
		   cnt, worst);
}

/* No NaN (except documented), no value outside [0,1], bounded time on extreme input. */
static void
test_robustness(void)
{
	static const int64_t ns[] = {1, 2, 3, 139, 140, 141, 100000, 100001, 999999, 1000000,
		1000001, 2147483647LL, 2147483648LL, 10000000000LL, 1000000000000LL};
	static const double xs[] = {0.0, 1e-300, 1e-12, 1e-9, 1e-7, 1e-6, 3e-6, 1e-5, 3e-5,
		1e-4, 1e-3, 0.01, 0.1, 0.3, 0.5, 0.7, 0.999999, 1.0};
	size_t		i,
				j;
	double		t0 = now_sec(),
				worst = 0.0;
	char		msg[256];

	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		for (j = 0; j < sizeof(xs) / sizeof(xs[0]); j++)
		{
			double		t1 = now_sec(),
						a = kolmogorov_sf(ns[i], xs[j]),
						b = smirnov_sf(ns[i], xs[j]),
						dt = now_sec() - t1;

			if (dt > worst)
				worst = dt;
			snprintf(msg, sizeof(msg), "robustness n=%lld x=%g: kolmogorov %g smirnov %g (%.3f s)",
					 (long long) ns[i], xs[j], a, b, dt);
			record(a >= 0.0 && a <= 1.0 && b >= 0.0 && b <= 1.0 && dt < 3.0, msg);
			/* two-sided tail is at least the one-sided one */
			record(a >= b * (1 - 1e-12) || ns[i] > 1000000, msg);
		}
	/* invalid input */
	record(isnan(kolmogorov_sf(0, 0.5)) && isnan(kolmogorov_sf(-3, 0.5))
		   && isnan(kolmogorov_sf(5, NAN)), "kolmogorov_sf invalid input gives NaN");
	record(isnan(smirnov_sf(0, 0.5)) && isnan(smirnov_sf(5, -0.1))
		   && isnan(smirnov_sf(5, 1.5)) && isnan(smirnov_sf(5, NAN)),
		   "smirnov_sf invalid input gives NaN");
	{
		KsResult	a = ks_two_sample(0, 10, 0.5, KS_TWO_SIDED);
		KsResult	b = ks_two_sample(10, 0, 0.5, KS_LESS);
		KsResult	c = ks_two_sample(10, 10, NAN, KS_GREATER);
		KsResult	d = ks_two_sample(10, 10, 1.5, KS_GREATER);
		KsResult	e = ks_two_sample(10, 10, 0.5, (KsAlternative) 7);

		record(isnan(a.p_value) && isnan(b.p_value) && isnan(c.p_value) && isnan(d.p_value)
			   && isnan(e.p_value), "ks_two_sample invalid input gives NaN");
	}
	/* streaming sizes: asymptotic mode for any n */
	{
		static const int64_t big[] = {10001, 123456, 1000000, 2000000, 5000000, 1000000000LL,
			1000000000000LL};
		static const double ds[] = {0.0, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 0.5, 1.0};
		size_t		k,
					l,
					q;

		for (k = 0; k < sizeof(big) / sizeof(big[0]); k++)
			for (l = 0; l < sizeof(big) / sizeof(big[0]); l++)
				for (q = 0; q < sizeof(ds) / sizeof(ds[0]); q++)
				{
					int			alt;

					for (alt = 0; alt < 3; alt++)
					{
						double		t1 = now_sec();
						KsResult	res = ks_two_sample(big[k], big[l], ds[q], (KsAlternative) alt);
						double		dt = now_sec() - t1;

						if (dt > worst)
							worst = dt;
						snprintf(msg, sizeof(msg), "streaming n=%lld,%lld d=%g alt=%d: p=%g (%.3f s)",
								 (long long) big[k], (long long) big[l], ds[q], alt,
								 res.p_value, dt);
						record(res.p_value >= 0.0 && res.p_value <= 1.0
							   && res.method == KS_METHOD_ASYMP && dt < 3.0, msg);
					}
				}
	}
	printf("\nrobustness checks done in %.2f s (slowest single call %.3f s)\n",
		   now_sec() - t0, worst);
}

/* Time the most expensive exact cases. */
static void
test_timing(void)
{
	static const struct
	{
		int64_t		n1,
					n2;
		double		d;
		KsAlternative alt;
	}			cs[] = {
		{10000, 9999, 0.5, KS_TWO_SIDED},	/* band covers the whole lattice */
		{10000, 9999, 0.9999, KS_TWO_SIDED},
		{9999, 10000, 0.05, KS_TWO_SIDED},
		{10000, 10000, 0.0001, KS_TWO_SIDED},
		{10000, 10000, 0.5, KS_LESS},
		{10000, 135, 0.5, KS_GREATER},	/* largest one-sided lattice with finite binom */
		{700, 690, 0.9, KS_GREATER},
		{10000, 3000, 0.5, KS_GREATER},	/* SciPy gives up (binom overflow) */
	};
	size_t		i;
	double		worst = 0.0;

	printf("\ntiming of expensive exact cases\n");
	for (i = 0; i < sizeof(cs) / sizeof(cs[0]); i++)
	{
		double		t0 = now_sec();
		KsResult	r = ks_two_sample(cs[i].n1, cs[i].n2, cs[i].d, cs[i].alt);
		double		dt = now_sec() - t0;
		char		msg[256];

		if (dt > worst)
			worst = dt;
		printf("  n1=%-6ld n2=%-6ld d=%-7g %-9s p=%-24.17g method=%-18s %.3f s\n",
			   (long) cs[i].n1, (long) cs[i].n2, cs[i].d, alt_names[cs[i].alt], r.p_value,
			   method_names[r.method], dt);
		snprintf(msg, sizeof(msg), "timing n1=%ld n2=%ld: %.3f s", (long) cs[i].n1,
				 (long) cs[i].n2, dt);
		/* ~0.2 s on an idle x86-64 core; the hard limit leaves room for loaded machines */
		record(dt < 3.0 && r.p_value >= 0.0 && r.p_value <= 1.0, msg);
	}
	printf("  slowest: %.3f s\n", worst);
}

/* Run everything. */
int
main(int argc, char **argv)
{
	if (argc != 3)
	{
		fprintf(stderr, "usage: %s REFDIR DATADIR\n", argv[0]);
		return 2;
	}
	test_reference(argv[1]);
	test_ks2(argv[2]);
	test_one_sample(argv[2], "kstwo_sf.csv", 0);
	test_one_sample(argv[2], "smirnov_sf.csv", 1);
	test_durbin_vs_pomeranz();
	test_robustness();
	test_timing();
	return unit_report();
}
