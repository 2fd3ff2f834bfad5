/*
 * state_text.h
 *		The text form shared by every aggregate state type of pg_drift
 *		(drift_stream_state, drift_category_state, drift_mean_state,
 *		drift_integrity_state, drift_corr_state, the metrics' states).
 *
 * Citus moves partial aggregate states between nodes through the state type's
 * text output and input, so the text form must round-trip every bit: it is
 * "\x" followed by the hex digits of the type's binary send form, and input
 * decodes the hex and hands it to the type's validating receive function.
 */
#ifndef PG_DRIFT_STATE_TEXT_H
#define PG_DRIFT_STATE_TEXT_H

#include "postgres.h"
#include "core/compat.h"
#include "lib/stringinfo.h"

extern char *state_text_out(bytea *binary);
extern void state_text_in(const char *in, const char *type_name, StringInfo buf);
extern bool state_claim_fits(StringInfo buf, int64 n, Size item_size);
pg_noreturn extern void state_invalid(const char *type_name, const char *detail);

#endif							/* PG_DRIFT_STATE_TEXT_H */
