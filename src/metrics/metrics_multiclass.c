/*
 * metrics_multiclass.c
 *		multiclass_metrics(predicted text, actual text): n, accuracy and the
 *		macro-averaged precision, recall and F1 of scikit-learn, as a plain,
 *		parallel, Citus-pushable and moving-window aggregate.
 *
 * Macro averages run over every label that appears in the rows' actual OR
 * predicted values; a label's precision (recall, F1) whose own denominator is
 * 0 counts as 0 inside the average, as scikit-learn's zero_division does.
 * Labels are compared as exact byte strings (no collation).
 *
 * The state, multiclass_metrics_state, is the confusion matrix kept sparse:
 * a dictionary of the labels seen (numbered in order of appearance, found by
 * binary search in an index sorted by length and bytes) and a sorted list of
 * (actual, predicted) label-number pairs with their counts.
 * It grows with the number of labels, never with the rows; a transition that
 * needs more room allocates a bigger state in the current memory context and
 * the executor moves it into the aggregate's context.  Removing a row for a
 * moving frame decrements its pair (O(log pairs)); a label whose counts have
 * all dropped to zero leaves the averages.  The final reads the matrix once:
 * O(pairs + labels) per row in a window.
 *
 * Pairs with a NULL side are skipped.
 */
#include "postgres.h"
#include "core/compat.h"

#include "access/htup_details.h"
#include "common/int.h"
#include "funcapi.h"
#include "core/pg_drift.h"
#include "libpq/pqformat.h"
#include "utils/memutils.h"

#include "metrics/metrics_io.h"

#define MC_STATE_TYPE "drift_multiclass_metrics_state"

/* One cell of the confusion matrix. */
typedef struct McPair
{
	uint32		actual;			/* label number */
	uint32		predicted;		/* label number */
	int64		count;
} McPair;

typedef struct McState
{
	int32		vl_len_;		/* varlena header */
	int32		n_labels;		/* labels in the dictionary */
	int32		n_pairs;		/* cells, sorted by (actual, predicted) */
	int32		pair_cap;		/* room for cells */
	int32		label_bytes;	/* bytes used by the dictionary */
	int32		label_cap;		/* room for the dictionary */
	int32		label_slots;	/* room in the sorted index */
	int32		pad;
	int64		n;				/* pairs counted */

	/*
	 * Then McPair pairs[pair_cap]; McOrder order[label_slots], the labels
	 * sorted by (length, bytes) for binary search; and the dictionary, per
	 * label (in order of number) int32 length, bytes, padding.
	 */
} McState;

/* Entry of the sorted label index: where the label is and its number. */
typedef struct McOrder
{
	int32		offset;			/* in the dictionary */
	int32		number;
} McOrder;

#define MC_HEADER MAXALIGN(sizeof(McState))
#define MC_SIZE(pcap, slots, lcap) \
	(MC_HEADER + sizeof(McPair) * (Size) (pcap) + sizeof(McOrder) * (Size) (slots) + (Size) (lcap))
#define MC_MAX_LABEL_LEN (1024 * 1024)

PG_FUNCTION_INFO_V1(multiclass_metrics_trans);
PG_FUNCTION_INFO_V1(multiclass_metrics_inv);
PG_FUNCTION_INFO_V1(multiclass_metrics_combine);
PG_FUNCTION_INFO_V1(multiclass_metrics_final);

/* The cells. */
static inline McPair *
mc_pairs(const McState *s)
{
	return (McPair *) ((char *) s + MC_HEADER);
}

/* The sorted label index. */
static inline McOrder *
mc_order(const McState *s)
{
	return (McOrder *) ((char *) s + MC_HEADER + sizeof(McPair) * (Size) s->pair_cap);
}

/* The dictionary. */
static inline char *
mc_labels(const McState *s)
{
	return (char *) mc_order(s) + sizeof(McOrder) * (Size) s->label_slots;
}

