/*
 * metrics_io.h
 *		Shared pieces of the model-quality metrics' state types: the version
 *		byte and the double-double fields' binary
 *		encoding.  Text I/O and the "invalid state" error are every state
 *		type's (state_codec.h).
 *
 * Every metric aggregate keeps a named state type (not internal) so that
 * Citus pushes it down to the shards (SPEC.md section 8); partial states travel
 * as text through the type's output and input functions.  A state is not
 * meant to be read by people, so its text form is simply its binary form in
 * base64 (state_codec.h); both forms are parsed by one validating reader per
 * type.
 */
#ifndef PG_DRIFT_METRICS_IO_H
#define PG_DRIFT_METRICS_IO_H

#include "postgres.h"
#include "core/compat.h"

#include "fmgr.h"
#include "access/tupdesc.h"
#include "lib/stringinfo.h"

#include "core/state_codec.h"
#include "stats/double_double.h"

/* Format version written first in every metric state's binary form. */
#define METRICS_STATE_VERSION 1
/*
 * The version of the states that hold a score run (drift_roc_state,
 * drift_estimated_metrics_state): 2 since the run's form became compact
 * (score_run.c); version 1 is refused as unsupported.
 */
#define METRICS_SCORE_RUN_VERSION 2

extern void metrics_send_dd(StringInfo buf, DD x);
extern DD	metrics_recv_dd(const char *type_name, StringInfo buf, bool nonnegative);
extern int64 metrics_recv_count(const char *type_name, StringInfo buf);
extern void metrics_check_version(const char *type_name, StringInfo buf);
extern void metrics_check_version_is(const char *type_name, StringInfo buf, int version);
extern void metrics_check_peak(const char *type_name, DD sum, double peak);
extern TupleDesc metrics_result_desc(FunctionCallInfo fcinfo);
pg_noreturn extern void metrics_inverse_missing(const char *fname, const char *what);

#endif							/* PG_DRIFT_METRICS_IO_H */
