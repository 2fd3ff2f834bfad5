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

-- Names are per owner (PRIMARY KEY (owner, name)): a global name would
-- reveal another role's hidden baseline through a duplicate-key error and
-- block that name.  drift.baseline_owner resolves a name.
CREATE TABLE drift.baselines (
  name            text NOT NULL,
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
  created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
  PRIMARY KEY (owner, name)
);
COMMENT ON TABLE drift.baselines IS
  'Captured baselines: where each came from and who owns it (drift.capture_baseline)';
COMMENT ON COLUMN drift.baselines.source_columns IS
  'Every column of the source relation at capture time, [{"name": ..., "type": ...}] in '
  'column order, profiled or not (drift.check_schema compares the relation with it)';

CREATE TABLE drift.baseline_columns (
  baseline_name text NOT NULL,
  column_name   text NOT NULL,
  column_type   text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('numeric', 'categorical')),
  profile       drift_profile NOT NULL,
  baseline_owner name NOT NULL,
  PRIMARY KEY (baseline_owner, baseline_name, column_name),
  FOREIGN KEY (baseline_owner, baseline_name) REFERENCES drift.baselines (owner, name)
    ON DELETE CASCADE ON UPDATE CASCADE
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
                  WHERE b.name OPERATOR(pg_catalog.=) baseline_name
                    AND b.owner OPERATOR(pg_catalog.=) baseline_owner));
GRANT SELECT, INSERT, UPDATE, DELETE ON drift.baselines, drift.baseline_columns TO PUBLIC;

-- Which owner's baseline a name means to a role (by default the calling
-- role): the role's own, else the only one the role may see (drift_admin
-- members and superusers see everyone's), else an ambiguity error; NULL when
-- none is visible.  A monitor runs as its owner, so its baseline resolves to
-- the owner's (its validation asks with as_role => the owner).  The C
-- look-ups (baseline.c, corr_drift.c) call this too, so there is one rule.
-- It is public: it reads drift.baselines under the caller's row-level
-- security, so it shows nothing the caller could not select.
CREATE FUNCTION drift.baseline_owner(baseline_name text, as_role name DEFAULT current_user)
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

-- A baseline's child rows (columns, correlations, metrics) name their
-- baseline by (owner, name).  Rows that arrive without an owner -- a dump
-- taken at 0.1.0, when names were global, restored into this version -- get
-- the owner of the baseline that name means (drift.baseline_owner); the
-- capture functions always name it.
CREATE FUNCTION drift._fill_baseline_owner() RETURNS trigger
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
CREATE TRIGGER fill_baseline_owner BEFORE INSERT ON drift.baseline_columns
  FOR EACH ROW EXECUTE FUNCTION drift._fill_baseline_owner();
COMMENT ON TRIGGER fill_baseline_owner ON drift.baseline_columns IS
  'Rows restored without baseline_owner get the owner of the baseline their name means';

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

CREATE FUNCTION drift.baseline(baseline_name text, column_name text) RETURNS drift_profile
  AS 'MODULE_PATHNAME', 'drift_baseline_profile' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift.baseline(text, text) IS
  'The stored profile of one column of a baseline';

CREATE FUNCTION drift.drop_baseline(baseline_name text) RETURNS void
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
COMMENT ON FUNCTION drift.drop_baseline(text) IS 'Delete a baseline and its profiles';
