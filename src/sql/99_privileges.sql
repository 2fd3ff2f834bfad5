-- ---------------------------------------------------------------------------
-- Privileges of the internal functions (last, so that it covers them all)
-- ---------------------------------------------------------------------------
--
-- The extension's functions whose names begin with an underscore are internal: they switch
-- users, skip checks the API makes, or take the calling role as an argument.
-- Ordinary roles reach them only through the API (src/worker/api_call.c); no role
-- but the extension's owner (and superusers) may execute them.  Done by name
-- so that an internal function added later is covered without a list here.
DO $do$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN SELECT p.oid
             FROM pg_catalog.pg_proc p
             JOIN pg_catalog.pg_depend d
               ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
              AND d.objid OPERATOR(pg_catalog.=) p.oid AND d.deptype OPERATOR(pg_catalog.=) 'e'
             JOIN pg_catalog.pg_extension e ON e.oid OPERATOR(pg_catalog.=) d.refobjid
            WHERE e.extname OPERATOR(pg_catalog.=) 'pg_drift'
              AND pg_catalog.starts_with(p.proname::text, '_') LOOP
    EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
END
$do$;
