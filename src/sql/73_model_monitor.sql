-- ---------------------------------------------------------------------------
-- Model monitors (SPEC.md section 9, "Monitors"; issue 8): one monitor per
-- model.  It is a drift.monitors row of metric dataset_drift, run by the
-- same code as every monitor (the worker, run_monitor, run_due_monitors):
-- its check is one scan of the window per slice, one drift_profile_agg per
-- column, judged by drift.judge_columns with each column's integrity; the
-- dataset row is the run's drift.results row (statistic = share of drifted
-- columns, threshold = drift_share, firing when the share reaches it), and
-- every column's row goes to drift.model_results.  One alert per state
-- change of the model (per slice), listing the drifted columns by rank.
-- ---------------------------------------------------------------------------

-- The model's settings beside its drift.monitors row.
CREATE TABLE drift.model_monitors (
  monitor_id bigint PRIMARY KEY REFERENCES drift.monitors ON DELETE CASCADE,
  columns    text[] NOT NULL CHECK (cardinality(columns) > 0),
  kinds      text[] NOT NULL,
  correction text NOT NULL DEFAULT 'none'
               CHECK (correction IN ('none', 'bonferroni', 'holm', 'bh')),
  alpha      float8 NOT NULL DEFAULT 0.05 CHECK (alpha > 0 AND alpha < 1),
  tests      jsonb,
  -- thresholds => 'auto': those learned from the baseline's chunks
  auto_thresholds boolean NOT NULL DEFAULT false,
  CHECK (cardinality(kinds) = cardinality(columns))
);
COMMENT ON TABLE drift.model_monitors IS
  'Settings of model monitors (drift.create_model_monitor): the columns checked and how they '
  'are profiled, the correction, alpha and the per-column tests';

-- One row per column of each model-monitor run, beside the run's dataset row.
CREATE TABLE drift.model_results (
  result_id        bigint NOT NULL REFERENCES drift.results ON DELETE CASCADE,
  monitor_id       bigint NOT NULL,
  column_name      text NOT NULL,
  column_kind      text NOT NULL,
  test             text,
  reason           text,
  statistic        float8,
  p_value          float8,
  adjusted_p_value float8,
  threshold        float8,
  drifted          boolean NOT NULL,
  severity         float8,
  rank             integer,
  n_baseline       bigint,
  n_current        bigint,
  distinct_values  bigint,
  null_rate_baseline    float8,
  null_rate_current     float8,
  null_rate_p_value     float8,
  out_of_range_share    float8,
  unseen_category_share float8,
  PRIMARY KEY (result_id, column_name)
);
CREATE INDEX model_results_by_monitor ON drift.model_results (monitor_id, result_id);
COMMENT ON TABLE drift.model_results IS
  'Every column of every model-monitor run (its dataset row is in drift.results): test, '
  'statistic, p-value, adjusted p-value, drifted, severity, rank and integrity rates';

SELECT pg_catalog.pg_extension_config_dump('drift.model_monitors', '');
SELECT pg_catalog.pg_extension_config_dump('drift.model_results', '');
ALTER TABLE drift.model_monitors ENABLE ROW LEVEL SECURITY;
ALTER TABLE drift.model_results ENABLE ROW LEVEL SECURITY;
-- visible (and deletable) with their monitor, as drift.results rows are
CREATE POLICY model_monitors_read ON drift.model_monitors FOR SELECT
  USING (EXISTS (SELECT 1 FROM drift.monitors m
                  WHERE m.monitor_id OPERATOR(pg_catalog.=) model_monitors.monitor_id));
CREATE POLICY model_results_read ON drift.model_results FOR SELECT
  USING (EXISTS (SELECT 1 FROM drift.monitors m
                  WHERE m.monitor_id OPERATOR(pg_catalog.=) model_results.monitor_id));
CREATE POLICY model_results_delete ON drift.model_results FOR DELETE
  USING (EXISTS (SELECT 1 FROM drift.monitors m
                  WHERE m.monitor_id OPERATOR(pg_catalog.=) model_results.monitor_id));
GRANT SELECT ON drift.model_monitors TO PUBLIC;
GRANT SELECT, DELETE ON drift.model_results TO PUBLIC;

