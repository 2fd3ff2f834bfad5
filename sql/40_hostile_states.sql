-- Hostile aggregate states (security review, findings 1, 6, 9): an ordinary
-- role hands the transition, combine and final functions states they did not
-- make, as INITCOND / MINITCOND of its own pg_temp aggregates or directly.
-- Every such state must give a clean error with an SQLSTATE (or, when it is
-- valid, the right answer), never a crash, a huge allocation or a wrong count.
-- The states are forged from real ones by editing their binary form (the text
-- form is base64 of it, and input also reads "\x" and hex, which the forged
-- states use; see stream_state.c for the layout).
SET client_min_messages = warning;
\set VERBOSITY sqlstate
\set SHOW_CONTEXT never

CREATE ROLE regress_hostile LOGIN;
CREATE TABLE hostile_cats AS
  SELECT g, 'cat ' || (g % 200) AS c FROM generate_series(1, 2000) g;
GRANT SELECT ON hostile_cats TO regress_hostile;
SET ROLE regress_hostile;
SELECT count(*) FROM drift.capture_baseline('hostile_cats', 'hostile_cats', columns => ARRAY['c']);

-- byte editing helpers: offsets are 0-based, as in the C code
CREATE FUNCTION pg_temp.bin(t text) RETURNS bytea
  LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN left(t, 2) = '\x' THEN decode(substr(t, 3), 'hex') ELSE decode(t, 'base64') END $$;
CREATE FUNCTION pg_temp.txt(b bytea) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT '\x' || encode(b, 'hex') $$;
CREATE FUNCTION pg_temp.put(b bytea, off int, v bytea) RETURNS bytea
  LANGUAGE sql IMMUTABLE AS $$ SELECT overlay(b PLACING v FROM off + 1 FOR length(v)) $$;
CREATE FUNCTION pg_temp.get4(b bytea, off int) RETURNS int
  LANGUAGE sql IMMUTABLE AS $$ SELECT ('x' || encode(substring(b FROM off + 1 FOR 4), 'hex'))::bit(32)::int $$;
-- a drift_category_state is version, then the inner drift_stream_state and
-- the unseen categories' profile, each length-prefixed
CREATE FUNCTION pg_temp.cat_inner(b bytea) RETURNS bytea
  LANGUAGE sql IMMUTABLE AS $$ SELECT substring(b FROM 6 FOR pg_temp.get4(b, 1)) $$;
CREATE FUNCTION pg_temp.cat_unseen(b bytea) RETURNS bytea
  LANGUAGE sql IMMUTABLE AS $$ SELECT substring(b FROM 10 + pg_temp.get4(b, 1)) $$;
CREATE FUNCTION pg_temp.cat_wrap(inner_state bytea, unseen bytea) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$
    SELECT pg_temp.txt('\x01'::bytea || int4send(length(inner_state)) || inner_state
                       || int4send(length(unseen)) || unseen) $$;
-- an empty drift_stream_state without its counts: they are the last byte,
-- layout 0 (the slot of each value, as varint gaps) with no value; layout 1
-- is every slot's count as a varint
CREATE FUNCTION pg_temp.empty_tail(b bytea) RETURNS bytea
  LANGUAGE sql IMMUTABLE AS $$ SELECT substring(b FROM 1 FOR length(b) - 1) $$;

-- 1. The issue's reproduction: a ks_drift state read from text has no room
-- for raw values; as INITCOND it used to be written past its end (SIGSEGV).
-- It is a valid (empty) state, so the answer is simply ks_drift's.
CREATE AGGREGATE pg_temp.ks_state(float8, drift_profile)
  (SFUNC = ks_drift_profile_trans, STYPE = drift_stream_state);
SELECT pg_temp.ks_state(NULL::float8, '{"version":1,"kind":"numeric","values":[1,2,3],"counts":[1,1,1]}'::drift_profile)::text AS ks_empty \gset
SELECT format('CREATE AGGREGATE pg_temp.evil(float8, drift_profile) (SFUNC = ks_drift_profile_trans, STYPE = drift_stream_state, FINALFUNC = ks_drift_final, INITCOND = %L)', :'ks_empty') \gexec
SELECT pg_temp.evil(x, '{"version":1,"kind":"numeric","values":[1,2,3],"counts":[1,1,1]}'::drift_profile)
       = ks_drift(x::float8, '{"version":1,"kind":"numeric","values":[1,2,3],"counts":[1,1,1]}'::drift_profile) AS same
  FROM generate_series(1, 200000) x;
