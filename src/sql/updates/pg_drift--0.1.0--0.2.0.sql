-- pg_drift update from 0.1.0 to 0.2.0.
--
-- Every SQL change of 0.2.0 goes here as well as into src/sql/*.sql (the
-- fresh install script): ALTER EXTENSION pg_drift UPDATE runs this file on a
-- 0.1.0 install (src/sql/releases/pg_drift--0.1.0.sql), and test/t/004_upgrade.pl
-- checks that the result equals a fresh 0.2.0 install object for object
-- (test/sql/extension_objects.sql) and that no baseline, monitor, result or
-- alert is lost.
--
-- What keeps the two equal: a changed function body by CREATE OR REPLACE (DROP
-- and CREATE, with its COMMENT and GRANT/REVOKE again, when the signature or
-- result type changes); ALTER TABLE ... ADD COLUMN appends, so the fresh script
-- declares new columns last too; rows of drift.metrics are the extension's, so
-- a new or changed metric is an INSERT or UPDATE here.

\echo Use "ALTER EXTENSION pg_drift UPDATE TO '0.2.0'" to load this file. \quit


-- ---------------------------------------------------------------------------
-- Names are per owner (security review: a global name revealed another
-- role's hidden baseline or monitor through a duplicate-key error and
-- blocked that name).  Baselines are keyed by (owner, name), and their child
-- rows name the owner too.
-- ---------------------------------------------------------------------------

ALTER TABLE drift.baseline_columns DROP CONSTRAINT baseline_columns_baseline_name_fkey;
ALTER TABLE drift.baseline_correlations DROP CONSTRAINT baseline_correlations_baseline_name_fkey;
ALTER TABLE drift.baseline_metrics DROP CONSTRAINT baseline_metrics_baseline_name_fkey;
ALTER TABLE drift.baselines DROP CONSTRAINT baselines_pkey;
ALTER TABLE drift.baselines ADD PRIMARY KEY (owner, name);

ALTER TABLE drift.baseline_columns ADD COLUMN baseline_owner name;
ALTER TABLE drift.baseline_correlations ADD COLUMN baseline_owner name;
ALTER TABLE drift.baseline_metrics ADD COLUMN baseline_owner name;
-- names were unique in 0.1.0, so each child row has exactly one baseline
UPDATE drift.baseline_columns c SET baseline_owner = b.owner
  FROM drift.baselines b WHERE b.name = c.baseline_name;
UPDATE drift.baseline_correlations c SET baseline_owner = b.owner
  FROM drift.baselines b WHERE b.name = c.baseline_name;
UPDATE drift.baseline_metrics c SET baseline_owner = b.owner
  FROM drift.baselines b WHERE b.name = c.baseline_name;
ALTER TABLE drift.baseline_columns ALTER COLUMN baseline_owner SET NOT NULL;
ALTER TABLE drift.baseline_correlations ALTER COLUMN baseline_owner SET NOT NULL;
ALTER TABLE drift.baseline_metrics ALTER COLUMN baseline_owner SET NOT NULL;

ALTER TABLE drift.baseline_columns DROP CONSTRAINT baseline_columns_pkey;
ALTER TABLE drift.baseline_columns ADD PRIMARY KEY (baseline_owner, baseline_name, column_name);
ALTER TABLE drift.baseline_columns ADD FOREIGN KEY (baseline_owner, baseline_name)
  REFERENCES drift.baselines (owner, name) ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE drift.baseline_correlations DROP CONSTRAINT baseline_correlations_pkey;
ALTER TABLE drift.baseline_correlations ADD PRIMARY KEY (baseline_owner, baseline_name, column_name);
ALTER TABLE drift.baseline_correlations ADD FOREIGN KEY (baseline_owner, baseline_name)
  REFERENCES drift.baselines (owner, name) ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE drift.baseline_metrics DROP CONSTRAINT baseline_metrics_pkey;
ALTER TABLE drift.baseline_metrics ADD PRIMARY KEY (baseline_owner, baseline_name, metric);
ALTER TABLE drift.baseline_metrics ADD FOREIGN KEY (baseline_owner, baseline_name)
  REFERENCES drift.baselines (owner, name) ON DELETE CASCADE ON UPDATE CASCADE;

ALTER POLICY baseline_columns_by_owner ON drift.baseline_columns
  USING (EXISTS (SELECT 1 FROM drift.baselines b
                  WHERE b.name OPERATOR(pg_catalog.=) baseline_name
                    AND b.owner OPERATOR(pg_catalog.=) baseline_owner));
ALTER POLICY baseline_correlations_by_owner ON drift.baseline_correlations
  USING (EXISTS (SELECT 1 FROM drift.baselines b
                  WHERE b.name OPERATOR(pg_catalog.=) baseline_name
                    AND b.owner OPERATOR(pg_catalog.=) baseline_owner));
ALTER POLICY baseline_metrics_by_owner ON drift.baseline_metrics
  USING (EXISTS (SELECT 1 FROM drift.baselines b
                  WHERE b.name OPERATOR(pg_catalog.=) baseline_name
                    AND b.owner OPERATOR(pg_catalog.=) baseline_owner));

ALTER TABLE drift.monitors DROP CONSTRAINT monitors_name_key;
ALTER TABLE drift.monitors ADD UNIQUE (owner, name);

-- ---------------------------------------------------------------------------
-- Monitors are written only through the API (src/worker/api_call.c), which
-- validates them and runs the owner's code only as the owner; the guard
-- trigger that checked direct writes is gone with the direct writes.
-- NOTIFY refuses channels of 64 bytes or more: such monitors could never
-- alert, so they get the default channel.
-- ---------------------------------------------------------------------------

DROP TRIGGER monitors_guard ON drift.monitors;
DROP FUNCTION drift._monitors_guard();
UPDATE drift.monitors SET channel = 'pg_drift' WHERE octet_length(channel) >= 64;
ALTER TABLE drift.monitors DROP CONSTRAINT monitors_channel_check;
ALTER TABLE drift.monitors ADD CONSTRAINT monitors_channel_check
  CHECK (channel <> '' AND pg_catalog.octet_length(channel) < 64);

-- no role under row-level security inserts results or alerts any more
DROP POLICY results_write ON drift.results;
DROP POLICY alerts_write ON drift.alerts;

REVOKE INSERT, UPDATE ON drift.monitors FROM PUBLIC;
REVOKE INSERT ON drift.results, drift.alerts FROM PUBLIC;
REVOKE USAGE ON SEQUENCE drift.monitors_monitor_id_seq, drift.results_result_id_seq,
                         drift.alerts_alert_id_seq FROM PUBLIC;

-- The timeout lives in the C function that runs the owner's query
-- (drift._run_check); the functions that armed and disarmed it from SQL,
-- and the old way to run the owner's query, are gone.
DROP FUNCTION drift._arm_timeout();
DROP FUNCTION drift._disarm_timeout();
DROP FUNCTION drift._exec_as_owner(name, text, timestamptz, timestamptz, text, text, timestamptz);
-- now takes the calling role (the API runs as the extension owner)
DROP FUNCTION drift._get_monitor(text);
-- one column classifier for baselines, metrics and monitors: drift.column_kind
DROP FUNCTION drift._column_kind(oid, text);

-- ---------------------------------------------------------------------------
-- State types are named drift_*_state like the others (they live in the
-- extension's schema, often public, next to users' own types).  Functions,
-- aggregates and stored values follow a type by OID; the I/O functions are
-- renamed after their type and keep their C symbols.
-- ---------------------------------------------------------------------------
ALTER TYPE @extschema@.binary_metrics_state RENAME TO drift_binary_metrics_state;
ALTER TYPE @extschema@.regression_metrics_state RENAME TO drift_regression_metrics_state;
ALTER TYPE @extschema@.metric_mean_state RENAME TO drift_metric_mean_state;
ALTER TYPE @extschema@.roc_state RENAME TO drift_roc_state;
ALTER TYPE @extschema@.multiclass_metrics_state RENAME TO drift_multiclass_metrics_state;
ALTER FUNCTION @extschema@.binary_metrics_state_in(cstring) RENAME TO drift_binary_metrics_state_in;
ALTER FUNCTION @extschema@.binary_metrics_state_out(@extschema@.drift_binary_metrics_state) RENAME TO drift_binary_metrics_state_out;
ALTER FUNCTION @extschema@.binary_metrics_state_recv(internal) RENAME TO drift_binary_metrics_state_recv;
ALTER FUNCTION @extschema@.binary_metrics_state_send(@extschema@.drift_binary_metrics_state) RENAME TO drift_binary_metrics_state_send;
ALTER FUNCTION @extschema@.regression_metrics_state_in(cstring) RENAME TO drift_regression_metrics_state_in;
ALTER FUNCTION @extschema@.regression_metrics_state_out(@extschema@.drift_regression_metrics_state) RENAME TO drift_regression_metrics_state_out;
ALTER FUNCTION @extschema@.regression_metrics_state_recv(internal) RENAME TO drift_regression_metrics_state_recv;
ALTER FUNCTION @extschema@.regression_metrics_state_send(@extschema@.drift_regression_metrics_state) RENAME TO drift_regression_metrics_state_send;
ALTER FUNCTION @extschema@.metric_mean_state_in(cstring) RENAME TO drift_metric_mean_state_in;
ALTER FUNCTION @extschema@.metric_mean_state_out(@extschema@.drift_metric_mean_state) RENAME TO drift_metric_mean_state_out;
ALTER FUNCTION @extschema@.metric_mean_state_recv(internal) RENAME TO drift_metric_mean_state_recv;
ALTER FUNCTION @extschema@.metric_mean_state_send(@extschema@.drift_metric_mean_state) RENAME TO drift_metric_mean_state_send;
ALTER FUNCTION @extschema@.roc_state_in(cstring) RENAME TO drift_roc_state_in;
ALTER FUNCTION @extschema@.roc_state_out(@extschema@.drift_roc_state) RENAME TO drift_roc_state_out;
ALTER FUNCTION @extschema@.roc_state_recv(internal) RENAME TO drift_roc_state_recv;
ALTER FUNCTION @extschema@.roc_state_send(@extschema@.drift_roc_state) RENAME TO drift_roc_state_send;
ALTER FUNCTION @extschema@.multiclass_metrics_state_in(cstring) RENAME TO drift_multiclass_metrics_state_in;
ALTER FUNCTION @extschema@.multiclass_metrics_state_out(@extschema@.drift_multiclass_metrics_state) RENAME TO drift_multiclass_metrics_state_out;
ALTER FUNCTION @extschema@.multiclass_metrics_state_recv(internal) RENAME TO drift_multiclass_metrics_state_recv;
ALTER FUNCTION @extschema@.multiclass_metrics_state_send(@extschema@.drift_multiclass_metrics_state) RENAME TO drift_multiclass_metrics_state_send;
COMMENT ON FUNCTION @extschema@.drift_binary_metrics_state_in(cstring) IS 'Text input of drift_binary_metrics_state (\x and hex), validated';
COMMENT ON FUNCTION @extschema@.drift_binary_metrics_state_out(@extschema@.drift_binary_metrics_state) IS 'Text output of drift_binary_metrics_state: \x and the hex of the binary form';
COMMENT ON FUNCTION @extschema@.drift_binary_metrics_state_recv(internal) IS 'Binary input of drift_binary_metrics_state, validated';
COMMENT ON FUNCTION @extschema@.drift_binary_metrics_state_send(@extschema@.drift_binary_metrics_state) IS 'Binary output of drift_binary_metrics_state';
COMMENT ON FUNCTION @extschema@.drift_regression_metrics_state_in(cstring) IS 'Text input of drift_regression_metrics_state (\x and hex), validated';
COMMENT ON FUNCTION @extschema@.drift_regression_metrics_state_out(@extschema@.drift_regression_metrics_state) IS 'Text output of drift_regression_metrics_state: \x and the hex of the binary form';
COMMENT ON FUNCTION @extschema@.drift_regression_metrics_state_recv(internal) IS 'Binary input of drift_regression_metrics_state, validated';
COMMENT ON FUNCTION @extschema@.drift_regression_metrics_state_send(@extschema@.drift_regression_metrics_state) IS 'Binary output of drift_regression_metrics_state';
COMMENT ON FUNCTION @extschema@.drift_metric_mean_state_in(cstring) IS 'Text input of drift_metric_mean_state (\x and hex), validated';
COMMENT ON FUNCTION @extschema@.drift_metric_mean_state_out(@extschema@.drift_metric_mean_state) IS 'Text output of drift_metric_mean_state: \x and the hex of the binary form';
COMMENT ON FUNCTION @extschema@.drift_metric_mean_state_recv(internal) IS 'Binary input of drift_metric_mean_state, validated';
COMMENT ON FUNCTION @extschema@.drift_metric_mean_state_send(@extschema@.drift_metric_mean_state) IS 'Binary output of drift_metric_mean_state';
COMMENT ON FUNCTION @extschema@.drift_roc_state_in(cstring) IS 'Text input of drift_roc_state (\x and hex), validated';
COMMENT ON FUNCTION @extschema@.drift_roc_state_out(@extschema@.drift_roc_state) IS 'Text output of drift_roc_state: \x and the hex of the binary form';
COMMENT ON FUNCTION @extschema@.drift_roc_state_recv(internal) IS 'Binary input of drift_roc_state, validated';
COMMENT ON FUNCTION @extschema@.drift_roc_state_send(@extschema@.drift_roc_state) IS 'Binary output of drift_roc_state';
COMMENT ON FUNCTION @extschema@.drift_multiclass_metrics_state_in(cstring) IS 'Text input of drift_multiclass_metrics_state (\x and hex), validated';
COMMENT ON FUNCTION @extschema@.drift_multiclass_metrics_state_out(@extschema@.drift_multiclass_metrics_state) IS 'Text output of drift_multiclass_metrics_state: \x and the hex of the binary form';
COMMENT ON FUNCTION @extschema@.drift_multiclass_metrics_state_recv(internal) IS 'Binary input of drift_multiclass_metrics_state, validated';
COMMENT ON FUNCTION @extschema@.drift_multiclass_metrics_state_send(@extschema@.drift_multiclass_metrics_state) IS 'Binary output of drift_multiclass_metrics_state';

-- ---------------------------------------------------------------------------
-- New and changed functions
-- ---------------------------------------------------------------------------

-- The rule, on the column's base type (through domains):
--   boolean      bool;
--   numeric      a number type (type category N) with an implicit cast to
--                float8, which is how every numeric test and metric reads
--                it: smallint, integer, bigint, real, double precision,
--                numeric.  money is not one (no cast to float8; its text
--                form depends on lc_monetary), nor are oid and the reg*
--                types (identifiers: a mean or a KS distance of them means
--                nothing); cast them in a view if they must be measured;
--   categorical  a string type (category S: text, varchar, char(n), name,
--                citext) or an enum: compared by their text form;
--   time         date, timestamp, timestamptz (a window is a timestamp
--                range);
--   other        anything else.
-- NULL when the relation has no such column.  Public: it reads only the
-- catalogs, which every role may read, and capture_baseline runs as its
-- caller.
CREATE FUNCTION drift.column_kind(rel regclass, col text) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  WITH RECURSIVE base(oid, typtype, typbasetype, typcategory) AS (
    SELECT t.oid, t.typtype, t.typbasetype, t.typcategory
      FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
     WHERE a.attrelid = rel AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT t.oid, t.typtype, t.typbasetype, t.typcategory
      FROM pg_type t JOIN base ON t.oid = base.typbasetype
  )
  SELECT CASE WHEN b.oid = 'bool'::regtype THEN 'boolean'
              WHEN b.typcategory = 'N'
                   AND (b.oid = 'float8'::regtype
                        OR EXISTS (SELECT 1 FROM pg_cast c
                                    WHERE c.castsource = b.oid
                                      AND c.casttarget = 'float8'::regtype
                                      AND c.castcontext = 'i')) THEN 'numeric'
              WHEN b.typcategory = 'S' OR b.typtype = 'e' THEN 'categorical'
              WHEN b.oid IN ('date'::regtype, 'timestamp'::regtype,
                             'timestamptz'::regtype) THEN 'time'
              ELSE 'other' END
    FROM base b WHERE b.typtype <> 'd'
$fn$;
COMMENT ON FUNCTION drift.column_kind(regclass, text) IS
  'numeric, categorical, boolean, time or other: how pg_drift treats a column of a relation '
  '(NULL if absent); money, oid and reg* are other, name is categorical';

CREATE OR REPLACE FUNCTION drift.baseline_owner(baseline_name text, as_role name DEFAULT current_user)
  RETURNS name
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  owners name[];
BEGIN
  IF EXISTS (SELECT 1 FROM drift.baselines b
              WHERE b.name = baseline_owner.baseline_name AND b.owner = as_role) THEN
    RETURN as_role;
  END IF;
  SELECT array_agg(b.owner ORDER BY b.owner) INTO owners
    FROM drift.baselines b
   WHERE b.name = baseline_owner.baseline_name
     AND pg_has_role(as_role, 'drift_admin', 'MEMBER');
  IF cardinality(owners) > 1 THEN
    RAISE EXCEPTION 'baseline name "%" is ambiguous', baseline_owner.baseline_name
      USING ERRCODE = 'ambiguous_alias',
            DETAIL = format('Baselines of that name belong to %s.',
                            array_to_string(owners, ', ')),
            HINT = 'Run the command as (SET ROLE) the owner of the baseline you mean.';
  END IF;
  RETURN owners[1];
END
$fn$;

COMMENT ON FUNCTION drift.baseline_owner(text, name) IS
  'Owner of the baseline a name means to a role, by default the caller (its own first, else '
  'the only one it may see; ambiguous_alias when several), NULL when none is visible';

CREATE OR REPLACE FUNCTION drift._fill_baseline_owner() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  IF NEW.baseline_owner IS NULL THEN
    NEW.baseline_owner := drift.baseline_owner(NEW.baseline_name);
  END IF;
  RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION drift._fill_baseline_owner() IS
  'Trigger: a baseline child row without baseline_owner gets the owner of the baseline its '
  'name means (restoring dumps taken at 0.1.0)';

-- capture_baseline gains chunks and time_column (thresholds learned from
-- the baseline, issue 8): a new signature, so the old function goes
DROP FUNCTION drift.capture_baseline(text, regclass, text[], text, text, text, text, boolean,
                                     text[], text, text);
CREATE FUNCTION drift.capture_baseline(
    name          text,
    source        regclass,
    columns       text[]  DEFAULT NULL,
    filter        text    DEFAULT NULL,
    target_column text    DEFAULT NULL,
    model         text    DEFAULT NULL,
    version       text    DEFAULT NULL,
    replace       boolean DEFAULT false,
    categorical   text[]  DEFAULT NULL,
    prediction_column text DEFAULT NULL,
    label_column  text    DEFAULT NULL,
    chunks        integer DEFAULT NULL,
    time_column   text    DEFAULT NULL)
  RETURNS TABLE (column_name text, column_type text, kind text,
                 n bigint, null_count bigint, distinct_values integer)
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
  v_name    text := capture_baseline.name;
  v_source  regclass := capture_baseline.source;
  v_filter  text := capture_baseline.filter;
  v_target  text := capture_baseline.target_column;
  v_cat     text[] := coalesce(capture_baseline.categorical, '{}');
  v_kinds   text[] := '{}';
  v_cols    text[] := '{}';
  v_types   text[] := '{}';
  v_exprs   text[] := '{}';
  v_count   bigint;
  v_profiles @extschema@.drift_profile[];
  v_query   text;
  r         record;
BEGIN
  IF v_name IS NULL OR v_source IS NULL THEN
    RAISE EXCEPTION 'baseline name and source must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF capture_baseline.columns IS NOT NULL AND cardinality(capture_baseline.columns) = 0 THEN
    RAISE EXCEPTION 'no columns to profile'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Pass NULL (the default) to profile every supported column.';
  END IF;

  -- Which columns, and how each is profiled.  Explicitly named columns must
  -- exist and be supported; with the default every supported column is taken.
  -- drift.column_kind decides: numeric columns are profiled as numeric,
  -- categorical and boolean ones as categorical, and any column listed in
  -- categorical => ARRAY[...] as categorical through its text form.
  FOR r IN
    SELECT a.attname::text AS col,
           format_type(a.atttypid, a.atttypmod) AS typ,
           CASE WHEN a.attname::text = ANY (v_cat) THEN 'categorical'
                ELSE CASE drift.column_kind(v_source, a.attname::text)
                       WHEN 'numeric' THEN 'numeric'
                       WHEN 'categorical' THEN 'categorical'
                       WHEN 'boolean' THEN 'categorical' END
           END AS how,
           ord.i AS requested
      FROM pg_attribute a
      LEFT JOIN LATERAL (
        SELECT u.i FROM unnest(capture_baseline.columns) WITH ORDINALITY AS u(c, i)
         WHERE u.c = a.attname::text LIMIT 1
      ) ord ON true
     WHERE a.attrelid = v_source AND a.attnum > 0 AND NOT a.attisdropped
       AND (capture_baseline.columns IS NULL OR ord.i IS NOT NULL)
     ORDER BY coalesce(ord.i, a.attnum)
  LOOP
    IF r.how IS NULL THEN
      IF capture_baseline.columns IS NOT NULL THEN
        RAISE EXCEPTION 'cannot profile column "%" of type %', r.col, r.typ
          USING ERRCODE = 'datatype_mismatch',
                HINT = 'Profile numeric or text-like columns, list the column in '
                       'categorical => ARRAY[...] to profile its text form, or cast it in a view.';
      END IF;
      RAISE NOTICE 'skipping column "%" of type %', r.col, r.typ;
      CONTINUE;
    END IF;
    v_cols  := v_cols || r.col;
    v_types := v_types || r.typ;
    v_kinds := v_kinds || r.how;
    v_exprs := v_exprs || format('@extschema@.drift_profile_agg(t.%I::%s)', r.col,
                                 CASE r.how WHEN 'numeric' THEN 'float8' ELSE 'text' END);
  END LOOP;

  IF capture_baseline.columns IS NOT NULL THEN
    FOR r IN SELECT c FROM unnest(capture_baseline.columns) AS u(c)
              WHERE c IS NULL OR c <> ALL (v_cols) LOOP
      RAISE EXCEPTION 'column "%" does not exist in %', r.c, v_source
        USING ERRCODE = 'undefined_column',
              HINT = 'Name columns exactly as the relation spells them (case matters).';
    END LOOP;
  END IF;
  FOR r IN SELECT c FROM unnest(v_cat) AS u(c) WHERE c IS NULL OR c <> ALL (v_cols) LOOP
    IF r.c IS NOT NULL AND EXISTS (
         SELECT 1 FROM pg_attribute a
          WHERE a.attrelid = v_source AND a.attname = r.c AND a.attnum > 0 AND NOT a.attisdropped) THEN
      RAISE EXCEPTION 'categorical column "%" is not among the columns to profile', r.c
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'Add it to columns => ARRAY[...], or leave columns out to profile every column.';
    END IF;
    RAISE EXCEPTION 'categorical column "%" does not exist in %', r.c, v_source
      USING ERRCODE = 'undefined_column',
            HINT = 'Name columns exactly as the relation spells them (case matters).';
  END LOOP;
  IF cardinality(v_cols) = 0 THEN
    RAISE EXCEPTION '% has no column to profile', v_source
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Numeric and text-like columns are profiled; cast others in a view.';
  END IF;
  -- the target, prediction and label columns must exist (they are profiled
  -- only if also listed among the columns)
  FOR r IN SELECT u.what, u.col
             FROM (VALUES ('target', v_target),
                          ('prediction', capture_baseline.prediction_column),
                          ('label', capture_baseline.label_column)) AS u(what, col)
            WHERE u.col IS NOT NULL AND NOT EXISTS (
                    SELECT 1 FROM pg_attribute a
                     WHERE a.attrelid = v_source AND a.attname = u.col
                       AND a.attnum > 0 AND NOT a.attisdropped) LOOP
    RAISE EXCEPTION '% column "%" does not exist in %', r.what, r.col, v_source
      USING ERRCODE = 'undefined_column';
  END LOOP;
  IF (capture_baseline.prediction_column IS NULL) <> (capture_baseline.label_column IS NULL) THEN
    RAISE EXCEPTION 'prediction_column and label_column go together'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Name both to store the model''s metrics on the baseline data, or neither.';
  END IF;

  IF EXISTS (SELECT 1 FROM drift.baselines b WHERE b.name = v_name AND b.owner = current_user) THEN
    IF NOT capture_baseline.replace THEN
      RAISE EXCEPTION 'baseline "%" already exists', v_name
        USING ERRCODE = 'duplicate_object',
              HINT = 'Pass replace => true to capture it again, or choose another name.';
    END IF;
  END IF;

  -- One scan profiles every column.  The filter is the caller's own SQL,
  -- run with the caller's privileges.
  v_query := format('SELECT count(*), ARRAY[%s] FROM %s AS t%s',
                    array_to_string(v_exprs, ', '), v_source,
                    CASE WHEN v_filter IS NULL THEN '' ELSE ' WHERE (' || v_filter || ')' END);
  EXECUTE v_query INTO v_count, v_profiles;

  DELETE FROM drift.baselines b WHERE b.name = v_name AND b.owner = current_user;
  INSERT INTO drift.baselines (name, source_relation, filter, target_column, prediction_column,
                               label_column, model, version, row_count, source_columns)
  VALUES (v_name, v_source::text, v_filter, v_target, capture_baseline.prediction_column,
          capture_baseline.label_column, capture_baseline.model, capture_baseline.version, v_count,
          (SELECT jsonb_agg(jsonb_build_object('name', a.attname::text,
                                               'type', format_type(a.atttypid, a.atttypmod))
                            ORDER BY a.attnum)
             FROM pg_attribute a
            WHERE a.attrelid = v_source AND a.attnum > 0 AND NOT a.attisdropped));
  FOR i IN 1 .. cardinality(v_cols) LOOP
    IF v_profiles[i] IS NULL THEN
      -- no row matched: an empty profile still records the column and its type
      v_profiles[i] := CASE v_kinds[i]
        WHEN 'numeric' THEN '{"version": 1, "kind": "numeric", "values": [], "counts": []}'
        ELSE '{"version": 1, "kind": "categorical", "categories": [], "counts": []}' END;
    END IF;
    INSERT INTO drift.baseline_columns (baseline_owner, baseline_name, column_name, column_type,
                                        kind, profile)
    VALUES (current_user, v_name, v_cols[i], v_types[i], v_kinds[i], v_profiles[i]);
    column_name := v_cols[i];
    column_type := v_types[i];
    kind := v_kinds[i];
    -- read from the profile itself: its text form can exceed what jsonb
    -- holds (256 MB a container) long before the profile reaches its limit
    SELECT pi.count, pi.null_count, pi.distinct_entries INTO n, null_count, distinct_values
      FROM @extschema@.drift_profile_info(v_profiles[i]) pi;
    RETURN NEXT;
  END LOOP;

  -- Concept drift and model quality need more than per-column profiles: each
  -- feature's correlation with the target, and the model's metrics on the
  -- baseline data, stored beside the profiles (58_concept.sql, 60_metrics.sql).
  IF v_target IS NOT NULL THEN
    PERFORM drift.capture_target_correlations(v_name, v_source, v_target, v_filter);
  END IF;
  IF capture_baseline.prediction_column IS NOT NULL THEN
    PERFORM drift.capture_baseline_metrics(v_name, v_source, capture_baseline.prediction_column,
                                           capture_baseline.label_column, v_filter);
  END IF;
  -- thresholds learned from the baseline itself: k chunk profiles and the
  -- leave-one-chunk-out statistics (drift.capture_chunks, 62_dataset_drift.sql)
  IF capture_baseline.chunks IS NOT NULL THEN
    PERFORM drift.capture_chunks(v_name, capture_baseline.chunks, capture_baseline.time_column);
  ELSIF capture_baseline.time_column IS NOT NULL THEN
    RAISE EXCEPTION 'time_column only splits the baseline into chunks'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Give chunks => k (at least 2) with it, or leave time_column out.';
  END IF;
END
$fn$;
COMMENT ON FUNCTION drift.capture_baseline(text, regclass, text[], text, text, text, text, boolean,
                                           text[], text, text, integer, text) IS
  'Profile columns of a relation (optionally filtered) and store them as a named baseline: '
  'numeric columns as numeric profiles; categorical and boolean ones (drift.column_kind) and '
  'those listed in categorical as categorical; with chunks => k also k chunk profiles and '
  'the thresholds learned from them (drift.capture_chunks)';

CREATE OR REPLACE FUNCTION drift.drop_baseline(baseline_name text) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_owner name := drift.baseline_owner(drop_baseline.baseline_name);
BEGIN
  DELETE FROM drift.baselines b
   WHERE b.name = drop_baseline.baseline_name AND b.owner = v_owner;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'baseline "%" does not exist', baseline_name
      USING ERRCODE = 'undefined_object',
            HINT = 'drift.baselines lists the baselines you can see.';
  END IF;
END
$fn$;

CREATE OR REPLACE FUNCTION drift.check_schema(baseline text, relation regclass)
  RETURNS TABLE (column_name text, status text, baseline_type text, current_type text)
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
  v_schema jsonb;
  v_owner  name;
BEGIN
  IF check_schema.baseline IS NULL OR check_schema.relation IS NULL THEN
    RAISE EXCEPTION 'baseline and relation must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  v_owner := drift.baseline_owner(check_schema.baseline);
  SELECT b.source_columns INTO v_schema FROM drift.baselines b
   WHERE b.name = check_schema.baseline AND b.owner = v_owner;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'baseline "%" does not exist', check_schema.baseline
      USING ERRCODE = 'undefined_object',
            HINT = 'Create it with drift.capture_baseline(); drift.baselines lists the existing ones.';
  END IF;
  -- the source's columns at capture time (types printed with the same pinned
  -- search_path as here, so equal types print alike); baselines without that
  -- record compare their profiled columns only
  IF v_schema IS NULL THEN
    SELECT jsonb_agg(jsonb_build_object('name', c.column_name, 'type', c.column_type)
                     ORDER BY c.column_name)
      INTO v_schema
      FROM drift.baseline_columns c
     WHERE c.baseline_name = check_schema.baseline AND c.baseline_owner = v_owner;
  END IF;
  RETURN QUERY
    WITH then_cols AS (
      SELECT e.value ->> 'name' AS name, e.value ->> 'type' AS typ, e.ordinality AS ord
        FROM jsonb_array_elements(coalesce(v_schema, '[]')) WITH ORDINALITY AS e(value, ordinality)),
    now_cols AS (
      SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS typ, a.attnum AS ord
        FROM pg_attribute a
       WHERE a.attrelid = check_schema.relation AND a.attnum > 0 AND NOT a.attisdropped)
    SELECT coalesce(t.name, n.name),
           CASE WHEN n.name IS NULL THEN 'missing'
                WHEN t.name IS NULL THEN 'new'
                WHEN t.typ IS DISTINCT FROM n.typ THEN 'retyped'
                ELSE 'ok' END,
           t.typ, n.typ
      FROM then_cols t FULL JOIN now_cols n ON n.name = t.name
     ORDER BY coalesce(t.ord, 1000000 + n.ord);
END
$fn$;

CREATE OR REPLACE FUNCTION drift.capture_target_correlations(
    baseline_name text,
    source        regclass,
    target_column text,
    filter        text DEFAULT NULL)
  RETURNS TABLE (column_name text, correlation float8, n bigint)
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
  v_name   text := capture_target_correlations.baseline_name;
  v_source regclass := capture_target_correlations.source;
  v_target text := capture_target_correlations.target_column;
  v_filter text := capture_target_correlations.filter;
  v_cols   text[];
  v_rexprs text[] := '{}';
  v_nexprs text[] := '{}';
  v_pair   text;
  v_r      float8[];
  v_n      bigint[];
  v_ok     text;
  v_owner  name;
BEGIN
  IF v_name IS NULL OR v_source IS NULL OR v_target IS NULL THEN
    RAISE EXCEPTION 'baseline name, source and target column must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  v_owner := drift.baseline_owner(v_name);
  IF v_owner IS NULL THEN
    RAISE EXCEPTION 'baseline "%" does not exist', v_name
      USING ERRCODE = 'undefined_object',
            HINT = 'Create it with drift.capture_baseline(); drift.baselines lists the existing ones.';
  END IF;
  SELECT CASE WHEN drift.column_kind(v_source, v_target) IN ('numeric', 'boolean') THEN 'ok'
              ELSE format_type(a.atttypid, a.atttypmod) END
    INTO v_ok
    FROM pg_attribute a
   WHERE a.attrelid = v_source AND a.attname = v_target AND a.attnum > 0 AND NOT a.attisdropped;
  IF v_ok IS NULL THEN
    RAISE EXCEPTION 'target column "%" does not exist in %', v_target, v_source
      USING ERRCODE = 'undefined_column',
            HINT = 'Name columns exactly as the relation spells them (case matters).';
  ELSIF v_ok <> 'ok' THEN
    RAISE EXCEPTION 'target column "%" of type % is not numeric', v_target, v_ok
      USING ERRCODE = 'datatype_mismatch',
            HINT = 'Correlations need a numeric or boolean target; cast it in a view.';
  END IF;

  -- the baseline's numeric columns that the relation has, except the target itself
  SELECT coalesce(array_agg(c.column_name ORDER BY c.column_name), '{}')
    INTO v_cols
    FROM drift.baseline_columns c
   WHERE c.baseline_name = v_name AND c.baseline_owner = v_owner AND c.kind = 'numeric'
     AND c.column_name <> v_target
     AND EXISTS (SELECT 1 FROM pg_attribute a
                  WHERE a.attrelid = v_source AND a.attname = c.column_name
                    AND a.attnum > 0 AND NOT a.attisdropped);

  DELETE FROM drift.baseline_correlations c
   WHERE c.baseline_name = v_name AND c.baseline_owner = v_owner;
  IF cardinality(v_cols) = 0 THEN
    RETURN;
  END IF;

  -- one scan; pairs with a NULL or NaN on either side are left out, as corr_drift does
  FOR i IN 1 .. cardinality(v_cols) LOOP
    v_pair := format('t.%I::float8 <> ''NaN'' AND t.%I::float8 <> ''NaN''', v_cols[i], v_target);
    v_rexprs := v_rexprs || format('pg_catalog.corr(t.%I::float8, t.%I::float8) FILTER (WHERE %s)',
                                   v_cols[i], v_target, v_pair);
    v_nexprs := v_nexprs || format('pg_catalog.count(*) FILTER (WHERE %s)', v_pair);
  END LOOP;
  EXECUTE format('SELECT ARRAY[%s]::float8[], ARRAY[%s]::bigint[] FROM %s AS t%s',
                 array_to_string(v_rexprs, ', '), array_to_string(v_nexprs, ', '), v_source,
                 CASE WHEN v_filter IS NULL THEN '' ELSE ' WHERE (' || v_filter || ')' END)
    INTO v_r, v_n;

  FOR i IN 1 .. cardinality(v_cols) LOOP
    column_name := v_cols[i];
    -- corr() is NULL for fewer than two pairs or a constant column, NaN with infinities
    correlation := CASE WHEN v_r[i] = 'NaN' THEN NULL
                        ELSE greatest(-1::float8, least(1::float8, v_r[i])) END;
    n := v_n[i];
    INSERT INTO drift.baseline_correlations (baseline_owner, baseline_name, column_name,
                                             target_column, correlation, n)
    VALUES (v_owner, v_name, column_name, v_target, correlation, n);
    RETURN NEXT;
  END LOOP;
END
$fn$;
COMMENT ON FUNCTION drift.capture_target_correlations(text, regclass, text, text) IS
  'Record the Pearson correlation of each numeric column of a baseline with the target column '
  '(pairs without NULL or NaN, over the optionally filtered relation), replacing earlier ones';

CREATE OR REPLACE FUNCTION drift.capture_baseline_metrics(
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

CREATE OR REPLACE FUNCTION drift._run_check(monitor_id bigint, owner name, query text, plan_only boolean,
                                 window_start timestamptz, window_end timestamptz,
                                 baseline text, column_name text, previous_start timestamptz,
                                 OUT slice jsonb, OUT n_rows bigint, OUT r jsonb)
  RETURNS SETOF record
  AS 'MODULE_PATHNAME', 'drift_run_check' LANGUAGE C VOLATILE;

COMMENT ON FUNCTION drift._run_check(bigint, name, text, boolean, timestamptz, timestamptz, text,
                                     text, timestamptz) IS
  'Run (or with plan_only, EXPLAIN) a monitor query as its owner, restricted, with '
  'search_path pinned and pg_drift.monitor_timeout enforced';

CREATE OR REPLACE FUNCTION drift._take_lost_run(monitor_id bigint) RETURNS boolean
  AS 'MODULE_PATHNAME', 'drift_take_lost_run' LANGUAGE C STRICT VOLATILE;

COMMENT ON FUNCTION drift._take_lost_run(bigint) IS
  'True once for a run of the monitor that never finished (terminated after ignoring the '
  'timeout, or a crash); cleared when the transaction recording it commits';

CREATE OR REPLACE FUNCTION drift._check_monitor(m drift.monitors) RETURNS void
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
  ELSIF m.label_column IS NOT NULL AND m.label_relation_oid IS NULL THEN
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

-- issue 9 adds label_relation, join_column, label_delay, label_horizon
DROP FUNCTION IF EXISTS drift._api_create_monitor(oid, text, regclass, text, text, text, float8, text, interval,
  interval, text, text[], bigint, text, text, float8, float8, float8, text, integer, integer,
  name, boolean);
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

DROP FUNCTION drift.create_monitor(text, regclass, text, text, text, float8, text, interval,
  interval, text, text[], bigint, text, text, float8, float8, float8, text, integer, integer,
  name, boolean);
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

CREATE OR REPLACE FUNCTION drift._may_see(caller oid, owner name) RETURNS boolean
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT pg_has_role(caller, owner, 'MEMBER') OR pg_has_role(caller, 'drift_admin', 'MEMBER')
$fn$;

COMMENT ON FUNCTION drift._may_see(oid, name) IS
  'Whether a role may see monitors of an owner (the owner''s roles, drift_admin, superusers)';

CREATE OR REPLACE FUNCTION drift._get_monitor(caller oid, monitor_name text) RETURNS drift.monitors
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

CREATE OR REPLACE FUNCTION drift._api_alter_monitor(
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
    reset        text[])
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
         'fire_after', _api_alter_monitor.fire_after, 'max_retries', _api_alter_monitor.max_retries));
  FOREACH f IN ARRAY coalesce(_api_alter_monitor.reset, '{}') LOOP
    IF f IS NULL OR f NOT IN ('baseline', 'threshold', 'time_column', 'window_size', 'filter',
                              'slice_by', 'label_column', 'lower_bound', 'upper_bound',
                              'min_effect') THEN
      RAISE EXCEPTION 'cannot reset "%"', f
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'reset takes: baseline, threshold, time_column, window_size, filter, '
                     'slice_by, label_column, lower_bound, upper_bound, min_effect.';
    END IF;
    v := v || jsonb_build_object(f, NULL);
  END LOOP;
  m := jsonb_populate_record(NULL::drift.monitors, v);
  m.slice_by := nullif(m.slice_by, '{}');
  IF m.metric IS DISTINCT FROM old.metric AND _api_alter_monitor.threshold IS NULL
     AND NOT ('threshold' = ANY (coalesce(_api_alter_monitor.reset, '{}'))) THEN
    m.threshold := (SELECT x.default_threshold FROM drift.metrics x WHERE x.name = m.metric);
  END IF;
  PERFORM drift._check_monitor(m);

  UPDATE drift.monitors x SET
    relation_oid = m.relation_oid, relation_name = m.relation_name, metric = m.metric,
    column_name = m.column_name, label_column = m.label_column, baseline = m.baseline,
    threshold = m.threshold, lower_bound = m.lower_bound, upper_bound = m.upper_bound,
    min_effect = m.min_effect, time_column = m.time_column, window_size = m.window_size,
    schedule = m.schedule, filter = m.filter, slice_by = m.slice_by, min_rows = m.min_rows,
    channel = m.channel, compare_to = m.compare_to, fire_after = m.fire_after,
    max_retries = m.max_retries,
    next_run = least(x.next_run, now() + m.schedule),
    -- what is measured changed: earlier per-slice states no longer apply
    slice_state = CASE WHEN (m.relation_oid, m.metric, m.column_name, m.label_column,
                             m.baseline, m.slice_by, m.compare_to)
                            IS DISTINCT FROM
                            (old.relation_oid, old.metric, old.column_name, old.label_column,
                             old.baseline, old.slice_by, old.compare_to)
                       THEN '{}'::jsonb ELSE x.slice_state END
  WHERE x.monitor_id = old.monitor_id;
  PERFORM drift._wake_scheduler();
END
$fn$;

COMMENT ON FUNCTION drift._api_alter_monitor(oid, text, regclass, text, text, text, float8, text, interval,
  interval, text, text[], bigint, text, text, float8, float8, float8, text, integer, integer,
  text[]) IS
  'drift.alter_monitor for the calling role (reached only through it: src/worker/api_call.c)';

CREATE OR REPLACE FUNCTION drift.alter_monitor(
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
    reset        text[]   DEFAULT NULL)
  RETURNS void
  AS 'MODULE_PATHNAME', 'drift_api_call' LANGUAGE C VOLATILE;

CREATE OR REPLACE FUNCTION drift._api_pause_monitor(caller oid, name text) RETURNS void
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

CREATE OR REPLACE FUNCTION drift.pause_monitor(name text) RETURNS void
  AS 'MODULE_PATHNAME', 'drift_api_call' LANGUAGE C VOLATILE;

CREATE OR REPLACE FUNCTION drift._api_resume_monitor(caller oid, name text) RETURNS void
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

CREATE OR REPLACE FUNCTION drift.resume_monitor(name text) RETURNS void
  AS 'MODULE_PATHNAME', 'drift_api_call' LANGUAGE C VOLATILE;

CREATE OR REPLACE FUNCTION drift._api_drop_monitor(caller oid, name text, if_exists boolean)
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

CREATE OR REPLACE FUNCTION drift.drop_monitor(name text, if_exists boolean DEFAULT false) RETURNS void
  AS 'MODULE_PATHNAME', 'drift_api_call' LANGUAGE C VOLATILE;

CREATE OR REPLACE FUNCTION drift._fit_payload(payload jsonb) RETURNS jsonb
  LANGUAGE plpgsql IMMUTABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  p jsonb := payload;
BEGIN
  IF octet_length(p::text) < 7000 THEN
    RETURN p;
  END IF;
  p := p || jsonb_build_object('truncated', true,
                               'slice', left(p->>'slice', 1000),
                               'error', left(p->>'error', 1000),
                               'monitor', left(p->>'monitor', 1000),
                               'relation', left(p->>'relation', 500),
                               'column', left(p->>'column', 200));
  p := jsonb_strip_nulls(p);
  IF octet_length(p::text) < 7000 THEN
    RETURN p;
  END IF;
  RETURN jsonb_build_object('state', p->'state', 'monitor_id', p->'monitor_id',
                            'monitor', left(p->>'monitor', 200),
                            'alert_id', p->'alert_id', 'result_id', p->'result_id',
                            'truncated', true);
END
$fn$;

CREATE OR REPLACE FUNCTION drift._retry_delay(failures integer, max_retries integer, schedule interval)
  RETURNS interval
  LANGUAGE sql VOLATILE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT CASE WHEN failures <= max_retries
              THEN least(schedule, interval '5 minutes', d)
              ELSE least(greatest(schedule, interval '1 hour'), greatest(schedule, d))
         END * (0.5 + random() / 2)
    FROM (SELECT interval '1 second' * power(2, least(greatest(failures - 1, 0), 30))) AS x(d)
$fn$;

COMMENT ON FUNCTION drift._retry_delay(integer, integer, interval) IS
  'Back-off of a failing monitor: 2^(n-1) s after the n-th failure, below the schedule for '
  'max_retries failures, then at least the schedule and at most an hour (jittered)';

-- Lock a monitor for a run.  A scheduler never waits for a monitor someone
-- holds locked (an open transaction of its owner would stall every other
-- monitor): with nowait the call fails at once with lock_not_available and
-- the pass moves on.  An all-NULL row when the monitor is gone.
CREATE FUNCTION drift._lock_monitor(p_id bigint, nowait boolean) RETURNS drift.monitors
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m drift.monitors;
BEGIN
  IF nowait THEN
    SELECT * INTO m FROM drift.monitors x WHERE x.monitor_id = p_id FOR UPDATE NOWAIT;
  ELSE
    SELECT * INTO m FROM drift.monitors x WHERE x.monitor_id = p_id FOR UPDATE;
  END IF;
  RETURN m;
END
$fn$;
COMMENT ON FUNCTION drift._lock_monitor(bigint, boolean) IS
  'Lock a monitor row for a run (NOWAIT for schedulers); all NULL when it does not exist';

-- The end of every run, failed or not, and the one place the back-off
-- (drift._retry_delay) is applied: the monitor's state, failure count,
-- slice states and next run.  A run that was due moves the schedule on: a
-- failure retries after the back-off; a success takes the next slot after
-- the one just run, and after downtime runs once and then keeps the schedule
-- (never a catch-up loop).  A run that was not due (run_monitor) leaves
-- next_run alone.
CREATE FUNCTION drift._finish_run(m drift.monitors, due boolean, state text,
                                  slice_state jsonb) RETURNS void
  LANGUAGE sql
  SET search_path = pg_catalog, pg_temp
AS $fn$
  UPDATE drift.monitors x
     SET last_run = now(), state = _finish_run.state, slice_state = _finish_run.slice_state,
         consecutive_failures = f.failures,
         next_run = CASE WHEN NOT due THEN m.next_run
                         WHEN _finish_run.state = 'error'
                           THEN now() + drift._retry_delay(f.failures, m.max_retries, m.schedule)
                         WHEN m.next_run + m.schedule <= now() THEN now() + m.schedule
                         ELSE m.next_run + m.schedule END
    FROM (SELECT CASE WHEN _finish_run.state = 'error'
                      THEN m.consecutive_failures + 1 ELSE 0 END) AS f(failures)
   WHERE x.monitor_id = m.monitor_id
$fn$;
COMMENT ON FUNCTION drift._finish_run(drift.monitors, boolean, text, jsonb) IS
  'Record the end of a run on its monitor: state, failures, slice states, next run '
  '(the back-off after a failure)';

CREATE OR REPLACE FUNCTION drift._defer_monitor(p_id bigint) RETURNS void
  LANGUAGE sql
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT drift._finish_run(m, true, 'error', m.slice_state)
    FROM drift._lock_monitor(p_id, true) AS m
   WHERE m.monitor_id IS NOT NULL
$fn$;

COMMENT ON FUNCTION drift._defer_monitor(bigint) IS
  'Count a failure that could not be recorded and back the monitor off (scheduler only)';

CREATE OR REPLACE FUNCTION drift._slice_key(slice jsonb) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT CASE WHEN octet_length(t) <= 200 THEN t
              ELSE 'sha256:' || encode(sha256(textsend(t)), 'hex') END
    FROM (SELECT slice::text) AS s(t)
$fn$;

COMMENT ON FUNCTION drift._slice_key(jsonb) IS
  'Key of a slice in a monitor''s slice_state: its JSON text, or its SHA-256 when longer '
  'than 200 bytes';

CREATE OR REPLACE FUNCTION drift._check_slice_count(m drift.monitors, n integer) RETURNS void
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  max_slices integer := drift._setting('max_slices', '10000')::integer;
BEGIN
  IF n > max_slices THEN
    RAISE EXCEPTION 'monitor "%" produced % slices, more than pg_drift.max_slices (%)',
                    m.name, n, max_slices
      USING ERRCODE = 'program_limit_exceeded',
            HINT = 'Slice by fewer or coarser columns, filter the rows, or ask a superuser '
                   'to raise pg_drift.max_slices.';
  END IF;
END
$fn$;

COMMENT ON FUNCTION drift._check_slice_count(drift.monitors, integer) IS
  'Raise program_limit_exceeded when a run produced more than pg_drift.max_slices slices';

CREATE OR REPLACE FUNCTION drift._record_slices(m drift.monitors, comparison text,
                                     scheduled_for timestamptz, window_start timestamptz,
                                     window_end timestamptz, slices jsonb[], nrows bigint[],
                                     vals jsonb[],
                                     OUT results drift.results[], OUT alerts jsonb[],
                                     OUT state text, OUT slice_state jsonb)
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  max_slices integer := drift._setting('max_slices', '10000')::integer;
BEGIN
  -- one statement: the judged slices are computed once (a CTE referenced
  -- several times is materialized), written, and summarised
  WITH judged AS MATERIALIZED (
    SELECT v.i, v.slice, v.key, v.val, v.stat, v.pval, v.nbase, v.ncur,
           CASE WHEN v.ncur < m.min_rows OR v.stat IS NULL OR v.stat = 'NaN'
                     OR (comparison = 'p_value' AND v.pval IS NULL) THEN 'insufficient_data'
                WHEN v.breach THEN CASE WHEN v.prev_breaches + 1 >= m.fire_after
                                        THEN 'firing' ELSE 'pending' END
                WHEN v.prev_state = 'firing' THEN 'resolved'
                ELSE 'ok' END AS st,
           CASE WHEN v.breach THEN v.prev_breaches + 1 ELSE 0 END AS breaches,
           -- a value with alert fields of its own (a model check) alerts on
           -- a change of state only, not at every firing run
           coalesce(jsonb_typeof(v.val) = 'object' AND v.val ? 'alert' AND v.breach
                    AND v.prev_state = 'firing', false) AS quiet
      FROM (SELECT w.*,
                   coalesce((m.slice_state -> w.key ->> 'breaches')::integer, 0) AS prev_breaches,
                   m.slice_state -> w.key ->> 'state' AS prev_state,
                   CASE comparison
                     WHEN 'p_value' THEN w.pval < m.threshold
                                         AND (m.min_effect IS NULL OR w.stat >= m.min_effect)
                     WHEN 'above' THEN w.stat > m.threshold
                     WHEN 'at_least' THEN w.stat >= m.threshold
                     ELSE w.stat < m.lower_bound OR w.stat > m.upper_bound END AS breach
              FROM (SELECT u.i, u.slice, u.val, drift._slice_key(u.slice) AS key,
                           CASE WHEN jsonb_typeof(u.val) = 'object'
                                THEN (u.val ->> 'statistic')::float8
                                ELSE (u.val #>> '{}')::float8 END AS stat,
                           CASE WHEN jsonb_typeof(u.val) = 'object'
                                THEN (u.val ->> 'p_value')::float8 END AS pval,
                           CASE WHEN jsonb_typeof(u.val) = 'object'
                                THEN (u.val ->> 'n_baseline')::bigint END AS nbase,
                           coalesce(CASE WHEN jsonb_typeof(u.val) = 'object'
                                         THEN (u.val ->> 'n_current')::bigint END,
                                    u.n) AS ncur
                      FROM unnest(slices, nrows, vals) WITH ORDINALITY AS u(slice, n, val, i)) w
           ) v),
  ins AS (
    INSERT INTO drift.results (monitor_id, monitor, run_at, scheduled_for, window_start,
                               window_end, slice, metric, statistic, p_value, threshold,
                               n_baseline, n_current, state)
    SELECT m.monitor_id, m.name, now(), scheduled_for, window_start, window_end, j.slice,
           m.metric, j.stat, j.pval, m.threshold, j.nbase, j.ncur, j.st
      FROM judged j ORDER BY j.i
    RETURNING *),
  -- what to keep: this run's pending and firing slices (insufficient_data
  -- keeps what the slice had), then earlier runs' (firing first) while
  -- there is room
  kept AS (
    SELECT k.key, k.value
      FROM (SELECT j.key, 0 AS pri,
                   CASE WHEN j.st = 'insufficient_data' THEN m.slice_state -> j.key
                        ELSE jsonb_build_object('state', j.st, 'breaches', j.breaches)
                   END AS value
              FROM judged j
            UNION ALL
            SELECT e.key, 1, e.value FROM jsonb_each(m.slice_state) e
             WHERE NOT EXISTS (SELECT 1 FROM judged j WHERE j.key = e.key)) k
     WHERE k.value ->> 'state' IN ('pending', 'firing')
     ORDER BY k.pri, k.value ->> 'state' = 'firing' DESC, k.key
     LIMIT max_slices)
  SELECT (SELECT array_agg(ins::drift.results ORDER BY ins.result_id) FROM ins),
         (SELECT coalesce(array_agg(jsonb_build_object('result_id', ins.result_id,
                                                       'state', ins.state, 'slice', ins.slice,
                                                       'statistic', ins.statistic,
                                                       'p_value', ins.p_value,
                                                       'n_current', ins.n_current)
                                    -- a value may add fields to its alert (a model
                                    -- check: its drifted columns by rank)
                                    || coalesce(CASE WHEN jsonb_typeof(j.val) = 'object'
                                                     THEN j.val -> 'alert' END, '{}')
                                    ORDER BY ins.result_id), '{}')
            -- a join, not a subquery per slice: linear in the number of slices
            FROM ins JOIN judged j ON j.slice = ins.slice
           WHERE ins.state IN ('firing', 'resolved') AND NOT j.quiet),
         (SELECT CASE WHEN bool_or(j.st = 'firing') THEN 'firing'
                      WHEN bool_or(j.st = 'pending') THEN 'pending'
                      WHEN bool_or(j.st IN ('ok', 'resolved')) THEN 'ok'
                      ELSE 'insufficient_data' END
            FROM judged j),
         (SELECT coalesce(jsonb_object_agg(kept.key, kept.value), '{}') FROM kept)
    INTO results, alerts, state, slice_state;
END
$fn$;

COMMENT ON FUNCTION drift._record_slices(drift.monitors, text, timestamptz, timestamptz,
                                         timestamptz, jsonb[], bigint[], jsonb[]) IS
  'Judge a run''s slices, write their results, and return results, alerts, overall state '
  'and the new slice_state (linear in slices, bounded state)';

-- The window a run covers, ending at as_of (default now()); all NULL for a
-- monitor without window_size.  prev_start starts the window before it
-- (compare_to => 'previous_window').
CREATE FUNCTION drift._run_window(m drift.monitors, as_of timestamptz,
                                  OUT window_start timestamptz, OUT window_end timestamptz,
                                  OUT prev_start timestamptz)
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT e - m.window_size, e, e - 2 * m.window_size
    FROM (SELECT CASE WHEN m.window_size IS NOT NULL
                      -- labels arrive late: a window is judged label_delay after it ends
                      THEN coalesce(as_of, now()) - coalesce(m.label_delay, interval '0') END) AS w(e)
$fn$;
COMMENT ON FUNCTION drift._run_window(drift.monitors, timestamptz) IS
  'Start and end of the window a monitor''s run covers (and of the one before), NULL unwindowed';

-- Run the check's query as the owner (drift._run_check) and return one
-- element per slice (an unsliced empty window is one slice of no rows).
-- Every failure of the check, the timeout included (its own SQLSTATE,
-- 57D01), comes back as error instead: it is the check's result.  OTHERS
-- does not match query_canceled (57014): a cancel the caller asked for, or
-- the caller's own statement_timeout, ends the statement as usual.  relation
-- is the relation read, followed by OID and after a restore (new OIDs) by
-- name, which is then remembered.
CREATE FUNCTION drift._collect_slices(m drift.monitors, window_start timestamptz,
                                      window_end timestamptz, prev_start timestamptz,
                                      OUT slices jsonb[], OUT nrows bigint[], OUT vals jsonb[],
                                      OUT relation regclass, OUT error text)
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  BEGIN
    relation := (SELECT c.oid FROM pg_class c WHERE c.oid = m.relation_oid);
    IF relation IS NULL THEN
      relation := to_regclass(m.relation_name);
      IF relation IS NULL THEN
        RAISE EXCEPTION 'relation "%" of monitor "%" no longer exists', m.relation_name, m.name
          USING ERRCODE = 'undefined_table';
      END IF;
      UPDATE drift.monitors x SET relation_oid = relation WHERE x.monitor_id = m.monitor_id;
      m.relation_oid := relation;
    END IF;
    IF NOT has_table_privilege(m.owner, relation, 'SELECT') THEN
      RAISE EXCEPTION 'permission denied: role "%" cannot read %', m.owner, relation
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM drift.metrics met JOIN pg_proc p
                                  ON p.proname = met.function_name
                                 AND p.pronamespace = '@extschema@'::regnamespace
                    WHERE met.name = m.metric) THEN
      RAISE EXCEPTION 'metric "%" is not available in this database', m.metric
        USING ERRCODE = 'undefined_function';
    END IF;
    -- array_agg, not appends in a loop: linear in the number of slices
    SELECT coalesce(array_agg(x.slice), '{}'), coalesce(array_agg(x.n_rows), '{}'),
           coalesce(array_agg(x.r), '{}')
      INTO slices, nrows, vals
      FROM drift._run_check(m.monitor_id, m.owner, drift._monitor_sql(m), false,
                            window_start, window_end, m.baseline, m.column_name,
                            prev_start) x;
    PERFORM drift._check_slice_count(m, cardinality(slices));
  EXCEPTION WHEN OTHERS THEN
    error := SQLERRM;
    RETURN;
  END;
  IF cardinality(slices) = 0 THEN
    -- no row at all in the window: one slice saying so
    slices := ARRAY['{}'::jsonb];
    nrows := ARRAY[0::bigint];
    vals := ARRAY['null'::jsonb];
  END IF;
END
$fn$;
COMMENT ON FUNCTION drift._collect_slices(drift.monitors, timestamptz, timestamptz, timestamptz) IS
  'Run a monitor''s check as its owner: per slice its key, row count and value, or the error';

-- A run whose check failed: its one error result, and the alert to send.
CREATE FUNCTION drift._record_error(m drift.monitors, scheduled_for timestamptz,
                                    window_start timestamptz, window_end timestamptz,
                                    error text,
                                    OUT results drift.results[], OUT alerts jsonb[])
  LANGUAGE sql
  SET search_path = pg_catalog, pg_temp
AS $fn$
  WITH ins AS (
    INSERT INTO drift.results (monitor_id, monitor, run_at, scheduled_for, window_start,
                               window_end, metric, threshold, state, error)
    VALUES (m.monitor_id, m.name, now(), scheduled_for, window_start, window_end,
            m.metric, m.threshold, 'error', error)
    RETURNING *)
  SELECT ARRAY[ins::drift.results],
         ARRAY[jsonb_build_object('result_id', ins.result_id, 'state', 'error',
                                  'slice', ins.slice, 'error', ins.error)]
    FROM ins
$fn$;
COMMENT ON FUNCTION drift._record_error(drift.monitors, timestamptz, timestamptz, timestamptz,
                                        text) IS
  'Write the error result of a failed run; returns it and the alert to send';

-- Alerts: every one is written to drift.alerts, with the monitor's fields
-- around the result's own (drift._record_slices, drift._record_error).
-- NOTIFY sends the first 20 of a run one by one and a summary of the rest,
-- so that a run with thousands of breaching slices neither floods the queue
-- nor exceeds it.
CREATE FUNCTION drift._emit_alerts(m drift.monitors, relation text, window_start timestamptz,
                                   window_end timestamptz, alerts jsonb[]) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  cap       constant integer := 20;
  alert_ids bigint[] := '{}';
  aid       bigint;
  a         jsonb;
BEGIN
  FOR i IN 1 .. coalesce(cardinality(alerts), 0) LOOP
    aid := nextval('drift.alerts_alert_id_seq');
    a := drift._fit_payload(jsonb_build_object(
           'alert_id', aid, 'monitor_id', m.monitor_id, 'monitor', m.name,
           'relation', relation, 'column', m.column_name,
           'label_column', m.label_column, 'metric', m.metric, 'baseline', m.baseline,
           'compare_to', m.compare_to, 'threshold', m.threshold,
           'lower_bound', m.lower_bound, 'upper_bound', m.upper_bound,
           'min_effect', m.min_effect, 'window_start', window_start, 'window_end', window_end,
           'run_at', now()) || alerts[i]);
    INSERT INTO drift.alerts (alert_id, monitor_id, result_id, channel, payload)
    VALUES (aid, m.monitor_id, (alerts[i]->>'result_id')::bigint, m.channel, a);
    alert_ids := alert_ids || aid;
    IF i <= cap THEN
      PERFORM pg_notify(m.channel, a::text);
    END IF;
  END LOOP;
  IF cardinality(alerts) > cap THEN
    PERFORM pg_notify(m.channel, jsonb_build_object(
      'state', 'summary', 'monitor_id', m.monitor_id, 'monitor', m.name,
      'alerts', cardinality(alerts), 'notified', cap,
      'first_omitted_alert_id', alert_ids[cap + 1],
      'last_omitted_alert_id', alert_ids[cardinality(alert_ids)],
      'hint', 'the omitted alerts are in drift.alerts')::text);
  END IF;
END
$fn$;
COMMENT ON FUNCTION drift._emit_alerts(drift.monitors, text, timestamptz, timestamptz, jsonb[]) IS
  'Write a run''s alerts to drift.alerts and NOTIFY them (the first 20, then a summary)';

CREATE OR REPLACE FUNCTION drift._run_monitor(p_id bigint, p_as_of timestamptz DEFAULT NULL,
                                   p_scheduled boolean DEFAULT false)
  RETURNS SETOF drift.results
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m   drift.monitors := drift._lock_monitor(p_id, p_scheduled);
  due boolean;
  w   record;
  c   record;
  r   record;
BEGIN
  IF m.monitor_id IS NULL THEN
    RETURN;
  END IF;
  -- a run that never came back (its backend was terminated for ignoring
  -- the timeout, or crashed) is recorded before anything else
  IF drift._take_lost_run(p_id) THEN
    PERFORM drift._record_failure(p_id, format(
      'a run of monitor "%s" did not finish: its session ended during the check '
      '(terminated after ignoring pg_drift.monitor_timeout, or a crash)', m.name));
    m := drift._lock_monitor(p_id, false);
  END IF;
  due := m.next_run <= now() AND NOT m.paused;
  IF p_scheduled AND NOT due THEN
    RETURN;
  END IF;

  w := drift._run_window(m, p_as_of);
  IF m.label_horizon IS NOT NULL THEN
    -- earlier windows whose labels changed are judged again first (74_label_join.sql)
    m := drift._rejudge_windows(m, w.window_start, coalesce(p_as_of, now()));
  END IF;
  c := drift._collect_slices(m, w.window_start, w.window_end, w.prev_start);
  IF c.error IS NULL AND m.label_relation_oid IS NOT NULL THEN
    c.error := drift._label_conflicts(m, c.vals);
  END IF;
  IF c.error IS NOT NULL THEN
    r := drift._record_error(m, CASE WHEN due THEN m.next_run END, w.window_start,
                             w.window_end, c.error);
    PERFORM drift._finish_run(m, due, 'error', m.slice_state);
  ELSE
    r := drift._record_slices(m, (SELECT x.comparison FROM drift.metrics x WHERE x.name = m.metric),
                              CASE WHEN due THEN m.next_run END, w.window_start, w.window_end,
                              c.slices, c.nrows, c.vals);
    IF m.metric = 'dataset_drift' THEN
      PERFORM drift._record_model_columns(r.results, c.vals);
    END IF;
    IF m.label_relation_oid IS NOT NULL THEN
      r.results := drift._note_labels(r.results, c.vals);
    END IF;
    PERFORM drift._finish_run(m, due, r.state, r.slice_state);
  END IF;
  PERFORM drift._emit_alerts(m, coalesce(c.relation::text, m.relation_name), w.window_start,
                             w.window_end, r.alerts);
  RETURN QUERY SELECT * FROM unnest(r.results);
END
$fn$;
COMMENT ON FUNCTION drift._run_monitor(bigint, timestamptz, boolean) IS
  'Run one monitor: lock, take a lost run, window, check as the owner, record results, '
  'update the monitor, write and notify alerts';

CREATE OR REPLACE FUNCTION drift._api_run_monitor(caller oid, name text, as_of timestamptz)
  RETURNS SETOF drift.results
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m drift.monitors := drift._get_monitor(caller, _api_run_monitor.name);
BEGIN
  -- the check runs as the owner: the caller must be able to act as it
  IF NOT pg_has_role(caller, m.owner, 'MEMBER') THEN
    RAISE EXCEPTION 'permission denied to run monitor "%" owned by role "%"', m.name, m.owner
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'A monitor runs with its owner''s privileges.';
  END IF;
  RETURN QUERY SELECT * FROM drift._run_monitor(m.monitor_id, _api_run_monitor.as_of, false);
END
$fn$;

COMMENT ON FUNCTION drift._api_run_monitor(oid, text, timestamptz) IS
  'drift.run_monitor for the calling role (reached only through it: src/worker/api_call.c)';

CREATE OR REPLACE FUNCTION drift.run_monitor(name text, as_of timestamptz DEFAULT NULL)
  RETURNS SETOF drift.results
  AS 'MODULE_PATHNAME', 'drift_api_call' LANGUAGE C VOLATILE;

CREATE OR REPLACE FUNCTION drift._api_prune_results(caller oid) RETURNS bigint
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  keep interval := drift._setting('result_retention', '30 days')::interval;
  n    bigint;
BEGIN
  IF keep <= interval '0' THEN
    RETURN 0;
  END IF;
  DELETE FROM drift.results r USING drift.monitors m
   WHERE r.run_at < now() - keep AND m.monitor_id = r.monitor_id
     AND drift._may_see(caller, m.owner);
  GET DIAGNOSTICS n = ROW_COUNT;
  DELETE FROM drift.alerts a USING drift.monitors m
   WHERE a.created_at < now() - keep AND m.monitor_id = a.monitor_id
     AND drift._may_see(caller, m.owner);
  RETURN n;
END
$fn$;

COMMENT ON FUNCTION drift._api_prune_results(oid) IS
  'drift.prune_results for the calling role (reached only through it: src/worker/api_call.c)';

CREATE OR REPLACE FUNCTION drift.prune_results() RETURNS bigint
  AS 'MODULE_PATHNAME', 'drift_api_call' LANGUAGE C VOLATILE;

CREATE OR REPLACE FUNCTION drift._api_run_due_monitors(caller oid) RETURNS integer
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  id bigint;
  n  integer := 0;
BEGIN
  PERFORM drift._api_prune_results(caller);
  FOR id IN SELECT x.monitor_id FROM drift.monitors x
             WHERE NOT x.paused AND x.next_run <= now()
               AND pg_has_role(caller, x.owner, 'MEMBER')
             ORDER BY x.next_run, x.monitor_id LOOP
    BEGIN
      PERFORM drift._run_monitor(id, NULL, true);
      n := n + 1;
    EXCEPTION WHEN OTHERS THEN
      RAISE WARNING 'monitor % failed: %', id, SQLERRM;
    END;
  END LOOP;
  RETURN n;
END
$fn$;

COMMENT ON FUNCTION drift._api_run_due_monitors(oid) IS
  'drift.run_due_monitors for the calling role (reached only through it: src/worker/api_call.c)';

CREATE OR REPLACE FUNCTION drift.run_due_monitors() RETURNS integer
  AS 'MODULE_PATHNAME', 'drift_api_call' LANGUAGE C VOLATILE;

CREATE OR REPLACE FUNCTION drift._record_failure(p_id bigint, p_error text) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m drift.monitors := drift._lock_monitor(p_id, true);
  r record;
BEGIN
  IF m.monitor_id IS NULL THEN
    RETURN;
  END IF;
  r := drift._record_error(m, m.next_run, NULL, NULL, p_error);
  PERFORM drift._finish_run(m, true, 'error', m.slice_state);
  PERFORM drift._emit_alerts(m, m.relation_name, NULL, NULL, r.alerts);
END
$fn$;
COMMENT ON FUNCTION drift._record_failure(bigint, text) IS
  'Record an error result and alert for a run that failed outside the check itself';

CREATE TRIGGER fill_baseline_owner BEFORE INSERT ON drift.baseline_columns
  FOR EACH ROW EXECUTE FUNCTION drift._fill_baseline_owner();
COMMENT ON TRIGGER fill_baseline_owner ON drift.baseline_columns IS
  'Rows restored without baseline_owner get the owner of the baseline their name means';
CREATE TRIGGER fill_baseline_owner BEFORE INSERT ON drift.baseline_correlations
  FOR EACH ROW EXECUTE FUNCTION drift._fill_baseline_owner();
COMMENT ON TRIGGER fill_baseline_owner ON drift.baseline_correlations IS
  'Rows restored without baseline_owner get the owner of the baseline their name means';
CREATE TRIGGER fill_baseline_owner BEFORE INSERT ON drift.baseline_metrics
  FOR EACH ROW EXECUTE FUNCTION drift._fill_baseline_owner();
COMMENT ON TRIGGER fill_baseline_owner ON drift.baseline_metrics IS
  'Rows restored without baseline_owner get the owner of the baseline their name means';

-- ---------------------------------------------------------------------------
-- Internal functions are not executable by ordinary roles
-- (src/sql/99_privileges.sql does the same in a fresh install)
-- ---------------------------------------------------------------------------

DO $do$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN SELECT p.oid
             FROM pg_catalog.pg_proc p
             JOIN pg_catalog.pg_depend d
               ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
              AND d.objid OPERATOR(pg_catalog.=) p.oid AND d.deptype OPERATOR(pg_catalog.=) 'e'
             JOIN pg_catalog.pg_extension e ON e.oid OPERATOR(pg_catalog.=) d.refobjid
            WHERE e.extname OPERATOR(pg_catalog.=) 'pg_drift'
              AND pg_catalog.starts_with(p.proname::text, '_') LOOP
    EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
END
$do$;

-- ---------------------------------------------------------------------------
-- Every object has a COMMENT ON: the support functions, state I/O and
-- sequences 0.1.0 left without one
-- ---------------------------------------------------------------------------
COMMENT ON FUNCTION corr_drift_final(drift_corr_state) IS
  'Final function of the corr_drift aggregates';
COMMENT ON FUNCTION corr_drift_named_trans(drift_corr_state, double precision, double precision, text, text) IS
  'Transition function of corr_drift against a named baseline';
COMMENT ON FUNCTION corr_drift_value_trans(drift_corr_state, double precision, double precision, double precision, bigint) IS
  'Transition function of corr_drift against a baseline correlation and count given as values';
COMMENT ON FUNCTION drift_corr_state_in(cstring) IS
  'Text input of drift_corr_state: \x and the hex digits of its binary form (how Citus ships states)';
COMMENT ON FUNCTION drift_corr_state_out(drift_corr_state) IS
  'Text output of drift_corr_state: \x and the hex digits of its binary form (how Citus ships states)';
COMMENT ON FUNCTION drift_corr_state_recv(internal) IS
  'Binary input of drift_corr_state, validating every count and length';
COMMENT ON FUNCTION drift_corr_state_send(drift_corr_state) IS
  'Binary output of drift_corr_state';
COMMENT ON FUNCTION drift_integrity_state_in(cstring) IS
  'Text input of drift_integrity_state: \x and the hex digits of its binary form (how Citus ships states)';
COMMENT ON FUNCTION drift_integrity_state_out(drift_integrity_state) IS
  'Text output of drift_integrity_state: \x and the hex digits of its binary form (how Citus ships states)';
COMMENT ON FUNCTION drift_integrity_state_recv(internal) IS
  'Binary input of drift_integrity_state, validating every count and length';
COMMENT ON FUNCTION drift_integrity_state_send(drift_integrity_state) IS
  'Binary output of drift_integrity_state';
COMMENT ON FUNCTION drift_profile_agg_combine(internal, internal) IS
  'Combine function of drift_profile_agg (parallel and partial aggregation)';
COMMENT ON FUNCTION drift_profile_agg_deserialize(bytea, internal) IS
  'Deserializes the internal state of drift_profile_agg in parallel aggregation';
COMMENT ON FUNCTION drift_profile_agg_final(internal) IS
  'Final function of the drift_profile_agg aggregates';
COMMENT ON FUNCTION drift_profile_agg_serialize(internal) IS
  'Serializes the internal state of drift_profile_agg for parallel aggregation';
COMMENT ON FUNCTION drift_profile_agg_trans(internal, double precision) IS
  'Transition function of drift_profile_agg';
COMMENT ON FUNCTION drift_profile_in(cstring) IS
  'Text input of drift_profile';
COMMENT ON FUNCTION drift_profile_merge_trans(internal, drift_profile) IS
  'Transition function of drift_profile_merge: merges one profile into the running one';
COMMENT ON FUNCTION drift_profile_out(drift_profile) IS
  'Text output of drift_profile';
COMMENT ON FUNCTION drift_profile_recv(internal) IS
  'Binary input of drift_profile, validating every count and length';
COMMENT ON FUNCTION drift_profile_send(drift_profile) IS
  'Binary output of drift_profile';
COMMENT ON FUNCTION drift_sketch_agg_combine(internal, internal) IS
  'Combine function of drift_sketch_agg (parallel and partial aggregation)';
COMMENT ON FUNCTION drift_sketch_agg_deserialize(bytea, internal) IS
  'Deserializes the internal state of drift_sketch_agg in parallel aggregation';
COMMENT ON FUNCTION drift_sketch_agg_final(internal) IS
  'Final function of the drift_sketch_agg aggregates';
COMMENT ON FUNCTION drift_sketch_agg_serialize(internal) IS
  'Serializes the internal state of drift_sketch_agg for parallel aggregation';
COMMENT ON FUNCTION drift_sketch_agg_trans(internal, double precision, integer) IS
  'Transition function of drift_sketch_agg';
COMMENT ON FUNCTION drift_stream_state_in(cstring) IS
  'Text input of drift_stream_state: \x and the hex digits of its binary form (how Citus ships states)';
COMMENT ON FUNCTION drift_stream_state_out(drift_stream_state) IS
  'Text output of drift_stream_state: \x and the hex digits of its binary form (how Citus ships states)';
COMMENT ON FUNCTION drift_stream_state_recv(internal) IS
  'Binary input of drift_stream_state, validating every count and length';
COMMENT ON FUNCTION drift_stream_state_send(drift_stream_state) IS
  'Binary output of drift_stream_state';
COMMENT ON FUNCTION ks_drift_final(drift_stream_state) IS
  'Final function of the ks_drift aggregates';
COMMENT ON FUNCTION ks_drift_named_trans(drift_stream_state, double precision, text, text) IS
  'Transition function of ks_drift against a named baseline';
COMMENT ON FUNCTION ks_drift_named_trans(drift_stream_state, double precision, text, text, text) IS
  'Transition function of ks_drift against a named baseline';
COMMENT ON FUNCTION ks_drift_profile_trans(drift_stream_state, double precision, drift_profile) IS
  'Transition function of ks_drift against a drift_profile value';
COMMENT ON FUNCTION ks_drift_profile_trans(drift_stream_state, double precision, drift_profile, text) IS
  'Transition function of ks_drift against a drift_profile value';
COMMENT ON FUNCTION null_rate_drift_final(drift_integrity_state) IS
  'Final function of the null_rate_drift aggregates';
COMMENT ON FUNCTION null_rate_drift_named_trans(drift_integrity_state, double precision, text, text) IS
  'Transition function of null_rate_drift against a named baseline';
COMMENT ON FUNCTION null_rate_drift_named_trans(drift_integrity_state, text, text, text) IS
  'Transition function of null_rate_drift against a named baseline';
COMMENT ON FUNCTION null_rate_drift_profile_trans(drift_integrity_state, double precision, drift_profile) IS
  'Transition function of null_rate_drift against a drift_profile value';
COMMENT ON FUNCTION null_rate_drift_profile_trans(drift_integrity_state, text, drift_profile) IS
  'Transition function of null_rate_drift against a drift_profile value';
COMMENT ON FUNCTION out_of_range_share_final(drift_integrity_state) IS
  'Final function of the out_of_range_share aggregates';
COMMENT ON FUNCTION out_of_range_share_named_trans(drift_integrity_state, double precision, text, text) IS
  'Transition function of out_of_range_share against a named baseline';
COMMENT ON FUNCTION out_of_range_share_profile_trans(drift_integrity_state, double precision, drift_profile) IS
  'Transition function of out_of_range_share against a drift_profile value';
COMMENT ON SEQUENCE drift.alerts_alert_id_seq IS
  'Numbers the rows of drift.alerts (column alert_id)';
COMMENT ON SEQUENCE drift.monitors_monitor_id_seq IS
  'Numbers the rows of drift.monitors (column monitor_id)';
COMMENT ON SEQUENCE drift.results_result_id_seq IS
  'Numbers the rows of drift.results (column result_id)';

-- Grafana views and drift.report() (issue 10, items 6 and 7): new objects,
-- the same text as src/sql/80_grafana.sql and src/sql/81_report.sql
-- ---------------------------------------------------------------------------

-- A slice as one label: "country=DE, device=ios", or "all" when unsliced.
-- Public (not drift._*): the views call it with the invoker's rights.
CREATE FUNCTION drift.slice_label(slice jsonb) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT coalesce((SELECT string_agg(e.key || '=' || coalesce(e.value #>> '{}', 'NULL'), ', '
                                     ORDER BY e.key)
                     FROM jsonb_each(slice) e), 'all')
$fn$;
COMMENT ON FUNCTION drift.slice_label(jsonb) IS
  'A result''s slice as one text label, key=value pairs in key order ("all" when unsliced)';

CREATE VIEW drift.grafana_results AS
  SELECT coalesce(r.window_end, r.run_at) AS "time",
         r.monitor, m.owner, m.column_name AS "column", drift.slice_label(r.slice) AS slice,
         r.metric, r.state, r.statistic, r.p_value, r.threshold,
         m.lower_bound, m.upper_bound, r.n_baseline, r.n_current,
         r.window_start, r.window_end, r.run_at, r.error, r.result_id, r.monitor_id
    FROM drift.results r
    JOIN drift.monitors m ON m.monitor_id OPERATOR(pg_catalog.=) r.monitor_id;
ALTER VIEW drift.grafana_results SET (security_invoker = true);
GRANT SELECT ON drift.grafana_results TO PUBLIC;
COMMENT ON VIEW drift.grafana_results IS
  'drift.results for Grafana: time (window end, else run time), values statistic, p_value, '
  'threshold; labels monitor, column, slice, metric, state; only the caller''s monitors';

-- An alert's time is the end of the window it is about (as in
-- grafana_results); a firing alert ends (timeend) at the first later
-- resolved or error alert of the same monitor and slice, so Grafana draws
-- the whole episode as a region.
-- Finding a firing alert's end reads the later alerts of its monitor; so do
-- the report's alert marks (and the cascade when a monitor is dropped).
CREATE INDEX alerts_by_monitor ON drift.alerts (monitor_id, alert_id);
COMMENT ON INDEX drift.alerts_by_monitor IS
  'A monitor''s alerts in order: the end of a firing episode (drift.grafana_alerts), drop_monitor';

CREATE VIEW drift.grafana_alerts AS
  SELECT a."time", e."time" AS timeend,
         a.monitor || ' ' || a.state || ': ' || coalesce(a.metric, '') || ' on '
           || coalesce(a."column", '?') || ' (' || a.slice || ')'
           || coalesce(', statistic ' || (a.payload ->> 'statistic'), '')
           || coalesce(', p-value ' || (a.payload ->> 'p_value'), '')
           || coalesce(', threshold ' || (a.payload ->> 'threshold'), '')
           || coalesce(', error: ' || (a.payload ->> 'error'), '') AS text,
         ARRAY['pg_drift', a.state, a.monitor, a.metric, a."column"]
           OPERATOR(pg_catalog.||) CASE WHEN a.slice OPERATOR(pg_catalog.<>) 'all'
                                        THEN ARRAY[a.slice] ELSE '{}'::text[] END AS tags,
         a.monitor, a.state, a.metric, a."column", a.slice, a.alert_id, a.result_id,
         a.monitor_id, a.created_at, a.payload
    FROM (SELECT x.*,
                 coalesce((x.payload ->> 'window_end')::timestamptz, x.created_at) AS "time",
                 coalesce(x.payload ->> 'monitor', m.name) AS monitor,
                 x.payload ->> 'state' AS state,
                 coalesce(x.payload ->> 'metric', m.metric) AS metric,
                 coalesce(x.payload ->> 'column', m.column_name) AS "column",
                 drift.slice_label(coalesce(x.payload -> 'slice', '{}')) AS slice
            FROM drift.alerts x
            JOIN drift.monitors m ON m.monitor_id OPERATOR(pg_catalog.=) x.monitor_id) a
    LEFT JOIN LATERAL (
      SELECT coalesce((y.payload ->> 'window_end')::timestamptz, y.created_at) AS "time"
        FROM drift.alerts y
       WHERE a.state OPERATOR(pg_catalog.=) 'firing'
         AND y.monitor_id OPERATOR(pg_catalog.=) a.monitor_id
         AND y.alert_id OPERATOR(pg_catalog.>) a.alert_id
         AND y.payload ->> 'state' OPERATOR(pg_catalog.=) ANY (ARRAY['resolved', 'error'])
         AND drift.slice_label(coalesce(y.payload -> 'slice', '{}')) OPERATOR(pg_catalog.=) a.slice
       ORDER BY y.alert_id
       LIMIT 1) e ON true;
ALTER VIEW drift.grafana_alerts SET (security_invoker = true);
GRANT SELECT ON drift.grafana_alerts TO PUBLIC;
COMMENT ON VIEW drift.grafana_alerts IS
  'drift.alerts as Grafana annotations: time, timeend (a firing alert''s episode ends at the '
  'next resolved or error alert of its slice), text, tags; only the caller''s monitors';

CREATE VIEW drift.grafana_status AS
  SELECT s.name AS monitor, s.owner, s.column_name AS "column", s.metric, s.state, s.paused,
         s.last_run, s.next_run, s.last_statistic, s.last_p_value, m.threshold,
         m.lower_bound, m.upper_bound, s.firing_slices, s.consecutive_failures, s.last_error,
         s.relation, s.monitor_id
    FROM drift.monitor_status s
    JOIN drift.monitors m ON m.monitor_id OPERATOR(pg_catalog.=) s.monitor_id;
ALTER VIEW drift.grafana_status SET (security_invoker = true);
GRANT SELECT ON drift.grafana_status TO PUBLIC;
COMMENT ON VIEW drift.grafana_status IS
  'One row per visible monitor for a Grafana table panel: state, last run and result, '
  'threshold or bounds, firing slices, consecutive failures';

-- Text as HTML/XML character data or attribute value.
CREATE FUNCTION drift.report_escape(t text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT replace(replace(replace(replace(replace(
           coalesce(t, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;')
$fn$;
COMMENT ON FUNCTION drift.report_escape(text) IS
  'Escape text for HTML and XML (& < > " and '' as entities); NULL gives an empty string';

-- A number short enough for a chart label: 4 significant digits, an
-- exponent for very small or large magnitudes.
CREATE FUNCTION drift.report_number(x float8) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT CASE WHEN x IS NULL THEN '-'
              WHEN x = 0 THEN '0'
              WHEN x = 'Infinity' THEN 'inf'
              WHEN x = '-Infinity' THEN '-inf'
              WHEN x = 'NaN' THEN 'NaN'
              WHEN abs(x) < 1e-3 OR abs(x) >= 1e6 THEN trim(to_char(x, '9.99EEEE'))
              ELSE rtrim(rtrim(to_char(round(x::numeric, greatest(0, 3 - floor(log(abs(x)))::int)),
                                       'FM999999990.999999'), '0'), '.')
         END
$fn$;
COMMENT ON FUNCTION drift.report_number(float8) IS
  'A number as the report prints it: about 4 significant digits, exponent form below 0.001 '
  'and from 1e6';

-- A round step for about `ticks` axis intervals over `span`: 1, 2, 2.5 or 5
-- times a power of ten (Heckbert's "nice numbers for graph labels",
-- Graphics Gems, 1990), so that axis labels read 0, 10, 20 rather than 0, 10.2.
CREATE FUNCTION drift.report_nice_step(span float8, ticks integer DEFAULT 4) RETURNS float8
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT m * CASE WHEN f <= 1 THEN 1 WHEN f <= 2 THEN 2 WHEN f <= 2.5 THEN 2.5
                  WHEN f <= 5 THEN 5 ELSE 10 END
    FROM (SELECT raw / m AS f, m
            FROM (SELECT raw, power(10::float8, floor(log(raw))) AS m
                    FROM (SELECT greatest(span / greatest(ticks, 1), 1e-300) AS raw) r) x) y
$fn$;
COMMENT ON FUNCTION drift.report_nice_step(float8, integer) IS
  'A round axis step (1, 2, 2.5 or 5 times a power of ten) for about ticks intervals over span';

-- The quantity a monitor's threshold applies to, as the chart plots it:
-- -log10(p) for p-value tests (so that higher means more drift, like every
-- other metric, and p-values far below 1e-10 stay readable), the statistic
-- otherwise.
CREATE FUNCTION drift.report_plotted_value(comparison text, statistic float8, p_value float8)
  RETURNS float8
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT CASE WHEN comparison = 'p_value'
              THEN CASE WHEN p_value IS NULL OR p_value = 'NaN' THEN NULL
                        ELSE -log(greatest(p_value, 1e-300)) END
              WHEN statistic IS NULL OR statistic IN ('NaN', 'Infinity', '-Infinity') THEN NULL
              ELSE statistic END
$fn$;
COMMENT ON FUNCTION drift.report_plotted_value(text, float8, float8) IS
  'What the report''s chart plots for a result: -log10(p-value) for p-value tests '
  '(p floored at 1e-300), else the statistic';

-- ---------------------------------------------------------------------------
-- Chart of one monitor's metric over time
-- ---------------------------------------------------------------------------
--
-- x: window end (else run time) as in drift.grafana_results; y: see
-- report_plotted_value.  One line per slice (at most 8, the most recently
-- firing first; the legend says how many are left out), a dashed threshold
-- line (two for bounds), breaching points filled red, and the alerts as
-- marks on the time axis: a red triangle where one fired, a green circle
-- where it resolved, a grey square for an error.
CREATE FUNCTION drift.report_metric_chart(monitor_id bigint, since timestamptz DEFAULT NULL)
  RETURNS text
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  -- the plot area inside a 760 x 240 picture
  x0 constant float8 := 64;  x1 constant float8 := 740;
  y0 constant float8 := 12;  y1 constant float8 := 196;
  colours constant text[] := ARRAY['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b',
                                   '#e377c2', '#17becf', '#7f7f7f'];
  m      drift.monitors;
  cmp    text;
  lines  float8[];
  -- the points, as parallel arrays (a temporary table would need a
  -- writable transaction): slice label, epoch, plotted value, breach, rank
  sl text[]; ts float8[]; vs float8[]; br boolean[]; rk integer[];
  tmin float8; tmax float8; vmin float8; vmax float8;
  step   float8;
  nticks integer;
  n_sl   integer;
  svg    text;
BEGIN
  SELECT * INTO m FROM drift.monitors x WHERE x.monitor_id = report_metric_chart.monitor_id;
  IF NOT FOUND THEN
    RETURN '';
  END IF;
  cmp := coalesce((SELECT comparison FROM drift.metrics WHERE name = m.metric), 'above');
  lines := CASE cmp
             WHEN 'p_value' THEN ARRAY[drift.report_plotted_value(cmp, NULL, m.threshold)]
             WHEN 'bounds' THEN ARRAY[m.lower_bound, m.upper_bound]
             ELSE ARRAY[m.threshold] END;

  -- slices ranked by their last firing (most recent first), then by name
  -- (each array in the same, total order: result_id breaks ties)
  SELECT array_agg(p.slice ORDER BY p.t, p.result_id), array_agg(p.t ORDER BY p.t, p.result_id),
         array_agg(p.v ORDER BY p.t, p.result_id), array_agg(p.breach ORDER BY p.t, p.result_id),
         array_agg(p.rank ORDER BY p.t, p.result_id)
    INTO sl, ts, vs, br, rk
    FROM (SELECT q.*, dense_rank() OVER (ORDER BY q.last_firing DESC NULLS LAST, q.slice)::integer AS rank
            FROM (SELECT drift.slice_label(r.slice) AS slice, r.result_id,
                         extract(epoch FROM coalesce(r.window_end, r.run_at))::float8 AS t,
                         drift.report_plotted_value(cmp, r.statistic, r.p_value) AS v,
                         r.state IN ('firing', 'pending') AS breach,
                         max(CASE WHEN r.state = 'firing' THEN r.run_at END)
                           OVER (PARTITION BY r.slice) AS last_firing
                    FROM drift.results r
                   WHERE r.monitor_id = m.monitor_id
                     AND (since IS NULL OR coalesce(r.window_end, r.run_at) >= since)) q) p;
  SELECT min(t), max(t), min(v), max(v), count(DISTINCT s)
    INTO tmin, tmax, vmin, vmax, n_sl FROM unnest(sl, ts, vs) AS u(s, t, v);
  IF tmin IS NULL THEN
    RETURN '<p class="empty">No results in this period.</p>';
  END IF;
  SELECT least(vmin, min(l)), greatest(vmax, max(l)) INTO vmin, vmax FROM unnest(lines) l;
  vmin := least(coalesce(vmin, 0), 0);
  vmax := coalesce(vmax, 1);
  IF vmax <= vmin THEN vmax := vmin + 1; END IF;
  -- round axis ends, a little room above the highest point
  step := drift.report_nice_step((vmax - vmin) * 1.05);
  vmin := floor(vmin / step) * step;
  vmax := ceil((vmax + (vmax - vmin) * 0.05) / step) * step;
  nticks := round((vmax - vmin) / step)::integer;
  IF tmax <= tmin THEN tmin := tmin - 3600; tmax := tmax + 3600; END IF;

  svg := '<svg class="chart" width="760" height="240" viewBox="0 0 760 240" role="img">'
    || format('<rect x="%s" y="%s" width="%s" height="%s" class="plot"/>', x0, y0, x1 - x0, y1 - y0)
    -- y grid and labels
    || (SELECT string_agg(format('<line x1="%s" x2="%s" y1="%s" y2="%s" class="grid"/>'
                                 '<text x="%s" y="%s" class="ylab">%s</text>',
                                 x0, x1, g.y, g.y, x0 - 6, g.y + 4, drift.report_number(g.v)),
                          '' ORDER BY g.i)
          FROM (SELECT i, vmin + step * i AS v,
                       round((y1 - (y1 - y0) * i / nticks)::numeric, 1) AS y
                  FROM generate_series(0, nticks) i) g)
    -- time labels
    || (SELECT string_agg(format('<text x="%s" y="%s" class="xlab" text-anchor="%s">%s</text>',
                                 round((x0 + (x1 - x0) * i / 4)::numeric, 1), y1 + 16,
                                 CASE i WHEN 0 THEN 'start' WHEN 4 THEN 'end' ELSE 'middle' END,
                                 to_char(to_timestamp(tmin + (tmax - tmin) * i / 4) AT TIME ZONE 'UTC',
                                         'YYYY-MM-DD HH24:MI')), '' ORDER BY i)
          FROM generate_series(0, 4) i)
    || format('<text x="%s" y="%s" class="axis">%s (time: window end, UTC)</text>', x0, y1 + 36,
              CASE cmp WHEN 'p_value' THEN '&#8722;log10 p-value (higher: stronger evidence of drift)'
                       ELSE drift.report_escape(m.metric) END)
    -- threshold line(s), labelled with the threshold itself
    || coalesce((SELECT string_agg(format('<line x1="%s" x2="%s" y1="%s" y2="%s" class="threshold"/>'
                                          '<text x="%s" y="%s" class="thlab">%s %s</text>',
                                          x0, x1, th.y, th.y, x1 - 4, th.y - 4,
                                          CASE cmp WHEN 'p_value' THEN 'p-value threshold'
                                                   WHEN 'bounds' THEN 'bound' ELSE 'threshold' END,
                                          drift.report_number(CASE cmp WHEN 'p_value'
                                                                  THEN m.threshold ELSE th.l END)),
                                   '' ORDER BY th.l)
                   FROM (SELECT l, round((y1 - (y1 - y0) * (l - vmin) / (vmax - vmin))::numeric, 1) AS y
                           FROM unnest(lines) l WHERE l IS NOT NULL) th), '')
    -- one line and its points per slice drawn; breaching points filled.
    -- A long history keeps one point per pixel column and slice, the
    -- highest (the one nearest a breach), so the page stays small and no
    -- breach disappears; points are drawn as dots while there are few.
    || coalesce((SELECT string_agg(format('<polyline class="series" stroke="%s" points="%s"/>%s',
                                          colours[s.rank], s.pts, s.dots), '' ORDER BY s.rank)
                   FROM (SELECT q.rank, string_agg(q.x || ',' || q.y, ' ' ORDER BY q.x) AS pts,
                                string_agg(format('<circle cx="%s" cy="%s" r="%s" class="%s" stroke="%s"/>',
                                                  q.x, q.y, CASE WHEN q.breach THEN 4.5 ELSE 3 END,
                                                  CASE WHEN q.breach THEN 'breach' ELSE 'point' END,
                                                  colours[q.rank]), '' ORDER BY q.x)
                                  FILTER (WHERE q.breach OR q.n <= 120) AS dots
                           FROM (SELECT c.rank, c.x, bool_or(c.breach) AS breach,
                                        round((y1 - (y1 - y0) * (max(c.v) - vmin) / (vmax - vmin))::numeric, 1) AS y,
                                        count(*) OVER (PARTITION BY c.rank) AS n
                                   FROM (SELECT u.rank, u.breach, u.v,
                                                round((x0 + (x1 - x0) * (u.t - tmin) / (tmax - tmin))::numeric, 0) AS x
                                           FROM unnest(ts, vs, br, rk) AS u(t, v, breach, rank)
                                          WHERE u.rank <= 8 AND u.v IS NOT NULL) c
                                  GROUP BY c.rank, c.x) q
                          GROUP BY q.rank) s), '')
    -- the alerts on the time axis
    || coalesce((SELECT string_agg(CASE a.state
                   WHEN 'firing' THEN format('<polygon points="%s,%s %s,%s %s,%s" class="fired"><title>fired: %s</title></polygon>',
                                             a.x - 6, y1 - 1, a.x + 6, y1 - 1, a.x, y1 - 13, a.label)
                   WHEN 'resolved' THEN format('<circle cx="%s" cy="%s" r="5" class="resolved"><title>resolved: %s</title></circle>',
                                               a.x, y1 - 6, a.label)
                   ELSE format('<rect x="%s" y="%s" width="10" height="10" class="errmark"><title>%s: %s</title></rect>',
                               a.x - 5, y1 - 11, drift.report_escape(a.state), a.label) END,
                   '' ORDER BY a.alert_id)
                   -- one mark per kind and pixel column, naming its slices (up to 5)
                   FROM (SELECT g.state, g.x, min(g.alert_id) AS alert_id,
                                drift.report_escape(
                                  array_to_string((array_agg(DISTINCT g.slice ORDER BY g.slice))[1:5], ', ')
                                  || CASE WHEN count(DISTINCT g.slice) > 5
                                          THEN format(' and %s more', count(DISTINCT g.slice) - 5) ELSE '' END
                                  || ' at ' || to_char(min(g."time") AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'))
                                  AS label
                           FROM (SELECT a0.*,
                                        round((x0 + (x1 - x0) * (extract(epoch FROM a0."time") - tmin)
                                               / (tmax - tmin))::numeric, 0) AS x
                                   FROM drift.grafana_alerts a0
                                  WHERE a0.monitor_id = m.monitor_id
                                    AND extract(epoch FROM a0."time") BETWEEN tmin AND tmax) g
                          GROUP BY g.state, g.x) a), '')
    || '</svg>';
  -- the legend, as HTML so that long slice labels wrap
  svg := svg || '<p class="legend">'
    || (SELECT string_agg(format('<span class="key"><span class="swatch" style="background:%s"></span>%s</span>',
                                 colours[k.rank], drift.report_escape(k.slice)), ' ' ORDER BY k.rank)
          FROM (SELECT DISTINCT u.rank, u.s AS slice FROM unnest(sl, rk) AS u(s, rank)
                 WHERE u.rank <= 8) k)
    || ' <span class="key"><span class="mark fired-key"></span>fired</span>'
    || ' <span class="key"><span class="mark resolved-key"></span>resolved</span>'
    || ' <span class="key"><span class="mark breach-key"></span>breach</span>'
    || CASE WHEN n_sl > 8 THEN format(' <span class="note">%s more slices not drawn (see the table)</span>',
                                      n_sl - 8) ELSE '' END
    || '</p>';
  RETURN svg;
END
$fn$;
COMMENT ON FUNCTION drift.report_metric_chart(bigint, timestamptz) IS
  'SVG chart of a visible monitor''s metric over time (window end) with its threshold, '
  'breaching points and fired/resolved/error alert marks; empty text for an invisible monitor';

-- ---------------------------------------------------------------------------
-- Baseline-vs-current histograms
-- ---------------------------------------------------------------------------
--
-- The shares of two profiles over common bins.  Categories (and numeric
-- columns with at most 25 distinct values on both sides together) get a bin
-- each, the 19 largest by share plus "(other)" when there are more.  Other
-- numeric columns get `bins` equal-width bins between the baseline's 1st and
-- 99th percentiles, the outer bins also holding what lies beyond, so that a
-- long tail does not squeeze the bulk of the distribution into one bar (a
-- sketch profile's entries are its quantile points, weighted by their
-- counts, so it bins the same way).  current NULL, or of the other kind,
-- gives NULL current shares.
CREATE FUNCTION drift.report_histogram(baseline @extschema@.drift_profile,
                                       current @extschema@.drift_profile,
                                       bins integer DEFAULT 20)
  RETURNS TABLE (bin integer, label text, baseline_share float8, current_share float8)
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
BEGIN
  IF bins IS NULL OR bins < 2 OR bins > 200 THEN
    RAISE EXCEPTION 'bins must be between 2 and 200'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Numeric columns are drawn in that many equal-width bins.';
  END IF;
  RETURN QUERY
  WITH j AS (
    SELECT b, CASE WHEN c ->> 'kind' = b ->> 'kind' THEN c END AS c
      FROM (SELECT baseline::text::jsonb AS b, current::text::jsonb AS c) x),
  e AS (  -- one row per profile entry: side (0 baseline, 1 current), value, count
    SELECT s.side, v.x AS cat,
           CASE WHEN j.b ->> 'kind' = 'numeric' THEN v.x::float8 END AS x, n.n::float8 AS n
      FROM j CROSS JOIN LATERAL (VALUES (0, j.b), (1, j.c)) AS s(side, p)
     CROSS JOIN LATERAL jsonb_array_elements_text(coalesce(s.p -> 'values', s.p -> 'categories'))
                        WITH ORDINALITY AS v(x, i)
      JOIN LATERAL jsonb_array_elements_text(s.p -> 'counts') WITH ORDINALITY AS n(n, i)
        ON n.i = v.i),
  tot AS (SELECT side, sum(n) AS total FROM e GROUP BY side),
  discrete AS (
    SELECT (SELECT b ->> 'kind' FROM j) = 'categorical' OR count(DISTINCT x) <= 25 AS yes FROM e),
  -- the binned case: the baseline's 1st and 99th percentiles
  cum AS (
    SELECT x, sum(n) OVER (ORDER BY x) / sum(n) OVER () AS f FROM e WHERE side = 0),
  range AS (
    SELECT CASE WHEN hi > lo THEN lo ELSE mn END AS lo, CASE WHEN hi > lo THEN hi ELSE mx END AS hi
      FROM (SELECT (SELECT min(x) FROM cum WHERE f >= 0.01) AS lo,
                   (SELECT min(x) FROM cum WHERE f >= 0.99) AS hi,
                   (SELECT min(x) FROM e) AS mn, (SELECT max(x) FROM e) AS mx) r),
  keyed AS (  -- each entry's bin key and label
    SELECT e.side, e.n,
           CASE WHEN d.yes THEN NULL
                ELSE least(bins - 1, greatest(0, floor((e.x - r.lo) / nullif(r.hi - r.lo, 0) * bins)))::integer
           END AS k, e.cat, e.x
      FROM e, discrete d, range r),
  shares AS (
    SELECT k.k, k.cat, min(k.x) AS x,
           sum(k.n) FILTER (WHERE k.side = 0) / (SELECT total FROM tot WHERE side = 0) AS bs,
           sum(k.n) FILTER (WHERE k.side = 1) / (SELECT total FROM tot WHERE side = 1) AS cs
      FROM (SELECT side, n, k, CASE WHEN k IS NULL THEN cat END AS cat, x FROM keyed) k
     GROUP BY k.k, k.cat),
  ranked AS (
    SELECT s.*, row_number() OVER (ORDER BY greatest(coalesce(s.bs, 0), coalesce(s.cs, 0)) DESC,
                                            s.cat) AS big
      FROM shares s)
  SELECT (row_number() OVER (ORDER BY o.ord1, o.ord2, o.label))::integer, o.label,
         coalesce(o.bs, 0), CASE WHEN (SELECT c FROM j) IS NOT NULL THEN coalesce(o.cs, 0) END
    FROM (  -- bins in order
          SELECT g.k AS ord1, 0::float8 AS ord2,
                 CASE WHEN g.k = 0 THEN '< ' || drift.report_number(r.lo + (r.hi - r.lo) / bins)
                      WHEN g.k = bins - 1 THEN '>= ' || drift.report_number(r.hi - (r.hi - r.lo) / bins)
                      ELSE drift.report_number(r.lo + (r.hi - r.lo) * g.k / bins) || ' - '
                           || drift.report_number(r.lo + (r.hi - r.lo) * (g.k + 1) / bins) END AS label,
                 s.bs, s.cs
            FROM discrete d, range r, generate_series(0, bins - 1) AS g(k)
            LEFT JOIN shares s ON s.k = g.k
           WHERE NOT d.yes AND r.hi > r.lo
          UNION ALL  -- values and categories: numeric ones in order, categories by size
          SELECT 0, CASE WHEN x IS NOT NULL THEN x ELSE big END, cat, bs, cs
            FROM ranked, discrete d WHERE d.yes AND (big < 20 OR (SELECT count(*) FROM ranked) <= 20)
          UNION ALL
          SELECT 1, 0, '(other)', sum(bs), sum(cs)
            FROM ranked, discrete d WHERE d.yes AND big >= 20 AND (SELECT count(*) FROM ranked) > 20
          HAVING count(*) > 0) o;
END
$fn$;
COMMENT ON FUNCTION drift.report_histogram(drift_profile, drift_profile, integer) IS
  'Shares of a baseline and a current profile over common bins: a bin per category or per '
  'value (up to 25 distinct numbers; 19 largest plus "(other)"), else equal-width bins between '
  'the baseline''s 1st and 99th percentiles with the tails in the outer bins';

-- The histogram as SVG: the baseline's share (grey-blue) and the current
-- share (orange) side by side in each bin; bin labels under the bars (every
-- bin when there are few, else every fourth).
CREATE FUNCTION drift.report_histogram_chart(baseline @extschema@.drift_profile,
                                             current @extschema@.drift_profile,
                                             bins integer DEFAULT 20)
  RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  WITH h AS (SELECT * FROM drift.report_histogram(baseline, current, bins)),
  dim AS (  -- bins, and a round y axis a little above the highest bar
    SELECT k, step, ceil(hi * 1.02 / step) * step AS top, ceil(hi * 1.02 / step)::integer AS nticks
      FROM (SELECT k, hi, drift.report_nice_step(hi * 1.02) AS step
              FROM (SELECT count(*) AS k,
                           greatest(max(baseline_share), coalesce(max(current_share), 0), 1e-9) AS hi
                      FROM h) a) b),
  geo AS (  -- plot area x 48..452, y 10..170 of a 500 x 250 picture (room for the last label)
    SELECT h.*, 404.0 / d.k AS slot, d.k, d.top,
           48 + 404.0 / d.k * (h.bin - 1) AS left_x
      FROM h, dim d)
  SELECT CASE WHEN (SELECT k FROM dim) = 0 THEN '<p class="empty">The profiles hold no values.</p>'
  ELSE
    '<svg class="hist" width="500" height="250" viewBox="0 0 500 250" role="img">'
    || '<rect x="48" y="10" width="404" height="160" class="plot"/>'
    || (SELECT string_agg(format('<line x1="48" x2="452" y1="%s" y2="%s" class="grid"/>'
                                 '<text x="44" y="%s" class="ylab">%s%%</text>',
                                 y, y, y + 4, drift.report_number(d.step * i * 100)),
                          '' ORDER BY i)
          FROM dim d, generate_series(0, d.nticks) i,
               LATERAL (SELECT round((170 - 160.0 * i / d.nticks)::numeric, 1) AS y) yy)
    || (SELECT string_agg(
          format('<rect x="%s" y="%s" width="%s" height="%s" class="base"><title>%s: baseline %s%%</title></rect>',
                 round((g.left_x + g.slot * 0.1)::numeric, 1),
                 round((170 - 160 * g.baseline_share / g.top)::numeric, 1),
                 round((g.slot * 0.4)::numeric, 1),
                 round((160 * g.baseline_share / g.top)::numeric, 1),
                 drift.report_escape(g.label), drift.report_number(g.baseline_share * 100))
          || CASE WHEN g.current_share IS NULL THEN '' ELSE
          format('<rect x="%s" y="%s" width="%s" height="%s" class="cur"><title>%s: current %s%%</title></rect>',
                 round((g.left_x + g.slot * 0.5)::numeric, 1),
                 round((170 - 160 * g.current_share / g.top)::numeric, 1),
                 round((g.slot * 0.4)::numeric, 1),
                 round((160 * g.current_share / g.top)::numeric, 1),
                 drift.report_escape(g.label), drift.report_number(g.current_share * 100)) END
          || CASE WHEN g.k <= 12 OR (g.bin - 1) % 4 = 0 OR g.bin = g.k THEN
          format('<text x="%s" y="182" class="blab" transform="rotate(40 %s 182)">%s</text>',
                 round((g.left_x + g.slot / 2)::numeric, 1), round((g.left_x + g.slot / 2)::numeric, 1),
                 drift.report_escape(CASE WHEN length(g.label) > 18 THEN left(g.label, 17) || '...'
                                          ELSE g.label END)) ELSE '' END,
          '' ORDER BY g.bin)
          FROM geo g)
    || '</svg>'
  END
$fn$;
COMMENT ON FUNCTION drift.report_histogram_chart(drift_profile, drift_profile, integer) IS
  'SVG bar chart of drift.report_histogram: baseline and current share per bin, side by side';

-- One monitor's column: the baseline profile against the rows of the
-- monitor's latest window.  The current side is read here, by the caller:
-- nothing of it is stored with the results, and rereading the window with
-- the caller's own rights shows no more than the caller may select.  The
-- monitor's filter is SQL written by the monitor's owner, so it is applied
-- only when the caller is that owner (anyone else would run another role's
-- code with their own rights); otherwise, and over all slices together, the
-- caption says what the bars cover.  A window the caller cannot read, or
-- that fails, leaves the baseline alone with the reason.
CREATE FUNCTION drift.report_distribution(monitor_id bigint, bins integer DEFAULT 20)
  RETURNS text
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m       drift.monitors;
  bcol    drift.baseline_columns;
  rel     regclass;
  wstart  timestamptz;
  wend    timestamptz;
  cur     @extschema@.drift_profile;
  caption text;
  use_filter boolean;
BEGIN
  SELECT * INTO m FROM drift.monitors x WHERE x.monitor_id = report_distribution.monitor_id;
  IF NOT FOUND OR m.baseline IS NULL THEN
    RETURN '';
  END IF;
  SELECT * INTO bcol FROM drift.baseline_columns b
   WHERE b.baseline_owner = drift.baseline_owner(m.baseline, m.owner)
     AND b.baseline_name = m.baseline AND b.column_name = m.column_name;
  IF NOT FOUND THEN
    RETURN format('<p class="note">Baseline %s has no profile of column %s that you can see.</p>',
                  drift.report_escape(m.baseline), drift.report_escape(m.column_name));
  END IF;
  SELECT r.window_start, r.window_end INTO wstart, wend
    FROM drift.results r WHERE r.monitor_id = m.monitor_id
   ORDER BY r.run_at DESC, r.result_id DESC LIMIT 1;
  rel := (SELECT c.oid FROM pg_class c WHERE c.oid = m.relation_oid);
  use_filter := m.filter IS NOT NULL AND m.owner = current_user;

  IF rel IS NULL THEN
    caption := 'current: the relation no longer exists';
  ELSIF m.time_column IS NOT NULL AND wstart IS NULL THEN
    caption := 'current: no run yet';
  ELSE
    -- a column dropped or renamed since is an error of the privilege check
    -- or of the query: caught, like any failure of the owner's filter
    BEGIN
      IF NOT has_column_privilege(rel, m.column_name, 'SELECT')
         OR (m.time_column IS NOT NULL AND NOT has_column_privilege(rel, m.time_column, 'SELECT')) THEN
        caption := format('current: you may not read %s', rel);
      ELSE
        EXECUTE format('SELECT @extschema@.drift_profile_agg(t.%I::%s) FROM %s AS t WHERE %s AND %s',
                       m.column_name, CASE bcol.kind WHEN 'numeric' THEN 'float8' ELSE 'text' END, rel,
                       CASE WHEN m.time_column IS NULL THEN 'true'
                            ELSE format('t.%I >= $1 AND t.%I < $2', m.time_column, m.time_column) END,
                       CASE WHEN use_filter THEN format('(%s)', m.filter) ELSE 'true' END)
           INTO cur USING wstart, wend;
        caption := format('current: %s rows of %s%s%s%s',
                          coalesce(cur::text::jsonb ->> 'count', '0'), rel,
                          CASE WHEN m.time_column IS NULL THEN ''
                               ELSE format(' from %s to %s (the latest run''s window)',
                                           to_char(wstart AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
                                           to_char(wend AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')) END,
                          CASE WHEN m.slice_by IS NOT NULL THEN ', all slices' ELSE '' END,
                          CASE WHEN m.filter IS NULL THEN ''
                               WHEN use_filter THEN ', the monitor''s filter applied'
                               ELSE ', without the monitor''s filter (it is applied only for its owner)' END);
      END IF;
    EXCEPTION WHEN OTHERS THEN
      caption := format('current: the window could not be read (SQLSTATE %s)', SQLSTATE);
      cur := NULL;
    END;
  END IF;
  RETURN '<figure class="dist">'
    || drift.report_histogram_chart(bcol.profile, cur, bins)
    || format('<figcaption><b>%s</b>: <span class="swatch base"></span>baseline %s (%s rows) '
              'vs <span class="swatch cur"></span>%s</figcaption></figure>',
              drift.report_escape(m.column_name), drift.report_escape(m.baseline),
              bcol.profile::text::jsonb ->> 'count', drift.report_escape(caption));
END
$fn$;
COMMENT ON FUNCTION drift.report_distribution(bigint, integer) IS
  'Histogram figure of a visible monitor''s column: its baseline profile against the rows of '
  'its latest window, read with the caller''s rights (the filter applied only for its owner)';

-- The latest result of every slice of the given monitors, firing first.
CREATE FUNCTION drift.report_results_table(monitor_ids bigint[], max_rows integer DEFAULT 200)
  RETURNS text
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT '<table class="results"><thead><tr><th>monitor</th><th>column</th><th>slice</th>'
      || '<th>metric</th><th>state</th><th>statistic</th><th>p-value</th><th>threshold</th>'
      || '<th>rows</th><th>window end</th><th>run at</th><th>error</th></tr></thead><tbody>'
      || coalesce(string_agg(format('<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td>'
                                    '<td><span class="state %s">%s</span></td><td>%s</td><td>%s</td>'
                                    '<td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>',
                                    drift.report_escape(l.monitor), drift.report_escape(l."column"),
                                    drift.report_escape(l.slice), drift.report_escape(l.metric),
                                    drift.report_escape(l.state), drift.report_escape(l.state),
                                    drift.report_number(l.statistic), drift.report_number(l.p_value),
                                    drift.report_number(l.threshold), coalesce(l.n_current::text, '-'),
                                    coalesce(to_char(l.window_end AT TIME ZONE 'UTC',
                                                     'YYYY-MM-DD HH24:MI'), '-'),
                                    to_char(l.run_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
                                    drift.report_escape(left(l.error, 300))),
                             '' ORDER BY l.firing DESC, l.monitor, l.slice), '')
      || '</tbody></table>'
      || CASE WHEN count(*) >= max_rows THEN format('<p class="note">Only the first %s rows are shown.</p>', max_rows)
              ELSE '' END
    FROM (SELECT x.*, x.state = 'firing' AS firing
            FROM (SELECT DISTINCT ON (g.monitor_id, g.slice) g.*
                    FROM drift.grafana_results g
                   WHERE g.monitor_id = ANY (monitor_ids)
                   ORDER BY g.monitor_id, g.slice, g.run_at DESC, g.result_id DESC) x
           ORDER BY x.state = 'firing' DESC, x.monitor, x.slice
           LIMIT max_rows) l
$fn$;
COMMENT ON FUNCTION drift.report_results_table(bigint[], integer) IS
  'HTML table of the latest result per slice of the given (visible) monitors, firing first';

-- Hook for whole-model checks (SPEC section 9, drift.dataset_drift): the
-- report places whatever this returns between the histograms and the
-- results table.  Until the model monitors land it has nothing to show;
-- their change replaces this body (CREATE OR REPLACE) with the per-column
-- table of each selected model monitor's latest run.
CREATE FUNCTION drift.report_dataset_section(monitor_ids bigint[], since timestamptz)
  RETURNS text
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT ''::text
$fn$;
COMMENT ON FUNCTION drift.report_dataset_section(bigint[], timestamptz) IS
  'Whole-model section of drift.report (per-column table of a dataset drift check); '
  'empty until model monitors exist';

-- The page's style sheet (no '<' or '&', so the page stays well-formed XML).
CREATE FUNCTION drift.report_style() RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT $css$
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; margin: 24px 32px;
       color: #1d2430; background: #ffffff; }
h1 { font-size: 24px; margin: 0 0 4px 0; }
h2 { font-size: 18px; margin: 28px 0 6px 0; border-bottom: 1px solid #d8dde6; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 4px 0; }
p.meta, p.note, figcaption, p.empty { color: #566070; font-size: 13px; }
table { border-collapse: collapse; font-size: 12px; margin: 8px 0; }
th, td { border: 1px solid #d8dde6; padding: 3px 7px; text-align: left; }
th { background: #eef1f6; }
.state { padding: 1px 6px; border-radius: 8px; font-size: 12px; background: #e6e9ef; }
.state.firing { background: #d62728; color: #ffffff; }
.state.error { background: #7f7f7f; color: #ffffff; }
.state.ok, .state.resolved { background: #2ca02c; color: #ffffff; }
.state.pending { background: #ffbf00; }
svg text { font-size: 11px; fill: #3b4454; }
.plot { fill: #fbfcfe; stroke: #b8c0cc; }
.grid { stroke: #e3e7ee; }
.ylab { text-anchor: end; }
.blab { font-size: 10px; }
.axis { font-size: 12px; }
.thlab { text-anchor: end; fill: #d62728; }
.threshold { stroke: #d62728; stroke-width: 1.5; stroke-dasharray: 6 4; }
.series { fill: none; stroke-width: 2; }
.point { fill: #ffffff; stroke-width: 1.5; }
.breach { fill: #d62728; stroke-width: 1.5; }
tr.drifted td { background: #fde8e8; }
.fired { fill: #d62728; }
.resolved { fill: #2ca02c; }
.errmark { fill: #7f7f7f; }
.base { fill: #5b7fa6; }
.cur { fill: #ff7f0e; }
p.legend { font-size: 12px; margin: 2px 0 10px 64px; }
.key { margin-right: 14px; white-space: nowrap; }
.swatch, .mark { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
.swatch.base { background: #5b7fa6; }
.swatch.cur { background: #ff7f0e; }
.fired-key { background: #d62728; clip-path: polygon(50% 0, 100% 100%, 0 100%); }
.resolved-key { background: #2ca02c; border-radius: 5px; }
.breach-key { background: #d62728; border-radius: 5px; }
.dists { display: flex; flex-wrap: wrap; gap: 8px 24px; }
figure.dist { margin: 0; }
figcaption { max-width: 460px; }
$css$::text
$fn$;
COMMENT ON FUNCTION drift.report_style() IS 'The inline style sheet of drift.report';

-- ---------------------------------------------------------------------------
-- The page
-- ---------------------------------------------------------------------------
--
-- monitors NULL covers every monitor the caller can see; named monitors must
-- all be visible (an admin naming a name that several roles use gets each of
-- them).  since limits the charts and the alert marks to later windows.
CREATE FUNCTION drift.report(monitors text[] DEFAULT NULL, since timestamptz DEFAULT NULL,
                             title text DEFAULT 'pg_drift report', bins integer DEFAULT 20)
  RETURNS text
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  ids     bigint[];
  missing text[];
  m       drift.monitors;
  page    text;
BEGIN
  IF bins IS NULL OR bins < 2 OR bins > 200 THEN
    RAISE EXCEPTION 'bins must be between 2 and 200'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF array_position(monitors, NULL) IS NOT NULL THEN
    RAISE EXCEPTION 'monitor names must not be NULL'
      USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Pass NULL instead of the array to report every monitor you can see.';
  END IF;
  SELECT array_agg(u.name ORDER BY u.name) INTO missing
    FROM unnest(monitors) AS u(name)
   WHERE NOT EXISTS (SELECT 1 FROM drift.monitors x WHERE x.name = u.name);
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'monitor "%" does not exist', missing[1]
      USING ERRCODE = 'undefined_object',
            DETAIL = format('Monitors unknown to role %s: %s.', current_user,
                            array_to_string(missing, ', ')),
            HINT = 'drift.monitor_status lists the monitors you can see.';
  END IF;
  SELECT coalesce(array_agg(x.monitor_id ORDER BY x.name, x.owner), '{}') INTO ids
    FROM drift.monitors x WHERE monitors IS NULL OR x.name = ANY (monitors);

  page := '<!DOCTYPE html>' || E'\n' || '<html lang="en"><head><meta charset="utf-8"/>'
    || '<title>' || drift.report_escape(title) || '</title>'
    || '<style>' || drift.report_style() || '</style></head><body>'
    || '<h1>' || drift.report_escape(title) || '</h1>'
    || format('<p class="meta">Generated %s UTC by %s in database %s; %s monitors%s.</p>',
              to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
              drift.report_escape(current_user), drift.report_escape(current_database()),
              cardinality(ids),
              CASE WHEN since IS NULL THEN ', all kept results'
                   ELSE ', results since ' || to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') END);

  IF cardinality(ids) = 0 THEN
    page := page || '<p class="empty">You have no monitors to report on '
                 || '(drift.create_monitor creates one).</p>';
  END IF;

  -- per monitor: what it checks, its state, and its metric over time
  FOR m IN SELECT * FROM drift.monitors x WHERE x.monitor_id = ANY (ids) ORDER BY x.name, x.owner LOOP
    page := page || format('<section class="monitor" id="monitor-%s"><h2>%s <span class="state %s">%s</span></h2>',
                           m.monitor_id, drift.report_escape(m.name),
                           drift.report_escape(m.state), drift.report_escape(m.state))
      || format('<p class="meta">%s of %s.%s on %s%s, threshold %s%s, every %s; owner %s%s.</p>',
                drift.report_escape(m.metric), drift.report_escape(m.relation_name),
                drift.report_escape(m.column_name),
                CASE WHEN m.baseline IS NOT NULL THEN 'baseline ' || drift.report_escape(m.baseline)
                     ELSE drift.report_escape(replace(m.compare_to, '_', ' ')) END,
                CASE WHEN m.window_size IS NOT NULL
                     THEN ', windows of ' || drift.report_escape(m.window_size::text) ELSE '' END,
                CASE WHEN m.lower_bound IS NOT NULL OR m.upper_bound IS NOT NULL
                     THEN format('[%s, %s]', drift.report_number(m.lower_bound),
                                 drift.report_number(m.upper_bound))
                     ELSE drift.report_number(m.threshold) END,
                CASE WHEN m.slice_by IS NOT NULL
                     THEN ', sliced by ' || drift.report_escape(array_to_string(m.slice_by, ', '))
                     ELSE '' END,
                drift.report_escape(m.schedule::text), drift.report_escape(m.owner),
                CASE WHEN m.paused THEN ', paused' ELSE '' END)
      || drift.report_metric_chart(m.monitor_id, since)
      || '</section>';
  END LOOP;

  -- baseline vs current, once per column, baseline and window shared by monitors
  IF cardinality(ids) > 0 THEN
    page := page || '<section class="distributions"><h2>Baseline vs current</h2><div class="dists">'
      || coalesce((SELECT string_agg(drift.report_distribution(d.first_id, bins), '' ORDER BY d.col, d.first_id)
                     FROM (SELECT min(x.monitor_id) AS first_id, x.column_name AS col
                             FROM drift.monitors x
                            WHERE x.monitor_id = ANY (ids) AND x.baseline IS NOT NULL
                            GROUP BY x.owner, x.baseline, x.column_name, x.relation_oid,
                                     x.time_column, x.window_size, x.filter) d), '')
      || '</div></section>'
      || drift.report_dataset_section(ids, since)
      || '<section class="latest"><h2>Latest results</h2>'
      || drift.report_results_table(ids) || '</section>';
  END IF;
  RETURN page || '</body></html>' || E'\n';
END
$fn$;
COMMENT ON FUNCTION drift.report(text[], timestamptz, text, integer) IS
  'One self-contained HTML page (inline SVG and CSS, no scripts, no external references) of '
  'the caller''s monitors (or those named): metric over time with threshold and alerts, '
  'baseline-vs-current histograms, latest results';

-- ===========================================================================
-- Issue 8, whole-model checks: src/sql/62_dataset_drift.sql (new objects)
-- ===========================================================================

-- ---------------------------------------------------------------------------
-- Whole-model checks (SPEC.md section 9): the tests the automatic choice
-- added (wasserstein_norm_drift, proportion_z_drift), numeric values as
-- categories, the choice itself, multiple-testing corrections, and
-- drift.dataset_drift / drift.dataset_drift_summary: every column of a
-- baseline against a relation in one scan, a test per column, a verdict.
-- ---------------------------------------------------------------------------

-- wasserstein_norm_drift: the streaming forms share wasserstein_drift's
-- state (the current values with counts; src/drift/sample_state.h).
CREATE FUNCTION wasserstein_norm_drift_final(internal) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION wasserstein_norm_drift_final(internal) IS
  'Final function of wasserstein_norm_drift';

CREATE AGGREGATE wasserstein_norm_drift(value float8, baseline text, column_name text) (
  SFUNC = wasserstein_drift_named_trans,
  STYPE = internal,
  SSPACE = 65536,
  COMBINEFUNC = wasserstein_drift_combine,
  SERIALFUNC = wasserstein_drift_serialize,
  DESERIALFUNC = wasserstein_drift_deserialize,
  FINALFUNC = wasserstein_norm_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE wasserstein_norm_drift(float8, text, text) IS
  'Wasserstein distance of the rows from a stored baseline column, divided by '
  'max(baseline std (ddof=0), 0.001) (keeps the current distinct values; gathers on Citus)';

CREATE AGGREGATE wasserstein_norm_drift(value float8, baseline drift_profile) (
  SFUNC = wasserstein_drift_profile_trans,
  STYPE = internal,
  SSPACE = 65536,
  COMBINEFUNC = wasserstein_drift_combine,
  SERIALFUNC = wasserstein_drift_serialize,
  DESERIALFUNC = wasserstein_drift_deserialize,
  FINALFUNC = wasserstein_norm_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE wasserstein_norm_drift(float8, drift_profile) IS
  'Wasserstein distance of the rows from a baseline profile, divided by '
  'max(baseline std (ddof=0), 0.001) (keeps the current distinct values; gathers on Citus)';

CREATE FUNCTION wasserstein_norm_drift(baseline drift_profile, current drift_profile)
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'wasserstein_norm_drift_profiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION wasserstein_norm_drift(drift_profile, drift_profile) IS
  'Wasserstein distance between two profiles divided by max(baseline std (ddof=0), 0.001)';

CREATE FUNCTION wasserstein_norm_drift(baseline float8[], current float8[])
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'wasserstein_norm_drift_arrays' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION wasserstein_norm_drift(float8[], float8[]) IS
  'scipy.stats.wasserstein_distance(baseline, current) / max(numpy.std(baseline), 0.001)';

-- proportion_z_drift on float8: the same sample state; on text: the
-- categorical state (counts per baseline category and unseen categories).
CREATE FUNCTION proportion_z_drift_float8_final(internal) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION proportion_z_drift_float8_final(internal) IS
  'Final function of proportion_z_drift on float8';
CREATE FUNCTION proportion_z_drift_text_final(drift_category_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_z_drift_text_final(drift_category_state) IS
  'Final function of proportion_z_drift on text';

CREATE AGGREGATE proportion_z_drift(value float8, baseline text, column_name text) (
  SFUNC = wasserstein_drift_named_trans,
  STYPE = internal,
  SSPACE = 65536,
  COMBINEFUNC = wasserstein_drift_combine,
  SERIALFUNC = wasserstein_drift_serialize,
  DESERIALFUNC = wasserstein_drift_deserialize,
  FINALFUNC = proportion_z_drift_float8_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE proportion_z_drift(float8, text, text) IS
  'Two-proportion z-test (|z|, pooled variance) of a two-valued numeric column against a '
  'stored baseline column';

CREATE AGGREGATE proportion_z_drift(value float8, baseline drift_profile) (
  SFUNC = wasserstein_drift_profile_trans,
  STYPE = internal,
  SSPACE = 65536,
  COMBINEFUNC = wasserstein_drift_combine,
  SERIALFUNC = wasserstein_drift_serialize,
  DESERIALFUNC = wasserstein_drift_deserialize,
  FINALFUNC = proportion_z_drift_float8_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE proportion_z_drift(float8, drift_profile) IS
  'Two-proportion z-test (|z|, pooled variance) of a two-valued numeric column against a '
  'baseline profile';

CREATE AGGREGATE proportion_z_drift(value text, baseline text, column_name text) (
  SFUNC = categorical_named_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = proportion_z_drift_text_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE proportion_z_drift(text, text, text) IS
  'Two-proportion z-test (|z|, pooled variance) of a two-category column against a stored '
  'baseline column';

CREATE AGGREGATE proportion_z_drift(value text, baseline drift_profile) (
  SFUNC = categorical_profile_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = proportion_z_drift_text_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE proportion_z_drift(text, drift_profile) IS
  'Two-proportion z-test (|z|, pooled variance) of a two-category column against a baseline '
  'profile';

CREATE FUNCTION proportion_z_drift(baseline drift_profile, current drift_profile)
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'proportion_z_drift_profiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_z_drift(drift_profile, drift_profile) IS
  'Two-proportion z-test between two profiles (numeric values as categories) with at most '
  'two distinct values';

CREATE FUNCTION proportion_z_drift(baseline float8[], current float8[])
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'proportion_z_drift_float8_arrays' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_z_drift(float8[], float8[]) IS
  'Two-proportion z-test between two samples with at most two distinct values';

CREATE FUNCTION proportion_z_drift(baseline text[], current text[])
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'proportion_z_drift_text_arrays' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_z_drift(text[], text[]) IS
  'Two-proportion z-test between two samples with at most two categories';

CREATE FUNCTION drift_profile_categories(profile drift_profile) RETURNS drift_profile
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_profile_categories(drift_profile) IS
  'A numeric profile''s distinct values as the categories of a categorical profile (shortest '
  'exact decimal text), so that chi2_drift and js_drift compare them as categories';

CREATE FUNCTION drift.choose_test(baseline drift_profile, current drift_profile,
                                  OUT test text, OUT reason text, OUT distinct_values bigint)
  AS 'MODULE_PATHNAME', 'drift_choose_test' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift.choose_test(drift_profile, drift_profile) IS
  'The whole-model check''s automatic test for one column (Evidently''s rule, SPEC.md section 9) '
  'with its reason and the distinct values over both samples';

CREATE FUNCTION drift.adjust_p_values(p_values float8[], correction text) RETURNS float8[]
  AS 'MODULE_PATHNAME', 'drift_adjust_p_values' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift.adjust_p_values(float8[], text) IS
  'p-values adjusted for multiple tests as statsmodels multipletests does: none, bonferroni, '
  'holm or bh (Benjamini-Hochberg); NULL elements stay NULL and do not count';

-- One column's test: the automatic choice or the one asked for, its
-- statistic and p-value.  chi2 and js compare values as categories.
CREATE FUNCTION drift.column_drift(baseline drift_profile, current drift_profile,
                                   use_test text DEFAULT NULL)
  RETURNS TABLE (test text, reason text, statistic float8, p_value float8,
                 n_baseline bigint, n_current bigint, distinct_values bigint)
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE ROWS 1
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  c   record;
  r   @extschema@.drift_result;
  v_t text := column_drift.use_test;
BEGIN
  IF baseline IS NULL OR current IS NULL THEN
    RAISE EXCEPTION 'baseline and current profiles must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  c := drift.choose_test(baseline, current);
  reason := CASE WHEN v_t IS NULL THEN c.reason ELSE 'asked for' END;
  v_t := coalesce(v_t, c.test);
  IF v_t NOT IN ('ks', 'wasserstein_norm', 'proportion_z', 'chi2', 'js') THEN
    RAISE EXCEPTION 'unknown test "%"', v_t
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Tests are ks, chi2, proportion_z, js and wasserstein_norm.';
  END IF;
  IF v_t IN ('ks', 'wasserstein_norm')
     AND (@extschema@.drift_profile_info(baseline)).kind <> 'numeric' THEN
    RAISE EXCEPTION 'test "%" does not fit a categorical column', v_t
      USING ERRCODE = 'datatype_mismatch',
            HINT = 'Categorical columns take chi2, js or proportion_z.';
  END IF;
  r := CASE v_t
         WHEN 'ks' THEN @extschema@.ks_drift(baseline, current)
         WHEN 'wasserstein_norm' THEN @extschema@.wasserstein_norm_drift(baseline, current)
         WHEN 'proportion_z' THEN @extschema@.proportion_z_drift(baseline, current)
         WHEN 'chi2' THEN @extschema@.chi2_drift(@extschema@.drift_profile_categories(baseline),
                                                 @extschema@.drift_profile_categories(current))
         WHEN 'js' THEN @extschema@.js_drift(@extschema@.drift_profile_categories(baseline),
                                             @extschema@.drift_profile_categories(current))
       END;
  test := v_t;
  statistic := r.statistic;
  p_value := r.p_value;
  n_baseline := (@extschema@.drift_profile_info(baseline)).count;
  n_current := (@extschema@.drift_profile_info(current)).count;
  distinct_values := c.distinct_values;
  RETURN NEXT;
END
$fn$;
COMMENT ON FUNCTION drift.column_drift(drift_profile, drift_profile, text) IS
  'One column of a whole-model check: the test (chosen automatically when use_test is NULL), why, '
  'statistic, p-value (NULL for distances), sample sizes and distinct values over both';

-- Integrity rates between two profiles (src/model/profile_integrity.c)
CREATE FUNCTION out_of_range_share(baseline drift_profile, current drift_profile) RETURNS float8
  AS 'MODULE_PATHNAME', 'out_of_range_share_profiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION out_of_range_share(drift_profile, drift_profile) IS
  'Share of the current profile''s values outside the baseline profile''s [min, max]';
CREATE FUNCTION unseen_category_share(baseline drift_profile, current drift_profile) RETURNS float8
  AS 'MODULE_PATHNAME', 'unseen_category_share_profiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unseen_category_share(drift_profile, drift_profile) IS
  'Share of the current profile''s values in categories the baseline profile never saw';

-- The one scan of a whole-model check: every column of a baseline (or those
-- named) profiled over the relation by one SELECT with one drift_profile_agg
-- per column.  Runs as the caller (not SECURITY DEFINER): the relation is
-- read, and the filter runs, with the caller's privileges; the baseline is
-- read under the caller's row-level security.  Columns come in the order
-- named, else the relation's; by default, columns missing from the relation
-- or retyped so that they can no longer be read as numbers are left out
-- (drift.check_schema and drift.dataset_integrity report them), while a
-- column named in columns must be there.  A column with no row has an empty
-- profile.
CREATE FUNCTION drift.dataset_profiles(
    baseline text,
    relation regclass,
    filter   text   DEFAULT NULL,
    columns  text[] DEFAULT NULL)
  RETURNS TABLE (column_name text, column_kind text, baseline_profile drift_profile,
                 current_profile drift_profile)
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
  v_owner name;
  v_cols  text[] := '{}';
  v_kinds text[] := '{}';
  v_base  @extschema@.drift_profile[] := '{}';
  v_exprs text[] := '{}';
  v_cur   @extschema@.drift_profile[];
  r       record;
BEGIN
  IF dataset_profiles.baseline IS NULL OR dataset_profiles.relation IS NULL THEN
    RAISE EXCEPTION 'baseline and relation must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF dataset_profiles.columns IS NOT NULL AND cardinality(dataset_profiles.columns) = 0 THEN
    RAISE EXCEPTION 'columns must not be empty'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Pass NULL (the default) to check every baseline column present in the relation.';
  END IF;
  v_owner := drift.baseline_owner(dataset_profiles.baseline);
  IF v_owner IS NULL THEN
    RAISE EXCEPTION 'baseline "%" does not exist', dataset_profiles.baseline
      USING ERRCODE = 'undefined_object',
            HINT = 'Create it with drift.capture_baseline(); drift.baselines lists the existing ones.';
  END IF;
  -- every named column must be a column of the baseline and of the relation
  FOR r IN SELECT u.c
             FROM unnest(coalesce(dataset_profiles.columns, '{}')) AS u(c)
            WHERE u.c IS NULL OR NOT EXISTS (
                    SELECT 1 FROM drift.baseline_columns bc
                     WHERE bc.baseline_owner = v_owner AND bc.baseline_name = dataset_profiles.baseline
                       AND bc.column_name = u.c) LOOP
    RAISE EXCEPTION 'column "%" in columns is not a column of baseline "%"', r.c, dataset_profiles.baseline
      USING ERRCODE = 'undefined_column',
            HINT = 'drift.baseline_columns lists the baseline''s columns (names are case-sensitive).';
  END LOOP;

  FOR r IN
    SELECT bc.column_name AS col, bc.kind, bc.profile,
           drift.column_kind(dataset_profiles.relation, bc.column_name) AS now_kind
      FROM drift.baseline_columns bc
      LEFT JOIN pg_attribute a
        ON a.attrelid = dataset_profiles.relation AND a.attname = bc.column_name
       AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN LATERAL (
        SELECT u.i FROM unnest(dataset_profiles.columns) WITH ORDINALITY AS u(c, i)
         WHERE u.c = bc.column_name LIMIT 1) ord ON true
     WHERE bc.baseline_owner = v_owner AND bc.baseline_name = dataset_profiles.baseline
       AND (dataset_profiles.columns IS NULL OR ord.i IS NOT NULL)
       AND (dataset_profiles.columns IS NOT NULL OR a.attnum IS NOT NULL)
     ORDER BY coalesce(ord.i, a.attnum)
  LOOP
    IF r.now_kind IS NULL THEN
      RAISE EXCEPTION 'baseline column "%" does not exist in %', r.col, dataset_profiles.relation
        USING ERRCODE = 'undefined_column',
              HINT = 'Leave it out of columns; drift.check_schema shows how the relation changed.';
    END IF;
    IF r.kind = 'numeric' AND r.now_kind <> 'numeric' THEN
      -- by default a column retyped out of reach is left to the schema check
      CONTINUE WHEN dataset_profiles.columns IS NULL;
      RAISE EXCEPTION 'column "%" of % is %, but baseline "%" profiled it as numeric',
                      r.col, dataset_profiles.relation, r.now_kind, dataset_profiles.baseline
        USING ERRCODE = 'datatype_mismatch',
              HINT = 'Capture the baseline again, or leave the column out of columns.';
    END IF;
    v_cols  := v_cols || r.col;
    v_kinds := v_kinds || r.kind;
    v_base  := v_base || r.profile;
    v_exprs := v_exprs || drift.profile_expression(r.col, r.kind);
  END LOOP;
  IF cardinality(v_cols) = 0 THEN
    RAISE EXCEPTION 'no column of baseline "%" can be checked in %', dataset_profiles.baseline,
                    dataset_profiles.relation
      USING ERRCODE = 'undefined_column',
            HINT = 'drift.check_schema compares the relation with the baseline''s source.';
  END IF;

  -- the one scan; the filter is the caller's SQL, run with the caller's privileges
  EXECUTE format('SELECT ARRAY[%s] FROM %s AS t%s', array_to_string(v_exprs, ', '),
                 dataset_profiles.relation,
                 CASE WHEN dataset_profiles.filter IS NULL THEN ''
                      ELSE ' WHERE (' || dataset_profiles.filter || ')' END)
    INTO v_cur;
  RETURN QUERY
    SELECT v_cols[i], v_kinds[i], v_base[i], drift.empty_if_null(v_cur[i], v_kinds[i])
      FROM generate_subscripts(v_cols, 1) AS i
     ORDER BY i;
END
$fn$;
COMMENT ON FUNCTION drift.dataset_profiles(text, regclass, text, text[]) IS
  'One scan of a relation profiling every column of a baseline (or those named): per column '
  'its kind, the baseline''s profile and the current one, read with the caller''s privileges';

-- How a column enters the one scan (t is the relation's alias).
CREATE FUNCTION drift.profile_expression(column_name text, kind text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT format('@extschema@.drift_profile_agg(t.%I::%s)', column_name,
                CASE kind WHEN 'numeric' THEN 'float8' ELSE 'text' END)
$fn$;
COMMENT ON FUNCTION drift.profile_expression(text, text) IS
  'The drift_profile_agg call that profiles a column of the given kind (numeric or '
  'categorical) in a whole-model check''s one scan, identifier quoted';

-- An aggregate over no row gives NULL: the check wants an empty profile.
CREATE FUNCTION drift.empty_if_null(profile drift_profile, kind text) RETURNS drift_profile
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT coalesce(profile, CASE kind
    WHEN 'numeric' THEN '{"version": 1, "kind": "numeric", "values": [], "counts": []}'
    ELSE '{"version": 1, "kind": "categorical", "categories": [], "counts": []}'
    END::@extschema@.drift_profile)
$fn$;
COMMENT ON FUNCTION drift.empty_if_null(drift_profile, text) IS
  'The profile, or an empty one of the kind (numeric or categorical) when it is NULL';

-- The judgement of a whole-model check from its columns' profiles (no scan):
-- the test per column, corrections over the p-value tests, thresholds,
-- drifted, severity and rank.  Arguments as drift.dataset_drift's, but
-- thresholds: the learned ones, {"column": {"test": threshold}}
-- (drift.learned_thresholds).
CREATE FUNCTION drift.judge_columns(
    column_names text[],
    column_kinds text[],
    baselines    drift_profile[],
    currents     drift_profile[],
    correction   text    DEFAULT 'none',
    alpha        float8  DEFAULT 0.05,
    tests        jsonb   DEFAULT NULL,
    thresholds   jsonb   DEFAULT NULL)
  RETURNS TABLE (column_name text, column_kind text, test text, reason text,
                 statistic float8, p_value float8, adjusted_p_value float8,
                 threshold float8, drifted boolean, severity float8, rank integer,
                 n_baseline bigint, n_current bigint, distinct_values bigint)
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
  -- the per-column query is small whatever the planner guesses: compiling it is not worth it
  SET jit = off
AS $fn$
#variable_conflict use_column
DECLARE
  v_tests text[] := array_fill(NULL::text, ARRAY[cardinality(column_names)]);
  v_thr   float8[] := array_fill(NULL::float8, ARRAY[cardinality(column_names)]);
  k       text;
  v       jsonb;
BEGIN
  IF judge_columns.alpha IS NULL OR NOT (judge_columns.alpha > 0 AND judge_columns.alpha < 1) THEN
    RAISE EXCEPTION 'alpha must be between 0 and 1, exclusive, not %', judge_columns.alpha
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'alpha is the significance level of the p-value tests, such as 0.05.';
  END IF;
  IF judge_columns.correction IS NULL
     OR judge_columns.correction NOT IN ('none', 'bonferroni', 'holm', 'bh') THEN
    RAISE EXCEPTION 'unknown correction "%"', judge_columns.correction
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'correction must be one of none, bonferroni, holm or bh.';
  END IF;
  IF judge_columns.tests IS NOT NULL AND jsonb_typeof(judge_columns.tests) <> 'object' THEN
    RAISE EXCEPTION 'tests must be a JSON object'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Map column names to tests, as {"amount": "psi"} or {"amount": {"test": "ks", "threshold": 0.01}}.';
  END IF;
  -- per-column tests and thresholds: "test" or {"test": ..., "threshold": ...}
  FOR k, v IN SELECT e.key, e.value FROM jsonb_each(coalesce(judge_columns.tests, '{}')) e LOOP
    IF NOT k = ANY (column_names) THEN
      RAISE EXCEPTION 'column "%" in tests is not among the columns checked', k
        USING ERRCODE = 'undefined_column',
              HINT = 'Name a column of the baseline present in the relation (names are case-sensitive).';
    END IF;
    IF jsonb_typeof(v) = 'string' THEN
      v := jsonb_build_object('test', v);
    END IF;
    IF jsonb_typeof(v) <> 'object' OR jsonb_typeof(v -> 'test') NOT IN ('string', 'null')
       OR (v ? 'threshold' AND jsonb_typeof(v -> 'threshold') <> 'number')
       OR EXISTS (SELECT 1 FROM jsonb_object_keys(v) o WHERE o NOT IN ('test', 'threshold')) THEN
      RAISE EXCEPTION 'tests entry for column "%" is malformed: %', k, v
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'Give a test name, or {"test": name, "threshold": number}.';
    END IF;
    IF (v ->> 'test') IS NOT NULL AND (v ->> 'test') NOT IN ('ks', 'chi2', 'proportion_z', 'js', 'wasserstein_norm') THEN
      RAISE EXCEPTION 'unknown test "%" in tests for column "%"', v ->> 'test', k
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'Tests are ks, chi2, proportion_z, js and wasserstein_norm.';
    END IF;
    IF (v ->> 'test') IN ('ks', 'wasserstein_norm')
       AND column_kinds[array_position(column_names, k)] <> 'numeric' THEN
      RAISE EXCEPTION 'test "%" in tests does not fit categorical column "%"', v ->> 'test', k
        USING ERRCODE = 'datatype_mismatch',
              HINT = 'Categorical columns take chi2, js or proportion_z.';
    END IF;
    IF v ? 'threshold' AND NOT ((v ->> 'threshold')::float8 > 0) THEN
      RAISE EXCEPTION 'threshold in tests for column "%" must be positive', k
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_tests[array_position(column_names, k)] := v ->> 'test';
    v_thr[array_position(column_names, k)] := (v ->> 'threshold')::float8;
  END LOOP;

  RETURN QUERY
    WITH tested AS (
      SELECT c.*,
             -- p-value tests are judged by alpha, distances by 0.1, unless
             -- overridden; a threshold learned from the baseline's chunks
             -- judges the statistic, whatever the test
             coalesce(v_thr[c.i], c.learned, CASE WHEN c.test IN ('ks', 'chi2', 'proportion_z')
                                                  THEN judge_columns.alpha ELSE 0.1 END) AS thr,
             v_thr[c.i] IS NULL AND c.learned IS NOT NULL
               OR c.test NOT IN ('ks', 'chi2', 'proportion_z') AS by_statistic
        FROM (SELECT i, column_names[i] AS col, column_kinds[i] AS kind,
                     cd.test, cd.statistic, cd.p_value, cd.n_baseline, cd.n_current,
                     cd.distinct_values,
                     (judge_columns.thresholds -> column_names[i] ->> cd.test)::float8 AS learned,
                     cd.reason || CASE WHEN judge_columns.thresholds IS NULL THEN ''
                                       WHEN judge_columns.thresholds -> column_names[i] ? cd.test
                                       THEN '; threshold learned from the baseline''s chunks'
                                       ELSE '; no threshold learned for this test' END AS reason
                FROM generate_subscripts(column_names, 1) AS i,
                     LATERAL drift.column_drift(baselines[i], currents[i], v_tests[i]) AS cd) c),
    adjusted AS (
      SELECT t.*, (drift.adjust_p_values(
                     array_agg(t.p_value) OVER (ORDER BY t.i ROWS BETWEEN UNBOUNDED PRECEDING
                                                            AND UNBOUNDED FOLLOWING),
                     judge_columns.correction))[t.i] AS adj
        FROM tested t),
    judged AS (
      SELECT a.*,
             CASE WHEN a.statistic IS NULL THEN NULL
                  -- a learned threshold may be 0 (chunks all alike)
                  WHEN a.by_statistic AND a.thr = 0 THEN
                    CASE WHEN a.statistic > 0 THEN 'Infinity'::float8 ELSE 0 END
                  WHEN a.by_statistic THEN a.statistic / a.thr
                  WHEN a.adj = 0 THEN 'Infinity'::float8
                  ELSE ln(a.adj) / ln(a.thr) END AS sev,
             CASE WHEN a.statistic IS NULL THEN false
                  WHEN a.by_statistic THEN a.statistic >= a.thr
                  ELSE a.adj < a.thr END AS drift
        FROM adjusted a)
    SELECT j.col, j.kind, j.test, j.reason, j.statistic, j.p_value, j.adj, j.thr, j.drift, j.sev,
           CASE WHEN j.sev IS NULL THEN NULL
                ELSE (rank() OVER (ORDER BY j.sev DESC NULLS LAST, j.col COLLATE "C"))::integer END,
           j.n_baseline, j.n_current, j.distinct_values
      FROM judged j
     ORDER BY j.i;
END
$fn$;
COMMENT ON FUNCTION drift.judge_columns(text[], text[], drift_profile[], drift_profile[], text,
                                        float8, jsonb, jsonb) IS
  'The judgement of a whole-model check from its columns'' baseline and current profiles: '
  'test and why, statistic, p-value, corrected p-value, threshold, drifted, severity, rank';

-- The whole-model check: drift.dataset_profiles (the one scan), then
-- drift.judge_columns.
CREATE FUNCTION drift.dataset_drift(
    baseline    text,
    relation    regclass,
    filter      text    DEFAULT NULL,
    columns     text[]  DEFAULT NULL,
    correction  text    DEFAULT 'none',
    alpha       float8  DEFAULT 0.05,
    drift_share float8  DEFAULT 0.5,
    tests       jsonb   DEFAULT NULL,
    thresholds  text    DEFAULT NULL)
  RETURNS TABLE (column_name text, column_kind text, test text, reason text,
                 statistic float8, p_value float8, adjusted_p_value float8,
                 threshold float8, drifted boolean, severity float8, rank integer,
                 n_baseline bigint, n_current bigint, distinct_values bigint)
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  p         record;
  v_learned jsonb;
BEGIN
  IF dataset_drift.drift_share IS NULL
     OR NOT (dataset_drift.drift_share >= 0 AND dataset_drift.drift_share <= 1) THEN
    RAISE EXCEPTION 'drift_share must be between 0 and 1, not %', dataset_drift.drift_share
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'drift_share is the share of drifted columns that makes the dataset drifted, such as 0.5.';
  END IF;
  IF dataset_drift.thresholds IS DISTINCT FROM 'auto' AND dataset_drift.thresholds IS NOT NULL THEN
    RAISE EXCEPTION 'thresholds must be ''auto'' or NULL, not "%"', dataset_drift.thresholds
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'auto uses the thresholds learned by drift.capture_chunks.';
  END IF;
  -- the arguments that need no scan are checked before it
  PERFORM drift.judge_columns('{}', '{}', '{}', '{}', dataset_drift.correction, dataset_drift.alpha);
  IF dataset_drift.thresholds = 'auto' THEN
    v_learned := drift.learned_thresholds(dataset_drift.baseline);
  END IF;
  SELECT array_agg(d.column_name ORDER BY d.o) AS cols, array_agg(d.column_kind ORDER BY d.o) AS kinds,
         array_agg(d.baseline_profile ORDER BY d.o) AS base,
         array_agg(d.current_profile ORDER BY d.o) AS cur
    INTO p
    FROM drift.dataset_profiles(dataset_drift.baseline, dataset_drift.relation, dataset_drift.filter,
                                dataset_drift.columns) WITH ORDINALITY AS d(column_name, column_kind,
                                                                          baseline_profile,
                                                                          current_profile, o);
  RETURN QUERY
    SELECT * FROM drift.judge_columns(p.cols, p.kinds, p.base, p.cur, dataset_drift.correction,
                                      dataset_drift.alpha, dataset_drift.tests, v_learned);
END
$fn$;
COMMENT ON FUNCTION drift.dataset_drift(text, regclass, text, text[], text, float8, float8, jsonb,
                                     text) IS
  'Every column of a baseline against a relation in one scan: the test chosen (or given in '
  'tests) and why, statistic, p-value, corrected p-value, threshold (learned from the '
  'baseline''s chunks with thresholds => ''auto''), drifted, severity and rank';

-- Data integrity of every column from the same kind of scan: NULL rates
-- (and their change, as null_rate_drift tests it), the share of values
-- outside the baseline's range (numeric), of unseen categories
-- (categorical), and the column's schema status (drift.check_schema).
CREATE FUNCTION drift.column_integrity(baseline drift_profile, current drift_profile,
    OUT null_rate_baseline float8, OUT null_rate_current float8, OUT null_rate_p_value float8,
    OUT out_of_range_share float8, OUT unseen_category_share float8)
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT b.null_count::float8 / nullif(b.count + b.null_count + b.nan_count, 0),
         c.null_count::float8 / nullif(c.count + c.null_count + c.nan_count, 0),
         (@extschema@.null_rate_drift(baseline, current)).p_value,
         -- the kind test goes inside the (STRICT) calls, not around them: where
         -- the profiles are constants (PostgreSQL 18 plans SQL functions with
         -- their arguments), a call in an untaken CASE branch is still folded
         @extschema@.out_of_range_share(CASE WHEN b.kind = 'numeric' THEN baseline END, current),
         @extschema@.unseen_category_share(CASE WHEN b.kind = 'categorical' THEN baseline END, current)
    FROM @extschema@.drift_profile_info(baseline) b, @extschema@.drift_profile_info(current) c
$fn$;
COMMENT ON FUNCTION drift.column_integrity(drift_profile, drift_profile) IS
  'Integrity of one column from its baseline and current profiles: NULL rates and the '
  'p-value of their change, out-of-range share (numeric), unseen-category share (categorical)';

CREATE FUNCTION drift.dataset_integrity(
    baseline text,
    relation regclass,
    filter   text   DEFAULT NULL,
    columns  text[] DEFAULT NULL)
  RETURNS TABLE (column_name text, column_kind text, schema_status text,
                 null_rate_baseline float8, null_rate_current float8, null_rate_p_value float8,
                 out_of_range_share float8, unseen_category_share float8)
  LANGUAGE sql
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT coalesce(p.column_name, s.column_name), p.column_kind, coalesce(s.status, 'ok'),
         i.null_rate_baseline, i.null_rate_current, i.null_rate_p_value,
         i.out_of_range_share, i.unseen_category_share
    FROM drift.dataset_profiles($1, $2, $3, $4) WITH ORDINALITY AS p
    FULL JOIN (SELECT * FROM drift.check_schema($1, $2) x
                WHERE x.status <> 'ok'
                  AND ($4 IS NULL OR x.column_name = ANY ($4))) s
      ON s.column_name = p.column_name
    LEFT JOIN LATERAL drift.column_integrity(p.baseline_profile, p.current_profile) i ON true
   ORDER BY p.ordinality NULLS LAST, s.column_name
$fn$;
COMMENT ON FUNCTION drift.dataset_integrity(text, regclass, text, text[]) IS
  'Data integrity of every column of a baseline in one scan of a relation: schema status '
  '(ok, retyped, missing, new), NULL rates and their change, out-of-range and unseen shares';

CREATE FUNCTION drift.dataset_drift_summary(
    baseline    text,
    relation    regclass,
    filter      text    DEFAULT NULL,
    columns     text[]  DEFAULT NULL,
    correction  text    DEFAULT 'none',
    alpha       float8  DEFAULT 0.05,
    drift_share float8  DEFAULT 0.5,
    tests       jsonb   DEFAULT NULL,
    thresholds  text    DEFAULT NULL)
  RETURNS TABLE (n_columns integer, n_drifted integer, drift_share float8,
                 dataset_drifted boolean, drifted_columns text[])
  LANGUAGE sql
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT count(*)::integer,
         count(*) FILTER (WHERE d.drifted)::integer,
         (count(*) FILTER (WHERE d.drifted))::float8 / count(*),
         (count(*) FILTER (WHERE d.drifted))::float8 / count(*) >= $7,
         coalesce(array_agg(d.column_name ORDER BY d.rank) FILTER (WHERE d.drifted), '{}')
    FROM drift.dataset_drift($1, $2, $3, $4, $5, $6, $7, $8, $9) d
$fn$;
COMMENT ON FUNCTION drift.dataset_drift_summary(text, regclass, text, text[], text, float8, float8, jsonb,
                                     text) IS
  'The verdict of drift.dataset_drift: columns checked, columns drifted, their share, whether '
  'the share reaches drift_share, and the drifted columns by rank';

-- ---------------------------------------------------------------------------
-- Thresholds learned from the baseline (SPEC.md section 9, last point;
-- NannyML's standard-deviation thresholds without its bias of scoring a
-- reference chunk against a reference that contains it): the baseline's rows
-- split into k chunks (by the time column when given, else evenly in scan
-- order); each chunk is compared with the merge of the other k - 1 by every
-- test the automatic choice could pick for the column; a column's threshold
-- for a test is mean + 3 sd (population sd, as numpy.std) of those k
-- statistics.
-- ---------------------------------------------------------------------------

CREATE TABLE drift.baseline_chunks (
  baseline_owner name NOT NULL,
  baseline_name  text NOT NULL,
  column_name    text NOT NULL,
  chunk          integer NOT NULL CHECK (chunk >= 1),
  profile        drift_profile NOT NULL,
  PRIMARY KEY (baseline_owner, baseline_name, column_name, chunk),
  FOREIGN KEY (baseline_owner, baseline_name) REFERENCES drift.baselines (owner, name)
    ON DELETE CASCADE ON UPDATE CASCADE
);
COMMENT ON TABLE drift.baseline_chunks IS
  'Per-chunk profiles of a baseline''s columns (drift.capture_chunks), from which thresholds '
  'are learned';

CREATE TABLE drift.baseline_thresholds (
  baseline_owner name NOT NULL,
  baseline_name  text NOT NULL,
  column_name    text NOT NULL,
  test           text NOT NULL,
  threshold      float8 NOT NULL,
  mean           float8 NOT NULL,
  sd             float8 NOT NULL,
  chunks         integer NOT NULL,
  PRIMARY KEY (baseline_owner, baseline_name, column_name, test),
  FOREIGN KEY (baseline_owner, baseline_name) REFERENCES drift.baselines (owner, name)
    ON DELETE CASCADE ON UPDATE CASCADE
);
COMMENT ON TABLE drift.baseline_thresholds IS
  'Thresholds learned from a baseline''s chunks: per column and test, mean + 3 sd of the '
  'leave-one-chunk-out statistics (used by thresholds => ''auto'')';

SELECT pg_catalog.pg_extension_config_dump('drift.baseline_chunks', '');
SELECT pg_catalog.pg_extension_config_dump('drift.baseline_thresholds', '');
ALTER TABLE drift.baseline_chunks ENABLE ROW LEVEL SECURITY;
ALTER TABLE drift.baseline_thresholds ENABLE ROW LEVEL SECURITY;
-- as drift.baseline_columns: rows of the baselines the role may see
CREATE POLICY baseline_chunks_by_owner ON drift.baseline_chunks
  USING (EXISTS (SELECT 1 FROM drift.baselines b
                  WHERE b.name OPERATOR(pg_catalog.=) baseline_name
                    AND b.owner OPERATOR(pg_catalog.=) baseline_owner));
CREATE POLICY baseline_thresholds_by_owner ON drift.baseline_thresholds
  USING (EXISTS (SELECT 1 FROM drift.baselines b
                  WHERE b.name OPERATOR(pg_catalog.=) baseline_name
                    AND b.owner OPERATOR(pg_catalog.=) baseline_owner));
GRANT SELECT, INSERT, UPDATE, DELETE ON drift.baseline_chunks, drift.baseline_thresholds TO PUBLIC;

-- Split a baseline's rows into chunks and learn its thresholds.  Runs as
-- the caller, re-reading the baseline's source (with its filter) in one
-- scan; replaces earlier chunks of the baseline.
CREATE FUNCTION drift.capture_chunks(baseline text, chunks integer, time_column text DEFAULT NULL)
  RETURNS TABLE (column_name text, test text, threshold float8, mean float8, sd float8)
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  SET jit = off
AS $fn$
#variable_conflict use_column
DECLARE
  b      drift.baselines;
  v_rel  regclass;
  v_cols text[];
  v_kinds text[];
  v_exprs text[];
  r      record;
  t      text;
  stats  float8[];
BEGIN
  SELECT * INTO b FROM drift.baselines x
   WHERE x.name = capture_chunks.baseline AND x.owner = drift.baseline_owner(capture_chunks.baseline);
  IF NOT FOUND THEN
    RAISE EXCEPTION 'baseline "%" does not exist', capture_chunks.baseline
      USING ERRCODE = 'undefined_object',
            HINT = 'Create it with drift.capture_baseline(); drift.baselines lists the existing ones.';
  END IF;
  IF capture_chunks.chunks IS NULL OR capture_chunks.chunks < 2 THEN
    RAISE EXCEPTION 'chunks must be at least 2, not %', capture_chunks.chunks
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Each chunk is compared with the merge of the others: it takes two or more.';
  END IF;
  IF capture_chunks.chunks > b.row_count THEN
    RAISE EXCEPTION 'chunks (%) must not exceed the baseline''s rows (%)', capture_chunks.chunks,
                    b.row_count
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use fewer chunks; each should hold enough rows for a test.';
  END IF;
  v_rel := to_regclass(b.source_relation);
  IF v_rel IS NULL THEN
    RAISE EXCEPTION 'the source of baseline "%", %, no longer exists', b.name, b.source_relation
      USING ERRCODE = 'undefined_table';
  END IF;
  IF capture_chunks.time_column IS NOT NULL
     AND drift.column_kind(v_rel, capture_chunks.time_column) IS DISTINCT FROM 'time' THEN
    RAISE EXCEPTION 'time_column "%" is not a timestamp, timestamptz or date column of %',
                    capture_chunks.time_column, v_rel
      USING ERRCODE = 'undefined_column';
  END IF;
  SELECT array_agg(c.column_name ORDER BY c.column_name), array_agg(c.kind ORDER BY c.column_name),
         array_agg(drift.profile_expression(c.column_name, c.kind) ORDER BY c.column_name)
    INTO v_cols, v_kinds, v_exprs
    FROM drift.baseline_columns c
   WHERE c.baseline_owner = b.owner AND c.baseline_name = b.name;

  DELETE FROM drift.baseline_chunks x WHERE x.baseline_owner = b.owner AND x.baseline_name = b.name;
  DELETE FROM drift.baseline_thresholds x
   WHERE x.baseline_owner = b.owner AND x.baseline_name = b.name;
  -- one scan: every row numbered into its chunk, every column profiled per chunk
  FOR r IN EXECUTE format(
      'SELECT t.chunk, ARRAY[%s] AS profiles'
      ' FROM (SELECT s.*, pg_catalog.ntile(%s) OVER (%s) AS chunk FROM %s AS s%s) AS t'
      ' GROUP BY t.chunk ORDER BY t.chunk',
      array_to_string(v_exprs, ', '), capture_chunks.chunks,
      CASE WHEN capture_chunks.time_column IS NULL THEN ''
           ELSE format('ORDER BY s.%I', capture_chunks.time_column) END,
      v_rel, CASE WHEN b.filter IS NULL THEN '' ELSE ' WHERE (' || b.filter || ')' END) LOOP
    INSERT INTO drift.baseline_chunks (baseline_owner, baseline_name, column_name, chunk, profile)
    SELECT b.owner, b.name, v_cols[i], r.chunk, drift.empty_if_null(r.profiles[i], v_kinds[i])
      FROM generate_subscripts(v_cols, 1) i;
  END LOOP;

  -- per column, every test the automatic choice could pick for it
  FOR r IN SELECT c.column_name AS col, c.kind,
                  (@extschema@.drift_profile_info(c.profile)).distinct_entries AS u
             FROM drift.baseline_columns c
            WHERE c.baseline_owner = b.owner AND c.baseline_name = b.name LOOP
    FOREACH t IN ARRAY CASE
        WHEN r.kind = 'numeric' AND r.u <= 2 THEN ARRAY['ks', 'wasserstein_norm', 'chi2', 'js', 'proportion_z']
        WHEN r.kind = 'numeric' AND r.u <= 5 THEN ARRAY['ks', 'wasserstein_norm', 'chi2', 'js']
        WHEN r.kind = 'numeric' THEN ARRAY['ks', 'wasserstein_norm']
        WHEN r.u <= 2 THEN ARRAY['chi2', 'js', 'proportion_z']
        ELSE ARRAY['chi2', 'js'] END LOOP
      SELECT array_agg(d.statistic ORDER BY k.chunk) INTO stats
        FROM drift.baseline_chunks k
        CROSS JOIN LATERAL (
          SELECT @extschema@.drift_profile_merge(o.profile) AS others
            FROM drift.baseline_chunks o
           WHERE o.baseline_owner = b.owner AND o.baseline_name = b.name
             AND o.column_name = r.col AND o.chunk <> k.chunk) m
        CROSS JOIN LATERAL drift.column_drift(m.others, k.profile, t) d
       WHERE k.baseline_owner = b.owner AND k.baseline_name = b.name AND k.column_name = r.col;
      -- a chunk with nothing to compare gives no statistic: learn from the rest
      IF (SELECT count(x) FROM unnest(stats) x) >= 2 THEN
        INSERT INTO drift.baseline_thresholds AS x (baseline_owner, baseline_name, column_name,
                                                   test, threshold, mean, sd, chunks)
        SELECT b.owner, b.name, r.col, t, avg(x) + 3 * stddev_pop(x), avg(x), stddev_pop(x),
               count(x)
          FROM unnest(stats) x
        RETURNING x.column_name, x.test, x.threshold, x.mean, x.sd
          INTO column_name, test, threshold, mean, sd;
        RETURN NEXT;
      END IF;
    END LOOP;
  END LOOP;
END
$fn$;
COMMENT ON FUNCTION drift.capture_chunks(text, integer, text) IS
  'Split a baseline''s rows into chunks (by time_column, else evenly) in one scan and learn '
  'each column''s threshold per test: mean + 3 sd of the leave-one-chunk-out statistics';

-- The learned thresholds of a baseline as drift.judge_columns takes them.
CREATE FUNCTION drift.learned_thresholds(baseline text) RETURNS jsonb
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v jsonb;
BEGIN
  SELECT jsonb_object_agg(s.column_name, s.t) INTO v
    FROM (SELECT x.column_name, jsonb_object_agg(x.test, x.threshold) AS t
            FROM drift.baseline_thresholds x
           WHERE x.baseline_owner = drift.baseline_owner(learned_thresholds.baseline)
             AND x.baseline_name = learned_thresholds.baseline
           GROUP BY x.column_name) s;
  IF v IS NULL THEN
    RAISE EXCEPTION 'baseline "%" has no learned thresholds', learned_thresholds.baseline
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Learn them with drift.capture_chunks(baseline, chunks).';
  END IF;
  RETURN v;
END
$fn$;
COMMENT ON FUNCTION drift.learned_thresholds(text) IS
  'A baseline''s learned thresholds as {"column": {"test": threshold}} (drift.capture_chunks)';

-- ===========================================================================
-- Issue 8, model monitors: src/sql/73_model_monitor.sql (new objects), the
-- 'at_least' comparison of drift.metrics, and drift._monitor_query's {model}
-- token (drift._check_monitor, drift._record_slices and drift._run_monitor
-- took their small changes in place above)
-- ===========================================================================

ALTER TABLE drift.metrics DROP CONSTRAINT metrics_comparison_check;
ALTER TABLE drift.metrics ADD CONSTRAINT metrics_comparison_check
  CHECK (comparison IN ('p_value', 'above', 'bounds', 'at_least'));

CREATE OR REPLACE FUNCTION drift._monitor_query(m drift.monitors) RETURNS text
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  met    drift.metrics;
  slice  text := '''{}''::jsonb';
  pairs  text[] := '{}';
  col    text;
  expr   text;
  wherec text := 'true';
  src    text := format('%s AS t', m.relation_oid::regclass);
  -- one row per slice seen; unsliced, one row unless the window is empty
  -- (without grouping by a constant, which costs a comparison per row)
  grp    text := ' HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 0';
  q      text;
BEGIN
  SELECT * INTO STRICT met FROM drift.metrics WHERE name = m.metric;
  FOREACH col IN ARRAY coalesce(m.slice_by, '{}') LOOP
    pairs := pairs || format('%L::text, t.%I', col, col);
  END LOOP;
  IF cardinality(pairs) > 0 THEN
    slice := format('pg_catalog.jsonb_build_object(%s)', array_to_string(pairs, ', '));
    grp := ' GROUP BY 1';
  END IF;
  IF m.filter IS NOT NULL THEN
    wherec := format('(%s)', m.filter);
  END IF;

  expr := CASE WHEN m.compare_to = 'previous_window' THEN met.profile_expression
               ELSE met.expression END;
  -- a model monitor's one expression over all its columns (73_model_monitor.sql)
  IF position('{model}' IN expr) > 0 THEN
    expr := replace(expr, '{model}', drift._model_expression(m));
  END IF;
  expr := replace(expr, '{value}', format('t.%I', m.column_name));
  IF m.label_column IS NOT NULL THEN
    expr := replace(expr, '{value2}', format('t.%I', m.label_column));
  END IF;
  expr := replace(expr, '{baseline}', '$3::text');
  expr := replace(expr, '{column}', '$4::text');
  expr := replace(expr, '{profile}', 'prev.p');

  IF m.compare_to = 'previous_window' THEN
    -- a model monitor profiles all its columns in the previous window
    IF position('{model_profiles}' IN met.profile_source) > 0 THEN
      met.profile_source := replace(met.profile_source, '{model_profiles}',
                                    drift._model_profiles(m));
    END IF;
    q := format('WITH prev AS (SELECT %s AS slice, %s AS p FROM %s'
                ' WHERE t.%I >= $5 AND t.%I < $1 AND %s%s) ',
                slice, replace(met.profile_source, '{value}', format('t.%I', m.column_name)),
                src, m.time_column, m.time_column, wherec, grp);
    src := src || format(' JOIN prev ON prev.slice OPERATOR(pg_catalog.=) %s', slice);
  ELSE
    q := '';
  END IF;
  IF m.time_column IS NOT NULL THEN
    wherec := format('t.%I >= $1 AND t.%I < $2 AND %s', m.time_column, m.time_column, wherec);
  END IF;
  RETURN q || format('SELECT s.slice, s.n_rows, pg_catalog.to_jsonb(s.r) AS r FROM ('
                     'SELECT %s AS slice, pg_catalog.count(*) AS n_rows, %s AS r'
                     ' FROM %s WHERE %s%s) s',
                     slice, expr, src, wherec, grp);
END
$fn$;

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
  -- {model_profiles}, through an aggregate as the check is none)
  RETURN format('@extschema@.model_drift_check(%s, %L::text[], %L::text[], %s, '
                'pg_catalog.count(*), %L::text, %s::float8, %L::jsonb, %s)',
                CASE WHEN m.compare_to = 'previous_window'
                     THEN 'drift.reference_profiles(prev.p)' ELSE '$3::text' END,
                mm.columns, mm.kinds, drift._model_profiles(m),
                mm.correction, mm.alpha, mm.tests,
                CASE WHEN m.compare_to = 'previous_window' THEN 'NULL::jsonb'
                     ELSE format('%L::boolean', mm.auto_thresholds) END);
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

-- A model run's per-column rows, beside each slice's dataset row.
CREATE FUNCTION drift._record_model_columns(results drift.results[], vals jsonb[]) RETURNS void
  LANGUAGE sql
  SET search_path = pg_catalog, pg_temp
AS $fn$
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
     WHERE results[i].state <> 'error'
$fn$;
COMMENT ON FUNCTION drift._record_model_columns(drift.results[], jsonb[]) IS
  'Write the per-column rows of a model-monitor run to drift.model_results';

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
    paused      boolean)
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
                                   compare_to, paused, next_run)
  VALUES (_api_create_model_monitor.name, v_owner, relation, relation::text, 'dataset_drift',
          v_cols[1], baseline, drift_share, time_column, window_size,
          coalesce(schedule, '1 hour'), filter, nullif(slice_by, '{}'), coalesce(min_rows, 1),
          coalesce(channel, 'pg_drift'), coalesce(fire_after, 1), coalesce(max_retries, 3),
          coalesce(compare_to, 'baseline'), coalesce(paused, false), now())
  RETURNING * INTO m;
  INSERT INTO drift.model_monitors (monitor_id, columns, kinds, correction, alpha, tests,
                                    auto_thresholds)
  VALUES (m.monitor_id, v_cols, v_kinds, correction, alpha, tests, thresholds IS NOT NULL);
  -- the common validation (relation, privileges, window, slices, filter,
  -- and the whole query planned as the owner); an error undoes both rows
  PERFORM drift._check_monitor(m);
  PERFORM drift._wake_scheduler();
  RETURN m.monitor_id;
END
$fn$;
COMMENT ON FUNCTION drift._api_create_model_monitor(oid, text, regclass, text, text, interval,
  interval, text[], text, float8, float8, jsonb, text, text, text, text[], bigint, text, integer,
  integer, name, boolean) IS
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
    paused      boolean  DEFAULT false)
  RETURNS bigint
  AS 'MODULE_PATHNAME', 'drift_api_call' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION drift.create_model_monitor(text, regclass, text, text, interval, interval,
  text[], text, float8, float8, jsonb, text, text, text, text[], bigint, text, integer, integer,
  name, boolean) IS
  'Declare a scheduled whole-model check: every column of a baseline (or those named) in one '
  'scan per run, a results row per column (drift.model_results) and one for the model, one '
  'alert per state change listing the drifted columns by rank; returns the monitor id';

-- internal functions added after the revocation above
REVOKE EXECUTE ON FUNCTION drift._model_expression(drift.monitors) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION drift._record_model_columns(drift.results[], jsonb[]) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION drift._model_profiles(drift.monitors) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION drift._api_create_model_monitor(oid, text, regclass, text, text, interval,
  interval, text[], text, float8, float8, jsonb, text, text, text, text[], bigint, text, integer,
  integer, name, boolean) FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- The report's whole-model section (after the model monitors' tables exist)
-- ---------------------------------------------------------------------------
-- Whole-model checks (SPEC section 9): for each selected model monitor
-- (metric dataset_drift), the per-column table of its latest result since
-- `since` (drift.model_results; of a sliced monitor, the latest slice's,
-- named), drifted columns first by rank, between the histograms and the
-- results table.  Empty when no model monitor has such a result.
CREATE OR REPLACE FUNCTION drift.report_dataset_section(monitor_ids bigint[], since timestamptz)
  RETURNS text
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT coalesce('<section class="model"><h2>Whole-model checks</h2>'
                  || string_agg(t.html, '' ORDER BY t.name) || '</section>', '')
    FROM (SELECT m.name,
                 format('<h3>%s%s</h3><p class="meta">run at %s: %s of %s columns drifted</p>',
                        drift.report_escape(m.name),
                        CASE WHEN r.slice IS NOT NULL AND r.slice <> '{}'::jsonb
                             THEN ', slice ' || drift.report_escape(drift.slice_label(r.slice)) ELSE '' END,
                        to_char(r.run_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
                        count(*) FILTER (WHERE c.drifted), count(*))
                 || '<table class="model-columns"><thead><tr><th>rank</th><th>column</th>'
                 || '<th>kind</th><th>test</th><th>reason</th><th>statistic</th><th>p-value</th>'
                 || '<th>adjusted p</th><th>threshold</th><th>drifted</th><th>NULL rate</th>'
                 || '<th>out of range</th><th>unseen</th></tr></thead><tbody>'
                 || string_agg(format('<tr%s><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>'
                                      '<td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>'
                                      '<td>%s</td><td>%s</td><td>%s</td></tr>',
                                      CASE WHEN c.drifted THEN ' class="drifted"' ELSE '' END,
                                      coalesce(c.rank::text, '-'), drift.report_escape(c.column_name),
                                      drift.report_escape(c.column_kind), drift.report_escape(c.test),
                                      drift.report_escape(c.reason), drift.report_number(c.statistic),
                                      drift.report_number(c.p_value),
                                      drift.report_number(c.adjusted_p_value),
                                      drift.report_number(c.threshold),
                                      CASE WHEN c.drifted THEN 'yes' ELSE 'no' END,
                                      drift.report_number(c.null_rate_current),
                                      drift.report_number(c.out_of_range_share),
                                      drift.report_number(c.unseen_category_share)),
                               '' ORDER BY c.drifted DESC, c.rank NULLS LAST, c.column_name)
                 || '</tbody></table>' AS html
            FROM drift.monitors m
            JOIN LATERAL (SELECT x.result_id, x.run_at, x.slice
                            FROM drift.results x
                           WHERE x.monitor_id = m.monitor_id
                             AND (since IS NULL OR x.run_at >= since)
                             AND EXISTS (SELECT 1 FROM drift.model_results y
                                          WHERE y.result_id = x.result_id)
                           ORDER BY x.run_at DESC, x.result_id DESC LIMIT 1) r ON true
            JOIN drift.model_results c ON c.result_id = r.result_id
           WHERE m.monitor_id = ANY (monitor_ids) AND m.metric = 'dataset_drift'
           GROUP BY m.name, r.run_at, r.slice) t
$fn$;
COMMENT ON FUNCTION drift.report_dataset_section(bigint[], timestamptz) IS
  'Whole-model section of drift.report: per model monitor, the per-column table of its latest '
  'run (test, reason, statistic, p-values, threshold, drifted, integrity), drifted first by rank';


-- ---------------------------------------------------------------------------
-- Issue 9: performance estimated without labels (CBPE), src/sql/61_cbpe.sql
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
COMMENT ON FUNCTION drift_calibration_in(cstring) IS 'Text input of drift_calibration (\x and hex), validated';
COMMENT ON FUNCTION drift_calibration_out(drift_calibration) IS 'Text output of drift_calibration: \x and the hex of the binary form';
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
  'Text input of drift_estimated_metrics_state (\x and hex), validated';
COMMENT ON FUNCTION drift_estimated_metrics_state_out(drift_estimated_metrics_state) IS
  'Text output of drift_estimated_metrics_state: \x and the hex of the binary form';
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

-- Issue 9: estimated quality as monitor metrics, src/sql/74_label_join.sql
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

-- Issue 9: labels in another relation that arrive late, src/sql/74_label_join.sql
-- (the check's shared parts move to drift._monitor_parts, which
-- drift._monitor_query and drift._label_join_query both use)
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
CREATE OR REPLACE FUNCTION drift._monitor_query(m drift.monitors) RETURNS text
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  p      record := drift._monitor_parts(m, CASE WHEN m.label_column IS NOT NULL
                                                THEN format('t.%I', m.label_column) END);
  wherec text := p.filter;
  src    text := format('%s AS t', m.relation_oid::regclass);
  q      text := '';
BEGIN
  IF m.compare_to = 'previous_window' THEN
    q := format('WITH prev AS (SELECT %s AS slice, %s AS p FROM %s'
                ' WHERE t.%I >= $5 AND t.%I < $1 AND %s%s) ',
                p.slice, replace((SELECT x.profile_source FROM drift.metrics x
                                   WHERE x.name = m.metric),
                                 '{value}', format('t.%I', m.column_name)),
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
  RETURN format(
    'SELECT s.slice, s.n_rows, pg_catalog.jsonb_build_object(''statistic'', s.r,'
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
  IF m.label_relation_oid IS NULL THEN
    IF m.join_column IS NOT NULL OR m.label_delay <> interval '0' OR m.label_horizon IS NOT NULL THEN
      RAISE EXCEPTION 'join_column, label_delay and label_horizon need label_relation'
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'Name the relation that holds the labels, or leave these out.';
    END IF;
    RETURN;
  END IF;
  IF met.kind <> 'model' THEN
    RAISE EXCEPTION 'metric "%" takes no label_relation', m.metric
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Labels in another relation serve model-quality metrics.';
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
  IF NOT met.needs_label AND m.label_column IS NOT NULL
     AND drift.column_kind(m.label_relation_oid, m.label_column) IS DISTINCT FROM 'boolean' THEN
    RAISE EXCEPTION 'label column "%" of % must be boolean', m.label_column,
                    m.label_relation_oid::regclass
      USING ERRCODE = 'datatype_mismatch';
  END IF;
END
$fn$;
COMMENT ON FUNCTION drift._check_label_join(drift.monitors, drift.metrics) IS
  'Validate a monitor''s label relation, join column, label column, delay and horizon';

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
COMMENT ON FUNCTION drift.create_monitor(text, regclass, text, text, text, float8, text, interval,
  interval, text, text[], bigint, text, text, float8, float8, float8, text, integer, integer,
  name, boolean, regclass, text, interval, interval) IS
  'Declare a scheduled check of a relation; validated now, first run as soon as the scheduler '
  'sees it; returns the monitor id';
-- internal, as 99_privileges.sql makes every drift._* function in a fresh install
REVOKE EXECUTE ON FUNCTION drift._monitor_parts(drift.monitors, text),
  drift._monitor_sql(drift.monitors), drift._label_join_query(drift.monitors),
  drift._check_label_join(drift.monitors, drift.metrics),
  drift._label_conflicts(drift.monitors, jsonb[]), drift._note_labels(drift.results[], jsonb[]),
  drift._rejudge_windows(drift.monitors, timestamptz, timestamptz) FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- A check's SQL as model monitors ({model}, {model_profiles}) and label joins
-- (value2) both need it: the merged bodies of src/sql/71_monitor_api.sql
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION drift._monitor_parts(m drift.monitors, value2 text,
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
CREATE OR REPLACE FUNCTION drift._monitor_query(m drift.monitors) RETURNS text
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

-- ---- compact partial states (issue 13): state text forms are base64 ----------
COMMENT ON FUNCTION drift_stream_state_in(cstring) IS
  'Text input of drift_stream_state: its binary form in base64, or \x and hex digits (the 0.1.0 form), validated';
COMMENT ON FUNCTION drift_stream_state_out(drift_stream_state) IS
  'Text output of drift_stream_state: its binary form in base64 (how Citus ships states)';
COMMENT ON FUNCTION drift_mean_state_in(cstring) IS 'Text input of drift_mean_state: its binary form in base64, or \x and hex digits (the 0.1.0 form), validated';
COMMENT ON FUNCTION drift_mean_state_out(drift_mean_state) IS 'Text output of drift_mean_state: its binary form in base64 (how Citus ships states)';
COMMENT ON FUNCTION drift_category_state_in(cstring) IS
  'Text input of drift_category_state: its binary form in base64, or \x and hex digits (the 0.1.0 form), validated';
COMMENT ON FUNCTION drift_category_state_out(drift_category_state) IS
  'Text output of drift_category_state: its binary form in base64 (how Citus ships states)';
COMMENT ON FUNCTION drift_integrity_state_in(cstring) IS
  'Text input of drift_integrity_state: its binary form in base64, or \x and hex digits (the 0.1.0 form), validated';
COMMENT ON FUNCTION drift_integrity_state_out(drift_integrity_state) IS
  'Text output of drift_integrity_state: its binary form in base64 (how Citus ships states)';
COMMENT ON FUNCTION drift_corr_state_in(cstring) IS
  'Text input of drift_corr_state: its binary form in base64, or \x and hex digits (the 0.1.0 form), validated';
COMMENT ON FUNCTION drift_corr_state_out(drift_corr_state) IS
  'Text output of drift_corr_state: its binary form in base64 (how Citus ships states)';
COMMENT ON FUNCTION drift_binary_metrics_state_in(cstring) IS 'Text input of drift_binary_metrics_state: its binary form in base64, or \x and hex digits (the 0.1.0 form), validated';
COMMENT ON FUNCTION drift_binary_metrics_state_out(drift_binary_metrics_state) IS 'Text output of drift_binary_metrics_state: its binary form in base64 (how Citus ships states)';
COMMENT ON TYPE drift_binary_metrics_state IS
  'Partial state of binary_metrics: the four confusion counts (text form: the binary form in base64)';
COMMENT ON FUNCTION drift_regression_metrics_state_in(cstring) IS 'Text input of drift_regression_metrics_state: its binary form in base64, or \x and hex digits (the 0.1.0 form), validated';
COMMENT ON FUNCTION drift_regression_metrics_state_out(drift_regression_metrics_state) IS 'Text output of drift_regression_metrics_state: its binary form in base64 (how Citus ships states)';
COMMENT ON FUNCTION drift_metric_mean_state_in(cstring) IS 'Text input of drift_metric_mean_state: its binary form in base64, or \x and hex digits (the 0.1.0 form), validated';
COMMENT ON FUNCTION drift_metric_mean_state_out(drift_metric_mean_state) IS 'Text output of drift_metric_mean_state: its binary form in base64 (how Citus ships states)';
COMMENT ON FUNCTION drift_roc_state_in(cstring) IS 'Text input of drift_roc_state: its binary form in base64, or \x and hex digits (the 0.1.0 form), validated';
COMMENT ON FUNCTION drift_roc_state_out(drift_roc_state) IS 'Text output of drift_roc_state: its binary form in base64 (how Citus ships states)';
COMMENT ON FUNCTION drift_multiclass_metrics_state_in(cstring) IS 'Text input of drift_multiclass_metrics_state: its binary form in base64, or \x and hex digits (the 0.1.0 form), validated';
COMMENT ON FUNCTION drift_multiclass_metrics_state_out(drift_multiclass_metrics_state) IS 'Text output of drift_multiclass_metrics_state: its binary form in base64 (how Citus ships states)';
COMMENT ON FUNCTION drift_calibration_in(cstring) IS 'Text input of drift_calibration: its binary form in base64, or \x and hex digits (the 0.1.0 form), validated';
COMMENT ON FUNCTION drift_calibration_out(drift_calibration) IS 'Text output of drift_calibration: its binary form in base64';
COMMENT ON FUNCTION drift_estimated_metrics_state_in(cstring) IS
  'Text input of drift_estimated_metrics_state: its binary form in base64, or \x and hex digits (the 0.1.0 form), validated';
COMMENT ON FUNCTION drift_estimated_metrics_state_out(drift_estimated_metrics_state) IS
  'Text output of drift_estimated_metrics_state: its binary form in base64 (how Citus ships states)';

-- ---------------------------------------------------------------------------
-- Baselines on every Citus node (issue 13): as src/sql/96_baseline_nodes.sql
-- ---------------------------------------------------------------------------
-- Baselines on every Citus node (SPEC.md section 8)
--
-- On Citus, shard queries run on the workers as the calling role and look
-- their named baselines up there, but CREATE EXTENSION is all Citus copies:
-- catalog rows stay where they were written.  The catalog cannot become a
-- reference table either (its row-level security policies use subqueries,
-- which Citus refuses on distributed tables, and a shard query may not read a
-- distributed table).  So every node keeps its own catalog, and a change on
-- one node is copied to the others when its transaction commits: a deferred
-- constraint trigger on drift.baselines and on every table whose rows belong
-- to a baseline (a foreign key to it) sends the baseline's rows, as they
-- stand at commit, to every other active primary node.  The copy runs on
-- each node as the same role through Citus's master_run_on_worker, so
-- row-level security applies there as here.  drift.citus_sync_baselines()
-- copies every baseline the caller can see (after citus_add_node, or to
-- repair a copy).  Without Citus the trigger returns at once.
-- ---------------------------------------------------------------------------

-- drift.baselines first, then every table whose rows belong to a baseline,
-- with the columns that name it.
CREATE FUNCTION drift.baseline_tables(OUT rel regclass, OUT owner_column name,
                                       OUT name_column name)
  RETURNS SETOF record
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT 'drift.baselines'::regclass, 'owner'::name, 'name'::name
  UNION ALL
  (SELECT c.conrelid::regclass,
          (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = c.conkey[1]),
          (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = c.conkey[2])
     FROM pg_constraint c
    WHERE c.contype = 'f' AND c.confrelid = 'drift.baselines'::regclass
    ORDER BY c.conrelid::regclass::text)
$fn$;
COMMENT ON FUNCTION drift.baseline_tables() IS
  'drift.baselines and every table with a foreign key to it, with the columns naming the '
  'baseline (owner, name): what a copy of a baseline to another node carries';

-- The SQL that makes another node's copy of one baseline (or, with NULLs,
-- of every baseline the caller can see) equal to this node's: one
-- transaction that deletes the old copy (its rows cascade) and inserts this
-- node's rows by column name (json_populate_recordset), with the copying
-- flag set so that the receiving node does not copy them on again.
CREATE FUNCTION drift.baseline_copy_sql(baseline_owner name, baseline_name text)
  RETURNS text
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_sql  text := 'BEGIN; SET LOCAL drift.citus_copying = on; ';
  v_rows text;
  t      record;
BEGIN
  v_sql := v_sql || CASE WHEN baseline_name IS NULL THEN 'DELETE FROM drift.baselines; '
                         ELSE format('DELETE FROM drift.baselines WHERE owner = %L AND name = %L; ',
                                     baseline_owner, baseline_name) END;
  FOR t IN SELECT * FROM drift.baseline_tables() LOOP
    EXECUTE format('SELECT json_agg(r)::text FROM %s r WHERE ($1 IS NULL OR r.%I = $1) '
                   'AND ($2 IS NULL OR r.%I = $2)', t.rel, t.owner_column, t.name_column)
      INTO v_rows USING baseline_owner, baseline_name;
    IF v_rows IS NOT NULL THEN
      v_sql := v_sql || format('INSERT INTO %s SELECT * FROM json_populate_recordset(NULL::%s, %L); ',
                               t.rel, t.rel, v_rows);
    END IF;
  END LOOP;
  RETURN v_sql || 'COMMIT;';
END
$fn$;
COMMENT ON FUNCTION drift.baseline_copy_sql(name, text) IS
  'SQL that replaces another node''s copy of a baseline (NULLs: of every baseline the caller '
  'can see) with this node''s rows';

-- The deferred trigger: at commit, copy each changed baseline once per
-- firing (statement_timestamp() tells firings apart: the commit, or a SET
-- CONSTRAINTS ... IMMEDIATE before it) as it then stands.
CREATE FUNCTION drift._baseline_copy_trigger() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_done jsonb;
  v_keys jsonb := '[]';
  k      jsonb;
BEGIN
  IF current_setting('drift.citus_copying', true) = 'on'
     OR NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    v_keys := v_keys || jsonb_build_array(jsonb_build_array(to_jsonb(OLD) -> TG_ARGV[0],
                                                            to_jsonb(OLD) -> TG_ARGV[1]));
  END IF;
  IF TG_OP <> 'DELETE' THEN
    v_keys := v_keys || jsonb_build_array(jsonb_build_array(to_jsonb(NEW) -> TG_ARGV[0],
                                                            to_jsonb(NEW) -> TG_ARGV[1]));
  END IF;
  v_done := coalesce(nullif(current_setting('drift.citus_copied', true), ''), '{}')::jsonb;
  IF v_done ->> 'at' IS DISTINCT FROM statement_timestamp()::text THEN
    v_done := jsonb_build_object('at', statement_timestamp()::text, 'keys', '[]'::jsonb);
  END IF;
  FOR k IN SELECT * FROM jsonb_array_elements(v_keys) LOOP
    CONTINUE WHEN v_done -> 'keys' @> jsonb_build_array(k);
    PERFORM drift.citus_sync_baselines(k ->> 0, k ->> 1);
    v_done := jsonb_set(v_done, '{keys}', (v_done -> 'keys') || jsonb_build_array(k));
  END LOOP;
  PERFORM set_config('drift.citus_copied', v_done::text, true);
  RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION drift._baseline_copy_trigger() IS
  'Deferred trigger: on a Citus cluster, copies a changed baseline to every other node at '
  'commit (arguments: the columns naming the baseline)';

-- drift._baseline_copy_trigger on every baseline table (run again by the
-- upgrade script; a table added later gets it where it is created).
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM drift.baseline_tables() LOOP
    EXECUTE format('CREATE CONSTRAINT TRIGGER copy_to_citus_nodes AFTER INSERT OR UPDATE OR DELETE '
                   'ON %s DEFERRABLE INITIALLY DEFERRED FOR EACH ROW '
                   'EXECUTE FUNCTION drift._baseline_copy_trigger(%L, %L)',
                   t.rel, t.owner_column, t.name_column);
    EXECUTE format('COMMENT ON TRIGGER copy_to_citus_nodes ON %s IS %L', t.rel,
                   'On a Citus cluster, copies the changed baseline to every other node at commit');
  END LOOP;
END
$$;

CREATE FUNCTION drift.citus_sync_baselines(baseline_owner name DEFAULT NULL,
                                           baseline_name text DEFAULT NULL)
  RETURNS TABLE (node_name text, node_port integer)
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_names text[];
  v_ports integer[];
  v_sql   text;
  r       record;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
    RAISE EXCEPTION 'Citus is not installed in this database'
      USING ERRCODE = 'feature_not_supported',
            HINT = 'Baselines are copied between the nodes of a Citus cluster only.';
  END IF;
  IF (citus_sync_baselines.baseline_owner IS NULL) <> (citus_sync_baselines.baseline_name IS NULL) THEN
    RAISE EXCEPTION 'baseline_owner and baseline_name go together'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Name both to copy one baseline, or neither to copy every baseline you can see.';
  END IF;
  -- the other active primary nodes (dynamic: pg_dist_node exists only with Citus)
  EXECUTE $q$SELECT array_agg(n.nodename::text ORDER BY n.nodename, n.nodeport),
                    array_agg(n.nodeport ORDER BY n.nodename, n.nodeport)
               FROM pg_catalog.pg_dist_node n
              WHERE n.isactive AND n.noderole = 'primary'
                AND n.nodecluster = pg_catalog.current_setting('citus.cluster_name')
                AND n.groupid <> (SELECT l.groupid FROM pg_catalog.pg_dist_local_group l)$q$
    INTO v_names, v_ports;
  IF v_names IS NULL THEN
    RETURN;
  END IF;
  v_sql := drift.baseline_copy_sql(citus_sync_baselines.baseline_owner,
                                   citus_sync_baselines.baseline_name);
  -- as the calling role, on every node at once; any failure is an error (the
  -- change that asked for the copy is rolled back here)
  FOR r IN EXECUTE 'SELECT m.node_name, m.node_port, m.success, m.result '
                   'FROM pg_catalog.master_run_on_worker($1, $2, $3, true) m'
             USING v_names, v_ports, array_fill(v_sql, ARRAY[cardinality(v_names)]) LOOP
    IF NOT r.success THEN
      RAISE EXCEPTION 'could not copy baselines to node %:%', r.node_name, r.node_port
        USING ERRCODE = 'connection_exception',
              DETAIL = r.result,
              HINT = 'Every active Citus node must take the copy: when the node is back, run the '
                     'change again or SELECT drift.citus_sync_baselines().';
    END IF;
    node_name := r.node_name;
    node_port := r.node_port;
    RETURN NEXT;
  END LOOP;
END
$fn$;
COMMENT ON FUNCTION drift.citus_sync_baselines(name, text) IS
  'On a Citus cluster: makes every other active node''s copy of the baselines the caller can '
  'see (or of the one named by owner and name) equal to this node''s, as the calling role; '
  'run it on the coordinator after citus_add_node, or when a query says a copy is stale or '
  'missing';
-- internal, as 99_privileges.sql makes every drift._* function on install
REVOKE EXECUTE ON FUNCTION drift._baseline_copy_trigger() FROM PUBLIC;


-- ===========================================================================
-- Issue 8, model quality in model monitors: src/sql/75_model_quality.sql
-- (new objects); create_model_monitor's prediction_column, label_column and
-- label join parameters and alter_monitor's label settings (new signatures:
-- the old ones are dropped); drift._model_expression,
-- drift._record_model_columns, drift._check_monitor, drift._check_label_join,
-- drift._label_join_query, drift._rejudge_windows and drift._run_monitor
-- replaced
-- ===========================================================================
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

CREATE OR REPLACE FUNCTION drift._model_expression(m drift.monitors) RETURNS text
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

CREATE OR REPLACE FUNCTION drift._record_model_columns(results drift.results[], vals jsonb[]) RETURNS void
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

CREATE OR REPLACE FUNCTION drift._check_monitor(m drift.monitors) RETURNS void
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

CREATE OR REPLACE FUNCTION drift._check_label_join(m drift.monitors, met drift.metrics) RETURNS void
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

CREATE OR REPLACE FUNCTION drift._label_join_query(m drift.monitors) RETURNS text
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

CREATE OR REPLACE FUNCTION drift._rejudge_windows(m drift.monitors, current_start timestamptz,
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

CREATE OR REPLACE FUNCTION drift._run_monitor(p_id bigint, p_as_of timestamptz DEFAULT NULL,
                                   p_scheduled boolean DEFAULT false)
  RETURNS SETOF drift.results
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m   drift.monitors := drift._lock_monitor(p_id, p_scheduled);
  due boolean;
  w   record;
  c   record;
  r   record;
BEGIN
  IF m.monitor_id IS NULL THEN
    RETURN;
  END IF;
  -- a run that never came back (its backend was terminated for ignoring
  -- the timeout, or crashed) is recorded before anything else
  IF drift._take_lost_run(p_id) THEN
    PERFORM drift._record_failure(p_id, format(
      'a run of monitor "%s" did not finish: its session ended during the check '
      '(terminated after ignoring pg_drift.monitor_timeout, or a crash)', m.name));
    m := drift._lock_monitor(p_id, false);
  END IF;
  due := m.next_run <= now() AND NOT m.paused;
  IF p_scheduled AND NOT due THEN
    RETURN;
  END IF;

  w := drift._run_window(m, p_as_of);
  IF m.label_horizon IS NOT NULL THEN
    -- earlier windows whose labels changed are judged again first (74_label_join.sql)
    m := drift._rejudge_windows(m, w.window_start, coalesce(p_as_of, now()));
  END IF;
  c := drift._collect_slices(m, w.window_start, w.window_end, w.prev_start);
  IF c.error IS NULL AND m.label_relation_oid IS NOT NULL THEN
    c.error := drift._label_conflicts(m, c.vals);
  END IF;
  IF c.error IS NOT NULL THEN
    r := drift._record_error(m, CASE WHEN due THEN m.next_run END, w.window_start,
                             w.window_end, c.error);
    PERFORM drift._finish_run(m, due, 'error', m.slice_state);
  ELSE
    r := drift._record_slices(m, (SELECT x.comparison FROM drift.metrics x WHERE x.name = m.metric),
                              CASE WHEN due THEN m.next_run END, w.window_start, w.window_end,
                              c.slices, c.nrows, c.vals);
    IF m.metric = 'dataset_drift' THEN
      PERFORM drift._record_model_columns(r.results, c.vals);
    END IF;
    -- label coverage: of joined labels, or of a model's own (75_model_quality.sql)
    IF m.label_relation_oid IS NOT NULL OR m.metric = 'dataset_drift' THEN
      r.results := drift._note_labels(r.results, c.vals);
    END IF;
    PERFORM drift._finish_run(m, due, r.state, r.slice_state);
  END IF;
  PERFORM drift._emit_alerts(m, coalesce(c.relation::text, m.relation_name), w.window_start,
                             w.window_end, r.alerts);
  RETURN QUERY SELECT * FROM unnest(r.results);
END
$fn$;
COMMENT ON FUNCTION drift._run_monitor(bigint, timestamptz, boolean) IS
  'Run one monitor: lock, take a lost run, window, check as the owner, record results, '
  'update the monitor, write and notify alerts';

DROP FUNCTION drift.create_model_monitor(text, regclass, text, text, interval, interval,
  text[], text, float8, float8, jsonb, text, text, text, text[], bigint, text, integer, integer,
  name, boolean);
DROP FUNCTION drift._api_create_model_monitor(oid, text, regclass, text, text, interval,
  interval, text[], text, float8, float8, jsonb, text, text, text, text[], bigint, text, integer,
  integer, name, boolean);
DROP FUNCTION drift.alter_monitor(text, regclass, text, text, text, float8, text, interval,
  interval, text, text[], bigint, text, text, float8, float8, float8, text, integer, integer,
  text[]);
DROP FUNCTION drift._api_alter_monitor(oid, text, regclass, text, text, text, float8, text,
  interval, interval, text, text[], bigint, text, text, float8, float8, float8, text, integer,
  integer, text[]);

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

REVOKE EXECUTE ON FUNCTION drift._model_quality_expression(drift.monitors, text),
  drift._model_calibrated(drift.monitors, text), drift._model_quality_kinds(drift.monitors, text),
  drift._check_model_quality(drift.monitors), drift._record_model_quality(drift.results[], jsonb[]),
  drift._api_create_model_monitor(oid, text, regclass, text, text, interval, interval, text[],
    text, float8, float8, jsonb, text, text, text, text[], bigint, text, integer, integer, name,
    boolean, text, text, regclass, text, interval, interval),
  drift._api_alter_monitor(oid, text, regclass, text, text, text, float8, text, interval,
    interval, text, text[], bigint, text, text, float8, float8, float8, text, integer, integer,
    text[], regclass, text, interval, interval, text)
  FROM PUBLIC;


-- ===========================================================================
-- dataset_drift speed (issue 8): the one scan hands its profiles over as
-- arrays (drift.dataset_profile_arrays), never through a tuplestore or a
-- sort that spills them; the functions that take whole profile arrays as
-- parameters plan them generically (a custom plan copies them into its
-- constants).
-- ===========================================================================
CREATE FUNCTION drift.dataset_profile_arrays(
    baseline text,
    relation regclass,
    filter   text   DEFAULT NULL,
    columns  text[] DEFAULT NULL,
    OUT column_names      text[],
    OUT column_kinds      text[],
    OUT baseline_profiles drift_profile[],
    OUT current_profiles  drift_profile[])
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
  v_owner name;
  v_cols  text[] := '{}';
  v_kinds text[] := '{}';
  v_base  @extschema@.drift_profile[] := '{}';
  v_exprs text[] := '{}';
  r       record;
BEGIN
  IF dataset_profile_arrays.baseline IS NULL OR dataset_profile_arrays.relation IS NULL THEN
    RAISE EXCEPTION 'baseline and relation must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF dataset_profile_arrays.columns IS NOT NULL AND cardinality(dataset_profile_arrays.columns) = 0 THEN
    RAISE EXCEPTION 'columns must not be empty'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Pass NULL (the default) to check every baseline column present in the relation.';
  END IF;
  v_owner := drift.baseline_owner(dataset_profile_arrays.baseline);
  IF v_owner IS NULL THEN
    RAISE EXCEPTION 'baseline "%" does not exist', dataset_profile_arrays.baseline
      USING ERRCODE = 'undefined_object',
            HINT = 'Create it with drift.capture_baseline(); drift.baselines lists the existing ones.';
  END IF;
  -- every named column must be a column of the baseline and of the relation
  FOR r IN SELECT u.c
             FROM unnest(coalesce(dataset_profile_arrays.columns, '{}')) AS u(c)
            WHERE u.c IS NULL OR NOT EXISTS (
                    SELECT 1 FROM drift.baseline_columns bc
                     WHERE bc.baseline_owner = v_owner AND bc.baseline_name = dataset_profile_arrays.baseline
                       AND bc.column_name = u.c) LOOP
    RAISE EXCEPTION 'column "%" in columns is not a column of baseline "%"', r.c, dataset_profile_arrays.baseline
      USING ERRCODE = 'undefined_column',
            HINT = 'drift.baseline_columns lists the baseline''s columns (names are case-sensitive).';
  END LOOP;

  FOR r IN
    SELECT bc.column_name AS col, bc.kind, bc.profile,
           drift.column_kind(dataset_profile_arrays.relation, bc.column_name) AS now_kind
      FROM drift.baseline_columns bc
      LEFT JOIN pg_attribute a
        ON a.attrelid = dataset_profile_arrays.relation AND a.attname = bc.column_name
       AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN LATERAL (
        SELECT u.i FROM unnest(dataset_profile_arrays.columns) WITH ORDINALITY AS u(c, i)
         WHERE u.c = bc.column_name LIMIT 1) ord ON true
     WHERE bc.baseline_owner = v_owner AND bc.baseline_name = dataset_profile_arrays.baseline
       AND (dataset_profile_arrays.columns IS NULL OR ord.i IS NOT NULL)
       AND (dataset_profile_arrays.columns IS NOT NULL OR a.attnum IS NOT NULL)
     ORDER BY coalesce(ord.i, a.attnum)
  LOOP
    IF r.now_kind IS NULL THEN
      RAISE EXCEPTION 'baseline column "%" does not exist in %', r.col, dataset_profile_arrays.relation
        USING ERRCODE = 'undefined_column',
              HINT = 'Leave it out of columns; drift.check_schema shows how the relation changed.';
    END IF;
    IF r.kind = 'numeric' AND r.now_kind <> 'numeric' THEN
      -- by default a column retyped out of reach is left to the schema check
      CONTINUE WHEN dataset_profile_arrays.columns IS NULL;
      RAISE EXCEPTION 'column "%" of % is %, but baseline "%" profiled it as numeric',
                      r.col, dataset_profile_arrays.relation, r.now_kind, dataset_profile_arrays.baseline
        USING ERRCODE = 'datatype_mismatch',
              HINT = 'Capture the baseline again, or leave the column out of columns.';
    END IF;
    v_cols  := v_cols || r.col;
    v_kinds := v_kinds || r.kind;
    v_base  := v_base || r.profile;
    v_exprs := v_exprs || drift.profile_expression(r.col, r.kind);
  END LOOP;
  IF cardinality(v_cols) = 0 THEN
    RAISE EXCEPTION 'no column of baseline "%" can be checked in %', dataset_profile_arrays.baseline,
                    dataset_profile_arrays.relation
      USING ERRCODE = 'undefined_column',
            HINT = 'drift.check_schema compares the relation with the baseline''s source.';
  END IF;

  -- the one scan; the filter is the caller's SQL, run with the caller's privileges
  EXECUTE format('SELECT ARRAY[%s] FROM %s AS t%s', array_to_string(v_exprs, ', '),
                 dataset_profile_arrays.relation,
                 CASE WHEN dataset_profile_arrays.filter IS NULL THEN ''
                      ELSE ' WHERE (' || dataset_profile_arrays.filter || ')' END)
    INTO current_profiles;
  FOR i IN 1 .. cardinality(v_cols) LOOP
    IF current_profiles[i] IS NULL THEN
      current_profiles[i] := drift.empty_if_null(NULL, v_kinds[i]);
    END IF;
  END LOOP;
  column_names := v_cols;
  column_kinds := v_kinds;
  baseline_profiles := v_base;
END
$fn$;
COMMENT ON FUNCTION drift.dataset_profile_arrays(text, regclass, text, text[]) IS
  'One scan of a relation profiling every column of a baseline (or those named), as arrays in '
  'column order: names, kinds, the baseline''s profiles and the current ones, read with the '
  'caller''s privileges';

CREATE OR REPLACE FUNCTION drift.dataset_profiles(
    baseline text,
    relation regclass,
    filter   text   DEFAULT NULL,
    columns  text[] DEFAULT NULL)
  RETURNS TABLE (column_name text, column_kind text, baseline_profile drift_profile,
                 current_profile drift_profile)
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  RETURN QUERY
    SELECT a.column_names[i], a.column_kinds[i], a.baseline_profiles[i], a.current_profiles[i]
      FROM drift.dataset_profile_arrays(dataset_profiles.baseline, dataset_profiles.relation,
                                        dataset_profiles.filter, dataset_profiles.columns) AS a,
           generate_subscripts(a.column_names, 1) AS i
     ORDER BY i;
END
$fn$;

CREATE OR REPLACE FUNCTION drift.judge_columns(
    column_names text[],
    column_kinds text[],
    baselines    drift_profile[],
    currents     drift_profile[],
    correction   text    DEFAULT 'none',
    alpha        float8  DEFAULT 0.05,
    tests        jsonb   DEFAULT NULL,
    thresholds   jsonb   DEFAULT NULL)
  RETURNS TABLE (column_name text, column_kind text, test text, reason text,
                 statistic float8, p_value float8, adjusted_p_value float8,
                 threshold float8, drifted boolean, severity float8, rank integer,
                 n_baseline bigint, n_current bigint, distinct_values bigint)
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
  -- the per-column query is small whatever the planner guesses: compiling it is not worth it
  SET jit = off
  -- a custom plan would copy the profile arrays into its constants (tens of MB)
  SET plan_cache_mode = force_generic_plan
AS $fn$
#variable_conflict use_column
DECLARE
  v_tests text[] := array_fill(NULL::text, ARRAY[cardinality(column_names)]);
  v_thr   float8[] := array_fill(NULL::float8, ARRAY[cardinality(column_names)]);
  k       text;
  v       jsonb;
BEGIN
  IF judge_columns.alpha IS NULL OR NOT (judge_columns.alpha > 0 AND judge_columns.alpha < 1) THEN
    RAISE EXCEPTION 'alpha must be between 0 and 1, exclusive, not %', judge_columns.alpha
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'alpha is the significance level of the p-value tests, such as 0.05.';
  END IF;
  IF judge_columns.correction IS NULL
     OR judge_columns.correction NOT IN ('none', 'bonferroni', 'holm', 'bh') THEN
    RAISE EXCEPTION 'unknown correction "%"', judge_columns.correction
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'correction must be one of none, bonferroni, holm or bh.';
  END IF;
  IF judge_columns.tests IS NOT NULL AND jsonb_typeof(judge_columns.tests) <> 'object' THEN
    RAISE EXCEPTION 'tests must be a JSON object'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Map column names to tests, as {"amount": "psi"} or {"amount": {"test": "ks", "threshold": 0.01}}.';
  END IF;
  -- per-column tests and thresholds: "test" or {"test": ..., "threshold": ...}
  FOR k, v IN SELECT e.key, e.value FROM jsonb_each(coalesce(judge_columns.tests, '{}')) e LOOP
    IF NOT k = ANY (column_names) THEN
      RAISE EXCEPTION 'column "%" in tests is not among the columns checked', k
        USING ERRCODE = 'undefined_column',
              HINT = 'Name a column of the baseline present in the relation (names are case-sensitive).';
    END IF;
    IF jsonb_typeof(v) = 'string' THEN
      v := jsonb_build_object('test', v);
    END IF;
    IF jsonb_typeof(v) <> 'object' OR jsonb_typeof(v -> 'test') NOT IN ('string', 'null')
       OR (v ? 'threshold' AND jsonb_typeof(v -> 'threshold') <> 'number')
       OR EXISTS (SELECT 1 FROM jsonb_object_keys(v) o WHERE o NOT IN ('test', 'threshold')) THEN
      RAISE EXCEPTION 'tests entry for column "%" is malformed: %', k, v
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'Give a test name, or {"test": name, "threshold": number}.';
    END IF;
    IF (v ->> 'test') IS NOT NULL AND (v ->> 'test') NOT IN ('ks', 'chi2', 'proportion_z', 'js', 'wasserstein_norm') THEN
      RAISE EXCEPTION 'unknown test "%" in tests for column "%"', v ->> 'test', k
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'Tests are ks, chi2, proportion_z, js and wasserstein_norm.';
    END IF;
    IF (v ->> 'test') IN ('ks', 'wasserstein_norm')
       AND column_kinds[array_position(column_names, k)] <> 'numeric' THEN
      RAISE EXCEPTION 'test "%" in tests does not fit categorical column "%"', v ->> 'test', k
        USING ERRCODE = 'datatype_mismatch',
              HINT = 'Categorical columns take chi2, js or proportion_z.';
    END IF;
    IF v ? 'threshold' AND NOT ((v ->> 'threshold')::float8 > 0) THEN
      RAISE EXCEPTION 'threshold in tests for column "%" must be positive', k
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_tests[array_position(column_names, k)] := v ->> 'test';
    v_thr[array_position(column_names, k)] := (v ->> 'threshold')::float8;
  END LOOP;

  RETURN QUERY
    WITH tested AS (
      SELECT c.*,
             -- p-value tests are judged by alpha, distances by 0.1, unless
             -- overridden; a threshold learned from the baseline's chunks
             -- judges the statistic, whatever the test
             coalesce(v_thr[c.i], c.learned, CASE WHEN c.test IN ('ks', 'chi2', 'proportion_z')
                                                  THEN judge_columns.alpha ELSE 0.1 END) AS thr,
             v_thr[c.i] IS NULL AND c.learned IS NOT NULL
               OR c.test NOT IN ('ks', 'chi2', 'proportion_z') AS by_statistic
        FROM (SELECT i, column_names[i] AS col, column_kinds[i] AS kind,
                     cd.test, cd.statistic, cd.p_value, cd.n_baseline, cd.n_current,
                     cd.distinct_values,
                     (judge_columns.thresholds -> column_names[i] ->> cd.test)::float8 AS learned,
                     cd.reason || CASE WHEN judge_columns.thresholds IS NULL THEN ''
                                       WHEN judge_columns.thresholds -> column_names[i] ? cd.test
                                       THEN '; threshold learned from the baseline''s chunks'
                                       ELSE '; no threshold learned for this test' END AS reason
                FROM generate_subscripts(column_names, 1) AS i,
                     LATERAL drift.column_drift(baselines[i], currents[i], v_tests[i]) AS cd) c),
    adjusted AS (
      SELECT t.*, (drift.adjust_p_values(
                     array_agg(t.p_value) OVER (ORDER BY t.i ROWS BETWEEN UNBOUNDED PRECEDING
                                                            AND UNBOUNDED FOLLOWING),
                     judge_columns.correction))[t.i] AS adj
        FROM tested t),
    judged AS (
      SELECT a.*,
             CASE WHEN a.statistic IS NULL THEN NULL
                  -- a learned threshold may be 0 (chunks all alike)
                  WHEN a.by_statistic AND a.thr = 0 THEN
                    CASE WHEN a.statistic > 0 THEN 'Infinity'::float8 ELSE 0 END
                  WHEN a.by_statistic THEN a.statistic / a.thr
                  WHEN a.adj = 0 THEN 'Infinity'::float8
                  ELSE ln(a.adj) / ln(a.thr) END AS sev,
             CASE WHEN a.statistic IS NULL THEN false
                  WHEN a.by_statistic THEN a.statistic >= a.thr
                  ELSE a.adj < a.thr END AS drift
        FROM adjusted a)
    SELECT j.col, j.kind, j.test, j.reason, j.statistic, j.p_value, j.adj, j.thr, j.drift, j.sev,
           CASE WHEN j.sev IS NULL THEN NULL
                ELSE (rank() OVER (ORDER BY j.sev DESC NULLS LAST, j.col COLLATE "C"))::integer END,
           j.n_baseline, j.n_current, j.distinct_values
      FROM judged j
     ORDER BY j.i;
END
$fn$;

CREATE OR REPLACE FUNCTION drift.dataset_drift(
    baseline    text,
    relation    regclass,
    filter      text    DEFAULT NULL,
    columns     text[]  DEFAULT NULL,
    correction  text    DEFAULT 'none',
    alpha       float8  DEFAULT 0.05,
    drift_share float8  DEFAULT 0.5,
    tests       jsonb   DEFAULT NULL,
    thresholds  text    DEFAULT NULL)
  RETURNS TABLE (column_name text, column_kind text, test text, reason text,
                 statistic float8, p_value float8, adjusted_p_value float8,
                 threshold float8, drifted boolean, severity float8, rank integer,
                 n_baseline bigint, n_current bigint, distinct_values bigint)
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  -- a custom plan would copy the profile arrays into its constants
  SET plan_cache_mode = force_generic_plan
AS $fn$
DECLARE
  p         record;
  v_learned jsonb;
BEGIN
  IF dataset_drift.drift_share IS NULL
     OR NOT (dataset_drift.drift_share >= 0 AND dataset_drift.drift_share <= 1) THEN
    RAISE EXCEPTION 'drift_share must be between 0 and 1, not %', dataset_drift.drift_share
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'drift_share is the share of drifted columns that makes the dataset drifted, such as 0.5.';
  END IF;
  IF dataset_drift.thresholds IS DISTINCT FROM 'auto' AND dataset_drift.thresholds IS NOT NULL THEN
    RAISE EXCEPTION 'thresholds must be ''auto'' or NULL, not "%"', dataset_drift.thresholds
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'auto uses the thresholds learned by drift.capture_chunks.';
  END IF;
  -- the arguments that need no scan are checked before it
  PERFORM drift.judge_columns('{}', '{}', '{}', '{}', dataset_drift.correction, dataset_drift.alpha);
  IF dataset_drift.thresholds = 'auto' THEN
    v_learned := drift.learned_thresholds(dataset_drift.baseline);
  END IF;
  -- called as an expression, not in FROM: a function scan would store the
  -- profiles in a tuplestore, which spills them past work_mem
  p := drift.dataset_profile_arrays(dataset_drift.baseline, dataset_drift.relation,
                                    dataset_drift.filter, dataset_drift.columns);
  RETURN QUERY
    SELECT * FROM drift.judge_columns(p.column_names, p.column_kinds, p.baseline_profiles,
                                      p.current_profiles, dataset_drift.correction,
                                      dataset_drift.alpha, dataset_drift.tests, v_learned);
END
$fn$;
