/*
 * json_reader.h
 *		A strict reader for the small JSON documents pg_drift uses as the text
 *		form of its types.
 *
 * The types' text input must reject anything malformed with an error, and
 * must read a million-value array without building a jsonb first; this reader
 * does exactly that and nothing more.
 */
#ifndef PG_DRIFT_JSON_READER_H
#define PG_DRIFT_JSON_READER_H

#include "postgres.h"
#include "core/compat.h"

typedef struct JsonReader
{
	const char *start;			/* the whole input, for error positions */
	const char *p;				/* next unread character */
	const char *type_name;		/* SQL type being read, for messages */
} JsonReader;

extern void jr_init(JsonReader *r, const char *input, const char *type_name);
extern void jr_expect(JsonReader *r, char c);
extern bool jr_accept(JsonReader *r, char c);
extern char *jr_string(JsonReader *r, int *len);
extern float8 jr_float8(JsonReader *r);
extern int64 jr_int64(JsonReader *r);
extern bool jr_bool(JsonReader *r);
extern void jr_end(JsonReader *r);
extern void jr_skip_value(JsonReader *r);
pg_noreturn extern void jr_error(JsonReader *r, const char *detail);

/* Writers used by the matching output functions. */
extern void jw_float8(StringInfo buf, float8 v);
extern void jw_string(StringInfo buf, const char *s, int len);

#endif							/* PG_DRIFT_JSON_READER_H */
