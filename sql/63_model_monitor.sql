-- Model monitors (drift.create_model_monitor): one scan of the window per
-- run (per slice), a dataset row in drift.results and a row per column in
-- drift.model_results, one alert per state change of the model listing the
-- drifted columns by rank; hysteresis, empty windows, slices, bad input and
-- row-level security.
CREATE TABLE mm_events (ts timestamptz, amount float8, items int, country text, vip boolean);
-- training data: March 2026, day 1
INSERT INTO mm_events
  SELECT timestamptz '2026-03-01 00:00+00' + i * interval '10 seconds', (i % 100)::float8, i % 4,
         CASE i % 3 WHEN 0 THEN 'fr' WHEN 1 THEN 'de' ELSE 'it' END, i % 5 = 0
    FROM generate_series(0, 2999) i;
SELECT column_name, kind FROM drift.capture_baseline('mm', 'mm_events',
  filter => $$ts < '2026-03-02'$$) ORDER BY 1;
-- day 2, 10:00-11:00: amount and country drift; 11:00-12:00 like training;
-- 12:00-13:00 like training again
INSERT INTO mm_events
  SELECT timestamptz '2026-03-02 10:00+00' + i * interval '2 seconds',
         (i % 100)::float8 + CASE WHEN i < 1800 THEN 60 ELSE 0 END, i % 4,
         CASE WHEN i < 1800 AND i % 2 = 0 THEN 'es'
              ELSE CASE i % 3 WHEN 0 THEN 'fr' WHEN 1 THEN 'de' ELSE 'it' END END,
         i % 5 = 0
    FROM generate_series(0, 5399) i;

SELECT drift.create_model_monitor('mm_model', 'mm_events', 'mm', time_column => 'ts',
                                  window_size => '1 hour', schedule => '1 hour',
                                  drift_share => 0.5, correction => 'holm') IS NOT NULL AS created;
SELECT columns, kinds, correction, alpha, tests
  FROM drift.model_monitors JOIN drift.monitors USING (monitor_id) WHERE name = 'mm_model';
SELECT name, metric, column_name, threshold FROM drift.monitors WHERE name = 'mm_model';

-- the drifted hour: the model fires, 2 of 4 columns drifted
SELECT metric, statistic, threshold, n_current, state
  FROM drift.run_monitor('mm_model', as_of => '2026-03-02 11:00+00');
SELECT column_name, column_kind, test, round(statistic::numeric, 4) AS statistic,
       adjusted_p_value IS NOT NULL AS has_adjusted, drifted, rank,
       round(out_of_range_share::numeric, 3) AS out_of_range,
       round(unseen_category_share::numeric, 3) AS unseen, n_current
  FROM drift.model_results r
 WHERE r.monitor_id = (SELECT monitor_id FROM drift.monitors WHERE name = 'mm_model')
 ORDER BY result_id, rank;
-- the same numbers as drift.dataset_drift over the same rows
SELECT count(*) AS columns_compared,
       count(*) FILTER (WHERE d.test IS DISTINCT FROM r.test OR d.statistic IS DISTINCT FROM r.statistic
                           OR d.adjusted_p_value IS DISTINCT FROM r.adjusted_p_value
                           OR d.rank IS DISTINCT FROM r.rank) AS differing
  FROM drift.dataset_drift('mm', 'mm_events',
                           filter => $$ts >= '2026-03-02 10:00+00' AND ts < '2026-03-02 11:00+00'$$,
                           correction => 'holm') d
  JOIN (SELECT r.* FROM drift.model_results r JOIN drift.monitors m USING (monitor_id)
         WHERE m.name = 'mm_model') r USING (column_name);
-- one alert for the model, its drifted columns by rank
SELECT payload ->> 'state' AS state, payload ->> 'metric' AS metric,
       payload -> 'drifted_columns' AS drifted_columns, payload ->> 'n_drifted' AS n_drifted,
       payload ->> 'n_columns' AS n_columns, payload ->> 'drifted_columns_cut' AS cut,
       octet_length(payload::text) < 8000 AS fits
  FROM drift.alerts WHERE payload ->> 'monitor' = 'mm_model' ORDER BY alert_id;
