/*
 * stream_state.c
 *		drift_stream_state: creation, counting, combining, baseline
 *		resolution, and text/binary I/O.  See stream_state.h.
 */
#include "postgres.h"
#include "core/compat.h"

#include <math.h>

#include "catalog/pg_collation.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "common/int.h"
#include "utils/memutils.h"

#include "baseline/baseline_cache.h"
#include "baseline/baseline_nodes.h"
#include "core/pg_drift.h"
#include "core/state_codec.h"
#include "stats/ks_dist.h"
#include "drift/stream_state.h"

#define SPARSE_INITIAL 64
#define VALUES_INITIAL 64
#define VALUES_BATCH 32768

/*
 * A new state (palloc'd in the current context) with the given layout,
 * copying the header from proto, and the source too when proto is a whole
 * state rather than a bare header being assembled.  Counts, slots and values
 * are left for the caller to fill.
 */
static StreamState *
state_alloc(const StreamState *proto, StreamLayout dense, int32 cap_sparse, int32 cap_values,
			bool copy_source)
{
	StreamState hdr;
	Size		size;
	StreamState *s;

	memcpy(&hdr, proto, sizeof(StreamState));
	hdr.dense = dense;
	hdr.cap_sparse = dense != STREAM_SPARSE ? 0 : cap_sparse;
	hdr.cap_values = cap_values;
	hdr.n_sparse = Min(hdr.n_sparse, hdr.cap_sparse);
	hdr.n_values = Min(hdr.n_values, cap_values);
	size = STREAM_STATE_HEADER_SIZE + MAXALIGN(hdr.source_len) +
		stream_state_slots_size(&hdr) + sizeof(float8) * (Size) cap_values;
	/* reachable only by combining states that carry very many raw values */
	if (!AllocSizeIsValid(size))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("drift state would exceed 1 GB"),
				 errhint("The partial states carry too many values not yet placed in slots; combine fewer of them at once.")));
	s = palloc0(size);
	memcpy(s, &hdr, sizeof(StreamState));
	if (copy_source)
		memcpy(stream_state_source(s), stream_state_source(proto), proto->source_len);
	SET_VARSIZE(s, size);
	return s;
}

/* Is a sparse list of n slot numbers at least as big as the dense array? */
static bool
sparse_too_big(const StreamState *s, Size n)
{
	return n * sizeof(int32) >= (Size) s->n_slots * sizeof(int64);
}

/* Add s's slot list (not its raw values) into a dense counts array. */
static void
add_slots_to(const StreamState *s, int64 *counts)
{
	if (s->dense == STREAM_DENSE64)
	{
		const int64 *sc = (const int64 *) stream_state_body(s);

		for (int32 i = 0; i < s->n_slots; i++)
			counts[i] += sc[i];
	}
	else if (s->dense == STREAM_DENSE32)
	{
		const int32 *sc = (const int32 *) stream_state_body(s);

		for (int32 i = 0; i < s->n_slots; i++)
			counts[i] += sc[i];
	}
	else
	{
		const int32 *slots = (const int32 *) stream_state_body(s);

		for (int32 i = 0; i < s->n_sparse; i++)
			counts[slots[i]]++;
	}
}

/* A wide dense copy of s with room for cap_values raw values (its own are copied). */
static StreamState *
state_to_dense(const StreamState *s, int32 cap_values)
{
	StreamState *d = state_alloc(s, STREAM_DENSE64, 0, Max(cap_values, s->n_values), true);

	add_slots_to(s, (int64 *) stream_state_body(d));
	d->n_sparse = 0;
	d->n_values = s->n_values;
	memcpy(stream_state_values(d), stream_state_values(s), sizeof(float8) * s->n_values);
	return d;
}

/* Write the state's source: the baseline's name and column, or its profile. */
static void
write_source(StreamState *s, const StreamBaseline *sb)
{
	char	   *src = stream_state_source(s);

	if (sb->name != NULL)
	{
		int			nl = strlen(sb->name) + 1;

		memcpy(src, sb->name, nl);
		memcpy(src + nl, sb->column, strlen(sb->column) + 1);
	}
	else
		memcpy(src, sb->profile, VARSIZE(sb->profile));
}

