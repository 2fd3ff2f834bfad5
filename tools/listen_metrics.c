/*
 * listen_metrics.c
 *		pg_drift_listen --metrics ADDR:PORT: an HTTP server (libmicrohttpd)
 *		answering GET /metrics in Prometheus's text exposition format 0.0.4.
 *
 * libmicrohttpd runs the server in a thread of its own, one request at a
 * time, so the LISTEN loop in the main thread keeps running.  Each scrape
 * opens its own libpq connection (a PGconn must not be shared between
 * threads without a lock, and a scrape must never wait for a delivery) with
 * the listener's connection string, reads drift.monitor_status, the results
 * of each monitor's newest run in drift.results and the alert counts in
 * drift.alerts, and closes it.  What it shows is what that role may read
 * (row-level security).  A scrape that cannot read the database still
 * answers 200, with pg_drift_up 0, so that Prometheus can alert on it.
 *
 * The metric families are listed in the table `families` below; each is
 * written whole (HELP, TYPE, every sample) as the format requires.  A NULL
 * value (no p-value for a metric without one, no run yet) writes no sample.
 * When the address cannot be served (port taken, name not resolving), the
 * listener reports it and tries again with back-off (metrics_tick).
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "libpq-fe.h"
#include "listen_buf.h"
#include "listen_metrics.h"

static char *host = NULL;		/* NULL: every interface */
static char *port = NULL;
static const char *addr_text = NULL;
static const char *conninfo = "";
static int	max_wait = 30;
static struct MHD_Daemon *daemon_ = NULL;
static time_t next_try = 0;
static int	wait_s = 1;
static unsigned long long scrape_errors = 0;	/* only the server thread touches it */

/*
 * The newest state of each monitor (drift.monitor_status), the results of
 * each monitor's newest run (one per slice), and per monitor and slice the
 * number of alerts in each state (0 for a slice of the newest run without
 * such an alert yet, so that a counter exists before its first increase).
 * States map to 0 ok (and pending, insufficient data, new), 1 firing,
 * 2 error.
 *
 * The newest run is found per monitor through the index on (monitor_id,
 * run_at), so a scrape costs the monitors and their last runs, not the
 * whole history kept for pg_drift.result_retention.  A run's rows share its
 * transaction's run_at; DISTINCT ON keeps one row per slice even if two runs
 * shared a transaction, as a scrape must not repeat a series.
 */
#define LATEST_RUN_SQL \
"WITH latest AS (" \
"  SELECT DISTINCT ON (r.monitor_id, r.slice) r.*" \
"    FROM drift.monitors m," \
"         LATERAL (SELECT pg_catalog.max(x.run_at) AS t FROM drift.results x" \
"                   WHERE x.monitor_id = m.monitor_id) t," \
"         drift.results r" \
"   WHERE r.monitor_id = m.monitor_id AND r.run_at = t.t" \
"   ORDER BY r.monitor_id, r.slice, r.result_id DESC) "

