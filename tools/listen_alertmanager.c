/*
 * listen_alertmanager.c
 *		Post pg_drift alerts to Alertmanager's v2 API with libcurl.
 *
 * Each alert becomes one POST of a one-element JSON array to
 * URL/api/v2/alerts (Alertmanager's OpenAPI spec, "postAlerts": an array of
 * postableAlert, each with labels, annotations, startsAt, endsAt).  The
 * labels identify the check, so that the resolve of a breach carries the same
 * label set as its firing and Alertmanager (which keys an alert by its labels)
 * resolves that alert:
 *
 *		alertname	PgDriftBreach for firing/resolved, PgDriftCheckFailed for error
 *		monitor, column, slice, metric	from the alert (empty ones omitted,
 *				as Alertmanager treats an empty label as absent)
 *		severity	warning for a breach, critical for a failing check
 *
 * A firing (or error) alert sends startsAt = the run's time and no endsAt, so
 * Alertmanager keeps it active for its resolve_timeout (or until refreshed,
 * below); a resolved one sends endsAt = the run's time, which ends it.
 *
 * Alertmanager keeps alerts in memory only, so its restart forgets a firing
 * one; --alertmanager-refresh SECS has the listener post the breaches still
 * firing again every SECS seconds (alertmanager_repost, from
 * listen_source.c's source_refresh), as Prometheus re-sends its own.  Off by
 * default: without it every alert is posted exactly once.
 *
 * Delivery is at least as durable as the listener's position:
 * alertmanager_post returns only once Alertmanager answered 2xx, or when a
 * signal asks the listener to stop (then the alert counts as not delivered
 * and is posted again after a restart).  Only a crash (SIGKILL) between a
 * post and the end of its sync, when the state file is written, can post an
 * alert twice, as it can print one twice.  Connection errors and every non-2xx answer, 4xx
 * included, are reported on stderr and retried after 1, 2, 4 ... seconds, at
 * most --max-backoff; none is dropped: a 4xx can come from a proxy or an
 * authentication in front of Alertmanager that an operator then fixes, and
 * the alerts wait, in order, until it is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "listen_alertmanager.h"
#include "listen_buf.h"
#include "listen_source.h"

static char *alerts_url = NULL;	/* URL/api/v2/alerts; NULL: no Alertmanager */
static int	max_wait = 30;		/* longest back-off, seconds */
static CURL *curl = NULL;

/*
 * Remember the Alertmanager's base URL (http or https).  Whether it answers
 * is found out when posting.  0, or -1 after a message for a URL that can
 * never work.
 */
int
alertmanager_init(const char *base_url, int max_backoff)
{
	size_t		n = strlen(base_url);

	if (strncmp(base_url, "http://", 7) != 0 && strncmp(base_url, "https://", 8) != 0)
	{
		fprintf(stderr, "pg_drift_listen: invalid --alertmanager URL \"%s\": it must start with "
				"http:// or https://\n", base_url);
		return -1;
	}
	while (n > 0 && base_url[n - 1] == '/')
		n--;
	alerts_url = malloc(n + sizeof("/api/v2/alerts"));
	if (alerts_url == NULL || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
		(curl = curl_easy_init()) == NULL)
	{
		fprintf(stderr, "pg_drift_listen: could not set up the HTTP client\n");
		return -1;
	}
	memcpy(alerts_url, base_url, n);
	strcpy(alerts_url + n, "/api/v2/alerts");
	max_wait = max_backoff;
	return 0;
}

/* Append "name": value to a JSON object unless value is empty; *sep is "" before the first. */
static void
member(Buf *b, const char **sep, const char *name, const char *value)
{
	if (value[0] == '\0')
		return;
	buf_printf(b, "%s", *sep);
	buf_json_string(b, name);
	buf_printf(b, ":");
	buf_json_string(b, value);
	*sep = ",";
}

/*
 * A number from the payload for people to read: ten significant digits (jsonb
 * writes a p-value of 1e-100 with a hundred zeros).  Anything else as it is.
 */
static void
number_text(char *out, size_t size, const char *v)
{
	char	   *end;
	double		d = strtod(v, &end);

	if (v[0] != '\0' && *end == '\0')
		snprintf(out, size, "%.10g", d);
	else
		snprintf(out, size, "%s", v);
}

