-- CBPE against the scikit-learn reference cases (test/reference/round2,
-- a copy of shared/reference/round2): the isotonic calibration at every
-- probe score, and estimated_binary_metrics for every case and metric
-- within SPEC.md's tolerance, serial, in forced parallel plans, per slice,
-- through a stored baseline, and per moving frame against each frame
-- recomputed.
\set QUIET on
SET client_min_messages = warning;
CREATE TABLE cb_rows (id bigserial PRIMARY KEY, case_id text, sample text, score float8,
                      actual bool);
\copy cb_rows (case_id, sample, score, actual) FROM 'test/reference/round2/cbpe_rows.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE cb_probes (case_id text, score float8, calibrated float8);
\copy cb_probes FROM 'test/reference/round2/cbpe_calibration.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE cb_expected (case_id text, threshold float8, n_current bigint, metric text,
                          value float8);
\copy cb_expected FROM 'test/reference/round2/cbpe_expected.csv' WITH (FORMAT csv, HEADER true)
ANALYZE cb_rows;
-- statistic tolerance of SPEC.md: |impl - ref| <= max(1e-9 |ref|, 1e-12); both NULL matches
CREATE FUNCTION pg_temp.stat_ok(impl float8, ref float8) RETURNS boolean
  LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE WHEN impl IS NULL OR ref IS NULL THEN impl IS NULL AND ref IS NULL
               ELSE abs(impl - ref) <= greatest(1e-9 * abs(ref), 1e-12) END $$;
-- one metric of a result by name
CREATE FUNCTION pg_temp.metric(r estimated_binary_metrics_result, name text) RETURNS float8
  LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE name WHEN 'accuracy' THEN r.accuracy WHEN 'precision' THEN r.precision
                    WHEN 'recall' THEN r.recall WHEN 'specificity' THEN r.specificity
                    WHEN 'f1' THEN r.f1 WHEN 'roc_auc' THEN r.roc_auc END $$;
-- the bare state, for the combine and text-form checks
CREATE AGGREGATE pg_temp.est_state(float8, float8, drift_calibration) (
  SFUNC = estimated_metrics_trans, STYPE = drift_estimated_metrics_state);
CREATE TABLE cb_threshold AS SELECT DISTINCT case_id, threshold, n_current FROM cb_expected;
RESET client_min_messages;
\set QUIET off

-- the calibration of each case's baseline rows
CREATE TABLE cb_cal AS
  SELECT case_id, isotonic_calibration(score, actual) AS cal
    FROM cb_rows WHERE sample = 'baseline' GROUP BY case_id;
SELECT count(*) AS probes,
       count(*) FILTER (WHERE pg_temp.stat_ok(calibrate(c.cal, p.score), p.calibrated)) AS ok,
       count(*) FILTER (WHERE calibrate(c.cal, p.score) = p.calibrated) AS bit_exact
  FROM cb_probes p JOIN cb_cal c USING (case_id);