static const char *const monitor_sql =
"SELECT s.name, s.owner::text, s.relation, s.metric, s.column_name,"
"       CASE s.state WHEN 'firing' THEN 1 WHEN 'error' THEN 2 ELSE 0 END,"
"       s.paused::int, pg_catalog.date_part('epoch', s.last_run),"
"       pg_catalog.date_part('epoch', s.next_run), s.consecutive_failures, s.firing_slices"
"  FROM drift.monitor_status s ORDER BY s.owner, s.name";
static const char *const slice_sql =
LATEST_RUN_SQL
"SELECT m.name, m.owner::text, m.column_name,"
"       CASE WHEN l.slice <> '{}'::jsonb THEN l.slice::text ELSE '' END, l.metric,"
"       l.statistic, l.p_value, l.threshold,"
"       CASE l.state WHEN 'firing' THEN 1 WHEN 'error' THEN 2 ELSE 0 END,"
"       pg_catalog.date_part('epoch', l.run_at)"
"  FROM latest l"
"  JOIN drift.monitors m ON m.monitor_id = l.monitor_id"
" ORDER BY m.owner, m.name, l.slice";
static const char *const alert_sql =
LATEST_RUN_SQL ","
"     c AS (SELECT a.monitor_id, coalesce(a.payload->'slice', '{}'::jsonb) AS slice,"
"                  a.payload->>'state' AS state, pg_catalog.count(*) AS n"
"             FROM drift.alerts a GROUP BY 1, 2, 3),"
"     z AS (SELECT r.monitor_id, r.slice, st.state, 0 AS n"
"             FROM latest r,"
"                  (VALUES ('firing'), ('resolved'), ('error')) st(state))"
"SELECT m.name, m.owner::text, m.column_name,"
"       CASE WHEN k.slice <> '{}'::jsonb THEN k.slice::text ELSE '' END, k.state,"
"       pg_catalog.max(k.n)"
"  FROM (SELECT * FROM c UNION ALL SELECT * FROM z) k"
"  JOIN drift.monitors m ON m.monitor_id = k.monitor_id"
" WHERE k.state IN ('firing', 'resolved', 'error')"
" GROUP BY m.owner, m.name, m.column_name, k.slice, k.state"
" ORDER BY m.owner, m.name, k.slice, k.state";

enum
{
	Q_MONITOR, Q_SLICE, Q_ALERT, N_QUERIES
};

/*
 * One metric family: its query, the value's column, and the labels, each a
 * name and the query column holding its value.
 */
typedef struct Family
{
	const char *name;
	const char *type;
	const char *help;
	int			query;
	int			value_col;
	const char *labels[6];		/* label names, NULL-terminated */
	int			label_cols[6];
} Family;

#define MONITOR_LABELS {"monitor", "owner", "relation", "metric", "column", NULL}, {0, 1, 2, 3, 4}
#define SLICE_LABELS {"monitor", "owner", "column", "slice", "metric", NULL}, {0, 1, 2, 3, 4}

static const Family families[] = {
	{"pg_drift_monitor_state", "gauge",
	 "State of the monitor: 0 ok (or pending, no data, not run), 1 firing, 2 error.",
	 Q_MONITOR, 5, MONITOR_LABELS},
	{"pg_drift_monitor_paused", "gauge", "1 if the monitor is paused.", Q_MONITOR, 6, MONITOR_LABELS},
	{"pg_drift_monitor_last_run_timestamp_seconds", "gauge",
	 "When the monitor last ran, in seconds since the epoch.", Q_MONITOR, 7, MONITOR_LABELS},
	{"pg_drift_monitor_next_run_timestamp_seconds", "gauge",
	 "When the monitor runs next, in seconds since the epoch.", Q_MONITOR, 8, MONITOR_LABELS},
	{"pg_drift_monitor_consecutive_failures", "gauge",
	 "Runs of the monitor that failed in a row.", Q_MONITOR, 9, MONITOR_LABELS},
	{"pg_drift_monitor_firing_slices", "gauge",
	 "Slices of the monitor that are firing.", Q_MONITOR, 10, MONITOR_LABELS},
	{"pg_drift_statistic", "gauge",
	 "Statistic of the newest run of the monitor, per slice.", Q_SLICE, 5, SLICE_LABELS},
	{"pg_drift_p_value", "gauge",
	 "p-value of the newest run of the monitor, per slice.", Q_SLICE, 6, SLICE_LABELS},
	{"pg_drift_threshold", "gauge",
	 "Threshold the newest run of the monitor was judged against, per slice.",
	 Q_SLICE, 7, SLICE_LABELS},
	{"pg_drift_state", "gauge",
	 "State of the newest run of the monitor, per slice: 0 ok, 1 firing, 2 error.",
	 Q_SLICE, 8, SLICE_LABELS},
	{"pg_drift_last_run_timestamp_seconds", "gauge",
	 "When the newest run of the monitor ran, in seconds since the epoch.",
	 Q_SLICE, 9, SLICE_LABELS},
	{"pg_drift_alerts_total", "counter",
	 "Alerts raised for the monitor and slice, by state (firing, resolved, error), "
	 "as kept in drift.alerts.",
	 Q_ALERT, 5, {"monitor", "owner", "column", "slice", "state", NULL}, {0, 1, 2, 3, 4}},
};