-- the same with GROUP BY: every group starts from its own copy of INITCOND
SELECT count(*) AS groups,
       bool_and(r = k) AS all_same
  FROM (SELECT pg_temp.evil(x, '{"version":1,"kind":"numeric","values":[1,2,3],"counts":[1,1,1]}'::drift_profile) AS r,
               ks_drift(x::float8, '{"version":1,"kind":"numeric","values":[1,2,3],"counts":[1,1,1]}'::drift_profile) AS k
          FROM generate_series(1, 50000) x GROUP BY x % 7) s;

-- a ks_drift state holding a sparse slot list (two values: 1 and 2, slots 1
-- and 3) as INITCOND: its counts are kept when raw values start to arrive
SELECT pg_temp.txt(pg_temp.put(pg_temp.empty_tail(pg_temp.bin(:'ks_empty')), 27, int8send(2))
                   || '\x000102'::bytea) AS ks_sparse \gset
SELECT format('CREATE AGGREGATE pg_temp.ks_sparse(float8, drift_profile) (SFUNC = ks_drift_profile_trans, STYPE = drift_stream_state, FINALFUNC = ks_drift_final, INITCOND = %L)', :'ks_sparse') \gexec
SELECT pg_temp.ks_sparse(x, '{"version":1,"kind":"numeric","values":[1,2,3],"counts":[1,1,1]}'::drift_profile)
       = (SELECT ks_drift(v, '{"version":1,"kind":"numeric","values":[1,2,3],"counts":[1,1,1]}'::drift_profile)
            FROM (SELECT x::float8 FROM generate_series(1, 1000) x UNION ALL VALUES (1), (2)) u(v)) AS same
  FROM generate_series(1, 1000) x;

-- 2. A dense drift_category_state with one slot naming a 200-category
-- baseline (with its true fingerprint): every row used to be counted past
-- the one slot, and under GROUP BY into the next group's state.
CREATE AGGREGATE pg_temp.cat_state(text, text, text)
  (SFUNC = categorical_named_trans, STYPE = drift_category_state);
SELECT pg_temp.cat_state(NULL::text, 'hostile_cats', 'c')::text AS cat_empty \gset
SELECT pg_temp.bin(:'cat_empty') AS cat_bin \gset
-- the legitimate empty state: 201 slots (200 categories and "unseen"), sparse
SELECT pg_temp.get4(pg_temp.cat_inner(:'cat_bin'), 15) AS n_slots;
SELECT pg_temp.cat_wrap(pg_temp.put(pg_temp.empty_tail(pg_temp.cat_inner(:'cat_bin')), 15, int4send(1))
                        || '\x0100'::bytea,
                        pg_temp.cat_unseen(:'cat_bin')) AS cat_one_slot \gset
SELECT format('CREATE AGGREGATE pg_temp.evil_chi2(text, text, text) (SFUNC = categorical_named_trans, STYPE = drift_category_state, FINALFUNC = chi2_drift_final, INITCOND = %L)', :'cat_one_slot') \gexec
SELECT pg_temp.evil_chi2(c, 'hostile_cats', 'c') FROM hostile_cats;
SELECT g % 10, pg_temp.evil_chi2(c, 'hostile_cats', 'c') FROM hostile_cats GROUP BY g % 10;
-- the whole message once
\set VERBOSITY default
SELECT pg_temp.evil_chi2(c, 'hostile_cats', 'c') FROM hostile_cats;
\set VERBOSITY sqlstate
-- its final function and the combine function refuse it too
SELECT chi2_drift_final(:'cat_one_slot');
SELECT drift_category_state_combine(:'cat_empty', :'cat_one_slot');
SELECT drift_category_state_combine(:'cat_one_slot', :'cat_empty');
-- the unforged state as INITCOND gives chi2_drift's answer
SELECT format('CREATE AGGREGATE pg_temp.good_chi2(text, text, text) (SFUNC = categorical_named_trans, STYPE = drift_category_state, FINALFUNC = chi2_drift_final, INITCOND = %L)', :'cat_empty') \gexec
SELECT pg_temp.good_chi2(c, 'hostile_cats', 'c') = chi2_drift(c, 'hostile_cats', 'c') AS same
  FROM hostile_cats WHERE g % 3 = 0;

