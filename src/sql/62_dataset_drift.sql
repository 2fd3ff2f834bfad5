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

-- The whole-model check.  Runs as the caller (not SECURITY DEFINER): the
-- relation is read, and the filter runs, with the caller's privileges; the
-- baseline is read under the caller's row-level security.  One scan: one
-- SELECT with one drift_profile_agg per column over the relation, then
-- every column's test compares two profiles.
CREATE FUNCTION drift.dataset_drift(
    baseline    text,
    relation    regclass,
    filter      text    DEFAULT NULL,
    columns     text[]  DEFAULT NULL,
    correction  text    DEFAULT 'none',
    alpha       float8  DEFAULT 0.05,
    drift_share float8  DEFAULT 0.5,
    tests       jsonb   DEFAULT NULL)
  RETURNS TABLE (column_name text, column_kind text, test text, reason text,
                 statistic float8, p_value float8, adjusted_p_value float8,
                 threshold float8, drifted boolean, severity float8, rank integer,
                 n_baseline bigint, n_current bigint, distinct_values bigint)
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  -- the per-column query is small whatever the planner guesses: compiling it is not worth it
  SET jit = off
AS $fn$
#variable_conflict use_column
DECLARE
  v_owner    name;
  v_cols     text[] := '{}';
  v_kinds    text[] := '{}';
  v_base     @extschema@.drift_profile[] := '{}';
  v_exprs    text[] := '{}';
  v_cur      @extschema@.drift_profile[];
  v_tests    text[] := '{}';
  v_thr      float8[] := '{}';
  r          record;
  k          text;
  v          jsonb;
