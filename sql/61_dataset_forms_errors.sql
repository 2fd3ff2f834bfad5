-- The tests the whole-model check added, in every form (streaming against a
-- named baseline and a profile, profile against profile, raw arrays), agree
-- with each other; proportion_z on numbers and on their text; serial and
-- parallel partial states; and drift.dataset_drift's bad input is refused
-- with an error naming the argument, while an empty window gives NULLs.
CREATE TABLE mt (x float8, flag int, cat text, ok boolean, g int);
INSERT INTO mt
  SELECT (i % 97) * 0.37 + (i % 5) * (CASE WHEN i > 600 THEN 1.3 ELSE 1 END),
         CASE WHEN i % 7 < (CASE WHEN i > 600 THEN 4 ELSE 2 END) THEN 1 ELSE 0 END,
         CASE WHEN i % 3 = 0 THEN 'red' ELSE 'blue' END,
         i % 4 = 0,
         CASE WHEN i <= 600 THEN 0 ELSE 1 END
    FROM generate_series(1, 1400) i;
INSERT INTO mt VALUES (NULL, NULL, NULL, NULL, 1), ('NaN', 0, 'red', true, 1);
CREATE VIEW mt_base AS SELECT x, flag, cat, ok FROM mt WHERE g = 0;
CREATE VIEW mt_cur AS SELECT x, flag, cat, ok FROM mt WHERE g = 1;
SELECT column_name, kind, n FROM drift.capture_baseline('mt', 'mt_base') ORDER BY 1;

-- wasserstein_norm_drift: four forms, one value; and the definition
WITH f AS (
  SELECT (SELECT wasserstein_norm_drift(x, 'mt', 'x') FROM mt_cur) AS named,
         (SELECT wasserstein_norm_drift(x, drift.baseline('mt', 'x')) FROM mt_cur) AS streamed,
         wasserstein_norm_drift(drift.baseline('mt', 'x'),
                                (SELECT drift_profile_agg(x) FROM mt_cur)) AS profiles,
         wasserstein_norm_drift((SELECT array_agg(x) FROM mt_base),
                                (SELECT array_agg(x) FROM mt_cur)) AS arrays,
         (wasserstein_drift((SELECT array_agg(x) FROM mt_base), (SELECT array_agg(x) FROM mt_cur))).statistic
           / greatest((SELECT stddev_pop(x) FROM mt_base), 0.001) AS by_hand)
SELECT round((named).statistic::numeric, 12) AS statistic, (named).p_value,
       (named).n_baseline, (named).n_current,
       abs((named).statistic - (streamed).statistic) < 1e-12 AS streamed_same,
       abs((named).statistic - (profiles).statistic) < 1e-12 AS profiles_same,
       abs((named).statistic - (arrays).statistic) < 1e-12 AS arrays_same,
       abs((named).statistic - by_hand) < 1e-9 * by_hand AS as_defined
  FROM f;
-- a constant baseline divides by 0.001, not by 0
SELECT (wasserstein_norm_drift(ARRAY[2.0, 2.0]::float8[], ARRAY[2.0, 3.0]::float8[])).statistic;

-- proportion_z_drift on a 0/1 column: four forms; the same on its text
WITH f AS (
  SELECT (SELECT proportion_z_drift(flag, 'mt', 'flag') FROM mt_cur) AS named,
         (SELECT proportion_z_drift(flag, drift.baseline('mt', 'flag')) FROM mt_cur) AS streamed,
         proportion_z_drift(drift.baseline('mt', 'flag'),
                            (SELECT drift_profile_agg(flag) FROM mt_cur)) AS profiles,
         proportion_z_drift((SELECT array_agg(flag::float8) FROM mt_base),
                            (SELECT array_agg(flag::float8) FROM mt_cur)) AS arrays,
         proportion_z_drift((SELECT array_agg(flag::text) FROM mt_base),
                            (SELECT array_agg(flag::text) FROM mt_cur)) AS texts)
SELECT round((named).statistic::numeric, 10) AS z, (named).p_value < 1e-10 AS tiny_p,
       (named).n_baseline, (named).n_current,
       named = streamed AS streamed_same, named = profiles AS profiles_same,
       named = arrays AS arrays_same, named = texts AS texts_same
  FROM f;
-- by hand: pooled two-proportion z
SELECT round(abs((pb - pc) / sqrt(pp * (1 - pp) * (1.0 / nb + 1.0 / nc)))::numeric, 10) AS z_by_hand
  FROM (SELECT avg(flag) FILTER (WHERE g = 0) AS pb, avg(flag) FILTER (WHERE g = 1) AS pc,
               avg(flag) AS pp, count(flag) FILTER (WHERE g = 0) AS nb,
               count(flag) FILTER (WHERE g = 1) AS nc FROM mt) s;
-- text and boolean columns, streaming and profiles
SELECT (SELECT proportion_z_drift(cat, 'mt', 'cat') FROM mt_cur) =
       proportion_z_drift(drift.baseline('mt', 'cat'), (SELECT drift_profile_agg(cat) FROM mt_cur))
         AS cat_same,
       (SELECT proportion_z_drift(ok::text, 'mt', 'ok') FROM mt_cur) =
       proportion_z_drift((SELECT array_agg(ok::text) FROM mt_base), (SELECT array_agg(ok::text) FROM mt_cur))
         AS bool_same;
