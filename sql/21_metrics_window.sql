-- Model-quality metrics as moving-window aggregates (inverse transition
-- functions) must agree with the plain aggregate recomputed on each frame,
-- for ROWS and RANGE frames, across slices, NULLs, NaN, infinities, extreme
-- magnitudes and constant stretches.
\set QUIET on
SET client_min_messages = warning;
\copy (SELECT 1) TO '/dev/null'
CREATE TEMP TABLE wp (id bigserial PRIMARY KEY, case_id text, predicted text, actual text, score float8);
\copy wp (case_id, predicted, actual, score) FROM 'test/reference/pairs.csv' WITH (FORMAT csv, HEADER true)
-- the 20000-pair case makes per-frame recomputation slow and adds nothing
DELETE FROM wp WHERE case_id = 'pub-bin-0011';
CREATE FUNCTION pg_temp.ok(impl float8, ref float8) RETURNS boolean LANGUAGE sql IMMUTABLE AS
$$ SELECT impl IS NOT DISTINCT FROM ref
          OR abs(impl - ref) <= greatest(1e-9 * abs(ref), 1e-12) $$;
CREATE FUNCTION pg_temp.reg_ok(a regression_metrics_result, b regression_metrics_result)
  RETURNS boolean LANGUAGE sql IMMUTABLE AS
$$ SELECT a.n = b.n AND pg_temp.ok(a.mse, b.mse) AND pg_temp.ok(a.rmse, b.rmse)
          AND pg_temp.ok(a.mae, b.mae) AND pg_temp.ok(a.mape, b.mape)
          AND pg_temp.ok(a.r2, b.r2) AND pg_temp.ok(a.bias, b.bias) $$;
CREATE FUNCTION pg_temp.mc_ok(a multiclass_metrics_result, b multiclass_metrics_result)
  RETURNS boolean LANGUAGE sql IMMUTABLE AS
$$ SELECT a.n = b.n AND pg_temp.ok(a.accuracy, b.accuracy)
          AND pg_temp.ok(a.macro_precision, b.macro_precision)
          AND pg_temp.ok(a.macro_recall, b.macro_recall) AND pg_temp.ok(a.macro_f1, b.macro_f1) $$;

CREATE TEMP TABLE wbin AS
  SELECT id, predicted::int::bool AS predicted, actual::int::bool AS actual, score
    FROM wp WHERE case_id LIKE '%-bin-%';
ALTER TABLE wbin ADD PRIMARY KEY (id);
-- some NULLs and NaN scores, which every form skips
UPDATE wbin SET predicted = NULL WHERE id % 97 = 0;
UPDATE wbin SET actual = NULL WHERE id % 89 = 0;
UPDATE wbin SET score = 'NaN' WHERE id % 83 = 0;
UPDATE wbin SET score = NULL WHERE id % 79 = 0;
CREATE TEMP TABLE wreg AS
  SELECT id, predicted::float8 AS predicted, actual::float8 AS actual
    FROM wp WHERE case_id LIKE '%-reg-%';
ALTER TABLE wreg ADD PRIMARY KEY (id);
CREATE TEMP TABLE wmc AS
  SELECT id, predicted, actual FROM wp WHERE case_id LIKE '%-mc-%';
ALTER TABLE wmc ADD PRIMARY KEY (id);
UPDATE wmc SET predicted = NULL WHERE id % 31 = 0;
-- a hard regression sequence: values near 1e4 with unit noise (cancellation
-- in SST), outliers of 1e150 whose squares pass through the sums, constant
-- stretches of actual values (r2 is 0 or 1 there), zeros, NaN, infinities
CREATE TEMP TABLE whard AS
  SELECT g AS id,
         CASE WHEN g % 400 = 7 THEN 1e150
              WHEN g % 500 = 11 THEN 'Infinity'
              WHEN g % 450 = 13 THEN 'NaN'
              WHEN g BETWEEN 1000 AND 1100 THEN 0.1 + (g % 3) * 1e-3
              WHEN g BETWEEN 1200 AND 1300 THEN 0.1
              ELSE 1e4 + sin(g) END::float8 AS predicted,
         CASE WHEN g BETWEEN 1000 AND 1300 THEN 0.1
              WHEN g % 250 = 0 THEN 0
              WHEN g % 333 = 0 THEN NULL
              ELSE 1e4 + cos(g) END::float8 AS actual,
         timestamptz '2026-01-01' + (g / 3) * interval '1 minute' AS ts
    FROM generate_series(1, 2000) g;
