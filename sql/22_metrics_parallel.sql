-- Model-quality metrics in forced parallel plans: Partial Aggregate in the
-- workers, the combine functions in the leader, the serial answers.
CREATE TABLE mpar AS
  SELECT g AS id,
         (g % 7 < 3) AS predicted, (g % 5 < 2) AS actual,
         ((g * 7919) % 10007) / 10007.0 AS score,
         1e4 + sin(g) AS yhat, 1e4 + cos(g) + (g % 3) AS y,
         ('c' || (g % 6)) AS label_pred, ('c' || ((g / 2) % 6)) AS label_true,
         g % 4 AS slice
    FROM generate_series(1, 200000) g;
UPDATE mpar SET predicted = NULL, yhat = NULL, label_pred = NULL WHERE id % 1000 = 0;
ANALYZE mpar;

CREATE FUNCTION pg_temp.ok(impl float8, ref float8) RETURNS boolean LANGUAGE sql IMMUTABLE AS
$$ SELECT impl IS NOT DISTINCT FROM ref
          OR abs(impl - ref) <= greatest(1e-12 * abs(ref), 1e-15) $$;

CREATE TEMP TABLE serial_m AS
  SELECT binary_metrics(predicted, actual) AS b,
         binary_metrics(score, actual, 0.4) AS bs,
         regression_metrics(yhat, y) AS r,
         multiclass_metrics(label_pred, label_true) AS mc,
         roc_auc(score, actual) AS auc, log_loss(score, actual) AS ll,
         brier_score(score, actual) AS br
    FROM mpar;
CREATE TEMP TABLE serial_slices AS
  SELECT slice, binary_metrics(predicted, actual) AS b, regression_metrics(yhat, y) AS r,
         multiclass_metrics(label_pred, label_true) AS mc, roc_auc(score, actual) AS auc
    FROM mpar GROUP BY slice;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

EXPLAIN (COSTS OFF)
  SELECT binary_metrics(predicted, actual), binary_metrics(score, actual, 0.4),
         regression_metrics(yhat, y), multiclass_metrics(label_pred, label_true),
         roc_auc(score, actual), log_loss(score, actual), brier_score(score, actual)
    FROM mpar;
EXPLAIN (COSTS OFF)
  SELECT slice, binary_metrics(predicted, actual), roc_auc(score, actual) FROM mpar GROUP BY slice;

CREATE TEMP TABLE parallel_m AS
  SELECT binary_metrics(predicted, actual) AS b,
         binary_metrics(score, actual, 0.4) AS bs,
         regression_metrics(yhat, y) AS r,
         multiclass_metrics(label_pred, label_true) AS mc,
         roc_auc(score, actual) AS auc, log_loss(score, actual) AS ll,
         brier_score(score, actual) AS br
    FROM mpar;
CREATE TEMP TABLE parallel_slices AS
  SELECT slice, binary_metrics(predicted, actual) AS b, regression_metrics(yhat, y) AS r,
         multiclass_metrics(label_pred, label_true) AS mc, roc_auc(score, actual) AS auc
    FROM mpar GROUP BY slice;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- counts and label metrics are exact; sums agree to 1e-12 (summation order differs)
SELECT s.b = p.b AS binary_equal, s.bs = p.bs AS binary_score_equal,
       (s.r).n = (p.r).n AND pg_temp.ok((s.r).mse, (p.r).mse) AND pg_temp.ok((s.r).mae, (p.r).mae)
         AND pg_temp.ok((s.r).mape, (p.r).mape) AND pg_temp.ok((s.r).r2, (p.r).r2)
         AND pg_temp.ok((s.r).bias, (p.r).bias) AS regression_equal,
       s.mc = p.mc AS multiclass_equal, s.auc = p.auc AS roc_auc_equal,
       pg_temp.ok(s.ll, p.ll) AS log_loss_equal, pg_temp.ok(s.br, p.br) AS brier_equal
  FROM serial_m s, parallel_m p;
SELECT s.slice, s.b = p.b AS binary_equal,
       (s.r).n = (p.r).n AND pg_temp.ok((s.r).r2, (p.r).r2) AND pg_temp.ok((s.r).mse, (p.r).mse)
         AS regression_equal,
       s.mc = p.mc AS multiclass_equal, s.auc = p.auc AS roc_auc_equal
  FROM serial_slices s JOIN parallel_slices p USING (slice) ORDER BY s.slice;
-- and the values themselves, against SQL written by hand
SELECT (b).n, (b).tp, (b).fp, (b).tn, (b).fn, round((b).f1::numeric, 12) AS f1,
       (r).n AS reg_n, round((r).r2::numeric, 12) AS r2, (mc).n AS mc_n,
       round((mc).accuracy::numeric, 12) AS mc_accuracy, round(auc::numeric, 12) AS auc
  FROM parallel_m;
SELECT count(*) FILTER (WHERE predicted AND actual) AS tp,
       count(*) FILTER (WHERE predicted AND NOT actual) AS fp,
       count(*) FILTER (WHERE label_pred = label_true)::float8
         / count(*) FILTER (WHERE label_pred IS NOT NULL) AS mc_accuracy
  FROM mpar;