-- the hour after: resolved once, with one alert
SELECT statistic, state FROM drift.run_monitor('mm_model', as_of => '2026-03-02 12:00+00');
SELECT statistic, state FROM drift.run_monitor('mm_model', as_of => '2026-03-02 13:00+00');
SELECT payload ->> 'state' AS state, payload -> 'drifted_columns' AS drifted_columns
  FROM drift.alerts WHERE payload ->> 'monitor' = 'mm_model' ORDER BY alert_id;
-- an empty window: insufficient data, no per-column rows invented
SELECT statistic, n_current, state FROM drift.run_monitor('mm_model', as_of => '2027-01-01 00:00+00');
SELECT r.state, count(m.*) AS column_rows
  FROM drift.results r LEFT JOIN drift.model_results m USING (result_id)
 WHERE r.monitor = 'mm_model'
 GROUP BY r.result_id, r.state ORDER BY r.result_id;
SELECT name, metric, state, last_statistic FROM drift.monitor_status WHERE name = 'mm_model';

-- hysteresis and slices: fire after 2 breaches, per value of vip
SELECT drift.create_model_monitor('mm_sliced', 'mm_events', 'mm', time_column => 'ts',
                                  window_size => '1 hour', columns => ARRAY['amount', 'items'],
                                  slice_by => ARRAY['vip'], drift_share => 0.5, fire_after => 2)
         IS NOT NULL AS created;
SELECT slice, statistic, state FROM drift.run_monitor('mm_sliced', as_of => '2026-03-02 11:00+00')
 ORDER BY slice::text;
SELECT slice, statistic, state FROM drift.run_monitor('mm_sliced', as_of => '2026-03-02 11:00+00')
 ORDER BY slice::text;
SELECT count(*) AS sliced_column_rows FROM drift.model_results m
  JOIN drift.monitors x USING (monitor_id) WHERE x.name = 'mm_sliced';

-- tests and thresholds per column, as in dataset_drift
SELECT drift.create_model_monitor('mm_custom', 'mm_events', 'mm', columns => ARRAY['amount'],
                                  tests => '{"amount": {"test": "ks", "threshold": 0.01}}',
                                  filter => $$ts >= '2026-03-02 10:00+00' AND ts < '2026-03-02 11:00+00'$$,
                                  drift_share => 1) IS NOT NULL AS created;
SELECT state FROM drift.run_monitor('mm_custom');
SELECT m.column_name, m.test, m.threshold, m.drifted FROM drift.model_results m
  JOIN drift.monitors x USING (monitor_id) WHERE x.name = 'mm_custom';

-- bad input
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT drift.create_model_monitor('bad', 'mm_events', 'nope');
SELECT drift.create_model_monitor('bad', 'mm_events', 'mm', columns => ARRAY['amount', 'nope']);
SELECT drift.create_model_monitor('bad', 'mm_events', 'mm', columns => '{}');
SELECT drift.create_model_monitor('bad', 'mm_events', 'mm', drift_share => 0);
SELECT drift.create_model_monitor('bad', 'mm_events', 'mm', alpha => 1);
SELECT drift.create_model_monitor('bad', 'mm_events', 'mm', correction => 'sidak');
SELECT drift.create_model_monitor('bad', 'mm_events', 'mm', tests => '{"nope": "ks"}');
SELECT drift.create_model_monitor('bad', 'mm_events', 'mm', tests => '{"country": "ks"}');
SELECT drift.create_model_monitor('bad', 'mm_events', 'mm', filter => 'no_such_column > 0');
SELECT drift.create_model_monitor('bad', 'mm_events', 'mm', time_column => 'amount', window_size => '1 hour');
SELECT drift.create_model_monitor('mm_model', 'mm_events', 'mm');
SELECT drift.create_monitor('bad', 'mm_events', metric => 'dataset_drift', column_name => 'amount',
                            baseline => 'mm');
SELECT count(*) AS bad_monitors FROM drift.monitors WHERE name = 'bad';
SELECT count(*) AS orphan_settings FROM drift.model_monitors mm
 WHERE NOT EXISTS (SELECT 1 FROM drift.monitors m WHERE m.monitor_id = mm.monitor_id);