/* An empty state with the given room, in the current memory context. */
static McState *
mc_alloc(int32 pair_cap, int32 label_slots, int32 label_cap)
{
	Size		size = MC_SIZE(pair_cap, label_slots, label_cap);
	McState    *s;

	if (size > MaxAllocSize / 2)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("multiclass_metrics state would exceed the maximum size"),
				 errhint("Aggregate fewer distinct labels per group.")));
	s = palloc0(size);
	SET_VARSIZE(s, size);
	s->pair_cap = pair_cap;
	s->label_slots = label_slots;
	s->label_cap = label_cap;
	return s;
}

/* A copy of s with room for at least the given cells, labels and dictionary bytes. */
static McState *
mc_grow(const McState *s, int32 pair_need, int32 slot_need, int32 label_need)
{
	int32		pcap = s->pair_cap,
				scap = s->label_slots,
				lcap = s->label_cap;
	McState    *g;

	while (pcap < pair_need)
		pcap = pcap * 2 + 8;
	while (scap < slot_need)
		scap = scap * 2 + 8;
	while (lcap < label_need)
		lcap = lcap * 2 + 64;
	g = mc_alloc(pcap, scap, lcap);
	g->n_labels = s->n_labels;
	g->n_pairs = s->n_pairs;
	g->label_bytes = s->label_bytes;
	g->n = s->n;
	memcpy(mc_pairs(g), mc_pairs(s), sizeof(McPair) * (Size) s->n_pairs);
	memcpy(mc_order(g), mc_order(s), sizeof(McOrder) * (Size) s->n_labels);
	memcpy(mc_labels(g), mc_labels(s), s->label_bytes);
	return g;
}

/* Bytes a label of len bytes takes in the dictionary. */
static inline int32
mc_label_size(int32 len)
{
	return INTALIGN(sizeof(int32) + len);
}

/*
 * The number of the label (data, len), or -1 when it is not in the
 * dictionary; *pos is where it is or would go in the sorted index.
 */
static int32
mc_find_label_pos(const McState *s, const char *data, int32 len, int32 *pos)
{
	const McOrder *order = mc_order(s);
	const char *labels = mc_labels(s);
	int32		lo = 0,
				hi = s->n_labels;

	while (lo < hi)
	{
		int32		mid = lo + (hi - lo) / 2;
		const char *p = labels + order[mid].offset;
		int32		l;
		int			c;

		memcpy(&l, p, sizeof(int32));
		c = (l != len) ? (l < len ? -1 : 1) : memcmp(p + sizeof(int32), data, len);
		if (c == 0)
		{
			*pos = mid;
			return order[mid].number;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	return -1;
}

/* The number of the label (data, len), or -1 when it is not in the dictionary. */
static int32
mc_find_label(const McState *s, const char *data, int32 len)
{
	int32		pos;

	return mc_find_label_pos(s, data, len, &pos);
}

/* The number of the label, adding it (and growing *sp) when new. */
static int32
mc_label(McState **sp, const char *data, int32 len)
{
	McState    *s = *sp;
	int32		pos;
	int32		i = mc_find_label_pos(s, data, len, &pos);
	char	   *p;
	McOrder    *order;

	if (i >= 0)
		return i;
	if (len > MC_MAX_LABEL_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("multiclass_metrics label is too long"),
				 errdetail("Labels are limited to %d bytes.", MC_MAX_LABEL_LEN)));
	if (s->label_bytes + mc_label_size(len) > s->label_cap || s->n_labels >= s->label_slots)
		*sp = s = mc_grow(s, s->pair_cap, s->n_labels + 1, s->label_bytes + mc_label_size(len));
	p = mc_labels(s) + s->label_bytes;
	memcpy(p, &len, sizeof(int32));
	memcpy(p + sizeof(int32), data, len);
	order = mc_order(s);
	memmove(&order[pos + 1], &order[pos], sizeof(McOrder) * (Size) (s->n_labels - pos));
	order[pos].offset = s->label_bytes;
	order[pos].number = s->n_labels;
	s->label_bytes += mc_label_size(len);
	return s->n_labels++;
}

/* Where the cell (a, p) is or would be inserted; *found says which. */
static int32
mc_find_pair(const McState *s, uint32 a, uint32 p, bool *found)
{
	const McPair *c = mc_pairs(s);
	uint64		key = ((uint64) a << 32) | p;
	int32		lo = 0,
				hi = s->n_pairs;

	while (lo < hi)
	{
		int32		mid = lo + (hi - lo) / 2;
		uint64		k = ((uint64) c[mid].actual << 32) | c[mid].predicted;

		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < s->n_pairs && c[lo].actual == a && c[lo].predicted == p;
	return lo;
}

/* Add count to the cell (a, p), inserting it (and growing *sp) when new. */
static void
mc_add_pair(McState **sp, uint32 a, uint32 p, int64 count)
{
	McState    *s = *sp;
	bool		found;
	int32		i = mc_find_pair(s, a, p, &found);
	McPair	   *c;

	if (!found)
	{
		if (s->n_pairs >= s->pair_cap)
			*sp = s = mc_grow(s, s->n_pairs + 1, s->label_slots, s->label_cap);
		c = mc_pairs(s);
		memmove(&c[i + 1], &c[i], sizeof(McPair) * (Size) (s->n_pairs - i));
		c[i].actual = a;
		c[i].predicted = p;
		c[i].count = 0;
		s->n_pairs++;
	}
	c = mc_pairs(s);
	if (pg_add_s64_overflow(c[i].count, count, &c[i].count))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("multiclass_metrics counts out of range")));
}

