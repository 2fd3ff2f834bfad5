/*
 * category_state.c
 *		drift_category_state: creation, counting, merging of unseen
 *		categories, combining, and text/binary I/O.  See category_state.h.
 */
#include "postgres.h"
#include "core/compat.h"

#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "drift/category_state.h"
#include "core/state_codec.h"
#include "core/pg_drift.h"

PG_FUNCTION_INFO_V1(drift_category_state_combine);

/* The inner state's binary I/O (stream_state.c). */
extern Datum drift_stream_state_recv(PG_FUNCTION_ARGS);
extern Datum drift_stream_state_send(PG_FUNCTION_ARGS);

#define PENDING_MIN_VALUES 64
#define PENDING_MIN_BYTES 1024

/* Where the buffer of unseen values begins. */
static inline char *
pending_area(const CategoryState *cs)
{
	return (char *) category_state_unseen(cs) + cs->unseen_space;
}

/* Bytes one buffered value of len bytes takes. */
static inline int32
pending_record_size(int32 len)
{
	return (int32) INTALIGN(sizeof(int32) + len);
}

/*
 * A new state (in the current memory context) from its parts: the inner
 * state, the unseen profile and the first pending_used bytes of a buffer
 * holding pending_n values, with room for pending_cap bytes.
 */
static CategoryState *
build_state(const StreamState *inner, const DriftProfile *unseen, const char *pending,
			int32 pending_n, int32 pending_used, int32 pending_cap)
{
	Size		inner_space = MAXALIGN(VARSIZE(inner));
	Size		unseen_space = MAXALIGN(VARSIZE(unseen));
	Size		size = CATEGORY_STATE_HEADER_SIZE + inner_space + unseen_space + pending_cap;
	CategoryState *cs;

	if (!AllocSizeIsValid(size))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("categorical drift state would exceed 1 GB"),
				 errhint("Too many distinct categories unseen in the baseline; "
						 "check that the column matches the baseline.")));
	cs = palloc0(size);
	SET_VARSIZE(cs, size);
	cs->inner_space = (int32) inner_space;
	cs->unseen_space = (int32) unseen_space;
	cs->pending_n = pending_n;
	cs->pending_used = pending_used;
	cs->pending_cap = pending_cap;
	memcpy(category_state_inner(cs), inner, VARSIZE(inner));
	memcpy(category_state_unseen(cs), unseen, VARSIZE(unseen));
	if (pending_used > 0)
		memcpy(pending_area(cs), pending, pending_used);
	return cs;
}

/* An empty categorical profile (the unseen part of a new state). */
static DriftProfile *
empty_unseen(void)
{
	return profile_make_categorical(0, NULL, NULL, NULL, 0);
}

/* A new, empty state counting against the resolved baseline sb. */
CategoryState *
category_state_create(const StreamBaseline *sb, float8 param)
{
	StreamState *inner = stream_state_create(STREAM_TEST_CATEGORICAL, sb,
											 CATEGORICAL_PER_CATEGORY, param);

	return build_state(inner, empty_unseen(), NULL, 0, 0, 0);
}

/* One buffered or listed unseen category. */
typedef struct UnseenItem
{
	const char *bytes;
	int32		len;
	int64		count;
} UnseenItem;

static int
unseen_item_cmp(const void *a, const void *b)
{
	const UnseenItem *x = (const UnseenItem *) a;
	const UnseenItem *y = (const UnseenItem *) b;

	return category_cmp(x->bytes, x->len, y->bytes, y->len);
}

/*
 * The unseen profile and the buffer of cs merged into one sorted categorical
 * profile.  Fails past pg_drift.exact_profile_limit distinct categories.
 */
