-- Session helpers of scripts/citus_baselines.sql (included again after each
-- \connect back to the coordinator: pg_temp lives as long as a session).
-- (Citus warns that it cannot propagate functions in pg_temp: they need not be.)
SET client_min_messages = error;
-- pg_temp.outcome(query): 'ok', or the SQLSTATE of its error and whether the
-- hint tells the user to run drift.citus_sync_baselines()
CREATE FUNCTION pg_temp.outcome(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v_state text;
  v_hint  text;
BEGIN
  EXECUTE query;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_hint = PG_EXCEPTION_HINT;
  RETURN v_state || CASE WHEN v_hint LIKE '%drift.citus_sync_baselines()%' THEN ' sync' ELSE '' END;
END
$$;
CREATE FUNCTION pg_temp.expect(what text, got text, want text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  IF got IS DISTINCT FROM want THEN
    RAISE EXCEPTION '%: got %, expected %', what, got, want;
  END IF;
  RETURN what || ': ' || got;
END
$$;
-- a digest of every baseline table on each node (as superuser: every role's rows)
SELECT FROM run_command_on_all_nodes($c$
  CREATE OR REPLACE FUNCTION public.citus_test_digest() RETURNS text LANGUAGE plpgsql AS $f$
  DECLARE t record; d text := ''; x text;
  BEGIN
    FOR t IN SELECT * FROM drift.baseline_tables() LOOP
      EXECUTE format('SELECT count(*) || md5(coalesce(string_agg(r::text, ''|'' ORDER BY r::text), '''')) FROM %s r',
                     t.rel) INTO x;
      d := d || x || ' ';
    END LOOP;
    RETURN md5(d);
  END $f$$c$);
CREATE FUNCTION pg_temp.nodes_equal(what text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  digests text[];
BEGIN
  SELECT array_agg(DISTINCT CASE WHEN success THEN result ELSE 'failed: ' || result END) INTO digests
    FROM run_command_on_all_nodes('SELECT public.citus_test_digest()');
  IF cardinality(digests) <> 1 THEN
    RAISE EXCEPTION '%: the nodes'' catalogs differ: %', what, digests;
  END IF;
  RETURN what || ': every node holds the same catalog';
END
$$;
SET client_min_messages = warning;
