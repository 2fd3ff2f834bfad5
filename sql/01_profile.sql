-- drift_profile: building, text form, binary form, merging, validation.

-- NULLs and NaNs are counted, not profiled; -0 and 0 are one value;
-- infinities are ordinary ordered values.
SELECT drift_profile_agg(x)
  FROM (VALUES (1.5::float8), (2), (2), (NULL), ('NaN'), ('Infinity'),
               ('-Infinity'), ('-0'), (0)) AS t(x);

-- finite data: mean and variance agree with the built-in aggregates
SELECT p::text::jsonb - 'values' - 'counts' AS summary,
       abs((p::text::jsonb->>'mean')::float8 - avg_x) <= 1e-15 * abs(avg_x) AS mean_ok,
       abs((p::text::jsonb->>'variance')::float8 - var_x) <= 1e-13 * var_x AS variance_ok
  FROM (SELECT drift_profile_agg(x) AS p, avg(x) AS avg_x, var_samp(x) AS var_x
          FROM (SELECT (g % 37) * 0.25 AS x FROM generate_series(1, 10000) g) s) t;

-- zero rows give NULL; only NULL rows give an empty profile that counts them
SELECT drift_profile_agg(x) IS NULL AS no_rows FROM (SELECT 1.0::float8 WHERE false) t(x);
SELECT drift_profile_agg(NULL::float8) FROM generate_series(1, 3);

-- other numeric types arrive through casts
SELECT drift_profile_agg(x::float8) FROM (VALUES (1::int), (1), (3)) t(x);

-- text round trip is exact, including awkward doubles
SELECT p::text::drift_profile::text = p::text AS text_round_trip
  FROM (SELECT drift_profile_agg(x) AS p
          FROM (SELECT sin(g) * 10 ^ (g % 40 - 20) AS x FROM generate_series(1, 5000) g
                UNION ALL VALUES (1e-300), (5e-324), (1.7976931348623157e308)) s) t;

-- the text form is JSON, so jsonb can read it
SELECT jsonb_typeof(drift_profile_agg(x)::text::jsonb) FROM generate_series(1, 3) x;

-- merging partial profiles equals profiling everything at once
WITH parts AS (
  SELECT g % 7 AS part, drift_profile_agg(round(sin(g) * 100)) AS p
    FROM generate_series(1, 20000) g GROUP BY g % 7)
SELECT (SELECT drift_profile_merge(p) FROM parts)::text
     = (SELECT drift_profile_agg(round(sin(g) * 100)) FROM generate_series(1, 20000) g)::text
       AS merge_equals_whole;
SELECT drift_profile_merge(p) IS NULL AS merge_of_nothing
  FROM (SELECT NULL::drift_profile AS p WHERE false) t;

-- binary round trip through COPY (FORMAT binary)
CREATE TEMP TABLE profiles (id int, p drift_profile);
INSERT INTO profiles
  SELECT 1, drift_profile_agg(x) FROM (VALUES (1.0::float8), ('-Infinity'), (NULL), ('NaN'), (2)) t(x)
  UNION ALL
  SELECT 2, drift_profile_agg(g / 3.0) FROM generate_series(1, 1000) g
  UNION ALL
  SELECT 3, '{"version": 1, "kind": "numeric", "values": [], "counts": []}';
\copy profiles TO 'results/profiles.bin' WITH (FORMAT binary)
CREATE TEMP TABLE profiles_back (LIKE profiles);
\copy profiles_back FROM 'results/profiles.bin' WITH (FORMAT binary)
SELECT a.id, a.p::text = b.p::text AS binary_round_trip
  FROM profiles a JOIN profiles_back b USING (id) ORDER BY a.id;

-- the exact-profile limit is a setting; past it a profile compacts to a
-- quantile sketch that states its rank-error bound (08_sketch tests the bound)
SET pg_drift.exact_profile_limit = 1000;
SELECT exact, rank_error > 0 AS has_bound, distinct_entries <= 1000 AS compact, count, min, max
  FROM drift_profile_info((SELECT drift_profile_agg(g) FROM generate_series(1, 2000) g));
RESET pg_drift.exact_profile_limit;
SET pg_drift.exact_profile_limit = 10;
RESET pg_drift.exact_profile_limit;

-- malformed text is rejected with an error, never accepted or crashed on
SELECT ''::drift_profile;
SELECT 'not json'::drift_profile;
SELECT '{}'::drift_profile;
SELECT '{"version": 1}'::drift_profile;
SELECT '{"version": 2, "kind": "numeric", "values": [], "counts": []}'::drift_profile;
SELECT '{"version": 1, "kind": "numbers", "values": [], "counts": []}'::drift_profile;
SELECT '{"version": 1, "kind": "numeric", "values": [2, 1], "counts": [1, 1]}'::drift_profile;
SELECT '{"version": 1, "kind": "numeric", "values": [1, 1], "counts": [1, 1]}'::drift_profile;
SELECT '{"version": 1, "kind": "numeric", "values": [1, 2], "counts": [1]}'::drift_profile;
SELECT '{"version": 1, "kind": "numeric", "values": [1], "counts": [0]}'::drift_profile;
SELECT '{"version": 1, "kind": "numeric", "values": [1], "counts": [-3]}'::drift_profile;
SELECT '{"version": 1, "kind": "numeric", "values": ["NaN"], "counts": [1]}'::drift_profile;
SELECT '{"version": 1, "kind": "numeric", "values": [1e999], "counts": [1]}'::drift_profile;
SELECT '{"version": 1, "kind": "numeric", "values": [0x10], "counts": [1]}'::drift_profile;
SELECT '{"version": 1, "kind": "numeric", "values": [1], "counts": [1.5]}'::drift_profile;
SELECT '{"version": 1, "kind": "numeric", "values": [1], "counts": [99999999999999999999]}'::drift_profile;
SELECT '{"version": 1, "kind": "numeric", "count": 5, "values": [1], "counts": [1]}'::drift_profile;
SELECT '{"version": 1, "kind": "numeric", "min": 0, "max": 1, "values": [1], "counts": [1]}'::drift_profile;
SELECT '{"version": 1, "kind": "numeric", "null_count": -1, "values": [], "counts": []}'::drift_profile;
SELECT '{"version": 1, "kind": "numeric", "values": [1], "counts": [1]} trailing'::drift_profile;
SELECT '{"version": 1, "kind": "numeric", "values": [1], "counts": [1], "colour": "red"}'::drift_profile;
SELECT '{"version": 1, "kind": "numeric", "values": [1, "counts": [1]}'::drift_profile;
SELECT '{"version": 1, "kind": "num'::drift_profile;
SELECT '{"version": 1, "kind": "numeric", "exact": false, "values": [1], "counts": [1]}'::drift_profile;
SELECT '{"version": 1, "kind": "numeric", "rank_error": 0.5, "values": [1], "counts": [1]}'::drift_profile;

-- malformed binary input is rejected too (bytes fed through drift_profile_recv)
CREATE TEMP TABLE raw_profiles (p bytea);
INSERT INTO raw_profiles VALUES ('\x01'), ('\x0201000000000000');
\copy (SELECT p FROM raw_profiles LIMIT 1) TO 'results/bad_profile.bin' WITH (FORMAT binary)
\copy profiles_back (p) FROM 'results/bad_profile.bin' WITH (FORMAT binary)