-- The judgement of one slice, inside the monitor's query (run as the
-- monitor's owner), against reference profiles: the baseline's, or the
-- previous window's (compare_to => 'previous_window').  Returns the slice's
-- value for drift._record_slices: statistic = share of drifted columns,
-- n_current = rows, per-column results with their integrity, and the
-- alert's fields (the drifted columns by rank, cut to at most 3000 bytes so
-- that the payload stays under NOTIFY's limit, saying so).
CREATE FUNCTION model_drift_check(reference drift_profile[], column_names text[],
                                  column_kinds text[], currents drift_profile[], n_rows bigint,
                                  correction text, alpha float8, tests jsonb, thresholds jsonb)
  RETURNS jsonb
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_ref   @extschema@.drift_profile[];
  v_cur   @extschema@.drift_profile[];
  v_cols  jsonb;
  v_list  jsonb := '[]';
  v_n     integer;
  v_drift integer;
  r       record;
BEGIN
  SELECT array_agg(drift.empty_if_null(reference[i], column_kinds[i]) ORDER BY i),
         array_agg(drift.empty_if_null(currents[i], column_kinds[i]) ORDER BY i)
    INTO v_ref, v_cur
    FROM generate_subscripts(column_names, 1) i;
  SELECT jsonb_agg(to_jsonb(j) || to_jsonb(i) ORDER BY j.rank NULLS LAST, j.column_name),
         count(*), count(*) FILTER (WHERE j.drifted)
    INTO v_cols, v_n, v_drift
    FROM drift.judge_columns(column_names, column_kinds, v_ref, v_cur, correction, alpha, tests,
                             thresholds) j
    JOIN LATERAL drift.column_integrity(v_ref[array_position(column_names, j.column_name)],
                                        v_cur[array_position(column_names, j.column_name)]) i ON true;
  -- the drifted columns by rank, as many as fit in 3000 bytes
  FOR r IN SELECT e.value ->> 'column_name' AS c
             FROM jsonb_array_elements(v_cols) e
            WHERE (e.value ->> 'drifted')::boolean
            ORDER BY (e.value ->> 'rank')::integer LOOP
    EXIT WHEN octet_length((v_list || to_jsonb(r.c))::text) > 3000;
    v_list := v_list || to_jsonb(r.c);
  END LOOP;
  RETURN jsonb_build_object(
    'statistic', v_drift::float8 / v_n, 'p_value', NULL, 'n_current', n_rows,
    'columns', v_cols,
    'alert', jsonb_build_object('n_columns', v_n, 'n_drifted', v_drift,
                                'drifted_columns', v_list,
                                'drifted_columns_cut', jsonb_array_length(v_list) < v_drift));
END
$fn$;
COMMENT ON FUNCTION model_drift_check(drift_profile[], text[], text[], drift_profile[], bigint,
                                      text, float8, jsonb, jsonb) IS
  'A model monitor''s judgement of one slice against reference profiles: share of drifted '
  'columns, every column''s result and integrity, and the alert''s drifted columns by rank';