static DriftProfile *
merged_unseen(const CategoryState *cs)
{
	const DriftProfile *u = category_state_unseen(cs);
	int32		n_u = u->n_entries;
	int32		total = n_u + cs->pending_n;
	UnseenItem *items = palloc_extended(sizeof(UnseenItem) * Max(total, 1), MCXT_ALLOC_HUGE);
	const char **ptrs;
	int32	   *lens;
	int64	   *counts;
	const char *rec = pending_area(cs);
	int32		k = 0;
	DriftProfile *result;

	for (int32 i = 0; i < cs->pending_n; i++)
	{
		int32		len;

		memcpy(&len, rec, sizeof(int32));
		items[i].bytes = rec + sizeof(int32);
		items[i].len = len;
		items[i].count = 1;
		rec += pending_record_size(len);
	}
	qsort(items, cs->pending_n, sizeof(UnseenItem), unseen_item_cmp);
	/* merge the sorted buffer (collapsing repeats) with the sorted profile */
	ptrs = palloc_extended(sizeof(char *) * Max(total, 1), MCXT_ALLOC_HUGE);
	lens = palloc_extended(sizeof(int32) * Max(total, 1), MCXT_ALLOC_HUGE);
	counts = palloc_extended(sizeof(int64) * Max(total, 1), MCXT_ALLOC_HUGE);
	{
		int32		i = 0,
					j = 0;
		const int64 *uc = profile_counts(u);

		while (i < n_u || j < cs->pending_n)
		{
			const char *s;
			int32		len;
			int64		c;
			int			cmp;

			if (i < n_u)
				s = profile_category(u, i, &len);
			cmp = (i >= n_u) ? 1 : (j >= cs->pending_n) ? -1 :
				category_cmp(s, len, items[j].bytes, items[j].len);
			if (cmp <= 0)
				c = uc[i++];
			else
			{
				s = items[j].bytes;
				len = items[j].len;
				c = 0;
			}
			/* every buffered copy of this category */
			while (j < cs->pending_n && category_cmp(s, len, items[j].bytes, items[j].len) == 0)
				c += items[j++].count;
			if (k > 0 && category_cmp(ptrs[k - 1], lens[k - 1], s, len) == 0)
				counts[k - 1] += c;
			else
			{
				ptrs[k] = s;
				lens[k] = len;
				counts[k++] = c;
			}
		}
	}
	if (k > drift_exact_profile_limit)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("more than %d distinct categories are missing from the baseline",
						drift_exact_profile_limit),
				 errdetail("Categorical drift tests count every category the baseline never saw."),
				 errhint("Check that the column matches the baseline, or raise pg_drift.exact_profile_limit.")));
	result = profile_make_categorical(k, ptrs, lens, counts, 0);
	pfree(items);
	pfree(ptrs);
	pfree(lens);
	pfree(counts);
	return result;
}

/* cs with its buffer merged into the unseen profile (cs itself when the buffer is empty). */
CategoryState *
category_state_flush(const CategoryState *cs)
{
	if (cs->pending_n == 0)
		return (CategoryState *) cs;
	return build_state(category_state_inner(cs), merged_unseen(cs), NULL, 0, 0,
					   cs->pending_cap);
}

/* Note one more row of the unseen category s: in the profile, else in the buffer. */
static CategoryState *
add_unseen(CategoryState *cs, const char *s, int32 len)
{
	DriftProfile *u = category_state_unseen(cs);
	int32		i = profile_find_category(u, s, len);
	int32		need;
	char	   *rec;

	if (i >= 0)
	{
		profile_counts(u)[i]++;
		u->count++;
		return cs;
	}
	need = pending_record_size(len);
	if (cs->pending_used + need > cs->pending_cap)
	{
		Size		cap = Max((Size) cs->pending_cap * 2, (Size) PENDING_MIN_BYTES);

		cap = Max(cap, (Size) cs->pending_used + need);
		if (cap > MaxAllocSize)
			cap = MaxAllocSize;
		cs = build_state(category_state_inner(cs), u, pending_area(cs), cs->pending_n,
						 cs->pending_used, (int32) cap);
	}
	rec = pending_area(cs) + cs->pending_used;
	memcpy(rec, &len, sizeof(int32));
	memcpy(rec + sizeof(int32), s, len);
	cs->pending_used += need;
	cs->pending_n++;
	if (cs->pending_n >= Max(PENDING_MIN_VALUES, category_state_unseen(cs)->n_entries))
		cs = category_state_flush(cs);
	return cs;
}

