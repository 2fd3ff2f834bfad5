/*
 * compat.h
 *		Every PostgreSQL version difference pg_drift cares about, in one place.
 *
 * pg_drift builds and is tested on PostgreSQL 15, 17 and 18 (the versions
 * Debian 12, 13 and forky ship).  Code elsewhere includes this header and
 * never tests PG_VERSION_NUM itself.  15 is the floor: the background worker
 * reserves its shared memory in shmem_request_hook and the GUCs reserve their
 * prefix with MarkGUCPrefixReserved, both new in 15.
 */
#ifndef PG_DRIFT_COMPAT_H
#define PG_DRIFT_COMPAT_H

#include "postgres.h"

#if PG_VERSION_NUM < 150000
#error "pg_drift needs PostgreSQL 15 or newer"
#endif

/*
 * PostgreSQL 16 moved the varlena macros (VARSIZE, VARDATA, SET_VARSIZE, ...)
 * out of postgres.h into varatt.h, which postgres.h no longer includes.
 */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

/*
 * PostgreSQL 18 replaced the trailing pg_attribute_noreturn() with pg_noreturn,
 * which leads the declaration (C11 _Noreturn).  What pg_attribute_noreturn()
 * expands to before 18 (GCC's __attribute__((noreturn)), MSVC's
 * __declspec(noreturn)) may lead a declaration too, so code writes
 * "pg_noreturn extern void f(...);" for every version.
 */
#if PG_VERSION_NUM < 180000
#define pg_noreturn pg_attribute_noreturn()
#endif

/*
 * This backend's local transaction id (callers include storage/proc.h):
 * PostgreSQL 17 moved it into MyProc->vxid.
 */
#if PG_VERSION_NUM >= 170000
#define DRIFT_LOCAL_XID() (MyProc->vxid.lxid)
#else
#define DRIFT_LOCAL_XID() (MyProc->lxid)
#endif

#endif							/* PG_DRIFT_COMPAT_H */
