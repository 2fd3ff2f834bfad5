-- Baseline and monitor names are per owner (security review, finding 9): two
-- roles may both use a name without errors revealing or blocking the other's;
-- a name means the caller's own object, else the only one the caller can see,
-- else it is ambiguous (drift_admin members and superusers see everyone's).
\set SHOW_CONTEXT never
CREATE ROLE regress_n_alice;
CREATE ROLE regress_n_bob;
CREATE ROLE regress_n_admin IN ROLE drift_admin;
CREATE TABLE n_data AS SELECT g::float8 AS x FROM generate_series(1, 100) g;
GRANT SELECT ON n_data TO regress_n_alice, regress_n_bob, regress_n_admin;

SET ROLE regress_n_alice;
SELECT column_name, n FROM drift.capture_baseline('b', 'n_data', filter => 'x <= 40');
SELECT drift.create_monitor('m', 'n_data', column_name => 'x', baseline => 'b',
                            schedule => '1 hour', paused => true) > 0 AS created;
-- bob neither sees alice's objects nor is blocked by their names
SET ROLE regress_n_bob;
SELECT count(*) FROM drift.baselines;
SELECT column_name, n FROM drift.capture_baseline('b', 'n_data');
SELECT drift.create_monitor('m', 'n_data', column_name => 'x', baseline => 'b',
                            schedule => '1 hour', paused => true) > 0 AS created;
-- a second capture or monitor of the same name by the same owner still fails
SELECT column_name FROM drift.capture_baseline('b', 'n_data');
SELECT drift.create_monitor('m', 'n_data', column_name => 'x', baseline => 'b');
-- each name means the caller's own: bob's baseline has 100 rows, alice's 40
SELECT (ks_drift(x, 'b', 'x')).n_baseline, (drift_profile_info(drift.baseline('b', 'x'))).count
  FROM n_data;
SELECT n_baseline, n_current FROM drift.run_monitor('m');
SET ROLE regress_n_alice;
SELECT (ks_drift(x, 'b', 'x')).n_baseline, (drift_profile_info(drift.baseline('b', 'x'))).count
  FROM n_data;
SELECT n_baseline, n_current FROM drift.run_monitor('m');
SELECT name, owner FROM drift.monitor_status WHERE name = 'm';
-- the rule itself, drift.baseline_owner: the caller's own name; none is NULL;
-- asking as another role shows nothing the caller cannot select (bob's 'b'
-- is invisible to alice, so NULL, not bob)
SELECT drift.baseline_owner('b') AS own, drift.baseline_owner('nope') AS none,
       drift.baseline_owner('b', 'regress_n_bob') AS as_bob;

-- an admin who owns neither sees both: the names are ambiguous
SET ROLE regress_n_admin;
SELECT name, owner, row_count FROM drift.baselines WHERE name = 'b' ORDER BY owner;
SELECT drift.baseline_owner('b');
-- as an owner (how a monitor's validation asks): that owner's own
SELECT drift.baseline_owner('b', 'regress_n_alice') AS as_alice,
       drift.baseline_owner('b', 'regress_n_bob') AS as_bob;
SELECT drift.baseline_owner('b', 'regress_n_nobody');
SELECT drift.baseline('b', 'x') IS NOT NULL;
SELECT (ks_drift(x, 'b', 'x')).n_baseline FROM n_data;
SELECT count(*) FROM drift.run_monitor('m');
SELECT drift.pause_monitor('m');
SELECT drift.drop_baseline('b');
SELECT * FROM drift.check_schema('b', 'n_data');
-- the superuser sees everything too
RESET ROLE;
SELECT drift.drop_monitor('m');

-- bob drops his own; alice's stay, and the name is no longer ambiguous
SET ROLE regress_n_bob;
SELECT drift.drop_monitor('m');
SELECT drift.drop_baseline('b');
SELECT drift.drop_baseline('b');
SET ROLE regress_n_admin;
SELECT (drift_profile_info(drift.baseline('b', 'x'))).count;
SELECT name, owner FROM drift.monitor_status WHERE name = 'm';
SELECT count(*) FROM drift.run_monitor('m');
SET ROLE regress_n_alice;
SELECT count(*) AS columns FROM drift.baseline_columns WHERE baseline_name = 'b';
SELECT drift.drop_monitor('m');
SELECT drift.drop_baseline('b');
RESET ROLE;
DROP TABLE n_data;
DROP ROLE regress_n_alice, regress_n_bob, regress_n_admin;
