/*
 * estimated_metrics.c
 *		estimated_binary_metrics(score, threshold, calibration) and
 *		estimated_binary_metrics(score, threshold, baseline, column):
 *		model quality estimated without labels by NannyML's
 *		confidence-based performance estimation (CBPE), SPEC.md section 10.
 *
 * With p = the calibrated score (an isotonic calibration fitted on labelled
 * data, calibration.c) and predicted = score >= threshold, each row counts
 * p of a positive and 1 - p of a negative, so the expected confusion matrix
 * is TP = sum p and FP = sum (1 - p) over predicted rows, FN = sum p and
 * TN = sum (1 - p) over the others; accuracy, precision, recall,
 * specificity and F1 follow as usual (NULL where a denominator is 0).
 * roc_auc is the trapezoidal area under the expected ROC curve: one point
 * per distinct score, scores descending (ties grouped), each adding its
 * expected positives and negatives; it is then divided by the expected
 * totals.  This holds when the calibration still holds on the rows
 * (no concept drift: P(label | score) unchanged since the baseline).
 *
 * The state (drift_estimated_metrics_state) keeps the threshold, the
 * calibration's points and the number of rows per distinct score in a
 * score run (score_run.c): p is a function of the score, so the counts are
 * all the final needs, and a moving frame's removal is a decrement.  Each
 * final sweeps the distinct scores: O(distinct scores) per call, as roc_auc.
 * Sums are double-double (double_double.h) so that millions of rows keep
 * the 1e-9 relative agreement.
 *
 * The threshold and calibration are resolved once per query when they are
 * query-constant (call_site.c), and must be the same on every row of a
 * group: a state remembers them and refuses rows or partial states with
 * others.
 */
#include "postgres.h"
#include "core/compat.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "core/call_site.h"
#include "core/pg_drift.h"
#include "metrics/calibration.h"
#include "metrics/metrics_io.h"
#include "metrics/score_run.h"
#include "stats/isotonic.h"

#define EST_STATE_TYPE "drift_estimated_metrics_state"

typedef struct EstState
{
	int32		vl_len_;		/* varlena header */
	int32		n_points;		/* calibration points */
	int32		n_sorted;		/* score run: sorted entries */
	int32		n_pending;		/* then unsorted ones */
	int32		capacity;		/* room for entries */
	int32		pad;
	int64		n;				/* rows counted */
	int64		cal_rows;		/* the calibration's labelled rows */
	double		threshold;
	/* calibration scores [n_points], values [n_points], then ScoreCount [capacity] */
	double		data[FLEXIBLE_ARRAY_MEMBER];
} EstState;

#define EST_SIZE(k, cap) (offsetof(EstState, data) + sizeof(double) * 2 * (Size) (k) + \
						  sizeof(ScoreCount) * (Size) (cap))
#define EST_X(s) ((s)->data)
#define EST_Y(s) ((s)->data + (s)->n_points)
#define EST_ENTRIES(s) ((ScoreCount *) ((s)->data + 2 * (s)->n_points))
#define EST_INITIAL 32

PG_FUNCTION_INFO_V1(estimated_metrics_state_in);
PG_FUNCTION_INFO_V1(estimated_metrics_state_out);
PG_FUNCTION_INFO_V1(estimated_metrics_state_recv);
PG_FUNCTION_INFO_V1(estimated_metrics_state_send);
PG_FUNCTION_INFO_V1(estimated_metrics_trans);
PG_FUNCTION_INFO_V1(estimated_metrics_named_trans);
PG_FUNCTION_INFO_V1(estimated_metrics_inv);
PG_FUNCTION_INFO_V1(estimated_metrics_named_inv);
PG_FUNCTION_INFO_V1(estimated_metrics_combine);
PG_FUNCTION_INFO_V1(estimated_metrics_final);

/* Most entries a state holds for k calibration points (its size stays under 1 GB, with room to grow). */
static int32
est_max_entries(int32 k)
{
	return (int32) ((MaxAllocSize - EST_SIZE(k, 0)) / sizeof(ScoreCount) / 2);
}

/* An empty state for threshold and calibration c with room for capacity entries. */
static EstState *
est_alloc(double threshold, const double *xy, int32 k, int64 cal_rows, int32 capacity)
{
	EstState   *s;

	if (capacity > est_max_entries(k))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("estimated_binary_metrics state would exceed the maximum size"),
				 errdetail("The rows have more than %d distinct scores.", est_max_entries(k) / 2)));
	s = palloc0(EST_SIZE(k, capacity));
	SET_VARSIZE(s, EST_SIZE(k, capacity));
	s->n_points = k;
	s->capacity = capacity;
	s->threshold = threshold;
	s->cal_rows = cal_rows;
	memcpy(s->data, xy, sizeof(double) * 2 * (Size) k);
	return s;
}

