/*
 * stream_state.h
 *		drift_stream_state: the transition state of every streaming drift test.
 *
 * A streaming test compares the rows it sees with a baseline without keeping
 * the rows: each value is reduced to the slot it falls in (a baseline value or
 * the gap between two, a bin, ...) and only the counts per slot are kept.
 * Counts add up across parallel workers and Citus shards, so the state is a
 * real type (not internal) with text and binary I/O, and it names its baseline
 * either by (baseline, column) or by embedding the profile, so that a final
 * function anywhere can read it.
 *
 * The counts start sparse (a list of slot numbers, one per row) and turn into
 * a dense array once the list would outgrow it: a state's size follows what
 * its group saw, up to the baseline's size, and never grows with the rows.
 */
#ifndef PG_DRIFT_STREAM_STATE_H
#define PG_DRIFT_STREAM_STATE_H

#include "postgres.h"
#include "core/compat.h"
#include "fmgr.h"

#include "core/pg_drift.h"
#include "profile/profile.h"

#define STREAM_STATE_VERSION 1

/* Which statistic a state's counts are for. */
typedef enum StreamTest
{
	STREAM_TEST_KS = 1,			/* slots: baseline distinct values and the gaps */
	STREAM_TEST_BINNED = 2,		/* slots: bins derived from the baseline */
	STREAM_TEST_CATEGORICAL = 3 /* slots: baseline categories, then "unseen"
								 * (option CATEGORICAL_PER_CATEGORY), or just
								 * seen / unseen (CATEGORICAL_SEEN_UNSEEN) */
} StreamTest;

/* Options of STREAM_TEST_CATEGORICAL states (categorical_tests.c). */
#define CATEGORICAL_PER_CATEGORY 0
#define CATEGORICAL_SEEN_UNSEEN 1

/*
 * How a state holds its counts.  STREAM_DENSE32 is a working layout only:
 * while a buffered test (ks_drift) places batches, 32-bit counts halve the
 * array the placement writes at random (a 100k-value baseline's 200k slots
 * are 0.8 MB instead of 1.6 MB, which with the baseline's values fits a
 * core's 2 MB L2 cache: measured with cachegrind, a third of the
 * last-level misses per value).  It is used while the state has counted at
 * most INT32_MAX values, so no slot can overflow, and it is written out and
 * combined as STREAM_DENSE64: no serialized state has it.
 */
typedef enum StreamLayout
{
	STREAM_SPARSE = 0,			/* int32 slot numbers, one per value */
	STREAM_DENSE64 = 1,			/* int64 count per slot */
	STREAM_DENSE32 = 2			/* int32 count per slot (in memory only) */
} StreamLayout;

/* How a state names its baseline. */
typedef enum BaselineSource
{
	BASELINE_NAMED = 1,			/* "name\0column\0" */
	BASELINE_EMBEDDED = 2		/* a drift_profile varlena */
} BaselineSource;

typedef struct StreamState
{
	int32		vl_len_;		/* varlena header */
	uint8		version;		/* STREAM_STATE_VERSION */
	uint8		test;			/* StreamTest */
	uint8		source;			/* BaselineSource */
	uint8		dense;			/* StreamLayout of the counts */
	int32		n_slots;		/* slots the baseline defines */
	uint64		fingerprint;	/* profile_fingerprint() of the baseline */
	int64		n_current;		/* values counted in slots */
	int64		null_count;		/* NULLs skipped */
	int64		nan_count;		/* NaNs excluded */
	int32		option;			/* test option (KS alternative, bins, ...) */
	int32		source_len;		/* bytes of the baseline source */
	int32		n_sparse;		/* slot numbers in the sparse list */
	int32		cap_sparse;		/* room in the sparse list */
	int32		n_values;		/* raw values not yet placed in slots */
	int32		cap_values;		/* room for raw values */
	float8		param;			/* test parameter (e.g. zero fill) */
	/*
	 * source bytes, then (MAXALIGNed) int64 or int32 counts[n_slots] (dense)
	 * or int32 slots[cap_sparse] (sparse), then float8 values[cap_values]
	 */
} StreamState;

#define STREAM_STATE_HEADER_SIZE MAXALIGN(sizeof(StreamState))

#define PG_GETARG_STREAM_STATE_P(n) ((StreamState *) datum_detoasted(PG_GETARG_DATUM(n)))

/* Where the state's source bytes begin. */
static inline char *
stream_state_source(const StreamState *s)
{
	return (char *) s + STREAM_STATE_HEADER_SIZE;
}

/* Where the counts (dense) or slot list (sparse) begin. */
static inline char *
stream_state_body(const StreamState *s)
{
	return (char *) s + STREAM_STATE_HEADER_SIZE + MAXALIGN(s->source_len);
}

/* Bytes of the counts or slot list. */
static inline Size
stream_state_slots_size(const StreamState *s)
{
	if (s->dense == STREAM_DENSE64)
		return sizeof(int64) * (Size) s->n_slots;
	if (s->dense == STREAM_DENSE32)
		return MAXALIGN(sizeof(int32) * (Size) s->n_slots);
	return MAXALIGN(sizeof(int32) * (Size) s->cap_sparse);
}

