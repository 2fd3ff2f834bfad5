/*
 * listen_source.h
 *		pg_drift_listen's alert source: the connection, LISTEN as a wake-up,
 *		and the sync that reads new drift.alerts rows and delivers them.
 */
#ifndef LISTEN_SOURCE_H
#define LISTEN_SOURCE_H

#include <signal.h>

#include "libpq-fe.h"

/* Set by SIGINT/SIGTERM (pg_drift_listen.c): finish the current alert, then stop. */
extern volatile sig_atomic_t stop_requested;
extern void nap(int ms);

extern void source_init(const char *conninfo, const char *channel, const char *state_file,
						int check_loaded_position);
extern PGconn *source_connect(int do_listen);
extern int	source_fatal(void);
extern int	source_sync(PGconn *conn);
extern int	source_drain(PGconn *conn);
extern int	source_refresh(PGconn *conn);

#endif							/* LISTEN_SOURCE_H */
