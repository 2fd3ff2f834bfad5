-- Data integrity: null_rate_drift, out_of_range_share, drift_quantile.

CREATE TABLE integ_train AS
  SELECT g AS id,
         CASE WHEN g % 10 = 0 THEN NULL ELSE (g % 97)::float8 END AS x,
         CASE WHEN g % 10 = 0 THEN NULL ELSE 'c' || (g % 7) END AS t
    FROM generate_series(1, 1000) g;
INSERT INTO integ_train VALUES (1001, 'NaN', 'c1');
CREATE TABLE integ_live AS
  SELECT g AS id,
         CASE WHEN g % 4 = 0 THEN NULL ELSE (g % 113)::float8 - 5 END AS x,
         CASE WHEN g % 4 = 0 THEN NULL ELSE 'c' || (g % 9) END AS t,
         g % 3 AS slice
    FROM generate_series(1, 600) g;
INSERT INTO integ_live VALUES (601, 'NaN', 'c1', 0), (602, 'Infinity', NULL, 1),
  (603, '-Infinity', 'c2', 2);
SELECT count(*) FROM drift.capture_baseline('integ_base', 'integ_train', columns => ARRAY['x']);

-- null_rate_drift against an independent SQL computation of the pooled z-test.
-- normal_upper(z) = 1 - Phi(z) by Marsaglia's series Phi(z) = 1/2 + phi(z) sum z^(2k+1)/(2k+1)!!
CREATE FUNCTION normal_upper(z float8) RETURNS float8 LANGUAGE sql AS $$
  WITH RECURSIVE t(k, term) AS (
    SELECT 0, z
    UNION ALL
    SELECT k + 1, term * z * z / (2 * k + 3) FROM t WHERE k < 60 AND abs(term) > 1e-200)
  SELECT 0.5 - exp(-z * z / 2) / sqrt(2 * pi()) * sum(term) FROM t $$;
CREATE FUNCTION two_prop(xb float8, nb float8, xc float8, nc float8,
                         OUT statistic float8, OUT p_value float8) LANGUAGE sql AS $$
  SELECT xc / nc - xb / nb,
         2 * normal_upper(abs((xc / nc - xb / nb)
               / sqrt((xb + xc) / (nb + nc) * (1 - (xb + xc) / (nb + nc)) * (1 / nb + 1 / nc)))) $$;
-- a moderate change (p about 0.25): 10% NULLs in the baseline, 12% now
CREATE TABLE integ_mod AS
  SELECT CASE WHEN g % 25 < 3 THEN NULL ELSE g::float8 END AS x FROM generate_series(1, 500) g;
WITH ref AS (SELECT (two_prop(100, 1000, 60, 500)).*),
     impl AS (SELECT (null_rate_drift(x, '{"version": 1, "kind": "numeric", "values": [1], "counts": [900], "null_count": 100}'::drift_profile)).*
                FROM integ_mod)
SELECT abs(impl.statistic - ref.statistic) < 1e-12 AS stat_ok,
       abs(impl.p_value - ref.p_value) <= 1e-9 * ref.p_value AS p_ok,
       impl.n_baseline, impl.n_current, round(impl.p_value::numeric, 6) AS p_value
  FROM impl, ref;
-- the main data: statistic and counts against SQL
WITH b AS (SELECT count(*) FILTER (WHERE x IS NULL)::float8 AS xb, count(*)::float8 AS nb
             FROM integ_train),
     c AS (SELECT count(*) FILTER (WHERE x IS NULL)::float8 AS xc, count(*)::float8 AS nc
             FROM integ_live),
     impl AS (SELECT (null_rate_drift(x, 'integ_base', 'x')).* FROM integ_live)
SELECT abs(impl.statistic - (xc / nc - xb / nb)) < 1e-12 AS stat_ok,
       impl.n_baseline = nb AS nb_ok, impl.n_current = nc AS nc_ok
  FROM impl, b, c;

