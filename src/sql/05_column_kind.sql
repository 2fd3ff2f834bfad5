-- ---------------------------------------------------------------------------
-- The one column classifier: what kind of data a column holds, for
-- capture_baseline, capture_baseline_metrics, capture_correlations and the
-- monitors (issue 12: a classifier by type category and one by a fixed list
-- disagreed on money, oid and name).
-- ---------------------------------------------------------------------------

-- The rule, on the column's base type (through domains):
--   boolean      bool;
--   numeric      a number type (type category N) with an implicit cast to
--                float8, which is how every numeric test and metric reads
--                it: smallint, integer, bigint, real, double precision,
--                numeric.  money is not one (no cast to float8; its text
--                form depends on lc_monetary), nor are oid and the reg*
--                types (identifiers: a mean or a KS distance of them means
--                nothing); cast them in a view if they must be measured;
--   categorical  a string type (category S: text, varchar, char(n), name,
--                citext) or an enum: compared by their text form;
--   time         date, timestamp, timestamptz (a window is a timestamp
--                range);
--   other        anything else.
-- NULL when the relation has no such column.  Public: it reads only the
-- catalogs, which every role may read, and capture_baseline runs as its
-- caller.
CREATE FUNCTION drift.column_kind(rel regclass, col text) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  WITH RECURSIVE base(oid, typtype, typbasetype, typcategory) AS (
    SELECT t.oid, t.typtype, t.typbasetype, t.typcategory
      FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
     WHERE a.attrelid = rel AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT t.oid, t.typtype, t.typbasetype, t.typcategory
      FROM pg_type t JOIN base ON t.oid = base.typbasetype
  )
  SELECT CASE WHEN b.oid = 'bool'::regtype THEN 'boolean'
              WHEN b.typcategory = 'N'
                   AND (b.oid = 'float8'::regtype
                        OR EXISTS (SELECT 1 FROM pg_cast c
                                    WHERE c.castsource = b.oid
                                      AND c.casttarget = 'float8'::regtype
                                      AND c.castcontext = 'i')) THEN 'numeric'
              WHEN b.typcategory = 'S' OR b.typtype = 'e' THEN 'categorical'
              WHEN b.oid IN ('date'::regtype, 'timestamp'::regtype,
                             'timestamptz'::regtype) THEN 'time'
              ELSE 'other' END
    FROM base b WHERE b.typtype <> 'd'
$fn$;
COMMENT ON FUNCTION drift.column_kind(regclass, text) IS
  'numeric, categorical, boolean, time or other: how pg_drift treats a column of a relation '
  '(NULL if absent); money, oid and reg* are other, name is categorical';