/* A header for a new state of test against the resolved baseline sb. */
static void
init_header(StreamState *proto, StreamTest test, const StreamBaseline *sb, int32 option,
			float8 param)
{
	memset(proto, 0, sizeof(StreamState));
	proto->version = STREAM_STATE_VERSION;
	proto->test = test;
	proto->source = sb->name != NULL ? BASELINE_NAMED : BASELINE_EMBEDDED;
	proto->n_slots = sb->n_slots;
	proto->fingerprint = sb->fingerprint;
	proto->option = option;
	proto->param = param;
	if (sb->name != NULL)
		proto->source_len = strlen(sb->name) + 1 + strlen(sb->column) + 1;
	else
		proto->source_len = VARSIZE(sb->profile);
}

/* A new, empty state whose values are counted one slot at a time. */
StreamState *
stream_state_create(StreamTest test, const StreamBaseline *sb, int32 option, float8 param)
{
	StreamState proto;
	StreamState *s;

	init_header(&proto, test, sb, option, param);
	s = state_alloc(&proto, sparse_too_big(&proto, SPARSE_INITIAL) ? STREAM_DENSE64 : STREAM_SPARSE,
					SPARSE_INITIAL, 0, false);
	write_source(s, sb);
	return s;
}

/* A new, empty state whose values are buffered raw and placed in sorted batches. */
StreamState *
stream_state_create_buffered(StreamTest test, const StreamBaseline *sb, int32 option, float8 param)
{
	StreamState proto;
	StreamState *s;

	init_header(&proto, test, sb, option, param);
	s = state_alloc(&proto, STREAM_SPARSE, 0, VALUES_INITIAL, false);
	write_source(s, sb);
	return s;
}

/*
 * stream_state_add (stream_state.h) when the sparse list is full: count the
 * value in a grown or dense copy.  Returns the new state, an allocation in
 * the current (per-call) context: the
 * executor copies a changed state into the aggregate's context and frees the
 * old one, so allocating there directly would leak.
 */
StreamState *
stream_state_add_grow(StreamState *s, int32 slot)
{
	StreamState *grown;

	if (s->dense != STREAM_SPARSE || sparse_too_big(s, (Size) s->cap_sparse * 2))
		grown = state_to_dense(s, s->cap_values);
	else
	{
		grown = state_alloc(s, STREAM_SPARSE, s->cap_sparse * 2, s->cap_values, true);
		memcpy(stream_state_body(grown), stream_state_body(s), sizeof(int32) * s->n_sparse);
		memcpy(stream_state_values(grown), stream_state_values(s), sizeof(float8) * s->n_values);
	}
	return stream_state_add(grown, slot);
}

/* Place n values in the dense counts of s, whichever their width. */
static void
place_into(StreamState *s, const float8 *values, int32 n, StreamPlaceBatch place,
		   const void *locator)
{
	if (s->dense == STREAM_DENSE32)
		place(locator, values, n, NULL, (int32 *) stream_state_body(s));
	else
		place(locator, values, n, (int64 *) stream_state_body(s), NULL);
}

/*
 * Place the buffered values of dense state s in its counts; returns s or,
 * when narrow counts could no longer hold every value counted, a wide copy.
 */
static StreamState *
place_buffered(StreamState *s, StreamPlaceBatch place, const void *locator)
{
	if (s->dense == STREAM_DENSE32 && s->n_current > PG_INT32_MAX)
		s = state_to_dense(s, s->cap_values);
	place_into(s, stream_state_values(s), s->n_values, place, locator);
	s->n_values = 0;
	return s;
}

/*
 * stream_state_add_value (stream_state.h) when the buffer is full.  A sparse
 * state keeps every value it saw (growing by doubling, a new allocation as
 * in stream_state_add) until that would be as large as the dense counts;
 * then it turns dense, and a dense state places a full batch at a time.  A
 * state need not have been made by stream_state_create_buffered (it may come
 * from text input, with no room for values or with a sparse slot list), so
 * every shape is handled here.
 */
