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
