/*
 * t_isotonic.c -- isotonic calibration (src/stats/isotonic.c) against
 * data/isotonic.csv, written by gen_isotonic_cases.py with scikit-learn
 * 1.2's IsotonicRegression(out_of_bounds='clip').  Each case's scores and
 * labels are counted per distinct score (as the server's state keeps them),
 * fitted, and the fitted points (X_thresholds_, y_thresholds_) and the
 * predictions at the probes compared: scores exactly, values within the
 * statistics tolerance.
 */
#include "stats_test.h"
#include "isotonic.h"

#include <stdlib.h>

typedef struct Labelled
{
	double		score;
	int64_t		label;
} Labelled;

static int
labelled_cmp(const void *a, const void *b)
{
	double		x = ((const Labelled *) a)->score;
	double		y = ((const Labelled *) b)->score;

	return (x > y) - (x < y);
}

void
test_isotonic(const char *datadir)
{
	enum
	{
		COL_SCORES,
		COL_LABELS,
		COL_FIT_X,
		COL_FIT_Y,
		COL_PROBES,
		COL_PREDICTED
	};
	CsvReader	r;
	int			row = 0;

	data_open(&r, datadir, "isotonic.csv", "scores,labels,fit_x,fit_y,probes,predicted");
	while (csv_next(&r))
	{
		double	   *scores,
				   *fit_x,
				   *fit_y,
				   *probes,
				   *want;
		int64_t    *labels;
		size_t		n = parse_doubles(r.fields[COL_SCORES], &scores);
		size_t		nl = parse_int64s(r.fields[COL_LABELS], &labels);
		size_t		nfit = parse_doubles(r.fields[COL_FIT_X], &fit_x);
		size_t		nfy = parse_doubles(r.fields[COL_FIT_Y], &fit_y);
		size_t		np = parse_doubles(r.fields[COL_PROBES], &probes);
		size_t		nw = parse_doubles(r.fields[COL_PREDICTED], &want);
		Labelled   *v = malloc(n * sizeof(Labelled));
		double	   *x = malloc(n * sizeof(double));
		double	   *wy = malloc(n * sizeof(double));
		double	   *w = malloc(n * sizeof(double));
		size_t	   *target = malloc(n * sizeof(size_t));
		size_t		d = 0,
					k;

		row++;
		if (nl != n || nfy != nfit || nw != np || v == NULL || x == NULL || wy == NULL ||
			w == NULL || target == NULL)
			die("malformed isotonic.csv row", r.fields[COL_SCORES]);
		for (size_t i = 0; i < n; i++)
			v[i] = (Labelled) {scores[i], labels[i]};
		qsort(v, n, sizeof(Labelled), labelled_cmp);
		for (size_t i = 0; i < n; i++)
		{
			if (d == 0 || x[d - 1] != v[i].score)
			{
				x[d] = v[i].score;
				wy[d] = 0;
				w[d] = 0;
				d++;
			}
			wy[d - 1] += (double) v[i].label;
			w[d - 1] += 1;
		}
		k = isotonic_fit(x, wy, w, d, target);
		checkf(k == nfit, "case %d: %zu fitted points, want %zu", row, k, nfit);
		for (size_t i = 0; i < k && i < nfit; i++)
		{
			checkf(x[i] == fit_x[i], "case %d point %zu: score %.17g, want %.17g",
				   row, i, x[i], fit_x[i]);
			checkf(stat_ok(wy[i], fit_y[i]), "case %d point %zu: value %.17g, want %.17g",
				   row, i, wy[i], fit_y[i]);
		}
		for (size_t i = 0; i < np && k == nfit; i++)
		{
			double		got = isotonic_predict(x, wy, k, probes[i]);

			checkf(stat_ok(got, want[i]), "case %d: predict(%.17g) = %.17g, want %.17g (rel %.2g)",
				   row, probes[i], got, want[i], rel_err(got, want[i]));
		}
		free(scores);
		free(labels);
		free(fit_x);
		free(fit_y);
		free(probes);
		free(want);
		free(v);
		free(x);
		free(wy);
		free(w);
		free(target);
	}
	csv_close(&r);
}
