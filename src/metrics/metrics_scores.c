/*
 * metrics_scores.c
 *		Metrics of predicted probabilities against a boolean truth:
 *		log_loss(probability float8, actual bool) and
 *		brier_score(probability float8, actual bool), which are means of a
 *		per-pair loss, and roc_auc(score float8, actual bool).
 *
 * log_loss and brier_score share the state type metric_mean_state: a count
 * and a double-double sum of losses (see metrics_regression.c for why
 * double-double and the peak guard), fixed-size and updated in place.
 *
 * roc_auc's exact value (ties count one half, as scikit-learn's
 * roc_auc_score) depends on the order of all scores, so its state, roc_state,
 * keeps the numbers of positives and negatives per distinct score: a sorted
 * run of entries plus an unsorted tail of recent additions that is merged in
 * when it grows as long as the run (amortised O(log n) per row) and before
 * every final (score_run.c, shared with isotonic_calibration and
 * estimated_binary_metrics).  Removing a row for a moving frame decrements its entry, so a
 * window needs no recomputation, but each final sweeps the distinct scores of
 * the frame: O(distinct scores) per row, not O(1).  Entries whose counts fall
 * to zero are dropped at the next merge, so the state tracks the frame, not
 * the history.
 *
 * NULL pairs and NaN scores are skipped.
 */
#include "postgres.h"
#include "core/compat.h"

#include <math.h>

#include "common/int.h"
#include "libpq/pqformat.h"
#include "utils/memutils.h"

#include "metrics/metrics_io.h"
#include "core/state_codec.h"
#include "core/pg_drift.h"
#include "metrics/roc_state.h"

#define MEAN_STATE_TYPE "drift_metric_mean_state"
#define ROC_STATE_TYPE "drift_roc_state"

/* scikit-learn 1.2's log_loss clipping: eps='auto' is float64 machine epsilon */
#define LOG_LOSS_EPS 2.220446049250313e-16

/* Which loss a metric_mean_state averages. */
typedef enum MeanKind
{
	MEAN_LOG_LOSS = 1,
	MEAN_BRIER = 2
} MeanKind;

typedef struct MeanState
{
	int32		kind;			/* MeanKind */
	int32		pad;
	int64		n;				/* pairs counted */
	int64		n_nonzero;		/* pairs whose loss is not 0 */
	DD			sum;			/* sum of losses */
	double		peak;			/* largest sum.hi since the state began */
} MeanState;

StaticAssertDecl(sizeof(MeanState) == 48, "drift_metric_mean_state INTERNALLENGTH in SQL");

#define ROC_SIZE(cap) (offsetof(RocState, entries) + sizeof(ScoreCount) * (Size) (cap))
#define ROC_INITIAL 32
#define ROC_MAX_ENTRIES ((int32) ((MaxAllocSize - offsetof(RocState, entries)) / sizeof(ScoreCount) / 2))

PG_FUNCTION_INFO_V1(log_loss_trans);
PG_FUNCTION_INFO_V1(log_loss_inv);
PG_FUNCTION_INFO_V1(brier_score_trans);
PG_FUNCTION_INFO_V1(brier_score_inv);
PG_FUNCTION_INFO_V1(metric_mean_combine);
PG_FUNCTION_INFO_V1(metric_mean_final);
PG_FUNCTION_INFO_V1(roc_auc_trans);
PG_FUNCTION_INFO_V1(roc_auc_inv);
PG_FUNCTION_INFO_V1(roc_auc_combine);
PG_FUNCTION_INFO_V1(roc_auc_final);

/* ---------------------------------------------------------------------------
 * log_loss and brier_score
 * ---------------------------------------------------------------------------
 */

/* The loss of one pair, or false when the pair is skipped (NULL, NaN). */
static bool
mean_loss(FunctionCallInfo fcinfo, MeanKind kind, double *loss)
{
	double		p;
	bool		actual;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		return false;
	p = PG_GETARG_FLOAT8(1);
	actual = PG_GETARG_BOOL(2);
	if (isnan(p))
		return false;
	if (kind == MEAN_LOG_LOSS)
	{
		/* clip into [eps, 1 - eps] as scikit-learn 1.2 does */
		double		q = fmin(fmax(p, LOG_LOSS_EPS), 1.0 - LOG_LOSS_EPS);

		*loss = actual ? -log(q) : -log(1.0 - q);
	}
	else
	{
		double		d;

		if (p < 0.0 || p > 1.0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("brier_score probability %g is outside [0, 1]", p),
					 errhint("Pass the predicted probability of the positive class.")));
		d = (actual ? 1.0 : 0.0) - p;
		*loss = d * d;
	}
	return true;
}

