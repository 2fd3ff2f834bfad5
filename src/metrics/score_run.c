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

/* Binary form of a normalized run: n int32, then per entry score float8, pos and neg int64. */
void
score_run_send(StringInfo buf, const ScoreCount *e, int32 n)
{
	pq_sendint32(buf, n);
	for (int32 i = 0; i < n; i++)
	{
		pq_sendfloat8(buf, e[i].score);
		pq_sendint64(buf, e[i].pos);
		pq_sendint64(buf, e[i].neg);
	}
}

/* The entry count of a run's binary form, checked against the bytes left. */
int32
score_run_recv_length(const char *type_name, StringInfo buf, int32 max_entries)
{
	int32		n;

	if (buf->len - buf->cursor < 4)
		state_invalid(type_name, "The value is shorter than its header.");
	n = pq_getmsgint(buf, 4);
	if (n < 0 || n > max_entries || (Size) n * 24 > (Size) (buf->len - buf->cursor))
		state_invalid(type_name, "The number of scores does not match the value's length.");
	return n;
}

/*
 * Read and validate n entries into e: scores strictly ascending, not NaN, not
 * -0; counts non-negative, not both zero; totals added into *n_pos, *n_neg.
 */
void
score_run_recv(const char *type_name, StringInfo buf, ScoreCount *e, int32 n,
			   int64 *n_pos, int64 *n_neg)
{
	for (int32 i = 0; i < n; i++)
	{
		e[i].score = pq_getmsgfloat8(buf);
		e[i].pos = pq_getmsgint64(buf);
		e[i].neg = pq_getmsgint64(buf);
		if (isnan(e[i].score))
			state_invalid(type_name, "A score is NaN.");
		if (i > 0 && !(e[i].score > e[i - 1].score))
			state_invalid(type_name, "The scores are not strictly ascending.");
		if (e[i].pos < 0 || e[i].neg < 0 || (e[i].pos == 0 && e[i].neg == 0))
			state_invalid(type_name, "A score has a negative or no count.");
		if (pg_add_s64_overflow(*n_pos, e[i].pos, n_pos) ||
			pg_add_s64_overflow(*n_neg, e[i].neg, n_neg))
			state_invalid(type_name, "The counts overflow.");
	}
	for (int32 i = 0; i < n; i++)
		if (e[i].score == 0.0 && signbit(e[i].score))
			state_invalid(type_name, "A score is negative zero.");
}
