/*
 * fixed_state.h
 *		Text form shared by pg_drift's small fixed-size aggregate states
 *		(drift_integrity_state, drift_corr_state).
 *
 * Citus moves partial aggregate states between nodes through the state type's
 * text output and input, so the text form must round-trip every bit: it is
 * "\x" followed by the hex digits of the type's binary send form, and input
 * decodes the hex and hands it to the type's validating receive function.
 */
#ifndef PG_DRIFT_FIXED_STATE_H
#define PG_DRIFT_FIXED_STATE_H

#include "postgres.h"
#include "lib/stringinfo.h"

extern char *fixed_state_to_hex(bytea *binary);
extern void fixed_state_from_hex(const char *in, const char *type_name, StringInfo buf);
extern void fixed_state_invalid(const char *type_name, const char *detail) pg_attribute_noreturn();

#endif							/* PG_DRIFT_FIXED_STATE_H */
