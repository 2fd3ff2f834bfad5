-- ---------------------------------------------------------------------------
-- Model-quality metrics: binary, multiclass, regression, ROC AUC, log loss,
-- Brier score.  Plain, per-slice, parallel (combine functions over named
-- state types, so Citus pushes them down) and moving-window aggregates
-- (inverse transition functions: O(1) per row, roc_auc O(distinct scores)).
-- Definitions follow scikit-learn; undefined values are NULL.
-- ---------------------------------------------------------------------------

CREATE TYPE binary_metrics_result AS (
  n         bigint,
  tp        bigint,
  fp        bigint,
  tn        bigint,
  fn        bigint,
  accuracy  float8,
  precision float8,
  recall    float8,
  f1        float8
);
COMMENT ON TYPE binary_metrics_result IS
  'Result of binary_metrics: pairs counted, confusion counts (positive = true), '
  'accuracy, precision, recall and F1 of the positive class (NULL where the denominator is 0)';

CREATE TYPE multiclass_metrics_result AS (
  n               bigint,
  accuracy        float8,
  macro_precision float8,
  macro_recall    float8,
  macro_f1        float8
);
COMMENT ON TYPE multiclass_metrics_result IS
  'Result of multiclass_metrics: pairs counted, accuracy, and precision, recall and F1 '
  'averaged over the labels seen in actual or predicted (scikit-learn average=macro)';

CREATE TYPE regression_metrics_result AS (
  n    bigint,
  mse  float8,
  rmse float8,
  mae  float8,
  mape float8,
  r2   float8,
  bias float8
);
COMMENT ON TYPE regression_metrics_result IS
  'Result of regression_metrics: pairs counted, mean squared error, its root, mean absolute '
  'error, mean absolute percentage error (a fraction), r2 (scikit-learn, force_finite; NULL '
  'below 2 pairs) and bias = mean(predicted - actual)';

-- ---- state types ----------------------------------------------------------
-- Named drift_*_state like every state type of the extension (they live in
-- the extension's schema, often public, next to users' own types).  0.1.0
-- called them binary_metrics_state etc.; their C functions keep those names
-- so that the 0.1.0 install script still loads against this library.

CREATE TYPE drift_binary_metrics_state;
CREATE FUNCTION drift_binary_metrics_state_in(cstring) RETURNS drift_binary_metrics_state
  AS 'MODULE_PATHNAME', 'binary_metrics_state_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_binary_metrics_state_out(drift_binary_metrics_state) RETURNS cstring
  AS 'MODULE_PATHNAME', 'binary_metrics_state_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_binary_metrics_state_recv(internal) RETURNS drift_binary_metrics_state
  AS 'MODULE_PATHNAME', 'binary_metrics_state_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_binary_metrics_state_send(drift_binary_metrics_state) RETURNS bytea
  AS 'MODULE_PATHNAME', 'binary_metrics_state_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE drift_binary_metrics_state (
  INPUT = drift_binary_metrics_state_in,
  OUTPUT = drift_binary_metrics_state_out,
  RECEIVE = drift_binary_metrics_state_recv,
  SEND = drift_binary_metrics_state_send,
  INTERNALLENGTH = 32,
  ALIGNMENT = double,
  STORAGE = plain
);
COMMENT ON FUNCTION drift_binary_metrics_state_in(cstring) IS 'Text input of drift_binary_metrics_state: its binary form in base64, or \x and hex digits (the 0.1.0 form), validated';
COMMENT ON FUNCTION drift_binary_metrics_state_out(drift_binary_metrics_state) IS 'Text output of drift_binary_metrics_state: its binary form in base64 (how Citus ships states)';
COMMENT ON FUNCTION drift_binary_metrics_state_recv(internal) IS 'Binary input of drift_binary_metrics_state, validated';
COMMENT ON FUNCTION drift_binary_metrics_state_send(drift_binary_metrics_state) IS 'Binary output of drift_binary_metrics_state';
COMMENT ON TYPE drift_binary_metrics_state IS
  'Partial state of binary_metrics: the four confusion counts (text form: the binary form in base64)';