-- one value on both sides: statistic 0, p 1; an empty sample: NULL
SELECT proportion_z_drift(ARRAY[1, 1]::float8[], ARRAY[1]::float8[]),
       proportion_z_drift(ARRAY[1]::float8[], ARRAY[]::float8[]) IS NULL AS empty_is_null;
-- more than two values is an error
SELECT proportion_z_drift(ARRAY[1, 2]::float8[], ARRAY[3]::float8[]);
SELECT proportion_z_drift(x, 'mt', 'x') FROM mt_cur;

-- parallel partial states (serialize / combine) give the same results
CREATE TABLE mt_big AS SELECT m.* FROM mt m, generate_series(1, 20) WHERE g = 1;
ANALYZE mt_big;
CREATE TEMP TABLE serial AS
  SELECT wasserstein_norm_drift(x, 'mt', 'x') AS w, proportion_z_drift(flag, 'mt', 'flag') AS pz,
         proportion_z_drift(cat, 'mt', 'cat') AS pc FROM mt_big;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
  SELECT wasserstein_norm_drift(x, 'mt', 'x'), proportion_z_drift(flag, 'mt', 'flag') FROM mt_big;
SELECT s.w = p.w AS w_same, s.pz = p.pz AS pz_same, s.pc = p.pc AS pc_same
  FROM serial s,
       (SELECT wasserstein_norm_drift(x, 'mt', 'x') AS w, proportion_z_drift(flag, 'mt', 'flag') AS pz,
               proportion_z_drift(cat, 'mt', 'cat') AS pc FROM mt_big) p;
RESET parallel_leader_participation;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;

-- numeric values as categories
SELECT drift_profile_categories(drift_profile_agg(v))
  FROM unnest(ARRAY[1, 0.1, 1, -2.5, 1e20]::float8[]) v;
SELECT drift_profile_categories(drift_profile_agg(v)) FROM unnest(ARRAY['a', 'b']) v;

-- choice of test, corrections
SELECT * FROM drift.choose_test(drift.baseline('mt', 'cat'), drift.baseline('mt', 'cat'));
SELECT drift.adjust_p_values(ARRAY[0.01, NULL, 0.04, 0.03]::float8[], 'holm'),
       drift.adjust_p_values(ARRAY[0.01, NULL, 0.04, 0.03]::float8[], 'bh'),
       drift.adjust_p_values('{}'::float8[], 'bonferroni');
SELECT drift.adjust_p_values(ARRAY[1.5]::float8[], 'holm');

-- the whole check, automatic and overridden; threshold per column
SELECT column_name, column_kind, test, reason, round(statistic::numeric, 6) AS statistic,
       threshold, drifted, rank, n_baseline, n_current, distinct_values
  FROM drift.dataset_drift('mt', 'mt_cur') ORDER BY column_name;
SELECT column_name, test, reason, threshold, drifted
  FROM drift.dataset_drift('mt', 'mt_cur', columns => ARRAY['x', 'cat'],
                           tests => '{"x": "wasserstein_norm", "cat": {"test": "js", "threshold": 0.5}}')
 ORDER BY column_name;
SELECT * FROM drift.dataset_drift_summary('mt', 'mt_cur', drift_share => 0.25);
SELECT * FROM drift.dataset_drift_summary('mt', 'mt_cur', correction => 'bonferroni', drift_share => 1);
-- an empty window: NULL results, nothing drifted
SELECT column_name, test, statistic, p_value, drifted, severity, rank, n_current
  FROM drift.dataset_drift('mt', 'mt_cur', filter => 'false') ORDER BY column_name;
SELECT * FROM drift.dataset_drift_summary('mt', 'mt_cur', filter => 'x > 1e9');

-- bad input: each an error naming the argument
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT * FROM drift.dataset_drift('nope', 'mt_cur');
SELECT * FROM drift.dataset_drift('mt', 'mt_cur', columns => ARRAY['x', 'nope']);
SELECT * FROM drift.dataset_drift('mt', 'mt_cur', columns => '{}');
SELECT * FROM drift.dataset_drift('mt', 'mt_cur', tests => '{"nope": "ks"}');
SELECT * FROM drift.dataset_drift('mt', 'mt_cur', tests => '{"x": "magic"}');
SELECT * FROM drift.dataset_drift('mt', 'mt_cur', tests => '{"cat": "ks"}');
SELECT * FROM drift.dataset_drift('mt', 'mt_cur', tests => '{"x": {"test": "ks", "colour": 1}}');
SELECT * FROM drift.dataset_drift('mt', 'mt_cur', tests => '["x"]');
SELECT * FROM drift.dataset_drift('mt', 'mt_cur', alpha => 0);
SELECT * FROM drift.dataset_drift('mt', 'mt_cur', alpha => 1);
SELECT * FROM drift.dataset_drift('mt', 'mt_cur', drift_share => 1.5);
SELECT * FROM drift.dataset_drift('mt', 'mt_cur', correction => 'sidak');
CREATE VIEW mt_fewer AS SELECT x, cat FROM mt;
SELECT * FROM drift.dataset_drift('mt', 'mt_fewer', columns => ARRAY['flag']);
SELECT column_name FROM drift.dataset_drift('mt', 'mt_fewer') ORDER BY 1;
CREATE VIEW mt_retyped AS SELECT x::text AS x FROM mt;
SELECT * FROM drift.dataset_drift('mt', 'mt_retyped');
SELECT * FROM drift.dataset_drift('mt', 'mt_retyped', columns => ARRAY['x']);
\set VERBOSITY terse
\set SHOW_CONTEXT errors
