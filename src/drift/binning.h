/*
 * binning.h
 *		Bins derived from a baseline for the binned drift tests (psi, js,
 *		hellinger, kl): the options that choose them, the edges, and the lookup
 *		of a value's bin.
 *
 * Bins are given by k ascending inner edges e_0 < ... < e_{k-1} (outer edges
 * -inf and +inf), so there are k + 1 bins, and a value x belongs to bin i when
 * e_{i-1} < x <= e_i: its bin index is the number of edges strictly below x
 * (numpy.searchsorted(edges, x, side='left')).  Both the baseline and the
 * current values are placed this way.
 */
#ifndef PG_DRIFT_BINNING_H
#define PG_DRIFT_BINNING_H

#include "postgres.h"
#include "fmgr.h"

#include "baseline/baseline_index.h"
#include "core/options.h"
#include "profile/profile.h"

/* Largest bin count accepted: keeps a state's dense counts at 8 MB. */
#define BINNING_MAX_BINS 1000000

/* Default options. */
#define BINNING_DEFAULT_BINS 10
#define BINNING_DEFAULT_FILL DRIFT_DEFAULT_FILL

typedef enum BinningMethod
{
	BINNING_QUANTILE = 1,		/* edges at the baseline's quantiles i/B */
	BINNING_UNIFORM = 2			/* equal-width bins over the baseline's range */
} BinningMethod;

/* What chooses the bins: both are fixed for one aggregate group. */
typedef struct BinSpec
{
	int32		bins;			/* requested bins B (before duplicate edges go) */
	BinningMethod method;
} BinSpec;

/* Edges of one baseline under one BinSpec, ready for per-row lookups. */
typedef struct BinLocator
{
	BinSpec		spec;
	int32		n_edges;		/* k; the bins are k + 1 */
	float8	   *edges;			/* ascending, distinct */
	BaselineIndex *index;		/* guide table for many edges, else NULL */
	struct BinLocator *next;	/* other specs for the same baseline */
} BinLocator;

/* Pack and unpack a BinSpec into the int32 option field of a stream state. */
static inline int32
binspec_pack(BinSpec spec)
{
	return spec.bins | ((int32) spec.method << 24);
}

static inline BinSpec
binspec_unpack(int32 option)
{
	BinSpec		spec;

	spec.bins = option & 0xFFFFFF;
	spec.method = (BinningMethod) ((option >> 24) & 0x7F);
	return spec;
}

extern BinSpec binspec_from_args(FunctionCallInfo fcinfo, int bins_arg, int method_arg);
extern void binspec_check(BinSpec spec, const char *function_name);

extern int32 binning_edges(const float8 *values, const int64 *counts, int32 n_distinct,
						   int64 total, BinSpec spec, float8 *edges);
extern int32 binning_profile_edges(const DriftProfile *p, BinSpec spec, float8 **edges);
extern void binning_count_list(const float8 *edges, int32 n_edges, const float8 *values,
							   const int64 *counts, int32 n_distinct, int64 *bin_counts);
extern BinLocator *binning_locator(const DriftProfile *p, BinSpec spec);

/* Number of edges strictly below x: the bin of x (x is not NaN). */
static inline int32
binning_lookup(const BinLocator *loc, float8 x)
{
	int32		i = 0;

	if (loc->index != NULL)
		return baseline_index_lower_bound(loc->index, x);
	/* few edges: a branch-free count beats a binary search on random data */
	for (int32 e = 0; e < loc->n_edges; e++)
		i += (loc->edges[e] < x);
	return i;
}

#endif							/* PG_DRIFT_BINNING_H */