CREATE TYPE drift_regression_metrics_state;
CREATE FUNCTION drift_regression_metrics_state_in(cstring) RETURNS drift_regression_metrics_state
  AS 'MODULE_PATHNAME', 'regression_metrics_state_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_regression_metrics_state_out(drift_regression_metrics_state) RETURNS cstring
  AS 'MODULE_PATHNAME', 'regression_metrics_state_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_regression_metrics_state_recv(internal) RETURNS drift_regression_metrics_state
  AS 'MODULE_PATHNAME', 'regression_metrics_state_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_regression_metrics_state_send(drift_regression_metrics_state) RETURNS bytea
  AS 'MODULE_PATHNAME', 'regression_metrics_state_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE drift_regression_metrics_state (
  INPUT = drift_regression_metrics_state_in,
  OUTPUT = drift_regression_metrics_state_out,
  RECEIVE = drift_regression_metrics_state_recv,
  SEND = drift_regression_metrics_state_send,
  INTERNALLENGTH = 200,
  ALIGNMENT = double,
  STORAGE = plain
);
COMMENT ON FUNCTION drift_regression_metrics_state_in(cstring) IS 'Text input of drift_regression_metrics_state: its binary form in base64, or \x and hex digits (the 0.1.0 form), validated';
COMMENT ON FUNCTION drift_regression_metrics_state_out(drift_regression_metrics_state) IS 'Text output of drift_regression_metrics_state: its binary form in base64 (how Citus ships states)';
COMMENT ON FUNCTION drift_regression_metrics_state_recv(internal) IS 'Binary input of drift_regression_metrics_state, validated';
COMMENT ON FUNCTION drift_regression_metrics_state_send(drift_regression_metrics_state) IS 'Binary output of drift_regression_metrics_state';
COMMENT ON TYPE drift_regression_metrics_state IS
  'Partial state of regression_metrics: counts and double-double sums (invertible without drift)';

CREATE TYPE drift_metric_mean_state;
CREATE FUNCTION drift_metric_mean_state_in(cstring) RETURNS drift_metric_mean_state
  AS 'MODULE_PATHNAME', 'metric_mean_state_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_metric_mean_state_out(drift_metric_mean_state) RETURNS cstring
  AS 'MODULE_PATHNAME', 'metric_mean_state_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_metric_mean_state_recv(internal) RETURNS drift_metric_mean_state
  AS 'MODULE_PATHNAME', 'metric_mean_state_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_metric_mean_state_send(drift_metric_mean_state) RETURNS bytea
  AS 'MODULE_PATHNAME', 'metric_mean_state_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE drift_metric_mean_state (
  INPUT = drift_metric_mean_state_in,
  OUTPUT = drift_metric_mean_state_out,
  RECEIVE = drift_metric_mean_state_recv,
  SEND = drift_metric_mean_state_send,
  INTERNALLENGTH = 48,
  ALIGNMENT = double,
  STORAGE = plain
);
COMMENT ON FUNCTION drift_metric_mean_state_in(cstring) IS 'Text input of drift_metric_mean_state: its binary form in base64, or \x and hex digits (the 0.1.0 form), validated';
COMMENT ON FUNCTION drift_metric_mean_state_out(drift_metric_mean_state) IS 'Text output of drift_metric_mean_state: its binary form in base64 (how Citus ships states)';
COMMENT ON FUNCTION drift_metric_mean_state_recv(internal) IS 'Binary input of drift_metric_mean_state, validated';
COMMENT ON FUNCTION drift_metric_mean_state_send(drift_metric_mean_state) IS 'Binary output of drift_metric_mean_state';
COMMENT ON TYPE drift_metric_mean_state IS
  'Partial state of log_loss and brier_score: a count and a double-double sum of losses';

CREATE TYPE drift_roc_state;
CREATE FUNCTION drift_roc_state_in(cstring) RETURNS drift_roc_state
  AS 'MODULE_PATHNAME', 'roc_state_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_roc_state_out(drift_roc_state) RETURNS cstring
  AS 'MODULE_PATHNAME', 'roc_state_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_roc_state_recv(internal) RETURNS drift_roc_state
  AS 'MODULE_PATHNAME', 'roc_state_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_roc_state_send(drift_roc_state) RETURNS bytea
  AS 'MODULE_PATHNAME', 'roc_state_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE drift_roc_state (
  INPUT = drift_roc_state_in,
  OUTPUT = drift_roc_state_out,
  RECEIVE = drift_roc_state_recv,
  SEND = drift_roc_state_send,
  INTERNALLENGTH = VARIABLE,
  ALIGNMENT = double,
  STORAGE = extended
);
COMMENT ON FUNCTION drift_roc_state_in(cstring) IS 'Text input of drift_roc_state: its binary form in base64, or \x and hex digits (the 0.1.0 form), validated';
COMMENT ON FUNCTION drift_roc_state_out(drift_roc_state) IS 'Text output of drift_roc_state: its binary form in base64 (how Citus ships states)';
COMMENT ON FUNCTION drift_roc_state_recv(internal) IS 'Binary input of drift_roc_state, validated';
COMMENT ON FUNCTION drift_roc_state_send(drift_roc_state) IS 'Binary output of drift_roc_state';
COMMENT ON TYPE drift_roc_state IS
  'Partial state of roc_auc: positives and negatives per distinct score';

