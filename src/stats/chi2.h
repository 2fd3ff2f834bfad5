/*
 * chi2.h
 *		Upper tail of the chi-square distribution (plain C99 + libm).
 *
 * chi2_sf(x, dof) = scipy.stats.chi2.sf(x, dof) = Q(dof/2, x/2), the
 * regularised upper incomplete gamma function, accurate to a few ulp in
 * relative terms far into the tail (p-values of 1e-300 keep their digits).
 */
#ifndef PG_DRIFT_CHI2_H
#define PG_DRIFT_CHI2_H

extern double gamma_q(double a, double x);
extern double chi2_sf(double x, double dof);

#endif							/* PG_DRIFT_CHI2_H */
