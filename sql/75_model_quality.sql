-- Model monitors that know their prediction and label (SPEC.md sections 9
-- and 10): the model's realized quality on labelled rows and its CBPE
-- estimate on every row, measured in the run's one scan, in
-- drift.model_quality, drift.results.label_coverage and the alert; labels
-- in another relation arriving late; alter_monitor changing label settings;
-- bad input.
SET client_min_messages = warning;
\set VERBOSITY terse
-- training: a feature, a category, a score and a label that follows the score
CREATE TABLE mq_train AS
  SELECT g AS id, (g % 50)::float8 AS amount, CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END AS kind,
         (g % 100)::float8 / 100 AS score, (g * 7919 % 100) < (g % 100) AS label
    FROM generate_series(1, 4000) g;
SELECT count(*) FROM drift.capture_baseline('mq', 'mq_train', columns => ARRAY['amount', 'kind', 'score'],
                                            prediction_column => 'score', label_column => 'label');
SELECT count(*) FROM drift.capture_baseline('mq_nocal', 'mq_train', columns => ARRAY['amount', 'kind', 'score']);
-- live: hour 1 labelled, amount drifted; hour 2 like training, labels not yet there
CREATE TABLE mq_live AS
  SELECT g AS id, timestamptz '2026-07-01 00:00+00' + g * interval '1 second' AS ts,
         (g % 50)::float8 + CASE WHEN g < 3600 THEN 30 ELSE 0 END AS amount,
         CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END AS kind,
         (g % 100)::float8 / 100 AS score,
         CASE WHEN g < 3600 THEN (g * 31 % 100) < (g % 90) END AS label
    FROM generate_series(1, 7199) g;

SELECT drift.create_model_monitor('mq_model', 'mq_live', 'mq', time_column => 'ts',
                                  window_size => '1 hour', columns => ARRAY['amount', 'kind'],
                                  prediction_column => 'score', label_column => 'label') > 0 AS created;
SELECT prediction_column FROM drift.model_monitors JOIN drift.monitors USING (monitor_id)
 WHERE name = 'mq_model';
-- hour 1: the model fires on amount; quality realized on every row and estimated
SELECT statistic, n_current, label_coverage, state
  FROM drift.run_monitor('mq_model', as_of => '2026-07-01 01:00+00');
CREATE TEMP TABLE mq_expect AS
  SELECT to_jsonb(binary_metrics(score, label, 0.5))
           || jsonb_build_object('roc_auc', roc_auc(score, label)) AS realized,
         to_jsonb(estimated_binary_metrics(score, 0.5, 'mq', 'score')) AS estimated
    FROM mq_live WHERE ts >= '2026-07-01 00:00+00' AND ts < '2026-07-01 01:00+00';
SELECT q.metric, q.n_labelled, q.realized IS NOT NULL AS has_realized,
       abs(q.realized - (e.realized ->> q.metric)::float8) < 1e-12 AS realized_ok,
       abs(q.estimated - (e.estimated ->> q.metric)::float8) < 1e-12 AS estimated_ok
  FROM drift.model_quality q JOIN drift.monitors m USING (monitor_id), mq_expect e
 WHERE m.name = 'mq_model' ORDER BY q.metric;
-- the alert: the drifted columns and the quality
SELECT payload ->> 'state' AS state, payload -> 'drifted_columns' AS drifted,
       payload -> 'quality' ->> 'prediction_column' AS prediction,
       payload -> 'quality' ->> 'label_coverage' AS coverage,
       abs((payload -> 'quality' -> 'realized' ->> 'f1')::float8
           - (SELECT (realized ->> 'f1')::float8 FROM mq_expect)) < 1e-12 AS f1_ok,
       abs((payload -> 'quality' -> 'estimated' ->> 'f1')::float8
           - (SELECT (estimated ->> 'f1')::float8 FROM mq_expect)) < 1e-12 AS estimated_f1_ok
  FROM drift.alerts WHERE payload ->> 'monitor' = 'mq_model' ORDER BY alert_id;