CREATE TYPE drift_multiclass_metrics_state;
CREATE FUNCTION drift_multiclass_metrics_state_in(cstring) RETURNS drift_multiclass_metrics_state
  AS 'MODULE_PATHNAME', 'multiclass_metrics_state_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_multiclass_metrics_state_out(drift_multiclass_metrics_state) RETURNS cstring
  AS 'MODULE_PATHNAME', 'multiclass_metrics_state_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_multiclass_metrics_state_recv(internal) RETURNS drift_multiclass_metrics_state
  AS 'MODULE_PATHNAME', 'multiclass_metrics_state_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_multiclass_metrics_state_send(drift_multiclass_metrics_state) RETURNS bytea
  AS 'MODULE_PATHNAME', 'multiclass_metrics_state_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE drift_multiclass_metrics_state (
  INPUT = drift_multiclass_metrics_state_in,
  OUTPUT = drift_multiclass_metrics_state_out,
  RECEIVE = drift_multiclass_metrics_state_recv,
  SEND = drift_multiclass_metrics_state_send,
  INTERNALLENGTH = VARIABLE,
  ALIGNMENT = double,
  STORAGE = extended
);
COMMENT ON FUNCTION drift_multiclass_metrics_state_in(cstring) IS 'Text input of drift_multiclass_metrics_state: its binary form in base64, or \x and hex digits (the 0.1.0 form), validated';
COMMENT ON FUNCTION drift_multiclass_metrics_state_out(drift_multiclass_metrics_state) IS 'Text output of drift_multiclass_metrics_state: its binary form in base64 (how Citus ships states)';
COMMENT ON FUNCTION drift_multiclass_metrics_state_recv(internal) IS 'Binary input of drift_multiclass_metrics_state, validated';
COMMENT ON FUNCTION drift_multiclass_metrics_state_send(drift_multiclass_metrics_state) IS 'Binary output of drift_multiclass_metrics_state';
COMMENT ON TYPE drift_multiclass_metrics_state IS
  'Partial state of multiclass_metrics: the label dictionary and the sparse confusion matrix';

-- ---- binary_metrics -------------------------------------------------------

CREATE FUNCTION binary_metrics_trans(drift_binary_metrics_state, bool, bool)
  RETURNS drift_binary_metrics_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION binary_metrics_inv(drift_binary_metrics_state, bool, bool)
  RETURNS drift_binary_metrics_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION binary_metrics_trans(drift_binary_metrics_state, float8, bool, float8)
  RETURNS drift_binary_metrics_state
  AS 'MODULE_PATHNAME', 'binary_metrics_score_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION binary_metrics_inv(drift_binary_metrics_state, float8, bool, float8)
  RETURNS drift_binary_metrics_state
  AS 'MODULE_PATHNAME', 'binary_metrics_score_inv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION binary_metrics_combine(drift_binary_metrics_state, drift_binary_metrics_state)
  RETURNS drift_binary_metrics_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION binary_metrics_final(drift_binary_metrics_state)
  RETURNS binary_metrics_result AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION binary_metrics_trans(drift_binary_metrics_state, bool, bool) IS
  'State function of binary_metrics(bool, bool)';
COMMENT ON FUNCTION binary_metrics_inv(drift_binary_metrics_state, bool, bool) IS
  'Inverse (moving-window) state function of binary_metrics(bool, bool)';
COMMENT ON FUNCTION binary_metrics_trans(drift_binary_metrics_state, float8, bool, float8) IS
  'State function of binary_metrics(float8, bool, float8)';
