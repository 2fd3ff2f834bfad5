/*
 * profile.h
 *		The drift_profile type: a compact, mergeable summary of one column.
 *
 * A profile is a varlena laid out as a fixed header followed by arrays.  The
 * in-memory layout is also what is stored on disk; the binary send/receive
 * format is a separate, field-by-field encoding (profile_io.c) so that the
 * disk layout can change without breaking clients.
 *
 *	numeric:	 float8 values[n_entries] (strictly ascending, no NaN)
 *				 int64  counts[n_entries] (each > 0, summing to count)
 *	categorical: int64  counts[n_entries]
 *				 int32  ends[n_entries]   (end offset of each category's bytes)
 *				 char   text[]            (categories, ascending bytewise)
 *
 * An exact profile lists every distinct value; an approximate one (flag
 * PROFILE_FLAG_APPROXIMATE) lists representative values whose counts place
 * every rank within rank_error * count of its true position.
 */
#ifndef PG_DRIFT_PROFILE_H
#define PG_DRIFT_PROFILE_H

#include "postgres.h"
#include "fmgr.h"
#include "lib/stringinfo.h"

#define DRIFT_PROFILE_VERSION 1

#define PROFILE_KIND_NUMERIC 1
#define PROFILE_KIND_CATEGORICAL 2

#define PROFILE_FLAG_APPROXIMATE 0x0001

typedef struct DriftProfile
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint8		version;		/* DRIFT_PROFILE_VERSION */
	uint8		kind;			/* PROFILE_KIND_* */
	uint16		flags;			/* PROFILE_FLAG_* */
	int32		n_entries;		/* distinct values or categories listed */
	int32		reserved;		/* zero; keeps the 8-byte fields aligned */
	int64		count;			/* values in the distribution (not NULL, not NaN) */
	int64		null_count;		/* NULLs seen */
	int64		nan_count;		/* NaNs seen (numeric only) */
	float8		min;			/* smallest value (numeric; NaN when count = 0) */
	float8		max;			/* largest value */
	float8		mean;			/* arithmetic mean */
	float8		m2;				/* sum of squared deviations from the mean */
	float8		rank_error;		/* bound on rank error as a fraction of count */
	/* arrays follow, see above */
} DriftProfile;

#define PROFILE_HEADER_SIZE MAXALIGN(sizeof(DriftProfile))

#define DatumGetDriftProfileP(X) ((DriftProfile *) PG_DETOAST_DATUM(X))
#define PG_GETARG_DRIFT_PROFILE_P(n) DatumGetDriftProfileP(PG_GETARG_DATUM(n))
#define PG_RETURN_DRIFT_PROFILE_P(x) PG_RETURN_POINTER(x)

/* Numeric arrays. */
static inline float8 *
profile_values(const DriftProfile *p)
{
	return (float8 *) ((char *) p + PROFILE_HEADER_SIZE);
}

static inline int64 *
profile_counts(const DriftProfile *p)
{
	if (p->kind == PROFILE_KIND_NUMERIC)
		return (int64 *) ((char *) p + PROFILE_HEADER_SIZE + sizeof(float8) * p->n_entries);
	return (int64 *) ((char *) p + PROFILE_HEADER_SIZE);
}

/* Categorical arrays. */
static inline int32 *
profile_category_ends(const DriftProfile *p)
{
	return (int32 *) ((char *) p + PROFILE_HEADER_SIZE + sizeof(int64) * p->n_entries);
}

static inline char *
profile_category_text(const DriftProfile *p)
{
	return (char *) p + PROFILE_HEADER_SIZE + (sizeof(int64) + sizeof(int32)) * p->n_entries;
}

/* Size of a numeric profile with n entries. */
static inline Size
profile_numeric_size(int32 n)
{
	return PROFILE_HEADER_SIZE + (Size) n * (sizeof(float8) + sizeof(int64));
}

/* Size of a categorical profile with n entries and text_bytes bytes of category text. */
static inline Size
profile_categorical_size(int32 n, Size text_bytes)
{
	return PROFILE_HEADER_SIZE + (Size) n * (sizeof(int64) + sizeof(int32)) + text_bytes;
}

/* Category i of a categorical profile: its bytes (not NUL-terminated) and length. */
static inline const char *
profile_category(const DriftProfile *p, int32 i, int32 *len)
{
	const int32 *ends = profile_category_ends(p);
	int32		start = i > 0 ? ends[i - 1] : 0;

	*len = ends[i] - start;
	return profile_category_text(p) + start;
}

/* Bytewise order of two byte strings (COLLATE "C"; a prefix sorts first). */
static inline int
category_cmp(const char *a, int32 la, const char *b, int32 lb)
{
	int			c = memcmp(a, b, Min(la, lb));

	if (c != 0)
		return c;
	return (la > lb) - (la < lb);
}

static inline bool
profile_is_exact(const DriftProfile *p)
{
	return (p->flags & PROFILE_FLAG_APPROXIMATE) == 0;
}

extern DriftProfile *profile_make_numeric(int32 n, const float8 *values, const int64 *counts,
										  int64 null_count, int64 nan_count);
extern DriftProfile *profile_make_categorical(int32 n, const char *const *categories,
											  const int32 *lens, const int64 *counts,
											  int64 null_count);
extern int32 profile_find_category(const DriftProfile *p, const char *s, int32 len);
extern DriftProfile *profile_require_categorical(DriftProfile *p, const char *function_name);
extern void profile_compute_moments(const float8 *values, const int64 *counts, int32 n,
									float8 *mean, float8 *m2);
extern void profile_check_usable(const DriftProfile *p);
extern DriftProfile *profile_require_numeric(DriftProfile *p, const char *function_name);
extern uint64 profile_fingerprint(const DriftProfile *p);
extern void profile_validate(const DriftProfile *p, Size size);
extern bytea *profile_send_bytes(const DriftProfile *p);
extern DriftProfile *profile_recv_buffer(StringInfo buf);

#endif							/* PG_DRIFT_PROFILE_H */
