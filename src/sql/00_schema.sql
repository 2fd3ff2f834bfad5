-- pg_drift install script.
--
-- Assembled from src/sql/*.sql in name order.  Statistical types, functions
-- and aggregates are created in the schema the extension is installed into
-- (so that `SELECT ks_drift(...)` works unqualified); management functions,
-- catalog tables and views live in the schema "drift".

\echo Use "CREATE EXTENSION pg_drift" to load this file. \quit

CREATE SCHEMA drift;
COMMENT ON SCHEMA drift IS
  'pg_drift management: baselines, monitors, results and alerts';
GRANT USAGE ON SCHEMA drift TO PUBLIC;
