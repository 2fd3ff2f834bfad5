-- Compact partial states (issue 13, SPEC.md section 8).  Citus ships each
-- shard's partial state as text through the state type's output function and
-- reads it with the input function.  A state's text form is its binary form
-- in base64, and the binary form holds counts (varints), never raw values:
-- ks_drift places the values it buffers before writing.  So the text size of
-- a ks_drift state follows its baseline's slot count, not the rows; every
-- family's states survive text round trips with the same final answers,
-- serially and under parallel plans; and malformed compact input is refused.
SET client_min_messages = warning;
CREATE TABLE cs_train AS
  SELECT (g % 726)::float8 AS x, 'c' || (g % 40) AS c FROM generate_series(1, 5000) g;
SELECT count(*) FROM drift.capture_baseline('cs_b', 'cs_train', columns => ARRAY['x', 'c']);
-- 1..800 in a scrambled order, with unseen categories and scores of many distinct values
CREATE TABLE cs_live AS
  SELECT g, ((g * 7919) % 800)::float8 AS x, 'c' || (g % 50) AS c,
         ((g::bigint * 104729) % 100003) / 100003.0 AS score, (g * 31) % 7 < 3 AS y
    FROM generate_series(1, 200000) g;
ANALYZE cs_live;

-- the partial aggregates combine like the real ones, so that plans may be parallel
-- 1. ks_drift: a state buffers up to 32,768 raw values between placements
-- (0.1.0 shipped them, 16 characters each); its text now holds a count per
-- slot, 2 * 726 + 1 slots, whatever the rows
CREATE AGGREGATE pg_temp.ks_part(float8, text, text)
  (SFUNC = ks_drift_named_trans, STYPE = drift_stream_state,
   COMBINEFUNC = drift_stream_state_combine, PARALLEL = SAFE);
CREATE AGGREGATE pg_temp.ks_part(float8, drift_profile)
  (SFUNC = ks_drift_profile_trans, STYPE = drift_stream_state,
   COMBINEFUNC = drift_stream_state_combine, PARALLEL = SAFE);
SELECT n, length(pg_temp.ks_part(x, 'cs_b', 'x')::text) <= 4 * 1453 + 100 AS within_slots
  FROM (VALUES (1000), (20000), (200000)) v(n), LATERAL (SELECT x FROM cs_live WHERE g <= n) l
 GROUP BY n ORDER BY n;
-- few rows: the slots of the rows only, a byte or two each
SELECT length(pg_temp.ks_part(x, 'cs_b', 'x')::text) < 200 AS few_rows_small
  FROM cs_live WHERE g <= 10;
