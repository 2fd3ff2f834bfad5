/*
 * score_run.c
 *		Counts per distinct score in a sorted run plus an unsorted tail
 *		(score_run.h): merging, finding an entry to decrement, merging two
 *		runs (combine), and the entries' binary form.
 *
 * Entries whose counts both fall to zero (removals in a moving frame) are
 * dropped at the next merge, so a state tracks its frame, not its history.
 * -0 and +0 are one score: callers store +0.
 */
#include "postgres.h"
#include "core/compat.h"

#include <math.h>

#include "common/int.h"
#include "libpq/pqformat.h"
#include "port/pg_bitutils.h"

#include "core/state_codec.h"
#include "metrics/score_run.h"

/* qsort order of entries by score. */
static int
score_count_cmp(const void *a, const void *b)
{
	double		x = ((const ScoreCount *) a)->score;
	double		y = ((const ScoreCount *) b)->score;

	return (x > y) - (x < y);
}

/* The first index of e[0 .. n) (ascending) whose score is >= score. */
static int32
lower_bound(const ScoreCount *e, int32 n, double score)
{
	int32		lo = 0,
				hi = n;

	while (lo < hi)
	{
		int32		mid = lo + (hi - lo) / 2;

		if (e[mid].score < score)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Merge the unsorted tail into the sorted run and drop entries whose counts
 * are both zero.  Works in place: the entry count never grows.
 */
void
score_run_normalize(ScoreCount *e, int32 *n_sorted, int32 *n_pending)
{
	int32		total = *n_sorted + *n_pending;
	int32		out = 0;

	if (*n_pending == 1)
	{
		/* the common case in a moving frame: one insertion by binary search */
		ScoreCount	x = e[*n_sorted];
		int32		lo = lower_bound(e, *n_sorted, x.score);

		if (lo < *n_sorted && e[lo].score == x.score)
		{
			e[lo].pos += x.pos;
			e[lo].neg += x.neg;
		}
		else
		{
			memmove(&e[lo + 1], &e[lo], sizeof(ScoreCount) * (*n_sorted - lo));
			e[lo] = x;
			(*n_sorted)++;
		}
		total = *n_sorted;
	}
	else if (*n_pending > 1)
	{
		ScoreCount *merged = palloc(sizeof(ScoreCount) * (Size) total);
		ScoreCount *tail = &e[*n_sorted];

		qsort(tail, *n_pending, sizeof(ScoreCount), score_count_cmp);
		total = score_run_merge(e, *n_sorted, tail, *n_pending, merged);
		memcpy(e, merged, sizeof(ScoreCount) * (Size) total);
		pfree(merged);
	}
	*n_pending = 0;
	/* drop emptied entries (left by removals) */
	for (int32 i = 0; i < total; i++)
		if (e[i].pos != 0 || e[i].neg != 0)
			e[out++] = e[i];
	*n_sorted = out;
}

/*
 * The entry of score holding at least one row of the given class (positive
 * or negative), in the run or the tail; NULL when there is none.
 */
ScoreCount *
score_run_find(ScoreCount *e, int32 n_sorted, int32 n_pending, double score, bool positive)
{
	int32		lo = lower_bound(e, n_sorted, score);

	if (lo < n_sorted && e[lo].score == score && (positive ? e[lo].pos : e[lo].neg) > 0)
		return &e[lo];
	for (int32 i = n_sorted; i < n_sorted + n_pending; i++)
		if (e[i].score == score && (positive ? e[i].pos : e[i].neg) > 0)
			return &e[i];
	return NULL;
}

/*
 * Merge two ascending runs into out (room for na + nb), adding the counts of
 * equal scores; returns the number of entries written.
 */
int32
score_run_merge(const ScoreCount *a, int32 na, const ScoreCount *b, int32 nb, ScoreCount *out)
{
	int32		i = 0,
				j = 0,
				m = 0;

	while (i < na || j < nb)
	{
		ScoreCount	x;

		if (j >= nb || (i < na && a[i].score <= b[j].score))
			x = a[i++];
		else
			x = b[j++];
		if (m > 0 && out[m - 1].score == x.score)
		{
			out[m - 1].pos += x.pos;
			out[m - 1].neg += x.neg;
		}
		else
			out[m++] = x;
	}
	return m;
}

/*
 * The binary form of a run is compact, since a state of N distinct scores
 * is what Citus ships per shard (1M random doubles: 24 MB as 0.1.0's fixed
 * 24 bytes an entry, about 7 MB now).  Scores are mapped to unsigned
 * integers whose order is theirs (flip every bit of a negative double, only
 * the sign bit of a positive one: the usual total order of IEEE 754 bit
 * patterns), so an ascending run becomes ascending keys, written as the
 * first key and the gaps between neighbours, each shifted right by the
 * trailing zero bits all of them share (scores that were float4, or have
 * few decimals in binary, share many).  Each entry's counts follow as one
 * varint when one side is zero, the usual case for scores of real models:
 * the count shifted left two bits, the low bits saying which side (0
 * positives, 1 negatives); 2 says two varints follow, positives then
 * negatives.  All numbers are varints (state_send_varint).
 */
#define SIGN_BIT UINT64CONST(0x8000000000000000)
#define COUNTS_POS 0
#define COUNTS_NEG 1
#define COUNTS_BOTH 2
#define COUNT_TAG_BITS 2
#define COUNT_TAG_MASK 3

/* The order-preserving key of a score (not NaN). */
static uint64
score_key(double x)
{
	uint64		u;

	memcpy(&u, &x, sizeof(u));
	return (u & SIGN_BIT) ? ~u : (u | SIGN_BIT);
}

/* The score of a key (score_key's inverse). */
static double
key_score(uint64 k)
{
	uint64		u = (k & SIGN_BIT) ? (k & ~SIGN_BIT) : ~k;
	double		x;

	memcpy(&x, &u, sizeof(x));
	return x;
}

/* The key of entry i, or its gap from entry i - 1's. */
static uint64
key_step(const ScoreCount *e, int32 i)
{
	return i == 0 ? score_key(e[0].score) : score_key(e[i].score) - score_key(e[i - 1].score);
}

/*
 * Binary form of a normalized run: n, then (when n > 0) the shift as a
 * byte, then per entry the shifted key step and the counts, as described
 * above.
 */
void
score_run_send(StringInfo buf, const ScoreCount *e, int32 n)
{
	int			shift = 63;

	state_send_varint(buf, (uint64) n);
	if (n == 0)
		return;
	/* a key or gap is never 0: scores are distinct and not NaN */
	for (int32 i = 0; i < n && shift > 0; i++)
		shift = Min(shift, pg_rightmost_one_pos64(key_step(e, i)));
	pq_sendint8(buf, shift);
	for (int32 i = 0; i < n; i++)
	{
		uint64		pos = (uint64) e[i].pos;
		uint64		neg = (uint64) e[i].neg;

		state_send_varint(buf, key_step(e, i) >> shift);
		if (neg == 0 && pos < (PG_UINT64_MAX >> COUNT_TAG_BITS))
			state_send_varint(buf, (pos << COUNT_TAG_BITS) | COUNTS_POS);
		else if (pos == 0 && neg < (PG_UINT64_MAX >> COUNT_TAG_BITS))
			state_send_varint(buf, (neg << COUNT_TAG_BITS) | COUNTS_NEG);
		else
		{
			state_send_varint(buf, COUNTS_BOTH);
			state_send_varint(buf, pos);
			state_send_varint(buf, neg);
		}
	}
}

/*
 * The entry count of a run's binary form, checked against the bytes left
 * (an entry takes two bytes at least).
 */
int32
score_run_recv_length(const char *type_name, StringInfo buf, int32 max_entries)
{
	uint64		n = state_recv_varint(buf, type_name);

	if (n > (uint64) max_entries || !state_claim_fits(buf, (int64) n, 2))
		state_invalid(type_name, "The number of scores does not match the value's length.");
	return (int32) n;
}

/* One count of an entry, read as a varint: it must fit int64. */
static int64
recv_count(const char *type_name, uint64 v)
{
	if (v > (uint64) PG_INT64_MAX)
		state_invalid(type_name, "A count is out of range.");
	return (int64) v;
}

/*
 * Read and validate n entries into e: scores strictly ascending, not NaN, not
 * -0; counts non-negative, not both zero; totals added into *n_pos, *n_neg.
 */
void
score_run_recv(const char *type_name, StringInfo buf, ScoreCount *e, int32 n,
			   int64 *n_pos, int64 *n_neg)
{
	int			shift;
	uint64		key = 0;

	if (n == 0)
		return;
	shift = pq_getmsgint(buf, 1);
	if (shift > 63)
		state_invalid(type_name, "The scores' shift is out of range.");
	for (int32 i = 0; i < n; i++)
	{
		uint64		step = state_recv_varint(buf, type_name);
		uint64		counts;

		if (step == 0 || step > (PG_UINT64_MAX >> shift) || (step << shift) > PG_UINT64_MAX - key)
			state_invalid(type_name, "The scores are not strictly ascending.");
		key += step << shift;
		e[i].score = key_score(key);
		counts = state_recv_varint(buf, type_name);
		e[i].pos = e[i].neg = 0;
		if ((counts & COUNT_TAG_MASK) == COUNTS_POS)
			e[i].pos = recv_count(type_name, counts >> COUNT_TAG_BITS);
		else if ((counts & COUNT_TAG_MASK) == COUNTS_NEG)
			e[i].neg = recv_count(type_name, counts >> COUNT_TAG_BITS);
		else if (counts == COUNTS_BOTH)
		{
			e[i].pos = recv_count(type_name, state_recv_varint(buf, type_name));
			e[i].neg = recv_count(type_name, state_recv_varint(buf, type_name));
		}
		else
			state_invalid(type_name, "A score's counts have an unknown layout.");
		if (isnan(e[i].score))
			state_invalid(type_name, "A score is NaN.");
		if (e[i].pos == 0 && e[i].neg == 0)
			state_invalid(type_name, "A score has no count.");
		if (pg_add_s64_overflow(*n_pos, e[i].pos, n_pos) ||
			pg_add_s64_overflow(*n_neg, e[i].neg, n_neg))
			state_invalid(type_name, "The counts overflow.");
		if (e[i].score == 0.0 && signbit(e[i].score))
			state_invalid(type_name, "A score is negative zero.");
	}
}
