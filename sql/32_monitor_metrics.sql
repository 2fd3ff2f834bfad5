-- Every registered metric runs through a monitor (those whose functions this
-- build has): the registry's SQL templates agree with the functions'
-- signatures, and each gives a statistic and a state.
SET client_min_messages = warning;
\set VERBOSITY terse

CREATE TABLE mm_train AS
  SELECT (g % 50)::float8 AS amount, 'c' || (g % 5) AS cat, ((g % 50) * 2 + g % 3)::float8 AS target
    FROM generate_series(1, 2000) g;
SELECT count(*) > 0 AS captured
  FROM drift.capture_baseline('mm_v1', 'mm_train', columns => ARRAY['amount', 'cat'],
                              target_column => 'target');
CREATE TABLE mm_live AS
  SELECT timestamptz '2026-05-01 00:00+00' + g * interval '1 second' AS ts,
         (g % 50 + CASE WHEN g > 1000 THEN 20 ELSE 0 END)::float8 AS amount,
         CASE WHEN g > 1000 AND g % 4 = 0 THEN 'new' ELSE 'c' || (g % 5) END AS cat,
         ((g % 50) * 2 + g % 3)::float8 AS target,
         g % 3 = 0 AS predicted, g % 2 = 0 AS actual,
         ((g % 10) / 10.0)::float8 AS score,
         (g % 7)::float8 AS y_pred, (g % 7 + (g % 2))::float8 AS y_true
    FROM generate_series(1, 2000) g;

CREATE FUNCTION mm_try(m text, col text, label text DEFAULT NULL, base text DEFAULT 'mm_v1',
                       thr float8 DEFAULT NULL, lo float8 DEFAULT NULL, cmp text DEFAULT 'baseline')
  RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  r drift.results;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM drift.metrics x JOIN pg_proc p ON p.proname = x.function_name
                  WHERE x.name = m) THEN
    RETURN 'not in this build';
  END IF;
  PERFORM drift.create_monitor('mm_' || m || '_' || cmp, 'mm_live', metric => m, column_name => col,
          label_column => label,
          baseline => CASE WHEN cmp = 'baseline'
                            AND (SELECT x.needs_baseline FROM drift.metrics x WHERE x.name = m)
                           THEN base END,
          threshold => thr, lower_bound => lo, compare_to => cmp,
          time_column => CASE WHEN cmp = 'previous_window' THEN 'ts' END,
          window_size => CASE WHEN cmp = 'previous_window' THEN interval '1000 seconds' END);
  SELECT * INTO r FROM drift.run_monitor('mm_' || m || '_' || cmp,
                                         as_of => '2026-05-01 00:33:21+00');
  RETURN r.state || CASE WHEN r.statistic IS NULL THEN ' (no statistic)' ELSE '' END
         || coalesce(': ' || r.error, '');
END $$;

SELECT m, mm_try(m, col, label, thr => thr, lo => lo) AS outcome
  FROM (VALUES ('ks', 'amount', NULL, NULL, NULL), ('psi', 'amount', NULL, 0.2, NULL),
               ('js', 'amount', NULL, 0.1, NULL), ('hellinger', 'amount', NULL, 0.1, NULL),
               ('kl', 'amount', NULL, 0.1, NULL), ('wasserstein', 'amount', NULL, 5, NULL),
               ('zscore', 'amount', NULL, NULL, NULL), ('null_rate', 'amount', NULL, NULL, NULL),
               ('out_of_range', 'amount', NULL, 0.01, NULL),
               ('chi2', 'cat', NULL, NULL, NULL), ('tvd', 'cat', NULL, 0.1, NULL),
               ('linf', 'cat', NULL, 0.1, NULL), ('unseen_categories', 'cat', NULL, 0.01, NULL),
               ('corr', 'amount', 'target', NULL, NULL),
               ('accuracy', 'predicted', 'actual', NULL, 0.9),
               ('precision', 'predicted', 'actual', NULL, 0.9),
               ('recall', 'predicted', 'actual', NULL, 0.9),
               ('f1', 'predicted', 'actual', NULL, 0.9),
               ('mse', 'y_pred', 'y_true', NULL, 0.0), ('mae', 'y_pred', 'y_true', NULL, 0.0),
               ('r2', 'y_pred', 'y_true', NULL, 0.99),
               ('roc_auc', 'score', 'actual', NULL, 0.9), ('log_loss', 'score', 'actual', NULL, 0.0),
               ('brier', 'score', 'actual', NULL, 0.0)) v(m, col, label, thr, lo)
 ORDER BY m;

-- the previous window instead of a baseline, for every metric that can
SELECT m, mm_try(m, col, thr => thr, cmp => 'previous_window') AS outcome
  FROM (VALUES ('ks', 'amount', NULL), ('psi', 'amount', 0.2), ('js', 'amount', 0.1),
               ('hellinger', 'amount', 0.1), ('kl', 'amount', 0.1), ('wasserstein', 'amount', 5),
               ('zscore', 'amount', NULL)) v(m, col, thr)
 ORDER BY m;

-- a model metric wants bounds and a label; a test a baseline
SELECT drift.create_monitor('mm_bad1', 'mm_live', metric => 'accuracy', column_name => 'predicted',
                            label_column => 'actual');
SELECT drift.create_monitor('mm_bad2', 'mm_live', metric => 'accuracy', column_name => 'predicted',
                            lower_bound => 0.5);
SELECT drift.create_monitor('mm_bad3', 'mm_live', metric => 'accuracy', column_name => 'predicted',
                            label_column => 'amount', lower_bound => 0.5);
SELECT drift.create_monitor('mm_bad4', 'mm_live', metric => 'accuracy', column_name => 'predicted',
                            label_column => 'actual', lower_bound => 0.9, upper_bound => 0.5);
SELECT drift.create_monitor('mm_bad5', 'mm_live', metric => 'accuracy', column_name => 'predicted',
                            label_column => 'actual', threshold => 0.5);
SELECT drift.create_monitor('mm_bad6', 'mm_live', metric => 'wasserstein', column_name => 'amount',
                            baseline => 'mm_v1');
SELECT drift.create_monitor('mm_bad7', 'mm_live', metric => 'out_of_range', column_name => 'amount',
                            compare_to => 'previous_window', time_column => 'ts', window_size => '1 hour');
SELECT drift.create_monitor('mm_bad8', 'mm_live', metric => 'psi', column_name => 'amount',
                            baseline => 'mm_v1', threshold => 0.2, min_effect => 0.1);

SELECT count(*) AS dropped FROM (SELECT drift.drop_monitor(name) FROM drift.monitors WHERE name LIKE 'mm\_%') d;
DROP FUNCTION mm_try;
SELECT drift.drop_baseline('mm_v1');
