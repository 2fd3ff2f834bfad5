-- ---------------------------------------------------------------------------
-- Monitors: validation and the management functions
-- ---------------------------------------------------------------------------

-- Validate a monitor definition; raise a clear error for the first problem.
-- The one validator: create_monitor and alter_monitor both build the whole
-- new row and hand it here.
CREATE FUNCTION drift._check_monitor(m drift.monitors) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  met  drift.metrics;
  k    text;
  col  text;
BEGIN
  IF m.name IS NULL OR m.name = '' THEN
    RAISE EXCEPTION 'monitor name must not be empty' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF m.compare_to IS NULL OR m.compare_to NOT IN ('baseline', 'previous_window') THEN
    RAISE EXCEPTION 'compare_to must be ''baseline'' or ''previous_window'''
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF m.fire_after IS NULL OR m.fire_after < 1 OR m.max_retries IS NULL OR m.max_retries < 0
     OR m.min_rows IS NULL OR m.min_rows < 1 THEN
    RAISE EXCEPTION 'fire_after and min_rows must be at least 1, max_retries at least 0'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- NOTIFY refuses channel names of 64 bytes or more
  IF m.channel IS NULL OR m.channel = '' OR octet_length(m.channel) >= 64 THEN
    RAISE EXCEPTION 'channel must be a non-empty name shorter than 64 bytes'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT * INTO met FROM drift.metrics WHERE name = m.metric;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown metric "%"', m.metric
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'drift.metrics lists the metrics a monitor can run.';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_proc p
                  WHERE p.proname = met.function_name
                    AND p.pronamespace = '@extschema@'::regnamespace) THEN
    RAISE EXCEPTION 'metric "%" is not available in this database', m.metric
      USING ERRCODE = 'undefined_function',
            DETAIL = format('Function %s does not exist in schema %s.', met.function_name,
                            '@extschema@'),
            HINT = 'Update the pg_drift extension to a version that provides it.';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_class WHERE oid = m.relation_oid) THEN
    RAISE EXCEPTION 'relation "%" does not exist', m.relation_name
      USING ERRCODE = 'undefined_table';
  END IF;
  IF NOT has_table_privilege(m.owner, m.relation_oid, 'SELECT') THEN
    RAISE EXCEPTION 'permission denied: role "%" cannot read %', m.owner, m.relation_oid::regclass
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'A monitor reads its relation with its owner''s privileges.',
            HINT = 'GRANT SELECT on the relation to the monitor''s owner.';
  END IF;

  IF m.column_name IS NULL THEN
    RAISE EXCEPTION 'column_name is required' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  k := drift.column_kind(m.relation_oid, m.column_name);
  IF k IS NULL THEN
    RAISE EXCEPTION 'column "%" does not exist in %', m.column_name, m.relation_oid::regclass
      USING ERRCODE = 'undefined_column';
  END IF;
  IF k <> met.column_kind AND NOT (met.column_kind = 'categorical' AND k IN ('boolean', 'numeric')) THEN
    RAISE EXCEPTION 'metric "%" needs a % column, but "%" is %', m.metric, met.column_kind,
                    m.column_name, format_type((SELECT atttypid FROM pg_attribute
                                                 WHERE attrelid = m.relation_oid
                                                   AND attname = m.column_name), NULL)
      USING ERRCODE = 'datatype_mismatch';
  END IF;

  PERFORM drift._check_label_join(m, met);   -- labels in another relation (74_label_join.sql)
  IF met.needs_label THEN
    IF m.label_column IS NULL THEN
      RAISE EXCEPTION 'metric "%" needs label_column', m.metric
        USING ERRCODE = 'null_value_not_allowed',
              HINT = 'Name the column with the actual label (or the target, for corr).';
    END IF;
    -- the label is in the label relation when the monitor joins one (74_label_join.sql)
    k := drift.column_kind(coalesce(m.label_relation_oid, m.relation_oid), m.label_column);
    IF k IS NULL THEN
      RAISE EXCEPTION 'column "%" does not exist in %', m.label_column,
                      coalesce(m.label_relation_oid, m.relation_oid)::regclass
        USING ERRCODE = 'undefined_column';
    END IF;
    IF k <> met.label_kind THEN
      RAISE EXCEPTION 'metric "%" needs a % label column, but "%" is not', m.metric,
                      met.label_kind, m.label_column
        USING ERRCODE = 'datatype_mismatch';
    END IF;
  ELSIF m.label_column IS NOT NULL AND m.label_relation_oid IS NULL AND m.metric <> 'dataset_drift' THEN
    RAISE EXCEPTION 'metric "%" takes no label_column', m.metric
      USING ERRCODE = 'invalid_parameter_value';
  END IF;

  IF met.needs_baseline AND m.compare_to = 'baseline' THEN
    IF m.baseline IS NULL THEN
      RAISE EXCEPTION 'metric "%" needs a baseline', m.metric
        USING ERRCODE = 'null_value_not_allowed',
              HINT = 'Pass baseline => ''name'', or compare_to => ''previous_window''.';
    END IF;
    -- the run reads the baseline as the owner: the name must mean one to the owner
    IF drift.baseline_owner(m.baseline, m.owner) IS NULL THEN
      RAISE EXCEPTION 'baseline "%" does not exist', m.baseline
        USING ERRCODE = 'undefined_object';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM drift.baseline_columns c
                    WHERE c.baseline_name = m.baseline AND c.column_name = m.column_name
                      AND c.baseline_owner = drift.baseline_owner(m.baseline, m.owner)) THEN
      RAISE EXCEPTION 'baseline "%" has no column "%"', m.baseline, m.column_name
        USING ERRCODE = 'undefined_column',
              HINT = 'Capture the baseline with that column.';
    END IF;
  ELSIF m.baseline IS NOT NULL AND NOT met.needs_baseline THEN
    RAISE EXCEPTION 'metric "%" takes no baseline', m.metric
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF m.compare_to = 'previous_window' THEN
    IF met.profile_expression IS NULL THEN
      RAISE EXCEPTION 'metric "%" cannot compare with the previous window', m.metric
        USING ERRCODE = 'feature_not_supported';
    END IF;
    IF m.time_column IS NULL THEN
      RAISE EXCEPTION 'compare_to => ''previous_window'' needs time_column and window_size'
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
  END IF;

  IF m.time_column IS NOT NULL THEN
    k := drift.column_kind(m.relation_oid, m.time_column);
    IF k IS NULL THEN
      RAISE EXCEPTION 'column "%" does not exist in %', m.time_column, m.relation_oid::regclass
        USING ERRCODE = 'undefined_column';
    END IF;
    IF k <> 'time' THEN
      RAISE EXCEPTION 'time column "%" must be a timestamp, timestamptz or date', m.time_column
        USING ERRCODE = 'datatype_mismatch';
    END IF;
  END IF;
  IF (m.time_column IS NULL) <> (m.window_size IS NULL) THEN
    RAISE EXCEPTION 'time_column and window_size go together'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF m.window_size <= interval '0' THEN
    RAISE EXCEPTION 'window_size must be positive' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF m.schedule IS NULL OR m.schedule < interval '1 second' THEN
    RAISE EXCEPTION 'schedule must be at least 1 second'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOREACH col IN ARRAY coalesce(m.slice_by, '{}') LOOP
    IF col IS NULL OR drift.column_kind(m.relation_oid, col) IS NULL THEN
      RAISE EXCEPTION 'slice column "%" does not exist in %', col, m.relation_oid::regclass
        USING ERRCODE = 'undefined_column';
    END IF;
  END LOOP;

  IF met.comparison = 'p_value' THEN
    IF m.threshold IS NULL OR NOT (m.threshold > 0 AND m.threshold <= 1) THEN
      RAISE EXCEPTION 'threshold of metric "%" is a p-value and must be in (0, 1]', m.metric
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
  ELSIF met.comparison IN ('above', 'at_least') THEN
    IF m.threshold IS NULL OR m.threshold = 'NaN' THEN
      RAISE EXCEPTION 'metric "%" needs a threshold', m.metric
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'The monitor fires when the statistic exceeds the threshold.';
    END IF;
  ELSE
    IF m.threshold IS NOT NULL THEN
      RAISE EXCEPTION 'metric "%" takes lower_bound and upper_bound, not threshold', m.metric
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF m.lower_bound IS NULL AND m.upper_bound IS NULL THEN
      RAISE EXCEPTION 'metric "%" needs lower_bound or upper_bound', m.metric
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF m.lower_bound > m.upper_bound THEN
      RAISE EXCEPTION 'lower_bound % is above upper_bound %', m.lower_bound, m.upper_bound
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
  END IF;
  IF met.comparison <> 'bounds' AND (m.lower_bound IS NOT NULL OR m.upper_bound IS NOT NULL) THEN
    RAISE EXCEPTION 'metric "%" takes a threshold, not bounds', m.metric
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF m.min_effect IS NOT NULL AND met.comparison <> 'p_value' THEN
    RAISE EXCEPTION 'min_effect applies to tests with a p-value only'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;

  -- Finally let the planner check the whole query (types, filter, functions)
  -- without running it.  Planning runs the owner's code (IMMUTABLE functions
  -- are folded), so it happens as the owner, under the timeout.
  BEGIN
    PERFORM drift._run_check(NULL, m.owner, drift._monitor_sql(m), true,
                             now(), now(), m.baseline, m.column_name, now());
  EXCEPTION WHEN undefined_function THEN
    RAISE EXCEPTION 'metric "%" does not accept column "%" as given', m.metric, m.column_name
      USING ERRCODE = 'datatype_mismatch', DETAIL = SQLERRM;
  WHEN syntax_error OR undefined_column OR datatype_mismatch THEN
    RAISE EXCEPTION 'invalid monitor definition: %', SQLERRM
      USING ERRCODE = 'invalid_parameter_value',
            HINT = CASE WHEN m.filter IS NOT NULL THEN 'Check the filter.' END;
  END;
