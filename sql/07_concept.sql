-- Concept drift: drift.capture_target_correlations and corr_drift.

CREATE TABLE concept_train AS
  SELECT g AS id, sin(g) * 3 + 10 AS f1, cos(g * 0.7) AS f2, (g % 5)::int AS f3,
         sin(g) * 2 + cos(g * 0.7) * 0.5 + sin(g * 3.1) AS y, 'k' || (g % 3) AS cat
    FROM generate_series(1, 2000) g;
UPDATE concept_train SET f2 = NULL WHERE id % 50 = 0;
UPDATE concept_train SET f1 = 'NaN' WHERE id = 7;
CREATE TABLE concept_live AS
  SELECT g AS id, sin(g) * 3 + 10 AS f1, cos(g * 0.7) AS f2, (g % 5)::int AS f3,
         sin(g) * 0.5 + cos(g * 0.7) * 2 + sin(g * 3.1) AS y, g % 4 AS slice
    FROM generate_series(1, 1500) g;
UPDATE concept_live SET y = NULL WHERE id % 97 = 0;
UPDATE concept_live SET f2 = 'NaN' WHERE id = 11;
SELECT count(*) FROM drift.capture_baseline('concept_base', 'concept_train',
                                            columns => ARRAY['f1', 'f2', 'f3', 'y']);

-- captured correlations equal corr() over the pairs without NULL or NaN
SELECT column_name, round(correlation::numeric, 12) AS correlation, n
  FROM drift.capture_target_correlations('concept_base', 'concept_train', 'y') ORDER BY 1;
SELECT c.column_name, c.target_column,
       abs(c.correlation - r.r) <= 1e-12 * abs(r.r) AS r_ok, c.n = r.n AS n_ok
  FROM drift.baseline_correlations c
  JOIN LATERAL (
    SELECT corr(v, y) AS r, count(*) AS n
      FROM (SELECT CASE c.column_name WHEN 'f1' THEN f1 WHEN 'f2' THEN f2 ELSE f3 END AS v, y
              FROM concept_train) t
     WHERE v IS NOT NULL AND y IS NOT NULL AND v <> 'NaN' AND y <> 'NaN') r ON true
 WHERE c.baseline_name = 'concept_base' ORDER BY 1;

