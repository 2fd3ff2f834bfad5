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

-- The one scan of a whole-model check as rows, one per column
-- (drift.dataset_profile_arrays, src/sql/63_dataset_scan.sql, does it).
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
BEGIN
  RETURN QUERY
    SELECT a.column_names[i], a.column_kinds[i], a.baseline_profiles[i], a.current_profiles[i]
      FROM drift.dataset_profile_arrays(dataset_profiles.baseline, dataset_profiles.relation,
                                        dataset_profiles.filter, dataset_profiles.columns) AS a,
           generate_subscripts(a.column_names, 1) AS i
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
