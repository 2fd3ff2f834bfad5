-- Monitor execution security (security review findings 2, 3, 8): no code a
-- monitor's owner wrote runs as anyone else, not when a superuser validates
-- or runs the monitor; drift.monitors cannot be written around the API;
-- internal functions are not executable by ordinary roles; nothing a filter
-- does escapes pg_drift.monitor_timeout, and the timeout is decided by
-- SQLSTATE, not by (translated) message text.
SET client_min_messages = warning;
\set VERBOSITY terse

CREATE ROLE regress_esc_alice;
CREATE SCHEMA regress_esc AUTHORIZATION regress_esc_alice;
CREATE TABLE esc_data AS SELECT g::float8 AS x FROM generate_series(1, 100) g;
CREATE TABLE esc_one AS SELECT 1::float8 AS x;
GRANT SELECT ON esc_data, esc_one TO regress_esc_alice;

-- alice's trap (the review's, keyed on the current user rather than the
-- session's is_superuser): an IMMUTABLE function, folded by the planner, that
-- notes who runs it and makes her superuser if that is a superuser
SET ROLE regress_esc_alice;
CREATE TABLE regress_esc.seen (who name);
CREATE FUNCTION regress_esc.escalate() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO regress_esc.seen VALUES (current_user);
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE 'ALTER ROLE regress_esc_alice SUPERUSER';
  END IF;
END$$;
CREATE FUNCTION regress_esc.probe() RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  PERFORM regress_esc.escalate();
  RETURN true;
END$$;
SELECT count(*) FROM drift.capture_baseline('esc_b', 'esc_data');
SELECT drift.create_monitor('esc_mon', 'esc_data', column_name => 'x', baseline => 'esc_b') > 0 AS created;
-- direct writes skip validation: refused, whatever the column
UPDATE drift.monitors SET filter = 'regress_esc.probe()' WHERE name = 'esc_mon';
UPDATE drift.monitors SET state = 'ok', consecutive_failures = 0 WHERE name = 'esc_mon';
UPDATE drift.monitors SET next_run = now() - interval '1 year' WHERE name = 'esc_mon';
INSERT INTO drift.monitors (name, relation_oid, relation_name, metric, column_name, baseline,
                            threshold, schedule, filter)
  VALUES ('esc_direct', 'esc_data'::regclass, 'public.esc_data', 'ks', 'x', 'esc_b', 0.05,
          '1 hour', 'regress_esc.probe()');
-- through the API the filter is validated, by planning it as alice
SELECT drift.alter_monitor('esc_mon', filter => 'regress_esc.probe()');
SELECT filter FROM drift.monitors WHERE name = 'esc_mon';
RESET ROLE;

-- a superuser alters the monitor (validation plans it) and runs it, on
-- demand and as due: probe() runs as alice every time
SELECT drift.alter_monitor('esc_mon', threshold => 0.02);
SELECT state, n_current FROM drift.run_monitor('esc_mon');
UPDATE drift.monitors SET next_run = now() WHERE name = 'esc_mon';
SELECT drift.run_due_monitors() >= 1 AS ran;
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_esc_alice';
SELECT who, count(*) > 0 AS ran FROM regress_esc.seen GROUP BY who;

-- no internal function of the extension (names beginning with "_", trigger
-- functions) is executable by an ordinary role; the API is
SELECT p.oid::regprocedure AS executable_internal_function
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_drift'
 WHERE (p.proname LIKE '\_%' OR p.prorettype = 'trigger'::regtype)
   AND has_function_privilege('regress_esc_alice', p.oid, 'EXECUTE')
 ORDER BY 1;
SELECT count(*) >= 15 AS internal_functions_checked
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_drift'
 WHERE p.proname LIKE '\_%';
SELECT f, has_function_privilege('regress_esc_alice', f, 'EXECUTE') AS executable
  FROM unnest(ARRAY['drift.create_monitor(text,regclass,text,text,text,float8,text,interval,interval,text,text[],bigint,text,text,float8,float8,float8,text,integer,integer,name,boolean,regclass,text,interval,interval)',
                    'drift.run_monitor(text,timestamptz)', 'drift.run_due_monitors()',
                    'drift.pause_monitor(text)', 'drift.prune_results()']::regprocedure[]) f
 ORDER BY 1;

-- the timeout: a filter cannot switch it off, nor catch its cancel
SET pg_drift.monitor_timeout = '300ms';
SET ROLE regress_esc_alice;
-- internal functions are out of reach of a filter
SELECT drift.create_monitor('esc_disarm', 'esc_data', column_name => 'x', baseline => 'esc_b',
       filter => 'drift._disarm_timeout() IS NULL AND pg_sleep(0.02) IS NOT NULL');
SELECT drift.create_monitor('esc_wake', 'esc_data', column_name => 'x', baseline => 'esc_b',
       filter => 'drift._wake_scheduler() IS NULL');
