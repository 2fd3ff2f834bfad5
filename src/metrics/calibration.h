/*
 * calibration.h
 *		drift_calibration: an isotonic calibration of a score on binary
 *		labels (calibration.c), the fitted points of scikit-learn's
 *		IsotonicRegression(out_of_bounds='clip') (src/stats/isotonic.c).
 *		estimated_binary_metrics reads it (estimated_metrics.c).
 */
#ifndef PG_DRIFT_CALIBRATION_H
#define PG_DRIFT_CALIBRATION_H

#include "postgres.h"
#include "lib/stringinfo.h"
#include "utils/memutils.h"

typedef struct Calibration
{
	int32		vl_len_;		/* varlena header */
	int32		n_points;		/* fitted points, >= 1 */
	int64		n_rows;			/* labelled rows it was fitted on */
	double		xy[FLEXIBLE_ARRAY_MEMBER];	/* scores x[0 .. n), then values y[0 .. n) */
} Calibration;

#define CALIBRATION_SIZE(n) (offsetof(Calibration, xy) + sizeof(double) * 2 * (Size) (n))
#define CALIBRATION_X(c) ((c)->xy)
#define CALIBRATION_Y(c) ((c)->xy + (c)->n_points)
/* most points a calibration holds (its value stays under 1 GB) */
#define CALIBRATION_MAX_POINTS ((int32) ((MaxAllocSize - offsetof(Calibration, xy)) / (2 * sizeof(double))))

extern double calibration_value(const Calibration *c, double score);
extern void calibration_send_fields(StringInfo buf, const Calibration *c);
extern Calibration *calibration_recv_fields(const char *type_name, StringInfo buf);

#endif							/* PG_DRIFT_CALIBRATION_H */
