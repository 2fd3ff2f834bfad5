-- Data for scripts/test-citus.sh: :rows rows drawn with a fixed seed, a
-- training sample captured as baseline 'b' on the coordinator, the rows as a
-- table distributed by k (t_dist) and as a local copy (t_local), and per
-- (k, g) profiles of x likewise (tp_dist, tp_local).
SET client_min_messages = warning;
SELECT setseed(0.31);
-- x rounded to 3 decimals (ties, as real features have), every 37th NULL;
-- c has a category the training data lacks; flag is 0/1
CREATE TABLE citus_train AS
  SELECT i AS id,
         CASE WHEN i % 37 = 0 THEN NULL ELSE round((random() + random() + random())::numeric, 3)::float8 END AS x,
         random() AS y,
         (ARRAY['a', 'b', 'c', 'd', 'e'])[1 + floor(random() * 5)::int] AS c,
         (random() < 0.3)::int AS flag,
         CASE WHEN random() < 0.6 THEN 'yes' ELSE 'no' END AS yn,
         random() AS score,
         random() < 0.4 AS label
    FROM generate_series(1, 5000) i;
UPDATE citus_train SET y = coalesce(x, 0) + y, label = random() < score;
SELECT count(*) FROM drift.capture_baseline('b', 'citus_train', columns => ARRAY['x', 'c', 'flag', 'yn', 'score'],
                                            target_column => 'y', prediction_column => 'score',
                                            label_column => 'label');

CREATE TABLE t_local AS
  SELECT i AS id, i % 50 AS k, i % 7 AS g,
         CASE WHEN i % 29 = 0 THEN NULL
              ELSE round((0.1 + 1.1 * (random() + random() + random()))::numeric, 3)::float8 END AS x,
         random() AS y,
         CASE WHEN i % 31 = 0 THEN NULL
              ELSE (ARRAY['a', 'b', 'c', 'd', 'e', 'f'])[1 + floor(random() * 6)::int] END AS c,
         (random() < 0.35)::int AS flag,
         CASE WHEN random() < 0.55 THEN 'yes' ELSE 'no' END AS yn,
         random() AS score,
         false AS label, false AS pred, 0::float8 AS truth,
         (ARRAY['p', 'q', 'r'])[1 + floor(random() * 3)::int] AS cls,
         (ARRAY['p', 'q', 'r'])[1 + floor(random() * 3)::int] AS cls_pred
    FROM generate_series(1, :rows) i;
UPDATE t_local SET y = coalesce(x, 0) * 0.5 + y, label = random() < score * 0.9,
                   pred = score >= 0.5, truth = score + (random() - 0.5) * 0.2;
CREATE TABLE t_dist (LIKE t_local);
SELECT create_distributed_table('t_dist', 'k');
INSERT INTO t_dist SELECT * FROM t_local;

CREATE TABLE tp_local AS
  SELECT min(id) AS id, k, g, drift_profile_agg(x) AS p FROM t_local GROUP BY k, g;
CREATE TABLE tp_dist (LIKE tp_local);
SELECT create_distributed_table('tp_dist', 'k');
INSERT INTO tp_dist SELECT * FROM tp_local;
ANALYZE t_local, t_dist, tp_local, tp_dist;
