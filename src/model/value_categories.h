/*
 * value_categories.h
 *		Numeric values compared as categories (SPEC.md section 9: a
 *		low-cardinality numeric column is tested by chi2, js or proportion_z
 *		over its values as categories).
 */
#ifndef PG_DRIFT_VALUE_CATEGORIES_H
#define PG_DRIFT_VALUE_CATEGORIES_H

#include "postgres.h"

#include "profile/profile.h"

/*
 * A categorical profile whose categories are the n distinct values' shortest
 * exact decimal forms (float8out's digits, whatever extra_float_digits says).
 */
extern DriftProfile *values_as_categories(const float8 *values, const int64 *counts, int32 n,
										  int64 null_count);

/*
 * p itself when categorical; an exact numeric profile's values as
 * categories; an approximate one is an error naming fname.
 */
extern DriftProfile *profile_as_categories(DriftProfile *p, const char *fname);

#endif							/* PG_DRIFT_VALUE_CATEGORIES_H */
