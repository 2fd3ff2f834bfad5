/*
 * pg_drift_listen.c
 *		Deliver pg_drift alerts as they happen: one JSON line per alert on
 *		stdout, optionally piped into a command.  Options and the main loop.
 *
 * The alerts are rows of drift.alerts, read by listen_source.c (which also
 * explains the catch-up); NOTIFY on the channel only wakes the loop up, its
 * payload is never used.  listen_state.c keeps the position and the state
 * file, listen_deliver.c writes the alerts out (and listen_alertmanager.c
 * posts them); listen_metrics.c serves /metrics from a thread of its own.
 *
 *   pg_drift_listen [--channel NAME] [--exec CMD] [--since-id N]
 *                   [--state-file PATH] [--max-backoff SECONDS] [--once]
 *                   [--metrics ADDR:PORT] [--alertmanager URL]
 *                   [--alertmanager-refresh SECONDS] [CONNINFO]
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "libpq-fe.h"
#include "listen_alertmanager.h"
#include "listen_deliver.h"
#include "listen_metrics.h"
#include "listen_source.h"
#include "listen_state.h"

/* A sync at least this often, in case a notification was lost. */
#define SYNC_MS 10000
/* Syncs woken by notifications at most this often: a flood costs one read per interval. */
#define WAKE_GAP_MS 100

volatile sig_atomic_t stop_requested = 0;

/* SIGINT/SIGTERM: finish the current alert, then exit. */
static void
on_signal(int sig)
{
	(void) sig;
	stop_requested = 1;
}

/* Milliseconds on a clock that does not jump. */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
		   "  -b, --max-backoff=SECS   longest wait between retries: reconnects, posts to\n"
		   "                           Alertmanager, binding --metrics (default 30)\n"
		   "  -1, --once               print the stored alerts after the last id and exit\n"
		   "  -m, --metrics=ADDR:PORT  serve Prometheus metrics on http://ADDR:PORT/metrics\n"
		   "  -a, --alertmanager=URL   post each alert to the Alertmanager at URL (v2 API),\n"
		   "                           retrying until it is taken\n"
		   "  -r, --alertmanager-refresh=SECS  post the breaches still firing again every\n"
		   "                           SECS seconds, for an Alertmanager that restarted\n"
		   "                           (default 0: never; each alert is posted once)\n"
		   "  -h, --help               show this help\n\n"
		   "CONNINFO is a libpq connection string or URI; PG* environment variables apply.\n"
		   "Alerts are read from drift.alerts as the connecting role (row-level security\n"
		   "applies); notifications only wake the listener, their payloads are not used.\n");
}

/* Wait up to ms milliseconds, in steps, unless a signal asks to stop. */
void
nap(int ms)
{
	while (ms > 0 && !stop_requested)
	{
		usleep(100 * 1000);
		ms -= 100;
	}
}

/*
 * Stay connected and deliver alerts until a signal: sync when woken by a
 * notification (at most every WAKE_GAP_MS) and every SYNC_MS; reconnect with
 * jittered exponential back-off; with refresh_s > 0, post the firing breaches
 * to Alertmanager again every refresh_s seconds.  The exit status.
 */
