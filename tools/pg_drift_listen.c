/*
 * pg_drift_listen.c
 *		Print pg_drift alerts as they happen: LISTEN on a channel, write one
 *		JSON line per alert to stdout, optionally pipe each into a command.
 *
 * NOTIFY is not durable: a listener that is down misses notifications.  Every
 * alert is therefore also a row of drift.alerts (same transaction as its
 * NOTIFY), and this client catches up from that table after every
 * (re)connect and every SYNC_SECONDS while connected (a "sync").  It LISTENs
 * before catching up, so nothing falls between the two, and skips ids it
 * already printed, so nothing is printed twice.  When a run had more alerts
 * than it notified one by one (a "summary" notification), the omitted ones
 * are read from the table too.
 *
 * Alert ids are taken from a sequence when a run writes them, and runs commit
 * in any order (several schedulers, manual runs): alert 10 can commit after
 * alert 11 was printed.  "Everything after the last id printed" would then
 * miss 10.  So every alert row records its transaction (xact_id), and a sync
 * also notes the oldest transaction still running in its snapshot (the
 * horizon): every transaction older than that had ended, and what it
 * committed was visible to the sync and printed.  The next sync reads the
 * rows after the last id printed plus those of transactions at or past the
 * horizon, skipping the ids already printed among them (kept in "unsettled",
 * which the state file remembers with the last id and the horizon).
 *
 *   pg_drift_listen [--channel NAME] [--exec CMD] [--since-id N]
 *                   [--state-file PATH] [--max-backoff SECONDS] [--once] [CONNINFO]
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "libpq-fe.h"

#define RECENT_IDS 4096
#define SYNC_SECONDS 10

static volatile sig_atomic_t stop_requested = 0;

static const char *channel = "pg_drift";
static const char *exec_cmd = NULL;
static const char *state_file = NULL;
static const char *conninfo = "";
static long long last_id = -1;	/* highest alert id printed; -1: none yet */
static char horizon[32] = "";	/* xid8 as text; "": not known yet */

/* Ids printed whose transaction is at or past the horizon. */
static long long *unsettled = NULL;
static int	n_unsettled = 0;
static int	cap_unsettled = 0;
static int	max_backoff = 30;
static int	once = 0;			/* --once: catch up, print, exit */

/* Ids printed lately, to skip the NOTIFY of an alert caught up from the table. */
static long long recent[RECENT_IDS];
static int	recent_next = 0;

/* Inside a sync: the state file is written once at its end. */
static int	syncing = 0;

/* SIGINT/SIGTERM: finish the current alert, then exit. */
static void
on_signal(int sig)
{
	(void) sig;
	stop_requested = 1;
}

/* Whether an alert id was printed lately. */
static int
seen(long long id)
{
	int			i;

	for (i = 0; i < RECENT_IDS; i++)
		if (recent[i] == id)
			return 1;
	for (i = 0; i < n_unsettled; i++)
		if (unsettled[i] == id)
			return 1;
	return 0;
}

/* Add an id to the unsettled set (growing it as needed). */
static void
add_unsettled(long long id)
{
	if (n_unsettled == cap_unsettled)
	{
		long long  *grown;

		cap_unsettled = cap_unsettled ? cap_unsettled * 2 : 64;
		grown = realloc(unsettled, sizeof(long long) * cap_unsettled);
		if (grown == NULL)
		{
			fprintf(stderr, "pg_drift_listen: out of memory\n");
			exit(1);
		}
		unsettled = grown;
	}
	unsettled[n_unsettled++] = id;
}

/*
 * Remember the last id, the horizon and the unsettled ids in the state file
 * (written whole, then renamed).
 */
static void
save_state(void)
{
	char		tmp[4096];
	FILE	   *f;

	if (state_file == NULL)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", state_file);
	f = fopen(tmp, "w");
	if (f == NULL)
	{
		fprintf(stderr, "pg_drift_listen: could not write \"%s\": %s\n", tmp, strerror(errno));
		return;
	}
	fprintf(f, "%lld\n%s\n", last_id, horizon[0] ? horizon : "-");
	for (int i = 0; i < n_unsettled; i++)
		fprintf(f, "%lld\n", unsettled[i]);
	if (fclose(f) != 0 || rename(tmp, state_file) != 0)
		fprintf(stderr, "pg_drift_listen: could not save \"%s\": %s\n", state_file,
				strerror(errno));
}

