/*
 * category_state.h
 *		drift_category_state: the transition state of the streaming
 *		categorical drift tests (chi2_drift, psi_drift, js_drift, linf_drift,
 *		tvd_drift on text).
 *
 * Categories the baseline never saw are part of the union of categories
 * these statistics are computed over, and PSI needs each one's exact count
 * (its contribution is not linear in the count), so a single "unseen" slot
 * is not enough.  The state is therefore two parts in one varlena:
 *
 *	- a drift_stream_state (STREAM_TEST_CATEGORICAL, CATEGORICAL_PER_CATEGORY)
 *	  counting the rows per baseline category, with one last slot counting
 *	  all unseen rows: fixed size once the baseline is known, sparse while a
 *	  group has seen few rows, and it names its baseline and fingerprint;
 *	- the unseen categories with their exact counts: a sorted categorical
 *	  drift_profile plus a small buffer of recently met unseen values that is
 *	  sorted and merged into it once it holds as many values as the profile
 *	  has entries (at least 64), so each row costs O(log u) and the part
 *	  holds at most about twice the u distinct unseen categories the group
 *	  met.  u is bounded by pg_drift.exact_profile_limit, like a profile.
 *
 * It is a real type, not internal, so that Citus pushes the aggregates down:
 * its text form is the binary form in base64 (state_codec.h), which is the
 * inner state's binary form followed by the unseen profile's.  The state grows only with
 * the unseen categories its group met, never with the rows.
 */
#ifndef PG_DRIFT_CATEGORY_STATE_H
#define PG_DRIFT_CATEGORY_STATE_H

#include "postgres.h"
#include "fmgr.h"

#include "profile/profile.h"
#include "drift/stream_state.h"

#define CATEGORY_STATE_VERSION 1

typedef struct CategoryState
{
	int32		vl_len_;		/* varlena header */
	int32		inner_space;	/* bytes reserved for the inner stream state */
	int32		unseen_space;	/* bytes reserved for the unseen profile */
	int32		pending_n;		/* unseen values buffered, not yet merged */
	int32		pending_used;	/* bytes of the buffer in use */
	int32		pending_cap;	/* bytes of the buffer */
	/* inner StreamState, unseen DriftProfile, buffer of (int32 len, bytes) */
} CategoryState;

#define CATEGORY_STATE_HEADER_SIZE MAXALIGN(sizeof(CategoryState))

#define PG_GETARG_CATEGORY_STATE_P(n) ((CategoryState *) datum_detoasted(PG_GETARG_DATUM(n)))

static inline StreamState *
category_state_inner(const CategoryState *cs)
{
	return (StreamState *) ((char *) cs + CATEGORY_STATE_HEADER_SIZE);
}

static inline DriftProfile *
category_state_unseen(const CategoryState *cs)
{
	return (DriftProfile *) ((char *) cs + CATEGORY_STATE_HEADER_SIZE + cs->inner_space);
}

extern CategoryState *category_state_create(const StreamBaseline *sb, float8 param);
extern CategoryState *category_state_add(CategoryState *cs, int32 index, const char *s, int32 len);
extern CategoryState *category_state_flush(const CategoryState *cs);
extern CategoryState *category_state_combine(CategoryState *a, CategoryState *b);

#endif							/* PG_DRIFT_CATEGORY_STATE_H */
