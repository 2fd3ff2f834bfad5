-- Parallel aggregation of categorical data: forced parallel plans run the
-- combine (and serialize/deserialize) paths and give the serial answers.

CREATE TABLE cat_par AS
  SELECT g AS id,
         CASE WHEN g % 97 = 0 THEN NULL
              WHEN g % 13 = 0 THEN 'rare ' || (g % 700)
              ELSE 'c' || (g % 40) END AS category,
         g % 4 AS slice
    FROM generate_series(1, 200000) g;
ANALYZE cat_par;
SELECT count(*) FROM drift.capture_baseline('cat_par_base', 'cat_par', columns => ARRAY['category'],
                                            filter => 'id % 10 = 0 AND id <= 100000');

CREATE TEMP TABLE cat_serial AS
  SELECT 'profile' AS what, drift_profile_agg(category)::text AS result FROM cat_par
  UNION ALL SELECT 'merge', drift_profile_merge(p)::text
              FROM (SELECT drift_profile_agg(category) AS p FROM cat_par GROUP BY slice) s
  UNION ALL SELECT 'chi2 named', chi2_drift(category, 'cat_par_base', 'category')::text FROM cat_par
  UNION ALL SELECT 'chi2 details', chi2_drift_details(category, 'cat_par_base', 'category')::text
              FROM cat_par
  UNION ALL SELECT 'psi profile', psi_drift(category, drift.baseline('cat_par_base', 'category'))::text
              FROM cat_par
  UNION ALL SELECT 'js named', js_drift(category, 'cat_par_base', 'category')::text FROM cat_par
  UNION ALL SELECT 'linf named', linf_drift(category, 'cat_par_base', 'category')::text FROM cat_par
  UNION ALL SELECT 'tvd named', tvd_drift(category, 'cat_par_base', 'category')::text FROM cat_par
  UNION ALL SELECT 'unseen share', unseen_category_share(category, 'cat_par_base', 'category')::text
              FROM cat_par;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

EXPLAIN (COSTS OFF) SELECT drift_profile_agg(category) FROM cat_par;
EXPLAIN (COSTS OFF) SELECT chi2_drift(category, 'cat_par_base', 'category') FROM cat_par;
EXPLAIN (COSTS OFF) SELECT unseen_category_share(category, 'cat_par_base', 'category') FROM cat_par;
EXPLAIN (COSTS OFF)
  SELECT slice, tvd_drift(category, 'cat_par_base', 'category') FROM cat_par GROUP BY slice;

CREATE TEMP TABLE cat_parallel AS
  SELECT 'profile' AS what, drift_profile_agg(category)::text AS result FROM cat_par
  UNION ALL SELECT 'merge', drift_profile_merge(p)::text
              FROM (SELECT drift_profile_agg(category) AS p FROM cat_par GROUP BY slice) s
  UNION ALL SELECT 'chi2 named', chi2_drift(category, 'cat_par_base', 'category')::text FROM cat_par
  UNION ALL SELECT 'chi2 details', chi2_drift_details(category, 'cat_par_base', 'category')::text
              FROM cat_par
  UNION ALL SELECT 'psi profile', psi_drift(category, drift.baseline('cat_par_base', 'category'))::text
              FROM cat_par
  UNION ALL SELECT 'js named', js_drift(category, 'cat_par_base', 'category')::text FROM cat_par
  UNION ALL SELECT 'linf named', linf_drift(category, 'cat_par_base', 'category')::text FROM cat_par
  UNION ALL SELECT 'tvd named', tvd_drift(category, 'cat_par_base', 'category')::text FROM cat_par
  UNION ALL SELECT 'unseen share', unseen_category_share(category, 'cat_par_base', 'category')::text
              FROM cat_par;

-- (chi2 and psi sum in category order, so the answers are bit-identical)
SELECT s.what, s.result = p.result AS parallel_equals_serial
  FROM cat_serial s JOIN cat_parallel p USING (what) ORDER BY s.what;

-- per-slice results, parallel against serial
CREATE TEMP TABLE cat_parallel_slices AS
  SELECT slice, chi2_drift(category, 'cat_par_base', 'category')::text AS r FROM cat_par
   GROUP BY slice;
RESET ALL;
SELECT p.slice, p.r = (SELECT chi2_drift(category, 'cat_par_base', 'category')::text
                         FROM cat_par WHERE slice = p.slice) AS slice_equal
  FROM cat_parallel_slices p ORDER BY p.slice;

-- the reference categorical cases again, with parallel plans (ref_cat,
-- ref_cases, stat_ok and p_ok come from 17_categorical_reference)
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
  SELECT case_id, chi2_drift(value, case_id, 'value') FROM ref_cat
   WHERE sample = 'current' GROUP BY case_id;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE stat_ok((r).statistic, k.statistic)) AS statistic_ok,
       count(*) FILTER (WHERE p_ok((r).p_value, k.p_value)) AS p_value_ok
  FROM (SELECT case_id, chi2_drift(value, case_id, 'value') AS r FROM ref_cat
         WHERE sample = 'current' GROUP BY case_id) s
  JOIN ref_cases k USING (case_id)
 WHERE k.metric = 'chi2';
SELECT count(*) AS rows,
       count(*) FILTER (WHERE stat_ok((r).statistic, k.statistic)) AS statistic_ok
  FROM (SELECT case_id, psi_drift(value, case_id, 'value') AS r FROM ref_cat
         WHERE sample = 'current' GROUP BY case_id) s
  JOIN ref_cases k USING (case_id)
 WHERE k.metric = 'psi_cat';
RESET ALL;
