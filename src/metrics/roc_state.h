/*
 * roc_state.h
 *		roc_auc's state, drift_roc_state (metrics_scores.c): positives and
 *		negatives per distinct score.  Shared with isotonic_calibration
 *		(calibration.c), whose aggregate collects the same counts and fits
 *		the calibration from them in its final function.
 */
#ifndef PG_DRIFT_ROC_STATE_H
#define PG_DRIFT_ROC_STATE_H

#include "postgres.h"
#include "fmgr.h"

#include "metrics/score_run.h"

typedef struct RocState
{
	int32		vl_len_;		/* varlena header */
	int32		n_sorted;		/* entries[0 .. n_sorted): ascending, distinct */
	int32		n_pending;		/* then this many unsorted single-row entries */
	int32		capacity;		/* room for entries */
	int64		n_pos;			/* positives counted */
	int64		n_neg;			/* negatives counted */
	ScoreCount	entries[FLEXIBLE_ARRAY_MEMBER];
} RocState;

/* A normalized copy of s (sorted, distinct, no empty entries). */
extern RocState *roc_normalized_copy(const RocState *s);

/* roc_auc's transition function, which isotonic_calibration's delegates to. */
extern Datum roc_auc_trans(PG_FUNCTION_ARGS);

#endif							/* PG_DRIFT_ROC_STATE_H */
