-- ---------------------------------------------------------------------------
-- Monitors of model quality before labels arrive (SPEC.md section 10): the
-- CBPE estimates of estimated_binary_metrics (61_cbpe.sql) as monitor
-- metrics.  The monitored column is the score; the baseline must hold its
-- calibration under the same column name (capture_baseline with
-- prediction_column => the score and label_column => a boolean label).  The
-- decision threshold is 0.5, as drift.capture_baseline_metrics measures a
-- score's baseline metrics at 0.5, so the estimate and the baseline's
-- realized value are comparable.
-- ---------------------------------------------------------------------------

INSERT INTO drift.metrics (name, kind, function_name, column_kind, expression,
                           profile_expression, profile_source, needs_baseline, needs_label,
                           comparison, default_threshold, description)
SELECT 'estimated_' || m, 'model', 'estimated_binary_metrics', 'numeric',
       format('(@extschema@.estimated_binary_metrics({value}::float8, 0.5, {baseline}, {column})).%s', m),
       NULL, NULL, true, false, 'bounds', NULL,
       format('%s estimated without labels from the baseline''s calibration of the score (CBPE, '
              'decision threshold 0.5); breach outside [lower_bound, upper_bound]', d)
  FROM (VALUES ('accuracy', 'Accuracy'), ('precision', 'Precision'), ('recall', 'Recall'),
               ('f1', 'F1 score'), ('roc_auc', 'ROC AUC')) v(m, d);