/* The state argument (checked to be of this kind), or a new one. */
static MeanState *
mean_state_arg(FunctionCallInfo fcinfo, MeanKind kind, const char *fn)
{
	MeanState  *s;

	(void) aggregate_context(fcinfo, fn);
	if (PG_ARGISNULL(0))
	{
		s = palloc0(sizeof(MeanState));		/* the executor copies it */
		s->kind = kind;
		return s;
	}
	s = (MeanState *) PG_GETARG_POINTER(0);
	if (s->kind != kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("drift_metric_mean_state is not a %s state",
						kind == MEAN_LOG_LOSS ? "log_loss" : "brier_score")));
	return s;
}

/* Transition shared by log_loss and brier_score. */
static Datum
mean_trans(FunctionCallInfo fcinfo, MeanKind kind, const char *fn)
{
	MeanState  *s = mean_state_arg(fcinfo, kind, fn);
	double		loss;

	if (mean_loss(fcinfo, kind, &loss))
	{
		s->sum = dd_add_d(s->sum, loss);
		s->n++;
		if (loss != 0)
			s->n_nonzero++;
		s->peak = fmax(s->peak, fabs(s->sum.hi));
	}
	PG_RETURN_POINTER(s);
}

/* Inverse shared by log_loss and brier_score; NULL asks for a recomputation. */
static Datum
mean_inv(FunctionCallInfo fcinfo, MeanKind kind, const char *fn)
{
	MeanState  *s = mean_state_arg(fcinfo, kind, fn);
	double		loss;

	if (!mean_loss(fcinfo, kind, &loss))
		PG_RETURN_POINTER(s);
	if (s->n == 0 || (loss != 0 && s->n_nonzero == 0))
		metrics_inverse_missing(fn, "row");
	if (!isfinite(s->sum.hi))
		PG_RETURN_NULL();
	s->sum = dd_add_d(s->sum, -loss);
	s->n--;
	if (loss != 0)
		s->n_nonzero--;
	if (s->n == 0)
	{
		memset(s, 0, sizeof(MeanState));
		s->kind = kind;
	}
	else if (s->n_nonzero == 0)
	{
		/* every loss left is exactly 0: so is their sum */
		s->sum = (DD) {0, 0};
		s->peak = 0;
	}
	else if (dd_fell_from_peak(s->sum, s->peak))
		PG_RETURN_NULL();		/* the recomputed state starts with a fresh peak */
	PG_RETURN_POINTER(s);
}

/* log_loss transition. */
Datum
log_loss_trans(PG_FUNCTION_ARGS)
{
	return mean_trans(fcinfo, MEAN_LOG_LOSS, "log_loss_trans");
}

/* log_loss inverse transition. */
Datum
log_loss_inv(PG_FUNCTION_ARGS)
{
	return mean_inv(fcinfo, MEAN_LOG_LOSS, "log_loss_inv");
}

/* brier_score transition. */
Datum
brier_score_trans(PG_FUNCTION_ARGS)
{
	return mean_trans(fcinfo, MEAN_BRIER, "brier_score_trans");
}

/* brier_score inverse transition. */
Datum
brier_score_inv(PG_FUNCTION_ARGS)
{
	return mean_inv(fcinfo, MEAN_BRIER, "brier_score_inv");
}

