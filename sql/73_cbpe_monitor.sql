-- Monitors of estimated quality (estimated_accuracy, _precision, _recall,
-- _f1, _roc_auc): each run's statistic is estimated_binary_metrics over the
-- window, the bounds decide the state, and a baseline without a
-- calibration is a clear error.
SET client_min_messages = warning;
\set VERBOSITY terse
CREATE TABLE cm_train AS
  SELECT g, (g % 100)::float8 / 100 AS score, (g * 7919 % 100) < (g % 100) AS label
    FROM generate_series(1, 4000) g;
SELECT count(*) FROM drift.capture_baseline('cm_v1', 'cm_train', columns => ARRAY['score'],
                                            prediction_column => 'score', label_column => 'label');
SELECT count(*) FROM drift.capture_baseline('cm_nocal', 'cm_train', columns => ARRAY['score']);
-- live scores: the first hour like the baseline, the second hour squeezed to
-- the middle (the model grows unsure: the estimated quality falls)
CREATE TABLE cm_live AS
  SELECT timestamptz '2026-06-01 00:00+00' + g * interval '1 second' AS ts,
         CASE WHEN g <= 3600 THEN (g % 100)::float8 / 100
              ELSE 0.4 + (g % 20)::float8 / 100 END AS score
    FROM generate_series(1, 7200) g;

SELECT m, drift.create_monitor('cm_' || m, 'cm_live', metric => 'estimated_' || m,
                               column_name => 'score', baseline => 'cm_v1', lower_bound => lo,
                               time_column => 'ts', window_size => '1 hour') > 0 AS created
  FROM (VALUES ('accuracy', 0.6), ('precision', 0.6), ('recall', 0.6), ('f1', 0.6),
               ('roc_auc', 0.7)) v(m, lo);

-- each window's statistic is the aggregate over that window
CREATE TEMP TABLE cm_runs AS
  SELECT m.name, w.as_of, r.statistic, r.state, r.n_current, r.window_start, r.window_end
    FROM drift.monitors m,
         (VALUES (timestamptz '2026-06-01 01:00:01+00'), (timestamptz '2026-06-01 02:00:01+00')) w(as_of),
         LATERAL drift.run_monitor(m.name, as_of => w.as_of) r
   WHERE m.name LIKE 'cm\_%';
SELECT r.name, r.as_of, r.state, r.n_current,
       abs(r.statistic - CASE r.name
             WHEN 'cm_accuracy' THEN (e).accuracy WHEN 'cm_precision' THEN (e).precision
             WHEN 'cm_recall' THEN (e).recall WHEN 'cm_f1' THEN (e).f1
             ELSE (e).roc_auc END) < 1e-12 AS statistic_ok
  FROM cm_runs r,
       LATERAL (SELECT estimated_binary_metrics(score, 0.5, 'cm_v1', 'score') AS e FROM cm_live
                 WHERE ts >= r.window_start AND ts < r.window_end) x
 ORDER BY r.name, r.as_of;

-- the baseline must have the score's calibration: a run without one is an
-- error naming it (creation only plans the query, which reads no baseline)
SELECT drift.create_monitor('cm_nocal', 'cm_live', metric => 'estimated_f1', column_name => 'score',
                            baseline => 'cm_nocal', lower_bound => 0.5) > 0 AS created;
SELECT state, statistic, error
  FROM drift.run_monitor('cm_nocal', as_of => '2026-06-01 01:00:01+00');
SELECT drift.create_monitor('cm_bad2', 'cm_live', metric => 'estimated_f1', column_name => 'score',
                            lower_bound => 0.5);
SELECT drift.create_monitor('cm_bad3', 'cm_live', metric => 'estimated_f1', column_name => 'score',
                            baseline => 'cm_v1', threshold => 0.5);

SELECT count(*) AS dropped FROM (SELECT drift.drop_monitor(name) FROM drift.monitors
                                  WHERE name LIKE 'cm\_%') d;
SELECT drift.drop_baseline('cm_v1'), drift.drop_baseline('cm_nocal');