-- hour 2: no label yet: nothing realized, the estimate still there
SELECT statistic, n_current, label_coverage, state
  FROM drift.run_monitor('mq_model', as_of => '2026-07-01 02:00+00');
SELECT q.metric, q.n_labelled, q.realized,
       abs(q.estimated - (e ->> q.metric)::float8) < 1e-12 AS estimated_ok
  FROM drift.model_quality q JOIN drift.results r USING (result_id),
       (SELECT to_jsonb(estimated_binary_metrics(score, 0.5, 'mq', 'score')) AS e
          FROM mq_live WHERE ts >= '2026-07-01 01:00+00' AND ts < '2026-07-01 02:00+00') x
 WHERE r.monitor = 'mq_model' AND r.window_end = '2026-07-01 02:00+00' ORDER BY q.metric;
SELECT payload ->> 'state' AS state, payload -> 'quality' -> 'realized' AS realized,
       payload -> 'quality' ->> 'n_labelled' AS n_labelled
  FROM drift.alerts WHERE payload ->> 'monitor' = 'mq_model' ORDER BY alert_id;

-- no calibration in the baseline: realized only
SELECT drift.create_model_monitor('mq_plain', 'mq_live', 'mq_nocal', time_column => 'ts',
                                  window_size => '1 hour', columns => ARRAY['amount'],
                                  prediction_column => 'score', label_column => 'label') > 0 AS created;
SELECT state FROM drift.run_monitor('mq_plain', as_of => '2026-07-01 01:00+00');
SELECT count(*) AS metrics, count(realized) AS realized, count(estimated) AS estimated
  FROM drift.model_quality q JOIN drift.monitors m USING (monitor_id) WHERE m.name = 'mq_plain';
-- a boolean prediction, and a regression
ALTER TABLE mq_live ADD COLUMN predicted boolean, ADD COLUMN target float8;
UPDATE mq_live SET predicted = score >= 0.5, target = amount * 2 + (id % 3);
SELECT drift.create_model_monitor('mq_bool', 'mq_live', 'mq', time_column => 'ts',
                                  window_size => '1 hour', columns => ARRAY['amount'],
                                  prediction_column => 'predicted', label_column => 'label') > 0 AS created;
SELECT drift.create_model_monitor('mq_reg', 'mq_live', 'mq', time_column => 'ts',
                                  window_size => '1 hour', columns => ARRAY['amount'],
                                  prediction_column => 'amount', label_column => 'target') > 0 AS created;
SELECT state FROM drift.run_monitor('mq_bool', as_of => '2026-07-01 01:00+00');
SELECT state FROM drift.run_monitor('mq_reg', as_of => '2026-07-01 01:00+00');
SELECT m.name, q.metric,
       abs(q.realized - (CASE m.name WHEN 'mq_bool' THEN e.b ELSE e.r END ->> q.metric)::float8) < 1e-12 AS realized_ok,
       q.estimated
  FROM drift.model_quality q JOIN drift.monitors m USING (monitor_id),
       (SELECT to_jsonb(binary_metrics(predicted, label)) AS b,
               to_jsonb(regression_metrics(amount, target)) AS r
          FROM mq_live WHERE ts >= '2026-07-01 00:00+00' AND ts < '2026-07-01 01:00+00') e
 WHERE m.name IN ('mq_bool', 'mq_reg') ORDER BY 1, 2;

-- labels in another relation, arriving late: the window is judged again
-- when they come, with its columns and quality
CREATE TABLE mq_preds AS SELECT id, ts, amount, kind, score FROM mq_live;
CREATE TABLE mq_labels (id int, label boolean);
SELECT drift.create_model_monitor('mq_late', 'mq_preds', 'mq', time_column => 'ts',
                                  window_size => '1 hour', columns => ARRAY['amount', 'kind'],
                                  prediction_column => 'score', label_column => 'label',
                                  label_relation => 'mq_labels', join_column => 'id',
                                  label_delay => '30 minutes', label_horizon => '1 day') > 0 AS created;
