-- ---------------------------------------------------------------------------
-- Model quality in model monitors (SPEC.md sections 9 and 10; issue 8): a
-- model monitor that names its prediction_column (and label_column, in the
-- relation or in a label_relation joined on join_column, labels arriving
-- label_delay late and judged again within label_horizon) reports, in the
-- same scan as its feature drift, the model's realized quality on the
-- labelled rows and, when the baseline holds a calibration of the
-- prediction (capture_baseline(..., prediction_column, label_column)), the
-- quality estimated by CBPE on every row, labelled or not.  The monitor
-- still fires on feature drift (drift_share); quality is reported beside it:
-- in drift.model_quality (a row per metric), in drift.results.label_coverage
-- and in the alert (its "quality" object).
--
-- What is measured follows the kinds of the prediction and the label:
--   numeric score, boolean label: binary_metrics at 0.5 (the decision
--     threshold of the CBPE metrics, 74_label_join.sql) and roc_auc;
--     estimated_binary_metrics at 0.5 with the baseline's calibration;
--   boolean prediction, boolean label: binary_metrics;
--   numeric prediction, numeric label: regression_metrics.
-- ---------------------------------------------------------------------------

ALTER TABLE drift.model_monitors ADD COLUMN prediction_column text;
COMMENT ON COLUMN drift.model_monitors.prediction_column IS
  'The model''s prediction (score, class or value): with a label column or a calibration in '
  'the baseline, each run reports the model''s quality';

-- One row per quality metric of each model-monitor run (and slice).
CREATE TABLE drift.model_quality (
  result_id  bigint NOT NULL REFERENCES drift.results ON DELETE CASCADE,
  monitor_id bigint NOT NULL,
  metric     text NOT NULL,
  realized   float8,
  estimated  float8,
  n_labelled bigint NOT NULL,
  PRIMARY KEY (result_id, metric)
);
CREATE INDEX model_quality_by_monitor ON drift.model_quality (monitor_id, result_id);
COMMENT ON TABLE drift.model_quality IS
  'Quality of the model in each model-monitor run that knows its prediction column: per metric '
  'the realized value on the labelled rows and the CBPE estimate on all rows';
SELECT pg_catalog.pg_extension_config_dump('drift.model_quality', '');
ALTER TABLE drift.model_quality ENABLE ROW LEVEL SECURITY;
-- visible (and deletable) with their monitor, as drift.results rows are
CREATE POLICY model_quality_read ON drift.model_quality FOR SELECT
  USING (EXISTS (SELECT 1 FROM drift.monitors m
                  WHERE m.monitor_id OPERATOR(pg_catalog.=) model_quality.monitor_id));
CREATE POLICY model_quality_delete ON drift.model_quality FOR DELETE
  USING (EXISTS (SELECT 1 FROM drift.monitors m
                  WHERE m.monitor_id OPERATOR(pg_catalog.=) model_quality.monitor_id));
GRANT SELECT, DELETE ON drift.model_quality TO PUBLIC;

-- Inside the monitor's query (run as its owner): a slice's model check with
-- the quality measured in the same scan, in the value and in its alert.
CREATE FUNCTION model_quality_check(model_check jsonb, prediction_column text, n_rows bigint,
                                    n_labelled bigint, realized jsonb, estimated jsonb)
  RETURNS jsonb
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT model_check || jsonb_build_object('quality', q, 'label_coverage', q -> 'label_coverage',
                                           'alert', (model_check -> 'alert')
                                                    || jsonb_build_object('quality', q))
    FROM (SELECT jsonb_build_object(
                   'prediction_column', prediction_column, 'n_labelled', n_labelled,
                   'label_coverage', n_labelled::float8 / nullif(n_rows, 0),
                   -- no label yet: nothing realized (the aggregates saw no pair)
                   'realized', CASE WHEN n_labelled > 0 THEN realized END,
                   'estimated', estimated) AS q) s
$fn$;
COMMENT ON FUNCTION model_quality_check(jsonb, text, bigint, bigint, jsonb, jsonb) IS
  'A model monitor''s judgement of one slice with the model''s realized and CBPE-estimated '
  'quality and label coverage added to it and to its alert';

