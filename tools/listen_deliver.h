/*
 * listen_deliver.h
 *		Where pg_drift_listen sends each alert read from drift.alerts:
 *		Alertmanager (--alertmanager), then stdout, one line each, and the
 *		--exec command.
 */
#ifndef LISTEN_DELIVER_H
#define LISTEN_DELIVER_H

/*
 * One drift.alerts row: its id, its payload's text, and the payload's fields
 * that deliverers use, each "" when the payload lacks it (slice is "" for a
 * monitor without slices, else the slice's jsonb text).
 */
typedef struct Alert
{
	long long	alert_id;
	const char *payload;
	const char *state;			/* firing, resolved or error */
	const char *monitor;
	const char *column;
	const char *slice;
	const char *metric;
	const char *statistic;
	const char *p_value;
	const char *threshold;
	const char *window_start;
	const char *window_end;
	const char *run_at;			/* ISO 8601 with offset, as jsonb writes a timestamptz */
	const char *error;
} Alert;

extern void deliver_init(const char *exec_command);
extern int	deliver_alert(const Alert *alert);

#endif							/* LISTEN_DELIVER_H */
