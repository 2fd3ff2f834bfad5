# Many monitors due at once: the scheduler shares them out with helper
# schedulers (pg_drift.schedulers_per_database), each monitor still runs
# exactly once per slot, and without a free worker slot for a helper the
# scheduler runs the whole pass itself.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/lib";
use DriftTest;

my $monitors = 24;
my $node = new_worker_node('helpers',
	'pg_drift.database_check_interval = 1',
	'pg_drift.schedulers_per_database = 2');

# Every monitor's check sleeps 0.25 s once (an InitPlan), so one process
# needs at least 24 x 0.25 = 6 s for the pass and two about half of that.
$node->safe_psql('postgres', qq{
  CREATE EXTENSION pg_drift;
  CREATE TABLE train AS SELECT (g % 100)::float8 AS x FROM generate_series(1, 1000) g;
  SELECT count(*) FROM drift.capture_baseline('b', 'train');
  CREATE TABLE live AS SELECT (g % 100)::float8 AS x FROM generate_series(1, 1000) g;
  SELECT count(drift.create_monitor('m' || g, 'live', column_name => 'x', baseline => 'b',
                                    schedule => '1 hour', paused => true,
                                    filter => '(SELECT pg_sleep(0.25)) IS NOT NULL'))
    FROM generate_series(1, $monitors) g;
});

# Make every monitor due now and wake the scheduler.
sub start_pass
{
	$node->safe_psql('postgres', q{
	  UPDATE drift.monitors SET paused = false, next_run = now();
	  SELECT drift._wake_scheduler();
	});
}

# Results of the pass: "runs distinct_monitors", and the spread of start times.
sub pass_summary
{
	my ($since) = @_;
	return $node->safe_psql('postgres', qq{
	  SELECT count(*) || ' ' || count(DISTINCT monitor_id) || ' '
	         || (extract(epoch FROM max(run_at) - min(run_at)) < 4.5)
	    FROM drift.results WHERE result_id > $since});
}

start_pass();
ok(wait_true($node, 'postgres', q{SELECT count(*) >= 2 FROM pg_stat_activity
                WHERE backend_type = 'pg_drift scheduler'
                  AND query LIKE 'pg_drift: running monitor %'}, 20),
	'two scheduler processes run monitors at the same time');
ok(wait_true($node, 'postgres', "SELECT count(*) >= $monitors FROM drift.results", 30), 'the pass completes');
sleep 1;
is(pass_summary(0), "$monitors $monitors true",
	'each monitor ran once, the pass took about half the time of one process');
is($node->safe_psql('postgres', q{
  SELECT count(*) FROM drift.monitors WHERE next_run < now() + interval '59 minutes'}),
	'0', 'every monitor is next due in an hour');
is($node->safe_psql('postgres', q{
  SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_drift scheduler'}),
	'0', 'helpers and scheduler have exited');

# No worker slot for a helper: the launcher, the logical replication launcher
# and the scheduler fill max_worker_processes = 3.
$node->append_conf('postgresql.conf', "max_worker_processes = 3\n");
$node->restart;
my $last = $node->safe_psql('postgres', q{SELECT max(result_id) FROM drift.results});
start_pass();
ok(wait_true($node, 'postgres', "SELECT count(*) >= $monitors FROM drift.results WHERE result_id > $last", 40),
	'without a free worker slot the pass still completes');
sleep 1;
is(pass_summary($last), "$monitors $monitors false",
	'each monitor ran exactly once, one after the other, by the scheduler alone');

$node->stop;
done_testing();
