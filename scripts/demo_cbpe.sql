-- The pg_drift demo, part 3: model quality before the labels arrive.  A
-- fraud model's labelled training scores give an isotonic calibration
-- (drift.capture_baseline with prediction_column and label_column); each day
-- of predictions then gets its F1 estimated at once by CBPE
-- (estimated_binary_metrics), while the chargebacks that label it arrive
-- two to four days later.  Realized F1 is shown beside the estimate for the
-- days whose labels are in by Sunday night.
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;
SELECT setseed(0.17) \gset

-- Labelled training scores: a row is fraud with probability score^2 (the
-- raw score is not a calibrated probability; the calibration learns that).
CREATE TABLE fraud_training AS
  SELECT g AS id, s AS score, random() < s * s AS is_fraud
    FROM (SELECT g, random() AS s FROM generate_series(1, 20000) g) x;

-- A week of predictions, 4000 a day; from Thursday the model is less sure
-- (scores squeezed towards the middle), as when a feature it leans on
-- drifts.  Chargebacks label each prediction 2 to 4 days after the day.
CREATE TABLE scored AS
  SELECT g AS id,
         timestamptz '2026-11-16 00:00+00' + (g - 1) * interval '1 day' / 4000 AS created_at,
         CASE WHEN g > 3 * 4000 THEN 0.3 + 0.4 * r ELSE r END AS score
    FROM (SELECT g, random() AS r FROM generate_series(1, 7 * 4000) g) x;
CREATE TABLE chargebacks AS
  SELECT id, random() < score * score AS is_fraud,
         date_trunc('day', created_at) + (2 + (id % 3)) * interval '1 day' AS arrived_at
    FROM scored;

\echo
\echo '== 11. Quality before the labels arrive: the calibration of the training scores'
SELECT count(*) AS columns
  FROM drift.capture_baseline('fraud_cbpe', 'fraud_training', columns => ARRAY['score'],
                              prediction_column => 'score', label_column => 'is_fraud');
SELECT s AS score, round(calibrate(drift.baseline_calibration('fraud_cbpe', 'score'), s)::numeric, 3)
         AS p_fraud
  FROM unnest(ARRAY[0.1, 0.3, 0.5, 0.7, 0.9]::float8[]) s;

\echo
\echo '== 12. Day by day on Sunday night: F1 estimated by CBPE, and realized where labels are in'
SELECT to_char(s.created_at, 'Dy DD Mon') AS day,
       count(*) AS rows,
       round((estimated_binary_metrics(s.score, 0.5, 'fraud_cbpe', 'score')).f1::numeric, 3)
         AS estimated_f1,
       round(avg((c.arrived_at <= timestamptz '2026-11-23 00:00+00')::int)::numeric, 2)
         AS labelled,
       round((binary_metrics(s.score, c.is_fraud, 0.5)
                FILTER (WHERE c.arrived_at <= timestamptz '2026-11-23 00:00+00')).f1::numeric, 3)
         AS realized_f1
  FROM scored s JOIN chargebacks c USING (id)
 GROUP BY date_trunc('day', s.created_at), to_char(s.created_at, 'Dy DD Mon')
 ORDER BY date_trunc('day', s.created_at);