static int
listen_loop(const char *channel, int max_backoff, int refresh_s)
{
	PGconn	   *conn = NULL;
	int			backoff = 1;
	long long	last_sync = 0;
	long long	last_refresh = 0;
	int			woken = 0;

	while (!stop_requested)
	{
		fd_set		fds;
		struct timeval tv;
		long long	wait_ms;
		int			sock;

		metrics_tick();
		if (conn == NULL)
		{
			conn = source_connect(1);
			if (conn == NULL)
			{
				/* back off: 1, 2, 4 ... max seconds, each with up to 50% jitter */
				int			ms = backoff * 1000 / 2 + rand() % (backoff * 1000 / 2 + 1);

				if (source_fatal())
					return 1;
				fprintf(stderr, "pg_drift_listen: retrying in %d ms\n", ms);
				nap(ms);
				backoff = backoff * 2 > max_backoff ? max_backoff : backoff * 2;
				continue;
			}
			fprintf(stderr, "pg_drift_listen: listening on \"%s\" after alert %lld\n",
					channel, position.last_id);
			backoff = 1;
			last_sync = now_ms();
			woken = 0;
		}

		/* notifications that came in with a query's result are already read */
		if (source_drain(conn) > 0)
			woken = 1;
		wait_ms = (woken ? last_sync + WAKE_GAP_MS : last_sync + SYNC_MS) - now_ms();
		if (wait_ms < 0)
			wait_ms = 0;
		if (wait_ms > 1000)
			wait_ms = 1000;		/* look at stop_requested now and then */
		sock = PQsocket(conn);
		FD_ZERO(&fds);
		FD_SET(sock, &fds);
		tv.tv_sec = wait_ms / 1000;
		tv.tv_usec = (wait_ms % 1000) * 1000;
		if (select(sock + 1, &fds, NULL, NULL, &tv) < 0 && errno != EINTR)
		{
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
		if (source_drain(conn) > 0)
			woken = 1;
		if (!stop_requested &&
			now_ms() - last_sync >= (woken ? WAKE_GAP_MS : SYNC_MS))
		{
			if (source_sync(conn) != 0)
			{
				PQfinish(conn);
				conn = NULL;
				if (source_fatal())
					return 1;
				continue;
			}
			last_sync = now_ms();
			woken = 0;
		}
		if (refresh_s > 0 && !stop_requested && now_ms() - last_refresh >= refresh_s * 1000LL)
		{
			source_refresh(conn);
			last_refresh = now_ms();
		}
	}
	if (conn != NULL)
		PQfinish(conn);
	return 0;
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
		{"metrics", required_argument, NULL, 'm'},
		{"alertmanager", required_argument, NULL, 'a'},
		{"alertmanager-refresh", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	const char *channel = "pg_drift";
	const char *state_file = NULL;
	const char *conninfo = "";
	int			since_given = 0;
	int			loaded = 0;
	int			max_backoff = 30;
	int			once = 0;
	const char *metrics_addr = NULL;
	const char *alertmanager_url = NULL;
	long		refresh_s = 0;
	int			rc;
	struct sigaction sa;
	char	   *end;
	int			c;

	while ((c = getopt_long(argc, argv, "c:e:s:f:b:1m:a:r:h", opts, NULL)) != -1)
	{
		switch (c)
		{
			case 'c':
				channel = optarg;
				break;
			case 'e':
				deliver_init(optarg);
				break;
			case 's':
				errno = 0;
				position.last_id = strtoll(optarg, &end, 10);
				if (errno != 0 || end == optarg || *end != '\0' || position.last_id < 0)
				{
					fprintf(stderr, "pg_drift_listen: invalid --since-id \"%s\": must be a "
							"non-negative integer\n", optarg);
					return 2;
				}
				since_given = 1;
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
			case 'm':
				metrics_addr = optarg;
				break;
			case 'a':
				alertmanager_url = optarg;
				break;
			case 'r':
				errno = 0;
				refresh_s = strtol(optarg, &end, 10);
				if (errno != 0 || end == optarg || *end != '\0' || refresh_s < 0 ||
					refresh_s > 86400)
				{
					fprintf(stderr, "pg_drift_listen: invalid --alertmanager-refresh \"%s\": must "
							"be a number of seconds from 0 to 86400\n", optarg);
					return 2;
				}
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
	if (once && (metrics_addr != NULL || refresh_s > 0))
	{
		fprintf(stderr, "pg_drift_listen: --metrics and --alertmanager-refresh need a running "
				"listener, not --once\n");
		return 2;
	}
	if (refresh_s > 0 && alertmanager_url == NULL)
	{
		fprintf(stderr, "pg_drift_listen: --alertmanager-refresh needs --alertmanager\n");
		return 2;
	}
	if ((metrics_addr != NULL && metrics_init(metrics_addr, conninfo, max_backoff) != 0) ||
		(alertmanager_url != NULL && alertmanager_init(alertmanager_url, max_backoff) != 0))
		return 2;
	if (state_file != NULL && !since_given)
	{
		int			rc = position_load(state_file);

		if (rc < 0)
			return 1;
		loaded = (rc == 0);
	}
	source_init(conninfo, channel, state_file, loaded);

	if (once)
	{
		PGconn	   *conn;

		if (position.last_id < 0)
			position.last_id = 0;	/* everything stored */
		conn = source_connect(0);
		if (conn == NULL)
			return 1;
		PQfinish(conn);
		return 0;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	srand((unsigned) time(NULL) ^ (unsigned) getpid());
	rc = listen_loop(channel, max_backoff, (int) refresh_s);
	metrics_stop();
	return rc;
}
