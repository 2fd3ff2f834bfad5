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

-- ---------------------------------------------------------------------------
-- Labels that live in another relation and arrive late (SPEC.md section 10).
-- A monitor may name label_relation, join_column (in both relations) and
-- label_column (in the label relation).  A window is first judged
-- label_delay after it ends (drift._run_window); each result records the
-- share of the window's predictions that have a label (label_coverage) and
-- a digest of the labels it saw; at every run, earlier windows ending within
-- label_horizon are judged again when their digest changed, each evaluation
-- kept as a result of its own (the latest is current) and judged by the
-- same alert rules, oldest first, before the current window.
--
-- Duplicate labels: the label relation may hold several rows for one
-- prediction.  Rows that agree count once; rows that disagree make the run
-- an error naming how many predictions are affected (no silent choice of
-- one label).  A NULL label or join value is no label.
-- ---------------------------------------------------------------------------

ALTER TABLE drift.monitors
  ADD COLUMN label_relation_oid  oid,
  ADD COLUMN label_relation_name text,
  ADD COLUMN join_column         text,
  ADD COLUMN label_delay         interval NOT NULL DEFAULT '0',
  ADD COLUMN label_horizon       interval,
  ADD CONSTRAINT monitors_label_delay_check CHECK (label_delay >= interval '0'),
  ADD CONSTRAINT monitors_label_horizon_check CHECK (label_horizon >= interval '0');
COMMENT ON COLUMN drift.monitors.label_relation_oid IS
  'Relation holding the labels (joined on join_column), or NULL when they are in the relation itself';
COMMENT ON COLUMN drift.monitors.label_delay IS
  'A window is judged first this long after it ends (labels arrive late)';
COMMENT ON COLUMN drift.monitors.label_horizon IS
  'Windows ending at most this long ago are judged again when their labels changed';

ALTER TABLE drift.results
  ADD COLUMN label_coverage float8,
  ADD COLUMN realized       float8,
  ADD COLUMN label_digest   text;
COMMENT ON COLUMN drift.results.label_coverage IS
  'Share of the window''s predictions (of the slice) that had a label when it was judged';
COMMENT ON COLUMN drift.results.realized IS
  'For an estimated_* metric with labels: the realized value on the labelled predictions';
COMMENT ON COLUMN drift.results.label_digest IS
  'Digest of the window''s labels when it was judged: a change makes it judged again';

-- The SQL a monitor runs: drift._monitor_query, or the label join below.
CREATE FUNCTION drift._monitor_sql(m drift.monitors) RETURNS text
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT CASE WHEN m.label_relation_oid IS NULL THEN drift._monitor_query(m)
              ELSE drift._label_join_query(m) END
$fn$;
COMMENT ON FUNCTION drift._monitor_sql(drift.monitors) IS
  'The SQL a monitor runs: with a label relation the label join, else drift._monitor_query';

-- The check over predictions joined with their labels: as
-- drift._monitor_query (same $n parameters, slices, filter and window), the
-- value an object of the statistic, the label coverage, the realized value
-- (estimated_* metrics), the labels' digest and the number of predictions
-- whose labels disagree.
CREATE FUNCTION drift._label_join_query(m drift.monitors) RETURNS text
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  p        record := drift._monitor_parts(m, 'lab.label');
  realized text := 'NULL::float8';
  labels   text;
