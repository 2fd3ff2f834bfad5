/*
 * state_codec.c
 *		Text and binary I/O, validation and combine ownership shared by every
 *		aggregate state type; see state_codec.h.
 */
#include "postgres.h"
#include "core/compat.h"

#include "common/base64.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "core/state_codec.h"

/* Read one whole state from buf: the type's receive, then nothing may be left. */
static Datum
receive_whole(const StateCodec *codec, StringInfo buf)
{
	void	   *state = codec->receive(buf);

	if (buf->cursor != buf->len)
		state_invalid(codec->type_name, "The value has trailing bytes.");
	return PointerGetDatum(state);
}

/*
 * The binary form of the state in argument 0, flushed first when the type
 * buffers (the flush never changes the argument: it may be read-only).
 */
static bytea *
send_arg(const StateCodec *codec, FunctionCallInfo fcinfo)
{
	const void *state = codec->varlena ? (const void *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0))
		: (const void *) PG_GETARG_POINTER(0);

	if (codec->flush != NULL)
		state = codec->flush(fcinfo, state);
	return codec->send(state);
}

/* The invalid-text error of a state type (hint: the forms it reads). */
pg_noreturn static void
text_invalid(const StateCodec *codec)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s", codec->type_name),
			 errhint("The text form is the binary form in base64, or \\x followed by its hex digits.")));
}

/*
 * Text input: the binary form in base64, or (the text form of 0.1.0, still
 * read) "\x" and its hex digits.  The two decoders are PostgreSQL's own
 * (src/common/base64.c, which rejects whitespace and bad padding, and the
 * bytea hex reader).  (Their pointer types differ across PostgreSQL
 * versions, char in 15 and 17, uint8 in 18: the casts to void * fit both.)
 */
Datum
state_codec_in(const StateCodec *codec, FunctionCallInfo fcinfo)
{
	const char *in = PG_GETARG_CSTRING(0);
	size_t		len = strlen(in);
	StringInfoData buf;

	if (len > (size_t) MaxAllocSize / 2)
		text_invalid(codec);
	initStringInfo(&buf);
	if (len >= 2 && in[0] == '\\' && in[1] == 'x')
	{
		if ((len % 2) != 0)
			text_invalid(codec);
		enlargeStringInfo(&buf, (len - 2) / 2 + 1);
		buf.len = hex_decode(in + 2, len - 2, buf.data);
	}
	else
	{
		int			room = pg_b64_dec_len((int) len);

		enlargeStringInfo(&buf, room + 1);
		buf.len = pg_b64_decode(in, (int) len, (void *) buf.data, room);
		if (buf.len < 0 || len == 0)
			text_invalid(codec);
	}
	buf.data[buf.len] = '\0';
	return receive_whole(codec, &buf);
}

/* Text output: the binary form in base64. */
Datum
state_codec_out(const StateCodec *codec, FunctionCallInfo fcinfo)
{
	bytea	   *binary = send_arg(codec, fcinfo);
	int			len = (int) VARSIZE_ANY_EXHDR(binary);
	int			room = pg_b64_enc_len(len);
	char	   *out = palloc(room + 1);
	int			n = pg_b64_encode((const void *) VARDATA_ANY(binary), len, out, room);

	if (n < 0)
		elog(ERROR, "could not encode a %s in base64", codec->type_name);
	out[n] = '\0';
	PG_RETURN_CSTRING(out);
}

/* Binary input. */
Datum
state_codec_recv(const StateCodec *codec, FunctionCallInfo fcinfo)
{
	return receive_whole(codec, (StringInfo) PG_GETARG_POINTER(0));
}

/* Binary output. */
Datum
state_codec_send(const StateCodec *codec, FunctionCallInfo fcinfo)
{
	PG_RETURN_BYTEA_P(send_arg(codec, fcinfo));
}

/*
 * Does the rest of buf hold n items of item_size bytes?  Every count or
 * length a state's bytes claim is checked with this before anything is
 * allocated for it, so that a short value cannot make a huge allocation;
 * the product is formed in 64 bits after checking n, so it cannot overflow.
 */