/* The state argument, or a new empty one. */
static McState *
mc_state_arg(FunctionCallInfo fcinfo, const char *fn)
{
	(void) aggregate_context(fcinfo, fn);
	if (PG_ARGISNULL(0))
		return mc_alloc(8, 8, 256);	/* the executor copies it */
	/* a state in the aggregate's context is a plain varlena: no copy here */
	return (McState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
}

/* Transition: count one (predicted, actual) pair. */
Datum
multiclass_metrics_trans(PG_FUNCTION_ARGS)
{
	McState    *s = mc_state_arg(fcinfo, "multiclass_metrics_trans");
	text	   *pred,
			   *act;
	int32		a,
				p;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(s);
	pred = PG_GETARG_TEXT_PP(1);
	act = PG_GETARG_TEXT_PP(2);
	a = mc_label(&s, VARDATA_ANY(act), VARSIZE_ANY_EXHDR(act));
	p = mc_label(&s, VARDATA_ANY(pred), VARSIZE_ANY_EXHDR(pred));
	mc_add_pair(&s, a, p, 1);
	s->n++;
	PG_RETURN_POINTER(s);
}

/* Inverse transition: the pair leaves the moving frame (it must be counted). */
Datum
multiclass_metrics_inv(PG_FUNCTION_ARGS)
{
	McState    *s = mc_state_arg(fcinfo, "multiclass_metrics_inv");
	text	   *pred,
			   *act;
	int32		a,
				p,
				i;
	bool		found;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(s);
	pred = PG_GETARG_TEXT_PP(1);
	act = PG_GETARG_TEXT_PP(2);
	a = mc_find_label(s, VARDATA_ANY(act), VARSIZE_ANY_EXHDR(act));
	p = mc_find_label(s, VARDATA_ANY(pred), VARSIZE_ANY_EXHDR(pred));
	if (a < 0 || p < 0)
		metrics_inverse_missing("multiclass_metrics_inv", "label");
	i = mc_find_pair(s, a, p, &found);
	if (!found || mc_pairs(s)[i].count <= 0)
		metrics_inverse_missing("multiclass_metrics_inv", "pair");
	mc_pairs(s)[i].count--;
	s->n--;
	PG_RETURN_POINTER(s);
}

/* Combine: add b's cells to a copy of a, renumbering b's labels (strict). */
Datum
multiclass_metrics_combine(PG_FUNCTION_ARGS)
{
	McState    *a0 = (McState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	McState    *b = (McState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(1));
	McState    *a = mc_grow(a0, a0->pair_cap, a0->label_slots, a0->label_cap);
	int32	   *map = palloc(sizeof(int32) * (Size) Max(b->n_labels, 1));
	const char *lp = mc_labels(b);

	for (int32 i = 0; i < b->n_labels; i++)
	{
		int32		len;

		memcpy(&len, lp, sizeof(int32));
		map[i] = mc_label(&a, lp + sizeof(int32), len);
		lp += mc_label_size(len);
	}
	for (int32 i = 0; i < b->n_pairs; i++)
	{
		const McPair *c = &mc_pairs(b)[i];

		if (c->count > 0)
			mc_add_pair(&a, map[c->actual], map[c->predicted], c->count);
	}
	if (pg_add_s64_overflow(a->n, b->n, &a->n))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("multiclass_metrics counts out of range")));
	PG_RETURN_POINTER(a);
}

