-- Bad input to the numeric drift tests: every error path, NULL / NaN /
-- Infinity handling, empty input, and the partial states' text forms.
\set VERBOSITY default
CREATE TABLE numerr AS
  SELECT g AS id, g::float8 / 10 AS v, g % 3 AS grp FROM generate_series(1, 100) g;
SELECT count(*) FROM drift.capture_baseline('numerr_base', 'numerr', columns => ARRAY['v']);
SELECT count(*) FROM drift.capture_baseline('numerr_half', 'numerr', columns => ARRAY['v'],
                                            filter => 'id <= 50');

-- bins must be >= 1 (and not absurd), in every form
SELECT psi_drift('{1,2,3}'::float8[], '{1,2}'::float8[], bins => 0);
SELECT js_drift(drift_profile_agg(v), drift_profile_agg(v), bins => -3) FROM numerr;
SELECT hellinger_drift(v, 'numerr_base', 'v', 0) FROM numerr;
SELECT kl_drift(v, drift.baseline('numerr_base', 'v'), -1) FROM numerr;
SELECT psi_drift('{1,2,3}'::float8[], '{1,2}'::float8[], bins => 1000001);
-- unknown binning
SELECT psi_drift('{1,2,3}'::float8[], '{1,2}'::float8[], binning => 'equal');
SELECT js_drift(v, 'numerr_base', 'v', 10, 'percentile') FROM numerr;
-- fill must be in (0, 1]
SELECT psi_drift('{1,2,3}'::float8[], '{1,2}'::float8[], fill => 0);
SELECT kl_drift('{1,2,3}'::float8[], '{1,2}'::float8[], fill => 1.5);
SELECT kl_drift('{1,2,3}'::float8[], '{1,2}'::float8[], fill => 'NaN');
SELECT psi_drift(v, 'numerr_base', 'v', 10, 'quantile', -0.1) FROM numerr;
-- NULL options are errors, not silently NULL results
SELECT psi_drift('{1,2,3}'::float8[], '{1,2}'::float8[], bins => NULL);
SELECT js_drift('{1,2,3}'::float8[], '{1,2}'::float8[], binning => NULL);
SELECT kl_drift('{1,2,3}'::float8[], '{1,2}'::float8[], fill => NULL);
SELECT hellinger_drift(v, 'numerr_base', 'v', NULL::int) FROM numerr;
SELECT psi_drift(v, drift.baseline('numerr_base', 'v'), 10, NULL) FROM numerr;
SELECT kl_drift(v, 'numerr_base', 'v', 10, 'uniform', NULL) FROM numerr;
-- the baseline must be named, and exist
SELECT psi_drift(v, NULL::text, 'v') FROM numerr;
SELECT psi_drift(v, 'numerr_base', NULL) FROM numerr;
SELECT psi_drift(v, NULL::drift_profile) FROM numerr;
SELECT zscore_drift(v, 'no_such_baseline', 'v') FROM numerr;
SELECT wasserstein_drift(v, 'numerr_base', 'no_such_column') FROM numerr;
-- options and baseline must not change within a group
SELECT psi_drift(v, 'numerr_base', 'v', 5 + (id > 50)::int) FROM numerr;
SELECT kl_drift(v, 'numerr_base', 'v', 10, CASE WHEN id > 50 THEN 'uniform' ELSE 'quantile' END) FROM numerr;
SELECT psi_drift(v, 'numerr_base', 'v', 10, 'quantile', 0.001 * (1 + (id > 50)::int)) FROM numerr;
SELECT zscore_drift(v, CASE WHEN id > 50 THEN 'numerr_base' ELSE 'numerr_half' END, 'v') FROM numerr;
SELECT wasserstein_drift(v, drift.baseline(CASE WHEN id > 50 THEN 'numerr_base' ELSE 'numerr_half' END, 'v')) FROM numerr;
-- ... but different groups may use different options
SELECT grp, (psi_drift(v, 'numerr_base', 'v', 2 + grp)).statistic > 0 AS drifted
  FROM numerr GROUP BY grp ORDER BY grp;
-- arrays must have one dimension
SELECT psi_drift('{{1,2},{3,4}}'::float8[], '{1,2}'::float8[]);
SELECT zscore_drift('{1,2}'::float8[], '{{1,2},{3,4}}'::float8[]);
SELECT wasserstein_drift('{{1,2},{3,4}}'::float8[], '{1,2}'::float8[]);
-- a categorical profile is not a numeric baseline
CREATE TEMP TABLE cat AS
  SELECT '{"version": 1, "kind": "categorical", "count": 3, "categories": ["a", "b"], "counts": [1, 2]}'::drift_profile AS p;
