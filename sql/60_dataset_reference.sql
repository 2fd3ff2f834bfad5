-- drift.dataset_drift and drift.dataset_drift_summary agree with the
-- round-2 reference (test/reference/round2, a copy of shared/reference/round2:
-- SciPy 1.10, statsmodels 0.13) on every case: the test chosen, n, u,
-- statistic, p-value, corrected p-values, threshold, drifted, severity, rank
-- and the summary under every correction, within SPEC.md's tolerances;
-- serially and with forced parallel plans.
SELECT to_regprocedure('p_ok(float8,float8)') IS NULL AS need_reference \gset
\if :need_reference
\i test/sql/load_reference.sql
\endif
\set QUIET on
SET client_min_messages = warning;
CREATE TABLE ds_rows (case_id text, sample text, row_no int, f_cont float8, f_skew float8,
                      f_int integer, f_flag integer, c_cat text, c_bool boolean, f_sparse float8);
\copy ds_rows FROM 'test/reference/round2/dataset_rows.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE ds_expected (case_id text, column_name text, column_kind text, test text,
                          n_baseline bigint, n_current bigint, distinct_values bigint,
                          statistic float8, p_value float8, threshold float8, drifted boolean,
                          p_bonferroni float8, p_holm float8, p_bh float8, severity float8,
                          rank int);
\copy ds_expected FROM 'test/reference/round2/dataset_expected.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE ds_summary (case_id text, correction text, n_columns int, n_drifted int,
                         drift_share float8, dataset_drifted boolean);
\copy ds_summary FROM 'test/reference/round2/dataset_summary.csv' WITH (FORMAT csv, HEADER true)
-- one table per case and sample, as a user would have them; a baseline per case
DO $$
DECLARE c text;
BEGIN
  FOR c IN SELECT DISTINCT case_id FROM ds_rows ORDER BY 1 LOOP
    EXECUTE format('CREATE TABLE %I AS SELECT f_cont, f_skew, f_int, f_flag, c_cat, c_bool, f_sparse
                      FROM ds_rows WHERE case_id = %L AND sample = %L ORDER BY row_no',
                   c || '_b', c, 'baseline');
    EXECUTE format('CREATE TABLE %I AS SELECT f_cont, f_skew, f_int, f_flag, c_cat, c_bool, f_sparse
                      FROM ds_rows WHERE case_id = %L AND sample = %L ORDER BY row_no',
                   c || '_c', c, 'current');
    EXECUTE format('ANALYZE %I', c || '_c');
    PERFORM drift.capture_baseline(c, (c || '_b')::regclass);
  END LOOP;
END
$$;
-- every case under every correction, in one table
CREATE TABLE ds_got AS
  SELECT c.case_id, k.correction, d.*
    FROM (SELECT DISTINCT case_id FROM ds_rows) c
   CROSS JOIN (VALUES ('none'), ('bonferroni'), ('holm'), ('bh')) k(correction)
   CROSS JOIN LATERAL drift.dataset_drift(c.case_id, (c.case_id || '_c')::regclass,
                                          correction => k.correction) d;
CREATE TABLE ds_got_summary AS
  SELECT c.case_id, k.correction, s.*
    FROM (SELECT DISTINCT case_id FROM ds_rows) c
   CROSS JOIN (VALUES ('none'), ('bonferroni'), ('holm'), ('bh')) k(correction)
   CROSS JOIN LATERAL drift.dataset_drift_summary(c.case_id, (c.case_id || '_c')::regclass,
                                                  correction => k.correction) s;
RESET client_min_messages;
\set QUIET off

-- the reference covers every test of the rule, and both kinds
SELECT column_kind, test, count(*) FROM ds_expected GROUP BY 1, 2 ORDER BY 1, 2;

-- every reference row has its result, and nothing else is returned
SELECT count(*) AS expected_rows FROM ds_expected;
SELECT correction, count(*) AS rows_got FROM ds_got GROUP BY 1 ORDER BY 1;