/* Read what save_state wrote; a missing or unreadable file means a fresh start. */
static void
load_state(void)
{
	FILE	   *f = fopen(state_file, "r");
	char		line[sizeof(horizon)];
	long long	id;

	if (f == NULL)
		return;
	if (fgets(line, sizeof(line), f) == NULL || sscanf(line, "%lld", &last_id) != 1)
		last_id = -1;
	else if (fgets(line, sizeof(line), f) != NULL && line[0] >= '0' && line[0] <= '9')
	{
		line[strcspn(line, "\n")] = '\0';
		memcpy(horizon, line, sizeof(horizon));
		while (fscanf(f, "%lld", &id) == 1)
			add_unsettled(id);
	}
	fclose(f);
}

/* The "alert_id" of a payload, or -1. */
static long long
payload_id(const char *payload)
{
	const char *p = strstr(payload, "\"alert_id\":");

	if (p == NULL)
		return -1;
	return strtoll(p + strlen("\"alert_id\":"), NULL, 10);
}

/* Print one alert (and run --exec) unless already printed. */
static void
emit(long long id, const char *payload)
{
	if (id >= 0 && seen(id))
		return;
	fputs(payload, stdout);
	fputc('\n', stdout);
	fflush(stdout);
	if (exec_cmd != NULL)
	{
		FILE	   *p = popen(exec_cmd, "w");
		int			rc;

		if (p == NULL)
			fprintf(stderr, "pg_drift_listen: could not run --exec command: %s\n",
					strerror(errno));
		else
		{
			fputs(payload, p);
			fputc('\n', p);
			rc = pclose(p);
			if (rc != 0)
				fprintf(stderr, "pg_drift_listen: --exec command exited with status %d\n", rc);
		}
	}
	if (id >= 0)
	{
		recent[recent_next] = id;
		recent_next = (recent_next + 1) % RECENT_IDS;
		/* printed since the last sync: its transaction is past the horizon */
		add_unsettled(id);
		if (id > last_id)
			last_id = id;
		if (!syncing)
			save_state();
	}
}

/*
 * Print the alerts of our channel in drift.alerts with ids in (from, to]
 * (to < 0: no upper bound), in id order.  0 on success.
 */
static int
catch_up(PGconn *conn, long long from, long long to)
{
	char		a[32], b[32];
	const char *params[3];
	PGresult   *res;
	int			i;

	snprintf(a, sizeof(a), "%lld", from);
	snprintf(b, sizeof(b), "%lld", to);
	params[0] = channel;
	params[1] = a;
	params[2] = b;
	res = PQexecParams(conn,
					   "SELECT alert_id, payload::text FROM drift.alerts"
					   " WHERE channel = $1 AND alert_id > $2::bigint"
					   " AND ($3::bigint < 0 OR alert_id <= $3::bigint) ORDER BY alert_id",
					   3, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		fprintf(stderr, "pg_drift_listen: could not read drift.alerts: %s",
				PQerrorMessage(conn));
		PQclear(res);
		return -1;
	}
	for (i = 0; i < PQntuples(res) && !stop_requested; i++)
		emit(strtoll(PQgetvalue(res, i, 0), NULL, 10), PQgetvalue(res, i, 1));
	PQclear(res);
	return 0;
}

/*
 * The sync: print the alerts after the last id printed and those of
 * transactions at or past the horizon (skipping ids printed already), then
 * move the horizon to the oldest transaction running in this snapshot and
 * keep as unsettled the ids read whose transaction is at or past it.  A fresh
 * listener (no last id) prints nothing: it starts at the newest alert and
 * only notes the unsettled ids.  Alert rows restored from another cluster
 * can carry transaction ids beyond this cluster's; those at or past the
 * snapshot's xmax are not taken as unsettled.  0 on success.
 */
