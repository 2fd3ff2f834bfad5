-- Thresholds learned from a baseline's chunks (drift.capture_chunks): each
-- chunk against the merge of the others, mean + 3 sd per column and test,
-- stored with the baseline and used by dataset_drift(thresholds => 'auto')
-- and model monitors; bad input named.
CREATE TABLE lt_train (ts timestamptz, amount float8, level int, colour text);
INSERT INTO lt_train
  SELECT timestamptz '2026-01-01 00:00+00' + i * interval '1 minute',
         (abs(hashint4(i)) % 1000) / 10.0, abs(hashint4(i + 7)) % 3,
         CASE abs(hashint4(i + 13)) % 4 WHEN 0 THEN 'red' WHEN 1 THEN 'blue' ELSE 'green' END
    FROM generate_series(1, 1200) i;
SELECT count(*) FROM drift.capture_baseline('lt', 'lt_train', columns => ARRAY['amount', 'level', 'colour']);
SELECT column_name, test, round(threshold::numeric, 6) AS threshold,
       round(mean::numeric, 6) AS mean, round(sd::numeric, 6) AS sd
  FROM drift.capture_chunks('lt', 4, time_column => 'ts')
 ORDER BY 1, 2;
SELECT column_name, count(*) AS chunk_profiles, sum((drift_profile_info(profile)).count) AS rows
  FROM drift.baseline_chunks WHERE baseline_name = 'lt' GROUP BY 1 ORDER BY 1;
-- by hand for amount / ks: chunk k against the merge of the other three
WITH s AS (
  SELECT k.chunk, (ks_drift(m.others, k.profile)).statistic AS d
    FROM drift.baseline_chunks k,
         LATERAL (SELECT drift_profile_merge(o.profile) AS others FROM drift.baseline_chunks o
                   WHERE o.baseline_name = 'lt' AND o.column_name = 'amount' AND o.chunk <> k.chunk) m
   WHERE k.baseline_name = 'lt' AND k.column_name = 'amount')
SELECT abs(t.threshold - (avg(s.d) + 3 * stddev_pop(s.d))) < 1e-12 AS threshold_as_defined,
       t.chunks
  FROM s, drift.baseline_thresholds t
 WHERE t.baseline_name = 'lt' AND t.column_name = 'amount' AND t.test = 'ks'
 GROUP BY t.threshold, t.chunks;
-- chunks by time: the first chunk holds the first quarter of the rows
SELECT (drift_profile_info(profile)).count AS first_chunk_rows
  FROM drift.baseline_chunks WHERE baseline_name = 'lt' AND column_name = 'level' AND chunk = 1;

-- the check with learned thresholds: statistic against the learned value
CREATE TABLE lt_live AS SELECT * FROM lt_train WHERE ts < '2026-01-01 10:00+00';
UPDATE lt_live SET amount = amount + 15 WHERE level = 0;
SELECT d.column_name, d.test, d.reason, round(d.threshold::numeric, 6) = round(t.threshold::numeric, 6)
         AS learned_threshold_used,
       d.drifted = (d.statistic >= d.threshold) AS judged_by_statistic,
       round((d.statistic / d.threshold)::numeric, 6) = round(d.severity::numeric, 6) AS severity,
       d.drifted
  FROM drift.dataset_drift('lt', 'lt_live', thresholds => 'auto') d
  JOIN drift.baseline_thresholds t ON t.baseline_name = 'lt' AND t.column_name = d.column_name
                                  AND t.test = d.test
 ORDER BY 1;
SELECT column_name, drifted FROM drift.dataset_drift('lt', 'lt_live', thresholds => 'auto') ORDER BY 1;
SELECT n_columns, n_drifted, drifted_columns
  FROM drift.dataset_drift_summary('lt', 'lt_live', thresholds => 'auto');
-- a per-column threshold in tests still wins
SELECT column_name, threshold FROM drift.dataset_drift('lt', 'lt_live', thresholds => 'auto',
  tests => '{"amount": {"threshold": 0.5}}') WHERE column_name = 'amount';

-- a model monitor with learned thresholds
SELECT drift.create_model_monitor('lt_model', 'lt_live', 'lt', thresholds => 'auto') IS NOT NULL AS created;
SELECT state FROM drift.run_monitor('lt_model');
SELECT m.column_name, m.drifted, m.reason LIKE '%learned%' AS learned
  FROM drift.model_results m JOIN drift.monitors x USING (monitor_id) WHERE x.name = 'lt_model'
 ORDER BY 1;

-- bad input
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT * FROM drift.capture_chunks('lt', 1);
SELECT * FROM drift.capture_chunks('lt', NULL);
SELECT * FROM drift.capture_chunks('lt', 5000);
SELECT * FROM drift.capture_chunks('nope', 3);
SELECT * FROM drift.capture_chunks('lt', 3, time_column => 'amount');
SELECT * FROM drift.dataset_drift('lt', 'lt_live', thresholds => 'learned');
SELECT count(*) FROM drift.capture_baseline('lt_plain', 'lt_train', columns => ARRAY['amount']);
SELECT * FROM drift.dataset_drift('lt_plain', 'lt_live', thresholds => 'auto');
SELECT drift.create_model_monitor('lt_bad', 'lt_live', 'lt_plain', thresholds => 'auto');
SELECT drift.create_model_monitor('lt_bad', 'lt_live', 'lt', thresholds => 'yes');
\set SHOW_CONTEXT errors
\set VERBOSITY terse
-- dropping the baseline drops its chunks and thresholds
SELECT drift.drop_monitor('lt_model');
SELECT drift.drop_baseline('lt');
SELECT (SELECT count(*) FROM drift.baseline_chunks WHERE baseline_name = 'lt') AS chunks_left,
       (SELECT count(*) FROM drift.baseline_thresholds WHERE baseline_name = 'lt') AS thresholds_left;

-- the same through capture_baseline(..., chunks => k, time_column => ...), as SPEC section 9 names it
SELECT count(*) FROM drift.capture_baseline('lt_cb', 'lt_train', columns => ARRAY['amount', 'level', 'colour'],
                                            chunks => 4, time_column => 'ts');
-- (the same numbers as capture_chunks('lt', 4, time_column => 'ts') at the top)
SELECT column_name, test, round(threshold::numeric, 6) AS threshold,
       round(mean::numeric, 6) AS mean, round(sd::numeric, 6) AS sd
  FROM drift.baseline_thresholds WHERE baseline_name = 'lt_cb'
 ORDER BY 1, 2;
\set SHOW_CONTEXT never
SELECT count(*) FROM drift.capture_baseline('lt_cb2', 'lt_train', time_column => 'ts');
SELECT count(*) FROM drift.capture_baseline('lt_cb2', 'lt_train', chunks => 1);
\set SHOW_CONTEXT errors
SELECT count(*) AS nothing_kept FROM drift.baselines WHERE name = 'lt_cb2';