bool
state_claim_fits(StringInfo buf, int64 n, Size item_size)
{
	int64		remaining = buf->len - buf->cursor;

	return n >= 0 && n <= remaining && (uint64) n * item_size <= (uint64) remaining;
}

/*
 * Varints: an unsigned integer in 7-bit groups, least significant first,
 * the high bit of each byte saying another follows (the base-128 varints of
 * Protocol Buffers' encoding documentation, also LEB128).  A count below
 * 128 takes one byte, below 16384 two.
 */
void
state_send_varint(StringInfo buf, uint64 v)
{
	char		bytes[10];
	int			n = 0;

	do
	{
		bytes[n] = (char) (v & 0x7F);
		v >>= 7;
		if (v != 0)
			bytes[n] |= (char) 0x80;
		n++;
	} while (v != 0);
	appendBinaryStringInfo(buf, bytes, n);
}

/* Read a varint; one that runs past the value or past 64 bits is invalid. */
uint64
state_recv_varint(StringInfo buf, const char *type_name)
{
	uint64		v = 0;

	for (int shift = 0; shift < 64; shift += 7)
	{
		uint8		b;

		if (buf->cursor >= buf->len)
			state_invalid(type_name, "The value ends inside a number.");
		b = (uint8) buf->data[buf->cursor++];
		/* the tenth byte holds bit 63 only */
		if (shift == 63 && b > 1)
			break;
		v |= (uint64) (b & 0x7F) << shift;
		if ((b & 0x80) == 0)
			return v;
	}
	state_invalid(type_name, "A number does not fit in 64 bits.");
}

/* Report a state whose bytes are inconsistent. */
void
state_invalid(const char *type_name, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid %s", type_name),
			 errdetail("%s", detail),
			 errhint("Partial states come from the aggregates that use them; do not build them by hand.")));
}

/*
 * The left side of a strict combine function over a fixed-size state, as a
 * state the caller may fold the right side into: the aggregate's own
 * transition value inside an aggregate, a copy on a direct call (whose
 * argument belongs to someone else).
 */
void *
state_combine_left(FunctionCallInfo fcinfo, Size size)
{
	void	   *left = PG_GETARG_POINTER(0);
	void	   *copy;

	if (AggCheckCallContext(fcinfo, NULL))
		return left;
	copy = palloc(size);
	memcpy(copy, left, size);
	return copy;
}

/* The same for a variable-size state. */
void *
state_combine_left_varlena(FunctionCallInfo fcinfo)
{
	Pointer		arg = DatumGetPointer(PG_GETARG_DATUM(0));
	struct varlena *left = PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	struct varlena *copy;

	/* a detoasted value is already a private copy */
	if ((Pointer) left != arg || AggCheckCallContext(fcinfo, NULL))
		return left;
	copy = palloc(VARSIZE(left));
	memcpy(copy, left, VARSIZE(left));
	return copy;
}

/*
 * Sort out the cases a non-strict combine function over two fixed-size
 * states need not merge.  Returns true when the result is already known:
 * *left is then the state to return, or NULL for an SQL NULL.  Otherwise
 * returns false with *left a state the caller may fold *right into (as
 * state_combine_left gives it).
 */
bool
state_combine_start(FunctionCallInfo fcinfo, Size size, void **left, void **right)
{
	MemoryContext aggcxt;
	bool		in_agg = AggCheckCallContext(fcinfo, &aggcxt);

	if (!in_agg)
		aggcxt = CurrentMemoryContext;
	if (PG_ARGISNULL(1))
	{
		*left = PG_ARGISNULL(0) ? NULL : PG_GETARG_POINTER(0);
		return true;
	}
	*right = PG_GETARG_POINTER(1);
	if (PG_ARGISNULL(0) || !in_agg)
	{
		/* a NULL left side becomes a copy of the right one */
		void	   *from = PG_ARGISNULL(0) ? *right : PG_GETARG_POINTER(0);

		*left = MemoryContextAlloc(aggcxt, size);
		memcpy(*left, from, size);
		return PG_ARGISNULL(0);
	}
	*left = PG_GETARG_POINTER(0);
	return false;
}
