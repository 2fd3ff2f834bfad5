/*
 * p_adjust.h
 *		Multiple-testing corrections of p-values (pure C, no PostgreSQL
 *		headers), as statsmodels.stats.multitest.multipletests computes them.
 */
#ifndef PG_DRIFT_P_ADJUST_H
#define PG_DRIFT_P_ADJUST_H

#include <stddef.h>

typedef enum PAdjustMethod
{
	P_ADJUST_NONE,
	P_ADJUST_BONFERRONI,
	P_ADJUST_HOLM,
	P_ADJUST_BH
} PAdjustMethod;

/* The method a name means (none, bonferroni, holm, bh): 0, or -1 if none. */
extern int	p_adjust_method(const char *name, PAdjustMethod *method);

/*
 * Adjust the m p-values p[] (none NaN) into out[] (not aliasing p), with
 * room for m entries in order (the sort order) and scratch.  Returns 0, or
 * -1 for an unknown method.
 */
extern int	p_adjust(PAdjustMethod method, const double *p, size_t m, double *out,
					 size_t *order, double *scratch);

#endif							/* PG_DRIFT_P_ADJUST_H */
