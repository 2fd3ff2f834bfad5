# The background worker: schedules fire, firing -> resolved, a dropped table
# gives an error result and alert while other monitors keep running, an
# overdue monitor runs once, a non-superuser's monitor reads only what its
# owner may, and the worker shows in pg_stat_activity.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/lib";
use DriftTest;

my $node = new_worker_node('worker',
	'pg_drift.database_check_interval = 1');

$node->safe_psql('postgres', q{
  CREATE EXTENSION pg_drift;
  CREATE TABLE train AS SELECT (g % 100)::float8 AS x FROM generate_series(1, 2000) g;
  SELECT count(*) FROM drift.capture_baseline('b', 'train');
  CREATE TABLE live (ts timestamptz DEFAULT now(), x float8);
  INSERT INTO live (x) SELECT g % 100 FROM generate_series(1, 2000) g;
  CREATE TABLE doomed (ts timestamptz DEFAULT now(), x float8);
  INSERT INTO doomed (x) SELECT g % 100 FROM generate_series(1, 500) g;
});

ok(wait_true($node, 'postgres',
	q{SELECT count(*) >= 1 FROM pg_stat_activity WHERE backend_type = 'pg_drift launcher'}),
	'launcher is running');

$node->safe_psql('postgres', q{
  SELECT drift.create_monitor('live_ks', 'live', column_name => 'x', baseline => 'b',
                              schedule => '1 second');
  SELECT drift.create_monitor('doomed_ks', 'doomed', column_name => 'x', baseline => 'b',
                              schedule => '1 second', max_retries => 0);
});

# schedules fire: several runs of a 1-second monitor within a few seconds
ok(wait_true($node, 'postgres', q{SELECT count(*) >= 3 FROM drift.results WHERE monitor = 'live_ks'}),
	'a 1-second monitor runs repeatedly');
is($node->safe_psql('postgres',
	q{SELECT count(*) FROM drift.results WHERE monitor = 'live_ks' AND state <> 'ok'}),
	'0', 'all runs ok on undrifted data');

# firing, then resolved once the data is fixed
$node->safe_psql('postgres', q{UPDATE live SET x = x + 40});
ok(wait_true($node, 'postgres',
	q{SELECT count(*) >= 1 FROM drift.alerts WHERE payload->>'monitor' = 'live_ks' AND payload->>'state' = 'firing'}),
	'drift fires an alert');
$node->safe_psql('postgres', q{UPDATE live SET x = x - 40});
ok(wait_true($node, 'postgres',
	q{SELECT count(*) = 1 FROM drift.alerts WHERE payload->>'monitor' = 'live_ks' AND payload->>'state' = 'resolved'}),
	'recovery resolves once');
my $seq = $node->safe_psql('postgres', q{
  SELECT string_agg(state, ',' ORDER BY result_id) FROM (
    SELECT result_id, state, lag(state) OVER (ORDER BY result_id) AS prev
      FROM drift.results WHERE monitor = 'live_ks') s
   WHERE prev IS DISTINCT FROM state});
like($seq, qr/^ok,firing,resolved(,ok)?$/, "state sequence ok -> firing -> resolved ($seq)");

# a dropped table: error results and alerts, and the other monitor goes on
$node->safe_psql('postgres', q{DROP TABLE doomed});
ok(wait_true($node, 'postgres',
	q{SELECT count(*) >= 1 FROM drift.alerts WHERE payload->>'monitor' = 'doomed_ks' AND payload->>'state' = 'error'}),
	'dropped table gives an error alert');
like($node->safe_psql('postgres',
	q{SELECT error FROM drift.results WHERE monitor = 'doomed_ks' AND state = 'error' LIMIT 1}),
	qr/no longer exists/, 'error result names the problem');
my $n = $node->safe_psql('postgres', q{SELECT count(*) FROM drift.results WHERE monitor = 'live_ks'});
ok(wait_true($node, 'postgres', qq{SELECT count(*) > $n + 1 FROM drift.results WHERE monitor = 'live_ks'}),
	'other monitors keep running');
