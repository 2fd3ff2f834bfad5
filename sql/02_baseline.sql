-- Baselines: capture, read back, replace, drop, and every error path.

CREATE TABLE training (
  id        int,
  amount    float8,
  qty       int,
  price     numeric,
  merchant  text,
  "Mixed Case" real,
  seen_at   timestamptz
);
INSERT INTO training
  SELECT g, (g % 100) * 1.5, g % 7, (g % 13)::numeric / 4, 'm' || (g % 5),
         CASE WHEN g % 10 = 0 THEN NULL ELSE g % 3 END,
         '2026-01-01'::timestamptz + g * interval '1 minute'
    FROM generate_series(1, 1000) g;

-- named columns, in the order given
SELECT * FROM drift.capture_baseline('fraud_v1', 'training',
                                     columns => ARRAY['amount', 'qty', 'Mixed Case']);
SELECT name, source_relation, filter, target_column, model, version, row_count,
       owner = current_user AS owned
  FROM drift.baselines ORDER BY name;
SELECT baseline_name, column_name, column_type, kind,
       profile::text::jsonb->'count' AS n
  FROM drift.baseline_columns ORDER BY baseline_name, column_name;

-- the stored profile is the one drift_profile_agg builds
SELECT drift.baseline('fraud_v1', 'amount')::text
     = (SELECT drift_profile_agg(amount) FROM training)::text AS same_profile;

-- all columns by default: numeric ones are profiled, others skipped with a notice
SELECT * FROM drift.capture_baseline('fraud_all', 'training', model => 'fraud', version => '1');

-- a filter and a target column
SELECT column_name, n FROM drift.capture_baseline('fraud_early', 'training',
    columns => ARRAY['amount'], filter => 'id <= 100', target_column => 'qty');
SELECT row_count, filter, target_column FROM drift.baselines WHERE name = 'fraud_early';

-- a filter that matches nothing still records the column, with an empty profile
SELECT * FROM drift.capture_baseline('empty', 'training', columns => ARRAY['amount'],
                                     filter => 'false');
SELECT drift.baseline('empty', 'amount');

-- capturing again needs replace => true
SELECT * FROM drift.capture_baseline('fraud_v1', 'training', columns => ARRAY['amount']);
SELECT column_name FROM drift.capture_baseline('fraud_v1', 'training',
    columns => ARRAY['amount'], filter => 'id > 500', replace => true);
SELECT row_count FROM drift.baselines WHERE name = 'fraud_v1';
SELECT count(*) AS columns_left FROM drift.baseline_columns WHERE baseline_name = 'fraud_v1';

-- errors
SELECT * FROM drift.capture_baseline('x', 'no_such_table');
SELECT * FROM drift.capture_baseline('x', 'training', columns => ARRAY['nope']);
SELECT * FROM drift.capture_baseline('x', 'training', columns => ARRAY['mixed case']);
SELECT * FROM drift.capture_baseline('x', 'training', columns => ARRAY['merchant'], categorical => ARRAY['qty']);
SELECT * FROM drift.capture_baseline('x', 'training', columns => ARRAY['seen_at']);
SELECT * FROM drift.capture_baseline('x', 'training', columns => ARRAY[]::text[]);
SELECT * FROM drift.capture_baseline(NULL, 'training');
SELECT * FROM drift.capture_baseline('x', 'training', ARRAY['amount'], target_column => 'nope');
SELECT * FROM drift.capture_baseline('x', 'training', ARRAY['amount'], filter => 'no_such_column > 0');
SELECT count(*) AS nothing_left_behind FROM drift.baselines WHERE name = 'x';
SELECT drift.baseline('no_such_baseline', 'amount');
SELECT drift.baseline('fraud_v1', 'no_such_column');
SELECT drift.drop_baseline('no_such_baseline');

-- a column whose name needs quoting is quoted, not pasted
CREATE TABLE "odd table" ("a""b" float8, "select" int);
INSERT INTO "odd table" VALUES (1, 2), (3, 4);
SELECT column_name, n FROM drift.capture_baseline('odd', '"odd table"');

-- dropping removes the profiles too
SELECT drift.drop_baseline('odd');
SELECT count(*) FROM drift.baseline_columns WHERE baseline_name = 'odd';