-- The {model} expression of a model monitor with its quality measured in
-- the same scan (check: the expression of the drift check alone).  {value2}
-- is the label: t.<label_column>, or the joined label (74_label_join.sql).
CREATE FUNCTION drift._model_quality_expression(m drift.monitors, model_check text) RETURNS text
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  pred      text := (SELECT x.prediction_column FROM drift.model_monitors x
                      WHERE x.monitor_id = m.monitor_id);
  kinds     text;
  p         text;
  realized  text := 'NULL::jsonb';
  estimated text := 'NULL::jsonb';
BEGIN
  IF pred IS NULL THEN
    RETURN model_check;
  END IF;
  kinds := drift._model_quality_kinds(m, pred);
  p := format('t.%I', pred);
  IF m.label_column IS NOT NULL THEN
    realized := CASE kinds
      WHEN 'numeric/boolean' THEN
        format('pg_catalog.to_jsonb(@extschema@.binary_metrics(%1$s::float8, {value2}::boolean, 0.5))'
               ' OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(''roc_auc'','
               ' @extschema@.roc_auc(%1$s::float8, {value2}::boolean))', p)
      WHEN 'boolean/boolean' THEN
        format('pg_catalog.to_jsonb(@extschema@.binary_metrics(%s::boolean, {value2}::boolean))', p)
      ELSE format('pg_catalog.to_jsonb(@extschema@.regression_metrics(%s::float8, {value2}::float8))', p)
    END;
  END IF;
  IF drift._model_calibrated(m, pred) THEN
    estimated := format('pg_catalog.to_jsonb(@extschema@.estimated_binary_metrics(%s::float8, 0.5,'
                        ' $3::text, %L::text))', p, pred);
  END IF;
  RETURN format('@extschema@.model_quality_check(%s, %L::text, pg_catalog.count(*), %s, %s, %s)',
                model_check, pred,
                CASE WHEN m.label_column IS NULL THEN '0::bigint'
                     ELSE format('pg_catalog.count(%s) FILTER (WHERE {value2} IS NOT NULL)', p) END,
                realized, estimated);
END
$fn$;
COMMENT ON FUNCTION drift._model_quality_expression(drift.monitors, text) IS
  'A model monitor''s per-slice expression with the realized and estimated quality of its '
  'prediction column';

-- Whether a model monitor's baseline (read as its owner) calibrates its
-- prediction column: then CBPE estimates the quality of unlabelled rows.
CREATE FUNCTION drift._model_calibrated(m drift.monitors, prediction_column text) RETURNS boolean
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT m.compare_to = 'baseline' AND EXISTS (
    SELECT 1 FROM drift.baseline_calibrations c
     WHERE c.baseline_owner = drift.baseline_owner(m.baseline, m.owner)
       AND c.baseline_name = m.baseline AND c.column_name = prediction_column)
$fn$;
COMMENT ON FUNCTION drift._model_calibrated(drift.monitors, text) IS
  'Whether the baseline of a model monitor holds a calibration of its prediction column';

-- 'prediction kind/label kind' of a model monitor that measures its
-- quality, validated: the prediction in the relation, the label in the
-- relation or the label relation, kinds that make a metric.
CREATE FUNCTION drift._model_quality_kinds(m drift.monitors, prediction_column text) RETURNS text
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  pk text := drift.column_kind(m.relation_oid, prediction_column);
  lk text;
