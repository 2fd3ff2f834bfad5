/*
 * listen_metrics.h
 *		pg_drift_listen --metrics ADDR:PORT: serve /metrics in Prometheus's
 *		text format, read from the database at each scrape.
 */
#ifndef LISTEN_METRICS_H
#define LISTEN_METRICS_H

extern int	metrics_init(const char *addr_port, const char *conninfo, int max_backoff);
extern void metrics_tick(void);
extern void metrics_stop(void);

#endif							/* LISTEN_METRICS_H */