END
$fn$;
COMMENT ON FUNCTION drift._check_monitor(drift.monitors) IS
  'Validate a monitor definition: relation, columns, types, baseline, thresholds, privileges';

-- The parts of a check's SQL that every form of it shares: the slice key
-- expression and its grouping, the filter, and the metric's expression with
-- the row's columns and the $n parameters in place (value2: the label's SQL,
-- t.<label_column> or, for labels in another relation, the joined label).
CREATE FUNCTION drift._monitor_parts(m drift.monitors, value2 text,
                                     OUT slice text, OUT grp text, OUT filter text,
                                     OUT expr text)
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  met   drift.metrics;
  pairs text[] := '{}';
  col   text;
BEGIN
  SELECT * INTO STRICT met FROM drift.metrics WHERE name = m.metric;
  slice := '''{}''::jsonb';
  -- one row per slice seen; unsliced, one row unless the window is empty
  -- (without grouping by a constant, which costs a comparison per row)
  grp := ' HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 0';
  FOREACH col IN ARRAY coalesce(m.slice_by, '{}') LOOP
    pairs := pairs || format('%L::text, t.%I', col, col);
  END LOOP;
  IF cardinality(pairs) > 0 THEN
    slice := format('pg_catalog.jsonb_build_object(%s)', array_to_string(pairs, ', '));
    grp := ' GROUP BY 1';
  END IF;
  filter := CASE WHEN m.filter IS NULL THEN 'true' ELSE format('(%s)', m.filter) END;
  expr := CASE WHEN m.compare_to = 'previous_window' THEN met.profile_expression
               ELSE met.expression END;
  -- a model monitor's one expression over all its columns (73_model_monitor.sql)
  IF position('{model}' IN expr) > 0 THEN
    expr := replace(expr, '{model}', drift._model_expression(m));
  END IF;
  expr := replace(expr, '{value}', format('t.%I', m.column_name));
  IF value2 IS NOT NULL THEN
    expr := replace(expr, '{value2}', value2);
  END IF;
  expr := replace(expr, '{baseline}', '$3::text');
  expr := replace(expr, '{column}', '$4::text');
  expr := replace(expr, '{profile}', 'prev.p');
END
$fn$;
COMMENT ON FUNCTION drift._monitor_parts(drift.monitors, text) IS
  'Slice key, grouping, filter and metric expression of a monitor''s check SQL';

-- The SQL of one check.  Identifiers are quoted with %I; values (window
-- bounds, baseline and column names) are $n parameters:
--   $1 window start, $2 window end, $3 baseline, $4 baseline column,
--   $5 start of the previous window.
-- Output: one row per slice with (slice jsonb, n_rows bigint, r jsonb).
CREATE FUNCTION drift._monitor_query(m drift.monitors) RETURNS text
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  p      record := drift._monitor_parts(m, CASE WHEN m.label_column IS NOT NULL
                                                THEN format('t.%I', m.label_column) END);
  wherec text := p.filter;
  src    text := format('%s AS t', m.relation_oid::regclass);
  q      text := '';
  psrc   text;
BEGIN
  IF m.compare_to = 'previous_window' THEN
    psrc := (SELECT x.profile_source FROM drift.metrics x WHERE x.name = m.metric);
    -- a model monitor profiles all its columns in the previous window
    IF position('{model_profiles}' IN psrc) > 0 THEN
      psrc := replace(psrc, '{model_profiles}', drift._model_profiles(m));
    END IF;
    q := format('WITH prev AS (SELECT %s AS slice, %s AS p FROM %s'
                ' WHERE t.%I >= $5 AND t.%I < $1 AND %s%s) ',
                p.slice, replace(psrc, '{value}', format('t.%I', m.column_name)),
                src, m.time_column, m.time_column, wherec, p.grp);
    src := src || format(' JOIN prev ON prev.slice OPERATOR(pg_catalog.=) %s', p.slice);
  END IF;
  IF m.time_column IS NOT NULL THEN
    wherec := format('t.%I >= $1 AND t.%I < $2 AND %s', m.time_column, m.time_column, wherec);
  END IF;
  RETURN q || format('SELECT s.slice, s.n_rows, pg_catalog.to_jsonb(s.r) AS r FROM ('
                     'SELECT %s AS slice, pg_catalog.count(*) AS n_rows, %s AS r'
                     ' FROM %s WHERE %s%s) s',
                     p.slice, p.expr, src, wherec, p.grp);
END
$fn$;
COMMENT ON FUNCTION drift._monitor_query(drift.monitors) IS
  'The SQL a monitor runs: quoted identifiers, values as $n parameters, one row per slice';

CREATE FUNCTION drift._api_create_monitor(
    caller       oid,
    name         text,
    relation     regclass,
    metric       text,
    column_name  text,
    baseline     text,
    threshold    float8,
    time_column  text,
    window_size  interval,
    schedule     interval,
    filter       text,
    slice_by     text[],
    min_rows     bigint,
    channel      text,
    label_column text,
    lower_bound  float8,
    upper_bound  float8,
    min_effect   float8,
    compare_to   text,
    fire_after   integer,
    max_retries  integer,
    owner        name,
    paused       boolean,
    label_relation regclass,
    join_column  text,
    label_delay  interval,
    label_horizon interval)
  RETURNS bigint
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m   drift.monitors;
  met drift.metrics;
  id  bigint;
BEGIN
  IF _api_create_monitor.relation IS NULL THEN
    RAISE EXCEPTION 'relation must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  -- names are per owner (another role's monitor neither blocks nor shows)
  IF EXISTS (SELECT 1 FROM drift.monitors x
              WHERE x.name = _api_create_monitor.name
                AND x.owner = coalesce(_api_create_monitor.owner, pg_get_userbyid(caller))) THEN
    RAISE EXCEPTION 'monitor "%" already exists', _api_create_monitor.name
      USING ERRCODE = 'duplicate_object';
  END IF;
  SELECT * INTO met FROM drift.metrics x WHERE x.name = _api_create_monitor.metric;

  m.name := _api_create_monitor.name;
  m.owner := coalesce(_api_create_monitor.owner, pg_get_userbyid(caller));
  m.relation_oid := _api_create_monitor.relation;
  m.relation_name := _api_create_monitor.relation::text;
  m.metric := _api_create_monitor.metric;
  m.column_name := _api_create_monitor.column_name;
  m.label_column := _api_create_monitor.label_column;
  m.baseline := _api_create_monitor.baseline;
  m.threshold := coalesce(_api_create_monitor.threshold, met.default_threshold);
  m.lower_bound := _api_create_monitor.lower_bound;
  m.upper_bound := _api_create_monitor.upper_bound;
  m.min_effect := _api_create_monitor.min_effect;
  m.time_column := _api_create_monitor.time_column;
  m.window_size := _api_create_monitor.window_size;
  m.schedule := _api_create_monitor.schedule;
  m.filter := _api_create_monitor.filter;
  m.slice_by := nullif(_api_create_monitor.slice_by, '{}');
  m.min_rows := _api_create_monitor.min_rows;
  m.channel := _api_create_monitor.channel;
  m.compare_to := _api_create_monitor.compare_to;
  m.fire_after := _api_create_monitor.fire_after;
  m.max_retries := _api_create_monitor.max_retries;
  m.paused := coalesce(_api_create_monitor.paused, false);
  m.label_relation_oid := _api_create_monitor.label_relation;
  m.label_relation_name := _api_create_monitor.label_relation::text;
  m.join_column := _api_create_monitor.join_column;
  m.label_delay := coalesce(_api_create_monitor.label_delay, interval '0');
  m.label_horizon := _api_create_monitor.label_horizon;
  IF NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = m.owner) THEN
    RAISE EXCEPTION 'role "%" does not exist', m.owner USING ERRCODE = 'undefined_object';
  END IF;
  IF NOT pg_has_role(caller, m.owner, 'MEMBER') THEN
    RAISE EXCEPTION 'permission denied to create a monitor owned by role "%"', m.owner
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM drift._check_monitor(m);

  INSERT INTO drift.monitors AS x (name, owner, relation_oid, relation_name, metric, column_name,
                              label_column, baseline, threshold, lower_bound, upper_bound,
                              min_effect, time_column, window_size, schedule, filter, slice_by,
                              min_rows, channel, compare_to, fire_after, max_retries, paused,
                              next_run, label_relation_oid, label_relation_name, join_column,
                              label_delay, label_horizon)
  VALUES (m.name, m.owner, m.relation_oid, m.relation_name, m.metric, m.column_name,
          m.label_column, m.baseline, m.threshold, m.lower_bound, m.upper_bound, m.min_effect,
          m.time_column, m.window_size, m.schedule, m.filter, m.slice_by, m.min_rows, m.channel,
          m.compare_to, m.fire_after, m.max_retries, m.paused, now(), m.label_relation_oid,
          m.label_relation_name, m.join_column, m.label_delay, m.label_horizon)
  RETURNING x.monitor_id INTO id;
  PERFORM drift._wake_scheduler();
  RETURN id;
END
$fn$;
COMMENT ON FUNCTION drift._api_create_monitor(oid, text, regclass, text, text, text, float8, text, interval,
  interval, text, text[], bigint, text, text, float8, float8, float8, text, integer, integer,
  name, boolean, regclass, text, interval, interval) IS
  'drift.create_monitor for the calling role (reached only through it: src/worker/api_call.c)';
CREATE FUNCTION drift.create_monitor(
    name         text,
    relation     regclass,
    metric       text     DEFAULT 'ks',
    column_name  text     DEFAULT NULL,
    baseline     text     DEFAULT NULL,
    threshold    float8   DEFAULT NULL,
    time_column  text     DEFAULT NULL,
    window_size  interval DEFAULT NULL,
    schedule     interval DEFAULT '1 hour',
    filter       text     DEFAULT NULL,
    slice_by     text[]   DEFAULT NULL,
    min_rows     bigint   DEFAULT 1,
    channel      text     DEFAULT 'pg_drift',
    label_column text     DEFAULT NULL,
    lower_bound  float8   DEFAULT NULL,
    upper_bound  float8   DEFAULT NULL,
    min_effect   float8   DEFAULT NULL,
    compare_to   text     DEFAULT 'baseline',
    fire_after   integer  DEFAULT 1,
    max_retries  integer  DEFAULT 3,
    owner        name     DEFAULT current_user,
    paused       boolean  DEFAULT false,
    label_relation regclass DEFAULT NULL,
    join_column  text     DEFAULT NULL,
    label_delay  interval DEFAULT NULL,
    label_horizon interval DEFAULT NULL)
  RETURNS bigint
  AS 'MODULE_PATHNAME', 'drift_api_call' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION drift.create_monitor(text, regclass, text, text, text, float8, text, interval,
  interval, text, text[], bigint, text, text, float8, float8, float8, text, integer, integer,
  name, boolean, regclass, text, interval, interval) IS
  'Declare a scheduled check of a relation; validated now, first run as soon as the scheduler '
  'sees it; returns the monitor id';

-- Whether caller may see (and pause, resume) monitors owned by owner.  The
-- API runs as the extension owner (src/worker/api_call.c), so this decides what the
-- row-level security policy on drift.monitors decides for the caller's own
-- queries: the owner's roles, drift_admin, superusers.
CREATE FUNCTION drift._may_see(caller oid, owner name) RETURNS boolean
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT pg_has_role(caller, owner, 'MEMBER') OR pg_has_role(caller, 'drift_admin', 'MEMBER')
$fn$;
COMMENT ON FUNCTION drift._may_see(oid, name) IS
  'Whether a role may see monitors of an owner (the owner''s roles, drift_admin, superusers)';

-- The monitor a caller names, locked for change; errors when not visible.
-- Names are per owner: the caller's own monitor of that name, else the only
-- one the caller may see (drift_admin members see everyone's), else an
-- ambiguity error naming the owners (whom the caller may see anyway).
CREATE FUNCTION drift._get_monitor(caller oid, monitor_name text) RETURNS drift.monitors
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m      drift.monitors;
  owners name[];
BEGIN
  SELECT * INTO m FROM drift.monitors x
   WHERE x.name = monitor_name AND x.owner = pg_get_userbyid(caller)
     FOR UPDATE;
  IF FOUND THEN
    RETURN m;
  END IF;
  SELECT array_agg(x.owner ORDER BY x.owner) INTO owners
    FROM drift.monitors x
   WHERE x.name = monitor_name AND drift._may_see(caller, x.owner);
  IF cardinality(owners) > 1 THEN
    RAISE EXCEPTION 'monitor name "%" is ambiguous', monitor_name
      USING ERRCODE = 'ambiguous_alias',
            DETAIL = format('Monitors of that name belong to %s.',
                            array_to_string(owners, ', ')),
            HINT = 'Run the command as (SET ROLE) the owner of the monitor you mean.';
  END IF;
  SELECT * INTO m FROM drift.monitors x
   WHERE x.name = monitor_name AND drift._may_see(caller, x.owner)
     FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'monitor "%" does not exist', monitor_name
      USING ERRCODE = 'undefined_object',
            HINT = 'drift.monitor_status lists the monitors you can see.';
  END IF;
  RETURN m;
END
$fn$;
COMMENT ON FUNCTION drift._get_monitor(oid, text) IS
  'Look up and lock a monitor visible to the calling role (own first, else the only visible '
  'one), or raise undefined_object or ambiguous_alias';

CREATE FUNCTION drift._api_alter_monitor(
    caller       oid,
    name         text,
    relation     regclass,
    metric       text,
    column_name  text,
    baseline     text,
    threshold    float8,
    time_column  text,
    window_size  interval,
    schedule     interval,
    filter       text,
    slice_by     text[],
    min_rows     bigint,
    channel      text,
    label_column text,
    lower_bound  float8,
    upper_bound  float8,
    min_effect   float8,
    compare_to   text,
    fire_after   integer,
    max_retries  integer,
    reset        text[],
    label_relation regclass,
    join_column  text,
    label_delay  interval,
    label_horizon interval,
    prediction_column text)
  RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  old  drift.monitors;
  m    drift.monitors;
  v    jsonb;
  f    text;
BEGIN
  old := drift._get_monitor(caller, _api_alter_monitor.name);
  IF NOT pg_has_role(caller, old.owner, 'MEMBER') THEN
    RAISE EXCEPTION 'permission denied to change monitor "%" owned by role "%"',
                    old.name, old.owner
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'A monitor reads data with its owner''s privileges.',
            HINT = 'Members of drift_admin may pause, resume and drop other roles'' monitors.';
  END IF;
  v := to_jsonb(old) || jsonb_strip_nulls(jsonb_build_object(
         'relation_oid', _api_alter_monitor.relation::oid,
         'relation_name', _api_alter_monitor.relation::text,
         'metric', _api_alter_monitor.metric, 'column_name', _api_alter_monitor.column_name,
         'baseline', _api_alter_monitor.baseline, 'threshold', _api_alter_monitor.threshold,
         'time_column', _api_alter_monitor.time_column, 'window_size', _api_alter_monitor.window_size,
         'schedule', _api_alter_monitor.schedule, 'filter', _api_alter_monitor.filter,
         'slice_by', _api_alter_monitor.slice_by, 'min_rows', _api_alter_monitor.min_rows,
         'channel', _api_alter_monitor.channel, 'label_column', _api_alter_monitor.label_column,
         'lower_bound', _api_alter_monitor.lower_bound, 'upper_bound', _api_alter_monitor.upper_bound,
         'min_effect', _api_alter_monitor.min_effect, 'compare_to', _api_alter_monitor.compare_to,
         'fire_after', _api_alter_monitor.fire_after, 'max_retries', _api_alter_monitor.max_retries,
         'label_relation_oid', _api_alter_monitor.label_relation::oid,
         'label_relation_name', _api_alter_monitor.label_relation::text,
         'join_column', _api_alter_monitor.join_column,
         'label_delay', _api_alter_monitor.label_delay,
         'label_horizon', _api_alter_monitor.label_horizon));
  FOREACH f IN ARRAY coalesce(_api_alter_monitor.reset, '{}') LOOP
    IF f IS NULL OR f NOT IN ('baseline', 'threshold', 'time_column', 'window_size', 'filter',
                              'slice_by', 'label_column', 'lower_bound', 'upper_bound',
                              'min_effect', 'label_relation', 'join_column', 'label_delay',
                              'label_horizon', 'prediction_column') THEN
      RAISE EXCEPTION 'cannot reset "%"', f
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'reset takes: baseline, threshold, time_column, window_size, filter, '
                     'slice_by, label_column, lower_bound, upper_bound, min_effect, '
                     'label_relation, join_column, label_delay, label_horizon, '
                     'prediction_column.';
    END IF;
    -- a reset label_relation clears its OID and name; label_delay is back to none
    v := v || CASE f WHEN 'label_relation'
                     THEN jsonb_build_object('label_relation_oid', NULL, 'label_relation_name', NULL)
                     WHEN 'label_delay' THEN jsonb_build_object(f, interval '0')
                     WHEN 'prediction_column' THEN '{}'
                     ELSE jsonb_build_object(f, NULL) END;
  END LOOP;
  m := jsonb_populate_record(NULL::drift.monitors, v);
  m.slice_by := nullif(m.slice_by, '{}');
  IF m.metric IS DISTINCT FROM old.metric AND _api_alter_monitor.threshold IS NULL
     AND NOT ('threshold' = ANY (coalesce(_api_alter_monitor.reset, '{}'))) THEN
    m.threshold := (SELECT x.default_threshold FROM drift.metrics x WHERE x.name = m.metric);
  END IF;
  -- a model monitor's prediction column is with its model settings
  -- (75_model_quality.sql); _check_monitor validates it from there
  IF _api_alter_monitor.prediction_column IS NOT NULL
     OR 'prediction_column' = ANY (coalesce(_api_alter_monitor.reset, '{}')) THEN
    UPDATE drift.model_monitors x
       SET prediction_column = CASE WHEN 'prediction_column' = ANY (_api_alter_monitor.reset)
                                    THEN NULL ELSE _api_alter_monitor.prediction_column END
     WHERE x.monitor_id = old.monitor_id AND m.metric = 'dataset_drift';
    IF NOT FOUND THEN
      RAISE EXCEPTION 'prediction_column applies to model monitors only'
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'A column monitor''s prediction is its column_name.';
    END IF;
  END IF;
  PERFORM drift._check_monitor(m);

  UPDATE drift.monitors x SET
    relation_oid = m.relation_oid, relation_name = m.relation_name, metric = m.metric,
    column_name = m.column_name, label_column = m.label_column, baseline = m.baseline,
    threshold = m.threshold, lower_bound = m.lower_bound, upper_bound = m.upper_bound,
    min_effect = m.min_effect, time_column = m.time_column, window_size = m.window_size,
    schedule = m.schedule, filter = m.filter, slice_by = m.slice_by, min_rows = m.min_rows,
    channel = m.channel, compare_to = m.compare_to, fire_after = m.fire_after,
    max_retries = m.max_retries, label_relation_oid = m.label_relation_oid,
    label_relation_name = m.label_relation_name, join_column = m.join_column,
    label_delay = m.label_delay, label_horizon = m.label_horizon,
    next_run = least(x.next_run, now() + m.schedule),
    -- what is measured changed: earlier per-slice states no longer apply
    slice_state = CASE WHEN (m.relation_oid, m.metric, m.column_name, m.label_column,
                             m.baseline, m.slice_by, m.compare_to, m.label_relation_oid,
                             m.join_column)
                            IS DISTINCT FROM
                            (old.relation_oid, old.metric, old.column_name, old.label_column,
                             old.baseline, old.slice_by, old.compare_to, old.label_relation_oid,
                             old.join_column)
                       THEN '{}'::jsonb ELSE x.slice_state END
  WHERE x.monitor_id = old.monitor_id;
  PERFORM drift._wake_scheduler();
END
$fn$;
COMMENT ON FUNCTION drift._api_alter_monitor(oid, text, regclass, text, text, text, float8, text, interval,
  interval, text, text[], bigint, text, text, float8, float8, float8, text, integer, integer,
  text[], regclass, text, interval, interval, text) IS
  'drift.alter_monitor for the calling role (reached only through it: src/worker/api_call.c)';
CREATE FUNCTION drift.alter_monitor(
    name         text,
    relation     regclass DEFAULT NULL,
    metric       text     DEFAULT NULL,
    column_name  text     DEFAULT NULL,
    baseline     text     DEFAULT NULL,
    threshold    float8   DEFAULT NULL,
    time_column  text     DEFAULT NULL,
    window_size  interval DEFAULT NULL,
    schedule     interval DEFAULT NULL,
    filter       text     DEFAULT NULL,
    slice_by     text[]   DEFAULT NULL,
    min_rows     bigint   DEFAULT NULL,
    channel      text     DEFAULT NULL,
    label_column text     DEFAULT NULL,
    lower_bound  float8   DEFAULT NULL,
    upper_bound  float8   DEFAULT NULL,
    min_effect   float8   DEFAULT NULL,
    compare_to   text     DEFAULT NULL,
    fire_after   integer  DEFAULT NULL,
    max_retries  integer  DEFAULT NULL,
    reset        text[]   DEFAULT NULL,
    label_relation regclass DEFAULT NULL,
    join_column  text     DEFAULT NULL,
    label_delay  interval DEFAULT NULL,
    label_horizon interval DEFAULT NULL,
    prediction_column text DEFAULT NULL)
  RETURNS void
  AS 'MODULE_PATHNAME', 'drift_api_call' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION drift.alter_monitor(text, regclass, text, text, text, float8, text, interval,
  interval, text, text[], bigint, text, text, float8, float8, float8, text, integer, integer,
  text[], regclass, text, interval, interval, text) IS
  'Change a monitor: NULL arguments keep the current value, reset => ARRAY[...] clears fields '
  '(label settings included; prediction_column of model monitors)';

CREATE FUNCTION drift._api_pause_monitor(caller oid, name text) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m drift.monitors := drift._get_monitor(caller, _api_pause_monitor.name);
BEGIN
  UPDATE drift.monitors x SET paused = true WHERE x.monitor_id = m.monitor_id;
END
$fn$;
COMMENT ON FUNCTION drift._api_pause_monitor(oid, text) IS
  'drift.pause_monitor for the calling role (reached only through it: src/worker/api_call.c)';
CREATE FUNCTION drift.pause_monitor(name text) RETURNS void
  AS 'MODULE_PATHNAME', 'drift_api_call' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION drift.pause_monitor(text) IS 'Stop running a monitor until resumed';

CREATE FUNCTION drift._api_resume_monitor(caller oid, name text) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m drift.monitors := drift._get_monitor(caller, _api_resume_monitor.name);
BEGIN
  -- a resumed monitor runs once now, not once per slot missed while paused
  UPDATE drift.monitors x SET paused = false, next_run = least(x.next_run, now()),
                              consecutive_failures = 0
   WHERE x.monitor_id = m.monitor_id AND x.paused;
  PERFORM drift._wake_scheduler();
END
$fn$;
COMMENT ON FUNCTION drift._api_resume_monitor(oid, text) IS
  'drift.resume_monitor for the calling role (reached only through it: src/worker/api_call.c)';
CREATE FUNCTION drift.resume_monitor(name text) RETURNS void
  AS 'MODULE_PATHNAME', 'drift_api_call' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION drift.resume_monitor(text) IS
  'Run a paused monitor again (once now, then on its schedule)';

CREATE FUNCTION drift._api_drop_monitor(caller oid, name text, if_exists boolean)
  RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m drift.monitors;
BEGIN
  IF if_exists AND NOT EXISTS (SELECT 1 FROM drift.monitors x
                                WHERE x.name = _api_drop_monitor.name
                                  AND drift._may_see(caller, x.owner)) THEN
    RETURN;
  END IF;
  m := drift._get_monitor(caller, _api_drop_monitor.name);
  DELETE FROM drift.monitors x WHERE x.monitor_id = m.monitor_id;
END
$fn$;
COMMENT ON FUNCTION drift._api_drop_monitor(oid, text, boolean) IS
  'drift.drop_monitor for the calling role (reached only through it: src/worker/api_call.c)';
CREATE FUNCTION drift.drop_monitor(name text, if_exists boolean DEFAULT false) RETURNS void
  AS 'MODULE_PATHNAME', 'drift_api_call' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION drift.drop_monitor(text, boolean) IS
  'Delete a monitor with its results and alerts';
