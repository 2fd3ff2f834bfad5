/*
 * ks_numerics.h -- small numeric helpers shared by the one-sample
 * Kolmogorov-Smirnov files (smirnov.c, kolmogorov_exact.c, kolmogorov.c):
 * constants that not every libm defines and the final clip of a probability.
 * Header-only (static inline) so that each file stays self-contained C99.
 */
#ifndef PG_DRIFT_KS_NUMERICS_H
#define PG_DRIFT_KS_NUMERICS_H

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#ifndef M_LN2
#define M_LN2 0.69314718055994530942
#endif

/* ln 2 to long double precision (exponents of C(n,v) = mantissa * 2^e). */
#define KS_LN2L 0.693147180559945309417232121458176568L

/* Clip a probability to [0, 1] (NaN passes through), as numpy.clip does. */
static inline double
ks_clip01(double p)
{
	if (p < 0.0)
		return 0.0;
	if (p > 1.0)
		return 1.0;
	return p;
}

#endif							/* PG_DRIFT_KS_NUMERICS_H */
