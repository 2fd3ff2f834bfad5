/*
 * listen_state.h
 *		pg_drift_listen's position in drift.alerts: the last alert id
 *		delivered, the transaction horizon of the last sync, the ids delivered
 *		whose transactions are at or past that horizon, and the state file
 *		that keeps them across runs.
 */
#ifndef LISTEN_STATE_H
#define LISTEN_STATE_H

#include <stdint.h>

/* Where the listener stands; every value comes from drift.alerts or a snapshot. */
typedef struct ListenPosition
{
	long long	last_id;		/* highest alert id delivered; -1: none yet */
	int			has_horizon;	/* whether horizon is known */
	uint64_t	horizon;		/* xmin of the last sync's snapshot (an xid8) */
	long long  *unsettled;		/* ids delivered with xact_id >= horizon */
	int			n_unsettled;
	int			cap_unsettled;
} ListenPosition;

extern ListenPosition position;

extern int	position_seen(long long id, int n);
extern void position_add_unsettled(long long id);
extern int	position_load(const char *path);
extern void position_save(const char *path);

#endif							/* LISTEN_STATE_H */
