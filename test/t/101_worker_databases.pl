# The worker across databases and failures: two databases are both served,
# CREATE EXTENSION in a new database is picked up without a restart, so is a
# database still at the released 0.1.0 and the same after its update, plain
# DROP DATABASE is never blocked by the worker, and a backend killed with
# SIGKILL (crash recovery) or a server restart leaves the worker running with
# no lost or duplicated results.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/lib";
use DriftTest;

my $node = new_worker_node('dbs',
	'pg_drift.database_check_interval = 1',
	'restart_after_crash = on');

my $setup = q{
  CREATE EXTENSION pg_drift;
  CREATE TABLE train AS SELECT (g % 100)::float8 AS x FROM generate_series(1, 1000) g;
  SELECT count(*) FROM drift.capture_baseline('b', 'train');
  SELECT drift.create_monitor('m', 'train', column_name => 'x', baseline => 'b',
                              schedule => '1 second');
};

# a database created (and given the extension) after the server started
$node->safe_psql('postgres', 'CREATE DATABASE db1');
$node->safe_psql('postgres', 'CREATE DATABASE db2');
$node->safe_psql('db1', $setup);
$node->safe_psql('db2', $setup);
ok(wait_true($node, 'db1', q{SELECT count(*) >= 2 FROM drift.results}), 'db1 is served');
ok(wait_true($node, 'db2', q{SELECT count(*) >= 2 FROM drift.results}), 'db2 is served');

# a database whose extension is still at the released 0.1.0 (the window
# between installing a new package and ALTER EXTENSION UPDATE) is served by
# the new library, and still is after the update, without a restart
(my $released_setup = $setup) =~ s/CREATE EXTENSION pg_drift;/CREATE EXTENSION pg_drift VERSION '0.1.0';/;
$node->safe_psql('postgres', 'CREATE DATABASE released');
$node->safe_psql('released', $released_setup);
ok(wait_true($node, 'released', q{SELECT count(*) >= 2 FROM drift.results}), 'a database at 0.1.0 is served');
$node->safe_psql('released', 'ALTER EXTENSION pg_drift UPDATE');
my $seen = $node->safe_psql('released', 'SELECT max(result_id) FROM drift.results');
ok(wait_true($node, 'released', qq{SELECT count(*) >= 2 FROM drift.results WHERE result_id > $seen}),
	'and still served after ALTER EXTENSION pg_drift UPDATE');
is($node->safe_psql('released', q{
	SELECT (SELECT extversion FROM pg_extension WHERE extname = 'pg_drift') <> '0.1.0',
	       count(*) FILTER (WHERE state <> 'ok') FROM drift.results}),
	't|0', 'updated, and every run before and after the update was ok');
$node->safe_psql('released', q{SELECT drift.drop_monitor('m')});   # less load for what follows

# a database without the extension is left alone
$node->safe_psql('postgres', 'CREATE DATABASE plain');
sleep 2;
is($node->safe_psql('plain', q{SELECT count(*) FROM pg_extension WHERE extname = 'pg_drift'}),
	'0', 'no extension created behind the user\'s back');

# plain DROP DATABASE (no FORCE) succeeds while 1-second monitors run there,
# repeatedly, and does not wait for the 5 s CountOtherDBBackends allows
for my $i (1 .. 3)
{
	$node->safe_psql('postgres', "CREATE DATABASE dropme$i");
	$node->safe_psql("dropme$i", $setup);
	# slow checks keep schedulers (with a helper: ten are due at once)
	# connected most of the time
	$node->safe_psql("dropme$i", q{
	  SELECT drift.create_monitor('slow' || g, 'train', column_name => 'x', baseline => 'b',
	                              schedule => '1 second', filter => 'pg_sleep(0.0005) IS NOT NULL')
	    FROM generate_series(1, 10) g});
	ok(wait_true($node, "dropme$i", q{SELECT count(*) >= 1 FROM drift.results}), "dropme$i is served");
	ok(wait_true($node, 'postgres', qq{SELECT count(*) >= 1 FROM pg_stat_activity
	                            WHERE backend_type = 'pg_drift scheduler' AND datname = 'dropme$i'}),
		"a scheduler is connected to dropme$i");
	my $t0 = time;
	my ($ret, $out, $err) = $node->psql('postgres', "DROP DATABASE dropme$i");
	is($ret, 0, "DROP DATABASE dropme$i is not blocked by the worker") or diag($err);
	ok(time - $t0 < 5, "DROP DATABASE dropme$i did not wait for the worker");
}
ok(wait_true($node, 'db1', q{SELECT count(*) >= 1 FROM pg_stat_activity WHERE backend_type = 'pg_drift launcher'}),
	'launcher survives dropped databases');

# SIGKILL of a backend: crash recovery; the launcher comes back and results go on
my $before = $node->safe_psql('db1', 'SELECT count(*) FROM drift.results');
my $victim = $node->background_psql('db1');
my $pid = $victim->query_safe('SELECT pg_backend_pid()');
kill 'KILL', $pid;
eval { $victim->quit };
ok(wait_true($node, 'db1', qq{SELECT count(*) > $before + 2 FROM drift.results}),
	'results continue after crash recovery');
ok(wait_true($node, 'db2', q{SELECT count(*) >= 1 FROM pg_stat_activity WHERE backend_type = 'pg_drift launcher'}),
	'launcher restarted after crash recovery');

# restart
$node->restart;
$before = $node->safe_psql('db2', 'SELECT count(*) FROM drift.results');
ok(wait_true($node, 'db2', qq{SELECT count(*) > $before + 2 FROM drift.results}),
	'results continue after a restart');

# nothing lost or doubled: each result is one scheduled slot, and each run
# of a due monitor moved next_run (one row per slot)
for my $db ('db1', 'db2')
{
	is($node->safe_psql($db, q{
	  SELECT count(*) FROM (SELECT scheduled_for FROM drift.results
	                         GROUP BY 1 HAVING count(*) > 1) d}),
		'0', "$db: no slot ran twice");
	is($node->safe_psql($db, q{SELECT count(*) FROM drift.results WHERE state = 'error'}),
		'0', "$db: no failed runs");
}

$node->stop;
done_testing();
