-- Many slices with long values (security review, finding 7): a run's
-- bookkeeping is linear in slices, the state kept between runs is bounded,
-- and a run with too many slices fails with an error result.
CREATE TABLE sl_train AS SELECT (g % 100)::float8 AS x FROM generate_series(1, 1000) g;
SELECT count(*) FROM drift.capture_baseline('sl_b', 'sl_train');
-- 5,000 slices whose values are 6 KB each, every one out of range (firing)
CREATE TABLE sl_live AS
  SELECT repeat(md5(k::text), 190) || k AS big, 1000::float8 AS x
    FROM generate_series(1, 5000) k, generate_series(1, 2) r;
SELECT drift.create_monitor('sl_m', 'sl_live', column_name => 'x', baseline => 'sl_b',
       metric => 'out_of_range', slice_by => ARRAY['big']) > 0 AS created;

CREATE TEMP TABLE sl_timing (run int, seconds float8, slices bigint, firing bigint);
DO $$
DECLARE
  t0 timestamptz;
  n bigint;
  f bigint;
BEGIN
  FOR run IN 1 .. 2 LOOP
    t0 := clock_timestamp();
    SELECT count(*), count(*) FILTER (WHERE state = 'firing') INTO n, f
      FROM drift.run_monitor('sl_m');
    INSERT INTO sl_timing
      VALUES (run, extract(epoch FROM clock_timestamp() - t0), n, f);
  END LOOP;
END
$$;
-- about 2-4 s a run here; 0.1.0 took minutes, the second run longer than the
-- first (every slice rewrote the whole state)
SELECT run, slices, firing, seconds < 60 AS bounded FROM sl_timing ORDER BY run;
-- every firing slice is remembered, long values by their hash: about 66
-- bytes a slice (0.1.0 kept each 6 KB value as the key: over 30 MB)
SELECT (SELECT count(*) FROM jsonb_object_keys(slice_state)) AS entries,
       pg_column_size(slice_state) < 1000000 AS under_1mb,
       (SELECT bool_and(k LIKE 'sha256:%' AND length(k) = 71)
          FROM jsonb_object_keys(slice_state) k) AS hashed_keys
  FROM drift.monitors WHERE name = 'sl_m';
SELECT count(*) AS alerts FROM drift.alerts WHERE payload->>'monitor' = 'sl_m';

-- the data recovers: every slice resolves, and no ok slice is kept
UPDATE sl_live SET x = 50;
SELECT count(*), count(*) FILTER (WHERE state = 'resolved') AS resolved
  FROM drift.run_monitor('sl_m');
SELECT slice_state FROM drift.monitors WHERE name = 'sl_m';
UPDATE sl_live SET x = 1000;

-- short slice values stay readable keys
CREATE TABLE sl_short AS SELECT k, CASE k WHEN 1 THEN 1000 ELSE 50 END::float8 AS x
                           FROM generate_series(1, 3) k;
SELECT drift.create_monitor('sl_short', 'sl_short', column_name => 'x', baseline => 'sl_b',
       metric => 'out_of_range', slice_by => ARRAY['k'], fire_after => 2) > 0 AS created;
SELECT slice, state FROM drift.run_monitor('sl_short') ORDER BY slice::text;
SELECT slice_state FROM drift.monitors WHERE name = 'sl_short';
SELECT slice, state FROM drift.run_monitor('sl_short') ORDER BY slice::text;
SELECT slice_state FROM drift.monitors WHERE name = 'sl_short';
SELECT drift.drop_monitor('sl_short');
DROP TABLE sl_short;

-- more slices than pg_drift.max_slices: an error result, nothing else
SET pg_drift.max_slices = 1000;
SELECT state, error FROM drift.run_monitor('sl_m');
RESET pg_drift.max_slices;
SELECT state, consecutive_failures FROM drift.monitors WHERE name = 'sl_m';
-- the setting is the superuser's: ordinary roles cannot raise it
CREATE ROLE regress_sl_user;
SET ROLE regress_sl_user;
SET pg_drift.max_slices = 1000000;
RESET ROLE;
DROP ROLE regress_sl_user;
SELECT drift.drop_monitor('sl_m');
SELECT drift.drop_baseline('sl_b');
DROP TABLE sl_live, sl_train;