static int
sync_alerts(PGconn *conn)
{
	int			fresh = (last_id < 0);
	char		after[32];
	const char *params[4];
	PGresult   *res;
	long long	max_id = 0;
	int			i;

	snprintf(after, sizeof(after), "%lld", last_id);
	params[0] = channel;
	params[1] = after;
	params[2] = horizon[0] ? horizon : NULL;
	params[3] = fresh ? "true" : "false";
	res = PQexecParams(conn,
					   "WITH h AS (SELECT pg_catalog.pg_snapshot_xmin(s) AS lo,"
					   "                  pg_catalog.pg_snapshot_xmax(s) AS hi"
					   "             FROM pg_catalog.pg_current_snapshot() s)"
					   " SELECT h.lo::text,"
					   "        (SELECT pg_catalog.max(m.alert_id) FROM drift.alerts m"
					   "          WHERE m.channel = $1),"
					   "        a.alert_id, a.payload::text, a.xact_id >= h.lo AND a.xact_id < h.hi"
					   "   FROM h LEFT JOIN drift.alerts a"
					   "     ON a.channel = $1"
					   "    AND ((NOT $4::boolean AND a.alert_id > $2::bigint)"
					   "         OR (a.xact_id >= coalesce($3::xid8, CASE WHEN $4::boolean THEN h.lo END)"
					   "             AND a.xact_id < h.hi))"
					   "  ORDER BY a.alert_id",
					   4, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		fprintf(stderr, "pg_drift_listen: could not read drift.alerts: %s",
				PQerrorMessage(conn));
		PQclear(res);
		return -1;
	}
	if (!PQgetisnull(res, 0, 1))
		max_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	syncing = 1;
	for (i = 0; i < PQntuples(res) && !stop_requested; i++)
	{
		if (PQgetisnull(res, i, 2))
			continue;
		if (!fresh)
			emit(strtoll(PQgetvalue(res, i, 2), NULL, 10), PQgetvalue(res, i, 3));
	}
	syncing = 0;
	if (stop_requested)
	{
		/* not finished: keep the old horizon, the printed ids stay unsettled */
		PQclear(res);
		save_state();
		return -1;
	}
	n_unsettled = 0;
	for (i = 0; i < PQntuples(res); i++)
		if (!PQgetisnull(res, i, 2) && strcmp(PQgetvalue(res, i, 4), "t") == 0)
			add_unsettled(strtoll(PQgetvalue(res, i, 2), NULL, 10));
	snprintf(horizon, sizeof(horizon), "%s", PQgetvalue(res, 0, 0));
	if (fresh)
		last_id = max_id;
	PQclear(res);
	save_state();
	return 0;
}

