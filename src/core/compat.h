/*
 * compat.h
 *		Every PG_VERSION_NUM difference pg_drift cares about, in one place.
 *
 * The extension targets PostgreSQL 15 and keeps building on 13 to 17; code
 * elsewhere calls the names defined here and never tests versions itself.
 */
#ifndef PG_DRIFT_COMPAT_H
#define PG_DRIFT_COMPAT_H

#include "postgres.h"

#if PG_VERSION_NUM < 130000
#error "pg_drift needs PostgreSQL 13 or newer"
#endif

/* PostgreSQL 15 reserved GUC prefixes; before that the call did not exist. */
#if PG_VERSION_NUM >= 150000
#define DriftMarkGUCPrefixReserved(prefix) MarkGUCPrefixReserved(prefix)
#else
#define DriftMarkGUCPrefixReserved(prefix) EmitWarningsOnPlaceholders(prefix)
#endif

#endif							/* PG_DRIFT_COMPAT_H */
