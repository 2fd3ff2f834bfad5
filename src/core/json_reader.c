/*
 * json_reader.c
 *		Strict JSON reading and writing for the text forms of pg_drift types.
 *
 * Floats are written in PostgreSQL's shortest exact form, so text output and
 * input round-trip bit for bit.  Infinities and NaN, which JSON cannot spell
 * as numbers, are written as the strings "Infinity", "-Infinity" and "NaN",
 * which keeps every text form castable to jsonb.
 */
#include "postgres.h"

#include <math.h>
#include <errno.h>

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "common/shortest_dec.h"
#include "utils/float.h"

#include "core/json_reader.h"

/* Start reading input as the text form of type_name. */
void
jr_init(JsonReader *r, const char *input, const char *type_name)
{
	r->start = input;
	r->p = input;
	r->type_name = type_name;
}

/* Report malformed input, pointing at the current position. */
void
jr_error(JsonReader *r, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s", r->type_name),
			 errdetail("%s at character %d.", detail, (int) (r->p - r->start) + 1),
			 errhint("The text form of %s is the JSON object its output function writes.",
					 r->type_name)));
}

static void
skip_space(JsonReader *r)
{
	while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')
		r->p++;
}

/* Consume c (after white space) or fail. */
void
jr_expect(JsonReader *r, char c)
{
	char		detail[64];

	skip_space(r);
	if (*r->p != c)
	{
		snprintf(detail, sizeof(detail), "Expected \"%c\"", c);
		jr_error(r, detail);
	}
	r->p++;
}

/* Consume c if it comes next (after white space). */
bool
jr_accept(JsonReader *r, char c)
{
	skip_space(r);
	if (*r->p == c)
	{
		r->p++;
		return true;
	}
	return false;
}

/* Read one hex digit of a \u escape. */
static int
hex_digit(JsonReader *r, char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	jr_error(r, "Invalid \\u escape");
}

/* Read the four hex digits after \u. */
static pg_wchar
read_u_escape(JsonReader *r)
{
	pg_wchar	code = 0;

	for (int i = 0; i < 4; i++)
	{
		if (r->p[i] == '\0')
			jr_error(r, "Unterminated \\u escape");
		code = (code << 4) | hex_digit(r, r->p[i]);
	}
	r->p += 4;
	return code;
}

/* Read a JSON string; returns palloc'd bytes (NUL-terminated) and their length. */
char *
jr_string(JsonReader *r, int *len)
{
	StringInfoData out;

	skip_space(r);
	if (*r->p != '"')
		jr_error(r, "Expected a string");
	r->p++;
	initStringInfo(&out);
	for (;;)
	{
		char		c = *r->p;

		if (c == '\0')
			jr_error(r, "Unterminated string");
		r->p++;
		if (c == '"')
			break;
		if ((unsigned char) c < 0x20)
			jr_error(r, "Control character in string");
		if (c != '\\')
		{
			appendStringInfoChar(&out, c);
			continue;
		}
		c = *r->p++;
		switch (c)
		{
			case '"':
			case '\\':
			case '/':
				appendStringInfoChar(&out, c);
				break;
			case 'b':
				appendStringInfoChar(&out, '\b');
				break;
			case 'f':
				appendStringInfoChar(&out, '\f');
				break;
			case 'n':
				appendStringInfoChar(&out, '\n');
				break;
			case 'r':
				appendStringInfoChar(&out, '\r');
				break;
			case 't':
				appendStringInfoChar(&out, '\t');
				break;
			case 'u':
				{
					pg_wchar	code = read_u_escape(r);
					unsigned char utf8[8];

					if (code >= 0xD800 && code <= 0xDBFF)
					{
						pg_wchar	low;

						if (r->p[0] != '\\' || r->p[1] != 'u')
							jr_error(r, "Unpaired surrogate in \\u escape");
						r->p += 2;
						low = read_u_escape(r);
						if (low < 0xDC00 || low > 0xDFFF)
							jr_error(r, "Invalid surrogate pair in \\u escape");
						code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
					}
					else if (code >= 0xDC00 && code <= 0xDFFF)
						jr_error(r, "Unpaired surrogate in \\u escape");
					if (code == 0)
						jr_error(r, "\\u0000 cannot be stored in text");
					if (GetDatabaseEncoding() != PG_UTF8 && code > 0x7F)
						jr_error(r, "Non-ASCII \\u escape needs a UTF8 database");
					unicode_to_utf8(code, utf8);
					appendBinaryStringInfo(&out, (char *) utf8, pg_utf_mblen(utf8));
					break;
				}
			default:
				r->p--;
				jr_error(r, "Invalid escape in string");
		}
	}
	pg_verifymbstr(out.data, out.len, false);
	if (len)
		*len = out.len;
	return out.data;
}

