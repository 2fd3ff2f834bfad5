/*
 * baseline_nodes.c
 *		Errors for a baseline that this node lacks or holds in another version.
 *
 * On a Citus cluster every node keeps its own copy of the baseline catalog:
 * src/sql/96_baseline_nodes.sql copies a change to the other nodes when its
 * transaction commits, and drift.citus_sync_baselines() copies everything to
 * a node added later.  A shard query that finds no baseline, or partial
 * states counted against another version of the baseline than the
 * coordinator's, has most likely met a missing or stale copy, and the hint
 * says how to repair it.  The SQLSTATEs are those of a single server (Citus
 * passes a worker's SQLSTATE and hint on to the client); only the hints
 * differ.
 */
#include "postgres.h"

#include "commands/extension.h"

#include "baseline/baseline_nodes.h"

/* Is Citus installed in this database?  (Only asked on the way to an error.) */
bool
baseline_on_citus(void)
{
	return OidIsValid(get_extension_oid("citus", true));
}

/* The baseline name does not resolve on this node. */
void
baseline_missing_error(const char *name)
{
	if (baseline_on_citus())
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("baseline \"%s\" does not exist", name),
				 errhint("Capture it with drift.capture_baseline() on the coordinator; a node added "
						 "after the capture gets its copy from SELECT drift.citus_sync_baselines() "
						 "there.")));
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("baseline \"%s\" does not exist", name),
			 errhint("Create it with drift.capture_baseline(); drift.baselines lists the existing ones.")));
}

/* States were counted against another version of baseline name than this node holds. */
void
baseline_version_error(const char *name)
{
	if (baseline_on_citus())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("baseline \"%s\" differs between the nodes that ran the query", name),
				 errhint("A node holds a stale copy: run SELECT drift.citus_sync_baselines() on the "
						 "coordinator, then the query again.")));
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("baseline \"%s\" changed while the aggregate was running", name),
			 errhint("Run the query again.")));
}