/* Combine two partial states of the same kind (strict). */
Datum
metric_mean_combine(PG_FUNCTION_ARGS)
{
	MeanState  *a = (MeanState *) PG_GETARG_POINTER(0);
	MeanState  *b = (MeanState *) PG_GETARG_POINTER(1);

	if (a->kind != b->kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine a log_loss state with a brier_score state")));
	/* outside an aggregate the first argument is not ours to change */
	a = (MeanState *) state_combine_left(fcinfo, sizeof(MeanState));
	a->n = count_add(a->n, b->n);
	a->n_nonzero = count_add(a->n_nonzero, b->n_nonzero);
	a->sum = dd_add(a->sum, b->sum);
	a->peak = fmax(fmax(a->peak, b->peak), fabs(a->sum.hi));
	PG_RETURN_POINTER(a);
}

/* Final of both: the mean loss, NULL without pairs. */
Datum
metric_mean_final(PG_FUNCTION_ARGS)
{
	MeanState  *s = (MeanState *) PG_GETARG_POINTER(0);

	if (s->n == 0)
		PG_RETURN_NULL();
	if (s->n_nonzero == 0)
		PG_RETURN_FLOAT8(0.0);
	PG_RETURN_FLOAT8(dd_value(s->sum) / (double) s->n);
}

/* Binary form: version int8, kind int8, n and n_nonzero int64, sum (hi, lo), peak. */
static bytea *
mean_state_send_bytes(const void *state)
{
	const MeanState *s = state;
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint8(&buf, METRICS_STATE_VERSION);
	pq_sendint8(&buf, s->kind);
	pq_sendint64(&buf, s->n);
	pq_sendint64(&buf, s->n_nonzero);
	metrics_send_dd(&buf, s->sum);
	pq_sendfloat8(&buf, s->peak);
	return pq_endtypsend(&buf);
}

/* Read and validate the binary form. */
static void *
mean_state_recv_buffer(StringInfo buf)
{
	const char *t = MEAN_STATE_TYPE;
	MeanState  *s = palloc0(sizeof(MeanState));

	metrics_check_version(t, buf);
	if (buf->len - buf->cursor < 1)
		state_invalid(t, "The value is shorter than its header.");
	s->kind = pq_getmsgint(buf, 1);
	if (s->kind != MEAN_LOG_LOSS && s->kind != MEAN_BRIER)
		state_invalid(t, "Unknown metric.");
	s->n = metrics_recv_count(t, buf);
	s->n_nonzero = metrics_recv_count(t, buf);
	if (s->n_nonzero > s->n)
		state_invalid(t, "More non-zero losses than pairs.");
	s->sum = metrics_recv_dd(t, buf, true);
	if (buf->len - buf->cursor < 8)
		state_invalid(t, "The value is shorter than its peak.");
	s->peak = pq_getmsgfloat8(buf);
	metrics_check_peak(t, s->sum, s->peak);
	if (s->n == 0 && s->sum.hi != 0)
		state_invalid(t, "An empty state has a non-zero sum.");
	return s;
}

/* The type's I/O functions, from the binary form above (state_codec.h). */
STATE_CODEC(metric_mean_state, MEAN_STATE_TYPE, false, mean_state_send_bytes, mean_state_recv_buffer)

/* ---------------------------------------------------------------------------
 * roc_auc
 * ---------------------------------------------------------------------------
 */

/* An empty state with room for capacity entries, in the current context. */
static RocState *
roc_alloc(int32 capacity)
{
	RocState   *s;

	if (capacity > ROC_MAX_ENTRIES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("roc_auc state would exceed the maximum size"),
				 errdetail("The frame has more than %d distinct scores.", ROC_MAX_ENTRIES / 2)));
	s = palloc0(ROC_SIZE(capacity));
	SET_VARSIZE(s, ROC_SIZE(capacity));
	s->capacity = capacity;
	return s;
}

/* Merge the unsorted tail into the sorted run (score_run.c). */
static void
roc_normalize(RocState *s)
{
	score_run_normalize(s->entries, &s->n_sorted, &s->n_pending);
}

/* The state argument, or a new empty one. */
static RocState *
roc_state_arg(FunctionCallInfo fcinfo, const char *fn)
{
	(void) aggregate_context(fcinfo, fn);
	if (PG_ARGISNULL(0))
		return roc_alloc(ROC_INITIAL);		/* the executor copies it */
	/* a state in the aggregate's context is a plain varlena: no copy here */
	return (RocState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
}

/* The score of this call, or false when the pair is skipped (NULL, NaN). */
static bool
roc_pair(FunctionCallInfo fcinfo, double *score, bool *actual)
{
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		return false;
	*score = PG_GETARG_FLOAT8(1);
	*actual = PG_GETARG_BOOL(2);
	if (isnan(*score))
		return false;
	if (*score == 0.0)
		*score = 0.0;			/* -0 and +0 are one score */
	return true;
}

/* Transition: append the pair to the unsorted tail, merging when it is long. */
Datum
roc_auc_trans(PG_FUNCTION_ARGS)
{
	RocState   *s = roc_state_arg(fcinfo, "roc_auc_trans");
	double		score;
	bool		actual;
	ScoreCount *x;

	if (!roc_pair(fcinfo, &score, &actual))
		PG_RETURN_POINTER(s);
	if (score_run_merge_due(s->n_sorted, s->n_pending))
		roc_normalize(s);
	if (s->n_sorted + s->n_pending >= s->capacity)
	{
		/* grow: a new allocation in the current context, the executor copies it */
		RocState   *g = roc_alloc(s->capacity * 2);
		int32		cap = g->capacity;

		memcpy(g, s, ROC_SIZE(s->n_sorted + s->n_pending));
		SET_VARSIZE(g, ROC_SIZE(cap));
		g->capacity = cap;
		s = g;
	}
	x = &s->entries[s->n_sorted + s->n_pending++];
	x->score = score;
	x->pos = actual ? 1 : 0;
	x->neg = actual ? 0 : 1;
	if (actual)
		s->n_pos++;
	else
		s->n_neg++;
	PG_RETURN_POINTER(s);
}

/* Inverse transition: decrement the leaving pair's entry (it must be there). */
Datum
roc_auc_inv(PG_FUNCTION_ARGS)
{
	RocState   *s = roc_state_arg(fcinfo, "roc_auc_inv");
	double		score;
	bool		actual;
	ScoreCount *found;

	if (!roc_pair(fcinfo, &score, &actual))
		PG_RETURN_POINTER(s);
	found = score_run_find(s->entries, s->n_sorted, s->n_pending, score, actual);
	if (found == NULL)
		metrics_inverse_missing("roc_auc_inv", "score");
	if (actual)
	{
		found->pos--;
		s->n_pos--;
	}
	else
	{
		found->neg--;
		s->n_neg--;
	}
	PG_RETURN_POINTER(s);
}

/* A normalized copy of s (for functions that must not change their input). */
RocState *
roc_normalized_copy(const RocState *s)
{
	RocState   *c = palloc(VARSIZE(s));

	memcpy(c, s, VARSIZE(s));
	roc_normalize(c);
	return c;
}

/* Combine: merge the two sorted entry lists into a new state (strict). */
Datum
roc_auc_combine(PG_FUNCTION_ARGS)
{
	RocState   *a = roc_normalized_copy((RocState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0)));
	RocState   *b = roc_normalized_copy((RocState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(1)));
	RocState   *r = roc_alloc(Max(ROC_INITIAL, a->n_sorted + b->n_sorted));

	if (pg_add_s64_overflow(a->n_pos, b->n_pos, &r->n_pos) ||
		pg_add_s64_overflow(a->n_neg, b->n_neg, &r->n_neg))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("roc_auc counts out of range")));
	r->n_sorted = score_run_merge(a->entries, a->n_sorted, b->entries, b->n_sorted, r->entries);
	PG_RETURN_POINTER(r);
}

