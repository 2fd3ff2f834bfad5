-- Monitors whose labels live in another relation and arrive late: a window
-- is judged label_delay after it ends, each result records its label
-- coverage, windows within label_horizon are judged again when their labels
-- changed (each evaluation kept, alerts follow the latest), and not when
-- nothing changed or outside the horizon.  A view serves as the label
-- relation; estimated_* metrics show the realized value beside the
-- estimate; conflicting duplicate labels are an error.
SET client_min_messages = warning;
SET TimeZone = 'UTC';
\set VERBOSITY terse
CREATE TABLE lj_preds AS
  SELECT g AS id, timestamptz '2026-06-01 00:00+00' + (g - 1) * interval '1 day' / 100 AS ts,
         (g % 10)::float8 / 10 AS score, (g % 10) >= 5 AS predicted
    FROM generate_series(1, 600) g;
CREATE TABLE lj_labels (id int, is_fraud bool, arrived timestamptz);
-- day 1 (ids 1-100): 90 labels in by June 2
INSERT INTO lj_labels SELECT g, (g * 7 % 10) >= 4, '2026-06-02' FROM generate_series(1, 90) g;

SELECT drift.create_monitor('lj_f1', 'lj_preds', metric => 'f1', column_name => 'predicted',
       label_column => 'is_fraud', lower_bound => 0.55, time_column => 'ts',
       window_size => '1 day', label_relation => 'lj_labels', join_column => 'id',
       label_delay => '1 day', label_horizon => '3 days') > 0 AS created;

-- as of June 3: the window judged is June 1 (one day of delay), 90% labelled,
-- F1 on the labelled predictions, below the bound: firing
SELECT window_start, window_end, round(statistic::numeric, 4) AS f1, label_coverage,
       n_current, state
  FROM drift.run_monitor('lj_f1', as_of => '2026-06-03 00:00+00');
SELECT name, state, round(last_statistic::numeric, 4) AS f1, last_label_coverage
  FROM drift.monitor_status WHERE name = 'lj_f1';
SELECT round((binary_metrics(p.predicted, l.is_fraud)).f1::numeric, 4) AS f1_by_hand
  FROM lj_preds p JOIN lj_labels l USING (id) WHERE p.ts < '2026-06-02';

-- June 4: June 2 judged (half labelled); June 1's labels did not change: not judged again
INSERT INTO lj_labels SELECT g, (g * 7 % 10) >= 4, '2026-06-03' FROM generate_series(101, 150) g;
SELECT window_start, round(statistic::numeric, 4) AS f1, label_coverage, state
  FROM drift.run_monitor('lj_f1', as_of => '2026-06-04 00:00+00');

-- the last labels of June 1 land: the next run judges June 1 again first
-- (the new evaluation is kept beside the old; F1 rises above the bound and
-- the alert resolves), then June 3
INSERT INTO lj_labels SELECT g, true, '2026-06-04' FROM generate_series(91, 100) g;
SELECT window_start, round(statistic::numeric, 4) AS f1, label_coverage, state
  FROM drift.run_monitor('lj_f1', as_of => '2026-06-05 00:00+00');
SELECT window_start, round(statistic::numeric, 4) AS f1, label_coverage, state
  FROM drift.results WHERE monitor = 'lj_f1' ORDER BY result_id;
SELECT payload ->> 'state' AS alert, payload ->> 'window_start' AS window_start
  FROM drift.alerts a JOIN drift.monitors m USING (monitor_id) WHERE m.name = 'lj_f1'
 ORDER BY alert_id;

-- nothing changed: the next run judges only its own window
SELECT count(*) AS results_before FROM drift.results WHERE monitor = 'lj_f1' \gset
SELECT window_start, state FROM drift.run_monitor('lj_f1', as_of => '2026-06-06 00:00+00');
SELECT count(*) - :results_before AS new_results FROM drift.results WHERE monitor = 'lj_f1';

-- outside the horizon (June 1 ended more than 3 days before June 7): a label
-- change there is not judged again
UPDATE lj_labels SET is_fraud = NOT is_fraud WHERE id = 5;
SELECT window_start, state FROM drift.run_monitor('lj_f1', as_of => '2026-06-07 00:00+00');
SELECT count(*) AS june_1_evaluations FROM drift.results
 WHERE monitor = 'lj_f1' AND window_start = '2026-06-01';

-- June 6 (ids 501-600) fully labelled, some labels twice but alike: judged;
-- then two rows that disagree about one prediction: the run is an error
INSERT INTO lj_labels SELECT g, g % 2 = 0, '2026-06-08' FROM generate_series(501, 600) g;
INSERT INTO lj_labels SELECT g, g % 2 = 0, '2026-06-08' FROM generate_series(501, 510) g;
SELECT window_start, state, label_coverage, statistic IS NOT NULL AS judged
  FROM drift.run_monitor('lj_f1', as_of => '2026-06-08 00:00+00');
INSERT INTO lj_labels VALUES (550, false, '2026-06-09'), (550, true, '2026-06-09');
SELECT window_start, state, error FROM drift.run_monitor('lj_f1', as_of => '2026-06-08 00:00+00');

