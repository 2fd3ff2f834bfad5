-- Every state type (base type) of the extension is named drift_*: they live
-- in the extension's schema, often public, next to users' own types
-- (issue 12).  The types are found through the extension's pg_depend
-- entries, so a new badly named type fails here (array types, which
-- PostgreSQL 17 and later also record as members, are not state types).
CREATE TEMP VIEW ext_base_types AS
  SELECT t.typname::text AS typname, t.typinput::text AS typinput, t.typoutput::text AS typoutput,
         t.typreceive::text AS typreceive, t.typsend::text AS typsend
    FROM pg_type t
    JOIN pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = t.oid
                    AND d.deptype = 'e'
    JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_drift'
   WHERE t.typtype = 'b' AND t.typcategory <> 'A';

-- none named otherwise
SELECT typname AS badly_named FROM ext_base_types WHERE typname !~ '^drift_' ORDER BY 1;

-- the check sees the extension's types (it is not vacuous)
SELECT typname FROM ext_base_types ORDER BY 1;

-- and their I/O functions are named after them
SELECT typname, typinput, typoutput, typreceive, typsend FROM ext_base_types
 WHERE (typinput, typoutput, typreceive, typsend)
       IS DISTINCT FROM (typname || '_in', typname || '_out', typname || '_recv', typname || '_send')
 ORDER BY 1;

-- no aggregate keeps its state in a type of its own not named drift_* (an
-- array of drift_profile, _drift_profile, is named after its element)
SELECT DISTINCT a.aggtranstype::regtype AS state_type
  FROM pg_aggregate a
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = a.aggfnoid
                  AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_drift'
  JOIN pg_type t ON t.oid = a.aggtranstype
 WHERE t.typtype = 'b' AND ltrim(t.typname, '_') !~ '^drift_'
   AND t.typnamespace <> 'pg_catalog'::regnamespace
 ORDER BY 1;

-- the 0.1.0 names are gone
SELECT to_regtype('roc_state') AS roc_state, to_regtype('metric_mean_state') AS metric_mean_state,
       to_regtype('binary_metrics_state') AS binary_metrics_state,
       to_regtype('regression_metrics_state') AS regression_metrics_state,
       to_regtype('multiclass_metrics_state') AS multiclass_metrics_state;

-- Every object of the extension has a COMMENT ON (the install script reads as documentation)
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS uncommented
  FROM pg_depend d
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_drift')
   AND d.deptype = 'e'
   AND obj_description(d.objid, (SELECT relname FROM pg_class WHERE oid = d.classid)) IS NULL
   -- PostgreSQL 17 also records array types and tables' row types as members;
   -- they are described by their element type and their table
   AND NOT EXISTS (SELECT 1 FROM pg_type t LEFT JOIN pg_class c ON c.oid = t.typrelid
                    WHERE d.classid = 'pg_type'::regclass AND t.oid = d.objid
                      AND (t.typcategory = 'A' OR c.relkind IN ('r', 'v', 'm', 'p', 'f')))
 ORDER BY 1;
