/*
 * baseline_nodes.h
 *		Errors for a baseline that this node lacks or holds in another version
 *		(on a Citus cluster: a missing or stale copy).
 */
#ifndef PG_DRIFT_BASELINE_NODES_H
#define PG_DRIFT_BASELINE_NODES_H

#include "postgres.h"
#include "core/compat.h"

extern bool baseline_on_citus(void);
pg_noreturn extern void baseline_missing_error(const char *name);
pg_noreturn extern void baseline_version_error(const char *name);

#endif							/* PG_DRIFT_BASELINE_NODES_H */
