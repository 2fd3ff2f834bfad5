-- The backend's cache of named baselines (src/baseline/baseline_shared.c)
-- keeps a baseline's profile and locators across queries.  What it must never
-- do: answer from a baseline the catalog no longer holds, or from one the
-- calling role cannot read.  Every answer below is checked against the same
-- test with the profile passed as a value (drift.baseline(), read afresh by
-- its own path), so a stale entry shows as false.
\set SHOW_CONTEXT never
CREATE ROLE regress_c_alice;
CREATE ROLE regress_c_bob;
CREATE ROLE regress_c_carol;
CREATE TABLE c_data AS
  SELECT g::float8 AS x, (g % 7)::text AS cat FROM generate_series(1, 400) g;
GRANT SELECT ON c_data TO regress_c_alice, regress_c_bob, regress_c_carol;

-- 1. Recapture between queries: each locator kind (KS index, categories,
--    cumulative counts) follows the new version.
SELECT count(*) FROM drift.capture_baseline('cb', 'c_data', filter => 'x <= 100',
                                            categorical => ARRAY['cat']);
CREATE TEMP TABLE c_answers AS
  SELECT 1 AS step, (ks_drift(x, 'cb', 'x')).statistic AS ks,
         (chi2_drift(cat, 'cb', 'cat')).statistic AS chi2,
         sum(drift_quantile(x, 'cb', 'x')) AS q
    FROM c_data;
SELECT count(*) FROM drift.capture_baseline('cb', 'c_data', filter => 'x > 250',
                                            categorical => ARRAY['cat'], replace => true);
INSERT INTO c_answers
  SELECT 2, (ks_drift(x, 'cb', 'x')).statistic, (chi2_drift(cat, 'cb', 'cat')).statistic,
         sum(drift_quantile(x, 'cb', 'x'))
    FROM c_data;
-- the answers changed, and equal the profile form's
SELECT a.step, a.ks = p.ks AS ks_fresh, a.chi2 = p.chi2 AS chi2_fresh, a.q = p.q AS q_fresh
  FROM c_answers a,
       (SELECT (ks_drift(x, drift.baseline('cb', 'x'))).statistic AS ks,
               (chi2_drift(cat, drift.baseline('cb', 'cat'))).statistic AS chi2,
               sum(drift_quantile(x, drift.baseline('cb', 'x'))) AS q
          FROM c_data) p
 ORDER BY a.step;
SELECT count(DISTINCT ks) = 2 AS ks_changed, count(DISTINCT chi2) = 2 AS chi2_changed,
       count(DISTINCT q) = 2 AS q_changed
  FROM c_answers;

-- 2. Within one transaction: a recapture is seen by the next statement, and
--    ROLLBACK TO SAVEPOINT takes it away again (the command id does not go
--    back, so the cache must not trust its stamp after the abort).
BEGIN;
SELECT (ks_drift(x, 'cb', 'x')).n_baseline AS before FROM c_data;
SAVEPOINT s;
SELECT count(*) FROM drift.capture_baseline('cb', 'c_data', filter => 'x <= 10', replace => true);
SELECT (ks_drift(x, 'cb', 'x')).n_baseline AS in_savepoint FROM c_data;
ROLLBACK TO SAVEPOINT s;
SELECT (ks_drift(x, 'cb', 'x')).n_baseline AS after_rollback FROM c_data;
COMMIT;

-- 3. Two roles, one name: each gets its own baseline, in one session and in
--    both orders.
SET ROLE regress_c_alice;
SELECT count(*) FROM drift.capture_baseline('shared_name', 'c_data', filter => 'x <= 40');
SET ROLE regress_c_bob;
SELECT count(*) FROM drift.capture_baseline('shared_name', 'c_data', filter => 'x <= 300');
SELECT current_user, (ks_drift(x, 'shared_name', 'x')).n_baseline FROM c_data;
SET ROLE regress_c_alice;
SELECT current_user, (ks_drift(x, 'shared_name', 'x')).n_baseline FROM c_data;
SET ROLE regress_c_bob;
SELECT current_user, (ks_drift(x, 'shared_name', 'x')).n_baseline FROM c_data;

-- 4. A role that cannot read a baseline gets the error, although this
--    backend has alice's entry for the same name cached.
SET ROLE regress_c_alice;
SELECT count(*) FROM drift.capture_baseline('alice_only', 'c_data');
SELECT (ks_drift(x, 'alice_only', 'x')).n_baseline FROM c_data;
SET ROLE regress_c_carol;
SELECT (ks_drift(x, 'alice_only', 'x')).n_baseline FROM c_data;
SELECT (ks_drift(x, 'shared_name', 'x')).n_baseline FROM c_data;

-- 5. Dropped, then used: the missing-baseline error, not the cached profile.
SET ROLE regress_c_alice;
SELECT drift.drop_baseline('alice_only');
SELECT (ks_drift(x, 'alice_only', 'x')).n_baseline FROM c_data;
-- and a new baseline of the dropped name is read afresh
SELECT count(*) FROM drift.capture_baseline('alice_only', 'c_data', filter => 'x <= 5');
SELECT (ks_drift(x, 'alice_only', 'x')).n_baseline FROM c_data;
RESET ROLE;

-- 6. With no memory for the cache (every entry freed when its last query
--    ends) and with several baselines in one query, the answers stay the
--    profile form's.
SET pg_drift.baseline_cache_size = 0;
SELECT count(*) FROM drift.capture_baseline('cb2', 'c_data', filter => 'x > 100');
SELECT b, (ks_drift(x, b, 'x')).statistic = (ks_drift(x, drift.baseline(b, 'x'))).statistic AS same
  FROM c_data, (VALUES ('cb'), ('cb2')) v(b)
 GROUP BY b ORDER BY b;
SELECT (ks_drift(x, 'cb', 'x')).statistic = (ks_drift(x, drift.baseline('cb', 'x'))).statistic AS same
  FROM c_data;
RESET pg_drift.baseline_cache_size;
SELECT b, (ks_drift(x, b, 'x')).statistic = (ks_drift(x, drift.baseline(b, 'x'))).statistic AS same
  FROM c_data, (VALUES ('cb'), ('cb2')) v(b)
 GROUP BY b ORDER BY b;

SET ROLE regress_c_alice;
SELECT drift.drop_baseline('shared_name'), drift.drop_baseline('alice_only');
SET ROLE regress_c_bob;
SELECT drift.drop_baseline('shared_name');
RESET ROLE;
SELECT drift.drop_baseline('cb'), drift.drop_baseline('cb2');
DROP TABLE c_data;
DROP ROLE regress_c_alice, regress_c_bob, regress_c_carol;