StreamState *
stream_state_add_value_grow(StreamState *s, float8 x, StreamPlaceBatch place, const void *locator)
{
	/*
	 * Growing copies the whole state, so the room added must be worth the
	 * whole state, not only the buffer: a state that embeds its baseline
	 * (1.6 MB for 100k values) and doubled a 64-value buffer was copied a
	 * dozen times on its way to dense counts.
	 */
	Size		grown_cap = Max(Max((Size) s->cap_values * 2, (Size) VALUES_INITIAL),
								VARSIZE(s) / sizeof(float8));

	if (s->dense != STREAM_SPARSE && s->cap_values > 0)
		s = place_buffered(s, place, locator);
	else if (s->dense == STREAM_SPARSE && s->n_sparse == 0 &&
			 grown_cap * sizeof(float8) < (Size) s->n_slots * sizeof(int64))
	{
		StreamState *grown = state_alloc(s, STREAM_SPARSE, 0, (int32) grown_cap, true);

		memcpy(stream_state_values(grown), stream_state_values(s), sizeof(float8) * s->n_values);
		s = grown;
	}
	else
	{
		/*
		 * Turn dense (or give a dense state a buffer), keeping a batch-sized
		 * buffer: narrow counts while they can hold every value, since the
		 * placement's cache misses shrink with them.
		 */
		StreamLayout layout = (s->dense == STREAM_DENSE64 || s->n_current > PG_INT32_MAX) ?
			STREAM_DENSE64 : STREAM_DENSE32;
		StreamState *d = state_alloc(s, layout, 0, VALUES_BATCH, true);

		if (layout == STREAM_DENSE64)
			add_slots_to(s, (int64 *) stream_state_body(d));
		else
		{
			int32	   *narrow = (int32 *) stream_state_body(d);
			const int32 *slots = (const int32 *) stream_state_body(s);

			for (int32 i = 0; i < s->n_sparse; i++)
				narrow[slots[i]]++;
		}
		d->n_sparse = 0;
		d->n_values = 0;
		place_into(d, stream_state_values(s), s->n_values, place, locator);
		s = d;
	}
	return stream_state_add_value(s, x, place, locator);
}

/*
 * Out of line part of stream_state_require: the test, the baseline and
 * options (what names them for the message), then the slot count, which
 * bounds every write into the state.
 */
void
stream_state_require_failed(const StreamState *s, StreamTest test, int32 option, float8 param,
							uint64 fingerprint, int32 n_slots, const char *what)
{
	if (s->test != test)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("drift state of another test"),
				 errhint("Pass a state only to the functions of the aggregate that made it.")));
	/* rows of one group naming different baselines: the user's mistake, said so */
	require_same_baseline(s->fingerprint == fingerprint && s->option == option &&
						  s->param == param, what);
	/* the same baseline but another size: a state that was not made for it */
	stream_state_require_slots(s, n_slots, "drift");
	pg_unreachable();			/* the inline caller found a difference */
}

/* Fail unless s is a state of test (and of option, when option >= 0), for a final function. */
void
stream_state_require_test(const StreamState *s, StreamTest test, int32 option, const char *fname)
{
	if (s->test != test || (option >= 0 && s->option != option))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s cannot finish the state of another drift test", fname),
				 errhint("Pass the state to the final function of the aggregate that made it.")));
}

/* Fail unless s has the n_slots slots its baseline defines (fname names the test). */
void
stream_state_require_slots(const StreamState *s, int32 n_slots, const char *fname)
{
	if (s->n_slots != n_slots)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s state does not match its baseline", fname),
				 errdetail_plural("The state has %d slot; the baseline defines %d.",
								  "The state has %d slots; the baseline defines %d.",
								  s->n_slots, s->n_slots, n_slots),
				 errhint("Pass a state only to the functions of the aggregate that made it.")));
}

/* Fail unless a and b count the same test against the same baseline. */
static void
check_compatible(const StreamState *a, const StreamState *b)
{
	/*
	 * The same named baseline in two versions: on Citus, a node's stale copy
	 * (baseline_nodes.c says how to repair it), not the user's mistake.
	 */
	if (a->fingerprint != b->fingerprint && a->source == BASELINE_NAMED &&
		b->source == BASELINE_NAMED && a->source_len == b->source_len &&
		memcmp(stream_state_source(a), stream_state_source(b), a->source_len) == 0)
		baseline_version_error(stream_state_source(a));
	if (a->test != b->test || a->option != b->option || a->param != b->param ||
		a->n_slots != b->n_slots || a->fingerprint != b->fingerprint)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine drift states computed against different baselines or options"),
				 errhint("Every partial state of one aggregate must use the same baseline and options.")));
}

/*
 * Add b's counts into a; returns a or a new state replacing it.  Buffered raw
 * values are carried over as they are (the combine function has no locator);
 * the final function places them.
 */
