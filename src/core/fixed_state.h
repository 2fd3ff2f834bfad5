/*
 * fixed_state.h
 *		The NULL and ownership cases every combine function of a fixed-size
 *		aggregate state shares: strict ones (zscore_drift, binary_metrics,
 *		regression_metrics, log_loss / brier_score) take their left side
 *		from fixed_state_combine_left, non-strict ones (corr_drift, the
 *		integrity rates) from fixed_state_combine_start.
 */
#ifndef FIXED_STATE_H
#define FIXED_STATE_H

#include "postgres.h"
#include "fmgr.h"

extern void *fixed_state_combine_left(FunctionCallInfo fcinfo, Size size);
extern bool fixed_state_combine_start(FunctionCallInfo fcinfo, Size size,
									  void **left, void **right);

#endif							/* FIXED_STATE_H */
