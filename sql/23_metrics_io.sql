-- Model-quality metric states: text and binary round trips (what Citus and
-- binary COPY rely on), validation of malformed states, and every error path
-- and edge case of the aggregates: NULLs, NaN, infinities, empty input.

-- aggregates that return their state, to look at states from SQL
CREATE AGGREGATE test_binary_state(bool, bool)
  (SFUNC = binary_metrics_trans, STYPE = drift_binary_metrics_state, COMBINEFUNC = binary_metrics_combine);
CREATE AGGREGATE test_regression_state(float8, float8)
  (SFUNC = regression_metrics_trans, STYPE = drift_regression_metrics_state);
CREATE AGGREGATE test_log_loss_state(float8, bool)
  (SFUNC = log_loss_trans, STYPE = drift_metric_mean_state);
CREATE AGGREGATE test_brier_state(float8, bool)
  (SFUNC = brier_score_trans, STYPE = drift_metric_mean_state);
CREATE AGGREGATE test_roc_state(float8, bool)
  (SFUNC = roc_auc_trans, STYPE = drift_roc_state);
CREATE AGGREGATE test_mc_state(text, text)
  (SFUNC = multiclass_metrics_trans, STYPE = drift_multiclass_metrics_state);

CREATE TABLE mio AS
  SELECT g AS id, g % 3 = 0 AS predicted, g % 4 = 0 AS actual,
         (g % 17) / 16.0 AS score, g * 0.5 AS yhat, g * 0.5 + (g % 5) - 2 AS y,
         (ARRAY['cat', 'dog', 'a,b "q"', '', 'ünï'])[g % 5 + 1] AS label_pred,
         (ARRAY['cat', 'dog', 'a,b "q"', '', 'ünï'])[g % 4 + 1] AS label_true,
         g % 2 AS half
    FROM generate_series(1, 500) g;

CREATE TABLE mstates AS
  SELECT half,
         test_binary_state(predicted, actual) AS b,
         test_regression_state(yhat, y) AS r,
         test_log_loss_state(score, actual) AS ll,
         test_brier_state(score, actual) AS br,
         test_roc_state(score, actual) AS roc,
         test_mc_state(label_pred, label_true) AS mc
    FROM mio GROUP BY half;

-- the final functions on stored states give the aggregates' results
SELECT s.half,
       binary_metrics_final(s.b) IS NOT DISTINCT FROM a.b AS binary_same,
       regression_metrics_final(s.r) IS NOT DISTINCT FROM a.r AS regression_same,
       metric_mean_final(s.ll) IS NOT DISTINCT FROM a.ll AS log_loss_same,
       metric_mean_final(s.br) IS NOT DISTINCT FROM a.br AS brier_same,
       roc_auc_final(s.roc) IS NOT DISTINCT FROM a.roc AS roc_same,
       multiclass_metrics_final(s.mc) IS NOT DISTINCT FROM a.mc AS multiclass_same
  FROM mstates s
  JOIN (SELECT half, binary_metrics(predicted, actual) AS b, regression_metrics(yhat, y) AS r,
               log_loss(score, actual) AS ll, brier_score(score, actual) AS br,
               roc_auc(score, actual) AS roc, multiclass_metrics(label_pred, label_true) AS mc
          FROM mio GROUP BY half) a USING (half)
 ORDER BY half;

-- text round trip is exact
SELECT half,
       b::text::drift_binary_metrics_state::text = b::text AS binary_text,
       r::text::drift_regression_metrics_state::text = r::text AS regression_text,
       ll::text::drift_metric_mean_state::text = ll::text AS log_loss_text,
       br::text::drift_metric_mean_state::text = br::text AS brier_text,
       roc::text::drift_roc_state::text = roc::text AS roc_text,
       mc::text::drift_multiclass_metrics_state::text = mc::text AS multiclass_text
  FROM mstates ORDER BY half;

-- binary COPY round trip
\copy mstates TO 'results/23_metrics_states.bin' WITH (FORMAT binary)
CREATE TABLE mstates2 (LIKE mstates);
\copy mstates2 FROM 'results/23_metrics_states.bin' WITH (FORMAT binary)
SELECT a.half, a.b::text = b.b::text AS binary_copy, a.r::text = b.r::text AS regression_copy,
       a.ll::text = b.ll::text AS log_loss_copy, a.br::text = b.br::text AS brier_copy,
       a.roc::text = b.roc::text AS roc_copy, a.mc::text = b.mc::text AS multiclass_copy
  FROM mstates a JOIN mstates2 b USING (half) ORDER BY a.half;

