-- Data for bench/psi.sh: :rows current rows and a :base-row training sample
-- (about as many distinct values), both drawn with a fixed seed.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_drift;
DROP TABLE IF EXISTS bench_psi, bench_psi_train;
SELECT drift.drop_baseline('bench_psi_base')
  WHERE EXISTS (SELECT 1 FROM drift.baselines WHERE name = 'bench_psi_base');

SELECT setseed(0.42);
-- a sum of uniforms: roughly normal, as feature values tend to be
CREATE TABLE bench_psi_train AS
  SELECT random() + random() + random() AS x FROM generate_series(1, :base);
-- the current rows drift a little: shifted and wider
CREATE TABLE bench_psi AS
  SELECT 0.1 + 1.1 * (random() + random() + random()) AS x FROM generate_series(1, :rows);
VACUUM (FREEZE, ANALYZE) bench_psi_train;
VACUUM (FREEZE, ANALYZE) bench_psi;

SELECT column_name, n, distinct_values
  FROM drift.capture_baseline('bench_psi_base', 'bench_psi_train', columns => ARRAY['x']);