StreamState *
stream_state_combine(StreamState *a, StreamState *b)
{
	int32		values = a->n_values + b->n_values;

	check_compatible(a, b);
	if (a->dense || b->dense || sparse_too_big(a, (Size) a->n_sparse + b->n_sparse))
	{
		if (a->dense != STREAM_DENSE64 || values > a->cap_values)
			a = state_to_dense(a, values);
		add_slots_to(b, (int64 *) stream_state_body(a));
	}
	else
	{
		if (a->n_sparse + b->n_sparse > a->cap_sparse || values > a->cap_values)
		{
			StreamState *grown = state_alloc(a, STREAM_SPARSE, Max(a->n_sparse + b->n_sparse, 1),
											 Max(values, a->cap_values), true);

			memcpy(stream_state_body(grown), stream_state_body(a), sizeof(int32) * a->n_sparse);
			memcpy(stream_state_values(grown), stream_state_values(a), sizeof(float8) * a->n_values);
			a = grown;
		}
		memcpy((int32 *) stream_state_body(a) + a->n_sparse, stream_state_body(b),
			   sizeof(int32) * b->n_sparse);
		a->n_sparse += b->n_sparse;
	}
	memcpy(stream_state_values(a) + a->n_values, stream_state_values(b), sizeof(float8) * b->n_values);
	a->n_values = values;
	a->n_current = count_add(a->n_current, b->n_current);
	a->null_count = count_add(a->null_count, b->null_count);
	a->nan_count = count_add(a->nan_count, b->nan_count);
	return a;
}

/* The counts per slot as a palloc'd dense array (states without raw values). */
int64 *
stream_state_counts(const StreamState *s)
{
	int64	   *counts;

	/* only ks_drift buffers raw values, and it places them (ks_drift_slot_counts) */
	Assert(s->n_values == 0);
	counts = palloc0(sizeof(int64) * (Size) s->n_slots);
	add_slots_to(s, counts);
	return counts;
}

/* The count of one slot, without building the dense array (whose size the state only claims). */
int64
stream_state_slot_count(const StreamState *s, int32 slot)
{
	int64		n = 0;

	if (s->dense == STREAM_DENSE64)
		return ((const int64 *) stream_state_body(s))[slot];
	if (s->dense == STREAM_DENSE32)
		return ((const int32 *) stream_state_body(s))[slot];
	for (int32 i = 0; i < s->n_sparse; i++)
		n += ((const int32 *) stream_state_body(s))[i] == slot;
	return n;
}

/* The counts per slot as a palloc'd dense array, raw values placed too. */
int64 *
stream_state_counts_placed(const StreamState *s, StreamPlaceBatch place, const void *locator)
{
	int64	   *counts = palloc0(sizeof(int64) * (Size) s->n_slots);

	add_slots_to(s, counts);
	place(locator, stream_state_values(s), s->n_values, counts, NULL);
	return counts;
}

/*
 * The baseline a state was counted against, for a final function: embedded
 * profiles are read in place, named ones are fetched (once per query, kept in
 * fn_extra).  A baseline replaced since the counting is an error, not a wrong
 * answer.
 */
DriftProfile *
stream_state_baseline(FunctionCallInfo fcinfo, const StreamState *s)
{
	StreamBaseline *sb = stream_state_named_baseline(fcinfo, s);
	DriftProfile *p = sb != NULL ? sb->profile : (DriftProfile *) stream_state_source(s);

	profile_check_usable(p);
	return p;
}

/*
 * The baseline cache's entry of a state that names its baseline (the one
 * the state was counted against, else an error), or NULL for a state that
 * embeds it: what a test's locators are kept with.
 */
StreamBaseline *
stream_state_named_baseline(FunctionCallInfo fcinfo, const StreamState *s)
{
	const char *name;
	StreamBaseline *sb;

	if (s->source == BASELINE_EMBEDDED)
		return NULL;
	name = stream_state_source(s);
	sb = baseline_cache_by_name(fcinfo, name, name + strlen(name) + 1);
	if (sb->fingerprint != s->fingerprint)
		baseline_version_error(name);
	return sb;
}

/*
 * The state as it travels (the codec's flush, state_codec.h): its buffered
 * raw values placed in slots, in a new dense state, or s itself when it
 * buffers none.  Only ks_drift buffers (no other transition function does,
 * and input never makes a state that buffers).  Placing needs the baseline,
 * found as the final function finds it, so output fails where the final
 * function would: on a named baseline since dropped or changed.
 */
