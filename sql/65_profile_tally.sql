-- drift_profile_agg's two ways of collecting values (src/core/value_list.c):
-- a hash table counting the values while a column has few distinct ones
-- (the tally), and the buffer that is sorted and merged once there are more.
-- Whichever way, and wherever a column passes from one to the other, the
-- exact profile lists every distinct value with its count, as GROUP BY
-- counts them; past pg_drift.exact_profile_limit the approximate profile is
-- the one the buffer alone built before the tally existed (md5 of its text
-- form, recorded with that build).
SET extra_float_digits = 0;

-- rows in order: o; the kinds of columns a model has
CREATE TABLE tally_rows AS
  SELECT g AS o,
         (g % 3)::float8 AS flag3,                                  -- 3 values throughout
         CASE WHEN g % 5 = 0 THEN NULL WHEN g % 7 = 0 THEN 'NaN'
              WHEN g % 11 = 0 THEN '-0' ELSE (g % 13)::float8 END AS codes,  -- NULL, NaN, -0
         CASE WHEN g <= 1000 THEN (g % 7)::float8
              ELSE round((sin(g) * 1000)::numeric, 2)::float8 END AS widening,  -- 7, then many
         CASE WHEN g <= 3333 THEN (g % 256)::float8
              ELSE (g % 257)::float8 END AS at_the_limit,            -- 256, then one more
         round((cos(g) * 100000)::numeric)::float8 AS wide,          -- many from the start
         CASE WHEN g % 1000 = 0 THEN 'Infinity' WHEN g % 999 = 0 THEN '-Infinity'
              ELSE (g % 4)::float8 END AS infinite   -- +-Infinity are values
    FROM generate_series(1, 20000) g;

-- the profile's values and counts against GROUP BY's, serial
CREATE FUNCTION pg_temp.profile_matches(p drift_profile, vals float8[], cnts bigint[],
                                        nulls bigint, nans bigint) RETURNS boolean
  LANGUAGE sql AS $$
  SELECT (p::text::jsonb -> 'values') = to_jsonb(vals)
     AND (p::text::jsonb -> 'counts') = to_jsonb(cnts)
     AND (p::text::jsonb ->> 'null_count')::bigint = nulls
     AND (p::text::jsonb ->> 'nan_count')::bigint = nans
$$;
CREATE FUNCTION pg_temp.check_column(col text) RETURNS TABLE (column_name text, n_values int, exact boolean)
  LANGUAGE plpgsql AS $$
DECLARE
  ok boolean;
  n  int;
BEGIN
  EXECUTE format(
    'SELECT pg_temp.profile_matches((SELECT drift_profile_agg(%1$I ORDER BY o) FROM tally_rows),'
    '  array_agg(v ORDER BY v) FILTER (WHERE v IS NOT NULL AND v <> ''NaN''),'
    '  array_agg(c ORDER BY v) FILTER (WHERE v IS NOT NULL AND v <> ''NaN''),'
    '  coalesce(sum(c) FILTER (WHERE v IS NULL), 0)::bigint,'
    '  coalesce(sum(c) FILTER (WHERE v = ''NaN''), 0)::bigint),'
    '  count(*) FILTER (WHERE v IS NOT NULL AND v <> ''NaN'')'
    ' FROM (SELECT %1$I AS v, count(*) AS c FROM tally_rows GROUP BY %1$I) g', col)
    INTO ok, n;
  RETURN QUERY SELECT col, n, ok;
END
$$;
SELECT c.* FROM unnest(ARRAY['flag3', 'codes', 'widening', 'at_the_limit', 'wide', 'infinite']) AS u(col),
                LATERAL pg_temp.check_column(u.col) c;

-- -0 and 0 are one value in the tally too
SELECT drift_profile_agg(x)::text::jsonb -> 'values' AS zero_once,
       drift_profile_agg(x)::text::jsonb -> 'counts' AS counted_twice
  FROM (VALUES ('-0'::float8), (0)) t(x);

-- many groups, each with a few values: every group keeps its own tally
SELECT count(*) AS groups,
       bool_and(pg_temp.profile_matches(p, ARRAY[(k % 3)::float8, (k % 3 + 3)::float8],
                                        ARRAY[50, 50]::bigint[], 0, 0)) AS all_exact
  FROM (SELECT g % 1000 AS k, drift_profile_agg(CASE WHEN g % 2000 < 1000 THEN (g % 1000) % 3
                                                    ELSE (g % 1000) % 3 + 3 END::float8) AS p
          FROM generate_series(0, 99999) g GROUP BY g % 1000) s;

-- the same profiles from parallel workers' partial states (combined and merged)
CREATE TEMP TABLE tally_serial AS
  SELECT drift_profile_agg(flag3)::text AS flag3, drift_profile_agg(widening)::text AS widening,
         drift_profile_agg(at_the_limit)::text AS at_the_limit, drift_profile_agg(wide)::text AS wide
    FROM tally_rows;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT drift_profile_agg(flag3) FROM tally_rows;
SELECT s.flag3 = p.flag3 AS flag3, s.widening = p.widening AS widening,
       s.at_the_limit = p.at_the_limit AS at_the_limit, s.wide = p.wide AS wide
  FROM tally_serial s,
       (SELECT drift_profile_agg(flag3)::text AS flag3, drift_profile_agg(widening)::text AS widening,
               drift_profile_agg(at_the_limit)::text AS at_the_limit,
               drift_profile_agg(wide)::text AS wide FROM tally_rows) p;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- past the exact limit: compactions at the rows where the buffer alone
-- compacted, so the approximate profiles are the ones recorded before the
-- tally (a column that starts with few values and widens, at several row
-- counts around the buffer's 4096-value flushes)
SET pg_drift.exact_profile_limit = 1000;
SELECT n, md5(drift_profile_agg(widening ORDER BY o)::text) AS widening,
       md5(drift_profile_agg(CASE WHEN o <= 4100 THEN flag3 ELSE wide END ORDER BY o)::text) AS late
  FROM (VALUES (3000), (4096), (4097), (9000), (20000)) AS v(n),
       LATERAL (SELECT * FROM tally_rows WHERE o <= v.n) t
 GROUP BY n ORDER BY n;
RESET pg_drift.exact_profile_limit;