-- corr_drift against an independent SQL computation (corr() and Fisher's z by hand)
-- normal_upper2(z) = 1 - Phi(z): Marsaglia's series below 3, Laplace's continued fraction
-- Q(z) = phi(z) / (z + 1/(z + 2/(z + 3/(z + ...)))) above (no cancellation in the far tail)
CREATE FUNCTION normal_upper2(z float8) RETURNS float8 LANGUAGE sql AS $$
  SELECT CASE WHEN z < 3 THEN
    (WITH RECURSIVE t(k, term) AS (
       SELECT 0, z
       UNION ALL
       SELECT k + 1, term * z * z / (2 * k + 3) FROM t WHERE k < 80 AND abs(term) > 1e-200)
     SELECT 0.5 - exp(-z * z / 2) / sqrt(2 * pi()) * sum(term) FROM t)
  ELSE
    (WITH RECURSIVE cf(k, t) AS (
       SELECT 2000, 0::float8
       UNION ALL
       SELECT k - 1, k / (z + t) FROM cf WHERE k > 0)
     SELECT exp(-z * z / 2) / sqrt(2 * pi()) / (z + t) FROM cf WHERE k = 0)
  END $$;
CREATE TEMP TABLE concept_ref AS
  SELECT col, rc, nc, rb, nb, rc - rb AS statistic,
         (0.5 * ln((1 + rc) / (1 - rc)) - 0.5 * ln((1 + rb) / (1 - rb)))
           / sqrt(1.0 / (nc - 3) + 1.0 / (nb - 3)) AS z
    FROM (SELECT 'f1' AS col, corr(f1, y) AS rc, count(*) AS nc FROM concept_live
           WHERE f1 IS NOT NULL AND y IS NOT NULL AND f1 <> 'NaN' AND y <> 'NaN'
          UNION ALL
          SELECT 'f2', corr(f2, y), count(*) FROM concept_live
           WHERE f2 IS NOT NULL AND y IS NOT NULL AND f2 <> 'NaN' AND y <> 'NaN'
          UNION ALL
          SELECT 'f3', corr(f3, y), count(*) FROM concept_live
           WHERE y IS NOT NULL) cur
    JOIN drift.baseline_correlations b
      ON b.baseline_name = 'concept_base' AND b.column_name = cur.col,
    LATERAL (SELECT b.correlation AS rb, b.n AS nb) bb;
SELECT r.col, abs(i.statistic - r.statistic) <= 1e-12 AS stat_ok,
       abs(i.p_value - 2 * normal_upper2(abs(r.z))) <= 1e-9 * i.p_value AS p_ok,
       i.n_baseline = r.nb AND i.n_current = r.nc AS n_ok,
       round(i.statistic::numeric, 9) AS statistic, to_char(i.p_value, '9.99999EEEE') AS p_value
  FROM concept_ref r
  JOIN LATERAL (
    SELECT (corr_drift(CASE r.col WHEN 'f1' THEN f1 WHEN 'f2' THEN f2 ELSE f3 END, y,
                       'concept_base', r.col)).*
      FROM concept_live) i ON true
 ORDER BY 1;
-- the by-value form equals the named form, bit for bit (same inputs, same code); the values
-- are printed to 12 decimals and 7 digits: libm's last digits differ between Debian releases
SELECT ROW(n.*) = ROW(v.*) AS identical,
       round(n.statistic::numeric, 12) AS statistic, to_char(n.p_value, '9.999999EEEE') AS p_value,
       n.n_baseline, n.n_current
  FROM (SELECT (corr_drift(f1, y, 'concept_base', 'f1')).* FROM concept_live) n,
       (SELECT (corr_drift(f1, y, b.correlation, b.n)).*
          FROM concept_live, drift.baseline_correlations b
         WHERE b.baseline_name = 'concept_base' AND b.column_name = 'f1') v;
-- per slice; a large change has a tiny p-value that is still accurate (1e-6 relative)
SELECT slice, (corr_drift(f1, y, 'concept_base', 'f1')).n_current,
       round((corr_drift(f1, y, 'concept_base', 'f1')).statistic::numeric, 9) AS statistic
  FROM concept_live GROUP BY slice ORDER BY slice;

-- accuracy of the co-moments: data far from zero (values exact in short decimals, so that
-- numeric computes the exact answer)
CREATE TABLE concept_acc AS
  SELECT 1e9 + (g % 1000) / 8.0 AS x, ((g * 37) % 1009 + 3 * (g % 1000)) / 1024.0 - 1e3 AS y
    FROM generate_series(1, 100000) g;
WITH d AS (SELECT x::numeric AS x, y::numeric AS y FROM concept_acc),
     m AS (SELECT round(sum(x) / count(*), 40) AS mx, round(sum(y) / count(*), 40) AS my FROM d),
     s AS (SELECT sum((x - mx) * (y - my)) AS sxy, sum((x - mx) * (x - mx)) AS sxx,
                  sum((y - my) * (y - my)) AS syy FROM d, m),
     exact AS (SELECT (sxy / sqrt(sxx * syy))::float8 AS r FROM s)
SELECT abs((SELECT (corr_drift(x, y, 0.0, 1000)).statistic FROM concept_acc) - r) <= 1e-13 * abs(r) AS accurate,
       round(r::numeric, 12) AS r
  FROM exact;
-- and on well-conditioned data against corr()
SELECT abs((corr_drift(f2, y, 0.0, 1000)).statistic - (SELECT corr(f2, y) FROM concept_live
             WHERE f2 <> 'NaN')) <= 1e-12 AS agrees_with_corr
  FROM concept_live;

-- forced parallel equals serial
ANALYZE concept_acc;
CREATE TEMP TABLE concept_serial AS
  SELECT (corr_drift(x, y, 0.25, 1000)).* FROM concept_acc;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT corr_drift(x, y, 0.25, 1000) FROM concept_acc;
SELECT abs(p.statistic - s.statistic) <= 1e-13 AS stat_equal,
       abs(p.p_value - s.p_value) <= 1e-12 * s.p_value AS p_equal, p.n_current = s.n_current AS n_equal
  FROM (SELECT (corr_drift(x, y, 0.25, 1000)).* FROM concept_acc) p, concept_serial s;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- edge cases: undefined correlations, n < 4, perfect correlations, NULL/NaN/Inf, no rows
SELECT (corr_drift(x, y, 0.5, 100)).* FROM (VALUES (1.0::float8, 2.0::float8), (1, 3), (1, 4), (1, 5), (1, 6)) t(x, y);
SELECT (corr_drift(x, y, NULL, 100)).* FROM (VALUES (1.0::float8, 2.0::float8), (2, 3), (3, 5), (4, 4), (5, 6)) t(x, y);
SELECT (corr_drift(x, y, 0.5, 3)).* FROM (VALUES (1.0::float8, 2.0::float8), (2, 3), (3, 5), (4, 4), (5, 6)) t(x, y);
SELECT (corr_drift(x, y, 0.5, 100)).* FROM (VALUES (1.0::float8, 2.0::float8), (2, 3), (3, 5)) t(x, y);
-- (p-values that go through atanh and erfc are printed to 12 digits: libm's last digits vary)
SELECT statistic, to_char(p_value, '9.99999999999EEEE') AS p_value, n_baseline, n_current
  FROM (SELECT (corr_drift(x, y, 0.5, 100)).*
          FROM (VALUES (1.0::float8, 2.0::float8), (2, 4), (3, 6), (4, 8)) t(x, y)) r;
SELECT (corr_drift(x, y, 1.0, 100)).* FROM (VALUES (1.0::float8, 2.0::float8), (2, 4), (3, 6), (4, 8)) t(x, y);
SELECT statistic, to_char(p_value, '9.99999999999EEEE') AS p_value, n_baseline, n_current
  FROM (SELECT (corr_drift(x, y, 0.5, 100)).*
          FROM (VALUES (1.0::float8, 2.0::float8), (2, 3), (3, 5), (4, 4), (5, 6), (NULL, 1), (1, NULL),
                       ('NaN', 1), (6, 'NaN')) t(x, y)) r;
SELECT (corr_drift(x, y, 0.5, 100)).* FROM (VALUES (1.0::float8, 2.0::float8), (2, 3), ('Infinity', 5), (4, 4), (5, 6)) t(x, y);
SELECT corr_drift(x, y, 0.5, 100) IS NULL AS no_rows FROM (VALUES (1.0::float8, 2.0::float8)) t(x, y) WHERE false;
SELECT corr_drift(x, y, 0.5, 100) IS NULL AS only_nulls FROM (VALUES (NULL::float8, 2.0::float8)) t(x, y);

-- state round trips and direct combine
CREATE AGGREGATE concept_partial(float8, float8, float8, bigint) (
  SFUNC = corr_drift_value_trans, STYPE = drift_corr_state);
SELECT concept_partial(f1, y, 0.25, 1000) AS st FROM concept_live \gset
-- its binary form in hex (the text form is base64), for the edits below
SELECT '\x' || encode(decode(:'st', 'base64'), 'hex') AS st_hex \gset
SELECT :'st'::drift_corr_state::text = :'st' AS text_round_trip,
       (corr_drift_final(:'st')).statistic = (SELECT (corr_drift(f1, y, 0.25, 1000)).statistic FROM concept_live) AS final_ok,
       (corr_drift_final(drift_corr_state_combine(:'st', :'st'))).n_current AS doubled;
CREATE TEMP TABLE concept_states (s drift_corr_state);
INSERT INTO concept_states VALUES (:'st');
COPY concept_states TO '/tmp/pg_drift_concept_states.bin' WITH (FORMAT binary);
TRUNCATE concept_states;
COPY concept_states FROM '/tmp/pg_drift_concept_states.bin' WITH (FORMAT binary);
SELECT s::text = :'st' AS binary_round_trip FROM concept_states;
SELECT 'junk'::drift_corr_state;
SELECT '\x01'::drift_corr_state;
SELECT overlay(:'st_hex' placing '02' from 3 for 2)::drift_corr_state;   -- version
SELECT overlay(:'st_hex' placing 'ff' from 5 for 2)::drift_corr_state;   -- negative n

-- errors
SELECT corr_drift(f1, y, 'no_such_baseline', 'f1') FROM concept_live;
SELECT corr_drift(f1, y, 'concept_base', 'nope') FROM concept_live;
SELECT corr_drift(f1, y, NULL, 'f1') FROM concept_live;
SELECT corr_drift(f1, y, 2.0, 10) FROM concept_live;
SELECT corr_drift(f1, y, 0.5, NULL) FROM concept_live;
SELECT corr_drift(f1, y, r, 100) FROM concept_live, (VALUES (0.1::float8), (0.2)) v(r);
SELECT * FROM drift.capture_target_correlations('no_such_baseline', 'concept_train', 'y');
SELECT * FROM drift.capture_target_correlations('concept_base', 'concept_train', 'nope');
SELECT * FROM drift.capture_target_correlations('concept_base', 'concept_train', 'cat');
SELECT * FROM drift.capture_target_correlations('concept_base', 'concept_train', NULL);

-- a filter, replacement of earlier rows, and cascade on drop
SELECT column_name, n FROM drift.capture_target_correlations('concept_base', 'concept_train', 'f3',
                                                             filter => 'id <= 1000') ORDER BY 1;
SELECT column_name, target_column, n FROM drift.baseline_correlations
 WHERE baseline_name = 'concept_base' ORDER BY 1;
SELECT drift.drop_baseline('concept_base');
SELECT count(*) FROM drift.baseline_correlations WHERE baseline_name = 'concept_base';

-- SQLSTATEs of the errors above
SELECT q, sqlstate_of(q) FROM (VALUES
  ($$SELECT corr_drift(f1, y, 'no_such_baseline', 'f1') FROM concept_live$$),
  ($$SELECT corr_drift(f1, y, NULL, 'f1') FROM concept_live$$),
  ($$SELECT corr_drift(f1, y, 2.0, 10) FROM concept_live$$),
  ($$SELECT drift.capture_target_correlations('nope', 'concept_train', 'y')$$),
  ($$SELECT drift.capture_target_correlations('integ_base', 'concept_train', 'cat')$$),
  ($$SELECT '\x01'::drift_corr_state$$)) v(q) ORDER BY 1;
