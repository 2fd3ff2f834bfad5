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
 * calibration's points and, since p is a function of the score, only counts
 * of rows: a moving frame's removal is a decrement.  Where the calibration
 * is flat (constant p: below its first point, above its last, and between
 * two points of equal value, which is most of an isotonic fit's range) a
 * segment's rows add collinear steps to the expected ROC curve, so their
 * order does not matter: two counts per segment (rows predicted positive or
 * not) replace them, O(1) per row after a binary search over the points.
 * Only rows on the sloped segments between two points of different values
 * are kept per distinct score, in a score run (score_run.c).  Each final
 * sweeps the segments and those scores once, from the top: O(points + distinct
 * sloped scores) per call.
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
#include "common/int.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "common/hashfn.h"
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
	uint64		setup_hash;		/* est_setup_hash of the threshold and calibration */
	int64		n;				/* rows counted */
	int64		cal_rows;		/* the calibration's labelled rows */
	double		threshold;

	/*
	 * The calibration's scores [n_points] and values [n_points]; then per
	 * segment (est_segment) the rows predicted negative and positive, int64
	 * [2 (n_points + 1)]; then the score run, ScoreCount [capacity].
	 */
	double		data[FLEXIBLE_ARRAY_MEMBER];
} EstState;

#define EST_HEAD(k) (offsetof(EstState, data) + sizeof(double) * 2 * (Size) (k) + \
					 sizeof(int64) * 2 * ((Size) (k) + 1))
#define EST_SIZE(k, cap) (EST_HEAD(k) + sizeof(ScoreCount) * (Size) (cap))
#define EST_X(s) ((s)->data)
#define EST_Y(s) ((s)->data + (s)->n_points)
#define EST_COUNTS(s) ((int64 *) ((s)->data + 2 * (s)->n_points))
#define EST_N_COUNTS(s) (2 * ((Size) (s)->n_points + 1))
#define EST_ENTRIES(s) ((ScoreCount *) (EST_COUNTS(s) + EST_N_COUNTS(s)))
#define EST_INITIAL 32
/* most buckets of a setup's segment index (a power of 2) */
#define EST_MAX_BUCKETS 65536

/*
 * A row's threshold and calibration, resolved (est_setup).  When they are
 * query-constant the setup lives for the query, with an index that finds a
 * score's segment in O(1): bucket[b] is the segment of b / n_buckets, the
 * lowest score of bucket b of [0, 1], and a score's segment is at most a
 * few points further (the buckets outnumber the points).
 */
typedef struct EstSetup
{
	const Calibration *cal;
	double		threshold;
	uint64		hash;
	int32		n_buckets;		/* 0: no index, binary search */
	int32	   *bucket;
} EstSetup;

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
	if (EST_HEAD(k) >= MaxAllocSize / 2)
		return 0;
	return (int32) ((MaxAllocSize - EST_HEAD(k)) / sizeof(ScoreCount) / 2);
}

/*
 * A hash of a setup: states remember theirs, so that each row's check that
 * its setup is the state's costs O(1), not a comparison of every point.
 * (Thresholds are never -0: est_threshold.)
 */
static uint64
est_setup_hash(double threshold, const double *xy, int32 k)
{
	return hash_bytes_extended((const unsigned char *) xy, (int) (sizeof(double) * 2 * (Size) k),
							   (uint64) k) ^
		hash_bytes_extended((const unsigned char *) &threshold, sizeof(double), 0);
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
	s->setup_hash = est_setup_hash(threshold, xy, k);
	return s;
}

/* Do two states' setups (threshold, calibration points) agree? */
static bool
est_same_setup(const EstState *a, const EstState *b)
{
	return a->setup_hash == b->setup_hash && a->threshold == b->threshold &&
		a->n_points == b->n_points &&
		memcmp(a->data, b->data, sizeof(double) * 2 * (Size) a->n_points) == 0;
}

/*
 * The calibration segment of score t, as isotonic_predict finds it: 0 at or
 * below the first point, k for (x[k - 1], x[k]], n_points above the last.
 */
static inline int32
est_segment(const EstState *s, double t)
{
	return (int32) isotonic_segment(EST_X(s), s->n_points, t);
}

