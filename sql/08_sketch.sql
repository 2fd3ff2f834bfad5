-- Quantile-sketch profiles: drift_sketch_agg, drift_profile_compact, drift_profile_info,
-- and the stated rank-error bound.

-- few distinct values: exact, identical to drift_profile_agg
CREATE TABLE sk_small AS
  SELECT CASE WHEN g % 11 = 0 THEN NULL WHEN g % 13 = 0 THEN 'NaN' ELSE (g % 50) * 0.5 END::float8 AS x
    FROM generate_series(1, 5000) g;
SELECT (SELECT drift_sketch_agg(x, 100) FROM sk_small)::text = (SELECT drift_profile_agg(x) FROM sk_small)::text AS same_as_exact;
SELECT * FROM drift_profile_info((SELECT drift_sketch_agg(x, 100) FROM sk_small));

-- 200,000 distinct values kept in at most 1,000 entries
CREATE TABLE sk_big AS
  SELECT g, sin(g * 0.37) * 1000 + g * 0.001 AS x FROM generate_series(1, 200000) g;
CREATE TABLE sk_profiles AS
  SELECT (SELECT drift_sketch_agg(x, 1000) FROM sk_big) AS approx,
         (SELECT drift_profile_agg(x) FROM sk_big) AS exact;
SELECT i.kind, i.exact, i.rank_error > 0 AND i.rank_error < 0.02 AS bound_small,
       i.count, i.distinct_entries <= 1000 AS fits, i.min = e.min AND i.max = e.max AS min_max_exact,
       abs(i.mean - e.mean) <= 1e-12 * abs(e.mean) AS mean_exact,
       abs(i.variance - e.variance) <= 1e-10 * e.variance AS variance_exact,
       i.size_bytes < e.size_bytes / 100 AS small
  FROM sk_profiles, drift_profile_info(approx) i, drift_profile_info(sk_profiles.exact) e;
-- the moments also agree with the built-in aggregates
SELECT abs(i.mean - avg(x)) <= 1e-12 * abs(avg(x)) AS mean_ok,
       abs(i.variance - var_samp(x)) <= 1e-10 * var_samp(x) AS variance_ok
  FROM sk_big, sk_profiles, drift_profile_info(approx) i GROUP BY i.mean, i.variance;

-- the bound holds at 2,001 query points spread over the range and at every 100th value:
-- the exact mid-rank ECDF computed independently with window functions
CREATE TABLE sk_points AS
  SELECT -1001 + 1.001 * k AS q FROM generate_series(0, 2000) k
  UNION ALL SELECT x FROM sk_big WHERE g % 100 = 0;
