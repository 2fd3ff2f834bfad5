/*
 * p_adjust.c
 *		Bonferroni, Holm (step-down) and Benjamini-Hochberg (step-up FDR)
 *		adjusted p-values, operation for operation as statsmodels 0.13's
 *		multipletests (method 'bonferroni', 'holm', 'fdr_bh') so that results
 *		agree to the last bit, not only within a tolerance:
 *
 *	bonferroni	min(1, p * m)
 *	holm		sorted ascending, q(i) = p(i) * (m - i) for i = 0..m-1, then a
 *				running maximum, then min(1, .)
 *	bh			sorted ascending, q(i) = p(i) / ((i + 1) / m) (statsmodels
 *				divides by the ECDF factor, it does not multiply by m/(i+1)),
 *				then a running minimum from the largest down, then min(1, .)
 *
 * Holm, S. (1979), "A simple sequentially rejective multiple test procedure";
 * Benjamini, Y. and Hochberg, Y. (1995), "Controlling the false discovery
 * rate".  Ties get equal adjusted values whatever their order in the sort,
 * so the order of equal p-values does not matter.
 */
#include "p_adjust.h"

#include <stdlib.h>
#include <string.h>

static const double *sort_keys;

static int
by_p(const void *a, const void *b)
{
	double		x = sort_keys[*(const size_t *) a];
	double		y = sort_keys[*(const size_t *) b];

	if (x != y)
		return x < y ? -1 : 1;
	/* ties by position: a deterministic order */
	return (*(const size_t *) a > *(const size_t *) b) - (*(const size_t *) a < *(const size_t *) b);
}

int
p_adjust_method(const char *name, PAdjustMethod *method)
{
	static const char *const names[] = {"none", "bonferroni", "holm", "bh"};

	for (int i = 0; i < 4; i++)
		if (strcmp(name, names[i]) == 0)
		{
			*method = (PAdjustMethod) i;
			return 0;
		}
	return -1;
}

int
p_adjust(PAdjustMethod method, const double *p, size_t m, double *out, size_t *order,
		 double *scratch)
{
	if (method == P_ADJUST_NONE || method == P_ADJUST_BONFERRONI)
	{
		for (size_t i = 0; i < m; i++)
		{
			double		q = method == P_ADJUST_NONE ? p[i] : p[i] * (double) m;

			out[i] = q > 1.0 ? 1.0 : q;
		}
		return 0;
	}
	if (method != P_ADJUST_HOLM && method != P_ADJUST_BH)
		return -1;
	for (size_t i = 0; i < m; i++)
		order[i] = i;
	sort_keys = p;
	qsort(order, m, sizeof(size_t), by_p);
	sort_keys = NULL;

	if (method == P_ADJUST_HOLM)
	{
		/* step down: the running maximum from the smallest p up */
		for (size_t i = 0; i < m; i++)
		{
			double		v = p[order[i]] * (double) (m - i);

			scratch[i] = (i == 0 || v > scratch[i - 1]) ? v : scratch[i - 1];
		}
	}
	else
	{
		/* step up: the running minimum from the largest p down */
		for (size_t i = m; i-- > 0;)
		{
			double		v = p[order[i]] / ((double) (i + 1) / (double) m);

			scratch[i] = (i == m - 1 || v < scratch[i + 1]) ? v : scratch[i + 1];
		}
	}
	for (size_t i = 0; i < m; i++)
		out[order[i]] = scratch[i] > 1.0 ? 1.0 : scratch[i];
	return 0;
}