BEGIN
  -- after a restore (new OIDs) the label relation is found again by name
  m.label_relation_oid := coalesce((SELECT c.oid FROM pg_class c WHERE c.oid = m.label_relation_oid),
                                   to_regclass(m.label_relation_name));
  IF m.label_relation_oid IS NULL THEN
    RAISE EXCEPTION 'label relation "%" of monitor "%" no longer exists', m.label_relation_name,
                    m.name
      USING ERRCODE = 'undefined_table';
  END IF;
  IF m.metric LIKE 'estimated\_%' AND m.label_column IS NOT NULL THEN
    realized := CASE m.metric
      WHEN 'estimated_roc_auc' THEN
        format('@extschema@.roc_auc(t.%I::float8, lab.label::boolean)', m.column_name)
      ELSE format('(@extschema@.binary_metrics(t.%I::float8, lab.label::boolean, 0.5)).%s',
                  m.column_name, substr(m.metric, length('estimated_') + 1)) END;
  END IF;
  -- one row per prediction key of the window: its label if all its label
  -- rows agree.  Only the window's keys are looked up (with an index on the
  -- label relation's join column, a probe per prediction), not every label.
  labels := format('SELECT l.%1$I AS j, (pg_catalog.array_agg(l.%2$I))[1] AS label,'
                   ' pg_catalog.count(DISTINCT l.%2$I) OPERATOR(pg_catalog.>) 1 AS conflict'
                   ' FROM %3$s AS l WHERE l.%2$I IS NOT NULL AND l.%1$I IN'
                   ' (SELECT w.%1$I FROM %4$s AS w WHERE w.%5$I >= $1 AND w.%5$I < $2)'
                   ' GROUP BY l.%1$I',
                   m.join_column, coalesce(m.label_column, m.join_column),
                   m.label_relation_oid::regclass, m.relation_oid::regclass, m.time_column);
  -- the value: the statistic and the label fields; a model check's value is
  -- an object of its own, which the label fields join
  RETURN format(
    'SELECT s.slice, s.n_rows, %s OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('
    ' ''label_coverage'', s.labelled::float8 OPERATOR(pg_catalog./) s.n_rows,'
    ' ''labelled'', s.labelled, ''realized'', s.realized, ''conflicts'', s.conflicts,'
    ' ''digest'', s.labelled::text OPERATOR(pg_catalog.||) '':'' OPERATOR(pg_catalog.||) s.digest::text) AS r'
    ' FROM (SELECT %s AS slice, pg_catalog.count(*) AS n_rows, %s AS r, %s AS realized,'
    ' pg_catalog.count(lab.j) AS labelled,'
    ' pg_catalog.count(*) FILTER (WHERE lab.conflict) AS conflicts,'
    ' COALESCE(pg_catalog.sum(pg_catalog.hashtext(lab.j::text OPERATOR(pg_catalog.||)'
    ' '':'' OPERATOR(pg_catalog.||) lab.label::text)::bigint), 0) AS digest'
    ' FROM %s AS t LEFT JOIN (%s) AS lab ON lab.j OPERATOR(pg_catalog.=) t.%I'
    ' WHERE %s%s) s',
    CASE WHEN m.metric = 'dataset_drift' THEN 's.r'
         ELSE 'pg_catalog.jsonb_build_object(''statistic'', s.r)' END,
    p.slice, p.expr, realized, m.relation_oid::regclass, labels, m.join_column,
    format('t.%I >= $1 AND t.%I < $2 AND %s', m.time_column, m.time_column, p.filter), p.grp);
END
$fn$;
COMMENT ON FUNCTION drift._label_join_query(drift.monitors) IS
  'The SQL of a monitor whose labels are in another relation: predictions left-joined with '
  'their labels; per slice the statistic, label coverage, realized value and labels'' digest';

-- Validate the label join of a monitor definition (drift._check_monitor).
CREATE FUNCTION drift._check_label_join(m drift.monitors, met drift.metrics) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  t_pred oid;
  t_lab  oid;
