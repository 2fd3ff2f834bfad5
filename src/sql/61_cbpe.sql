-- ---------------------------------------------------------------------------
-- Performance estimated without labels (SPEC.md section 10): the isotonic
-- calibration of a score on labelled data (drift_calibration, stored with a
-- baseline) and estimated_binary_metrics, NannyML's confidence-based
-- performance estimation (CBPE) as a plain, per-slice, parallel and
-- moving-window aggregate.
-- ---------------------------------------------------------------------------

-- ---- drift_calibration ----------------------------------------------------

CREATE TYPE drift_calibration;
CREATE FUNCTION drift_calibration_in(cstring) RETURNS drift_calibration
  AS 'MODULE_PATHNAME', 'calibration_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_calibration_out(drift_calibration) RETURNS cstring
  AS 'MODULE_PATHNAME', 'calibration_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_calibration_recv(internal) RETURNS drift_calibration
  AS 'MODULE_PATHNAME', 'calibration_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_calibration_send(drift_calibration) RETURNS bytea
  AS 'MODULE_PATHNAME', 'calibration_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE drift_calibration (
  INPUT = drift_calibration_in,
  OUTPUT = drift_calibration_out,
  RECEIVE = drift_calibration_recv,
  SEND = drift_calibration_send,
  INTERNALLENGTH = VARIABLE,
  ALIGNMENT = double,
  STORAGE = extended
);
COMMENT ON FUNCTION drift_calibration_in(cstring) IS 'Text input of drift_calibration: its binary form in base64, or \x and hex digits (the 0.1.0 form), validated';
COMMENT ON FUNCTION drift_calibration_out(drift_calibration) IS 'Text output of drift_calibration: its binary form in base64';
COMMENT ON FUNCTION drift_calibration_recv(internal) IS 'Binary input of drift_calibration, validated';
COMMENT ON FUNCTION drift_calibration_send(drift_calibration) IS 'Binary output of drift_calibration';
COMMENT ON TYPE drift_calibration IS
  'Isotonic calibration of a score on binary labels (scikit-learn IsotonicRegression, '
  'out_of_bounds=clip): the fitted points and the number of labelled rows';

CREATE FUNCTION isotonic_calibration_trans(drift_roc_state, float8, bool)
  RETURNS drift_roc_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION isotonic_calibration_final(drift_roc_state)
  RETURNS drift_calibration AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION isotonic_calibration_trans(drift_roc_state, float8, bool) IS
  'State function of isotonic_calibration: counts labels per score (a score outside [0, 1] is an error)';
COMMENT ON FUNCTION isotonic_calibration_final(drift_roc_state) IS
  'Final function of isotonic_calibration: fits the calibration to the counts';

