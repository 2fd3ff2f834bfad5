-- Model-quality metrics against the scikit-learn reference cases
-- (test/reference/pairs.csv and cases.csv) within SPEC.md's tolerance.
-- (load_reference.sql drops only its three base tables; earlier tests in the
-- same database may have loaded it already)
\set QUIET on
SET client_min_messages = warning;
DROP TABLE IF EXISTS ref_num, ref_ks;
DROP FUNCTION IF EXISTS stat_ok(float8, float8), p_ok(float8, float8);
RESET client_min_messages;
\set QUIET off
-- (not echoed: this test's expected output must not copy that file)
\set ECHO none
\i test/sql/load_reference.sql
\set ECHO all

-- every case's metrics, computed by the aggregates
CREATE TEMP TABLE metric_impl AS
  SELECT case_id, 'accuracy' AS metric, (b).accuracy AS value FROM
    (SELECT case_id, binary_metrics(predicted::int::bool, actual::int::bool) AS b
       FROM ref_pairs WHERE case_id LIKE '%-bin-%' GROUP BY case_id) s
  UNION ALL SELECT case_id, 'precision', (b).precision FROM
    (SELECT case_id, binary_metrics(predicted::int::bool, actual::int::bool) AS b
       FROM ref_pairs WHERE case_id LIKE '%-bin-%' GROUP BY case_id) s
  UNION ALL SELECT case_id, 'recall', (b).recall FROM
    (SELECT case_id, binary_metrics(predicted::int::bool, actual::int::bool) AS b
       FROM ref_pairs WHERE case_id LIKE '%-bin-%' GROUP BY case_id) s
  UNION ALL SELECT case_id, 'f1', (b).f1 FROM
    (SELECT case_id, binary_metrics(predicted::int::bool, actual::int::bool) AS b
       FROM ref_pairs WHERE case_id LIKE '%-bin-%' GROUP BY case_id) s
  UNION ALL SELECT case_id, 'roc_auc', roc_auc(score, actual::int::bool)
    FROM ref_pairs WHERE case_id LIKE '%-bin-%' GROUP BY case_id
  UNION ALL SELECT case_id, 'log_loss', log_loss(score, actual::int::bool)
    FROM ref_pairs WHERE case_id LIKE '%-bin-%' GROUP BY case_id
  UNION ALL SELECT case_id, 'brier', brier_score(score, actual::int::bool)
    FROM ref_pairs WHERE case_id LIKE '%-bin-%' GROUP BY case_id
  UNION ALL SELECT case_id, m.metric, m.value FROM
    (SELECT case_id, regression_metrics(predicted::float8, actual::float8) AS r
       FROM ref_pairs WHERE case_id LIKE '%-reg-%' GROUP BY case_id) s,
    LATERAL (VALUES ('mse', (r).mse), ('rmse', (r).rmse), ('mae', (r).mae),
                    ('mape', (r).mape), ('r2', (r).r2)) m(metric, value)
  UNION ALL SELECT case_id, m.metric, m.value FROM
    (SELECT case_id, multiclass_metrics(predicted, actual) AS r
       FROM ref_pairs WHERE case_id LIKE '%-mc-%' GROUP BY case_id) s,
    LATERAL (VALUES ('accuracy', (r).accuracy), ('macro_f1', (r).macro_f1)) m(metric, value);

CREATE TEMP TABLE metric_ref AS
  SELECT case_id, metric, statistic FROM ref_cases
   WHERE case_id ~ '-(bin|reg|mc)-';

-- every reference row has an implementation value, and it agrees
SELECT r.metric, count(*) AS rows,
       count(*) FILTER (WHERE i.case_id IS NOT NULL AND stat_ok(i.value, r.statistic)) AS rows_ok,
       count(*) FILTER (WHERE r.statistic IS NULL) AS null_rows
  FROM metric_ref r LEFT JOIN metric_impl i USING (case_id, metric)
 GROUP BY r.metric ORDER BY r.metric;

-- mismatches (none expected)
SELECT r.case_id, r.metric, r.statistic AS reference, i.value AS computed
  FROM metric_ref r LEFT JOIN metric_impl i USING (case_id, metric)
 WHERE i.case_id IS NULL OR NOT stat_ok(i.value, r.statistic)
 ORDER BY 1, 2;

-- roc_auc is NULL exactly where the reference leaves it out (one class only)
SELECT i.case_id, i.value
  FROM metric_impl i
 WHERE i.metric = 'roc_auc'
   AND NOT EXISTS (SELECT 1 FROM metric_ref r WHERE r.case_id = i.case_id AND r.metric = 'roc_auc')
 ORDER BY 1;

-- the confusion counts agree with the reference's extra column
SELECT count(*) AS cases,
       count(*) FILTER (WHERE format('n=%s;tp=%s;fp=%s;fn=%s;tn=%s', (b).n, (b).tp, (b).fp, (b).fn, (b).tn)
                              = substring(c.extra from '^n=\d+;tp=\d+;fp=\d+;fn=\d+;tn=\d+')) AS counts_ok
  FROM (SELECT case_id, binary_metrics(predicted::int::bool, actual::int::bool) AS b
          FROM ref_pairs WHERE case_id LIKE '%-bin-%' GROUP BY case_id) s
  JOIN ref_cases c ON c.case_id = s.case_id AND c.metric = 'accuracy';

-- the score form equals the boolean form of score >= threshold, for several
-- thresholds including scores that sit exactly on one (0 and 1 occur)
SELECT t.threshold, count(*) AS cases,
       count(*) FILTER (WHERE s.b = s.p) AS same_counts
  FROM (VALUES (0.0::float8), (0.3), (0.5), (1.0)) t(threshold),
       LATERAL (SELECT case_id, binary_metrics(score, actual::int::bool, t.threshold) AS b,
                       binary_metrics(score >= t.threshold, actual::int::bool) AS p
                  FROM ref_pairs WHERE case_id LIKE '%-bin-%' GROUP BY case_id) s
 GROUP BY t.threshold ORDER BY t.threshold;