BEGIN
  IF dataset_drift.baseline IS NULL OR dataset_drift.relation IS NULL THEN
    RAISE EXCEPTION 'baseline and relation must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF dataset_drift.alpha IS NULL OR NOT (dataset_drift.alpha > 0 AND dataset_drift.alpha < 1) THEN
    RAISE EXCEPTION 'alpha must be between 0 and 1, exclusive, not %', dataset_drift.alpha
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'alpha is the significance level of the p-value tests, such as 0.05.';
  END IF;
  IF dataset_drift.drift_share IS NULL
     OR NOT (dataset_drift.drift_share >= 0 AND dataset_drift.drift_share <= 1) THEN
    RAISE EXCEPTION 'drift_share must be between 0 and 1, not %', dataset_drift.drift_share
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'drift_share is the share of drifted columns that makes the dataset drifted, such as 0.5.';
  END IF;
  IF dataset_drift.correction IS NULL
     OR dataset_drift.correction NOT IN ('none', 'bonferroni', 'holm', 'bh') THEN
    RAISE EXCEPTION 'unknown correction "%"', dataset_drift.correction
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'correction must be one of none, bonferroni, holm or bh.';
  END IF;
  IF dataset_drift.columns IS NOT NULL AND cardinality(dataset_drift.columns) = 0 THEN
    RAISE EXCEPTION 'columns must not be empty'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Pass NULL (the default) to check every baseline column present in the relation.';
  END IF;
  IF dataset_drift.tests IS NOT NULL AND jsonb_typeof(dataset_drift.tests) <> 'object' THEN
    RAISE EXCEPTION 'tests must be a JSON object'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Map column names to tests, as {"amount": "psi"} or {"amount": {"test": "ks", "threshold": 0.01}}.';
  END IF;

  v_owner := drift.baseline_owner(dataset_drift.baseline);
  IF v_owner IS NULL THEN
    RAISE EXCEPTION 'baseline "%" does not exist', dataset_drift.baseline
      USING ERRCODE = 'undefined_object',
            HINT = 'Create it with drift.capture_baseline(); drift.baselines lists the existing ones.';
  END IF;
  -- every named column must be a column of the baseline and of the relation
  FOR r IN SELECT u.c
             FROM unnest(coalesce(dataset_drift.columns, '{}')) AS u(c)
            WHERE u.c IS NULL OR NOT EXISTS (
                    SELECT 1 FROM drift.baseline_columns bc
                     WHERE bc.baseline_owner = v_owner AND bc.baseline_name = dataset_drift.baseline
                       AND bc.column_name = u.c) LOOP
    RAISE EXCEPTION 'column "%" in columns is not a column of baseline "%"', r.c, dataset_drift.baseline
      USING ERRCODE = 'undefined_column',
            HINT = 'drift.baseline_columns lists the baseline''s columns (names are case-sensitive).';
  END LOOP;

  FOR r IN
    SELECT bc.column_name AS col, bc.kind, bc.profile,
           drift.column_kind(dataset_drift.relation, bc.column_name) AS now_kind
      FROM drift.baseline_columns bc
      LEFT JOIN pg_attribute a
        ON a.attrelid = dataset_drift.relation AND a.attname = bc.column_name
       AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN LATERAL (
        SELECT u.i FROM unnest(dataset_drift.columns) WITH ORDINALITY AS u(c, i)
         WHERE u.c = bc.column_name LIMIT 1) ord ON true
     WHERE bc.baseline_owner = v_owner AND bc.baseline_name = dataset_drift.baseline
       AND (dataset_drift.columns IS NULL OR ord.i IS NOT NULL)
       AND (dataset_drift.columns IS NOT NULL OR a.attnum IS NOT NULL)
     ORDER BY coalesce(ord.i, a.attnum)
  LOOP
    IF r.now_kind IS NULL THEN
      RAISE EXCEPTION 'baseline column "%" does not exist in %', r.col, dataset_drift.relation
        USING ERRCODE = 'undefined_column',
              HINT = 'Leave it out of columns; drift.check_schema shows how the relation changed.';
    END IF;
    IF r.kind = 'numeric' AND r.now_kind <> 'numeric' THEN
      RAISE EXCEPTION 'column "%" of % is %, but baseline "%" profiled it as numeric',
                      r.col, dataset_drift.relation, r.now_kind, dataset_drift.baseline
        USING ERRCODE = 'datatype_mismatch',
              HINT = 'Capture the baseline again, or leave the column out of columns.';
    END IF;
    v_cols  := v_cols || r.col;
    v_kinds := v_kinds || r.kind;
    v_base  := v_base || r.profile;
    v_exprs := v_exprs || format('@extschema@.drift_profile_agg(t.%I::%s)', r.col,
                                 CASE r.kind WHEN 'numeric' THEN 'float8' ELSE 'text' END);
    v_tests := v_tests || NULL::text;
    v_thr   := v_thr || NULL::float8;
  END LOOP;
  IF cardinality(v_cols) = 0 THEN
    RAISE EXCEPTION 'no column of baseline "%" is in %', dataset_drift.baseline, dataset_drift.relation
      USING ERRCODE = 'undefined_column',
            HINT = 'drift.check_schema compares the relation with the baseline''s source.';
  END IF;

  -- per-column tests and thresholds: "test" or {"test": ..., "threshold": ...}
  FOR k, v IN SELECT e.key, e.value FROM jsonb_each(coalesce(dataset_drift.tests, '{}')) e LOOP
    IF NOT k = ANY (v_cols) THEN
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
       AND v_kinds[array_position(v_cols, k)] <> 'numeric' THEN
      RAISE EXCEPTION 'test "%" in tests does not fit categorical column "%"', v ->> 'test', k
        USING ERRCODE = 'datatype_mismatch',
              HINT = 'Categorical columns take chi2, js or proportion_z.';
    END IF;
    IF v ? 'threshold' AND NOT ((v ->> 'threshold')::float8 > 0) THEN
      RAISE EXCEPTION 'threshold in tests for column "%" must be positive', k
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_tests[array_position(v_cols, k)] := v ->> 'test';
    v_thr[array_position(v_cols, k)] := (v ->> 'threshold')::float8;
  END LOOP;

  -- the one scan; the filter is the caller's SQL, run with the caller's privileges
  EXECUTE format('SELECT ARRAY[%s] FROM %s AS t%s', array_to_string(v_exprs, ', '),
                 dataset_drift.relation,
                 CASE WHEN dataset_drift.filter IS NULL THEN ''
                      ELSE ' WHERE (' || dataset_drift.filter || ')' END)
    INTO v_cur;

  RETURN QUERY
    WITH tested AS (
      SELECT i, v_cols[i] AS col, v_kinds[i] AS kind, cd.*,
             -- p-value tests are judged by alpha, distances by 0.1, unless overridden
             coalesce(v_thr[i], CASE WHEN cd.test IN ('ks', 'chi2', 'proportion_z')
                                     THEN dataset_drift.alpha ELSE 0.1 END) AS thr
        FROM generate_subscripts(v_cols, 1) AS i,
             LATERAL drift.column_drift(
               v_base[i],
               -- no row at all: an empty profile of the column's kind
               coalesce(v_cur[i], CASE v_kinds[i]
                 WHEN 'numeric' THEN '{"version": 1, "kind": "numeric", "values": [], "counts": []}'
                 ELSE '{"version": 1, "kind": "categorical", "categories": [], "counts": []}'
                 END::@extschema@.drift_profile),
               v_tests[i]) AS cd),
    adjusted AS (
      SELECT t.*, (drift.adjust_p_values(
                     array_agg(t.p_value) OVER (ORDER BY t.i ROWS BETWEEN UNBOUNDED PRECEDING
                                                            AND UNBOUNDED FOLLOWING),
                     dataset_drift.correction))[t.i] AS adj
        FROM tested t),
    judged AS (
      SELECT a.*,
             CASE WHEN a.statistic IS NULL THEN NULL
                  WHEN a.test IN ('ks', 'chi2', 'proportion_z') THEN
                    CASE WHEN a.adj = 0 THEN 'Infinity'::float8
                         ELSE ln(a.adj) / ln(a.thr) END
                  ELSE a.statistic / a.thr END AS sev,
             CASE WHEN a.statistic IS NULL THEN false
                  WHEN a.test IN ('ks', 'chi2', 'proportion_z') THEN a.adj < a.thr
                  ELSE a.statistic >= a.thr END AS drift
        FROM adjusted a)
    SELECT j.col, j.kind, j.test, j.reason, j.statistic, j.p_value, j.adj, j.thr, j.drift, j.sev,
           CASE WHEN j.sev IS NULL THEN NULL
                ELSE (rank() OVER (ORDER BY j.sev DESC NULLS LAST, j.col COLLATE "C"))::integer END,
           j.n_baseline, j.n_current, j.distinct_values
      FROM judged j
     ORDER BY j.i;
END
$fn$;
COMMENT ON FUNCTION drift.dataset_drift(text, regclass, text, text[], text, float8, float8, jsonb) IS
  'Every column of a baseline against a relation in one scan: the test chosen (or given in '
  'tests) and why, statistic, p-value, corrected p-value, threshold, drifted, severity and rank';

CREATE FUNCTION drift.dataset_drift_summary(
    baseline    text,
    relation    regclass,
    filter      text    DEFAULT NULL,
    columns     text[]  DEFAULT NULL,
    correction  text    DEFAULT 'none',
    alpha       float8  DEFAULT 0.05,
    drift_share float8  DEFAULT 0.5,
    tests       jsonb   DEFAULT NULL)
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
    FROM drift.dataset_drift($1, $2, $3, $4, $5, $6, $7, $8) d
$fn$;
COMMENT ON FUNCTION drift.dataset_drift_summary(text, regclass, text, text[], text, float8, float8, jsonb) IS
  'The verdict of drift.dataset_drift: columns checked, columns drifted, their share, whether '
  'the share reaches drift_share, and the drifted columns by rank';