-- a view as the label relation, and an estimated metric with its realized value
CREATE VIEW lj_label_view AS SELECT id, is_fraud FROM lj_labels WHERE arrived <= '2026-06-03';
CREATE TABLE lj_train AS
  SELECT g, (g % 10)::float8 / 10 AS score, (g * 7 % 10) >= 4 AS label
    FROM generate_series(1, 2000) g;
SELECT count(*) FROM drift.capture_baseline('lj_v1', 'lj_train', columns => ARRAY['score'],
                                            prediction_column => 'score', label_column => 'label');
SELECT drift.create_monitor('lj_est', 'lj_preds', metric => 'estimated_f1', column_name => 'score',
       baseline => 'lj_v1', label_column => 'is_fraud', lower_bound => 0.1, time_column => 'ts',
       window_size => '1 day', label_relation => 'lj_label_view', join_column => 'id') > 0 AS created;
SELECT window_start, round(statistic::numeric, 4) AS estimated_f1,
       round(realized::numeric, 4) AS realized_f1, label_coverage
  FROM drift.run_monitor('lj_est', as_of => '2026-06-02 00:00+00');
SELECT round((estimated_binary_metrics(score, 0.5, 'lj_v1', 'score')).f1::numeric, 4) AS estimate,
       round((binary_metrics(p.score, l.is_fraud, 0.5)).f1::numeric, 4) AS realized
  FROM lj_preds p LEFT JOIN lj_label_view l USING (id) WHERE p.ts < '2026-06-02';

-- bad definitions
SELECT drift.create_monitor('lj_bad', 'lj_preds', metric => 'f1', column_name => 'predicted',
       label_column => 'is_fraud', lower_bound => 0.5, time_column => 'ts', window_size => '1 day',
       label_relation => 'lj_labels', join_column => 'nope');
CREATE TABLE lj_text_labels (id text, is_fraud bool);
SELECT drift.create_monitor('lj_bad', 'lj_preds', metric => 'f1', column_name => 'predicted',
       label_column => 'is_fraud', lower_bound => 0.5, time_column => 'ts', window_size => '1 day',
       label_relation => 'lj_text_labels', join_column => 'id');
SELECT drift.create_monitor('lj_bad', 'lj_preds', metric => 'f1', column_name => 'predicted',
       label_column => 'is_fraud', lower_bound => 0.5, time_column => 'ts', window_size => '1 day',
       label_relation => 'lj_labels', join_column => 'id', label_delay => '-1 hour');
SELECT drift.create_monitor('lj_bad', 'lj_preds', metric => 'f1', column_name => 'predicted',
       label_column => 'is_fraud', lower_bound => 0.5, time_column => 'ts', window_size => '1 day',
       label_relation => 'lj_labels');
SELECT drift.create_monitor('lj_bad', 'lj_preds', metric => 'f1', column_name => 'predicted',
       label_column => 'nope', lower_bound => 0.5, time_column => 'ts', window_size => '1 day',
       label_relation => 'lj_labels', join_column => 'id');
SELECT drift.create_monitor('lj_bad', 'lj_preds', metric => 'f1', column_name => 'predicted',
       label_column => 'is_fraud', lower_bound => 0.5, label_relation => 'lj_labels',
       join_column => 'id');
SELECT drift.create_monitor('lj_bad', 'lj_preds', metric => 'ks', column_name => 'score',
       baseline => 'lj_v1', time_column => 'ts', window_size => '1 day',
       label_relation => 'lj_labels', join_column => 'id');
SELECT drift.create_monitor('lj_bad', 'lj_preds', metric => 'ks', column_name => 'score',
       baseline => 'lj_v1', label_delay => '1 day');
CREATE ROLE regress_lj_other LOGIN;
GRANT SELECT ON lj_preds TO regress_lj_other;
SET ROLE regress_lj_other;
SELECT drift.create_monitor('lj_bad', 'lj_preds', metric => 'f1', column_name => 'predicted',
       label_column => 'is_fraud', lower_bound => 0.5, time_column => 'ts', window_size => '1 day',
       label_relation => 'lj_labels', join_column => 'id');
RESET ROLE;
DROP OWNED BY regress_lj_other;
DROP ROLE regress_lj_other;

-- a label relation dropped later: the run is an error naming it
CREATE TABLE lj_gone_labels AS SELECT id, is_fraud FROM lj_labels;
SELECT drift.create_monitor('lj_gone', 'lj_preds', metric => 'f1', column_name => 'predicted',
       label_column => 'is_fraud', lower_bound => 0.5, time_column => 'ts', window_size => '1 day',
       label_relation => 'lj_gone_labels', join_column => 'id') > 0 AS created;
DROP TABLE lj_gone_labels;
SELECT state, error FROM drift.run_monitor('lj_gone', as_of => '2026-06-02 00:00+00');

SELECT count(*) AS dropped FROM (SELECT drift.drop_monitor(name) FROM drift.monitors
                                  WHERE name LIKE 'lj\_%') d;
SELECT drift.drop_baseline('lj_v1');
