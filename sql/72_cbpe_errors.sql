-- CBPE's bad input and hostile values: clear errors with the right SQLSTATE,
-- never a crash or a wrong answer.  Calibrations of other roles stay
-- invisible.  Uses the tables of 70_cbpe_reference.
\set SHOW_CONTEXT never
\set VERBOSITY sqlstate
CREATE AGGREGATE pg_temp.est_state(float8, float8, drift_calibration) (
  SFUNC = estimated_metrics_trans, STYPE = drift_estimated_metrics_state);

-- the calibration takes probabilities: outside [0, 1] and NaN are errors
SELECT isotonic_calibration(s, true) FROM (VALUES (0.5), (1.5)) v(s);
SELECT isotonic_calibration(s, true) FROM (VALUES (-0.1)) v(s);
SELECT isotonic_calibration('NaN', true);
-- NULL pairs are skipped; no pairs give NULL
SELECT calibration_points(isotonic_calibration(s, l))
  FROM (VALUES (0.2, false), (NULL, true), (0.8, NULL), (0.8, true)) v(s, l);
SELECT isotonic_calibration(s, true) IS NULL AS no_pairs FROM (VALUES (NULL::float8)) v(s);

-- capture: integer labels must be 0 or 1; text labels, text scores, missing columns
CREATE TABLE cbe_train AS
  SELECT g, (g % 10)::float8 / 10 AS score, (g % 10 >= g % 7)::int AS label01,
         g % 3 AS label012, 'x' || g % 2 AS label_text, (g % 10 >= g % 7) AS label
    FROM generate_series(1, 300) g;
SELECT count(*) FROM drift.capture_baseline('cbe', 'cbe_train', columns => ARRAY['score']);
\set VERBOSITY default
SELECT calibration_points(drift.capture_calibration('cbe', 'cbe_train', 'score', 'label01'))
       = calibration_points((SELECT isotonic_calibration(score, label01 = 1) FROM cbe_train))
       AS integer_labels_ok;
SELECT drift.capture_calibration('cbe', 'cbe_train', 'score', 'label012');
\set VERBOSITY sqlstate
SELECT drift.capture_calibration('cbe', 'cbe_train', 'score', 'label_text');
SELECT drift.capture_calibration('cbe', 'cbe_train', 'label_text', 'label');
SELECT drift.capture_calibration('cbe', 'cbe_train', 'score', 'nope');
SELECT drift.capture_calibration('nope', 'cbe_train', 'score', 'label');
SELECT drift.capture_calibration('cbe', 'cbe_train', 'score', 'label', filter => 'false');
SELECT drift.capture_calibration('cbe', 'cbe_train', NULL, 'label');
-- a score column outside [0, 1] fails the capture, and stores nothing
UPDATE cbe_train SET score = 2 WHERE g = 5;
SELECT count(*) FROM drift.capture_baseline('cbe2', 'cbe_train', columns => ARRAY['score'],
                                            prediction_column => 'score', label_column => 'label');
SELECT count(*) AS stored FROM drift.baselines WHERE name = 'cbe2';
UPDATE cbe_train SET score = 0.5 WHERE g = 5;

-- a baseline without a calibration, an unknown baseline, NULLs
SELECT drift.baseline_calibration('cbe', 'nope');
SELECT drift.baseline_calibration('nope', 'score');
SELECT (estimated_binary_metrics(score, 0.5, 'pub-cbpe-0001', 'nope')).n FROM cb_current;
SELECT (estimated_binary_metrics(score, NULL, 'pub-cbpe-0001', 'score')).n FROM cb_current;
SELECT (estimated_binary_metrics(score, 0.5, NULL::drift_calibration)).n FROM cb_current;
SELECT (estimated_binary_metrics(score, 'NaN', 'pub-cbpe-0001', 'score')).n FROM cb_current;
-- one threshold and one calibration per group
SELECT (estimated_binary_metrics(score, (id % 2)::float8 / 2, 'pub-cbpe-0001', 'score')).n
  FROM cb_current WHERE case_id = 'pub-cbpe-0001';