-- the five forms (float8, text, profile, text against profile, profile vs profile); the text
-- column t is NULL where x is, and also in row 602, so its rate is one row higher
SELECT (null_rate_drift(x, 'integ_base', 'x')).* FROM integ_live;
SELECT (null_rate_drift(t, 'integ_base', 'x')).* FROM integ_live;
SELECT (null_rate_drift(x, (SELECT drift.baseline('integ_base', 'x')))).* FROM integ_live;
SELECT (null_rate_drift(t, (SELECT drift.baseline('integ_base', 'x')))).* FROM integ_live;
SELECT (null_rate_drift(drift.baseline('integ_base', 'x'),
                        (SELECT drift_profile_agg(x) FROM integ_live))).*;

-- per slice
SELECT slice, (null_rate_drift(x, 'integ_base', 'x')).n_current,
       round((null_rate_drift(x, 'integ_base', 'x')).statistic::numeric, 6) AS statistic
  FROM integ_live GROUP BY slice ORDER BY slice;

-- equal rates: statistic 0, p-value 1; pooled rate 0 or 1: NULL p-value
SELECT (null_rate_drift(x, drift.baseline('integ_base', 'x'))).*
  FROM (SELECT x FROM integ_train) t;
SELECT (null_rate_drift(x, '{"version": 1, "kind": "numeric", "values": [1], "counts": [3]}'::drift_profile)).*
  FROM (VALUES (1.0::float8), (2.0)) t(x);
SELECT (null_rate_drift(x, '{"version": 1, "kind": "numeric", "values": [], "counts": [], "null_count": 4}'::drift_profile)).*
  FROM (VALUES (NULL::float8), (NULL)) t(x);
-- empty baseline: NULL statistic; zero rows: NULL
SELECT (null_rate_drift(x, '{"version": 1, "kind": "numeric", "values": [], "counts": []}'::drift_profile)).*
  FROM (VALUES (1.0::float8)) t(x);
SELECT null_rate_drift(x, 'integ_base', 'x') IS NULL AS no_rows FROM integ_live WHERE false;

-- out_of_range_share against SQL
WITH r AS (SELECT min(x) AS lo, max(x) AS hi FROM integ_train WHERE x <> 'NaN')
SELECT (SELECT out_of_range_share(x, 'integ_base', 'x') FROM integ_live) AS share,
       (SELECT count(*) FILTER (WHERE l.x <> 'NaN' AND (l.x < r.lo OR l.x > r.hi))::float8
               / count(*) FILTER (WHERE l.x IS NOT NULL AND l.x <> 'NaN')
          FROM integ_live l, r) AS expected,
       (SELECT out_of_range_share(x, drift.baseline('integ_base', 'x')) FROM integ_live) AS profile_form;
SELECT slice, round(out_of_range_share(x, 'integ_base', 'x')::numeric, 6) AS share
  FROM integ_live GROUP BY slice ORDER BY slice;
-- boundaries are inside; infinities are ordinary values; NULL and NaN are not counted
SELECT out_of_range_share(x, '{"version": 1, "kind": "numeric", "values": [0, 1], "counts": [1, 1]}'::drift_profile)
  FROM (VALUES (0.0::float8), (1.0), (NULL), ('NaN'), ('Infinity')) t(x);
SELECT out_of_range_share(x, '{"version": 1, "kind": "numeric", "values": ["-Infinity", "Infinity"], "counts": [1, 1]}'::drift_profile)
  FROM (VALUES ('-Infinity'::float8), ('Infinity'), (1e308)) t(x);
-- only NULL/NaN rows, or no rows: NULL; an empty baseline: everything is outside
SELECT out_of_range_share(x, 'integ_base', 'x') IS NULL AS only_null_nan
  FROM (VALUES (NULL::float8), ('NaN')) t(x);
SELECT out_of_range_share(x, 'integ_base', 'x') IS NULL AS no_rows FROM integ_live WHERE false;
SELECT out_of_range_share(x, '{"version": 1, "kind": "numeric", "values": [], "counts": []}'::drift_profile)
  FROM (VALUES (1.0::float8)) t(x);

-- drift_quantile: mid-rank ECDF against SQL
WITH b AS (SELECT x FROM integ_train WHERE x IS NOT NULL AND x <> 'NaN'),
     q AS (SELECT v FROM (VALUES (-1.0::float8), (0), (0.5), (48), (96), (96.5), (1e9)) t(v))