/*
 * Count one row: index is the row's category among the baseline's, or -1 for
 * a category the baseline never saw (then s, len are its bytes).  Returns cs
 * or a new state (allocated in the current context) replacing it.
 */
CategoryState *
category_state_add(CategoryState *cs, int32 index, const char *s, int32 len)
{
	StreamState *inner = category_state_inner(cs);
	int32		slot = index >= 0 ? index : inner->n_slots - 1;
	StreamState *grown = stream_state_add(inner, slot);

	if (grown != inner)
	{
		cs = build_state(grown, category_state_unseen(cs), pending_area(cs), cs->pending_n,
						 cs->pending_used, cs->pending_cap);
		pfree(grown);
	}
	if (index < 0)
		cs = add_unseen(cs, s, len);
	return cs;
}

/* Two sorted categorical profiles' categories and counts added together. */
static DriftProfile *
merge_profiles(const DriftProfile *a, const DriftProfile *b)
{
	int32		total = a->n_entries + b->n_entries;
	const char **ptrs = palloc_extended(sizeof(char *) * Max(total, 1), MCXT_ALLOC_HUGE);
	int32	   *lens = palloc_extended(sizeof(int32) * Max(total, 1), MCXT_ALLOC_HUGE);
	int64	   *counts = palloc_extended(sizeof(int64) * Max(total, 1), MCXT_ALLOC_HUGE);
	const int64 *ac = profile_counts(a);
	const int64 *bc = profile_counts(b);
	int32		i = 0,
				j = 0,
				k = 0;

	while (i < a->n_entries || j < b->n_entries)
	{
		int32		la = 0,
					lb = 0;
		const char *sa = i < a->n_entries ? profile_category(a, i, &la) : NULL;
		const char *sb = j < b->n_entries ? profile_category(b, j, &lb) : NULL;
		int			cmp = sa == NULL ? 1 : sb == NULL ? -1 : category_cmp(sa, la, sb, lb);

		if (cmp <= 0)
		{
			ptrs[k] = sa;
			lens[k] = la;
			counts[k] = ac[i++];
			if (cmp == 0)
				counts[k] += bc[j++];
		}
		else
		{
			ptrs[k] = sb;
			lens[k] = lb;
			counts[k] = bc[j++];
		}
		k++;
	}
	if (k > drift_exact_profile_limit)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("more than %d distinct categories are missing from the baseline",
						drift_exact_profile_limit),
				 errhint("Check that the column matches the baseline, or raise pg_drift.exact_profile_limit.")));
	return profile_make_categorical(k, ptrs, lens, counts, 0);
}

/* Add b's counts into a; returns a or a new state replacing it. */
CategoryState *
category_state_combine(CategoryState *a, CategoryState *b)
{
	CategoryState *fa = category_state_flush(a);
	CategoryState *fb = category_state_flush(b);
	StreamState *inner = category_state_inner(fa);
	StreamState *combined = stream_state_combine(inner, category_state_inner(fb));
	DriftProfile *unseen = category_state_unseen(fb)->n_entries == 0
		? category_state_unseen(fa)
		: merge_profiles(category_state_unseen(fa), category_state_unseen(fb));

	if (combined == inner && unseen == category_state_unseen(fa))
		return fa;
	return build_state(combined, unseen, NULL, 0, 0, fa->pending_cap);
}