SELECT (estimated_binary_metrics(score, 0.5, case_id, 'score')).n
  FROM cb_current WHERE case_id IN ('pub-cbpe-0001', 'pub-cbpe-0002');
SELECT estimated_metrics_combine(
         (SELECT pg_temp.est_state(score, 0.5, c.cal) FROM cb_current, cb_cal c
           WHERE cb_current.case_id = 'pub-cbpe-0001' AND c.case_id = 'pub-cbpe-0001'),
         (SELECT pg_temp.est_state(score, 0.6, c.cal) FROM cb_current, cb_cal c
           WHERE cb_current.case_id = 'pub-cbpe-0001' AND c.case_id = 'pub-cbpe-0001'));
-- transition functions outside an aggregate
SELECT estimated_metrics_trans(NULL, 0.5, 0.5, isotonic_calibration(0.5, true));

-- hostile calibrations, forged from a real one's binary form: version 1,
-- rows int64, points int32, the scores, the values
CREATE FUNCTION pg_temp.txt(b bytea) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT '\x' || encode(b, 'hex') $$;
CREATE FUNCTION pg_temp.cal(rows bigint, n int, xy float8[]) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$
    SELECT pg_temp.txt('\x01'::bytea || int8send(rows) || int4send(n)
                       || coalesce((SELECT string_agg(float8send(v), ''::bytea ORDER BY i)
                                      FROM unnest(xy) WITH ORDINALITY u(v, i)), ''::bytea)) $$;
SELECT calibration_points(pg_temp.cal(10, 2, '{0.2, 0.8, 0.1, 0.9}')::drift_calibration) AS valid;
SELECT pg_temp.cal(10, 2, '{0.8, 0.2, 0.1, 0.9}')::drift_calibration;   -- scores descending
SELECT pg_temp.cal(10, 2, '{0.2, 0.8, 0.9, 0.1}')::drift_calibration;   -- values decreasing
SELECT pg_temp.cal(10, 2, '{0.2, 1.8, 0.1, 0.9}')::drift_calibration;   -- score outside [0, 1]
SELECT pg_temp.cal(10, 2, '{0.2, NaN, 0.1, 0.9}')::drift_calibration;   -- NaN score
SELECT pg_temp.cal(10, 2, '{0.2, 0.8, 0.1, 1.5}')::drift_calibration;   -- value outside [0, 1]
SELECT pg_temp.cal(10, 3, '{0.2, 0.8, 0.1, 0.9}')::drift_calibration;   -- count beyond the data
SELECT pg_temp.cal(10, 1, '{0.2, 0.8, 0.1, 0.9}')::drift_calibration;   -- data beyond the count
SELECT pg_temp.cal(10, 0, '{}')::drift_calibration;                      -- no point
SELECT pg_temp.cal(1, 2, '{0.2, 0.8, 0.1, 0.9}')::drift_calibration;    -- fewer rows than points
SELECT pg_temp.cal(-1, 1, '{0.2, 0.1}')::drift_calibration;             -- negative rows
SELECT pg_temp.cal(10, 2147483647, '{0.2, 0.1}')::drift_calibration;    -- huge count
SELECT '\x02'::drift_calibration;

-- hostile states: version 2, threshold, the calibration's fields, rows per
-- segment of the calibration (at or below its first point, between points,
-- above its last) predicted negative and positive, then the score run of
-- the sloped segments (score_run.c): the entry count and the shift (0 here)
-- as varints, then per entry the score's order key (the gap from the
-- previous entry's key when it has one) and its counts.  The calibration
-- here: (0.2, 0.1), (0.8, 0.9), so segment 1, (0.2, 0.8], is sloped, the
-- others flat.
CREATE FUNCTION pg_temp.varint(v numeric) RETURNS bytea
  LANGUAGE plpgsql IMMUTABLE AS $$
    DECLARE r bytea := '';
    BEGIN
      LOOP
        IF v < 128 THEN RETURN r || set_byte('\x00'::bytea, 0, v::int); END IF;
        r := r || set_byte('\x00'::bytea, 0, (v % 128)::int + 128);
        v := div(v, 128);
      END LOOP;
    END $$;