COMMENT ON FUNCTION binary_metrics_inv(drift_binary_metrics_state, float8, bool, float8) IS
  'Inverse (moving-window) state function of binary_metrics(float8, bool, float8)';
COMMENT ON FUNCTION binary_metrics_combine(drift_binary_metrics_state, drift_binary_metrics_state) IS
  'Combine function of binary_metrics: adds confusion counts';
COMMENT ON FUNCTION binary_metrics_final(drift_binary_metrics_state) IS
  'Final function of binary_metrics';

CREATE AGGREGATE binary_metrics(predicted bool, actual bool) (
  SFUNC = binary_metrics_trans,
  STYPE = drift_binary_metrics_state,
  COMBINEFUNC = binary_metrics_combine,
  FINALFUNC = binary_metrics_final,
  MSFUNC = binary_metrics_trans,
  MINVFUNC = binary_metrics_inv,
  MSTYPE = drift_binary_metrics_state,
  MFINALFUNC = binary_metrics_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE binary_metrics(bool, bool) IS
  'Confusion counts, accuracy, precision, recall and F1 of boolean predictions (positive = true); '
  'pairs with a NULL side are skipped';

CREATE AGGREGATE binary_metrics(score float8, actual bool, threshold float8) (
  SFUNC = binary_metrics_trans,
  STYPE = drift_binary_metrics_state,
  COMBINEFUNC = binary_metrics_combine,
  FINALFUNC = binary_metrics_final,
  MSFUNC = binary_metrics_trans,
  MINVFUNC = binary_metrics_inv,
  MSTYPE = drift_binary_metrics_state,
  MFINALFUNC = binary_metrics_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE binary_metrics(float8, bool, float8) IS
  'binary_metrics of scores: score >= threshold counts as a positive prediction; '
  'a NULL or NaN threshold is an error, NULL pairs and NaN scores are skipped';

-- ---- regression_metrics ---------------------------------------------------

CREATE FUNCTION regression_metrics_trans(drift_regression_metrics_state, float8, float8)
  RETURNS drift_regression_metrics_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION regression_metrics_inv(drift_regression_metrics_state, float8, float8)
  RETURNS drift_regression_metrics_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION regression_metrics_combine(drift_regression_metrics_state, drift_regression_metrics_state)
  RETURNS drift_regression_metrics_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION regression_metrics_final(drift_regression_metrics_state)
  RETURNS regression_metrics_result AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION regression_metrics_trans(drift_regression_metrics_state, float8, float8) IS
  'State function of regression_metrics';
COMMENT ON FUNCTION regression_metrics_inv(drift_regression_metrics_state, float8, float8) IS
  'Inverse (moving-window) state function of regression_metrics; NULL asks for a recomputation';
COMMENT ON FUNCTION regression_metrics_combine(drift_regression_metrics_state, drift_regression_metrics_state) IS
  'Combine function of regression_metrics';
COMMENT ON FUNCTION regression_metrics_final(drift_regression_metrics_state) IS
  'Final function of regression_metrics';

CREATE AGGREGATE regression_metrics(predicted float8, actual float8) (
  SFUNC = regression_metrics_trans,
  STYPE = drift_regression_metrics_state,
  COMBINEFUNC = regression_metrics_combine,
  FINALFUNC = regression_metrics_final,
  MSFUNC = regression_metrics_trans,
  MINVFUNC = regression_metrics_inv,
  MSTYPE = drift_regression_metrics_state,
  MFINALFUNC = regression_metrics_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE regression_metrics(float8, float8) IS
  'mse, rmse, mae, mape, r2 and bias of numeric predictions (scikit-learn definitions); '
  'pairs with a NULL or NaN side are skipped';

-- ---- log_loss and brier_score ---------------------------------------------

CREATE FUNCTION log_loss_trans(drift_metric_mean_state, float8, bool)
  RETURNS drift_metric_mean_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION log_loss_inv(drift_metric_mean_state, float8, bool)
  RETURNS drift_metric_mean_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION brier_score_trans(drift_metric_mean_state, float8, bool)
  RETURNS drift_metric_mean_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION brier_score_inv(drift_metric_mean_state, float8, bool)
  RETURNS drift_metric_mean_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION metric_mean_combine(drift_metric_mean_state, drift_metric_mean_state)
  RETURNS drift_metric_mean_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION metric_mean_final(drift_metric_mean_state)
  RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION log_loss_trans(drift_metric_mean_state, float8, bool) IS
  'State function of log_loss';
COMMENT ON FUNCTION log_loss_inv(drift_metric_mean_state, float8, bool) IS
  'Inverse (moving-window) state function of log_loss';
COMMENT ON FUNCTION brier_score_trans(drift_metric_mean_state, float8, bool) IS
  'State function of brier_score';
COMMENT ON FUNCTION brier_score_inv(drift_metric_mean_state, float8, bool) IS
  'Inverse (moving-window) state function of brier_score';
COMMENT ON FUNCTION metric_mean_combine(drift_metric_mean_state, drift_metric_mean_state) IS
  'Combine function of log_loss and brier_score';
COMMENT ON FUNCTION metric_mean_final(drift_metric_mean_state) IS
  'Final function of log_loss and brier_score: the mean loss';

CREATE AGGREGATE log_loss(probability float8, actual bool) (
  SFUNC = log_loss_trans,
  STYPE = drift_metric_mean_state,
  COMBINEFUNC = metric_mean_combine,
  FINALFUNC = metric_mean_final,
  MSFUNC = log_loss_trans,
  MINVFUNC = log_loss_inv,
  MSTYPE = drift_metric_mean_state,
  MFINALFUNC = metric_mean_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE log_loss(float8, bool) IS
  'Mean cross-entropy of predicted probabilities of true (scikit-learn 1.2: clipped to '
  '[eps, 1 - eps], eps = 2.220446049250313e-16)';

CREATE AGGREGATE brier_score(probability float8, actual bool) (
  SFUNC = brier_score_trans,
  STYPE = drift_metric_mean_state,
  COMBINEFUNC = metric_mean_combine,
  FINALFUNC = metric_mean_final,
  MSFUNC = brier_score_trans,
  MINVFUNC = brier_score_inv,
  MSTYPE = drift_metric_mean_state,
  MFINALFUNC = metric_mean_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE brier_score(float8, bool) IS
  'Mean squared difference between the predicted probability of true and the outcome '
  '(a probability outside [0, 1] is an error)';

-- ---- roc_auc ---------------------------------------------------------------

CREATE FUNCTION roc_auc_trans(drift_roc_state, float8, bool)
  RETURNS drift_roc_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION roc_auc_inv(drift_roc_state, float8, bool)
  RETURNS drift_roc_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION roc_auc_combine(drift_roc_state, drift_roc_state)
  RETURNS drift_roc_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION roc_auc_final(drift_roc_state)
  RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION roc_auc_trans(drift_roc_state, float8, bool) IS 'State function of roc_auc';
COMMENT ON FUNCTION roc_auc_inv(drift_roc_state, float8, bool) IS
  'Inverse (moving-window) state function of roc_auc';
COMMENT ON FUNCTION roc_auc_combine(drift_roc_state, drift_roc_state) IS
  'Combine function of roc_auc: merges the per-score counts';
COMMENT ON FUNCTION roc_auc_final(drift_roc_state) IS 'Final function of roc_auc';

CREATE AGGREGATE roc_auc(score float8, actual bool) (
  SFUNC = roc_auc_trans,
  STYPE = drift_roc_state,
  COMBINEFUNC = roc_auc_combine,
  FINALFUNC = roc_auc_final,
  MSFUNC = roc_auc_trans,
  MINVFUNC = roc_auc_inv,
  MSTYPE = drift_roc_state,
  MFINALFUNC = roc_auc_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE roc_auc(float8, bool) IS
  'Exact area under the ROC curve (ties count one half; NULL with one class only); '
  'over a moving frame each row costs O(distinct scores in the frame)';

-- ---- multiclass_metrics ---------------------------------------------------

CREATE FUNCTION multiclass_metrics_trans(drift_multiclass_metrics_state, text, text)
  RETURNS drift_multiclass_metrics_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION multiclass_metrics_inv(drift_multiclass_metrics_state, text, text)
  RETURNS drift_multiclass_metrics_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION multiclass_metrics_combine(drift_multiclass_metrics_state, drift_multiclass_metrics_state)
  RETURNS drift_multiclass_metrics_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION multiclass_metrics_final(drift_multiclass_metrics_state)
  RETURNS multiclass_metrics_result AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION multiclass_metrics_trans(drift_multiclass_metrics_state, text, text) IS
  'State function of multiclass_metrics';
COMMENT ON FUNCTION multiclass_metrics_inv(drift_multiclass_metrics_state, text, text) IS
  'Inverse (moving-window) state function of multiclass_metrics';
COMMENT ON FUNCTION multiclass_metrics_combine(drift_multiclass_metrics_state, drift_multiclass_metrics_state) IS
  'Combine function of multiclass_metrics';
COMMENT ON FUNCTION multiclass_metrics_final(drift_multiclass_metrics_state) IS
  'Final function of multiclass_metrics';

CREATE AGGREGATE multiclass_metrics(predicted text, actual text) (
  SFUNC = multiclass_metrics_trans,
  STYPE = drift_multiclass_metrics_state,
  COMBINEFUNC = multiclass_metrics_combine,
  FINALFUNC = multiclass_metrics_final,
  MSFUNC = multiclass_metrics_trans,
  MINVFUNC = multiclass_metrics_inv,
  MSTYPE = drift_multiclass_metrics_state,
  MFINALFUNC = multiclass_metrics_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE multiclass_metrics(text, text) IS
  'Accuracy and macro-averaged precision, recall and F1 of label predictions (labels compared '
  'as exact strings); pairs with a NULL side are skipped';

-- ---------------------------------------------------------------------------
-- Reference performance of a baseline: the model's metrics on its data
-- ---------------------------------------------------------------------------

CREATE TABLE drift.baseline_metrics (
  baseline_name text NOT NULL,
  metric        text NOT NULL,
  value         float8,
  baseline_owner name NOT NULL,
  PRIMARY KEY (baseline_owner, baseline_name, metric),
  FOREIGN KEY (baseline_owner, baseline_name) REFERENCES drift.baselines (owner, name)
    ON DELETE CASCADE ON UPDATE CASCADE
);
COMMENT ON TABLE drift.baseline_metrics IS
  'Model-quality metrics measured on each baseline''s data (drift.capture_baseline_metrics), '
  'the reference that monitors compare current quality with; NULL where undefined';

SELECT pg_catalog.pg_extension_config_dump('drift.baseline_metrics', '');

ALTER TABLE drift.baseline_metrics ENABLE ROW LEVEL SECURITY;
CREATE POLICY baseline_metrics_by_owner ON drift.baseline_metrics
  USING (EXISTS (SELECT 1 FROM drift.baselines b
                  WHERE b.name OPERATOR(pg_catalog.=) baseline_name
                    AND b.owner OPERATOR(pg_catalog.=) baseline_owner));
GRANT SELECT, INSERT, UPDATE, DELETE ON drift.baseline_metrics TO PUBLIC;
CREATE TRIGGER fill_baseline_owner BEFORE INSERT ON drift.baseline_metrics
  FOR EACH ROW EXECUTE FUNCTION drift._fill_baseline_owner();
COMMENT ON TRIGGER fill_baseline_owner ON drift.baseline_metrics IS
  'Rows restored without baseline_owner get the owner of the baseline their name means';

CREATE FUNCTION drift.capture_baseline_metrics(
    baseline_name     text,
    source            regclass,
    prediction_column text,
    label_column      text,
    filter            text DEFAULT NULL)
  RETURNS TABLE (metric text, value float8)
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
  v_name    text := capture_baseline_metrics.baseline_name;
  v_source  regclass := capture_baseline_metrics.source;
  v_pred    text := capture_baseline_metrics.prediction_column;
  v_label   text := capture_baseline_metrics.label_column;
  v_cats    text[] := '{}';
  v_types   text[] := '{}';
  v_kind    text;
  v_select  text;
  v_query   text;
  v_result  jsonb;
  v_col     text;
  v_owner   name;
BEGIN
  IF v_name IS NULL OR v_source IS NULL OR v_pred IS NULL OR v_label IS NULL THEN
    RAISE EXCEPTION 'baseline name, source, prediction and label columns must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  v_owner := drift.baseline_owner(v_name);
  IF v_owner IS NULL THEN
    RAISE EXCEPTION 'baseline "%" does not exist', v_name
      USING ERRCODE = 'undefined_object',
            HINT = 'Capture the baseline first with drift.capture_baseline.';
  END IF;

  -- The kind of model from the kinds of the two columns (drift.column_kind).
  FOREACH v_col IN ARRAY ARRAY[v_pred, v_label] LOOP
    SELECT v_types || format_type(a.atttypid, a.atttypmod),
           v_cats || CASE drift.column_kind(v_source, v_col)
                       WHEN 'boolean' THEN 'bool'
                       WHEN 'numeric' THEN 'number'
                       WHEN 'categorical' THEN 'label'
                       ELSE 'other' END
      INTO v_types, v_cats
      FROM pg_attribute a
     WHERE a.attrelid = v_source AND a.attname = v_col AND a.attnum > 0 AND NOT a.attisdropped;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'column "%" does not exist in %', v_col, v_source
        USING ERRCODE = 'undefined_column',
              HINT = 'Name columns exactly as the relation spells them (case matters).';
    END IF;
  END LOOP;
  v_kind := CASE
    WHEN v_cats = ARRAY['bool', 'bool'] THEN 'binary'
    WHEN v_cats = ARRAY['number', 'bool'] THEN 'scores'
    WHEN v_cats = ARRAY['number', 'number'] THEN 'regression'
    WHEN v_cats[1] IN ('label', 'number', 'bool') AND v_cats[2] IN ('label', 'number', 'bool')
         AND 'label' = ANY (v_cats) THEN 'multiclass'
    END;
  IF v_kind IS NULL THEN
    RAISE EXCEPTION 'cannot measure predictions of type % against labels of type %',
                    v_types[1], v_types[2]
      USING ERRCODE = 'datatype_mismatch',
            HINT = 'Use boolean/boolean (binary), numeric score/boolean (probabilities), '
                   'numeric/numeric (regression) or text/text (multiclass) columns.';
  END IF;

  -- One scan computes every metric of the kind; the result is one JSON object.
  v_select := CASE v_kind
    WHEN 'binary' THEN format(
      'to_jsonb(@extschema@.binary_metrics(t.%I, t.%I))', v_pred, v_label)
    WHEN 'scores' THEN format(
      'to_jsonb(@extschema@.binary_metrics(t.%1$I::float8, t.%2$I, 0.5)) || '
      'jsonb_build_object(''roc_auc'', @extschema@.roc_auc(t.%1$I::float8, t.%2$I), '
      '''log_loss'', @extschema@.log_loss(t.%1$I::float8, t.%2$I), '
      '''brier'', @extschema@.brier_score(t.%1$I::float8, t.%2$I))', v_pred, v_label)
    WHEN 'regression' THEN format(
      'to_jsonb(@extschema@.regression_metrics(t.%I::float8, t.%I::float8))', v_pred, v_label)
    ELSE format(
      'to_jsonb(@extschema@.multiclass_metrics(t.%I::text, t.%I::text))', v_pred, v_label)
    END;
  -- The filter is the caller's own SQL, run with the caller's privileges.
  v_query := format('SELECT %s FROM %s AS t%s', v_select, v_source,
                    CASE WHEN capture_baseline_metrics.filter IS NULL THEN ''
                         ELSE ' WHERE (' || capture_baseline_metrics.filter || ')' END);
  EXECUTE v_query INTO v_result;

  DELETE FROM drift.baseline_metrics m
   WHERE m.baseline_name = v_name AND m.baseline_owner = v_owner;
  INSERT INTO drift.baseline_metrics (baseline_owner, baseline_name, metric, value)
    SELECT v_owner, v_name, j.key, (j.value)::float8 FROM jsonb_each_text(v_result) j;
  -- a probability score also gets its calibration, for estimated_binary_metrics (61_cbpe.sql)
  IF v_kind = 'scores' THEN
    PERFORM drift.capture_calibration(v_name, v_source, v_pred, v_label,
                                      capture_baseline_metrics.filter);
  END IF;
  RETURN QUERY
    SELECT m.metric, m.value FROM drift.baseline_metrics m
     WHERE m.baseline_name = v_name AND m.baseline_owner = v_owner ORDER BY m.metric;
END
$fn$;
COMMENT ON FUNCTION drift.capture_baseline_metrics(text, regclass, text, text, text) IS
  'Measure the model''s quality on a baseline''s data (kind from the column types: binary, '
  'scores, regression or multiclass) and store one row per metric in drift.baseline_metrics';
