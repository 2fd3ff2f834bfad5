/*
 * profile.c
 *		Building, checking and identifying drift_profile values.
 *
 * Everything here works on the in-memory layout described in profile.h; the
 * text and binary forms live in profile_io.c and the aggregates that build
 * profiles in profile_agg.c.
 */
#include "postgres.h"
#include "core/compat.h"

#include <math.h>

#include "common/hashfn.h"
#include "common/int.h"
#include "utils/float.h"
#include "utils/memutils.h"

#include "core/pg_drift.h"
#include "profile/profile.h"
#include "stats/double_double.h"

/*
 * Mean and sum of squared deviations of a value/count list, two-pass with
 * Neumaier's compensated sums (Neumaier 1974, "Rundungsfehleranalyse einiger
 * Verfahren zur Summation endlicher Summen"): mean and variance of a profile
 * must not depend on summation order, and a column of values near 1e4 with
 * unit noise loses about 1e-10 relative with a plain sum.  Infinite values
 * make the mean infinite (or NaN when both signs occur) and the spread NaN, as
 * NumPy reports them.
 */
void
profile_compute_moments(const float8 *values, const int64 *counts, int32 n,
						float8 *mean, float8 *m2)
{
	NeumaierSum s = {0, 0};
	NeumaierSum d = {0, 0};
	int64		total = 0;
	double		mu;

	if (n == 0)
	{
		*mean = get_float8_nan();
		*m2 = get_float8_nan();
		return;
	}
	if (isinf(values[0]) || isinf(values[n - 1]))
	{
		bool		neg = isinf(values[0]);
		bool		pos = isinf(values[n - 1]) && values[n - 1] > 0;

		*mean = (neg && pos) ? get_float8_nan() : (neg ? -get_float8_infinity() : get_float8_infinity());
		*m2 = get_float8_nan();
		return;
	}
	for (int32 i = 0; i < n; i++)
	{
		double		w = (double) counts[i];
		double		prod = w * values[i];
		double		err = fma(w, values[i], -prod);	/* exact product remainder */

		neumaier_add(&s, prod);
		neumaier_add(&s, err);
		total = count_add(total, counts[i]);
	}
	mu = neumaier_value(&s) / (double) total;
	if (!isfinite(mu))
	{
		/* the sum overflowed although every value is finite: divide first */
		NeumaierSum q = {0, 0};

		for (int32 i = 0; i < n; i++)
			neumaier_add(&q, values[i] * ((double) counts[i] / (double) total));
		mu = neumaier_value(&q);
	}
	for (int32 i = 0; i < n; i++)
	{
		double		dev = values[i] - mu;

		neumaier_add(&d, (double) counts[i] * dev * dev);
	}
	*mean = mu;
	*m2 = neumaier_value(&d);
}

/*
 * Build an exact numeric profile from ascending distinct values and their
 * counts (copied).
 */
DriftProfile *
profile_make_numeric(int32 n, const float8 *values, const int64 *counts,
					 int64 null_count, int64 nan_count)
{
	Size		size = profile_numeric_size(n);
	DriftProfile *p = (DriftProfile *) palloc(size);
	int64		total = 0;

	/* the arrays are copied in whole: zero the header only, so a large profile is written once */
	memset(p, 0, PROFILE_HEADER_SIZE);

	SET_VARSIZE(p, size);
	p->version = DRIFT_PROFILE_VERSION;
	p->kind = PROFILE_KIND_NUMERIC;
	p->flags = 0;
	p->n_entries = n;
	p->null_count = null_count;
	p->nan_count = nan_count;
	if (n > 0)
	{
		memcpy(profile_values(p), values, sizeof(float8) * n);
		memcpy(profile_counts(p), counts, sizeof(int64) * n);
		for (int32 i = 0; i < n; i++)
			total = count_add(total, counts[i]);
		p->min = values[0];
		p->max = values[n - 1];
	}
	else
	{
		p->min = get_float8_nan();
		p->max = get_float8_nan();
	}
	p->count = total;
	/* consumers add values, NULLs and NaNs up (the rows) */
	(void) count_add(count_add(total, p->null_count), p->nan_count);
	p->rank_error = 0.0;
	profile_compute_moments(values, counts, n, &p->mean, &p->m2);
	return p;
}

