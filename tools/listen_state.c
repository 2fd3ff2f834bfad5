/*
 * listen_state.c
 *		pg_drift_listen's position and its state file.
 *
 * The state file is text, one decimal number a line:
 *
 *		last alert id delivered (-1: none)
 *		horizon, an xid8 ("-": not known yet)
 *		one line per unsettled id
 *
 * It is written whole to PATH.tmp, flushed to disk and renamed, so a crash
 * leaves either the old file or the new one.  Every value in it was read
 * from drift.alerts or from a snapshot, never from a notification; loading
 * checks each line strictly (digits only, in range, unsettled ids not past
 * the last id), because a value that slipped through would silently move the
 * listener's position: a huge last id or horizon would skip every later
 * alert.  Whether the values fit the database is checked once connected
 * (listen_source.c).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listen_state.h"

ListenPosition position = {-1, 0, 0, NULL, 0, 0};

/*
 * Whether an id is among the first n unsettled ones (delivered already).  A
 * sync passes the number it started with: the ids it adds itself are new,
 * and a catch-up of many alerts would otherwise compare each with all.
 */
int
position_seen(long long id, int n)
{
	for (int i = 0; i < n; i++)
		if (position.unsettled[i] == id)
			return 1;
	return 0;
}

/* Add an id to the unsettled set, growing it as needed. */
void
position_add_unsettled(long long id)
{
	if (position.n_unsettled == position.cap_unsettled)
	{
		int			cap = position.cap_unsettled ? position.cap_unsettled * 2 : 64;
		long long  *grown = realloc(position.unsettled, sizeof(long long) * cap);

		if (grown == NULL)
		{
			fprintf(stderr, "pg_drift_listen: out of memory\n");
			exit(1);
		}
		position.unsettled = grown;
		position.cap_unsettled = cap;
	}
	position.unsettled[position.n_unsettled++] = id;
}

/*
 * Parse a line that must be an unsigned decimal number no larger than max
 * (no sign, no blanks: strtoull would accept "-1" and wrap it).  0 on success.
 */
static int
parse_decimal(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t	v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++)
	{
		if (*s < '0' || *s > '9' || v > (max - (uint64_t) (*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t) (*s - '0');
	}
	*out = v;
	return 0;
}

/* Report a state file that cannot be trusted; returns -1 for position_load. */
static int
bad_state(const char *path, int lineno, const char *what)
{
	fprintf(stderr, "pg_drift_listen: invalid state file \"%s\": line %d: %s\n"
			"pg_drift_listen: hint: Remove the file to start at the newest alert, "
			"or start with --since-id to choose the first alert.\n",
			path, lineno, what);
	return -1;
}

/*
 * Read what position_save wrote.  1 when there is no state file (a fresh
 * start), 0 when loaded, -1 (after a message) when the file cannot be read or
 * is not a state file.
 */
int
position_load(const char *path)
{
	FILE	   *f = fopen(path, "r");
	char	   *line = NULL;
	size_t		size = 0;
	ssize_t		len;
	int			lineno = 0;
	int			rc = 0;
	uint64_t	v;

	if (f == NULL)
	{
		if (errno == ENOENT)
			return 1;
		fprintf(stderr, "pg_drift_listen: could not read state file \"%s\": %s\n",
				path, strerror(errno));
		return -1;
	}
	while (rc == 0 && (len = getline(&line, &size, f)) >= 0)
	{
		lineno++;
		if (len == 0 || line[len - 1] != '\n')
			rc = bad_state(path, lineno, "incomplete line");
		else
		{
			line[len - 1] = '\0';
			if (lineno == 1)
			{
				if (strcmp(line, "-1") == 0)
					position.last_id = -1;
				else if (parse_decimal(line, LLONG_MAX, &v) == 0)
					position.last_id = (long long) v;
				else
					rc = bad_state(path, lineno, "the last alert id is not an integer between -1 and 9223372036854775807");
			}
			else if (lineno == 2)
			{
				position.has_horizon = (strcmp(line, "-") != 0);
				if (position.has_horizon && parse_decimal(line, UINT64_MAX, &position.horizon) != 0)
					rc = bad_state(path, lineno, "the horizon is neither \"-\" nor a transaction id");
			}
			else if (parse_decimal(line, LLONG_MAX, &v) != 0 || (long long) v > position.last_id)
				rc = bad_state(path, lineno, "an unsettled alert id is not an integer between 0 and the last alert id");
			else
				position_add_unsettled((long long) v);
		}
	}
	if (rc == 0 && ferror(f))
	{
		fprintf(stderr, "pg_drift_listen: could not read state file \"%s\": %s\n",
				path, strerror(errno));
		rc = -1;
	}
	else if (rc == 0 && lineno < 2)
		rc = bad_state(path, lineno + 1, "missing (the file is truncated)");
	free(line);
	fclose(f);
	if (rc != 0)
		position.n_unsettled = 0;
	return rc;
}

/* Write the position to the state file (if any), whole, then rename it into place. */
void
position_save(const char *path)
{
	size_t		n;
	char	   *tmp;
	FILE	   *f;
	int			ok;

	if (path == NULL)
		return;
	n = strlen(path) + sizeof(".tmp");
	tmp = malloc(n);
	if (tmp == NULL)
	{
		fprintf(stderr, "pg_drift_listen: out of memory\n");
		exit(1);
	}
	snprintf(tmp, n, "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL)
	{
		fprintf(stderr, "pg_drift_listen: could not write \"%s\": %s\n", tmp, strerror(errno));
		free(tmp);
		return;
	}
	fprintf(f, "%lld\n", position.last_id);
	if (position.has_horizon)
		fprintf(f, "%llu\n", (unsigned long long) position.horizon);
	else
		fputs("-\n", f);
	for (int i = 0; i < position.n_unsettled; i++)
		fprintf(f, "%lld\n", position.unsettled[i]);
	/* on disk before the rename, so that a crash cannot leave an empty file */
	ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) != 0)
		fprintf(stderr, "pg_drift_listen: could not save \"%s\": %s\n", path, strerror(errno));
	free(tmp);
}
