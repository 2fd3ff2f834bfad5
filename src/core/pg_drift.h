/*
 * pg_drift.h
 *		Settings and small helpers shared by every part of the extension.
 */
#ifndef PG_DRIFT_H
#define PG_DRIFT_H

#include "postgres.h"
#include "core/compat.h"

#include "common/int.h"
#include "fmgr.h"

/* GUC: largest number of distinct values a profile keeps exactly. */
extern int	drift_exact_profile_limit;

pg_noreturn extern void not_in_aggregate(const char *fn);
pg_noreturn extern void count_overflow(void);

/*
 * a + b for counts of rows (both non-negative), failing cleanly past int64.
 * Merging profiles or combining partial states adds counts that each fit;
 * a wrapped sum could turn negative, or come back positive after further
 * additions and pass for a real count.
 */
static inline int64
count_add(int64 a, int64 b)
{
	int64		sum;

	if (unlikely(pg_add_s64_overflow(a, b, &sum)))
		count_overflow();
	return sum;
}

/*
 * The aggregate's memory context.  Transition, combine and final functions
 * are callable from SQL like any function; called outside an aggregate they
 * have no state to work on, and say so.  Inline: transition functions call
 * it for every row.
 */
static inline MemoryContext
aggregate_context(FunctionCallInfo fcinfo, const char *fn)
{
	MemoryContext cxt;

	if (unlikely(!AggCheckCallContext(fcinfo, &cxt)))
		not_in_aggregate(fn);
	return cxt;
}

/*
 * PG_DETOAST_DATUM with its test inline: a transition function reads its
 * state on every row, and the state is never toasted inside an aggregate,
 * so the common case should not cost a function call.
 */
static inline struct varlena *
datum_detoasted(Datum d)
{
	struct varlena *p = (struct varlena *) DatumGetPointer(d);

	return unlikely(VARATT_IS_EXTENDED(p)) ? pg_detoast_datum(p) : p;
}

/* Do texts a and b (detoasted, any header) hold the same bytes? */
static inline bool
text_bytes_equal(const text *a, const text *b)
{
	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

#endif							/* PG_DRIFT_H */
