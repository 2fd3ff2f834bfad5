-- Grafana views: the shape Grafana's PostgreSQL data source reads (time,
-- values, text labels; annotations with time, timeend, text, tags), and
-- row-level security seen through them (security_invoker: each role sees
-- only its monitors' rows, drift_admin members everyone's).
-- The fixture stays for 51_report.sql, which drops it.
SET client_min_messages = warning;
\set VERBOSITY terse

CREATE ROLE regress_graf_alice;
CREATE ROLE regress_graf_bob;
CREATE ROLE regress_graf_admin IN ROLE drift_admin;
-- a baseline uniform on 0..99; days 4 and 5 of the week move by 40
CREATE TABLE graf_train AS SELECT (g % 100)::float8 AS x FROM generate_series(1, 2000) g;
CREATE TABLE graf_a (ts timestamptz, x float8, seg text);
INSERT INTO graf_a
  SELECT timestamptz '2026-03-01 00:00+00' + (d - 1) * interval '1 day' + g * interval '1 minute',
         (g % 100) + CASE WHEN d IN (4, 5) THEN 40 ELSE 0 END, CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END
    FROM generate_series(1, 6) d, generate_series(1, 600) g;
CREATE TABLE graf_b AS SELECT ts, x FROM graf_a;
GRANT SELECT ON graf_train TO regress_graf_alice, regress_graf_bob;
GRANT SELECT ON graf_a TO regress_graf_alice;
GRANT SELECT ON graf_b TO regress_graf_bob;

SET ROLE regress_graf_alice;
SELECT count(*) FROM drift.capture_baseline('graf_base', 'graf_train');
SELECT drift.create_monitor('graf_m', 'graf_a', metric => 'ks', column_name => 'x',
       baseline => 'graf_base', threshold => 0.01, time_column => 'ts', window_size => '1 day',
       schedule => '1 day', slice_by => ARRAY['seg'], filter => 'x >= 0', paused => true) > 0 AS created;
SELECT count(*) FROM generate_series(timestamptz '2026-03-02 00:00+00', '2026-03-07 00:00+00', '1 day') d,
       LATERAL drift.run_monitor('graf_m', as_of => d);
RESET ROLE;
SET ROLE regress_graf_bob;
SELECT count(*) FROM drift.capture_baseline('graf_base', 'graf_train');
SELECT drift.create_monitor('graf_bob_m', 'graf_b', metric => 'ks', column_name => 'x',
       baseline => 'graf_base', threshold => 0.01, time_column => 'ts', window_size => '1 day',
       schedule => '1 day', paused => true) > 0 AS created;
SELECT count(*) FROM generate_series(timestamptz '2026-03-02 00:00+00', '2026-03-07 00:00+00', '1 day') d,
       LATERAL drift.run_monitor('graf_bob_m', as_of => d);
RESET ROLE;

-- the columns Grafana reads, with their types
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
 WHERE c.relnamespace = 'drift'::regnamespace AND c.relname LIKE 'grafana\_%'
   AND a.attname IN ('time', 'timeend', 'text', 'tags', 'monitor', 'column', 'slice', 'metric',
                     'state', 'statistic', 'p_value', 'threshold', 'last_statistic')
 ORDER BY c.relname, a.attnum;
SELECT relname, reloptions FROM pg_class
 WHERE relnamespace = 'drift'::regnamespace AND relname LIKE 'grafana\_%' ORDER BY relname;

-- alice: her monitor's results, one per slice and day, at the window's end
SET ROLE regress_graf_alice;
SELECT "time", monitor, "column", slice, metric, state, round(statistic::numeric, 4) AS statistic,
       p_value < threshold AS breach, threshold
  FROM drift.grafana_results ORDER BY "time", slice;
-- her alerts as annotations: each firing episode ends where its slice resolved
SELECT "time", timeend, state, tags, text LIKE 'graf_m firing: ks on x (seg=a)%' AS text_a
  FROM drift.grafana_alerts ORDER BY "time", slice, state;
SELECT monitor, "column", metric, state, threshold, firing_slices, consecutive_failures
  FROM drift.grafana_status;
RESET ROLE;

-- bob sees only his own monitor through every view, whatever he filters on
SET ROLE regress_graf_bob;
SELECT DISTINCT monitor FROM drift.grafana_results;
SELECT count(*) FROM drift.grafana_results WHERE monitor = 'graf_m';
SELECT DISTINCT monitor, state FROM drift.grafana_alerts ORDER BY 1, 2;
SELECT monitor FROM drift.grafana_status;
-- nor through a function that would leak the rows it is given: row-level
-- security filters before any qual of the caller's
CREATE FUNCTION pg_temp.graf_leak(t text) RETURNS boolean LANGUAGE plpgsql COST 0.0001 AS
  $$BEGIN RAISE WARNING 'saw %', t; RETURN true; END$$;
SELECT count(*) FROM drift.grafana_results WHERE pg_temp.graf_leak(monitor);
SELECT count(*) FROM drift.grafana_alerts WHERE pg_temp.graf_leak(monitor);
RESET ROLE;

-- what security_invoker prevents: a plain view over them, owned by a
-- superuser, would apply row-level security as that owner and show bob all
CREATE VIEW graf_plain AS SELECT * FROM drift.grafana_results;
GRANT SELECT ON graf_plain TO regress_graf_bob;
SET ROLE regress_graf_bob;
SELECT DISTINCT monitor FROM graf_plain ORDER BY 1;
RESET ROLE;
DROP VIEW graf_plain;

-- a drift_admin member sees both (and the monitors other tests left)
SET ROLE regress_graf_admin;
SELECT monitor, owner, count(*) FROM drift.grafana_results
 WHERE owner LIKE 'regress\_graf\_%' GROUP BY 1, 2 ORDER BY 1;
SELECT monitor, count(*) FROM drift.grafana_alerts WHERE monitor LIKE 'graf\_%' GROUP BY 1 ORDER BY 1;
SELECT monitor, owner FROM drift.grafana_status WHERE owner LIKE 'regress\_graf\_%' ORDER BY 1;
RESET ROLE;

-- a role with no monitors sees no rows, and the views are readable by all
CREATE ROLE regress_graf_nobody;
SET ROLE regress_graf_nobody;
SELECT (SELECT count(*) FROM drift.grafana_results) AS results,
       (SELECT count(*) FROM drift.grafana_alerts) AS alerts,
       (SELECT count(*) FROM drift.grafana_status) AS status;
RESET ROLE;
DROP ROLE regress_graf_nobody;

SELECT drift.slice_label('{}'), drift.slice_label('{"b": "x", "a": 1, "c": null}');