-- 3. Small input, huge claims.  A 326-character drift_category_state whose
-- inner state claims 67,108,863 sparse slots used to allocate 512 MB while
-- being read; now nothing of that size is built, and every function that
-- meets it compares the claim with the baseline before using it.
SELECT pg_temp.cat_wrap(pg_temp.put(pg_temp.cat_inner(:'cat_bin'), 15, int4send(67108863)),
                        pg_temp.cat_unseen(:'cat_bin')) AS cat_huge \gset
SELECT length(:'cat_huge') AS literal_length, pg_column_size(:'cat_huge'::drift_category_state) < 1000 AS small;
SELECT chi2_drift_final(:'cat_huge');
SELECT format('CREATE AGGREGATE pg_temp.huge_chi2(text, text, text) (SFUNC = categorical_named_trans, STYPE = drift_category_state, FINALFUNC = chi2_drift_final, INITCOND = %L)', :'cat_huge') \gexec
SELECT pg_temp.huge_chi2(c, 'hostile_cats', 'c') FROM hostile_cats;
SELECT drift_category_state_combine(:'cat_huge', :'cat_empty');
-- claims the bytes cannot back fail on input: counts for 67M slots, the
-- slots of 2^31 - 1 values, a number past 64 bits and parts longer than the value
SELECT pg_temp.cat_wrap(pg_temp.put(pg_temp.empty_tail(pg_temp.cat_inner(:'cat_bin')), 15, int4send(67108863))
                        || '\x0100'::bytea,
                        pg_temp.cat_unseen(:'cat_bin'))::drift_category_state;
SELECT pg_temp.txt(pg_temp.put(pg_temp.empty_tail(pg_temp.bin(:'ks_empty')), 27, int8send(2147483647))
                   || '\x0000'::bytea)::drift_stream_state;
SELECT pg_temp.txt(pg_temp.put(pg_temp.empty_tail(pg_temp.bin(:'ks_empty')), 27, int8send(1))
                   || '\x00ffffffffffffffffff7f'::bytea)::drift_stream_state;
SELECT pg_temp.txt('\x01'::bytea || int4send(2147483647) || pg_temp.cat_inner(:'cat_bin'))::drift_category_state;
SELECT pg_temp.txt(pg_temp.put(pg_temp.bin(:'ks_empty'), 51, int4send(1073741823)))::drift_stream_state;
-- counts near the int64 limit are valid alone, and combining two fails cleanly
SELECT pg_temp.txt(pg_temp.put(pg_temp.empty_tail(pg_temp.bin(:'ks_empty')), 27, int8send(4611686018427387904))
                   || '\x0100808080808080808040'::bytea || '\x0000000000'::bytea) AS ks_big \gset
SELECT (ks_drift_final(:'ks_big')).n_current;
SELECT drift_stream_state_combine(:'ks_big', :'ks_big');
-- enumerations in range: a ks_drift alternative that does not exist
SELECT pg_temp.txt(pg_temp.put(pg_temp.bin(:'ks_empty'), 3, int4send(7)))::drift_stream_state;
-- a value's slot past the slots (its gap, 201, is the slot count)
SELECT pg_temp.txt(pg_temp.put(pg_temp.empty_tail(pg_temp.cat_inner(:'cat_bin')), 27, int8send(1))
                   || '\x00c901'::bytea)::drift_stream_state;
-- the 0.1.0 binary form (version 1, which could carry raw values) is refused
SELECT pg_temp.txt('\x01'::bytea || substring(pg_temp.bin(:'ks_empty') FROM 2))::drift_stream_state;

-- 4. States mixed across tests, baselines and sizes.
CREATE AGGREGATE pg_temp.unseen_state(text, drift_profile)
  (SFUNC = unseen_share_profile_trans, STYPE = drift_stream_state);
CREATE AGGREGATE pg_temp.chi2_state(text, drift_profile)
  (SFUNC = categorical_profile_trans, STYPE = drift_category_state);