SELECT window_end, label_coverage, state
  FROM drift.run_monitor('mq_late', as_of => '2026-07-01 01:30+00');
INSERT INTO mq_labels SELECT id, label FROM mq_live WHERE id <= 1800;
SELECT window_end, label_coverage, state
  FROM drift.run_monitor('mq_late', as_of => '2026-07-01 02:30+00') ORDER BY result_id;
-- every evaluation has its column rows and quality rows; the re-evaluation
-- of the first hour realizes F1 on its labelled half
SELECT r.window_end, round(r.label_coverage::numeric, 3) AS coverage,
       (SELECT count(*) FROM drift.model_results c WHERE c.result_id = r.result_id) AS column_rows,
       q.n_labelled, q.realized IS NOT NULL AS realized, q.estimated IS NOT NULL AS estimated
  FROM drift.results r JOIN drift.model_quality q ON q.result_id = r.result_id AND q.metric = 'f1'
 WHERE r.monitor = 'mq_late' ORDER BY r.result_id;
SELECT abs(q.realized - (SELECT (binary_metrics(score, label, 0.5)).f1 FROM mq_live
                          WHERE id <= 1800)) < 1e-12 AS realized_f1_ok
  FROM drift.model_quality q JOIN drift.results r USING (result_id)
 WHERE r.monitor = 'mq_late' AND q.metric = 'f1' AND q.n_labelled > 0;

-- alter_monitor changes the label settings: the model's label, then none
SELECT drift.alter_monitor('mq_model', reset => ARRAY['label_column']);
SELECT label_coverage, state FROM drift.run_monitor('mq_model', as_of => '2026-07-01 01:00+00');
SELECT count(*) AS metrics, count(realized) AS realized, count(estimated) AS estimated
  FROM drift.model_quality q WHERE q.result_id = (SELECT max(result_id) FROM drift.results
                                                    WHERE monitor = 'mq_model');
SELECT drift.alter_monitor('mq_model', label_column => 'label', label_relation => 'mq_labels',
                           join_column => 'id', label_horizon => '1 day');
SELECT label_relation_name, join_column, label_horizon FROM drift.monitors WHERE name = 'mq_model';
SELECT round(label_coverage::numeric, 3) AS coverage, state
  FROM drift.run_monitor('mq_model', as_of => '2026-07-01 01:00+00');
SELECT drift.alter_monitor('mq_model', reset => ARRAY['label_relation', 'join_column',
                                                      'label_horizon', 'prediction_column',
                                                      'label_column']);
SELECT label_relation_name, join_column, label_horizon, label_column,
       (SELECT prediction_column FROM drift.model_monitors x WHERE x.monitor_id = m.monitor_id)
  FROM drift.monitors m WHERE name = 'mq_model';
SELECT state FROM drift.run_monitor('mq_model', as_of => '2026-07-01 01:00+00');
SELECT count(*) AS quality_rows FROM drift.model_quality
 WHERE result_id = (SELECT max(result_id) FROM drift.results WHERE monitor = 'mq_model');
SELECT drift.alter_monitor('mq_model', prediction_column => 'score', label_column => 'label');
SELECT prediction_column FROM drift.model_monitors JOIN drift.monitors USING (monitor_id)
 WHERE name = 'mq_model';
-- a column monitor gains its labels from another relation
SELECT drift.create_monitor('mq_est', 'mq_preds', metric => 'estimated_f1', column_name => 'score',
                            baseline => 'mq', lower_bound => 0.1, time_column => 'ts',
                            window_size => '1 hour') > 0 AS created;
SELECT drift.alter_monitor('mq_est', label_relation => 'mq_labels', join_column => 'id',
                           label_column => 'label', label_delay => '10 minutes');
