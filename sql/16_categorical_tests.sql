-- Categorical drift tests: chi2_drift (and chi2_drift_details), psi_drift,
-- js_drift, linf_drift and tvd_drift on text, in every form; unseen
-- categories; NULLs; partial states; errors.

CREATE TABLE shop_train AS
  SELECT g AS id, (ARRAY['food', 'fuel', 'travel', 'games', 'food'])[g % 5 + 1] AS category
    FROM generate_series(1, 1000) g;
CREATE TABLE shop_live AS
  SELECT g AS id,
         CASE WHEN g % 50 = 0 THEN NULL
              WHEN g % 17 = 0 THEN 'crypto'
              WHEN g % 23 = 0 THEN 'new ' || (g % 3)
              ELSE (ARRAY['food', 'fuel', 'travel', 'travel'])[g % 4 + 1] END AS category,
         g % 3 AS slice
    FROM generate_series(1, 800) g;
SELECT count(*) FROM drift.capture_baseline('shop', 'shop_train', columns => ARRAY['category']);

-- the four forms agree (games vanished; crypto, new 0..2 are unseen in the baseline)
WITH arrays AS (
  SELECT (SELECT array_agg(category) FROM shop_train) AS b,
         (SELECT array_agg(category) FROM shop_live) AS c),
profiles AS (
  SELECT drift.baseline('shop', 'category') AS pb,
         (SELECT drift_profile_agg(category) FROM shop_live) AS pc)
SELECT 'arrays' AS form, (chi2_drift(b, c)).*, (chi2_drift_details(b, c)).dof,
       (psi_drift(b, c)).statistic AS psi, (js_drift(b, c)).statistic AS js,
       (linf_drift(b, c)).statistic AS linf, (tvd_drift(b, c)).statistic AS tvd
  FROM arrays
UNION ALL
SELECT 'profiles', (chi2_drift(pb, pc)).*, (chi2_drift_details(pb, pc)).dof, NULL, NULL,
       (linf_drift(pb, pc)).statistic, (tvd_drift(pb, pc)).statistic
  FROM profiles
UNION ALL
SELECT 'streaming named', (chi2_drift(category, 'shop', 'category')).*,
       (chi2_drift_details(category, 'shop', 'category')).dof,
       (psi_drift(category, 'shop', 'category')).statistic,
       (js_drift(category, 'shop', 'category')).statistic,
       (linf_drift(category, 'shop', 'category')).statistic,
       (tvd_drift(category, 'shop', 'category')).statistic
  FROM shop_live
UNION ALL
SELECT 'streaming profile', (chi2_drift(category, drift.baseline('shop', 'category'))).*,
       (chi2_drift_details(category, drift.baseline('shop', 'category'))).dof,
       (psi_drift(category, drift.baseline('shop', 'category'))).statistic,
       (js_drift(category, drift.baseline('shop', 'category'))).statistic,
       (linf_drift(category, drift.baseline('shop', 'category'))).statistic,
       (tvd_drift(category, drift.baseline('shop', 'category'))).statistic
  FROM shop_live;

-- distances have a NULL p-value; the counts skip NULLs
SELECT (psi_drift(category, 'shop', 'category')).* FROM shop_live;

-- the zero fill is settable (positionally in the aggregates, by name in the function)
SELECT (psi_drift(category, 'shop', 'category', 0.001)).statistic AS streaming,
       (psi_drift((SELECT array_agg(category) FROM shop_train), array_agg(category),
                  fill => 0.001)).statistic AS arrays
  FROM shop_live;

-- per slice, like any aggregate; a slice's state holds only what it saw
SELECT slice, (chi2_drift(category, 'shop', 'category')).n_current,
       (chi2_drift_details(category, 'shop', 'category')).dof,
       (tvd_drift(category, 'shop', 'category')).statistic > 0 AS drifted
  FROM shop_live GROUP BY slice ORDER BY slice;

-- many unseen categories: exact per-category counts survive buffering and
-- merging (PSI depends on each count, not just their sum)
CREATE TABLE wide_live AS
  SELECT g AS id, CASE WHEN g % 3 = 0 THEN 'food' ELSE 'u' || (g * 7919 % 3000) END AS category,
         g % 4 AS slice
    FROM generate_series(1, 20000) g;
SELECT (chi2_drift_details(category, 'shop', 'category')).dof,
       abs((psi_drift(category, 'shop', 'category')).statistic
           - (psi_drift((SELECT array_agg(category) FROM shop_train), array_agg(category))).statistic)
         <= 1e-12 AS psi_matches_arrays,
       (chi2_drift(category, 'shop', 'category'))::text
         = chi2_drift((SELECT array_agg(category) FROM shop_train), array_agg(category))::text
         AS chi2_matches_arrays
  FROM wide_live;