SELECT pg_temp.unseen_state(NULL::text, '{"version":1,"kind":"categorical","categories":["a","b","c"],"counts":[1,1,1]}'::drift_profile)::text AS unseen_empty \gset
SELECT pg_temp.chi2_state(NULL::text, '{"version":1,"kind":"categorical","categories":["a","b","c"],"counts":[1,1,1]}'::drift_profile)::text AS chi2_empty \gset
-- final functions given another test's state: a clean error, not XX000
SELECT ks_drift_final(:'unseen_empty');
\set VERBOSITY default
SELECT ks_drift_final(:'unseen_empty');
\set VERBOSITY sqlstate
SELECT unseen_category_share_final(:'ks_empty');
SELECT psi_drift_final(:'ks_empty');
SELECT unseen_category_share_final(pg_temp.txt(pg_temp.cat_inner(pg_temp.bin(:'chi2_empty')))::drift_stream_state);
-- combine: different tests, baselines, slot counts
SELECT drift_stream_state_combine(:'ks_empty', :'unseen_empty');
SELECT drift_category_state_combine(:'chi2_empty', :'cat_empty');
-- a per-category state (4 slots) forged to look like unseen_category_share's
-- (zero fill 0) as INITCOND of unseen_category_share's transition: same
-- baseline and parameter, but another test's slots
SELECT pg_temp.txt(pg_temp.put(pg_temp.cat_inner(pg_temp.bin(:'chi2_empty')), 7, float8send(0))) AS per_category \gset
SELECT format('CREATE AGGREGATE pg_temp.evil_unseen(text, drift_profile) (SFUNC = unseen_share_profile_trans, STYPE = drift_stream_state, FINALFUNC = unseen_category_share_final, INITCOND = %L)', :'per_category') \gexec
SELECT pg_temp.evil_unseen(v, '{"version":1,"kind":"categorical","categories":["a","b","c"],"counts":[1,1,1]}'::drift_profile)
  FROM (VALUES ('a'), ('z')) t(v);
-- a ks_drift state as INITCOND of a binned test, and of ks_drift against another baseline
SELECT format('CREATE AGGREGATE pg_temp.evil_psi(float8, drift_profile) (SFUNC = binned_drift_profile_trans, STYPE = drift_stream_state, FINALFUNC = psi_drift_final, INITCOND = %L)', :'ks_empty') \gexec
SELECT pg_temp.evil_psi(x, '{"version":1,"kind":"numeric","values":[1,2,3],"counts":[1,1,1]}'::drift_profile)
  FROM generate_series(1, 10) x;
SELECT pg_temp.evil(x, '{"version":1,"kind":"numeric","values":[1,2,3,4],"counts":[1,1,1,1]}'::drift_profile)
  FROM generate_series(1, 10) x;

-- null_rate_drift and out_of_range_share share drift_integrity_state: a
-- state of one is refused by the other's transition function (the final
-- functions read either: both count rows, NULLs and NaNs)
CREATE AGGREGATE pg_temp.null_rate_state(float8, drift_profile)
  (SFUNC = null_rate_drift_profile_trans, STYPE = drift_integrity_state);
SELECT pg_temp.null_rate_state(x, '{"version":1,"kind":"numeric","values":[1,2,3],"counts":[1,1,1]}'::drift_profile)::text AS null_rate_st
  FROM generate_series(1, 5) x \gset
SELECT (null_rate_drift_final(:'null_rate_st')).n_current;
SELECT format('CREATE AGGREGATE pg_temp.evil_range(float8, drift_profile) (SFUNC = out_of_range_share_profile_trans, STYPE = drift_integrity_state, FINALFUNC = out_of_range_share_final, INITCOND = %L)', :'null_rate_st') \gexec
SELECT pg_temp.evil_range(x, '{"version":1,"kind":"numeric","values":[1,2,3],"counts":[1,1,1]}'::drift_profile)
  FROM generate_series(1, 10) x;

-- 5. Moving aggregates with a user's MINITCOND and MSFUNC: an inverse
-- function asked to remove what the state never counted fails cleanly
-- (roc_auc used to raise an internal error; the counts used to go negative).
CREATE AGGREGATE pg_temp.drift_roc_state(float8, bool) (SFUNC = roc_auc_trans, STYPE = drift_roc_state);
SELECT pg_temp.drift_roc_state(NULL, NULL)::text AS roc_empty \gset
SELECT format('CREATE AGGREGATE pg_temp.evil_roc(float8, bool) (SFUNC = roc_auc_trans, STYPE = drift_roc_state, FINALFUNC = roc_auc_final, MSFUNC = roc_auc_inv, MINVFUNC = roc_auc_trans, MSTYPE = drift_roc_state, MFINALFUNC = roc_auc_final, MINITCOND = %L)', :'roc_empty') \gexec
SELECT pg_temp.evil_roc(x / 10.0, x % 2 = 0) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
  FROM generate_series(1, 5) x;
