/*
 * calibration.c
 *		The value type drift_calibration and the aggregate that makes one:
 *		isotonic_calibration(score float8, label bool) fits scikit-learn
 *		1.2's IsotonicRegression(out_of_bounds='clip') to the labelled rows
 *		(src/stats/isotonic.c), and calibrate(calibration, score) applies it.
 *		drift.capture_baseline stores one per baseline with a score and a
 *		label (61_cbpe.sql); estimated_binary_metrics uses it.
 *
 * The aggregate collects positives and negatives per distinct score in
 * roc_auc's state (drift_roc_state: the counts are exactly what the fit
 * needs, and parallel workers combine them with roc_auc's combine), and
 * fits once in the final function: O(distinct scores) memory.  Scores must
 * be probabilities: outside [0, 1] (or NaN) is an error, since a calibration
 * maps scores to probabilities and CBPE sums them.
 *
 * The value's text form is its binary form in base64 (input also reads the
 * "\x" and hex of 0.1.0), like the state types (state_codec.c), and both
 * inputs validate it fully: points
 * strictly ascending in [0, 1] with non-decreasing values in [0, 1].
 */
#include "postgres.h"
#include "core/compat.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "libpq/pqformat.h"
#include "utils/array.h"

#include "core/state_codec.h"
#include "metrics/calibration.h"
#include "metrics/metrics_io.h"
#include "metrics/roc_state.h"
#include "stats/isotonic.h"

#define CALIBRATION_TYPE "drift_calibration"

PG_FUNCTION_INFO_V1(isotonic_calibration_trans);
PG_FUNCTION_INFO_V1(isotonic_calibration_final);
PG_FUNCTION_INFO_V1(calibration_calibrate);
PG_FUNCTION_INFO_V1(calibration_points);

/* The calibrated value of a score (not NaN). */
double
calibration_value(const Calibration *c, double score)
{
	return isotonic_predict(CALIBRATION_X(c), CALIBRATION_Y(c), c->n_points, score);
}

/*
 * Transition: check the score is a probability, then count the pair as
 * roc_auc does.  A pair with a NULL side is skipped.
 */
Datum
isotonic_calibration_trans(PG_FUNCTION_ARGS)
{
	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
	{
		double		score = PG_GETARG_FLOAT8(1);

		if (!(score >= 0.0 && score <= 1.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("score %g is outside [0, 1]", score),
					 errhint("Calibrate the model's predicted probability of the positive class.")));
	}
	return roc_auc_trans(fcinfo);
}

/* Final: fit the calibration to the counts per distinct score. */
Datum
isotonic_calibration_final(PG_FUNCTION_ARGS)
{
	RocState   *s = roc_normalized_copy((RocState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0)));
	int32		n = s->n_sorted;
	double	   *x,
			   *wy,
			   *w;
	size_t	   *target;
	size_t		k;
	Calibration *c;

	if (n == 0)
		PG_RETURN_NULL();
	x = palloc(sizeof(double) * n);
	wy = palloc(sizeof(double) * n);
	w = palloc(sizeof(double) * n);
	target = palloc(sizeof(size_t) * n);
	for (int32 i = 0; i < n; i++)
	{
		x[i] = s->entries[i].score;
		wy[i] = (double) s->entries[i].pos;
		w[i] = (double) (s->entries[i].pos + s->entries[i].neg);
	}
	k = isotonic_fit(x, wy, w, n, target);
	c = palloc0(CALIBRATION_SIZE(k));
	SET_VARSIZE(c, CALIBRATION_SIZE(k));
	c->n_points = (int32) k;
	c->n_rows = s->n_pos + s->n_neg;
	memcpy(CALIBRATION_X(c), x, sizeof(double) * k);
	memcpy(CALIBRATION_Y(c), wy, sizeof(double) * k);
	PG_RETURN_POINTER(c);
}

