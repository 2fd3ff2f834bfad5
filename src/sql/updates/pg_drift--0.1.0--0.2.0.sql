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

  IF met.needs_label THEN
    IF m.label_column IS NULL THEN
      RAISE EXCEPTION 'metric "%" needs label_column', m.metric
        USING ERRCODE = 'null_value_not_allowed',
              HINT = 'Name the column with the actual label (or the target, for corr).';
    END IF;
    k := drift.column_kind(m.relation_oid, m.label_column);
    IF k IS NULL THEN
      RAISE EXCEPTION 'column "%" does not exist in %', m.label_column, m.relation_oid::regclass
        USING ERRCODE = 'undefined_column';
    END IF;
    IF k <> met.label_kind THEN
      RAISE EXCEPTION 'metric "%" needs a % label column, but "%" is not', m.metric,
                      met.label_kind, m.label_column
        USING ERRCODE = 'datatype_mismatch';
    END IF;
  ELSIF m.label_column IS NOT NULL THEN
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
    PERFORM drift._run_check(NULL, m.owner, drift._monitor_query(m), true,
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

CREATE OR REPLACE FUNCTION drift._api_create_monitor(
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
    paused       boolean)
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
                              next_run)
  VALUES (m.name, m.owner, m.relation_oid, m.relation_name, m.metric, m.column_name,
          m.label_column, m.baseline, m.threshold, m.lower_bound, m.upper_bound, m.min_effect,
          m.time_column, m.window_size, m.schedule, m.filter, m.slice_by, m.min_rows, m.channel,
          m.compare_to, m.fire_after, m.max_retries, m.paused, now())
  RETURNING x.monitor_id INTO id;
  PERFORM drift._wake_scheduler();
  RETURN id;
END
$fn$;

COMMENT ON FUNCTION drift._api_create_monitor(oid, text, regclass, text, text, text, float8, text, interval,
  interval, text, text[], bigint, text, text, float8, float8, float8, text, integer, integer,
  name, boolean) IS
  'drift.create_monitor for the calling role (reached only through it: src/worker/api_call.c)';

CREATE OR REPLACE FUNCTION drift.create_monitor(
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
    paused       boolean  DEFAULT false)
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
    FROM (SELECT CASE WHEN m.window_size IS NOT NULL THEN coalesce(as_of, now()) END) AS w(e)
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
      FROM drift._run_check(m.monitor_id, m.owner, drift._monitor_query(m), false,
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
  c := drift._collect_slices(m, w.window_start, w.window_end, w.prev_start);
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
         CASE WHEN b.kind = 'numeric' THEN @extschema@.out_of_range_share(baseline, current) END,
         CASE WHEN b.kind = 'categorical' THEN @extschema@.unseen_category_share(baseline, current) END
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