BEGIN
  -- a model monitor's labels serve its prediction column (75_model_quality.sql)
  IF m.metric = 'dataset_drift' THEN
    PERFORM drift._check_model_quality(m);
  END IF;
  IF m.label_relation_oid IS NULL THEN
    IF m.join_column IS NOT NULL OR m.label_delay <> interval '0' OR m.label_horizon IS NOT NULL THEN
      RAISE EXCEPTION 'join_column, label_delay and label_horizon need label_relation'
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'Name the relation that holds the labels, or leave these out.';
    END IF;
    RETURN;
  END IF;
  -- a model monitor's labels serve its prediction column (75_model_quality.sql)
  IF met.kind <> 'model' AND m.metric <> 'dataset_drift' THEN
    RAISE EXCEPTION 'metric "%" takes no label_relation', m.metric
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Labels in another relation serve model-quality metrics and model monitors.';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_class WHERE oid = m.label_relation_oid) THEN
    RAISE EXCEPTION 'relation "%" does not exist', m.label_relation_name
      USING ERRCODE = 'undefined_table';
  END IF;
  IF NOT has_table_privilege(m.owner, m.label_relation_oid, 'SELECT') THEN
    RAISE EXCEPTION 'permission denied: role "%" cannot read %', m.owner,
                    m.label_relation_oid::regclass
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'A monitor reads its relations with its owner''s privileges.',
            HINT = 'GRANT SELECT on the label relation to the monitor''s owner.';
  END IF;
  IF m.join_column IS NULL THEN
    RAISE EXCEPTION 'label_relation needs join_column' USING ERRCODE = 'null_value_not_allowed',
      HINT = 'Name the column that identifies a prediction in both relations.';
  END IF;
  SELECT a.atttypid INTO t_pred FROM pg_attribute a
   WHERE a.attrelid = m.relation_oid AND a.attname = m.join_column AND a.attnum > 0
     AND NOT a.attisdropped;
  SELECT a.atttypid INTO t_lab FROM pg_attribute a
   WHERE a.attrelid = m.label_relation_oid AND a.attname = m.join_column AND a.attnum > 0
     AND NOT a.attisdropped;
  IF t_pred IS NULL OR t_lab IS NULL THEN
    RAISE EXCEPTION 'join column "%" does not exist in %', m.join_column,
                    CASE WHEN t_pred IS NULL THEN m.relation_oid ELSE m.label_relation_oid END::regclass
      USING ERRCODE = 'undefined_column';
  END IF;
  IF t_pred <> t_lab THEN
    RAISE EXCEPTION 'join column "%" is % in % but % in %', m.join_column,
                    format_type(t_pred, NULL), m.relation_oid::regclass,
                    format_type(t_lab, NULL), m.label_relation_oid::regclass
      USING ERRCODE = 'datatype_mismatch',
            HINT = 'Join columns of the same type (cast in a view if needed).';
  END IF;
  IF m.time_column IS NULL THEN
    RAISE EXCEPTION 'label_relation needs time_column and window_size'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Labels are judged per window of prediction time.';
  END IF;
  IF m.label_delay < interval '0' OR m.label_horizon < interval '0' THEN
    RAISE EXCEPTION 'label_delay and label_horizon must not be negative'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF met.kind = 'model' AND NOT met.needs_label AND m.label_column IS NOT NULL
     AND drift.column_kind(m.label_relation_oid, m.label_column) IS DISTINCT FROM 'boolean' THEN
    RAISE EXCEPTION 'label column "%" of % must be boolean', m.label_column,
                    m.label_relation_oid::regclass
      USING ERRCODE = 'datatype_mismatch';
  END IF;
END
$fn$;
COMMENT ON FUNCTION drift._check_label_join(drift.monitors, drift.metrics) IS
  'Validate a monitor''s label relation, join column, label column, delay and horizon (and a '
  'model monitor''s prediction column)';

-- The error of a run whose label relation gives one prediction different labels.
CREATE FUNCTION drift._label_conflicts(m drift.monitors, vals jsonb[]) RETURNS text
  LANGUAGE sql IMMUTABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT format('labels in %s (column "%s") disagree for %s prediction(s) of the window',
                m.label_relation_name, m.label_column, n)
    FROM (SELECT sum((v ->> 'conflicts')::bigint) AS n FROM unnest(vals) v) s
   WHERE n > 0
$fn$;
COMMENT ON FUNCTION drift._label_conflicts(drift.monitors, jsonb[]) IS
  'The error message of a label-join run in which some prediction has disagreeing labels';

-- Write the label fields of a run's results (in slice order, as vals) and
-- return the results as now stored.  The digest is the window's: all its
-- slices' labels.
CREATE FUNCTION drift._note_labels(results drift.results[], vals jsonb[])
  RETURNS drift.results[]
  LANGUAGE sql
  SET search_path = pg_catalog, pg_temp
AS $fn$
  WITH d AS (SELECT string_agg(v ->> 'digest', ',' ORDER BY i) AS digest
               FROM unnest(vals) WITH ORDINALITY u(v, i)),
  upd AS (
    UPDATE drift.results x
       SET label_coverage = (vals[i] ->> 'label_coverage')::float8,
           realized = (vals[i] ->> 'realized')::float8,
           label_digest = d.digest
      FROM generate_subscripts(results, 1) AS i, d
     WHERE x.result_id = (results[i]).result_id
    RETURNING x.*)
  SELECT array_agg(upd::drift.results ORDER BY upd.result_id) FROM upd
