-- bench/dataset_drift_wide.sql — tables for the wide part of
-- bench/dataset_drift.sh: :wide_columns features (the 25-column mix of
-- dataset_drift.sql repeated: 14 continuous with 3 decimals, 4 small
-- integers, 2 flags, 5 categorical) over :wide_rows current rows against a
-- :base_rows-row baseline; the first continuous and categorical columns drift.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_drift;
DROP TABLE IF EXISTS bench_wide_base, bench_wide_cur;
-- the 25 column generators ({s} is the shift of the current rows)
CREATE TEMP TABLE wide_kinds (i int, expr text) ;
INSERT INTO wide_kinds SELECT k.i, k.e FROM unnest(ARRAY[
  'round((random() + random() + random() + {s})::numeric, 3)::float8',
  'round((random() * 100)::numeric, 3)::float8', 'round((random() * 50)::numeric, 3)::float8',
  'round((random() * 10)::numeric, 3)::float8', 'round(exp(random() * 5)::numeric, 3)::float8',
  'round((random() * 7)::numeric, 3)::float8', 'round((random() * 1000)::numeric, 3)::float8',
  'round((random() * 3)::numeric, 3)::float8', 'round((random() * 20)::numeric, 3)::float8',
  'round((random() * 300)::numeric, 3)::float8', 'round((random() * 0.5)::numeric, 3)::float8',
  'round((random() * 70)::numeric, 3)::float8', 'round((random() * 9)::numeric, 3)::float8',
  'round((random() * 400)::numeric, 3)::float8',
  'floor(random() * 5)::int', 'floor(random() * 12)::int', 'floor(random() * 3)::int',
  'floor(random() * 30)::int', '(random() < 0.3)::int', '(random() < 0.5)::int',
  '''cat'' || floor(random() * 10 * (1 + {s}))::int', '''r'' || floor(random() * 6)::int',
  '''k'' || floor(random() * 20)::int', 'CASE WHEN random() < 0.5 THEN ''yes'' ELSE ''no'' END',
  '''p'' || floor(random() * 40)::int']) WITH ORDINALITY k(e, i);
SELECT format('CREATE TABLE %I AS SELECT %s FROM generate_series(1, %s) g', t.name,
              string_agg(format('%s AS w%s', replace(k.expr, '{s}', t.shift),
                                lpad(c::text, 3, '0')), ', ' ORDER BY c), t.n)
  FROM (VALUES ('bench_wide_base', '0', :base_rows), ('bench_wide_cur', '0.2', :wide_rows))
         t(name, shift, n),
       generate_series(1, :wide_columns) c
  JOIN wide_kinds k ON k.i = (c - 1) % 25 + 1
 GROUP BY t.name, t.shift, t.n \gexec
VACUUM ANALYZE bench_wide_base;
VACUUM ANALYZE bench_wide_cur;
SELECT count(*) FROM drift.capture_baseline('bench_wide', 'bench_wide_base', replace => true);
