-- The whole-model check's one scan as arrays (src/sql/63_dataset_scan.sql),
-- called directly: what drift.dataset_drift and drift.dataset_profiles are
-- built on.  Its arrays must be the profiles drift_profile_agg makes of each
-- column, in the order asked, and its errors name the argument at fault.
-- drift.model_quality_check (75_model_quality.sql) is the pure step that
-- adds a model's quality to its judgement.
CREATE TABLE dsa_train AS
  SELECT i, (i % 7)::float8 AS a, (ARRAY['x', 'y', 'z'])[1 + i % 3] AS c
    FROM generate_series(1, 200) i;
CREATE TABLE dsa_live AS
  SELECT i, (i % 5)::float8 AS a, (ARRAY['x', 'y', 'w'])[1 + i % 3] AS c
    FROM generate_series(1, 150) i;
SELECT count(*) FROM drift.capture_baseline('dsa', 'dsa_train', columns => ARRAY['a', 'c']);

-- names and kinds in the relation's order, or in the order named
SELECT column_names, column_kinds FROM drift.dataset_profile_arrays('dsa', 'dsa_live');
SELECT column_names FROM drift.dataset_profile_arrays('dsa', 'dsa_live', columns => ARRAY['c', 'a']);

-- the profiles are those of drift_profile_agg over the same rows (the filter applied)
SELECT s.current_profiles[1]::text = (SELECT drift_profile_agg(a)::text FROM dsa_live WHERE i > 50)
         AS numeric_current,
       s.current_profiles[2]::text = (SELECT drift_profile_agg(c)::text FROM dsa_live WHERE i > 50)
         AS categorical_current,
       s.baseline_profiles[1]::text = drift.baseline('dsa', 'a')::text AS numeric_baseline,
       s.baseline_profiles[2]::text = drift.baseline('dsa', 'c')::text AS categorical_baseline
  FROM drift.dataset_profile_arrays('dsa', 'dsa_live', filter => 'i > 50') s;

-- drift.dataset_profiles gives the same as rows
SELECT p.column_name, p.current_profile::text = s.current_profiles[k]::text AS same
  FROM drift.dataset_profile_arrays('dsa', 'dsa_live') s,
       LATERAL unnest(s.column_names) WITH ORDINALITY AS u(name, k)
       JOIN drift.dataset_profiles('dsa', 'dsa_live') p ON p.column_name = u.name
 ORDER BY k;

-- errors (decided by SQLSTATE)
\set VERBOSITY sqlstate
SELECT * FROM drift.dataset_profile_arrays(NULL, 'dsa_live');
SELECT * FROM drift.dataset_profile_arrays('dsa', NULL);
SELECT * FROM drift.dataset_profile_arrays('dsa', 'dsa_live', columns => '{}');
SELECT * FROM drift.dataset_profile_arrays('nope', 'dsa_live');
SELECT * FROM drift.dataset_profile_arrays('dsa', 'dsa_live', columns => ARRAY['zz']);
SELECT * FROM drift.dataset_profile_arrays('dsa', 'dsa_live', columns => ARRAY[NULL]);
SELECT * FROM drift.dataset_profile_arrays('dsa', 'dsa_live', filter => 'no_such_column > 1');
\set VERBOSITY default

-- model_quality_check: quality and coverage added to the judgement and its alert
SELECT model_quality_check('{"drifted": false, "alert": {"state": "ok"}}', 'score', 10, 4,
                           '{"f1": 0.5}', '{"f1": 0.4}');
-- no label yet: nothing realized, coverage 0; no row: coverage NULL
SELECT model_quality_check('{"alert": {}}', 'score', 10, 0, '{"f1": 0.5}', NULL) -> 'quality';
SELECT model_quality_check('{"alert": {}}', 'score', 0, 0, NULL, NULL) -> 'label_coverage';

DROP TABLE dsa_train, dsa_live;
SELECT drift.drop_baseline('dsa');