-- a calibration's text form round-trips, and it predicts its points' values at
-- their scores (to rounding: like interp1d, from the segment's left end)
SELECT count(*) FILTER (WHERE cal::text::drift_calibration::text = cal::text) AS text_round_trip,
       count(*) FILTER (WHERE NOT EXISTS (
         SELECT 1 FROM generate_subscripts(calibration_points(cal), 2) i
          WHERE NOT pg_temp.stat_ok(calibrate(cal, (calibration_points(cal))[1][i]),
                                    (calibration_points(cal))[2][i]))) AS points_predicted,
       sum(array_length(calibration_points(cal), 2)) AS points
  FROM cb_cal;

-- estimated metrics, serial, with the calibration as a value
CREATE TEMP TABLE cb_serial AS
  SELECT r.case_id, estimated_binary_metrics(r.score, t.threshold, c.cal) AS m
    FROM cb_rows r JOIN cb_threshold t USING (case_id) JOIN cb_cal c USING (case_id)
   WHERE r.sample = 'current' GROUP BY r.case_id;
SELECT count(*) AS metrics,
       count(*) FILTER (WHERE pg_temp.stat_ok(pg_temp.metric(s.m, e.metric), e.value)) AS ok,
       count(*) FILTER (WHERE (s.m).n = e.n_current) AS n_ok
  FROM cb_expected e JOIN cb_serial s USING (case_id);
SELECT case_id, (m).n, round((m).accuracy::numeric, 6) AS accuracy,
       round((m).f1::numeric, 6) AS f1, round((m).roc_auc::numeric, 6) AS roc_auc
  FROM cb_serial ORDER BY case_id LIMIT 3;

-- through stored baselines: capture_baseline with a score and a label
-- stores the same calibration, and the named form gives the same metrics
CREATE TABLE cb_train AS SELECT case_id, score, actual FROM cb_rows WHERE sample = 'baseline';
CREATE TABLE cb_current AS SELECT id, case_id, score FROM cb_rows WHERE sample = 'current';
SELECT count(*) AS captured FROM (
  SELECT drift.capture_baseline(c.case_id, 'cb_train', columns => ARRAY['score'],
                                filter => format('case_id = %L', c.case_id),
                                prediction_column => 'score', label_column => 'actual')
    FROM cb_cal c) s;
SELECT count(*) AS stored,
       count(*) FILTER (WHERE drift.baseline_calibration(c.case_id, 'score')::text = c.cal::text)
         AS same_calibration
  FROM cb_cal c;
SELECT count(*) AS metrics,
       count(*) FILTER (WHERE pg_temp.metric(n.m, e.metric) IS NOT DISTINCT FROM
                              pg_temp.metric(s.m, e.metric)) AS same_as_value_form
  FROM cb_expected e JOIN cb_serial s USING (case_id)
  JOIN (SELECT x.case_id, estimated_binary_metrics(x.score, t.threshold, x.case_id, 'score') AS m
          FROM cb_current x JOIN cb_threshold t USING (case_id) GROUP BY x.case_id) n USING (case_id);
-- constant arguments, as a user writes them
SELECT (estimated_binary_metrics(score, 0.5, 'pub-cbpe-0001', 'score')).n AS n,
       pg_temp.stat_ok((estimated_binary_metrics(score, 0.5, 'pub-cbpe-0001', 'score')).f1,
                       (SELECT value FROM cb_expected
                         WHERE case_id = 'pub-cbpe-0001' AND metric = 'f1')) AS f1_ok
  FROM cb_current WHERE case_id = 'pub-cbpe-0001';

-- forced parallel plans: partial states in the workers, combined in the leader
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
  SELECT r.case_id, estimated_binary_metrics(r.score, 0.5, 'pub-cbpe-0001', 'score')
    FROM cb_current r GROUP BY r.case_id;
CREATE TEMP TABLE cb_parallel AS
  SELECT r.case_id, estimated_binary_metrics(r.score, t.threshold, c.cal) AS m
    FROM cb_rows r JOIN cb_threshold t USING (case_id) JOIN cb_cal c USING (case_id)
   WHERE r.sample = 'current' GROUP BY r.case_id;
CREATE TEMP TABLE cb_parallel_named AS
  SELECT estimated_binary_metrics(score, 0.3, 'pub-cbpe-0002', 'score') AS m
    FROM cb_current WHERE case_id = 'pub-cbpe-0002';
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
SELECT count(*) AS metrics,
       count(*) FILTER (WHERE pg_temp.stat_ok(pg_temp.metric(p.m, e.metric), e.value)) AS ok,
       count(*) FILTER (WHERE (p.m).n = e.n_current) AS n_ok
  FROM cb_expected e JOIN cb_parallel p USING (case_id);
SELECT count(*) FILTER (WHERE pg_temp.stat_ok(pg_temp.metric(p.m, e.metric), e.value)) AS ok
  FROM cb_expected e, cb_parallel_named p WHERE e.case_id = 'pub-cbpe-0002';

-- a partial state's text form round-trips (how Citus moves it between nodes)
SELECT count(*) AS cases,
       count(*) FILTER (WHERE st::text::drift_estimated_metrics_state::text = st::text) AS round_trip,
       count(*) FILTER (WHERE estimated_metrics_final(st::text::drift_estimated_metrics_state)
                              = s.m) AS same_result
  FROM (SELECT r.case_id, estimated_metrics_combine(
                 pg_temp.est_state(r.score, t.threshold, c.cal) FILTER (WHERE r.id % 2 = 0),
                 pg_temp.est_state(r.score, t.threshold, c.cal) FILTER (WHERE r.id % 2 = 1)) AS st
          FROM cb_rows r JOIN cb_threshold t USING (case_id) JOIN cb_cal c USING (case_id)
         WHERE r.sample = 'current' GROUP BY r.case_id) x
  JOIN cb_serial s USING (case_id);