CREATE AGGREGATE isotonic_calibration(score float8, label bool) (
  SFUNC = isotonic_calibration_trans,
  STYPE = drift_roc_state,
  COMBINEFUNC = roc_auc_combine,
  FINALFUNC = isotonic_calibration_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE isotonic_calibration(float8, bool) IS
  'Isotonic calibration of a probability score on boolean labels, exactly scikit-learn 1.2''s '
  'IsotonicRegression(out_of_bounds=''clip'').fit(score, label); pairs with a NULL side are '
  'skipped, a score outside [0, 1] is an error; NULL without pairs';

CREATE FUNCTION calibrate(calibration drift_calibration, score float8) RETURNS float8
  AS 'MODULE_PATHNAME', 'calibration_calibrate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION calibrate(drift_calibration, float8) IS
  'The calibrated probability of a score: linear between the fitted points, clipped outside '
  'them (NULL for NaN)';

CREATE FUNCTION calibration_points(calibration drift_calibration) RETURNS float8[]
  AS 'MODULE_PATHNAME', 'calibration_points' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION calibration_points(drift_calibration) IS
  'The fitted points of a calibration as a 2 x n array: scores (ascending), then their '
  'calibrated values';

-- ---- stored with a baseline -----------------------------------------------

CREATE TABLE drift.baseline_calibrations (
  baseline_name  text NOT NULL,
  column_name    text NOT NULL,
  label_column   text NOT NULL,
  calibration    drift_calibration NOT NULL,
  baseline_owner name NOT NULL,
  PRIMARY KEY (baseline_owner, baseline_name, column_name),
  FOREIGN KEY (baseline_owner, baseline_name) REFERENCES drift.baselines (owner, name)
    ON DELETE CASCADE ON UPDATE CASCADE
);
COMMENT ON TABLE drift.baseline_calibrations IS
  'Isotonic calibration of a baseline''s score column on its label column '
  '(drift.capture_calibration), read by estimated_binary_metrics';

SELECT pg_catalog.pg_extension_config_dump('drift.baseline_calibrations', '');
ALTER TABLE drift.baseline_calibrations ENABLE ROW LEVEL SECURITY;
CREATE POLICY baseline_calibrations_by_owner ON drift.baseline_calibrations
  USING (EXISTS (SELECT 1 FROM drift.baselines b
                  WHERE b.name OPERATOR(pg_catalog.=) baseline_name
                    AND b.owner OPERATOR(pg_catalog.=) baseline_owner));
GRANT SELECT, INSERT, UPDATE, DELETE ON drift.baseline_calibrations TO PUBLIC;
CREATE TRIGGER fill_baseline_owner BEFORE INSERT ON drift.baseline_calibrations
  FOR EACH ROW EXECUTE FUNCTION drift._fill_baseline_owner();
COMMENT ON TRIGGER fill_baseline_owner ON drift.baseline_calibrations IS
  'Rows restored without baseline_owner get the owner of the baseline their name means';

-- Labels may be boolean, or integers that are 0 or 1 (anything else is an
-- error, not a silent cast: 2::boolean is true).
CREATE FUNCTION drift.capture_calibration(
    baseline_name text,
    source        regclass,
    score_column  text,
    label_column  text,
    filter        text DEFAULT NULL)
  RETURNS drift_calibration
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_name   text := capture_calibration.baseline_name;
  v_owner  name;
  v_kinds  text[] := '{}';
  v_types  text[] := '{}';
  v_col    text;
  v_label  text;
  v_bad    bigint;
  v_cal    @extschema@.drift_calibration;
BEGIN
  IF v_name IS NULL OR source IS NULL OR score_column IS NULL OR label_column IS NULL THEN
    RAISE EXCEPTION 'baseline name, source, score and label columns must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  v_owner := drift.baseline_owner(v_name);
  IF v_owner IS NULL THEN
    RAISE EXCEPTION 'baseline "%" does not exist', v_name
      USING ERRCODE = 'undefined_object',
            HINT = 'Capture the baseline first with drift.capture_baseline.';
  END IF;
  FOREACH v_col IN ARRAY ARRAY[score_column, label_column] LOOP
    SELECT v_types || format_type(a.atttypid, a.atttypmod),
           v_kinds || CASE WHEN a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)
                           THEN 'integer' ELSE drift.column_kind(source, v_col) END
      INTO v_types, v_kinds
      FROM pg_attribute a
     WHERE a.attrelid = source AND a.attname = v_col AND a.attnum > 0 AND NOT a.attisdropped;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'column "%" does not exist in %', v_col, source
        USING ERRCODE = 'undefined_column',
              HINT = 'Name columns exactly as the relation spells them (case matters).';
    END IF;
  END LOOP;
  IF v_kinds[1] NOT IN ('numeric', 'integer') THEN
    RAISE EXCEPTION 'cannot calibrate scores of type %', v_types[1]
      USING ERRCODE = 'datatype_mismatch',
            HINT = 'The score must be a number: the predicted probability of the positive class.';
  END IF;
  IF v_kinds[2] = 'boolean' THEN
    v_label := format('t.%I::boolean', label_column);
  ELSIF v_kinds[2] = 'integer' THEN
    v_label := format('CASE t.%1$I WHEN 0 THEN false WHEN 1 THEN true END', label_column);
    EXECUTE format('SELECT count(*) FROM %s AS t WHERE t.%I NOT IN (0, 1)%s', source, label_column,
                   CASE WHEN filter IS NULL THEN '' ELSE ' AND (' || filter || ')' END)
      INTO v_bad;
    IF v_bad > 0 THEN
      RAISE EXCEPTION 'label column "%" has % values other than 0 and 1', label_column, v_bad
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'Labels of a calibration are boolean, or integers 0 and 1.';
    END IF;
  ELSE
    RAISE EXCEPTION 'cannot calibrate on labels of type %', v_types[2]
      USING ERRCODE = 'datatype_mismatch',
            HINT = 'Labels of a calibration are boolean, or integers 0 and 1.';
  END IF;

  -- The filter is the caller's own SQL, run with the caller's privileges.
  EXECUTE format('SELECT @extschema@.isotonic_calibration(t.%I::float8, %s) FROM %s AS t%s',
                 score_column, v_label, source,
                 CASE WHEN filter IS NULL THEN '' ELSE ' WHERE (' || filter || ')' END)
    INTO v_cal;
  IF v_cal IS NULL THEN
    RAISE EXCEPTION 'no labelled rows to calibrate % on', score_column
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'The score and the label must both be non-NULL on some rows.';
  END IF;
  DELETE FROM drift.baseline_calibrations c
   WHERE c.baseline_name = v_name AND c.baseline_owner = v_owner
     AND c.column_name = capture_calibration.score_column;
  INSERT INTO drift.baseline_calibrations (baseline_owner, baseline_name, column_name,
                                           label_column, calibration)
  VALUES (v_owner, v_name, score_column, label_column, v_cal);
  RETURN v_cal;
