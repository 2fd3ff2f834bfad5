-- drift.capture_baseline_metrics: the model's quality on a baseline's data,
-- one row per metric in drift.baseline_metrics, kind chosen from the column
-- types; replacement, filter, errors, row-level security, cascade.
CREATE TYPE mb_label AS ENUM ('red', 'green', 'blue');
CREATE TABLE mb_train AS
  SELECT g AS id, g % 3 = 0 AS pred_flag, g % 4 = 0 AS is_fraud,
         ((g * 37) % 101) / 100.0 AS fraud_score,
         (g * 0.25)::numeric(12, 2) AS price_hat, g / 4 AS price,
         ('c' || g % 3)::varchar(5) AS cls_hat, 'c' || g % 4 AS cls,
         (ARRAY['red', 'green', 'blue'])[g % 3 + 1]::mb_label AS colour_hat,
         (ARRAY['red', 'green', 'blue'])[g % 2 + 1]::mb_label AS colour
    FROM generate_series(1, 1000) g;
SELECT count(*) FROM drift.capture_baseline('mb_v1', 'mb_train', columns => ARRAY['fraud_score']);

-- boolean predictions: binary metrics
SELECT * FROM drift.capture_baseline_metrics('mb_v1', 'mb_train', 'pred_flag', 'is_fraud');
-- the stored values are the aggregate's
SELECT m.metric, m.value IS NOT DISTINCT FROM
         (SELECT (to_jsonb(binary_metrics(pred_flag, is_fraud)) ->> m.metric)::float8 FROM mb_train)
         AS same
  FROM drift.baseline_metrics m WHERE m.baseline_name = 'mb_v1' ORDER BY m.metric;

-- probabilities: roc_auc, log_loss, brier and the binary metrics at 0.5; replaces the rows
SELECT * FROM drift.capture_baseline_metrics('mb_v1', 'mb_train', 'fraud_score', 'is_fraud');
SELECT (SELECT value FROM drift.baseline_metrics WHERE baseline_name = 'mb_v1' AND metric = 'roc_auc')
       = (SELECT roc_auc(fraud_score::float8, is_fraud) FROM mb_train) AS roc_auc_same,
       (SELECT value FROM drift.baseline_metrics WHERE baseline_name = 'mb_v1' AND metric = 'tp')
       = (SELECT (binary_metrics(fraud_score::float8, is_fraud, 0.5)).tp FROM mb_train) AS tp_same;

-- numeric / integer: regression, with a filter
SELECT * FROM drift.capture_baseline_metrics('mb_v1', 'mb_train', 'price_hat', 'price',
                                             filter => 'id <= 500');
SELECT value = (SELECT (regression_metrics(price_hat::float8, price)).r2 FROM mb_train WHERE id <= 500)
       AS r2_same
  FROM drift.baseline_metrics WHERE baseline_name = 'mb_v1' AND metric = 'r2';

-- varchar / text and enum / enum: multiclass
SELECT * FROM drift.capture_baseline_metrics('mb_v1', 'mb_train', 'cls_hat', 'cls');
SELECT * FROM drift.capture_baseline_metrics('mb_v1', 'mb_train', 'colour_hat', 'colour');

-- no matching rows: n = 0 and the undefined metrics NULL
SELECT * FROM drift.capture_baseline_metrics('mb_v1', 'mb_train', 'pred_flag', 'is_fraud',
                                             filter => 'false');

-- errors
SELECT * FROM drift.capture_baseline_metrics('no_such', 'mb_train', 'pred_flag', 'is_fraud');
SELECT * FROM drift.capture_baseline_metrics('mb_v1', 'mb_train', 'nope', 'is_fraud');
SELECT * FROM drift.capture_baseline_metrics('mb_v1', 'mb_train', 'is_fraud', 'fraud_score');
SELECT * FROM drift.capture_baseline_metrics('mb_v1', 'mb_train', 'pred_flag', NULL);
SELECT * FROM drift.capture_baseline_metrics('mb_v1', 'mb_train', 'price_hat', 'is_fraud');
-- identifiers are quoted: a column name that is SQL is just a name
ALTER TABLE mb_train RENAME COLUMN pred_flag TO "pred; DROP TABLE mb_train; --";
SELECT metric, value FROM drift.capture_baseline_metrics('mb_v1', 'mb_train',
                                                         'pred; DROP TABLE mb_train; --', 'is_fraud')
 WHERE metric = 'n';

-- row-level security: another role sees none of these rows
CREATE ROLE regress_metrics_other;
GRANT SELECT ON mb_train TO regress_metrics_other;
SET ROLE regress_metrics_other;
SELECT count(*) AS visible FROM drift.baseline_metrics;
SELECT * FROM drift.capture_baseline_metrics('mb_v1', 'mb_train', 'cls_hat', 'cls');
RESET ROLE;
DROP OWNED BY regress_metrics_other;
DROP ROLE regress_metrics_other;

-- dropping the baseline drops its metrics
SELECT count(*) FROM drift.baseline_metrics WHERE baseline_name = 'mb_v1';
SELECT drift.drop_baseline('mb_v1');
SELECT count(*) FROM drift.baseline_metrics WHERE baseline_name = 'mb_v1';
DROP TABLE mb_train;
DROP TYPE mb_label;
