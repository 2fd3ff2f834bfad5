-- Baselines on every Citus node (src/sql/96_baseline_nodes.sql), without
-- Citus: every baseline table carries the deferred copy trigger, which does
-- nothing here; drift.citus_sync_baselines() says Citus is missing; and the
-- SQL that a copy runs on another node recreates a baseline row for row (and
-- holds only what the caller may see).  scripts/test-citus.sh runs the copy
-- on a real cluster.
SET client_min_messages = warning;
CREATE TABLE bn_train AS
  SELECT i, (i % 97)::float8 / 7 AS x, (ARRAY['u', 'v', 'w'])[1 + i % 3] AS c,
         (i % 89)::float8 / 89 AS score, i % 3 = 0 AS label
    FROM generate_series(1, 600) i;
SELECT count(*) FROM drift.capture_baseline('bn', 'bn_train', columns => ARRAY['x', 'c'],
                                            target_column => 'i', prediction_column => 'score',
                                            label_column => 'label', chunks => 3);

SELECT t.rel, t.owner_column, t.name_column,
       EXISTS (SELECT 1 FROM pg_trigger g
                WHERE g.tgrelid = t.rel AND g.tgname = 'copy_to_citus_nodes'
                  AND g.tgdeferrable AND g.tginitdeferred) AS copy_trigger
  FROM drift.baseline_tables() t;

DO $$
BEGIN
  PERFORM drift.citus_sync_baselines();
EXCEPTION WHEN feature_not_supported THEN
  RAISE WARNING 'feature_not_supported';
END
$$;

-- per table: rows of baseline bn and a digest of their text
CREATE FUNCTION pg_temp.bn_rows() RETURNS TABLE (rel text, n bigint, digest text)
  LANGUAGE plpgsql AS $fn$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM drift.baseline_tables() LOOP
    rel := t.rel::text;
    EXECUTE format('SELECT count(*), md5(string_agg(r::text, ''|'' ORDER BY r::text)) '
                   'FROM %s r WHERE r.%I = ''bn''', t.rel, t.name_column) INTO n, digest;
    RETURN NEXT;
  END LOOP;
END
$fn$;
CREATE TEMP TABLE bn_before AS SELECT * FROM pg_temp.bn_rows();
SELECT (ks_drift(x, 'bn', 'x')).* FROM bn_train;

SELECT drift.baseline_copy_sql(current_user, 'bn') AS copy_sql \gset
SELECT drift.drop_baseline('bn');
SELECT sum(n) FROM pg_temp.bn_rows();
:copy_sql
SELECT b.rel, b.n, a.n = b.n AND a.digest = b.digest AS same
  FROM bn_before b JOIN pg_temp.bn_rows() a USING (rel) ORDER BY 1;
SELECT (ks_drift(x, 'bn', 'x')).* FROM bn_train;

-- the copy holds only rows the caller may see
SELECT position('bn_train' IN drift.baseline_copy_sql(NULL, NULL)) > 0 AS bn_in_own_copy;
CREATE ROLE bn_other;
SET ROLE bn_other;
SELECT position('bn_train' IN drift.baseline_copy_sql(NULL, NULL)) AS bn_in_copy;
RESET ROLE;
DROP ROLE bn_other;
SELECT drift.drop_baseline('bn');
DROP TABLE bn_train;