static const void *
stream_state_flush(FunctionCallInfo fcinfo, const void *state)
{
	const StreamState *s = state;
	StreamState *flat;
	int64	   *counts;

	if (s->n_values == 0)
		return s;
	counts = ks_drift_slot_counts(fcinfo, s);
	flat = state_alloc(s, STREAM_DENSE64, 0, 0, true);
	memcpy(stream_state_body(flat), counts, sizeof(int64) * (Size) s->n_slots);
	pfree(counts);
	return flat;
}

/*
 * The binary form's version: 2 since 0.2.0, whose counts are varints and
 * which holds no raw values.  Version 1 (0.1.0: int64 counts or int32 slot
 * lists, then raw float8 values) is refused as unsupported: a partial state
 * normally lives for one query; one a user kept in its text form (an
 * INITCOND, a table dumped as text) is made again by its aggregate.  The
 * in-memory layout (StreamState.version) is unchanged.
 */
#define STREAM_STATE_WIRE_VERSION 2

/* How the binary form lists the counts (see stream_state_send_bytes). */
#define COUNTS_ROWS 0
#define COUNTS_SLOTS 1

/* qsort order of slot numbers. */
static int
slot_cmp(const void *a, const void *b)
{
	int32		x = *(const int32 *) a;
	int32		y = *(const int32 *) b;

	return (x > y) - (x < y);
}

/* The counts of a state without buffered values, in the layout that suits them. */
static void
send_counts(StringInfo buf, const StreamState *s)
{
	bool		rows = s->n_current < s->n_slots;
	int32		prev = 0;

	Assert(s->n_values == 0);
	pq_sendint8(buf, rows ? COUNTS_ROWS : COUNTS_SLOTS);
	if (rows && s->dense == STREAM_SPARSE)
	{
		int32	   *slots = palloc(sizeof(int32) * (Size) Max(s->n_sparse, 1));

		memcpy(slots, stream_state_body(s), sizeof(int32) * (Size) s->n_sparse);
		qsort(slots, s->n_sparse, sizeof(int32), slot_cmp);
		for (int32 i = 0; i < s->n_sparse; i++)
		{
			state_send_varint(buf, (uint64) (slots[i] - prev));
			prev = slots[i];
		}
		pfree(slots);
		return;
	}
	{
		const int64 *counts = s->dense == STREAM_DENSE64 ?
			(const int64 *) stream_state_body(s) : stream_state_counts(s);

		for (int32 i = 0; i < s->n_slots; i++)
		{
			if (!rows)
				state_send_varint(buf, (uint64) counts[i]);
			else
				for (int64 c = 0; c < counts[i]; c++)
				{
					state_send_varint(buf, (uint64) (i - prev));
					prev = i;
				}
		}
	}
}

/*
 * Binary form (version 2): version int8, test int8, source int8, option
 * int32, param float8, n_slots int32, fingerprint int64, n_current /
 * null_count / nan_count int64; the source (named: two length-prefixed
 * strings; embedded: length-prefixed drift_profile binary form); then the
 * counts in one of two layouts, whichever the state's size calls for:
 *
 *	- COUNTS_ROWS, when fewer values were counted than there are slots: the
 *	  slot of each value in ascending order, as varint gaps from the
 *	  previous one (the first from slot 0).  A slot met again costs a byte
 *	  (gap 0), so the list never outgrows the values, and reading it builds
 *	  about four bytes of state per byte read, whatever the slot count
 *	  claims;
 *	- COUNTS_SLOTS: every slot's count as a varint: one byte per empty
 *	  slot, so again the bytes bound the array that is built.
 *
 * Never raw values (SPEC.md section 8): ks_drift's are placed by the flush.
 */
