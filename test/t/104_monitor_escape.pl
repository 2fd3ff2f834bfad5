# Monitor execution security with the background worker: the worker runs a
# monitor's code only as its owner (an IMMUTABLE trap folded at plan time
# does not make its owner superuser); a filter that catches every cancel is
# ended anyway, the worker goes on and the lost run is recorded as an error;
# a session running such a check is terminated and the loss recorded too;
# and DROP DATABASE succeeds while such a monitor hangs.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/lib";
use DriftTest;
use Time::HiRes qw(time);

my $node = new_worker_node('escape',
	'pg_drift.database_check_interval = 1',
	"pg_drift.monitor_timeout = '500ms'");

# alice's objects: a trap (IMMUTABLE, so folded while planning) that notes
# who runs it and makes alice superuser if that is a superuser, and a
# filter that catches every cancel and carries on
my $setup = q{
  CREATE EXTENSION IF NOT EXISTS pg_drift;
  DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'alice') THEN
      CREATE ROLE alice;
    END IF;
  END $$;
  CREATE SCHEMA alice AUTHORIZATION alice;
  CREATE TABLE data AS SELECT (g % 100)::float8 AS x FROM generate_series(1, 500) g;
  GRANT SELECT ON data TO alice;
  SET ROLE alice;
  CREATE TABLE alice.seen (who name);
  CREATE FUNCTION alice.escalate() RETURNS void LANGUAGE plpgsql AS $f$
  BEGIN
    INSERT INTO alice.seen VALUES (current_user);
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
      EXECUTE 'ALTER ROLE alice SUPERUSER';
    END IF;
  END$f$;
  CREATE FUNCTION alice.probe() RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $f$
  BEGIN
    PERFORM alice.escalate();
    RETURN true;
  END$f$;
  CREATE FUNCTION alice.stubborn() RETURNS boolean LANGUAGE plpgsql AS $f$
  BEGIN
    LOOP
      BEGIN
        PERFORM pg_sleep(0.05);
      EXCEPTION WHEN query_canceled THEN
        NULL;
      END;
    END LOOP;
  END$f$;
  SELECT count(*) FROM drift.capture_baseline('b', 'data');
  RESET ROLE;
};

$node->safe_psql('postgres', $setup);
$node->safe_psql('postgres', q{
  SET ROLE alice;
  SELECT drift.create_monitor('trap', 'data', column_name => 'x', baseline => 'b',
                              schedule => '1 second', filter => 'alice.probe()');
  SELECT drift.create_monitor('fine', 'data', column_name => 'x', baseline => 'b',
                              schedule => '1 second');
});

ok(wait_true($node, 'postgres',
	q{SELECT count(*) >= 3 FROM drift.results WHERE monitor = 'trap' AND state = 'ok'}),
	'the worker runs the monitor with the trap');
is($node->safe_psql('postgres', q{SELECT rolsuper FROM pg_roles WHERE rolname = 'alice'}),
	'f', 'the trap did not make its owner superuser');
is($node->safe_psql('postgres', q{SELECT string_agg(DISTINCT who, ',') FROM alice.seen}),
	'alice', 'the trap only ever ran as its owner');

# a filter that catches every cancel: the worker's backend is terminated
# after the grace period, the worker comes back, the lost run is recorded
# and the other monitor keeps running
$node->safe_psql('postgres', q{
  SET ROLE alice;
  SELECT drift.create_monitor('stubborn', 'data', column_name => 'x', baseline => 'b',
                              schedule => '1 hour', filter => 'alice.stubborn()');
});
ok(wait_true($node, 'postgres', q{
  SELECT count(*) >= 1 FROM drift.results
   WHERE monitor = 'stubborn' AND state = 'error' AND error LIKE '%did not finish%'}),
	'the run that ignored the timeout was ended and recorded as an error');
ok($node->log_contains('terminating background worker'),
	'the worker running it was terminated');
is($node->safe_psql('postgres', q{
  SELECT count(*) FROM drift.alerts WHERE payload->>'monitor' = 'stubborn'
     AND payload->>'state' = 'error'} ) >= 1 ? 't' : 'f', 't', 'and alerted');
my $fine = $node->safe_psql('postgres', q{SELECT count(*) FROM drift.results WHERE monitor = 'fine'});
ok(wait_true($node, 'postgres', qq{SELECT count(*) > $fine FROM drift.results WHERE monitor = 'fine'}),
	'other monitors keep running');
is($node->safe_psql('postgres', q{
  SELECT consecutive_failures >= 1 AND next_run > now() FROM drift.monitors WHERE name = 'stubborn'}),
	't', 'the failure counts and the monitor backs off');

# the same filter run from a session (paused: the worker leaves it alone):
# that session is terminated, and the monitor's next run records the lost run
$node->safe_psql('postgres', q{
  SET ROLE alice;
  SELECT drift.create_monitor('stubborn2', 'data', column_name => 'x', baseline => 'b',
                              paused => true, filter => 'alice.stubborn()');
});
my ($sret, $sout, $serr) = $node->psql('postgres', q{SELECT drift.run_monitor('stubborn2')});
isnt($sret, 0, 'a session running a check that ignores the timeout is ended');
like($serr, qr/terminating connection/, 'by termination');
$node->safe_psql('postgres', q{
  SET ROLE alice;
  SELECT drift.alter_monitor('stubborn2', reset => ARRAY['filter']);
  SELECT count(*) FROM drift.run_monitor('stubborn2');
});
is($node->safe_psql('postgres', q{
  SELECT string_agg(state || ':' || coalesce(error LIKE '%did not finish%', false), ','
                    ORDER BY result_id)
    FROM drift.results WHERE monitor = 'stubborn2'}),
	'error:true,ok:false', 'its next run records the lost run, then runs');

# DROP DATABASE while a monitor hangs in such a loop
$node->safe_psql('postgres', 'CREATE DATABASE hang');
$node->safe_psql('hang', $setup);
$node->safe_psql('hang', q{
  SET ROLE alice;
  SELECT drift.create_monitor('stubborn', 'data', column_name => 'x', baseline => 'b',
                              schedule => '1 hour', filter => 'alice.stubborn()');
});
ok(wait_true($node, 'postgres', q{
  SELECT count(*) >= 1 FROM pg_stat_activity
   WHERE datname = 'hang' AND query LIKE '%running monitor stubborn%'}),
	'the worker is in the hanging check');
my $t0 = time;
my ($ret, $out, $err) = $node->psql('postgres', 'DROP DATABASE hang');
is($ret, 0, 'DROP DATABASE is not blocked by a monitor that ignores cancels') or diag($err);
note(sprintf('DROP DATABASE took %.1f s', time - $t0));

$node->stop;
done_testing();
