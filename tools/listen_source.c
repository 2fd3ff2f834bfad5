/*
 * listen_source.c
 *		Where pg_drift_listen's alerts come from: the rows of drift.alerts
 *		that the connected role may read.  A notification only wakes it up.
 *
 * Any role may pg_notify() any channel, so a notification's payload proves
 * nothing: it is never printed, executed or parsed (not even for an alert id
 * to skip, which would let a forged id suppress the genuine alert, nor for a
 * "summary" range, which would let a forged range replay history).  Every
 * notification on the channel, genuine or not, causes at most one re-read of
 * the table (a sync), which delivers only rows not delivered before.  What the
 * listener delivers is therefore exactly what the connected role can SELECT
 * from drift.alerts under its row-level security.
 *
 * NOTIFY is not durable either, so the listener syncs after every
 * (re)connect and every 10 seconds as well (SYNC_MS in pg_drift_listen.c).
 * It LISTENs before its first sync, so an alert committed in between still
 * wakes it.
 *
 * Alert ids are taken from a sequence when a run writes them, and runs commit
 * in any order (several schedulers, manual runs): alert 10 can commit after
 * alert 11 was delivered.  "Everything after the last id delivered" would
 * then miss 10.  So every alert row records its transaction (xact_id), and a
 * sync also notes the oldest transaction still running in its snapshot (the
 * horizon): every transaction older than that had ended, and what it
 * committed was visible to the sync and delivered.  The next sync reads the
 * rows after the last id delivered plus those of transactions at or past the
 * horizon, skipping the ids already delivered among them (the unsettled ids,
 * which the state file keeps with the last id and the horizon).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listen_alertmanager.h"
#include "listen_deliver.h"
#include "listen_source.h"
#include "listen_state.h"

static const char *conninfo = "";
static const char *channel = "pg_drift";
static const char *state_file = NULL;
static int	check_position = 0;	/* position loaded from the state file, not yet checked */
static int	fatal = 0;			/* the state file does not fit the server: do not retry */

/* Set what to connect to, the channel, the state file, and whether to check the loaded position. */
void
source_init(const char *conninfo_arg, const char *channel_arg, const char *state_file_arg,
			int check_loaded_position)
{
	conninfo = conninfo_arg;
	channel = channel_arg;
	state_file = state_file_arg;
	check_position = check_loaded_position;
}

/* Whether the last failure was one that retrying cannot cure. */
int
source_fatal(void)
{
	return fatal;
}

/* Report a failed query; returns -1. */
static int
query_failed(PGconn *conn, PGresult *res, const char *what)
{
	fprintf(stderr, "pg_drift_listen: could not %s: %s", what, PQerrorMessage(conn));
	PQclear(res);
	return -1;
}

/*
 * Check, once connected, that a horizon read from the state file fits this
 * server: it is not past every transaction the server has started.  A file
 * from another cluster, or one edited by hand, would otherwise make the
 * listener skip every later alert.  (A last id past the newest alert is
 * harmless while the horizon is known: later alerts are read by transaction.
 * It is not checked against the table, whose rows their owners may delete.)
 * 0 when it fits; -1 otherwise, after a message (and the failure is fatal).
 */