/*
 * Final: AUC = (#(pos, neg) pairs with s_pos > s_neg + half the ties) /
 * (n_pos n_neg), the Mann-Whitney U statistic scaled to [0, 1]; NULL with
 * one class only.  One ascending sweep over the distinct scores.  Inside an
 * aggregate the state is merged in place first (a change of representation
 * only: the next transition sees the same multiset).
 */
Datum
roc_auc_final(PG_FUNCTION_ARGS)
{
	RocState   *s = (RocState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	int64		neg_below = 0;
	unsigned __int128 twice_u = 0;

	if (s->n_pos == 0 || s->n_neg == 0)
		PG_RETURN_NULL();
	if (s->n_pending > 0)
	{
		if (AggCheckCallContext(fcinfo, NULL) && (Pointer) s == DatumGetPointer(PG_GETARG_DATUM(0)))
			roc_normalize(s);
		else
			s = roc_normalized_copy(s);
	}
	for (int32 i = 0; i < s->n_sorted; i++)
	{
		const ScoreCount *e = &s->entries[i];

		/* each positive beats the negatives below and ties with those here */
		twice_u += (unsigned __int128) e->pos * (uint64) (2 * neg_below + e->neg);
		neg_below += e->neg;
	}
	PG_RETURN_FLOAT8((double) twice_u / (2.0 * (double) s->n_pos * (double) s->n_neg));
}

/*
 * Binary form: version int8 (METRICS_SCORE_RUN_VERSION), then the
 * normalized score run (score_run_send: distinct scores ascending, each with
 * its positives and negatives, compactly).
 */
static bytea *
roc_state_send_bytes(const void *state)
{
	const RocState *s = state;
	StringInfoData buf;
	const RocState *n = s->n_pending > 0 ? roc_normalized_copy(s) : s;

	pq_begintypsend(&buf);
	pq_sendint8(&buf, METRICS_SCORE_RUN_VERSION);
	score_run_send(&buf, n->entries, n->n_sorted);
	return pq_endtypsend(&buf);
}

/* Read and validate the binary form. */
static void *
roc_state_recv_buffer(StringInfo buf)
{
	const char *t = ROC_STATE_TYPE;
	int32		n;
	RocState   *s;

	metrics_check_version_is(t, buf, METRICS_SCORE_RUN_VERSION);
	n = score_run_recv_length(t, buf, ROC_MAX_ENTRIES);
	s = roc_alloc(Max(n, 1));
	score_run_recv(t, buf, s->entries, n, &s->n_pos, &s->n_neg);
	s->n_sorted = n;
	return s;
}

/* The type's I/O functions, from the binary form above (state_codec.h). */
STATE_CODEC(roc_state, ROC_STATE_TYPE, true, roc_state_send_bytes, roc_state_recv_buffer)