/* est_segment through a setup's index, when it has one (the setup is the state's). */
static inline int32
est_segment_indexed(const EstState *s, const EstSetup *setup, double t)
{
	int32		i;

	if (setup->n_buckets == 0 || !(t >= 0.0 && t <= 1.0))
		return est_segment(s, t);
	i = setup->bucket[Min((int32) (t * setup->n_buckets), setup->n_buckets - 1)];
	while (i < s->n_points && EST_X(s)[i] < t)
		i++;
	return i;
}

/*
 * Is p constant on the segment?  Outside the points it is clipped; between
 * two points of equal value the slope is 0 and isotonic_predict returns the
 * value exactly.
 */
static inline bool
est_flat(const EstState *s, int32 seg)
{
	return seg == 0 || seg == s->n_points || EST_Y(s)[seg - 1] == EST_Y(s)[seg];
}

/* The constant p of a flat segment (as isotonic_predict computes it there). */
static double
est_flat_value(const EstState *s, int32 seg)
{
	if (seg == 0)
		return EST_Y(s)[0];
	if (seg == s->n_points)
		return isotonic_predict(EST_X(s), EST_Y(s), s->n_points, EST_X(s)[s->n_points - 1]);
	return EST_Y(s)[seg - 1];
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
 * What a call site with non-constant arguments keeps of the last named
 * calibration it read: rows naming the same (baseline, column) reuse it
 * instead of calling drift.baseline_calibration again (a query's snapshot
 * does not change between its rows).  Citus's worker_partial_agg passes
 * every argument as non-constant.
 */
typedef struct KeptCalibration
{
	text	   *baseline;
	text	   *column;
	Calibration *cal;
} KeptCalibration;

/* The calibration named by this row's arguments 3 and 4, kept in the call site. */
static const Calibration *
named_calibration_kept(FunctionCallInfo fcinfo, CallSite *cs)
{
	KeptCalibration *k = (KeptCalibration *) cs->data;
	text	   *baseline = PG_GETARG_TEXT_PP(3);
	text	   *column = PG_GETARG_TEXT_PP(4);
	const Calibration *cal;
	MemoryContext old;

	if (k != NULL && text_bytes_equal(k->baseline, baseline) && text_bytes_equal(k->column, column))
		return k->cal;
	cal = named_calibration(PG_GETARG_DATUM(3), PG_GETARG_DATUM(4));
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	if (k == NULL)
		cs->data = k = palloc0(sizeof(KeptCalibration));
	else
	{
		pfree(k->baseline);
		pfree(k->column);
		pfree(k->cal);
	}
	k->baseline = (text *) PG_DETOAST_DATUM_COPY(PointerGetDatum(baseline));
	k->column = (text *) PG_DETOAST_DATUM_COPY(PointerGetDatum(column));
	k->cal = palloc(VARSIZE(cal));
	memcpy(k->cal, cal, VARSIZE(cal));
	MemoryContextSwitchTo(old);
	return k->cal;
}

/* Build a setup's segment index in cxt (see EstSetup). */
static void
est_setup_index(EstSetup *setup, MemoryContext cxt)
{
	const double *x = CALIBRATION_X(setup->cal);
	int32		k = setup->cal->n_points;
	int32		nb = 1024;
	int32		i = 0;

	while (nb < EST_MAX_BUCKETS && nb < 2 * k)
		nb *= 2;
	setup->bucket = MemoryContextAlloc(cxt, sizeof(int32) * nb);
	for (int32 b = 0; b < nb; b++)
	{
		double		low = (double) b / nb;	/* exact: nb is a power of 2 */

		while (i < k && x[i] < low)
			i++;
		setup->bucket[b] = i;
	}
	setup->n_buckets = nb;
}

/*
 * This row's threshold and calibration: resolved once per query when the
 * arguments are query-constant (kept in the call site, with a segment
 * index), else for every row (in *row).
 */
static const EstSetup *
est_setup(FunctionCallInfo fcinfo, bool named, EstSetup *row)
{
	CallSite   *cs = call_site_get_after(fcinfo, 1);

	if (cs->resolved)
		return (const EstSetup *) cs->data;
	if (PG_ARGISNULL(2) || PG_ARGISNULL(3) || (named && PG_ARGISNULL(4)))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("estimated_binary_metrics threshold and calibration must not be NULL"),
				 errhint(named ? "Name a baseline captured with a prediction and a label column."
						 : "Pass isotonic_calibration(score, label) of labelled data, or "
						 "drift.baseline_calibration(baseline, column).")));
	row->threshold = PG_GETARG_FLOAT8(2);
	if (isnan(row->threshold))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("estimated_binary_metrics threshold must not be NaN")));
	if (row->threshold == 0.0)
		row->threshold = 0.0;	/* -0 and +0 are one threshold */
	if (!named)
		row->cal = (const Calibration *) PG_DETOAST_DATUM(PG_GETARG_DATUM(3));
	else if (cs->args_const > 0)
		row->cal = named_calibration(PG_GETARG_DATUM(3), PG_GETARG_DATUM(4));
	else
		row->cal = named_calibration_kept(fcinfo, cs);
	row->hash = est_setup_hash(row->threshold, row->cal->xy, row->cal->n_points);
	row->n_buckets = 0;
	row->bucket = NULL;
	if (cs->args_const > 0)
	{
		MemoryContext cxt = fcinfo->flinfo->fn_mcxt;
		EstSetup   *kept = MemoryContextAlloc(cxt, sizeof(EstSetup));
		Calibration *copy = MemoryContextAlloc(cxt, VARSIZE(row->cal));

		memcpy(copy, row->cal, VARSIZE(row->cal));
		*kept = *row;
		kept->cal = copy;
		est_setup_index(kept, cxt);
		cs->data = kept;
		row = kept;
	}
	call_site_done(cs);
	return row;
}