/* Do two setups (threshold, calibration points) agree? */
static bool
est_same_setup(const EstState *s, double threshold, const double *xy, int32 k)
{
	return s->threshold == threshold && s->n_points == k &&
		memcmp(s->data, xy, sizeof(double) * 2 * (Size) k) == 0;
}

/* The calibration named by (baseline, column): drift.baseline_calibration, the one rule. */
static Calibration *
named_calibration(Datum baseline, Datum column)
{
	static const Oid argtypes[2] = {TEXTOID, TEXTOID};
	List	   *name = list_make2(makeString("drift"), makeString("baseline_calibration"));
	Oid			fn = LookupFuncName(name, 2, argtypes, false);

	return (Calibration *) PG_DETOAST_DATUM(OidFunctionCall2(fn, baseline, column));
}

/*
 * This row's threshold and calibration: resolved once per query when the
 * arguments are query-constant, else for every row.
 */
static const Calibration *
est_setup(FunctionCallInfo fcinfo, bool named, double *threshold)
{
	CallSite   *cs = call_site_get_after(fcinfo, 1);
	const Calibration *c;

	if (cs->resolved)
	{
		*threshold = cs->param;
		return (const Calibration *) cs->data;
	}
	if (PG_ARGISNULL(2) || PG_ARGISNULL(3) || (named && PG_ARGISNULL(4)))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("estimated_binary_metrics threshold and calibration must not be NULL"),
				 errhint(named ? "Name a baseline captured with a prediction and a label column."
						 : "Pass isotonic_calibration(score, label) of labelled data, or "
						 "drift.baseline_calibration(baseline, column).")));
	*threshold = PG_GETARG_FLOAT8(2);
	if (isnan(*threshold))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("estimated_binary_metrics threshold must not be NaN")));
	c = named ? named_calibration(PG_GETARG_DATUM(3), PG_GETARG_DATUM(4))
		: (const Calibration *) PG_DETOAST_DATUM(PG_GETARG_DATUM(3));
	if (cs->args_const > 0)
	{
		Calibration *copy = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, VARSIZE(c));

		memcpy(copy, c, VARSIZE(c));
		cs->data = copy;
		cs->param = *threshold;
		c = copy;
	}
	call_site_done(cs);
	return c;
}

/*
 * The state argument, checked to have this row's setup, or a new one (a
 * moving aggregate's transition must return a state even for a row it
 * skips).
 */
static EstState *
est_state_arg(FunctionCallInfo fcinfo, bool named, const char *fn)
{
	double		threshold;
	const Calibration *c;
	EstState   *s;

	(void) aggregate_context(fcinfo, fn);
	c = est_setup(fcinfo, named, &threshold);
	if (PG_ARGISNULL(0))
		return est_alloc(threshold, c->xy, c->n_points, c->n_rows, EST_INITIAL);	/* the executor copies it */
	s = (EstState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	if (!est_same_setup(s, threshold, c->xy, c->n_points))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("estimated_binary_metrics needs one threshold and one calibration per group"),
				 errhint("Pass the same threshold and calibration on every row of a group.")));
	return s;
}

/* This row's score, or false when it is skipped (NULL, NaN). */
static bool
est_score(FunctionCallInfo fcinfo, double *score)
{
	if (PG_ARGISNULL(1))
		return false;
	*score = PG_GETARG_FLOAT8(1);
	if (isnan(*score))
		return false;
	if (*score == 0.0)
		*score = 0.0;			/* -0 and +0 are one score */
	return true;
}

/* Transition shared by both forms: append the score to the run's tail. */
static Datum
est_trans(FunctionCallInfo fcinfo, bool named, const char *fn)
{
	EstState   *s = est_state_arg(fcinfo, named, fn);
	double		score;
	ScoreCount *x;

	if (!est_score(fcinfo, &score))
		PG_RETURN_POINTER(s);
	if (score_run_merge_due(s->n_sorted, s->n_pending))
		score_run_normalize(EST_ENTRIES(s), &s->n_sorted, &s->n_pending);
	if (s->n_sorted + s->n_pending >= s->capacity)
	{
		/* grow: a new allocation in the current context, the executor copies it */
		EstState   *g = est_alloc(s->threshold, s->data, s->n_points, s->cal_rows, s->capacity * 2);

		memcpy(EST_ENTRIES(g), EST_ENTRIES(s), sizeof(ScoreCount) * (Size) (s->n_sorted + s->n_pending));
		g->n_sorted = s->n_sorted;
		g->n_pending = s->n_pending;
		g->n = s->n;
		s = g;
	}
	x = &EST_ENTRIES(s)[s->n_sorted + s->n_pending++];
	x->score = score;
	x->pos = 1;
	x->neg = 0;
	s->n++;
	PG_RETURN_POINTER(s);
}

