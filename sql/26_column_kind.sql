-- The one column classifier, drift.column_kind (issue 12): capture_baseline,
-- capture_baseline_metrics, capture_target_correlations and the monitors all
-- ask it, so they agree on money, oid and name (once they did not).
CREATE TYPE ck_mood AS ENUM ('calm', 'stormy');
CREATE DOMAIN ck_qty AS integer CHECK (VALUE >= 0);
CREATE DOMAIN ck_flag AS boolean;
CREATE TABLE ck (
  i2 smallint, i8 bigint, r4 real, n numeric(10, 2), qty ck_qty,
  price money, id oid, rel regclass,
  t text, vc varchar(10), c char(3), nm name, mood ck_mood,
  b boolean, flag ck_flag,
  d date, ts timestamp, tstz timestamptz, tm time, iv interval,
  arr integer[], js jsonb);
INSERT INTO ck
SELECT g % 7, g, g / 3.0, g * 1.5, g % 5, (g * 2)::numeric::money, g::oid, 'ck'::regclass,
       'v' || (g % 4), 'w' || (g % 3), 'c' || (g % 2), ('n' || (g % 3))::name,
       CASE WHEN g % 2 = 0 THEN 'calm' ELSE 'stormy' END::ck_mood,
       g % 3 = 0, g % 4 = 0,
       date '2026-01-01' + g, timestamp '2026-01-01' + g * interval '1 hour',
       timestamptz '2026-01-01 00:00+00' + g * interval '1 hour', time '00:00' + g * interval '1 minute',
       g * interval '1 minute', ARRAY[g], jsonb_build_object('g', g)
  FROM generate_series(1, 60) g;

-- the rule, column by column (domains count as their base type)
SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type,
       drift.column_kind('ck', a.attname) AS kind
  FROM pg_attribute a WHERE a.attrelid = 'ck'::regclass AND a.attnum > 0 ORDER BY a.attnum;
SELECT drift.column_kind('ck', 'nope') AS absent, drift.column_kind('ck', NULL) AS null_name;

-- capture_baseline profiles exactly the numeric, categorical and boolean
-- columns: name is categorical; money, oid and regclass are skipped
SELECT column_name, column_type, kind, n FROM drift.capture_baseline('ck_base', 'ck');
SELECT * FROM drift.capture_baseline('ck_money', 'ck', columns => ARRAY['price']);
SELECT * FROM drift.capture_baseline('ck_oid', 'ck', columns => ARRAY['id']);
-- listed as categorical, they are profiled by their text form
SELECT column_name, kind, distinct_values
  FROM drift.capture_baseline('ck_money', 'ck', columns => ARRAY['price'],
                              categorical => ARRAY['price']);

-- a monitor agrees: a numeric test takes no money, oid or time column ...
SELECT drift.create_monitor('ck_mon', 'ck', 'ks', 'price', baseline => 'ck_base');
SELECT drift.create_monitor('ck_mon', 'ck', 'ks', 'id', baseline => 'ck_base');
SELECT drift.create_monitor('ck_mon', 'ck', 'ks', 'ts', baseline => 'ck_base');
-- ... but a domain over an integer, and a categorical test a name column
SELECT drift.create_monitor('ck_mon', 'ck', 'ks', 'qty', baseline => 'ck_base') > 0 AS created;
SELECT drift.create_monitor('ck_cat', 'ck', 'chi2', 'nm', baseline => 'ck_base') > 0 AS created;
-- a time column must be a date or timestamp
SELECT drift.create_monitor('ck_win', 'ck', 'ks', 'qty', baseline => 'ck_base',
                            time_column => 'tm', window_size => '1 hour');
SELECT drift.create_monitor('ck_win', 'ck', 'ks', 'qty', baseline => 'ck_base',
                            time_column => 'd', window_size => '1 day') > 0 AS created;

-- so do the model-quality metrics and the target correlations
SELECT * FROM drift.capture_baseline_metrics('ck_base', 'ck', 'price', 'b');
SELECT metric, round(value::numeric, 6) AS value
  FROM drift.capture_baseline_metrics('ck_base', 'ck', 'flag', 'b') ORDER BY metric LIMIT 2;
SELECT * FROM drift.capture_target_correlations('ck_base', 'ck', 'price');
SELECT * FROM drift.capture_target_correlations('ck_base', 'ck', 'nm');
SELECT count(*) > 0 AS correlated FROM drift.capture_target_correlations('ck_base', 'ck', 'qty');

-- One validator for create and alter: alter_monitor is refused what
-- create_monitor is refused
SELECT drift.alter_monitor('ck_mon', compare_to => 'yesterday');
SELECT drift.alter_monitor('ck_mon', fire_after => 0);
SELECT drift.alter_monitor('ck_mon', max_retries => -1);
SELECT drift.alter_monitor('ck_mon', min_rows => 0);
SELECT drift.alter_monitor('ck_mon', channel => repeat('c', 64));
SELECT drift.alter_monitor('ck_mon', column_name => 'price');
SELECT drift.create_monitor('ck_bad', 'ck', 'ks', 'qty', baseline => 'ck_base', max_retries => NULL);
SELECT drift.create_monitor('ck_bad', 'ck', 'ks', 'qty', baseline => 'ck_base', channel => NULL);
SELECT name, column_name, compare_to, fire_after, max_retries, min_rows, channel
  FROM drift.monitors WHERE name LIKE 'ck%' ORDER BY name;

-- the public classifier pins its search_path and is callable by anyone
SELECT p.proconfig, has_function_privilege('public', p.oid, 'EXECUTE') AS public_may_call
  FROM pg_proc p WHERE p.oid = 'drift.column_kind(regclass, text)'::regprocedure;

SELECT drift.drop_monitor('ck_mon'), drift.drop_monitor('ck_cat'), drift.drop_monitor('ck_win');
DELETE FROM drift.baselines WHERE name IN ('ck_base', 'ck_money');
DROP TABLE ck;
DROP DOMAIN ck_qty;
DROP DOMAIN ck_flag;
DROP TYPE ck_mood;
