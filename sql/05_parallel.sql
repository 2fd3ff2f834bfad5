-- Parallel aggregation: forced parallel plans run the combine (and, for
-- internal states, serialize/deserialize) paths and give the serial answers.

CREATE TABLE par AS
  SELECT g AS id, (g % 1000) / 7.0 + sin(g) AS x, g % 4 AS slice
    FROM generate_series(1, 200000) g;
ANALYZE par;
SELECT count(*) FROM drift.capture_baseline('par_base', 'par', columns => ARRAY['x'],
                                            filter => 'id % 10 = 0');

CREATE TEMP TABLE serial_results AS
  SELECT 'profile' AS what, drift_profile_agg(x)::text AS result FROM par
  UNION ALL SELECT 'ks named', ks_drift(x, 'par_base', 'x')::text FROM par
  UNION ALL SELECT 'ks named less', ks_drift(x, 'par_base', 'x', 'less')::text FROM par
  UNION ALL SELECT 'ks profile', ks_drift(x, drift.baseline('par_base', 'x'))::text FROM par
  UNION ALL SELECT 'merge', drift_profile_merge(p)::text
              FROM (SELECT drift_profile_agg(x) AS p FROM par GROUP BY slice) s;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

EXPLAIN (COSTS OFF) SELECT drift_profile_agg(x) FROM par;
EXPLAIN (COSTS OFF) SELECT ks_drift(x, 'par_base', 'x') FROM par;
EXPLAIN (COSTS OFF) SELECT slice, ks_drift(x, 'par_base', 'x') FROM par GROUP BY slice;

CREATE TEMP TABLE parallel_results AS
  SELECT 'profile' AS what, drift_profile_agg(x)::text AS result FROM par
  UNION ALL SELECT 'ks named', ks_drift(x, 'par_base', 'x')::text FROM par
  UNION ALL SELECT 'ks named less', ks_drift(x, 'par_base', 'x', 'less')::text FROM par
  UNION ALL SELECT 'ks profile', ks_drift(x, drift.baseline('par_base', 'x'))::text FROM par
  UNION ALL SELECT 'merge', drift_profile_merge(p)::text
              FROM (SELECT drift_profile_agg(x) AS p FROM par GROUP BY slice) s;

SELECT s.what, s.result = p.result AS parallel_equals_serial
  FROM serial_results s JOIN parallel_results p USING (what) ORDER BY s.what;

-- per-slice results, parallel against serial
CREATE TEMP TABLE parallel_slices AS
  SELECT slice, ks_drift(x, 'par_base', 'x')::text AS r FROM par GROUP BY slice;
RESET ALL;
SELECT p.slice, p.r = (SELECT ks_drift(x, 'par_base', 'x')::text FROM par WHERE slice = p.slice)
       AS slice_equal
  FROM parallel_slices p ORDER BY p.slice;

-- the reference KS cases again, with parallel plans
\i test/sql/load_reference.sql
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
  SELECT case_id, ks_drift(value, case_id, 'value') FROM ref_num
   WHERE sample = 'current' GROUP BY case_id;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE stat_ok((r).statistic, k.statistic)) AS statistic_ok,
       count(*) FILTER (WHERE p_ok((r).p_value, k.p_value)) AS p_value_ok
  FROM (SELECT case_id, ks_drift(value, case_id, 'value') AS r FROM ref_num
         WHERE sample = 'current' AND case_id IN (SELECT case_id FROM ref_ks)
         GROUP BY case_id) s
  JOIN ref_ks k USING (case_id)
 WHERE k.alternative = 'two-sided';
RESET ALL;
