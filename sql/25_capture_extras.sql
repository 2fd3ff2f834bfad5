-- drift.capture_baseline stores, beside the profiles, each feature's
-- correlation with the target (for corr_drift) and the model's metrics on
-- the baseline data (for monitors that alert on a drop in quality).

CREATE TABLE cap_train AS
  SELECT g AS id, (g % 10)::float8 AS x1, sin(g) AS x2,
         (g % 10) * 2 + (g % 3) AS y,
         (g % 4 = 0) AS predicted, (g % 5 = 0) AS actual
    FROM generate_series(1, 1000) g;

SELECT column_name, kind FROM drift.capture_baseline('cap', 'cap_train',
    columns => ARRAY['x1', 'x2'], target_column => 'y',
    prediction_column => 'predicted', label_column => 'actual');

-- correlations agree with the built-in corr()
SELECT c.column_name, c.target_column, c.n,
       abs(c.correlation - CASE c.column_name WHEN 'x1' THEN (SELECT corr(x1, y) FROM cap_train)
                                              ELSE (SELECT corr(x2, y) FROM cap_train) END)
         < 1e-12 AS correlation_ok
  FROM drift.baseline_correlations c WHERE c.baseline_name = 'cap' ORDER BY c.column_name;

-- the stored metrics are those the aggregates compute on the same rows
SELECT m.metric, m.value = r.v OR (m.value IS NULL AND r.v IS NULL) AS same
  FROM drift.baseline_metrics m
  JOIN (SELECT 'accuracy' AS metric, (binary_metrics(predicted, actual)).accuracy AS v FROM cap_train
        UNION ALL SELECT 'precision', (binary_metrics(predicted, actual)).precision FROM cap_train
        UNION ALL SELECT 'recall', (binary_metrics(predicted, actual)).recall FROM cap_train
        UNION ALL SELECT 'f1', (binary_metrics(predicted, actual)).f1 FROM cap_train) r USING (metric)
 WHERE m.baseline_name = 'cap' ORDER BY m.metric;

-- replacing the baseline replaces them; dropping it removes them
SELECT count(*) FROM drift.capture_baseline('cap', 'cap_train', columns => ARRAY['x1'],
                                            filter => 'id <= 500', replace => true);
SELECT count(*) AS correlations_left FROM drift.baseline_correlations WHERE baseline_name = 'cap';
SELECT count(*) AS metrics_left FROM drift.baseline_metrics WHERE baseline_name = 'cap';
SELECT count(*) FROM drift.capture_baseline('cap', 'cap_train', columns => ARRAY['x1'],
                                            target_column => 'y', replace => true);
SELECT drift.drop_baseline('cap');
SELECT count(*) AS correlations_left FROM drift.baseline_correlations WHERE baseline_name = 'cap';

-- prediction and label go together
SELECT * FROM drift.capture_baseline('cap2', 'cap_train', columns => ARRAY['x1'],
                                     prediction_column => 'predicted');
