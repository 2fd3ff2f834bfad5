# Parallel aggregation really runs in parallel workers and gives the serial
# answers: the combine and serialize/deserialize paths of every aggregate.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('parallel');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 8\nmax_parallel_workers = 4\n");
$node->start;
$node->safe_psql('postgres', q{
  CREATE EXTENSION pg_drift;
  CREATE TABLE t AS SELECT g AS id, sin(g) * 100 + (g % 7) AS x, g % 5 AS slice
                      FROM generate_series(1, 300000) g;
  ANALYZE t;
  SELECT count(*) FROM drift.capture_baseline('b', 't', columns => ARRAY['x'],
                                              filter => 'id % 3 = 0');
});

my $force = q{
  SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
  SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;
  SET parallel_leader_participation = off;
};

my %queries = (
	'drift_profile_agg' => 'SELECT drift_profile_agg(x)::text FROM t',
	'drift_profile_merge' =>
	  'SELECT drift_profile_merge(p)::text FROM (SELECT drift_profile_agg(x) p FROM t GROUP BY slice) s',
	'ks_drift named'   => q{SELECT ks_drift(x, 'b', 'x')::text FROM t},
	'ks_drift profile' => q{SELECT ks_drift(x, drift.baseline('b', 'x'), 'less')::text FROM t},
	'ks_drift per slice' =>
	  q{SELECT string_agg(r, ';' ORDER BY slice) FROM (SELECT slice, ks_drift(x, 'b', 'x')::text r FROM t GROUP BY slice) s},
);

for my $name (sort keys %queries)
{
	my $sql    = $queries{$name};
	my $serial = $node->safe_psql('postgres', "SET max_parallel_workers_per_gather = 0; $sql");
	my $plan   = $node->safe_psql('postgres', "$force EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) $sql");
	like($plan, qr/Partial (Hash|Group)?Aggregate|Partial Aggregate/, "$name: plan has a partial aggregate");
	like($plan, qr/Workers Launched: 2/, "$name: two workers launched");
	my $parallel = $node->safe_psql('postgres', "$force $sql");
	is($parallel, $serial, "$name: parallel result equals serial result");
}

$node->stop;
done_testing();