-- identical samples: no drift
SELECT (chi2_drift(category, 'shop', 'category')).*,
       (tvd_drift(category, 'shop', 'category')).statistic AS tvd,
       (psi_drift(category, 'shop', 'category')).statistic AS psi
  FROM shop_train;
-- a single category on both sides: statistic 0, p-value 1, dof 0 (as SciPy 1.10)
SELECT (chi2_drift_details(ARRAY['a', 'a'], ARRAY['a'])).*;
-- disjoint samples
SELECT (chi2_drift(ARRAY['a', 'a', 'b'], ARRAY['c', 'd'])).*,
       (tvd_drift(ARRAY['a', 'a', 'b'], ARRAY['c', 'd'])).statistic AS tvd,
       (js_drift(ARRAY['a', 'a', 'b'], ARRAY['c', 'd'])).statistic AS js;
-- NULL elements are skipped; zero rows (or only NULLs) give NULL
SELECT (chi2_drift(ARRAY['a', NULL, 'b'], ARRAY['a', NULL])).*;
SELECT chi2_drift(ARRAY[NULL]::text[], ARRAY['a']) IS NULL AS only_nulls;
SELECT chi2_drift(category, 'shop', 'category') IS NULL AS no_rows FROM shop_live WHERE false;
SELECT tvd_drift(NULL::text, 'shop', 'category') IS NULL AS only_null_rows;
SELECT linf_drift(category, drift.baseline('cat_empty', 'merchant')) IS NULL AS empty_baseline
  FROM shop_live;
SELECT linf_drift(drift.baseline('cat_empty', 'merchant'), drift.baseline('shop', 'category'))
       IS NULL AS empty_profile;

-- other types reach the tests through a cast to text
SELECT (chi2_drift(ARRAY[1, 2, 2]::text[], ARRAY[2, 3]::text[])).*;

-- errors: wrong kind of profile, unknown baselines and columns, bad options
SELECT chi2_drift(category, 'shop_num', 'x') FROM shop_live;
SELECT count(*) FROM drift.capture_baseline('shop_num', 'shop_train', columns => ARRAY['id']);
SELECT chi2_drift(category, 'shop_num', 'id') FROM shop_live;
SELECT chi2_drift(category, drift.baseline('shop_num', 'id')) FROM shop_live;
SELECT tvd_drift(drift.baseline('shop_num', 'id'), drift.baseline('shop', 'category'));
SELECT ks_drift(id::float8, 'shop', 'category') FROM shop_live;
SELECT ks_drift(drift.baseline('shop', 'category'), drift.baseline('shop', 'category'));
SELECT chi2_drift(category, 'shop', 'nope') FROM shop_live;
SELECT chi2_drift(category, NULL::text, 'category') FROM shop_live;
SELECT chi2_drift(category, NULL::drift_profile) FROM shop_live;
SELECT psi_drift(category, 'shop', 'category', 0) FROM shop_live;
SELECT psi_drift(category, 'shop', 'category', NULL) FROM shop_live;
SELECT psi_drift(ARRAY['a'], ARRAY['b'], fill => 2);
SELECT chi2_drift(ARRAY[['a', 'b']], ARRAY['a']);
SELECT chi2_drift(category, CASE WHEN id % 2 = 0 THEN 'shop' ELSE 'cat_v1' END, 'category')
  FROM shop_live;
SELECT psi_drift(category, 'shop', 'category', CASE WHEN id = 7 THEN 0.01 ELSE 0.0001 END)
  FROM shop_live;
SELECT categorical_named_trans(NULL, 'a', 'shop', 'category');
-- too many distinct unseen categories for an exact count
SET pg_drift.exact_profile_limit = 1000;
SELECT chi2_drift(category, 'shop', 'category') FROM wide_live;
RESET pg_drift.exact_profile_limit;

-- partial states: text and binary forms round-trip (what Citus ships between
-- nodes), named and embedded baselines, sparse and dense, with unseen categories
CREATE AGGREGATE cat_partial(text, text, text) (
  SFUNC = categorical_named_trans, STYPE = drift_category_state);
CREATE AGGREGATE cat_partial(text, drift_profile) (
  SFUNC = categorical_profile_trans, STYPE = drift_category_state);
CREATE TEMP TABLE cat_partials AS
  SELECT 1 AS id, cat_partial(category, 'shop', 'category') AS s FROM shop_live WHERE id < 10
  UNION ALL
  SELECT 2, cat_partial(category, 'shop', 'category') FROM shop_live
  UNION ALL
  SELECT 3, cat_partial(category, drift.baseline('shop', 'category')) FROM shop_live
  UNION ALL
  SELECT 4, cat_partial(category, 'shop', 'category') FROM shop_live WHERE id >= 10
  UNION ALL
  SELECT 5, cat_partial(category, 'shop', 'category') FROM wide_live
  UNION ALL
  SELECT 6, cat_partial(category, 'shop', 'category') FROM shop_live WHERE id = 17
  UNION ALL
  SELECT 7, cat_partial(merchant, 'cat_v1', 'merchant') FROM cat_train;
