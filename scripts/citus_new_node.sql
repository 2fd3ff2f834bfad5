-- A node added after the baselines were captured (scripts/test-citus.sh;
-- :newport is its port): it holds no copy until drift.citus_sync_baselines().
\set VERBOSITY terse
SET client_min_messages = warning;
\i :functions
SELECT pg_temp.expect('baselines on the new node before the sync',
                      (SELECT result FROM run_command_on_workers('SELECT count(*) FROM drift.baselines')
                        WHERE nodeport = :newport), '0');
SELECT count(*) AS nodes FROM drift.citus_sync_baselines();
SELECT pg_temp.nodes_equal('after drift.citus_sync_baselines() with the new node');