ALTER TABLE whard ADD PRIMARY KEY (id);
CREATE INDEX ON whard (ts);
ANALYZE wbin; ANALYZE wreg; ANALYZE wmc; ANALYZE whard;
RESET client_min_messages;
\set QUIET off

-- binary_metrics (both forms), roc_auc, log_loss, brier_score over ROWS 50 PRECEDING
SELECT count(*) AS rows,
       count(*) FILTER (WHERE w.b IS NOT DISTINCT FROM f.b) AS binary_ok,
       count(*) FILTER (WHERE w.bs IS NOT DISTINCT FROM f.bs) AS binary_score_ok,
       count(*) FILTER (WHERE pg_temp.ok(w.auc, f.auc)) AS roc_auc_ok,
       count(*) FILTER (WHERE pg_temp.ok(w.ll, f.ll)) AS log_loss_ok,
       count(*) FILTER (WHERE pg_temp.ok(w.br, f.br)) AS brier_ok,
       count(*) FILTER (WHERE w.auc IS NULL) AS roc_auc_null_frames
  FROM (SELECT id,
               binary_metrics(predicted, actual) OVER w AS b,
               binary_metrics(score, actual, 0.5) OVER w AS bs,
               roc_auc(score, actual) OVER w AS auc,
               log_loss(score, actual) OVER w AS ll,
               brier_score(score, actual) OVER w AS br
          FROM wbin WINDOW w AS (ORDER BY id ROWS 50 PRECEDING)) w,
       LATERAL (SELECT binary_metrics(predicted, actual) AS b,
                       binary_metrics(score, actual, 0.5) AS bs,
                       roc_auc(score, actual) AS auc, log_loss(score, actual) AS ll,
                       brier_score(score, actual) AS br
                  FROM (SELECT * FROM wbin x
                         WHERE x.id <= w.id ORDER BY x.id DESC LIMIT 51) fr) f;

-- regression_metrics over ROWS 50 PRECEDING, reference pairs and the hard sequence
SELECT count(*) AS rows,
       count(*) FILTER (WHERE pg_temp.reg_ok(w.r, f.r)) AS regression_ok
  FROM (SELECT id, regression_metrics(predicted, actual) OVER (ORDER BY id ROWS 50 PRECEDING) AS r
          FROM wreg) w,
       LATERAL (SELECT regression_metrics(predicted, actual) AS r
                  FROM (SELECT * FROM wreg x WHERE x.id <= w.id ORDER BY x.id DESC LIMIT 51) fr) f;
CREATE TEMP TABLE hard_rows AS
  SELECT w.id, w.r AS win, f.r AS frame
    FROM (SELECT id, regression_metrics(predicted, actual) OVER (ORDER BY id ROWS 50 PRECEDING) AS r
            FROM whard) w,
         LATERAL (SELECT regression_metrics(predicted, actual) AS r
                    FROM whard x WHERE x.id BETWEEN w.id - 50 AND w.id) f;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE pg_temp.reg_ok(win, frame)) AS regression_ok,
       count(*) FILTER (WHERE NOT isfinite_or_null) AS frames_with_infinity
  FROM (SELECT *, (win).mse IS NULL OR (win).mse < 'Infinity'::float8 AS isfinite_or_null
          FROM hard_rows) h;
SELECT id, win, frame FROM hard_rows WHERE NOT pg_temp.reg_ok(win, frame) ORDER BY id LIMIT 5;
-- frames wholly inside the constant stretch: r2 follows force_finite exactly
SELECT id BETWEEN 1050 AND 1100 AS imperfect, (win).r2, count(*)
  FROM hard_rows WHERE id BETWEEN 1050 AND 1300 AND id NOT BETWEEN 1101 AND 1250
 GROUP BY 1, 2 ORDER BY 1, 2;

-- RANGE frames over time (peers included), hard sequence and binary pairs
SELECT count(*) AS rows,
       count(*) FILTER (WHERE pg_temp.reg_ok(w.r, f.r)) AS regression_ok
  FROM (SELECT id, ts, regression_metrics(predicted, actual)
                 OVER (ORDER BY ts RANGE BETWEEN interval '20 minutes' PRECEDING AND CURRENT ROW) AS r
          FROM whard) w,
       LATERAL (SELECT regression_metrics(predicted, actual) AS r
                  FROM whard x WHERE x.ts BETWEEN w.ts - interval '20 minutes' AND w.ts) f;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE w.b IS NOT DISTINCT FROM f.b) AS binary_ok,
       count(*) FILTER (WHERE pg_temp.ok(w.auc, f.auc)) AS roc_auc_ok,
       count(*) FILTER (WHERE pg_temp.ok(w.ll, f.ll)) AS log_loss_ok
  FROM (SELECT id, binary_metrics(predicted, actual) OVER w AS b,
               roc_auc(score, actual) OVER w AS auc, log_loss(score, actual) OVER w AS ll
          FROM wbin WHERE id < 4000
        WINDOW w AS (ORDER BY id / 10 RANGE BETWEEN 7 PRECEDING AND CURRENT ROW)) w,
       LATERAL (SELECT binary_metrics(predicted, actual) AS b, roc_auc(score, actual) AS auc,
                       log_loss(score, actual) AS ll
                  FROM wbin x WHERE x.id / 10 BETWEEN w.id / 10 - 7 AND w.id / 10) f;