-- the order key of a score: its bits, all flipped when negative, else the sign bit set
CREATE FUNCTION pg_temp.score_key(x float8) RETURNS numeric
  LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN u >= 2::numeric ^ 63 THEN 2::numeric ^ 64 - 1 - u ELSE u + 2::numeric ^ 63 END
      FROM (SELECT sum(get_byte(float8send(x), i)::numeric * 256::numeric ^ (7 - i)) AS u
              FROM generate_series(0, 7) i) b $$;
CREATE FUNCTION pg_temp.est(threshold float8, counts bigint[], entries bytea, n int) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$
    SELECT pg_temp.txt('\x02'::bytea || float8send(threshold)
                       || decode(substr(pg_temp.cal(10, 2, '{0.2, 0.8, 0.1, 0.9}'), 5), 'hex')
                       || coalesce((SELECT string_agg(int8send(v), ''::bytea ORDER BY i)
                                      FROM unnest(counts) WITH ORDINALITY u(v, i)), ''::bytea)
                       || pg_temp.varint(n) || CASE WHEN n > 0 THEN '\x00'::bytea ELSE '' END
                       || entries) $$;
-- an entry: its key's step from the entry before (none: from 0; never below 0),
-- then the counts: positives times 4 when there are no negatives, else 2 and both
CREATE FUNCTION pg_temp.entry(score float8, pos numeric, neg numeric, after float8 DEFAULT NULL) RETURNS bytea
  LANGUAGE sql IMMUTABLE AS $$
    SELECT pg_temp.varint(greatest(pg_temp.score_key(score) - coalesce(pg_temp.score_key(after), 0), 0))
           || CASE WHEN neg = 0 THEN pg_temp.varint(pos * 4)
                   ELSE pg_temp.varint(2) || pg_temp.varint(pos) || pg_temp.varint(neg) END $$;
-- valid: two rows at 0.3 (sloped), one at 0.9 (flat, above the threshold);
-- the same as the aggregate over those rows
SELECT (estimated_metrics_final(pg_temp.est(0.5, '{0, 0, 0, 0, 0, 1}', pg_temp.entry(0.3, 2, 0), 1)
                                ::drift_estimated_metrics_state)).* AS valid;
SELECT (estimated_binary_metrics(s, 0.5, pg_temp.cal(10, 2, '{0.2, 0.8, 0.1, 0.9}')::drift_calibration)).*
  FROM (VALUES (0.3), (0.3), (0.9)) v(s);
SELECT pg_temp.est('NaN', '{0, 0, 0, 0, 0, 0}', pg_temp.entry(0.3, 2, 0), 1)::drift_estimated_metrics_state;
SELECT pg_temp.est(0.5, '{0, 0, 0, 0, 0, 0}', pg_temp.entry(0.3, 2, 1), 1)::drift_estimated_metrics_state;
SELECT pg_temp.est(0.5, '{0, 0, 0, 0, 0, 0}', pg_temp.entry(0.3, 2::numeric ^ 63, 0), 1)::drift_estimated_metrics_state;  -- count past int64
SELECT pg_temp.est(0.5, '{0, 0, 0, 0, 0, 0}', pg_temp.entry(0.3, 0, 0), 1)::drift_estimated_metrics_state;
SELECT pg_temp.est(0.5, '{0, 0, 0, 0, 0, 0}', pg_temp.entry(0.7, 2, 0) || pg_temp.entry(0.3, 1, 0, 0.7), 2)
         ::drift_estimated_metrics_state;                                      -- run not ascending
SELECT pg_temp.est(0.5, '{0, 0, 0, 0, 0, 0}', pg_temp.entry('NaN', 2, 0), 1)::drift_estimated_metrics_state;
SELECT pg_temp.est(0.5, '{0, 0, 0, 0, 0, 0}', pg_temp.entry(0.3, 2, 0), 5)::drift_estimated_metrics_state;
SELECT pg_temp.est(0.5, '{0, 0, 0, 0, 0, 0}', pg_temp.entry(0.9, 2, 0), 1)
         ::drift_estimated_metrics_state;                                      -- run score where flat
