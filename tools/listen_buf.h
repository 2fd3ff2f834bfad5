/*
 * listen_buf.h
 *		A growing text buffer for pg_drift_listen's HTTP bodies (the
 *		/metrics page, Alertmanager's JSON), with the two escapes they need.
 */
#ifndef LISTEN_BUF_H
#define LISTEN_BUF_H

#include <stddef.h>

typedef struct Buf
{
	char	   *data;			/* NUL-terminated */
	size_t		len;
	size_t		cap;
} Buf;

extern void buf_init(Buf *b);
extern void buf_free(Buf *b);
extern void buf_printf(Buf *b, const char *fmt,...) __attribute__((format(printf, 2, 3)));
extern void buf_json_string(Buf *b, const char *s);
extern void buf_label_value(Buf *b, const char *s);

#endif							/* LISTEN_BUF_H */
