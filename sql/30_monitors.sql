-- Monitors: create, run (as the scheduler would, with a fixed window end),
-- states with hysteresis, slices, previous-window comparison, alerts,
-- pause/resume/alter/drop and the status view.  No background worker here:
-- drift.run_monitor runs the same code.
SET client_min_messages = warning;
\set VERBOSITY terse

CREATE TABLE mon_train AS
  SELECT g AS id, (g % 100)::float8 AS amount, 'c' || (g % 3) AS merchant
    FROM generate_series(1, 3000) g;
SELECT count(*) FROM drift.capture_baseline('mon_v1', 'mon_train', columns => ARRAY['amount']);

-- four days of predictions, 3000 a day; day 3 shifted up by 30, day 4 back
CREATE TABLE mon_preds (
  id         int,
  created_at timestamptz,
  amount     float8,
  country    text,
  predicted  boolean,
  actual     boolean,
  note       text
);
INSERT INTO mon_preds
  SELECT g, timestamptz '2026-03-01 00:00+00' + (g - 1) * interval '1 day' / 3000,
         (g % 100) + CASE WHEN g BETWEEN 6001 AND 9000 THEN 30 ELSE 0 END,
         CASE WHEN g % 2 = 0 THEN 'de' ELSE 'fr' END,
         g % 4 = 0, g % 5 = 0, NULL
    FROM generate_series(1, 12000) g;
CREATE INDEX ON mon_preds (created_at);

-- the spec's example
SELECT drift.create_monitor('amount_ks', 'mon_preds', metric => 'ks',
       column_name => 'amount', baseline => 'mon_v1', threshold => 0.01,
       time_column => 'created_at', window_size => '1 day', schedule => '15 minutes') > 0 AS created;
SELECT name, owner = current_user AS mine, relation_name, metric, column_name, baseline, threshold,
       time_column, window_size, schedule, channel, compare_to, fire_after, min_rows, paused,
       state, next_run <= now() AS due
  FROM drift.monitors;

-- one run per day: day 1 and 2 ok, day 3 fires, day 4 resolves
SELECT d AS day, r.state, r.n_current, r.n_baseline, r.p_value < 0.01 AS small_p,
       round(r.statistic::numeric, 4) AS d_stat, r.window_start, r.window_end, r.slice, r.error
  FROM generate_series(2, 5) d,
       drift.run_monitor('amount_ks', as_of => timestamptz '2026-03-01 00:00+00' + (d - 1) * interval '1 day') r
 ORDER BY d;

-- one alert per state change worth telling: firing, then resolved
SELECT payload->>'state' AS state, payload->>'monitor' AS monitor, payload->>'relation' AS relation,
       payload->>'column' AS col, payload->>'metric' AS metric, payload->'slice' AS slice,
       payload->>'threshold' AS threshold, payload->>'window_start' AS window_start,
       payload->>'window_end' AS window_end,
       (payload->>'result_id')::bigint = result_id AS result_id_matches,
       (payload->>'alert_id')::bigint = alert_id AS alert_id_matches,
       channel, octet_length(payload::text) < 8000 AS fits
  FROM drift.alerts ORDER BY alert_id;

-- the first of those runs was due (a new monitor is due at once) and moved
-- next_run one schedule on; the others were not due and left it alone
SELECT next_run <= now() AS still_due FROM drift.monitors WHERE name = 'amount_ks';
SELECT drift.run_due_monitors();
SELECT next_run > now() + interval '14 minutes' AS next_in_15min, state
  FROM drift.monitors WHERE name = 'amount_ks';
SELECT drift.run_due_monitors();   -- nothing is due now

-- hysteresis: fire only after two breaching runs in a row
SELECT drift.create_monitor('amount_hyst', 'mon_preds', column_name => 'amount',
       baseline => 'mon_v1', time_column => 'created_at', window_size => '12 hours',
       schedule => '1 hour', fire_after => 2) > 0 AS created;
SELECT h, r.state
  FROM unnest(ARRAY[24, 60, 66, 72, 84, 96]) h,
       drift.run_monitor('amount_hyst', as_of => timestamptz '2026-03-01 00:00+00' + h * interval '1 hour') r
 ORDER BY h;

-- the effect-size guard: a tiny p-value alone does not fire
SELECT drift.create_monitor('amount_guard', 'mon_preds', column_name => 'amount',
       baseline => 'mon_v1', time_column => 'created_at', window_size => '1 day',
       min_effect => 0.9) > 0 AS created;
SELECT r.state, r.p_value < 0.05 AS small_p
  FROM drift.run_monitor('amount_guard', as_of => '2026-03-04 00:00+00') r;

-- slices: one result per country, ordered
SELECT drift.create_monitor('amount_by_country', 'mon_preds', column_name => 'amount',
       baseline => 'mon_v1', time_column => 'created_at', window_size => '1 day',
       slice_by => ARRAY['country'], min_rows => 100) > 0 AS created;
SELECT r.slice, r.state, r.n_current
  FROM drift.run_monitor('amount_by_country', as_of => '2026-03-04 00:00+00') r ORDER BY r.slice::text;
