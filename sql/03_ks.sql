-- ks_drift: forms, options, NULL/NaN/Infinity handling, and errors.

CREATE TABLE ks_train AS
  SELECT g AS id, sin(g) * 10 AS x FROM generate_series(1, 500) g;
CREATE TABLE ks_live AS
  SELECT g AS id, sin(g * 1.7) * 10 + CASE WHEN g > 200 THEN 2 ELSE 0 END AS x,
         g % 3 AS slice
    FROM generate_series(1, 400) g;
SELECT count(*) FROM drift.capture_baseline('ks_base', 'ks_train', columns => ARRAY['x']);

-- the four forms give the same answer
WITH arrays AS (
  SELECT (SELECT array_agg(x) FROM ks_train) AS b, (SELECT array_agg(x) FROM ks_live) AS c)
SELECT (ks_drift(b, c)).* FROM arrays;
SELECT (ks_drift(x, 'ks_base', 'x')).* FROM ks_live;
SELECT (ks_drift(x, (SELECT drift.baseline('ks_base', 'x')))).* FROM ks_live;
SELECT (ks_drift(drift.baseline('ks_base', 'x'),
                 (SELECT drift_profile_agg(x) FROM ks_live))).*;

-- alternatives, positionally in the aggregates and by name in the functions
SELECT alt, (ks_drift(x, 'ks_base', 'x', alt)).statistic AS streaming,
       (SELECT (ks_drift((SELECT array_agg(x) FROM ks_train), array_agg(l.x),
                         alternative => alt)).statistic) AS arrays
  FROM ks_live l CROSS JOIN (VALUES ('two-sided'), ('less'), ('greater'), ('GREATER')) a(alt)
 GROUP BY alt ORDER BY alt;

-- per slice, like any aggregate
SELECT slice, (ks_drift(x, 'ks_base', 'x')).n_current,
       (ks_drift(x, 'ks_base', 'x')).statistic > 0 AS positive
  FROM ks_live GROUP BY slice ORDER BY slice;

-- a different baseline per group (one entry per group in the per-query cache)
SELECT count(*) FROM drift.capture_baseline('ks_base_shifted', 'ks_train', columns => ARRAY['x'],
                                            filter => 'id > 250');
SELECT b, (ks_drift(l.x, b, 'x')).n_baseline
  FROM ks_live l CROSS JOIN (VALUES ('ks_base'), ('ks_base_shifted')) v(b)
 GROUP BY b ORDER BY b;

-- NULLs are skipped and NaNs excluded; infinities are ordinary values
SELECT (ks_drift(ARRAY[1, 2, 3, NULL, 'NaN']::float8[], ARRAY[2, 'Infinity', NULL]::float8[])).*;
SELECT (ks_drift(ARRAY[1, 2, 3]::float8[], ARRAY[2, 'Infinity']::float8[])).*;
SELECT (ks_drift(x, '{"version": 1, "kind": "numeric", "values": ["-Infinity", 0, 1], "counts": [1, 2, 1]}'::drift_profile)).*
  FROM (VALUES (NULL::float8), ('NaN'), ('-Infinity'), (0.5), ('Infinity')) t(x);
-- -0 and 0 are the same value
SELECT (ks_drift(ARRAY['-0']::float8[], ARRAY[0]::float8[])).*;

-- zero rows (or only NULL and NaN rows) give NULL
SELECT ks_drift(x, 'ks_base', 'x') IS NULL AS no_rows FROM ks_live WHERE false;
SELECT ks_drift(NULL::float8, 'ks_base', 'x') IS NULL AS only_nulls;
SELECT ks_drift(ARRAY[]::float8[], ARRAY[1.0]) IS NULL AS empty_array;
SELECT ks_drift(ARRAY[1.0], ARRAY['NaN']::float8[]) IS NULL AS only_nan;
SELECT ks_drift(x, drift.baseline('empty', 'amount')) IS NULL AS empty_baseline
  FROM ks_live;