/*
 * Build an exact categorical profile from n distinct categories in strictly
 * ascending bytewise order (the caller sorts) and their counts (copied).
 * Categorical profiles have no moments: min, max, mean and m2 are NaN.
 */
DriftProfile *
profile_make_categorical(int32 n, const char *const *categories, const int32 *lens,
						 const int64 *counts, int64 null_count)
{
	Size		text_bytes = 0;
	Size		size;
	DriftProfile *p;
	int32	   *ends;
	char	   *text;
	int64		total = 0;

	for (int32 i = 0; i < n; i++)
	{
		text_bytes += lens[i];
		if (text_bytes > (Size) PG_INT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("categories of a drift_profile exceed 2 GB")));
	}
	size = profile_categorical_size(n, text_bytes);
	if (!AllocSizeIsValid(size))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("drift_profile would exceed 1 GB"),
				 errhint("Profile fewer distinct categories.")));
	p = (DriftProfile *) palloc0(size);
	SET_VARSIZE(p, size);
	p->version = DRIFT_PROFILE_VERSION;
	p->kind = PROFILE_KIND_CATEGORICAL;
	p->n_entries = n;
	p->null_count = null_count;
	p->nan_count = 0;
	ends = profile_category_ends(p);
	text = profile_category_text(p);
	text_bytes = 0;
	for (int32 i = 0; i < n; i++)
	{
		profile_counts(p)[i] = counts[i];
		total = count_add(total, counts[i]);
		memcpy(text + text_bytes, categories[i], lens[i]);
		text_bytes += lens[i];
		ends[i] = (int32) text_bytes;
	}
	p->count = total;
	/* consumers add values, NULLs and NaNs up (the rows) */
	(void) count_add(count_add(total, p->null_count), p->nan_count);
	p->min = get_float8_nan();
	p->max = get_float8_nan();
	p->mean = get_float8_nan();
	p->m2 = get_float8_nan();
	p->rank_error = 0.0;
	return p;
}

/* Index of category s in a categorical profile (binary search), or -1. */
int32
profile_find_category(const DriftProfile *p, const char *s, int32 len)
{
	int32		lo = 0,
				hi = p->n_entries - 1;

	while (lo <= hi)
	{
		int32		mid = lo + ((hi - lo) >> 1);
		int32		mlen;
		const char *m = profile_category(p, mid, &mlen);
		int			c = category_cmp(m, mlen, s, len);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* Fail unless this build understands the profile's layout. */
void
profile_check_usable(const DriftProfile *p)
{
	if (p->version != DRIFT_PROFILE_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("drift_profile format version %d is not supported", p->version),
				 errdetail("This build of pg_drift reads format version %d.",
						   DRIFT_PROFILE_VERSION),
				 errhint("Update pg_drift, or capture the baseline again.")));
}

/* Return p if it is numeric, else raise the error a numeric test gives. */
DriftProfile *
profile_require_numeric(DriftProfile *p, const char *function_name)
{
	profile_check_usable(p);
	if (p->kind != PROFILE_KIND_NUMERIC)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s needs a numeric profile, but the profile is categorical",
						function_name),
				 errhint("Use a categorical test such as chi2_drift for categorical columns.")));
	return p;
}

/* Return p if it is categorical, else raise the error a categorical test gives. */
DriftProfile *
profile_require_categorical(DriftProfile *p, const char *function_name)
{
	profile_check_usable(p);
	if (p->kind != PROFILE_KIND_CATEGORICAL)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s needs a categorical profile, but the profile is numeric", function_name),
				 errhint("Use a numeric test such as ks_drift for numeric columns, or capture the "
						 "column with categorical => ARRAY[...] to treat its values as categories.")));
	return p;
}

/*
 * A 64-bit fingerprint of a profile's content, used to check that partial
 * aggregate states being combined were counted against the same baseline.
 */
uint64
profile_fingerprint(const DriftProfile *p)
{
	Size		len = VARSIZE(p) - VARHDRSZ;

	return hash_bytes_extended((const unsigned char *) p + VARHDRSZ, (int) len, 0x5eed);
}

/* Report an inconsistent profile. */
pg_noreturn static void
invalid_profile(const char *detail);

static void
invalid_profile(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid drift_profile"),
			 errdetail("%s", detail),
			 errhint("Build profiles with drift_profile_agg() or drift.capture_baseline().")));
}

