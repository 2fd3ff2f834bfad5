# pg_drift_listen: prints exactly the alert payloads; after being down it
# catches up from drift.alerts (state file) with nothing missed or doubled;
# it reconnects when its connection is killed; a run with more alerts than
# are notified one by one is completed from the table; --exec gets every
# payload; SIGTERM and SIGINT end it cleanly; alerts that commit out of id
# order while it is down are still caught up.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/lib";
use DriftTest;

my $node = new_worker_node('listen');

my $bindir = $node->config_data('--bindir');
my $listen = "$bindir/pg_drift_listen";
ok(-x $listen, 'pg_drift_listen is installed with the extension');

my $dir   = PostgreSQL::Test::Utils::tempdir;
my $state = "$dir/state";
my $out   = "$dir/out";
my $execf = "$dir/exec";
my $connstr = $node->connstr('postgres') . ' application_name=drift_listener';

$node->safe_psql('postgres', q{
  CREATE EXTENSION pg_drift;
  CREATE TABLE train AS SELECT (g % 100)::float8 AS x FROM generate_series(1, 1000) g;
  SELECT count(*) FROM drift.capture_baseline('b', 'train');
  CREATE TABLE live AS SELECT (g % 100)::float8 AS x, g % 30 AS k FROM generate_series(1, 3000) g;
  SELECT drift.create_monitor('m', 'live', column_name => 'x', baseline => 'b',
                              schedule => '1 day');
  SELECT drift.create_monitor('wide', 'live', column_name => 'x', baseline => 'b',
                              schedule => '1 day', slice_by => ARRAY['k'], paused => true);
});

# Two alerts: firing, then resolved.
sub flip
{
	$node->safe_psql('postgres', q{
	  UPDATE live SET x = x + 50; SELECT count(*) FROM drift.run_monitor('m');
	  UPDATE live SET x = x - 50; SELECT count(*) FROM drift.run_monitor('m');});
}

sub table_payloads
{
	return split /\n/, $node->safe_psql('postgres',
		q{SELECT payload::text FROM drift.alerts WHERE channel = 'pg_drift' ORDER BY alert_id});
}

sub run_listener
{
	return start_listener([ $listen, '--state-file', $state, '--exec', "cat >> $execf",
			'--max-backoff', '1', $connstr ], $out, "$dir/stderr");
}

# the first run starts at the current end of drift.alerts; record it
$node->safe_psql('postgres', q{SELECT count(*) FROM drift.run_monitor('m')});
my $h = run_listener();
flip();
flip();
ok(wait_lines($out, 4), 'live alerts printed');
my @table = table_payloads();
my @got = slurp_lines($out);
is_deeply(\@got, [ @table[-4 .. -1] ], 'printed exactly the stored payloads, in order');
like($got[0], qr/"state": "firing"/, 'first alert is firing');
like($got[1], qr/"state": "resolved"/, 'then resolved');

# down: SIGTERM ends it cleanly; alerts raised meanwhile are caught up
$h->signal('TERM');
$h->finish;
is($h->full_result(0), 0, 'SIGTERM: clean exit (status 0)');
flip();
$node->safe_psql('postgres', q{SELECT count(*) FROM drift.run_monitor('m')});
$h = run_listener();
ok(wait_lines($out, 6), 'missed alerts caught up after restart');
flip();
ok(wait_lines($out, 8), 'live again after catching up');

# the connection is killed: it reconnects and catches up
$node->safe_psql('postgres',
	q{SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'drift_listener'});
flip();
ok(wait_lines($out, 10), 'reconnected and caught up after the connection was killed');

# a run with 30 breaching slices notifies 20 and a summary; all 30 printed
$node->safe_psql('postgres', q{
  UPDATE live SET x = x + 50; SELECT count(*) FROM drift.run_monitor('wide');
  UPDATE live SET x = x - 50;});
ok(wait_lines($out, 40), 'alerts beyond the NOTIFY cap are read from the table');
sleep 1;

@table = table_payloads();
@got   = slurp_lines($out);
my $first = scalar(@table) - 40;
is_deeply(\@got, [ @table[$first .. $#table] ],
	'over all runs: every stored alert printed once, nothing missed or doubled, in order');
is_deeply([ slurp_lines($execf) ], \@got, '--exec received every payload');
like(slurp_lines($state) ? (slurp_lines($state))[0] : '', qr/^\d+$/, 'state file holds the last id');
like($table[-1], qr/"alert_id": (\d+)/, 'payload carries its alert id');

$h->signal('INT');
$h->finish;
is($h->full_result(0), 0, 'SIGINT: clean exit (status 0)');

# --once prints what is stored after an id, and exits
my ($once_out, $once_err);
IPC::Run::run([ $listen, '--once', '--since-id', '0', $connstr ], '>', \$once_out, '2>', \$once_err);
is_deeply([ split /\n/, $once_out ], [ table_payloads() ], '--once prints every stored alert and exits');

# Alerts commit out of id order while the listener is down: the run that
# took the lower alert id commits last.  The listener printed the higher id
# before it stopped; after the restart it still prints the lower one, and
# nothing twice.
$node->safe_psql('postgres', q{
  CREATE TABLE shifted AS SELECT (g % 100)::float8 + 50 AS x FROM generate_series(1, 1000) g;
  SELECT drift.create_monitor(n, 'shifted', column_name => 'x', baseline => 'b',
                              schedule => '1 day', paused => true)
    FROM unnest(ARRAY['early', 'late']) n;
});
my $printed = () = slurp_lines($out);
$h = run_listener();
my $slow = $node->background_psql('postgres');
$slow->query_safe('BEGIN');
$slow->query_safe(q{SELECT count(*) FROM drift.run_monitor('early')});
$node->safe_psql('postgres', q{SELECT count(*) FROM drift.run_monitor('late')});
ok(wait_lines($out, $printed + 1), 'the alert committed first is printed');
$h->signal('TERM');
$h->finish;
$slow->query_safe('COMMIT');
$slow->quit;
$h = run_listener();
ok(wait_lines($out, $printed + 2), 'the alert with the lower id, committed while down, is caught up');
sleep 2;
@got = slurp_lines($out);
my @late_first = map { $_->[0] } sort { $a->[1] <=> $b->[1] }
	map { [ $_, /"alert_id": (\d+)/ ] } @got[ $printed .. $#got ];
is(scalar(@got), $printed + 2, 'nothing printed twice');
is_deeply(\@late_first, [ (table_payloads())[-2, -1] ], 'both alerts printed, as stored');
like($got[$printed], qr/"monitor": "late"/, 'the later id came first');
$h->signal('TERM');
$h->finish;

$node->stop;
done_testing();
