-- Data integrity: the share of categories a baseline never saw, and schema
-- changes since a baseline was captured.

-- unseen_category_share: share of non-NULL rows whose category the baseline lacks
SELECT unseen_category_share(category, 'shop', 'category') AS named,
       unseen_category_share(category, drift.baseline('shop', 'category')) AS profile,
       count(*) FILTER (WHERE category NOT IN ('food', 'fuel', 'travel', 'games'))::float8
         / count(category) AS expected
  FROM shop_live;
SELECT slice, unseen_category_share(category, 'shop', 'category') FROM wide_live
 GROUP BY slice ORDER BY slice;
-- as a window function over a moving frame (what a monitor does per window)
SELECT id, unseen_category_share(category, 'shop', 'category')
           OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS share
  FROM shop_live WHERE id BETWEEN 15 AND 20 ORDER BY id;
-- none unseen, all unseen; zero rows or only NULLs give NULL
SELECT unseen_category_share(category, 'shop', 'category') FROM shop_train;
SELECT unseen_category_share(x, 'shop', 'category') FROM (VALUES ('a'), ('b'), (NULL)) t(x);
SELECT unseen_category_share(category, 'shop', 'category') IS NULL AS no_rows
  FROM shop_live WHERE false;
SELECT unseen_category_share(NULL::text, 'shop', 'category') IS NULL AS only_nulls;
-- errors
SELECT unseen_category_share(category, 'shop_num', 'id') FROM shop_live;
SELECT unseen_category_share(category, 'no_such_baseline', 'id') FROM shop_live;
SELECT unseen_category_share(category, NULL::drift_profile) FROM shop_live;
-- the partial state is a two-slot drift_stream_state and round-trips as text
CREATE AGGREGATE unseen_partial(text, text, text) (
  SFUNC = unseen_share_named_trans, STYPE = drift_stream_state);
SELECT unseen_category_share_final(s::text::drift_stream_state) = unseen_category_share_final(s)
       AS text_round_trip
  FROM (SELECT unseen_partial(category, 'shop', 'category') AS s FROM shop_live) t;

-- check_schema: one row per column of the source at capture time or now
CREATE TABLE schema_src (id int, amount float8, merchant text, qty int, note varchar(10));
INSERT INTO schema_src VALUES (1, 2.5, 'm', 3, 'x');
SELECT count(*) FROM drift.capture_baseline('schema_v1', 'schema_src',
                                            columns => ARRAY['amount', 'merchant']);
SELECT * FROM drift.check_schema('schema_v1', 'schema_src');
-- drop one column, add one, retype one
ALTER TABLE schema_src DROP COLUMN qty;
ALTER TABLE schema_src ADD COLUMN channel text;
ALTER TABLE schema_src ALTER COLUMN amount TYPE numeric(12, 2);
ALTER TABLE schema_src ALTER COLUMN note TYPE varchar(20);
SELECT * FROM drift.check_schema('schema_v1', 'schema_src');
-- another relation entirely
SELECT * FROM drift.check_schema('schema_v1', 'shop_live');
-- types are compared as printed with a pinned search_path, so enums in other
-- schemas and the caller's search_path do not matter
SET search_path = pg_catalog, public;
SELECT column_name, status FROM drift.check_schema('cat_v1', 'cat_train')
 WHERE status <> 'ok';
RESET search_path;
-- errors
SELECT * FROM drift.check_schema('no_such_baseline', 'schema_src');
SELECT * FROM drift.check_schema('schema_v1', 'no_such_table');
SELECT * FROM drift.check_schema(NULL, 'schema_src');