CREATE AGGREGATE pg_temp.evil_binary(bool, bool) (SFUNC = binary_metrics_trans, STYPE = drift_binary_metrics_state,
  FINALFUNC = binary_metrics_final, MSFUNC = binary_metrics_inv, MINVFUNC = binary_metrics_trans,
  MSTYPE = drift_binary_metrics_state, MFINALFUNC = binary_metrics_final);
SELECT (pg_temp.evil_binary(x % 2 = 0, x % 3 = 0) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)).n
  FROM generate_series(1, 5) x;
CREATE AGGREGATE pg_temp.evil_brier(float8, bool) (SFUNC = brier_score_trans, STYPE = drift_metric_mean_state,
  FINALFUNC = metric_mean_final, MSFUNC = brier_score_inv, MINVFUNC = brier_score_trans,
  MSTYPE = drift_metric_mean_state, MFINALFUNC = metric_mean_final);
SELECT pg_temp.evil_brier(x / 10.0, x % 2 = 0) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
  FROM generate_series(1, 5) x;
CREATE AGGREGATE pg_temp.evil_regression(float8, float8) (SFUNC = regression_metrics_trans,
  STYPE = drift_regression_metrics_state, FINALFUNC = regression_metrics_final, MSFUNC = regression_metrics_inv,
  MINVFUNC = regression_metrics_trans, MSTYPE = drift_regression_metrics_state, MFINALFUNC = regression_metrics_final);
SELECT (pg_temp.evil_regression(x, x + 1) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)).n
  FROM generate_series(1, 5) x;

-- 6. Profiles whose counts are each valid but overflow together: the
-- values, NULLs and NaNs of one profile, and merged profiles' counts (which
-- used to wrap, e.g. to a negative nan_count in a "valid" result).
SELECT '{"version":1,"kind":"numeric","values":[1,2],"counts":[1,1],"nan_count":9223372036854775807}'::drift_profile;
SELECT drift_profile_merge(p) FROM (VALUES
  ('{"version":1,"kind":"numeric","values":[1,2],"counts":[1,1],"nan_count":4611686018427387904}'::drift_profile),
  ('{"version":1,"kind":"numeric","values":[1,2],"counts":[1,1],"nan_count":4611686018427387904}'::drift_profile)) v(p);
SELECT drift_profile_merge(p) FROM (VALUES
  ('{"version":1,"kind":"numeric","values":[1,2],"counts":[4611686018427387904,1]}'::drift_profile),
  ('{"version":1,"kind":"numeric","values":[1,2],"counts":[4611686018427387904,1]}'::drift_profile)) v(p);
SELECT drift_profile_merge(p) FROM (VALUES
  ('{"version":1,"kind":"categorical","categories":["a"],"counts":[4611686018427387904]}'::drift_profile),
  ('{"version":1,"kind":"categorical","categories":["a"],"counts":[4611686018427387904]}'::drift_profile)) v(p);
SELECT drift_profile_merge(p) FROM (VALUES
  ('{"version":1,"kind":"categorical","categories":["a"],"counts":[1],"null_count":4611686018427387904}'::drift_profile),
  ('{"version":1,"kind":"categorical","categories":["b"],"counts":[1],"null_count":4611686018427387904}'::drift_profile)) v(p);
-- large counts that fit are kept exactly
SELECT (drift_profile_info(drift_profile_merge(p))).count FROM (VALUES
  ('{"version":1,"kind":"numeric","values":[1,2],"counts":[4611686018427387902,1]}'::drift_profile),
  ('{"version":1,"kind":"numeric","values":[1,2],"counts":[4611686018427387902,1]}'::drift_profile)) v(p);

-- the server survived all of it
SELECT 1 AS alive;
DISCARD TEMP;
RESET ROLE;
DROP TABLE hostile_cats;
SELECT drift.drop_baseline('hostile_cats');
DROP ROLE regress_hostile;