BEGIN
  IF pk IS NULL THEN
    RAISE EXCEPTION 'prediction column "%" does not exist in %', prediction_column,
                    m.relation_oid::regclass
      USING ERRCODE = 'undefined_column';
  END IF;
  IF m.label_column IS NULL THEN
    IF NOT drift._model_calibrated(m, prediction_column) THEN
      RAISE EXCEPTION 'prediction_column needs label_column, or a baseline that calibrates it'
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'Name the label column, or capture the baseline with prediction_column and '
                     'label_column so that quality is estimated without labels (CBPE).';
    END IF;
    RETURN pk || '/';
  END IF;
  lk := drift.column_kind(coalesce(m.label_relation_oid, m.relation_oid), m.label_column);
  IF lk IS NULL THEN
    RAISE EXCEPTION 'column "%" does not exist in %', m.label_column,
                    coalesce(m.label_relation_oid, m.relation_oid)::regclass
      USING ERRCODE = 'undefined_column';
  END IF;
  IF pk || '/' || lk NOT IN ('numeric/boolean', 'boolean/boolean', 'numeric/numeric') THEN
    RAISE EXCEPTION 'cannot measure prediction "%" (%) against label "%" (%)', prediction_column,
                    pk, m.label_column, lk
      USING ERRCODE = 'datatype_mismatch',
            HINT = 'A model monitor measures a score or boolean prediction against a boolean '
                   'label, or a numeric prediction against a numeric label.';
  END IF;
  RETURN pk || '/' || lk;
END
$fn$;
COMMENT ON FUNCTION drift._model_quality_kinds(drift.monitors, text) IS
  'Validate a model monitor''s prediction and label columns; their kinds as prediction/label';

-- Validate the label settings of a model monitor (drift._check_monitor):
-- label_column and label_relation serve its prediction_column.
CREATE FUNCTION drift._check_model_quality(m drift.monitors) RETURNS void
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  pred text := (SELECT x.prediction_column FROM drift.model_monitors x
                 WHERE x.monitor_id = m.monitor_id);
BEGIN
  IF pred IS NULL THEN
    IF m.label_column IS NOT NULL OR m.label_relation_oid IS NOT NULL THEN
      RAISE EXCEPTION 'label_column and label_relation of a model monitor need prediction_column'
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'Name the column that holds the model''s prediction.';
    END IF;
    RETURN;
  END IF;
  IF m.label_relation_oid IS NOT NULL AND m.label_column IS NULL THEN
    RAISE EXCEPTION 'label_relation needs label_column' USING ERRCODE = 'null_value_not_allowed',
      HINT = 'Name the column of the label relation that holds the label.';
  END IF;
  -- the label join (74_label_join.sql) reads one window, not the one before
  IF m.label_relation_oid IS NOT NULL AND m.compare_to = 'previous_window' THEN
    RAISE EXCEPTION 'a model monitor with label_relation compares with its baseline only'
      USING ERRCODE = 'feature_not_supported',
            HINT = 'Use compare_to => ''baseline'', or labels in the relation itself.';
  END IF;
  PERFORM drift._model_quality_kinds(m, pred);
END
$fn$;
COMMENT ON FUNCTION drift._check_model_quality(drift.monitors) IS
  'Validate a model monitor''s prediction column, label column and label relation';

-- A model run's quality rows, beside its per-column rows (the label
-- coverage goes on each slice's result with drift._note_labels).
CREATE FUNCTION drift._record_model_quality(results drift.results[], vals jsonb[]) RETURNS void
  LANGUAGE sql
  SET search_path = pg_catalog, pg_temp
AS $fn$
  INSERT INTO drift.model_quality (result_id, monitor_id, metric, realized, estimated, n_labelled)
    SELECT results[i].result_id, results[i].monitor_id, k.metric,
           (q -> 'realized' ->> k.metric)::float8, (q -> 'estimated' ->> k.metric)::float8,
           (q ->> 'n_labelled')::bigint
      FROM generate_subscripts(results, 1) AS i,
           LATERAL (SELECT vals[i] -> 'quality') AS x(q),
           LATERAL (SELECT DISTINCT e.key
                      FROM (VALUES (q -> 'realized'), (q -> 'estimated')) AS v(o),
                           -- either may be JSON null (no label yet, no calibration)
                           jsonb_each(CASE WHEN jsonb_typeof(v.o) = 'object' THEN v.o END) e
                     -- the counts behind the metrics are not metrics
                     WHERE e.key NOT IN ('n', 'tp', 'fp', 'tn', 'fn')) AS k(metric)
     WHERE results[i].state <> 'error' AND jsonb_typeof(q) = 'object'
$fn$;
COMMENT ON FUNCTION drift._record_model_quality(drift.results[], jsonb[]) IS
  'Write the quality rows of a model-monitor run to drift.model_quality';
