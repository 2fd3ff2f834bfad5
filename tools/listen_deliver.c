/*
 * listen_deliver.c
 *		Deliver one alert: post it to Alertmanager (--alertmanager), then
 *		print it as one line on stdout and, with --exec, pipe the same line
 *		into a fresh run of the command.
 *
 * Alertmanager comes first because it is the one deliverer that can fail and
 * be retried: until it has taken the alert, nothing is printed and the
 * listener's position does not move past it, so a restart delivers it again
 * and no line is printed twice.
 *
 * Only rows read from drift.alerts arrive here (listen_source.c), never a
 * notification's payload.  The payload is jsonb's text form, which has no
 * control characters (jsonb escapes them inside strings and writes single
 * spaces between tokens); each byte below 0x20 (and DEL) is nevertheless
 * written as a space, so that no payload can ever end its line early and
 * make a consumer reading line by line see a second, forged alert.  A space
 * is JSON whitespace, so valid JSON stays valid.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "listen_alertmanager.h"
#include "listen_deliver.h"

static const char *exec_cmd = NULL;

/* Remember the --exec command (NULL: none). */
void
deliver_init(const char *exec_command)
{
	exec_cmd = exec_command;
}

/* Write a payload and its newline, control characters as spaces. */
static void
write_line(FILE *f, const char *payload)
{
	for (const unsigned char *p = (const unsigned char *) payload; *p != '\0'; p++)
		fputc(*p < 0x20 || *p == 0x7f ? ' ' : *p, f);
	fputc('\n', f);
}

/*
 * Post the alert to Alertmanager, print it and run --exec with it on stdin.
 * 0 when delivered; -1 when Alertmanager has not taken it and the listener
 * is stopping (nothing was printed).
 */
int
deliver_alert(const Alert *alert)
{
	if (alertmanager_post(alert) != 0)
		return -1;
	write_line(stdout, alert->payload);
	fflush(stdout);
	if (exec_cmd != NULL)
	{
		FILE	   *p = popen(exec_cmd, "w");
		int			rc;

		if (p == NULL)
		{
			fprintf(stderr, "pg_drift_listen: could not run --exec command for alert %lld: %s\n",
					alert->alert_id, strerror(errno));
			return 0;
		}
		write_line(p, alert->payload);
		rc = pclose(p);
		if (rc != 0)
			fprintf(stderr, "pg_drift_listen: --exec command exited with status %d for alert %lld\n",
					rc, alert->alert_id);
	}
	return 0;
}