/*
 * Final: n, accuracy, macro_precision, macro_recall, macro_f1.  Per label L:
 * tp = cell (L, L), actual count = row sum, predicted count = column sum;
 * F1_L = 2 tp / (actual + predicted).  No pairs give n = 0 and NULLs.
 */
Datum
multiclass_metrics_final(PG_FUNCTION_ARGS)
{
	TupleDesc	desc = metrics_result_desc(fcinfo);
	Datum		values[5];
	bool		nulls[5] = {false};
	McState    *s;
	int64	   *tp,
			   *act,
			   *pred;
	int64		correct = 0;
	int32		present = 0;
	double		sum_p = 0,
				sum_r = 0,
				sum_f = 0;

	if (PG_ARGISNULL(0) ||
		(s = (McState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0)))->n == 0)
	{
		values[0] = Int64GetDatum(0);
		for (int i = 1; i < 5; i++)
			nulls[i] = true;
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
	}
	tp = palloc0(sizeof(int64) * (Size) s->n_labels);
	act = palloc0(sizeof(int64) * (Size) s->n_labels);
	pred = palloc0(sizeof(int64) * (Size) s->n_labels);
	for (int32 i = 0; i < s->n_pairs; i++)
	{
		const McPair *c = &mc_pairs(s)[i];

		act[c->actual] += c->count;
		pred[c->predicted] += c->count;
		if (c->actual == c->predicted)
			tp[c->actual] += c->count;
	}
	for (int32 l = 0; l < s->n_labels; l++)
	{
		if (act[l] == 0 && pred[l] == 0)
			continue;			/* not in this frame */
		present++;
		correct += tp[l];
		sum_p += pred[l] > 0 ? (double) tp[l] / (double) pred[l] : 0.0;
		sum_r += act[l] > 0 ? (double) tp[l] / (double) act[l] : 0.0;
		sum_f += 2.0 * (double) tp[l] / (double) (act[l] + pred[l]);
	}
	values[0] = Int64GetDatum(s->n);
	values[1] = Float8GetDatum((double) correct / (double) s->n);
	values[2] = Float8GetDatum(sum_p / present);
	values[3] = Float8GetDatum(sum_r / present);
	values[4] = Float8GetDatum(sum_f / present);
	pfree(tp);
	pfree(act);
	pfree(pred);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/*
 * Binary form: version int8, n int64, n_labels int32 and per label its
 * length int32 and bytes, n_pairs int32 and per cell (ascending by actual,
 * then predicted) actual int32, predicted int32, count int64.
 */
