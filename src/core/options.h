/*
 * options.h
 *		Options shared by the drift tests' SQL arguments: the zero fill that
 *		replaces empty bins or categories, and the caller's SQL name that
 *		every option message starts with.  One parser, one set of messages
 *		for every family (binned and categorical tests alike).
 */
#ifndef PG_DRIFT_OPTIONS_H
#define PG_DRIFT_OPTIONS_H

#include "postgres.h"
#include "fmgr.h"

/* The default zero fill (SPEC.md section 4). */
#define DRIFT_DEFAULT_FILL 1e-4

/* Is fill a usable zero-fill proportion: 0 < fill <= 1? */
static inline bool
fill_is_valid(float8 fill)
{
	return fill > 0.0 && fill <= 1.0;
}

extern bool aggregate_uses_function(Oid aggfnoid, Oid fn);
extern const char *drift_caller_name(FunctionCallInfo fcinfo);
extern float8 fill_check(float8 fill, const char *function_name);
extern float8 fill_from_arg(FunctionCallInfo fcinfo, int fill_arg);

#endif							/* PG_DRIFT_OPTIONS_H */