-- another role sees neither the model's settings nor its results
CREATE ROLE mm_other;
SET ROLE mm_other;
SELECT count(*) AS settings_seen FROM drift.model_monitors;
SELECT count(*) AS column_rows_seen FROM drift.model_results;
SELECT drift._record_model_columns('{}', '{}');
RESET ROLE;
\set SHOW_CONTEXT errors
\set VERBOSITY terse
-- dropping the monitor drops its settings and results
SELECT drift.drop_monitor('mm_model');
SELECT count(*) AS settings_left FROM drift.model_monitors m
 WHERE m.columns = ARRAY['amount', 'items', 'country', 'vip'] AND m.tests IS NULL
   AND m.correction = 'holm';
DROP ROLE mm_other;

-- day over day: the window against the one before, no baseline comparison
SELECT drift.create_model_monitor('mm_prev', 'mm_events', 'mm', time_column => 'ts',
                                  window_size => '1 hour', compare_to => 'previous_window',
                                  drift_share => 0.5) IS NOT NULL AS created;
SELECT to_char(a AT TIME ZONE 'UTC', 'HH24:MI') AS as_of_utc, r.statistic, r.state
  FROM unnest(ARRAY[timestamptz '2026-03-02 11:00+00', '2026-03-02 12:00+00',
                    '2026-03-02 13:00+00']) a,
       LATERAL drift.run_monitor('mm_prev', as_of => a) r
 ORDER BY a;
-- 11:00-12:00 against the drifted hour before: both drifted columns differ
SELECT m.column_name, m.drifted, m.rank
  FROM drift.model_results m
 WHERE m.result_id = (SELECT min(result_id) FROM drift.results
                       WHERE monitor = 'mm_prev' AND state = 'firing')
 ORDER BY m.rank;
\set SHOW_CONTEXT never
SELECT drift.create_model_monitor('bad', 'mm_events', 'mm', compare_to => 'previous_window');
SELECT drift.create_model_monitor('bad', 'mm_events', 'mm', time_column => 'ts', window_size => '1 hour',
                                  compare_to => 'previous_window', thresholds => 'auto');
\set SHOW_CONTEXT errors
-- and per slice
SELECT drift.create_model_monitor('mm_prev_sliced', 'mm_events', 'mm', time_column => 'ts',
                                  window_size => '1 hour', compare_to => 'previous_window',
                                  columns => ARRAY['amount', 'country'], slice_by => ARRAY['vip'],
                                  drift_share => 0.5) IS NOT NULL AS created;
SELECT r.slice, r.statistic, r.state
  FROM drift.run_monitor('mm_prev_sliced', as_of => '2026-03-02 12:00+00') r ORDER BY r.slice::text;

-- the report's whole-model section: per model monitor the latest run's
-- columns, drifted first by rank, in a well-formed page
SELECT xml_is_well_formed_document(drift.report(ARRAY['mm_prev_sliced'])) AS well_formed;
SELECT (xpath('count(//section[@class="model"]/table[@class="model-columns"])', d))[1]::text AS model_tables,
       (xpath('//section[@class="model"]/h3/text()', d))[1]::text AS model,
       array_to_string(xpath('//table[@class="model-columns"]/tbody/tr[@class="drifted"]/td[2]/text()', d)::text[], ',')
         AS drifted_by_rank,
       (xpath('count(//table[@class="model-columns"]/tbody/tr)', d))[1]::text AS column_rows
  FROM (SELECT drift.report(ARRAY['mm_prev_sliced'])::xml AS d) r;
SELECT r.slice, string_agg(m.column_name, ',' ORDER BY m.rank) AS expected_drifted
  FROM drift.model_results m
  JOIN (SELECT result_id, slice FROM drift.results WHERE monitor = 'mm_prev_sliced'
         ORDER BY run_at DESC, result_id DESC LIMIT 1) r USING (result_id)
 WHERE m.drifted GROUP BY r.slice;
-- no run since `since`: no whole-model section
SELECT position('class="model"' IN drift.report(ARRAY['mm_prev_sliced'], since => now())) > 0 AS model_section_after_now;
