-- The pg_drift demo, part 2: monitors, alerts and history.
--
-- Runs after scripts/demo.sql (tables training_data and predictions with
-- created_at, amount, merchant_cat, score; baseline fraud_v3; a week of
-- predictions from Mon 16 Nov 2026 with amounts drifting from Thursday).
-- The week is simulated: each monitor is run once per day with the window
-- ending at that day's midnight (drift.run_monitor(..., as_of => ...)), the
-- same code the background worker runs on schedule.  Alerts arrive as NOTIFY
-- on channel pg_drift (and are kept in drift.alerts, which is what
-- `pg_drift_listen --once --since-id 0` prints afterwards).
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;

\echo
\echo '== 5. Monitors: the checks the server runs by itself'
SELECT drift.create_monitor('amount_ks', 'predictions', metric => 'ks',
       column_name => 'amount', baseline => 'fraud_v3', threshold => 0.01,
       time_column => 'created_at', window_size => '1 day', schedule => '1 day',
       paused => true) AS amount_ks;
SELECT drift.create_monitor('score_ks', 'predictions', metric => 'ks',
       column_name => 'score', baseline => 'fraud_v3', threshold => 0.01,
       time_column => 'created_at', window_size => '1 day', schedule => '1 day',
       paused => true) AS score_ks;
-- day over day: each day against the one before, no baseline needed
SELECT drift.create_monitor('amount_vs_yesterday', 'predictions', metric => 'ks',
       column_name => 'amount', compare_to => 'previous_window', threshold => 0.01,
       time_column => 'created_at', window_size => '1 day', schedule => '1 day',
       paused => true) AS amount_vs_yesterday;
-- the whole model: one monitor over every feature of the baseline, one scan
-- a day, firing when a third of the features drifted
SELECT drift.create_model_monitor('fraud_model', 'predictions', 'fraud_v3',
       time_column => 'created_at', window_size => '1 day', schedule => '1 day',
       drift_share => 0.3, paused => true) AS fraud_model;
-- PSI too, when this build has it (metrics plug in through drift.metrics)
SELECT drift.create_monitor('amount_psi', 'predictions', metric => 'psi',
       column_name => 'amount', baseline => 'fraud_v3', threshold => 0.05,
       time_column => 'created_at', window_size => '1 day', schedule => '1 day',
       paused => true) AS amount_psi
 WHERE EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'psi_drift');
SELECT name, metric, column_name, coalesce(baseline, compare_to) AS against, threshold,
       window_size, schedule
  FROM drift.monitors ORDER BY monitor_id;

\echo
\echo '== 6. A simulated week: every monitor runs once a day (alerts go out as NOTIFY to pg_drift_listen)'
SELECT to_char(r.window_start, 'Dy DD Mon') AS day, m.name AS monitor, r.state,
       round(r.statistic::numeric, 4) AS statistic, to_char(r.p_value, '9.99EEEE') AS p_value
  FROM generate_series(timestamptz '2026-11-17 00:00+00', '2026-11-23 00:00+00', '1 day') d
 CROSS JOIN LATERAL (SELECT name FROM drift.monitors ORDER BY monitor_id) m
 CROSS JOIN LATERAL drift.run_monitor(m.name, as_of => d) r
 ORDER BY d, m.name;

\echo
\echo '== 7. The alerts, as stored in drift.alerts (pg_drift_listen prints these lines)'
SELECT alert_id, payload->>'state' AS state, payload->>'monitor' AS monitor,
       payload->>'column' AS "column", round((payload->>'statistic')::numeric, 4) AS statistic,
       to_char((payload->>'p_value')::float8, '9.99EEEE') AS p_value,
       to_char((payload->>'window_start')::timestamptz, 'Dy DD Mon') AS window_from
  FROM drift.alerts ORDER BY alert_id;

\echo
\echo '== 8. Per-day history from drift.results (one row per day, one column per monitor)'
SELECT to_char(window_start, 'Dy DD Mon') AS day,
       max(state) FILTER (WHERE monitor = 'amount_ks') AS amount_ks,
       max(state) FILTER (WHERE monitor = 'amount_vs_yesterday') AS amount_vs_yesterday,
       max(state) FILTER (WHERE monitor = 'score_ks') AS score_ks,
       max(state) FILTER (WHERE monitor = 'amount_psi') AS amount_psi,
       max(state) FILTER (WHERE monitor = 'fraud_model') AS fraud_model
  FROM drift.results
 GROUP BY window_start ORDER BY window_start;

\echo
\echo '== 8b. The model monitor, first day it fired: every feature by rank (drift.model_results)'
SELECT m.column_name, m.test, round(m.statistic::numeric, 4) AS statistic, m.drifted, m.rank,
       round(m.out_of_range_share::numeric, 4) AS out_of_range
  FROM drift.model_results m
 WHERE m.result_id = (SELECT min(result_id) FROM drift.results
                       WHERE monitor = 'fraud_model' AND state = 'firing')
 ORDER BY m.rank;

\echo
\echo '== 9. Status: what each monitor last saw'
SELECT name, state, round(last_statistic::numeric, 4) AS last_statistic,
       to_char(last_p_value, '9.99EEEE') AS last_p_value, consecutive_failures, paused
  FROM drift.monitor_status ORDER BY monitor_id;

\echo
\echo '   With shared_preload_libraries = ''pg_drift'' the background worker runs them on'
\echo '   schedule: SELECT drift.resume_monitor(name) FROM drift.monitors;'