-- identical samples: statistic 0, p-value 1
SELECT (ks_drift(x, 'ks_base', 'x')).* FROM ks_train;

-- errors
SELECT ks_drift(x, 'no_such_baseline', 'x') FROM ks_live;
SELECT ks_drift(x, 'ks_base', 'y') FROM ks_live;
SELECT ks_drift(x, NULL::text, 'x') FROM ks_live;
SELECT ks_drift(x, NULL::drift_profile) FROM ks_live;
SELECT ks_drift(x, 'ks_base', 'x', 'sideways') FROM ks_live;
SELECT ks_drift(x, 'ks_base', 'x', NULL) FROM ks_live;
SELECT ks_drift(ARRAY[1.0], ARRAY[2.0], alternative => 'up');
SELECT ks_drift(ARRAY[[1.0, 2.0]], ARRAY[2.0]);
SELECT ks_drift(x, CASE WHEN id % 2 = 0 THEN 'ks_base' ELSE 'ks_base_shifted' END, 'x')
  FROM ks_live;
SELECT ks_drift(x, 'ks_base', 'x', CASE WHEN id = 7 THEN 'less' ELSE 'two-sided' END)
  FROM ks_live;
SELECT ks_drift_named_trans(NULL, 1.0, 'ks_base', 'x');

-- the partial state's text and binary forms round-trip (what Citus ships between
-- nodes), for a named and an embedded baseline, sparse and dense; junk is rejected
CREATE AGGREGATE ks_partial(float8, text, text) (
  SFUNC = ks_drift_named_trans, STYPE = drift_stream_state);
CREATE AGGREGATE ks_partial(float8, drift_profile) (
  SFUNC = ks_drift_profile_trans, STYPE = drift_stream_state);
CREATE TEMP TABLE partials AS
  SELECT 1 AS id, ks_partial(x, 'ks_base', 'x') AS s FROM ks_live WHERE id < 10
  UNION ALL
  SELECT 2, ks_partial(x, 'ks_base', 'x') FROM ks_live
  UNION ALL
  SELECT 3, ks_partial(x, drift.baseline('ks_base', 'x')) FROM ks_live
  UNION ALL
  SELECT 4, ks_partial(x, 'ks_base', 'x') FROM ks_live WHERE id >= 10
  UNION ALL
  SELECT 5, ks_partial(g / 500.0, 'ks_base', 'x') FROM generate_series(-5000, 5000) g
  UNION ALL
  SELECT 6, ks_partial(x, 'ks_base_shifted', 'x') FROM ks_live;
SELECT id, ks_drift_final(s::text::drift_stream_state)::text = ks_drift_final(s)::text
           AS text_round_trip
  FROM partials ORDER BY id;
\copy partials TO 'results/partials.bin' WITH (FORMAT binary)
CREATE TEMP TABLE partials_back (LIKE partials);
\copy partials_back FROM 'results/partials.bin' WITH (FORMAT binary)
SELECT a.id, ks_drift_final(a.s)::text = ks_drift_final(b.s)::text AS binary_round_trip
  FROM partials a JOIN partials_back b USING (id) ORDER BY a.id;
-- combining partial states equals counting everything at once
SELECT ks_drift_final(drift_stream_state_combine(a.s, b.s))::text
     = (SELECT ks_drift(x, 'ks_base', 'x')::text FROM ks_live) AS combine_ok
  FROM partials a, partials b WHERE a.id = 1 AND b.id = 4;
-- states against different baselines or options do not combine
SELECT drift_stream_state_combine(a.s, b.s) FROM partials a, partials b WHERE a.id = 1 AND b.id = 6;
-- a named and an embedded state of the same profile do combine
SELECT ks_drift_final(drift_stream_state_combine(a.s, b.s))::text
     = ks_drift_final(drift_stream_state_combine(b.s, a.s))::text AS symmetric
  FROM partials a, partials b WHERE a.id = 1 AND b.id = 3;
SELECT 'junk'::drift_stream_state;
SELECT '\x0102'::drift_stream_state;