CREATE TABLE sk_exact_q AS
  SELECT v AS q, (le - 0.5 * eq) / 200000.0 AS quantile
    FROM (SELECT v, w, sum(w) OVER (ORDER BY v RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS le,
                 sum(w) OVER (PARTITION BY v) AS eq
            FROM (SELECT x AS v, 1 AS w FROM sk_big UNION ALL SELECT q, 0 FROM sk_points) a) r
   WHERE w = 0;
SELECT max(abs(drift_quantile(e.q, p.approx) - e.quantile)) <= min((drift_profile_info(p.approx)).rank_error) + 1e-12
         AS quantile_within_bound,
       max(abs(drift_quantile(e.q, p.approx) - e.quantile)) > 0 AS not_trivially_exact
  FROM sk_exact_q e, sk_profiles p;
-- ks_drift against the sketch is within the bound of the exact two-sample statistic
CREATE TABLE sk_live AS SELECT sin(g * 0.29) * 900 + 50 AS x FROM generate_series(1, 30000) g;
CREATE TABLE sk_ks AS
  SELECT (ks_drift((SELECT array_agg(x) FROM sk_big), (SELECT array_agg(x) FROM sk_live))).statistic AS exact_d,
         (SELECT (ks_drift(x, (SELECT approx FROM sk_profiles))).statistic FROM sk_live) AS streaming_d,
         (ks_drift((SELECT approx FROM sk_profiles), (SELECT drift_profile_agg(x) FROM sk_live))).statistic AS profile_d;
SELECT abs(streaming_d - exact_d) <= rank_error + 1e-12 AS streaming_within_bound,
       abs(profile_d - exact_d) <= rank_error + 1e-12 AS profile_within_bound, streaming_d = profile_d AS forms_agree
  FROM sk_ks, (SELECT (drift_profile_info(approx)).rank_error FROM sk_profiles) i;

-- text and binary forms of a sketch round-trip
SELECT approx::text::drift_profile::text = approx::text AS text_round_trip FROM sk_profiles;
CREATE TEMP TABLE sk_copy (p drift_profile);
INSERT INTO sk_copy SELECT approx FROM sk_profiles;
COPY sk_copy TO '/tmp/pg_drift_sk_copy.bin' WITH (FORMAT binary);
TRUNCATE sk_copy;
COPY sk_copy FROM '/tmp/pg_drift_sk_copy.bin' WITH (FORMAT binary);
SELECT p::text = (SELECT approx::text FROM sk_profiles) AS binary_round_trip FROM sk_copy;

-- forced parallel: partial sketches combine, and the combined bound still holds
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT drift_sketch_agg(x, 1000) FROM sk_big;
CREATE TEMP TABLE sk_par AS SELECT drift_sketch_agg(x, 1000) AS p FROM sk_big;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
SELECT i.count = 200000 AS count_ok, i.distinct_entries <= 1000 AS fits,
       abs(i.mean - e.mean) <= 1e-12 * abs(e.mean) AS mean_exact,
       (SELECT max(abs(drift_quantile(q, p) - quantile)) FROM sk_exact_q) <= i.rank_error + 1e-12 AS within_bound
  FROM sk_par, sk_profiles, drift_profile_info(p) i, drift_profile_info(sk_profiles.exact) e;

-- drift_profile_compact: an exact profile squeezed, and a sketch squeezed further
CREATE TABLE sk_compacted AS
  SELECT drift_profile_compact(exact, 100) AS c, drift_profile_compact(approx, 50) AS c2 FROM sk_profiles;
SELECT i.exact, i.distinct_entries <= 100 AS fits,
       i.rank_error <= (ceil(199998 / 49.0) + 1) / 2 / 200000.0 AS within_stated_bound,
       (SELECT max(abs(drift_quantile(q, c) - quantile)) FROM sk_exact_q) <= i.rank_error + 1e-12 AS within_bound,
       abs(i.mean - e.mean) <= 1e-12 * abs(e.mean) AS mean_exact
  FROM sk_profiles, sk_compacted, drift_profile_info(c) i, drift_profile_info(sk_profiles.exact) e;
SELECT i2.rank_error >= i1.rank_error AS error_grows, i2.distinct_entries <= 50 AS fits,
       (SELECT max(abs(drift_quantile(q, c2) - quantile)) FROM sk_exact_q) <= i2.rank_error + 1e-12 AS within_bound,
       abs(i2.variance - e.variance) <= 1e-10 * e.variance AS variance_exact
  FROM sk_profiles, sk_compacted, drift_profile_info(approx) i1, drift_profile_info(c2) i2, drift_profile_info(sk_profiles.exact) e;
SELECT drift_profile_compact(p, 16)::text = p::text AS unchanged_when_small
  FROM (SELECT drift_profile_agg(x) AS p FROM (VALUES (1.0::float8), (2.0)) t(x)) s;
-- infinities stay at the ends; NULL and NaN counts carried
SELECT (drift_profile_info(drift_profile_compact(drift_profile_agg(x), 16))).*
  FROM (SELECT g::float8 AS x FROM generate_series(1, 1000) g
        UNION ALL VALUES ('Infinity'::float8), ('-Infinity'), (NULL), ('NaN')) t;

-- drift_profile_info on the other kinds of profile
SELECT * FROM drift_profile_info('{"version": 1, "kind": "numeric", "values": [], "counts": []}');
SELECT * FROM drift_profile_info('{"version": 1, "kind": "categorical", "categories": ["a", "b"], "counts": [1, 2], "null_count": 4}');

-- errors
SELECT drift_sketch_agg(x, 3) FROM sk_small;
SELECT drift_sketch_agg(x, NULL) FROM sk_small;
SELECT drift_profile_compact('{"version": 1, "kind": "categorical", "categories": ["a"], "counts": [1]}', 100);
SELECT drift_sketch_agg(x, 1000) IS NULL AS no_rows FROM sk_small WHERE false;
