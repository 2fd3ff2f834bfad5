/*
 * metrics_io.c
 *		Text and binary I/O helpers shared by the model-quality metric state
 *		types.  See metrics_io.h.
 */
#include "postgres.h"

#include <math.h>

#include "libpq/pqformat.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "metrics/metrics_io.h"

/* Read the version byte and insist on the one this build writes. */
void
metrics_check_version(const char *type_name, StringInfo buf)
{
	metrics_check_version_is(type_name, buf, METRICS_STATE_VERSION);
}

/* The same for a type whose version is not METRICS_STATE_VERSION. */
void
metrics_check_version_is(const char *type_name, StringInfo buf, int version)
{
	if (buf->len - buf->cursor < 1 || pq_getmsgint(buf, 1) != version)
		state_invalid(type_name, "Unsupported format version.");
}

/* A double-double as its two doubles. */
void
metrics_send_dd(StringInfo buf, DD x)
{
	pq_sendfloat8(buf, x.hi);
	pq_sendfloat8(buf, x.lo);
}

/*
 * Read a double-double.  hi may be infinite (an overflowed or infinite sum);
 * otherwise it must be finite, lo must not exceed half an ulp of hi, and a
 * sum of non-negative terms must not be negative.
 */
DD
metrics_recv_dd(const char *type_name, StringInfo buf, bool nonnegative)
{
	DD			x;

	if (buf->len - buf->cursor < 16)
		state_invalid(type_name, "The value is shorter than its sums.");
	x.hi = pq_getmsgfloat8(buf);
	x.lo = pq_getmsgfloat8(buf);
	if (isnan(x.hi))
		state_invalid(type_name, "A sum is NaN.");
	if (isfinite(x.hi) && (!isfinite(x.lo) || x.hi + x.lo != x.hi))
		state_invalid(type_name, "A sum's low part is not normalized.");
	if (nonnegative && x.hi < 0)
		state_invalid(type_name, "A sum of non-negative terms is negative.");
	return x;
}

/* Read a count that must not be negative. */
int64
metrics_recv_count(const char *type_name, StringInfo buf)
{
	int64		v;

	if (buf->len - buf->cursor < 8)
		state_invalid(type_name, "The value is shorter than its counts.");
	v = pq_getmsgint64(buf);
	if (v < 0)
		state_invalid(type_name, "A count is negative.");
	return v;
}

/* A peak must be a non-negative number not below its sum. */
void
metrics_check_peak(const char *type_name, DD sum, double peak)
{
	if (isnan(peak) || peak < 0 || (isfinite(sum.hi) && fabs(sum.hi) > peak))
		state_invalid(type_name, "A sum's peak is inconsistent with the sum.");
}

/*
 * The blessed descriptor of the caller's composite result type, built once
 * per call site: a window aggregate calls its final function on every row.
 */
TupleDesc
metrics_result_desc(FunctionCallInfo fcinfo)
{
	TupleDesc	desc = (TupleDesc) fcinfo->flinfo->fn_extra;

	if (desc == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type must be a row type");
		desc = BlessTupleDesc(CreateTupleDescCopy(desc));
		MemoryContextSwitchTo(old);
		fcinfo->flinfo->fn_extra = desc;
	}
	return desc;
}

/*
 * A moving aggregate's inverse function was asked to remove a row its state
 * never counted: the state did not come from the rows of this window (a
 * user's MINITCOND, say).  An error, not a wrong answer.
 */
void
metrics_inverse_missing(const char *fname, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: the leaving %s is not in the state", fname, what),
			 errhint("Use the inverse function only in the moving aggregate that made the state.")));
}
