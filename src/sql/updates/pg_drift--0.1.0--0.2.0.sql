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

CREATE OR REPLACE FUNCTION drift.capture_baseline(
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
    label_column  text    DEFAULT NULL)
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
END
$fn$;
COMMENT ON FUNCTION drift.capture_baseline(text, regclass, text[], text, text, text, text, boolean,
                                           text[], text, text) IS
  'Profile columns of a relation (optionally filtered) and store them as a named baseline: '
  'numeric columns as numeric profiles; categorical and boolean ones (drift.column_kind) and '
  'those listed in categorical as categorical';

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
  ELSIF met.comparison = 'above' THEN
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
    SELECT v.i, v.slice, v.key, v.stat, v.pval, v.nbase, v.ncur,
           CASE WHEN v.ncur < m.min_rows OR v.stat IS NULL OR v.stat = 'NaN'
                     OR (comparison = 'p_value' AND v.pval IS NULL) THEN 'insufficient_data'
                WHEN v.breach THEN CASE WHEN v.prev_breaches + 1 >= m.fire_after
                                        THEN 'firing' ELSE 'pending' END
                WHEN v.prev_state = 'firing' THEN 'resolved'
                ELSE 'ok' END AS st,
           CASE WHEN v.breach THEN v.prev_breaches + 1 ELSE 0 END AS breaches
      FROM (SELECT w.*,
                   coalesce((m.slice_state -> w.key ->> 'breaches')::integer, 0) AS prev_breaches,
                   m.slice_state -> w.key ->> 'state' AS prev_state,
                   CASE comparison
                     WHEN 'p_value' THEN w.pval < m.threshold
                                         AND (m.min_effect IS NULL OR w.stat >= m.min_effect)
                     WHEN 'above' THEN w.stat > m.threshold
                     ELSE w.stat < m.lower_bound OR w.stat > m.upper_bound END AS breach
              FROM (SELECT u.i, u.slice, drift._slice_key(u.slice) AS key,
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
                                    ORDER BY ins.result_id), '{}')
            FROM ins WHERE ins.state IN ('firing', 'resolved')),
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
