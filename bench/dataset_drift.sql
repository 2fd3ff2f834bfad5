-- bench/dataset_drift.sql — tables for bench/dataset_drift.sh: a model's 25
-- features (20 numeric, 5 categorical) as a baseline of :base_rows rows and
-- a current window of :rows rows in which f01 and c1 drift.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_drift;
DROP TABLE IF EXISTS bench_model_base, bench_model_cur;
CREATE FUNCTION pg_temp.features(n bigint, shift float8) RETURNS SETOF record LANGUAGE sql AS $$
  SELECT -- 14 continuous (3 decimals), 4 small integers, 2 flags
         round((random() + random() + random() + shift)::numeric, 3)::float8,
         round((random() * 100)::numeric, 3)::float8, round((random() * 50)::numeric, 3)::float8,
         round((random() * 10)::numeric, 3)::float8, round(exp(random() * 5)::numeric, 3)::float8,
         round((random() * 7)::numeric, 3)::float8, round((random() * 1000)::numeric, 3)::float8,
         round((random() * 3)::numeric, 3)::float8, round((random() * 20)::numeric, 3)::float8,
         round((random() * 300)::numeric, 3)::float8, round((random() * 0.5)::numeric, 3)::float8,
         round((random() * 70)::numeric, 3)::float8, round((random() * 9)::numeric, 3)::float8,
         round((random() * 400)::numeric, 3)::float8,
         floor(random() * 5)::int, floor(random() * 12)::int, floor(random() * 3)::int,
         floor(random() * 30)::int, (random() < 0.3)::int, (random() < 0.5)::int,
         -- 5 categorical
         'cat' || floor(random() * 10 * (1 + shift))::int, 'r' || floor(random() * 6)::int,
         'k' || floor(random() * 20)::int, CASE WHEN random() < 0.5 THEN 'yes' ELSE 'no' END,
         'p' || floor(random() * 40)::int
    FROM generate_series(1, n)
$$;
CREATE TABLE bench_model_base AS
  SELECT * FROM pg_temp.features(:base_rows, 0) AS f(
    f01 float8, f02 float8, f03 float8, f04 float8, f05 float8, f06 float8, f07 float8,
    f08 float8, f09 float8, f10 float8, f11 float8, f12 float8, f13 float8, f14 float8,
    f15 int, f16 int, f17 int, f18 int, f19 int, f20 int,
    c1 text, c2 text, c3 text, c4 text, c5 text);
CREATE TABLE bench_model_cur AS
  SELECT * FROM pg_temp.features(:rows, 0.2) AS f(
    f01 float8, f02 float8, f03 float8, f04 float8, f05 float8, f06 float8, f07 float8,
    f08 float8, f09 float8, f10 float8, f11 float8, f12 float8, f13 float8, f14 float8,
    f15 int, f16 int, f17 int, f18 int, f19 int, f20 int,
    c1 text, c2 text, c3 text, c4 text, c5 text);
VACUUM ANALYZE bench_model_base;
VACUUM ANALYZE bench_model_cur;
SELECT count(*) FROM drift.capture_baseline('bench_model', 'bench_model_base', replace => true);
