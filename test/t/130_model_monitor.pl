# Model monitors run by the background worker: a model of four columns
# fires once when two of them drift and resolves once when they recover
# (one alert each for the whole model, listing the drifted columns by rank),
# with a drift.results row for the model and one drift.model_results row per
# column at every run; and a model of 500 columns that all drift raises an
# alert whose payload stays under NOTIFY's 8000 bytes and says it was cut,
# with the model's quality (its prediction against its label) in it.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/lib";
use DriftTest;

my $node = new_worker_node('model', 'pg_drift.database_check_interval = 1');

$node->safe_psql('postgres', q{
  CREATE EXTENSION pg_drift;
  CREATE TABLE features (amount float8, items int, country text, vip boolean);
  INSERT INTO features
    SELECT g % 100, g % 4, CASE g % 3 WHEN 0 THEN 'fr' WHEN 1 THEN 'de' ELSE 'it' END, g % 5 = 0
      FROM generate_series(1, 2000) g;
  SELECT count(*) FROM drift.capture_baseline('model_v1', 'features');
  SELECT drift.create_model_monitor('model_v1', 'features', 'model_v1', schedule => '1 second',
                                    drift_share => 0.5);
});

ok(wait_true($node, 'postgres',
	q{SELECT count(*) >= 2 FROM drift.results WHERE monitor = 'model_v1'}),
	'the worker runs the model monitor');
is($node->safe_psql('postgres',
	q{SELECT count(*) FILTER (WHERE state <> 'ok') FROM drift.results WHERE monitor = 'model_v1'}),
	'0', 'undrifted data: every run ok')
  or diag($node->safe_psql('postgres',
	q{SELECT string_agg(DISTINCT error, ' | ') FROM drift.results WHERE monitor = 'model_v1'}));

# two of four columns drift: the model fires
$node->safe_psql('postgres', q{
  UPDATE features SET amount = amount + 60, country = 'es' WHERE items < 2;
});
ok(wait_true($node, 'postgres',
	q{SELECT count(*) >= 1 FROM drift.alerts WHERE payload->>'monitor' = 'model_v1'
	                                          AND payload->>'state' = 'firing'}),
	'drift of two columns fires the model');
# it keeps firing for a few more runs without alerting again
my $runs = $node->safe_psql('postgres',
	q{SELECT count(*) FROM drift.results WHERE monitor = 'model_v1'});
ok(wait_true($node, 'postgres',
	qq{SELECT count(*) >= $runs + 3 FROM drift.results WHERE monitor = 'model_v1'}),
	'the firing model keeps running');
is($node->safe_psql('postgres',
	q{SELECT count(*) FROM drift.alerts WHERE payload->>'monitor' = 'model_v1'}),
	'1', 'one alert while firing');
is($node->safe_psql('postgres',
	q{SELECT payload->>'drifted_columns' FROM drift.alerts WHERE payload->>'monitor' = 'model_v1'}),
	'["amount", "country"]', 'the alert lists the drifted columns by rank');

# recovery: resolved once
$node->safe_psql('postgres', q{
  UPDATE features SET amount = amount - 60,
                      country = CASE (amount::int - 60) % 3 WHEN 0 THEN 'fr' WHEN 1 THEN 'de' ELSE 'it' END
   WHERE items < 2;
});
ok(wait_true($node, 'postgres',
	q{SELECT count(*) = 1 FROM drift.alerts WHERE payload->>'monitor' = 'model_v1'
	                                         AND payload->>'state' = 'resolved'}),
	'recovery resolves the model once');
$runs = $node->safe_psql('postgres',
	q{SELECT count(*) FROM drift.results WHERE monitor = 'model_v1'});
ok(wait_true($node, 'postgres',
	qq{SELECT count(*) >= $runs + 2 FROM drift.results WHERE monitor = 'model_v1'}),
	'the model keeps running after recovery');
is($node->safe_psql('postgres',
	q{SELECT string_agg(payload->>'state', ',' ORDER BY alert_id) FROM drift.alerts
	   WHERE payload->>'monitor' = 'model_v1'}),
	'firing,resolved', 'exactly one firing and one resolved alert for the model');
is($node->safe_psql('postgres', q{
  SELECT count(*) FILTER (WHERE n <> 4) FROM (
    SELECT r.result_id, count(m.*) AS n FROM drift.results r
      LEFT JOIN drift.model_results m USING (result_id)
     WHERE r.monitor = 'model_v1' GROUP BY r.result_id) s}),
	'0', 'every run wrote one row per column');

# 500 columns, all drifted: the payload is cut to fit and says so
$node->safe_psql('postgres', q{
  DO $$
  BEGIN
    EXECUTE 'CREATE TABLE wide_train AS SELECT '
         || (SELECT string_agg(format('(g %% 50)::float8 AS feature_with_a_long_name_%s', c), ', ')
               FROM generate_series(1, 500) c)
         || ' FROM generate_series(1, 300) g';
    EXECUTE 'CREATE TABLE wide_live AS SELECT '
         || (SELECT string_agg(format('(g %% 50 + 100)::float8 AS feature_with_a_long_name_%s', c), ', ')
               FROM generate_series(1, 500) c)
         || ', (g % 10)::float8 / 10 AS score, g % 3 = 0 AS label FROM generate_series(1, 300) g';
  END
  $$;
  SELECT count(*) FROM drift.capture_baseline('wide', 'wide_train');
  SELECT drift.create_model_monitor('wide', 'wide_live', 'wide', schedule => '1 second',
                                    prediction_column => 'score', label_column => 'label');
});
ok(wait_true($node, 'postgres',
	q{SELECT count(*) >= 1 FROM drift.alerts WHERE payload->>'monitor' = 'wide'
	                                          AND payload->>'state' = 'firing'}),
	'the 500-column model fires');
my ($bytes, $listed, $drifted, $cut, $f1) = split /\|/, $node->safe_psql('postgres', q{
  SELECT octet_length(payload::text), jsonb_array_length(payload->'drifted_columns'),
         payload->>'n_drifted', payload->>'drifted_columns_cut',
         (payload->'quality'->'realized'->>'f1')::float8
           = (SELECT (binary_metrics(score, label, 0.5)).f1 FROM wide_live)
    FROM drift.alerts WHERE payload->>'monitor' = 'wide' ORDER BY alert_id LIMIT 1});
cmp_ok($bytes, '<', 8000, "the payload fits NOTIFY ($bytes bytes)");
is($drifted, '500', 'all 500 columns drifted');
ok($listed > 10 && $listed < 500, "the payload lists the first $listed by rank");
is($cut, 'true', 'and says the list was cut');
is($f1, 't', 'the payload carries the model\'s realized F1');
is($node->safe_psql('postgres', q{
  SELECT count(*) FROM drift.model_results m JOIN drift.results r USING (result_id)
   WHERE r.monitor = 'wide' AND r.result_id = (SELECT min(result_id) FROM drift.results
                                               WHERE monitor = 'wide')}),
	'500', 'the run wrote all 500 column rows');

$node->stop;
done_testing();