SELECT id, chi2_drift_final(s::text::drift_category_state)::text = chi2_drift_final(s)::text
           AS text_round_trip
  FROM cat_partials ORDER BY id;
\copy cat_partials TO 'results/cat_partials.bin' WITH (FORMAT binary)
CREATE TEMP TABLE cat_partials_back (LIKE cat_partials);
\copy cat_partials_back FROM 'results/cat_partials.bin' WITH (FORMAT binary)
SELECT a.id, psi_drift_categorical_final(a.s)::text = psi_drift_categorical_final(b.s)::text
           AS binary_round_trip
  FROM cat_partials a JOIN cat_partials_back b USING (id) ORDER BY a.id;
-- combining partial states equals counting everything at once
SELECT psi_drift_categorical_final(drift_category_state_combine(a.s, b.s))::text
     = (SELECT psi_drift(category, 'shop', 'category')::text FROM shop_live) AS combine_ok
  FROM cat_partials a, cat_partials b WHERE a.id = 1 AND b.id = 4;
SELECT chi2_drift_final(drift_category_state_combine(a.s, b.s))::text
     = (SELECT chi2_drift(category, 'shop', 'category')::text
          FROM (SELECT category FROM shop_live UNION ALL SELECT category FROM wide_live) u)
       AS combine_unseen_ok
  FROM cat_partials a, cat_partials b WHERE a.id = 2 AND b.id = 5;
-- states against different baselines do not combine; junk is rejected
SELECT drift_category_state_combine(a.s, b.s) FROM cat_partials a, cat_partials b
 WHERE a.id = 1 AND b.id = 7;
-- (a named baseline and the same profile embedded are the same baseline)
SELECT chi2_drift_final(drift_category_state_combine(a.s, b.s))::text
     = chi2_drift_final(drift_category_state_combine(a.s, c.s))::text AS same_baseline_combines
  FROM cat_partials a, cat_partials b, cat_partials c WHERE a.id = 1 AND b.id = 3 AND c.id = 2;
-- states print in base64; the edits below work on the hex of the binary form
CREATE FUNCTION pg_temp.hex(s anyelement) RETURNS text
  LANGUAGE sql AS $$ SELECT '\x' || encode(decode(s::text, 'base64'), 'hex') $$;
SELECT 'junk'::drift_category_state;
SELECT '\x0102'::drift_category_state;
SELECT ('\x02' || substr(pg_temp.hex(s), 5))::drift_category_state FROM cat_partials WHERE id = 1;
SELECT (pg_temp.hex(s) || '00')::drift_category_state FROM cat_partials WHERE id = 1;
-- a state whose unseen categories disagree with its unseen count is rejected
SELECT replace(replace(pg_temp.hex(s), '01020000000000010000000000000001', '01020000000000010000000000000002'),
               '0000000000000001000000066372797074', '0000000000000002000000066372797074')::drift_category_state
  FROM cat_partials WHERE id = 6;

-- tiny p-values keep their digits, down to subnormal doubles (expected values:
-- the exact rational statistic and 60-digit mpmath gammainc, independent of SciPy)
SELECT dof, abs((d).statistic - statistic) <= 1e-9 * statistic AS statistic_ok,
       abs((d).p_value - p_value) <= 1e-6 * p_value AS p_ok, (d).dof = dof AS dof_ok
  FROM (VALUES
    (ARRAY[3000, 3000], ARRAY[1100, 4900], 1336.0423587527014, 1.6626218960432354e-292, 1),
    (ARRAY[3000, 3000], ARRAY[1050, 4950], 1415.7376193803866, 7.9914298819590732e-310, 1),
    (ARRAY[4000, 3000, 3000], ARRAY[2000, 3000, 5000], 1166.6666666666667, 4.5872480328561718e-254, 2),
    (ARRAY[1500, 1500, 1500, 1500, 1500, 1500, 1500, 1500, 1500, 1500],
     ARRAY[1500, 1500, 1500, 1500, 1500, 1500, 1500, 1500, 1500, 3700], 784.118962432916,
     5.5680454894419101e-163, 9)) AS v(cb, cc, statistic, p_value, dof)
  CROSS JOIN LATERAL (
    SELECT chi2_drift_details(
             format('{"version": 1, "kind": "categorical", "categories": %s, "counts": %s}',
                    to_jsonb(ARRAY(SELECT 'c' || lpad(i::text, 3, '0') FROM generate_series(1, cardinality(cb)) i)),
                    to_jsonb(cb))::drift_profile,
             format('{"version": 1, "kind": "categorical", "categories": %s, "counts": %s}',
                    to_jsonb(ARRAY(SELECT 'c' || lpad(i::text, 3, '0') FROM generate_series(1, cardinality(cc)) i)),
                    to_jsonb(cc))::drift_profile) AS d) x
 ORDER BY dof, p_value;