SELECT label_relation_name, join_column, label_column, label_delay FROM drift.monitors
 WHERE name = 'mq_est';
SELECT window_end, round(label_coverage::numeric, 3) AS coverage, realized IS NOT NULL AS realized
  FROM drift.run_monitor('mq_est', as_of => '2026-07-01 01:10+00');
SELECT drift.alter_monitor('mq_est', reset => ARRAY['label_relation', 'join_column',
                                                    'label_column', 'label_delay']);
SELECT label_relation_oid, join_column, label_column, label_delay FROM drift.monitors
 WHERE name = 'mq_est';

-- bad input
SELECT drift.create_model_monitor('bad', 'mq_live', 'mq', time_column => 'ts',
                                  window_size => '1 hour', label_column => 'label');
SELECT drift.create_model_monitor('bad', 'mq_live', 'mq', time_column => 'ts',
                                  window_size => '1 hour', prediction_column => 'nope',
                                  label_column => 'label');
SELECT drift.create_model_monitor('bad', 'mq_live', 'mq', time_column => 'ts',
                                  window_size => '1 hour', prediction_column => 'score',
                                  label_column => 'nope');
SELECT drift.create_model_monitor('bad', 'mq_live', 'mq', time_column => 'ts',
                                  window_size => '1 hour', prediction_column => 'kind',
                                  label_column => 'label');
SELECT drift.create_model_monitor('bad', 'mq_live', 'mq_nocal', time_column => 'ts',
                                  window_size => '1 hour', prediction_column => 'score');
SELECT drift.create_model_monitor('bad', 'mq_preds', 'mq', time_column => 'ts',
                                  window_size => '1 hour', prediction_column => 'score',
                                  label_relation => 'mq_labels', join_column => 'id');
SELECT drift.create_model_monitor('bad', 'mq_preds', 'mq', prediction_column => 'score',
                                  label_column => 'label', label_relation => 'mq_labels',
                                  join_column => 'id');
SELECT drift.create_model_monitor('bad', 'mq_preds', 'mq', time_column => 'ts',
                                  window_size => '1 hour', prediction_column => 'score',
                                  label_column => 'label', label_relation => 'mq_labels',
                                  join_column => 'id', compare_to => 'previous_window');
SELECT drift.alter_monitor('mq_est', prediction_column => 'score');
SELECT drift.alter_monitor('mq_est', reset => ARRAY['nope']);
SELECT count(*) AS bad_monitors FROM drift.monitors WHERE name = 'bad';
-- against the previous window, labels in the relation: realized quality, no
-- estimate (the calibration belongs to the baseline)
SELECT drift.create_model_monitor('mq_prev', 'mq_live', 'mq', time_column => 'ts',
                                  window_size => '1 hour', columns => ARRAY['amount'],
                                  prediction_column => 'score', label_column => 'label',
                                  compare_to => 'previous_window') > 0 AS created;
SELECT statistic, label_coverage, state
  FROM drift.run_monitor('mq_prev', as_of => '2026-07-01 01:30+00');
SELECT count(*) AS metrics, count(realized) AS realized, count(estimated) AS estimated
  FROM drift.model_quality q JOIN drift.monitors m USING (monitor_id) WHERE m.name = 'mq_prev';
-- prediction with the CBPE estimate only (a calibrated baseline, no label)
SELECT drift.create_model_monitor('mq_blind', 'mq_live', 'mq', time_column => 'ts',
                                  window_size => '1 hour', columns => ARRAY['amount'],
                                  prediction_column => 'score') > 0 AS created;
SELECT label_coverage, state FROM drift.run_monitor('mq_blind', as_of => '2026-07-01 02:00+00');
SELECT count(*) AS metrics, count(realized) AS realized, count(estimated) AS estimated
  FROM drift.model_quality q JOIN drift.monitors m USING (monitor_id) WHERE m.name = 'mq_blind';