SELECT q.v, drift_quantile(q.v, 'integ_base', 'x') AS named,
       drift_quantile(q.v, drift.baseline('integ_base', 'x')) AS profile_form,
       (SELECT (count(*) FILTER (WHERE b.x < q.v) + 0.5 * count(*) FILTER (WHERE b.x = q.v))
               / count(*) FROM b) AS expected
  FROM q ORDER BY q.v;
-- per-row use over a table: every row's named result equals the profile form and SQL
WITH b AS (SELECT x FROM integ_train WHERE x IS NOT NULL AND x <> 'NaN')
SELECT count(*) AS rows,
       count(*) FILTER (WHERE drift_quantile(l.x, 'integ_base', 'x')
                              = (SELECT (count(*) FILTER (WHERE b.x < l.x) + 0.5 * count(*) FILTER (WHERE b.x = l.x))::float8
                                        / count(*) FROM b)) AS agree
  FROM integ_live l WHERE l.x IS NOT NULL AND l.x <> 'NaN';
SELECT drift_quantile(NULL, 'integ_base', 'x') IS NULL AS null_in,
       drift_quantile('NaN', 'integ_base', 'x') IS NULL AS nan_in,
       drift_quantile('-Infinity', 'integ_base', 'x') AS neg_inf,
       drift_quantile('Infinity', 'integ_base', 'x') AS pos_inf,
       drift_quantile(1, '{"version": 1, "kind": "numeric", "values": [], "counts": []}'::drift_profile) IS NULL AS empty,
       drift_quantile('-0', '{"version": 1, "kind": "numeric", "values": [0], "counts": [2]}'::drift_profile) AS neg_zero;
-- different baselines within one query (per-query cache with several entries)
SELECT count(*) FROM drift.capture_baseline('integ_base2', 'integ_live', columns => ARRAY['x']);
SELECT b, round(drift_quantile(10, b, 'x')::numeric, 6) AS q
  FROM (VALUES ('integ_base'), ('integ_base2'), ('integ_base')) v(b) ORDER BY 1, 2;

-- forced parallel: Partial Aggregate, same answers as serial
CREATE TABLE integ_big AS
  SELECT g, CASE WHEN g % 13 = 0 THEN NULL ELSE (g % 211)::float8 - 50 END AS x
    FROM generate_series(1, 200000) g;
ANALYZE integ_big;
CREATE TEMP TABLE integ_serial AS
  SELECT (null_rate_drift(x, 'integ_base', 'x')).* AS r,
         out_of_range_share(x, 'integ_base', 'x') AS s1,
         out_of_range_share(x, drift.baseline('integ_base', 'x')) AS s2
    FROM integ_big;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
  SELECT null_rate_drift(x, 'integ_base', 'x'), out_of_range_share(x, 'integ_base', 'x') FROM integ_big;
SELECT p.statistic = s.statistic AND p.p_value = s.p_value AND p.n_current = s.n_current
         AND p.s1 = s.s1 AND p.s2 = s.s2 AS parallel_equals_serial
  FROM (SELECT (null_rate_drift(x, 'integ_base', 'x')).*,
               out_of_range_share(x, 'integ_base', 'x') AS s1,
               out_of_range_share(x, drift.baseline('integ_base', 'x')) AS s2
          FROM integ_big) p, integ_serial s;
-- drift_quantile in parallel workers (each reads and caches the baseline itself)
EXPLAIN (COSTS OFF)
  SELECT count(*) FROM integ_big WHERE drift_quantile(x, 'integ_base', 'x') > 0.9;
SELECT count(*) AS parallel_count FROM integ_big WHERE drift_quantile(x, 'integ_base', 'x') > 0.9;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
SELECT count(*) AS serial_count FROM integ_big WHERE drift_quantile(x, 'integ_base', 'x') > 0.9;

-- state: text and binary round trips, combine called directly, bad input
CREATE AGGREGATE integ_partial(float8, drift_profile) (
  SFUNC = out_of_range_share_profile_trans, STYPE = drift_integrity_state);
