-- Baselines on every node, for scripts/test-citus.sh (psql on the
-- coordinator, ON_ERROR_STOP; :worker1 and :worker2 are the workers' ports).
-- Every check raises an error when it fails, so psql exits non-zero.
\set VERBOSITY terse
SET client_min_messages = warning;

\i :functions
-- on a worker: replace its copy of b's column x by another profile, copying nothing on
\set stale_copy 'SET drift.citus_copying = on; UPDATE drift.baseline_columns SET profile = (SELECT drift_profile_agg(v::float8) FROM generate_series(1, 50) v) WHERE baseline_name = ''b'' AND column_name = ''x'';'
-- 1. captured once on the coordinator: the same catalog everywhere, and a
--    distributed query equals the local one
SELECT pg_temp.nodes_equal('after capturing b');
CREATE ROLE alice LOGIN;
CREATE ROLE bob LOGIN;
GRANT SELECT ON citus_train, t_dist, t_local TO alice, bob;
SET ROLE alice;
SELECT count(*) AS alice_columns
  FROM drift.capture_baseline('alice_b', 'citus_train', columns => ARRAY['x', 'c'], chunks => 3);
SELECT pg_temp.expect('alice''s ks_drift on t_dist',
                      (SELECT ks_drift(x, 'alice_b', 'x')::text FROM t_dist),
                      (SELECT ks_drift(x, 'alice_b', 'x')::text FROM t_local));
RESET ROLE;
SELECT pg_temp.nodes_equal('after alice captured alice_b');

-- 2. row-level security holds on the workers: bob sees none of alice's rows
--    there, and his query naming her baseline fails on the workers
\connect - - - :worker1
SET ROLE bob;
SELECT count(*) = 0 AS bob_sees_no_baseline_on_worker FROM drift.baselines \gset
\if :bob_sees_no_baseline_on_worker
\else
  SELECT 1/0 AS bob_sees_alices_baseline_on_worker;
\endif
SET ROLE alice;
SELECT count(*) = 1 AS alice_sees_hers_on_worker FROM drift.baselines WHERE name = 'alice_b' \gset
\if :alice_sees_hers_on_worker
\else
  SELECT 1/0 AS alice_misses_her_baseline_on_worker;
\endif
RESET ROLE;
\connect - - - :coordinator
\i :functions
SET ROLE bob;
SELECT pg_temp.expect('bob naming alice''s baseline on t_dist',
                      pg_temp.outcome('SELECT ks_drift(x, ''alice_b'', ''x'') FROM t_dist'), '42704 sync');
RESET ROLE;

-- 3. a stale copy on both workers (the coordinator's final function sees
--    states of another version) and on one (the workers' states differ)
\connect - - - :worker1
:stale_copy
\connect - - - :worker2
:stale_copy
\connect - - - :coordinator
\i :functions
SELECT pg_temp.expect('ks_drift with stale copies on both workers',
                      pg_temp.outcome('SELECT ks_drift(x, ''b'', ''x'') FROM t_dist'), '55000 sync');
SELECT count(*) AS nodes FROM drift.citus_sync_baselines();
SELECT pg_temp.nodes_equal('after drift.citus_sync_baselines()');
SELECT pg_temp.expect('ks_drift after the sync',
                      (SELECT ks_drift(x, 'b', 'x')::text FROM t_dist),
                      (SELECT ks_drift(x, 'b', 'x')::text FROM t_local));
\connect - - - :worker1
:stale_copy
\connect - - - :coordinator
\i :functions
SELECT pg_temp.expect('psi_drift with a stale copy on one worker',
                      pg_temp.outcome('SELECT psi_drift(x, ''b'', ''x'') FROM t_dist'), '55000 sync');

-- 4. a missing copy (as on a node added after the capture)
\connect - - - :worker2
SET drift.citus_copying = on;
DELETE FROM drift.baselines WHERE name = 'b';
\connect - - - :coordinator
\i :functions
SELECT pg_temp.expect('chi2_drift with the baseline missing on a worker',
                      pg_temp.outcome('SELECT chi2_drift(c, ''b'', ''c'') FROM t_dist'), '42704 sync');
SELECT count(*) AS nodes FROM drift.citus_sync_baselines();
SELECT pg_temp.nodes_equal('after the second sync');
SELECT pg_temp.expect('chi2_drift after the sync',
                      (SELECT chi2_drift(c, 'b', 'c')::text FROM t_dist),
                      (SELECT chi2_drift(c, 'b', 'c')::text FROM t_local));

-- 5. replace and drop are copied too; a transaction that rolls back copies nothing
SET ROLE alice;
SELECT count(*) FROM drift.capture_baseline('alice_b', 'citus_train', columns => ARRAY['x'], replace => true);
BEGIN;
SELECT count(*) FROM drift.capture_baseline('alice_tmp', 'citus_train', columns => ARRAY['x']);
ROLLBACK;
RESET ROLE;
SELECT pg_temp.nodes_equal('after alice replaced alice_b and rolled alice_tmp back');
SET ROLE alice;
SELECT drift.drop_baseline('alice_b');
RESET ROLE;
SELECT pg_temp.nodes_equal('after alice dropped alice_b');
SELECT pg_temp.expect('alice_b left on the workers',
                      (SELECT string_agg(result, ',') FROM run_command_on_workers(
                         $$SELECT count(*) FROM drift.baselines WHERE name IN ('alice_b', 'alice_tmp')$$)),
                      '0,0');
