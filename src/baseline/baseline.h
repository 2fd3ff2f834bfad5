/*
 * baseline.h
 *		Reading stored baselines from pg_drift's catalog.
 */
#ifndef PG_DRIFT_BASELINE_H
#define PG_DRIFT_BASELINE_H

#include "postgres.h"

#include "profile/profile.h"

extern bool baseline_names_per_owner(void);
extern DriftProfile *baseline_fetch(const char *name, const char *column, MemoryContext cxt);

#endif							/* PG_DRIFT_BASELINE_H */