/* Combine function of the categorical drift tests; also callable directly. */
Datum
drift_category_state_combine(PG_FUNCTION_ARGS)
{
	CategoryState *a = (CategoryState *) state_combine_left_varlena(fcinfo);

	PG_RETURN_POINTER(category_state_combine(a, PG_GETARG_CATEGORY_STATE_P(1)));
}

/*
 * Binary form: version int8; the inner drift_stream_state's binary form and
 * the unseen categories' drift_profile binary form, each as int32 length +
 * bytes.  The buffer is merged first, so it never travels.
 */
static bytea *
category_state_send_bytes(const void *state)
{
	const CategoryState *cs = state;
	CategoryState *f = category_state_flush(cs);
	StringInfoData buf;
	bytea	   *inner = DatumGetByteaPP(DirectFunctionCall1(drift_stream_state_send,
															PointerGetDatum(category_state_inner(f))));
	bytea	   *unseen = profile_send_bytes(category_state_unseen(f));

	pq_begintypsend(&buf);
	pq_sendint8(&buf, CATEGORY_STATE_VERSION);
	pq_sendint32(&buf, VARSIZE_ANY_EXHDR(inner));
	pq_sendbytes(&buf, VARDATA_ANY(inner), VARSIZE_ANY_EXHDR(inner));
	pq_sendint32(&buf, VARSIZE_ANY_EXHDR(unseen));
	pq_sendbytes(&buf, VARDATA_ANY(unseen), VARSIZE_ANY_EXHDR(unseen));
	return pq_endtypsend(&buf);
}

/* Report a malformed state (state_invalid, with this type's name). */
#define invalid_category_state(detail) state_invalid("drift_category_state", (detail))

/* A length-prefixed part of the binary form, as a StringInfo of its own. */
static void
recv_part(StringInfo buf, StringInfo part)
{
	int32		len = pq_getmsgint(buf, 4);

	if (!state_claim_fits(buf, len, 1))
		invalid_category_state("A part has an impossible length.");
	part->data = (char *) pq_getmsgbytes(buf, len);
	part->len = len;
	part->maxlen = len;
	part->cursor = 0;
}

/* Rebuild a state from its binary form, checking that the parts agree. */
static void *
category_state_recv_buffer(StringInfo buf)
{
	StringInfoData part;
	StreamState *inner;
	DriftProfile *unseen;

	if (pq_getmsgint(buf, 1) != CATEGORY_STATE_VERSION)
		invalid_category_state("Unsupported format version.");
	recv_part(buf, &part);
	/* drift_stream_state_recv validates the inner state and rejects trailing bytes */
	inner = (StreamState *) DatumGetPointer(DirectFunctionCall1(drift_stream_state_recv,
																PointerGetDatum(&part)));
	if (inner->test != STREAM_TEST_CATEGORICAL || inner->option != CATEGORICAL_PER_CATEGORY)
		invalid_category_state("The inner state is not a per-category count.");
	/* the parameter is PSI's zero fill, which the transition functions keep in (0, 1] */
	if (!(inner->param > 0.0 && inner->param <= 1.0))
		invalid_category_state("The zero fill is out of range.");
	recv_part(buf, &part);
	unseen = profile_recv_buffer(&part);
	if (part.cursor != part.len)
		invalid_category_state("The unseen categories have trailing bytes.");
	if (unseen->kind != PROFILE_KIND_CATEGORICAL || unseen->null_count != 0)
		invalid_category_state("The unseen categories are not a categorical profile.");
	/* the slot count is only claimed until a baseline confirms it: build no array of that size */
	if (stream_state_slot_count(inner, inner->n_slots - 1) != unseen->count)
		invalid_category_state("The unseen categories do not add up to the unseen count.");
	return build_state(inner, unseen, NULL, 0, 0, 0);
}

/* The type's I/O functions, from the binary form above (state_codec.h). */
STATE_CODEC(drift_category_state, "drift_category_state", true, category_state_send_bytes, category_state_recv_buffer)