SELECT pg_temp.est(0.5, '{0, 0, 1, 0, 0, 0}', ''::bytea, 0)
         ::drift_estimated_metrics_state;                                      -- count on the slope
SELECT pg_temp.est(0.5, '{0, 0, 0, 0, 1, 0}', ''::bytea, 0)
         ::drift_estimated_metrics_state;                                      -- above counted below
SELECT pg_temp.est(0.1, '{0, 0, 0, 0, 0, 0}', ''::bytea, 0) IS NOT NULL AS below_first_point_ok;
SELECT pg_temp.est(0.9, '{0, 1, 0, 0, 0, 0}', ''::bytea, 0)
         ::drift_estimated_metrics_state;                                      -- below counted above
SELECT pg_temp.est(0.5, '{0, 0, 0, 0, -1, 0}', ''::bytea, 0)::drift_estimated_metrics_state;
SELECT pg_temp.est(0.5, '{0, 0, 0, 0, 0, 9223372036854775807}', pg_temp.entry(0.3, 9, 0), 1)
         ::drift_estimated_metrics_state;                                      -- total overflows
SELECT pg_temp.est(0.5, '{0, 0, 0}', ''::bytea, 0)::drift_estimated_metrics_state;
-- a moving aggregate whose inverse is asked to remove what its state never counted
SELECT pg_temp.est(0.5, '{0, 0, 0, 0, 0, 0}', ''::bytea, 0) AS est_empty \gset
SELECT format('CREATE AGGREGATE pg_temp.evil_est(float8, float8, drift_calibration) (SFUNC = estimated_metrics_trans, STYPE = drift_estimated_metrics_state, FINALFUNC = estimated_metrics_final, MSFUNC = estimated_metrics_inv, MINVFUNC = estimated_metrics_trans, MSTYPE = drift_estimated_metrics_state, MFINALFUNC = estimated_metrics_final, MINITCOND = %L)', :'est_empty') \gexec
SELECT (pg_temp.evil_est(x / 10.0, 0.5, pg_temp.cal(10, 2, '{0.2, 0.8, 0.1, 0.9}')::drift_calibration)
          OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)).n
  FROM generate_series(1, 5) x;
-- a state of another calibration handed to the transition function
SELECT format('CREATE AGGREGATE pg_temp.other_est(float8, float8, drift_calibration) (SFUNC = estimated_metrics_trans, STYPE = drift_estimated_metrics_state, FINALFUNC = estimated_metrics_final, INITCOND = %L)', :'est_empty') \gexec
SELECT (pg_temp.other_est(x / 10.0, 0.5, pg_temp.cal(10, 2, '{0.3, 0.7, 0.1, 0.9}')::drift_calibration)).n
  FROM generate_series(1, 5) x;

-- another role sees neither the calibrations nor the baselines they belong to
SELECT current_user AS me \gset
CREATE ROLE regress_cbpe_other LOGIN;
GRANT SELECT ON cb_current TO regress_cbpe_other;
SET ROLE regress_cbpe_other;
SELECT count(*) AS visible FROM drift.baseline_calibrations;
SELECT drift.baseline_calibration('pub-cbpe-0001', 'score');
SELECT (estimated_binary_metrics(score, 0.5, 'pub-cbpe-0001', 'score')).n FROM cb_current;
INSERT INTO drift.baseline_calibrations (baseline_owner, baseline_name, column_name, label_column,
                                         calibration)
  VALUES (:'me', 'pub-cbpe-0001', 'other', 'actual',
          pg_temp.cal(10, 2, '{0.3, 0.7, 0.1, 0.9}')::drift_calibration);
RESET ROLE;
DROP OWNED BY regress_cbpe_other;
DROP ROLE regress_cbpe_other;

-- dropping a baseline drops its calibration
SELECT drift.drop_baseline('pub-cbpe-0012');
SELECT count(*) AS left_of_dropped FROM drift.baseline_calibrations
 WHERE baseline_name = 'pub-cbpe-0012';