$node->safe_psql('postgres', q{SELECT drift.drop_monitor('doomed_ks')});

# no run of the scheduled slot twice: scheduled_for is unique per monitor
is($node->safe_psql('postgres', q{
  SELECT count(*) FROM (SELECT monitor_id, scheduled_for, slice FROM drift.results
                         WHERE scheduled_for IS NOT NULL
                         GROUP BY 1, 2, 3 HAVING count(*) > 1) d}),
	'0', 'no slot ran twice');

# an overdue monitor runs once, then waits for its schedule
$node->safe_psql('postgres', q{
  SELECT drift.create_monitor('hourly', 'live', column_name => 'x', baseline => 'b',
                              schedule => '1 hour', paused => true);
  UPDATE drift.monitors SET next_run = now() - interval '5 hours', paused = false
   WHERE name = 'hourly';
  SELECT drift._wake_scheduler();
});
ok(wait_true($node, 'postgres', q{SELECT count(*) >= 1 FROM drift.results WHERE monitor = 'hourly'}),
	'overdue monitor runs');
sleep 3;
is($node->safe_psql('postgres', q{
  SELECT count(*) || ' ' || (min(next_run) > now() + interval '59 minutes')
    FROM drift.results r JOIN drift.monitors m USING (monitor_id) WHERE r.monitor = 'hourly'}),
	'1 true', 'overdue monitor ran exactly once and is next due in an hour');

# a non-superuser's monitor runs as its owner and loses access with them
$node->safe_psql('postgres', q{
  CREATE ROLE regress_w_alice;
  GRANT SELECT ON live, train TO regress_w_alice;
  SET ROLE regress_w_alice;
  SELECT count(*) FROM drift.capture_baseline('b_alice', 'train');
  SELECT drift.create_monitor('alice_ks', 'live', column_name => 'x', baseline => 'b_alice',
                              schedule => '1 second');
  RESET ROLE;
});
ok(wait_true($node, 'postgres', q{SELECT count(*) >= 1 FROM drift.results WHERE monitor = 'alice_ks' AND state = 'ok'}),
	"the worker runs a non-superuser's monitor");
$node->safe_psql('postgres', q{REVOKE SELECT ON live FROM regress_w_alice});
ok(wait_true($node, 'postgres',
	q{SELECT count(*) >= 1 FROM drift.results WHERE monitor = 'alice_ks' AND error LIKE 'permission denied%'}),
	'after REVOKE the worker records permission denied for that monitor');
is($node->safe_psql('postgres', q{SET ROLE regress_w_alice; SELECT string_agg(name, ',') FROM drift.monitors}),
	'alice_ks', 'roles see only their own monitors');

# the worker is visible in pg_stat_activity while running a monitor.  The
# scheduler only lives while something is due, so give it a monitor whose
# query takes a second (an InitPlan sleeping once) to be seen reliably.
$node->safe_psql('postgres', q{
  SELECT drift.create_monitor('slow_ks', 'live', column_name => 'x', baseline => 'b',
                              schedule => '1 second',
                              filter => '(SELECT pg_sleep(1)) IS NOT NULL');
});
ok(wait_true($node, 'postgres',
	q{SELECT count(*) >= 1 FROM pg_stat_activity
	   WHERE backend_type = 'pg_drift scheduler' AND state = 'active'
	     AND query = 'pg_drift: running monitor slow_ks'}, 20),
	'scheduler shows the monitor it runs in pg_stat_activity');
$node->safe_psql('postgres', q{SELECT drift.drop_monitor('slow_ks')});

# pg_drift.enabled = off stops scheduled runs
$node->append_conf('postgresql.conf', "pg_drift.enabled = off\n");
$node->reload;
sleep 2;
$n = $node->safe_psql('postgres', q{SELECT count(*) FROM drift.results WHERE monitor = 'live_ks'});
sleep 2;
is($node->safe_psql('postgres', q{SELECT count(*) FROM drift.results WHERE monitor = 'live_ks'}),
	$n, 'pg_drift.enabled = off pauses the worker');

$node->stop;
done_testing();