static int
check_loaded_position(PGconn *conn)
{
	char		horizon[32];
	const char *params[1];
	PGresult   *res;
	int			ok;

	snprintf(horizon, sizeof(horizon), "%llu", (unsigned long long) position.horizon);
	params[0] = position.has_horizon ? horizon : NULL;
	res = PQexecParams(conn,
					   "SELECT coalesce($1::xid8 <= pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot()),"
					   "                true)",
					   1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return query_failed(conn, res, "check the state file's horizon");
	ok = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (ok)
	{
		check_position = 0;
		return 0;
	}
	fprintf(stderr, "pg_drift_listen: state file \"%s\" does not fit this server: its horizon "
			"%llu is past every transaction the server has started\n"
			"pg_drift_listen: hint: Was it written for another server? Remove it to start at the "
			"newest alert, or start with --since-id to choose the first alert.\n",
			state_file, (unsigned long long) position.horizon);
	fatal = 1;
	return -1;
}

/*
 * The payload's fields that deliverers use, selected from drift.alerts a, in
 * the order alert_from_row reads them.
 */
#define ALERT_FIELDS_SQL \
	"a.payload->>'state', a.payload->>'monitor', a.payload->>'column'," \
	" CASE WHEN a.payload->'slice' <> '{}'::jsonb THEN (a.payload->'slice')::text END," \
	" a.payload->>'metric', a.payload->>'statistic', a.payload->>'p_value'," \
	" a.payload->>'threshold', a.payload->>'window_start'," \
	" a.payload->>'window_end', a.payload->>'run_at', a.payload->>'error'"

/*
 * Row i of a query's result as an Alert: the id in column id_col, the
 * payload's text in the next one, and ALERT_FIELDS_SQL from fields_col on.
 * The strings stay in the result.
 */
static void
alert_from_row(PGresult *res, int i, int id_col, int fields_col, Alert *alert)
{
	const char **fields[] = {
		&alert->state, &alert->monitor, &alert->column, &alert->slice, &alert->metric,
		&alert->statistic, &alert->p_value, &alert->threshold, &alert->window_start,
		&alert->window_end, &alert->run_at, &alert->error
	};

	alert->alert_id = strtoll(PQgetvalue(res, i, id_col), NULL, 10);
	alert->payload = PQgetvalue(res, i, id_col + 1);
	/* "" when absent: PQgetvalue of a NULL */
	for (int f = 0; f < (int) (sizeof(fields) / sizeof(fields[0])); f++)
		*fields[f] = PQgetvalue(res, i, fields_col + f);
}

/*
 * Deliver row i of a sync's result unless among the first n_known unsettled
 * ids.  0 when delivered or skipped; -1 when a deliverer gave up (the
 * listener is stopping), and the alert then counts as not delivered.
 */
static int
deliver_row(PGresult *res, int i, int n_known)
{
	Alert		alert;
	long long	id;

	alert_from_row(res, i, 2, 5, &alert);
	id = alert.alert_id;
	if (position_seen(id, n_known))
		return 0;
	if (deliver_alert(&alert) != 0)
		return -1;
	/* delivered since the horizon was taken: unsettled until a later sync */
	position_add_unsettled(id);
	if (id > position.last_id)
		position.last_id = id;
	return 0;
}

/*
 * The sync: deliver the alerts of our channel after the last id delivered and
 * those of transactions at or past the horizon (skipping ids delivered
 * already), in id order, then move the horizon to the oldest transaction
 * running in this snapshot and keep as unsettled the ids read whose
 * transaction is at or past it.  A fresh listener (no last id) delivers
 * nothing: it starts at the newest alert and only notes the unsettled ids.
 * Alert rows restored from another cluster can carry transaction ids beyond
 * this cluster's; those at or past the snapshot's xmax are not taken as
 * unsettled.  The state file is written at the end.  A deliverer that gives
 * up (Alertmanager unreachable when a signal came) ends the sync early, as a
 * signal does: that alert and the later ones count as not delivered, and the
 * old horizon stays, so the next run reads them again.  0 on success.
 */
int
source_sync(PGconn *conn)
{
	int			fresh = (position.last_id < 0);
	char		after[32], horizon[32];
	const char *params[4];
	PGresult   *res;
	long long	max_id = 0;
	int			n_known = position.n_unsettled;
	int			undelivered = 0;
	int			i;

	if (check_position && check_loaded_position(conn) != 0)
		return -1;
	snprintf(after, sizeof(after), "%lld", position.last_id);
	snprintf(horizon, sizeof(horizon), "%llu", (unsigned long long) position.horizon);
	params[0] = channel;
	params[1] = after;
	params[2] = position.has_horizon ? horizon : NULL;
	params[3] = fresh ? "true" : "false";
	res = PQexecParams(conn,
					   "WITH h AS (SELECT pg_catalog.pg_snapshot_xmin(s) AS lo,"
					   "                  pg_catalog.pg_snapshot_xmax(s) AS hi"
					   "             FROM pg_catalog.pg_current_snapshot() s)"
					   " SELECT h.lo::text,"
					   "        (SELECT pg_catalog.max(m.alert_id) FROM drift.alerts m"
					   "          WHERE m.channel = $1),"
					   "        a.alert_id, a.payload::text, a.xact_id >= h.lo AND a.xact_id < h.hi, "
					   ALERT_FIELDS_SQL
					   "   FROM h LEFT JOIN drift.alerts a"
					   "     ON a.channel = $1"
					   "    AND ((NOT $4::boolean AND a.alert_id > $2::bigint)"
					   "         OR (a.xact_id >= coalesce($3::xid8, CASE WHEN $4::boolean THEN h.lo END)"
					   "             AND a.xact_id < h.hi))"
					   "  ORDER BY a.alert_id",
					   4, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return query_failed(conn, res, "read drift.alerts");
	if (!PQgetisnull(res, 0, 1))
		max_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	for (i = 0; i < PQntuples(res) && !fresh && !stop_requested && !undelivered; i++)
		if (!PQgetisnull(res, i, 2))
			undelivered = deliver_row(res, i, n_known) != 0;
	if (stop_requested || undelivered)
	{
		/* not finished: keep the old horizon, the ids delivered stay unsettled */
		PQclear(res);
		position_save(state_file);
		return -1;
	}
	position.n_unsettled = 0;
	for (i = 0; i < PQntuples(res); i++)
		if (!PQgetisnull(res, i, 2) && strcmp(PQgetvalue(res, i, 4), "t") == 0)
			position_add_unsettled(strtoll(PQgetvalue(res, i, 2), NULL, 10));
	position.horizon = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	position.has_horizon = 1;
	if (fresh)
		position.last_id = max_id;
	PQclear(res);
	position_save(state_file);
	return 0;
}

/*
 * --alertmanager-refresh: post again the breaches that are still firing,
 * because Alertmanager keeps no alert across its own restart and ends one
 * without endsAt after its resolve_timeout.  A breach is firing when the
 * newest firing-or-resolved alert of its monitor and slice says so; only
 * alerts up to the last id delivered are looked at, so a refresh never posts
 * what a sync has not delivered yet.  One attempt each: a failure waits for
 * the next refresh.  0, or -1 when the query failed.
 */
int
source_refresh(PGconn *conn)
{
	char		upto[32];
	const char *params[2];
	PGresult   *res;

	if (position.last_id < 0)
		return 0;
	snprintf(upto, sizeof(upto), "%lld", position.last_id);
	params[0] = channel;
	params[1] = upto;
	res = PQexecParams(conn,
					   "SELECT a.alert_id, a.payload::text, " ALERT_FIELDS_SQL
					   "  FROM (SELECT DISTINCT ON (n.monitor_id, n.payload->'slice') n.*"
					   "          FROM drift.alerts n"
					   "         WHERE n.channel = $1 AND n.alert_id <= $2::bigint"
					   "           AND n.payload->>'state' IN ('firing', 'resolved')"
					   "         ORDER BY n.monitor_id, n.payload->'slice', n.alert_id DESC) a"
					   " WHERE a.payload->>'state' = 'firing'"
					   " ORDER BY a.alert_id",
					   2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return query_failed(conn, res, "read the firing alerts");
	for (int i = 0; i < PQntuples(res) && !stop_requested; i++)
	{
		Alert		alert;

		alert_from_row(res, i, 0, 2, &alert);
		alertmanager_repost(&alert);
	}
	PQclear(res);
	return 0;
}

/* LISTEN on the channel (quoted as an identifier).  0 on success. */
static int
listen_channel(PGconn *conn)
{
	char	   *ident = PQescapeIdentifier(conn, channel, strlen(channel));
	char	   *sql;
	PGresult   *res;

	if (ident == NULL)
	{
		fprintf(stderr, "pg_drift_listen: bad channel name: %s", PQerrorMessage(conn));
		return -1;
	}
	sql = malloc(strlen(ident) + sizeof("LISTEN "));
	if (sql == NULL)
	{
		fprintf(stderr, "pg_drift_listen: out of memory\n");
		exit(1);
	}
	sprintf(sql, "LISTEN %s", ident);
	PQfreemem(ident);
	res = PQexec(conn, sql);
	free(sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return query_failed(conn, res, "LISTEN");
	PQclear(res);
	return 0;
}

/*
 * Empty the session's search_path, as pg_dump does: the queries name
 * drift.alerts and pg_catalog's functions, and then no other role's schema
 * (public, say) can supply an operator or function that they would call.
 * 0 on success.
 */
static int
secure_search_path(PGconn *conn)
{
	PGresult   *res = PQexec(conn, "SELECT pg_catalog.set_config('search_path', '', false)");

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return query_failed(conn, res, "clear search_path");
	PQclear(res);
	return 0;
}

/* Connect, LISTEN if asked, and sync; NULL on failure (see source_fatal). */
PGconn *
source_connect(int do_listen)
{
	PGconn	   *conn = PQconnectdb(conninfo);

	if (PQstatus(conn) != CONNECTION_OK)
	{
		fprintf(stderr, "pg_drift_listen: could not connect: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	/* listening from here on: what the table shows now cannot be missed */
	if (secure_search_path(conn) != 0 || (do_listen && listen_channel(conn) != 0) ||
		source_sync(conn) != 0)
	{
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

/*
 * Consume the notifications that arrived, without looking at their payloads;
 * the number consumed (each asks for a sync, which reads the table).
 */
int
source_drain(PGconn *conn)
{
	PGnotify   *n;
	int			count = 0;

	while ((n = PQnotifies(conn)) != NULL)
	{
		PQfreemem(n);
		count++;
	}
	return count;
}
