-- ---------------------------------------------------------------------------
-- Concept drift: each feature's Pearson correlation with the target at
-- baseline time, and corr_drift, the test of its change
-- ---------------------------------------------------------------------------

CREATE TABLE drift.baseline_correlations (
  baseline_name text NOT NULL,
  column_name   text NOT NULL,
  target_column text NOT NULL,
  correlation   float8 CHECK (correlation BETWEEN -1 AND 1),
  n             bigint NOT NULL CHECK (n >= 0),
  baseline_owner name NOT NULL,
  PRIMARY KEY (baseline_owner, baseline_name, column_name),
  FOREIGN KEY (baseline_owner, baseline_name) REFERENCES drift.baselines (owner, name)
    ON DELETE CASCADE ON UPDATE CASCADE
);
COMMENT ON TABLE drift.baseline_correlations IS
  'Pearson correlation of each numeric baseline column with the target column at capture time '
  '(NULL when undefined) and the number of pairs it was computed from; read by corr_drift';

SELECT pg_catalog.pg_extension_config_dump('drift.baseline_correlations', '');
ALTER TABLE drift.baseline_correlations ENABLE ROW LEVEL SECURITY;
CREATE POLICY baseline_correlations_by_owner ON drift.baseline_correlations
  USING (EXISTS (SELECT 1 FROM drift.baselines b
                  WHERE b.name OPERATOR(pg_catalog.=) baseline_name
                    AND b.owner OPERATOR(pg_catalog.=) baseline_owner));
GRANT SELECT, INSERT, UPDATE, DELETE ON drift.baseline_correlations TO PUBLIC;
CREATE TRIGGER fill_baseline_owner BEFORE INSERT ON drift.baseline_correlations
  FOR EACH ROW EXECUTE FUNCTION drift._fill_baseline_owner();
COMMENT ON TRIGGER fill_baseline_owner ON drift.baseline_correlations IS
  'Rows restored without baseline_owner get the owner of the baseline their name means';

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

-- corr_drift -----------------------------------------------------------------

CREATE TYPE drift_corr_state;

CREATE FUNCTION drift_corr_state_in(cstring) RETURNS drift_corr_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_corr_state_in(cstring) IS
  'Text input of drift_corr_state: its binary form in base64, or \x and hex digits (the 0.1.0 form), validated';
CREATE FUNCTION drift_corr_state_out(drift_corr_state) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_corr_state_out(drift_corr_state) IS
  'Text output of drift_corr_state: its binary form in base64 (how Citus ships states)';
CREATE FUNCTION drift_corr_state_recv(internal) RETURNS drift_corr_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_corr_state_recv(internal) IS
  'Binary input of drift_corr_state, validating every count and length';
CREATE FUNCTION drift_corr_state_send(drift_corr_state) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_corr_state_send(drift_corr_state) IS
  'Binary output of drift_corr_state';

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
COMMENT ON FUNCTION corr_drift_named_trans(drift_corr_state, double precision, double precision, text, text) IS
  'Transition function of corr_drift against a named baseline';
CREATE FUNCTION corr_drift_value_trans(drift_corr_state, float8, float8, float8, bigint)
  RETURNS drift_corr_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION corr_drift_value_trans(drift_corr_state, double precision, double precision, double precision, bigint) IS
  'Transition function of corr_drift against a baseline correlation and count given as values';
CREATE FUNCTION corr_drift_final(drift_corr_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION corr_drift_final(drift_corr_state) IS
  'Final function of the corr_drift aggregates';

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