SELECT hellinger_drift(p, p) FROM cat;
SELECT kl_drift(p, drift.baseline('numerr_base', 'v')) FROM cat;
SELECT js_drift(drift.baseline('numerr_base', 'v'), p) FROM cat;
SELECT psi_drift(drift.baseline('numerr_base', 'v'), p, bins => 3) FROM cat;
-- (psi_drift and js_drift on two categorical profiles are the categorical tests)
SELECT psi_drift(p, p) AS psi, js_drift(p, p) AS js FROM cat;
SELECT psi_drift(p, drift.baseline('numerr_base', 'v')) FROM cat;
SELECT zscore_drift(p, drift.baseline('numerr_base', 'v')) FROM cat;
SELECT wasserstein_drift(p, p) FROM cat;
SELECT hellinger_drift(v, p) FROM numerr, cat;
SELECT zscore_drift(v, p) FROM numerr, cat;
SELECT wasserstein_drift(v, p) FROM numerr, cat;
-- the transition functions refuse to run outside an aggregate
SELECT binned_drift_named_trans(NULL, 1.0, 'numerr_base', 'v');
SELECT zscore_drift_profile_trans(NULL, 1.0, drift.baseline('numerr_base', 'v'));

-- zero rows give NULL, not an error
SELECT psi_drift(v, 'numerr_base', 'v') IS NULL AS psi,
       js_drift(v, drift.baseline('numerr_base', 'v')) IS NULL AS js,
       zscore_drift(v, 'numerr_base', 'v') IS NULL AS zscore,
       wasserstein_drift(v, 'numerr_base', 'v') IS NULL AS wasserstein
  FROM numerr WHERE false;
-- so do rows that are all NULL or NaN
SELECT psi_drift(x, 'numerr_base', 'v') IS NULL AS psi,
       kl_drift(x, drift.baseline('numerr_base', 'v'), 3, 'uniform') IS NULL AS kl,
       zscore_drift(x, 'numerr_base', 'v') IS NULL AS zscore,
       wasserstein_drift(x, 'numerr_base', 'v') IS NULL AS wasserstein
  FROM (VALUES (NULL::float8), ('NaN'), (NULL)) t(x);
SELECT psi_drift('{}'::float8[], '{1}'::float8[]) IS NULL AS empty_baseline,
       hellinger_drift('{1}'::float8[], '{NULL,NaN}'::float8[]) IS NULL AS no_usable_current,
       zscore_drift('{}'::float8[], '{1,2}'::float8[]) IS NULL AS zscore_empty,
       wasserstein_drift('{NaN}'::float8[], '{1,2}'::float8[]) IS NULL AS wasserstein_empty,
       psi_drift(NULL::float8[], '{1}'::float8[]) IS NULL AS null_sample,
       kl_drift(NULL::drift_profile, NULL::drift_profile) IS NULL AS null_profiles;
-- a sample of one value, or a constant pair, leaves zscore undefined (NULL statistic)
SELECT zscore_drift('{1,2,3}'::float8[], '{5}'::float8[]) AS one_value,
       zscore_drift('{2,2,2}'::float8[], '{2,2}'::float8[]) AS constant,
       zscore_drift(drift_profile_agg(x), drift_profile_agg(x)) AS huge
  FROM unnest('{1e300,-1e300,1e300}'::float8[]) x;

-- NULLs and NaNs are skipped (and not counted in n); the remaining values decide
SELECT psi_drift('{1,2,3,4,NULL,NaN}'::float8[], '{NaN,1,2,NULL,3,4}'::float8[]) AS psi,
       zscore_drift('{1,2,3,4,NaN}'::float8[], '{NULL,2,3,4,5}'::float8[]) AS zscore,
       wasserstein_drift('{NaN,1,2,3,4}'::float8[], '{2,3,4,5,NULL}'::float8[]) AS wasserstein;
SELECT psi_drift(x, 'numerr_base', 'v') = psi_drift(x, 'numerr_base', 'v') FILTER (WHERE x IS NOT NULL AND x <> 'NaN') AS streaming_skips,
       (psi_drift(x, 'numerr_base', 'v')).n_current
  FROM (SELECT v AS x FROM numerr UNION ALL VALUES (NULL), ('NaN'::float8), (NULL)) t;