/* Inverse shared by both forms: decrement the leaving row's entry (it must be there). */
static Datum
est_inv(FunctionCallInfo fcinfo, bool named, const char *fn)
{
	EstState   *s = est_state_arg(fcinfo, named, fn);
	double		score;
	ScoreCount *found;

	if (!est_score(fcinfo, &score))
		PG_RETURN_POINTER(s);
	found = score_run_find(EST_ENTRIES(s), s->n_sorted, s->n_pending, score, true);
	if (found == NULL)
		metrics_inverse_missing(fn, "score");
	found->pos--;
	s->n--;
	PG_RETURN_POINTER(s);
}

/* Transition of estimated_binary_metrics(score, threshold, calibration). */
Datum
estimated_metrics_trans(PG_FUNCTION_ARGS)
{
	return est_trans(fcinfo, false, "estimated_metrics_trans");
}

/* Transition of estimated_binary_metrics(score, threshold, baseline, column). */
Datum
estimated_metrics_named_trans(PG_FUNCTION_ARGS)
{
	return est_trans(fcinfo, true, "estimated_metrics_named_trans");
}

/* Inverse transition of the calibration form. */
Datum
estimated_metrics_inv(PG_FUNCTION_ARGS)
{
	return est_inv(fcinfo, false, "estimated_metrics_inv");
}

/* Inverse transition of the named form. */
Datum
estimated_metrics_named_inv(PG_FUNCTION_ARGS)
{
	return est_inv(fcinfo, true, "estimated_metrics_named_inv");
}

/* A normalized copy of s (sorted, distinct, no emptied entries). */
static EstState *
est_normalized_copy(const EstState *s)
{
	EstState   *c = palloc(VARSIZE(s));

	memcpy(c, s, VARSIZE(s));
	score_run_normalize(EST_ENTRIES(c), &c->n_sorted, &c->n_pending);
	return c;
}

/* Combine: merge the two runs into a new state (strict); the setups must agree. */
Datum
estimated_metrics_combine(PG_FUNCTION_ARGS)
{
	EstState   *a = est_normalized_copy((EstState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0)));
	EstState   *b = est_normalized_copy((EstState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(1)));
	EstState   *r;

	if (!est_same_setup(a, b->threshold, b->data, b->n_points))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine estimated_binary_metrics states of different thresholds or calibrations")));
	r = est_alloc(a->threshold, a->data, a->n_points, a->cal_rows,
				  Max(EST_INITIAL, a->n_sorted + b->n_sorted));
	r->n = count_add(a->n, b->n);
	r->n_sorted = score_run_merge(EST_ENTRIES(a), a->n_sorted, EST_ENTRIES(b), b->n_sorted,
								  EST_ENTRIES(r));
	PG_RETURN_POINTER(r);
}

/* x / y as a result field, or NULL when y is 0. */
static inline Datum
est_ratio(DD x, DD y, bool *isnull)
{
	double		d = dd_value(y);

	*isnull = (d == 0.0);
	return Float8GetDatum(*isnull ? 0.0 : dd_value(x) / d);
}

/* The exact product a * b as a double-double. */
static inline DD
dd_product(double a, double b)
{
	DD			r;

	dd_two_prod(a, b, &r.hi, &r.lo);
	return r;
}

/*
 * Final: (n, accuracy, precision, recall, specificity, f1, roc_auc).  One
 * descending sweep over the distinct scores builds the expected confusion
 * matrix and the expected ROC curve together.
 */
