/*
 * ks_exact.h -- exact null distributions of the two-sample Kolmogorov-Smirnov
 * statistics (lattice-path counting), internal to the KS library.
 *
 * All functions return P(D >= h/lcm(m, n)) for continuous data, for an integer
 * h with 1 <= h <= lcm(m, n), sample sizes m, n >= 1.  They are only meant for
 * the sizes SciPy handles exactly (m, n <= 10000); see ks_exact.c for costs.
 */
#ifndef PG_DRIFT_KS_EXACT_H
#define PG_DRIFT_KS_EXACT_H

#include <stdint.h>

/* Two-sided, m == n: SciPy's alternating Horner sum (bit for bit). */
extern double ks_exact_two_sided_equal(int64_t n, int64_t h);

/* Two-sided, any m, n: Hodges' inside method in Viehmann's 1-p form (bit for bit). */
extern double ks_exact_two_sided_inside(int64_t m, int64_t n, int64_t h);

/* One-sided, m == n: prod_{j<h} (n-j)/(n+j+1) (bit for bit). */
extern double ks_exact_one_sided_equal(int64_t n, int64_t h);

/*
 * 1 when scipy.special.binom(m+n, n) is +inf in double, i.e. when SciPy 1.10
 * abandons the exact one-sided computation for unequal sizes.
 */
extern int	ks_exact_binom_overflows(int64_t m, int64_t n);

/*
 * One-sided, m != n: probability that the uniformly random lattice path
 * reaches the boundary, accumulated over first-passage points (all terms
 * positive).  NaN if C(m+n, n) overflows a double (see above) or on
 * allocation failure.
 */
extern double ks_exact_one_sided_unequal(int64_t m, int64_t n, int64_t h);

#endif							/* PG_DRIFT_KS_EXACT_H */