-- +-Infinity are ordinary values: the outer bins, the ends of the order
SELECT psi_drift('{1,2,3,4}'::float8[], '{-Infinity,Infinity,2,3}'::float8[], bins => 4)
       = psi_drift('{1,2,3,4}'::float8[], '{1,4,2,3}'::float8[], bins => 4) AS infinities_in_outer_bins,
       psi_drift('{-Infinity,1,2,Infinity}'::float8[], '{-Infinity,1,2,Infinity}'::float8[], bins => 4) AS infinite_baseline,
       js_drift('{-Infinity,1,2,Infinity}'::float8[], '{-Infinity,-Infinity,2,Infinity}'::float8[], bins => 2, binning => 'uniform') AS uniform_over_finite_range;
SELECT wasserstein_drift('{1,2,Infinity}'::float8[], '{1,2,3}'::float8[]) AS infinite_area,
       wasserstein_drift('{1,2,Infinity}'::float8[], '{1,3,Infinity}'::float8[]) AS same_infinite_mass,
       zscore_drift('{1,2,Infinity}'::float8[], '{1,2,3}'::float8[]) AS zscore_undefined;

-- partial states survive their text form (as Citus ships them) and combine
CREATE AGGREGATE test_binned_state(float8, text, text, int) (
  SFUNC = binned_drift_named_trans, STYPE = drift_stream_state);
CREATE AGGREGATE test_mean_state(float8, drift_profile) (
  SFUNC = zscore_drift_profile_trans, STYPE = drift_mean_state);
CREATE TEMP TABLE states AS
  SELECT grp, test_binned_state(v * 1.1, 'numerr_base', 'v', 7) AS b,
         test_mean_state(v * 1.1, drift.baseline('numerr_base', 'v')) AS m
    FROM numerr GROUP BY grp;
SELECT grp, b::text::drift_stream_state::text = b::text AS binned_round_trip,
       m::text::drift_mean_state::text = m::text AS mean_round_trip,
       psi_drift_final(b::text::drift_stream_state) = psi_drift_final(b) AS same_result
  FROM states ORDER BY grp;
SELECT psi_drift_final(drift_stream_state_combine(drift_stream_state_combine(s0.b, s1.b), s2.b))
       = (SELECT psi_drift(v * 1.1, 'numerr_base', 'v', 7) FROM numerr) AS binned_combined,
       js_drift_final(drift_stream_state_combine(drift_stream_state_combine(s0.b, s1.b), s2.b))
       = (SELECT js_drift(v * 1.1, 'numerr_base', 'v', 7) FROM numerr) AS js_combined,
       abs((zscore_drift_final(zscore_drift_combine(zscore_drift_combine(s0.m, s1.m), s2.m))).statistic
           - (SELECT (zscore_drift(v * 1.1, 'numerr_base', 'v')).statistic FROM numerr)) < 1e-12 AS mean_combined
  FROM states s0, states s1, states s2 WHERE s0.grp = 0 AND s1.grp = 1 AND s2.grp = 2;
-- states of different options or baselines do not combine
SELECT drift_stream_state_combine(b, (SELECT test_binned_state(v, 'numerr_base', 'v', 8) FROM numerr))
  FROM states WHERE grp = 0;
SELECT zscore_drift_combine(m, (SELECT test_mean_state(v, drift.baseline('numerr_half', 'v')) FROM numerr))
  FROM states WHERE grp = 0;
-- malformed text forms are rejected
-- states print in base64; the edits below work on the hex of the binary form
CREATE FUNCTION pg_temp.hex(s anyelement) RETURNS text
  LANGUAGE sql AS $$ SELECT '\x' || encode(decode(s::text, 'base64'), 'hex') $$;
SELECT 'junk'::drift_mean_state;
SELECT '\x0102'::drift_mean_state;
SELECT ('\x02' || substr(pg_temp.hex(m), 5))::drift_mean_state FROM states WHERE grp = 0;
-- a state whose bin count does not match its baseline's edges (forged: 8 bins, not 7)
SELECT psi_drift_final((substr(pg_temp.hex(b), 1, 32) || '00000008' || substr(pg_temp.hex(b), 41)
                        || '00')::drift_stream_state)
  FROM states WHERE grp = 0;
-- a state of another test
CREATE AGGREGATE test_ks_state(float8, text, text) (
  SFUNC = ks_drift_named_trans, STYPE = drift_stream_state);
SELECT psi_drift_final(test_ks_state(v, 'numerr_base', 'v')) FROM numerr;