static bytea *
mc_state_send_bytes(const void *state)
{
	const McState *s = state;
	StringInfoData buf;
	const char *lp = mc_labels(s);

	pq_begintypsend(&buf);
	pq_sendint8(&buf, METRICS_STATE_VERSION);
	pq_sendint64(&buf, s->n);
	pq_sendint32(&buf, s->n_labels);
	for (int32 i = 0; i < s->n_labels; i++)
	{
		int32		len;

		memcpy(&len, lp, sizeof(int32));
		pq_sendint32(&buf, len);
		pq_sendbytes(&buf, lp + sizeof(int32), len);
		lp += mc_label_size(len);
	}
	pq_sendint32(&buf, s->n_pairs);
	for (int32 i = 0; i < s->n_pairs; i++)
	{
		const McPair *c = &mc_pairs(s)[i];

		pq_sendint32(&buf, c->actual);
		pq_sendint32(&buf, c->predicted);
		pq_sendint64(&buf, c->count);
	}
	return pq_endtypsend(&buf);
}

/* Read and validate the binary form (labels distinct, cells sorted, counts add up). */
static void *
mc_state_recv_buffer(StringInfo buf)
{
	const char *t = MC_STATE_TYPE;
	McState    *s;
	int64		n,
				total = 0;
	int32		n_labels,
				n_pairs;
	McPair	   *c;

	metrics_check_version(t, buf);
	n = metrics_recv_count(t, buf);
	if (buf->len - buf->cursor < 4)
		state_invalid(t, "The value is shorter than its header.");
	n_labels = pq_getmsgint(buf, 4);
	if (n_labels < 0 || (Size) n_labels * 4 > (Size) (buf->len - buf->cursor))
		state_invalid(t, "The number of labels does not match the value's length.");
	s = mc_alloc(8, 8, 256);
	for (int32 i = 0; i < n_labels; i++)
	{
		int32		len;
		const char *data;

		if (buf->len - buf->cursor < 4)
			state_invalid(t, "The value is shorter than its labels.");
		len = pq_getmsgint(buf, 4);
		if (len < 0 || len > MC_MAX_LABEL_LEN || len > buf->len - buf->cursor)
			state_invalid(t, "A label has an impossible length.");
		data = pq_getmsgbytes(buf, len);
		if (mc_find_label(s, data, len) >= 0)
			state_invalid(t, "A label appears twice.");
		mc_label(&s, data, len);
	}
	if (buf->len - buf->cursor < 4)
		state_invalid(t, "The value is shorter than its cells.");
	n_pairs = pq_getmsgint(buf, 4);
	if (n_pairs < 0 || (Size) n_pairs * 16 != (Size) (buf->len - buf->cursor))
		state_invalid(t, "The number of cells does not match the value's length.");
	if (n_pairs > s->pair_cap)
		s = mc_grow(s, n_pairs, s->label_slots, s->label_cap);
	c = mc_pairs(s);
	for (int32 i = 0; i < n_pairs; i++)
	{
		c[i].actual = (uint32) pq_getmsgint(buf, 4);
		c[i].predicted = (uint32) pq_getmsgint(buf, 4);
		c[i].count = pq_getmsgint64(buf);
		if (c[i].actual >= (uint32) n_labels || c[i].predicted >= (uint32) n_labels)
			state_invalid(t, "A cell names a label that does not exist.");
		if (i > 0 && !(c[i - 1].actual < c[i].actual ||
					   (c[i - 1].actual == c[i].actual && c[i - 1].predicted < c[i].predicted)))
			state_invalid(t, "The cells are not in ascending order.");
		if (c[i].count < 0 || pg_add_s64_overflow(total, c[i].count, &total))
			state_invalid(t, "A cell count is negative or the counts overflow.");
	}
	s->n_pairs = n_pairs;
	if (total != n)
		state_invalid(t, "The cell counts do not add up to the number of pairs.");
	s->n = n;
	return s;
}

/* The type's I/O functions, from the binary form above (state_codec.h). */
STATE_CODEC(multiclass_metrics_state, MC_STATE_TYPE, true, mc_state_send_bytes, mc_state_recv_buffer)