-- too few rows: insufficient_data, and an empty window gives one such row
SELECT drift.alter_monitor('amount_by_country', min_rows => 2000);
SELECT r.slice, r.state, r.n_current
  FROM drift.run_monitor('amount_by_country', as_of => '2026-03-04 00:00+00') r ORDER BY r.slice::text;
SELECT r.slice, r.state, r.n_current, r.statistic
  FROM drift.run_monitor('amount_by_country', as_of => '2027-01-01 00:00+00') r;

-- compare with the previous window instead of the baseline
SELECT drift.create_monitor('amount_prev', 'mon_preds', column_name => 'amount',
       compare_to => 'previous_window', time_column => 'created_at',
       window_size => '1 day') > 0 AS created;
SELECT d AS day, r.state, r.n_current, r.n_baseline
  FROM generate_series(3, 5) d,
       drift.run_monitor('amount_prev', as_of => timestamptz '2026-03-01 00:00+00' + (d - 1) * interval '1 day') r
 ORDER BY d;

-- a filter, and no time column: the whole relation
SELECT drift.create_monitor('amount_de', 'mon_preds', column_name => 'amount',
       baseline => 'mon_v1', filter => $$country = 'de' AND id <= 6000$$) > 0 AS created;
SELECT r.state, r.n_current, r.window_start FROM drift.run_monitor('amount_de') r;

-- a metric registered here whose function this database does not have
INSERT INTO drift.metrics (name, kind, function_name, column_kind, expression, needs_baseline,
                           comparison, default_threshold, description)
VALUES ('future', 'drift', 'future_drift', 'numeric',
        '@extschema@.future_drift({value}::float8, {baseline}, {column})', true,
        'above', 0.1, 'not yet');
SELECT drift.create_monitor('m_future', 'mon_preds', metric => 'future', column_name => 'amount',
                            baseline => 'mon_v1');
DELETE FROM drift.metrics WHERE name = 'future';

-- every definition error
SELECT drift.create_monitor('amount_ks', 'mon_preds', column_name => 'amount', baseline => 'mon_v1');
SELECT drift.create_monitor('m_err', 'no_such_table', column_name => 'amount');
SELECT drift.create_monitor('m_err', NULL, column_name => 'amount');
SELECT drift.create_monitor('m_err', 'mon_preds', metric => 'nope', column_name => 'amount');
SELECT drift.create_monitor('m_err', 'mon_preds', baseline => 'mon_v1');
SELECT drift.create_monitor('m_err', 'mon_preds', column_name => 'nope', baseline => 'mon_v1');
SELECT drift.create_monitor('m_err', 'mon_preds', column_name => 'country', baseline => 'mon_v1');
SELECT drift.create_monitor('m_err', 'mon_preds', column_name => 'amount');
SELECT drift.create_monitor('m_err', 'mon_preds', column_name => 'amount', baseline => 'nope');
SELECT drift.create_monitor('m_err', 'mon_preds', column_name => 'id', baseline => 'mon_v1');
SELECT drift.create_monitor('m_err', 'mon_preds', column_name => 'amount', baseline => 'mon_v1',
                            threshold => 0);
SELECT drift.create_monitor('m_err', 'mon_preds', column_name => 'amount', baseline => 'mon_v1',
                            threshold => 1.5);
SELECT drift.create_monitor('m_err', 'mon_preds', column_name => 'amount', baseline => 'mon_v1',
                            schedule => '500 milliseconds');
SELECT drift.create_monitor('m_err', 'mon_preds', column_name => 'amount', baseline => 'mon_v1',
                            time_column => 'created_at');
SELECT drift.create_monitor('m_err', 'mon_preds', column_name => 'amount', baseline => 'mon_v1',
                            time_column => 'amount', window_size => '1 day');
SELECT drift.create_monitor('m_err', 'mon_preds', column_name => 'amount', baseline => 'mon_v1',
                            time_column => 'nope', window_size => '1 day');
SELECT drift.create_monitor('m_err', 'mon_preds', column_name => 'amount', baseline => 'mon_v1',
                            time_column => 'created_at', window_size => '-1 day');
SELECT drift.create_monitor('m_err', 'mon_preds', column_name => 'amount', baseline => 'mon_v1',
                            slice_by => ARRAY['nope']);
SELECT drift.create_monitor('m_err', 'mon_preds', column_name => 'amount', baseline => 'mon_v1',
                            compare_to => 'yesterday');
SELECT drift.create_monitor('m_err', 'mon_preds', column_name => 'amount',
                            compare_to => 'previous_window');
SELECT drift.create_monitor('m_err', 'mon_preds', column_name => 'amount', baseline => 'mon_v1',
                            fire_after => 0);
SELECT drift.create_monitor('m_err', 'mon_preds', column_name => 'amount', baseline => 'mon_v1',
                            channel => '');
SELECT drift.create_monitor('m_err', 'mon_preds', column_name => 'amount', baseline => 'mon_v1',
                            label_column => 'actual');