/* The request body for one alert: a JSON array of one postableAlert. */
static void
alert_body(Buf *b, const Alert *a)
{
	int			failed = strcmp(a->state, "error") == 0;
	const char *sep = "";
	char		statistic[64], p_value[64], threshold[64];
	Buf			window;

	buf_init(&window);
	if (a->window_start[0] != '\0' || a->window_end[0] != '\0')
		buf_printf(&window, "%s .. %s", a->window_start, a->window_end);
	buf_printf(b, "[{\"labels\":{");
	member(b, &sep, "alertname", failed ? "PgDriftCheckFailed" : "PgDriftBreach");
	member(b, &sep, "monitor", a->monitor);
	member(b, &sep, "column", a->column);
	member(b, &sep, "slice", a->slice);
	member(b, &sep, "metric", a->metric);
	member(b, &sep, "severity", failed ? "critical" : "warning");
	buf_printf(b, "},\"annotations\":{");
	sep = "";
	number_text(statistic, sizeof(statistic), a->statistic);
	number_text(p_value, sizeof(p_value), a->p_value);
	number_text(threshold, sizeof(threshold), a->threshold);
	member(b, &sep, "statistic", statistic);
	member(b, &sep, "p_value", p_value);
	member(b, &sep, "threshold", threshold);
	member(b, &sep, "window", window.data ? window.data : "");
	member(b, &sep, "error", a->error);
	buf_printf(b, "}");
	sep = ",";
	member(b, &sep, strcmp(a->state, "resolved") == 0 ? "endsAt" : "startsAt", a->run_at);
	buf_printf(b, "}]");
	buf_free(&window);
}

/* libcurl's write callback: keep the start of Alertmanager's answer for messages. */
static size_t
keep_answer(char *data, size_t size, size_t n, void *arg)
{
	Buf		   *answer = arg;

	if (answer->len < 300)
		buf_printf(answer, "%.*s", (int) (size * n < 300 ? size * n : 300), data);
	return size * n;
}

/* One POST; 0 when Alertmanager took the alert, else -1 after a message. */
static int
post_once(const Alert *alert, const Buf *body)
{
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	char		error[CURL_ERROR_SIZE] = "";
	Buf			answer;
	CURLcode	rc;
	long		status = 0;

	buf_init(&answer);
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, alerts_url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long) body->len);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_answer);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
	rc = curl_easy_perform(curl);
	curl_slist_free_all(headers);
	while (answer.len > 0 && (answer.data[answer.len - 1] == '\n' ||
							  answer.data[answer.len - 1] == '\r'))
		answer.data[--answer.len] = '\0';
	if (rc == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (rc == CURLE_OK && status >= 200 && status < 300)
	{
		buf_free(&answer);
		return 0;
	}
	if (rc != CURLE_OK)
		fprintf(stderr, "pg_drift_listen: could not post alert %lld to %s: %s\n", alert->alert_id,
				alerts_url, error[0] != '\0' ? error : curl_easy_strerror(rc));
	else
		fprintf(stderr, "pg_drift_listen: Alertmanager at %s answered %ld to alert %lld: %s\n",
				alerts_url, status, alert->alert_id, answer.data ? answer.data : "");
	buf_free(&answer);
	return -1;
}

/* Post an alert once more (--alertmanager-refresh); a failure is only reported. */
void
alertmanager_repost(const Alert *alert)
{
	Buf			body;

	if (alerts_url == NULL)
		return;
	buf_init(&body);
	alert_body(&body, alert);
	if (post_once(alert, &body) != 0)
		fprintf(stderr, "pg_drift_listen: alert %lld will be posted again at the next refresh\n",
				alert->alert_id);
	buf_free(&body);
}

/*
 * Post an alert until Alertmanager takes it.  0 when taken (or when there is
 * no Alertmanager); -1 when a signal asks to stop first.
 */
int
alertmanager_post(const Alert *alert)
{
	Buf			body;
	int			wait = 1;

	if (alerts_url == NULL)
		return 0;
	buf_init(&body);
	alert_body(&body, alert);
	while (post_once(alert, &body) != 0)
	{
		fprintf(stderr, "pg_drift_listen: retrying alert %lld in %d s\n", alert->alert_id, wait);
		nap(wait * 1000);
		if (stop_requested)
		{
			buf_free(&body);
			return -1;
		}
		wait = wait * 2 > max_wait ? max_wait : wait * 2;
	}
	buf_free(&body);
	return 0;
}