-- statement_timeout is not the check's timeout
SELECT drift.create_monitor('esc_stmt', 'esc_data', column_name => 'x', baseline => 'esc_b',
       filter => $$set_config('statement_timeout', '0', false) IS NOT NULL
                   AND pg_sleep(0.02) IS NOT NULL$$) > 0 AS created;
-- (nor may alice change pg_drift.monitor_timeout, a superuser's setting)
SELECT drift.create_monitor('esc_guc', 'esc_data', column_name => 'x', baseline => 'esc_b',
       filter => $$set_config('pg_drift.monitor_timeout', '0', false) IS NOT NULL$$) > 0 AS created;
-- a cancel caught and ignored is repeated; a check that gets past it by
-- catching still failed
CREATE FUNCTION regress_esc.catch_three() RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  n integer := 0;
BEGIN
  LOOP
    BEGIN
      PERFORM pg_sleep(1);
    EXCEPTION WHEN query_canceled THEN
      n := n + 1;
      IF n >= 3 THEN
        RETURN true;
      END IF;
    END;
  END LOOP;
END$$;
SELECT drift.create_monitor('esc_catch', 'esc_one', column_name => 'x', baseline => 'esc_b',
       filter => 'regress_esc.catch_three()') > 0 AS created;
CREATE FUNCTION regress_esc.swallow() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_sleep(10);
  RETURN true;
EXCEPTION WHEN query_canceled THEN
  RAISE EXCEPTION 'all is well';
END$$;
SELECT drift.create_monitor('esc_swallow', 'esc_one', column_name => 'x', baseline => 'esc_b',
       filter => 'regress_esc.swallow()') > 0 AS created;
SELECT r.monitor, r.state, r.error
  FROM unnest(ARRAY['esc_stmt', 'esc_guc', 'esc_catch', 'esc_swallow']) m, drift.run_monitor(m) r
 ORDER BY 1;
SELECT name, state, consecutive_failures FROM drift.monitors WHERE name LIKE 'esc\_%' ORDER BY 1;
RESET ROLE;
SELECT current_setting('statement_timeout') AS statement_timeout,
       current_setting('pg_drift.monitor_timeout') AS monitor_timeout;

-- the timeout has its own SQLSTATE; a cancel the caller asks for (57014)
-- is not recorded but ends the statement.  36_translated_messages runs
-- checks under German messages; here, check that no decision of the
-- extension reads an error's text.
DO $$
BEGIN
  PERFORM * FROM drift._run_check(NULL, 'regress_esc_alice',
                                  $q$SELECT '{}'::jsonb, 1::bigint, to_jsonb(pg_sleep(5)::text)$q$,
                                  false, NULL, NULL, NULL, NULL, NULL);
EXCEPTION WHEN OTHERS THEN
  RAISE WARNING 'check failed with SQLSTATE %', SQLSTATE;
END$$;
SELECT p.oid::regprocedure AS decides_by_message_text
  FROM pg_proc p
 WHERE p.pronamespace = 'drift'::regnamespace
   AND p.prosrc ~* 'SQLERRM\s*(NOT\s+)?(I?LIKE|SIMILAR|~|=|<>)';
RESET pg_drift.monitor_timeout;

-- a cancel the caller asks for (here, its own statement_timeout) is not the
-- check's result: it ends the statement, and nothing is recorded
SET ROLE regress_esc_alice;
SELECT drift.create_monitor('esc_slow', 'esc_data', column_name => 'x', baseline => 'esc_b',
       filter => 'pg_sleep(0.05) IS NOT NULL') > 0 AS created;
SET statement_timeout = '300ms';
SELECT state FROM drift.run_monitor('esc_slow');
RESET statement_timeout;
SELECT count(*) AS results FROM drift.results WHERE monitor = 'esc_slow';
RESET ROLE;

-- a channel NOTIFY would refuse cannot be stored, however the row is written
UPDATE drift.monitors SET channel = repeat('c', 64) WHERE name = 'esc_mon';
UPDATE drift.monitors SET channel = repeat('é', 32) WHERE name = 'esc_mon';
UPDATE drift.monitors SET channel = repeat('c', 63) WHERE name = 'esc_mon';
SELECT octet_length(channel) FROM drift.monitors WHERE name = 'esc_mon';
SELECT drift.alter_monitor('esc_mon', channel => repeat('c', 70));

SET ROLE regress_esc_alice;
SELECT drift.drop_monitor(name) FROM drift.monitors WHERE name LIKE 'esc\_%' ORDER BY name;
SELECT drift.drop_baseline('esc_b');
RESET ROLE;
DROP SCHEMA regress_esc CASCADE;
DROP TABLE esc_data, esc_one;
DROP ROLE regress_esc_alice;
