-- Categorical profiles: drift_profile_agg(text), text and binary forms,
-- merging, validation, and capture_baseline of text-like columns.

-- NULLs are counted; categories are listed in bytewise (COLLATE "C") order
SELECT drift_profile_agg(x)
  FROM (VALUES ('b'), ('a'), ('b'), (NULL), ('B'), (''), ('a b'), ('ä'), ('b')) t(x);

-- awkward strings survive the JSON form: quotes, backslashes, commas, control
-- characters, non-ASCII, things that look like numbers or NULL
CREATE TEMP TABLE awkward (x text);
INSERT INTO awkward VALUES ('say "hi"'), ('back\slash'), ('a,b'), (E'tab\there'),
  (E'new\nline'), (E'bell\x07'), ('Zürich'), ('東京'), ('😀'), ('1e5'), ('NULL'),
  ('null'), ('  padded  '), ('0'), ('-0'), ('/'), (NULL), ('Zürich');
SELECT drift_profile_agg(x) FROM awkward;
SELECT p::text::drift_profile::text = p::text AS text_round_trip,
       p::text::jsonb->'categories' AS categories_as_jsonb
  FROM (SELECT drift_profile_agg(x) AS p FROM awkward) t;

-- zero rows give NULL; only NULL rows give an empty categorical profile
SELECT drift_profile_agg(x) IS NULL AS no_rows FROM (SELECT 'a'::text WHERE false) t(x);
SELECT drift_profile_agg(NULL::text) FROM generate_series(1, 3);

-- other types arrive through casts (boolean as 'true'/'false')
SELECT drift_profile_agg(b::text) FROM (VALUES (true), (false), (true), (NULL)) t(b);
SELECT drift_profile_agg(v::text) FROM (VALUES ('x'::varchar(3)), ('y'), ('x')) t(v);

-- merging partial categorical profiles equals profiling everything at once
WITH parts AS (
  SELECT g % 7 AS part, drift_profile_agg(CASE WHEN g % 11 = 0 THEN NULL ELSE 'c' || (g % 13) END) AS p
    FROM generate_series(1, 20000) g GROUP BY g % 7)
SELECT (SELECT drift_profile_merge(p) FROM parts)::text
     = (SELECT drift_profile_agg(CASE WHEN g % 11 = 0 THEN NULL ELSE 'c' || (g % 13) END)
          FROM generate_series(1, 20000) g)::text AS merge_equals_whole;
-- profiles without values merge into either kind; numeric and categorical do not mix
SELECT drift_profile_merge(p) FROM (VALUES
  ('{"version": 1, "kind": "categorical", "categories": ["a"], "counts": [2]}'::drift_profile),
  ('{"version": 1, "kind": "numeric", "null_count": 3, "values": [], "counts": []}'),
  ('{"version": 1, "kind": "categorical", "null_count": 1, "categories": ["a", "b"], "counts": [1, 1]}')) t(p);
SELECT drift_profile_merge(p) FROM (VALUES
  ('{"version": 1, "kind": "categorical", "categories": [], "counts": [], "null_count": 2}'::drift_profile)) t(p);
SELECT drift_profile_merge(p) FROM (VALUES
  ('{"version": 1, "kind": "categorical", "categories": ["a"], "counts": [2]}'::drift_profile),
  ('{"version": 1, "kind": "numeric", "values": [1], "counts": [1]}')) t(p);

-- binary round trip through COPY (FORMAT binary), including non-ASCII and quotes
CREATE TEMP TABLE cat_profiles (id int, p drift_profile);
INSERT INTO cat_profiles
  SELECT 1, drift_profile_agg(x) FROM awkward
  UNION ALL SELECT 2, drift_profile_agg('v' || (g % 1000)) FROM generate_series(1, 5000) g
  UNION ALL SELECT 3, '{"version": 1, "kind": "categorical", "categories": [], "counts": []}'
  UNION ALL SELECT 4, drift_profile_agg(NULL::text) FROM generate_series(1, 2);
\copy cat_profiles TO 'results/cat_profiles.bin' WITH (FORMAT binary)
CREATE TEMP TABLE cat_profiles_back (LIKE cat_profiles);
\copy cat_profiles_back FROM 'results/cat_profiles.bin' WITH (FORMAT binary)
SELECT a.id, a.p::text = b.p::text AS binary_round_trip
  FROM cat_profiles a JOIN cat_profiles_back b USING (id) ORDER BY a.id;

-- the exact-profile limit applies to categories too
SET pg_drift.exact_profile_limit = 1000;
SELECT drift_profile_agg('v' || g) FROM generate_series(1, 2000) g;
RESET pg_drift.exact_profile_limit;