END
$fn$;
COMMENT ON FUNCTION drift.capture_calibration(text, regclass, text, text, text) IS
  'Fit the isotonic calibration of a score column on a label column (boolean, or integer 0/1) '
  'of a relation and store it with a baseline; drift.capture_baseline calls it for a numeric '
  'prediction column with a boolean label column';

CREATE FUNCTION drift.baseline_calibration(baseline_name text, column_name text)
  RETURNS drift_calibration
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_owner name := drift.baseline_owner(baseline_calibration.baseline_name);
  v_cal   @extschema@.drift_calibration;
BEGIN
  IF baseline_calibration.baseline_name IS NULL OR baseline_calibration.column_name IS NULL THEN
    RAISE EXCEPTION 'baseline name and column must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF v_owner IS NULL THEN
    RAISE EXCEPTION 'baseline "%" does not exist', baseline_calibration.baseline_name
      USING ERRCODE = 'undefined_object',
            HINT = 'drift.baselines lists the baselines you can see.';
  END IF;
  SELECT c.calibration INTO v_cal FROM drift.baseline_calibrations c
   WHERE c.baseline_owner = v_owner AND c.baseline_name = baseline_calibration.baseline_name
     AND c.column_name = baseline_calibration.column_name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'baseline "%" has no calibration of column "%"',
                    baseline_calibration.baseline_name, baseline_calibration.column_name
      USING ERRCODE = 'undefined_object',
            HINT = 'Capture the baseline with prediction_column => the score and label_column => '
                   'a boolean label, or call drift.capture_calibration.';
  END IF;
  RETURN v_cal;
END
$fn$;
COMMENT ON FUNCTION drift.baseline_calibration(text, text) IS
  'The stored calibration of a baseline''s score column (an error when there is none)';

-- ---- estimated_binary_metrics ---------------------------------------------

CREATE TYPE estimated_binary_metrics_result AS (
  n           bigint,
  accuracy    float8,
  precision   float8,
  recall      float8,
  specificity float8,
  f1          float8,
  roc_auc     float8
);
COMMENT ON TYPE estimated_binary_metrics_result IS
  'Result of estimated_binary_metrics: rows counted and the expected accuracy, precision, '
  'recall, specificity, F1 and ROC AUC under the calibration (NULL where undefined)';

CREATE TYPE drift_estimated_metrics_state;
CREATE FUNCTION drift_estimated_metrics_state_in(cstring) RETURNS drift_estimated_metrics_state
  AS 'MODULE_PATHNAME', 'estimated_metrics_state_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_estimated_metrics_state_out(drift_estimated_metrics_state) RETURNS cstring
  AS 'MODULE_PATHNAME', 'estimated_metrics_state_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_estimated_metrics_state_recv(internal) RETURNS drift_estimated_metrics_state
  AS 'MODULE_PATHNAME', 'estimated_metrics_state_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_estimated_metrics_state_send(drift_estimated_metrics_state) RETURNS bytea
  AS 'MODULE_PATHNAME', 'estimated_metrics_state_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE drift_estimated_metrics_state (
  INPUT = drift_estimated_metrics_state_in,
  OUTPUT = drift_estimated_metrics_state_out,
  RECEIVE = drift_estimated_metrics_state_recv,
  SEND = drift_estimated_metrics_state_send,
  INTERNALLENGTH = VARIABLE,
  ALIGNMENT = double,
  STORAGE = extended
);
COMMENT ON FUNCTION drift_estimated_metrics_state_in(cstring) IS
  'Text input of drift_estimated_metrics_state: its binary form in base64, or \x and hex digits (the 0.1.0 form), validated';