-- output does not change the value it writes (it may be a table's)
CREATE TEMP TABLE cs_stored AS SELECT pg_temp.ks_part(x, 'cs_b', 'x') AS s FROM cs_live WHERE g <= 5000;
SELECT pg_column_size(s) AS size_before FROM cs_stored \gset
SELECT s::text = s::text::drift_stream_state::text AS stable, pg_column_size(s) = :size_before AS unchanged,
       ks_drift_final(s) = ks_drift_final(s::text::drift_stream_state) AS same_answer
  FROM cs_stored;

-- 2. Every family as Citus runs it: a partial state per shard (here 8 groups),
-- shipped as text, read back, combined and finished; the same answer as the
-- plain aggregate
CREATE AGGREGATE pg_temp.ks_coord(drift_stream_state)
  (SFUNC = drift_stream_state_combine, STYPE = drift_stream_state, FINALFUNC = ks_drift_final);
CREATE AGGREGATE pg_temp.psi_part(float8, text, text)
  (SFUNC = binned_drift_named_trans, STYPE = drift_stream_state,
   COMBINEFUNC = drift_stream_state_combine, PARALLEL = SAFE);
CREATE AGGREGATE pg_temp.psi_coord(drift_stream_state)
  (SFUNC = drift_stream_state_combine, STYPE = drift_stream_state, FINALFUNC = psi_drift_final);
CREATE AGGREGATE pg_temp.chi2_part(text, text, text)
  (SFUNC = categorical_named_trans, STYPE = drift_category_state,
   COMBINEFUNC = drift_category_state_combine, PARALLEL = SAFE);
CREATE AGGREGATE pg_temp.chi2_coord(drift_category_state)
  (SFUNC = drift_category_state_combine, STYPE = drift_category_state, FINALFUNC = chi2_drift_final);
CREATE AGGREGATE pg_temp.roc_part(float8, bool) (SFUNC = roc_auc_trans, STYPE = drift_roc_state,
   COMBINEFUNC = roc_auc_combine, PARALLEL = SAFE);
CREATE AGGREGATE pg_temp.roc_coord(drift_roc_state)
  (SFUNC = roc_auc_combine, STYPE = drift_roc_state, FINALFUNC = roc_auc_final);
CREATE AGGREGATE pg_temp.bin_part(float8, bool, float8)
  (SFUNC = binary_metrics_trans, STYPE = drift_binary_metrics_state,
   COMBINEFUNC = binary_metrics_combine, PARALLEL = SAFE);
CREATE AGGREGATE pg_temp.bin_coord(drift_binary_metrics_state)
  (SFUNC = binary_metrics_combine, STYPE = drift_binary_metrics_state, FINALFUNC = binary_metrics_final);
CREATE VIEW cs_shipped AS
  SELECT pg_temp.ks_part(x, 'cs_b', 'x')::text AS ks,
         pg_temp.ks_part(x, drift.baseline('cs_b', 'x'))::text AS ks_profile,
         pg_temp.psi_part(x, 'cs_b', 'x')::text AS psi,
         pg_temp.chi2_part(c, 'cs_b', 'c')::text AS chi2,
         pg_temp.roc_part(score, y)::text AS roc,
         pg_temp.bin_part(score, y, 0.5)::text AS bin
    FROM cs_live GROUP BY g % 8;
CREATE VIEW cs_compare AS
  SELECT (SELECT pg_temp.ks_coord(ks::drift_stream_state) FROM cs_shipped)
           = (SELECT ks_drift(x, 'cs_b', 'x') FROM cs_live) AS ks_drift,
         (SELECT pg_temp.ks_coord(ks_profile::drift_stream_state) FROM cs_shipped)
           = (SELECT ks_drift(x, drift.baseline('cs_b', 'x')) FROM cs_live) AS ks_drift_profile,
         (SELECT pg_temp.psi_coord(psi::drift_stream_state) FROM cs_shipped)
           = (SELECT psi_drift(x, 'cs_b', 'x') FROM cs_live) AS psi_drift,
         (SELECT pg_temp.chi2_coord(chi2::drift_category_state) FROM cs_shipped)
           = (SELECT chi2_drift(c, 'cs_b', 'c') FROM cs_live) AS chi2_drift,
         (SELECT pg_temp.roc_coord(roc::drift_roc_state) FROM cs_shipped)
           = (SELECT roc_auc(score, y) FROM cs_live) AS roc_auc,
         (SELECT pg_temp.bin_coord(bin::drift_binary_metrics_state) FROM cs_shipped)
           = (SELECT binary_metrics(score, y, 0.5) FROM cs_live) AS binary_metrics;
SELECT * FROM cs_compare;
-- the text forms are stable: in, out, in, out gives the same text
SELECT bool_and(ks::drift_stream_state::text::drift_stream_state::text = ks::drift_stream_state::text
                AND roc::drift_roc_state::text = roc
                AND chi2::drift_category_state::text = chi2) AS stable
  FROM cs_shipped;
-- roc_auc over 25,000 rows of about as many distinct scores: about 8 characters a score
-- (0.1.0: 48, the hex of three 8-byte numbers)
SELECT max(length(roc)) < 25000 * 10 AS roc_compact FROM cs_shipped;

-- the same under parallel plans: workers' partial states are combined (with
-- their buffered values) before the leader's state is written as text
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT pg_temp.ks_part(x, 'cs_b', 'x')::text FROM cs_live;
SELECT ks_drift_final(s::text::drift_stream_state) = (SELECT ks_drift(x, 'cs_b', 'x') FROM cs_live) AS ks_parallel
  FROM (SELECT pg_temp.ks_part(x, 'cs_b', 'x') AS s FROM cs_live) p;
SELECT * FROM cs_compare;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- 3. Malformed compact input: not base64 (whitespace, a bad character or
-- length), a number running past the value, an unknown count layout
SELECT 'AgA ='::drift_roc_state;
SELECT 'Ag*='::drift_roc_state;
SELECT 'AgAA0'::drift_roc_state;
SELECT '\x0201'::drift_roc_state;
SELECT '\x0201008080'::drift_roc_state;
SELECT encode(decode(ks, 'base64'), 'hex') AS ks_hex FROM cs_shipped LIMIT 1 \gset
-- (a named state's counts begin after 64 bytes: the header, "cs_b" and "x")
SELECT ('\x' || left(:'ks_hex', 2 * 64) || '02')::drift_stream_state;
SELECT ('\x' || left(:'ks_hex', -2))::drift_stream_state;

DROP VIEW cs_compare;
DROP VIEW cs_shipped;
DROP TABLE cs_train, cs_live;
SELECT drift.drop_baseline('cs_b');