-- no correction: test chosen, counts, statistic, p-value, threshold,
-- drifted, severity and rank all agree (mismatches listed: none expected)
SELECT e.case_id, e.column_name, g.test, e.test AS want_test,
       g.statistic, e.statistic AS want_statistic, g.p_value, e.p_value AS want_p,
       g.severity, e.severity AS want_severity, g.rank, e.rank AS want_rank
  FROM ds_expected e
  LEFT JOIN ds_got g ON g.case_id = e.case_id AND g.column_name = e.column_name
                     AND g.correction = 'none'
 WHERE g.test IS DISTINCT FROM e.test
    OR g.column_kind IS DISTINCT FROM e.column_kind
    OR g.n_baseline IS DISTINCT FROM e.n_baseline
    OR g.n_current IS DISTINCT FROM e.n_current
    OR g.distinct_values IS DISTINCT FROM e.distinct_values
    OR NOT stat_ok(g.statistic, e.statistic)
    OR NOT p_ok(g.p_value, e.p_value)
    OR NOT p_ok(g.adjusted_p_value, e.p_value)
    OR NOT stat_ok(g.threshold, e.threshold)
    OR g.drifted IS DISTINCT FROM e.drifted
    OR NOT stat_ok(g.severity, e.severity)
    OR g.rank IS DISTINCT FROM e.rank
 ORDER BY 1, 2;

-- corrections: adjusted p-values as statsmodels multipletests
SELECT e.case_id, e.column_name, g.correction, g.adjusted_p_value,
       CASE g.correction WHEN 'bonferroni' THEN e.p_bonferroni WHEN 'holm' THEN e.p_holm
                         ELSE e.p_bh END AS want
  FROM ds_expected e
  JOIN ds_got g ON g.case_id = e.case_id AND g.column_name = e.column_name
 WHERE g.correction <> 'none'
   AND NOT p_ok(g.adjusted_p_value, CASE g.correction WHEN 'bonferroni' THEN e.p_bonferroni
                                                      WHEN 'holm' THEN e.p_holm ELSE e.p_bh END)
 ORDER BY 1, 2, 3;

-- corrected verdicts: drifted when the adjusted p-value is below alpha
SELECT count(*) FILTER (WHERE g.drifted) AS drifted_after_correction,
       count(*) FILTER (WHERE g.drifted IS DISTINCT FROM
                          CASE WHEN g.p_value IS NULL THEN g.statistic >= 0.1
                               ELSE g.adjusted_p_value < 0.05 END) AS inconsistent
  FROM ds_got g WHERE g.correction <> 'none';

-- summaries under every correction
SELECT s.case_id, s.correction, g.n_columns, s.n_columns AS want_n, g.n_drifted,
       s.n_drifted AS want_drifted, g.drift_share, s.drift_share AS want_share,
       g.dataset_drifted, s.dataset_drifted AS want_dataset
  FROM ds_summary s
  LEFT JOIN ds_got_summary g ON g.case_id = s.case_id AND g.correction = s.correction
 WHERE g.n_columns IS DISTINCT FROM s.n_columns OR g.n_drifted IS DISTINCT FROM s.n_drifted
    OR NOT stat_ok(g.drift_share, s.drift_share)
    OR g.dataset_drifted IS DISTINCT FROM s.dataset_drifted
 ORDER BY 1, 2;
SELECT count(*) AS summaries, count(*) FILTER (WHERE dataset_drifted) AS datasets_drifted,
       sum(n_drifted) AS columns_drifted
  FROM ds_got_summary;

-- the drifted columns listed by rank agree with the per-column rows
SELECT count(*) AS summaries_disagreeing
  FROM ds_got_summary s
 WHERE s.drifted_columns IS DISTINCT FROM (
         SELECT coalesce(array_agg(g.column_name ORDER BY g.rank), '{}')
           FROM ds_got g
          WHERE g.case_id = s.case_id AND g.correction = s.correction AND g.drifted);

-- the same results with forced parallel plans (the scan is one parallel
-- aggregate query: drift_profile_agg combines partial profiles)
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
CREATE TEMP TABLE ds_parallel AS
  SELECT c.case_id, k.correction, d.*
    FROM (SELECT DISTINCT case_id FROM ds_rows) c
   CROSS JOIN (VALUES ('none'), ('bh')) k(correction)
   CROSS JOIN LATERAL drift.dataset_drift(c.case_id, (c.case_id || '_c')::regclass,
                                          correction => k.correction) d;
SELECT count(*) AS rows_checked,
       count(*) FILTER (WHERE g.test IS DISTINCT FROM p.test
                           OR g.n_current IS DISTINCT FROM p.n_current
                           OR NOT stat_ok(p.statistic, g.statistic)
                           OR NOT p_ok(p.adjusted_p_value, g.adjusted_p_value)
                           OR g.rank IS DISTINCT FROM p.rank) AS differing
  FROM ds_got g
  JOIN ds_parallel p USING (case_id, correction, column_name);
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
