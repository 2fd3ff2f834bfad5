-- pg_drift 0.1.0 as released, frozen: src/sql/*.sql of commit 13e8c1e concatenated in name order (never edit; changes go in src/sql/updates/).
-- pg_drift install script.
--
-- Assembled from src/sql/*.sql in name order.  Statistical types, functions
-- and aggregates are created in the schema the extension is installed into
-- (so that `SELECT ks_drift(...)` works unqualified); management functions,
-- catalog tables and views live in the schema "drift".

\echo Use "CREATE EXTENSION pg_drift" to load this file. \quit

CREATE SCHEMA drift;
COMMENT ON SCHEMA drift IS
  'pg_drift management: baselines, monitors, results and alerts';
GRANT USAGE ON SCHEMA drift TO PUBLIC;
-- ---------------------------------------------------------------------------
-- drift_profile: a compact, mergeable summary of one column
-- ---------------------------------------------------------------------------

CREATE TYPE drift_profile;

CREATE FUNCTION drift_profile_in(cstring) RETURNS drift_profile
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_profile_out(drift_profile) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_profile_recv(internal) RETURNS drift_profile
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_profile_send(drift_profile) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE drift_profile (
  INPUT = drift_profile_in,
  OUTPUT = drift_profile_out,
  RECEIVE = drift_profile_recv,
  SEND = drift_profile_send,
  INTERNALLENGTH = VARIABLE,
  ALIGNMENT = double,
  STORAGE = extended
);
COMMENT ON TYPE drift_profile IS
  'Summary of one column: counts of values, NULLs and NaNs, min, max, mean, variance, '
  'and every distinct value with its count (exact up to pg_drift.exact_profile_limit)';

-- Building profiles.  The state is internal: it grows with the distinct
-- values, so these aggregates gather rows on Citus rather than push down.

CREATE FUNCTION drift_profile_agg_trans(internal, float8) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION drift_profile_merge_trans(internal, drift_profile) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION drift_profile_agg_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION drift_profile_agg_serialize(internal) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION drift_profile_agg_deserialize(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION drift_profile_agg_final(internal) RETURNS drift_profile
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;

CREATE AGGREGATE drift_profile_agg(float8) (
  SFUNC = drift_profile_agg_trans,
  STYPE = internal,
  SSPACE = 65536,
  COMBINEFUNC = drift_profile_agg_combine,
  SERIALFUNC = drift_profile_agg_serialize,
  DESERIALFUNC = drift_profile_agg_deserialize,
  FINALFUNC = drift_profile_agg_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE drift_profile_agg(float8) IS
  'Profile of a numeric column: exact distinct values and counts, NULLs and NaNs counted';

CREATE AGGREGATE drift_profile_merge(drift_profile) (
  SFUNC = drift_profile_merge_trans,
  STYPE = internal,
  SSPACE = 65536,
  COMBINEFUNC = drift_profile_agg_combine,
  SERIALFUNC = drift_profile_agg_serialize,
  DESERIALFUNC = drift_profile_agg_deserialize,
  FINALFUNC = drift_profile_agg_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE drift_profile_merge(drift_profile) IS
  'Merge profiles (per partition, per day, per shard) into one, without rescanning rows';
-- ---------------------------------------------------------------------------
-- drift_result and the streaming tests' state
-- ---------------------------------------------------------------------------

CREATE TYPE drift_result AS (
  statistic  float8,
  p_value    float8,
  n_baseline bigint,
  n_current  bigint
);
COMMENT ON TYPE drift_result IS
  'Result of every drift test: the statistic, its p-value (NULL for distances), '
  'and the numbers of baseline and current values compared';

CREATE TYPE drift_stream_state;

CREATE FUNCTION drift_stream_state_in(cstring) RETURNS drift_stream_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_stream_state_out(drift_stream_state) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_stream_state_recv(internal) RETURNS drift_stream_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_stream_state_send(drift_stream_state) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE drift_stream_state (
  INPUT = drift_stream_state_in,
  OUTPUT = drift_stream_state_out,
  RECEIVE = drift_stream_state_recv,
  SEND = drift_stream_state_send,
  INTERNALLENGTH = VARIABLE,
  ALIGNMENT = double,
  STORAGE = extended
);
COMMENT ON TYPE drift_stream_state IS
  'Partial state of a streaming drift test: counts per baseline slot, never the rows; '
  'a real type so that Citus can push the aggregates down to shards';

CREATE FUNCTION drift_stream_state_combine(drift_stream_state, drift_stream_state)
  RETURNS drift_stream_state
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_stream_state_combine(drift_stream_state, drift_stream_state) IS
  'Combine function of the streaming drift tests: adds counts of two partial states';
-- ---------------------------------------------------------------------------
-- Baselines: one profile per column of a model's training data
-- ---------------------------------------------------------------------------

-- Members of drift_admin see and manage every role's baselines (and monitors
-- and results); everyone else sees only their own.  SPEC.md calls this role
-- pg_drift_admin, but PostgreSQL reserves role names beginning with pg_ and no
-- extension can create one.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'drift_admin') THEN
    CREATE ROLE drift_admin NOLOGIN;
  END IF;
END
$$;

CREATE TABLE drift.baselines (
  name            text PRIMARY KEY,
  source_relation text NOT NULL,
  filter          text,
  target_column   text,
  prediction_column text,
  label_column    text,
  model           text,
  version         text,
  row_count       bigint NOT NULL,
  source_columns  jsonb,
  owner           name NOT NULL DEFAULT current_user,
  created_at      timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE drift.baselines IS
  'Captured baselines: where each came from and who owns it (drift.capture_baseline)';
COMMENT ON COLUMN drift.baselines.source_columns IS
  'Every column of the source relation at capture time, [{"name": ..., "type": ...}] in '
  'column order, profiled or not (drift.check_schema compares the relation with it)';

CREATE TABLE drift.baseline_columns (
  baseline_name text NOT NULL REFERENCES drift.baselines (name)
                  ON DELETE CASCADE ON UPDATE CASCADE,
  column_name   text NOT NULL,
  column_type   text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('numeric', 'categorical')),
  profile       drift_profile NOT NULL,
  PRIMARY KEY (baseline_name, column_name)
);
COMMENT ON TABLE drift.baseline_columns IS
  'One profile per column of each baseline, with the column''s type at capture time '
  '(to detect schema changes later)';

-- pg_dump keeps baselines: they are the users' data, not the extension's.
SELECT pg_catalog.pg_extension_config_dump('drift.baselines', '');
SELECT pg_catalog.pg_extension_config_dump('drift.baseline_columns', '');

ALTER TABLE drift.baselines ENABLE ROW LEVEL SECURITY;
ALTER TABLE drift.baseline_columns ENABLE ROW LEVEL SECURITY;
CREATE POLICY baselines_by_owner ON drift.baselines
  USING (owner OPERATOR(pg_catalog.=) current_user
         OR pg_catalog.pg_has_role(current_user, 'drift_admin', 'MEMBER'))
  WITH CHECK (owner OPERATOR(pg_catalog.=) current_user
              OR pg_catalog.pg_has_role(current_user, 'drift_admin', 'MEMBER'));
CREATE POLICY baseline_columns_by_owner ON drift.baseline_columns
  USING (EXISTS (SELECT 1 FROM drift.baselines b
                  WHERE b.name OPERATOR(pg_catalog.=) baseline_name));
GRANT SELECT, INSERT, UPDATE, DELETE ON drift.baselines, drift.baseline_columns TO PUBLIC;

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
  -- Numbers are profiled as numeric, text-like columns (text, varchar, char,
  -- boolean, enums, and domains over them) as categorical, and any column
  -- listed in categorical => ARRAY[...] as categorical through its text form.
  FOR r IN
    SELECT a.attname::text AS col,
           format_type(a.atttypid, a.atttypmod) AS typ,
           CASE WHEN a.attname::text = ANY (v_cat)
                  THEN 'categorical'
                WHEN getbase.oid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype,
                                     'float4'::regtype, 'float8'::regtype, 'numeric'::regtype)
                  THEN 'numeric'
                WHEN getbase.oid IN ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype,
                                     'bool'::regtype) OR getbase.typtype = 'e'
                  THEN 'categorical'
                ELSE NULL END AS how,
           ord.i AS requested
      FROM pg_attribute a
      JOIN LATERAL (
        WITH RECURSIVE base(oid, typtype, typbasetype) AS (
          SELECT t.oid, t.typtype, t.typbasetype FROM pg_type t WHERE t.oid = a.atttypid
          UNION ALL
          SELECT t.oid, t.typtype, t.typbasetype FROM pg_type t JOIN base ON t.oid = base.typbasetype
        )
        SELECT base.oid, base.typtype FROM base WHERE base.typtype <> 'd'
      ) getbase ON true
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

  IF EXISTS (SELECT 1 FROM drift.baselines b WHERE b.name = v_name) THEN
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

  DELETE FROM drift.baselines b WHERE b.name = v_name;
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
    INSERT INTO drift.baseline_columns (baseline_name, column_name, column_type, kind, profile)
    VALUES (v_name, v_cols[i], v_types[i], v_kinds[i], v_profiles[i]);
    column_name := v_cols[i];
    column_type := v_types[i];
    kind := v_kinds[i];
    n := (v_profiles[i]::text::jsonb ->> 'count')::bigint;
    null_count := (v_profiles[i]::text::jsonb ->> 'null_count')::bigint;
    distinct_values := (v_profiles[i]::text::jsonb ->> 'distinct')::integer;
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
  'numbers as numeric profiles, text-like columns and those listed in categorical as categorical';

CREATE FUNCTION drift.baseline(baseline_name text, column_name text) RETURNS drift_profile
  AS 'MODULE_PATHNAME', 'drift_baseline_profile' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift.baseline(text, text) IS
  'The stored profile of one column of a baseline';

CREATE FUNCTION drift.drop_baseline(baseline_name text) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  DELETE FROM drift.baselines b WHERE b.name = drop_baseline.baseline_name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'baseline "%" does not exist', baseline_name
      USING ERRCODE = 'undefined_object',
            HINT = 'drift.baselines lists the baselines you can see.';
  END IF;
END
$fn$;
COMMENT ON FUNCTION drift.drop_baseline(text) IS 'Delete a baseline and its profiles';
-- ---------------------------------------------------------------------------
-- ks_drift: two-sample Kolmogorov–Smirnov test, as scipy.stats.ks_2samp
-- ---------------------------------------------------------------------------

CREATE FUNCTION ks_drift_named_trans(drift_stream_state, float8, text, text)
  RETURNS drift_stream_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION ks_drift_named_trans(drift_stream_state, float8, text, text, text)
  RETURNS drift_stream_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION ks_drift_profile_trans(drift_stream_state, float8, drift_profile)
  RETURNS drift_stream_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION ks_drift_profile_trans(drift_stream_state, float8, drift_profile, text)
  RETURNS drift_stream_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION ks_drift_final(drift_stream_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;

CREATE AGGREGATE ks_drift(value float8, baseline text, column_name text) (
  SFUNC = ks_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = ks_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE ks_drift(float8, text, text) IS
  'Two-sided Kolmogorov–Smirnov test of the rows against a stored baseline column';

CREATE AGGREGATE ks_drift(value float8, baseline text, column_name text, alternative text) (
  SFUNC = ks_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = ks_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE ks_drift(float8, text, text, text) IS
  'Kolmogorov–Smirnov test against a stored baseline column; alternative: two-sided, less, greater';

CREATE AGGREGATE ks_drift(value float8, baseline drift_profile) (
  SFUNC = ks_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = ks_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE ks_drift(float8, drift_profile) IS
  'Two-sided Kolmogorov–Smirnov test of the rows against a baseline profile';

CREATE AGGREGATE ks_drift(value float8, baseline drift_profile, alternative text) (
  SFUNC = ks_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = ks_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE ks_drift(float8, drift_profile, text) IS
  'Kolmogorov–Smirnov test against a baseline profile; alternative: two-sided, less, greater';

CREATE FUNCTION ks_drift(baseline drift_profile, current drift_profile,
                         alternative text DEFAULT 'two-sided')
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'ks_drift_profiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ks_drift(drift_profile, drift_profile, text) IS
  'Kolmogorov–Smirnov test of one profile against another';

CREATE FUNCTION ks_drift(baseline float8[], current float8[],
                         alternative text DEFAULT 'two-sided')
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'ks_drift_arrays' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ks_drift(float8[], float8[], text) IS
  'Kolmogorov–Smirnov test of two samples, exactly as scipy.stats.ks_2samp';
-- ---------------------------------------------------------------------------
-- Numeric drift tests: psi_drift, js_drift, hellinger_drift, kl_drift (binned),
-- zscore_drift (mean shift) and wasserstein_drift.  Conventions: SPEC.md
-- section 4 and test/reference/README.md.
-- ---------------------------------------------------------------------------

-- Binned tests.  Every streaming form counts rows per bin of the baseline in
-- a drift_stream_state; the four tests share the transition functions (and,
-- within one query, the state), and differ in the final function only.
-- Positional options of the aggregates: bins int (default 10), binning text
-- ('quantile', the default, or 'uniform'), fill float8 (psi and kl only,
-- default 0.0001).

CREATE FUNCTION binned_drift_named_trans(drift_stream_state, float8, text, text)
  RETURNS drift_stream_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION binned_drift_named_trans(drift_stream_state, float8, text, text, int)
  RETURNS drift_stream_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION binned_drift_named_trans(drift_stream_state, float8, text, text, int, text)
  RETURNS drift_stream_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION binned_drift_named_trans(drift_stream_state, float8, text, text, int, text, float8)
  RETURNS drift_stream_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION binned_drift_profile_trans(drift_stream_state, float8, drift_profile)
  RETURNS drift_stream_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION binned_drift_profile_trans(drift_stream_state, float8, drift_profile, int)
  RETURNS drift_stream_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION binned_drift_profile_trans(drift_stream_state, float8, drift_profile, int, text)
  RETURNS drift_stream_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION binned_drift_profile_trans(drift_stream_state, float8, drift_profile, int, text, float8)
  RETURNS drift_stream_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;

COMMENT ON FUNCTION binned_drift_named_trans(drift_stream_state, float8, text, text) IS
  'Transition function shared by psi_drift, js_drift, hellinger_drift and kl_drift: counts the row in its baseline bin';
COMMENT ON FUNCTION binned_drift_named_trans(drift_stream_state, float8, text, text, int) IS
  'Transition function shared by psi_drift, js_drift, hellinger_drift and kl_drift: counts the row in its baseline bin';
COMMENT ON FUNCTION binned_drift_named_trans(drift_stream_state, float8, text, text, int, text) IS
  'Transition function shared by psi_drift, js_drift, hellinger_drift and kl_drift: counts the row in its baseline bin';
COMMENT ON FUNCTION binned_drift_named_trans(drift_stream_state, float8, text, text, int, text, float8) IS
  'Transition function shared by psi_drift, js_drift, hellinger_drift and kl_drift: counts the row in its baseline bin';
COMMENT ON FUNCTION binned_drift_profile_trans(drift_stream_state, float8, drift_profile) IS
  'Transition function shared by psi_drift, js_drift, hellinger_drift and kl_drift: counts the row in its baseline bin';
COMMENT ON FUNCTION binned_drift_profile_trans(drift_stream_state, float8, drift_profile, int) IS
  'Transition function shared by psi_drift, js_drift, hellinger_drift and kl_drift: counts the row in its baseline bin';
COMMENT ON FUNCTION binned_drift_profile_trans(drift_stream_state, float8, drift_profile, int, text) IS
  'Transition function shared by psi_drift, js_drift, hellinger_drift and kl_drift: counts the row in its baseline bin';
COMMENT ON FUNCTION binned_drift_profile_trans(drift_stream_state, float8, drift_profile, int, text, float8) IS
  'Transition function shared by psi_drift, js_drift, hellinger_drift and kl_drift: counts the row in its baseline bin';

-- psi_drift
CREATE FUNCTION psi_drift_final(drift_stream_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION psi_drift_final(drift_stream_state) IS
  'Final function of the psi_drift aggregates';

CREATE AGGREGATE psi_drift(value float8, baseline text, column_name text) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = psi_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE psi_drift(float8, text, text) IS
  'Population stability index of the rows against a stored baseline column';

CREATE AGGREGATE psi_drift(value float8, baseline text, column_name text, bins int) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = psi_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE psi_drift(float8, text, text, int) IS
  'Population stability index of the rows against a stored baseline column; bins';

CREATE AGGREGATE psi_drift(value float8, baseline text, column_name text, bins int, binning text) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = psi_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE psi_drift(float8, text, text, int, text) IS
  'Population stability index of the rows against a stored baseline column; bins, binning (quantile or uniform)';

CREATE AGGREGATE psi_drift(value float8, baseline text, column_name text, bins int, binning text, fill float8) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = psi_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE psi_drift(float8, text, text, int, text, float8) IS
  'Population stability index of the rows against a stored baseline column; bins, binning, zero fill';

CREATE AGGREGATE psi_drift(value float8, baseline drift_profile) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = psi_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE psi_drift(float8, drift_profile) IS
  'Population stability index of the rows against a baseline profile';

CREATE AGGREGATE psi_drift(value float8, baseline drift_profile, bins int) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = psi_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE psi_drift(float8, drift_profile, int) IS
  'Population stability index of the rows against a baseline profile; bins';

CREATE AGGREGATE psi_drift(value float8, baseline drift_profile, bins int, binning text) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = psi_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE psi_drift(float8, drift_profile, int, text) IS
  'Population stability index of the rows against a baseline profile; bins, binning (quantile or uniform)';

CREATE AGGREGATE psi_drift(value float8, baseline drift_profile, bins int, binning text, fill float8) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = psi_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE psi_drift(float8, drift_profile, int, text, float8) IS
  'Population stability index of the rows against a baseline profile; bins, binning, zero fill';

CREATE FUNCTION psi_drift(baseline drift_profile, current drift_profile,
                        bins int DEFAULT 10, binning text DEFAULT 'quantile',
                        fill float8 DEFAULT 0.0001)
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'psi_drift_profiles' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION psi_drift(drift_profile, drift_profile, int, text, float8) IS
  'Population stability index of one profile against another, over bins from the baseline';

CREATE FUNCTION psi_drift(baseline float8[], current float8[],
                        bins int DEFAULT 10, binning text DEFAULT 'quantile',
                        fill float8 DEFAULT 0.0001)
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'psi_drift_arrays' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION psi_drift(float8[], float8[], int, text, float8) IS
  'Population stability index of two samples, over bins from the baseline';

-- js_drift
CREATE FUNCTION js_drift_final(drift_stream_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION js_drift_final(drift_stream_state) IS
  'Final function of the js_drift aggregates';

CREATE AGGREGATE js_drift(value float8, baseline text, column_name text) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = js_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE js_drift(float8, text, text) IS
  'Jensen–Shannon distance (natural log) of the rows against a stored baseline column';

CREATE AGGREGATE js_drift(value float8, baseline text, column_name text, bins int) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = js_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE js_drift(float8, text, text, int) IS
  'Jensen–Shannon distance (natural log) of the rows against a stored baseline column; bins';

CREATE AGGREGATE js_drift(value float8, baseline text, column_name text, bins int, binning text) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = js_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE js_drift(float8, text, text, int, text) IS
  'Jensen–Shannon distance (natural log) of the rows against a stored baseline column; bins, binning (quantile or uniform)';

CREATE AGGREGATE js_drift(value float8, baseline drift_profile) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = js_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE js_drift(float8, drift_profile) IS
  'Jensen–Shannon distance (natural log) of the rows against a baseline profile';

CREATE AGGREGATE js_drift(value float8, baseline drift_profile, bins int) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = js_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE js_drift(float8, drift_profile, int) IS
  'Jensen–Shannon distance (natural log) of the rows against a baseline profile; bins';

CREATE AGGREGATE js_drift(value float8, baseline drift_profile, bins int, binning text) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = js_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE js_drift(float8, drift_profile, int, text) IS
  'Jensen–Shannon distance (natural log) of the rows against a baseline profile; bins, binning (quantile or uniform)';

CREATE FUNCTION js_drift(baseline drift_profile, current drift_profile,
                        bins int DEFAULT 10, binning text DEFAULT 'quantile')
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'js_drift_profiles' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION js_drift(drift_profile, drift_profile, int, text) IS
  'Jensen–Shannon distance (natural log) of one profile against another, over bins from the baseline';

CREATE FUNCTION js_drift(baseline float8[], current float8[],
                        bins int DEFAULT 10, binning text DEFAULT 'quantile')
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'js_drift_arrays' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION js_drift(float8[], float8[], int, text) IS
  'Jensen–Shannon distance (natural log) of two samples, over bins from the baseline';

-- hellinger_drift
CREATE FUNCTION hellinger_drift_final(drift_stream_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION hellinger_drift_final(drift_stream_state) IS
  'Final function of the hellinger_drift aggregates';

CREATE AGGREGATE hellinger_drift(value float8, baseline text, column_name text) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = hellinger_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE hellinger_drift(float8, text, text) IS
  'Hellinger distance of the rows against a stored baseline column';

CREATE AGGREGATE hellinger_drift(value float8, baseline text, column_name text, bins int) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = hellinger_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE hellinger_drift(float8, text, text, int) IS
  'Hellinger distance of the rows against a stored baseline column; bins';

CREATE AGGREGATE hellinger_drift(value float8, baseline text, column_name text, bins int, binning text) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = hellinger_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE hellinger_drift(float8, text, text, int, text) IS
  'Hellinger distance of the rows against a stored baseline column; bins, binning (quantile or uniform)';

CREATE AGGREGATE hellinger_drift(value float8, baseline drift_profile) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = hellinger_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE hellinger_drift(float8, drift_profile) IS
  'Hellinger distance of the rows against a baseline profile';

CREATE AGGREGATE hellinger_drift(value float8, baseline drift_profile, bins int) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = hellinger_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE hellinger_drift(float8, drift_profile, int) IS
  'Hellinger distance of the rows against a baseline profile; bins';

CREATE AGGREGATE hellinger_drift(value float8, baseline drift_profile, bins int, binning text) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = hellinger_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE hellinger_drift(float8, drift_profile, int, text) IS
  'Hellinger distance of the rows against a baseline profile; bins, binning (quantile or uniform)';

CREATE FUNCTION hellinger_drift(baseline drift_profile, current drift_profile,
                        bins int DEFAULT 10, binning text DEFAULT 'quantile')
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'hellinger_drift_profiles' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION hellinger_drift(drift_profile, drift_profile, int, text) IS
  'Hellinger distance of one profile against another, over bins from the baseline';

CREATE FUNCTION hellinger_drift(baseline float8[], current float8[],
                        bins int DEFAULT 10, binning text DEFAULT 'quantile')
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'hellinger_drift_arrays' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION hellinger_drift(float8[], float8[], int, text) IS
  'Hellinger distance of two samples, over bins from the baseline';

-- kl_drift
CREATE FUNCTION kl_drift_final(drift_stream_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kl_drift_final(drift_stream_state) IS
  'Final function of the kl_drift aggregates';

CREATE AGGREGATE kl_drift(value float8, baseline text, column_name text) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = kl_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE kl_drift(float8, text, text) IS
  'Kullback–Leibler divergence, current from baseline, of the rows against a stored baseline column';

CREATE AGGREGATE kl_drift(value float8, baseline text, column_name text, bins int) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = kl_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE kl_drift(float8, text, text, int) IS
  'Kullback–Leibler divergence, current from baseline, of the rows against a stored baseline column; bins';

CREATE AGGREGATE kl_drift(value float8, baseline text, column_name text, bins int, binning text) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = kl_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE kl_drift(float8, text, text, int, text) IS
  'Kullback–Leibler divergence, current from baseline, of the rows against a stored baseline column; bins, binning (quantile or uniform)';

CREATE AGGREGATE kl_drift(value float8, baseline text, column_name text, bins int, binning text, fill float8) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = kl_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE kl_drift(float8, text, text, int, text, float8) IS
  'Kullback–Leibler divergence, current from baseline, of the rows against a stored baseline column; bins, binning, zero fill';

CREATE AGGREGATE kl_drift(value float8, baseline drift_profile) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = kl_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE kl_drift(float8, drift_profile) IS
  'Kullback–Leibler divergence, current from baseline, of the rows against a baseline profile';

CREATE AGGREGATE kl_drift(value float8, baseline drift_profile, bins int) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = kl_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE kl_drift(float8, drift_profile, int) IS
  'Kullback–Leibler divergence, current from baseline, of the rows against a baseline profile; bins';

CREATE AGGREGATE kl_drift(value float8, baseline drift_profile, bins int, binning text) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = kl_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE kl_drift(float8, drift_profile, int, text) IS
  'Kullback–Leibler divergence, current from baseline, of the rows against a baseline profile; bins, binning (quantile or uniform)';

CREATE AGGREGATE kl_drift(value float8, baseline drift_profile, bins int, binning text, fill float8) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = kl_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE kl_drift(float8, drift_profile, int, text, float8) IS
  'Kullback–Leibler divergence, current from baseline, of the rows against a baseline profile; bins, binning, zero fill';

CREATE FUNCTION kl_drift(baseline drift_profile, current drift_profile,
                        bins int DEFAULT 10, binning text DEFAULT 'quantile',
                        fill float8 DEFAULT 0.0001)
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'kl_drift_profiles' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kl_drift(drift_profile, drift_profile, int, text, float8) IS
  'Kullback–Leibler divergence, current from baseline, of one profile against another, over bins from the baseline';

CREATE FUNCTION kl_drift(baseline float8[], current float8[],
                        bins int DEFAULT 10, binning text DEFAULT 'quantile',
                        fill float8 DEFAULT 0.0001)
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'kl_drift_arrays' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kl_drift(float8[], float8[], int, text, float8) IS
  'Kullback–Leibler divergence, current from baseline, of two samples, over bins from the baseline';

-- ---------------------------------------------------------------------------
-- zscore_drift: z-test for a shift of the mean
-- ---------------------------------------------------------------------------

-- The streaming state: the baseline's moments and the current values'
-- double-double sums of deviations from the baseline mean.  Fixed size and a
-- real type, so the aggregates push down on Citus.
CREATE TYPE drift_mean_state;

CREATE FUNCTION drift_mean_state_in(cstring) RETURNS drift_mean_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_mean_state_out(drift_mean_state) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_mean_state_recv(internal) RETURNS drift_mean_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_mean_state_send(drift_mean_state) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE drift_mean_state (
  INPUT = drift_mean_state_in,
  OUTPUT = drift_mean_state_out,
  RECEIVE = drift_mean_state_recv,
  SEND = drift_mean_state_send,
  INTERNALLENGTH = 104,
  ALIGNMENT = double,
  STORAGE = plain
);
COMMENT ON TYPE drift_mean_state IS
  'Partial state of zscore_drift: the baseline''s size, mean and spread and accurate sums '
  'of the current values; a real type so that Citus can push the aggregate down';
COMMENT ON FUNCTION drift_mean_state_in(cstring) IS 'Text input of drift_mean_state (hex)';
COMMENT ON FUNCTION drift_mean_state_out(drift_mean_state) IS 'Text output of drift_mean_state (hex)';
COMMENT ON FUNCTION drift_mean_state_recv(internal) IS 'Binary input of drift_mean_state';
COMMENT ON FUNCTION drift_mean_state_send(drift_mean_state) IS 'Binary output of drift_mean_state';

CREATE FUNCTION zscore_drift_named_trans(drift_mean_state, float8, text, text)
  RETURNS drift_mean_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION zscore_drift_profile_trans(drift_mean_state, float8, drift_profile)
  RETURNS drift_mean_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION zscore_drift_combine(drift_mean_state, drift_mean_state)
  RETURNS drift_mean_state AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION zscore_drift_final(drift_mean_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION zscore_drift_named_trans(drift_mean_state, float8, text, text) IS
  'Transition function of zscore_drift against a stored baseline column';
COMMENT ON FUNCTION zscore_drift_profile_trans(drift_mean_state, float8, drift_profile) IS
  'Transition function of zscore_drift against a baseline profile';
COMMENT ON FUNCTION zscore_drift_combine(drift_mean_state, drift_mean_state) IS
  'Combine function of zscore_drift: adds two partial states';
COMMENT ON FUNCTION zscore_drift_final(drift_mean_state) IS
  'Final function of zscore_drift';

CREATE AGGREGATE zscore_drift(value float8, baseline text, column_name text) (
  SFUNC = zscore_drift_named_trans,
  STYPE = drift_mean_state,
  COMBINEFUNC = zscore_drift_combine,
  FINALFUNC = zscore_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE zscore_drift(float8, text, text) IS
  'z-test of the rows'' mean against a stored baseline column''s (sample variances)';

CREATE AGGREGATE zscore_drift(value float8, baseline drift_profile) (
  SFUNC = zscore_drift_profile_trans,
  STYPE = drift_mean_state,
  COMBINEFUNC = zscore_drift_combine,
  FINALFUNC = zscore_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE zscore_drift(float8, drift_profile) IS
  'z-test of the rows'' mean against a baseline profile''s (sample variances)';

CREATE FUNCTION zscore_drift(baseline drift_profile, current drift_profile)
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'zscore_drift_profiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION zscore_drift(drift_profile, drift_profile) IS
  'z-test for a difference of means between two profiles';

CREATE FUNCTION zscore_drift(baseline float8[], current float8[])
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'zscore_drift_arrays' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION zscore_drift(float8[], float8[]) IS
  'z-test for a difference of means between two samples (sample variances)';

-- ---------------------------------------------------------------------------
-- wasserstein_drift: first Wasserstein distance, as scipy.stats.wasserstein_distance
-- ---------------------------------------------------------------------------

-- The distance needs every current value's position, so the streaming state
-- keeps the current distinct values with counts (bounded by
-- pg_drift.exact_profile_limit).  It grows, so it is internal: these
-- aggregates run in parallel but gather rows to the coordinator on Citus.
CREATE FUNCTION wasserstein_drift_named_trans(internal, float8, text, text) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION wasserstein_drift_profile_trans(internal, float8, drift_profile) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION wasserstein_drift_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION wasserstein_drift_serialize(internal) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION wasserstein_drift_deserialize(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION wasserstein_drift_final(internal) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION wasserstein_drift_named_trans(internal, float8, text, text) IS
  'Transition function of wasserstein_drift against a stored baseline column';
COMMENT ON FUNCTION wasserstein_drift_profile_trans(internal, float8, drift_profile) IS
  'Transition function of wasserstein_drift against a baseline profile';
COMMENT ON FUNCTION wasserstein_drift_combine(internal, internal) IS
  'Combine function of wasserstein_drift';
COMMENT ON FUNCTION wasserstein_drift_serialize(internal) IS
  'Serialize function of wasserstein_drift';
COMMENT ON FUNCTION wasserstein_drift_deserialize(bytea, internal) IS
  'Deserialize function of wasserstein_drift';
COMMENT ON FUNCTION wasserstein_drift_final(internal) IS
  'Final function of wasserstein_drift';

CREATE AGGREGATE wasserstein_drift(value float8, baseline text, column_name text) (
  SFUNC = wasserstein_drift_named_trans,
  STYPE = internal,
  SSPACE = 65536,
  COMBINEFUNC = wasserstein_drift_combine,
  SERIALFUNC = wasserstein_drift_serialize,
  DESERIALFUNC = wasserstein_drift_deserialize,
  FINALFUNC = wasserstein_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE wasserstein_drift(float8, text, text) IS
  'First Wasserstein distance of the rows from a stored baseline column '
  '(keeps the current distinct values; gathers on Citus)';

CREATE AGGREGATE wasserstein_drift(value float8, baseline drift_profile) (
  SFUNC = wasserstein_drift_profile_trans,
  STYPE = internal,
  SSPACE = 65536,
  COMBINEFUNC = wasserstein_drift_combine,
  SERIALFUNC = wasserstein_drift_serialize,
  DESERIALFUNC = wasserstein_drift_deserialize,
  FINALFUNC = wasserstein_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE wasserstein_drift(float8, drift_profile) IS
  'First Wasserstein distance of the rows from a baseline profile '
  '(keeps the current distinct values; gathers on Citus)';

CREATE FUNCTION wasserstein_drift(baseline drift_profile, current drift_profile)
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'wasserstein_drift_profiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION wasserstein_drift(drift_profile, drift_profile) IS
  'First Wasserstein distance between two profiles';

CREATE FUNCTION wasserstein_drift(baseline float8[], current float8[])
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'wasserstein_drift_arrays' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION wasserstein_drift(float8[], float8[]) IS
  'First Wasserstein distance between two samples, as scipy.stats.wasserstein_distance';
-- ---------------------------------------------------------------------------
-- Categorical data: profiles of text columns and the categorical drift tests
-- (chi2_drift, psi_drift, js_drift, linf_drift, tvd_drift on text), plus
-- unseen_category_share.  Other types reach these through a cast to text.
-- ---------------------------------------------------------------------------

CREATE FUNCTION drift_profile_agg_text_trans(internal, text) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION drift_profile_agg_text_trans(internal, text) IS
  'Transition function of drift_profile_agg(text): counts the category (or the NULL)';

-- internal state (a hash table of categories): gathers rows on Citus
CREATE AGGREGATE drift_profile_agg(text) (
  SFUNC = drift_profile_agg_text_trans,
  STYPE = internal,
  SSPACE = 65536,
  COMBINEFUNC = drift_profile_agg_combine,
  SERIALFUNC = drift_profile_agg_serialize,
  DESERIALFUNC = drift_profile_agg_deserialize,
  FINALFUNC = drift_profile_agg_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE drift_profile_agg(text) IS
  'Profile of a categorical column: exact count per category, NULLs counted';

-- The streaming state: counts per baseline category plus the exact counts of
-- categories the baseline never saw (see src/category_state.h).

CREATE TYPE drift_category_state;

CREATE FUNCTION drift_category_state_in(cstring) RETURNS drift_category_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_category_state_out(drift_category_state) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_category_state_recv(internal) RETURNS drift_category_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_category_state_send(drift_category_state) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE drift_category_state (
  INPUT = drift_category_state_in,
  OUTPUT = drift_category_state_out,
  RECEIVE = drift_category_state_recv,
  SEND = drift_category_state_send,
  INTERNALLENGTH = VARIABLE,
  ALIGNMENT = double,
  STORAGE = extended
);
COMMENT ON FUNCTION drift_category_state_in(cstring) IS
  'Text input of drift_category_state: \x and the hex digits of the binary form';
COMMENT ON FUNCTION drift_category_state_out(drift_category_state) IS
  'Text output of drift_category_state: \x and the hex digits of the binary form';
COMMENT ON FUNCTION drift_category_state_recv(internal) IS
  'Binary input of drift_category_state, validating every count and category';
COMMENT ON FUNCTION drift_category_state_send(drift_category_state) IS
  'Binary output of drift_category_state';
COMMENT ON TYPE drift_category_state IS
  'Partial state of a streaming categorical drift test: counts per baseline category and '
  'exact counts of unseen categories, never the rows; a real type so that Citus pushes down';

CREATE FUNCTION drift_category_state_combine(drift_category_state, drift_category_state)
  RETURNS drift_category_state
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_category_state_combine(drift_category_state, drift_category_state) IS
  'Combine function of the categorical drift tests: adds counts of two partial states';

CREATE FUNCTION categorical_named_trans(drift_category_state, text, text, text)
  RETURNS drift_category_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION categorical_named_trans(drift_category_state, text, text, text, float8)
  RETURNS drift_category_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION categorical_profile_trans(drift_category_state, text, drift_profile)
  RETURNS drift_category_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION categorical_profile_trans(drift_category_state, text, drift_profile, float8)
  RETURNS drift_category_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION categorical_named_trans(drift_category_state, text, text, text) IS
  'Transition function of the categorical drift tests against a stored baseline';
COMMENT ON FUNCTION categorical_named_trans(drift_category_state, text, text, text, float8) IS
  'Transition function of psi_drift on text against a stored baseline, with a zero fill';
COMMENT ON FUNCTION categorical_profile_trans(drift_category_state, text, drift_profile) IS
  'Transition function of the categorical drift tests against a profile';
COMMENT ON FUNCTION categorical_profile_trans(drift_category_state, text, drift_profile, float8) IS
  'Transition function of psi_drift on text against a profile, with a zero fill';

-- chi2_drift details: the degrees of freedom beside statistic and p-value
CREATE TYPE chi2_details AS (
  statistic  float8,
  p_value    float8,
  dof        bigint,
  n_baseline bigint,
  n_current  bigint
);
COMMENT ON TYPE chi2_details IS
  'Result of chi2_drift_details: chi-square statistic, p-value, degrees of freedom '
  '(categories in the union minus one) and sample sizes';

CREATE FUNCTION chi2_drift_final(drift_category_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION chi2_drift_details_final(drift_category_state) RETURNS chi2_details
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION psi_drift_categorical_final(drift_category_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION js_drift_categorical_final(drift_category_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION linf_drift_final(drift_category_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION tvd_drift_final(drift_category_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION chi2_drift_final(drift_category_state) IS 'Final function of chi2_drift';
COMMENT ON FUNCTION chi2_drift_details_final(drift_category_state) IS
  'Final function of chi2_drift_details';
COMMENT ON FUNCTION psi_drift_categorical_final(drift_category_state) IS
  'Final function of psi_drift on text';
COMMENT ON FUNCTION js_drift_categorical_final(drift_category_state) IS
  'Final function of js_drift on text';
COMMENT ON FUNCTION linf_drift_final(drift_category_state) IS 'Final function of linf_drift';
COMMENT ON FUNCTION tvd_drift_final(drift_category_state) IS 'Final function of tvd_drift';

-- The streaming aggregates: (value, 'baseline', 'column') and (value, profile)
-- for each test; psi_drift also with a zero fill as last argument.
CREATE AGGREGATE chi2_drift(value text, baseline text, column_name text) (
  SFUNC = categorical_named_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = chi2_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE chi2_drift(text, text, text) IS
  'Chi-square test of homogeneity (as scipy.stats.chi2_contingency) of the rows'' categories against a stored baseline column';
CREATE AGGREGATE chi2_drift(value text, baseline drift_profile) (
  SFUNC = categorical_profile_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = chi2_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE chi2_drift(text, drift_profile) IS
  'Chi-square test of homogeneity (as scipy.stats.chi2_contingency) of the rows'' categories against a baseline profile';

CREATE AGGREGATE chi2_drift_details(value text, baseline text, column_name text) (
  SFUNC = categorical_named_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = chi2_drift_details_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE chi2_drift_details(text, text, text) IS
  'Chi-square test with its degrees of freedom, of the rows'' categories against a stored baseline column';
CREATE AGGREGATE chi2_drift_details(value text, baseline drift_profile) (
  SFUNC = categorical_profile_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = chi2_drift_details_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE chi2_drift_details(text, drift_profile) IS
  'Chi-square test with its degrees of freedom, of the rows'' categories against a baseline profile';

CREATE AGGREGATE psi_drift(value text, baseline text, column_name text) (
  SFUNC = categorical_named_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = psi_drift_categorical_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE psi_drift(text, text, text) IS
  'Population stability index of the rows'' categories (zero shares filled with 0.0001) against a stored baseline column';
CREATE AGGREGATE psi_drift(value text, baseline drift_profile) (
  SFUNC = categorical_profile_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = psi_drift_categorical_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE psi_drift(text, drift_profile) IS
  'Population stability index of the rows'' categories (zero shares filled with 0.0001) against a baseline profile';

CREATE AGGREGATE js_drift(value text, baseline text, column_name text) (
  SFUNC = categorical_named_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = js_drift_categorical_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE js_drift(text, text, text) IS
  'Jensen-Shannon distance (natural log) of the rows'' category shares against a stored baseline column';
CREATE AGGREGATE js_drift(value text, baseline drift_profile) (
  SFUNC = categorical_profile_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = js_drift_categorical_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE js_drift(text, drift_profile) IS
  'Jensen-Shannon distance (natural log) of the rows'' category shares against a baseline profile';

CREATE AGGREGATE linf_drift(value text, baseline text, column_name text) (
  SFUNC = categorical_named_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = linf_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE linf_drift(text, text, text) IS
  'Largest absolute difference of the rows'' category shares against a stored baseline column';
CREATE AGGREGATE linf_drift(value text, baseline drift_profile) (
  SFUNC = categorical_profile_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = linf_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE linf_drift(text, drift_profile) IS
  'Largest absolute difference of the rows'' category shares against a baseline profile';

CREATE AGGREGATE tvd_drift(value text, baseline text, column_name text) (
  SFUNC = categorical_named_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = tvd_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE tvd_drift(text, text, text) IS
  'Total variation distance of the rows'' category shares against a stored baseline column';
CREATE AGGREGATE tvd_drift(value text, baseline drift_profile) (
  SFUNC = categorical_profile_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = tvd_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE tvd_drift(text, drift_profile) IS
  'Total variation distance of the rows'' category shares against a baseline profile';

CREATE AGGREGATE psi_drift(value text, baseline text, column_name text, fill float8) (
  SFUNC = categorical_named_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = psi_drift_categorical_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE psi_drift(text, text, text, float8) IS
  'Population stability index of the rows'' categories against a stored baseline column, '
  'zero shares replaced by fill';

CREATE AGGREGATE psi_drift(value text, baseline drift_profile, fill float8) (
  SFUNC = categorical_profile_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = psi_drift_categorical_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE psi_drift(text, drift_profile, float8) IS
  'Population stability index of the rows'' categories against a baseline profile, '
  'zero shares replaced by fill';

-- Profile against profile.  psi_drift and js_drift on two profiles are the
-- numeric functions, which hand categorical profiles to the code here.
CREATE FUNCTION chi2_drift(baseline drift_profile, current drift_profile) RETURNS drift_result
  AS 'MODULE_PATHNAME', 'chi2_drift_profiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION chi2_drift(drift_profile, drift_profile) IS
  'Chi-square test of homogeneity of two categorical profiles, as scipy.stats.chi2_contingency';
CREATE FUNCTION chi2_drift_details(baseline drift_profile, current drift_profile) RETURNS chi2_details
  AS 'MODULE_PATHNAME', 'chi2_drift_details_profiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION chi2_drift_details(drift_profile, drift_profile) IS
  'Chi-square test of two categorical profiles with its degrees of freedom';
CREATE FUNCTION linf_drift(baseline drift_profile, current drift_profile) RETURNS drift_result
  AS 'MODULE_PATHNAME', 'linf_drift_profiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION linf_drift(drift_profile, drift_profile) IS
  'Largest absolute difference of category shares of two categorical profiles';
CREATE FUNCTION tvd_drift(baseline drift_profile, current drift_profile) RETURNS drift_result
  AS 'MODULE_PATHNAME', 'tvd_drift_profiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tvd_drift(drift_profile, drift_profile) IS
  'Total variation distance of two categorical profiles';

-- Raw samples
CREATE FUNCTION chi2_drift(baseline text[], current text[]) RETURNS drift_result
  AS 'MODULE_PATHNAME', 'chi2_drift_arrays' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION chi2_drift(text[], text[]) IS
  'Chi-square test of homogeneity of two samples of categories, as scipy.stats.chi2_contingency';
CREATE FUNCTION chi2_drift_details(baseline text[], current text[]) RETURNS chi2_details
  AS 'MODULE_PATHNAME', 'chi2_drift_details_arrays' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION chi2_drift_details(text[], text[]) IS
  'Chi-square test of two samples of categories with its degrees of freedom';
CREATE FUNCTION psi_drift(baseline text[], current text[], fill float8 DEFAULT 0.0001)
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'psi_drift_categorical_arrays' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION psi_drift(text[], text[], float8) IS
  'Population stability index of two samples of categories, zero shares replaced by fill';
CREATE FUNCTION js_drift(baseline text[], current text[]) RETURNS drift_result
  AS 'MODULE_PATHNAME', 'js_drift_categorical_arrays' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION js_drift(text[], text[]) IS
  'Jensen-Shannon distance (natural log) of the category shares of two samples';
CREATE FUNCTION linf_drift(baseline text[], current text[]) RETURNS drift_result
  AS 'MODULE_PATHNAME', 'linf_drift_arrays' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION linf_drift(text[], text[]) IS
  'Largest absolute difference of the category shares of two samples';
CREATE FUNCTION tvd_drift(baseline text[], current text[]) RETURNS drift_result
  AS 'MODULE_PATHNAME', 'tvd_drift_arrays' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tvd_drift(text[], text[]) IS
  'Total variation distance of the category shares of two samples';

-- unseen_category_share: a data-integrity rate usable over any window of rows
CREATE FUNCTION unseen_share_named_trans(drift_stream_state, text, text, text)
  RETURNS drift_stream_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION unseen_share_profile_trans(drift_stream_state, text, drift_profile)
  RETURNS drift_stream_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION unseen_category_share_final(drift_stream_state) RETURNS float8
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unseen_share_named_trans(drift_stream_state, text, text, text) IS
  'Transition function of unseen_category_share against a stored baseline';
COMMENT ON FUNCTION unseen_share_profile_trans(drift_stream_state, text, drift_profile) IS
  'Transition function of unseen_category_share against a profile';
COMMENT ON FUNCTION unseen_category_share_final(drift_stream_state) IS
  'Final function of unseen_category_share';

CREATE AGGREGATE unseen_category_share(value text, baseline text, column_name text) (
  SFUNC = unseen_share_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = unseen_category_share_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE unseen_category_share(text, text, text) IS
  'Share of the non-NULL rows whose category the stored baseline column never saw';

CREATE AGGREGATE unseen_category_share(value text, baseline drift_profile) (
  SFUNC = unseen_share_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = unseen_category_share_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE unseen_category_share(text, drift_profile) IS
  'Share of the non-NULL rows whose category the baseline profile never saw';
-- ---------------------------------------------------------------------------
-- Data integrity: schema changes since a baseline was captured.
-- (unseen_category_share is with the categorical tests, 55_categorical.sql.)
-- ---------------------------------------------------------------------------

CREATE FUNCTION drift.check_schema(baseline text, relation regclass)
  RETURNS TABLE (column_name text, status text, baseline_type text, current_type text)
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
  v_schema jsonb;
BEGIN
  IF check_schema.baseline IS NULL OR check_schema.relation IS NULL THEN
    RAISE EXCEPTION 'baseline and relation must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  SELECT b.source_columns INTO v_schema FROM drift.baselines b WHERE b.name = check_schema.baseline;
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
      FROM drift.baseline_columns c WHERE c.baseline_name = check_schema.baseline;
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
COMMENT ON FUNCTION drift.check_schema(text, regclass) IS
  'Compare a relation''s columns with the source of a baseline at capture time: '
  'one row per column, status missing, new, retyped or ok';
-- ---------------------------------------------------------------------------
-- Data integrity: NULL-rate change, share of values outside the baseline's
-- range, and a value's position in the baseline's distribution
-- ---------------------------------------------------------------------------

CREATE TYPE drift_integrity_state;

CREATE FUNCTION drift_integrity_state_in(cstring) RETURNS drift_integrity_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_integrity_state_out(drift_integrity_state) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_integrity_state_recv(internal) RETURNS drift_integrity_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_integrity_state_send(drift_integrity_state) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE drift_integrity_state (
  INPUT = drift_integrity_state_in,
  OUTPUT = drift_integrity_state_out,
  RECEIVE = drift_integrity_state_recv,
  SEND = drift_integrity_state_send,
  INTERNALLENGTH = 96,
  ALIGNMENT = double,
  STORAGE = plain
);
COMMENT ON TYPE drift_integrity_state IS
  'Partial state of null_rate_drift and out_of_range_share: current row counts and the '
  'baseline''s counts and range (fixed size, so that Citus can push the aggregates down)';

CREATE FUNCTION drift_integrity_state_combine(drift_integrity_state, drift_integrity_state)
  RETURNS drift_integrity_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION drift_integrity_state_combine(drift_integrity_state, drift_integrity_state) IS
  'Combine function of null_rate_drift and out_of_range_share: adds the current counts';

-- null_rate_drift ------------------------------------------------------------

CREATE FUNCTION null_rate_drift_named_trans(drift_integrity_state, float8, text, text)
  RETURNS drift_integrity_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION null_rate_drift_named_trans(drift_integrity_state, text, text, text)
  RETURNS drift_integrity_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION null_rate_drift_profile_trans(drift_integrity_state, float8, drift_profile)
  RETURNS drift_integrity_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION null_rate_drift_profile_trans(drift_integrity_state, text, drift_profile)
  RETURNS drift_integrity_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION null_rate_drift_final(drift_integrity_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;

CREATE AGGREGATE null_rate_drift(value float8, baseline text, column_name text) (
  SFUNC = null_rate_drift_named_trans,
  STYPE = drift_integrity_state,
  COMBINEFUNC = drift_integrity_state_combine,
  FINALFUNC = null_rate_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE null_rate_drift(float8, text, text) IS
  'Change of the NULL rate against a stored baseline column: statistic = current NULL rate '
  'minus baseline NULL rate (NULLs over all rows, NaN counts as a value); p-value of the '
  'two-sided pooled two-proportion z-test, erfc(|z|/sqrt(2)) with '
  'z = statistic / sqrt(p(1-p)(1/n_baseline + 1/n_current)), p the pooled NULL rate '
  '(NULL when p is 0 or 1); n_baseline and n_current count rows including NULLs';

CREATE AGGREGATE null_rate_drift(value text, baseline text, column_name text) (
  SFUNC = null_rate_drift_named_trans,
  STYPE = drift_integrity_state,
  COMBINEFUNC = drift_integrity_state_combine,
  FINALFUNC = null_rate_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE null_rate_drift(text, text, text) IS
  'Change of the NULL rate of a text column against a stored baseline column '
  '(definition as for the float8 form)';

CREATE AGGREGATE null_rate_drift(value float8, baseline drift_profile) (
  SFUNC = null_rate_drift_profile_trans,
  STYPE = drift_integrity_state,
  COMBINEFUNC = drift_integrity_state_combine,
  FINALFUNC = null_rate_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE null_rate_drift(float8, drift_profile) IS
  'Change of the NULL rate against a baseline profile (definition as for the named form)';

CREATE AGGREGATE null_rate_drift(value text, baseline drift_profile) (
  SFUNC = null_rate_drift_profile_trans,
  STYPE = drift_integrity_state,
  COMBINEFUNC = drift_integrity_state_combine,
  FINALFUNC = null_rate_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE null_rate_drift(text, drift_profile) IS
  'Change of the NULL rate of a text column against a baseline profile';

CREATE FUNCTION null_rate_drift(baseline drift_profile, current drift_profile)
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'null_rate_drift_profiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION null_rate_drift(drift_profile, drift_profile) IS
  'Change of the NULL rate from one profile to another (two-proportion z-test)';

-- out_of_range_share ---------------------------------------------------------

CREATE FUNCTION out_of_range_share_named_trans(drift_integrity_state, float8, text, text)
  RETURNS drift_integrity_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION out_of_range_share_profile_trans(drift_integrity_state, float8, drift_profile)
  RETURNS drift_integrity_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION out_of_range_share_final(drift_integrity_state) RETURNS float8
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;

CREATE AGGREGATE out_of_range_share(value float8, baseline text, column_name text) (
  SFUNC = out_of_range_share_named_trans,
  STYPE = drift_integrity_state,
  COMBINEFUNC = drift_integrity_state_combine,
  FINALFUNC = out_of_range_share_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE out_of_range_share(float8, text, text) IS
  'Share of the non-NULL, non-NaN values outside the baseline column''s [min, max] '
  '(NULL when there are none; every value is outside an empty baseline)';

CREATE AGGREGATE out_of_range_share(value float8, baseline drift_profile) (
  SFUNC = out_of_range_share_profile_trans,
  STYPE = drift_integrity_state,
  COMBINEFUNC = drift_integrity_state_combine,
  FINALFUNC = out_of_range_share_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE out_of_range_share(float8, drift_profile) IS
  'Share of the non-NULL, non-NaN values outside the profile''s [min, max]';

-- drift_quantile -------------------------------------------------------------

CREATE FUNCTION drift_quantile(value float8, baseline drift_profile) RETURNS float8
  AS 'MODULE_PATHNAME', 'drift_quantile_profile' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_quantile(float8, drift_profile) IS
  'The value''s position in the baseline distribution, mid-rank ECDF: '
  '(#values below + 0.5 * #values equal) / #values; NULL for NaN or an empty profile; '
  'within rank_error of the exact position on an approximate profile';

CREATE FUNCTION drift_quantile(value float8, baseline text, column_name text) RETURNS float8
  AS 'MODULE_PATHNAME', 'drift_quantile_named' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_quantile(float8, text, text) IS
  'The value''s position in a stored baseline column''s distribution (mid-rank ECDF, '
  'see drift_quantile(float8, drift_profile)); the profile is read once per query';
-- ---------------------------------------------------------------------------
-- Concept drift: each feature's Pearson correlation with the target at
-- baseline time, and corr_drift, the test of its change
-- ---------------------------------------------------------------------------

CREATE TABLE drift.baseline_correlations (
  baseline_name text NOT NULL REFERENCES drift.baselines (name)
                  ON DELETE CASCADE ON UPDATE CASCADE,
  column_name   text NOT NULL,
  target_column text NOT NULL,
  correlation   float8 CHECK (correlation BETWEEN -1 AND 1),
  n             bigint NOT NULL CHECK (n >= 0),
  PRIMARY KEY (baseline_name, column_name)
);
COMMENT ON TABLE drift.baseline_correlations IS
  'Pearson correlation of each numeric baseline column with the target column at capture time '
  '(NULL when undefined) and the number of pairs it was computed from; read by corr_drift';

SELECT pg_catalog.pg_extension_config_dump('drift.baseline_correlations', '');
ALTER TABLE drift.baseline_correlations ENABLE ROW LEVEL SECURITY;
CREATE POLICY baseline_correlations_by_owner ON drift.baseline_correlations
  USING (EXISTS (SELECT 1 FROM drift.baselines b
                  WHERE b.name OPERATOR(pg_catalog.=) baseline_name));
GRANT SELECT, INSERT, UPDATE, DELETE ON drift.baseline_correlations TO PUBLIC;

CREATE FUNCTION drift.capture_target_correlations(
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
BEGIN
  IF v_name IS NULL OR v_source IS NULL OR v_target IS NULL THEN
    RAISE EXCEPTION 'baseline name, source and target column must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM drift.baselines b WHERE b.name = v_name) THEN
    RAISE EXCEPTION 'baseline "%" does not exist', v_name
      USING ERRCODE = 'undefined_object',
            HINT = 'Create it with drift.capture_baseline(); drift.baselines lists the existing ones.';
  END IF;
  SELECT CASE WHEN t.typcategory = 'N' OR a.atttypid = 'bool'::regtype THEN 'ok' ELSE format_type(a.atttypid, a.atttypmod) END
    INTO v_ok
    FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
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
   WHERE c.baseline_name = v_name AND c.kind = 'numeric' AND c.column_name <> v_target
     AND EXISTS (SELECT 1 FROM pg_attribute a
                  WHERE a.attrelid = v_source AND a.attname = c.column_name
                    AND a.attnum > 0 AND NOT a.attisdropped);

  DELETE FROM drift.baseline_correlations c WHERE c.baseline_name = v_name;
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
    INSERT INTO drift.baseline_correlations (baseline_name, column_name, target_column, correlation, n)
    VALUES (v_name, column_name, v_target, correlation, n);
    RETURN NEXT;
  END LOOP;
END
$fn$;
COMMENT ON FUNCTION drift.capture_target_correlations(text, regclass, text, text) IS
  'Record the Pearson correlation of each numeric column of a baseline with the target column '
  '(pairs without NULL or NaN, over the optionally filtered relation), replacing earlier ones';

-- corr_drift -----------------------------------------------------------------

CREATE TYPE drift_corr_state;

CREATE FUNCTION drift_corr_state_in(cstring) RETURNS drift_corr_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_corr_state_out(drift_corr_state) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_corr_state_recv(internal) RETURNS drift_corr_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_corr_state_send(drift_corr_state) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE drift_corr_state (
  INPUT = drift_corr_state_in,
  OUTPUT = drift_corr_state_out,
  RECEIVE = drift_corr_state_recv,
  SEND = drift_corr_state_send,
  INTERNALLENGTH = 96,
  ALIGNMENT = double,
  STORAGE = plain
);
COMMENT ON TYPE drift_corr_state IS
  'Partial state of corr_drift: pair count, shifted means and co-moments of the current rows and the '
  'baseline correlation (fixed size, so that Citus can push the aggregate down)';

CREATE FUNCTION drift_corr_state_combine(drift_corr_state, drift_corr_state)
  RETURNS drift_corr_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION drift_corr_state_combine(drift_corr_state, drift_corr_state) IS
  'Combine function of corr_drift: pools co-moments (Chan, Golub and LeVeque)';

CREATE FUNCTION corr_drift_named_trans(drift_corr_state, float8, float8, text, text)
  RETURNS drift_corr_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION corr_drift_value_trans(drift_corr_state, float8, float8, float8, bigint)
  RETURNS drift_corr_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION corr_drift_final(drift_corr_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;

CREATE AGGREGATE corr_drift(feature float8, target float8, baseline text, column_name text) (
  SFUNC = corr_drift_named_trans,
  STYPE = drift_corr_state,
  COMBINEFUNC = drift_corr_state_combine,
  FINALFUNC = corr_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE corr_drift(float8, float8, text, text) IS
  'Concept drift: statistic = r_current - r_baseline of the feature''s Pearson correlation with '
  'the target (baseline from drift.baseline_correlations); p-value of Fisher''s z-test for two '
  'independent correlations, erfc(|z|/sqrt(2)) with z = (atanh(r_c) - atanh(r_b)) / '
  'sqrt(1/(n_c-3) + 1/(n_b-3)); statistic NULL when a correlation is undefined, p-value also '
  'when either n < 4; pairs with a NULL or NaN are skipped';

CREATE AGGREGATE corr_drift(feature float8, target float8, baseline_correlation float8,
                            baseline_n bigint) (
  SFUNC = corr_drift_value_trans,
  STYPE = drift_corr_state,
  COMBINEFUNC = drift_corr_state_combine,
  FINALFUNC = corr_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE corr_drift(float8, float8, float8, bigint) IS
  'Concept drift against a baseline correlation given by value (r, n): works on any node; '
  'definition as for corr_drift(float8, float8, text, text)';
-- ---------------------------------------------------------------------------
-- Quantile-sketch profiles: building with a size bound, compacting, and
-- describing any profile
-- ---------------------------------------------------------------------------

CREATE FUNCTION drift_sketch_agg_trans(internal, float8, int) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION drift_sketch_agg_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION drift_sketch_agg_serialize(internal) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION drift_sketch_agg_deserialize(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION drift_sketch_agg_final(internal) RETURNS drift_profile
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;

CREATE AGGREGATE drift_sketch_agg(value float8, max_entries int) (
  SFUNC = drift_sketch_agg_trans,
  STYPE = internal,
  COMBINEFUNC = drift_sketch_agg_combine,
  SERIALFUNC = drift_sketch_agg_serialize,
  DESERIALFUNC = drift_sketch_agg_deserialize,
  FINALFUNC = drift_sketch_agg_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE drift_sketch_agg(float8, int) IS
  'Numeric profile kept to at most max_entries entries: exact while the distinct values fit, '
  'else a quantile sketch (equi-depth compaction to max_entries/2) whose rank-error bound is '
  'stored; count, NULL and NaN counts, min, max, mean and variance stay exact';

CREATE FUNCTION drift_profile_compact(profile drift_profile, max_entries int)
  RETURNS drift_profile
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_profile_compact(drift_profile, int) IS
  'The numeric profile with at most max_entries entries (unchanged when it already fits); '
  'one compaction adds a rank error of at most ceil(n / floor((max_entries - 1) / 2)) / 2 values '
  '(n the count), added to the stored bound';

CREATE FUNCTION drift_profile_info(profile drift_profile,
    OUT kind text, OUT exact boolean, OUT rank_error float8, OUT count bigint,
    OUT null_count bigint, OUT nan_count bigint, OUT distinct_entries int,
    OUT min float8, OUT max float8, OUT mean float8, OUT variance float8,
    OUT size_bytes int)
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_profile_info(drift_profile) IS
  'Describe a profile: kind, exact or sketch, rank_error (bound on |rank error| / count; 0 when '
  'exact), counts, entries kept, min, max, mean, sample variance, and size in bytes';
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

CREATE TYPE binary_metrics_state;
CREATE FUNCTION binary_metrics_state_in(cstring) RETURNS binary_metrics_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION binary_metrics_state_out(binary_metrics_state) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION binary_metrics_state_recv(internal) RETURNS binary_metrics_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION binary_metrics_state_send(binary_metrics_state) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE binary_metrics_state (
  INPUT = binary_metrics_state_in,
  OUTPUT = binary_metrics_state_out,
  RECEIVE = binary_metrics_state_recv,
  SEND = binary_metrics_state_send,
  INTERNALLENGTH = 32,
  ALIGNMENT = double,
  STORAGE = plain
);
COMMENT ON FUNCTION binary_metrics_state_in(cstring) IS 'Text input of binary_metrics_state (\x and hex), validated';
COMMENT ON FUNCTION binary_metrics_state_out(binary_metrics_state) IS 'Text output of binary_metrics_state: \x and the hex of the binary form';
COMMENT ON FUNCTION binary_metrics_state_recv(internal) IS 'Binary input of binary_metrics_state, validated';
COMMENT ON FUNCTION binary_metrics_state_send(binary_metrics_state) IS 'Binary output of binary_metrics_state';
COMMENT ON TYPE binary_metrics_state IS
  'Partial state of binary_metrics: the four confusion counts (text form: \x and hex of the binary form)';

CREATE TYPE regression_metrics_state;
CREATE FUNCTION regression_metrics_state_in(cstring) RETURNS regression_metrics_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION regression_metrics_state_out(regression_metrics_state) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION regression_metrics_state_recv(internal) RETURNS regression_metrics_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION regression_metrics_state_send(regression_metrics_state) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE regression_metrics_state (
  INPUT = regression_metrics_state_in,
  OUTPUT = regression_metrics_state_out,
  RECEIVE = regression_metrics_state_recv,
  SEND = regression_metrics_state_send,
  INTERNALLENGTH = 200,
  ALIGNMENT = double,
  STORAGE = plain
);
COMMENT ON FUNCTION regression_metrics_state_in(cstring) IS 'Text input of regression_metrics_state (\x and hex), validated';
COMMENT ON FUNCTION regression_metrics_state_out(regression_metrics_state) IS 'Text output of regression_metrics_state: \x and the hex of the binary form';
COMMENT ON FUNCTION regression_metrics_state_recv(internal) IS 'Binary input of regression_metrics_state, validated';
COMMENT ON FUNCTION regression_metrics_state_send(regression_metrics_state) IS 'Binary output of regression_metrics_state';
COMMENT ON TYPE regression_metrics_state IS
  'Partial state of regression_metrics: counts and double-double sums (invertible without drift)';

CREATE TYPE metric_mean_state;
CREATE FUNCTION metric_mean_state_in(cstring) RETURNS metric_mean_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION metric_mean_state_out(metric_mean_state) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION metric_mean_state_recv(internal) RETURNS metric_mean_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION metric_mean_state_send(metric_mean_state) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE metric_mean_state (
  INPUT = metric_mean_state_in,
  OUTPUT = metric_mean_state_out,
  RECEIVE = metric_mean_state_recv,
  SEND = metric_mean_state_send,
  INTERNALLENGTH = 48,
  ALIGNMENT = double,
  STORAGE = plain
);
COMMENT ON FUNCTION metric_mean_state_in(cstring) IS 'Text input of metric_mean_state (\x and hex), validated';
COMMENT ON FUNCTION metric_mean_state_out(metric_mean_state) IS 'Text output of metric_mean_state: \x and the hex of the binary form';
COMMENT ON FUNCTION metric_mean_state_recv(internal) IS 'Binary input of metric_mean_state, validated';
COMMENT ON FUNCTION metric_mean_state_send(metric_mean_state) IS 'Binary output of metric_mean_state';
COMMENT ON TYPE metric_mean_state IS
  'Partial state of log_loss and brier_score: a count and a double-double sum of losses';

CREATE TYPE roc_state;
CREATE FUNCTION roc_state_in(cstring) RETURNS roc_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION roc_state_out(roc_state) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION roc_state_recv(internal) RETURNS roc_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION roc_state_send(roc_state) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE roc_state (
  INPUT = roc_state_in,
  OUTPUT = roc_state_out,
  RECEIVE = roc_state_recv,
  SEND = roc_state_send,
  INTERNALLENGTH = VARIABLE,
  ALIGNMENT = double,
  STORAGE = extended
);
COMMENT ON FUNCTION roc_state_in(cstring) IS 'Text input of roc_state (\x and hex), validated';
COMMENT ON FUNCTION roc_state_out(roc_state) IS 'Text output of roc_state: \x and the hex of the binary form';
COMMENT ON FUNCTION roc_state_recv(internal) IS 'Binary input of roc_state, validated';
COMMENT ON FUNCTION roc_state_send(roc_state) IS 'Binary output of roc_state';
COMMENT ON TYPE roc_state IS
  'Partial state of roc_auc: positives and negatives per distinct score';

CREATE TYPE multiclass_metrics_state;
CREATE FUNCTION multiclass_metrics_state_in(cstring) RETURNS multiclass_metrics_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION multiclass_metrics_state_out(multiclass_metrics_state) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION multiclass_metrics_state_recv(internal) RETURNS multiclass_metrics_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION multiclass_metrics_state_send(multiclass_metrics_state) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE multiclass_metrics_state (
  INPUT = multiclass_metrics_state_in,
  OUTPUT = multiclass_metrics_state_out,
  RECEIVE = multiclass_metrics_state_recv,
  SEND = multiclass_metrics_state_send,
  INTERNALLENGTH = VARIABLE,
  ALIGNMENT = double,
  STORAGE = extended
);
COMMENT ON FUNCTION multiclass_metrics_state_in(cstring) IS 'Text input of multiclass_metrics_state (\x and hex), validated';
COMMENT ON FUNCTION multiclass_metrics_state_out(multiclass_metrics_state) IS 'Text output of multiclass_metrics_state: \x and the hex of the binary form';
COMMENT ON FUNCTION multiclass_metrics_state_recv(internal) IS 'Binary input of multiclass_metrics_state, validated';
COMMENT ON FUNCTION multiclass_metrics_state_send(multiclass_metrics_state) IS 'Binary output of multiclass_metrics_state';
COMMENT ON TYPE multiclass_metrics_state IS
  'Partial state of multiclass_metrics: the label dictionary and the sparse confusion matrix';

-- ---- binary_metrics -------------------------------------------------------

CREATE FUNCTION binary_metrics_trans(binary_metrics_state, bool, bool)
  RETURNS binary_metrics_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION binary_metrics_inv(binary_metrics_state, bool, bool)
  RETURNS binary_metrics_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION binary_metrics_trans(binary_metrics_state, float8, bool, float8)
  RETURNS binary_metrics_state
  AS 'MODULE_PATHNAME', 'binary_metrics_score_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION binary_metrics_inv(binary_metrics_state, float8, bool, float8)
  RETURNS binary_metrics_state
  AS 'MODULE_PATHNAME', 'binary_metrics_score_inv' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION binary_metrics_combine(binary_metrics_state, binary_metrics_state)
  RETURNS binary_metrics_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION binary_metrics_final(binary_metrics_state)
  RETURNS binary_metrics_result AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION binary_metrics_trans(binary_metrics_state, bool, bool) IS
  'State function of binary_metrics(bool, bool)';
COMMENT ON FUNCTION binary_metrics_inv(binary_metrics_state, bool, bool) IS
  'Inverse (moving-window) state function of binary_metrics(bool, bool)';
COMMENT ON FUNCTION binary_metrics_trans(binary_metrics_state, float8, bool, float8) IS
  'State function of binary_metrics(float8, bool, float8)';
COMMENT ON FUNCTION binary_metrics_inv(binary_metrics_state, float8, bool, float8) IS
  'Inverse (moving-window) state function of binary_metrics(float8, bool, float8)';
COMMENT ON FUNCTION binary_metrics_combine(binary_metrics_state, binary_metrics_state) IS
  'Combine function of binary_metrics: adds confusion counts';
COMMENT ON FUNCTION binary_metrics_final(binary_metrics_state) IS
  'Final function of binary_metrics';

CREATE AGGREGATE binary_metrics(predicted bool, actual bool) (
  SFUNC = binary_metrics_trans,
  STYPE = binary_metrics_state,
  COMBINEFUNC = binary_metrics_combine,
  FINALFUNC = binary_metrics_final,
  MSFUNC = binary_metrics_trans,
  MINVFUNC = binary_metrics_inv,
  MSTYPE = binary_metrics_state,
  MFINALFUNC = binary_metrics_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE binary_metrics(bool, bool) IS
  'Confusion counts, accuracy, precision, recall and F1 of boolean predictions (positive = true); '
  'pairs with a NULL side are skipped';

CREATE AGGREGATE binary_metrics(score float8, actual bool, threshold float8) (
  SFUNC = binary_metrics_trans,
  STYPE = binary_metrics_state,
  COMBINEFUNC = binary_metrics_combine,
  FINALFUNC = binary_metrics_final,
  MSFUNC = binary_metrics_trans,
  MINVFUNC = binary_metrics_inv,
  MSTYPE = binary_metrics_state,
  MFINALFUNC = binary_metrics_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE binary_metrics(float8, bool, float8) IS
  'binary_metrics of scores: score >= threshold counts as a positive prediction; '
  'a NULL or NaN threshold is an error, NULL pairs and NaN scores are skipped';

-- ---- regression_metrics ---------------------------------------------------

CREATE FUNCTION regression_metrics_trans(regression_metrics_state, float8, float8)
  RETURNS regression_metrics_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION regression_metrics_inv(regression_metrics_state, float8, float8)
  RETURNS regression_metrics_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION regression_metrics_combine(regression_metrics_state, regression_metrics_state)
  RETURNS regression_metrics_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION regression_metrics_final(regression_metrics_state)
  RETURNS regression_metrics_result AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION regression_metrics_trans(regression_metrics_state, float8, float8) IS
  'State function of regression_metrics';
COMMENT ON FUNCTION regression_metrics_inv(regression_metrics_state, float8, float8) IS
  'Inverse (moving-window) state function of regression_metrics; NULL asks for a recomputation';
COMMENT ON FUNCTION regression_metrics_combine(regression_metrics_state, regression_metrics_state) IS
  'Combine function of regression_metrics';
COMMENT ON FUNCTION regression_metrics_final(regression_metrics_state) IS
  'Final function of regression_metrics';

CREATE AGGREGATE regression_metrics(predicted float8, actual float8) (
  SFUNC = regression_metrics_trans,
  STYPE = regression_metrics_state,
  COMBINEFUNC = regression_metrics_combine,
  FINALFUNC = regression_metrics_final,
  MSFUNC = regression_metrics_trans,
  MINVFUNC = regression_metrics_inv,
  MSTYPE = regression_metrics_state,
  MFINALFUNC = regression_metrics_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE regression_metrics(float8, float8) IS
  'mse, rmse, mae, mape, r2 and bias of numeric predictions (scikit-learn definitions); '
  'pairs with a NULL or NaN side are skipped';

-- ---- log_loss and brier_score ---------------------------------------------

CREATE FUNCTION log_loss_trans(metric_mean_state, float8, bool)
  RETURNS metric_mean_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION log_loss_inv(metric_mean_state, float8, bool)
  RETURNS metric_mean_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION brier_score_trans(metric_mean_state, float8, bool)
  RETURNS metric_mean_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION brier_score_inv(metric_mean_state, float8, bool)
  RETURNS metric_mean_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION metric_mean_combine(metric_mean_state, metric_mean_state)
  RETURNS metric_mean_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION metric_mean_final(metric_mean_state)
  RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION log_loss_trans(metric_mean_state, float8, bool) IS
  'State function of log_loss';
COMMENT ON FUNCTION log_loss_inv(metric_mean_state, float8, bool) IS
  'Inverse (moving-window) state function of log_loss';
COMMENT ON FUNCTION brier_score_trans(metric_mean_state, float8, bool) IS
  'State function of brier_score';
COMMENT ON FUNCTION brier_score_inv(metric_mean_state, float8, bool) IS
  'Inverse (moving-window) state function of brier_score';
COMMENT ON FUNCTION metric_mean_combine(metric_mean_state, metric_mean_state) IS
  'Combine function of log_loss and brier_score';
COMMENT ON FUNCTION metric_mean_final(metric_mean_state) IS
  'Final function of log_loss and brier_score: the mean loss';

CREATE AGGREGATE log_loss(probability float8, actual bool) (
  SFUNC = log_loss_trans,
  STYPE = metric_mean_state,
  COMBINEFUNC = metric_mean_combine,
  FINALFUNC = metric_mean_final,
  MSFUNC = log_loss_trans,
  MINVFUNC = log_loss_inv,
  MSTYPE = metric_mean_state,
  MFINALFUNC = metric_mean_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE log_loss(float8, bool) IS
  'Mean cross-entropy of predicted probabilities of true (scikit-learn 1.2: clipped to '
  '[eps, 1 - eps], eps = 2.220446049250313e-16)';

CREATE AGGREGATE brier_score(probability float8, actual bool) (
  SFUNC = brier_score_trans,
  STYPE = metric_mean_state,
  COMBINEFUNC = metric_mean_combine,
  FINALFUNC = metric_mean_final,
  MSFUNC = brier_score_trans,
  MINVFUNC = brier_score_inv,
  MSTYPE = metric_mean_state,
  MFINALFUNC = metric_mean_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE brier_score(float8, bool) IS
  'Mean squared difference between the predicted probability of true and the outcome '
  '(a probability outside [0, 1] is an error)';

-- ---- roc_auc ---------------------------------------------------------------

CREATE FUNCTION roc_auc_trans(roc_state, float8, bool)
  RETURNS roc_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION roc_auc_inv(roc_state, float8, bool)
  RETURNS roc_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION roc_auc_combine(roc_state, roc_state)
  RETURNS roc_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION roc_auc_final(roc_state)
  RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION roc_auc_trans(roc_state, float8, bool) IS 'State function of roc_auc';
COMMENT ON FUNCTION roc_auc_inv(roc_state, float8, bool) IS
  'Inverse (moving-window) state function of roc_auc';
COMMENT ON FUNCTION roc_auc_combine(roc_state, roc_state) IS
  'Combine function of roc_auc: merges the per-score counts';
COMMENT ON FUNCTION roc_auc_final(roc_state) IS 'Final function of roc_auc';

CREATE AGGREGATE roc_auc(score float8, actual bool) (
  SFUNC = roc_auc_trans,
  STYPE = roc_state,
  COMBINEFUNC = roc_auc_combine,
  FINALFUNC = roc_auc_final,
  MSFUNC = roc_auc_trans,
  MINVFUNC = roc_auc_inv,
  MSTYPE = roc_state,
  MFINALFUNC = roc_auc_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE roc_auc(float8, bool) IS
  'Exact area under the ROC curve (ties count one half; NULL with one class only); '
  'over a moving frame each row costs O(distinct scores in the frame)';

-- ---- multiclass_metrics ---------------------------------------------------

CREATE FUNCTION multiclass_metrics_trans(multiclass_metrics_state, text, text)
  RETURNS multiclass_metrics_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION multiclass_metrics_inv(multiclass_metrics_state, text, text)
  RETURNS multiclass_metrics_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION multiclass_metrics_combine(multiclass_metrics_state, multiclass_metrics_state)
  RETURNS multiclass_metrics_state AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION multiclass_metrics_final(multiclass_metrics_state)
  RETURNS multiclass_metrics_result AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION multiclass_metrics_trans(multiclass_metrics_state, text, text) IS
  'State function of multiclass_metrics';
COMMENT ON FUNCTION multiclass_metrics_inv(multiclass_metrics_state, text, text) IS
  'Inverse (moving-window) state function of multiclass_metrics';
COMMENT ON FUNCTION multiclass_metrics_combine(multiclass_metrics_state, multiclass_metrics_state) IS
  'Combine function of multiclass_metrics';
COMMENT ON FUNCTION multiclass_metrics_final(multiclass_metrics_state) IS
  'Final function of multiclass_metrics';

CREATE AGGREGATE multiclass_metrics(predicted text, actual text) (
  SFUNC = multiclass_metrics_trans,
  STYPE = multiclass_metrics_state,
  COMBINEFUNC = multiclass_metrics_combine,
  FINALFUNC = multiclass_metrics_final,
  MSFUNC = multiclass_metrics_trans,
  MINVFUNC = multiclass_metrics_inv,
  MSTYPE = multiclass_metrics_state,
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
  baseline_name text NOT NULL REFERENCES drift.baselines (name)
                  ON DELETE CASCADE ON UPDATE CASCADE,
  metric        text NOT NULL,
  value         float8,
  PRIMARY KEY (baseline_name, metric)
);
COMMENT ON TABLE drift.baseline_metrics IS
  'Model-quality metrics measured on each baseline''s data (drift.capture_baseline_metrics), '
  'the reference that monitors compare current quality with; NULL where undefined';

SELECT pg_catalog.pg_extension_config_dump('drift.baseline_metrics', '');

ALTER TABLE drift.baseline_metrics ENABLE ROW LEVEL SECURITY;
CREATE POLICY baseline_metrics_by_owner ON drift.baseline_metrics
  USING (EXISTS (SELECT 1 FROM drift.baselines b
                  WHERE b.name OPERATOR(pg_catalog.=) baseline_name));
GRANT SELECT, INSERT, UPDATE, DELETE ON drift.baseline_metrics TO PUBLIC;

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
  v_type    oid;
  v_typtype "char";
  v_typcat  "char";
  v_base    oid;
BEGIN
  IF v_name IS NULL OR v_source IS NULL OR v_pred IS NULL OR v_label IS NULL THEN
    RAISE EXCEPTION 'baseline name, source, prediction and label columns must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM drift.baselines b WHERE b.name = v_name) THEN
    RAISE EXCEPTION 'baseline "%" does not exist', v_name
      USING ERRCODE = 'undefined_object',
            HINT = 'Capture the baseline first with drift.capture_baseline.';
  END IF;

  -- The kind of model from the two columns' (domain base) type categories.
  FOREACH v_col IN ARRAY ARRAY[v_pred, v_label] LOOP
    SELECT a.atttypid, v_types || format_type(a.atttypid, a.atttypmod) INTO v_type, v_types
      FROM pg_attribute a
     WHERE a.attrelid = v_source AND a.attname = v_col AND a.attnum > 0 AND NOT a.attisdropped;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'column "%" does not exist in %', v_col, v_source
        USING ERRCODE = 'undefined_column',
              HINT = 'Name columns exactly as the relation spells them (case matters).';
    END IF;
    LOOP
      SELECT t.typtype, t.typcategory, t.typbasetype INTO v_typtype, v_typcat, v_base
        FROM pg_type t WHERE t.oid = v_type;
      EXIT WHEN v_typtype <> 'd';
      v_type := v_base;
    END LOOP;
    v_cats := v_cats || CASE WHEN v_typcat = 'B' THEN 'bool'
                             WHEN v_typcat = 'N' THEN 'number'
                             WHEN v_typcat IN ('S', 'E') THEN 'label'
                             ELSE format_type(v_type, NULL) END;
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

  DELETE FROM drift.baseline_metrics m WHERE m.baseline_name = v_name;
  INSERT INTO drift.baseline_metrics (baseline_name, metric, value)
    SELECT v_name, j.key, (j.value)::float8 FROM jsonb_each_text(v_result) j;
  RETURN QUERY
    SELECT m.metric, m.value FROM drift.baseline_metrics m
     WHERE m.baseline_name = v_name ORDER BY m.metric;
END
$fn$;
COMMENT ON FUNCTION drift.capture_baseline_metrics(text, regclass, text, text, text) IS
  'Measure the model''s quality on a baseline''s data (kind from the column types: binary, '
  'scores, regression or multiclass) and store one row per metric in drift.baseline_metrics';
-- ---------------------------------------------------------------------------
-- Monitors: catalog tables, the metric registry, and the management API
-- ---------------------------------------------------------------------------
--
-- A monitor is a check that runs on a schedule (src/scheduler.c) or on demand
-- (drift.run_monitor, drift.run_due_monitors); each run writes drift.results
-- rows and, on a state change worth telling someone about, drift.alerts rows
-- and a NOTIFY.  The code that runs a check is in 71_monitor_run.sql.

-- The metric registry: how each metric a monitor may name turns into SQL.
-- Metrics that land later plug in with one row.  Templates are SQL expressions
-- in which these tokens are replaced when the check is built:
--   {value}    the monitored column, quoted (t."col")
--   {value2}   the second column (label_column: actual label, or target)
--   {baseline} $3, the baseline's name;  {column} $4, the baseline column
--   {profile}  $5, the previous window's profile (compare_to previous_window)
-- An expression yields either a drift_result-shaped composite (statistic,
-- p_value, n_baseline, n_current) or a plain number (the statistic).
CREATE TABLE drift.metrics (
  name               text PRIMARY KEY,
  kind               text NOT NULL CHECK (kind IN ('drift', 'integrity', 'model')),
  function_name      text NOT NULL,
  column_kind        text NOT NULL CHECK (column_kind IN ('numeric', 'categorical', 'boolean')),
  expression         text NOT NULL,
  profile_expression text,
  profile_source     text,
  needs_baseline     boolean NOT NULL,
  needs_label        boolean NOT NULL DEFAULT false,
  label_kind         text CHECK (label_kind IN ('numeric', 'categorical', 'boolean')),
  comparison         text NOT NULL CHECK (comparison IN ('p_value', 'above', 'bounds')),
  default_threshold  float8,
  description        text NOT NULL
);
COMMENT ON TABLE drift.metrics IS
  'Registry of metrics a monitor can run: the SQL expression for each, how a breach is '
  'judged (p_value below threshold, statistic above threshold, or outside bounds)';
GRANT SELECT ON drift.metrics TO PUBLIC;

INSERT INTO drift.metrics (name, kind, function_name, column_kind, expression,
                           profile_expression, profile_source, needs_baseline, needs_label,
                           comparison, default_threshold, description) VALUES
  ('ks', 'drift', 'ks_drift', 'numeric',
   '@extschema@.ks_drift({value}::float8, {baseline}, {column})',
   '@extschema@.ks_drift({value}::float8, {profile})',
   '@extschema@.drift_profile_agg({value}::float8)', true, false, 'p_value', 0.05,
   'Two-sample Kolmogorov-Smirnov test; breach when p_value < threshold'),
  ('psi', 'drift', 'psi_drift', 'numeric',
   '@extschema@.psi_drift({value}::float8, {baseline}, {column})',
   '@extschema@.psi_drift({value}::float8, {profile})',
   '@extschema@.drift_profile_agg({value}::float8)', true, false, 'above', 0.2,
   'Population stability index; breach when statistic > threshold'),
  ('js', 'drift', 'js_drift', 'numeric',
   '@extschema@.js_drift({value}::float8, {baseline}, {column})',
   '@extschema@.js_drift({value}::float8, {profile})',
   '@extschema@.drift_profile_agg({value}::float8)', true, false, 'above', 0.1,
   'Jensen-Shannon distance; breach when statistic > threshold'),
  ('hellinger', 'drift', 'hellinger_drift', 'numeric',
   '@extschema@.hellinger_drift({value}::float8, {baseline}, {column})',
   '@extschema@.hellinger_drift({value}::float8, {profile})',
   '@extschema@.drift_profile_agg({value}::float8)', true, false, 'above', 0.1,
   'Hellinger distance; breach when statistic > threshold'),
  ('kl', 'drift', 'kl_drift', 'numeric',
   '@extschema@.kl_drift({value}::float8, {baseline}, {column})',
   '@extschema@.kl_drift({value}::float8, {profile})',
   '@extschema@.drift_profile_agg({value}::float8)', true, false, 'above', 0.1,
   'Kullback-Leibler divergence; breach when statistic > threshold'),
  ('wasserstein', 'drift', 'wasserstein_drift', 'numeric',
   '@extschema@.wasserstein_drift({value}::float8, {baseline}, {column})',
   '@extschema@.wasserstein_drift({value}::float8, {profile})',
   '@extschema@.drift_profile_agg({value}::float8)', true, false, 'above', NULL,
   'Wasserstein-1 distance (in the column''s units); breach when statistic > threshold'),
  ('zscore', 'drift', 'zscore_drift', 'numeric',
   '@extschema@.zscore_drift({value}::float8, {baseline}, {column})',
   '@extschema@.zscore_drift({value}::float8, {profile})',
   '@extschema@.drift_profile_agg({value}::float8)', true, false, 'p_value', 0.05,
   'Mean-shift z-test; breach when p_value < threshold'),
  ('chi2', 'drift', 'chi2_drift', 'categorical',
   '@extschema@.chi2_drift({value}::text, {baseline}, {column})',
   '@extschema@.chi2_drift({value}::text, {profile})',
   '@extschema@.drift_profile_agg({value}::text)', true, false, 'p_value', 0.05,
   'Chi-square test of category counts; breach when p_value < threshold'),
  ('tvd', 'drift', 'tvd_drift', 'categorical',
   '@extschema@.tvd_drift({value}::text, {baseline}, {column})',
   '@extschema@.tvd_drift({value}::text, {profile})',
   '@extschema@.drift_profile_agg({value}::text)', true, false, 'above', 0.1,
   'Total variation distance of category shares; breach when statistic > threshold'),
  ('linf', 'drift', 'linf_drift', 'categorical',
   '@extschema@.linf_drift({value}::text, {baseline}, {column})',
   '@extschema@.linf_drift({value}::text, {profile})',
   '@extschema@.drift_profile_agg({value}::text)', true, false, 'above', 0.1,
   'L-infinity distance of category shares; breach when statistic > threshold'),
  ('null_rate', 'integrity', 'null_rate_drift', 'numeric',
   '@extschema@.null_rate_drift({value}::float8, {baseline}, {column})',
   NULL, NULL, true, false, 'p_value', 0.05,
   'Change of the NULL rate against the baseline; breach when p_value < threshold'),
  ('out_of_range', 'integrity', 'out_of_range_share', 'numeric',
   '@extschema@.out_of_range_share({value}::float8, {baseline}, {column})',
   NULL, NULL, true, false, 'above', 0.01,
   'Share of values outside the baseline''s [min, max]; breach when statistic > threshold'),
  ('unseen_categories', 'integrity', 'unseen_category_share', 'categorical',
   '@extschema@.unseen_category_share({value}::text, {baseline}, {column})',
   NULL, NULL, true, false, 'above', 0.01,
   'Share of categories the baseline never saw; breach when statistic > threshold'),
  ('corr', 'drift', 'corr_drift', 'numeric',
   '@extschema@.corr_drift({value}::float8, {value2}::float8, {baseline}, {column})',
   NULL, NULL, true, true, 'p_value', 0.05,
   'Change of the feature''s correlation with the target (Fisher z); breach when p_value < threshold'),
  ('accuracy', 'model', 'binary_metrics', 'boolean',
   '(@extschema@.binary_metrics({value}::boolean, {value2}::boolean)).accuracy',
   NULL, NULL, false, true, 'bounds', NULL, 'Binary accuracy; breach outside [lower_bound, upper_bound]'),
  ('precision', 'model', 'binary_metrics', 'boolean',
   '(@extschema@.binary_metrics({value}::boolean, {value2}::boolean)).precision',
   NULL, NULL, false, true, 'bounds', NULL, 'Binary precision; breach outside [lower_bound, upper_bound]'),
  ('recall', 'model', 'binary_metrics', 'boolean',
   '(@extschema@.binary_metrics({value}::boolean, {value2}::boolean)).recall',
   NULL, NULL, false, true, 'bounds', NULL, 'Binary recall; breach outside [lower_bound, upper_bound]'),
  ('f1', 'model', 'binary_metrics', 'boolean',
   '(@extschema@.binary_metrics({value}::boolean, {value2}::boolean)).f1',
   NULL, NULL, false, true, 'bounds', NULL, 'Binary F1 score; breach outside [lower_bound, upper_bound]'),
  ('mse', 'model', 'regression_metrics', 'numeric',
   '(@extschema@.regression_metrics({value}::float8, {value2}::float8)).mse',
   NULL, NULL, false, true, 'bounds', NULL, 'Mean squared error; breach outside [lower_bound, upper_bound]'),
  ('mae', 'model', 'regression_metrics', 'numeric',
   '(@extschema@.regression_metrics({value}::float8, {value2}::float8)).mae',
   NULL, NULL, false, true, 'bounds', NULL, 'Mean absolute error; breach outside [lower_bound, upper_bound]'),
  ('r2', 'model', 'regression_metrics', 'numeric',
   '(@extschema@.regression_metrics({value}::float8, {value2}::float8)).r2',
   NULL, NULL, false, true, 'bounds', NULL, 'Coefficient of determination; breach outside [lower_bound, upper_bound]'),
  ('roc_auc', 'model', 'roc_auc', 'numeric',
   '@extschema@.roc_auc({value}::float8, {value2}::boolean)',
   NULL, NULL, false, true, 'bounds', NULL, 'Area under the ROC curve; breach outside [lower_bound, upper_bound]'),
  ('log_loss', 'model', 'log_loss', 'numeric',
   '@extschema@.log_loss({value}::float8, {value2}::boolean)',
   NULL, NULL, false, true, 'bounds', NULL, 'Logarithmic loss; breach outside [lower_bound, upper_bound]'),
  ('brier', 'model', 'brier_score', 'numeric',
   '@extschema@.brier_score({value}::float8, {value2}::boolean)',
   NULL, NULL, false, true, 'bounds', NULL, 'Brier score; breach outside [lower_bound, upper_bound]');
UPDATE drift.metrics SET label_kind = CASE WHEN name IN ('mse', 'mae', 'r2', 'corr')
                                          THEN 'numeric' ELSE 'boolean' END
 WHERE needs_label;

-- The monitors themselves.  relation_oid follows renames; relation_name is
-- kept so that a dump restored with new OIDs can be re-resolved by name.
CREATE TABLE drift.monitors (
  monitor_id           bigserial PRIMARY KEY,
  name                 text NOT NULL UNIQUE,
  owner                name NOT NULL DEFAULT current_user,
  relation_oid         oid NOT NULL,
  relation_name        text NOT NULL,
  metric               text NOT NULL REFERENCES drift.metrics (name),
  column_name          text NOT NULL,
  label_column         text,
  baseline             text,
  threshold            float8,
  lower_bound          float8,
  upper_bound          float8,
  min_effect           float8,
  time_column          text,
  window_size          interval,
  schedule             interval NOT NULL CHECK (schedule >= interval '1 second'),
  filter               text,
  slice_by             text[],
  min_rows             bigint NOT NULL DEFAULT 1 CHECK (min_rows >= 1),
  channel              text NOT NULL DEFAULT 'pg_drift' CHECK (channel <> ''),
  compare_to           text NOT NULL DEFAULT 'baseline'
                         CHECK (compare_to IN ('baseline', 'previous_window')),
  fire_after           integer NOT NULL DEFAULT 1 CHECK (fire_after >= 1),
  max_retries          integer NOT NULL DEFAULT 3 CHECK (max_retries >= 0),
  paused               boolean NOT NULL DEFAULT false,
  next_run             timestamptz NOT NULL DEFAULT pg_catalog.now(),
  last_run             timestamptz,
  consecutive_failures integer NOT NULL DEFAULT 0,
  state                text NOT NULL DEFAULT 'new',
  slice_state          jsonb NOT NULL DEFAULT '{}',
  created_at           timestamptz NOT NULL DEFAULT pg_catalog.now(),
  CHECK ((time_column IS NULL) = (window_size IS NULL)),
  CHECK (window_size IS NULL OR window_size > interval '0')
);
CREATE INDEX monitors_due ON drift.monitors (next_run) WHERE NOT paused;
COMMENT ON TABLE drift.monitors IS
  'Scheduled checks (drift.create_monitor): what to compute over which rows, how often, '
  'when to alert, and each monitor''s current state per slice';

CREATE TABLE drift.results (
  result_id     bigserial PRIMARY KEY,
  monitor_id    bigint NOT NULL REFERENCES drift.monitors ON DELETE CASCADE,
  monitor       text NOT NULL,
  run_at        timestamptz NOT NULL,
  scheduled_for timestamptz,
  window_start  timestamptz,
  window_end    timestamptz,
  slice         jsonb NOT NULL DEFAULT '{}',
  metric        text NOT NULL,
  statistic     float8,
  p_value       float8,
  threshold     float8,
  n_baseline    bigint,
  n_current     bigint,
  state         text NOT NULL CHECK (state IN ('ok', 'firing', 'pending', 'resolved',
                                               'error', 'insufficient_data')),
  error         text
);
CREATE INDEX results_by_monitor ON drift.results (monitor_id, run_at);
CREATE INDEX results_by_time ON drift.results (run_at);
COMMENT ON TABLE drift.results IS
  'History: one row per monitor run and slice, kept for pg_drift.result_retention';

CREATE TABLE drift.alerts (
  alert_id   bigserial PRIMARY KEY,
  monitor_id bigint NOT NULL REFERENCES drift.monitors ON DELETE CASCADE,
  result_id  bigint,
  channel    text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
  payload    jsonb NOT NULL,
  -- the writing transaction: alert ids are not in commit order (runs commit
  -- in any order), so a listener catching up also reads the alerts of
  -- transactions that were still running when it last looked
  xact_id    xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id()
);
CREATE INDEX alerts_by_channel ON drift.alerts (channel, alert_id);
CREATE INDEX alerts_by_xact ON drift.alerts (channel, xact_id);
COMMENT ON TABLE drift.alerts IS
  'Every alert also sent with NOTIFY, written in the same transaction, so that a listener '
  'that was down catches up (pg_drift_listen --since-id, --state-file)';

-- pg_dump keeps the monitors and their history.
SELECT pg_catalog.pg_extension_config_dump('drift.monitors', '');
SELECT pg_catalog.pg_extension_config_dump('drift.monitors_monitor_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('drift.results', '');
SELECT pg_catalog.pg_extension_config_dump('drift.results_result_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('drift.alerts', '');
SELECT pg_catalog.pg_extension_config_dump('drift.alerts_alert_id_seq', '');

-- Row-level security: a role sees its own monitors and their history; members
-- of drift_admin (and superusers) see everyone's.  Results and alerts can be
-- written only for a monitor whose owner the writer may act as, naming that
-- monitor, so nobody can forge another role's alerts.
ALTER TABLE drift.monitors ENABLE ROW LEVEL SECURITY;
ALTER TABLE drift.results ENABLE ROW LEVEL SECURITY;
ALTER TABLE drift.alerts ENABLE ROW LEVEL SECURITY;
CREATE POLICY monitors_by_owner ON drift.monitors
  USING (owner OPERATOR(pg_catalog.=) current_user
         OR pg_catalog.pg_has_role(current_user, 'drift_admin', 'MEMBER'))
  WITH CHECK (owner OPERATOR(pg_catalog.=) current_user
              OR pg_catalog.pg_has_role(current_user, 'drift_admin', 'MEMBER'));
CREATE POLICY results_read ON drift.results FOR SELECT
  USING (EXISTS (SELECT 1 FROM drift.monitors m
                  WHERE m.monitor_id OPERATOR(pg_catalog.=) results.monitor_id));
CREATE POLICY results_delete ON drift.results FOR DELETE
  USING (EXISTS (SELECT 1 FROM drift.monitors m
                  WHERE m.monitor_id OPERATOR(pg_catalog.=) results.monitor_id));
CREATE POLICY results_write ON drift.results FOR INSERT
  WITH CHECK (EXISTS (SELECT 1 FROM drift.monitors m
                       WHERE m.monitor_id OPERATOR(pg_catalog.=) results.monitor_id
                         AND m.name OPERATOR(pg_catalog.=) results.monitor
                         AND pg_catalog.pg_has_role(current_user, m.owner, 'MEMBER')));
CREATE POLICY alerts_read ON drift.alerts FOR SELECT
  USING (EXISTS (SELECT 1 FROM drift.monitors m
                  WHERE m.monitor_id OPERATOR(pg_catalog.=) alerts.monitor_id));
CREATE POLICY alerts_delete ON drift.alerts FOR DELETE
  USING (EXISTS (SELECT 1 FROM drift.monitors m
                  WHERE m.monitor_id OPERATOR(pg_catalog.=) alerts.monitor_id));
CREATE POLICY alerts_write ON drift.alerts FOR INSERT
  WITH CHECK (EXISTS (SELECT 1 FROM drift.monitors m
                       WHERE m.monitor_id OPERATOR(pg_catalog.=) alerts.monitor_id
                         AND m.name OPERATOR(pg_catalog.=) (alerts.payload OPERATOR(pg_catalog.->>) 'monitor')
                         AND m.channel OPERATOR(pg_catalog.=) alerts.channel
                         AND pg_catalog.pg_has_role(current_user, m.owner, 'MEMBER')));
GRANT SELECT, INSERT, UPDATE, DELETE ON drift.monitors TO PUBLIC;
GRANT SELECT, INSERT, DELETE ON drift.results, drift.alerts TO PUBLIC;
GRANT USAGE ON SEQUENCE drift.monitors_monitor_id_seq, drift.results_result_id_seq,
               drift.alerts_alert_id_seq TO PUBLIC;

-- What a monitor reads, and as whom, may be set only by a role that may act
-- as its owner: otherwise a drift_admin member (who may see and pause every
-- monitor) could point someone else's monitor at that role's tables.
CREATE FUNCTION drift._monitors_guard() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  IF TG_OP = 'INSERT'
     OR NEW.owner IS DISTINCT FROM OLD.owner
     OR NEW.relation_oid IS DISTINCT FROM OLD.relation_oid
     OR NEW.relation_name IS DISTINCT FROM OLD.relation_name
     OR NEW.metric IS DISTINCT FROM OLD.metric
     OR NEW.column_name IS DISTINCT FROM OLD.column_name
     OR NEW.label_column IS DISTINCT FROM OLD.label_column
     OR NEW.baseline IS DISTINCT FROM OLD.baseline
     OR NEW.time_column IS DISTINCT FROM OLD.time_column
     OR NEW.filter IS DISTINCT FROM OLD.filter
     OR NEW.slice_by IS DISTINCT FROM OLD.slice_by
     OR NEW.channel IS DISTINCT FROM OLD.channel THEN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = NEW.owner) THEN
      RAISE EXCEPTION 'role "%" does not exist', NEW.owner
        USING ERRCODE = 'undefined_object';
    END IF;
    IF NOT pg_has_role(current_user, NEW.owner, 'MEMBER') THEN
      RAISE EXCEPTION 'permission denied to define a monitor owned by role "%"', NEW.owner
        USING ERRCODE = 'insufficient_privilege',
              DETAIL = 'A monitor reads data with its owner''s privileges.',
              HINT = 'Only the owner (or a member of the owner''s role) may set what a monitor reads.';
    END IF;
  END IF;
  RETURN NEW;
END
$fn$;
COMMENT ON FUNCTION drift._monitors_guard() IS
  'Trigger: only a role that may act as a monitor''s owner may set what the monitor reads';
CREATE TRIGGER monitors_guard BEFORE INSERT OR UPDATE ON drift.monitors
  FOR EACH ROW EXECUTE FUNCTION drift._monitors_guard();

-- Settings read by SQL code: the GUC when the library has defined it, else
-- the documented default (the library is loaded by any C function call).
CREATE FUNCTION drift._setting(setting text, fallback text) RETURNS text
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT coalesce(nullif(current_setting('pg_drift.' || setting, true), ''), fallback)
$fn$;
COMMENT ON FUNCTION drift._setting(text, text) IS
  'A pg_drift setting, or its default when the library is not loaded yet';

-- Wake the background scheduler of this database (no-op without the preload).
CREATE FUNCTION drift._wake_scheduler() RETURNS void
  AS 'MODULE_PATHNAME', 'drift_wake_scheduler' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION drift._wake_scheduler() IS
  'Tell the background worker that a monitor changed, so it re-reads the schedule now';

-- Arm and restore the statement timeout around one check.
CREATE FUNCTION drift._arm_timeout() RETURNS void
  AS 'MODULE_PATHNAME', 'drift_arm_timeout' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION drift._arm_timeout() IS
  'Start pg_drift.monitor_timeout for the check about to run (keeps an earlier deadline)';
CREATE FUNCTION drift._disarm_timeout() RETURNS void
  AS 'MODULE_PATHNAME', 'drift_disarm_timeout' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION drift._disarm_timeout() IS
  'Restore the statement timeout that was active before drift._arm_timeout';

-- Run a monitor's query as its owner (see monitor.c for why this is C).
CREATE FUNCTION drift._exec_as_owner(owner name, query text, window_start timestamptz,
                                     window_end timestamptz, baseline text, column_name text,
                                     previous_start timestamptz,
                                     OUT slice jsonb, OUT n_rows bigint, OUT r jsonb)
  RETURNS SETOF record
  AS 'MODULE_PATHNAME', 'drift_exec_as_owner' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION drift._exec_as_owner(name, text, timestamptz, timestamptz, text, text,
                                         timestamptz) IS
  'Run a monitor query with its owner''s privileges (caller must be able to act as the owner)';
-- ---------------------------------------------------------------------------
-- Monitors: validation and the management functions
-- ---------------------------------------------------------------------------

-- The base type of a column, through domains, classified the way the metric
-- registry speaks of columns.  NULL when the column does not exist.
CREATE FUNCTION drift._column_kind(rel oid, col text) RETURNS text
  LANGUAGE sql STABLE
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
              WHEN b.typcategory = 'N' THEN 'numeric'
              WHEN b.typcategory = 'S' OR b.typtype = 'e' THEN 'categorical'
              WHEN b.typcategory = 'D' THEN 'time'
              ELSE 'other' END
    FROM base b WHERE b.typtype <> 'd'
$fn$;
COMMENT ON FUNCTION drift._column_kind(oid, text) IS
  'numeric, categorical, boolean, time or other for a column of a relation (NULL if absent)';

-- Validate a monitor definition; raise a clear error for the first problem.
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
  k := drift._column_kind(m.relation_oid, m.column_name);
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
    k := drift._column_kind(m.relation_oid, m.label_column);
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
    IF NOT EXISTS (SELECT 1 FROM drift.baselines b WHERE b.name = m.baseline) THEN
      RAISE EXCEPTION 'baseline "%" does not exist', m.baseline
        USING ERRCODE = 'undefined_object';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM drift.baseline_columns c
                    WHERE c.baseline_name = m.baseline AND c.column_name = m.column_name) THEN
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
    k := drift._column_kind(m.relation_oid, m.time_column);
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
    IF col IS NULL OR drift._column_kind(m.relation_oid, col) IS NULL THEN
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
  -- without running it.
  BEGIN
    EXECUTE 'EXPLAIN ' || drift._monitor_query(m)
      USING now(), now(), m.baseline, m.column_name, now();
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
  expr := replace(expr, '{value}', format('t.%I', m.column_name));
  IF m.label_column IS NOT NULL THEN
    expr := replace(expr, '{value2}', format('t.%I', m.label_column));
  END IF;
  expr := replace(expr, '{baseline}', '$3::text');
  expr := replace(expr, '{column}', '$4::text');
  expr := replace(expr, '{profile}', 'prev.p');

  IF m.compare_to = 'previous_window' THEN
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
COMMENT ON FUNCTION drift._monitor_query(drift.monitors) IS
  'The SQL a monitor runs: quoted identifiers, values as $n parameters, one row per slice';

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
    paused       boolean  DEFAULT false)
  RETURNS bigint
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m   drift.monitors;
  met drift.metrics;
  id  bigint;
BEGIN
  IF create_monitor.relation IS NULL THEN
    RAISE EXCEPTION 'relation must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF create_monitor.compare_to IS NULL
     OR create_monitor.compare_to NOT IN ('baseline', 'previous_window') THEN
    RAISE EXCEPTION 'compare_to must be ''baseline'' or ''previous_window'''
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF create_monitor.fire_after IS NULL OR create_monitor.fire_after < 1
     OR create_monitor.max_retries IS NULL OR create_monitor.max_retries < 0
     OR create_monitor.min_rows IS NULL OR create_monitor.min_rows < 1 THEN
    RAISE EXCEPTION 'fire_after and min_rows must be at least 1, max_retries at least 0'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF create_monitor.channel IS NULL OR create_monitor.channel = ''
     OR octet_length(create_monitor.channel) >= 64 THEN
    RAISE EXCEPTION 'channel must be a non-empty name shorter than 64 bytes'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF EXISTS (SELECT 1 FROM drift.monitors x WHERE x.name = create_monitor.name) THEN
    RAISE EXCEPTION 'monitor "%" already exists', create_monitor.name
      USING ERRCODE = 'duplicate_object';
  END IF;
  SELECT * INTO met FROM drift.metrics x WHERE x.name = create_monitor.metric;

  m.name := create_monitor.name;
  m.owner := coalesce(create_monitor.owner, current_user);
  m.relation_oid := create_monitor.relation;
  m.relation_name := create_monitor.relation::text;
  m.metric := create_monitor.metric;
  m.column_name := create_monitor.column_name;
  m.label_column := create_monitor.label_column;
  m.baseline := create_monitor.baseline;
  m.threshold := coalesce(create_monitor.threshold, met.default_threshold);
  m.lower_bound := create_monitor.lower_bound;
  m.upper_bound := create_monitor.upper_bound;
  m.min_effect := create_monitor.min_effect;
  m.time_column := create_monitor.time_column;
  m.window_size := create_monitor.window_size;
  m.schedule := create_monitor.schedule;
  m.filter := create_monitor.filter;
  m.slice_by := nullif(create_monitor.slice_by, '{}');
  m.min_rows := create_monitor.min_rows;
  m.channel := create_monitor.channel;
  m.compare_to := create_monitor.compare_to;
  m.fire_after := create_monitor.fire_after;
  m.max_retries := create_monitor.max_retries;
  m.paused := coalesce(create_monitor.paused, false);
  IF NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = m.owner) THEN
    RAISE EXCEPTION 'role "%" does not exist', m.owner USING ERRCODE = 'undefined_object';
  END IF;
  IF NOT pg_has_role(current_user, m.owner, 'MEMBER') THEN
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
COMMENT ON FUNCTION drift.create_monitor(text, regclass, text, text, text, float8, text, interval,
  interval, text, text[], bigint, text, text, float8, float8, float8, text, integer, integer,
  name, boolean) IS
  'Declare a scheduled check of a relation; validated now, first run as soon as the scheduler '
  'sees it; returns the monitor id';

-- The monitor a caller names, locked for change; errors when not visible.
CREATE FUNCTION drift._get_monitor(monitor_name text) RETURNS drift.monitors
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m drift.monitors;
BEGIN
  SELECT * INTO m FROM drift.monitors x WHERE x.name = monitor_name FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'monitor "%" does not exist', monitor_name
      USING ERRCODE = 'undefined_object',
            HINT = 'drift.monitor_status lists the monitors you can see.';
  END IF;
  RETURN m;
END
$fn$;
COMMENT ON FUNCTION drift._get_monitor(text) IS
  'Look up and lock a monitor visible to the caller, or raise undefined_object';

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
    reset        text[]   DEFAULT NULL)
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
  old := drift._get_monitor(alter_monitor.name);
  IF NOT pg_has_role(current_user, old.owner, 'MEMBER') THEN
    RAISE EXCEPTION 'permission denied to change monitor "%" owned by role "%"',
                    old.name, old.owner
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'A monitor reads data with its owner''s privileges.',
            HINT = 'Members of drift_admin may pause, resume and drop other roles'' monitors.';
  END IF;
  v := to_jsonb(old) || jsonb_strip_nulls(jsonb_build_object(
         'relation_oid', alter_monitor.relation::oid,
         'relation_name', alter_monitor.relation::text,
         'metric', alter_monitor.metric, 'column_name', alter_monitor.column_name,
         'baseline', alter_monitor.baseline, 'threshold', alter_monitor.threshold,
         'time_column', alter_monitor.time_column, 'window_size', alter_monitor.window_size,
         'schedule', alter_monitor.schedule, 'filter', alter_monitor.filter,
         'slice_by', alter_monitor.slice_by, 'min_rows', alter_monitor.min_rows,
         'channel', alter_monitor.channel, 'label_column', alter_monitor.label_column,
         'lower_bound', alter_monitor.lower_bound, 'upper_bound', alter_monitor.upper_bound,
         'min_effect', alter_monitor.min_effect, 'compare_to', alter_monitor.compare_to,
         'fire_after', alter_monitor.fire_after, 'max_retries', alter_monitor.max_retries));
  FOREACH f IN ARRAY coalesce(alter_monitor.reset, '{}') LOOP
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
  IF m.compare_to NOT IN ('baseline', 'previous_window') THEN
    RAISE EXCEPTION 'compare_to must be ''baseline'' or ''previous_window'''
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF m.fire_after < 1 OR m.max_retries < 0 OR m.min_rows < 1 THEN
    RAISE EXCEPTION 'fire_after and min_rows must be at least 1, max_retries at least 0'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF m.channel = '' OR octet_length(m.channel) >= 64 THEN
    RAISE EXCEPTION 'channel must be a non-empty name shorter than 64 bytes'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF m.metric IS DISTINCT FROM old.metric AND alter_monitor.threshold IS NULL
     AND NOT ('threshold' = ANY (coalesce(alter_monitor.reset, '{}'))) THEN
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
COMMENT ON FUNCTION drift.alter_monitor(text, regclass, text, text, text, float8, text, interval,
  interval, text, text[], bigint, text, text, float8, float8, float8, text, integer, integer,
  text[]) IS
  'Change a monitor: NULL arguments keep the current value, reset => ARRAY[...] clears fields';

CREATE FUNCTION drift.pause_monitor(name text) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m drift.monitors := drift._get_monitor(pause_monitor.name);
BEGIN
  UPDATE drift.monitors x SET paused = true WHERE x.monitor_id = m.monitor_id;
END
$fn$;
COMMENT ON FUNCTION drift.pause_monitor(text) IS 'Stop running a monitor until resumed';

CREATE FUNCTION drift.resume_monitor(name text) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m drift.monitors := drift._get_monitor(resume_monitor.name);
BEGIN
  -- a resumed monitor runs once now, not once per slot missed while paused
  UPDATE drift.monitors x SET paused = false, next_run = least(x.next_run, now()),
                              consecutive_failures = 0
   WHERE x.monitor_id = m.monitor_id AND x.paused;
  PERFORM drift._wake_scheduler();
END
$fn$;
COMMENT ON FUNCTION drift.resume_monitor(text) IS
  'Run a paused monitor again (once now, then on its schedule)';

CREATE FUNCTION drift.drop_monitor(name text, if_exists boolean DEFAULT false) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  DELETE FROM drift.monitors x WHERE x.name = drop_monitor.name;
  IF NOT FOUND AND NOT if_exists THEN
    RAISE EXCEPTION 'monitor "%" does not exist', drop_monitor.name
      USING ERRCODE = 'undefined_object';
  END IF;
END
$fn$;
COMMENT ON FUNCTION drift.drop_monitor(text, boolean) IS
  'Delete a monitor with its results and alerts';
-- ---------------------------------------------------------------------------
-- Monitors: one run of a check (shared by the worker, run_monitor and
-- run_due_monitors), alerts, retention and the status view
-- ---------------------------------------------------------------------------

-- An alert's JSON, cut down if needed so that NOTIFY accepts it (payloads
-- must stay under 8000 bytes): long slice values and error texts are
-- shortened first, and in the worst case only the identifying fields remain.
CREATE FUNCTION drift._fit_payload(payload jsonb) RETURNS jsonb
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
                            'alert_id', p->'alert_id', 'result_id', p->'result_id',
                            'truncated', true);
END
$fn$;
COMMENT ON FUNCTION drift._fit_payload(jsonb) IS
  'Shorten an alert payload to stay well under NOTIFY''s 8000-byte limit';

-- Run one monitor now.  The caller must be the monitor's owner or be able to
-- act as it (a member of its role, or a superuser: the worker switches to the
-- owner before calling); the check's query runs as the owner.  With scheduled => true the run
-- happens only if the monitor is still due (another run may have taken it).
-- The check's own failures are recorded as an 'error' result, not raised.
CREATE FUNCTION drift._run_monitor(p_id bigint, p_as_of timestamptz DEFAULT NULL,
                                   p_scheduled boolean DEFAULT false)
  RETURNS SETOF drift.results
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m          drift.monitors;
  met        drift.metrics;
  t_end      timestamptz;
  t_start    timestamptz;
  t_prev     timestamptz;
  due        boolean;
  err        text;
  rel        oid;
  q          text;
  rec        record;
  slices     jsonb[] := '{}';
  nrows      bigint[] := '{}';
  vals       jsonb[] := '{}';
  key        text;
  prev       jsonb;
  st         text;
  breaches   integer;
  stat       float8;
  pval       float8;
  nbase      bigint;
  ncur       bigint;
  breach     boolean;
  res        drift.results;
  outs       drift.results[] := '{}';
  alerts     jsonb[] := '{}';
  alert_ids  bigint[] := '{}';
  sstate     jsonb;
  mstate     text;
  backoff    interval;
  i          integer;
  a          jsonb;
  aid        bigint;
  cap        constant integer := 20;
BEGIN
  SELECT * INTO m FROM drift.monitors x WHERE x.monitor_id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  due := m.next_run <= now() AND NOT m.paused;
  IF p_scheduled AND NOT due THEN
    RETURN;
  END IF;
  -- the check itself runs as the owner (drift._exec_as_owner); the caller
  -- must be able to act as the owner
  IF NOT pg_has_role(current_user, m.owner, 'MEMBER') THEN
    RAISE EXCEPTION 'permission denied to run monitor "%" owned by role "%"', m.name, m.owner
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'A monitor runs with its owner''s privileges.';
  END IF;
  SELECT * INTO met FROM drift.metrics x WHERE x.name = m.metric;

  t_end := coalesce(p_as_of, now());
  t_start := t_end - m.window_size;
  t_prev := t_start - m.window_size;

  BEGIN
    -- follow the relation by OID; after a restore (new OIDs) by name
    rel := (SELECT c.oid FROM pg_class c WHERE c.oid = m.relation_oid);
    IF rel IS NULL THEN
      rel := to_regclass(m.relation_name);
      IF rel IS NULL THEN
        RAISE EXCEPTION 'relation "%" of monitor "%" no longer exists', m.relation_name, m.name
          USING ERRCODE = 'undefined_table';
      END IF;
      m.relation_oid := rel;
      UPDATE drift.monitors x SET relation_oid = rel WHERE x.monitor_id = m.monitor_id;
    END IF;
    IF NOT has_table_privilege(m.owner, rel, 'SELECT') THEN
      RAISE EXCEPTION 'permission denied: role "%" cannot read %', m.owner, rel::regclass
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_proc p WHERE p.proname = met.function_name
                      AND p.pronamespace = '@extschema@'::regnamespace) THEN
      RAISE EXCEPTION 'metric "%" is not available in this database', m.metric
        USING ERRCODE = 'undefined_function';
    END IF;
    q := drift._monitor_query(m);
    PERFORM drift._arm_timeout();
    FOR rec IN SELECT * FROM drift._exec_as_owner(m.owner, q, t_start, t_end, m.baseline,
                                                  m.column_name, t_prev) LOOP
      slices := slices || rec.slice;
      nrows := nrows || rec.n_rows;
      vals := vals || rec.r;
    END LOOP;
    PERFORM drift._disarm_timeout();
  EXCEPTION
    WHEN query_canceled THEN
      PERFORM drift._disarm_timeout();
      IF SQLERRM NOT LIKE '%statement timeout%' THEN
        RAISE;
      END IF;
      err := format('%s (pg_drift.monitor_timeout = %s)', SQLERRM,
                    drift._setting('monitor_timeout', '5min'));
    WHEN OTHERS THEN
      PERFORM drift._disarm_timeout();
      err := SQLERRM;
  END;

  IF err IS NOT NULL THEN
    INSERT INTO drift.results (monitor_id, monitor, run_at, scheduled_for, window_start,
                               window_end, metric, threshold, state, error)
    VALUES (m.monitor_id, m.name, now(), CASE WHEN due THEN m.next_run END,
            CASE WHEN m.window_size IS NOT NULL THEN t_start END,
            CASE WHEN m.window_size IS NOT NULL THEN t_end END,
            m.metric, m.threshold, 'error', err)
    RETURNING * INTO res;
    outs := outs || res;
    alerts := alerts || jsonb_build_object('result_id', res.result_id, 'state', 'error',
                                           'slice', res.slice, 'error', err);
    m.consecutive_failures := m.consecutive_failures + 1;
    mstate := 'error';
    IF due THEN
      -- retry sooner, doubling from 1 s, jittered (x 0.5..1), capped at the schedule
      IF m.consecutive_failures <= m.max_retries THEN
        backoff := least(m.schedule, interval '5 minutes',
                         interval '1 second' * power(2, m.consecutive_failures - 1)
                           * (0.5 + random() / 2));
      ELSE
        backoff := m.schedule;
      END IF;
      m.next_run := now() + backoff;
    END IF;
  ELSE
    sstate := m.slice_state;
    IF cardinality(slices) = 0 THEN
      -- no row at all in the window: one row saying so
      slices := ARRAY['{}'::jsonb];
      nrows := ARRAY[0::bigint];
      vals := ARRAY['null'::jsonb];
    END IF;
    mstate := NULL;
    FOR i IN 1 .. cardinality(slices) LOOP
      key := slices[i]::text;
      prev := coalesce(sstate->key, '{"state": "ok", "breaches": 0}');
      IF jsonb_typeof(vals[i]) = 'object' THEN
        stat := (vals[i]->>'statistic')::float8;
        pval := (vals[i]->>'p_value')::float8;
        nbase := (vals[i]->>'n_baseline')::bigint;
        ncur := coalesce((vals[i]->>'n_current')::bigint, nrows[i]);
      ELSE
        stat := (vals[i]#>>'{}')::float8;
        pval := NULL;
        nbase := NULL;
        ncur := nrows[i];
      END IF;
      breach := CASE met.comparison
                  WHEN 'p_value' THEN pval < m.threshold
                                      AND (m.min_effect IS NULL OR stat >= m.min_effect)
                  WHEN 'above' THEN stat > m.threshold
                  ELSE stat < m.lower_bound OR stat > m.upper_bound END;
      IF ncur < m.min_rows OR stat IS NULL OR stat = 'NaN'
         OR (met.comparison = 'p_value' AND pval IS NULL) THEN
        st := 'insufficient_data';
      ELSIF breach THEN
        breaches := (prev->>'breaches')::integer + 1;
        st := CASE WHEN breaches >= m.fire_after THEN 'firing' ELSE 'pending' END;
        sstate := jsonb_set(sstate, ARRAY[key],
                            jsonb_build_object('state', st, 'breaches', breaches));
      ELSE
        st := CASE WHEN prev->>'state' = 'firing' THEN 'resolved' ELSE 'ok' END;
        sstate := jsonb_set(sstate, ARRAY[key],
                            jsonb_build_object('state', st, 'breaches', 0));
      END IF;
      INSERT INTO drift.results (monitor_id, monitor, run_at, scheduled_for, window_start,
                                 window_end, slice, metric, statistic, p_value, threshold,
                                 n_baseline, n_current, state)
      VALUES (m.monitor_id, m.name, now(), CASE WHEN due THEN m.next_run END,
              CASE WHEN m.window_size IS NOT NULL THEN t_start END,
              CASE WHEN m.window_size IS NOT NULL THEN t_end END,
              slices[i], m.metric, stat, pval, m.threshold, nbase, ncur, st)
      RETURNING * INTO res;
      outs := outs || res;
      IF st IN ('firing', 'resolved') THEN
        alerts := alerts || jsonb_build_object('result_id', res.result_id, 'state', st,
                                               'slice', slices[i], 'statistic', stat,
                                               'p_value', pval, 'n_current', ncur);
      END IF;
      mstate := CASE
                  WHEN 'firing' IN (mstate, st) THEN 'firing'
                  WHEN 'pending' IN (mstate, st) THEN 'pending'
                  WHEN st IN ('ok', 'resolved') OR mstate = 'ok' THEN 'ok'
                  ELSE 'insufficient_data' END;
    END LOOP;
    m.slice_state := sstate;
    m.consecutive_failures := 0;
    IF due THEN
      -- next slot after the one just run; after downtime, one run and then
      -- the schedule again (never a catch-up loop)
      m.next_run := m.next_run + m.schedule;
      IF m.next_run <= now() THEN
        m.next_run := now() + m.schedule;
      END IF;
    END IF;
  END IF;

  UPDATE drift.monitors x SET last_run = now(), state = mstate, slice_state = m.slice_state,
                              consecutive_failures = m.consecutive_failures,
                              next_run = m.next_run
   WHERE x.monitor_id = m.monitor_id;

  -- Alerts: every one is written to drift.alerts; NOTIFY sends the first
  -- `cap` of a run one by one and a summary of the rest, so that a run with
  -- thousands of breaching slices neither floods the queue nor exceeds it.
  FOR i IN 1 .. cardinality(alerts) LOOP
    aid := nextval('drift.alerts_alert_id_seq');
    a := drift._fit_payload(jsonb_build_object(
           'alert_id', aid, 'monitor_id', m.monitor_id, 'monitor', m.name,
           'relation', m.relation_oid::regclass::text, 'column', m.column_name,
           'label_column', m.label_column, 'metric', m.metric, 'baseline', m.baseline,
           'compare_to', m.compare_to, 'threshold', m.threshold,
           'lower_bound', m.lower_bound, 'upper_bound', m.upper_bound,
           'min_effect', m.min_effect,
           'window_start', CASE WHEN m.window_size IS NOT NULL THEN t_start END,
           'window_end', CASE WHEN m.window_size IS NOT NULL THEN t_end END,
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

  RETURN QUERY SELECT * FROM unnest(outs);
END
$fn$;
COMMENT ON FUNCTION drift._run_monitor(bigint, timestamptz, boolean) IS
  'Run one monitor: compute every slice, record results, update states, write and notify alerts';

CREATE FUNCTION drift.run_monitor(name text, as_of timestamptz DEFAULT NULL)
  RETURNS SETOF drift.results
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m drift.monitors := drift._get_monitor(run_monitor.name);
BEGIN
  RETURN QUERY SELECT * FROM drift._run_monitor(m.monitor_id, run_monitor.as_of, false);
END
$fn$;
COMMENT ON FUNCTION drift.run_monitor(text, timestamptz) IS
  'Run a monitor now (the window ends at as_of, default now()), exactly as the scheduler '
  'would; returns the results written';

-- Remove results and alerts older than pg_drift.result_retention.
CREATE FUNCTION drift.prune_results() RETURNS bigint
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
  DELETE FROM drift.results r WHERE r.run_at < now() - keep;
  GET DIAGNOSTICS n = ROW_COUNT;
  DELETE FROM drift.alerts a WHERE a.created_at < now() - keep;
  RETURN n;
END
$fn$;
COMMENT ON FUNCTION drift.prune_results() IS
  'Delete results and alerts older than pg_drift.result_retention (0 keeps everything); '
  'returns the number of results removed';

-- For users who schedule with pg_cron (or anything else) instead of the
-- background worker.  Each monitor runs in its own subtransaction; monitors
-- whose owner the caller may not act as are left to their owner.
CREATE FUNCTION drift.run_due_monitors() RETURNS integer
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  id bigint;
  n  integer := 0;
BEGIN
  PERFORM drift.prune_results();
  FOR id IN SELECT x.monitor_id FROM drift.monitors x
             WHERE NOT x.paused AND x.next_run <= now()
               AND pg_has_role(current_user, x.owner, 'MEMBER')
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
COMMENT ON FUNCTION drift.run_due_monitors() IS
  'Run every due monitor the caller may run (for pg_cron and other external schedulers); '
  'returns how many ran';

-- Record a failure the check itself could not record (the worker calls this
-- in a fresh transaction after an error escaped drift._run_monitor).
CREATE FUNCTION drift._record_failure(p_id bigint, p_error text) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m   drift.monitors;
  rid bigint;
  aid bigint;
  a   jsonb;
BEGIN
  SELECT * INTO m FROM drift.monitors x WHERE x.monitor_id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  INSERT INTO drift.results (monitor_id, monitor, run_at, scheduled_for, metric, threshold,
                             state, error)
  VALUES (m.monitor_id, m.name, now(), m.next_run, m.metric, m.threshold, 'error', p_error)
  RETURNING result_id INTO rid;
  aid := nextval('drift.alerts_alert_id_seq');
  a := drift._fit_payload(jsonb_build_object(
         'alert_id', aid, 'monitor_id', m.monitor_id, 'monitor', m.name,
         'relation', m.relation_name, 'column', m.column_name, 'metric', m.metric,
         'threshold', m.threshold, 'result_id', rid, 'state', 'error', 'slice', '{}'::jsonb,
         'error', p_error, 'run_at', now()));
  INSERT INTO drift.alerts (alert_id, monitor_id, result_id, channel, payload)
  VALUES (aid, m.monitor_id, rid, m.channel, a);
  PERFORM pg_notify(m.channel, a::text);
  UPDATE drift.monitors x
     SET consecutive_failures = x.consecutive_failures + 1, state = 'error', last_run = now(),
         next_run = now() + CASE WHEN x.consecutive_failures < x.max_retries
                                 THEN least(x.schedule, interval '5 minutes',
                                            interval '1 second'
                                              * power(2, x.consecutive_failures)
                                              * (0.5 + random() / 2))
                                 ELSE x.schedule END
   WHERE x.monitor_id = p_id;
END
$fn$;
COMMENT ON FUNCTION drift._record_failure(bigint, text) IS
  'Record an error result and alert for a run that failed outside the check itself';

CREATE VIEW drift.monitor_status AS
  SELECT m.monitor_id, m.name, m.owner, m.relation_name AS relation, m.metric, m.column_name,
         m.state, m.paused, m.last_run, m.next_run, m.consecutive_failures,
         r.result_id AS last_result_id, r.statistic AS last_statistic,
         r.p_value AS last_p_value, r.error AS last_error,
         (SELECT count(*) FROM pg_catalog.jsonb_each(m.slice_state) s
           WHERE s.value OPERATOR(pg_catalog.->>) 'state' OPERATOR(pg_catalog.=) 'firing')
           AS firing_slices
    FROM drift.monitors m
    LEFT JOIN LATERAL (
      SELECT * FROM drift.results r
       WHERE r.monitor_id OPERATOR(pg_catalog.=) m.monitor_id
       ORDER BY r.run_at DESC, r.result_id DESC LIMIT 1) r ON true;
ALTER VIEW drift.monitor_status SET (security_invoker = true);
GRANT SELECT ON drift.monitor_status TO PUBLIC;
COMMENT ON VIEW drift.monitor_status IS
  'Each visible monitor: state, last result, last and next run, consecutive failures';

-- A new database with the extension is served at once, not after
-- pg_drift.database_check_interval.
SELECT drift._wake_scheduler();