SELECT integ_partial(x, drift.baseline('integ_base', 'x')) AS st FROM integ_live \gset
-- its binary form in hex (the text form is base64), for the edits below
SELECT '\x' || encode(decode(:'st', 'base64'), 'hex') AS st_hex \gset
SELECT :'st'::drift_integrity_state::text = :'st' AS text_round_trip,
       out_of_range_share_final(:'st'::drift_integrity_state)
         = (SELECT out_of_range_share(x, 'integ_base', 'x') FROM integ_live) AS final_ok;
CREATE TEMP TABLE integ_states (s drift_integrity_state);
INSERT INTO integ_states VALUES (:'st');
COPY integ_states TO '/tmp/pg_drift_integ_states.bin' WITH (FORMAT binary);
TRUNCATE integ_states;
COPY integ_states FROM '/tmp/pg_drift_integ_states.bin' WITH (FORMAT binary);
SELECT s::text = :'st' AS binary_round_trip FROM integ_states;
SELECT 'x'::drift_integrity_state;
SELECT '\x00'::drift_integrity_state;
SELECT '\xzz'::drift_integrity_state;
SELECT overlay(:'st_hex' placing '09' from 3 for 2)::drift_integrity_state;  -- version
SELECT overlay(:'st_hex' placing '07' from 5 for 2)::drift_integrity_state;  -- metric
SELECT overlay(:'st_hex' placing 'ff' from 23 for 2)::drift_integrity_state; -- negative rows
SELECT out_of_range_share_final(drift_integrity_state_combine(:'st', :'st')) = out_of_range_share_final(:'st') AS combine_direct,
       (null_rate_drift_final(drift_integrity_state_combine(:'st', :'st'))).n_current AS doubled;

-- errors
SELECT null_rate_drift(x, 'no_such_baseline', 'x') FROM integ_live;
SELECT null_rate_drift(x, 'integ_base', 'no_such_column') FROM integ_live;
SELECT out_of_range_share(x, NULL, 'x') FROM integ_live;
SELECT null_rate_drift(x, NULL::drift_profile) FROM integ_live;
SELECT drift_quantile(1, 'no_such_baseline', 'x');
SELECT drift_quantile(1, 'integ_base', 'nope');
SELECT out_of_range_share(x, b) FROM integ_live,
  (VALUES (drift.baseline('integ_base', 'x')), (drift.baseline('integ_base2', 'x'))) v(b);
-- a categorical profile given to a numeric function; the NULL rate accepts either kind
SELECT out_of_range_share(x, '{"version": 1, "kind": "categorical", "categories": ["a", "b"], "counts": [1, 2]}'::drift_profile)
  FROM integ_live;
SELECT drift_quantile(1, '{"version": 1, "kind": "categorical", "categories": ["a", "b"], "counts": [1, 2]}'::drift_profile);
SELECT (null_rate_drift(t, '{"version": 1, "kind": "categorical", "categories": ["a", "b"], "counts": [1, 2], "null_count": 1}'::drift_profile)).n_baseline
  FROM integ_live;

-- SQLSTATEs of the errors above
CREATE FUNCTION sqlstate_of(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE s text;
BEGIN
  EXECUTE query;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS s = RETURNED_SQLSTATE;
  RETURN s;
END $$;
SELECT q, sqlstate_of(q) FROM (VALUES
  ($$SELECT null_rate_drift(x, 'no_such_baseline', 'x') FROM integ_live$$),
  ($$SELECT null_rate_drift(x, 'integ_base', 'nope') FROM integ_live$$),
  ($$SELECT out_of_range_share(x, NULL, 'x') FROM integ_live$$),
  ($$SELECT drift_quantile(1, 'no_such_baseline', 'x')$$),
  ($$SELECT out_of_range_share(x, '{"version": 1, "kind": "categorical", "categories": ["a"], "counts": [1]}'::drift_profile) FROM integ_live$$),
  ($$SELECT drift_quantile(1, '{"version": 1, "kind": "categorical", "categories": ["a"], "counts": [1]}'::drift_profile)$$),
  ($$SELECT '\x00'::drift_integrity_state$$),
  ($$SELECT 'x'::drift_integrity_state$$)) v(q) ORDER BY 1;