-- combine functions called directly merge the two halves into the whole
SELECT binary_metrics_final(binary_metrics_combine(x.b, y.b)) = w.b AS binary_combined,
       (regression_metrics_final(regression_metrics_combine(x.r, y.r))).r2 - (w.r).r2 < 1e-12
         AS regression_combined,
       abs(metric_mean_final(metric_mean_combine(x.ll, y.ll)) - w.ll) < 1e-12 AS log_loss_combined,
       roc_auc_final(roc_auc_combine(x.roc, y.roc)) = w.roc AS roc_combined,
       multiclass_metrics_final(multiclass_metrics_combine(x.mc, y.mc)) = w.mc AS multiclass_combined,
       x.b::text = (SELECT b::text FROM mstates WHERE half = 0) AS input_unchanged
  FROM mstates x, mstates y,
       (SELECT binary_metrics(predicted, actual) AS b, regression_metrics(yhat, y) AS r,
               log_loss(score, actual) AS ll, roc_auc(score, actual) AS roc,
               multiclass_metrics(label_pred, label_true) AS mc FROM mio) w
 WHERE x.half = 0 AND y.half = 1;
SELECT metric_mean_combine(ll, br) FROM mstates WHERE half = 0;

-- a readable binary state: version 1, tp fp tn fn
SELECT binary_metrics_final('\x010000000000000003000000000000000100000000000000040000000000000002');
-- malformed states are rejected
SELECT 'junk'::drift_binary_metrics_state;
SELECT '\xzz'::drift_binary_metrics_state;
SELECT '\x02'::drift_binary_metrics_state;
SELECT '\x01000000000000000300'::drift_binary_metrics_state;
SELECT '\x01000000000000000300000000000000010000000000000004000000000000000200'::drift_binary_metrics_state;
SELECT '\x01ffffffffffffffff000000000000000100000000000000040000000000000002'::drift_binary_metrics_state;
SELECT '\x017fffffffffffffff7fffffffffffffff00000000000000000000000000000000'::drift_binary_metrics_state;
-- states print in base64; the edits below work on the hex of the binary form
CREATE FUNCTION pg_temp.hex(s anyelement) RETURNS text
  LANGUAGE sql AS $$ SELECT '\x' || encode(decode(s::text, 'base64'), 'hex') $$;
-- regression: NaN sum, unnormalized double-double, bad peak, counts, empty with sums, short
SELECT overlay(pg_temp.hex(r) placing '7ff8000000000000' from 53 for 16)::drift_regression_metrics_state
  FROM mstates WHERE half = 0;
SELECT overlay(pg_temp.hex(r) placing '3ff0000000000000' from 69 for 16)::drift_regression_metrics_state
  FROM mstates WHERE half = 0;
SELECT overlay(pg_temp.hex(r) placing '0000000000000000' from 245 for 16)::drift_regression_metrics_state
  FROM mstates WHERE half = 0;
SELECT overlay(pg_temp.hex(r) placing '00000000000003e8' from 21 for 16)::drift_regression_metrics_state
  FROM mstates WHERE half = 0;
SELECT ('\x01' || repeat('00', 24) || '3ff0000000000000' || repeat('00', 168))::drift_regression_metrics_state;
SELECT left(pg_temp.hex(r), 100)::drift_regression_metrics_state FROM mstates WHERE half = 0;
-- drift_metric_mean_state: unknown metric, more non-zero losses than pairs, negative sum
SELECT '\x0103000000000000000100000000000000010000000000000000000000000000000000000000000000'::drift_metric_mean_state;
SELECT '\x0101000000000000000100000000000000023ff000000000000000000000000000003ff0000000000000'::drift_metric_mean_state;
SELECT '\x010100000000000000010000000000000001bff000000000000000000000000000003ff0000000000000'::drift_metric_mean_state;
-- drift_roc_state: two entries, then unsorted, NaN, empty, negative zero,
-- count mismatch.  Version 2 is compact (score_run.c): n and a shift, then per
-- entry the score's order key (or its gap from the previous key) shifted
-- right, and the counts as one varint with the side in its low two bits (or
-- 2 and two varints).  Here 0.5 (key 0xbfe0...0 >> 52 = 0xbfe, varint fe 17)
-- with 1 positive (04), then 1.0 (gap 1 << 52: 01) with 2 positives and 1
-- negative (02 02 01).
SELECT roc_auc_final('\x020234fe170401020201'::drift_roc_state);
SELECT '\x020234fe170400020201'::drift_roc_state;
SELECT '\x02010080808080808080fcff0104'::drift_roc_state;
SELECT '\x020134ff1700'::drift_roc_state;
SELECT '\x020100ffffffffffffffff7f04'::drift_roc_state;
SELECT '\x020234ff1704'::drift_roc_state;
SELECT '\x0200'::drift_roc_state::text AS empty_roc_state, roc_auc_final('\x0200') AS empty_auc;
-- the 0.1.0 form (version 1, fixed-width entries) is refused cleanly
SELECT ('\x0100000001' || '3ff0000000000000' || '0000000000000001' || '0000000000000000')::drift_roc_state;
-- drift_multiclass_metrics_state: version, n, labels ("a", "b"), cells (actual, predicted, count)
SELECT multiclass_metrics_final(('\x01' || '0000000000000003' || '00000002' || '0000000161' || '0000000162'
        || '00000002' || '00000000' || '00000000' || '0000000000000002'
                      || '00000001' || '00000000' || '0000000000000001')::drift_multiclass_metrics_state);
SELECT ('\x01' || '0000000000000003' || '00000002' || '0000000161' || '0000000161'
        || '00000001' || '00000000' || '00000000' || '0000000000000003')::drift_multiclass_metrics_state;
