/*
 * score_run.h
 *		A multiset of scores kept as counts per distinct score: a sorted run
 *		of entries followed by an unsorted tail of recent additions, merged
 *		in when the tail grows as long as the run (amortised O(log n) per
 *		row) and before each read.  roc_auc's state (metrics_scores.c) and
 *		estimated_binary_metrics' (estimated_metrics.c) and the isotonic
 *		calibration's input (calibration.c) are built on it: each needs the
 *		distinct scores in order with their counts, and removals for moving
 *		frames.
 *
 * The functions work on an entry array owned by the caller's state, with
 * the run and tail lengths passed by pointer; growing the array is the
 * caller's (its state is one varlena).
 */
#ifndef PG_DRIFT_SCORE_RUN_H
#define PG_DRIFT_SCORE_RUN_H

#include "postgres.h"
#include "lib/stringinfo.h"

/* One distinct score and how many positives and negatives carry it. */
typedef struct ScoreCount
{
	double		score;
	int64		pos;
	int64		neg;
} ScoreCount;

/* Tail length at which an addition first merges the tail into the run. */
#define SCORE_RUN_MIN_TAIL 32

/* Is the tail due to be merged before one more entry is appended? */
static inline bool
score_run_merge_due(int32 n_sorted, int32 n_pending)
{
	return n_pending >= Max(SCORE_RUN_MIN_TAIL, n_sorted);
}

extern void score_run_normalize(ScoreCount *e, int32 *n_sorted, int32 *n_pending);
extern ScoreCount *score_run_find(ScoreCount *e, int32 n_sorted, int32 n_pending,
								  double score, bool positive);
extern int32 score_run_merge(const ScoreCount *a, int32 na, const ScoreCount *b, int32 nb,
							 ScoreCount *out);
extern void score_run_send(StringInfo buf, const ScoreCount *e, int32 n);
extern int32 score_run_recv_length(const char *type_name, StringInfo buf, int32 max_entries);
extern void score_run_recv(const char *type_name, StringInfo buf, ScoreCount *e, int32 n,
						   int64 *n_pos, int64 *n_neg);

#endif							/* PG_DRIFT_SCORE_RUN_H */
