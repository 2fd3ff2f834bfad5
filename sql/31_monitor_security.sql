-- Monitors and row-level security: each role sees and changes only its own
-- monitors, results and alerts; drift_admin members see all but cannot make
-- a monitor read as someone else; a monitor reads only what its owner may.
SET client_min_messages = warning;
\set VERBOSITY terse

CREATE ROLE regress_mon_alice;
CREATE ROLE regress_mon_bob;
CREATE ROLE regress_mon_admin IN ROLE drift_admin;
CREATE TABLE sec_train AS SELECT g::float8 AS x FROM generate_series(1, 100) g;
CREATE TABLE sec_alice (ts timestamptz, x float8);
CREATE TABLE sec_bob (ts timestamptz, x float8);
INSERT INTO sec_alice SELECT '2026-01-01'::timestamptz + g * interval '1 minute', g FROM generate_series(1, 100) g;
INSERT INTO sec_bob SELECT * FROM sec_alice;
GRANT SELECT ON sec_train TO regress_mon_alice, regress_mon_bob;
GRANT SELECT ON sec_alice TO regress_mon_alice;
GRANT SELECT ON sec_bob TO regress_mon_bob;

SET ROLE regress_mon_alice;
SELECT count(*) FROM drift.capture_baseline('sec_a', 'sec_train');
SELECT drift.create_monitor('alice_m', 'sec_alice', column_name => 'x', baseline => 'sec_a') > 0 AS created;
-- alice cannot watch a table she cannot read, nor create monitors as bob
SELECT drift.create_monitor('alice_bad', 'sec_bob', column_name => 'x', baseline => 'sec_a');
SELECT drift.create_monitor('alice_as_bob', 'sec_bob', column_name => 'x', baseline => 'sec_a',
                            owner => 'regress_mon_bob');
SELECT state, n_current FROM drift.run_monitor('alice_m');
RESET ROLE;

SET ROLE regress_mon_bob;
SELECT count(*) FROM drift.capture_baseline('sec_b', 'sec_train');
SELECT drift.create_monitor('bob_m', 'sec_bob', column_name => 'x', baseline => 'sec_b') > 0 AS created;
SELECT state FROM drift.run_monitor('bob_m');
-- bob sees only his own monitor, results and alerts
SELECT name FROM drift.monitors ORDER BY name;
SELECT monitor FROM drift.results ORDER BY monitor;
SELECT name FROM drift.monitor_status ORDER BY name;
-- and cannot touch alice's
SELECT drift.pause_monitor('alice_m');
SELECT drift.run_monitor('alice_m');
SELECT drift.drop_monitor('alice_m');
UPDATE drift.monitors SET filter = 'true' WHERE name = 'alice_m';
-- nor forge results or alerts for it
INSERT INTO drift.results (monitor_id, monitor, run_at, metric, state)
  SELECT 1, 'alice_m', now(), 'ks', 'ok';
INSERT INTO drift.alerts (monitor_id, channel, payload)
  VALUES ((SELECT monitor_id FROM drift.monitors WHERE name = 'bob_m'), 'pg_drift',
          '{"monitor": "alice_m", "state": "firing"}');
-- nor move his own monitor onto a role he is not
UPDATE drift.monitors SET owner = 'regress_mon_alice' WHERE name = 'bob_m';
RESET ROLE;

-- alice loses access: the next run records a permission error
REVOKE SELECT ON sec_alice FROM regress_mon_alice;
SET ROLE regress_mon_alice;
SELECT state, error FROM drift.run_monitor('alice_m');
RESET ROLE;
GRANT SELECT ON sec_alice TO regress_mon_alice;

-- an admin sees everyone's monitors and may pause them, but may not change
-- what they read nor run them as their owner
SET ROLE regress_mon_admin;
SELECT name, owner FROM drift.monitors WHERE owner::text LIKE 'regress_mon_%' ORDER BY name;
SELECT count(*) >= 2 AS sees_all FROM drift.monitors;
SELECT drift.pause_monitor('alice_m');
SELECT drift.resume_monitor('alice_m');
SELECT drift.alter_monitor('alice_m', filter => 'x > 50');
SELECT drift.run_monitor('bob_m');
SELECT drift.create_monitor('admin_as_alice', 'sec_alice', column_name => 'x', baseline => 'sec_a',
                            owner => 'regress_mon_alice');
RESET ROLE;

-- a superuser may run anyone's monitor: it runs as the owner
SELECT state, n_current FROM drift.run_monitor('bob_m');
SELECT drift.run_due_monitors() >= 0 AS ran;

-- the owner's SQL cannot climb back to the superuser that runs it (pg_cron
-- calling run_due_monitors, or the worker): no RESET ROLE, no reading what
-- the owner cannot read, no settings left behind
SET ROLE regress_mon_alice;
SELECT drift.create_monitor('alice_reset', 'sec_alice', column_name => 'x', baseline => 'sec_a',
       filter => $$set_config('role', 'none', false) IS NOT NULL$$) > 0 AS created;
-- (checked when created, as every run runs as the owner)
SELECT drift.create_monitor('alice_peek', 'sec_alice', column_name => 'x', baseline => 'sec_a',
       filter => $$(SELECT count(*) FROM public.sec_bob) > 0$$) > 0 AS created;
SELECT drift.create_monitor('alice_guc', 'sec_alice', column_name => 'x', baseline => 'sec_a',
       filter => $$set_config('work_mem', '1234kB', false) IS NOT NULL$$) > 0 AS created;
RESET ROLE;
SELECT state, error FROM drift.run_monitor('alice_reset');
SELECT state, error FROM drift.run_monitor('alice_guc');
SELECT current_user, current_setting('work_mem') AS work_mem;

SELECT drift.drop_monitor(name) FROM drift.monitors WHERE owner::text LIKE 'regress_mon_%';
SELECT drift.drop_baseline(b) FROM unnest(ARRAY['sec_a', 'sec_b']) b;
DROP TABLE sec_train, sec_alice, sec_bob;
DROP ROLE regress_mon_alice, regress_mon_bob, regress_mon_admin;
