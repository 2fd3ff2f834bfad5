/*
 * fixed_state.c
 *		The start of a combine function over a state that is one fixed-size
 *		struct: NULL sides, and a left side the function may not change.
 */
#include "postgres.h"

#include "fmgr.h"

#include "core/fixed_state.h"

/*
 * The left side of a strict combine function, as a state the caller may fold
 * the right side into: the aggregate's own transition value inside an
 * aggregate, a copy on a direct call (whose argument belongs to someone else).
 */
void *
fixed_state_combine_left(FunctionCallInfo fcinfo, Size size)
{
	void	   *left = PG_GETARG_POINTER(0);
	void	   *copy;

	if (AggCheckCallContext(fcinfo, NULL))
		return left;
	copy = palloc(size);
	memcpy(copy, left, size);
	return copy;
}

/*
 * Sort out the cases a combine function over two fixed-size states need not
 * merge.  Returns true when the result is already known: *left is then the
 * state to return, or NULL for an SQL NULL.  Otherwise returns false with
 * *left a state the caller may fold *right into: the aggregate's own
 * transition value inside an aggregate, a copy on a direct call (whose
 * argument belongs to someone else).
 */
bool
fixed_state_combine_start(FunctionCallInfo fcinfo, Size size, void **left, void **right)
{
	MemoryContext aggcxt;
	bool		in_agg = AggCheckCallContext(fcinfo, &aggcxt);

	if (!in_agg)
		aggcxt = CurrentMemoryContext;
	if (PG_ARGISNULL(1))
	{
		*left = PG_ARGISNULL(0) ? NULL : PG_GETARG_POINTER(0);
		return true;
	}
	*right = PG_GETARG_POINTER(1);
	if (PG_ARGISNULL(0) || !in_agg)
	{
		/* a NULL left side becomes a copy of the right one */
		void	   *from = PG_ARGISNULL(0) ? *right : PG_GETARG_POINTER(0);

		*left = MemoryContextAlloc(aggcxt, size);
		memcpy(*left, from, size);
		return PG_ARGISNULL(0);
	}
	*left = PG_GETARG_POINTER(0);
	return false;
}
