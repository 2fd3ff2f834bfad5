-- ---------------------------------------------------------------------------
-- The one scan of a whole-model check (SPEC.md section 9) as arrays: every
-- column of a baseline (or those named) profiled over the relation by one
-- SELECT with one drift_profile_agg per column.  drift.dataset_drift judges
-- the arrays as they come, and drift.dataset_profiles turns them into rows:
-- a check's current profiles (tens of MB for a million distinct values)
-- then pass through no tuplestore or sort, which spill past work_mem.
-- Runs as the caller (not SECURITY DEFINER): the relation is read, and the
-- filter runs, with the caller's privileges; the baseline is read under the
-- caller's row-level security.  Columns come in the order named, else the
-- relation's; by default, columns missing from the relation or retyped so
-- that they can no longer be read as numbers are left out (drift.check_schema
-- and drift.dataset_integrity report them), while a column named in columns
-- must be there.  A column with no row has an empty profile.
-- ---------------------------------------------------------------------------
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