/*
 * Check and keep the --metrics address: HOST:PORT, [IPV6]:PORT or :PORT
 * (every interface).  0, or -1 after a message.
 */
int
metrics_init(const char *addr_port, const char *conninfo_arg, int max_backoff)
{
	const char *colon = strrchr(addr_port, ':');
	const char *h = addr_port;
	size_t		hlen;
	char	   *end;
	long		p;

	if (colon == NULL)
		goto bad;
	p = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || p < 1 || p > 65535)
		goto bad;
	hlen = (size_t) (colon - addr_port);
	if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']')
	{
		h++;
		hlen -= 2;
	}
	if (hlen > 0)
		host = strndup(h, hlen);
	port = strdup(colon + 1);
	addr_text = addr_port;
	conninfo = conninfo_arg;
	max_wait = max_backoff;
	return 0;
bad:
	fprintf(stderr, "pg_drift_listen: invalid --metrics address \"%s\": expected HOST:PORT, "
			"[IPV6]:PORT or :PORT, with a port from 1 to 65535\n", addr_port);
	return -1;
}

/* A value as Prometheus writes it: PostgreSQL's float8 text but for the infinities. */
static const char *
sample_value(const char *v)
{
	if (strcmp(v, "Infinity") == 0)
		return "+Inf";
	if (strcmp(v, "-Infinity") == 0)
		return "-Inf";
	return v;
}

/* Write one family's HELP, TYPE and samples. */
static void
write_family(Buf *b, const Family *f, PGresult *res)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name, f->type);
	for (int i = 0; i < PQntuples(res); i++)
	{
		if (PQgetisnull(res, i, f->value_col))
			continue;
		buf_printf(b, "%s{", f->name);
		for (int l = 0; f->labels[l] != NULL; l++)
		{
			buf_printf(b, "%s%s=", l > 0 ? "," : "", f->labels[l]);
			buf_label_value(b, PQgetvalue(res, i, f->label_cols[l]));
		}
		buf_printf(b, "} %s\n", sample_value(PQgetvalue(res, i, f->value_col)));
	}
}

/*
 * Read the database into results[]; 0, or -1 after a message (the results
 * read so far are cleared).
 */