-- malformed categorical text is rejected
SELECT '{"version": 1, "kind": "categorical", "categories": ["b", "a"], "counts": [1, 1]}'::drift_profile;
SELECT '{"version": 1, "kind": "categorical", "categories": ["a", "a"], "counts": [1, 1]}'::drift_profile;
SELECT '{"version": 1, "kind": "categorical", "categories": ["a", "b"], "counts": [1]}'::drift_profile;
SELECT '{"version": 1, "kind": "categorical", "categories": ["a"], "counts": [0]}'::drift_profile;
SELECT '{"version": 1, "kind": "categorical", "categories": ["a\u0000b"], "counts": [1]}'::drift_profile;
SELECT '{"version": 1, "kind": "categorical", "categories": ["a\qb"], "counts": [1]}'::drift_profile;
SELECT '{"version": 1, "kind": "categorical", "categories": ["a\u12"], "counts": [1]}'::drift_profile;
SELECT '{"version": 1, "kind": "categorical", "categories": ["\ud800"], "counts": [1]}'::drift_profile;
SELECT '{"version": 1, "kind": "categorical", "categories": [1], "counts": [1]}'::drift_profile;
SELECT '{"version": 1, "kind": "categorical", "counts": [1]}'::drift_profile;
SELECT '{"version": 1, "kind": "categorical", "values": [1], "categories": ["a"], "counts": [1]}'::drift_profile;
SELECT '{"version": 1, "kind": "categorical", "count": 3, "categories": ["a"], "counts": [1]}'::drift_profile;
SELECT '{"version": 1, "kind": "categorical", "nan_count": 1, "categories": ["a"], "counts": [1]}'::drift_profile;
SELECT '{"version": 1, "kind": "categorical", "min": 1, "max": 1, "categories": ["a"], "counts": [1]}'::drift_profile;
SELECT '{"version": 1, "kind": "categorical", "exact": false, "rank_error": 0.1, "categories": ["a"], "counts": [1]}'::drift_profile;
SELECT '{"version": 1, "kind": "categorical", "categories": ["a"], "counts": [1], "null_count": -1}'::drift_profile;
-- a prefix sorts first; escapes are decoded before ordering is checked
SELECT '{"version": 1, "kind": "categorical", "categories": ["a", "ab", "b"], "counts": [1, 2, 3]}'::drift_profile;
SELECT '{"version": 1, "kind": "categorical", "categories": ["\u0041", "A"], "counts": [1, 1]}'::drift_profile;

-- malformed binary input is rejected too: unsorted categories are sorted
-- (encodings can order differently), duplicates, zero bytes, bad lengths and
-- counts are errors
CREATE FUNCTION cat_wire(n int, count bigint, entries bytea) RETURNS bytea
  LANGUAGE sql AS
$$ SELECT '\x0102'::bytea || '\x0000'::bytea || int4send(n) || int8send(count) || int8send(0)
          || int8send(0) || float8send('NaN') || float8send('NaN') || float8send('NaN')
          || float8send('NaN') || float8send(0) || entries $$;
CREATE FUNCTION cat_entry(count bigint, s bytea) RETURNS bytea
  LANGUAGE sql AS $$ SELECT int8send(count) || int4send(length(s)) || s $$;
CREATE TEMP TABLE raw_cat (id int, b bytea);
INSERT INTO raw_cat VALUES
  (1, cat_wire(2, 3, cat_entry(1, 'b') || cat_entry(2, 'a'))),
  (2, cat_wire(2, 2, cat_entry(1, 'a') || cat_entry(1, 'a'))),
  (3, cat_wire(1, 1, cat_entry(1, '\x610062'))),
  (4, cat_wire(1, 1, cat_entry(0, 'a'))),
  (5, cat_wire(1, 2, cat_entry(1, 'a'))),
  (6, cat_wire(2, 1, cat_entry(1, 'a'))),
  (7, cat_wire(1, 1, int8send(1) || int4send(100) || 'a'::bytea)),
  (8, cat_wire(1, 1, cat_entry(1, '\xff'))),
  (9, cat_wire(1, 1, cat_entry(1, 'a') || '\x00'::bytea));