SELECT ('\x01' || '0000000000000003' || '00000001' || '0000000161'
        || '00000001' || '00000000' || '00000001' || '0000000000000003')::drift_multiclass_metrics_state;
SELECT ('\x01' || '0000000000000004' || '00000001' || '0000000161'
        || '00000001' || '00000000' || '00000000' || '0000000000000003')::drift_multiclass_metrics_state;
SELECT ('\x01' || '0000000000000003' || '00000002' || '0000000161' || '0000000162'
        || '00000002' || '00000001' || '00000000' || '0000000000000002'
                      || '00000000' || '00000000' || '0000000000000001')::drift_multiclass_metrics_state;
SELECT ('\x01' || '0000000000000003' || '00000001' || '7fffffff61')::drift_multiclass_metrics_state;

-- error paths of the aggregates
SELECT binary_metrics(score, actual, NULL) FROM mio;
SELECT binary_metrics(score, actual, 'NaN') FROM mio;
SELECT brier_score(1.5, true);
SELECT brier_score('-Infinity', false);
SELECT binary_metrics_trans(NULL, true, true);
SELECT roc_auc_trans(NULL, 0.5, true);
SELECT regression_metrics_inv(NULL, 1, 1);

-- empty input and all-NULL input: counts 0, metrics NULL
SELECT binary_metrics(predicted, actual), regression_metrics(yhat, y),
       multiclass_metrics(label_pred, label_true), roc_auc(score, actual),
       log_loss(score, actual), brier_score(score, actual)
  FROM mio WHERE false;
SELECT binary_metrics(NULL::bool, actual), binary_metrics(NULL::float8, actual, 0.5),
       regression_metrics(yhat, NULL), multiclass_metrics(NULL, label_true),
       roc_auc(NULL, actual), log_loss(score, NULL), brier_score(NULL, actual)
  FROM mio;

-- undefined values are NULL: one class only, a single pair, no positives
SELECT roc_auc(s, a) AS one_class_auc FROM (VALUES (0.2, true), (0.9, true)) v(s, a);
SELECT (regression_metrics(1, 2)).* ;
SELECT (binary_metrics(p, a)).* FROM (VALUES (false, false), (false, false)) v(p, a);
SELECT (binary_metrics(p, a)).* FROM (VALUES (false, true), (false, false)) v(p, a);

-- scikit-learn conventions at the edges
-- r2 with constant actual values: 1.0 if perfect, else 0.0 (force_finite)
SELECT (regression_metrics(p, 0.1)).r2 AS r2_constant_imperfect,
       (regression_metrics(0.1, 0.1)).r2 AS r2_constant_perfect
  FROM (VALUES (0.1::float8), (0.2), (0.1)) v(p);
-- mape divides by max(|actual|, eps): an actual 0 gives a huge finite term
SELECT (regression_metrics(p, a)).mape FROM (VALUES (1.0::float8, 0.0::float8)) v(p, a);
-- log_loss clips to [eps, 1 - eps]: confidently wrong costs -ln(eps)
SELECT log_loss(p, a) = -ln(2.220446049250313e-16::float8) AS clipped
  FROM (VALUES (0.0::float8, true), (1.0, false)) v(p, a);
-- a score exactly at the threshold counts as positive; NaN scores are skipped
SELECT (binary_metrics(s, true, 0.5)).* FROM (VALUES (0.5::float8), (0.4999999), ('NaN')) v(s);
-- ties count one half; -0 and +0 are the same score
SELECT roc_auc(s, a) FROM (VALUES (0.0::float8, true), ('-0'::float8, false), (1, true), (-1, false)) v(s, a);
-- NaN pairs are skipped, infinities propagate
SELECT (regression_metrics(p, a)).* FROM (VALUES (1::float8, 2::float8), ('NaN', 1), (1, 'NaN')) v(p, a);
SELECT (r).* FROM (SELECT regression_metrics(p, a) AS r
  FROM (VALUES (1::float8, 2::float8), ('Infinity', 1)) v(p, a)) s;
SELECT (r).* FROM (SELECT regression_metrics(p, a) AS r
  FROM (VALUES (1::float8, 2::float8), ('Infinity', 1), ('-Infinity', 1)) v(p, a)) s;
-- log_loss of probabilities outside [0, 1] is clipped, as scikit-learn does
SELECT log_loss(p, true) = -ln(1 - 2.220446049250313e-16::float8) AS clipped_high
  FROM (VALUES ('Infinity'::float8), (7)) v(p);
-- multiclass: labels only in predicted, or only in actual, still count (as 0)
SELECT (multiclass_metrics(p, a)).*
  FROM (VALUES ('x', 'x'), ('y', 'x'), ('x', 'z'), ('x', 'x')) v(p, a);

DROP TABLE mstates, mstates2, mio;
DROP AGGREGATE test_binary_state(bool, bool), test_regression_state(float8, float8),
  test_log_loss_state(float8, bool), test_brier_state(float8, bool),
  test_roc_state(float8, bool), test_mc_state(text, text);
