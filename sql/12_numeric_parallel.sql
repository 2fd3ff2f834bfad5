-- Forced parallel plans of the numeric drift tests run their combine (and,
-- for wasserstein_drift, serialize/deserialize) paths and give the serial
-- answers: bin counts and distinct-value lists combine exactly, zscore's
-- double-double sums to far below the tolerance.
CREATE TABLE numpar AS
  SELECT g AS id, (g % 1000) / 7.0 + sin(g) AS x, g % 4 AS slice,
         CASE WHEN g % 997 = 0 THEN NULL
              WHEN g % 991 = 0 THEN 'NaN'::float8
              ELSE 1e4 + (g % 1013) / 1013.0 + (g % 4) * 0.01 END AS y
    FROM generate_series(1, 200000) g;
ANALYZE numpar;
SELECT count(*) FROM drift.capture_baseline('numpar_base', 'numpar', columns => ARRAY['x', 'y'],
                                            filter => 'id % 10 = 0');

CREATE FUNCTION numpar_results() RETURNS TABLE (what text, result drift_result)
  LANGUAGE sql AS $$
  SELECT 'psi named', psi_drift(x, 'numpar_base', 'x') FROM numpar
  UNION ALL SELECT 'psi named 20 uniform fill', psi_drift(x, 'numpar_base', 'x', 20, 'uniform', 0.001) FROM numpar
  UNION ALL SELECT 'psi profile', psi_drift(x, drift.baseline('numpar_base', 'x')) FROM numpar
  UNION ALL SELECT 'js named', js_drift(x, 'numpar_base', 'x') FROM numpar
  UNION ALL SELECT 'js profile 5', js_drift(x, drift.baseline('numpar_base', 'x'), 5) FROM numpar
  UNION ALL SELECT 'hellinger named', hellinger_drift(x, 'numpar_base', 'x') FROM numpar
  UNION ALL SELECT 'hellinger profile uniform', hellinger_drift(x, drift.baseline('numpar_base', 'x'), 10, 'uniform') FROM numpar
  UNION ALL SELECT 'kl named', kl_drift(x, 'numpar_base', 'x') FROM numpar
  UNION ALL SELECT 'kl profile', kl_drift(x, drift.baseline('numpar_base', 'x'), 20, 'quantile', 0.01) FROM numpar
  UNION ALL SELECT 'zscore named', zscore_drift(y, 'numpar_base', 'y') FROM numpar
  UNION ALL SELECT 'zscore profile', zscore_drift(y, drift.baseline('numpar_base', 'y')) FROM numpar
  UNION ALL SELECT 'wasserstein named', wasserstein_drift(x, 'numpar_base', 'x') FROM numpar
  UNION ALL SELECT 'wasserstein profile', wasserstein_drift(y, drift.baseline('numpar_base', 'y')) FROM numpar
$$;

CREATE FUNCTION numpar_slices() RETURNS TABLE (slice int, what text, result drift_result)
  LANGUAGE sql AS $$
  SELECT slice, 'psi', psi_drift(x, 'numpar_base', 'x') FROM numpar GROUP BY slice
  UNION ALL SELECT slice, 'zscore', zscore_drift(y, 'numpar_base', 'y') FROM numpar GROUP BY slice
  UNION ALL SELECT slice, 'wasserstein', wasserstein_drift(x, 'numpar_base', 'x') FROM numpar GROUP BY slice
$$;

CREATE TEMP TABLE serial_results AS SELECT * FROM numpar_results();
CREATE TEMP TABLE serial_slices AS SELECT * FROM numpar_slices();

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

EXPLAIN (COSTS OFF) SELECT psi_drift(x, 'numpar_base', 'x') FROM numpar;
EXPLAIN (COSTS OFF) SELECT zscore_drift(y, 'numpar_base', 'y') FROM numpar;
EXPLAIN (COSTS OFF) SELECT wasserstein_drift(x, drift.baseline('numpar_base', 'x')) FROM numpar;
EXPLAIN (COSTS OFF) SELECT slice, kl_drift(x, 'numpar_base', 'x', 5) FROM numpar GROUP BY slice;

CREATE TEMP TABLE parallel_results AS SELECT * FROM numpar_results();
CREATE TEMP TABLE parallel_slices AS SELECT * FROM numpar_slices();
RESET ALL;

-- binned and wasserstein: identical; zscore: within 1e-12 relative
SELECT s.what,
       CASE WHEN s.what LIKE 'zscore%'
            THEN abs((p.result).statistic - (s.result).statistic) <= 1e-12 * abs((s.result).statistic)
                 AND abs((p.result).p_value - (s.result).p_value) <= 1e-12 * abs((s.result).p_value)
                 AND (p.result).n_current = (s.result).n_current
            ELSE p.result::text = s.result::text END AS parallel_equals_serial,
       (s.result).statistic IS NOT NULL AS has_statistic
  FROM serial_results s JOIN parallel_results p USING (what) ORDER BY s.what;

SELECT s.slice, s.what,
       CASE WHEN s.what = 'zscore'
            THEN abs((p.result).statistic - (s.result).statistic) <= 1e-12 * abs((s.result).statistic)
            ELSE p.result::text = s.result::text END AS parallel_equals_serial
  FROM serial_slices s JOIN parallel_slices p USING (slice, what) ORDER BY s.what, s.slice;

-- NULLs and NaNs are counted out: n_current is the number of usable values
SELECT what, (result).n_current FROM serial_results
 WHERE what IN ('zscore named', 'wasserstein profile', 'psi named') ORDER BY what;
SELECT count(y) FILTER (WHERE y <> 'NaN') AS usable_y FROM numpar;

-- the reference cases again, with parallel plans, one group per case
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
  SELECT case_id, psi_drift(value, case_id, 'value') FROM ref_num
   WHERE sample = 'current' GROUP BY case_id;
CREATE TEMP TABLE parallel_ref AS
  SELECT case_id, psi_drift(value, case_id, 'value') AS psi,
         js_drift(value, case_id, 'value') AS js,
         hellinger_drift(value, case_id, 'value') AS hellinger,
         kl_drift(value, case_id, 'value') AS kl,
         zscore_drift(value, case_id, 'value') AS zscore,
         wasserstein_drift(value, case_id, 'value') AS wasserstein
    FROM ref_num WHERE sample = 'current' GROUP BY case_id;
RESET ALL;
SELECT k.metric, count(*) AS rows,
       count(*) FILTER (WHERE stat_ok(CASE k.metric WHEN 'psi' THEN (p.psi).statistic
                                        WHEN 'js' THEN (p.js).statistic
                                        WHEN 'hellinger' THEN (p.hellinger).statistic
                                        WHEN 'kl' THEN (p.kl).statistic
                                        WHEN 'zscore' THEN (p.zscore).statistic
                                        ELSE (p.wasserstein).statistic END, k.statistic)) AS statistic_ok,
       count(*) FILTER (WHERE p_ok(CASE k.metric WHEN 'zscore' THEN (p.zscore).p_value END,
                                   k.p_value)) AS p_value_ok
  FROM parallel_ref p JOIN ref_cases k USING (case_id)
 WHERE k.metric IN ('psi', 'js', 'hellinger', 'kl', 'zscore', 'wasserstein')
   AND k.params IN ('bins=10', 'ddof=1', 'p=1')
 GROUP BY k.metric ORDER BY k.metric;