Datum
estimated_metrics_final(PG_FUNCTION_ARGS)
{
	TupleDesc	desc = metrics_result_desc(fcinfo);
	Datum		values[7];
	bool		nulls[7] = {false, true, true, true, true, true, true};
	EstState   *s;
	const ScoreCount *e;
	DD			tp = {0, 0},
				fp = {0, 0},
				fn = {0, 0},
				tn = {0, 0},
				pos = {0, 0},	/* expected positives at or above the current score */
				neg = {0, 0},
				area = {0, 0};	/* twice the area under the unnormalized ROC curve */

	if (PG_ARGISNULL(0))
	{
		values[0] = Int64GetDatum(0);
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
	}
	s = (EstState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	if (s->n_pending > 0)
	{
		/* inside the aggregate, normalizing in place changes only the representation */
		if (AggCheckCallContext(fcinfo, NULL) && (Pointer) s == DatumGetPointer(PG_GETARG_DATUM(0)))
			score_run_normalize(EST_ENTRIES(s), &s->n_sorted, &s->n_pending);
		else
			s = est_normalized_copy(s);
	}
	e = EST_ENTRIES(s);
	for (int32 i = s->n_sorted - 1; i >= 0; i--)
	{
		double		p = isotonic_predict(EST_X(s), EST_Y(s), s->n_points, e[i].score);
		double		c = (double) e[i].pos;
		DD			dp = dd_product(c, p);
		DD			dn = dd_product(c, 1.0 - p);
		DD			pos_before = pos;

		if (e[i].pos == 0)
			continue;
		if (e[i].score >= s->threshold)
		{
			tp = dd_add(tp, dp);
			fp = dd_add(fp, dn);
		}
		else
		{
			fn = dd_add(fn, dp);
			tn = dd_add(tn, dn);
		}
		pos = dd_add(pos, dp);
		neg = dd_add(neg, dn);
		/* trapezoid: width dn, heights pos_before and pos */
		area = dd_add(area, dd_mul(dn, dd_add(pos_before, pos)));
	}
	values[0] = Int64GetDatum(s->n);
	if (s->n > 0)
	{
		DD			all = dd_add(pos, neg);
		DD			f1_den = dd_add(dd_add(tp, tp), dd_add(fp, fn));

		values[1] = est_ratio(dd_add(tp, tn), all, &nulls[1]);
		values[2] = est_ratio(tp, dd_add(tp, fp), &nulls[2]);
		values[3] = est_ratio(tp, pos, &nulls[3]);
		values[4] = est_ratio(tn, neg, &nulls[4]);
		values[5] = est_ratio(dd_add(tp, tp), f1_den, &nulls[5]);
		values[6] = est_ratio(area, dd_mul(dd_add(pos, pos), neg), &nulls[6]);
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/*
 * Binary form: version int8, threshold float8, the calibration's fields
 * (calibration_send_fields), then the normalized score run (score_run_send),
 * whose entries count rows as positives.
 */
static bytea *
est_state_send_bytes(const EstState *s)
{
	StringInfoData buf;
	const EstState *n = s->n_pending > 0 ? est_normalized_copy(s) : s;
	Calibration *c = palloc(CALIBRATION_SIZE(n->n_points));

	SET_VARSIZE(c, CALIBRATION_SIZE(n->n_points));
	c->n_points = n->n_points;
	c->n_rows = n->cal_rows;
	memcpy(c->xy, n->data, sizeof(double) * 2 * (Size) n->n_points);
	pq_begintypsend(&buf);
	pq_sendint8(&buf, METRICS_STATE_VERSION);
	pq_sendfloat8(&buf, n->threshold);
	calibration_send_fields(&buf, c);
	score_run_send(&buf, EST_ENTRIES(n), n->n_sorted);
	return pq_endtypsend(&buf);
}

/* Read and validate the binary form. */
static EstState *
est_state_recv_buffer(StringInfo buf)
{
	const char *t = EST_STATE_TYPE;
	double		threshold;
	Calibration *c;
	EstState   *s;
	int32		n;
	int64		n_neg = 0;

	metrics_check_version(t, buf);
	if (buf->len - buf->cursor < 8)
		state_invalid(t, "The value is shorter than its header.");
	threshold = pq_getmsgfloat8(buf);
	if (isnan(threshold))
		state_invalid(t, "The threshold is NaN.");
	c = calibration_recv_fields(t, buf);
	n = score_run_recv_length(t, buf, est_max_entries(c->n_points));
	s = est_alloc(threshold, c->xy, c->n_points, c->n_rows, Max(n, 1));
	score_run_recv(t, buf, EST_ENTRIES(s), n, &s->n, &n_neg);
	if (n_neg != 0)
		state_invalid(t, "A score counts negatives.");
	s->n_sorted = n;
	metrics_check_end(t, buf);
	return s;
}

/* Binary input. */
Datum
estimated_metrics_state_recv(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(est_state_recv_buffer((StringInfo) PG_GETARG_POINTER(0)));
}

/* Binary output. */
Datum
estimated_metrics_state_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(est_state_send_bytes((EstState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0))));
}

/* Text output: "\x" and the hex of the binary form. */
Datum
estimated_metrics_state_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(state_text_out(est_state_send_bytes((EstState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0)))));
}

/* Text input. */
Datum
estimated_metrics_state_in(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	state_text_in(PG_GETARG_CSTRING(0), EST_STATE_TYPE, &buf);
	PG_RETURN_POINTER(est_state_recv_buffer(&buf));
}
