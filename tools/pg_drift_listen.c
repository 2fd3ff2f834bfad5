/*
 * pg_drift_listen.c
 *		Print pg_drift alerts as they happen: LISTEN on a channel, write one
 *		JSON line per alert to stdout, optionally pipe each into a command.
 *
 * NOTIFY is not durable: a listener that is down misses notifications.  Every
 * alert is therefore also a row of drift.alerts (same transaction as its
 * NOTIFY), and this client catches up from that table after every
 * (re)connect, starting after the last alert id it printed (--since-id, or
 * remembered across runs in --state-file).  It LISTENs before catching up,
 * so nothing falls between the two, and skips ids it already printed, so
 * nothing is printed twice.  When a run had more alerts than it notified
 * one by one (a "summary" notification), the omitted ones are read from the
 * table too.
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

static volatile sig_atomic_t stop_requested = 0;

static const char *channel = "pg_drift";
static const char *exec_cmd = NULL;
static const char *state_file = NULL;
static const char *conninfo = "";
static long long last_id = -1;	/* highest alert id printed; -1: none yet */
static int	max_backoff = 30;
static int	once = 0;			/* --once: catch up, print, exit */

/* Ids printed lately, to skip the NOTIFY of an alert caught up from the table. */
static long long recent[RECENT_IDS];
static int	recent_next = 0;

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
	return 0;
}

/* Remember the last id in the state file (written whole, then renamed). */
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
	fprintf(f, "%lld\n", last_id);
	if (fclose(f) != 0 || rename(tmp, state_file) != 0)
		fprintf(stderr, "pg_drift_listen: could not save \"%s\": %s\n", state_file,
				strerror(errno));
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
		if (id > last_id)
		{
			last_id = id;
			save_state();
		}
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

/* The highest alert id of our channel (where a fresh listener starts). */
static long long
current_max_id(PGconn *conn)
{
	const char *params[1] = {channel};
	PGresult   *res;
	long long	id = 0;

	res = PQexecParams(conn,
					   "SELECT coalesce(max(alert_id), 0) FROM drift.alerts WHERE channel = $1",
					   1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	else
		fprintf(stderr, "pg_drift_listen: could not read drift.alerts: %s",
				PQerrorMessage(conn));
	PQclear(res);
	return id;
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
	if (last_id < 0)
		last_id = current_max_id(conn);
	else
		(void) catch_up(conn, last_id, -1);
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
		   "  -f, --state-file=PATH    remember the last alert id in PATH across runs\n"
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
	{
		FILE	   *f = fopen(state_file, "r");

		if (f != NULL)
		{
			if (fscanf(f, "%lld", &last_id) != 1)
				last_id = -1;
			fclose(f);
		}
	}

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
		rc = catch_up(c1, last_id < 0 ? 0 : last_id, -1);
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
	}
	if (conn != NULL)
		PQfinish(conn);
	return 0;
}