static bytea *
stream_state_send_bytes(const void *state)
{
	const StreamState *s = state;
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint8(&buf, STREAM_STATE_WIRE_VERSION);
	pq_sendint8(&buf, s->test);
	pq_sendint8(&buf, s->source);
	pq_sendint32(&buf, s->option);
	pq_sendfloat8(&buf, s->param);
	pq_sendint32(&buf, s->n_slots);
	pq_sendint64(&buf, (int64) s->fingerprint);
	pq_sendint64(&buf, s->n_current);
	pq_sendint64(&buf, s->null_count);
	pq_sendint64(&buf, s->nan_count);
	if (s->source == BASELINE_NAMED)
	{
		const char *name = stream_state_source(s);
		const char *column = name + strlen(name) + 1;

		pq_sendint32(&buf, strlen(name));
		pq_sendbytes(&buf, name, strlen(name));
		pq_sendint32(&buf, strlen(column));
		pq_sendbytes(&buf, column, strlen(column));
	}
	else
	{
		bytea	   *pb = profile_send_bytes((DriftProfile *) stream_state_source(s));

		pq_sendint32(&buf, VARSIZE(pb) - VARHDRSZ);
		pq_sendbytes(&buf, VARDATA(pb), VARSIZE(pb) - VARHDRSZ);
	}
	send_counts(&buf, s);
	return pq_endtypsend(&buf);
}

/* Report a malformed binary or text state (state_invalid, with this type's name). */
#define invalid_state(detail) state_invalid("drift_stream_state", (detail))

/* Read a length-prefixed string that must not contain a zero byte. */
static char *
recv_name(StringInfo buf)
{
	int32		len = pq_getmsgint(buf, 4);
	const char *bytes;

	if (len > NAMEDATALEN * 64 || !state_claim_fits(buf, len, 1))
		invalid_state("A baseline name has an impossible length.");
	bytes = pq_getmsgbytes(buf, len);
	if (memchr(bytes, '\0', len) != NULL)
		invalid_state("A baseline name contains a zero byte.");
	return pnstrdup(bytes, len);
}

/*
 * Read the COUNTS_ROWS layout of proto's n_current values into a new state:
 * a sparse slot list, or dense counts when the list would be the larger.
 */
static StreamState *
recv_rows(StringInfo buf, StreamState *proto)
{
	int32		n;
	int32	   *slots;
	int32		slot = 0;
	StreamState *s;

	if (!state_claim_fits(buf, proto->n_current, 1))
		invalid_state("The message is shorter than its values' slots.");
	n = (int32) proto->n_current;
	slots = palloc(sizeof(int32) * (Size) Max(n, 1));
	for (int32 i = 0; i < n; i++)
	{
		uint64		gap = state_recv_varint(buf, "drift_stream_state");

		if (gap >= (uint64) (proto->n_slots - slot))
			invalid_state("A slot number is out of range.");
		slot += (int32) gap;
		slots[i] = slot;
	}
	if (sparse_too_big(proto, n))
	{
		s = state_alloc(proto, STREAM_DENSE64, 0, 0, false);
		for (int32 i = 0; i < n; i++)
			((int64 *) stream_state_body(s))[slots[i]]++;
	}
	else
	{
		proto->n_sparse = n;
		s = state_alloc(proto, STREAM_SPARSE, Max(n, 1), 0, false);
		memcpy(stream_state_body(s), slots, sizeof(int32) * (Size) n);
	}
	pfree(slots);
	return s;
}

/* Read the COUNTS_SLOTS layout into a new dense state; the counts must add up. */
static StreamState *
recv_slots(StringInfo buf, StreamState *proto)
{
	StreamState *s;
	int64	   *counts;
	int64		total = 0;

	if (!state_claim_fits(buf, proto->n_slots, 1))
		invalid_state("The message is shorter than its counts.");
	s = state_alloc(proto, STREAM_DENSE64, 0, 0, false);
	counts = (int64 *) stream_state_body(s);
	for (int32 i = 0; i < proto->n_slots; i++)
	{
		uint64		c = state_recv_varint(buf, "drift_stream_state");

		if (c > (uint64) PG_INT64_MAX || pg_add_s64_overflow(total, (int64) c, &total))
			invalid_state("A slot count is out of range or the counts overflow.");
		counts[i] = (int64) c;
	}
	if (total != proto->n_current)
		invalid_state("The slot counts do not add up to the number of values.");
	return s;
}

