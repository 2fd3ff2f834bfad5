/*
 * listen_buf.c
 *		A growing text buffer and the escapes of the two formats
 *		pg_drift_listen writes over HTTP.
 *
 * JSON strings (RFC 8259, section 7): '"', '\\' and every byte below 0x20
 * are escaped; other bytes, UTF-8 included, pass unchanged.
 * Prometheus label values (text exposition format 0.0.4): only '\\', '"'
 * and newline are escaped, as "\\\\", "\\\"" and "\\n".
 * The texts come from a UTF8 client connection, so they are valid UTF-8,
 * which both formats require.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listen_buf.h"

void
buf_init(Buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
buf_free(Buf *b)
{
	free(b->data);
	buf_init(b);
}

/* Make room for n more bytes and the NUL; out of memory ends the program. */
static void
buf_reserve(Buf *b, size_t n)
{
	size_t		cap = b->cap ? b->cap : 1024;
	char	   *grown;

	if (b->len + n + 1 <= b->cap)
		return;
	while (cap < b->len + n + 1)
		cap *= 2;
	grown = realloc(b->data, cap);
	if (grown == NULL)
	{
		fprintf(stderr, "pg_drift_listen: out of memory\n");
		exit(1);
	}
	b->data = grown;
	b->cap = cap;
}

void
buf_printf(Buf *b, const char *fmt,...)
{
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_reserve(b, (size_t) n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t) n;
}

/* Append s as a quoted JSON string. */
void
buf_json_string(Buf *b, const char *s)
{
	buf_printf(b, "\"");
	for (const unsigned char *p = (const unsigned char *) s; *p != '\0'; p++)
	{
		if (*p == '"' || *p == '\\')
			buf_printf(b, "\\%c", *p);
		else if (*p < 0x20)
			buf_printf(b, "\\u%04x", *p);
		else
			buf_printf(b, "%c", *p);
	}
	buf_printf(b, "\"");
}

/* Append s as a quoted Prometheus label value. */
void
buf_label_value(Buf *b, const char *s)
{
	buf_printf(b, "\"");
	for (const char *p = s; *p != '\0'; p++)
	{
		if (*p == '"' || *p == '\\')
			buf_printf(b, "\\%c", *p);
		else if (*p == '\n')
			buf_printf(b, "\\n");
		else
			buf_printf(b, "%c", *p);
	}
	buf_printf(b, "\"");
}