/*
 * The state argument, checked to have this row's setup (*setup), or a new
 * one (a moving aggregate's transition must return a state even for a row
 * it skips).  The check compares hashes (est_setup_hash) and the threshold:
 * a state whose points differ from the row's under an equal hash could only
 * be forged, and then answers for its own calibration, which it holds.
 */
static EstState *
est_state_arg(FunctionCallInfo fcinfo, bool named, const char *fn, const EstSetup **setup,
			  EstSetup *row)
{
	const Calibration *c;
	EstState   *s;

	(void) aggregate_context(fcinfo, fn);
	*setup = est_setup(fcinfo, named, row);
	c = (*setup)->cal;
	if (PG_ARGISNULL(0))
		return est_alloc((*setup)->threshold, c->xy, c->n_points, c->n_rows, EST_INITIAL);	/* the executor copies it */
	s = (EstState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	if (s->setup_hash != (*setup)->hash || s->threshold != (*setup)->threshold ||
		s->n_points != c->n_points)
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
	const EstSetup *setup;
	EstSetup	row;
	EstState   *s = est_state_arg(fcinfo, named, fn, &setup, &row);
	double		score;
	ScoreCount *x;
	int32		seg;

	if (!est_score(fcinfo, &score))
		PG_RETURN_POINTER(s);
	seg = est_segment_indexed(s, setup, score);
	if (est_flat(s, seg))
	{
		int64	   *cell = &EST_COUNTS(s)[2 * seg + (score >= s->threshold)];

		/* counts from text input or INITCOND may sit at the int64 limit */
		*cell = count_add(*cell, 1);
		s->n = count_add(s->n, 1);
		PG_RETURN_POINTER(s);
	}
	if (score_run_merge_due(s->n_sorted, s->n_pending))
		score_run_normalize(EST_ENTRIES(s), &s->n_sorted, &s->n_pending);
	if (s->n_sorted + s->n_pending >= s->capacity)
	{
		/* grow: a new allocation in the current context, the executor copies it */
		EstState   *g = est_alloc(s->threshold, s->data, s->n_points, s->cal_rows, s->capacity * 2);

		memcpy(EST_COUNTS(g), EST_COUNTS(s), sizeof(int64) * EST_N_COUNTS(s));
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
	s->n = count_add(s->n, 1);
	PG_RETURN_POINTER(s);
}

/* Inverse shared by both forms: decrement the leaving row's entry (it must be there). */
static Datum
est_inv(FunctionCallInfo fcinfo, bool named, const char *fn)
{
	const EstSetup *setup;
	EstSetup	row;
	EstState   *s = est_state_arg(fcinfo, named, fn, &setup, &row);
	double		score;
	ScoreCount *found;
	int32		seg;

	if (!est_score(fcinfo, &score))
		PG_RETURN_POINTER(s);
	seg = est_segment_indexed(s, setup, score);
	if (est_flat(s, seg))
	{
		int64	   *cell = &EST_COUNTS(s)[2 * seg + (score >= s->threshold)];

		if (*cell <= 0)
			metrics_inverse_missing(fn, "score");
		(*cell)--;
		s->n--;
		PG_RETURN_POINTER(s);
	}
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

	if (!est_same_setup(a, b))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine estimated_binary_metrics states of different thresholds or calibrations")));
	r = est_alloc(a->threshold, a->data, a->n_points, a->cal_rows,
				  Max(EST_INITIAL, a->n_sorted + b->n_sorted));
	r->n = count_add(a->n, b->n);
	for (Size i = 0; i < EST_N_COUNTS(r); i++)
		EST_COUNTS(r)[i] = count_add(EST_COUNTS(a)[i], EST_COUNTS(b)[i]);
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

/* The expected confusion matrix and ROC curve, built from the top score down. */
typedef struct EstSweep
{
	DD			tp,
				fp,
				fn,
				tn;
	DD			pos;			/* expected positives at or above the current score */
	DD			neg;			/* expected negatives likewise */
	DD			area;			/* twice the area under the unnormalized ROC curve */
} EstSweep;

/*
 * Add rows of calibrated value p, n_pred of them predicted positive and
 * n_other not, as one step of the ROC curve (a tie group, or collinear
 * steps): trapezoid of width dn between heights pos and pos + dp.
 */
static void
est_sweep_add(EstSweep *w, double p, int64 n_pred, int64 n_other)
{
	DD			dp_pred = dd_product((double) n_pred, p);
	DD			dn_pred = dd_product((double) n_pred, 1.0 - p);
	DD			dp_other = dd_product((double) n_other, p);
	DD			dn_other = dd_product((double) n_other, 1.0 - p);
	DD			dp = dd_add(dp_pred, dp_other);
	DD			dn = dd_add(dn_pred, dn_other);
	DD			pos_before = w->pos;

	w->tp = dd_add(w->tp, dp_pred);
	w->fp = dd_add(w->fp, dn_pred);
	w->fn = dd_add(w->fn, dp_other);
	w->tn = dd_add(w->tn, dn_other);
	w->pos = dd_add(w->pos, dp);
	w->neg = dd_add(w->neg, dn);
	w->area = dd_add(w->area, dd_mul(dn, dd_add(pos_before, w->pos)));
}

/*
 * Final: (n, accuracy, precision, recall, specificity, f1, roc_auc).  One
 * descending sweep over the segments: a sloped segment's distinct scores
 * one by one (the run holds them, ascending), a flat segment's rows as one
 * step.
 */
Datum
estimated_metrics_final(PG_FUNCTION_ARGS)
{
	TupleDesc	desc = metrics_result_desc(fcinfo);
	Datum		values[7];
	bool		nulls[7] = {false, true, true, true, true, true, true};
	EstState   *s;
	const ScoreCount *e;
	const int64 *counts;
	EstSweep	w = {{0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}};
	int32		j;

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
	counts = EST_COUNTS(s);
	j = s->n_sorted - 1;
	for (int32 seg = s->n_points; seg >= 0; seg--)
	{
		if (est_flat(s, seg))
		{
			if (counts[2 * seg] > 0 || counts[2 * seg + 1] > 0)
				est_sweep_add(&w, est_flat_value(s, seg), counts[2 * seg + 1], counts[2 * seg]);
			continue;
		}
		/* the run's scores on this segment, (x[seg - 1], x[seg]], from the top */
		for (; j >= 0 && e[j].score > EST_X(s)[seg - 1]; j--)
		{
			bool		predicted = e[j].score >= s->threshold;

			if (e[j].pos > 0)
				est_sweep_add(&w, isotonic_predict(EST_X(s), EST_Y(s), s->n_points, e[j].score),
							  predicted ? e[j].pos : 0, predicted ? 0 : e[j].pos);
		}
	}
	values[0] = Int64GetDatum(s->n);
	if (s->n > 0)
	{
		DD			all = dd_add(w.pos, w.neg);
		DD			f1_den = dd_add(dd_add(w.tp, w.tp), dd_add(w.fp, w.fn));

		values[1] = est_ratio(dd_add(w.tp, w.tn), all, &nulls[1]);
		values[2] = est_ratio(w.tp, dd_add(w.tp, w.fp), &nulls[2]);
		values[3] = est_ratio(w.tp, w.pos, &nulls[3]);
		values[4] = est_ratio(w.tn, w.neg, &nulls[4]);
		values[5] = est_ratio(dd_add(w.tp, w.tp), f1_den, &nulls[5]);
		values[6] = est_ratio(w.area, dd_mul(dd_add(w.pos, w.pos), w.neg), &nulls[6]);
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/*
 * Binary form: version int8 (METRICS_SCORE_RUN_VERSION), threshold float8, the calibration's fields
 * (calibration_send_fields), the rows per segment and side (int64, 2
 * (points + 1) of them), then the normalized score run (score_run_send),
 * whose entries count rows as positives.
 */
static bytea *
est_state_send_bytes(const void *state)
{
	const EstState *s = state;
	StringInfoData buf;
	const EstState *n = s->n_pending > 0 ? est_normalized_copy(s) : s;
	Calibration *c = palloc(CALIBRATION_SIZE(n->n_points));

	SET_VARSIZE(c, CALIBRATION_SIZE(n->n_points));
	c->n_points = n->n_points;
	c->n_rows = n->cal_rows;
	memcpy(c->xy, n->data, sizeof(double) * 2 * (Size) n->n_points);
	pq_begintypsend(&buf);
	pq_sendint8(&buf, METRICS_SCORE_RUN_VERSION);
	pq_sendfloat8(&buf, n->threshold);
	calibration_send_fields(&buf, c);
	for (Size i = 0; i < EST_N_COUNTS(n); i++)
		pq_sendint64(&buf, EST_COUNTS(n)[i]);
	score_run_send(&buf, EST_ENTRIES(n), n->n_sorted);
	return pq_endtypsend(&buf);
}

/* Read and validate the binary form. */
static void *
est_state_recv_buffer(StringInfo buf)
{
	const char *t = EST_STATE_TYPE;
	double		threshold;
	Calibration *c;
	EstState   *s;
	int32		n;
	int64		rows = 0,
				n_neg = 0;

	metrics_check_version_is(t, buf, METRICS_SCORE_RUN_VERSION);
	if (buf->len - buf->cursor < 8)
		state_invalid(t, "The value is shorter than its header.");
	threshold = pq_getmsgfloat8(buf);
	if (isnan(threshold))
		state_invalid(t, "The threshold is NaN.");
	c = calibration_recv_fields(t, buf);
	if (est_max_entries(c->n_points) == 0)
		state_invalid(t, "The calibration has too many points for a state.");
	s = est_alloc(threshold, c->xy, c->n_points, c->n_rows, EST_INITIAL);
	if ((Size) (buf->len - buf->cursor) < sizeof(int64) * EST_N_COUNTS(s))
		state_invalid(t, "The value is shorter than its counts.");
	for (int32 seg = 0; seg <= s->n_points; seg++)
	{
		int64	   *cell = &EST_COUNTS(s)[2 * seg];

		cell[0] = metrics_recv_count(t, buf);
		cell[1] = metrics_recv_count(t, buf);
		if ((cell[0] > 0 || cell[1] > 0) && !est_flat(s, seg))
			state_invalid(t, "Rows are counted on a sloped segment of the calibration.");
		if (seg > 0 && EST_X(s)[seg - 1] >= threshold && cell[0] > 0)
			state_invalid(t, "Rows above the threshold are counted as below it.");
		if (seg < s->n_points && EST_X(s)[seg] < threshold && cell[1] > 0)
			state_invalid(t, "Rows below the threshold are counted as above it.");
		if (pg_add_s64_overflow(s->n, cell[0], &s->n) || pg_add_s64_overflow(s->n, cell[1], &s->n))
			state_invalid(t, "The counts overflow.");
	}
	n = score_run_recv_length(t, buf, est_max_entries(c->n_points));
	if (n > s->capacity)
	{
		EstState   *g = est_alloc(threshold, c->xy, c->n_points, c->n_rows, n);

		memcpy(EST_COUNTS(g), EST_COUNTS(s), sizeof(int64) * EST_N_COUNTS(s));
		g->n = s->n;
		s = g;
	}
	score_run_recv(t, buf, EST_ENTRIES(s), n, &rows, &n_neg);
	if (n_neg != 0)
		state_invalid(t, "A score counts negatives.");
	for (int32 i = 0; i < n; i++)
		if (est_flat(s, est_segment(s, EST_ENTRIES(s)[i].score)))
			state_invalid(t, "A score of the run lies where the calibration is flat.");
	if (pg_add_s64_overflow(s->n, rows, &s->n))
		state_invalid(t, "The counts overflow.");
	s->n_sorted = n;
	return s;
}

/* The type's I/O functions, from the binary form above (state_codec.h). */
STATE_CODEC(estimated_metrics_state, EST_STATE_TYPE, true, est_state_send_bytes, est_state_recv_buffer)