static int
read_database(PGresult *results[N_QUERIES])
{
	static const char *const sql[N_QUERIES] = {monitor_sql, slice_sql, alert_sql};
	/* the listener's string may override the timeout; it cannot skip the encoding */
	const char *const keys[] = {"connect_timeout", "dbname", "client_encoding",
		"application_name", NULL};
	const char *const values[] = {"10", conninfo, "UTF8", "pg_drift_listen metrics", NULL};
	PGconn	   *conn = PQconnectdbParams(keys, values, 1);
	PGresult   *res;
	int			n;

	memset(results, 0, sizeof(PGresult *) * N_QUERIES);
	if (PQstatus(conn) != CONNECTION_OK)
	{
		fprintf(stderr, "pg_drift_listen: metrics: could not connect: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return -1;
	}
	/* no other role's schema supplies an operator; a scrape never hangs */
	res = PQexec(conn, "SELECT pg_catalog.set_config('search_path', '', false),"
				 "       pg_catalog.set_config('statement_timeout', '10s', false)");
	n = PQresultStatus(res) == PGRES_TUPLES_OK ? 0 : -1;
	PQclear(res);
	for (int q = 0; q < N_QUERIES && n == 0; q++)
	{
		results[q] = PQexec(conn, sql[q]);
		if (PQresultStatus(results[q]) != PGRES_TUPLES_OK)
			n = -1;
	}
	if (n != 0)
	{
		fprintf(stderr, "pg_drift_listen: metrics: could not read pg_drift's tables: %s",
				PQerrorMessage(conn));
		for (int q = 0; q < N_QUERIES; q++)
			PQclear(results[q]);
		memset(results, 0, sizeof(PGresult *) * N_QUERIES);
	}
	PQfinish(conn);
	return n;
}

/* The body of /metrics. */
static void
scrape(Buf *b)
{
	PGresult   *results[N_QUERIES];
	struct timespec t0, t1;
	int			ok;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ok = read_database(results) == 0;
	if (ok)
		for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++)
			write_family(b, &families[f], results[families[f].query]);
	else
		scrape_errors++;
	for (int q = 0; q < N_QUERIES; q++)
		PQclear(results[q]);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	buf_printf(b, "# HELP pg_drift_up 1 if this scrape read pg_drift's tables, 0 if it failed.\n"
			   "# TYPE pg_drift_up gauge\npg_drift_up %d\n", ok);
	buf_printf(b, "# HELP pg_drift_scrape_errors_total Scrapes that could not read pg_drift's "
			   "tables since the listener started.\n"
			   "# TYPE pg_drift_scrape_errors_total counter\npg_drift_scrape_errors_total %llu\n",
			   scrape_errors);
	buf_printf(b, "# HELP pg_drift_scrape_duration_seconds How long this scrape took.\n"
			   "# TYPE pg_drift_scrape_duration_seconds gauge\n"
			   "pg_drift_scrape_duration_seconds %.6f\n",
			   (double) (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
}

/* Answer a short text with a status. */
static enum MHD_Result
answer(struct MHD_Connection *c, unsigned int status, const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *) text,
															 MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* libmicrohttpd's request handler: GET (or HEAD) /metrics, nothing else. */
static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
	   const char *version, const char *upload_data, size_t *upload_size, void **req_cls)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	Buf			body;

	(void) cls;
	(void) version;
	(void) upload_data;
	(void) upload_size;
	(void) req_cls;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return answer(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET /metrics is served\n");
	if (strcmp(url, "/metrics") != 0)
		return answer(c, MHD_HTTP_NOT_FOUND, "pg_drift_listen serves /metrics\n");
	buf_init(&body);
	scrape(&body);
	r = MHD_create_response_from_buffer(body.len, body.data, MHD_RESPMEM_MUST_FREE);
	if (r == NULL)
	{
		buf_free(&body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* Try to start serving; 0 when serving, else -1 after a message. */
static int
start_server(void)
{
	struct addrinfo hints, *ai;
	int			rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc != 0)
	{
		fprintf(stderr, "pg_drift_listen: could not resolve --metrics address \"%s\": %s\n",
				addr_text, gai_strerror(rc));
		return -1;
	}
	daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
							   (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0),
							   (uint16_t) atoi(port), NULL, NULL, handle, NULL,
							   MHD_OPTION_SOCK_ADDR, ai->ai_addr,
							   MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 30,
							   MHD_OPTION_CONNECTION_LIMIT, (unsigned int) 16,
							   MHD_OPTION_END);
	freeaddrinfo(ai);
	if (daemon_ == NULL)
	{
		fprintf(stderr, "pg_drift_listen: could not serve metrics on \"%s\"\n", addr_text);
		return -1;
	}
	fprintf(stderr, "pg_drift_listen: serving metrics on http://%s/metrics\n", addr_text);
	return 0;
}

/*
 * Called from the main loop: start serving if --metrics was given and the
 * server is not running yet, retrying after 1, 2, 4 ... seconds (at most
 * --max-backoff).
 */
void
metrics_tick(void)
{
	time_t		now = time(NULL);

	if (port == NULL || daemon_ != NULL || now < next_try)
		return;
	if (start_server() == 0)
		return;
	fprintf(stderr, "pg_drift_listen: retrying metrics in %d s\n", wait_s);
	next_try = now + wait_s;
	wait_s = wait_s * 2 > max_wait ? max_wait : wait_s * 2;
}

/* Stop serving (at exit). */
void
metrics_stop(void)
{
	if (daemon_ != NULL)
		MHD_stop_daemon(daemon_);
	daemon_ = NULL;
}