-- The same against a named baseline (the owner's), with its learned
-- thresholds when asked.
CREATE FUNCTION model_drift_check(baseline text, column_names text[], column_kinds text[],
                                  currents drift_profile[], n_rows bigint,
                                  correction text, alpha float8, tests jsonb,
                                  auto_thresholds boolean)
  RETURNS jsonb
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_owner name := drift.baseline_owner(model_drift_check.baseline);
  v_base  @extschema@.drift_profile[];
BEGIN
  SELECT array_agg(bc.profile ORDER BY u.i) INTO v_base
    FROM unnest(column_names) WITH ORDINALITY u(c, i)
    LEFT JOIN drift.baseline_columns bc
      ON bc.baseline_owner = v_owner AND bc.baseline_name = model_drift_check.baseline
     AND bc.column_name = u.c;
  IF v_owner IS NULL OR array_position(v_base, NULL) IS NOT NULL THEN
    RAISE EXCEPTION 'baseline "%" no longer has every column of the model', model_drift_check.baseline
      USING ERRCODE = 'undefined_object',
            HINT = 'Capture the baseline again, or recreate the model monitor.';
  END IF;
  RETURN @extschema@.model_drift_check(v_base, column_names, column_kinds, currents, n_rows,
                                       correction, alpha, tests,
                                       CASE WHEN auto_thresholds
                                            THEN drift.learned_thresholds(model_drift_check.baseline)
                                       END);
END
$fn$;
COMMENT ON FUNCTION model_drift_check(text, text[], text[], drift_profile[], bigint, text, float8,
                                      jsonb, boolean) IS
  'A model monitor''s judgement of one slice against the columns of a stored baseline '
  '(its learned thresholds with auto_thresholds)';

-- The previous window's profiles of a slice, joined to each of its rows.
CREATE FUNCTION drift.keep_first(state drift_profile[], next drift_profile[])
  RETURNS drift_profile[]
  AS 'MODULE_PATHNAME', 'drift_keep_first' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift.keep_first(drift_profile[], drift_profile[]) IS
  'Transition and combine function of drift.reference_profiles: keeps the first value';
CREATE AGGREGATE drift.reference_profiles(drift_profile[]) (
  SFUNC = drift.keep_first,
  STYPE = drift_profile[],
  COMBINEFUNC = drift.keep_first,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE drift.reference_profiles(drift_profile[]) IS
  'The first non-NULL value of a group: a model monitor reads the previous window''s profiles, '
  'the same on every row of a slice, through it';

INSERT INTO drift.metrics (name, kind, function_name, column_kind, expression,
                           profile_expression, profile_source, needs_baseline, needs_label,
                           comparison, default_threshold, description) VALUES
  ('dataset_drift', 'drift', 'model_drift_check', 'categorical', '{model}', '{model}',
   '{model_profiles}', true, false, 'at_least', 0.5,
   'Whole-model check of a model monitor (drift.create_model_monitor); breach when the share '
   'of drifted columns reaches the threshold (drift_share)');

-- The {model} expression of a model monitor's query: one drift_profile_agg
-- per column, all judged together ($3 is the baseline).
CREATE FUNCTION drift._model_expression(m drift.monitors) RETURNS text
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  mm drift.model_monitors;
BEGIN
  SELECT * INTO mm FROM drift.model_monitors x WHERE x.monitor_id = m.monitor_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'metric "dataset_drift" is for model monitors'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Create one with drift.create_model_monitor().';
  END IF;
  -- the reference: the baseline ($3), or the previous window's profiles of
  -- the same slice (prev.p, from the query's prev CTE built by
  -- {model_profiles}, through an aggregate as the check is none); with a
  -- prediction column, the model's quality beside it (75_model_quality.sql)
  RETURN drift._model_quality_expression(m, format(
                '@extschema@.model_drift_check(%s, %L::text[], %L::text[], %s, '
                'pg_catalog.count(*), %L::text, %s::float8, %L::jsonb, %s)',
                CASE WHEN m.compare_to = 'previous_window'
                     THEN 'drift.reference_profiles(prev.p)' ELSE '$3::text' END,
                mm.columns, mm.kinds, drift._model_profiles(m),
                mm.correction, mm.alpha, mm.tests,
                CASE WHEN m.compare_to = 'previous_window' THEN 'NULL::jsonb'
                     ELSE format('%L::boolean', mm.auto_thresholds) END));
END
$fn$;
COMMENT ON FUNCTION drift._model_expression(drift.monitors) IS
  'The expression a model monitor''s query computes per slice: every column profiled and judged';

-- {model_profiles}: every column of a model monitor profiled, as an array.
CREATE FUNCTION drift._model_profiles(m drift.monitors) RETURNS text
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT format('ARRAY[%s]::@extschema@.drift_profile[]',
                string_agg(drift.profile_expression(u.c, u.k), ', ' ORDER BY u.i))
    FROM drift.model_monitors mm, unnest(mm.columns, mm.kinds) WITH ORDINALITY u(c, k, i)
   WHERE mm.monitor_id = m.monitor_id
$fn$;
COMMENT ON FUNCTION drift._model_profiles(drift.monitors) IS
  'The array of drift_profile_agg calls that profiles every column of a model monitor';

-- A model run's per-column rows, beside each slice's dataset row, and its
-- quality rows (75_model_quality.sql).
CREATE FUNCTION drift._record_model_columns(results drift.results[], vals jsonb[]) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  INSERT INTO drift.model_results
    SELECT results[i].result_id, results[i].monitor_id, x.*
      FROM generate_subscripts(results, 1) AS i,
           jsonb_to_recordset(CASE WHEN jsonb_typeof(vals[i]) = 'object' THEN vals[i] -> 'columns' END)
             AS x(column_name text, column_kind text, test text, reason text, statistic float8,
                  p_value float8, adjusted_p_value float8, threshold float8, drifted boolean,
                  severity float8, rank integer, n_baseline bigint, n_current bigint,
                  distinct_values bigint, null_rate_baseline float8, null_rate_current float8,
                  null_rate_p_value float8, out_of_range_share float8,
                  unseen_category_share float8)
     WHERE results[i].state <> 'error';
  PERFORM drift._record_model_quality(results, vals);
END
$fn$;
COMMENT ON FUNCTION drift._record_model_columns(drift.results[], jsonb[]) IS
  'Write the per-column rows of a model-monitor run to drift.model_results (and its quality '
  'rows to drift.model_quality)';

CREATE FUNCTION drift._api_create_model_monitor(
    caller      oid,
    name        text,
    relation    regclass,
    baseline    text,
    time_column text,
    window_size interval,
    schedule    interval,
    columns     text[],
    correction  text,
    alpha       float8,
    drift_share float8,
    tests       jsonb,
    thresholds  text,
    compare_to  text,
    filter      text,
    slice_by    text[],
    min_rows    bigint,
    channel     text,
    fire_after  integer,
    max_retries integer,
    owner       name,
    paused      boolean,
    prediction_column text,
    label_column      text,
    label_relation    regclass,
    join_column       text,
    label_delay       interval,
    label_horizon     interval)
  RETURNS bigint
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_owner name := coalesce(_api_create_model_monitor.owner, pg_get_userbyid(caller));
  v_bowner name;
  v_cols  text[];
  v_kinds text[];
  id      bigint;
  m       drift.monitors;
BEGIN
  IF relation IS NULL OR baseline IS NULL THEN
    RAISE EXCEPTION 'relation and baseline must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = v_owner) THEN
    RAISE EXCEPTION 'role "%" does not exist', v_owner USING ERRCODE = 'undefined_object';
  END IF;
  IF NOT pg_has_role(caller, v_owner, 'MEMBER') THEN
    RAISE EXCEPTION 'permission denied to create a monitor owned by role "%"', v_owner
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF EXISTS (SELECT 1 FROM drift.monitors x
              WHERE x.name = _api_create_model_monitor.name AND x.owner = v_owner) THEN
    RAISE EXCEPTION 'monitor "%" already exists', _api_create_model_monitor.name
      USING ERRCODE = 'duplicate_object';
  END IF;
  IF drift_share IS NULL OR NOT (drift_share > 0 AND drift_share <= 1) THEN
    RAISE EXCEPTION 'drift_share must be in (0, 1], not %', drift_share
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'The model fires when this share of its columns drifted, such as 0.5.';
  END IF;
  IF thresholds IS NOT NULL AND thresholds <> 'auto' THEN
    RAISE EXCEPTION 'thresholds must be ''auto'' or NULL, not "%"', thresholds
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'auto uses the thresholds learned by drift.capture_chunks.';
  END IF;
  IF thresholds IS NOT NULL AND compare_to = 'previous_window' THEN
    RAISE EXCEPTION 'learned thresholds apply to comparisons with the baseline'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use thresholds => ''auto'' with compare_to => ''baseline''.';
  END IF;
  IF columns IS NOT NULL AND cardinality(columns) = 0 THEN
    RAISE EXCEPTION 'columns must not be empty'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Pass NULL (the default) to check every baseline column present in the relation.';
  END IF;
  -- the columns: as dataset_drift takes them, resolved now against the
  -- owner's baseline (the run reads the baseline as the owner)
  v_bowner := drift.baseline_owner(baseline, v_owner);
  IF v_bowner IS NULL THEN
    RAISE EXCEPTION 'baseline "%" does not exist', baseline
      USING ERRCODE = 'undefined_object',
            HINT = 'The monitor''s owner must own or see the baseline.';
  END IF;
  IF thresholds = 'auto' AND NOT EXISTS (
       SELECT 1 FROM drift.baseline_thresholds x
        WHERE x.baseline_owner = v_bowner AND x.baseline_name = baseline) THEN
    RAISE EXCEPTION 'baseline "%" has no learned thresholds', baseline
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Learn them with drift.capture_chunks(baseline, chunks).';
  END IF;
  SELECT array_agg(bc.column_name ORDER BY coalesce(u.i, a.attnum)),
         array_agg(bc.kind ORDER BY coalesce(u.i, a.attnum))
    INTO v_cols, v_kinds
    FROM drift.baseline_columns bc
    LEFT JOIN pg_attribute a ON a.attrelid = relation AND a.attname = bc.column_name
                            AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN LATERAL (SELECT x.i FROM unnest(columns) WITH ORDINALITY x(c, i)
                        WHERE x.c = bc.column_name LIMIT 1) u ON true
   WHERE bc.baseline_owner = v_bowner AND bc.baseline_name = baseline
     AND (columns IS NULL OR u.i IS NOT NULL) AND a.attnum IS NOT NULL
     AND (bc.kind <> 'numeric' OR drift.column_kind(relation, bc.column_name) = 'numeric');
  IF cardinality(coalesce(v_cols, '{}')) < cardinality(coalesce(columns, '{}')) THEN
    RAISE EXCEPTION 'columns names a column that baseline "%" and % do not both have (as numbers, if profiled so): %',
                    baseline, relation,
                    (SELECT string_agg(c, ', ') FROM unnest(columns) c WHERE c IS NULL OR c <> ALL (coalesce(v_cols, '{}')))
      USING ERRCODE = 'undefined_column';
  END IF;
  IF v_cols IS NULL THEN
    RAISE EXCEPTION 'no column of baseline "%" can be checked in %', baseline, relation
      USING ERRCODE = 'undefined_column';
  END IF;
  -- correction, alpha and tests exactly as each run will judge them: the
  -- baseline against itself
  PERFORM drift.judge_columns(v_cols, v_kinds, p.base, p.base, correction, alpha, tests)
     FROM (SELECT array_agg(bc.profile ORDER BY u.i) AS base
             FROM unnest(v_cols) WITH ORDINALITY u(c, i)
             JOIN drift.baseline_columns bc
               ON bc.baseline_owner = v_bowner AND bc.baseline_name = baseline
              AND bc.column_name = u.c) p;

  INSERT INTO drift.monitors AS x (name, owner, relation_oid, relation_name, metric, column_name,
                                   baseline, threshold, time_column, window_size, schedule,
                                   filter, slice_by, min_rows, channel, fire_after, max_retries,
                                   compare_to, paused, next_run, label_column,
                                   label_relation_oid, label_relation_name, join_column,
                                   label_delay, label_horizon)
  VALUES (_api_create_model_monitor.name, v_owner, relation, relation::text, 'dataset_drift',
          v_cols[1], baseline, drift_share, time_column, window_size,
          coalesce(schedule, '1 hour'), filter, nullif(slice_by, '{}'), coalesce(min_rows, 1),
          coalesce(channel, 'pg_drift'), coalesce(fire_after, 1), coalesce(max_retries, 3),
          coalesce(compare_to, 'baseline'), coalesce(paused, false), now(),
          _api_create_model_monitor.label_column, label_relation, label_relation::text,
          join_column, coalesce(label_delay, interval '0'), label_horizon)
  RETURNING * INTO m;
  INSERT INTO drift.model_monitors (monitor_id, columns, kinds, correction, alpha, tests,
                                    auto_thresholds, prediction_column)
  VALUES (m.monitor_id, v_cols, v_kinds, correction, alpha, tests, thresholds IS NOT NULL,
          prediction_column);
  -- the common validation (relation, privileges, window, slices, filter,
  -- and the whole query planned as the owner); an error undoes both rows
  PERFORM drift._check_monitor(m);
  PERFORM drift._wake_scheduler();
  RETURN m.monitor_id;
END
$fn$;
COMMENT ON FUNCTION drift._api_create_model_monitor(oid, text, regclass, text, text, interval,
  interval, text[], text, float8, float8, jsonb, text, text, text, text[], bigint, text, integer,
  integer, name, boolean, text, text, regclass, text, interval, interval) IS
  'drift.create_model_monitor for the calling role (reached only through it: src/worker/api_call.c)';

CREATE FUNCTION drift.create_model_monitor(
    name        text,
    relation    regclass,
    baseline    text,
    time_column text     DEFAULT NULL,
    window_size interval DEFAULT NULL,
    schedule    interval DEFAULT '1 hour',
    columns     text[]   DEFAULT NULL,
    correction  text     DEFAULT 'none',
    alpha       float8   DEFAULT 0.05,
    drift_share float8   DEFAULT 0.5,
    tests       jsonb    DEFAULT NULL,
    thresholds  text     DEFAULT NULL,
    compare_to  text     DEFAULT 'baseline',
    filter      text     DEFAULT NULL,
    slice_by    text[]   DEFAULT NULL,
    min_rows    bigint   DEFAULT 1,
    channel     text     DEFAULT 'pg_drift',
    fire_after  integer  DEFAULT 1,
    max_retries integer  DEFAULT 3,
    owner       name     DEFAULT current_user,
    paused      boolean  DEFAULT false,
    prediction_column text     DEFAULT NULL,
    label_column      text     DEFAULT NULL,
    label_relation    regclass DEFAULT NULL,
    join_column       text     DEFAULT NULL,
    label_delay       interval DEFAULT NULL,
    label_horizon     interval DEFAULT NULL)
  RETURNS bigint
  AS 'MODULE_PATHNAME', 'drift_api_call' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION drift.create_model_monitor(text, regclass, text, text, interval, interval,
  text[], text, float8, float8, jsonb, text, text, text, text[], bigint, text, integer, integer,
  name, boolean, text, text, regclass, text, interval, interval) IS
  'Declare a scheduled whole-model check: every column of a baseline (or those named) in one '
  'scan per run, a results row per column (drift.model_results) and one for the model, one '
  'alert per state change listing the drifted columns by rank; with prediction_column (and '
  'label_column, label_relation) the model''s realized and CBPE-estimated quality beside it '
  '(drift.model_quality); returns the monitor id';