/*
 * Check every invariant of a profile whose bytes came from outside (text or
 * binary input): header, sizes, ordering, counts.  Everything else in pg_drift
 * may then trust the layout.
 */
void
profile_validate(const DriftProfile *p, Size size)
{
	int64		total = 0;
	int64		rows;
	int32		n = p->n_entries;

	if (size < PROFILE_HEADER_SIZE)
		invalid_profile("The value is shorter than the header.");
	if (p->version != DRIFT_PROFILE_VERSION)
		invalid_profile("Unknown format version.");
	if (p->flags & ~PROFILE_FLAG_APPROXIMATE)
		invalid_profile("Unknown flags are set.");
	if (n < 0)
		invalid_profile("The number of entries is negative.");
	if (p->null_count < 0 || p->nan_count < 0 || p->count < 0)
		invalid_profile("A count is negative.");
	/* consumers add values, NULLs and NaNs up (the rows) */
	if (pg_add_s64_overflow(p->count, p->null_count, &rows) ||
		pg_add_s64_overflow(rows, p->nan_count, &rows))
		invalid_profile("The counts of values, NULLs and NaNs add up past the 64-bit range.");
	if (p->kind == PROFILE_KIND_NUMERIC)
	{
		const float8 *v;
		const int64 *c;

		if (size != profile_numeric_size(n))
			invalid_profile("The size does not match the number of entries.");
		v = profile_values(p);
		c = profile_counts(p);
		for (int32 i = 0; i < n; i++)
		{
			if (isnan(v[i]))
				invalid_profile("A value is NaN; NaNs are only counted.");
			if (i > 0 && !(v[i - 1] < v[i]))
				invalid_profile("Values are not strictly ascending.");
			if (v[i] == 0.0 && signbit(v[i]))
				invalid_profile("Negative zero must be stored as zero.");
			if (c[i] <= 0)
				invalid_profile("A value's count is not positive.");
			if (pg_add_s64_overflow(total, c[i], &total))
				invalid_profile("The counts overflow.");
		}
		if (total != p->count)
			invalid_profile("The counts do not add up to the total count.");
		if (n > 0 && (p->min != v[0] || p->max != v[n - 1]))
			invalid_profile("The minimum or maximum does not match the values.");
	}
	else if (p->kind == PROFILE_KIND_CATEGORICAL)
	{
		const int64 *c;
		const int32 *ends;
		const char *text;
		Size		fixed = PROFILE_HEADER_SIZE + (Size) n * (sizeof(int64) + sizeof(int32));
		int32		prev_end = 0;

		if (size < fixed)
			invalid_profile("The size does not match the number of entries.");
		c = profile_counts(p);
		ends = profile_category_ends(p);
		text = profile_category_text(p);
		for (int32 i = 0; i < n; i++)
		{
			if (ends[i] < prev_end || fixed + (Size) ends[i] > size)
				invalid_profile("A category's bytes lie outside the value.");
			if (memchr(text + prev_end, '\0', ends[i] - prev_end) != NULL)
				invalid_profile("A category contains a zero byte.");
			if (i > 0)
			{
				int32		prev_start = i > 1 ? ends[i - 2] : 0;
				int32		la = prev_end - prev_start;
				int32		lb = ends[i] - prev_end;
				int			cmp = memcmp(text + prev_start, text + prev_end, Min(la, lb));

				if (cmp > 0 || (cmp == 0 && la >= lb))
					invalid_profile("Categories are not strictly ascending.");
			}
			if (c[i] <= 0)
				invalid_profile("A category's count is not positive.");
			if (pg_add_s64_overflow(total, c[i], &total))
				invalid_profile("The counts overflow.");
			prev_end = ends[i];
		}
		if (fixed + (Size) prev_end != size)
			invalid_profile("The size does not match the categories' bytes.");
		if (total != p->count)
			invalid_profile("The counts do not add up to the total count.");
		if (p->nan_count != 0)
			invalid_profile("A categorical profile cannot count NaNs.");
	}
	else
		invalid_profile("Unknown profile kind.");
	if (!(p->rank_error >= 0.0 && p->rank_error <= 1.0))
		invalid_profile("The rank error bound is not between 0 and 1.");
	if (profile_is_exact(p) && p->rank_error != 0.0)
		invalid_profile("An exact profile has a rank error bound.");
}