SELECT drift.create_monitor('m_err', 'mon_preds', column_name => 'amount', baseline => 'mon_v1',
                            lower_bound => 0.5);
SELECT drift.create_monitor('m_err', 'mon_preds', column_name => 'amount', baseline => 'mon_v1',
                            filter => 'no_such_column > 0');
SELECT drift.create_monitor('m_err', 'mon_preds', column_name => 'amount', baseline => 'mon_v1',
                            filter => 'amount >');
SELECT drift.create_monitor('m_err', 'mon_preds', column_name => 'amount', baseline => 'mon_v1',
                            owner => 'no_such_role');
SELECT count(*) AS no_partial_monitor FROM drift.monitors WHERE name = 'm_err';

-- pause, resume, alter, drop
SELECT drift.pause_monitor('amount_ks');
SELECT paused FROM drift.monitors WHERE name = 'amount_ks';
SELECT drift.resume_monitor('amount_ks');
SELECT paused, next_run <= now() AS runs_now FROM drift.monitors WHERE name = 'amount_ks';
SELECT drift.alter_monitor('amount_ks', threshold => 0.001, schedule => '1 minute',
                           filter => 'id > 0');
SELECT threshold, schedule, filter FROM drift.monitors WHERE name = 'amount_ks';
SELECT drift.alter_monitor('amount_ks', reset => ARRAY['filter']);
SELECT filter FROM drift.monitors WHERE name = 'amount_ks';
SELECT drift.alter_monitor('amount_ks', reset => ARRAY['schedule']);
SELECT drift.alter_monitor('amount_ks', threshold => 7);
SELECT drift.alter_monitor('amount_ks', column_name => 'country');
SELECT drift.alter_monitor('no_such_monitor', threshold => 0.1);
SELECT drift.pause_monitor('no_such_monitor');
SELECT drift.run_monitor('no_such_monitor');
SELECT drift.drop_monitor('amount_guard');
SELECT drift.drop_monitor('amount_guard');
SELECT drift.drop_monitor('amount_guard', if_exists => true);

-- a failing check records an error result and an error alert, and backs off
CREATE TABLE mon_gone (created_at timestamptz, amount float8);
SELECT drift.create_monitor('gone', 'mon_gone', column_name => 'amount', baseline => 'mon_v1',
       time_column => 'created_at', window_size => '1 day', schedule => '1 hour',
       max_retries => 2) > 0 AS created;
DROP TABLE mon_gone;
SELECT r.state, r.error FROM drift.run_monitor('gone') r;
SELECT payload->>'state' AS state, payload->>'error' AS error, payload->>'monitor' AS monitor
  FROM drift.alerts WHERE payload->>'monitor' = 'gone';
SELECT state, consecutive_failures, next_run < now() + interval '1.1 seconds' AS retry_within_1s
  FROM drift.monitors WHERE name = 'gone';
SELECT drift.run_due_monitors() >= 1 AS ran;

-- the statement timeout bounds a check
SET pg_drift.monitor_timeout = '50ms';
SELECT drift.create_monitor('slow', 'mon_preds', column_name => 'amount', baseline => 'mon_v1',
       filter => 'pg_sleep(0.01) IS NOT NULL') > 0 AS created;
SELECT r.state, r.error FROM drift.run_monitor('slow') r;
RESET pg_drift.monitor_timeout;
SELECT drift.drop_monitor('slow');

-- many breaching slices: every alert stored, each payload small
CREATE TABLE mon_wide AS
  SELECT g % 30 AS k, repeat('x', 9000) || (g % 30) AS big, (g % 100 + 50)::float8 AS amount
    FROM generate_series(1, 3000) g;
SELECT drift.create_monitor('wide', 'mon_wide', column_name => 'amount', baseline => 'mon_v1',
       slice_by => ARRAY['big', 'k']) > 0 AS created;
SELECT count(*), count(*) FILTER (WHERE state = 'firing') AS firing FROM drift.run_monitor('wide');
SELECT count(*) AS alerts, max(octet_length(payload::text)) < 8000 AS all_fit,
       bool_and((payload->>'truncated')::boolean) AS truncated
  FROM drift.alerts WHERE payload->>'monitor' = 'wide';

-- the status view
SELECT name, state, paused, consecutive_failures, last_error IS NOT NULL AS has_error,
       firing_slices
  FROM drift.monitor_status ORDER BY name;

-- dropping a monitor drops its history
SELECT drift.drop_monitor('wide');
SELECT count(*) FROM drift.alerts WHERE payload->>'monitor' = 'wide';

-- retention: results and alerts older than pg_drift.result_retention go
SHOW pg_drift.result_retention;
INSERT INTO drift.results (monitor_id, monitor, run_at, metric, state)
  SELECT monitor_id, name, now() - interval '31 days', metric, 'ok'
    FROM drift.monitors WHERE name = 'amount_ks';
SELECT drift.prune_results() AS pruned;
SELECT count(*) AS older_than_30_days FROM drift.results WHERE run_at < now() - interval '30 days';
