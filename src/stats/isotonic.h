/*
 * isotonic.h
 *		Isotonic calibration of a score against a binary label, as
 *		scikit-learn 1.2's IsotonicRegression(out_of_bounds='clip'): fit by
 *		pool-adjacent-violators, predict by linear interpolation between the
 *		fitted points, clipped to the fitted range.  Pure C (no PostgreSQL):
 *		unit-tested by test/stats/t_isotonic.c.
 */
#ifndef PG_DRIFT_ISOTONIC_H
#define PG_DRIFT_ISOTONIC_H

#include <stddef.h>
#include <stdint.h>

/*
 * Fit from n >= 1 distinct, strictly ascending scores x[i], each with the
 * number of labelled rows w[i] > 0 and the number of positives among them
 * wy[i] (both exact integers held in doubles, as scikit-learn's
 * unit-weight sums are).  Works in place: on return x[0..k) and wy[0..k)
 * hold the k fitted points (score, calibrated value), and k is returned.
 * w is used as scratch, and so is target, which needs room for n entries.
 */
extern size_t isotonic_fit(double *x, double *wy, double *w, size_t n, size_t *target);

/*
 * The segment of the k fitted points t falls in, as numpy.searchsorted(x, t,
 * side='left'): the first index i with x[i] >= t (k when there is none).
 */
extern size_t isotonic_segment(const double *x, size_t k, double t);

/* The calibrated value of score t from the k >= 1 fitted points (x, y); t not NaN. */
extern double isotonic_predict(const double *x, const double *y, size_t k, double t);

#endif							/* PG_DRIFT_ISOTONIC_H */
