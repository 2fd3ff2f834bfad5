/*
 * listen_deliver.h
 *		Where pg_drift_listen sends each alert read from drift.alerts:
 *		stdout, one line each, and the --exec command.  Further deliverers
 *		(Prometheus, Alertmanager) plug in behind deliver_alert.
 */
#ifndef LISTEN_DELIVER_H
#define LISTEN_DELIVER_H

/* One drift.alerts row: its id and its payload's text. */
typedef struct Alert
{
	long long	alert_id;
	const char *payload;
} Alert;

extern void deliver_init(const char *exec_command);
extern void deliver_alert(const Alert *alert);

#endif							/* LISTEN_DELIVER_H */