/* Read a float: a JSON number, or "Infinity", "-Infinity", "NaN" (quoted or not). */
float8
jr_float8(JsonReader *r)
{
	const char *begin;
	char	   *end;
	bool		quoted;
	float8		v;

	skip_space(r);
	quoted = (*r->p == '"');
	if (quoted)
		r->p++;
	begin = r->p;
	if (strncmp(begin, "Infinity", 8) == 0)
	{
		v = get_float8_infinity();
		r->p += 8;
	}
	else if (strncmp(begin, "-Infinity", 9) == 0)
	{
		v = -get_float8_infinity();
		r->p += 9;
	}
	else if (strncmp(begin, "NaN", 3) == 0)
	{
		v = get_float8_nan();
		r->p += 3;
	}
	else
	{
		const char *q = begin;

		/* Only the JSON number grammar; strtod alone would accept hex and "inf". */
		if (*q == '-')
			q++;
		if (!(*q >= '0' && *q <= '9'))
			jr_error(r, "Expected a number");
		while ((*q >= '0' && *q <= '9') || *q == '.' || *q == 'e' || *q == 'E' ||
			   *q == '+' || *q == '-')
			q++;
		errno = 0;
		v = strtod(begin, &end);
		if (end != q)
			jr_error(r, "Invalid number");
		if (errno == ERANGE && (isinf(v) || v == 0.0) && end != begin)
		{
			/* Overflow is an error; underflow to a denormal or zero is what float8in does. */
			if (isinf(v))
				jr_error(r, "Number out of range for float8");
		}
		r->p = end;
	}
	if (quoted)
	{
		if (*r->p != '"')
			jr_error(r, "Expected a closing quote");
		r->p++;
	}
	return v;
}

/* Read a JSON integer that fits in int64. */
int64
jr_int64(JsonReader *r)
{
	const char *begin;
	char	   *end;
	long long	v;

	skip_space(r);
	begin = r->p;
	if (!((*begin >= '0' && *begin <= '9') || *begin == '-'))
		jr_error(r, "Expected an integer");
	errno = 0;
	v = strtoll(begin, &end, 10);
	if (end == begin || errno == ERANGE)
		jr_error(r, "Invalid or out-of-range integer");
	if (*end == '.' || *end == 'e' || *end == 'E')
		jr_error(r, "Expected an integer");
	r->p = end;
	return (int64) v;
}

/* Read true or false. */
bool
jr_bool(JsonReader *r)
{
	skip_space(r);
	if (strncmp(r->p, "true", 4) == 0)
	{
		r->p += 4;
		return true;
	}
	if (strncmp(r->p, "false", 5) == 0)
	{
		r->p += 5;
		return false;
	}
	jr_error(r, "Expected true or false");
}

/* Skip any JSON value (used for informational keys the reader recomputes). */
void
jr_skip_value(JsonReader *r)
{
	skip_space(r);
	if (*r->p == '"')
		(void) jr_string(r, NULL);
	else if (*r->p == '[')
	{
		r->p++;
		if (jr_accept(r, ']'))
			return;
		do
			jr_skip_value(r);
		while (jr_accept(r, ','));
		jr_expect(r, ']');
	}
	else if (*r->p == '{')
	{
		r->p++;
		if (jr_accept(r, '}'))
			return;
		do
		{
			(void) jr_string(r, NULL);
			jr_expect(r, ':');
			jr_skip_value(r);
		} while (jr_accept(r, ','));
		jr_expect(r, '}');
	}
	else if (*r->p == 't' || *r->p == 'f')
		(void) jr_bool(r);
	else if (strncmp(r->p, "null", 4) == 0)
		r->p += 4;
	else
		(void) jr_float8(r);
}

/* Require that only white space is left. */
void
jr_end(JsonReader *r)
{
	skip_space(r);
	if (*r->p != '\0')
		jr_error(r, "Unexpected text after the end");
}

/* Append v in shortest round-trip form; non-finite values as strings. */
void
jw_float8(StringInfo buf, float8 v)
{
	if (isnan(v))
		appendStringInfoString(buf, "\"NaN\"");
	else if (isinf(v))
		appendStringInfoString(buf, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
	else
	{
		char		tmp[64];

		/* float8out's shortest exact digits, without its palloc per value */
		double_to_shortest_decimal_buf(v, tmp);
		appendStringInfoString(buf, tmp);
	}
}

/* Append s as a JSON string literal. */
void
jw_string(StringInfo buf, const char *s, int len)
{
	appendStringInfoChar(buf, '"');
	for (int i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		switch (c)
		{
			case '"':
				appendStringInfoString(buf, "\\\"");
				break;
			case '\\':
				appendStringInfoString(buf, "\\\\");
				break;
			case '\n':
				appendStringInfoString(buf, "\\n");
				break;
			case '\r':
				appendStringInfoString(buf, "\\r");
				break;
			case '\t':
				appendStringInfoString(buf, "\\t");
				break;
			default:
				if (c < 0x20)
					appendStringInfo(buf, "\\u%04x", c);
				else
					appendStringInfoChar(buf, (char) c);
		}
	}
	appendStringInfoChar(buf, '"');
}
