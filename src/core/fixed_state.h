/*
 * fixed_state.h
 *		The NULL and ownership cases every combine function of a fixed-size
 *		aggregate state shares (corr_drift, the integrity rates).
 */
#ifndef FIXED_STATE_H
#define FIXED_STATE_H

#include "postgres.h"
#include "fmgr.h"

extern bool fixed_state_combine_start(FunctionCallInfo fcinfo, Size size,
									  void **left, void **right);

#endif							/* FIXED_STATE_H */
