/*
 * kolmogorov.h -- internal entry points of the one-sample Kolmogorov-Smirnov
 * distributions (kolmogorov_exact.c, kolmogorov.c).  The public functions
 * kolmogorov_sf() and smirnov_sf() are declared in ks_dist.h; the ones below
 * expose the individual algorithms so that the unit tests can check each.
 */
#ifndef PG_DRIFT_KOLMOGOROV_H
#define PG_DRIFT_KOLMOGOROV_H

#include <stdint.h>

/* P(D_n <= x) by the Durbin matrix (Marsaglia-Tsang-Wang); NaN if too large. */
extern double ks_kolmogorov_cdf_durbin(int64_t n, double x);

/* P(D_n <= x) by Pomeranz's recursion; NaN if too large. */
extern double ks_kolmogorov_cdf_pomeranz(int64_t n, double x);

/* Pelz-Good asymptotic approximation of P(D_n <= x) (not clipped). */
extern double ks_kolmogorov_cdf_pelz_good(int64_t n, double x);

#endif							/* PG_DRIFT_KOLMOGOROV_H */
