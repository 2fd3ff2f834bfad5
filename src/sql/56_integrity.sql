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
COMMENT ON FUNCTION drift.check_schema(text, regclass) IS
  'Compare a relation''s columns with the source of a baseline at capture time: '
  'one row per column, status missing, new, retyped or ok';
