-- Data integrity of every column of a baseline from one scan
-- (drift.dataset_integrity, drift.column_integrity): NULL rates and their
-- change, out-of-range share (numeric), unseen-category share (categorical)
-- and schema changes (missing, new, retyped), checked against the streaming
-- aggregates that compute the same rates row by row.
CREATE TABLE di_base (amount float8, n_items int, country text, vip boolean, note text);
INSERT INTO di_base
  SELECT i % 100, i % 7, CASE i % 3 WHEN 0 THEN 'fr' WHEN 1 THEN 'de' ELSE 'it' END,
         i % 5 = 0, 'x'
    FROM generate_series(1, 1000) i;
UPDATE di_base SET amount = NULL WHERE n_items = 0 AND amount < 10;
SELECT column_name, kind FROM drift.capture_baseline('di', 'di_base') ORDER BY 1;
-- the current data: amount beyond the baseline's range, more NULLs, a new
-- country, n_items now text, note gone, a new column
CREATE TABLE di_cur (amount float8, n_items text, country text, vip boolean, extra int);
INSERT INTO di_cur
  SELECT CASE WHEN i % 10 = 0 THEN NULL ELSE i % 150 - 20 END, (i % 7)::text,
         CASE i % 4 WHEN 0 THEN 'fr' WHEN 1 THEN 'de' WHEN 2 THEN 'es' ELSE 'it' END,
         i % 2 = 0, i
    FROM generate_series(1, 800) i;

SELECT column_name, column_kind, schema_status,
       round(null_rate_baseline::numeric, 4) AS null_rate_baseline,
       round(null_rate_current::numeric, 4) AS null_rate_current,
       null_rate_p_value < 1e-6 AS null_rate_changed,
       round(out_of_range_share::numeric, 4) AS out_of_range_share,
       round(unseen_category_share::numeric, 4) AS unseen_category_share
  FROM drift.dataset_integrity('di', 'di_cur', columns => ARRAY['amount', 'country', 'vip'])
 ORDER BY column_name;
-- the same numbers as the streaming aggregates over the rows
SELECT out_of_range_share(amount, 'di', 'amount') AS oor,
       unseen_category_share(country, 'di', 'country') AS unseen,
       (null_rate_drift(amount, 'di', 'amount')).p_value AS null_p
  FROM di_cur \gset
SELECT i.out_of_range_share = :oor AS oor_same,
       (SELECT unseen_category_share FROM drift.dataset_integrity('di', 'di_cur',
                                                                  columns => ARRAY['country'])) = :unseen
         AS unseen_same,
       abs(i.null_rate_p_value - :null_p) <= 1e-15 AS null_p_same
  FROM drift.dataset_integrity('di', 'di_cur', columns => ARRAY['amount']) i;
-- every column by default: schema changes (n_items retyped to text, note
-- missing, extra new) are reported beside the checked columns; the retyped
-- and missing ones cannot be profiled and are not
SELECT column_name, column_kind, schema_status, out_of_range_share IS NOT NULL AS has_oor
  FROM drift.dataset_integrity('di', 'di_cur')
 ORDER BY 1;
SELECT column_name FROM drift.dataset_drift('di', 'di_cur') ORDER BY 1;
-- naming a missing column is an error
\set SHOW_CONTEXT never
SELECT * FROM drift.dataset_integrity('di', 'di_cur', columns => ARRAY['amount', 'note']);
SELECT * FROM drift.dataset_drift('di', 'di_cur', columns => ARRAY['n_items']);
\set SHOW_CONTEXT errors
CREATE VIEW di_cur_view AS SELECT amount, country, vip, extra FROM di_cur;
SELECT column_name, column_kind, schema_status, out_of_range_share IS NOT NULL AS has_oor
  FROM drift.dataset_integrity('di', 'di_cur_view')
 ORDER BY 1;
-- an empty window: rates are NULL, nothing invented
SELECT column_name, null_rate_current, out_of_range_share, unseen_category_share
  FROM drift.dataset_integrity('di', 'di_cur_view', filter => 'false')
 WHERE schema_status = 'ok' ORDER BY 1;
-- the profile forms on their own
SELECT out_of_range_share(drift_profile_agg(v), drift_profile_agg(v + 1))
  FROM unnest(ARRAY[1, 2, 3]::float8[]) v;
SELECT out_of_range_share('{"version": 1, "kind": "numeric", "values": [], "counts": []}',
                          drift_profile_agg(v)) AS all_outside_empty_baseline
  FROM unnest(ARRAY[1, 2]::float8[]) v;
\set SHOW_CONTEXT never
SELECT unseen_category_share(drift.baseline('di', 'country'), drift.baseline('di', 'amount'));
\set SHOW_CONTEXT errors
