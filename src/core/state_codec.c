/*
 * state_codec.c
 *		Text and binary I/O, validation and combine ownership shared by every
 *		aggregate state type; see state_codec.h.
 */
#include "postgres.h"
#include "core/compat.h"

#include "utils/builtins.h"

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

/* The binary form of the state in argument 0. */
static bytea *
send_arg(const StateCodec *codec, FunctionCallInfo fcinfo)
{
	const void *state = codec->varlena ? (const void *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0))
		: (const void *) PG_GETARG_POINTER(0);

	return codec->send(state);
}

/* Text input: "\x" and the hex digits of the binary form. */
Datum
state_codec_in(const StateCodec *codec, FunctionCallInfo fcinfo)
{
	const char *in = PG_GETARG_CSTRING(0);
	size_t		len = strlen(in);
	StringInfoData buf;

	if (len < 2 || in[0] != '\\' || in[1] != 'x' || (len % 2) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s", codec->type_name),
				 errhint("The text form is \\x followed by the hex digits of the binary form.")));
	initStringInfo(&buf);
	enlargeStringInfo(&buf, (len - 2) / 2 + 1);
	buf.len = hex_decode(in + 2, len - 2, buf.data);
	buf.data[buf.len] = '\0';
	return receive_whole(codec, &buf);
}

/* Text output: the binary form in hex, like bytea. */
Datum
state_codec_out(const StateCodec *codec, FunctionCallInfo fcinfo)
{
	bytea	   *binary = send_arg(codec, fcinfo);
	Size		len = VARSIZE_ANY_EXHDR(binary);
	char	   *out = palloc(2 + 2 * len + 1);

	out[0] = '\\';
	out[1] = 'x';
	hex_encode(VARDATA_ANY(binary), len, out + 2);
	out[2 + 2 * len] = '\0';
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
