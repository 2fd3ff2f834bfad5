-- bench/chi2.sql — data for bench/chi2.sh: a 50-category text column,
-- :rows current rows and a :base_rows-row training sample, with a baseline.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_drift;
DROP TABLE IF EXISTS bench_cat_current, bench_cat_training;
SELECT setseed(0.25);
-- categories 'merchant_00' .. 'merchant_49', skewed (about Zipf-like), and
-- the current data slightly shifted towards the tail
CREATE TABLE bench_cat_training AS
  SELECT 'merchant_' || lpad((floor(50 * random() ^ 2))::int::text, 2, '0') AS category
    FROM generate_series(1, :base_rows);
CREATE TABLE bench_cat_current AS
  SELECT 'merchant_' || lpad((floor(50 * random() ^ 1.9))::int::text, 2, '0') AS category
    FROM generate_series(1, :rows);
VACUUM ANALYZE bench_cat_training;
VACUUM ANALYZE bench_cat_current;
SELECT count(*) FROM drift.capture_baseline('bench_cat', 'bench_cat_training',
                                            columns => ARRAY['category'], replace => true);
