# Baselines are users' data: pg_dump keeps them, a restore into a new
# database reads them back, and the drift tests give the same answers there.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
  CREATE EXTENSION pg_drift;
  CREATE TABLE train AS SELECT g AS id, sqrt(g) AS x, g % 10 AS y FROM generate_series(1, 5000) g;
  CREATE TABLE live AS SELECT g AS id, sqrt(g) * 1.1 AS x FROM generate_series(1, 3000) g;
  SELECT count(*) FROM drift.capture_baseline('m1', 'train', columns => ARRAY['x', 'y'],
                                              model => 'm', version => '1');
});
my $query = q{SELECT ks_drift(x, 'm1', 'x')::text FROM live};
my $before = $node->safe_psql('postgres', $query);
my $profiles_before = $node->safe_psql('postgres',
	'SELECT string_agg(profile::text, $$;$$ ORDER BY column_name) FROM drift.baseline_columns');

my $dump = $node->basedir . '/dump.sql';
$node->command_ok([ 'pg_dump', '-d', $node->connstr('postgres'), '-f', $dump ], 'pg_dump succeeds');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('restored'), '-f', $dump ],
	'restore succeeds');

is($node->safe_psql('restored', 'SELECT count(*) FROM drift.baselines'), '1', 'baseline restored');
is($node->safe_psql('restored',
	'SELECT string_agg(profile::text, $$;$$ ORDER BY column_name) FROM drift.baseline_columns'),
	$profiles_before, 'profiles restored byte for byte');
is($node->safe_psql('restored', $query), $before, 'ks_drift gives the same answer after restore');

$node->stop;
done_testing();
