# DROP EXTENSION while the scheduler runs monitors (security review,
# finding 9): the drop must neither deadlock with a run nor wait long.  A run
# locks the catalog tables one after the other (monitors, results, alerts);
# DROP EXTENSION locks them exclusively in its own order.  The scheduler
# takes a share lock on the extension first (scheduler.c), so the drop waits
# for the run in progress and the pass then ends.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/lib";
use DriftTest;
use Time::HiRes qw(time);

my $node = new_worker_node('dropext',
	'pg_drift.database_check_interval = 1',
	'deadlock_timeout = 100ms');
$node->safe_psql('postgres', q{
  CREATE TABLE train AS SELECT (g % 100)::float8 AS x FROM generate_series(1, 2000) g;
  CREATE TABLE live AS SELECT (g % 100 + 30)::float8 AS x FROM generate_series(1, 2000) g;
});

for my $try (1 .. 8)
{
	# 20 firing 1-second monitors: each run writes results and alerts
	$node->safe_psql('postgres', q{
	  CREATE EXTENSION pg_drift;
	  SELECT count(*) FROM drift.capture_baseline('b', 'train');
	  SELECT count(drift.create_monitor('m' || g, 'live', column_name => 'x', baseline => 'b',
	                                    schedule => '1 second',
	                                    filter => '(SELECT pg_sleep(0.3)) IS NOT NULL'))
	    FROM generate_series(1, 20) g;
	});
	# drop while a check runs: the run holds the monitor row and will write
	# results and alerts after the check
	ok(wait_true($node, 'postgres', q{SELECT count(*) >= 1 FROM drift.results}, 60)
		  && wait_true($node, 'postgres', q{SELECT count(*) >= 1 FROM pg_stat_activity
		                  WHERE query LIKE 'pg_drift: running monitor %'}, 30),
		"try $try: the monitors run");
	my $start = time;
	my ($rc, $out, $err) = $node->psql('postgres',
		"SET statement_timeout = '60s'; DROP EXTENSION pg_drift;");
	my $took = time - $start;
	is($rc, 0, "try $try: DROP EXTENSION succeeds") or diag($err);
	cmp_ok($took, '<', 10, sprintf("try %d: within 10 s (%.2f s)", $try, $took));
}

ok(wait_true($node, 'postgres', q{SELECT count(*) = 0 FROM pg_stat_activity
                WHERE backend_type = 'pg_drift scheduler'}, 20),
	'no scheduler stays behind');
$node->stop;
done_testing();