$fn$;
COMMENT ON FUNCTION drift._note_labels(drift.results[], jsonb[]) IS
  'Store label coverage, realized value and the window''s label digest on a run''s results';

-- Judge again the earlier windows of a label-join monitor that end within
-- label_horizon of as_of and whose labels changed since their latest
-- evaluation (a different digest), oldest first; return the monitor with
-- the slice states those evaluations left.  A window whose check fails now
-- keeps its evaluation (the next run tries again).
CREATE FUNCTION drift._rejudge_windows(m drift.monitors, current_start timestamptz,
                                       as_of timestamptz)
  RETURNS drift.monitors
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  w record;
  c record;
  r record;
  digest text;
BEGIN
  FOR w IN
    SELECT DISTINCT ON (x.window_start, x.window_end)
           x.window_start, x.window_end, x.label_digest
      FROM drift.results x
     WHERE x.monitor_id = m.monitor_id AND x.window_start < current_start
       AND x.window_end >= as_of - m.label_horizon
     ORDER BY x.window_start, x.window_end, x.result_id DESC
  LOOP
    CONTINUE WHEN w.label_digest IS NULL;   -- its latest evaluation failed
    c := drift._collect_slices(m, w.window_start, w.window_end, w.window_start - m.window_size);
    CONTINUE WHEN c.error IS NOT NULL OR drift._label_conflicts(m, c.vals) IS NOT NULL;
    SELECT string_agg(v ->> 'digest', ',' ORDER BY i) INTO digest
      FROM unnest(c.vals) WITH ORDINALITY u(v, i);
    CONTINUE WHEN digest IS NOT DISTINCT FROM w.label_digest;
    r := drift._record_slices(m, (SELECT x.comparison FROM drift.metrics x WHERE x.name = m.metric),
                              NULL, w.window_start, w.window_end, c.slices, c.nrows, c.vals);
    IF m.metric = 'dataset_drift' THEN
      PERFORM drift._record_model_columns(r.results, c.vals);
    END IF;
    PERFORM drift._note_labels(r.results, c.vals);
    m.slice_state := r.slice_state;
    UPDATE drift.monitors x SET slice_state = m.slice_state WHERE x.monitor_id = m.monitor_id;
    PERFORM drift._emit_alerts(m, coalesce(c.relation::text, m.relation_name), w.window_start,
                               w.window_end, r.alerts);
  END LOOP;
  RETURN m;
END
$fn$;
COMMENT ON FUNCTION drift._rejudge_windows(drift.monitors, timestamptz, timestamptz) IS
  'Judge again, oldest first, the windows within label_horizon whose labels changed since '
  'their latest evaluation';

-- Each monitor's state and last result, with its label coverage (defined
-- here, after the label columns, rather than with the runs in 72).
CREATE OR REPLACE VIEW drift.monitor_status WITH (security_invoker = true) AS
  SELECT m.monitor_id, m.name, m.owner, m.relation_name AS relation, m.metric, m.column_name,
         m.state, m.paused, m.last_run, m.next_run, m.consecutive_failures,
         r.result_id AS last_result_id, r.statistic AS last_statistic,
         r.p_value AS last_p_value, r.error AS last_error,
         (SELECT count(*) FROM pg_catalog.jsonb_each(m.slice_state) s
           WHERE s.value OPERATOR(pg_catalog.->>) 'state' OPERATOR(pg_catalog.=) 'firing')
           AS firing_slices,
         r.label_coverage AS last_label_coverage
    FROM drift.monitors m
    LEFT JOIN LATERAL (
      SELECT * FROM drift.results r
       WHERE r.monitor_id OPERATOR(pg_catalog.=) m.monitor_id
       ORDER BY r.run_at DESC, r.result_id DESC LIMIT 1) r ON true;
GRANT SELECT ON drift.monitor_status TO PUBLIC;
COMMENT ON VIEW drift.monitor_status IS
  'Each visible monitor: state, last result and its label coverage, last and next run, '
  'consecutive failures';
