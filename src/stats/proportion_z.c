/*
 * proportion_z.c
 *		Two-proportion z-test with pooled variance (the textbook test, e.g.
 *		Agresti, "Categorical Data Analysis", 2nd ed., section 3.1.3; the
 *		test Evidently calls "Z-test" for binary features).
 *
 *	p_pool = (xb + xc) / (nb + nc)
 *	z      = (xb/nb - xc/nc) / sqrt(p_pool (1 - p_pool) (1/nb + 1/nc))
 *	p      = 2 Phi(-|z|) = erfc(|z| / sqrt 2)
 *
 * erfc keeps its relative accuracy far into the tail, where 1 - Phi(|z|)
 * would round to 0: users rank features by tiny p-values (SPEC.md section 4).
 */
#include "proportion_z.h"

#include <math.h>

void
proportion_z_test(int64_t xb, int64_t nb, int64_t xc, int64_t nc, double *z, double *p)
{
	double		pb = (double) xb / (double) nb;
	double		pc = (double) xc / (double) nc;
	double		pool = (double) (xb + xc) / (double) (nb + nc);
	double		var = pool * (1.0 - pool) * (1.0 / (double) nb + 1.0 / (double) nc);

	if (!(var > 0.0))
	{
		/* every value the same on both sides: no evidence of a change */
		*z = 0.0;
		*p = 1.0;
		return;
	}
	*z = fabs((pb - pc) / sqrt(var));
	*p = erfc(*z / M_SQRT2);
}