/* calibrate(calibration, score): the calibrated probability; NULL for NaN. */
Datum
calibration_calibrate(PG_FUNCTION_ARGS)
{
	Calibration *c = (Calibration *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	double		score = PG_GETARG_FLOAT8(1);

	if (isnan(score))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(calibration_value(c, score));
}

/* Append a calibration's fields (no version byte) to buf. */
void
calibration_send_fields(StringInfo buf, const Calibration *c)
{
	pq_sendint64(buf, c->n_rows);
	pq_sendint32(buf, c->n_points);
	for (int32 i = 0; i < 2 * c->n_points; i++)
		pq_sendfloat8(buf, c->xy[i]);
}

/*
 * Read and validate a calibration's fields (as calibration_send_fields
 * wrote them) from buf, reporting errors against type_name.
 */
Calibration *
calibration_recv_fields(const char *type_name, StringInfo buf)
{
	int64		rows = metrics_recv_count(type_name, buf);
	int32		n;
	Calibration *c;
	const double *x,
			   *y;

	if (buf->len - buf->cursor < 4)
		state_invalid(type_name, "The value is shorter than its header.");
	n = pq_getmsgint(buf, 4);
	if (n < 1 || n > CALIBRATION_MAX_POINTS || (Size) n * 16 > (Size) (buf->len - buf->cursor))
		state_invalid(type_name, "The number of points does not match the value's length.");
	if (rows < n)
		state_invalid(type_name, "Fewer labelled rows than points.");
	c = palloc0(CALIBRATION_SIZE(n));
	SET_VARSIZE(c, CALIBRATION_SIZE(n));
	c->n_points = n;
	c->n_rows = rows;
	for (int32 i = 0; i < 2 * n; i++)
		c->xy[i] = pq_getmsgfloat8(buf);
	x = CALIBRATION_X(c);
	y = CALIBRATION_Y(c);
	for (int32 i = 0; i < n; i++)
	{
		if (!(x[i] >= 0.0 && x[i] <= 1.0) || (x[i] == 0.0 && signbit(x[i])))
			state_invalid(type_name, "A score is not in [0, 1].");
		if (!(y[i] >= 0.0 && y[i] <= 1.0))
			state_invalid(type_name, "A calibrated value is not in [0, 1].");
		if (i > 0 && !(x[i] > x[i - 1]))
			state_invalid(type_name, "The scores are not strictly ascending.");
		if (i > 0 && !(y[i] >= y[i - 1]))
			state_invalid(type_name, "The calibrated values decrease.");
	}
	return c;
}

/* Binary form: version int8, then the fields (rows, points, scores, values). */
static bytea *
calibration_send_bytes(const void *state)
{
	const Calibration *c = state;
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint8(&buf, METRICS_STATE_VERSION);
	calibration_send_fields(&buf, c);
	return pq_endtypsend(&buf);
}

/* Read and validate the binary form. */
static void *
calibration_recv_buffer(StringInfo buf)
{
	Calibration *c;

	metrics_check_version(CALIBRATION_TYPE, buf);
	c = calibration_recv_fields(CALIBRATION_TYPE, buf);
	return c;
}

/* The type's I/O functions, from the binary form above (state_codec.h). */
STATE_CODEC(calibration, CALIBRATION_TYPE, true, calibration_send_bytes, calibration_recv_buffer)

/* calibration_points(calibration): the fitted points as (score, calibrated) arrays. */
Datum
calibration_points(PG_FUNCTION_ARGS)
{
	Calibration *c = (Calibration *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	int32		n = c->n_points;
	int			dims[2] = {2, n};
	int			lbs[2] = {1, 1};
	Datum	   *d = palloc(sizeof(Datum) * 2 * n);

	for (int32 i = 0; i < 2 * n; i++)
		d[i] = Float8GetDatum(c->xy[i]);
	PG_RETURN_ARRAYTYPE_P(construct_md_array(d, NULL, 2, dims, lbs, FLOAT8OID, 8,
											 FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}