-- multiclass_metrics over ROWS 30 PRECEDING (labels enter and leave the frame)
SELECT count(*) AS rows,
       count(*) FILTER (WHERE pg_temp.mc_ok(w.r, f.r)) AS multiclass_ok
  FROM (SELECT id, multiclass_metrics(predicted, actual) OVER (ORDER BY id ROWS 30 PRECEDING) AS r
          FROM wmc) w,
       LATERAL (SELECT multiclass_metrics(predicted, actual) AS r
                  FROM (SELECT * FROM wmc x WHERE x.id <= w.id ORDER BY x.id DESC LIMIT 31) fr) f;

-- running (unbounded) frames use the plain transition and repeated finals
SELECT count(*) AS rows,
       count(*) FILTER (WHERE pg_temp.ok(w.auc, f.auc)) AS roc_auc_ok,
       count(*) FILTER (WHERE pg_temp.mc_ok(w.mc, f.mc)) AS multiclass_ok
  FROM (SELECT id, roc_auc(score, (actual = '1')) OVER w AS auc,
               multiclass_metrics(predicted, actual) OVER w AS mc
          FROM wp WHERE case_id IN ('pub-bin-0012', 'pub-mc-0003')
        WINDOW w AS (PARTITION BY case_id ORDER BY id)) w,
       LATERAL (SELECT roc_auc(score, (actual = '1')) AS auc,
                       multiclass_metrics(predicted, actual) AS mc
                  FROM wp x WHERE x.case_id = (SELECT case_id FROM wp WHERE id = w.id)
                              AND x.id <= w.id) f;

-- GROUP BY slices against the same metrics written by hand in SQL
SELECT count(*) AS slices,
       count(*) FILTER (WHERE (b).tp = tp AND (b).fp = fp AND (b).tn = tn AND (b).fn = fn
                          AND pg_temp.ok((b).accuracy, (tp + tn)::float8 / nullif(tp + fp + tn + fn, 0))
                          AND pg_temp.ok((b).precision, tp::float8 / nullif(tp + fp, 0))
                          AND pg_temp.ok((b).recall, tp::float8 / nullif(tp + fn, 0))
                          AND pg_temp.ok((b).f1, 2 * tp::float8 / nullif(2 * tp + fp + fn, 0)))
         AS binary_ok
  FROM (SELECT id % 7 AS slice, binary_metrics(predicted, actual) AS b,
               count(*) FILTER (WHERE predicted AND actual) AS tp,
               count(*) FILTER (WHERE predicted AND NOT actual) AS fp,
               count(*) FILTER (WHERE NOT predicted AND NOT actual) AS tn,
               count(*) FILTER (WHERE NOT predicted AND actual) AS fn
          FROM wbin GROUP BY 1) s;
SELECT count(*) AS slices,
       count(*) FILTER (WHERE (r).n = n AND pg_temp.ok((r).mse, mse) AND pg_temp.ok((r).mae, mae)
                          AND pg_temp.ok((r).bias, bias) AND pg_temp.ok((r).r2, 1 - sse / sst))
         AS regression_ok
  FROM (SELECT id % 5 AS slice, regression_metrics(predicted, actual) AS r, count(*) AS n,
               avg(((predicted - actual)^2)::numeric)::float8 AS mse,
               avg(abs(predicted - actual)::numeric)::float8 AS mae,
               avg((predicted - actual)::numeric)::float8 AS bias,
               sum(((predicted - actual)^2)::numeric)::float8 AS sse,
               (sum((actual::numeric)^2) - sum(actual::numeric)^2 / count(*))::float8 AS sst
          FROM wreg WHERE id IN (SELECT id FROM wp WHERE case_id IN ('pub-reg-0010', 'pub-reg-0011', 'pub-reg-0012'))
         GROUP BY 1) s;