COMMENT ON FUNCTION drift_estimated_metrics_state_out(drift_estimated_metrics_state) IS
  'Text output of drift_estimated_metrics_state: its binary form in base64 (how Citus ships states)';
COMMENT ON FUNCTION drift_estimated_metrics_state_recv(internal) IS
  'Binary input of drift_estimated_metrics_state, validated';
COMMENT ON FUNCTION drift_estimated_metrics_state_send(drift_estimated_metrics_state) IS
  'Binary output of drift_estimated_metrics_state';
COMMENT ON TYPE drift_estimated_metrics_state IS
  'Partial state of estimated_binary_metrics: the threshold, the calibration and the number '
  'of rows per distinct score';

CREATE FUNCTION estimated_metrics_trans(drift_estimated_metrics_state, float8, float8, drift_calibration)
  RETURNS drift_estimated_metrics_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION estimated_metrics_inv(drift_estimated_metrics_state, float8, float8, drift_calibration)
  RETURNS drift_estimated_metrics_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION estimated_metrics_named_trans(drift_estimated_metrics_state, float8, float8, text, text)
  RETURNS drift_estimated_metrics_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION estimated_metrics_named_inv(drift_estimated_metrics_state, float8, float8, text, text)
  RETURNS drift_estimated_metrics_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION estimated_metrics_combine(drift_estimated_metrics_state, drift_estimated_metrics_state)
  RETURNS drift_estimated_metrics_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION estimated_metrics_final(drift_estimated_metrics_state)
  RETURNS estimated_binary_metrics_result AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION estimated_metrics_trans(drift_estimated_metrics_state, float8, float8, drift_calibration) IS
  'State function of estimated_binary_metrics with a calibration value';
COMMENT ON FUNCTION estimated_metrics_inv(drift_estimated_metrics_state, float8, float8, drift_calibration) IS
  'Inverse (moving-window) state function of estimated_binary_metrics with a calibration value';
COMMENT ON FUNCTION estimated_metrics_named_trans(drift_estimated_metrics_state, float8, float8, text, text) IS
  'State function of estimated_binary_metrics with a stored baseline''s calibration';
COMMENT ON FUNCTION estimated_metrics_named_inv(drift_estimated_metrics_state, float8, float8, text, text) IS
  'Inverse (moving-window) state function of estimated_binary_metrics with a stored baseline''s calibration';
COMMENT ON FUNCTION estimated_metrics_combine(drift_estimated_metrics_state, drift_estimated_metrics_state) IS
  'Combine function of estimated_binary_metrics: merges the per-score counts';
COMMENT ON FUNCTION estimated_metrics_final(drift_estimated_metrics_state) IS
  'Final function of estimated_binary_metrics';

CREATE AGGREGATE estimated_binary_metrics(score float8, threshold float8, calibration drift_calibration) (
  SFUNC = estimated_metrics_trans,
  STYPE = drift_estimated_metrics_state,
  COMBINEFUNC = estimated_metrics_combine,
  FINALFUNC = estimated_metrics_final,
  MSFUNC = estimated_metrics_trans,
  MINVFUNC = estimated_metrics_inv,
  MSTYPE = drift_estimated_metrics_state,
  MFINALFUNC = estimated_metrics_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE estimated_binary_metrics(float8, float8, drift_calibration) IS
  'Model quality estimated without labels (CBPE): expected accuracy, precision, recall, '
  'specificity, F1 and ROC AUC of predicted = score >= threshold under the calibration';

CREATE AGGREGATE estimated_binary_metrics(score float8, threshold float8, baseline text, column_name text) (
  SFUNC = estimated_metrics_named_trans,
  STYPE = drift_estimated_metrics_state,
  COMBINEFUNC = estimated_metrics_combine,
  FINALFUNC = estimated_metrics_final,
  MSFUNC = estimated_metrics_named_trans,
  MINVFUNC = estimated_metrics_named_inv,
  MSTYPE = drift_estimated_metrics_state,
  MFINALFUNC = estimated_metrics_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE estimated_binary_metrics(float8, float8, text, text) IS
  'Model quality estimated without labels (CBPE) under the calibration stored with a '
  'baseline''s score column (drift.baseline_calibration)';
