/*
 * state_text.c
 *		Hex text form of pg_drift's aggregate states; see state_text.h.
 */
#include "postgres.h"
#include "core/compat.h"

#include "utils/builtins.h"

#include "core/state_text.h"

/* "\x" and the hex digits of a state's binary form. */
char *
state_text_out(bytea *binary)
{
	Size		len = VARSIZE_ANY_EXHDR(binary);
	char	   *out = palloc(2 + 2 * len + 1);

	out[0] = '\\';
	out[1] = 'x';
	hex_encode(VARDATA_ANY(binary), len, out + 2);
	out[2 + 2 * len] = '\0';
	return out;
}

/* Decode a "\x..." text form into buf, ready for the receive function. */
void
state_text_in(const char *in, const char *type_name, StringInfo buf)
{
	size_t		len = strlen(in);

	if (len < 2 || in[0] != '\\' || in[1] != 'x' || (len % 2) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s", type_name),
				 errhint("The text form is \\x followed by the hex digits of the binary form.")));
	initStringInfo(buf);
	enlargeStringInfo(buf, (len - 2) / 2 + 1);
	buf->len = hex_decode(in + 2, len - 2, buf->data);
	buf->data[buf->len] = '\0';
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