/* Where the buffered raw values begin. */
static inline float8 *
stream_state_values(const StreamState *s)
{
	return (float8 *) (stream_state_body(s) + stream_state_slots_size(s));
}

/*
 * Places a batch of values (no NaN, any order) in slots: counts[slot]++ for
 * each, into wide (int64) counts or, when wide is NULL, narrow (int32) ones.  Tests whose slots are costly to find one value at a time (ks_drift:
 * a search among 100k baseline values and a 200k-slot count array, two cache
 * misses per row) buffer raw values in the state and place them a batch at a
 * time, so that the misses of many values can overlap (ks.c prefetches).
 */
typedef void (*StreamPlaceBatch) (const void *locator, const float8 *values, int32 n,
								  int64 *wide, int32 *narrow);

#include "baseline/baseline_cache.h"

extern StreamState *stream_state_create(StreamTest test, const StreamBaseline *sb,
										int32 option, float8 param);
extern StreamState *stream_state_add_grow(StreamState *s, int32 slot);
extern StreamState *stream_state_create_buffered(StreamTest test, const StreamBaseline *sb,
												 int32 option, float8 param);
extern StreamState *stream_state_add_value_grow(StreamState *s, float8 x, StreamPlaceBatch place,
												const void *locator);
extern int64 *stream_state_counts_placed(const StreamState *s, StreamPlaceBatch place,
										 const void *locator);
extern StreamState *stream_state_combine(StreamState *a, StreamState *b);
extern int64 *stream_state_counts(const StreamState *s);
extern int64 stream_state_slot_count(const StreamState *s, int32 slot);
extern DriftProfile *stream_state_baseline(FunctionCallInfo fcinfo, const StreamState *s);
extern StreamBaseline *stream_state_named_baseline(FunctionCallInfo fcinfo,
												   const StreamState *s);
pg_noreturn extern void stream_state_require_failed(const StreamState *s, StreamTest test, int32 option,
													float8 param, uint64 fingerprint, int32 n_slots,
													const char *what);
extern void stream_state_require_test(const StreamState *s, StreamTest test, int32 option,
									  const char *fname);
extern void stream_state_require_slots(const StreamState *s, int32 n_slots, const char *fname);
/* ks.c: a ks_drift state's counts per slot, its buffered values placed (for output) */
extern int64 *ks_drift_slot_counts(FunctionCallInfo fcinfo, const StreamState *s);

/* Is s a state this call could have made (stream_state_require says why it matters)? */
static inline bool
stream_state_matches(const StreamState *s, StreamTest test, int32 option, float8 param,
					 uint64 fingerprint, int32 n_slots)
{
	return s->test == test && s->n_slots == n_slots && s->fingerprint == fingerprint &&
		s->option == option && s->param == param;
}

/*
 * Fail unless a state handed to a transition function is one this call could
 * have made: the same test, options and baseline, and the n_slots slots the
 * baseline defines.  A state may come from anywhere (the INITCOND of a user's
 * own aggregate is text input like any other), and its slot count is what
 * bounds every write into it; the input function has checked the state's
 * own consistency, this checks it against the call.  Called per row: a few
 * comparisons, the reporting is out of line.
 */
static inline void
stream_state_require(const StreamState *s, StreamTest test, int32 option, float8 param,
					 uint64 fingerprint, int32 n_slots, const char *what)
{
	if (unlikely(!stream_state_matches(s, test, option, param, fingerprint, n_slots)))
		stream_state_require_failed(s, test, option, param, fingerprint, n_slots, what);
}

/*
 * Count one value into slot; returns the state, which may have moved (a
 * sparse state grows, or turns dense, in stream_state_add_grow).  The
 * common cases are inline: they run once per row.
 */
static inline StreamState *
stream_state_add(StreamState *s, int32 slot)
{
	if (s->dense == STREAM_DENSE64)
		((int64 *) stream_state_body(s))[slot]++;
	else if (s->dense == STREAM_SPARSE && s->n_sparse < s->cap_sparse)
		((int32 *) stream_state_body(s))[s->n_sparse++] = slot;
	else
		return stream_state_add_grow(s, slot);
	s->n_current = count_add(s->n_current, 1);
	return s;
}

/*
 * Buffer one raw value (stream_state_add_value_grow in stream_state.c says
 * how the buffer grows and is placed); the common case, room in the buffer,
 * is inline: it runs once per row.
 */
static inline StreamState *
stream_state_add_value(StreamState *s, float8 x, StreamPlaceBatch place, const void *locator)
{
	if (unlikely(s->n_values >= s->cap_values))
		return stream_state_add_value_grow(s, x, place, locator);
	stream_state_values(s)[s->n_values++] = x;
	s->n_current = count_add(s->n_current, 1);
	return s;
}

/* Count a NULL or NaN without touching the slots. */
static inline void
stream_state_skip(StreamState *s, bool is_null)
{
	if (is_null)
		s->null_count = count_add(s->null_count, 1);
	else
		s->nan_count = count_add(s->nan_count, 1);
}

#endif							/* PG_DRIFT_STREAM_STATE_H */