/* Rebuild a state from its binary form, checking every count and slot. */
static void *
stream_state_recv_buffer(StringInfo buf)
{
	StreamState proto;
	char	   *name = NULL,
			   *column = NULL;
	DriftProfile *profile = NULL;
	StreamState *s;
	int			layout;

	memset(&proto, 0, sizeof(proto));
	if (pq_getmsgint(buf, 1) != STREAM_STATE_WIRE_VERSION)
		invalid_state("Unsupported format version.");
	proto.version = STREAM_STATE_VERSION;
	proto.test = pq_getmsgint(buf, 1);
	if (proto.test != STREAM_TEST_KS && proto.test != STREAM_TEST_BINNED &&
		proto.test != STREAM_TEST_CATEGORICAL)
		invalid_state("Unknown test.");
	proto.source = pq_getmsgint(buf, 1);
	proto.option = pq_getmsgint(buf, 4);
	proto.param = pq_getmsgfloat8(buf);
	proto.n_slots = pq_getmsgint(buf, 4);
	proto.fingerprint = (uint64) pq_getmsgint64(buf);
	proto.n_current = pq_getmsgint64(buf);
	proto.null_count = pq_getmsgint64(buf);
	proto.nan_count = pq_getmsgint64(buf);
	if (proto.n_slots <= 0 || proto.n_slots > (int32) (MaxAllocSize / sizeof(int64) / 2))
		invalid_state("The number of slots is out of range.");
	if (proto.n_current < 0 || proto.null_count < 0 || proto.nan_count < 0)
		invalid_state("A count is negative.");
	if (proto.test == STREAM_TEST_KS &&
		(proto.option < KS_TWO_SIDED || proto.option > KS_GREATER || proto.param != 0.0))
		invalid_state("Inconsistent ks_drift state.");
	if (proto.test == STREAM_TEST_CATEGORICAL &&
		(proto.nan_count != 0 ||
		 (proto.option != CATEGORICAL_PER_CATEGORY && proto.option != CATEGORICAL_SEEN_UNSEEN) ||
		 (proto.option == CATEGORICAL_SEEN_UNSEEN && proto.n_slots != 2)))
		invalid_state("Inconsistent categorical state.");
	if (proto.source == BASELINE_NAMED)
	{
		name = recv_name(buf);
		column = recv_name(buf);
		proto.source_len = strlen(name) + 1 + strlen(column) + 1;
	}
	else if (proto.source == BASELINE_EMBEDDED)
	{
		int32		len = pq_getmsgint(buf, 4);
		StringInfoData sub;

		if (!state_claim_fits(buf, len, 1))
			invalid_state("The embedded profile has an impossible length.");
		sub.data = (char *) pq_getmsgbytes(buf, len);
		sub.len = len;
		sub.maxlen = len;
		sub.cursor = 0;
		profile = profile_recv_buffer(&sub);
		if (sub.cursor != sub.len)
			invalid_state("The embedded profile has trailing bytes.");
		if (profile_fingerprint(profile) != proto.fingerprint)
			invalid_state("The embedded profile does not match the fingerprint.");
		if (proto.test == STREAM_TEST_CATEGORICAL &&
			(profile->kind != PROFILE_KIND_CATEGORICAL ||
			 (proto.option == CATEGORICAL_PER_CATEGORY && proto.n_slots != profile->n_entries + 1)))
			invalid_state("The slots do not match the embedded categorical profile.");
		proto.source_len = VARSIZE(profile);
	}
	else
		invalid_state("Unknown baseline source.");

	layout = pq_getmsgint(buf, 1);
	if (layout == COUNTS_ROWS)
		s = recv_rows(buf, &proto);
	else if (layout == COUNTS_SLOTS)
		s = recv_slots(buf, &proto);
	else
		invalid_state("Unknown count layout.");
	if (name != NULL)
	{
		char	   *src = stream_state_source(s);

		memcpy(src, name, strlen(name) + 1);
		memcpy(src + strlen(name) + 1, column, strlen(column) + 1);
	}
	else
		memcpy(stream_state_source(s), profile, VARSIZE(profile));
	return s;
}

/* The type's I/O functions, from the binary form above (state_codec.h). */
STATE_CODEC_FLUSHED(drift_stream_state, "drift_stream_state", true, stream_state_send_bytes,
					stream_state_recv_buffer, stream_state_flush)

PG_FUNCTION_INFO_V1(drift_stream_state_combine);

/* Combine function shared by every streaming drift test; also callable directly. */
Datum
drift_stream_state_combine(PG_FUNCTION_ARGS)
{
	StreamState *a = (StreamState *) state_combine_left_varlena(fcinfo);

	PG_RETURN_POINTER(stream_state_combine(a, PG_GETARG_STREAM_STATE_P(1)));
}
