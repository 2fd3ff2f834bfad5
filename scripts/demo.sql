-- The pg_drift demo: a fraud model's training data, a week of predictions in
-- which one feature drifts from mid-week, and a day-by-day KS drift report.
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;
CREATE EXTENSION pg_drift;

SELECT setseed(0.42) \gset
-- Training data: amount is log-normal, score roughly uniform, merchant a code.
CREATE TABLE training_data AS
  SELECT g AS id,
         round(exp(3.5 + 0.8 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))::numeric, 2)::float8 AS amount,
         (random() * 20)::int AS merchant_cat,
         random() AS score
    FROM generate_series(1, 20000) g;

-- A week of predictions, 4000 a day.  From Thursday on, amounts grow by a
-- quarter (a new customer segment); score and merchant mix stay as they were.
CREATE TABLE predictions AS
  SELECT g AS id,
         timestamptz '2026-11-16 00:00+00' + (g - 1) * interval '1 day' / 4000 AS created_at,
         round((exp(3.5 + 0.8 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))
                * CASE WHEN g > 3 * 4000 THEN 1.25 ELSE 1 END)::numeric, 2)::float8 AS amount,
         (random() * 20)::int AS merchant_cat,
         random() AS score
    FROM generate_series(1, 7 * 4000) g;

\echo
\echo '== 1. Profile the training data once per model version'
SELECT column_name, column_type, n, distinct_values
  FROM drift.capture_baseline('fraud_v3', 'training_data',
                              columns => ARRAY['amount', 'merchant_cat', 'score']);

\echo
\echo '== 2. Day by day: two-sample Kolmogorov-Smirnov test of each feature against the baseline'
SELECT to_char(created_at, 'Dy DD Mon') AS day,
       count(*) AS rows,
       round((ks_drift(amount, 'fraud_v3', 'amount')).statistic::numeric, 4) AS amount_d,
       to_char((ks_drift(amount, 'fraud_v3', 'amount')).p_value, '9.99EEEE') AS amount_p,
       round((ks_drift(score, 'fraud_v3', 'score')).statistic::numeric, 4) AS score_d,
       to_char((ks_drift(score, 'fraud_v3', 'score')).p_value, '9.99EEEE') AS score_p,
       CASE WHEN (ks_drift(amount, 'fraud_v3', 'amount')).p_value < 0.01
            THEN 'amount drifted' ELSE 'ok' END AS verdict
  FROM predictions
 GROUP BY date_trunc('day', created_at), to_char(created_at, 'Dy DD Mon')
 ORDER BY date_trunc('day', created_at);

\echo
\echo '== 3. The same test, one-sided: are current amounts larger (baseline CDF above)?'
SELECT (ks_drift(amount, 'fraud_v3', 'amount', 'greater')).*
  FROM predictions WHERE created_at >= '2026-11-19';

\echo
\echo '== 4. Profiles merge: per-day profiles combine into the week without rescanning'
WITH per_day AS (
  SELECT date_trunc('day', created_at) AS day, drift_profile_agg(amount) AS p
    FROM predictions GROUP BY 1)
SELECT (ks_drift(drift.baseline('fraud_v3', 'amount'), drift_profile_merge(p))).*
  FROM per_day;

\echo
\echo '== 4b. The whole model in one scan: every feature, the test chosen for it and why, one verdict'
SELECT column_name, test, round(statistic::numeric, 4) AS statistic,
       to_char(p_value, '9.99EEEE') AS p_value, drifted, rank, reason
  FROM drift.dataset_drift('fraud_v3', 'predictions', filter => $$created_at >= '2026-11-19'$$)
 ORDER BY rank;
SELECT * FROM drift.dataset_drift_summary('fraud_v3', 'predictions',
                                          filter => $$created_at >= '2026-11-19'$$,
                                          drift_share => 0.3);