CREATE TEMP TABLE raw_cat_back (p drift_profile);
\copy (SELECT b FROM raw_cat WHERE id = 1) TO 'results/raw_cat.bin' WITH (FORMAT binary)
\copy raw_cat_back FROM 'results/raw_cat.bin' WITH (FORMAT binary)
SELECT p FROM raw_cat_back;
\copy (SELECT b FROM raw_cat WHERE id = 2) TO 'results/raw_cat.bin' WITH (FORMAT binary)
\copy raw_cat_back FROM 'results/raw_cat.bin' WITH (FORMAT binary)
\copy (SELECT b FROM raw_cat WHERE id = 3) TO 'results/raw_cat.bin' WITH (FORMAT binary)
\copy raw_cat_back FROM 'results/raw_cat.bin' WITH (FORMAT binary)
\copy (SELECT b FROM raw_cat WHERE id = 4) TO 'results/raw_cat.bin' WITH (FORMAT binary)
\copy raw_cat_back FROM 'results/raw_cat.bin' WITH (FORMAT binary)
\copy (SELECT b FROM raw_cat WHERE id = 5) TO 'results/raw_cat.bin' WITH (FORMAT binary)
\copy raw_cat_back FROM 'results/raw_cat.bin' WITH (FORMAT binary)
\copy (SELECT b FROM raw_cat WHERE id = 6) TO 'results/raw_cat.bin' WITH (FORMAT binary)
\copy raw_cat_back FROM 'results/raw_cat.bin' WITH (FORMAT binary)
\copy (SELECT b FROM raw_cat WHERE id = 7) TO 'results/raw_cat.bin' WITH (FORMAT binary)
\copy raw_cat_back FROM 'results/raw_cat.bin' WITH (FORMAT binary)
\copy (SELECT b FROM raw_cat WHERE id = 8) TO 'results/raw_cat.bin' WITH (FORMAT binary)
\copy raw_cat_back FROM 'results/raw_cat.bin' WITH (FORMAT binary)
\copy (SELECT b FROM raw_cat WHERE id = 9) TO 'results/raw_cat.bin' WITH (FORMAT binary)
\copy raw_cat_back FROM 'results/raw_cat.bin' WITH (FORMAT binary)
SELECT count(*) AS accepted FROM raw_cat_back;

-- capture_baseline: text, varchar, char, boolean, enum and domain columns are
-- categorical; numbers numeric; categorical => ARRAY[...] makes codes categories
CREATE TYPE colour AS ENUM ('red', 'green', 'blue');
CREATE DOMAIN short_code AS varchar(8);
CREATE DOMAIN colour_d AS colour;
CREATE TABLE cat_train (
  id      int,
  merchant text,
  country varchar(2),
  grade   char(3),
  fraud   boolean,
  colour  colour,
  code    short_code,
  shade   colour_d,
  mcc     int,
  amount  float8,
  prediction float8,
  label   boolean,
  seen_at timestamptz
);
INSERT INTO cat_train
  SELECT g, 'm' || (g % 5), (ARRAY['DE', 'FR', 'US'])[g % 3 + 1],
         CASE WHEN g % 10 = 0 THEN NULL ELSE (ARRAY['A', 'BB', 'CCC'])[g % 3 + 1] END,
         g % 4 = 0, (ARRAY['red', 'green', 'blue']::colour[])[g % 3 + 1], 'k' || (g % 2),
         (ARRAY['red', 'blue']::colour[])[g % 2 + 1], 5000 + g % 6, g * 0.5, (g % 10) / 10.0,
         g % 3 = 0, now()
    FROM generate_series(1, 600) g;
SELECT * FROM drift.capture_baseline('cat_v1', 'cat_train', categorical => ARRAY['mcc'],
                                     prediction_column => 'prediction', label_column => 'label');
SELECT name, target_column, prediction_column, label_column, row_count
  FROM drift.baselines WHERE name = 'cat_v1';
SELECT column_name, column_type, kind, profile::text::jsonb->'categories' AS categories
  FROM drift.baseline_columns WHERE baseline_name = 'cat_v1' AND kind = 'categorical'
 ORDER BY column_name;
-- the stored profile is the one drift_profile_agg builds from the text form
SELECT drift.baseline('cat_v1', 'fraud')::text
     = (SELECT drift_profile_agg(fraud::text) FROM cat_train)::text AS same_bool_profile,
       drift.baseline('cat_v1', 'grade')::text
     = (SELECT drift_profile_agg(grade::text) FROM cat_train)::text AS same_char_profile;
-- a filter that matches nothing records an empty categorical profile
SELECT column_name, kind, n FROM drift.capture_baseline('cat_empty', 'cat_train',
    columns => ARRAY['merchant', 'amount'], filter => 'false');
SELECT drift.baseline('cat_empty', 'merchant');
-- errors
SELECT * FROM drift.capture_baseline('x', 'cat_train', categorical => ARRAY['nope']);
SELECT * FROM drift.capture_baseline('x', 'cat_train', columns => ARRAY['amount'],
                                     categorical => ARRAY['mcc']);
SELECT * FROM drift.capture_baseline('x', 'cat_train', columns => ARRAY['amount'],
                                     categorical => ARRAY[NULL]);
SELECT * FROM drift.capture_baseline('x', 'cat_train', columns => ARRAY['amount'],
                                     prediction_column => 'nope');
SELECT * FROM drift.capture_baseline('x', 'cat_train', columns => ARRAY['amount'],
                                     label_column => 'nope');
SELECT * FROM drift.capture_baseline('x', 'cat_train', columns => ARRAY['seen_at']);
-- but a listed categorical column of any type is profiled through its text form
SELECT column_name, kind, distinct_values FROM drift.capture_baseline('x', 'cat_train',
    columns => ARRAY['seen_at'], categorical => ARRAY['seen_at']);
SELECT count(*) AS baselines_named_x FROM drift.baselines WHERE name = 'x';
