-- Load the SciPy / scikit-learn reference cases (test/reference/) into tables
-- and define the tolerance checks of SPEC.md.  Included by the reference tests.
\set QUIET on
SET client_min_messages = warning;
DROP TABLE IF EXISTS ref_cases, ref_samples, ref_pairs, ref_num, ref_ks CASCADE;
DROP FUNCTION IF EXISTS stat_ok(float8, float8), p_ok(float8, float8);
CREATE TABLE ref_cases (case_id text, metric text, params text, statistic float8,
                        p_value float8, extra text);
CREATE TABLE ref_samples (id bigserial, case_id text, sample text, value text);
CREATE TABLE ref_pairs (id bigserial, case_id text, predicted text, actual text, score float8);
\copy ref_cases FROM 'test/reference/cases.csv' WITH (FORMAT csv, HEADER true)
\copy ref_samples (case_id, sample, value) FROM 'test/reference/samples.csv' WITH (FORMAT csv, HEADER true)
\copy ref_pairs (case_id, predicted, actual, score) FROM 'test/reference/pairs.csv' WITH (FORMAT csv, HEADER true)

-- numeric samples as float8
CREATE TABLE ref_num AS
  SELECT id, case_id, sample, value::float8 AS value
    FROM ref_samples WHERE case_id LIKE '%-num-%';
ANALYZE ref_num;

-- statistic: |impl - ref| <= max(1e-9 |ref|, 1e-12); both NULL matches
CREATE FUNCTION stat_ok(impl float8, ref float8) RETURNS boolean
  LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE WHEN impl IS NULL OR ref IS NULL THEN impl IS NULL AND ref IS NULL
               ELSE abs(impl - ref) <= greatest(1e-9 * abs(ref), 1e-12) END $$;
-- p-value: |impl - ref| <= max(1e-9 |ref|, min(1e-15, 1e-6 |ref|))
CREATE FUNCTION p_ok(impl float8, ref float8) RETURNS boolean
  LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE WHEN impl IS NULL OR ref IS NULL THEN impl IS NULL AND ref IS NULL
               ELSE abs(impl - ref) <= greatest(1e-9 * abs(ref), least(1e-15, 1e-6 * abs(ref))) END $$;

-- the ks rows with their alternative
CREATE TABLE ref_ks AS
  SELECT case_id, substr(params, length('alternative=') + 1) AS alternative,
         statistic, p_value, extra
    FROM ref_cases WHERE metric = 'ks';
RESET client_min_messages;
\set QUIET off