/* Connect, LISTEN and catch up; NULL on failure. */
static PGconn *
connect_and_listen(void)
{
	PGconn	   *conn = PQconnectdb(conninfo);
	PGresult   *res;
	char	   *ident;
	char		sql[256];

	if (PQstatus(conn) != CONNECTION_OK)
	{
		fprintf(stderr, "pg_drift_listen: could not connect: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	ident = PQescapeIdentifier(conn, channel, strlen(channel));
	if (ident == NULL)
	{
		fprintf(stderr, "pg_drift_listen: bad channel name: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	snprintf(sql, sizeof(sql), "LISTEN %s", ident);
	PQfreemem(ident);
	res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		fprintf(stderr, "pg_drift_listen: LISTEN failed: %s", PQerrorMessage(conn));
		PQclear(res);
		PQfinish(conn);
		return NULL;
	}
	PQclear(res);
	/* listening from here on: what the table shows now cannot be missed */
	if (sync_alerts(conn) != 0)
	{
		PQfinish(conn);
		return NULL;
	}
	fprintf(stderr, "pg_drift_listen: listening on \"%s\" after alert %lld\n", channel, last_id);
	return conn;
}

/* Handle one notification. */
static void
handle(PGconn *conn, PGnotify *n)
{
	const char *p = n->extra;

	if (strstr(p, "\"state\": \"summary\"") != NULL)
	{
		/* the run notified only some of its alerts: read the rest */
		const char *f = strstr(p, "\"first_omitted_alert_id\":");
		const char *l = strstr(p, "\"last_omitted_alert_id\":");

		if (f && l &&
			catch_up(conn, strtoll(f + strlen("\"first_omitted_alert_id\":"), NULL, 10) - 1,
					 strtoll(l + strlen("\"last_omitted_alert_id\":"), NULL, 10)) == 0)
			return;
		emit(-1, p);
		return;
	}
	emit(payload_id(p), p);
}

/* Print usage. */
static void
usage(void)
{
	printf("pg_drift_listen prints pg_drift alerts, one JSON line each.\n\n"
		   "Usage: pg_drift_listen [OPTION]... [CONNINFO]\n\n"
		   "  -c, --channel=NAME       channel to LISTEN on (default pg_drift)\n"
		   "  -e, --exec=COMMAND       run COMMAND for each alert, payload on stdin\n"
		   "  -s, --since-id=N         first catch up alerts after id N from drift.alerts\n"
		   "  -f, --state-file=PATH    remember in PATH, across runs, which alerts were printed\n"
		   "  -b, --max-backoff=SECS   longest wait between reconnects (default 30)\n"
		   "  -1, --once               print the stored alerts after the last id and exit\n"
		   "  -h, --help               show this help\n\n"
		   "CONNINFO is a libpq connection string or URI; PG* environment variables apply.\n");
}

int
main(int argc, char **argv)
{
	static struct option opts[] = {
		{"channel", required_argument, NULL, 'c'},
		{"exec", required_argument, NULL, 'e'},
		{"since-id", required_argument, NULL, 's'},
		{"state-file", required_argument, NULL, 'f'},
		{"max-backoff", required_argument, NULL, 'b'},
		{"once", no_argument, NULL, '1'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	struct sigaction sa;
	PGconn	   *conn = NULL;
	int			backoff = 1;
	time_t		last_sync = 0;
	int			c;
	int			i;

	for (i = 0; i < RECENT_IDS; i++)
		recent[i] = -1;
	while ((c = getopt_long(argc, argv, "c:e:s:f:b:1h", opts, NULL)) != -1)
	{
		switch (c)
		{
			case 'c':
				channel = optarg;
				break;
			case 'e':
				exec_cmd = optarg;
				break;
			case 's':
				last_id = strtoll(optarg, NULL, 10);
				break;
			case 'f':
				state_file = optarg;
				break;
			case 'b':
				max_backoff = atoi(optarg);
				if (max_backoff < 1)
					max_backoff = 1;
				break;
			case '1':
				once = 1;
				break;
			case 'h':
				usage();
				return 0;
			default:
				fprintf(stderr, "Try \"pg_drift_listen --help\".\n");
				return 2;
		}
	}
	if (optind < argc)
		conninfo = argv[optind++];
	if (optind < argc)
	{
		fprintf(stderr, "pg_drift_listen: too many arguments\n");
		return 2;
	}
	if (state_file != NULL && last_id < 0)
		load_state();

	if (once)
	{
		PGconn	   *c1 = PQconnectdb(conninfo);
		int			rc;

		if (PQstatus(c1) != CONNECTION_OK)
		{
			fprintf(stderr, "pg_drift_listen: could not connect: %s", PQerrorMessage(c1));
			PQfinish(c1);
			return 1;
		}
		if (last_id < 0)
			last_id = 0;		/* everything stored */
		rc = sync_alerts(c1);
		PQfinish(c1);
		return rc == 0 ? 0 : 1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	srand((unsigned) time(NULL) ^ (unsigned) getpid());

	while (!stop_requested)
	{
		fd_set		fds;
		struct timeval tv;
		int			sock;
		PGnotify   *n;

		if (conn == NULL)
		{
			conn = connect_and_listen();
			if (conn == NULL)
			{
				/* back off: 1, 2, 4 ... max seconds, each with up to 50% jitter */
				int			ms = backoff * 1000 / 2 + rand() % (backoff * 1000 / 2 + 1);

				fprintf(stderr, "pg_drift_listen: retrying in %d ms\n", ms);
				while (ms > 0 && !stop_requested)
				{
					usleep(100 * 1000);
					ms -= 100;
				}
				backoff = backoff * 2 > max_backoff ? max_backoff : backoff * 2;
				continue;
			}
			backoff = 1;
			last_sync = time(NULL);
		}

		sock = PQsocket(conn);
		FD_ZERO(&fds);
		FD_SET(sock, &fds);
		tv.tv_sec = 1;
		tv.tv_usec = 0;
		if (select(sock + 1, &fds, NULL, NULL, &tv) < 0)
		{
			if (errno == EINTR)
				continue;
			perror("pg_drift_listen: select");
			break;
		}
		if (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK)
		{
			fprintf(stderr, "pg_drift_listen: connection lost: %s", PQerrorMessage(conn));
			PQfinish(conn);
			conn = NULL;
			continue;
		}
		while (!stop_requested && (n = PQnotifies(conn)) != NULL)
		{
			handle(conn, n);
			PQfreemem(n);
		}
		if (!stop_requested && time(NULL) - last_sync >= SYNC_SECONDS)
		{
			if (sync_alerts(conn) != 0 && !stop_requested)
			{
				PQfinish(conn);
				conn = NULL;
				continue;
			}
			last_sync = time(NULL);
		}
	}
	if (conn != NULL)
		PQfinish(conn);
	return 0;
}
