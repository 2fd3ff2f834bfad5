/*
 * proportion_z.h
 *		Two-proportion z-test (pure C, no PostgreSQL headers): the
 *		proportion_z drift test of SPEC.md section 9.
 */
#ifndef PG_DRIFT_PROPORTION_Z_H
#define PG_DRIFT_PROPORTION_Z_H

#include <stdint.h>

/*
 * xb of nb baseline values and xc of nc current values are "the other"
 * value (nb, nc > 0).  Sets *z = |z| with the pooled variance and *p =
 * 2 Phi(-|z|); a sample where both proportions are 0 or both 1 (one value
 * on both sides) gives z = 0, p = 1.
 */
extern void proportion_z_test(int64_t xb, int64_t nb, int64_t xc, int64_t nc,
							  double *z, double *p);

#endif							/* PG_DRIFT_PROPORTION_Z_H */
